/**
 * CycleGAN metrics on digits: does a translated image keep its digit (label preservation), and
 * does translating there and back return the input (cycle reconstruction error)?
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { classAccuracy, type ClassAccuracyResult } from "./class_accuracy.ts";
import type { FeatureExtractor } from "./feature_extractor.ts";

/**
 * ITU-R BT.601 luma weights (R, G, B): the grey value people perceive. They sum to 1, so the pixel
 * range is kept ([-1, 1] stays [-1, 1]).
 */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

/** Options of {@linkcode rgbToGrey}. */
export interface RgbToGreyOptions {
  /** Output side length; images of another size are resized bilinearly. Default 28. */
  size?: number;
  /**
   * Stretch each image's grey values to fill [-1, 1] (its darkest pixel -> -1, brightest -> 1), so
   * that a coloured digit on a dark, non-black background looks like an MNIST digit. Default false.
   */
  stretch?: boolean;
}

/**
 * Convert images `[n, h, w, 3]` (or already grey `[n, h, w, 1]`) to grey `[n, size, size, 1]`:
 * the BT.601 luma `0.299 R + 0.587 G + 0.114 B` per pixel, then a bilinear resize to `size` when the
 * images are another size. The pixel range is unchanged unless `stretch` is set. This is the
 * conversion used before the MNIST classifier judges translated RGB digits.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { rgbToGrey } from "./translation_quality.ts";
 * const grey = rgbToGrey(tf.ones([2, 32, 32, 3]));
 * assertEquals(grey.shape, [2, 28, 28, 1]);
 * ```
 */
export function rgbToGrey(images: tf.Tensor4D, options: RgbToGreyOptions = {}): tf.Tensor4D {
  const { size, stretch } = { size: 28, stretch: false, ...options };
  const channels = images.shape[3];
  if (channels !== 3 && channels !== 1) {
    throw new Error(
      `Cannot convert to grey: expected images [n, h, w, 3] or [n, h, w, 1], ` +
        `got [${images.shape.join(", ")}]`,
    );
  }
  return tf.tidy(() => {
    // [n, h, w, 3] x [3, 1] -> [n, h, w, 1]
    const grey = channels === 3
      ? tf.conv2d(images, tf.tensor4d([...LUMA_WEIGHTS], [1, 1, 3, 1]), 1, "valid")
      : images;
    const [h, w] = [images.shape[1], images.shape[2]];
    const sized = h === size && w === size
      ? grey.clone()
      : tf.image.resizeBilinear(grey, [size, size]);
    if (!stretch) return sized;
    // Per image: [n, 1, 1, 1] minimum and maximum -> values mapped linearly onto [-1, 1].
    const low = sized.min([1, 2, 3], true);
    const high = sized.max([1, 2, 3], true);
    const range = tf.maximum(tf.sub(high, low), 1e-6);
    return tf.sub(tf.div(tf.mul(tf.sub(sized, low), 2), range), 1) as tf.Tensor4D;
  });
}

/** Options of {@linkcode labelPreservation}. */
export interface LabelPreservationOptions {
  /** Classifier to judge with. Default: the shipped MNIST classifier. */
  extractor?: FeatureExtractor;
  /** Stretch each grey image to [-1, 1] before classifying (see {@linkcode rgbToGrey}). Default true. */
  stretch?: boolean;
}

/**
 * Label preservation of a translation: the class accuracy of translated images against the labels
 * of the source digits. The images go through {@linkcode rgbToGrey} first: BT.601 luma, a resize to
 * 28x28, and (by default) a per-image stretch to [-1, 1], so grey translations (B -> A) are read
 * as they are and coloured ones (A -> B: bright ink on darker stripes) become white-on-dark digits.
 * A CycleGAN that keeps the digit scores near the classifier's accuracy; one that ignores its
 * input scores about 0.1.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { initBackend } from "../backend.ts";
 * import { loadMnist } from "../data/mnist.ts";
 * import { labelPreservation } from "./translation_quality.ts";
 * await initBackend();
 * const digits = await loadMnist({ split: "test", size: 20 });
 * // The identity "translation" keeps every label the classifier gets right.
 * const { accuracy } = await labelPreservation(digits.images, digits.labels);
 * assert(accuracy > 0.8);
 * digits.dispose();
 * ```
 */
export async function labelPreservation(
  translatedImages: tf.Tensor4D,
  sourceLabels: ArrayLike<number> | tf.Tensor1D,
  options: LabelPreservationOptions = {},
): Promise<ClassAccuracyResult> {
  const grey = rgbToGrey(translatedImages, { stretch: options.stretch ?? true });
  try {
    return await classAccuracy(grey, sourceLabels, { extractor: options.extractor });
  } finally {
    grey.dispose();
  }
}

/**
 * Cycle reconstruction error: the mean absolute difference between images and their round trip
 * `F(G(x))`, per pixel and channel, in the images' own units (a mean L1; on [-1, 1] images, 2 is
 * the worst possible).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { cycleReconstructionError } from "./translation_quality.ts";
 * assertEquals(cycleReconstructionError(tf.zeros([1, 2, 2, 3]), tf.fill([1, 2, 2, 3], 0.5)), 0.5);
 * ```
 */
export function cycleReconstructionError(
  realImages: tf.Tensor,
  reconstructedImages: tf.Tensor,
): number {
  if (realImages.shape.join() !== reconstructedImages.shape.join()) {
    throw new Error(
      `Cannot compute cycle error: images [${realImages.shape.join(", ")}] and reconstructions ` +
        `[${reconstructedImages.shape.join(", ")}] differ in shape`,
    );
  }
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(realImages, reconstructedImages))).dataSync()[0]);
}
