/**
 * WGAN-GP (Gulrajani et al. 2017): the Wasserstein losses plus a two-sided gradient penalty
 * (lambda 10) on random interpolates, a critic without batch norm, 5 critic updates per generator
 * update (the lecture uses 4:1; pass `nCritic: 4`), Adam 1e-4 with betas (0, 0.9).
 *
 * @module
 */
import { gradientPenalty, wassersteinCriticLoss, wassersteinGeneratorLoss } from "../losses.ts";
import type { GanVariant } from "../train/variant.ts";
import { type AdversarialSpec, adversarialVariant, OPTIMIZER_PRESETS } from "./adversarial.ts";
import { buildDcganPair, IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createWganGp}. */
export interface WganGpOptions extends VariantOptions {
  /** Critic updates per generator update. Default 5. */
  nCritic?: number;
  /** Weight of the gradient penalty. Default 10. */
  lambda?: number;
}

/**
 * The WGAN-GP objective shared by the image and toy variants: Wasserstein critic and generator
 * losses, `nCritic` critic updates per generator update, the gradient penalty with weight
 * `lambda` on seeded interpolates, and no "D loss collapsed" guard (a critic loss near 0 is fine).
 *
 * @example
 * ```ts
 * import { wganGpObjective } from "@course/variants/wgan_gp.ts";
 * console.log(wganGpObjective(5, 10).nCritic); // 5
 * ```
 */
export function wganGpObjective(
  nCritic: number,
  lambda: number,
): Pick<AdversarialSpec, "dLoss" | "gLoss" | "nCritic" | "penalty" | "guardDefaults"> {
  return {
    dLoss: wassersteinCriticLoss,
    gLoss: wassersteinGeneratorLoss,
    nCritic,
    penalty: (critic, real, fake, random) =>
      gradientPenalty(critic, real, fake, { lambda, seed: random.nextSeed() }),
    guardDefaults: { dLossCollapse: false },
  };
}

/**
 * Create a WGAN-GP variant for images.
 *
 * @example The lecture's 4:1 ratio
 * ```ts
 * import { createWganGp } from "@course/variants/wgan_gp.ts";
 * const variant = createWganGp({ width: 0.125, nCritic: 4 });
 * console.log(variant.name); // wgan_gp
 * variant.dispose();
 * ```
 */
export function createWganGp(options: WganGpOptions = {}): GanVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, nCritic: 5, lambda: 10, ...options };
  return adversarialVariant({
    name: "wgan_gp",
    ...buildDcganPair(o, { normalization: "none", name: "critic" }),
    latentDim: o.latentDim,
    optimizers: {
      generator: OPTIMIZER_PRESETS.wganGp(),
      discriminator: OPTIMIZER_PRESETS.wganGp(),
    },
    ...wganGpObjective(o.nCritic, o.lambda),
  });
}
