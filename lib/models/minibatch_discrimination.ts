/**
 * Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs").
 *
 * A collapsed generator produces near-identical samples. This layer lets the discriminator see how
 * close each sample is to the others in its batch: features f(x_i) in R^A are multiplied by a learned
 * tensor T in R^{A x B x C} into B rows M_i,b in R^C, and for each row b the layer appends
 * o(x_i)_b = sum_{j != i} exp(-||M_i,b - M_j,b||_1). (The paper's formula sums over every j, the
 * sample itself included; that term is exp(0) = 1 for every sample, so leaving it out changes
 * nothing D can learn, and o is 0 for a sample unlike all others. The authors' code leaves it out
 * too.) T starts small, N(0, 0.05^2) by default (`initStddev`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tfSeed } from "../core/random.ts";

/** Options of {@linkcode MinibatchDiscrimination}. */
export interface MinibatchDiscriminationArgs {
  /** B, the number of similarity features appended. Default 16. */
  numKernels?: number;
  /** C, the length of each projected row compared in L1. Default 8. */
  kernelDim?: number;
  /**
   * Standard deviation of T's N(0, s) initialisation: the scale of the L1 distances at the start,
   * so how close two samples must be to count as alike. Default 0.05 (Salimans et al.'s code).
   */
  initStddev?: number;
  /** Seed of T's initialisation. Default: unseeded. */
  seed?: number;
  /** Layer name. Default: generated. */
  name?: string;
  /** Whether T is trained. Default `true`. */
  trainable?: boolean;
}

/** The `minibatch` option of the discriminator builders: B kernels of length C, T's scale. */
export interface MinibatchOptions {
  /** B, the number of similarity features appended. */
  numKernels: number;
  /** C, the length of each projected row compared in L1. */
  kernelDim: number;
  /** Standard deviation of T's initialisation. Default 0.05. */
  initStddev?: number;
}

const DEFAULTS = { numKernels: 16, kernelDim: 8, initStddev: 0.05 };

/**
 * Keras layer: `[batch, A] -> [batch, A + numKernels]`, the input followed by its closeness to the
 * rest of the batch. Registered with `tf.serialization`, so models that use it save and load.
 *
 * @example Append 4 batch-similarity features; 5 identical samples are each 4 times "close"
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { MinibatchDiscrimination } from "./minibatch_discrimination.ts";
 * const layer = new MinibatchDiscrimination({ numKernels: 4, kernelDim: 3, seed: 1 });
 * const y = layer.apply(tf.ones([5, 10])) as tf.Tensor;
 * assertEquals(y.shape, [5, 14]);
 * // Identical samples: distance 0 to each of the 4 others, exp(0) = 1 each, no self term.
 * assertEquals(Array.from(y.slice([0, 10], [1, 4]).dataSync()), [4, 4, 4, 4]);
 * ```
 */
export class MinibatchDiscrimination extends tf.layers.Layer {
  /** Name under which the class is registered for serialization. */
  static className = "MinibatchDiscrimination";
  /** B, the number of similarity features appended. */
  readonly numKernels: number;
  /** C, the length of each projected row. */
  readonly kernelDim: number;
  /** Standard deviation of T's initialisation. */
  readonly initStddev: number;
  /** Seed of T's initialisation, if any. */
  readonly seed?: number;
  private projection?: tf.LayerVariable;

  constructor(args: MinibatchDiscriminationArgs = {}) {
    super({ name: args.name, trainable: args.trainable ?? true });
    const { numKernels, kernelDim, initStddev } = { ...DEFAULTS, ...args };
    for (const [key, value] of [["numKernels", numKernels], ["kernelDim", kernelDim]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new Error(
          `Cannot build MinibatchDiscrimination: ${key} must be a positive integer, got ${value}`,
        );
      }
    }
    if (!(initStddev > 0 && Number.isFinite(initStddev))) {
      throw new Error(
        `Cannot build MinibatchDiscrimination: initStddev must be a positive number, got ${initStddev}`,
      );
    }
    this.numKernels = numKernels;
    this.kernelDim = kernelDim;
    this.initStddev = initStddev;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 2 || shape[1] === null) {
      throw new Error(
        `Cannot build MinibatchDiscrimination: input must be [batch, features], got [${shape}]; ` +
          "add a Flatten layer before it",
      );
    }
    this.projection = this.addWeight(
      "T",
      [shape[1] as number, this.numKernels * this.kernelDim],
      "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: this.initStddev, seed: tfSeed(this.seed) }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], (shape[1] as number) + this.numKernels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const t = this.projection!.read() as tf.Tensor2D;
      // #region minibatchDiscrimination
      // [batch, A] x [A, B*C] -> [batch, B, C]
      const m = tf.matMul(x, t).reshape([-1, this.numKernels, this.kernelDim]);
      // [batch, 1, B, C] - [1, batch, B, C] -> L1 over C -> [batch, batch, B]
      const l1 = tf.abs(tf.sub(m.expandDims(1), m.expandDims(0))).sum(3);
      // sum over the other samples j != i (the self term is exp(0) = 1) -> [batch, B]
      const closeness = tf.sub(tf.exp(tf.neg(l1)).sum(1), 1);
      return tf.concat([x, closeness], 1);
      // #endregion
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      numKernels: this.numKernels,
      kernelDim: this.kernelDim,
      initStddev: this.initStddev,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}

tf.serialization.registerClass(MinibatchDiscrimination);

/**
 * Append minibatch-discrimination features to a discriminator's features, as the MLP and DCGAN
 * builders do with their `minibatch` option: `[batch, features] -> [batch, features + numKernels]`.
 * The layer is seeded with `seed + 1000` so it does not repeat the dense layers' initial weights.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { appendMinibatchFeatures } from "./minibatch_discrimination.ts";
 * const x = tf.input({ shape: [8] });
 * const h = appendMinibatchFeatures(x, { numKernels: 4, kernelDim: 3 }, 0);
 * assertEquals(h.shape, [null, 12]);
 * ```
 */
export function appendMinibatchFeatures(
  features: tf.SymbolicTensor,
  minibatch: MinibatchOptions,
  seed: number | undefined,
): tf.SymbolicTensor {
  return new MinibatchDiscrimination({
    ...minibatch,
    seed: seed === undefined ? undefined : seed + 1000,
    name: "minibatch_discrimination",
  }).apply(features) as tf.SymbolicTensor;
}
