/**
 * The library behind notebooks 07 (the critic's loss as a progress indicator) and 13 (training
 * tips): the deep critic's gradients under clipping and the penalty, the critic/FID tracker and
 * Pearson's r, the late learning-rate decay, discriminator rejection sampling and the few-shot
 * digit classifier.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { sampleRing } from "../lib/data/toy.ts";
import { featureExtractor, featureStatistics } from "@course/lib/metrics";
import {
  backpropNorms,
  kernelGradientNorms,
  trainFixedCritic,
} from "../lib/metrics/critic_gradients.ts";
import { buildMlpDiscriminator } from "@course/lib/models";
import {
  buildSmallDigitClassifier,
  classifierAccuracy,
  shiftedCopies,
  trainDigitClassifier,
} from "../lib/metrics/few_shot_classifier.ts";
import { criticFidTracker, pearson } from "../lib/metrics/progress_indicator.ts";
import {
  discriminatorScores,
  keepHighestScored,
  trainDiscriminatorAlone,
} from "../lib/metrics/rejection_sampling.ts";
import { samplerBatches, train } from "@course/lib/train";
import { createToyGan, createWganGp } from "@course/lib/variants";
import { lateDecayFactor, withLateDecay } from "../lib/variants/late_decay.ts";

await initBackend({ backend: "wasm" });

Deno.test("criticFidTracker() records the critic's estimate and FID every N steps of a WGAN-GP run", async () => {
  const digits = await loadMnist({ size: 64 });
  const extractor = await featureExtractor();
  const realStats = featureStatistics((await extractor.run(digits.images)).features);
  const variant = createWganGp({ width: 0.125, nCritic: 2, seed: 1 });
  const tracker = criticFidTracker({ extractor, realStats, every: 2, samples: 32 });
  // A first run makes Adam's moments; the tracker must then leave no tensor behind.
  await train(variant, { realImages: digits.images }, { batchSize: 16, maxSteps: 1 });
  const before = tf.memory().numTensors;
  await train(variant, { realImages: digits.images }, {
    batchSize: 16,
    epochs: 2,
    maxSteps: 5,
    callbacks: [tracker],
  });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(tracker.points.map((p) => p.step), [2, 4, 5]);
  for (const p of tracker.points) {
    assert(Number.isFinite(p.criticEstimate) && p.fid > 0, JSON.stringify(p));
  }
  variant.dispose();
  digits.dispose();
});

Deno.test("criticFidTracker() refuses a bad interval and pearson() bad series", () => {
  const extractor = {} as never;
  const realStats = {} as never;
  throws(() => criticFidTracker({ extractor, realStats, every: 0 }), /every must be a positive/);
  throws(() => pearson([1, 2, 3], [1, 2]), /equally long/);
  throws(() => pearson([1, 2], [1, 2]), /at least 3 pairs/);
  throws(() => pearson([1, 1, 1], [1, 2, 3]), /constant/);
  assert(Math.abs(pearson([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-12);
});

Deno.test("withLateDecay() keeps the rate, then lowers it linearly inside train()", async () => {
  const variant = withLateDecay(createToyGan({ hidden: [4], seed: 1 }), {
    startStep: 6,
    endStep: 10,
    finalFactor: 0.2,
  });
  const initial = variant.optimizers.generator.getConfig().learningRate as number;
  const rates: number[] = [];
  const data = samplerBatches((n, seed) => sampleRing(n, { seed }), { batchSize: 8 });
  await train(variant, data, {
    epochs: 1,
    stepsPerEpoch: 12,
    callbacks: [{
      onStepEnd() {
        rates.push(variant.optimizers.discriminator.getConfig().learningRate as number);
      },
    }],
  });
  const expected = Array.from({ length: 12 }, (_, s) =>
    initial * lateDecayFactor(s, {
      startStep: 6,
      endStep: 10,
      finalFactor: 0.2,
    }));
  assertEquals(rates.map((r) => r.toPrecision(6)), expected.map((r) => r.toPrecision(6)));
  assertEquals(rates.slice(0, 7).every((r) => r === initial), true);
  assert(Math.abs(rates[11] - 0.2 * initial) < 1e-12);
  throws(
    () => withLateDecay(variant, { startStep: 5, endStep: 5 }),
    /endStep must be an integer above startStep \(5\), got 5/,
  );
  throws(() => withLateDecay(variant, { startStep: 1, endStep: 5, finalFactor: 1 }), /\[0, 1\)/);
  variant.dispose();
});

Deno.test("trainDiscriminatorAlone() teaches D to score real images above the frozen G's", async () => {
  // G always draws -1 everywhere (a blank image); the real images are +1 everywhere.
  const generator = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 16,
        inputShape: [3],
        kernelInitializer: "zeros",
        biasInitializer: tf.initializers.constant({ value: -1 }),
      }),
      tf.layers.reshape({ targetShape: [4, 4, 1] }),
    ],
  });
  const discriminator = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 1 })],
  });
  const real = tf.ones([32, 4, 4, 1]);
  const losses = await trainDiscriminatorAlone(generator, discriminator, real, {
    steps: 100,
    batchSize: 16,
    learningRate: 1e-2,
  });
  assert(losses.at(-1)! < 0.2 * losses[0], `loss ${losses[0]} -> ${losses.at(-1)}`);
  const fake = generator.predict(tf.zeros([4, 3])) as tf.Tensor;
  const pool = tf.concat([fake, real.slice(0, 4)]);
  const scores = await discriminatorScores(discriminator, pool, { batchSize: 3 });
  const kept = keepHighestScored(pool, scores, 4);
  assertEquals(kept.min().dataSync()[0], 1); // the four kept ones are the real images
  throws(() => keepHighestScored(pool, scores, 9), /count must be an integer in 1..8, got 9/);
  throws(() => keepHighestScored(pool, [1, 2], 1), /got 2 scores for 8 images/);
  tf.dispose([real, fake, pool, kept]);
  generator.dispose();
  discriminator.dispose();
});

Deno.test("trainDigitClassifier() learns 10 digit classes from 20 digits each; shiftedCopies() moves them", async () => {
  const digits = await loadMnist({ size: 200 });
  const labels = Array.from(await digits.labels.data());
  const model = buildSmallDigitClassifier({ seed: 0 });
  await trainDigitClassifier(model, digits.images, labels, { steps: 60, batchSize: 32 });
  const trainAccuracy = await classifierAccuracy(model, digits.images, labels);
  assert(trainAccuracy > 0.8, `training accuracy ${trainAccuracy}`);
  const shifted = await shiftedCopies(digits.images.slice(0, 4), labels.slice(0, 4), {
    copies: 2,
    maxShift: 0,
  });
  assertEquals(shifted.labels, [...labels.slice(0, 4), ...labels.slice(0, 4)]);
  assertEquals(
    tf.tidy(() =>
      shifted.images.slice(4, 4).sub(digits.images.slice(0, 4)).abs().max().dataSync()[0]
    ),
    0,
  );
  await rejects(
    trainDigitClassifier(model, digits.images, labels.slice(1), { steps: 1 }),
    /got 199 labels for 200 images/,
  );
  shifted.images.dispose();
  model.dispose();
  digits.dispose();
});

Deno.test("backpropNorms() shows the clipped deep critic's gradient vanishing towards the input, the penalty's not", async () => {
  const real = sampleRing(64, { seed: 1 });
  const fake = tf.randomNormal([64, 2], 0, 1, "float32", 2);
  const both = tf.concat([real, fake]);
  const norms: Record<string, number[]> = {};
  for (const [name, recipe] of [["clip", { clip: 0.01 }], ["penalty", { lambda: 10 }]] as const) {
    const critic = buildMlpDiscriminator({
      hidden: [32, 32, 32, 32, 32, 32],
      activation: "relu",
      seed: 5,
    });
    trainFixedCritic(critic, real, fake, recipe, 20);
    norms[name] = await backpropNorms(critic, both);
    assertEquals(norms[name].length, 7); // the input and six hidden layers
    assertEquals((await kernelGradientNorms(critic, real, fake)).length, 7);
    critic.dispose();
  }
  // Clipped at 0.01, each layer shrinks the gradient about tenfold: 6 layers lose orders of magnitude.
  assert(norms.clip[0] < 1e-4 * norms.clip[6], `clip: ${norms.clip}`);
  assert(norms.penalty[0] > 0.05 * norms.penalty[6], `penalty: ${norms.penalty}`);
  throws(
    () => trainFixedCritic(buildMlpDiscriminator({ hidden: [4] }), real, fake, { clip: 0.1 }, 0),
    /steps must be a positive integer, got 0/,
  );
  tf.dispose([real, fake, both]);
});
