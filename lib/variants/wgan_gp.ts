/**
 * WGAN-GP (Gulrajani et al. 2017): the Wasserstein losses plus a two-sided gradient penalty
 * (lambda 10) on random interpolates, a critic without batch norm, 5 critic updates per generator
 * update (the lecture uses 4:1; pass `nCritic: 4`), Adam 1e-4 with betas (0, 0.9).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { gradientPenalty } from "./objectives.ts";
import { wassersteinCriticLoss, wassersteinGeneratorLoss } from "../losses.ts";
import type { GanVariant } from "../train/variant.ts";
import type { ImageVariant } from "./sampling_variant.ts";
import { type AdversarialSpec, adversarialVariant } from "./adversarial.ts";
import { withLateDecay } from "./late_decay.ts";
import { buildDcganPair, IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createWganGp}. */
export interface WganGpOptions extends VariantOptions {
  /** Critic updates per generator update. Default 5. */
  nCritic?: number;
  /** Weight of the gradient penalty. Default 10. */
  lambda?: number;
  /** Adam learning rate of the generator. Default 1e-4 (the paper's). */
  learningRate?: number;
  /** Adam learning rate of the critic. Default: `learningRate`. */
  criticLearningRate?: number;
  /** Adam's beta1 for both models. Default 0 (the paper's). */
  beta1?: number;
  /** Adam's beta2 for both models. Default 0.9 (the paper's). */
  beta2?: number;
  /**
   * Decay both learning rates linearly to 0 over this many steps (the schedule of the paper's
   * CIFAR-10 and toy code); 0 keeps them constant. Default 0.
   */
  decaySteps?: number;
}

/** The paper's optimizer settings, the defaults of {@linkcode createWganGp}. */
export const WGAN_GP_DEFAULTS = {
  nCritic: 5,
  lambda: 10,
  learningRate: 1e-4,
  beta1: 0,
  beta2: 0.9,
  decaySteps: 0,
} as const;

/**
 * Wrap a variant's step so that, before step `s`, every optimizer runs at its initial learning rate
 * times `max(0, 1 - s / decaySteps)` (a linear decay to 0, the WGAN-GP paper's schedule). The step
 * index comes from the loop, so a resumed run continues the schedule where it stopped. With
 * `decaySteps` 0 the variant is returned unchanged.
 *
 * @example Half the rate halfway through
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { initBackend } from "../backend.ts";
 * import { createToyWganGp } from "./toy_gans.ts";
 * import { withLinearDecay } from "./wgan_gp.ts";
 * import { stepRandom } from "../core/random.ts";
 * import { sampleRing } from "../data/toy.ts";
 * import * as tf from "@tensorflow/tfjs";
 * await initBackend(); // registers the gradients the penalty's double backprop needs
 * const variant = withLinearDecay(createToyWganGp({ hidden: [4], nCritic: 1, learningRate: 1e-3 }), 10);
 * const batch = { realImages: sampleRing(8) };
 * tf.dispose(Object.values(variant.trainStep(batch, { step: 5, epoch: 0, random: stepRandom(0, 0) })));
 * assertEquals(variant.optimizers.generator.getConfig().learningRate, 0.0005);
 * batch.realImages.dispose();
 * variant.dispose();
 * ```
 */
export function withLinearDecay<V extends GanVariant>(variant: V, decaySteps: number): V {
  if (!Number.isInteger(decaySteps) || decaySteps < 0) {
    throw new Error(
      `Cannot create variant ${variant.name}: decaySteps must be a non-negative integer, got ${decaySteps}`,
    );
  }
  if (decaySteps === 0) return variant;
  return withLateDecay(variant, { startStep: 0, endStep: decaySteps });
}

/**
 * The WGAN-GP objective shared by the image and toy variants: Wasserstein critic and generator
 * losses, `nCritic` critic updates per generator update, the gradient penalty with weight
 * `lambda` on seeded interpolates, and no "D loss collapsed" guard (a critic loss near 0 is fine).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { wganGpObjective } from "./wgan_gp.ts";
 * assertEquals(wganGpObjective(5, 10).nCritic, 5);
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
 * @example A faster critic with fewer updates per generator step
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createWganGp } from "./wgan_gp.ts";
 * const variant = createWganGp({ width: 0.125, nCritic: 2, criticLearningRate: 3e-4, beta1: 0.5 });
 * assertEquals(variant.optimizers.discriminator.getConfig().learningRate, 0.0003);
 * variant.dispose();
 * ```
 *
 * @example The lecture's 4:1 ratio
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createWganGp } from "./wgan_gp.ts";
 * const variant = createWganGp({ width: 0.125, nCritic: 4 });
 * assertEquals(variant.name, "wgan_gp");
 * variant.dispose();
 * ```
 */
export function createWganGp(options: WganGpOptions = {}): ImageVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, ...WGAN_GP_DEFAULTS, ...options };
  const criticRate = o.criticLearningRate ?? o.learningRate;
  for (
    const [key, value] of [["learningRate", o.learningRate], ["criticLearningRate", criticRate]]
  ) {
    if (!(Number(value) > 0 && Number.isFinite(value))) {
      throw new Error(
        `Cannot create variant wgan_gp: ${key} must be a positive number, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(o.decaySteps) || o.decaySteps < 0) {
    throw new Error(
      `Cannot create variant wgan_gp: decaySteps must be a non-negative integer, got ${o.decaySteps}`,
    );
  }
  for (const [key, value] of [["beta1", o.beta1], ["beta2", o.beta2]] as const) {
    if (!(value >= 0 && value < 1)) {
      throw new Error(`Cannot create variant wgan_gp: ${key} must be in [0, 1), got ${value}`);
    }
  }
  return withLinearDecay(
    adversarialVariant<tf.Tensor4D>({
      name: "wgan_gp",
      ...buildDcganPair(o, { normalization: "none", name: "critic" }),
      latentDim: o.latentDim,
      optimizers: {
        generator: tf.train.adam(o.learningRate, o.beta1, o.beta2),
        discriminator: tf.train.adam(criticRate, o.beta1, o.beta2),
      },
      ...wganGpObjective(o.nCritic, o.lambda),
      options,
    }),
    o.decaySteps,
  );
}
