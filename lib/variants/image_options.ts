/**
 * Options shared by the image variants' factories.
 *
 * @module
 */

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
