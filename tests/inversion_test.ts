import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { invertGenerator } from "../lib/inversion.ts";
import { createEncoderTrainer, encodeImages } from "../lib/inversion_encoder.ts";
import { buildDcganGenerator } from "../lib/models/dcgan_nets.ts";
import { buildEncoder } from "../lib/models/encoder.ts";
import { tensorBatches, train } from "@course/lib/train";

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

/** A linear encoder [batch, 4, 4, 1] -> [batch, 4], for {@linkcode linearGenerator}. */
function linearEncoder(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 1] }),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }),
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

Deno.test("invertGenerator() starts from initialLatents: the true latent stays the best start", async () => {
  const generator = linearGenerator();
  const zTrue = tf.tensor2d([[0.5, -1, 0.3, 0.8], [-0.2, 0.4, 1.2, -0.7]]);
  const targets = generator.predict(zTrue) as tf.Tensor4D;
  const tensors = tf.memory().numTensors;
  // One tiny step from the right answer: already exact, while random starts are far off.
  const options = { steps: 1, learningRate: 1e-4, restarts: 3 };
  const guided = await invertGenerator(generator, targets, { ...options, initialLatents: zTrue });
  const blind = await invertGenerator(generator, targets, options);
  assert.ok(guided.mse.every((e) => e < 1e-5), `guided MSE ${guided.mse}`);
  assert.ok(blind.mse.every((e) => e > 1e-2), `blind MSE ${blind.mse}`);
  guided.dispose();
  blind.dispose();
  assert.equal(tf.memory().numTensors, tensors);
  const wrong = tf.zeros([3, 4]) as tf.Tensor2D;
  await assert.rejects(
    invertGenerator(generator, targets, { initialLatents: wrong }),
    /initialLatents must be \[2, 4\] \(one latent per target\), got \[3,4\]/,
  );
  tf.dispose([zTrue, targets, wrong]);
  generator.dispose();
});

Deno.test("buildEncoder() maps images to latentDim numbers", () => {
  const encoder = buildEncoder({ imageShape: [32, 32, 3], latentDim: 16, width: 0.125, seed: 1 });
  tf.tidy(() => {
    assert.deepEqual((encoder.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor).shape, [2, 16]);
  });
  encoder.dispose();
  assert.throws(
    () => buildEncoder({ latentDim: 0 }),
    /latentDim must be a positive integer, got 0/,
  );
});

Deno.test("createEncoderTrainer() learns to invert a linear generator on its own samples", async () => {
  const [generator, encoder] = [linearGenerator(), linearEncoder()];
  const probe = tf.randomNormal([64, 4], 0, 1, "float32", 9) as tf.Tensor2D;
  const images = generator.predict(probe) as tf.Tensor4D;
  const before = await encodeImages(generator, encoder, images);
  // Latent regression only: the batch's images serve as a step counter.
  const trainer = createEncoderTrainer(generator, encoder, { imageWeight: 0, learningRate: 0.02 });
  const run = await train(trainer, { realImages: tf.zeros([64, 4, 4, 1]) }, {
    batchSize: 32,
    epochs: 150,
    seed: 1,
  });
  const after = await encodeImages(generator, encoder, images);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  assert.ok(
    mean(after.mse) < mean(before.mse) / 100,
    `image MSE ${mean(before.mse)} -> ${mean(after.mse)}`,
  );
  const latentError = tf.tidy(() => after.z.sub(probe).abs().max().dataSync()[0]);
  assert.ok(latentError < 0.05, `max |E(G(z)) - z| = ${latentError}`);
  const losses = run.history.values.latentLoss;
  assert.ok(losses.at(-1)! < losses[0] / 100, `latent loss ${losses[0]} -> ${losses.at(-1)}`);
  assert.deepEqual(run.history.values.imageLoss.at(-1), 0);
  tf.dispose([probe, images]);
  before.dispose();
  after.dispose();
  trainer.dispose();
  generator.dispose();
  encoder.dispose();
});

Deno.test("createEncoderTrainer() with the image term alone reconstructs real images", async () => {
  const [generator, encoder] = [linearGenerator(), linearEncoder()];
  // "Real" images the generator can draw exactly (in [-1, 1]), never shown as latents.
  const real = tf.tidy(() =>
    generator.predict(tf.randomNormal([64, 4], 0, 0.3, "float32", 5)) as tf.Tensor4D
  );
  const trainer = createEncoderTrainer(generator, encoder, { latentWeight: 0, learningRate: 0.02 });
  const tensors = tf.memory().numTensors;
  const source = tensorBatches({ realImages: real }, { batchSize: 32, seed: 2 });
  const run = await train(trainer, source, { epochs: 150, seed: 2 });
  const losses = run.history.values.imageLoss;
  assert.ok(losses.at(-1)! < losses[0] / 100, `image loss ${losses[0]} -> ${losses.at(-1)}`);
  // Adam's moments are the only tensors a run adds (two per weight of the encoder).
  assert.deepEqual(tf.memory().numTensors, tensors + 2 * encoder.trainableWeights.length);
  trainer.dispose();
  tf.dispose(real);
  generator.dispose();
  encoder.dispose();
});

Deno.test("createEncoderTrainer() refuses an encoder of the wrong size and no loss at all", () => {
  const generator = buildDcganGenerator({ width: 0.0625, latentDim: 8, seed: 1 });
  const encoder = buildEncoder({ width: 0.0625, latentDim: 10 });
  assert.throws(
    () => createEncoderTrainer(generator, encoder),
    /predicts 10 numbers, the generator takes latents of 8; build it with buildEncoder\(\{ latentDim: 8 \}\)/,
  );
  const right = buildEncoder({ width: 0.0625, latentDim: 8 });
  assert.throws(
    () => createEncoderTrainer(generator, right, { latentWeight: 0, imageWeight: 0 }),
    /both 0/,
  );
  [generator, encoder, right].forEach((m) => m.dispose());
});
