/**
 * Variants that generate from a latent space, typed so that `sample` and `latentDim` are present:
 * the image GANs (DCGAN, LSGAN, WGAN, WGAN-GP, cGAN, ACGAN) and the 2-D toy GANs. CycleGAN
 * translates images instead and stays a plain `GanVariant`.
 *
 * @example No `sample!(`: the factories say what they return
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import type { ImageVariant } from "./sampling_variant.ts";
 * import { createDcgan } from "./dcgan.ts";
 * const variant: ImageVariant = createDcgan({ width: 0.125, seed: 1 });
 * const images = variant.sample(2, 0);
 * assertEquals([images.shape, variant.latentDim], [[2, 28, 28, 1], 100]);
 * images.dispose();
 * variant.dispose();
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { GanVariant } from "../train/variant.ts";

/** A variant whose generator maps latent vectors to samples: `latentDim` and `sample` are there. */
export interface SamplingVariant<Samples extends tf.Tensor = tf.Tensor> extends GanVariant {
  /** Size of the generator's latent input. */
  latentDim: number;
  /**
   * Generate `count` samples from a fixed latent batch: the same `seed` gives the same inputs, so
   * sample grids taken during training show the same latents evolving.
   */
  sample(count: number, seed: number): Samples;
}

/** An image GAN variant: samples are images `[count, height, width, channels]` in [-1, 1]. */
export type ImageVariant = SamplingVariant<tf.Tensor4D>;

/** A 2-D toy GAN variant: samples are points `[count, 2]`. */
export type ToyVariant = SamplingVariant<tf.Tensor2D>;
