/**
 * Render latent walks: run a generator on a batch of latents (an interpolation, an arithmetic
 * result) and tile its images into a strip or grid.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  groupMeans,
  interpolateLatents,
  type InterpolateOptions,
  type Latent,
  latentArithmetic,
  type LatentArithmeticOptions,
  type LatentTerm,
} from "../latent.ts";
import { type ImageGridOptions, imageGridPng } from "./image_grid.ts";
import { type DisplayOptions, displayPng, inJupyter } from "./jupyter.ts";

/**
 * A generator: a model or a function from latents `[n, latentDim]` to images `[n, h, w, c]`
 * (wrap a conditional generator in a function that adds the labels).
 */
export type ImageGenerator = tf.LayersModel | ((z: tf.Tensor2D) => tf.Tensor);

/** Options of {@linkcode generateImages}. */
export interface GenerateOptions {
  /** Latents per generator call. Default `64`. */
  batchSize?: number;
}

/**
 * Run a generator on latents in batches (inference mode, each batch in `tf.tidy`) and return the
 * images `[n, h, w, c]`; the caller disposes them.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { generateImages } from "./latent_strip.ts";
 * const generator = (z: tf.Tensor2D) => tf.tanh(z.reshape([-1, 2, 2, 1]));
 * const images = generateImages(generator, tf.zeros([5, 4]), { batchSize: 2 });
 * assertEquals(images.shape, [ 5, 2, 2, 1 ]);
 * images.dispose();
 * ```
 */
export function generateImages(
  generator: ImageGenerator,
  latents: tf.Tensor2D,
  options: GenerateOptions = {},
): tf.Tensor4D {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(
      `Cannot generate images: batchSize must be a positive integer, got ${batchSize}`,
    );
  }
  const call = typeof generator === "function"
    ? generator
    : (z: tf.Tensor2D) => generator.predict(z) as tf.Tensor;
  const n = latents.shape[0];
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(tf.tidy(() => call(latents.slice([start, 0], [size, -1]))));
    }
    const rank = parts[0]?.rank;
    if (rank !== 4) {
      throw new Error(
        `Cannot generate images: the generator must return [n, height, width, channels], got ` +
          `[${parts[0]?.shape}]`,
      );
    }
    return tf.concat(parts, 0) as tf.Tensor4D;
  } finally {
    tf.dispose(parts);
  }
}

/** Options of {@linkcode latentStripPng}. */
export interface LatentStripOptions extends ImageGridOptions, GenerateOptions {}

/**
 * The generator's images for a batch of latents, tiled into a PNG (see `imageGridPng` for the
 * grid options). No tensor is left behind.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { latentStripPng } from "./latent_strip.ts";
 * const generator = (z: tf.Tensor2D) => tf.tanh(z.reshape([-1, 2, 2, 1]));
 * const latents = tf.randomNormal([4, 4], 0, 1, "float32", 1) as tf.Tensor2D;
 * const png = await latentStripPng(generator, latents, { columns: 4, scale: 8 });
 * assert(png.length > 0);
 * latents.dispose();
 * ```
 */
export async function latentStripPng(
  generator: ImageGenerator,
  latents: tf.Tensor2D,
  options: LatentStripOptions = {},
): Promise<Uint8Array> {
  const { batchSize, ...gridOptions } = options;
  const images = generateImages(generator, latents, { batchSize });
  try {
    return await imageGridPng(images, gridOptions);
  } finally {
    images.dispose();
  }
}

/** Options of {@linkcode interpolationPng}. */
export interface InterpolationPngOptions extends InterpolateOptions, LatentStripOptions {}

/**
 * Interpolate from `from` to `to` (one pair, or one pair per row of two batches) and render each
 * path as a row of the generator's images; returns the PNG.
 */
async function interpolationPng(
  generator: ImageGenerator,
  ends: { from: Latent; to: Latent },
  options: InterpolationPngOptions = {},
): Promise<Uint8Array> {
  const { steps = 8, method, ...stripOptions } = options;
  const latents = interpolateLatents(ends.from, ends.to, { steps, method });
  try {
    return await latentStripPng(generator, latents, { columns: steps, ...stripOptions });
  } finally {
    latents.dispose();
  }
}

/**
 * {@linkcode interpolationPng}, shown in Jupyter; outside Jupyter the PNG is returned instead.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { showInterpolation } from "./latent_strip.ts";
 * const generator = (z: tf.Tensor2D) => tf.tanh(z.reshape([-1, 2, 2, 1]));
 * await showInterpolation(generator, { from: [1, 0, 0, 1], to: [0, 1, 1, 0] }, { scale: 8 });
 * ```
 */
export async function showInterpolation(
  generator: ImageGenerator,
  ends: { from: Latent; to: Latent },
  options: InterpolationPngOptions & DisplayOptions = {},
): Promise<Uint8Array | undefined> {
  const { id, update, redrawn, ...rest } = options;
  return await showPng(await interpolationPng(generator, ends, rest), { id, update, redrawn });
}

/** Options of {@linkcode latentArithmeticPng}. */
export interface LatentArithmeticPngOptions extends LatentArithmeticOptions, LatentStripOptions {}

/**
 * Render a latent arithmetic strip: the image of each group's mean latent (labelled "+ A", "- B",
 * ...), then "=" the result and its noisy variations; returns the PNG. Keep labels short or the
 * tiles wide (`scale`): a label wider than its tile overlaps its neighbours.
 *
 * @example smiling woman - neutral woman + neutral man (random stand-in groups here)
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { latentArithmeticPng } from "./latent_strip.ts";
 * const generator = (z: tf.Tensor2D) => tf.tanh(z.reshape([-1, 2, 2, 1]));
 * const group = (seed: number) => tf.randomNormal([3, 4], 0, 1, "float32", seed);
 * const [a, b, c] = [group(1), group(2), group(3)];
 * const png = await latentArithmeticPng(generator, [
 *   { z: a, sign: 1, label: "smiling woman" },
 *   { z: b, sign: -1, label: "neutral woman" },
 *   { z: c, sign: 1, label: "neutral man" },
 * ], { variations: 2, scale: 16 });
 * assert(png.length > 0);
 * tf.dispose([a, b, c]);
 * ```
 */
export async function latentArithmeticPng(
  generator: ImageGenerator,
  terms: LatentTerm[],
  options: LatentArithmeticPngOptions = {},
): Promise<Uint8Array> {
  const { variations = 0, noise, seed, ...stripOptions } = options;
  const latents = tf.tidy(() =>
    tf.concat([groupMeans(terms), latentArithmetic(terms, { variations, noise, seed })], 0)
  ) as tf.Tensor2D;
  const labels = [
    ...terms.map((term, i) =>
      `${term.sign > 0 ? (i === 0 ? "" : "+ ") : "- "}${term.label ?? `group ${i + 1}`}`
    ),
    "= result",
    ...Array.from({ length: variations }, (_, i) => `variation ${i + 1}`),
  ];
  try {
    return await latentStripPng(generator, latents, {
      columns: labels.length,
      columnLabels: labels,
      labelSize: 11,
      ...stripOptions,
    });
  } finally {
    latents.dispose();
  }
}

/**
 * {@linkcode latentArithmeticPng}, shown in Jupyter; outside Jupyter the PNG is returned instead.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { showLatentArithmetic } from "./latent_strip.ts";
 * const generator = (z: tf.Tensor2D) => tf.tanh(z.reshape([-1, 2, 2, 1]));
 * await showLatentArithmetic(generator, [
 *   { z: [[1, 0, 0, 1], [1, 1, 0, 1]], sign: 1, label: "A" },
 *   { z: [0, 1, 1, 0], sign: -1, label: "B" },
 * ], { scale: 16 });
 * ```
 */
export async function showLatentArithmetic(
  generator: ImageGenerator,
  terms: LatentTerm[],
  options: LatentArithmeticPngOptions & DisplayOptions = {},
): Promise<Uint8Array | undefined> {
  const { id, update, redrawn, ...rest } = options;
  return await showPng(await latentArithmeticPng(generator, terms, rest), { id, update, redrawn });
}

async function showPng(png: Uint8Array, options: DisplayOptions): Promise<Uint8Array | undefined> {
  if (!inJupyter()) return png;
  await displayPng(png, options);
  return undefined;
}
