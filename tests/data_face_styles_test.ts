import * as tf from "@tensorflow/tfjs";
import {
  deepStrictEqual as assertEquals,
  notDeepStrictEqual,
  ok as assert,
  rejects,
} from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { faceSpecs, loadFacesArrays } from "../lib/data/faces.ts";
import {
  BIG_EARS,
  type FaceStyle,
  loadFaceStyle,
  loadFaceStyleArrays,
} from "../lib/data/face_styles.ts";

import { counts, hairShares } from "./faces_test_helpers.ts";

await initBackend();

Deno.test("loadFaceStyle() gives big-ears faces in [-1, 1] with balanced hair and skin tags", async () => {
  const before = tf.memory().numTensors;
  const faces = await loadFaceStyle("big-ears", { size: 80, imageSize: 32, cacheDir: false });
  assertEquals(faces.images.shape, [80, 32, 32, 3]);
  const [min, max] = tf.tidy(
    () => [faces.images.min().dataSync()[0], faces.images.max().dataSync()[0]],
  );
  assert(min < -0.5, `darkest pixel ${min}: eyes and black hair are dark`);
  assertEquals(max, 1); // the white background
  assertEquals(faces.groups.map((g) => [g.name, g.values.length]), [["hair", 10], ["skin", 4]]);
  assertEquals(counts(faces.groups[0].labels.dataSync(), 10), new Array(10).fill(8));
  assertEquals(counts(faces.groups[1].labels.dataSync(), 4), new Array(4).fill(20));
  assertEquals(faces.tags.shape, [80, 14]);
  assert(faces.description.includes('"big-ears" by The Visual Team, CC BY 4.0'));
  faces.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("loadFaceStyleArrays() draws every big-ears face's hair in its tagged colour", async () => {
  const faces = await loadFaceStyleArrays("big-ears", { size: 40, imageSize: 64, cacheDir: false });
  for (let i = 0; i < faces.count; i++) {
    const shares = hairShares(faces, i);
    const tagged = faces.hair[i];
    assert(shares[tagged] >= 0.08, `face ${i}: ${(100 * shares[tagged]).toFixed(1)}% hair`);
    const best = shares.indexOf(Math.max(...shares));
    assertEquals(best, tagged, `face ${i}: the most common hair colour`);
  }
});

Deno.test("the big-ears set is deterministic and unpaired with the adventurer set", async () => {
  const a = await loadFaceStyleArrays("big-ears", { size: 12, imageSize: 32, cacheDir: false });
  const b = await loadFaceStyleArrays("big-ears", { size: 5, imageSize: 32, cacheDir: false });
  assertEquals(b.pixels, a.pixels.subarray(0, 5 * 32 * 32 * 3));
  assertEquals(b.hair, a.hair.subarray(0, 5));
  const test = await loadFaceStyleArrays("big-ears", {
    size: 12,
    imageSize: 32,
    split: "test",
    cacheDir: false,
  });
  assert(test.pixels.some((v, i) => v !== a.pixels[i]));
  // Other DiceBear seeds and another order of tags than adventurer's, from the same seed.
  assertEquals(faceSpecs(2, 0, "train", "big-ears").map((s) => s.seed), [
    "big-ears:train:0:0",
    "big-ears:train:0:1",
  ]);
  const adventurer = await loadFacesArrays({ size: 40, imageSize: 32, cacheDir: false });
  const bigEars = await loadFaceStyleArrays("big-ears", {
    size: 40,
    imageSize: 32,
    cacheDir: false,
  });
  notDeepStrictEqual(bigEars.hair, adventurer.hair);
  assertEquals(counts(bigEars.hair, 10), counts(adventurer.hair, 10));
  // Asking for adventurer by name is loadFacesArrays() itself.
  const named = await loadFaceStyleArrays("adventurer", {
    size: 3,
    imageSize: 32,
    cacheDir: false,
  });
  assertEquals(named.pixels, adventurer.pixels.subarray(0, 3 * 32 * 32 * 3));
});

Deno.test("loadFaceStyleArrays() caches each style under its own name", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const first = await loadFaceStyleArrays("big-ears", { size: 6, imageSize: 32, cacheDir });
    assertEquals([first.cached, first.rendered], [0, 6]);
    const again = await loadFaceStyleArrays("big-ears", { size: 6, imageSize: 32, cacheDir });
    assertEquals([again.cached, again.rendered], [6, 0]);
    assertEquals(again.pixels, first.pixels);
    const adventurer = await loadFacesArrays({ size: 6, imageSize: 32, cacheDir });
    assertEquals(adventurer.rendered, 6); // another style is another cache entry
    notDeepStrictEqual(adventurer.pixels, first.pixels);
    const files = [...Deno.readDirSync(cacheDir)].map((e) => e.name).sort();
    assertEquals(files.length, 4, files.join(", "));
    assert(
      files.filter((f) => f.startsWith("big-ears-train-seed0-32px-")).length === 2,
      files.join(),
    );
    assert(files.filter((f) => f.startsWith("train-seed0-32px-")).length === 2, files.join());
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("loadFaceStyle() rejects an unknown style and bad options with a clear error", async () => {
  await rejects(
    loadFaceStyle("pixel-art" as FaceStyle, { size: 2 }),
    /style must be one of adventurer, big-ears, got "pixel-art"/,
  );
  await rejects(
    loadFaceStyleArrays("big-ears", { size: -2 }),
    /size must be a positive integer, got -2/,
  );
  await rejects(
    loadFacesArrays({ drawing: {} as typeof BIG_EARS }),
    /drawing must be a FaceDrawing/,
  );
});
