/**
 * CycleGAN (Zhu et al. 2017): a ResNet generator with reflection padding and instance norm, a
 * PatchGAN discriminator that scores overlapping patches, and the history buffer of generated images
 * the discriminator trains on.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type SeededRandom, seededRandom } from "../core/random.ts";
import { checkImageShape, checkPositiveInt } from "../core/checks.ts";
import { scaleChannels } from "./channels.ts";
import { makeInitializers, type WeightInit } from "./init.ts";
import { InstanceNormalization, ReflectionPadding2D } from "./layers.ts";
import { LEAKY_SLOPE } from "./dcgan_nets.ts";

/** Options of {@linkcode buildResnetGenerator}. */
export interface ResnetGeneratorOptions {
  /** Input `[height, width, channels]`; height and width divisible by 2^nDownsampling. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Channels of the output image. Default: the input's. */
  outputChannels?: number;
  /** Filters of the first convolution (ngf); doubled at each downsampling. Default 64. */
  filters?: number;
  /** Residual blocks at the bottleneck: 6 for 128x128 in the paper, 9 for 256x256. Default 6. */
  nBlocks?: number;
  /** Stride-2 downsampling (and upsampling) steps. Default 2. */
  nDownsampling?: number;
  /** Multiplier of every channel count. Default 1. */
  width?: number;
  /** Kernel initialisation. Default `"dcgan"` (N(0, 0.02), as the paper's code). */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"resnet_generator"`. */
  name?: string;
}

/** Options of {@linkcode buildPatchDiscriminator}. */
export interface PatchDiscriminatorOptions {
  /** Input `[height, width, channels]`. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Filters of the first convolution (ndf). Default 64. */
  filters?: number;
  /** Stride-2 convolutions (3 gives the paper's 70x70 PatchGAN). Default 3. */
  nLayers?: number;
  /** Multiplier of every channel count. Default 1. */
  width?: number;
  /** Instance norm after every convolution but the first and the last. Default `true`. */
  instanceNorm?: boolean;
  /** Kernel initialisation. Default `"dcgan"`. */
  init?: WeightInit;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
  /** Model name. Default `"patch_discriminator"`. */
  name?: string;
}

const GENERATOR_DEFAULTS = {
  imageShape: [28, 28, 1] as [number, number, number],
  filters: 64,
  nBlocks: 6,
  nDownsampling: 2,
  width: 1,
  init: "dcgan" as WeightInit,
  name: "resnet_generator",
};

const DISCRIMINATOR_DEFAULTS = {
  imageShape: [28, 28, 1] as [number, number, number],
  filters: 64,
  nLayers: 3,
  width: 1,
  instanceNorm: true,
  init: "dcgan" as WeightInit,
  name: "patch_discriminator",
};

/**
 * Build CycleGAN's ResNet generator, `[batch, H, W, C] -> [batch, H, W, outputChannels]` in [-1, 1]:
 * reflect-pad 3 + conv 7x7 -> nDownsampling x (conv 3x3 s2) -> nBlocks residual blocks (reflect-pad
 * 1, conv 3x3, IN, ReLU, reflect-pad 1, conv 3x3, IN, plus the input) -> nDownsampling x (transposed
 * conv 3x3 s2) -> reflect-pad 3 + conv 7x7 + tanh. Every hidden conv is followed by instance norm
 * and ReLU.
 *
 * @example A small generator for 28x28 digits
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildResnetGenerator } from "./resnet_patchgan.ts";
 * const generator = buildResnetGenerator({ filters: 8, nBlocks: 2, imageShape: [28, 28, 1], outputChannels: 3 });
 * const y = generator.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor;
 * assertEquals(y.shape, [1, 28, 28, 3]);
 * ```
 */
export function buildResnetGenerator(options: ResnetGeneratorOptions = {}): tf.LayersModel {
  const o = { ...GENERATOR_DEFAULTS, ...options };
  const [height, width, channels] = checkImageShape("build generator", o.imageShape);
  const outputChannels = o.outputChannels ?? channels;
  checkPositiveInt("build generator", "outputChannels", outputChannels);
  checkPositiveInt("build generator", "filters", o.filters);
  checkPositiveInt("build generator", "nBlocks", o.nBlocks);
  if (!Number.isInteger(o.nDownsampling) || o.nDownsampling < 0) {
    throw new Error(
      `Cannot build generator: nDownsampling must be a non-negative integer, got ${o.nDownsampling}`,
    );
  }
  const factor = 2 ** o.nDownsampling;
  if (height % factor !== 0 || width % factor !== 0) {
    throw new Error(
      `Cannot build generator: image size ${height}x${width} must be divisible by 2^nDownsampling ` +
        `= ${factor}; lower nDownsampling`,
    );
  }
  const inits = makeInitializers(o.init, o.seed);
  const ngf = scaleChannels(o.filters, o.width);
  let layerIndex = 0;
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) =>
    layer.apply(x) as tf.SymbolicTensor;
  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    kernelSize: number,
    strides: number,
    padding: "same" | "valid",
    transpose = false,
  ) => {
    const args = {
      filters,
      kernelSize,
      strides,
      padding,
      useBias: false, // instance norm's beta follows
      kernelInitializer: inits.kernel(),
      name: `${transpose ? "deconv" : "conv"}_${layerIndex++}`,
    };
    return apply(transpose ? tf.layers.conv2dTranspose(args) : tf.layers.conv2d(args), x);
  };
  const normRelu = (x: tf.SymbolicTensor, relu = true) => {
    const y = apply(new InstanceNormalization({ name: `in_${layerIndex}` }), x);
    return relu ? apply(tf.layers.reLU({ name: `relu_${layerIndex}` }), y) : y;
  };
  const pad = (x: tf.SymbolicTensor, p: number) =>
    apply(new ReflectionPadding2D({ padding: p, name: `reflect_${layerIndex}_${p}` }), x);

  const input = tf.input({ shape: [height, width, channels], name: "images" });
  // [b, H, W, C] -> [b, H+6, W+6, C] -> [b, H, W, ngf]
  let h = normRelu(conv(pad(input, 3), ngf, 7, 1, "valid"));
  // each step: [b, h, w, f] -> [b, h/2, w/2, 2f]
  for (let i = 1; i <= o.nDownsampling; i++) {
    h = normRelu(conv(h, ngf * 2 ** i, 3, 2, "same"));
  }
  const bottleneck = ngf * factor;
  for (let block = 0; block < o.nBlocks; block++) {
    // [b, h, w, f] -> [b, h, w, f], plus the skip connection
    let r = normRelu(conv(pad(h, 1), bottleneck, 3, 1, "valid"));
    r = normRelu(conv(pad(r, 1), bottleneck, 3, 1, "valid"), false);
    h = apply(tf.layers.add({ name: `residual_${block}` }), [h, r] as unknown as tf.SymbolicTensor);
  }
  // each step: [b, h, w, f] -> [b, 2h, 2w, f/2]
  for (let i = o.nDownsampling - 1; i >= 0; i--) {
    h = normRelu(conv(h, ngf * 2 ** i, 3, 2, "same", true));
  }
  // [b, H, W, ngf] -> [b, H+6, W+6, ngf] -> [b, H, W, outputChannels]
  h = apply(
    tf.layers.conv2d({
      filters: outputChannels,
      kernelSize: 7,
      padding: "valid",
      activation: "tanh",
      kernelInitializer: inits.kernel(),
      name: "image",
    }),
    pad(h, 3),
  );
  return tf.model({ inputs: input, outputs: h, name: o.name });
}

/**
 * Build a PatchGAN discriminator, `[batch, H, W, C] -> [batch, h, w, 1]` logits, one per overlapping
 * patch: conv 4x4 s2 + LeakyReLU, then (nLayers - 1) x (conv 4x4 s2 + IN + LeakyReLU), one conv 4x4 s1
 * + IN + LeakyReLU, and a conv 4x4 s1 to one channel. Channels double up to 8 x filters. With "same"
 * padding, h = ceil(H / 2^nLayers) (28x28 -> 4x4 patches at nLayers 3).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { buildPatchDiscriminator } from "./resnet_patchgan.ts";
 * const discriminator = buildPatchDiscriminator({ filters: 8, imageShape: [28, 28, 3] });
 * const logits = discriminator.predict(tf.zeros([2, 28, 28, 3])) as tf.Tensor;
 * assertEquals(logits.shape, [2, 4, 4, 1]);
 * ```
 */
export function buildPatchDiscriminator(options: PatchDiscriminatorOptions = {}): tf.LayersModel {
  const o = { ...DISCRIMINATOR_DEFAULTS, ...options };
  const shape = checkImageShape("build discriminator", o.imageShape);
  checkPositiveInt("build discriminator", "filters", o.filters);
  checkPositiveInt("build discriminator", "nLayers", o.nLayers);
  const inits = makeInitializers(o.init, o.seed);
  const ndf = scaleChannels(o.filters, o.width);
  const input = tf.input({ shape, name: "images" });
  let h = input;
  const block = (filters: number, strides: number, norm: boolean, i: number) => {
    h = tf.layers.conv2d({
      filters,
      kernelSize: 4,
      strides,
      padding: "same",
      useBias: !norm,
      kernelInitializer: inits.kernel(),
      name: `conv_${i}`,
    }).apply(h) as tf.SymbolicTensor;
    if (norm) h = new InstanceNormalization({ name: `in_${i}` }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: LEAKY_SLOPE, name: `lrelu_${i}` })
      .apply(h) as tf.SymbolicTensor;
  };
  // [b, H, W, C] -> [b, H/2, W/2, ndf] -> ... -> [b, H/2^n, W/2^n, min(2^(n-1), 8) ndf]
  for (let i = 0; i < o.nLayers; i++) {
    block(ndf * Math.min(2 ** i, 8), 2, o.instanceNorm && i > 0, i);
  }
  block(ndf * Math.min(2 ** o.nLayers, 8), 1, o.instanceNorm, o.nLayers);
  // -> [b, h, w, 1] patch logits
  h = tf.layers.conv2d({
    filters: 1,
    kernelSize: 4,
    padding: "same",
    kernelInitializer: inits.kernel(),
    name: "patch_logits",
  }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h, name: o.name });
}

/** Options of {@linkcode ImagePool}. */
export interface ImagePoolOptions {
  /** How many generated images the pool holds; 0 disables it. Default 50 (the paper's). */
  size?: number;
  /** Seed of the pool's coin flips and picks. Default 0. */
  seed?: number;
}

/**
 * The history of generated images (Shrivastava et al. 2017, used by CycleGAN): the discriminator
 * trains on a mix of the newest fakes and older ones, which damps oscillation. Until the pool is
 * full each new image is stored and returned; afterwards, with probability 1/2, an image is swapped
 * with a random stored one and the stored one is returned, otherwise it is returned as is.
 *
 * The pool keeps its own copies; call `dispose()` when training ends.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { ImagePool } from "./resnet_patchgan.ts";
 * const pool = new ImagePool({ size: 4, seed: 1 });
 * const batch = pool.query(tf.zeros([2, 8, 8, 3]));
 * assertEquals([batch.shape, pool.length], [[2, 8, 8, 3], 2]);
 * pool.dispose();
 * ```
 */
export class ImagePool {
  /** Capacity of the pool. */
  readonly size: number;
  private readonly images: tf.Tensor[] = [];
  private readonly seed: number;
  private random: SeededRandom;
  /** Uniform numbers drawn so far: with the seed, the whole random state. */
  private draws = 0;

  constructor(options: ImagePoolOptions = {}) {
    const { size, seed } = { size: 50, seed: 0, ...options };
    if (!Number.isInteger(size) || size < 0) {
      throw new Error(`Cannot create ImagePool: size must be a non-negative integer, got ${size}`);
    }
    this.size = size;
    this.seed = seed;
    this.random = seededRandom(seed);
  }

  /** How many images the pool holds now. */
  get length(): number {
    return this.images.length;
  }

  /**
   * The pool's state for a checkpoint: its images stacked `[length, H, W, C]` (a new tensor, or
   * `undefined` when empty) and the number of random draws made.
   *
   * @example Restore a pool: it then answers like the original
   * ```ts
   * import * as tf from "@tensorflow/tfjs";
   * import { ImagePool } from "./resnet_patchgan.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   * const pool = new ImagePool({ size: 2, seed: 3 });
   * for (let i = 0; i < 3; i++) tf.dispose(pool.query(tf.fill([2, 1, 1, 1], i)));
   * const { images, draws } = pool.state();
   * const copy = new ImagePool({ size: 2, seed: 3 });
   * copy.restore(images, draws);
   * images?.dispose();
   * const next = () => [pool, copy].map((p) => p.query(tf.fill([2, 1, 1, 1], 9)).arraySync());
   * for (let i = 0; i < 3; i++) { const [a, b] = next(); deepStrictEqual(a, b); }
   * ```
   */
  state(): { images: tf.Tensor | undefined; draws: number } {
    return {
      images: this.images.length > 0 ? tf.stack(this.images) : undefined,
      draws: this.draws,
    };
  }

  /** Replace the pool's contents and random state with a {@linkcode ImagePool.state} (copied). */
  restore(images: tf.Tensor | undefined, draws: number): void {
    if (!Number.isInteger(draws) || draws < 0) {
      throw new Error(
        `Cannot restore ImagePool: draws must be a non-negative integer, got ${draws}`,
      );
    }
    const count = images?.shape[0] ?? 0;
    if (count > this.size) {
      throw new Error(
        `Cannot restore ImagePool: the saved pool holds ${count} images, this one only ${this.size}`,
      );
    }
    this.dispose();
    if (images && count > 0) this.images.push(...tf.unstack(images).map((t) => tf.keep(t)));
    this.random = seededRandom(this.seed);
    for (let i = 0; i < draws; i++) this.random.uniform();
    this.draws = draws;
  }

  /**
   * Trade a batch of new fakes `[batch, H, W, C]` for a batch to show the discriminator, same shape.
   * The caller owns (and disposes) both the input and the returned tensor.
   */
  query(fakeImages: tf.Tensor): tf.Tensor {
    if (this.size === 0) return fakeImages.clone();
    const [n, ...rest] = fakeImages.shape;
    const stored = this.images[0];
    if (stored && stored.shape.join() !== rest.join()) {
      throw new Error(
        `Cannot query ImagePool: images of shape [${rest}] differ from the pool's [${stored.shape}]`,
      );
    }
    return tf.tidy(() => {
      const out: tf.Tensor[] = [];
      const singles = tf.unstack(fakeImages);
      for (let i = 0; i < n; i++) {
        const image = singles[i];
        if (this.images.length < this.size) {
          this.images.push(tf.keep(image.clone()));
          out.push(image);
        } else if (this.uniform() < 0.5) {
          const j = Math.floor(this.uniform() * this.size);
          out.push(this.images[j].clone());
          this.images[j].dispose();
          this.images[j] = tf.keep(image.clone());
        } else {
          out.push(image);
        }
      }
      return tf.stack(out);
    });
  }

  /** The next uniform number of the pool's generator, counted. */
  private uniform(): number {
    this.draws++;
    return this.random.uniform();
  }

  /** Free every stored image. */
  dispose(): void {
    for (const image of this.images) image.dispose();
    this.images.length = 0;
  }
}
