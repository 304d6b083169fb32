/**
 * pix2pix's U-Net generator (Isola et al. 2017; Ronneberger et al. 2015): an encoder-decoder whose
 * decoder level `i` also receives the encoder's feature map of the same size (a skip connection,
 * concatenated on the channel axis), so fine detail such as the position of an edge does not have
 * to squeeze through the bottleneck.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkImageShape, checkPositiveInt } from "../core/checks.ts";
import { scaleChannels } from "./channels.ts";
import { makeInitializers, type WeightInit } from "./init.ts";
import { LEAKY_SLOPE } from "./dcgan_nets.ts";

/** Options of {@linkcode buildUnetGenerator}. */
export interface UnetGeneratorOptions {
  /** Input `[height, width, channels]`; height and width divisible by 2^depth. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Channels of the output image. Default: the input's. */
  outputChannels?: number;
  /** Filters of the first convolution (ngf); doubled at each level up to 8 x filters. Default 64. */
  filters?: number;
  /**
   * Stride-2 downsamplings (and as many upsamplings). Default: as many as height and width allow,
   * up to 8 (the paper's U-Net for 256x256 images has 8; 28x28 digits allow 2).
   */
  depth?: number;
  /** Multiplier of every channel count. Default 1. */
  width?: number;
  /** Skip connections from each encoder level to the decoder level of its size. Default `true`. */
  skipConnections?: boolean;
  /**
   * Dropout after the first (innermost) up to three decoder levels; the paper's only source of
   * randomness (0.5), active in training only. Default 0.
   */
  dropout?: number;
  /** Kernel initialisation. Default `"dcgan"` (N(0, 0.02), as the paper's code). */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"unet_generator"`. */
  name?: string;
}

const DEFAULTS = {
  imageShape: [28, 28, 1] as [number, number, number],
  filters: 64,
  width: 1,
  skipConnections: true,
  dropout: 0,
  init: "dcgan" as WeightInit,
  name: "unet_generator",
};

/**
 * The largest U-Net depth (up to 8) for which both sides of an image halve exactly at every level.
 *
 * @example 28x28 digits allow two downsamplings (28 -> 14 -> 7), 256x256 photos eight
 * ```ts
 * import { maxUnetDepth } from "./unet.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([maxUnetDepth(28, 28), maxUnetDepth(256, 256), maxUnetDepth(32, 24)], [2, 8, 3]);
 * ```
 */
export function maxUnetDepth(height: number, width: number): number {
  let depth = 0;
  while (depth < 8 && height % 2 ** (depth + 1) === 0 && width % 2 ** (depth + 1) === 0) depth++;
  return depth;
}

/**
 * Build a U-Net generator, `[batch, H, W, C] -> [batch, H, W, outputChannels]` in [-1, 1] (tanh).
 *
 * Encoder level i (0..depth-1): conv 4x4 stride 2 to `filters * min(2^i, 8)` channels, batch norm
 * (not on the outermost and innermost levels, as in the paper's code), LeakyReLU 0.2. Decoder level
 * i (depth-1..1): transposed conv 4x4 stride 2 to `filters * min(2^(i-1), 8)` channels, batch norm,
 * dropout on the innermost three, ReLU, then the skip connection `concatenate([decoded, encoder
 * level i-1])` (named `skip_<i-1>`). The last transposed conv maps to the output image with tanh.
 *
 * @example A narrow U-Net for 28x28 digits: one skip connection at 14x14
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildUnetGenerator } from "./unet.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const generator = buildUnetGenerator({ filters: 8, seed: 1 });
 * const y = generator.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor;
 * assertEquals(y.shape, [2, 28, 28, 1]);
 * assertEquals(generator.layers.filter((l) => l.name.startsWith("skip_")).map((l) => l.outputShape), [
 *   [null, 14, 14, 16],
 * ]);
 * generator.dispose();
 * ```
 */
export function buildUnetGenerator(options: UnetGeneratorOptions = {}): tf.LayersModel {
  const o = { ...DEFAULTS, ...options };
  const [height, width, channels] = checkImageShape("build U-Net generator", o.imageShape);
  const outputChannels = o.outputChannels ?? channels;
  checkPositiveInt("build U-Net generator", "outputChannels", outputChannels);
  checkPositiveInt("build U-Net generator", "filters", o.filters);
  const depth = o.depth ?? maxUnetDepth(height, width);
  checkPositiveInt("build U-Net generator", "depth", depth);
  const factor = 2 ** depth;
  if (height % factor !== 0 || width % factor !== 0) {
    throw new Error(
      `Cannot build U-Net generator: image size ${height}x${width} must be divisible by 2^depth = ` +
        `${factor}; use depth ${maxUnetDepth(height, width)} or less`,
    );
  }
  if (!(o.dropout >= 0 && o.dropout < 1)) {
    throw new Error(`Cannot build U-Net generator: dropout must be in [0, 1), got ${o.dropout}`);
  }
  const inits = makeInitializers(o.init, o.seed);
  const channelsAt = (level: number) => scaleChannels(o.filters * Math.min(2 ** level, 8), o.width);
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
    layer.apply(x) as tf.SymbolicTensor;
  const batchNorm = (x: tf.SymbolicTensor, name: string) =>
    apply(tf.layers.batchNormalization({ gammaInitializer: inits.gamma(), name }), x);

  const input = tf.input({ shape: [height, width, channels], name: "input_images" });
  // Encoder: [b, H, W, C] -> [b, H/2, W/2, f] -> ... -> [b, H/2^depth, W/2^depth, min(2^(depth-1), 8) f]
  const encoded: tf.SymbolicTensor[] = [];
  let h = input;
  for (let i = 0; i < depth; i++) {
    const normalized = i > 0 && i < depth - 1;
    h = apply(
      tf.layers.conv2d({
        filters: channelsAt(i),
        kernelSize: 4,
        strides: 2,
        padding: "same",
        useBias: !normalized,
        kernelInitializer: inits.kernel(),
        name: `down_${i}`,
      }),
      h,
    );
    if (normalized) h = batchNorm(h, `down_${i}_bn`);
    h = apply(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE, name: `down_${i}_act` }), h);
    encoded.push(h);
  }
  // Decoder: each level doubles the size and, with skips, concatenates the encoder's map of that size.
  for (let i = depth - 1; i >= 1; i--) {
    h = apply(
      tf.layers.conv2dTranspose({
        filters: channelsAt(i - 1),
        kernelSize: 4,
        strides: 2,
        padding: "same",
        useBias: false,
        kernelInitializer: inits.kernel(),
        name: `up_${i}`,
      }),
      h,
    );
    h = batchNorm(h, `up_${i}_bn`);
    if (o.dropout > 0 && depth - 1 - i < 3) {
      h = apply(tf.layers.dropout({ rate: o.dropout, name: `up_${i}_dropout` }), h);
    }
    h = apply(tf.layers.reLU({ name: `up_${i}_act` }), h);
    if (o.skipConnections) {
      // [b, h, w, f] + [b, h, w, f'] -> [b, h, w, f + f']
      h = apply(tf.layers.concatenate({ axis: -1, name: `skip_${i - 1}` }), [h, encoded[i - 1]]);
    }
  }
  // [b, H/2, W/2, *] -> [b, H, W, outputChannels]
  h = apply(
    tf.layers.conv2dTranspose({
      filters: outputChannels,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      activation: "tanh",
      kernelInitializer: inits.kernel(),
      name: "output_images",
    }),
    h,
  );
  return tf.model({ inputs: input, outputs: h, name: o.name });
}
