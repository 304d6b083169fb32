/**
 * The shape of handwritten digits from the image moments of their ink: slant, width and thickness,
 * the style factors InfoGAN's continuous codes tend to take over on MNIST. No classifier is
 * involved, so the numbers mean the same for real and generated digits.
 *
 * With ink weights w = (pixel + 1) / 2 (images in [-1, 1]), centroid (cx, cy), and second moments
 * mu_xx, mu_yy, mu_xy of the ink around it (x to the right, y downwards, in pixels):
 *
 * - slant = -mu_xy / mu_yy: how many pixels the strokes move right per pixel up (the shear that
 *   deskewing MNIST removes); 0 is upright, positive leans right like italics;
 * - width = sqrt(mu_xx): the horizontal spread of the ink, in pixels;
 * - ink = the mean of w: how much of the image is ink (thick strokes and large digits have more).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** What {@linkcode digitShape} returns, one value per image. */
export interface DigitShape {
  /** Pixels to the right per pixel upwards; positive leans right. */
  slant: number[];
  /** Horizontal standard deviation of the ink, pixels. */
  width: number[];
  /** Mean ink per pixel, in [0, 1]. */
  ink: number[];
}

/**
 * Slant, width and ink of every image `[n, height, width, 1]` in [-1, 1]. A blank image gets
 * slant and width 0.
 *
 * @example A diagonal stroke from bottom left to top right leans right by one pixel per pixel
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ok as assert } from "node:assert/strict";
 * import { digitShape } from "./digit_shape.ts";
 * const pixels = Array.from({ length: 25 }, (_, i) => Math.floor(i / 5) + (i % 5) === 4 ? 1 : -1);
 * const shape = await digitShape(tf.tensor4d(pixels, [1, 5, 5, 1]));
 * assert(Math.abs(shape.slant[0] - 1) < 1e-6);
 * assert(Math.abs(shape.width[0] - Math.sqrt(2)) < 1e-6 && Math.abs(shape.ink[0] - 0.2) < 1e-6);
 * ```
 */
export async function digitShape(images: tf.Tensor): Promise<DigitShape> {
  if (images.rank !== 4 || images.shape[3] !== 1) {
    throw new Error(
      `Cannot measure digit shapes: images must be [n, height, width, 1] in [-1, 1], got ` +
        `[${images.shape}]`,
    );
  }
  const [n, h, w] = images.shape;
  const values = await images.data();
  const shape: DigitShape = { slant: [], width: [], ink: [] };
  for (let i = 0; i < n; i++) {
    let [mass, sx, sy] = [0, 0, 0];
    const offset = i * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const ink = Math.min(1, Math.max(0, (values[offset + y * w + x] + 1) / 2));
        mass += ink;
        sx += ink * x;
        sy += ink * y;
      }
    }
    if (mass === 0) {
      shape.slant.push(0);
      shape.width.push(0);
      shape.ink.push(0);
      continue;
    }
    const [cx, cy] = [sx / mass, sy / mass];
    let [xx, yy, xy] = [0, 0, 0];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const ink = Math.min(1, Math.max(0, (values[offset + y * w + x] + 1) / 2));
        xx += ink * (x - cx) ** 2;
        yy += ink * (y - cy) ** 2;
        xy += ink * (x - cx) * (y - cy);
      }
    }
    shape.slant.push(yy > 0 ? -xy / yy : 0);
    shape.width.push(Math.sqrt(xx / mass));
    shape.ink.push(mass / (h * w));
  }
  return shape;
}
