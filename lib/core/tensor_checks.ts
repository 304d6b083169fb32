/**
 * Checks on tensor values shared by training and the metrics: NaN or infinite values, and images
 * outside the [-1, 1] range the generators' tanh outputs live in, with the fix in the message
 * ("realImages look like [0, 255]: scale them to [-1, 1] with images.div(127.5).sub(1)").
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Slack on the [-1, 1] bounds (resizing and float rounding can overshoot slightly). */
const RANGE_SLACK = 1e-3;

/** Summary statistics of one tensor: what the checks decide on. */
export interface TensorStats {
  /** Smallest finite value (`Infinity` when none). */
  min: number;
  /** Largest finite value (`-Infinity` when none). */
  max: number;
  /** Count of NaN values. */
  nan: number;
  /** Count of infinite values. */
  inf: number;
}

/**
 * Min, max and the NaN and Inf counts of a tensor, in one asynchronous read.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tensorStats } from "./tensor_checks.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(await tensorStats(tf.tensor1d([1, NaN, -2, Infinity])), {
 *   min: -2, max: 1, nan: 1, inf: 1,
 * });
 * ```
 */
export async function tensorStats(tensor: tf.Tensor): Promise<TensorStats> {
  if (tensor.size === 0) return { min: Infinity, max: -Infinity, nan: 0, inf: 0 };
  const packed = packStats(tensor);
  try {
    return unpackStats(await packed.data());
  } finally {
    packed.dispose();
  }
}

/** `[min, max, nan, inf]` of a tensor as one float32 vector (finite values only in min and max). */
function packStats(tensor: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const x = tensor.toFloat().flatten() as tf.Tensor;
    const nan = tf.isNaN(x);
    const inf = tf.isInf(x);
    const finite = tf.logicalNot(tf.logicalOr(nan, inf));
    const big = tf.fill(x.shape, 3.4e38);
    return tf.stack([
      tf.where(finite, x, big).min(),
      tf.where(finite, x, big.neg()).max(),
      nan.toFloat().sum(),
      inf.toFloat().sum(),
    ]) as tf.Tensor1D;
  });
}

function unpackStats(values: ArrayLike<number>): TensorStats {
  const [min, max, nan, inf] = Array.from(values);
  return { min: min >= 3.4e38 ? Infinity : min, max: max <= -3.4e38 ? -Infinity : max, nan, inf };
}

/**
 * The problem with images whose statistics are `stats`, as a message that says how to fix it, or
 * `undefined` when they look like images in [-1, 1]. `name` and `context` start the message.
 * Images in [0, 1] with some above 0.5 count as a problem unless `refuseUnitRange` is `false`
 * (generated images may legitimately all be bright).
 *
 * @example
 * ```ts
 * import { imageRangeProblem } from "./tensor_checks.ts";
 * import { match, strictEqual } from "node:assert/strict";
 * match(
 *   imageRangeProblem({ min: 0, max: 255, nan: 0, inf: 0 }, "realImages", "Cannot train")!,
 *   /realImages look like \[0, 255\]: scale them to \[-1, 1\]/,
 * );
 * strictEqual(imageRangeProblem({ min: -1, max: 1, nan: 0, inf: 0 }, "x", "Cannot train"), undefined);
 * ```
 */
export function imageRangeProblem(
  stats: TensorStats,
  name: string,
  context: string,
  options: { refuseUnitRange?: boolean } = {},
): string | undefined {
  const finiteProblem = nonFiniteProblem(stats, name, context);
  if (finiteProblem) return finiteProblem;
  if (stats.min === Infinity) return undefined;
  const range = `values from ${round(stats.min)} to ${round(stats.max)}`;
  if (stats.max > 1 + RANGE_SLACK) {
    if (stats.min >= -RANGE_SLACK && stats.max <= 255 + RANGE_SLACK && stats.max > 2) {
      return `${context}: ${name} look like [0, 255]: scale them to [-1, 1] with ` +
        `images.div(127.5).sub(1) (${range})`;
    }
    return `${context}: ${name} must lie in [-1, 1], got ${range}: scale them to [-1, 1] ` +
      `(x -> 2 (x - min) / (max - min) - 1)`;
  }
  if (stats.min < -1 - RANGE_SLACK) {
    return `${context}: ${name} must lie in [-1, 1], got ${range}: scale them to [-1, 1] ` +
      `(x -> 2 (x - min) / (max - min) - 1)`;
  }
  if ((options.refuseUnitRange ?? true) && stats.min >= 0 && stats.max > 0.5) {
    return `${context}: ${name} look like [0, 1]: scale them to [-1, 1] with ` +
      `images.mul(2).sub(1), the range the generators draw in (tanh) (${range})`;
  }
  return undefined;
}

/**
 * The problem with a tensor holding NaN or Inf values, or `undefined`.
 *
 * @example
 * ```ts
 * import { nonFiniteProblem } from "./tensor_checks.ts";
 * import { match } from "node:assert/strict";
 * match(nonFiniteProblem({ min: 0, max: 1, nan: 3, inf: 0 }, "labels", "Cannot train")!, /3 NaN/);
 * ```
 */
export function nonFiniteProblem(
  stats: TensorStats,
  name: string,
  context: string,
): string | undefined {
  if (stats.nan === 0 && stats.inf === 0) return undefined;
  const what = [stats.nan ? `${stats.nan} NaN` : "", stats.inf ? `${stats.inf} infinite` : ""]
    .filter(Boolean).join(" and ");
  return `${context}: ${name} hold ${what} values; find where they come from (a division by ` +
    `zero, a failed decode) and fix or drop those items`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(3);
}
