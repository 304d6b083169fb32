/**
 * Checks on the data handed to `train()`, before the first step: NaN or infinite values, and images
 * outside the [-1, 1] range the generators' tanh outputs live in, with the fix in the message. A GAN
 * trained on [0, 255] or [0, 1] images still runs, but its discriminator tells real from fake by
 * the range alone: the error costs a minute, the silent run costs hours.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { imageRangeProblem, nonFiniteProblem, tensorStats } from "../core/tensor_checks.ts";
import { type Batch, type BatchSource, isBatchSource } from "./batches.ts";

/** Batch keys that hold images (rank 4, values in [-1, 1]); others are only checked for NaN. */
const IMAGE_KEYS: readonly string[] = ["realImages", "domainA", "domainB"];

/**
 * Check the data given to `train()`: every float tensor must be finite, and image tensors
 * (`realImages`, `domainA`, `domainB` of rank 4) must lie in [-1, 1]. A record of tensors is
 * checked whole; a batch source by its first batch. Throws one error that says what to fix.
 *
 * @example Images in [0, 255] are refused with the fix
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkTrainingData } from "./training_data_checks.ts";
 * import { rejects } from "node:assert/strict";
 * const realImages = tf.linspace(0, 255, 16).reshape([4, 2, 2, 1]);
 * await rejects(checkTrainingData({ realImages }), /look like \[0, 255\]: scale them to \[-1, 1\]/);
 * await checkTrainingData({ realImages: realImages.div(127.5).sub(1) });
 * ```
 */
export async function checkTrainingData(data: BatchSource | Batch): Promise<void> {
  const batch = isBatchSource(data) ? data.batch(0, 0) : data;
  try {
    for (const [name, tensor] of Object.entries(batch)) {
      if (!(tensor instanceof tf.Tensor)) {
        throw new Error(
          `Cannot train: data.${name} must be a tensor, got ${typeof tensor}; pass e.g. ` +
            `{ realImages: images }`,
        );
      }
      if (tensor.dtype !== "float32") continue;
      const stats = await tensorStats(tensor);
      const where = isBatchSource(data) ? `${name} (first batch of ${data.description})` : name;
      const problem = IMAGE_KEYS.includes(name) && tensor.rank === 4
        ? imageRangeProblem(stats, where, "Cannot train")
        : nonFiniteProblem(stats, where, "Cannot train");
      if (problem) throw new Error(problem);
    }
  } finally {
    if (isBatchSource(data)) tf.dispose(Object.values(batch));
  }
}
