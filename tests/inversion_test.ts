import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "@course/backend.ts";
import { invertGenerator } from "@course/inversion.ts";
import { buildDcganGenerator } from "@course/models/dcgan_nets.ts";

await initBackend({ backend: "wasm" });

/** A linear "generator" [batch, 4] -> [batch, 4, 4, 1]: inverting it is least squares. */
function linearGenerator(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 16,
        inputShape: [4],
        kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
      }),
      tf.layers.reshape({ targetShape: [4, 4, 1] }),
    ],
  });
}

Deno.test("invertGenerator() recovers images a linear generator made, and the MSE falls", async () => {
  const generator = linearGenerator();
  const zTrue = tf.tensor2d([[0.5, -1, 0.3, 0.8], [-0.2, 0.4, 1.2, -0.7]]);
  const targets = generator.predict(zTrue) as tf.Tensor4D;
  const result = await invertGenerator(generator, targets, { steps: 300, learningRate: 0.1 });
  assert.deepEqual(result.z.shape, [2, 4]);
  assert.deepEqual(result.images.shape, [2, 4, 4, 1]);
  assert.ok(result.mse.every((e) => e < 1e-3), `final MSE ${result.mse}`);
  assert.equal(result.history.length, 300);
  assert.ok(
    result.history[299] < result.history[0] / 100,
    `history ${result.history[0]} -> ${result.history[299]}`,
  );
  result.dispose();
  tf.dispose([zTrue, targets]);
  generator.dispose();
});

Deno.test("invertGenerator() keeps the generator's weights and leaks no tensor", async () => {
  const generator = buildDcganGenerator({ width: 0.0625, latentDim: 8, seed: 1 });
  const before = generator.getWeights().map((w) => Array.from(w.dataSync()));
  const targets = tf.randomUniform([2, 28, 28, 1], -1, 1, "float32", 2) as tf.Tensor4D;
  const tensors = tf.memory().numTensors;
  const snapshots: number[] = [];
  const result = await invertGenerator(generator, targets, {
    steps: 6,
    restarts: 3,
    snapshotEvery: 4,
    latentPenalty: 0.1,
    onSnapshot: (images, step) => {
      assert.deepEqual(images.shape, [2, 28, 28, 1]);
      snapshots.push(step);
    },
  });
  assert.deepEqual(snapshots, [4, 6]);
  assert.deepEqual(result.z.shape, [2, 8]);
  result.dispose();
  assert.equal(tf.memory().numTensors, tensors);
  generator.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), before[i]));
  targets.dispose();
  generator.dispose();
});

Deno.test("invertGenerator() keeps the best of several starts per target", async () => {
  const generator = linearGenerator();
  const targets = generator.predict(tf.tensor2d([[1, 2, -1, 0]])) as tf.Tensor4D;
  const one = await invertGenerator(generator, targets, { steps: 5, restarts: 1, seed: 4 });
  const many = await invertGenerator(generator, targets, { steps: 5, restarts: 8, seed: 4 });
  // The first start of `many` is the same draw as `one`'s only start, so the best of 8 is no worse.
  assert.ok(many.mse[0] <= one.mse[0] + 1e-6, `${many.mse[0]} vs ${one.mse[0]}`);
  one.dispose();
  many.dispose();
  targets.dispose();
  generator.dispose();
});

Deno.test("invertGenerator() rejects targets of the wrong shape and bad options", async () => {
  const generator = linearGenerator();
  const wrong = tf.zeros([1, 5, 5, 1]) as tf.Tensor4D;
  await assert.rejects(() => invertGenerator(generator, wrong), /targets must be \[n, 4,4,1\]/);
  const right = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  await assert.rejects(() => invertGenerator(generator, right, { steps: 0 }), /steps must be/);
  await assert.rejects(
    () => invertGenerator(generator, right, { learningRate: -1 }),
    /learningRate must be > 0/,
  );
  tf.dispose([wrong, right]);
  generator.dispose();
});
