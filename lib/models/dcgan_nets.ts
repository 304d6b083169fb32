/**
 * DCGAN generators and discriminators (Radford et al. 2016) in two reference shapes:
 *
 * - `imageShape` 28x28 (MNIST): the TensorFlow DCGAN tutorial. G: Dense 7*7*256 (no bias) -> BN ->
 *   LeakyReLU -> Conv2DTranspose 128 5x5 s1 -> BN -> LeakyReLU -> 64 5x5 s2 -> BN -> LeakyReLU ->
 *   C 5x5 s2 tanh. D: Conv 64 5x5 s2 -> LeakyReLU -> Dropout 0.3 -> Conv 128 5x5 s2 -> LeakyReLU ->
 *   Dropout 0.3 -> Flatten -> Dense 1.
 * - `imageShape` 4*2^n (8, 16, 32, 64, 128): the lecture's table, which at 64x64x3 reads
 *   D = Conv 128/256/512/1024 5x5 s2, BN + LeakyReLU (no BN on the first, as in the paper), Dense 1;
 *   G = Dense 4*4*1024 -> BN -> ReLU -> Conv2DTranspose 512/256/128 5x5 s2 with BN + ReLU -> 3 5x5
 *   s2 tanh; z ~ N(0, 1) of size 100. Smaller images drop the deepest layers (32x32: 128/256/512).
 *
 * Layers followed by a normalisation carry no bias (the normalisation's beta replaces it), and the
 * generator's output layer has none either, as in the tutorial. `width` multiplies every hidden
 * channel count, so the `cpu` profile can run width 0.25. The generator's `kernelSize` (4 divides
 * the stride) and `upsampling: "resize"` (resize-convolution) are the two ways to avoid the
 * checkerboard artifacts of 5x5 kernels with stride 2.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkImageShape, checkPositiveInt } from "../core/checks.ts";
import { scaleChannels } from "./channels.ts";
import { type Initializers, makeInitializers, type WeightInit } from "./init.ts";
import { appendMinibatchFeatures } from "./minibatch_discrimination.ts";

/** Normalisation in a discriminator: batch norm, layer norm (over channels), or none. */
export type Normalization = "batch" | "layer" | "none";

/**
 * How a generator doubles its feature maps: a stride-2 transposed convolution (the paper's), or
 * nearest-neighbour resizing followed by a stride-1 convolution ("resize-convolution", Odena et al.
 * 2016), which gives every output pixel the same number of kernel taps and so cannot draw
 * checkerboards.
 */
export type Upsampling = "transposed" | "resize";

/** Options of {@linkcode buildDcganGenerator}. */
export interface DcganGeneratorOptions {
  /** Size of z ~ N(0, 1). Default 100. */
  latentDim?: number;
  /** Output `[height, width, channels]`: 28x28 or 4*2^n square. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Multiplier of every hidden channel count. Default 1. */
  width?: number;
  /** Batch norm after every hidden layer. Default `true`. */
  batchNorm?: boolean;
  /**
   * Kernel size of every convolution after the projection. Default 5 (the paper's). With stride-2
   * transposed convolutions, a size divisible by 2 (4) covers every output pixel with the same
   * number of kernel copies, so it avoids checkerboard artifacts.
   */
  kernelSize?: number;
  /** How the feature maps are doubled in size. Default `"transposed"`. */
  upsampling?: Upsampling;
  /** Kernel initialisation. Default `"dcgan"` (N(0, 0.02)). */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"dcgan_generator"`. */
  name?: string;
}

/** Options of {@linkcode buildDcganDiscriminator}. */
export interface DcganDiscriminatorOptions {
  /** Input `[height, width, channels]`: 28x28 or 4*2^n square. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Multiplier of every hidden channel count. Default 1. */
  width?: number;
  /**
   * Normalisation after every convolution but the first. Default: as the reference (`"none"` at
   * 28x28 like the tutorial, `"batch"` for the lecture's shapes). WGAN-GP critics need `"none"` or
   * `"layer"`: batch norm makes each score depend on the rest of the batch, which breaks the
   * per-sample gradient penalty.
   */
  normalization?: Normalization;
  /** Dropout rate after every LeakyReLU. Default: 0.3 at 28x28 (tutorial), 0 otherwise. */
  dropout?: number;
  /** Minibatch discrimination on the flattened features. Default `false`. */
  minibatch?: false | { numKernels: number; kernelDim: number };
  /** Kernel initialisation. Default `"dcgan"` (N(0, 0.02)). */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"dcgan_discriminator"`. */
  name?: string;
}

/** Slope of every LeakyReLU (DCGAN paper; Keras' own default is 0.3). */
export const LEAKY_SLOPE = 0.2;

const GENERATOR_DEFAULTS = {
  latentDim: 100,
  imageShape: [28, 28, 1] as [number, number, number],
  width: 1,
  batchNorm: true,
  kernelSize: 5,
  upsampling: "transposed" as Upsampling,
  init: "dcgan" as WeightInit,
  name: "dcgan_generator",
};

const DISCRIMINATOR_DEFAULTS = {
  imageShape: [28, 28, 1] as [number, number, number],
  width: 1,
  minibatch: false as const,
  init: "dcgan" as WeightInit,
  name: "dcgan_discriminator",
};

/**
 * Build a DCGAN generator: `[batch, latentDim] -> [batch, ...imageShape]` in [-1, 1] (tanh).
 *
 * @example The tutorial's MNIST generator, a quarter as wide
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildDcganGenerator } from "./dcgan_nets.ts";
 * const generator = buildDcganGenerator({ width: 0.25, seed: 1 });
 * const images = generator.predict(tf.randomNormal([2, 100])) as tf.Tensor;
 * assertEquals(images.shape, [2, 28, 28, 1]);
 * ```
 *
 * @example Without checkerboards: 4x4 kernels, or nearest-neighbour resizing and a convolution
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildDcganGenerator } from "./dcgan_nets.ts";
 * const k4 = buildDcganGenerator({ width: 0.25, kernelSize: 4 });
 * assertEquals(k4.getLayer("image").getWeights()[0].shape, [4, 4, 1, 16]);
 * const resize = buildDcganGenerator({ width: 0.25, kernelSize: 3, upsampling: "resize" });
 * assertEquals(resize.getLayer("image_up").outputShape, [null, 28, 28, 16]);
 * assertEquals(resize.getLayer("image").getClassName(), "Conv2D");
 * ```
 */
export function buildDcganGenerator(options: DcganGeneratorOptions = {}): tf.LayersModel {
  const o = { ...GENERATOR_DEFAULTS, ...options };
  checkPositiveInt("build generator", "latentDim", o.latentDim);
  const z = tf.input({ shape: [o.latentDim], name: "z" });
  const images = dcganGeneratorBody(z, o);
  return tf.model({ inputs: z, outputs: images, name: o.name });
}

/**
 * Build a DCGAN discriminator (or, without batch norm, a WGAN critic): `[batch, ...imageShape] ->
 * [batch, 1]` logits, no sigmoid.
 *
 * @example The lecture's 64x64x3 critic for WGAN-GP, an eighth as wide, with no batch norm
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildDcganDiscriminator } from "./dcgan_nets.ts";
 * const critic = buildDcganDiscriminator({
 *   imageShape: [64, 64, 3],
 *   width: 0.125,
 *   normalization: "none",
 * });
 * const scores = critic.predict(tf.zeros([2, 64, 64, 3])) as tf.Tensor;
 * assertEquals(scores.shape, [2, 1]);
 * ```
 */
export function buildDcganDiscriminator(options: DcganDiscriminatorOptions = {}): tf.LayersModel {
  const o = { ...DISCRIMINATOR_DEFAULTS, ...options };
  const shape = checkImageShape("build discriminator", o.imageShape);
  const images = tf.input({ shape, name: "images" });
  const inits = makeInitializers(o.init, o.seed);
  let h = dcganDiscriminatorFeatures(images, { ...o, inits });
  if (o.minibatch) {
    // [batch, features] -> [batch, features + numKernels]
    h = appendMinibatchFeatures(h, o.minibatch, o.seed);
  }
  // [batch, features] -> [batch, 1]
  const logit = tf.layers.dense({ units: 1, kernelInitializer: inits.kernel(), name: "logit" })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: images, outputs: logit, name: o.name });
}

/** Which reference architecture an image shape selects, and its hidden channel counts. */
export interface DcganPlan {
  /** `"tutorial"` for 28x28, `"lecture"` for 4*2^n. */
  kind: "tutorial" | "lecture";
  /** Discriminator conv channels at width 1, first to last. */
  discriminatorChannels: number[];
  /** Generator channels at width 1: the dense projection's, then each hidden transposed conv's. */
  generatorChannels: number[];
}

/**
 * The reference architecture for an image shape (what the builders build at width 1).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { dcganPlan } from "./dcgan_nets.ts";
 * assertEquals(dcganPlan([64, 64, 3]).discriminatorChannels, [128, 256, 512, 1024]);
 * assertEquals(dcganPlan([64, 64, 3]).generatorChannels, [1024, 512, 256, 128]);
 * ```
 */
export function dcganPlan(imageShape: readonly number[], what = "model"): DcganPlan {
  const [h, w] = checkImageShape(`build ${what}`, imageShape);
  if (h !== w) {
    throw new Error(`Cannot build ${what}: images must be square, got ${h}x${w}`);
  }
  if (h === 28) {
    return {
      kind: "tutorial",
      discriminatorChannels: [64, 128],
      generatorChannels: [256, 128, 64],
    };
  }
  const n = Math.log2(h / 4);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `Cannot build ${what}: image size must be 28 or 4*2^n (8, 16, 32, 64, 128, ...), got ${h}`,
    );
  }
  const discriminatorChannels = Array.from({ length: n }, (_, i) => 128 * 2 ** i);
  return {
    kind: "lecture",
    discriminatorChannels,
    generatorChannels: [...discriminatorChannels].reverse(),
  };
}

/**
 * The DCGAN generator's layers applied to a symbolic input (z, or z concatenated with a label):
 * `[batch, features] -> [batch, ...imageShape]`. The conditional and ACGAN builders reuse it.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { dcganGeneratorBody } from "./dcgan_nets.ts";
 * const out = dcganGeneratorBody(tf.input({ shape: [12] }), { width: 0.25 });
 * assertEquals(out.shape, [null, 28, 28, 1]);
 * ```
 */
export function dcganGeneratorBody(
  input: tf.SymbolicTensor,
  options: Omit<DcganGeneratorOptions, "latentDim" | "name">,
): tf.SymbolicTensor {
  const o = { ...GENERATOR_DEFAULTS, ...options };
  const [height, , channels] = checkImageShape("build generator", o.imageShape);
  const plan = dcganPlan(o.imageShape, "generator");
  checkPositiveInt("build generator", "kernelSize", o.kernelSize);
  if (o.upsampling !== "transposed" && o.upsampling !== "resize") {
    throw new Error(
      `Cannot build generator: upsampling must be "transposed" or "resize", got ${o.upsampling}`,
    );
  }
  const inits = makeInitializers(o.init, o.seed);
  const ch = plan.generatorChannels.map((c) => scaleChannels(c, o.width));
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) =>
    layer.apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor, name: string) =>
    o.batchNorm
      ? apply(tf.layers.batchNormalization({ gammaInitializer: inits.gamma(), name }), x)
      : x;
  const act = (x: tf.SymbolicTensor, name: string) =>
    apply(
      plan.kind === "tutorial"
        ? tf.layers.leakyReLU({ alpha: LEAKY_SLOPE, name })
        : tf.layers.reLU({ name }),
      x,
    );
  const start = plan.kind === "tutorial" ? 7 : 4;
  // [batch, features] -> [batch, start * start * ch0]
  let h = apply(
    tf.layers.dense({
      units: start * start * ch[0],
      useBias: !o.batchNorm,
      kernelInitializer: inits.kernel(),
      name: "project",
    }),
    input,
  );
  if (plan.kind === "tutorial") {
    // the tutorial normalises the flat projection, then reshapes to [batch, 7, 7, ch0]
    h = act(bn(h, "project_bn"), "project_act");
    h = apply(tf.layers.reshape({ targetShape: [start, start, ch[0]], name: "reshape" }), h);
  } else {
    // the paper reshapes to [batch, 4, 4, ch0] and normalises per channel
    h = apply(tf.layers.reshape({ targetShape: [start, start, ch[0]], name: "reshape" }), h);
    h = act(bn(h, "project_bn"), "project_act");
  }
  // One layer that keeps or doubles the size: a transposed convolution, or (resize-convolution)
  // nearest-neighbour doubling, then a stride-1 convolution.
  const grow = (
    x: tf.SymbolicTensor,
    filters: number,
    strides: number,
    name: string,
    extra: { useBias: boolean; activation?: "tanh" },
  ) => {
    const conv = { filters, kernelSize: o.kernelSize, padding: "same" as const, ...extra };
    const kernelInitializer = inits.kernel();
    if (o.upsampling === "transposed" || strides === 1) {
      return apply(
        o.upsampling === "transposed"
          ? tf.layers.conv2dTranspose({ ...conv, strides, kernelInitializer, name })
          : tf.layers.conv2d({ ...conv, kernelInitializer, name }),
        x,
      );
    }
    // [batch, h, w, c] -> [batch, 2h, 2w, c] -> [batch, 2h, 2w, filters]
    const up = apply(tf.layers.upSampling2d({ size: [2, 2], name: `${name}_up` }), x);
    return apply(tf.layers.conv2d({ ...conv, kernelInitializer, name }), up);
  };
  // tutorial: [7,7,256] -s1-> [7,7,128] -s2-> [14,14,64] -s2-> [28,28,C]
  // lecture 64: [4,4,1024] -> [8,8,512] -> [16,16,256] -> [32,32,128] -> [64,64,3], all stride 2
  ch.slice(1).forEach((filters, i) => {
    const strides = plan.kind === "tutorial" && i === 0 ? 1 : 2;
    h = grow(h, filters, strides, `deconv_${i}`, { useBias: !o.batchNorm });
    h = act(bn(h, `deconv_${i}_bn`), `deconv_${i}_act`);
  });
  h = grow(h, channels, 2, "image", { useBias: false, activation: "tanh" });
  if (h.shape[1] !== height) {
    throw new Error(`Cannot build generator: internal shape error, got ${h.shape}`);
  }
  return h;
}

/** Options of {@linkcode dcganDiscriminatorFeatures}. */
export interface DcganFeatureOptions {
  /** Input `[height, width, channels]` (the image's; extra label channels allowed). */
  imageShape: [number, number, number];
  /** Multiplier of every hidden channel count. Default 1. */
  width?: number;
  /** As in {@linkcode DcganDiscriminatorOptions}. */
  normalization?: Normalization;
  /** As in {@linkcode DcganDiscriminatorOptions}. */
  dropout?: number;
  /** Initialiser factory shared with the caller's heads. */
  inits: Initializers;
}

/**
 * The DCGAN discriminator's convolutions applied to a symbolic image input, flattened:
 * `[batch, H, W, C] -> [batch, features]`. The discriminator, conditional and ACGAN builders add their
 * heads on top.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { dcganDiscriminatorFeatures } from "./dcgan_nets.ts";
 * import { makeInitializers } from "./init.ts";
 * const features = dcganDiscriminatorFeatures(tf.input({ shape: [28, 28, 1] }), {
 *   imageShape: [28, 28, 1],
 *   width: 0.25,
 *   inits: makeInitializers("dcgan"),
 * });
 * assertEquals(features.shape, [null, 1568]);
 * ```
 */
export function dcganDiscriminatorFeatures(
  images: tf.SymbolicTensor,
  options: DcganFeatureOptions,
): tf.SymbolicTensor {
  const plan = dcganPlan(options.imageShape, "discriminator");
  const width = options.width ?? 1;
  const normalization = options.normalization ?? (plan.kind === "tutorial" ? "none" : "batch");
  const dropout = options.dropout ?? (plan.kind === "tutorial" ? 0.3 : 0);
  if (!["batch", "layer", "none"].includes(normalization)) {
    throw new Error(
      `Cannot build discriminator: normalization must be "batch", "layer" or "none", got ${normalization}`,
    );
  }
  if (!(dropout >= 0 && dropout < 1)) {
    throw new Error(`Cannot build discriminator: dropout must be in [0, 1), got ${dropout}`);
  }
  const { inits } = options;
  let h = images;
  // each conv halves the size: 28 -> 14 -> 7; 64 -> 32 -> 16 -> 8 -> 4
  plan.discriminatorChannels.forEach((c, i) => {
    const normalized = i > 0 && normalization !== "none";
    h = tf.layers.conv2d({
      filters: scaleChannels(c, width),
      kernelSize: 5,
      strides: 2,
      padding: "same",
      useBias: !normalized,
      kernelInitializer: inits.kernel(),
      name: `conv_${i}`,
    }).apply(h) as tf.SymbolicTensor;
    if (normalized && normalization === "batch") {
      h = tf.layers.batchNormalization({ gammaInitializer: inits.gamma(), name: `conv_${i}_bn` })
        .apply(h) as tf.SymbolicTensor;
    } else if (normalized) {
      h = tf.layers.layerNormalization({ axis: -1, name: `conv_${i}_ln` })
        .apply(h) as tf.SymbolicTensor;
    }
    h = tf.layers.leakyReLU({ alpha: LEAKY_SLOPE, name: `conv_${i}_act` })
      .apply(h) as tf.SymbolicTensor;
    if (dropout > 0) {
      h = tf.layers.dropout({ rate: dropout, name: `conv_${i}_dropout` })
        .apply(h) as tf.SymbolicTensor;
    }
  });
  return tf.layers.flatten({ name: "flatten" }).apply(h) as tf.SymbolicTensor;
}

/** Options of {@linkcode dcganFeatureTrunk}. */
export interface DcganTrunkOptions {
  /** Input image shape `[height, width, channels]`. */
  imageShape: readonly number[];
  /** Channel multiplier. Default 1. */
  width?: number;
  /** Seed of the initial weights. */
  seed?: number;
  /** As in {@linkcode DcganDiscriminatorOptions}. */
  normalization?: Normalization;
}

/**
 * An image input and the DCGAN discriminator's convolutions on it, without dropout, for a model
 * that puts its own heads on D's body (an encoder, a VAE encoder, InfoGAN's D and Q). `what` names
 * the model in error messages; `inits` is the initialiser factory the heads continue with.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { dcganFeatureTrunk } from "./dcgan_nets.ts";
 * const { images, features } = dcganFeatureTrunk("encoder", { imageShape: [28, 28, 1], width: 0.25 });
 * assertEquals([images.shape, features.shape], [[null, 28, 28, 1], [null, 1568]]);
 * throws(() => dcganFeatureTrunk("encoder", { imageShape: [28, 28] }), /Cannot build encoder/);
 * ```
 */
export function dcganFeatureTrunk(
  what: string,
  options: DcganTrunkOptions,
): { images: tf.SymbolicTensor; features: tf.SymbolicTensor; inits: Initializers } {
  const shape = checkImageShape(`build ${what}`, options.imageShape);
  const inits = makeInitializers("dcgan", options.seed);
  const images = tf.input({ shape, name: "images" });
  // [batch, H, W, C] -> [batch, features]
  const features = dcganDiscriminatorFeatures(images, {
    imageShape: shape,
    width: options.width,
    normalization: options.normalization,
    dropout: 0,
    inits,
  });
  return { images, features, inits };
}
