/**
 * A small convolutional variational autoencoder (Kingma and Welling 2014) built from the DCGAN
 * parts, so that it can be compared with a DCGAN model for model: the encoder is the DCGAN
 * discriminator's convolutions with two dense heads (the mean and the log-variance of q(z | x)),
 * and the decoder is exactly the DCGAN generator, `[batch, latentDim] -> [batch, ...imageShape]`
 * in [-1, 1].
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkPositiveInt } from "../core/checks.ts";
import { buildDcganGenerator, dcganFeatureTrunk } from "./dcgan_nets.ts";

/** Options of {@linkcode buildVaeEncoder} and {@linkcode buildVaeDecoder}. */
export interface VaeModelOptions {
  /** Size of the latent z. Default 32. */
  latentDim?: number;
  /** Image `[height, width, channels]`: 28x28 or 4*2^n square. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Multiplier of every hidden channel count. Default 1. */
  width?: number;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
}

const VAE_MODEL_DEFAULTS = {
  latentDim: 32,
  imageShape: [28, 28, 1] as [number, number, number],
  width: 1,
};

/**
 * Build a VAE encoder: `[batch, ...imageShape]` (in [-1, 1]) -> `[mean [batch, latentDim],
 * logVar [batch, latentDim]]`, the Gaussian q(z | x) = N(mean, exp(logVar)).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildVaeEncoder } from "./vae.ts";
 * const encoder = buildVaeEncoder({ latentDim: 8, width: 0.125 });
 * const [mean, logVar] = encoder.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor[];
 * assertEquals([mean.shape, logVar.shape], [[3, 8], [3, 8]]);
 * encoder.dispose();
 * ```
 */
export function buildVaeEncoder(options: VaeModelOptions = {}): tf.LayersModel {
  const o = { ...VAE_MODEL_DEFAULTS, ...options };
  checkPositiveInt("build encoder", "latentDim", o.latentDim);
  // [batch, H, W, C] -> [batch, features]: the DCGAN discriminator's convolutions, no dropout
  const { images, features, inits } = dcganFeatureTrunk("encoder", o);
  // [batch, features] -> [batch, latentDim] twice
  const head = (name: string) =>
    tf.layers.dense({ units: o.latentDim, kernelInitializer: inits.kernel(), name })
      .apply(features) as tf.SymbolicTensor;
  return tf.model({
    inputs: images,
    outputs: [head("mean"), head("log_var")],
    name: "vae_encoder",
  });
}

/**
 * Build a VAE decoder: the DCGAN generator, `[batch, latentDim] -> [batch, ...imageShape]` in
 * [-1, 1] (tanh), named `vae_decoder`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildVaeDecoder } from "./vae.ts";
 * const decoder = buildVaeDecoder({ latentDim: 8, width: 0.125 });
 * assertEquals((decoder.predict(tf.zeros([2, 8])) as tf.Tensor).shape, [2, 28, 28, 1]);
 * decoder.dispose();
 * ```
 */
export function buildVaeDecoder(options: VaeModelOptions = {}): tf.LayersModel {
  const o = { ...VAE_MODEL_DEFAULTS, ...options };
  return buildDcganGenerator({
    latentDim: o.latentDim,
    imageShape: o.imageShape,
    width: o.width,
    seed: o.seed,
    name: "vae_decoder",
  });
}
