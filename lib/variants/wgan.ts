/**
 * WGAN (Arjovsky et al. 2017): a critic with no sigmoid, the Wasserstein losses, weight clipping to
 * [-0.01, 0.01] after every critic update, 5 critic updates per generator update, RMSProp 5e-5.
 *
 * @module
 */
import { clipWeights, wassersteinCriticLoss, wassersteinGeneratorLoss } from "../losses.ts";
import type { GanVariant } from "../train/variant.ts";
import { adversarialVariant, OPTIMIZER_PRESETS } from "./adversarial.ts";
import { buildDcganPair, IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createWgan}. */
export interface WganOptions extends VariantOptions {
  /** Critic updates per generator update. Default 5. */
  nCritic?: number;
  /** Clipping bound c. Default 0.01. */
  clip?: number;
}

/**
 * Create a WGAN variant for images.
 *
 * @example
 * ```ts
 * import { createWgan } from "@course/variants/wgan.ts";
 * const variant = createWgan({ width: 0.125 });
 * console.log(variant.name, variant.optimizers.discriminator.getClassName()); // wgan RMSProp
 * variant.dispose();
 * ```
 */
export function createWgan(options: WganOptions = {}): GanVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, nCritic: 5, clip: 0.01, ...options };
  const { generator, discriminator: critic } = buildDcganPair(o, { name: "critic" });
  return adversarialVariant({
    name: "wgan",
    generator,
    discriminator: critic,
    latentDim: o.latentDim,
    optimizers: { generator: OPTIMIZER_PRESETS.wgan(), discriminator: OPTIMIZER_PRESETS.wgan() },
    dLoss: wassersteinCriticLoss,
    gLoss: wassersteinGeneratorLoss,
    nCritic: o.nCritic,
    afterCriticUpdate: () => clipWeights(critic, o.clip),
    guardDefaults: { dLossCollapse: false },
  });
}
