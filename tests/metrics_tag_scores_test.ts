/**
 * scoreTaggedSamples(): each group's judge and D's heads are scored against the tags asked for,
 * FID comes from the first judge's features, and nothing leaks.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { featureExtractor, featureStatistics, scoreTaggedSamples } from "@course/lib/metrics";

await initBackend({ backend: "wasm" });

/** A dense layer with fixed weights `[inputs, units]` and no bias. */
function fixedDense(weights: number[][], name?: string): tf.layers.Layer {
  return tf.layers.dense({
    units: weights[0].length,
    useBias: false,
    name,
    kernelInitializer: tf.initializers.constant({ value: 0 }),
    weights: [tf.tensor2d(weights)],
  });
}

const identity = (n: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** G draws its tags as pixels: image [1, 5, 1] = the one-hot tags of groups [2, 3]; z is ignored. */
function tagPainter(): tf.LayersModel {
  const z = tf.input({ shape: [4] });
  const tags = tf.input({ shape: [5] });
  const joined = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
  const kernel = [...Array.from({ length: 4 }, () => new Array(5).fill(0)), ...identity(5)];
  const pixels = fixedDense(kernel).apply(joined) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [1, 5, 1] }).apply(pixels) as tf.SymbolicTensor;
  return tf.model({ inputs: [z, tags], outputs: image });
}

/** A judge that reads pixels `from..from+size` of a [1, 5, 1] image as logits. */
function pixelJudge(from: number, size: number) {
  const pick = Array.from(
    { length: 5 },
    (_, i) => Array.from({ length: size }, (_, j) => (i === from + j ? 1 : 0)),
  );
  return featureExtractor(
    tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [1, 5, 1] }),
        fixedDense(identity(5), "features"),
        fixedDense(pick),
      ],
    }),
    "features",
  );
}

Deno.test("scoreTaggedSamples() reads each group with its judge and with D's heads", async () => {
  const generator = tagPainter();
  const judges = [await pixelJudge(0, 2), await pixelJudge(2, 3)];
  // D: real/fake logit, a head that reads group 0 backwards (always wrong), one that reads group 1
  const images = tf.input({ shape: [1, 5, 1] });
  const flat = tf.layers.flatten().apply(images) as tf.SymbolicTensor;
  const heads = [
    fixedDense([[1], [0], [0], [0], [0]]),
    fixedDense([[0, 1], [1, 0], [0, 0], [0, 0], [0, 0]]),
    fixedDense([[0, 0, 0], [0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]),
  ].map((layer) => layer.apply(flat) as tf.SymbolicTensor);
  const discriminator = tf.model({ inputs: images, outputs: heads });
  const realStatistics = featureStatistics(
    Array.from({ length: 12 }, (_, i) => [i % 2, 1 - (i % 2), i % 3 === 0 ? 1 : 0, 0, 0]),
  );
  const before = tf.memory().numTensors;
  const scores = await scoreTaggedSamples(generator, {
    tagGroups: [2, 3],
    judges,
    realStatistics,
    count: 12,
    batchSize: 5, // three chunks: 5, 5, 2
    discriminator,
  });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(scores.accuracy, [1, 1]);
  assertEquals(scores.headAccuracy, [0, 1]);
  assertEquals(Array.from(scores.requested[0]), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  assertEquals(Array.from(scores.requested[1]), [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
  assertEquals([scores.features.rows, scores.features.cols], [12, 5]);
  // the samples are the requested tags, so their features differ from the real set's
  assert(scores.fid > 0.1, `FID ${scores.fid}`);
  // without D there is no head accuracy
  const plain = await scoreTaggedSamples(generator, {
    tagGroups: [2, 3],
    judges,
    realStatistics,
    count: 6,
  });
  assertEquals(plain.headAccuracy, undefined);
  await rejects(
    () => scoreTaggedSamples(generator, { tagGroups: [2, 3], judges, realStatistics, count: 1 }),
    /count must be an integer >= 2, got 1/,
  );
  await rejects(
    () =>
      scoreTaggedSamples(generator, {
        tagGroups: [2, 3],
        judges: [judges[0]],
        realStatistics,
        count: 6,
      }),
    /judges must hold one classifier per tag group \(2\), got 1/,
  );
  await rejects(
    () =>
      scoreTaggedSamples(generator, {
        tagGroups: [2, 3],
        judges,
        realStatistics,
        count: 6,
        latentSigma: 0,
      }),
    /latentSigma must be a positive number, got 0/,
  );
  generator.dispose();
  discriminator.dispose();
});
