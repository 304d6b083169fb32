/**
 * InfoGAN (Chen et al. 2016): the generator takes noise z and a code c (a categorical part, one-hot,
 * and a few continuous numbers), and the discriminator's body also feeds a head Q that guesses the
 * code from the image. Rewarding G when Q guesses right (the mutual-information term) makes the
 * code control something visible, without any labels.
 *
 * G is the DCGAN generator on the concatenated input `[z, one-hot category, continuous codes]`,
 * as in the paper. D is the DCGAN discriminator's body with two heads: the real/fake logit, and Q
 * (a hidden dense layer with LeakyReLU, then the category's logits and the continuous codes'
 * predicted means).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkPositiveInt } from "../core/checks.ts";
import { buildDcganGenerator, dcganFeatureTrunk, LEAKY_SLOPE } from "./dcgan_nets.ts";

/** The sizes of an InfoGAN's latent input. */
export interface InfoganCodes {
  /** Size of the noise z ~ N(0, 1). Default 62 (the paper's MNIST model). */
  latentDim?: number;
  /** Values of the categorical code (one-hot). Default 10. */
  numCategories?: number;
  /** Number of continuous codes, each ~ U(-1, 1). Default 2. */
  continuousCodes?: number;
}

/** Options of {@linkcode buildInfoganGenerator} and {@linkcode buildInfoganDiscriminator}. */
export interface InfoganModelOptions extends InfoganCodes {
  /** Image `[height, width, channels]`: 28x28 or 4*2^n square. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Multiplier of every hidden channel count (and of Q's hidden units). Default 1. */
  width?: number;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
}

/** The defaults of {@linkcode InfoganCodes}. */
export const INFOGAN_CODE_DEFAULTS: Required<InfoganCodes> = {
  latentDim: 62,
  numCategories: 10,
  continuousCodes: 2,
};

/** Hidden units of Q at width 1 (the paper's 128). */
const Q_HIDDEN = 128;

/**
 * The total input size of the generator: `latentDim + numCategories + continuousCodes`.
 *
 * @example The paper's MNIST model: 62 + 10 + 2
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { infoganInputSize } from "./infogan.ts";
 * assertEquals(infoganInputSize({}), 74);
 * assertEquals(infoganInputSize({ latentDim: 8, continuousCodes: 1 }), 19);
 * ```
 */
export function infoganInputSize(codes: InfoganCodes): number {
  const o = { ...INFOGAN_CODE_DEFAULTS, ...codes };
  checkPositiveInt("build InfoGAN", "latentDim", o.latentDim);
  checkPositiveInt("build InfoGAN", "numCategories", o.numCategories);
  if (!Number.isInteger(o.continuousCodes) || o.continuousCodes < 0) {
    throw new Error(
      `Cannot build InfoGAN: continuousCodes must be a non-negative integer, got ${o.continuousCodes}`,
    );
  }
  return o.latentDim + o.numCategories + o.continuousCodes;
}

/**
 * Build an InfoGAN generator: `[batch, latentDim + numCategories + continuousCodes]` (z, the
 * one-hot category and the continuous codes, concatenated in that order) -> `[batch,
 * ...imageShape]` in [-1, 1].
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildInfoganGenerator } from "./infogan.ts";
 * const generator = buildInfoganGenerator({ width: 0.125, seed: 1 });
 * assertEquals(generator.inputs[0].shape, [null, 74]);
 * const images = generator.predict(tf.zeros([2, 74])) as tf.Tensor;
 * assertEquals(images.shape, [2, 28, 28, 1]);
 * generator.dispose();
 * ```
 */
export function buildInfoganGenerator(options: InfoganModelOptions = {}): tf.LayersModel {
  const { imageShape = [28, 28, 1], width = 1, seed } = options;
  return buildDcganGenerator({
    latentDim: infoganInputSize(options),
    imageShape,
    width,
    seed,
    name: "infogan_generator",
  });
}

/**
 * Build an InfoGAN discriminator with its Q head: `[batch, ...imageShape]` -> `[logit [batch, 1],
 * categoryLogits [batch, numCategories], continuousMeans [batch, continuousCodes]]`. The two heads
 * share every convolution; Q adds one hidden dense layer (128 units at width 1) with LeakyReLU.
 * With `continuousCodes: 0` the last output is left out.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildInfoganDiscriminator } from "./infogan.ts";
 * const d = buildInfoganDiscriminator({ width: 0.125, continuousCodes: 1 });
 * const [logit, category, continuous] = d.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor[];
 * assertEquals([logit.shape, category.shape, continuous.shape], [[3, 1], [3, 10], [3, 1]]);
 * d.dispose();
 * ```
 */
export function buildInfoganDiscriminator(options: InfoganModelOptions = {}): tf.LayersModel {
  const o = { ...INFOGAN_CODE_DEFAULTS, imageShape: [28, 28, 1], width: 1, ...options };
  infoganInputSize(o); // checks the code sizes
  // [batch, H, W, C] -> [batch, features], shared by both heads
  const { images, features, inits } = dcganFeatureTrunk("discriminator", o);
  const dense = (units: number, name: string, x: tf.SymbolicTensor) =>
    tf.layers.dense({ units, kernelInitializer: inits.kernel(), name }).apply(
      x,
    ) as tf.SymbolicTensor;
  // [batch, features] -> [batch, 1]
  const logit = dense(1, "logit", features);
  // Q: [batch, features] -> [batch, hidden] -> category logits and continuous means
  const hidden = tf.layers.leakyReLU({ alpha: LEAKY_SLOPE, name: "q_hidden_act" }).apply(
    dense(Math.max(8, Math.round(Q_HIDDEN * o.width)), "q_hidden", features),
  ) as tf.SymbolicTensor;
  const outputs = [logit, dense(o.numCategories, "q_category_logits", hidden)];
  if (o.continuousCodes > 0) outputs.push(dense(o.continuousCodes, "q_continuous", hidden));
  return tf.model({ inputs: images, outputs, name: "infogan_discriminator" });
}
