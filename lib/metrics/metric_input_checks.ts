/**
 * Checks on what the metrics are given, so that bad input is an error with the fix instead of a
 * score: images in [0, 255] gave an FID of 9.9 million, all-NaN images an Inception Score of 1.00.
 * Images handed to the classifier must be finite and in [-1, 1]; features and probabilities must be
 * finite.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { imageRangeProblem, tensorStats } from "../core/tensor_checks.ts";
import type { Matrix } from "./linalg.ts";

/**
 * Throw when images given to a metric hold NaN or Inf or leave [-1, 1] (with the fix in the
 * message, e.g. "images look like [0, 255]: scale them to [-1, 1] with images.div(127.5).sub(1)").
 * Generated images that are all bright ([0, 1]) pass: a generator may draw them.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkMetricImages } from "./metric_input_checks.ts";
 * import { rejects } from "node:assert/strict";
 * await checkMetricImages(tf.zeros([2, 28, 28, 1]), "Cannot compute FID");
 * await rejects(
 *   checkMetricImages(tf.fill([2, 28, 28, 1], 255), "Cannot compute FID"),
 *   /Cannot compute FID: images look like \[0, 255\]: scale them to \[-1, 1\]/,
 * );
 * await rejects(checkMetricImages(tf.fill([2, 4, 4, 1], NaN), "Cannot score"), /32 NaN/);
 * ```
 */
export async function checkMetricImages(
  images: tf.Tensor,
  context: string,
  name = "images",
): Promise<void> {
  const problem = imageRangeProblem(await tensorStats(images), name, context, {
    refuseUnitRange: false,
  });
  if (problem) throw new Error(problem);
}

/**
 * Throw when a feature or probability matrix holds NaN or Inf (they come from NaN images or a
 * broken classifier, and every metric of them would be a meaningless number).
 *
 * @example
 * ```ts
 * import { checkFiniteMatrix } from "./metric_input_checks.ts";
 * import { throws } from "node:assert/strict";
 * checkFiniteMatrix({ rows: 1, cols: 2, data: new Float64Array([1, 2]) }, "features", "Cannot");
 * throws(
 *   () => checkFiniteMatrix({ rows: 1, cols: 2, data: new Float64Array([1, NaN]) }, "features", "Cannot compute FID"),
 *   /Cannot compute FID: features hold 1 NaN or infinite values \(first in row 0\)/,
 * );
 * ```
 */
export function checkFiniteMatrix(matrix: Matrix, name: string, context: string): void {
  let bad = 0;
  let first = -1;
  const { data, cols } = matrix;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad === 0) return;
  throw new Error(
    `${context}: ${name} hold ${bad} NaN or infinite values (first in row ` +
      `${Math.floor(first / Math.max(1, cols))}); they come from NaN images or a diverged model: ` +
      `check the images (finite, in [-1, 1]) before scoring them`,
  );
}
