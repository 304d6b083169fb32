/**
 * Sample grids of a tag-conditioned generator: one row per value of a tag group, the same latents
 * in every row, so that reading down a column shows what the tag changes and reading along a row
 * what the latent (and the other groups) change.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cyclingTagGroups } from "../data/tag_cycles.ts";

/** Options of {@linkcode tagGrid}. */
export interface TagGridOptions {
  /** Number of values of each tag group, as the generator takes them, e.g. `[10, 4]`. */
  tagGroups: number[];
  /** The group whose values make the rows. Default 0. */
  rowGroup?: number;
  /** Columns, each with its own latent. Default 8. */
  columns?: number;
  /** Standard deviation of the latents. Default 1. */
  latentSigma?: number;
  /** Seed of the latents (not 0). Default 1234. */
  seed?: number;
}

/**
 * The one-hot tags of a grid, `[rows * columns, sum(tagGroups)]` row by row: row `r` asks for
 * value `r` of `rowGroup`; along a row the other groups cycle through their values as in
 * {@linkcode cyclingTagGroups} (the first of them fastest).
 *
 * @example Hair (3 values) down the rows, skin (2) alternating along them
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { tagGridTags } from "./tag_grid.ts";
 *
 * const tags = tagGridTags([3, 2], 4);
 * assertEquals(tags.shape, [12, 5]);
 * assertEquals(tags.slice([0, 0], [12, 3]).argMax(1).arraySync(), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
 * assertEquals(tags.slice([0, 3], [12, 2]).argMax(1).arraySync(), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
 * tags.dispose();
 * ```
 */
export function tagGridTags(tagGroups: number[], columns: number, rowGroup = 0): tf.Tensor2D {
  if (!Number.isInteger(rowGroup) || rowGroup < 0 || rowGroup >= tagGroups.length) {
    throw new Error(
      `Cannot draw a tag grid: rowGroup must index one of the ${tagGroups.length} tag groups, ` +
        `got ${rowGroup}`,
    );
  }
  if (!Number.isInteger(columns) || columns < 1) {
    throw new Error(`Cannot draw a tag grid: columns must be a positive integer, got ${columns}`);
  }
  return tf.tidy(() => {
    const rows = tagGroups[rowGroup];
    const others = tagGroups.filter((_, g) => g !== rowGroup);
    const rowValues = Array.from({ length: rows * columns }, (_, i) => Math.floor(i / columns));
    const rowTags = tf.oneHot(tf.tensor1d(rowValues, "int32"), rows).toFloat();
    const columnTags = others.length === 0
      ? undefined
      : tf.tile(cyclingTagGroups(columns, others), [rows, 1]);
    const otherParts = columnTags ? tf.split(columnTags, others, 1) : [];
    const parts = tagGroups.map((_, g) =>
      g === rowGroup ? rowTags : otherParts[g < rowGroup ? g : g - 1]
    );
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}

/**
 * Generate a grid from a generator with inputs `[z, tags]`: `tagGroups[rowGroup]` rows of
 * `columns` images, row `r` asking for value `r` of `rowGroup`, column `c` with the same latent
 * in every row (and the other groups' values of {@linkcode tagGridTags}). Returns
 * `[rows * columns, ...imageShape]`, row by row, ready for `showImages(grid, { columns })`.
 *
 * @example Two rows of three from a generator that ignores everything
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { tagGrid } from "./tag_grid.ts";
 *
 * const z = tf.input({ shape: [4] });
 * const tags = tf.input({ shape: [2] });
 * const joined = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
 * const pixels = tf.layers.dense({ units: 4 }).apply(joined);
 * const image = tf.layers.reshape({ targetShape: [2, 2, 1] }).apply(pixels) as tf.SymbolicTensor;
 * const generator = tf.model({ inputs: [z, tags], outputs: image });
 * const grid = tagGrid(generator, { tagGroups: [2], columns: 3 });
 * assertEquals(grid.shape, [6, 2, 2, 1]);
 * grid.dispose();
 * ```
 */
export function tagGrid(generator: tf.LayersModel, options: TagGridOptions): tf.Tensor4D {
  const { tagGroups, rowGroup = 0, columns = 8, latentSigma = 1, seed = 1234 } = options;
  const rows = tagGroups[rowGroup] ?? 0;
  const latentDim = generator.inputs[0].shape[1]!;
  const tags = tagGridTags(tagGroups, columns, rowGroup);
  return tf.tidy(() => {
    const columnLatents = tf.randomNormal([columns, latentDim], 0, latentSigma, "float32", seed);
    const z = tf.tile(columnLatents, [rows, 1]); // the same latents in every row
    const grid = generator.predict([z, tags]) as tf.Tensor4D;
    tags.dispose();
    return grid;
  });
}
