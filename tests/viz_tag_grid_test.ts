/** tagGrid(): rows ask for one group's values, columns keep their latent, other groups cycle. */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { tagGrid, tagGridTags } from "../lib/viz/tag_grid.ts";

await initBackend({ backend: "wasm" });

Deno.test("tagGridTags() puts any group down the rows and cycles the others along them", () => {
  const tags = tagGridTags([2, 3, 2], 3, 1); // rows: group 1 (3 values)
  assertEquals(tags.shape, [9, 7]);
  const [a, rows, b] = tf.split(tags, [2, 3, 2], 1).map((t) => t.argMax(1).arraySync());
  assertEquals(rows, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
  assertEquals(a, [0, 1, 0, 0, 1, 0, 0, 1, 0]); // first other group fastest
  assertEquals(b, [0, 0, 1, 0, 0, 1, 0, 0, 1]);
  throws(() => tagGridTags([2, 3], 3, 2), /rowGroup must index one of the 2 tag groups, got 2/);
  throws(() => tagGridTags([2, 3], 0), /columns must be a positive integer, got 0/);
  tags.dispose();
});

Deno.test("tagGrid() gives every row the same latents, column by column", () => {
  // G's image is its z and its tags side by side: [z0, z1, tag0, tag1] as a 2x2 image
  const z = tf.input({ shape: [2] });
  const tags = tf.input({ shape: [2] });
  const joined = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [2, 2, 1] }).apply(joined) as tf.SymbolicTensor;
  const generator = tf.model({ inputs: [z, tags], outputs: image });
  const before = tf.memory().numTensors;
  const grid = tagGrid(generator, { tagGroups: [2], columns: 3, latentSigma: 0.5, seed: 3 });
  assertEquals(tf.memory().numTensors, before + 1);
  const cells = grid.reshape([6, 4]).arraySync() as number[][];
  for (let c = 0; c < 3; c++) {
    assertEquals(cells[c].slice(0, 2), cells[3 + c].slice(0, 2)); // same z in both rows
    assertEquals(cells[c].slice(2), [1, 0]); // row 0 asks for value 0
    assertEquals(cells[3 + c].slice(2), [0, 1]);
  }
  const spread = Math.max(...cells.slice(0, 3).flatMap((cell) => cell.slice(0, 2).map(Math.abs)));
  assert(spread > 0 && spread < 2.5, `latents drawn at sigma 0.5 reach ${spread}`);
  assert(cells[0][0] !== cells[1][0], "each column has its own latent");
  grid.dispose();
  generator.dispose();
});
