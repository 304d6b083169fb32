import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import sharp from "sharp";
import { initBackend } from "../lib/backend.ts";
import { imageGridPng, saveImageGrid, tensorToBytes } from "../lib/viz/image_grid.ts";
import { animate, saveAnimation } from "../lib/viz/animation.ts";
import { evaluateScores, toyHistogramPlot, toyScatterPlot } from "../lib/viz/toy_plot.ts";
import { generateImages, latentArithmeticPng, latentStripPng } from "../lib/viz/latent_strip.ts";

await initBackend({ backend: "wasm" });

/** Decode a PNG to raw pixels, with the PNG's own channel count (sharp would widen grey to sRGB). */
async function decode(png: Uint8Array) {
  const { channels } = await sharp(png).metadata();
  const image = channels === 1 ? sharp(png).extractChannel(0) : sharp(png);
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, channels);
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels };
}

Deno.test("imageGridPng() tiles a known batch with padding and maps [-1,1] to 0..255", async () => {
  // Two 2x2 grey images: [-1, 0; 1, 1] and [1, -1; 0, -1].
  const images = tf.tensor4d([-1, 0, 1, 1, 1, -1, 0, -1], [2, 2, 2, 1]);
  const png = await imageGridPng(images, { padding: 1, background: 0.5 });
  images.dispose();
  const { data, width, height, channels } = await decode(png);
  // 2 columns: width 1 + 2 + 1 + 2 + 1 = 7, height 1 + 2 + 1 = 4.
  assert.deepEqual([width, height, channels], [7, 4, 1]);
  const at = (x: number, y: number) => data[y * width + x];
  assert.deepEqual([at(1, 1), at(2, 1), at(1, 2), at(2, 2)], [0, 128, 255, 255]);
  assert.deepEqual([at(4, 1), at(5, 1), at(4, 2), at(5, 2)], [255, 0, 128, 0]);
  assert.deepEqual([at(0, 0), at(3, 1), at(6, 3)], [128, 128, 128]);
});

Deno.test("imageGridPng() upscales with nearest neighbour and honours columns", async () => {
  const images = tf.tensor4d([0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1], [3, 2, 2, 1]);
  const png = await imageGridPng(images, { scale: 3, padding: 0, columns: 1, range: "[0,1]" });
  images.dispose();
  const { data, width, height } = await decode(png);
  assert.deepEqual([width, height], [6, 18]);
  // The first image's top-left pixel (0) covers a 3x3 block, its top-right (1) the next one.
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 3; x++) {
      assert.equal(data[y * width + x], 0);
      assert.equal(data[y * width + x + 3], 255);
    }
  }
  // Third image, bottom row is 1, 1.
  assert.equal(data[17 * width + 5], 255);
});

Deno.test("imageGridPng() detects [0,1] and [0,255] and follows an explicit range", async () => {
  const half = tf.fill([1, 1, 1, 1], 0.5);
  const byte = tf.fill([1, 1, 1, 1], 51);
  const grey = async (t: tf.Tensor, range?: "[-1,1]") =>
    (await decode(await imageGridPng(t, { padding: 0, range }))).data[0];
  assert.equal(await grey(half), 128); // auto: [0, 1]
  assert.equal(await grey(half, "[-1,1]"), 191);
  assert.equal(await grey(byte), 51); // auto: [0, 255]
  tf.dispose([half, byte]);
  const { bytes } = await tensorToBytes(tf.tensor3d([-2, 2, NaN], [1, 3, 1]), "[-1,1]");
  assert.deepEqual(Array.from(bytes), [0, 255, 0]); // clipped, NaN as black
});

Deno.test("imageGridPng() keeps RGB colour and accepts one [h, w, c] image", async () => {
  const red = tf.tensor3d([1, 0, 0, 1, 0, 0], [1, 2, 3]);
  const { data, channels, width, height } = await decode(
    await imageGridPng(red, { padding: 0, range: "[0,1]" }),
  );
  red.dispose();
  assert.deepEqual([width, height, channels], [2, 1, 3]);
  assert.deepEqual(Array.from(data), [255, 0, 0, 255, 0, 0]);
});

Deno.test("imageGridPng() explains bad input", async () => {
  const twoChannels = tf.zeros([2, 4, 4, 2]);
  await assert.rejects(() => imageGridPng(twoChannels), /1 \(grey\) or 3 \(RGB\) channels, got 2/);
  twoChannels.dispose();
  const images = tf.zeros([2, 4, 4, 1]);
  await assert.rejects(() => imageGridPng(images, { scale: 0 }), /scale must be an integer >= 1/);
  await assert.rejects(
    () => imageGridPng(images, { rowLabels: ["a", "b", "c"] }),
    /1 rows and 2 columns, got 3 row labels/,
  );
  images.dispose();
});

Deno.test("imageGridPng() adds room for row and column labels", async () => {
  const images = tf.zeros([4, 8, 8, 1]);
  const plain = await decode(await imageGridPng(images, { columns: 2 }));
  const labelled = await decode(
    await imageGridPng(images, { columns: 2, rowLabels: ["a", "b"], columnLabels: ["x", "y"] }),
  );
  images.dispose();
  assert.ok(labelled.width > plain.width && labelled.height > plain.height);
  assert.equal(labelled.channels, 1);
  // Somewhere in the label margin a glyph was drawn (not all white).
  let dark = 0;
  for (let y = 0; y < labelled.height - plain.height; y++) {
    for (let x = 0; x < labelled.width; x++) {
      if (labelled.data[y * labelled.width + x] < 128) dark++;
    }
  }
  assert.ok(dark > 0);
});

Deno.test("saveImageGrid() writes the PNG atomically and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "viz_test_" });
  try {
    const images = tf.ones([3, 5, 5, 3]);
    const png = await saveImageGrid(images, `${dir}/samples/step_1.png`);
    images.dispose();
    assert.deepEqual(await Deno.readFile(`${dir}/samples/step_1.png`), png);
    const names = [...Deno.readDirSync(`${dir}/samples`)].map((entry) => entry.name);
    assert.deepEqual(names, ["step_1.png"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("animate() makes one GIF/WebP page per frame with the given delays", async () => {
  const frames = [0, 0.5, 1].map((v) => tf.fill([2, 6, 6, 1], v));
  for (const format of ["gif", "webp"] as const) {
    const bytes = await animate(frames, { format, delay: 100, holdLast: 400, range: "[0,1]" });
    const meta = await sharp(bytes, { animated: true }).metadata();
    assert.equal(meta.format, format);
    assert.equal(meta.pages, 3);
    assert.deepEqual(meta.delay, [100, 100, 500]);
    // Frame 2 (all white tiles) differs from frame 0 (all black tiles).
    const page = async (
      i: number,
    ) => (await decode(await sharp(bytes, { page: i }).png().toBuffer()));
    const first = await page(0), last = await page(2);
    assert.equal(first.data[(4 * first.width + 4) * first.channels], 0);
    assert.equal(last.data[(4 * last.width + 4) * last.channels], 255);
  }
  tf.dispose(frames);
});

Deno.test("animate() fits frames of other sizes, reads files, and checks its input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "viz_test_" });
  try {
    const small = tf.zeros([1, 4, 4, 3]), big = tf.ones([4, 9, 9, 3]);
    await saveImageGrid(big, `${dir}/b.png`);
    const gif = await saveAnimation([small, `${dir}/b.png`], `${dir}/a.gif`, {
      captions: ["s", "b"],
    });
    const meta = await sharp(gif, { animated: true }).metadata();
    assert.equal(meta.pages, 2);
    await assert.rejects(() => animate([]), /no frames given/);
    await assert.rejects(
      () => animate([small], { captions: ["a", "b"] }),
      /2 captions for 1 frames/,
    );
    await assert.rejects(() => saveAnimation([small], `${dir}/a.png`), /use a \.gif or \.webp/);
    await assert.rejects(() => animate([`${dir}/missing.png`]), /cannot read frame/);
    tf.dispose([small, big]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evaluateScores() batches, applies the sigmoid, and leaks no tensor", async () => {
  const points = Float32Array.from({ length: 21 }, (_, i) => i - 10);
  const before = tf.memory().numTensors;
  const probability = await evaluateScores((x) => x.mul(1), points, 1, { batchSize: 4 });
  const raw = await evaluateScores((x) => x.mul(1), points, 1, { batchSize: 4, score: "raw" });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Array.from(raw), Array.from(points));
  probability.forEach((p, i) => assert.ok(Math.abs(p - 1 / (1 + Math.exp(-points[i]))) < 1e-6));
  await assert.rejects(
    () => evaluateScores((x) => x.sum(), points, 1),
    /expected \[n, 1\] scores/,
  );
});

Deno.test("toyScatterPlot() draws D's score on a grid (rows are y) without leaking", async () => {
  const real = tf.tensor2d([[1, 1], [-1, -1]]);
  const fake = tf.tensor2d([[0, 0.5]]);
  const before = tf.memory().numTensors;
  // D's logit is the x coordinate: the heat map must grow along each row.
  const figure = await toyScatterPlot(real, fake, {
    discriminator: (x) => x.slice([0, 0], [-1, 1]).mul(100),
    bounds: [-1, 1, -2, 2],
    resolution: 5,
  });
  assert.equal(tf.memory().numTensors, before);
  const [heatmap, realTrace, fakeTrace] = figure.data;
  assert.equal(heatmap.type, "heatmap");
  const z = heatmap.z as number[][];
  assert.equal(z.length, 5);
  z.forEach((row) => assert.deepEqual(row.map((v) => Math.round(v * 2) / 2), [0, 0, 0.5, 1, 1]));
  assert.deepEqual(heatmap.x, [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(realTrace.x, [1, -1]);
  assert.deepEqual(fakeTrace.y, [0.5]);
  tf.dispose([real, fake]);
  await assert.rejects(() => toyScatterPlot([[1, 2, 3]], [[0, 0]]), /must be \[n, 2\] points/);
});

Deno.test("toyHistogramPlot() overlays real/fake densities with a D(x) curve", async () => {
  const figure = await toyHistogramPlot([0, 1, 2], tf.tensor2d([[3], [4]]), {
    discriminator: (x) => x.sub(2),
    range: [0, 4],
    resolution: 5,
    curves: [{ name: "D*(x)", x: [0, 4], y: [1, 0] }],
  });
  assert.deepEqual(figure.data.map((trace) => trace.name), ["real", "generated", "D(x)", "D*(x)"]);
  const curve = figure.data[2].y as number[];
  assert.ok(Math.abs(curve[2] - 0.5) < 1e-6); // at x = 2, D's logit is 0
  assert.equal((figure.layout?.yaxis2 as { overlaying: string }).overlaying, "y");
});

Deno.test("generateImages() and latentStripPng() run the generator in batches without leaks", async () => {
  let calls = 0;
  const generator = (z: tf.Tensor2D) => {
    calls++;
    return tf.tanh(z.reshape([-1, 2, 2, 1]));
  };
  const latents = tf.randomNormal([5, 4], 0, 1, "float32", 3) as tf.Tensor2D;
  const groupA = latents.slice([0, 0], [2, 4]), groupB = latents.slice([2, 0], [3, 4]);
  const before = tf.memory().numTensors;
  const images = generateImages(generator, latents, { batchSize: 2 });
  assert.equal(calls, 3);
  assert.deepEqual(images.shape, [5, 2, 2, 1]);
  images.dispose();
  const png = await latentStripPng(generator, latents, { columns: 5, padding: 0 });
  const strip = await decode(png);
  assert.deepEqual([strip.width, strip.height], [10, 2]);
  const arithmetic = await latentArithmeticPng(generator, [
    { z: groupA, sign: 1, label: "a" },
    { z: groupB, sign: -1, label: "b" },
  ], { variations: 2, scale: 4 });
  // Two group means, the result and two variations in one row.
  assert.equal((await sharp(arithmetic).metadata()).width! > 5 * 2 * 4, true);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([latents, groupA, groupB]);
  assert.throws(() => generateImages((z) => z, tf.zeros([2, 3])), /must return \[n, height/);
});
