import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { FACE_SKIN_COLOURS, faceSpecs, loadFaces, loadFacesArrays } from "../lib/data/faces.ts";

import { counts, hairShares } from "./faces_test_helpers.ts";

await initBackend();

Deno.test("loadFaces() gives [n, s, s, 3] in [-1, 1] with balanced one-hot hair and skin tags", async () => {
  const before = tf.memory().numTensors;
  const faces = await loadFaces({ size: 80, imageSize: 32, cacheDir: false });
  assertEquals(faces.images.shape, [80, 32, 32, 3]);
  const [min, max] = tf.tidy(
    () => [faces.images.min().dataSync()[0], faces.images.max().dataSync()[0]],
  );
  assert(min >= -1 && min < -0.8, `darkest pixel ${min}: outlines are near black`);
  assertEquals(max, 1); // the white background
  assertEquals(faces.groups.map((g) => [g.name, g.values.length]), [["hair", 10], ["skin", 4]]);
  assertEquals(counts(faces.groups[0].labels.dataSync(), 10), new Array(10).fill(8));
  assertEquals(counts(faces.groups[1].labels.dataSync(), 4), new Array(4).fill(20));
  assertEquals(faces.tags.shape, [80, 14]);
  assertEquals(tf.tidy(() => faces.tags.sum(1).arraySync()), new Array(80).fill(2));
  faces.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("loadFacesArrays() draws every face's hair in its tagged colour", async () => {
  const faces = await loadFacesArrays({ size: 40, imageSize: 64, cacheDir: false });
  for (let i = 0; i < faces.count; i++) {
    const shares = hairShares(faces, i);
    const tagged = faces.hair[i];
    assert(shares[tagged] >= 0.04, `face ${i}: ${(100 * shares[tagged]).toFixed(1)}% hair`);
    // Black also draws outlines, so only compare the other colours.
    const best = shares.indexOf(Math.max(...shares.map((s, k) => (k === 0 ? 0 : s))));
    if (tagged !== 0) assertEquals(best, tagged, `face ${i}: the most common hair colour`);
  }
});

Deno.test("loadFacesArrays() is deterministic, a smaller set is a prefix, the splits differ", async () => {
  const a = await loadFacesArrays({ size: 12, imageSize: 32, seed: 3, cacheDir: false });
  const b = await loadFacesArrays({ size: 5, imageSize: 32, seed: 3, cacheDir: false });
  assertEquals(b.pixels, a.pixels.subarray(0, 5 * 32 * 32 * 3));
  assertEquals(b.hair, a.hair.subarray(0, 5));
  const test = await loadFacesArrays({
    size: 12,
    imageSize: 32,
    seed: 3,
    split: "test",
    cacheDir: false,
  });
  assert(test.pixels.some((v, i) => v !== a.pixels[i]));
  assertEquals(faceSpecs(2, 3, "test").map((s) => s.seed), ["test:3:0", "test:3:1"]);
  const other = await loadFacesArrays({ size: 12, imageSize: 32, seed: 4, cacheDir: false });
  assert(other.pixels.some((v, i) => v !== a.pixels[i]));
});

Deno.test("loadFacesArrays() caches the rendered set and renders only what the cache lacks", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const first = await loadFacesArrays({ size: 10, imageSize: 32, cacheDir });
    assertEquals([first.cached, first.rendered], [0, 10]);
    const again = await loadFacesArrays({ size: 10, imageSize: 32, cacheDir });
    assertEquals([again.cached, again.rendered, again.renderSeconds], [10, 0, 0]);
    assertEquals(again.pixels, first.pixels);
    assert(again.description.includes("from the cache"), again.description);
    const larger = await loadFacesArrays({ size: 16, imageSize: 32, cacheDir });
    assertEquals([larger.cached, larger.rendered], [10, 6]);
    const fresh = await loadFacesArrays({ size: 16, imageSize: 32, cacheDir: false });
    assertEquals(larger.pixels, fresh.pixels);
    const smaller = await loadFacesArrays({ size: 4, imageSize: 32, cacheDir });
    assertEquals([smaller.cached, smaller.rendered], [4, 0]);
    assertEquals(smaller.pixels, fresh.pixels.subarray(0, 4 * 32 * 32 * 3));
    // Another image size or split is another cache entry.
    const big = await loadFacesArrays({ size: 2, imageSize: 48, cacheDir });
    assertEquals(big.rendered, 2);
    const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name).sort();
    assertEquals(files.length, 4, files.join(", "));
    // A damaged cache file is ignored and rendered again.
    const rgb = files.find((f) => f.startsWith("train-seed0-32px") && f.endsWith(".rgb"))!;
    await Deno.writeFile(`${cacheDir}/${rgb}`, new Uint8Array(7));
    const repaired = await loadFacesArrays({ size: 16, imageSize: 32, cacheDir });
    assertEquals([repaired.cached, repaired.rendered], [0, 16]);
    assertEquals(repaired.pixels, fresh.pixels);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadFacesArrays() rejects bad options with a clear error", async () => {
  await rejects(loadFacesArrays({ size: 0 }), /size must be a positive integer, got 0/);
  await rejects(loadFacesArrays({ imageSize: 4 }), /imageSize must be an integer from 8 to 256/);
  await rejects(loadFacesArrays({ split: "val" as "test" }), /split must be "train" or "test"/);
  await rejects(loadFacesArrays({ seed: -1 }), /seed must be a non-negative integer/);
  assertEquals(FACE_SKIN_COLOURS.length, 4);
});
