/**
 * The 2-D toy variants (8 Gaussians on a ring, 25 on a grid, Swiss roll): MLP generator and
 * discriminator/critic, trained with the non-saturating GAN loss (`toy_gan`) or WGAN-GP
 * (`toy_wgan_gp`). Samples are points `[batch, 2]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { discriminatorLoss, nonSaturatingGeneratorLoss } from "../losses.ts";
import { buildMlpDiscriminator, buildMlpGenerator, type MlpActivation } from "../models/mlp.ts";
import type { GanVariant } from "../train/variant.ts";
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
  /** Adam learning rate. Default 1e-3 (`toy_gan`), 1e-4 (`toy_wgan_gp`). */
  learningRate?: number;
  /** Adam learning rate of the critic (`toy_wgan_gp`). Default: `learningRate`. */
  criticLearningRate?: number;
  /**
   * Decay both learning rates linearly from `learningRate` to 0 over this many steps (the WGAN-GP
   * paper's schedule); 0 keeps them constant. The decay pulls the samples onto the modes: at a
   * constant rate they keep jittering around them. Default 0.
   */
  decaySteps?: number;
  /** Critic updates per generator update. Default 1 (`toy_gan`), 5 (`toy_wgan_gp`). */
  nCritic?: number;
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
}

const TOY_DEFAULTS = {
  latentDim: 2,
  dataDim: 2,
  hidden: [128, 128, 128],
  lambda: 10,
  decaySteps: 0,
  generatorActivation: "relu" as MlpActivation,
};

function toyModels(o: typeof TOY_DEFAULTS & ToyVariantOptions) {
  return {
    generator: buildMlpGenerator({
      latentDim: o.latentDim,
      outputDim: o.dataDim,
      hidden: o.hidden,
      activation: o.generatorActivation,
      seed: o.seed,
    }),
    discriminator: buildMlpDiscriminator({
      inputDim: o.dataDim,
      hidden: o.hidden,
      seed: o.seed === undefined ? undefined : o.seed + 1,
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
 * A toy non-saturating GAN: Adam (beta1 0.5), one D update per G update.
 *
 * @example
 * ```ts
 * import { createToyGan } from "@course/variants/toy.ts";
 * const variant = createToyGan({ hidden: [16, 16], seed: 1 });
 * console.log(variant.sample!(4, 0).shape); // [4, 2]
 * variant.dispose();
 * ```
 */
export function createToyGan(options: ToyVariantOptions = {}): GanVariant {
  const o = { ...TOY_DEFAULTS, learningRate: 1e-3, nCritic: 1, ...options };
  checkDecaySteps("toy_gan", o.decaySteps);
  return withLinearDecay(
    adversarialVariant({
      name: "toy_gan",
      ...toyModels(o),
      latentDim: o.latentDim,
      optimizers: {
        generator: tf.train.adam(o.learningRate, 0.5),
        discriminator: tf.train.adam(o.learningRate, 0.5),
      },
      dLoss: discriminatorLoss,
      gLoss: nonSaturatingGeneratorLoss,
      nCritic: o.nCritic,
      recipe: { factory: "createToyGan", args: [options] },
    }),
    o.decaySteps,
  );
}

/**
 * A toy WGAN-GP: MLP critic (no normalisation), gradient penalty, Adam with betas (0, 0.9).
 *
 * @example
 * ```ts
 * import { createToyWganGp } from "@course/variants/toy.ts";
 * const variant = createToyWganGp({ hidden: [16, 16], seed: 1 });
 * console.log(variant.name); // toy_wgan_gp
 * variant.dispose();
 * ```
 */
export function createToyWganGp(options: ToyVariantOptions = {}): GanVariant {
  const o = { ...TOY_DEFAULTS, learningRate: 1e-4, nCritic: 5, beta1: 0, ...options };
  checkDecaySteps("toy_wgan_gp", o.decaySteps);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) {
    throw new Error(`Cannot create variant toy_wgan_gp: beta1 must be in [0, 1), got ${o.beta1}`);
  }
  return withLinearDecay(
    adversarialVariant({
      name: "toy_wgan_gp",
      ...toyModels(o),
      latentDim: o.latentDim,
      optimizers: {
        generator: tf.train.adam(o.learningRate, o.beta1, 0.9),
        discriminator: tf.train.adam(o.criticLearningRate ?? o.learningRate, o.beta1, 0.9),
      },
      ...wganGpObjective(o.nCritic, o.lambda),
      recipe: { factory: "createToyWganGp", args: [options] },
    }),
    o.decaySteps,
  );
}
