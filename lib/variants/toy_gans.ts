/**
 * The 2-D toy variants (8 Gaussians on a ring, 25 on a grid, Swiss roll): MLP generator and
 * discriminator/critic, trained with the non-saturating GAN loss (`toy_gan`) or WGAN-GP
 * (`toy_wgan_gp`). Samples are points `[batch, 2]`.
 *
 * Two remedies for mode collapse are options of `toy_gan`'s discriminator: `minibatch` (minibatch
 * discrimination, Salimans et al. 2016) and `packSize` (PacGAN, Lin et al. 2018: D judges packs of
 * samples). `TOY_COLLAPSE_RECIPE` is a setting whose plain GAN collapses onto a few modes of the ring.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { discriminatorLoss, nonSaturatingGeneratorLoss } from "./objectives.ts";
import {
  buildMlpDiscriminator,
  buildMlpGenerator,
  type MlpActivation,
  type MlpMinibatchOptions,
} from "../models/mlp.ts";
import { buildPackedMlpDiscriminator } from "../models/packing.ts";
import type { ToyVariant } from "./sampling_variant.ts";
import { adversarialVariant } from "./adversarial.ts";
import { wganGpObjective, withLinearDecay } from "./wgan_gp.ts";

/** Options of the toy variants. */
export interface ToyVariantOptions {
  /** Size of z. Default 2. */
  latentDim?: number;
  /** Size of a sample. Default 2. */
  dataDim?: number;
  /** Hidden units of both MLPs. Default `[128, 128, 128]`. */
  hidden?: number[];
  /** Hidden units of the generator. Default: `hidden`. */
  generatorHidden?: number[];
  /** Hidden units of the discriminator/critic. Default: `hidden`. */
  discriminatorHidden?: number[];
  /** Adam learning rate. Default 1e-3 (`toy_gan`), 1e-4 (`toy_wgan_gp`). */
  learningRate?: number;
  /** Adam learning rate of the discriminator/critic. Default: `learningRate`. */
  criticLearningRate?: number;
  /**
   * Decay both learning rates linearly from `learningRate` to 0 over this many steps (the WGAN-GP
   * paper's schedule); 0 keeps them constant. The decay pulls the samples onto the modes: at a
   * constant rate they keep jittering around them. Default 0.
   */
  decaySteps?: number;
  /** Critic updates per generator update. Default 1 (`toy_gan`), 5 (`toy_wgan_gp`). */
  nCritic?: number;
  /**
   * Generator updates per step, each against the same discriminator. Default 1. More than 1 lets
   * the generator chase the discriminator's current favourite region: the setting in which a plain
   * GAN collapses (`TOY_COLLAPSE_RECIPE`).
   */
  gSteps?: number;
  /** Gradient-penalty weight (`toy_wgan_gp`). Default 10. */
  lambda?: number;
  /** Adam's beta1 of both models (`toy_wgan_gp`). Default 0 (the WGAN-GP paper's image setting). */
  beta1?: number;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /**
   * Hidden activation of the generator. Default `"relu"` (the WGAN-GP paper's); `"leakyRelu"` keeps
   * a small MLP from losing units that never fire again.
   */
  generatorActivation?: MlpActivation;
  /**
   * Minibatch discrimination in the discriminator (`toy_gan`): `false`, or B kernels of length C
   * appended after its last hidden layer, or after hidden layer `afterLayer`. Default `false`.
   */
  minibatch?: false | MlpMinibatchOptions;
  /**
   * PacGAN (`toy_gan`): the discriminator scores packs of this many samples, all real or all fake;
   * 1 scores each sample alone. Batches must hold a multiple of it. Default 1.
   */
  packSize?: number;
}

/**
 * A `toy_gan` setting whose plain GAN collapses on the 8-Gaussian ring: in notebook 03's cpu run,
 * 1,200 steps of batch 64 with the learning rate decayed linearly to 0 (`decaySteps`) ended with 0 of
 * 8 modes covered (within 3 std) on each of seeds 1-5, all samples in one narrow streak off the
 * modes. On the same seeds, with D's learning rate raised to 3e-3 (`criticLearningRate`), minibatch
 * discrimination (8 kernels of 4 after D's first hidden layer) covered 7.8 of 8 on average, the
 * faster D alone 4.2; WGAN-GP covered 7.8. The knob that makes the plain GAN collapse is
 * `gSteps: 3`: three generator updates against each discriminator let the generator carry all its
 * samples to wherever the current discriminator scores highest. MLPs of 3 x 64 units, Adam 1e-3
 * (beta1 0.5).
 *
 * @example The plain GAN and notebook 03's minibatch remedy
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createToyGan, TOY_COLLAPSE_RECIPE } from "./toy_gans.ts";
 * const plain = createToyGan({ ...TOY_COLLAPSE_RECIPE, seed: 1 });
 * const remedy = createToyGan({
 *   ...TOY_COLLAPSE_RECIPE,
 *   criticLearningRate: 3e-3,
 *   minibatch: { numKernels: 8, kernelDim: 4, afterLayer: 1 },
 *   seed: 1,
 * });
 * // Same generator, same initial weights.
 * assertEquals(
 *   plain.models.generator.getWeights().map((w) => w.arraySync()),
 *   remedy.models.generator.getWeights().map((w) => w.arraySync()),
 * );
 * plain.dispose();
 * remedy.dispose();
 * ```
 */
export const TOY_COLLAPSE_RECIPE: Readonly<ToyVariantOptions> = Object.freeze({
  hidden: [64, 64, 64],
  learningRate: 1e-3,
  gSteps: 3,
});

const TOY_DEFAULTS = {
  latentDim: 2,
  dataDim: 2,
  hidden: [128, 128, 128],
  lambda: 10,
  decaySteps: 0,
  generatorActivation: "relu" as MlpActivation,
  minibatch: false as ToyVariantOptions["minibatch"],
  packSize: 1,
};

function toyModels(o: typeof TOY_DEFAULTS & ToyVariantOptions) {
  const dSeed = o.seed === undefined ? undefined : o.seed + 1;
  const dHidden = o.discriminatorHidden ?? o.hidden;
  if (!Number.isInteger(o.packSize) || o.packSize < 1) {
    throw new Error(
      `Cannot create a toy variant: packSize must be a positive integer, got ${o.packSize}`,
    );
  }
  if (o.packSize > 1 && o.minibatch) {
    throw new Error(
      "Cannot create a toy variant: choose packSize or minibatch, not both (each is one remedy)",
    );
  }
  return {
    generator: buildMlpGenerator({
      latentDim: o.latentDim,
      outputDim: o.dataDim,
      hidden: o.generatorHidden ?? o.hidden,
      activation: o.generatorActivation,
      seed: o.seed,
    }),
    discriminator: o.packSize > 1
      ? buildPackedMlpDiscriminator({
        packSize: o.packSize,
        inputDim: o.dataDim,
        hidden: dHidden,
        seed: dSeed,
      })
      : buildMlpDiscriminator({
        inputDim: o.dataDim,
        hidden: dHidden,
        minibatch: o.minibatch,
        seed: dSeed,
      }),
  };
}

function checkDecaySteps(name: string, decaySteps: number): void {
  if (!Number.isInteger(decaySteps) || decaySteps < 0) {
    throw new Error(
      `Cannot create variant ${name}: decaySteps must be a non-negative integer, got ${decaySteps}`,
    );
  }
}

/**
 * A toy non-saturating GAN: Adam (beta1 0.5), one D update per G update. With `minibatch` or
 * `packSize` its discriminator gets one of the two remedies for mode collapse.
 *
 * @example Four 2-D samples
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createToyGan } from "./toy_gans.ts";
 * const variant = createToyGan({ hidden: [16, 16], seed: 1 });
 * assertEquals(variant.sample(4, 0).shape, [4, 2]);
 * variant.dispose();
 * ```
 *
 * @example PacGAN: the discriminator scores packs of 4 samples
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createToyGan } from "./toy_gans.ts";
 * const variant = createToyGan({ hidden: [8], packSize: 4, seed: 1 });
 * const logits = variant.models.discriminator.predict(tf.zeros([8, 2])) as tf.Tensor;
 * assertEquals(logits.shape, [2, 1]);
 * variant.dispose();
 * ```
 */
export function createToyGan(options: ToyVariantOptions = {}): ToyVariant {
  const o = { ...TOY_DEFAULTS, learningRate: 1e-3, nCritic: 1, ...options };
  checkDecaySteps("toy_gan", o.decaySteps);
  return withLinearDecay(
    adversarialVariant<tf.Tensor2D>({
      name: "toy_gan",
      ...toyModels(o),
      latentDim: o.latentDim,
      optimizers: {
        generator: tf.train.adam(o.learningRate, 0.5),
        discriminator: tf.train.adam(o.criticLearningRate ?? o.learningRate, 0.5),
      },
      dLoss: discriminatorLoss,
      gLoss: nonSaturatingGeneratorLoss,
      nCritic: o.nCritic,
      gSteps: o.gSteps,
      options,
    }),
    o.decaySteps,
  );
}

/**
 * A toy WGAN-GP: MLP critic (no normalisation), gradient penalty, Adam with betas (0, 0.9).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createToyWganGp } from "./toy_gans.ts";
 * const variant = createToyWganGp({ hidden: [16, 16], seed: 1 });
 * assertEquals(variant.name, "toy_wgan_gp");
 * assertEquals(variant.optimizers.discriminator.getConfig().beta1, 0);
 * variant.dispose();
 * ```
 */
export function createToyWganGp(options: ToyVariantOptions = {}): ToyVariant {
  const o = { ...TOY_DEFAULTS, learningRate: 1e-4, nCritic: 5, beta1: 0, ...options };
  checkDecaySteps("toy_wgan_gp", o.decaySteps);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) {
    throw new Error(`Cannot create variant toy_wgan_gp: beta1 must be in [0, 1), got ${o.beta1}`);
  }
  return withLinearDecay(
    adversarialVariant<tf.Tensor2D>({
      name: "toy_wgan_gp",
      ...toyModels(o),
      latentDim: o.latentDim,
      optimizers: {
        generator: tf.train.adam(o.learningRate, o.beta1, 0.9),
        discriminator: tf.train.adam(o.criticLearningRate ?? o.learningRate, o.beta1, 0.9),
      },
      ...wganGpObjective(o.nCritic, o.lambda),
      gSteps: o.gSteps,
      options,
    }),
    o.decaySteps,
  );
}
