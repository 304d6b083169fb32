/**
 * DCGAN (Radford et al. 2015): convolutional G and D, the non-saturating GAN loss, Adam 2e-4 with
 * beta1 0.5, one D update per G update (or the homework report's 1:2 with `gSteps: 2`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Upsampling } from "../models/dcgan_nets.ts";
import { discriminatorLoss, nonSaturatingGeneratorLoss } from "./objectives.ts";
import type { ImageVariant } from "./sampling_variant.ts";
import { adversarialVariant } from "./adversarial.ts";
import {
  type AdamOptions,
  adamPair,
  buildDcganPair,
  IMAGE_VARIANT_DEFAULTS,
  type VariantOptions,
} from "./image_options.ts";

/** Options of {@linkcode createDcgan}. */
export interface DcganOptions extends VariantOptions, AdamOptions {
  /** G updates per step: 2 for the homework report's D:G = 1:2. Default 1. */
  gSteps?: number;
  /** D's target for real images; 0.9 is one-sided label smoothing. Default 1. */
  realLabel?: number;
  /** Dropout rate after each of D's LeakyReLUs (the TensorFlow tutorial's is 0.3). Default 0. */
  dropout?: number;
  /** Kernel size of G's convolutions; 4 avoids checkerboards with stride 2. Default 5. */
  generatorKernelSize?: number;
  /** How G doubles its feature maps (`"resize"`: resize-convolution). Default `"transposed"`. */
  upsampling?: Upsampling;
}

/**
 * Create a DCGAN variant for images.
 *
 * @example A narrow MNIST DCGAN
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createDcgan } from "./dcgan.ts";
 * const variant = createDcgan({ width: 0.125, seed: 1 });
 * assertEquals([variant.name, variant.latentDim], ["dcgan", 100]);
 * variant.dispose();
 * ```
 *
 * @example A faster recipe for short runs: larger learning rates, label smoothing
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createDcgan } from "./dcgan.ts";
 * const variant = createDcgan({ width: 0.125, learningRate: 5e-4, realLabel: 0.9 });
 * assertEquals(variant.name, "dcgan");
 * variant.dispose();
 * ```
 */
export function createDcgan(options: DcganOptions = {}): ImageVariant {
  const o = { ...IMAGE_VARIANT_DEFAULTS, gSteps: 1, realLabel: 1, dropout: 0, ...options };
  return adversarialVariant<tf.Tensor4D>({
    name: "dcgan",
    ...buildDcganPair(o, { dropout: o.dropout }, {
      kernelSize: o.generatorKernelSize,
      upsampling: o.upsampling,
    }),
    latentDim: o.latentDim,
    optimizers: adamPair(o),
    dLoss: (real: tf.Tensor, fake: tf.Tensor) =>
      discriminatorLoss(real, fake, { realLabel: o.realLabel }),
    gLoss: nonSaturatingGeneratorLoss,
    gSteps: o.gSteps,
    options,
  });
}
