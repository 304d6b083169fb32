/**
 * Image grids: a batch of images (grey or RGB, in [-1, 1], [0, 1] or [0, 255]) tiled into one PNG
 * with sharp, shown in Jupyter (updatable in place, for sample grids during training) or saved to
 * a file atomically.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { type DisplayOptions, displayPng, inJupyter } from "./jupyter.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { definedOptions } from "../core/options.ts";
import { svgCanvas, svgText } from "./svg_text.ts";

/**
 * The value range of the pixels. `auto` reads it from the data: any value below 0 means
 * `[-1,1]` (a tanh generator, the course's image scaling), any value above 1 means `[0,255]`,
 * otherwise `[0,1]`. Pass the range explicitly when a `[-1,1]` batch might hold no negative value.
 */
export type PixelRange = "auto" | "[-1,1]" | "[0,1]" | "[0,255]";

/** Options of {@linkcode imageGridPng}. */
export interface ImageGridOptions {
  /** Images per row. Default: `ceil(sqrt(batch))`, so the grid is about square. */
  columns?: number;
  /** Pixels of background between and around the tiles. Default `2`. */
  padding?: number;
  /** Integer nearest-neighbour upscaling of every tile (2 or 3 for 28x28 digits). Default `1`. */
  scale?: number;
  /** Value range of the input. Default `"auto"`. */
  range?: PixelRange;
  /** Grey level of the padding, 0 (black) to 1 (white). Default `0.5`. */
  background?: number;
  /** Text drawn left of each row (for example class names or latent arithmetic terms). */
  rowLabels?: string[];
  /** Text drawn above each column (for example interpolation weights). */
  columnLabels?: string[];
  /** Label font size in pixels. Default `12`. */
  labelSize?: number;
}

const DEFAULTS = {
  padding: 2,
  scale: 1,
  range: "auto" as PixelRange,
  background: 0.5,
  labelSize: 12,
};

/** Pixels of a batch read back from a tensor, as 0-255 bytes. */
export interface ImageBytes {
  /** Pixels in [count, height, width, channels] order. */
  bytes: Uint8Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
}

/**
 * Tile a batch of images into one PNG.
 *
 * Accepts `[batch, height, width, channels]` with 1 or 3 channels, one image
 * `[height, width, channels]`, or a grey batch `[batch, height, width]`. The input is not disposed.
 *
 * @example Four random 28x28 digits in a 2x2 grid, upscaled twice
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { imageGridPng } from "./image_grid.ts";
 * const images = tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 1);
 * const png = await imageGridPng(images, { scale: 2 });
 * assert(png.length > 0);
 * images.dispose();
 * ```
 */
export async function imageGridPng(
  images: tf.Tensor,
  options: ImageGridOptions = {},
): Promise<Uint8Array> {
  const opts = { ...DEFAULTS, ...definedOptions(options) };
  const batch = await readBatch(images, opts.range);
  const columns = opts.columns ?? Math.ceil(Math.sqrt(batch.count));
  checkInteger("columns", columns, 1);
  checkInteger("padding", opts.padding, 0);
  checkInteger("scale", opts.scale, 1);
  if (!(opts.background >= 0 && opts.background <= 1)) {
    throw new Error(
      `Cannot make an image grid: background must be a grey level in [0, 1], got ${opts.background}`,
    );
  }
  const cols = Math.min(columns, batch.count);
  const rows = Math.ceil(batch.count / cols);
  const grid = tile(batch, rows, cols, opts.padding, opts.scale, opts.background);
  const labelled = opts.rowLabels?.length || opts.columnLabels?.length;
  const image = labelled
    ? sharp(await addLabels(grid, batch, rows, cols, opts)).removeAlpha()
    : sharp(grid.pixels, {
      raw: { width: grid.width, height: grid.height, channels: batch.channels as 1 | 3 },
    });
  // A grey batch gives a 1-channel PNG, an RGB batch a 3-channel one.
  const colourspace = batch.channels === 1 ? "b-w" : "srgb";
  return new Uint8Array(await image.toColourspace(colourspace).png().toBuffer());
}

/** Options of {@linkcode showImages}: the grid's options plus a display id for in-place updates. */
export interface ShowImagesOptions extends ImageGridOptions, DisplayOptions {}

/**
 * Show a batch as an image grid in Jupyter. Outside Jupyter nothing is shown and the PNG is
 * returned instead (in Jupyter the result is `undefined`, so a cell ending with this call does not
 * print the bytes). Give an `id` and `update: true` to refresh one sample grid in place.
 *
 * @example Show a grid, then replace it in place
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { showImages } from "./image_grid.ts";
 * const images = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
 * await showImages(images, { id: "samples" });
 * const png = await showImages(images, { id: "samples", update: true, range: "[0,1]" });
 * // Outside Jupyter the PNG comes back: "PNG" after the signature's first byte.
 * assertEquals(new TextDecoder().decode(png!.subarray(1, 4)), "PNG");
 * images.dispose();
 * ```
 */
export async function showImages(
  images: tf.Tensor,
  options: ShowImagesOptions = {},
): Promise<Uint8Array | undefined> {
  const { id, update, redrawn, ...gridOptions } = options;
  const png = await imageGridPng(images, gridOptions);
  if (!inJupyter()) return png;
  await displayPng(png, { id, update, redrawn });
  return undefined;
}

/**
 * Write a batch as an image grid PNG to `path` atomically (temporary name, then rename), creating
 * the folder when missing. Returns the PNG bytes.
 *
 * @example Save a grid of two RGB images
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { saveImageGrid } from "./image_grid.ts";
 * const dir = await Deno.makeTempDir();
 * const images = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
 * await saveImageGrid(images, `${dir}/samples/step_0001.png`);
 * assert((await Deno.stat(`${dir}/samples/step_0001.png`)).isFile);
 * images.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveImageGrid(
  images: tf.Tensor,
  path: string,
  options: ImageGridOptions = {},
): Promise<Uint8Array> {
  const png = await imageGridPng(images, options);
  await writeFileAtomic(path, png);
  return png;
}

/**
 * Read a tensor's pixels as 0-255 bytes in [batch, height, width, channels] order.
 *
 * @example Convert one [-1, 1] grey image
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { tensorToBytes } from "./image_grid.ts";
 * const image = tf.tensor3d([-1, 0, 1, 1], [2, 2, 1]);
 * const { bytes, count } = await tensorToBytes(image);
 * assertEquals([count, Array.from(bytes)], [1, [0, 128, 255, 255]]);
 * image.dispose();
 * ```
 */
export async function tensorToBytes(
  images: tf.Tensor,
  range: PixelRange = "auto",
): Promise<ImageBytes> {
  return await readBatch(images, range);
}

async function readBatch(
  images: tf.Tensor,
  range: PixelRange,
): Promise<ImageBytes> {
  const shape = images.shape as number[];
  let count: number, height: number, width: number, channels: number;
  if (shape.length === 4) {
    [count, height, width, channels] = shape;
  } else if (shape.length === 3 && [1, 3].includes(shape[2])) {
    [height, width, channels] = shape;
    count = 1;
  } else if (shape.length === 3) {
    [count, height, width] = shape;
    channels = 1;
  } else {
    throw new Error(
      `Cannot make an image grid: expected [batch, height, width, channels] or [height, width, ` +
        `channels], got shape [${shape.join(", ")}]`,
    );
  }
  if (channels !== 1 && channels !== 3) {
    throw new Error(
      `Cannot make an image grid: images must have 1 (grey) or 3 (RGB) channels, got ${channels}`,
    );
  }
  if (count === 0 || height === 0 || width === 0) {
    throw new Error(
      `Cannot make an image grid: the batch is empty (shape [${shape.join(", ")}])`,
    );
  }
  const values = await images.data();
  const [low, high] = rangeBounds(values, range);
  const bytes = new Uint8Array(values.length);
  const span = high - low;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] - low) / span;
    // NaN (a diverged generator) shows as black rather than throwing.
    bytes[i] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
  }
  return { bytes, count, height, width, channels };
}

function rangeBounds(values: ArrayLike<number>, range: PixelRange): [number, number] {
  switch (range) {
    case "[-1,1]":
      return [-1, 1];
    case "[0,1]":
      return [0, 1];
    case "[0,255]":
      return [0, 255];
    case "auto": {
      let min = Infinity, max = -Infinity;
      for (let i = 0; i < values.length; i++) {
        if (values[i] < min) min = values[i];
        if (values[i] > max) max = values[i];
      }
      if (min < 0) return [-1, 1];
      return max > 1 ? [0, 255] : [0, 1];
    }
    default:
      throw new Error(
        `Cannot make an image grid: range must be "auto", "[-1,1]", "[0,1]" or "[0,255]", ` +
          `got ${JSON.stringify(range)}`,
      );
  }
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(
      `Cannot make an image grid: ${name} must be an integer >= ${min}, got ${value}`,
    );
  }
}

interface Grid {
  pixels: Uint8Array;
  width: number;
  height: number;
  tileWidth: number;
  tileHeight: number;
}

/** Lay the batch out row-major: [batch, h, w, c] -> [rows*h*scale + pads, cols*w*scale + pads, c]. */
function tile(
  batch: ImageBytes,
  rows: number,
  cols: number,
  padding: number,
  scale: number,
  background: number,
): Grid {
  const { bytes, count, height, width, channels: c } = batch;
  const tileHeight = height * scale, tileWidth = width * scale;
  const gridWidth = cols * tileWidth + (cols + 1) * padding;
  const gridHeight = rows * tileHeight + (rows + 1) * padding;
  const pixels = new Uint8Array(gridWidth * gridHeight * c).fill(Math.round(background * 255));
  const rowBytes = tileWidth * c;
  const line = new Uint8Array(rowBytes);
  for (let n = 0; n < count; n++) {
    const top = padding + Math.floor(n / cols) * (tileHeight + padding);
    const left = padding + (n % cols) * (tileWidth + padding);
    for (let y = 0; y < height; y++) {
      // One source row widened by `scale`, then copied to `scale` output rows.
      const source = (n * height + y) * width * c;
      for (let x = 0; x < width; x++) {
        for (let k = 0; k < c; k++) {
          const v = bytes[source + x * c + k];
          for (let s = 0; s < scale; s++) line[(x * scale + s) * c + k] = v;
        }
      }
      for (let s = 0; s < scale; s++) {
        pixels.set(line, ((top + y * scale + s) * gridWidth + left) * c);
      }
    }
  }
  return { pixels, width: gridWidth, height: gridHeight, tileWidth, tileHeight };
}

/** Widen the grid with a white margin on the left (row labels) and top (column labels). */
async function addLabels(
  grid: Grid,
  batch: ImageBytes,
  rows: number,
  cols: number,
  opts: typeof DEFAULTS & ImageGridOptions,
): Promise<Buffer> {
  const size = opts.labelSize;
  const rowLabels = opts.rowLabels ?? [];
  const columnLabels = opts.columnLabels ?? [];
  if (rowLabels.length > rows || columnLabels.length > cols) {
    throw new Error(
      `Cannot label the image grid: it has ${rows} rows and ${cols} columns, got ` +
        `${rowLabels.length} row labels and ${columnLabels.length} column labels`,
    );
  }
  const longest = Math.max(0, ...rowLabels.map((label) => label.length));
  const left = rowLabels.length ? Math.ceil(longest * size * 0.62) + 8 : 0;
  const top = columnLabels.length ? Math.ceil(size * 1.6) : 0;
  const width = grid.width + left, height = grid.height + top;
  const step = (extent: number) => extent + opts.padding;
  const texts = [
    ...rowLabels.map((label, r) => {
      const y = top + opts.padding + r * step(grid.tileHeight) + grid.tileHeight / 2;
      return svgText(label, left - 4, y, "end", size);
    }),
    ...columnLabels.map((label, c) => {
      const x = left + opts.padding + c * step(grid.tileWidth) + grid.tileWidth / 2;
      return svgText(label, x, top / 2, "middle", size);
    }),
  ];
  const base = await sharp(grid.pixels, {
    raw: { width: grid.width, height: grid.height, channels: batch.channels as 1 | 3 },
  }).toColourspace("srgb").png().toBuffer();
  return await sharp(svgCanvas(width, height, texts))
    .composite([{ input: base, left, top }])
    .png()
    .toBuffer();
}
