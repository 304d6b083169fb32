/**
 * pix2pix: the U-Net generator, the conditional PatchGAN, the losses against hand computations,
 * the variant's step, the edge pairs and the translation scores.
 */
import * as tf from "@tensorflow/tfjs";
import {
  deepStrictEqual as assertEquals,
  notDeepStrictEqual,
  ok as assert,
  rejects,
  throws,
} from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { edgeMaps, loadEdgePairs, morphologicalGradient } from "../lib/data/edges.ts";
import { scoreTranslations } from "../lib/metrics/translation.ts";
import { buildConditionalPatchDiscriminator, patchReceptiveField } from "../lib/models/patchgan.ts";
import { buildUnetGenerator } from "../lib/models/unet.ts";
import { stepRandom } from "../lib/core/random.ts";
import {
  createPix2pix,
  pix2pixDiscriminatorLoss,
  pix2pixGeneratorLoss,
} from "../lib/variants/pix2pix.ts";

await initBackend({ backend: "wasm" });

const value = (t: tf.Tensor) => t.dataSync()[0];
const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) < tol;

/** The names of the layers feeding `layer`. */
function inboundNames(model: tf.LayersModel, layer: string): string[] {
  // deno-lint-ignore no-explicit-any
  const node = (model.getLayer(layer) as any).inboundNodes[0];
  return node.inboundLayers.map((l: tf.layers.Layer) => l.name);
}

Deno.test("buildUnetGenerator() keeps the image size and maps to outputChannels", () => {
  const grey = buildUnetGenerator({ filters: 4, seed: 1 });
  const colour = buildUnetGenerator({ imageShape: [32, 32, 1], outputChannels: 3, filters: 4 });
  tf.tidy(() => {
    assertEquals((grey.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).shape, [2, 28, 28, 1]);
    const y = colour.predict(tf.randomNormal([1, 32, 32, 1], 0, 1, "float32", 1)) as tf.Tensor;
    assertEquals(y.shape, [1, 32, 32, 3]);
    assert(y.abs().max().dataSync()[0] <= 1, "tanh output");
  });
  // 32 = 2^5: five levels, so four skip connections at 16, 8, 4 and 2 pixels.
  const skips = colour.layers.filter((l) => l.name.startsWith("skip_"));
  assertEquals(skips.map((l) => (l.outputShape as number[])[1]), [2, 4, 8, 16]);
  grey.dispose();
  colour.dispose();
});

Deno.test("buildUnetGenerator() concatenates each encoder level into the decoder level of its size", () => {
  const unet = buildUnetGenerator({ imageShape: [16, 16, 1], filters: 4, depth: 3 });
  assertEquals(inboundNames(unet, "skip_1"), ["up_2_act", "down_1_act"]);
  assertEquals(inboundNames(unet, "skip_0"), ["up_1_act", "down_0_act"]);
  // The skip carries information the bottleneck cannot: without it, the decoder sees less.
  const plain = buildUnetGenerator({
    imageShape: [16, 16, 1],
    filters: 4,
    depth: 3,
    skipConnections: false,
  });
  assertEquals(plain.layers.filter((l) => l.name.startsWith("skip_")).length, 0);
  assert(unet.countParams() > plain.countParams());
  unet.dispose();
  plain.dispose();
});

Deno.test("buildUnetGenerator() refuses a depth the image size does not allow", () => {
  throws(
    () => buildUnetGenerator({ depth: 3 }),
    /image size 28x28 must be divisible by 2\^depth = 8; use depth 2 or less/,
  );
  throws(() => buildUnetGenerator({ dropout: 1 }), /dropout must be in \[0, 1\), got 1/);
});

Deno.test("buildConditionalPatchDiscriminator() returns a grid of ceil(H / 2^nLayers) logits", () => {
  for (const [nLayers, grid] of [[1, 14], [2, 7], [3, 4]]) {
    const d = buildConditionalPatchDiscriminator({ filters: 4, nLayers });
    tf.tidy(() => {
      const logits = d.predict([tf.zeros([3, 28, 28, 1]), tf.zeros([3, 28, 28, 1])]) as tf.Tensor;
      assertEquals(logits.shape, [3, grid, grid, 1]);
    });
    d.dispose();
  }
  assertEquals([1, 2, 3].map(patchReceptiveField), [16, 34, 70]);
});

Deno.test("buildConditionalPatchDiscriminator() judges patches: a far pixel leaves a corner logit alone", () => {
  // Without instance norm, whose per-image mean and variance reach every logit.
  const d = buildConditionalPatchDiscriminator({
    filters: 4,
    nLayers: 1,
    seed: 3,
    instanceNorm: false,
  });
  const input = tf.randomUniform([1, 28, 28, 1], -1, 1, "float32", 4);
  const output = tf.randomUniform([1, 28, 28, 1], -1, 1, "float32", 5);
  const changed = tf.tidy(() => output.add(tf.oneHot([27 * 28 + 27], 784).reshape([1, 28, 28, 1])));
  const [before, after] = [output, changed].map((y) =>
    (d.predict([input, y]) as tf.Tensor).reshape([14, 14]).arraySync() as number[][]
  );
  assertEquals(after[0][0], before[0][0]); // 16x16 patch in the top-left corner
  assert(after[13][13] !== before[13][13], "the bottom-right patch sees the change");
  // The input image matters too: D judges pairs, not outputs alone.
  const other = d.predict([changed, output]) as tf.Tensor;
  assert((other.reshape([14, 14]).arraySync() as number[][])[13][13] !== before[13][13]);
  tf.dispose([input, output, changed, other]);
  d.dispose();
});

Deno.test("pix2pixGeneratorLoss() is ganWeight * BCE(D(x, G(x)), 1) + lambda * mean|y - G(x)|, by hand", () => {
  tf.tidy(() => {
    const logits = tf.tensor4d([2, -1], [1, 1, 2, 1]);
    const fake = tf.tensor4d([0.5, -0.5, 1, 0], [1, 2, 2, 1]);
    const target = tf.tensor4d([0, -1, 1, 1], [1, 2, 2, 1]);
    // BCE against 1 = softplus(-logit): log(1 + e^-2) and log(1 + e^1), averaged.
    const gan = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(1))) / 2;
    const l1 = (0.5 + 0.5 + 0 + 1) / 4;
    const loss = pix2pixGeneratorLoss(logits, fake, target, { lambdaL1: 10, ganWeight: 2 });
    assert(close(value(loss.gan), gan) && close(value(loss.l1), l1));
    assert(close(value(loss.total), 2 * gan + 10 * l1, 1e-4));
    throws(
      () => pix2pixGeneratorLoss(logits, fake, tf.zeros([1, 2, 2, 2])),
      /must have the same shape/,
    );
  });
});

Deno.test("pix2pixDiscriminatorLoss() halves BCE(real, 1) + BCE(fake, 0), by hand", () => {
  tf.tidy(() => {
    const real = tf.tensor4d([1, 3], [1, 1, 2, 1]);
    const fake = tf.tensor4d([-2, 0], [1, 1, 2, 1]);
    // BCE(real, 1) = softplus(-x), BCE(fake, 0) = softplus(x)
    const sp = (x: number) => Math.log1p(Math.exp(x));
    const expected = ((sp(-1) + sp(-3)) / 2 + (sp(-2) + sp(0)) / 2) / 2;
    assert(close(value(pix2pixDiscriminatorLoss(real, fake)), expected));
  });
});

Deno.test("createPix2pix() trains both models, leaks no tensor, and samples input | output | target", () => {
  const inputs = tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 1);
  const targets = tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 2);
  const variant = createPix2pix({
    width: 0.125,
    seed: 1,
    sampleInputs: inputs,
    sampleTargets: targets,
  });
  const weights = () => Object.values(variant.models).map((m) => m.getWeights()[0].arraySync());
  const before = weights();
  const batch = { inputImages: inputs, realImages: targets };
  const step = () =>
    tf.tidy(() => {
      const scalars = variant.trainStep(batch, { step: 0, epoch: 0, random: stepRandom(0, 0) });
      const numbers = Object.fromEntries(Object.entries(scalars).map(([k, s]) => [k, value(s)]));
      tf.dispose(Object.values(scalars));
      return numbers;
    });
  step(); // the first step creates Adam's moment estimates
  const tensors = tf.memory().numTensors;
  const logs = step();
  assertEquals(tf.memory().numTensors, tensors);
  const after = weights();
  notDeepStrictEqual(after[0], before[0]);
  notDeepStrictEqual(after[1], before[1]);
  assert(close(logs.gLoss, logs.gGan + 100 * logs.l1, 1e-3), JSON.stringify(logs));
  const grid = variant.sample!(3, 0);
  assertEquals(grid.shape, [9, 28, 28, 1]);
  assertEquals(grid.slice(6, 3).arraySync(), targets.slice(0, 3).arraySync());
  throws(
    () =>
      tf.tidy(() =>
        variant.trainStep({ realImages: targets }, { step: 0, epoch: 0, random: stepRandom(0, 0) })
      ),
    /batches need inputImages and realImages/,
  );
  tf.dispose([grid, inputs, targets]);
  variant.dispose();
});

Deno.test("createPix2pix({ ganWeight: 0 }) trains G on L1 alone and never touches D", () => {
  const variant = createPix2pix({ width: 0.125, seed: 1, ganWeight: 0 });
  const d0 = variant.models.discriminator.getWeights()[0].arraySync();
  const batch = { inputImages: tf.zeros([2, 28, 28, 1]), realImages: tf.ones([2, 28, 28, 1]) };
  const keys = tf.tidy(() => {
    const scalars = variant.trainStep(batch, { step: 0, epoch: 0, random: stepRandom(0, 0) });
    const names = Object.keys(scalars).sort();
    tf.dispose(Object.values(scalars));
    return names;
  });
  assertEquals(keys, ["gGradNorm", "gLoss", "l1"]);
  assertEquals(variant.models.discriminator.getWeights()[0].arraySync(), d0);
  const plain = createPix2pix({ width: 0.125, skipConnections: false });
  assertEquals(plain.models.generator.layers.filter((l) => l.name.startsWith("skip_")).length, 0);
  plain.dispose();
  throws(() => createPix2pix({ ganWeight: 0, lambdaL1: 0 }), /both 0/);
  throws(() => createPix2pix({ lambdaL1: -1 }), /lambdaL1 must be a number >= 0, got -1/);
  tf.dispose(Object.values(batch));
  variant.dispose();
});

Deno.test("loadEdgePairs() pairs each digit with its edges, all in [-1, 1]", async () => {
  const pairs = await loadEdgePairs({ size: 32, seed: 2 });
  const [inMin, inMax, outMin, outMax] = tf.tidy(() =>
    [
      pairs.inputImages.min(),
      pairs.inputImages.max(),
      pairs.realImages.min(),
      pairs.realImages.max(),
    ]
      .map(value)
  );
  assert(inMin >= -1 && inMax <= 1 && outMin >= -1 && outMax <= 1);
  assertEquals(pairs.labels.shape, [32]);
  // The inputs are the Sobel edges of these very targets.
  tf.tidy(() => {
    const again = edgeMaps(pairs.realImages, "sobel");
    assertEquals(value(again.sub(pairs.inputImages).abs().max()), 0);
    // Edges are sparse: most of a digit image is background, and so is most of its edge map.
    assert(value(pairs.inputImages.greater(0).mean()) < 0.3);
  });
  pairs.dispose();
  throws(() => edgeMaps(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, "canny" as "sobel"), /got "canny"/);
  throws(() => morphologicalGradient(tf.zeros([4, 4]) as unknown as tf.Tensor4D), /got \[4,4\]/);
});

Deno.test("scoreTranslations() finds blurred outputs blurrier and farther than the targets", async () => {
  const digits = await loadEdgePairs({ split: "test", size: 200, seed: 1 });
  const blurred = tf.tidy(() => tf.avgPool(digits.realImages, 3, 1, "same") as tf.Tensor4D);
  const scores = await scoreTranslations(blurred, digits.realImages, digits.labels);
  assert(scores.l1 > 0.05, `L1 ${scores.l1}`);
  assert(scores.sharpness < 0.8 * scores.targetSharpness, JSON.stringify(scores));
  assert(scores.fid > 1, `FID ${scores.fid}`);
  assert(scores.classOnTargets > 0.9);
  await rejects(
    scoreTranslations(blurred, digits.realImages, [1, 2, 3]),
    /200 outputs but 3 labels/,
  );
  blurred.dispose();
  digits.dispose();
});
