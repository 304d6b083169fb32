import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnistArrays } from "../lib/data/mnist.ts";
import { loadTwoDomains } from "../lib/data/two_domain.ts";
import { BACKGROUND_COLOURS, INK_COLOURS, loadMultiTag } from "../lib/data/multi_tag.ts";

await initBackend();

function range(t: tf.Tensor): [number, number] {
  return tf.tidy(() => [t.min().dataSync()[0], t.max().dataSync()[0]]);
}

function counts(labels: ArrayLike<number>, n: number): number[] {
  const c = new Array(n).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

Deno.test("loadTwoDomains() builds [n, 28, 28, 3] domains in [-1, 1] with int32 digit labels", async () => {
  const before = tf.memory().numTensors;
  const data = await loadTwoDomains({ size: 40 });
  assertEquals(data.domainA.shape, [40, 28, 28, 3]);
  assertEquals(data.domainB.shape, [40, 28, 28, 3]);
  assertEquals(data.labelsA.dtype, "int32");
  assertEquals(data.labelsB.shape, [40]);
  const [minA, maxA] = range(data.domainA);
  const [minB, maxB] = range(data.domainB);
  assert(minA === -1 && maxA === 1, `A in [${minA}, ${maxA}]`);
  assert(minB >= -1 && maxB <= 1, `B in [${minB}, ${maxB}]`);
  // Balanced by class: 4 of each digit in each domain.
  assertEquals(counts(data.labelsA.dataSync(), 10), new Array(10).fill(4));
  assertEquals(counts(data.labelsB.dataSync(), 10), new Array(10).fill(4));
  data.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("loadTwoDomains(): A is grey on black, B is coloured on a non-black background", async () => {
  const data = await loadTwoDomains({ size: 20, seed: 2 });
  const a = data.domainA.dataSync();
  const b = data.domainB.dataSync();
  let greyA = true;
  for (let p = 0; p < a.length; p += 3) greyA &&= a[p] === a[p + 1] && a[p + 1] === a[p + 2];
  assert(greyA, "domain A has three equal channels");
  const cornerA = tf.tidy(() =>
    data.domainA.slice([0, 0, 0, 0], [-1, 3, 3, -1]).max().dataSync()[0]
  );
  assertEquals(cornerA, -1);
  // Domain B: channels differ (colour), and the background corners are not black.
  let spread = 0;
  for (let p = 0; p < b.length; p += 3) {
    spread = Math.max(
      spread,
      Math.max(b[p], b[p + 1], b[p + 2]) - Math.min(b[p], b[p + 1], b[p + 2]),
    );
  }
  assert(spread > 1, `channel spread ${spread}`);
  const cornerB = tf.tidy(() =>
    data.domainB.slice([0, 0, 0, 0], [-1, 3, 3, -1]).mean().dataSync()[0]
  );
  assert(cornerB > -0.9, `B's background mean ${cornerB}`);
  data.dispose();
});

Deno.test("loadTwoDomains() is unpaired: A and B come from different source digits", async () => {
  const size = 30;
  const data = await loadTwoDomains({ size });
  const source = await loadMnistArrays({ size: 2 * size + 20, range: "[0,1]" });
  const alpha = (n: number) => source.pixels.subarray(n * 784, (n + 1) * 784);
  // A's grey channel is exactly a source digit.
  const a = data.domainA.arraySync() as number[][][][];
  const sourcesA = new Set(a.map((image) => {
    const grey = image.flat().map((rgb) => (rgb[0] + 1) / 2);
    const n = [...Array(source.count).keys()].find((k) =>
      alpha(k).every((v, p) => Math.abs(v - grey[p]) < 1e-5)
    );
    assert(n !== undefined, "every A image is a source digit");
    return n;
  }));
  assertEquals(sourcesA.size, size);
  // B's ink mask (brightest channel > 0.9; the stripes stay below 0.1) is nearest to a source
  // digit that A did not use.
  const b = data.domainB.arraySync() as number[][][][];
  for (let i = 0; i < size; i++) {
    const mask = b[i].flat().map((rgb) => Math.max(...rgb) > 0.9);
    const mismatches = [...Array(source.count).keys()].map((k) =>
      alpha(k).filter((v, p) => (v > 0.95) !== mask[p]).length
    );
    const nearest = mismatches.indexOf(Math.min(...mismatches));
    assert(!sourcesA.has(nearest), `B image ${i} shows the digit of an A image`);
  }
  data.dispose();
});

Deno.test("loadTwoDomains() and loadMultiTag() are deterministic for a seed", async () => {
  const [x, y, z] = await Promise.all([
    loadTwoDomains({ size: 10, seed: 4 }),
    loadTwoDomains({ size: 10, seed: 4 }),
    loadTwoDomains({ size: 10, seed: 5 }),
  ]);
  assertEquals(x.domainB.dataSync(), y.domainB.dataSync());
  assertEquals(x.labelsA.dataSync(), y.labelsA.dataSync());
  assert(x.domainB.dataSync().some((v, i) => v !== z.domainB.dataSync()[i]));
  [x, y, z].forEach((d) => d.dispose());
  const [m, n] = await Promise.all([
    loadMultiTag({ size: 50, seed: 1 }),
    loadMultiTag({ size: 50, seed: 1 }),
  ]);
  assertEquals(m.images.dataSync(), n.images.dataSync());
  assertEquals(m.tags.dataSync(), n.tags.dataSync());
  m.dispose();
  n.dispose();
});

Deno.test("loadMultiTag() paints each image in its tagged ink and background colours", async () => {
  const before = tf.memory().numTensors;
  const data = await loadMultiTag({ size: 96 });
  assertEquals(data.images.shape, [96, 28, 28, 3]);
  assertEquals(data.groups[0].values, INK_COLOURS.map((c) => c.name));
  assertEquals(data.groups[1].values, BACKGROUND_COLOURS.map((c) => c.name));
  assertEquals(data.groups[0].oneHot.shape, [96, 8]);
  assertEquals(data.groups[1].oneHot.shape, [96, 6]);
  assertEquals(data.tags.shape, [96, 14]);
  assertEquals(data.digits.dtype, "int32");
  const [lo, hi] = range(data.images);
  assert(lo >= -1 && hi <= 1);
  const ink = data.groups[0].labels.dataSync();
  const background = data.groups[1].labels.dataSync();
  const pixels = data.images.arraySync() as number[][][][];
  for (let i = 0; i < 96; i++) {
    // Every pixel is bg + a * (ink - bg) for some a in [0, 1]; the corner is pure background and
    // the most inked pixel nearly pure ink.
    const bg = BACKGROUND_COLOURS[background[i]].rgb.map((v) => v * 2 - 1);
    const fg = INK_COLOURS[ink[i]].rgb.map((v) => v * 2 - 1);
    const norm2 = fg.reduce((s, v, c) => s + (v - bg[c]) ** 2, 0);
    let maxInk = 0;
    for (const rgb of pixels[i].flat()) {
      const a = rgb.reduce((s, v, c) => s + (v - bg[c]) * (fg[c] - bg[c]), 0) / norm2;
      const residual = Math.max(...rgb.map((v, c) => Math.abs(v - (bg[c] + a * (fg[c] - bg[c])))));
      assert(residual < 1e-5 && a > -1e-5 && a < 1 + 1e-5, `image ${i}: a pixel off the colours`);
      maxInk = Math.max(maxInk, a);
    }
    assert(maxInk > 0.95, `image ${i} ink ${maxInk}`);
    assertEquals(
      pixels[i][0][0].map((v) => Math.round(v * 1e5)),
      bg.map((v) => Math.round(v * 1e5)),
    );
  }
  // The tag vector is the two one-hots side by side.
  const tags = data.tags.arraySync();
  for (let i = 0; i < 96; i++) {
    assertEquals(tags[i].indexOf(1), ink[i]);
    assertEquals(tags[i].lastIndexOf(1), 8 + background[i]);
  }
  data.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("loadMultiTag() uses every (ink, background) combination equally, digits balanced", async () => {
  const data = await loadMultiTag({ size: 480 });
  const ink = data.groups[0].labels.dataSync();
  const background = data.groups[1].labels.dataSync();
  const combos = counts(Array.from(ink, (v, i) => v * 6 + background[i]), 48);
  assertEquals(combos, new Array(48).fill(10));
  assertEquals(counts(data.digits.dataSync(), 10), new Array(10).fill(48));
  data.dispose();
});

Deno.test("loadTwoDomains() and loadMultiTag() reject sizes the split cannot hold", async () => {
  await rejects(
    () => loadTwoDomains({ size: 1500, split: "test" }),
    /test split of 2000 digits gives only 998 per domain; ask for at most 998/,
  );
  await rejects(() => loadTwoDomains({ size: 0 }), /size must be a positive integer, got 0/);
  await rejects(() => loadMultiTag({ size: 2500, split: "test" }), /at most 2000/);
});
