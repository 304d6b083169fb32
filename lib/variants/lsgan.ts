/**
 * Least Squares GAN (Mao et al. 2017): DCGAN models, squared-error losses on D's raw scores with the
 * 0-1 coding (a = 0 for fakes, b = c = 1), Adam 2e-4 / beta1 0.5.
 *
 * @module
 */
import { leastSquaresDiscriminatorLoss, leastSquaresGeneratorLoss } from "../losses.ts";
import type { GanVariant } from "../train/variant.ts";
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
 * import { createLsgan } from "@course/variants/lsgan.ts";
 * const variant = createLsgan({ width: 0.125 });
 * console.log(variant.name); // lsgan
 * variant.dispose();
 * ```
 */
export function createLsgan(options: LsganOptions = {}): GanVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, ...options };
  return adversarialVariant({
    name: "lsgan",
    ...buildDcganPair(o),
    latentDim: o.latentDim,
    optimizers: adamPair(o),
    dLoss: (real, fake) => leastSquaresDiscriminatorLoss(real, fake),
    gLoss: (fake) => leastSquaresGeneratorLoss(fake),
    options,
  });
}
