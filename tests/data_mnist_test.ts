import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnist, loadMnistArrays } from "../lib/data/mnist.ts";

await initBackend();

// These tests are about the embedded set: IDX files a developer dropped in data/ must not change them.
const embedded = { source: "embedded" } as const;

function classCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

Deno.test("loadMnist() returns [n, 28, 28, 1] images in [-1, 1], int32 labels and one-hot", async () => {
  const before = tf.memory().numTensors;
  const mnist = await loadMnist({ ...embedded, size: 100 });
  assertEquals(mnist.images.shape, [100, 28, 28, 1]);
  assertEquals(mnist.images.dtype, "float32");
  assertEquals(mnist.labels.shape, [100]);
  assertEquals(mnist.labels.dtype, "int32");
  assertEquals(mnist.oneHot.shape, [100, 10]);
  assertEquals(mnist.source, "embedded");
  assertEquals(tf.tidy(() => mnist.images.min().dataSync()[0]), -1);
  assertEquals(tf.tidy(() => mnist.images.max().dataSync()[0]), 1);
  const labels = mnist.labels.dataSync();
  const hot = tf.tidy(() => mnist.oneHot.argMax(1).dataSync());
  assertEquals([...hot], [...labels]);
  mnist.dispose();
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("loadMnist() with range [0,1] scales pixels to [0, 1]", async () => {
  const unit = await loadMnistArrays({ ...embedded, size: 50, range: "[0,1]" });
  const symmetric = await loadMnistArrays({ ...embedded, size: 50 });
  assertEquals(Math.min(...unit.pixels), 0);
  assertEquals(Math.max(...unit.pixels), 1);
  for (let i = 0; i < unit.pixels.length; i += 97) {
    assert(Math.abs(symmetric.pixels[i] - (unit.pixels[i] * 2 - 1)) < 1e-6);
  }
});

Deno.test("loadMnist() splits the 10,000 embedded digits 8,000 / 2,000, stratified and disjoint", async () => {
  const train = await loadMnistArrays({ ...embedded, range: "[0,1]" });
  const test = await loadMnistArrays({ ...embedded, split: "test", range: "[0,1]" });
  assertEquals(train.count, 8000);
  assertEquals(test.count, 2000);
  const trainCounts = classCounts(train.labels);
  const testCounts = classCounts(test.labels);
  for (let digit = 0; digit < 10; digit++) {
    const fraction = testCounts[digit] / (trainCounts[digit] + testCounts[digit]);
    assert(Math.abs(fraction - 0.2) < 0.002, `digit ${digit} test fraction ${fraction}`);
  }
  // No test image appears in the training split.
  const key = (p: Float32Array, n: number) => p.subarray(n * 784, (n + 1) * 784).join(",");
  const trainKeys = new Set(Array.from({ length: train.count }, (_, n) => key(train.pixels, n)));
  for (let n = 0; n < test.count; n++) assert(!trainKeys.has(key(test.pixels, n)));
});

Deno.test("loadMnist() is deterministic: same seed same order, other seed other order, same split", async () => {
  const a = await loadMnistArrays({ ...embedded, size: 300, seed: 3 });
  const b = await loadMnistArrays({ ...embedded, size: 300, seed: 3 });
  const c = await loadMnistArrays({ ...embedded, seed: 4 });
  assertEquals(a.pixels, b.pixels);
  assertEquals(a.labels, b.labels);
  assert(a.labels.some((label, i) => label !== c.labels[i]));
  // The split does not depend on the seed: the same 8,000 digits in another order.
  const all3 = await loadMnistArrays({ ...embedded, seed: 3 });
  const sum = (x: MnistLike) => x.pixels.reduce((s, v) => s + v, 0);
  assert(Math.abs(sum(all3) - sum(c)) < 1);
});

type MnistLike = { pixels: Float32Array };

Deno.test("loadMnist() size takes a class-balanced prefix and is capped by the split", async () => {
  const small = await loadMnistArrays({ ...embedded, size: 256 });
  const counts = classCounts(small.labels);
  assert(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
  const big = await loadMnistArrays({ ...embedded, size: 60000, split: "test" });
  assertEquals(big.count, 2000);
  assert(big.description.includes("asked for 60000"));
});

Deno.test("loadMnist() rejects bad options with a message that names the option", async () => {
  await rejects(
    () => loadMnist({ ...embedded, size: -3 }),
    /size must be a positive integer, got -3/,
  );
  await rejects(() => loadMnist({ ...embedded, size: 1.5 }), /size must be a positive integer/);
  await rejects(
    // deno-lint-ignore no-explicit-any
    () => loadMnist({ ...embedded, source: "web" as any }),
    /source must be "embedded", "idx" or "auto", got web/,
  );
  await rejects(
    () => loadMnist({ ...embedded, testFraction: 1 }),
    /testFraction must be between 0 and 1/,
  );
});
