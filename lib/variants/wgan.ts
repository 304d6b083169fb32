/**
 * WGAN (Arjovsky et al. 2017): a critic with no sigmoid, the Wasserstein losses, weight clipping to
 * [-0.01, 0.01] after every critic update, 5 critic updates per generator update, RMSProp.
 *
 * One default differs from the paper: the learning rate. The paper's RMSProp 5e-5 suits runs of
 * hundreds of thousands of critic updates; the course's `cpu` profile has about 3,000. The course
 * uses 1e-3 (see {@linkcode WGAN_DEFAULTS}), measured on MNIST (8,000 digits, width 0.25, batch 64,
 * 300 generator steps = 1,500 critic updates, FID of 1,000 samples against held-out digits): FID
 * 536 at 2e-4, 293 at 5e-4, 241 at 1e-3, where 5e-5 was still at about 700 after 625 steps.
 * `nCritic: 2` for 600 steps (the same compute) reached FID 201, but its critic's score gap on
 * held-out digits turned negative midway, so the default keeps the paper's 5. Pass
 * `learningRate: WGAN_PAPER_LEARNING_RATE` for the paper's setting.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { clipWeights, wassersteinCriticLoss, wassersteinGeneratorLoss } from "../losses.ts";
import type { GanVariant } from "../train/variant.ts";
import { adversarialVariant } from "./adversarial.ts";
import { buildDcganPair, IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createWgan}. */
export interface WganOptions extends VariantOptions {
  /** Critic updates per generator update. Default 5 (the paper's). */
  nCritic?: number;
  /** Clipping bound c. Default 0.01 (the paper's). */
  clip?: number;
  /**
   * RMSProp learning rate of both models. Default 1e-3, twenty times the paper's 5e-5, for short
   * runs on a CPU (see the module documentation for the measurements).
   */
  learningRate?: number;
}

/**
 * The WGAN defaults: the paper's `nCritic` and `clip`, and the course's learning rate for short
 * runs (the paper's is {@linkcode WGAN_PAPER_LEARNING_RATE}).
 *
 * @example
 * ```ts
 * import { WGAN_DEFAULTS } from "@course/variants/wgan.ts";
 * console.log(WGAN_DEFAULTS); // { nCritic: 5, clip: 0.01, learningRate: 0.001 }
 * ```
 */
export const WGAN_DEFAULTS = { nCritic: 5, clip: 0.01, learningRate: 1e-3 } as const;

/**
 * The paper's RMSProp learning rate (Arjovsky et al. 2017, Algorithm 1).
 *
 * @example
 * ```ts
 * import { createWgan, WGAN_PAPER_LEARNING_RATE } from "@course/variants/wgan.ts";
 * const variant = createWgan({ width: 0.125, learningRate: WGAN_PAPER_LEARNING_RATE });
 * variant.dispose();
 * ```
 */
export const WGAN_PAPER_LEARNING_RATE = 5e-5;

/**
 * Create a WGAN variant for images: the DCGAN generator (with batch norm) and critic (no
 * normalization, no dropout, no sigmoid), RMSProp on both, weight clipping after each critic update.
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
  const o = { ...IMAGE_VARIANT_DEFAULTS, ...WGAN_DEFAULTS, ...options };
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) {
    throw new Error(
      `Cannot create variant wgan: learningRate must be a positive number, got ${o.learningRate}`,
    );
  }
  if (!(o.clip > 0) || !Number.isFinite(o.clip)) {
    throw new Error(`Cannot create variant wgan: clip must be a positive number, got ${o.clip}`);
  }
  const { generator, discriminator: critic } = buildDcganPair(o, { name: "critic" });
  return adversarialVariant({
    name: "wgan",
    generator,
    discriminator: critic,
    latentDim: o.latentDim,
    optimizers: {
      generator: tf.train.rmsprop(o.learningRate),
      discriminator: tf.train.rmsprop(o.learningRate),
    },
    dLoss: wassersteinCriticLoss,
    gLoss: wassersteinGeneratorLoss,
    nCritic: o.nCritic,
    afterCriticUpdate: () => clipWeights(critic, o.clip),
    guardDefaults: { dLossCollapse: false },
    recipe: { factory: "createWgan", args: [options] },
  });
}
