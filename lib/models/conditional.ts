/**
 * Conditional GAN (Mirza and Osindero 2014): both players see the class label y. G maps (z, y) to a
 * sample; D scores (x, y) pairs, so it also rejects a real-looking sample of the wrong class.
 *
 * The label enters as a one-hot vector or through a learned embedding. G concatenates it to z. An
 * image D either appends it to the image as extra channels, as the paper does (the label vector
 * tiled over every pixel, `"tile"`, or projected by a dense layer to one extra channel, `"dense"`),
 * or meets it after the convolutions (`"projection"`, Miyato and Koyama 2018): with features
 * phi(x), D(x, y) = psi(phi(x)) + <V y, phi(x)>, one learned template per class. A toy (MLP) D
 * concatenates it to the input.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkImageShape, checkPositiveInt } from "../core/checks.ts";
import {
  dcganDiscriminatorFeatures,
  type DcganDiscriminatorOptions,
  dcganGeneratorBody,
} from "./dcgan_nets.ts";
import { type Initializers, makeInitializers, type WeightInit } from "./init.ts";
import { type MlpActivation, mlpBody } from "./mlp.ts";

/** How a label enters a model: a one-hot `[batch, numClasses]` float input, or an integer `[batch, 1]` class index through a learned embedding. */
export type LabelMode = "onehot" | "embedding";

/**
 * Where an image discriminator meets the label: as input channels (`"tile"`, `"dense"`, Mirza and
 * Osindero's concatenation) or at the output (`"projection"`, Miyato and Koyama's projection).
 */
export type LabelProjection = "tile" | "dense" | "projection";

/** Options shared by the conditional builders. */
export interface ConditionalOptions {
  /** Number of classes. Default 10. */
  numClasses?: number;
  /** How the label enters. Default `"onehot"`. */
  labelMode?: LabelMode;
  /** Size of the label embedding (labelMode `"embedding"`). Default 16. */
  embeddingDim?: number;
  /** `"dcgan"` for images (imageShape), `"mlp"` for toy vectors (dataDim). Default `"dcgan"`. */
  architecture?: "dcgan" | "mlp";
  /** Image `[height, width, channels]` (architecture `"dcgan"`). Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Size of a toy sample (architecture `"mlp"`). Default 2. */
  dataDim?: number;
  /** Hidden units of the MLP (architecture `"mlp"`). Default `[128, 128, 128]`. */
  hidden?: number[];
  /** Multiplier of the DCGAN's channel counts. Default 1. */
  width?: number;
  /** Kernel initialisation. Default `"dcgan"`. */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"conditional_generator"` / `"conditional_discriminator"`. */
  name?: string;
}

/** Options of {@linkcode buildConditionalGenerator}. */
export interface ConditionalGeneratorOptions extends ConditionalOptions {
  /** Size of z. Default 100 for images, 2 for toys. */
  latentDim?: number;
  /** Batch norm in the DCGAN body. Default `true`. */
  batchNorm?: boolean;
}

/** Options of {@linkcode buildConditionalDiscriminator}. */
export interface ConditionalDiscriminatorOptions extends ConditionalOptions {
  /**
   * How an image D receives the label: `"tile"` and `"dense"` append it to the image as channels
   * (tiled one-hot, or a dense projection to one channel); `"projection"` joins it after the
   * convolutions as an inner product with the features. Default `"tile"`.
   */
  labelProjection?: LabelProjection;
  /** As in the DCGAN discriminator. Default: the reference's. */
  normalization?: DcganDiscriminatorOptions["normalization"];
  /** As in the DCGAN discriminator. Default: the reference's. */
  dropout?: number;
}

const DEFAULTS = {
  numClasses: 10,
  labelMode: "onehot" as LabelMode,
  embeddingDim: 16,
  architecture: "dcgan" as "dcgan" | "mlp",
  imageShape: [28, 28, 1] as [number, number, number],
  dataDim: 2,
  hidden: [128, 128, 128],
  width: 1,
  init: "dcgan" as WeightInit,
};

/**
 * The label input and its vector form: one-hot `[batch, numClasses]` as is, or an integer
 * `[batch, 1]` through an embedding to `[batch, embeddingDim]`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { labelInput } from "./conditional.ts";
 * const { vector } = labelInput({ numClasses: 10, labelMode: "embedding", embeddingDim: 4 });
 * assertEquals(vector.shape, [null, 4]);
 * ```
 */
export function labelInput(
  options: { numClasses: number; labelMode: LabelMode; embeddingDim: number; seed?: number },
): { input: tf.SymbolicTensor; vector: tf.SymbolicTensor } {
  checkPositiveInt("build conditional model", "numClasses", options.numClasses);
  if (options.labelMode === "onehot") {
    const input = tf.input({ shape: [options.numClasses], name: "labels" });
    return { input, vector: input };
  }
  if (options.labelMode !== "embedding") {
    throw new Error(
      `Cannot build conditional model: labelMode must be "onehot" or "embedding", got ${options.labelMode}`,
    );
  }
  checkPositiveInt("build conditional model", "embeddingDim", options.embeddingDim);
  const input = tf.input({ shape: [1], name: "labels" });
  const embedded = tf.layers.embedding({
    inputDim: options.numClasses,
    outputDim: options.embeddingDim,
    embeddingsInitializer: tf.initializers.randomUniform({
      minval: -0.05,
      maxval: 0.05,
      seed: options.seed,
    }),
    name: "label_embedding",
  }).apply(input) as tf.SymbolicTensor; // [batch, 1, embeddingDim]
  const vector = tf.layers.flatten({ name: "label_vector" }).apply(embedded) as tf.SymbolicTensor;
  return { input, vector };
}

/**
 * Build a conditional generator with inputs `[z, labels]`: `[batch, latentDim]` and the labels
 * (see {@linkcode LabelMode}) -> `[batch, ...imageShape]` in [-1, 1], or `[batch, dataDim]` for toys.
 *
 * @example An MNIST cGAN generator, a quarter as wide
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildConditionalGenerator } from "./conditional.ts";
 * const generator = buildConditionalGenerator({ width: 0.25, seed: 1 });
 * const labels = tf.oneHot(tf.tensor1d([3, 7], "int32"), 10);
 * const images = generator.predict([tf.randomNormal([2, 100]), labels]) as tf.Tensor;
 * assertEquals(images.shape, [2, 28, 28, 1]);
 * ```
 */
export function buildConditionalGenerator(
  options: ConditionalGeneratorOptions = {},
): tf.LayersModel {
  const o = { ...DEFAULTS, batchNorm: true, name: "conditional_generator", ...options };
  const latentDim = o.latentDim ?? (o.architecture === "mlp" ? 2 : 100);
  checkPositiveInt("build generator", "latentDim", latentDim);
  const z = tf.input({ shape: [latentDim], name: "z" });
  const label = labelInput({ ...o, seed: o.seed === undefined ? undefined : o.seed + 2000 });
  // [batch, latentDim] ++ [batch, labelDim] -> [batch, latentDim + labelDim]
  const joined = tf.layers.concatenate({ name: "z_and_label" })
    .apply([z, label.vector]) as tf.SymbolicTensor;
  let out: tf.SymbolicTensor;
  if (o.architecture === "mlp") {
    checkPositiveInt("build generator", "dataDim", o.dataDim);
    const inits = makeInitializers(o.init, o.seed);
    const h = mlpBody(joined, o.hidden, "relu", inits.kernel, "generator");
    out = tf.layers.dense({ units: o.dataDim, kernelInitializer: inits.kernel(), name: "output" })
      .apply(h) as tf.SymbolicTensor;
  } else {
    checkArchitecture(o.architecture);
    out = dcganGeneratorBody(joined, o);
  }
  return tf.model({ inputs: [z, label.input], outputs: out, name: o.name });
}

/**
 * Build a conditional discriminator with inputs `[images, labels]` -> `[batch, 1]` logits. For images
 * `[batch, H, W, C]` and label vector `[batch, k]`: `"tile"` gives `[batch, H, W, C + k]`, `"dense"`
 * gives `[batch, H, W, C + 1]`, then the DCGAN discriminator's convolutions.
 *
 * @example A toy cGAN discriminator with an MLP
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildConditionalDiscriminator } from "./conditional.ts";
 * const discriminator = buildConditionalDiscriminator({
 *   architecture: "mlp",
 *   numClasses: 8,
 *   hidden: [16],
 * });
 * const labels = tf.oneHot(tf.tensor1d([0, 5], "int32"), 8);
 * const logits = discriminator.predict([tf.zeros([2, 2]), labels]) as tf.Tensor;
 * assertEquals(logits.shape, [2, 1]);
 * ```
 */
export function buildConditionalDiscriminator(
  options: ConditionalDiscriminatorOptions = {},
): tf.LayersModel {
  const o = {
    ...DEFAULTS,
    labelProjection: "tile" as LabelProjection,
    name: "conditional_discriminator",
    ...options,
  };
  const inits = makeInitializers(o.init, o.seed);
  const label = labelInput({ ...o, seed: o.seed === undefined ? undefined : o.seed + 2000 });
  let x: tf.SymbolicTensor;
  let features: tf.SymbolicTensor;
  if (o.architecture === "mlp") {
    checkPositiveInt("build discriminator", "dataDim", o.dataDim);
    x = tf.input({ shape: [o.dataDim], name: "samples" });
    // [batch, dataDim] ++ [batch, labelDim]
    const joined = tf.layers.concatenate({ name: "x_and_label" })
      .apply([x, label.vector]) as tf.SymbolicTensor;
    features = mlpBody(
      joined,
      o.hidden,
      "leakyRelu" as MlpActivation,
      inits.kernel,
      "discriminator",
    );
  } else {
    checkArchitecture(o.architecture);
    const [h, w, c] = checkImageShape("build discriminator", o.imageShape);
    x = tf.input({ shape: [h, w, c], name: "images" });
    if (o.labelProjection === "projection") {
      // phi(x): [batch, H, W, C] -> [batch, features]; the label joins only at the output
      features = dcganDiscriminatorFeatures(x, { ...o, imageShape: [h, w, c], inits });
      const logit = projectionHead(features, label.vector, inits);
      return tf.model({ inputs: [x, label.input], outputs: logit, name: o.name });
    }
    let labelMap: tf.SymbolicTensor;
    let extra: number;
    if (o.labelProjection === "tile") {
      extra = label.vector.shape[1] as number;
      // [batch, k] -> [batch, H*W, k] -> [batch, H, W, k]
      labelMap = tf.layers.repeatVector({ n: h * w, name: "label_tile" })
        .apply(label.vector) as tf.SymbolicTensor;
    } else if (o.labelProjection === "dense") {
      extra = 1;
      // [batch, k] -> [batch, H*W] -> [batch, H, W, 1]
      labelMap = tf.layers.dense({
        units: h * w,
        kernelInitializer: inits.kernel(),
        name: "label_dense",
      })
        .apply(label.vector) as tf.SymbolicTensor;
    } else {
      throw new Error(
        `Cannot build discriminator: labelProjection must be "tile", "dense" or "projection", ` +
          `got ${o.labelProjection}`,
      );
    }
    labelMap = tf.layers.reshape({ targetShape: [h, w, extra], name: "label_map" })
      .apply(labelMap) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ axis: -1, name: "image_and_label" })
      .apply([x, labelMap]) as tf.SymbolicTensor;
    features = dcganDiscriminatorFeatures(joined, { ...o, imageShape: [h, w, c + extra], inits });
  }
  const logit = tf.layers.dense({ units: 1, kernelInitializer: inits.kernel(), name: "logit" })
    .apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: [x, label.input], outputs: logit, name: o.name });
}

/**
 * The projection discriminator's head (Miyato and Koyama 2018): `psi(phi) + <V y, phi>`, a
 * label-free score plus the inner product of the features with a learned per-class template.
 */
function projectionHead(
  features: tf.SymbolicTensor,
  labelVector: tf.SymbolicTensor,
  inits: Initializers,
): tf.SymbolicTensor {
  const size = features.shape[1] as number;
  // psi(phi): [batch, features] -> [batch, 1]
  const unconditional = tf.layers.dense({
    units: 1,
    kernelInitializer: inits.kernel(),
    name: "logit",
  }).apply(features) as tf.SymbolicTensor;
  // V y: [batch, labelDim] -> [batch, features] (one template row per class for one-hot y)
  const template = tf.layers.dense({
    units: size,
    useBias: false,
    kernelInitializer: inits.kernel(),
    name: "label_projection",
  }).apply(labelVector) as tf.SymbolicTensor;
  // <V y, phi>: [batch, features] . [batch, features] -> [batch, 1]
  const match = tf.layers.dot({ axes: 1, name: "label_match" })
    .apply([features, template]) as tf.SymbolicTensor;
  return tf.layers.add({ name: "projection_logit" }).apply([
    unconditional,
    match,
  ]) as tf.SymbolicTensor;
}

function checkArchitecture(architecture: string): void {
  if (architecture !== "dcgan") {
    throw new Error(
      `Cannot build conditional model: architecture must be "dcgan" or "mlp", got ${architecture}`,
    );
  }
}
