/**
 * Packing (PacGAN, Lin et al. 2018): the discriminator judges `packSize` samples at once, all real
 * or all fake, concatenated into one input. A collapsed generator's packs hold near-copies, which
 * real packs never do, so the discriminator can tell them apart and collapse costs the generator.
 *
 * `PackSamples` is a Keras layer `[batch, features] -> [batch / packSize, packSize * features]`
 * that concatenates consecutive samples; `buildPackedMlpDiscriminator` puts it in front of an MLP.
 * A batch must hold a multiple of `packSize` samples.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkPositiveInt } from "../core/checks.ts";
import { makeInitializers, type WeightInit } from "./init.ts";
import { type MlpActivation, mlpBody } from "./mlp.ts";

/** Options of {@linkcode PackSamples}. */
export interface PackSamplesArgs {
  /** Samples per pack, m. PacGAN's experiments use 2 to 4. */
  packSize: number;
  /** Layer name. Default: generated. */
  name?: string;
}

/**
 * Keras layer: `[batch, features] -> [batch / packSize, packSize * features]`; row `k` of the
 * output is samples `k * packSize, ..., k * packSize + packSize - 1` side by side. It has no
 * weights. Registered with `tf.serialization`, so models that use it save and load.
 *
 * @example Six 2-D points become three packs of two
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { PackSamples } from "./packing.ts";
 * const points = tf.tensor2d([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]);
 * const packs = new PackSamples({ packSize: 2 }).apply(points) as tf.Tensor;
 * assertEquals(packs.arraySync(), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
 * ```
 */
export class PackSamples extends tf.layers.Layer {
  /** Name under which the class is registered for serialization. */
  static className = "PackSamples";
  /** Samples per pack. */
  readonly packSize: number;

  constructor(args: PackSamplesArgs) {
    super({ name: args?.name });
    checkPositiveInt("build PackSamples", "packSize", args?.packSize);
    this.packSize = args.packSize;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 2 || shape[1] === null) {
      throw new Error(
        `Cannot build PackSamples: input must be [batch, features], got [${shape}]; ` +
          "add a Flatten layer before it",
      );
    }
    const batch = shape[0] === null ? null : shape[0] / this.packSize;
    return [batch, (shape[1] as number) * this.packSize];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
    const [batch, features] = x.shape;
    if (batch % this.packSize !== 0) {
      throw new Error(
        `Cannot pack samples: the batch (${batch}) must be a multiple of packSize ` +
          `(${this.packSize}); use a batch size divisible by ${this.packSize}`,
      );
    }
    // [batch, features] -> [batch / m, m * features]: consecutive rows side by side
    return tf.reshape(x, [batch / this.packSize, this.packSize * features]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), packSize: this.packSize };
  }
}

tf.serialization.registerClass(PackSamples);

/** Options of {@linkcode buildPackedMlpDiscriminator}. */
export interface PackedMlpDiscriminatorOptions {
  /** Samples per pack, m. Default 4 (PacGAN4). */
  packSize?: number;
  /** Size of one sample. Default 2. */
  inputDim?: number;
  /** Units of each hidden layer. Default `[128, 128, 128]`. */
  hidden?: number[];
  /** Hidden activation. Default `"leakyRelu"` (slope 0.2). */
  activation?: MlpActivation;
  /** Kernel initialisation. Default `"glorot"`. */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"packed_mlp_discriminator"`. */
  name?: string;
}

const PACKED_DEFAULTS = {
  packSize: 4,
  inputDim: 2,
  hidden: [128, 128, 128],
  activation: "leakyRelu" as MlpActivation,
  init: "glorot" as WeightInit,
  name: "packed_mlp_discriminator",
};

/**
 * Build PacGAN's discriminator: `[batch, inputDim] -> [batch / packSize, 1]` logits, one per pack.
 * Its first layer sees `packSize * inputDim` numbers; the rest is the MLP discriminator. The usual
 * losses apply unchanged: they average over however many logits they get.
 *
 * @example Eight points, four packs of two, one logit each
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildPackedMlpDiscriminator } from "./packing.ts";
 * const discriminator = buildPackedMlpDiscriminator({ packSize: 2, hidden: [8], seed: 1 });
 * const logits = discriminator.predict(tf.randomNormal([8, 2])) as tf.Tensor;
 * assertEquals(logits.shape, [4, 1]);
 * ```
 */
export function buildPackedMlpDiscriminator(
  options: PackedMlpDiscriminatorOptions = {},
): tf.LayersModel {
  const o = { ...PACKED_DEFAULTS, ...options };
  checkPositiveInt("build discriminator", "packSize", o.packSize);
  checkPositiveInt("build discriminator", "inputDim", o.inputDim);
  const inits = makeInitializers(o.init, o.seed);
  const x = tf.input({ shape: [o.inputDim], name: "x" }); // [batch, inputDim]
  // [batch, inputDim] -> [batch / m, m * inputDim]
  const packs = new PackSamples({ packSize: o.packSize, name: "pack" }).apply(
    x,
  ) as tf.SymbolicTensor;
  let h = mlpBody(packs, o.hidden, o.activation, inits.kernel, "discriminator");
  // [batch / m, hidden] -> [batch / m, 1] logits
  h = tf.layers.dense({ units: 1, kernelInitializer: inits.kernel(), name: "logit" })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: h, name: o.name });
}
