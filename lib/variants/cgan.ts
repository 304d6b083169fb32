/**
 * Conditional GAN (Mirza & Osindero 2014): the one-hot label is concatenated to z and given to D
 * with the image; non-saturating loss, Adam 2e-4 / beta1 0.5. Batches carry `labels` as class
 * indices `[batch]` or one-hot `[batch, numClasses]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { discriminatorLoss, nonSaturatingGeneratorLoss } from "../losses.ts";
import { buildConditionalDiscriminator, buildConditionalGenerator } from "../models/conditional.ts";
import type { Batch } from "../train/batches.ts";
import type { GanVariant } from "../train/variant.ts";
import { adversarialVariant, OPTIMIZER_PRESETS } from "./adversarial.ts";
import { IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createCgan}. */
export interface CganOptions extends VariantOptions {
  /** Number of classes. Default 10. */
  numClasses?: number;
}

/**
 * One-hot labels of a batch: class indices `[batch]` become `[batch, numClasses]`; one-hot labels
 * pass through as float.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { oneHotLabels } from "@course/variants/cgan.ts";
 * console.log(oneHotLabels({ labels: tf.tensor1d([2, 0], "int32") }, 3).arraySync());
 * // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function oneHotLabels(batch: Batch, numClasses: number): tf.Tensor {
  const labels = batch.labels;
  if (!labels) {
    throw new Error(
      "Cannot train a conditional variant: the batch has no `labels`; pass { realImages, labels }",
    );
  }
  return labels.rank === 1 ? tf.oneHot(labels.toInt(), numClasses).toFloat() : labels.toFloat();
}

/**
 * Labels `0, 1, ..., numClasses-1, 0, 1, ...` as one-hot rows, for sample grids (one class per
 * column when the grid has `numClasses` columns).
 *
 * @example
 * ```ts
 * import { cyclingLabels } from "@course/variants/cgan.ts";
 * console.log(cyclingLabels(4, 3).argMax(1).arraySync()); // [0, 1, 2, 0]
 * ```
 */
export function cyclingLabels(count: number, numClasses: number): tf.Tensor {
  return tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(Array.from({ length: count }, (_, i) => i % numClasses), "int32"),
      numClasses,
    )
      .toFloat()
  );
}

/**
 * Create a conditional GAN variant for images.
 *
 * @example
 * ```ts
 * import { createCgan } from "@course/variants/cgan.ts";
 * const variant = createCgan({ width: 0.125 });
 * console.log(variant.sample!(10, 0).shape); // [10, 28, 28, 1]
 * variant.dispose();
 * ```
 */
export function createCgan(options: CganOptions = {}): GanVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, numClasses: 10, ...options };
  return adversarialVariant({
    name: "cgan",
    generator: buildConditionalGenerator({
      imageShape: o.imageShape,
      width: o.width,
      latentDim: o.latentDim,
      numClasses: o.numClasses,
      seed: o.seed,
    }),
    discriminator: buildConditionalDiscriminator({
      imageShape: o.imageShape,
      width: o.width,
      numClasses: o.numClasses,
      dropout: 0,
      seed: o.seed === undefined ? undefined : o.seed + 1,
    }),
    latentDim: o.latentDim,
    optimizers: { generator: OPTIMIZER_PRESETS.dcgan(), discriminator: OPTIMIZER_PRESETS.dcgan() },
    dLoss: discriminatorLoss,
    gLoss: nonSaturatingGeneratorLoss,
    condition: (batch) => oneHotLabels(batch, o.numClasses),
    sampleCondition: (count) => cyclingLabels(count, o.numClasses),
  });
}
