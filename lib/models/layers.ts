/**
 * Custom Keras layers of the CycleGAN family, registered with `tf.serialization` so models that use
 * them save to and load from `model.json`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode InstanceNormalization}. */
export interface InstanceNormalizationArgs {
  /** Added to the variance. Default 1e-5. */
  epsilon?: number;
  /** Learn a per-channel offset beta. Default `true`. */
  center?: boolean;
  /** Learn a per-channel scale gamma. Default `true`. */
  scale?: boolean;
  /** Layer name. Default: generated. */
  name?: string;
}

function firstShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

function firstTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/**
 * Instance normalisation (Ulyanov et al. 2016): each image's channels are normalised over their own
 * height and width, `[batch, H, W, C] -> [batch, H, W, C]`, then scaled and shifted per channel. It
 * behaves the same in training and inference, and no sample sees the others (unlike batch norm).
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { InstanceNormalization } from "./layers.ts";
 * const y = new InstanceNormalization().apply(tf.randomNormal([2, 4, 4, 3], 5, 2)) as tf.Tensor;
 * assert(y.mean([1, 2]).abs().max().dataSync()[0] < 1e-4);
 * ```
 */
export class InstanceNormalization extends tf.layers.Layer {
  /** Name under which the class is registered for serialization. */
  static className = "InstanceNormalization";
  /** Added to the variance. */
  readonly epsilon: number;
  /** Whether beta is learned. */
  readonly center: boolean;
  /** Whether gamma is learned. */
  readonly scale: boolean;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(args: InstanceNormalizationArgs = {}) {
    super({ name: args.name });
    this.epsilon = args.epsilon ?? 1e-5;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = firstShape(inputShape);
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || channels === null) {
      throw new Error(
        `Cannot build InstanceNormalization: input must be [batch, H, W, C], got [${shape}]`,
      );
    }
    if (this.scale) {
      this.gamma = this.addWeight("gamma", [channels], "float32", tf.initializers.ones());
    }
    if (this.center) {
      this.beta = this.addWeight("beta", [channels], "float32", tf.initializers.zeros());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs);
      // per image and channel: mean and variance over [H, W] -> [batch, 1, 1, C]
      const { mean, variance } = tf.moments(x, [1, 2], true);
      let y = x.sub(mean).mul(tf.rsqrt(variance.add(this.epsilon)));
      if (this.gamma) y = y.mul(this.gamma.read());
      if (this.beta) y = y.add(this.beta.read());
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
    };
  }
}

/** Options of {@linkcode ReflectionPadding2D}. */
export interface ReflectionPadding2DArgs {
  /** Rows and columns added on each side: one number, or `[rows, columns]`. Default 1. */
  padding?: number | [number, number];
  /** Layer name. Default: generated. */
  name?: string;
}

/**
 * Reflection padding, `[batch, H, W, C] -> [batch, H + 2p, W + 2q, C]`: the border mirrors the image
 * (without repeating the edge), so convolutions see no artificial black frame. Its gradient is
 * exact once `initBackend()` has registered the course's MirrorPad gradient (tfjs' own drops the
 * border's contribution).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ReflectionPadding2D } from "./layers.ts";
 * const x = tf.tensor4d([1, 2, 3], [1, 1, 3, 1]);
 * const y = new ReflectionPadding2D({ padding: [0, 1] }).apply(x) as tf.Tensor;
 * assertEquals(Array.from(y.dataSync()), [2, 1, 2, 3, 2]);
 * ```
 */
export class ReflectionPadding2D extends tf.layers.Layer {
  /** Name under which the class is registered for serialization. */
  static className = "ReflectionPadding2D";
  /** Rows and columns added on each side. */
  readonly padding: [number, number];

  constructor(args: ReflectionPadding2DArgs = {}) {
    super({ name: args.name });
    const p = args.padding ?? 1;
    this.padding = typeof p === "number" ? [p, p] : [p[0], p[1]];
    for (const v of this.padding) {
      if (!Number.isInteger(v) || v < 0) {
        throw new Error(
          `Cannot build ReflectionPadding2D: padding must be non-negative integers, got ${p}`,
        );
      }
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, h, w, c] = firstShape(inputShape);
    const [p, q] = this.padding;
    return [batch, h === null ? null : h + 2 * p, w === null ? null : w + 2 * q, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs) as tf.Tensor4D;
      const [p, q] = this.padding;
      if (p >= x.shape[1] || q >= x.shape[2]) {
        throw new Error(
          `Cannot reflect-pad: padding [${this.padding}] must be smaller than the image ` +
            `(${x.shape[1]}x${x.shape[2]})`,
        );
      }
      return tf.mirrorPad(x, [[0, 0], [p, p], [q, q], [0, 0]], "reflect");
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

tf.serialization.registerClass(InstanceNormalization);
tf.serialization.registerClass(ReflectionPadding2D);
