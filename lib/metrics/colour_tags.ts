/**
 * A pixel-level check of colour tags: read the background and ink colour of painted digits (the
 * multi-tag set of `@course/data/multi_tag.ts`) straight from the pixels, and score a generator's
 * images against the tags it was asked for. Unlike an ACGAN discriminator's own tag heads, this judge
 * was never trained with the generator, so the generator cannot learn to fool it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BACKGROUND_COLOURS, INK_COLOURS, type TagColour } from "../data/multi_tag.ts";

/** Options of {@linkcode readColourTags} and {@linkcode colourTagAccuracy}. */
export interface ColourTagOptions {
  /** The ink palette. Default: the multi-tag set's 8 ink colours. */
  ink?: readonly TagColour[];
  /** The background palette. Default: the multi-tag set's 6 background colours. */
  background?: readonly TagColour[];
  /** Width in pixels of the image frame read as background (MNIST digits leave 4). Default 3. */
  border?: number;
  /**
   * A pixel counts as ink when its distance from the background colour is at least this fraction
   * of the image's largest distance. Default 0.6.
   */
  inkFraction?: number;
}

/** Tag labels read from the pixels: one index into each palette per image. */
export interface ColourTags {
  /** Index into the ink palette, `[n]`. */
  ink: Int32Array;
  /** Index into the background palette, `[n]`. */
  background: Int32Array;
}

const DEFAULTS = {
  ink: INK_COLOURS,
  background: BACKGROUND_COLOURS,
  border: 3,
  inkFraction: 0.6,
};

/** Index of the nearest palette colour of every row of `colours` `[n, 3]` in [0, 1]. */
function nearest(colours: tf.Tensor2D, palette: readonly TagColour[]): Int32Array {
  return tf.tidy(() => {
    const p = tf.tensor2d(palette.map((c) => c.rgb)); // [k, 3]
    // [n, 1, 3] - [1, k, 3] -> squared distances [n, k]
    const d = tf.sub(colours.expandDims(1), p.expandDims(0)).square().sum(2);
    return d.argMin(1).dataSync() as Int32Array;
  });
}

/**
 * Read the colour tags of RGB images `[n, h, w, 3]` in [-1, 1]: the background is the mean colour
 * of the image's frame (`border` pixels wide), the ink is the mean colour of the pixels farthest
 * from it; each is matched to the nearest palette colour.
 *
 * @example A red digit on navy
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { readColourTags } from "@course/metrics/colour_tags.ts";
 * // navy background everywhere, a red 6x6 square in the middle (colours in [0, 1], then to [-1, 1])
 * const navy = tf.tensor1d([0.06, 0.1, 0.35]).reshape([1, 1, 1, 3]).tile([1, 28, 28, 1]);
 * const mask = tf.ones([1, 6, 6, 1]).pad([[0, 0], [11, 11], [11, 11], [0, 0]]);
 * const red = tf.tensor1d([0.92, 0.16, 0.16]).reshape([1, 1, 1, 3]);
 * const image = navy.mul(tf.sub(1, mask)).add(red.mul(mask)).mul(2).sub(1) as tf.Tensor4D;
 * const tags = readColourTags(image);
 * assertEquals([tags.ink[0], tags.background[0]], [0, 2]);
 * ```
 */
export function readColourTags(images: tf.Tensor4D, options: ColourTagOptions = {}): ColourTags {
  const o = { ...DEFAULTS, ...options };
  const [n, h, w, c] = images.shape;
  if (c !== 3) {
    throw new Error(
      `Cannot read colour tags: expected RGB images [n, h, w, 3], got [${images.shape.join(", ")}]`,
    );
  }
  if (!Number.isInteger(o.border) || o.border < 1 || 2 * o.border >= Math.min(h, w)) {
    throw new Error(
      `Cannot read colour tags: border must be an integer in 1..${
        Math.ceil(Math.min(h, w) / 2) - 1
      } for ${h}x${w} images, got ${o.border}`,
    );
  }
  if (n === 0) return { ink: new Int32Array(0), background: new Int32Array(0) };
  const [bgColours, inkColours] = tf.tidy(() => {
    const x = images.add(1).div(2).clipByValue(0, 1) as tf.Tensor4D; // [n, h, w, 3] in [0, 1]
    // Frame mask [1, h, w, 1]: 1 on the border, 0 inside.
    const inner = tf.ones([1, h - 2 * o.border, w - 2 * o.border, 1]);
    const frame = tf.sub(
      1,
      inner.pad([[0, 0], [o.border, o.border], [o.border, o.border], [0, 0]]),
    );
    const background = x.mul(frame).sum([1, 2]).div(frame.sum()) as tf.Tensor2D; // [n, 3]
    // Distance of every pixel from its image's background: [n, h, w, 1]
    const distance = x.sub(background.reshape([n, 1, 1, 3])).square().sum(3, true).sqrt();
    const threshold = distance.max([1, 2, 3], true).mul(o.inkFraction); // [n, 1, 1, 1]
    const ink = distance.greaterEqual(threshold).toFloat(); // [n, h, w, 1]
    const inkColour = x.mul(ink).sum([1, 2]).div(ink.sum([1, 2]).maximum(1)) as tf.Tensor2D;
    return [background, inkColour];
  });
  try {
    return { ink: nearest(inkColours, o.ink), background: nearest(bgColours, o.background) };
  } finally {
    tf.dispose([bgColours, inkColours]);
  }
}

/** What {@linkcode colourTagAccuracy} measured. */
export interface ColourTagAccuracy {
  /** Fraction of images whose ink colour reads as the one asked for. */
  ink: number;
  /** Fraction of images whose background reads as the one asked for. */
  background: number;
  /** Fraction with both right. */
  both: number;
  /** The tags read from the pixels. */
  read: ColourTags;
}

/**
 * Score images against the tags they were generated for: per tag group, the fraction whose colour
 * (read by {@linkcode readColourTags}) is the intended one. On the real multi-tag images it is 1.
 *
 * @example Real multi-tag images are read correctly
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { loadMultiTag } from "@course/data/multi_tag.ts";
 * import { colourTagAccuracy } from "@course/metrics/colour_tags.ts";
 * const data = await loadMultiTag({ size: 48 });
 * const score = colourTagAccuracy(data.images, {
 *   ink: data.groups[0].labels.dataSync(),
 *   background: data.groups[1].labels.dataSync(),
 * });
 * assertEquals([score.ink, score.background], [1, 1]);
 * data.dispose();
 * ```
 */
export function colourTagAccuracy(
  images: tf.Tensor4D,
  intended: { ink: ArrayLike<number>; background: ArrayLike<number> },
  options: ColourTagOptions = {},
): ColourTagAccuracy {
  const n = images.shape[0];
  if (intended.ink.length !== n || intended.background.length !== n) {
    throw new Error(
      `Cannot score colour tags: ${n} images but ${intended.ink.length} ink and ` +
        `${intended.background.length} background labels; pass one of each per image`,
    );
  }
  const read = readColourTags(images, options);
  let ink = 0;
  let background = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const a = read.ink[i] === intended.ink[i];
    const b = read.background[i] === intended.background[i];
    ink += Number(a);
    background += Number(b);
    both += Number(a && b);
  }
  const frac = (k: number) => (n > 0 ? k / n : NaN);
  return { ink: frac(ink), background: frac(background), both: frac(both), read };
}
