/**
 * A multi-tag image set for conditional GANs and ACGAN, in the spirit of the homework report's
 * anime faces tagged with a hair colour (12 values) and an eye colour (11 values): MNIST digits
 * painted in one of 8 ink colours on one of 6 background colours. The two tag groups play the
 * parts of hair and eyes; the digit class is kept as a third, hidden attribute.
 *
 * Every (ink, background) combination appears equally often (48 combinations, shuffled in blocks
 * of 48), independently of the digit, so a generator conditioned on both tags can be checked for
 * each combination, including ones it rarely saw together.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadMnistArrays, type MnistSource, type MnistSplit } from "./mnist.ts";
import { paintDigit, type Rgb } from "./colour.ts";
import { seededRandom } from "../core/random.ts";

/** One tag value: a name for plots and its RGB colour in [0, 1]. */
export interface TagColour {
  /** The name shown in plots and legends. */
  name: string;
  /** The colour, channels in [0, 1]. */
  rgb: Rgb;
}

/** The ink colours (tag group `ink`): bright, so every one reads on every background. */
export const INK_COLOURS: readonly TagColour[] = [
  { name: "red", rgb: [0.92, 0.16, 0.16] },
  { name: "orange", rgb: [1, 0.6, 0.1] },
  { name: "yellow", rgb: [0.98, 0.92, 0.2] },
  { name: "green", rgb: [0.25, 0.85, 0.3] },
  { name: "cyan", rgb: [0.2, 0.85, 0.92] },
  { name: "blue", rgb: [0.3, 0.45, 1] },
  { name: "purple", rgb: [0.72, 0.35, 0.95] },
  { name: "white", rgb: [0.97, 0.97, 0.97] },
];

/** The background colours (tag group `background`): dark or muted. */
export const BACKGROUND_COLOURS: readonly TagColour[] = [
  { name: "black", rgb: [0, 0, 0] },
  { name: "grey", rgb: [0.4, 0.4, 0.4] },
  { name: "navy", rgb: [0.06, 0.1, 0.35] },
  { name: "forest", rgb: [0.06, 0.3, 0.12] },
  { name: "maroon", rgb: [0.38, 0.06, 0.1] },
  { name: "brown", rgb: [0.4, 0.27, 0.1] },
];

/** Options of {@linkcode loadMultiTag}. */
export interface MultiTagOptions {
  /** Number of images. Default `2000`; at most the MNIST split's size. */
  size?: number;
  /** MNIST split the digits come from. Default `"train"`. */
  split?: MnistSplit;
  /** Seed of the digit order and of the tag assignment. Default `0`. */
  seed?: number;
  /** MNIST source (see `loadMnist`). Default `"embedded"`. */
  source?: MnistSource;
}

/** The defaults of {@linkcode MultiTagOptions}. */
export const MULTI_TAG_DEFAULTS: Readonly<Required<MultiTagOptions>> = {
  size: 2000,
  split: "train",
  seed: 0,
  source: "embedded",
};

/** One group of tags (one value per image), like the report's hair colour. */
export interface TagGroup {
  /** The group's name: `"ink"` or `"background"`. */
  name: string;
  /** The names of the group's values, indexed by label. */
  values: string[];
  /** The label of every image, `[size]` int32. */
  labels: tf.Tensor1D;
  /** The one-hot labels, `[size, values.length]` float32. */
  oneHot: tf.Tensor2D;
}

/**
 * A tag group as tensors: int32 labels and their one-hot rows, with the values' names.
 *
 * @example Two images tagged "blue" and "red"
 * ```ts
 * import { tagGroup } from "./multi_tag.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const hair = tagGroup("hair", ["red", "blue"], Int32Array.from([1, 0]));
 * assertEquals(hair.oneHot.arraySync(), [[0, 1], [1, 0]]);
 * hair.labels.dispose();
 * hair.oneHot.dispose();
 * ```
 */
export function tagGroup(name: string, values: string[], labels: Int32Array): TagGroup {
  const labelTensor = tf.tensor1d(labels, "int32");
  return {
    name,
    values,
    labels: labelTensor,
    oneHot: tf.tidy(() => tf.oneHot(labelTensor, values.length).toFloat() as tf.Tensor2D),
  };
}

/** The multi-tag set as tensors. Call `dispose()` when done. */
export interface MultiTagData {
  /** Images `[size, 28, 28, 3]` in [-1, 1]. */
  images: tf.Tensor4D;
  /** The tag groups, ink first, then background. */
  groups: TagGroup[];
  /** All groups' one-hot labels side by side, `[size, 8 + 6]` (the report's tag vector). */
  tags: tf.Tensor2D;
  /** The digit class of every image, `[size]` int32 (not a tag; for evaluation). */
  digits: tf.Tensor1D;
  /** Number of images. */
  count: number;
  /** One line saying what was built. */
  description: string;
  /** Dispose every tensor. */
  dispose(): void;
}

/**
 * Build the multi-tag set: MNIST digits in one of 8 ink colours on one of 6 backgrounds, with one
 * integer label (and one-hot) per tag group and the names of the tag values.
 *
 * @example 48 images, one per (ink, background) combination
 * ```ts
 * import { loadMultiTag } from "./multi_tag.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const data = await loadMultiTag({ size: 48 });
 * assertEquals(data.images.shape, [48, 28, 28, 3]);
 * assertEquals(data.groups.map((g) => g.name), ["ink", "background"]);
 * assertEquals(data.groups[0].values[0], "red");
 * assertEquals(data.tags.shape, [48, 14]);
 * data.dispose();
 * ```
 */
export async function loadMultiTag(options: MultiTagOptions = {}): Promise<MultiTagData> {
  const o = { ...MULTI_TAG_DEFAULTS, ...options };
  if (!Number.isInteger(o.size) || o.size < 1) {
    throw new Error(
      `Cannot build the multi-tag set: size must be a positive integer, got ${o.size}`,
    );
  }
  const mnist = await loadMnistArrays({
    source: o.source,
    split: o.split,
    seed: o.seed,
    range: "[0,1]",
    size: o.size,
    verbose: false,
  });
  if (mnist.count < o.size) {
    throw new Error(
      `Cannot build the multi-tag set: size ${o.size} needs ${o.size} MNIST digits but the ` +
        `${o.split} split holds ${mnist.count}; ask for at most ${mnist.count}.`,
    );
  }
  const pixels = mnist.rows * mnist.cols;
  const nInk = INK_COLOURS.length;
  const nBackground = BACKGROUND_COLOURS.length;
  const combos = nInk * nBackground;
  const random = seededRandom(o.seed + 0x7a6);
  const ink = new Int32Array(o.size);
  const background = new Int32Array(o.size);
  const values = new Float32Array(o.size * pixels * 3);
  let block: number[] = [];
  for (let i = 0; i < o.size; i++) {
    // Every block of 48 images holds each (ink, background) combination once.
    if (i % combos === 0) block = random.shuffle(Array.from({ length: combos }, (_, k) => k));
    const combo = block[i % combos];
    ink[i] = Math.floor(combo / nBackground);
    background[i] = combo % nBackground;
    const bg = BACKGROUND_COLOURS[background[i]].rgb;
    const alpha = mnist.pixels.subarray(i * pixels, (i + 1) * pixels);
    paintDigit(values, i * pixels * 3, alpha, INK_COLOURS[ink[i]].rgb, () => bg);
  }
  const images = tf.tensor4d(values, [o.size, mnist.rows, mnist.cols, 3]);
  const groups = [
    tagGroup("ink", INK_COLOURS.map((c) => c.name), ink),
    tagGroup("background", BACKGROUND_COLOURS.map((c) => c.name), background),
  ];
  const tags = tf.concat(groups.map((g) => g.oneHot), 1) as tf.Tensor2D;
  const digits = tf.tensor1d(mnist.labels, "int32");
  return {
    images,
    groups,
    tags,
    digits,
    count: o.size,
    description: `Multi-tag set of ${o.size} images (${mnist.rows}x${mnist.cols}x3, [-1, 1]): ` +
      `${nInk} ink colours x ${nBackground} backgrounds; from ${mnist.description}`,
    dispose: () =>
      tf.dispose([images, tags, digits, ...groups.flatMap((g) => [g.labels, g.oneHot])]),
  };
}
