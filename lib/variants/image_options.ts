/**
 * Options shared by the image variants' factories.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import {
  buildDcganDiscriminator,
  buildDcganGenerator,
  type DcganDiscriminatorOptions,
} from "../models/dcgan.ts";

/** What every variant factory accepts to size its models. */
export interface VariantOptions {
  /** Image `[height, width, channels]` (28x28x1 MNIST, 64x64x3 the lecture's faces). Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Channel-width multiplier of the conv models (the profile's `width`). Default 1. */
  width?: number;
  /** Size of z. Default 100 (2 for the toys). */
  latentDim?: number;
  /** Seed of the initial weights. Default: unseeded. */
  seed?: number;
}

/** The defaults of {@linkcode VariantOptions} for image variants. */
export const IMAGE_VARIANT_DEFAULTS = {
  imageShape: [28, 28, 1] as [number, number, number],
  width: 1,
  latentDim: 100,
};

/**
 * The DCGAN generator and discriminator (or critic) of an image variant, sized by its options: G
 * seeded with `seed`, D with `seed + 1`, D without dropout; `discriminator` overrides D's options
 * (no normalization for a WGAN-GP critic, a `name`, ...).
 *
 * @example
 * ```ts
 * import { buildDcganPair, IMAGE_VARIANT_DEFAULTS } from "@course/variants/image_options.ts";
 * const { generator, discriminator } = buildDcganPair(
 *   { ...IMAGE_VARIANT_DEFAULTS, width: 0.125, seed: 1 },
 *   { name: "critic" },
 * );
 * console.log(generator.outputs[0].shape, discriminator.name); // [null, 28, 28, 1] critic
 * generator.dispose();
 * discriminator.dispose();
 * ```
 */
export function buildDcganPair(
  options: typeof IMAGE_VARIANT_DEFAULTS & { seed?: number },
  discriminator: DcganDiscriminatorOptions = {},
): { generator: tf.LayersModel; discriminator: tf.LayersModel } {
  const { imageShape, width, latentDim, seed } = options;
  return {
    generator: buildDcganGenerator({ imageShape, width, latentDim, seed }),
    discriminator: buildDcganDiscriminator({
      imageShape,
      width,
      dropout: 0,
      seed: seed === undefined ? undefined : seed + 1,
      ...discriminator,
    }),
  };
}
