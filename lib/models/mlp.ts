/**
 * Multi-layer perceptrons for the 1-D and 2-D toy distributions (8 Gaussians on a ring, 25 on a grid,
 * Swiss roll, parallel lines): small enough to train in seconds on a CPU, big enough to show mode
 * collapse and its cures.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { makeInitializers, type WeightInit } from "./init.ts";
import { appendMinibatchFeatures, type MinibatchOptions } from "./minibatch_discrimination.ts";
import { checkPositiveInt } from "../core/checks.ts";

/** A hidden-layer activation of the MLPs. */
export type MlpActivation = "relu" | "leakyRelu" | "tanh";

/** Options of {@linkcode buildMlpGenerator}. */
export interface MlpGeneratorOptions {
  /** Size of z ~ N(0, I). Default 2 (as in the WGAN-GP toy experiments). */
  latentDim?: number;
  /** Size of a sample: 1 or 2 for the toys. Default 2. */
  outputDim?: number;
  /** Units of each hidden layer. Default `[128, 128, 128]`. */
  hidden?: number[];
  /** Hidden activation. Default `"relu"`. */
  activation?: MlpActivation;
  /** Kernel initialisation. Default `"glorot"`. */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"mlp_generator"`. */
  name?: string;
}

/** Minibatch discrimination in an MLP discriminator: the layer's options and where it sits. */
export interface MlpMinibatchOptions extends MinibatchOptions {
  /**
   * The number of hidden layers before the layer (0: on the input itself); the rest follow it and
   * see its features. Default: all of them (the layer sits right before the output, as in Salimans
   * et al.).
   */
  afterLayer?: number;
}

/** Options of {@linkcode buildMlpDiscriminator}. */
export interface MlpDiscriminatorOptions {
  /** Size of a sample. Default 2. */
  inputDim?: number;
  /** Units of each hidden layer. Default `[128, 128, 128]`. */
  hidden?: number[];
  /** Hidden activation. Default `"leakyRelu"` (slope 0.2). */
  activation?: MlpActivation;
  /**
   * Minibatch discrimination before the output layer (Salimans et al. 2016): `false`, or the
   * number of kernels B and their length C. Default `false`.
   */
  minibatch?: false | MlpMinibatchOptions;
  /** Kernel initialisation. Default `"glorot"`. */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"mlp_discriminator"`. */
  name?: string;
}

const GENERATOR_DEFAULTS: Required<Omit<MlpGeneratorOptions, "seed">> = {
  latentDim: 2,
  outputDim: 2,
  hidden: [128, 128, 128],
  activation: "relu",
  init: "glorot",
  name: "mlp_generator",
};

const DISCRIMINATOR_DEFAULTS: Required<Omit<MlpDiscriminatorOptions, "seed">> = {
  inputDim: 2,
  hidden: [128, 128, 128],
  activation: "leakyRelu",
  minibatch: false,
  init: "glorot",
  name: "mlp_discriminator",
};

/**
 * Build a fully connected generator: `[batch, latentDim] -> [batch, outputDim]`, hidden layers with
 * the chosen activation and a linear output (toy data is not bounded).
 *
 * @example A 2-D toy generator
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildMlpGenerator } from "./mlp.ts";
 * const generator = buildMlpGenerator({ latentDim: 2, hidden: [16, 16], seed: 0 });
 * const samples = generator.predict(tf.randomNormal([8, 2])) as tf.Tensor;
 * assertEquals(samples.shape, [8, 2]);
 * ```
 */
export function buildMlpGenerator(options: MlpGeneratorOptions = {}): tf.LayersModel {
  const o = { ...GENERATOR_DEFAULTS, ...options };
  checkPositiveInt("build generator", "latentDim", o.latentDim);
  checkPositiveInt("build generator", "outputDim", o.outputDim);
  const inits = makeInitializers(o.init, o.seed);
  const z = tf.input({ shape: [o.latentDim], name: "z" }); // [batch, latentDim]
  let h = mlpBody(z, o.hidden, o.activation, inits.kernel, "generator");
  // [batch, hidden] -> [batch, outputDim]
  h = tf.layers.dense({ units: o.outputDim, kernelInitializer: inits.kernel(), name: "output" })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: h, name: o.name });
}

/**
 * Build a fully connected discriminator (or critic): `[batch, inputDim] -> [batch, 1]` logits (no
 * sigmoid; the losses take logits). With `minibatch`, a `MinibatchDiscrimination` layer sits
 * between the last hidden layer and the output, or after hidden layer `minibatch.afterLayer`.
 *
 * @example A 2-D toy discriminator with minibatch discrimination
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildMlpDiscriminator } from "./mlp.ts";
 * const discriminator = buildMlpDiscriminator({
 *   hidden: [16, 16],
 *   minibatch: { numKernels: 4, kernelDim: 3 },
 *   seed: 0,
 * });
 * const logits = discriminator.predict(tf.randomNormal([8, 2])) as tf.Tensor;
 * assertEquals(logits.shape, [8, 1]);
 * ```
 *
 * @example The layer after the first hidden layer: the second one sees its 4 features
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildMlpDiscriminator } from "./mlp.ts";
 * const discriminator = buildMlpDiscriminator({
 *   hidden: [16, 16],
 *   minibatch: { numKernels: 4, kernelDim: 3, afterLayer: 1 },
 * });
 * assertEquals(discriminator.getLayer("dense_1").getWeights()[0].shape, [16 + 4, 16]);
 * ```
 */
export function buildMlpDiscriminator(options: MlpDiscriminatorOptions = {}): tf.LayersModel {
  const o = { ...DISCRIMINATOR_DEFAULTS, ...options };
  checkPositiveInt("build discriminator", "inputDim", o.inputDim);
  const inits = makeInitializers(o.init, o.seed);
  const x = tf.input({ shape: [o.inputDim], name: "x" }); // [batch, inputDim]
  const { afterLayer = o.hidden.length, ...minibatch } = o.minibatch || {};
  if (
    o.minibatch &&
    !(Number.isInteger(afterLayer) && afterLayer >= 0 && afterLayer <= o.hidden.length)
  ) {
    throw new Error(
      `Cannot build discriminator: minibatch.afterLayer must be an integer from 0 to ` +
        `${o.hidden.length} (the number of hidden layers), got ${afterLayer}`,
    );
  }
  let h = mlpBody(x, o.hidden.slice(0, afterLayer), o.activation, inits.kernel, "discriminator");
  if (o.minibatch) {
    // [batch, hidden] -> [batch, hidden + numKernels]
    h = appendMinibatchFeatures(h, minibatch as MinibatchOptions, o.seed);
    // the hidden layers after it see the features and their closeness to the batch
    h = mlpBody(
      h,
      o.hidden.slice(afterLayer),
      o.activation,
      inits.kernel,
      "discriminator",
      afterLayer,
    );
  }
  // [batch, features] -> [batch, 1] logits
  h = tf.layers.dense({ units: 1, kernelInitializer: inits.kernel(), name: "logit" })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: h, name: o.name });
}

/**
 * The hidden stack shared by the MLP builders (and the conditional toy models): Dense + activation
 * for each entry of `hidden`, `[batch, in] -> [batch, hidden.at(-1)]`.
 *
 * @param input The symbolic input.
 * @param hidden Units of each hidden layer.
 * @param activation Hidden activation.
 * @param kernel Factory of kernel initialisers (from `makeInitializers`).
 * @param what Which model is built, for error messages.
 * @param firstIndex Index of the first layer in the layer names (`dense_i`): for a stack that
 *   continues another.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { mlpBody } from "./mlp.ts";
 * import { makeInitializers } from "./init.ts";
 * const h = mlpBody(tf.input({ shape: [3] }), [8], "relu", makeInitializers().kernel);
 * assertEquals(h.shape, [null, 8]);
 * ```
 */
export function mlpBody(
  input: tf.SymbolicTensor,
  hidden: number[],
  activation: MlpActivation,
  kernel: () => ReturnType<typeof tf.initializers.ones>,
  what = "model",
  firstIndex = 0,
): tf.SymbolicTensor {
  let h = input;
  hidden.forEach((units, j) => {
    const i = firstIndex + j;
    checkPositiveInt(`build ${what}`, `hidden[${i}]`, units);
    h = tf.layers.dense({ units, kernelInitializer: kernel(), name: `dense_${i}` })
      .apply(h) as tf.SymbolicTensor;
    h = activationLayer(activation, `${activation}_${i}`).apply(h) as tf.SymbolicTensor;
  });
  return h;
}

function activationLayer(activation: MlpActivation, name: string): tf.layers.Layer {
  switch (activation) {
    case "relu":
      return tf.layers.reLU({ name });
    case "leakyRelu":
      return tf.layers.leakyReLU({ alpha: 0.2, name });
    case "tanh":
      return tf.layers.activation({ activation: "tanh", name });
    default:
      throw new Error(
        `Cannot build model: activation must be "relu", "leakyRelu" or "tanh", got ${activation}`,
      );
  }
}
