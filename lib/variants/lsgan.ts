/**
 * Least Squares GAN (Mao et al. 2017): DCGAN models, squared-error losses on D's raw scores with the
 * 0-1 coding (a = 0 for fakes, b = c = 1), Adam 2e-4 / beta1 0.5.
 *
 * @module
 */
import { leastSquaresDiscriminatorLoss, leastSquaresGeneratorLoss } from "../losses.ts";
import type { GanVariant } from "../train/variant.ts";
import { adversarialVariant, OPTIMIZER_PRESETS } from "./adversarial.ts";
import { buildDcganPair, IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

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
export function createLsgan(options: VariantOptions = {}): GanVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, ...options };
  return adversarialVariant({
    name: "lsgan",
    ...buildDcganPair(o),
    latentDim: o.latentDim,
    optimizers: { generator: OPTIMIZER_PRESETS.dcgan(), discriminator: OPTIMIZER_PRESETS.dcgan() },
    dLoss: (real, fake) => leastSquaresDiscriminatorLoss(real, fake),
    gLoss: (fake) => leastSquaresGeneratorLoss(fake),
  });
}
