/**
 * Options shared by the image variants' factories.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  buildDcganDiscriminator,
  buildDcganGenerator,
  type DcganDiscriminatorOptions,
  type DcganGeneratorOptions,
} from "../models/dcgan_nets.ts";

/** What every variant factory accepts to size its models. */
export interface VariantOptions {
  /** Image `[height, width, channels]` (28x28x1 MNIST, 64x64x3 the lecture's faces). Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Channel-width multiplier of the conv models (the profile's `width`). Default 1. */
  width?: number;
  /** Size of z. Default 100 (2 for the toys). */
  latentDim?: number;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
}

/**
 * Adam settings of the variants trained with Adam (DCGAN, LSGAN). The defaults are the DCGAN paper's
 * (learning rate 2e-4, beta1 0.5, beta2 0.999) for both models.
 */
export interface AdamOptions {
  /** Learning rate of both models. Default 2e-4. */
  learningRate?: number;
  /** Learning rate of the generator; overrides `learningRate`. Default: `learningRate`. */
  generatorLearningRate?: number;
  /** Learning rate of the discriminator; overrides `learningRate`. Default: `learningRate`. */
  discriminatorLearningRate?: number;
  /** Adam's beta1 (momentum) for both models. Default 0.5. */
  beta1?: number;
}

/** The defaults of {@linkcode AdamOptions}: the DCGAN paper's. */
export const ADAM_DEFAULTS = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 } as const;

/**
 * One Adam optimizer for the generator and one for the discriminator, from {@linkcode AdamOptions}.
 *
 * @example The DCGAN paper's settings, then a faster discriminator
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { adamPair } from "./image_options.ts";
 * const paper = adamPair();
 * const ttur = adamPair({ learningRate: 2e-4, discriminatorLearningRate: 8e-4 });
 * assertEquals(paper.generator.getConfig().learningRate, 0.0002);
 * assertEquals(ttur.discriminator.getConfig().learningRate, 0.0008);
 * [paper, ttur].forEach((o) => (o.generator.dispose(), o.discriminator.dispose()));
 * ```
 */
export function adamPair(
  options: AdamOptions = {},
): { generator: tf.Optimizer; discriminator: tf.Optimizer } {
  const base = options.learningRate ?? ADAM_DEFAULTS.learningRate;
  const beta1 = options.beta1 ?? ADAM_DEFAULTS.beta1;
  const rates = {
    generator: options.generatorLearningRate ?? base,
    discriminator: options.discriminatorLearningRate ?? base,
  };
  for (const [key, value] of Object.entries(rates)) {
    if (!(value > 0 && Number.isFinite(value))) {
      throw new Error(
        `Cannot create optimizers: ${key} learning rate must be positive, got ${value}`,
      );
    }
  }
  if (!(beta1 >= 0 && beta1 < 1)) {
    throw new Error(`Cannot create optimizers: beta1 must be in [0, 1), got ${beta1}`);
  }
  return {
    generator: tf.train.adam(rates.generator, beta1, ADAM_DEFAULTS.beta2),
    discriminator: tf.train.adam(rates.discriminator, beta1, ADAM_DEFAULTS.beta2),
  };
}

/** The defaults of {@linkcode VariantOptions} for image variants. */
export const IMAGE_VARIANT_DEFAULTS = {
  imageShape: [28, 28, 1] as [number, number, number],
  width: 1,
  latentDim: 100,
};

/**
 * The DCGAN generator and discriminator (or critic) of an image variant, sized by its options: G
 * seeded with `seed`, D with `seed + 1`, D without dropout; `discriminator` overrides D's options
 * (no normalization for a WGAN-GP critic, a `name`, ...), `generator` G's kernel size and
 * up-sampling (the paper's 5x5 transposed convolutions unless given).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildDcganPair, IMAGE_VARIANT_DEFAULTS } from "./image_options.ts";
 * const { generator, discriminator } = buildDcganPair(
 *   { ...IMAGE_VARIANT_DEFAULTS, width: 0.125, seed: 1 },
 *   { name: "critic" },
 * );
 * assertEquals([generator.outputs[0].shape, discriminator.name], [[null, 28, 28, 1], "critic"]);
 * generator.dispose();
 * discriminator.dispose();
 * ```
 */
export function buildDcganPair(
  options: typeof IMAGE_VARIANT_DEFAULTS & { seed?: number },
  discriminator: DcganDiscriminatorOptions = {},
  generator: Pick<DcganGeneratorOptions, "kernelSize" | "upsampling"> = {},
): { generator: tf.LayersModel; discriminator: tf.LayersModel } {
  const { imageShape, width, latentDim, seed } = options;
  // options left undefined keep the builder's defaults
  const gOptions = Object.fromEntries(
    Object.entries(generator).filter(([, value]) => value !== undefined),
  );
  return {
    generator: buildDcganGenerator({ imageShape, width, latentDim, seed, ...gOptions }),
    discriminator: buildDcganDiscriminator({
      imageShape,
      width,
      dropout: 0,
      seed: seed === undefined ? undefined : seed + 1,
      ...discriminator,
    }),
  };
}
