/**
 * Least Squares GAN (Mao et al. 2017): DCGAN models, squared-error losses on D's raw scores with the
 * 0-1 coding (a = 0 for fakes, b = c = 1), Adam 2e-4 / beta1 0.5.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { leastSquaresDiscriminatorLoss, leastSquaresGeneratorLoss } from "../losses.ts";
import type { ImageVariant } from "./sampling_variant.ts";
import { adversarialVariant } from "./adversarial.ts";
import {
  type AdamOptions,
  adamPair,
  buildDcganPair,
  IMAGE_VARIANT_DEFAULTS,
  type VariantOptions,
} from "./image_options.ts";

/** Options of {@linkcode createLsgan}: model sizes and Adam settings, as for DCGAN. */
export interface LsganOptions extends VariantOptions, AdamOptions {}

/**
 * Create an LSGAN variant for images.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createLsgan } from "./lsgan.ts";
 * const variant = createLsgan({ width: 0.125 });
 * assertEquals(variant.name, "lsgan");
 * variant.dispose();
 * ```
 */
export function createLsgan(options: LsganOptions = {}): ImageVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, ...options };
  return adversarialVariant<tf.Tensor4D>({
    name: "lsgan",
    ...buildDcganPair(o),
    latentDim: o.latentDim,
    optimizers: adamPair(o),
    dLoss: (real, fake) => leastSquaresDiscriminatorLoss(real, fake),
    gLoss: (fake) => leastSquaresGeneratorLoss(fake),
    options,
  });
}
