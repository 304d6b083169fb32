/**
 * Kernel Inception Distance (KID, Bińkowski et al. 2018): the unbiased squared maximum mean
 * discrepancy between two feature sets under the cubic polynomial kernel
 * `k(x, y) = (x·y / d + 1)^3`, averaged over random subsets.
 *
 * @module
 */
import { type SeededRandom, seededRandom } from "../core/random.ts";
import { type FeatureInput, type Matrix, toMatrix } from "./linalg.ts";
import { checkFiniteMatrix } from "./metric_input_checks.ts";

/** Options of {@linkcode kid}. */
export interface KidOptions {
  /** How many random subset pairs to average over. Default 50 (Bińkowski et al.'s code). */
  subsets?: number;
  /**
   * Samples per subset, drawn without replacement from each set. Default 1000, lowered to the
   * smaller set's size when a set is smaller.
   */
  subsetSize?: number;
  /** Seed of the subset sampler (`seededRandom`); the same seed gives the same subsets. Default 0. */
  seed?: number;
}

/** KID over subsets: the mean and the population standard deviation of the subset estimates. */
export interface KidResult {
  /** Mean unbiased MMD^2 over subsets (can be slightly negative when the sets match). */
  mean: number;
  /** Standard deviation of the subset estimates (divided by the number of subsets). */
  std: number;
  /** The estimate of each subset. */
  values: number[];
}

const KID_DEFAULTS: Required<KidOptions> = { subsets: 50, subsetSize: 1000, seed: 0 };

/**
 * Unbiased MMD^2 between two equally sized feature sets under `k(x, y) = (x·y / d + 1)^3`:
 * the mean of `k` over distinct pairs within each set minus twice its mean across the sets.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { polynomialMmd2 } from "./kid.ts";
 * const same = polynomialMmd2([[0, 1], [1, 0], [1, 1]], [[0, 1], [1, 0], [1, 1]]);
 * assert(same < 0);
 * ```
 */
export function polynomialMmd2(featuresA: FeatureInput, featuresB: FeatureInput): number {
  const a = toMatrix(featuresA);
  const b = toMatrix(featuresB);
  checkPair(a, b);
  if (a.rows !== b.rows || a.rows < 2) {
    throw new Error(
      `Cannot compute MMD: both sets need the same size of at least 2, got ${a.rows} and ${b.rows}`,
    );
  }
  const m = a.rows;
  const all = Array.from({ length: m }, (_, i) => i);
  return mmd2OnSubsets(a, all, b, all);
}

/**
 * Kernel Inception Distance between two feature sets (`[n, d]` each): the unbiased polynomial-kernel
 * MMD^2 on `subsets` random pairs of `subsetSize`-sample subsets, mean and standard deviation.
 * Lower is better; unlike FID it has an unbiased estimator, so small sample sizes compare fairly.
 *
 * Subsets come from `seededRandom(seed)` (lib/core/random.ts) and a partial Fisher-Yates shuffle (first an index
 * set for A, then one for B, per subset), so a given seed gives the same value on every machine;
 * `tests/reference/fid_kid_reference.py` reproduces it in NumPy.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { kid } from "./kid.ts";
 * const a = [[0, 1], [1, 0], [1, 1], [0, 0]];
 * const b = [[2, 3], [3, 2], [3, 3], [2, 2]];
 * const { mean, std } = kid(a, b, { subsets: 5, subsetSize: 3, seed: 1 });
 * assertEquals([mean > 0, std >= 0], [true, true]);
 * ```
 */
export function kid(
  featuresA: FeatureInput,
  featuresB: FeatureInput,
  options: KidOptions = {},
): KidResult {
  const { subsets, subsetSize, seed } = { ...KID_DEFAULTS, ...options };
  const a = toMatrix(featuresA);
  const b = toMatrix(featuresB);
  checkPair(a, b);
  checkFiniteMatrix(a, "featuresA", "Cannot compute KID");
  checkFiniteMatrix(b, "featuresB", "Cannot compute KID");
  const size = Math.min(subsetSize, a.rows, b.rows);
  if (!Number.isInteger(subsets) || subsets < 1) {
    throw new Error(`Cannot compute KID: subsets must be a positive integer, got ${subsets}`);
  }
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(
      `Cannot compute KID: each subset needs at least 2 samples; got subsetSize ${subsetSize} ` +
        `with ${a.rows} and ${b.rows} samples`,
    );
  }
  const random = seededRandom(seed);
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const indicesA = sampleWithoutReplacement(a.rows, size, random);
    const indicesB = sampleWithoutReplacement(b.rows, size, random);
    values.push(mmd2OnSubsets(a, indicesA, b, indicesB));
  }
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), values };
}

function checkPair(a: Matrix, b: Matrix): void {
  if (a.cols !== b.cols) {
    throw new Error(
      `Cannot compute KID: feature sets have ${a.cols} and ${b.cols} dimensions; ` +
        `extract both with the same feature extractor`,
    );
  }
}

/** Unbiased MMD^2 between rows `ia` of `a` and rows `ib` of `b` (same count m). */
function mmd2OnSubsets(a: Matrix, ia: number[], b: Matrix, ib: number[]): number {
  const m = ia.length;
  const d = a.cols;
  const x = gatherRows(a, ia);
  const y = gatherRows(b, ib);
  const kxx = kernelSum(x, x, m, d, true);
  const kyy = kernelSum(y, y, m, d, true);
  const kxy = kernelSum(x, y, m, d, false);
  return kxx / (m * (m - 1)) + kyy / (m * (m - 1)) - (2 * kxy) / (m * m);
}

function gatherRows(x: Matrix, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length * x.cols);
  rows.forEach((r, i) => out.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols));
  return out;
}

/**
 * Sum of `(x_i·y_j / d + 1)^3` over all pairs, or over pairs i != j when `offDiagonal` (then x is y
 * and the sum is twice the upper triangle). Four rows of y at a time keep the loop fast in V8.
 */
function kernelSum(
  x: Float64Array,
  y: Float64Array,
  m: number,
  d: number,
  offDiagonal: boolean,
): number {
  let total = 0;
  for (let i = 0; i < m; i++) {
    const oi = i * d;
    let j = offDiagonal ? i + 1 : 0;
    let rowTotal = 0;
    for (; j + 3 < m; j += 4) {
      const o0 = j * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < d; k++) {
        const v = x[oi + k];
        s0 += v * y[o0 + k];
        s1 += v * y[o1 + k];
        s2 += v * y[o2 + k];
        s3 += v * y[o3 + k];
      }
      const t0 = s0 / d + 1, t1 = s1 / d + 1, t2 = s2 / d + 1, t3 = s3 / d + 1;
      rowTotal += t0 * t0 * t0 + t1 * t1 * t1 + t2 * t2 * t2 + t3 * t3 * t3;
    }
    for (; j < m; j++) {
      const oj = j * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += x[oi + k] * y[oj + k];
      const t = s / d + 1;
      rowTotal += t * t * t;
    }
    total += rowTotal;
  }
  return offDiagonal ? 2 * total : total;
}

/** `count` distinct indices below `n`: the first `count` steps of a Fisher-Yates shuffle. */
function sampleWithoutReplacement(n: number, count: number, random: SeededRandom): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + random.int(n - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}
