/**
 * An encoder for GAN inversion: the DCGAN discriminator's convolutions with a dense head that
 * predicts a latent vector instead of a real/fake logit, `[batch, H, W, C] -> [batch, latentDim]`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkPositiveInt } from "../core/checks.ts";
import { dcganFeatureTrunk, type Normalization } from "./dcgan_nets.ts";

/** Options of {@linkcode buildEncoder}. */
export interface EncoderOptions {
  /** Input `[height, width, channels]`: 28x28 or 4*2^n square. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Size of the predicted latent (the generator's `latentDim`). Default 100. */
  latentDim?: number;
  /** Multiplier of every channel count. Default 1. */
  width?: number;
  /** Normalisation after every convolution but the first. Default `"batch"`. */
  normalization?: Normalization;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"encoder"`. */
  name?: string;
}

/**
 * Build an encoder E: DCGAN-discriminator convolutions (5x5, stride 2, LeakyReLU 0.2), flattened,
 * then a dense layer to `latentDim` numbers with no activation (latents are unbounded).
 *
 * @example An encoder for the course's MNIST generator (latentDim 100)
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildEncoder } from "./encoder.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const encoder = buildEncoder({ width: 0.25, seed: 1 });
 * assertEquals((encoder.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor).shape, [3, 100]);
 * encoder.dispose();
 * ```
 */
export function buildEncoder(options: EncoderOptions = {}): tf.LayersModel {
  const o = {
    imageShape: [28, 28, 1] as [number, number, number],
    latentDim: 100,
    width: 1,
    normalization: "batch" as Normalization,
    name: "encoder",
    ...options,
  };
  checkPositiveInt("build encoder", "latentDim", o.latentDim);
  // [b, H, W, C] -> [b, features]
  const { images, features, inits } = dcganFeatureTrunk("encoder", o);
  // [b, features] -> [b, latentDim]
  const z = tf.layers.dense({ units: o.latentDim, kernelInitializer: inits.kernel(), name: "z" })
    .apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: images, outputs: z, name: o.name });
}
