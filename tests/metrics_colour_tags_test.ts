import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { initBackend } from "@course/backend.ts";
import { loadMultiTag } from "@course/data/multi_tag.ts";
import { colourTagAccuracy, readColourTags } from "@course/metrics/colour_tags.ts";

await initBackend();

Deno.test("readColourTags() reads every tag of the real multi-tag images", async () => {
  const data = await loadMultiTag({ size: 480, seed: 3 });
  const before = tf.memory().numTensors;
  const read = readColourTags(data.images);
  assertEquals(tf.memory().numTensors, before);
  assertEquals(Array.from(read.ink), Array.from(data.groups[0].labels.dataSync()));
  assertEquals(Array.from(read.background), Array.from(data.groups[1].labels.dataSync()));
  data.dispose();
});

Deno.test("readColourTags() survives pixel noise of a generator's size", async () => {
  const data = await loadMultiTag({ size: 96, seed: 1 });
  const noisy = tf.tidy(() =>
    data.images.add(tf.randomNormal(data.images.shape, 0, 0.1, "float32", 7)).clipByValue(-1, 1)
  ) as tf.Tensor4D;
  const score = colourTagAccuracy(noisy, {
    ink: data.groups[0].labels.dataSync(),
    background: data.groups[1].labels.dataSync(),
  });
  assertEquals(score.background, 1);
  assertEquals(score.ink > 0.95, true);
  tf.dispose([noisy]);
  data.dispose();
});

Deno.test("colourTagAccuracy() scores wrong tags as wrong", async () => {
  const data = await loadMultiTag({ size: 48 });
  const ink = Array.from(data.groups[0].labels.dataSync(), (k) => (k + 1) % 8);
  const background = Array.from(data.groups[1].labels.dataSync());
  const score = colourTagAccuracy(data.images, { ink, background });
  assertEquals(score.ink, 0);
  assertEquals(score.background, 1);
  assertEquals(score.both, 0);
  data.dispose();
});

Deno.test("readColourTags() and colourTagAccuracy() reject bad inputs", () => {
  const grey = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
  throws(() => readColourTags(grey), /expected RGB images/);
  const rgb = tf.zeros([2, 28, 28, 3]) as tf.Tensor4D;
  throws(() => readColourTags(rgb, { border: 14 }), /border must be/);
  throws(() => colourTagAccuracy(rgb, { ink: [0], background: [0, 1] }), /one of each per image/);
  tf.dispose([grey, rgb]);
});
