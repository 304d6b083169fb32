/**
 * WGAN (Arjovsky et al. 2017): a critic with no sigmoid, the Wasserstein losses, weight clipping to
 * [-c, c] after every critic update, several critic updates per generator update, RMSProp.
 *
 * The recipe is the paper's; three of its numbers are not ({@linkcode WGAN_DEFAULTS} against
 * {@linkcode WGAN_PAPER_SETTINGS}), because the paper runs hundreds of thousands of critic updates
 * and the course's `cpu` profile affords a few thousand:
 *
 * - learning rate 1e-3 instead of 5e-5. On MNIST (8,000 digits, width 0.25, batch 64, clip 0.01, 5
 *   critic updates, 300 generator steps, FID of 1,000 samples against held-out digits): FID 536 at
 *   2e-4, 293 at 5e-4, 241 at 1e-3; 5e-5 was still at about 700 after 625 steps.
 * - clip 0.1 instead of 0.01, and 2 critic updates per generator step instead of 5. With RMSProp,
 *   every update moves each weight by about the learning rate: at 1e-3 a bound of 0.01 is crossed
 *   in about ten updates, and after 1,000 critic updates 71% of the critic's weights sat at +-0.01
 *   (2-8% sat at +-0.1 after the notebook's 4,000): the critic can tell only coarse shapes
 *   apart. The paper's 5e-5 needs 200 updates to cross 0.01; 1e-3 needs 100 to cross 0.1.
 *   Measured with 250-280 s of single-core training each at batch 32 (FID / precision /
 *   recall of 1,000 samples against held-out digits): clip 0.01 with 5 critic updates, 824
 *   generator steps: FID 260, precision 0.71, recall 0.09 (blobs); clip 0.01 with 2: 1,789 steps,
 *   FID 209, 0.68, 0.31; clip 0.03 with 2: 1,828 steps, FID 166, 0.64, 0.43; clip 0.06 with 2:
 *   1,560 steps, FID 126, 0.62, 0.57; clip 0.1 with 2: 1,667 steps, FID 111, 0.54, 0.68, most
 *   samples readable digits. A critic twice as wide (`criticWidth`) cost 75% more per step and
 *   did no better (FID 223 at clip 0.01).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { clipWeights, wassersteinCriticLoss, wassersteinGeneratorLoss } from "../losses.ts";
import type { ImageVariant } from "./sampling_variant.ts";
import { adversarialVariant } from "./adversarial.ts";
import { buildDcganPair, IMAGE_VARIANT_DEFAULTS, type VariantOptions } from "./image_options.ts";

/** Options of {@linkcode createWgan}. */
export interface WganOptions extends VariantOptions {
  /** Critic updates per generator update. Default 2 (the paper: 5; see the module documentation). */
  nCritic?: number;
  /** Clipping bound c. Default 0.1 (the paper: 0.01; see the module documentation). */
  clip?: number;
  /**
   * RMSProp learning rate of both models. Default 1e-3, twenty times the paper's 5e-5, for short
   * runs on a CPU (see the module documentation for the measurements).
   */
  learningRate?: number;
  /**
   * Channel-width multiplier of the critic alone. Default: `width`, the generator's (the DCGAN
   * pair's). A wider critic sees more of the digits' detail for the same generator.
   */
  criticWidth?: number;
}

/**
 * The course's WGAN defaults for short runs on a CPU (the module documentation gives the
 * measurements); the paper's are {@linkcode WGAN_PAPER_SETTINGS}.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { WGAN_DEFAULTS } from "./wgan.ts";
 * assertEquals(WGAN_DEFAULTS, { nCritic: 2, clip: 0.1, learningRate: 0.001 });
 * ```
 */
export const WGAN_DEFAULTS = { nCritic: 2, clip: 0.1, learningRate: 1e-3 } as const;

/**
 * The paper's RMSProp learning rate (Arjovsky et al. 2017, Algorithm 1).
 *
 * @example
 * ```ts
 * import { createWgan, WGAN_PAPER_LEARNING_RATE } from "./wgan.ts";
 * const variant = createWgan({ width: 0.125, learningRate: WGAN_PAPER_LEARNING_RATE });
 * variant.dispose();
 * ```
 */
export const WGAN_PAPER_LEARNING_RATE = 5e-5;

/**
 * The paper's settings (Arjovsky et al. 2017, Algorithm 1): 5 critic updates per generator update,
 * clipping to [-0.01, 0.01], RMSProp 5e-5. Pass them to {@linkcode createWgan} to train as the paper
 * does.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createWgan, WGAN_PAPER_SETTINGS } from "./wgan.ts";
 * assertEquals(WGAN_PAPER_SETTINGS, { nCritic: 5, clip: 0.01, learningRate: 0.00005 });
 * const variant = createWgan({ width: 0.125, ...WGAN_PAPER_SETTINGS });
 * variant.dispose();
 * ```
 */
export const WGAN_PAPER_SETTINGS = {
  nCritic: 5,
  clip: 0.01,
  learningRate: WGAN_PAPER_LEARNING_RATE,
} as const;

/**
 * Create a WGAN variant for images: the DCGAN generator (with batch norm) and critic (no
 * normalization, no dropout, no sigmoid), RMSProp on both, weight clipping after each critic update.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createWgan } from "./wgan.ts";
 * const variant = createWgan({ width: 0.125 });
 * assertEquals([variant.name, variant.optimizers.discriminator.getClassName()], ["wgan", "RMSProp"]);
 * variant.dispose();
 * ```
 */
export function createWgan(options: WganOptions = {}): ImageVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, ...WGAN_DEFAULTS, ...options };
  if (!(o.learningRate > 0) || !Number.isFinite(o.learningRate)) {
    throw new Error(
      `Cannot create variant wgan: learningRate must be a positive number, got ${o.learningRate}`,
    );
  }
  if (!(o.clip > 0) || !Number.isFinite(o.clip)) {
    throw new Error(`Cannot create variant wgan: clip must be a positive number, got ${o.clip}`);
  }
  const criticWidth = o.criticWidth ?? o.width;
  if (!(criticWidth > 0) || !Number.isFinite(criticWidth)) {
    throw new Error(
      `Cannot create variant wgan: criticWidth must be a positive number, got ${criticWidth}`,
    );
  }
  const { generator, discriminator: critic } = buildDcganPair(o, {
    name: "critic",
    width: criticWidth,
  });
  return adversarialVariant<tf.Tensor4D>({
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
    options,
  });
}
