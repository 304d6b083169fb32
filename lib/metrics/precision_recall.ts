/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
 * for Assessing Generative Models"): two numbers where FID gives one.
 *
 * Each set of features spans a "manifold": the union of balls around its points, each ball's
 * radius the distance to that point's k-th nearest neighbour in the same set.
 *
 * - **Precision**: the share of generated samples inside the real manifold. Are the samples
 *   realistic (recognisable digits), whatever their variety?
 * - **Recall**: the share of real samples inside the generated manifold. Does the generator cover
 *   the variety of the data, or has it collapsed onto a few modes?
 *
 * FID mixes both failures into one number; these two separate them. Recall is the dependable one
 * here. Precision has blind spots in the shipped classifier's 128 features: uniform noise scores
 * near 0 (0.01 with 1,000 samples, 0.12-0.23 with 500), but blank grey images, blurred digits and
 * an untrained generator's blobs score close to 1, because their features fall inside the balls of
 * real digits that the classifier reads weakly. Read it next to a sample grid and recall
 * (notebook 05 shows these cases). Everything runs on float64 in plain JavaScript, as the other
 * metrics do.
 *
 * @module
 */
import { type FeatureInput, type Matrix, toMatrix } from "./linalg.ts";
import { checkFiniteMatrix } from "./metric_input_checks.ts";

/** Options of {@linkcode precisionRecall}. */
export interface PrecisionRecallOptions {
  /** The k of the k-th nearest neighbour radius. Default 3, the paper's choice. */
  k?: number;
}

/** What {@linkcode precisionRecall} returns. */
export interface PrecisionRecall {
  /** Fraction of generated samples within the real manifold, in [0, 1]. */
  precision: number;
  /** Fraction of real samples within the generated manifold, in [0, 1]. */
  recall: number;
}

/**
 * Precision and recall of generated features against real features (`[n, d]` each; same `d`).
 * Both sets should have the same size, as in the paper, and at least `k + 1` rows.
 *
 * @example Two identical sets, then a set far away
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { precisionRecall } from "./precision_recall.ts";
 * const real = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]];
 * assertEquals(precisionRecall(real, real), { precision: 1, recall: 1 });
 * const far = real.map(([x, y]) => [x + 10, y]);
 * assertEquals(precisionRecall(real, far), { precision: 0, recall: 0 });
 * ```
 */
export function precisionRecall(
  realFeatures: FeatureInput,
  fakeFeatures: FeatureInput,
  options: PrecisionRecallOptions = {},
): PrecisionRecall {
  const k = options.k ?? 3;
  const real = toMatrix(realFeatures);
  const fake = toMatrix(fakeFeatures);
  checkFiniteMatrix(real, "realFeatures", "Cannot compute precision/recall");
  checkFiniteMatrix(fake, "fakeFeatures", "Cannot compute precision/recall");
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`Cannot compute precision/recall: k must be a positive integer, got ${k}`);
  }
  if (real.cols !== fake.cols) {
    throw new Error(
      `Cannot compute precision/recall: real features have ${real.cols} dimensions, generated ` +
        `${fake.cols}; extract both with the same classifier`,
    );
  }
  for (const [name, m] of [["real", real], ["generated", fake]] as const) {
    if (m.rows <= k) {
      throw new Error(
        `Cannot compute precision/recall: ${m.rows} ${name} samples, need more than k = ${k}`,
      );
    }
  }
  const realToReal = squaredDistances(real, real);
  const fakeToFake = squaredDistances(fake, fake);
  const realToFake = squaredDistances(real, fake); // [real.rows, fake.rows]
  const realRadii = kthNeighbour(realToReal, real.rows, k);
  const fakeRadii = kthNeighbour(fakeToFake, fake.rows, k);
  const between = (i: number, j: number) => realToFake[i * fake.rows + j];
  return {
    precision: shareInsideBalls(fake.rows, real.rows, (p, c) => between(c, p), realRadii),
    recall: shareInsideBalls(real.rows, fake.rows, (p, c) => between(p, c), fakeRadii),
  };
}

/**
 * The share of `points` points within the ball of at least one of `centres` centres: squared
 * distance from point p to centre c at most `radii[c]`.
 */
function shareInsideBalls(
  points: number,
  centres: number,
  distance: (point: number, centre: number) => number,
  radii: Float64Array,
): number {
  let inside = 0;
  for (let p = 0; p < points; p++) {
    for (let c = 0; c < centres; c++) {
      if (distance(p, c) <= radii[c]) {
        inside++;
        break;
      }
    }
  }
  return inside / points;
}

/** Squared Euclidean distances `[a.rows, b.rows]`, row-major. */
function squaredDistances(a: Matrix, b: Matrix): Float64Array {
  const d = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    const ai = i * d;
    for (let j = 0; j < b.rows; j++) {
      const bj = j * d;
      let sum = 0;
      for (let c = 0; c < d; c++) {
        const diff = a.data[ai + c] - b.data[bj + c];
        sum += diff * diff;
      }
      out[i * b.rows + j] = sum;
    }
  }
  return out;
}

/** Each point's squared distance to its k-th nearest neighbour in its own set (itself excluded). */
function kthNeighbour(selfDistances: Float64Array, n: number, k: number): Float64Array {
  const radii = new Float64Array(n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    row.set(selfDistances.subarray(i * n, (i + 1) * n));
    row.sort();
    radii[i] = row[k]; // row[0] is the point itself (distance 0)
  }
  return radii;
}
