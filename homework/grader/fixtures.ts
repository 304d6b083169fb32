/**
 * Shared pieces of the hidden tests: float64 reference maths, weight snapshots, leak checks and the
 * ring distance used by the short training runs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ringModes } from "../../lib/data/toy.ts";
import { asNumber, type CheckOutcome, judged, type Observations, verdict } from "./check.ts";

/** softplus(x) = log(1 + e^x) in float64, without overflow. */
export function softplus64(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** The logistic sigmoid in float64. */
export function sigmoid64(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Mean of a list of numbers. */
export function mean64(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Softmax cross-entropy of one row of logits against a class index, float64. */
export function crossEntropy64(logits: number[], label: number): number {
  const m = Math.max(...logits);
  const logSum = m + Math.log(logits.reduce((s, x) => s + Math.exp(x - m), 0));
  return logSum - logits[label];
}

/** Copies of a model's trainable weights, as plain arrays. */
export function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
}

/**
 * A snapshot as plain lists, for the child's JSON report.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { plain } from "./fixtures.ts";
 * assertEquals(plain([new Float32Array([1, 0.5])]), [[1, 0.5]]);
 * ```
 */
export function plain(weights: Float32Array[]): number[][] {
  return weights.map((w) => Array.from(w));
}

/** Set a model's trainable weights back to a snapshot. */
export function restore(model: tf.LayersModel, weights: Float32Array[]): void {
  model.trainableWeights.forEach((w, i) => {
    tf.tidy(() => {
      w.write(tf.tensor(weights[i], w.read().shape));
    });
  });
}

/** Largest absolute difference between two snapshots. */
export function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((x, i) => x.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}

/** Number of live tensors created by `run` and not disposed (0 for a clean function). */
export function leakedTensors(run: () => unknown): number {
  const before = tf.memory().numTensors;
  const result = run();
  if (result instanceof tf.Tensor) result.dispose();
  return tf.memory().numTensors - before;
}

/** The outcome of a leak check. */
export function leakVerdict(leaked: number, per: string): { passed: boolean; detail: string } {
  return leaked === 0 ? { passed: true, detail: "none" } : {
    passed: false,
    detail: `${leaked} tensors left behind per ${per}: wrap the body in tf.tidy`,
  };
}

/** Mean distance of 2-D samples to the nearest of the ring's 8 mode centres. */
export function meanModeDistance(samples: tf.Tensor2D): number {
  const { centres } = ringModes();
  const values = samples.dataSync();
  let sum = 0;
  for (let i = 0; i < samples.shape[0]; i++) {
    const x = values[2 * i];
    const y = values[2 * i + 1];
    sum += Math.min(...centres.map(([cx, cy]) => Math.hypot(x - cx, y - cy)));
  }
  return sum / samples.shape[0];
}

/**
 * The share of 2-D samples whose nearest ring mode is each of the 8 modes (they sum to 1): a
 * generator spread over the ring holds about 1/8 at every mode, one collapsed onto a mode holds
 * all of its samples at one.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ringModes } from "../../lib/data/toy.ts";
 * import { nearestModeShares } from "./fixtures.ts";
 * const [a, b] = ringModes().centres;
 * const shares = nearestModeShares(tf.tensor2d([a, a, a, b]));
 * assertEquals(shares.slice(0, 2), [0.75, 0.25]);
 * assertEquals(shares.reduce((x, y) => x + y), 1);
 * ```
 */
export function nearestModeShares(samples: tf.Tensor2D): number[] {
  const { centres } = ringModes();
  const values = samples.dataSync();
  const counts = centres.map(() => 0);
  for (let i = 0; i < samples.shape[0]; i++) {
    const distances = centres.map(([cx, cy]) =>
      Math.hypot(values[2 * i] - cx, values[2 * i + 1] - cy)
    );
    counts[distances.indexOf(Math.min(...distances))]++;
  }
  return counts.map((c) => c / samples.shape[0]);
}

/** Mean distance of 2-D samples to the circle of radius 2 the ring's modes sit on. */
export function meanRingDistance(samples: tf.Tensor2D): number {
  const values = samples.dataSync();
  let sum = 0;
  for (let i = 0; i < samples.shape[0]; i++) {
    sum += Math.abs(Math.hypot(values[2 * i], values[2 * i + 1]) - 2);
  }
  return sum / samples.shape[0];
}

/** The values of a scalar tensor the student returned, with a clear error when it is not one. */
export function scalarValue(value: unknown, what: string): number {
  if (!(value instanceof tf.Tensor)) {
    throw new Error(`${what} must return a tf.Scalar, got ${typeof value}`);
  }
  if (value.rank !== 0) {
    const shape = value.shape;
    value.dispose();
    throw new Error(
      `${what} must return a scalar (rank 0), got shape [${shape}]: average with .mean()`,
    );
  }
  const x = value.dataSync()[0];
  value.dispose();
  return x;
}

/**
 * Weights sent back by the sandboxed child, checked against the shapes of `like` (a snapshot of
 * the same model); an error says what does not fit.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { asWeights } from "./fixtures.ts";
 * const like = [new Float32Array(2), new Float32Array(1)];
 * assertEquals(asWeights([[1, 2], [3]], like), [new Float32Array([1, 2]), new Float32Array([3])]);
 * throws(() => asWeights([[1, 2]], like), /weights/);
 * ```
 */
export function asWeights(value: unknown, like: Float32Array[]): Float32Array[] {
  const fits = Array.isArray(value) && value.length === like.length &&
    value.every((w, i) =>
      Array.isArray(w) && w.length === like[i].length &&
      w.every((x) => typeof x === "number" || x === null)
    );
  if (!fits) throw new Error("the test got weights of the wrong shapes back");
  return (value as (number | null)[][]).map((w) => Float32Array.from(w, (x) => x ?? NaN));
}

/**
 * The judged leak check: counts only for a function that computes the right value (`valuePassed`),
 * so a report of "0 leaked" alone earns nothing.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { leakCheck } from "./fixtures.ts";
 * const none = { leaked: { ok: true as const, value: 0 } };
 * assertEquals(leakCheck(none, true, "call").passed, true);
 * assertEquals(leakCheck(none, false, "call").passed, false);
 * assertEquals(leakCheck({ leaked: { ok: true as const, value: 2 } }, true, "call").passed, false);
 * ```
 */
export function leakCheck(obs: Observations, valuePassed: boolean, per: string): CheckOutcome {
  return judged(
    `no tensors leaked by a ${per}`,
    obs,
    "leaked",
    (v) =>
      valuePassed
        ? leakVerdict(asNumber(v), per)
        : verdict(false, "not checked: the value is wrong"),
  );
}

/** What {@linkcode judgeTrainedGenerator} needs. */
export interface TrainedGeneratorJudge {
  /** The generator as it was before the child's run (same seed); it gets the child's weights. */
  generator: tf.LayersModel;
  /** Name of the "losses stay finite" check. */
  finiteName: string;
  /** Name of the quality check. */
  qualityName: string;
  /** The quality check on `generator` with the child's weights, given its value before. */
  quality(before: number): { passed: boolean; detail: string };
  /** The measure the quality check compares (distance, accuracy) on `generator` as it is. */
  measure(): number;
}

/**
 * Judge a short training run from the weights the child sent back: they must be finite and differ
 * from the start, and the quality check runs here, on the grader's own copy of the generator.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildMlpGenerator } from "../../lib/models/mlp.ts";
 * import { judgeTrainedGenerator, plain, snapshot } from "./fixtures.ts";
 * const generator = buildMlpGenerator({ latentDim: 2, hidden: [4], seed: 0 });
 * const moved = plain(snapshot(generator)).map((w) => w.map((x) => x + 0.1));
 * const outcomes = judgeTrainedGenerator(
 *   { finite: { ok: true, value: true }, generator: { ok: true, value: moved } },
 *   {
 *     generator,
 *     finiteName: "finite",
 *     qualityName: "moved",
 *     measure: () => snapshot(generator)[0][0],
 *     quality: (before) => ({ passed: snapshot(generator)[0][0] > before, detail: "" }),
 *   },
 * );
 * assertEquals(outcomes.map((o) => o.passed), [true, true]);
 * generator.dispose();
 * ```
 */
export function judgeTrainedGenerator(obs: Observations, j: TrainedGeneratorJudge): CheckOutcome[] {
  const start = snapshot(j.generator);
  const before = j.measure();
  const trained = judged("trained weights", obs, "generator", (v) => {
    const weights = asWeights(v, start);
    const moved = maxDifference(weights, start) > 0;
    return verdict(
      moved && weights.every((w) => w.every(Number.isFinite)),
      moved ? "the generator's weights are NaN or infinite" : "the generator never changed",
    );
  });
  const finite = judged(j.finiteName, obs, "finite", (v) =>
    verdict(
      v === true && trained.passed,
      v === true ? trained.detail : "got NaN or infinity",
      "finite",
    ));
  const quality = judged(j.qualityName, obs, "generator", (v) => {
    if (!trained.passed) return verdict(false, trained.detail);
    restore(j.generator, asWeights(v, start));
    const outcome = j.quality(before);
    return { passed: finite.passed && outcome.passed, detail: outcome.detail };
  });
  return [finite, quality];
}
