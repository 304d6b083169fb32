/**
 * InfoGAN (models, the mutual-information term, its training step, the code grid), the VAE (the
 * reparameterisation, the ELBO's terms, its training step) and the two measurements notebook 14
 * relies on: matching codes to classes, and digit shape.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { matchCodesToClasses } from "../lib/metrics/code_matching.ts";
import { digitShape } from "../lib/metrics/digit_shape.ts";
import { buildInfoganDiscriminator, buildInfoganGenerator } from "../lib/models/infogan.ts";
import { mutualInformationLoss } from "../lib/mutual_information.ts";
import { stepRandom, train } from "@course/lib/train";
import { gaussianKl, gaussianReconstructionLoss, reparameterize } from "../lib/vae_loss.ts";
import {
  createInfogan,
  infoganCodeGrid,
  infoganInput,
  sampleInfoganCodes,
} from "../lib/variants/infogan.ts";
import { createVae, reconstruct } from "../lib/variants/vae.ts";

await initBackend({ backend: "wasm" });

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) < tol;

Deno.test("InfoGAN models: G takes z ++ one-hot ++ continuous, D returns logit, category logits and means", () => {
  const options = { width: 0.125, latentDim: 12, numCategories: 5, continuousCodes: 2, seed: 3 };
  const g = buildInfoganGenerator(options);
  const d = buildInfoganDiscriminator(options);
  assertEquals(g.inputs[0].shape, [null, 12 + 5 + 2]);
  const [logit, category, continuous] = tf.tidy(() =>
    d.predict(g.predict(tf.zeros([4, 19])) as tf.Tensor) as tf.Tensor[]
  );
  assertEquals([logit.shape, category.shape, continuous.shape], [[4, 1], [4, 5], [4, 2]]);
  // Q shares every convolution with D: the heads read the same flattened features
  const flatten = d.getLayer("flatten").output as tf.SymbolicTensor;
  assertEquals(d.getLayer("logit").input, flatten);
  assertEquals(d.getLayer("q_hidden").input, flatten);
  const noContinuous = buildInfoganDiscriminator({ ...options, continuousCodes: 0 });
  assertEquals(noContinuous.outputs.length, 2);
  throws(
    () => buildInfoganGenerator({ continuousCodes: -1 }),
    /continuousCodes must be a non-negative integer, got -1/,
  );
  tf.dispose([logit, category, continuous]);
  [g, d, noContinuous].forEach((m) => m.dispose());
});

Deno.test("mutualInformationLoss() matches a hand computation over a batch", () => {
  const logits = [[2, 0, -1], [0.5, 0.5, 3]];
  const codes = [2, 1];
  const means = [[0.2, -0.4], [1.5, 0]];
  const targets = [[-0.3, 0.6], [1, 1]];
  // categorical: mean over rows of -log softmax(logits)[code]
  const ce = logits.map((row, i) => {
    const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    return logSum - row[codes[i]];
  });
  const handCategorical = (ce[0] + ce[1]) / 2;
  // continuous, sigma 0.5: mean over rows of sum (c - mu)^2 / (2 * 0.25)
  const sq = means.map((row, i) => row.reduce((s, m, j) => s + (targets[i][j] - m) ** 2, 0));
  const handContinuous = (sq[0] + sq[1]) / 2 / 0.5;
  const loss = tf.tidy(() => {
    const l = mutualInformationLoss(
      { categoryLogits: tf.tensor2d(logits), continuousMeans: tf.tensor2d(means) },
      {
        category: tf.oneHot(tf.tensor1d(codes, "int32"), 3).toFloat(),
        continuous: tf.tensor2d(targets),
      },
      { continuousStd: 0.5, continuousWeight: 0.3 },
    );
    return [l.categorical, l.continuous, l.total].map((s) => s.dataSync()[0]);
  });
  assert(close(loss[0], handCategorical), `categorical ${loss[0]} vs ${handCategorical}`);
  assert(close(loss[1], handContinuous), `continuous ${loss[1]} vs ${handContinuous}`);
  assert(close(loss[2], handCategorical + 0.3 * handContinuous));
  throws(
    () =>
      mutualInformationLoss({ categoryLogits: tf.zeros([2, 3]) }, { category: tf.zeros([2, 4]) }),
    /category logits \[2,3\] and one-hot codes \[2,4\] must both be \[batch, K\]/,
  );
  throws(
    () =>
      mutualInformationLoss(
        { categoryLogits: tf.zeros([2, 3]), continuousMeans: tf.zeros([2, 1]) },
        { category: tf.zeros([2, 3]) },
      ),
    /continuous means and continuous codes together/,
  );
});

/** Q's information loss on a fixed batch of generated images. */
function fixedInfoLoss(variant: ReturnType<typeof createInfogan>, latentDim: number): number {
  return tf.tidy(() => {
    const random = stepRandom(99, 0);
    const z = random.normal([64, latentDim]);
    const codes = sampleInfoganCodes(64, random, { numCategories: 10, continuousCodes: 2 });
    // batch statistics in G's batch norm: its moving averages lag far behind after 40 steps
    const images = variant.models.generator.apply(
      infoganInput(z, codes.categories, codes.continuous, 10),
      { training: true },
    ) as tf.Tensor;
    const [, categoryLogits, continuousMeans] = variant.models.discriminator.predict(
      images,
    ) as tf.Tensor[];
    return mutualInformationLoss({ categoryLogits, continuousMeans }, codes).total.dataSync()[0];
  });
}

Deno.test("createInfogan(): a short seeded run lowers the information loss; a step leaks no tensor", async () => {
  const latentDim = 8;
  const variant = createInfogan({ width: 0.125, latentDim, seed: 5, learningRate: 1e-3 });
  const digits = await loadMnist({ size: 128, seed: 1 });
  const before = fixedInfoLoss(variant, latentDim);
  // about log 10 + E[c^2]/2 = 2.30 + 0.33 at the start
  assert(before > 2 && before < 3.5, `information loss at the start ${before}`);
  // the first step creates Adam's slots; later steps must not add tensors
  await train(variant, { realImages: digits.images }, { batchSize: 32, maxSteps: 1, seed: 1 });
  const tensors = tf.memory().numTensors;
  const run = await train(variant, { realImages: digits.images }, {
    batchSize: 32,
    epochs: 10,
    seed: 2,
  });
  assertEquals(tf.memory().numTensors, tensors);
  const after = fixedInfoLoss(variant, latentDim);
  const logged = run.history.values.categoricalInfo;
  assert(after < before - 0.25, `information loss ${before} -> ${after}`);
  assert(
    logged.at(-1)! < logged[0] - 0.25,
    `logged categorical term ${logged[0]} -> ${logged.at(-1)}`,
  );
  digits.dispose();
  variant.dispose();
});

Deno.test("createInfogan({ lambda: 0 }) leaves Q untrained: the information loss stays at its start", async () => {
  const latentDim = 8;
  const variant = createInfogan({
    width: 0.125,
    latentDim,
    seed: 5,
    learningRate: 1e-3,
    lambda: 0,
  });
  const digits = await loadMnist({ size: 64, seed: 1 });
  const before = fixedInfoLoss(variant, latentDim);
  await train(variant, { realImages: digits.images }, { batchSize: 32, epochs: 5, seed: 2 });
  const after = fixedInfoLoss(variant, latentDim);
  // Q's weights never change, only G's images do; no learning pulls the loss down
  assert(Math.abs(after - before) < 0.05, `information loss ${before} -> ${after}`);
  throws(() => createInfogan({ lambda: -1 }), /lambda must be >= 0, got -1/);
  digits.dispose();
  variant.dispose();
});

Deno.test("infoganCodeGrid(): rows are categories, columns the code's values, one z for all", () => {
  const g = buildInfoganGenerator({
    width: 0.125,
    latentDim: 4,
    numCategories: 3,
    continuousCodes: 1,
    seed: 1,
  });
  const grid = infoganCodeGrid(g, {
    latentDim: 4,
    numCategories: 3,
    continuousCodes: 1,
    values: [-1, 1],
  });
  const direct = tf.tidy(() => {
    const z = tf.tile(stepRandom(0, 0).normal([1, 4]), [1, 1]);
    return g.predict(infoganInput(z, [2], tf.tensor2d([[1]]), 3)) as tf.Tensor;
  });
  // the last image: category 2, value 1
  const diff = tf.tidy(() => grid.slice([5], [1]).sub(direct).abs().max().dataSync()[0]);
  assert(diff < 1e-5, `grid image differs by ${diff}`);
  throws(
    () => infoganCodeGrid(g, { continuousCodes: 1, code: 1 }),
    /code must be an integer in 0..0, got 1/,
  );
  tf.dispose([grid, direct]);
  g.dispose();
});

Deno.test("VAE terms: reparameterize() is differentiable in mean and logVar; KL and reconstruction by hand", () => {
  const [dMean, dLogVar] = tf.tidy(() => {
    const noise = tf.tensor2d([[2]]);
    const grads = tf.grads((m: tf.Tensor, v: tf.Tensor) => reparameterize(m, v, noise).sum())([
      tf.tensor2d([[0.3]]),
      tf.tensor2d([[Math.log(9)]]),
    ]);
    return grads.map((g) => g.dataSync()[0]);
  });
  // z = m + exp(v / 2) * e: dz/dm = 1, dz/dv = exp(v / 2) * e / 2 = 3 * 2 / 2
  assert(close(dMean, 1) && close(dLogVar, 3, 1e-4), `${dMean} ${dLogVar}`);
  const kl = tf.tidy(() =>
    gaussianKl(tf.tensor2d([[1, 0], [0, 2]]), tf.tensor2d([[0, Math.log(2)], [0, 0]])).dataSync()[0]
  );
  // rows: 1/2 (1 + 1 - 0 - 1) + 1/2 (0 + 2 - log 2 - 1) and 1/2 (4 + 1 - 0 - 1); mean of the rows
  const handKl = (0.5 + 0.5 * (1 - Math.log(2)) + 2) / 2;
  assert(close(kl, handKl), `KL ${kl} vs ${handKl}`);
  const rec = tf.tidy(() =>
    gaussianReconstructionLoss(tf.ones([2, 2, 2, 1]), tf.zeros([2, 2, 2, 1]), 1).dataSync()[0]
  );
  assertEquals(rec, 2); // 4 pixels off by 1, / 2 per image
  throws(() => gaussianKl(tf.zeros([2, 3]), tf.zeros([2, 4])), /mean \[2,3\] and logVar \[2,4\]/);
});

Deno.test("createVae(): a short seeded run lowers the negative ELBO and reconstructs better than at the start", async () => {
  const variant = createVae({ width: 0.125, latentDim: 8, seed: 1 });
  const digits = await loadMnist({ size: 128, seed: 2 });
  const { encoder, decoder } = variant.models;
  // batch statistics in the decoder's batch norm: its moving averages lag after 32 steps
  const error = () =>
    tf.tidy(() => {
      const [mean] = encoder.apply(digits.images, { training: true }) as tf.Tensor[];
      const images = decoder.apply(mean, { training: true }) as tf.Tensor;
      return images.sub(digits.images).square().mean().dataSync()[0];
    });
  const before = error();
  await train(variant, { realImages: digits.images }, { batchSize: 32, maxSteps: 1, seed: 1 });
  const tensors = tf.memory().numTensors;
  const run = await train(variant, { realImages: digits.images }, {
    batchSize: 32,
    epochs: 8,
    seed: 3,
  });
  assertEquals(tf.memory().numTensors, tensors);
  const loss = run.history.values.loss;
  const after = error();
  assert(loss.at(-1)! < 0.6 * loss[0], `negative ELBO ${loss[0]} -> ${loss.at(-1)}`);
  assert(after < 0.7 * before, `reconstruction MSE ${before} -> ${after}`);
  assert(run.history.values.kl.every((v) => v >= 0), "KL must never be negative");
  // reconstruct() uses the posterior means and inference mode
  const shown = reconstruct(encoder, decoder, digits.images.slice(0, 2));
  assertEquals(shown.shape, [2, 28, 28, 1]);
  shown.dispose();
  digits.dispose();
  variant.dispose();
});

Deno.test("matchCodesToClasses() finds the best one-to-one mapping (brute force agrees)", () => {
  const random = stepRandom(4, 0).host();
  const permutations = (items: number[]): number[][] =>
    items.length <= 1
      ? [items]
      : items.flatMap((x, i) =>
        permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p])
      );
  for (let trial = 0; trial < 5; trial++) {
    const codes = Array.from({ length: 60 }, () => random.int(4));
    const classes = Array.from({ length: 60 }, () => random.int(5));
    const match = matchCodesToClasses(codes, classes, 4, 5);
    let best = 0;
    for (const perm of permutations([0, 1, 2, 3, 4])) {
      best = Math.max(best, codes.filter((c, i) => perm[c] === classes[i]).length);
    }
    assertEquals(match.accuracy, best / 60);
    assertEquals(new Set(match.mapping).size, 4);
  }
  throws(() => matchCodesToClasses([0, 1], [0], 2, 2), /need one class per code/);
  throws(() => matchCodesToClasses([0, 3], [0, 1], 2, 2), /sample 1 has code 3/);
});

Deno.test("digitShape(): a sheared bar leans the sheared way, a wider bar is wider", async () => {
  // a vertical bar 1 pixel wide, and the same bar sheared right going up, in 9x9 images
  const bar = (shear: number, half: number) =>
    Array.from({ length: 81 }, (_, i) => {
      const [y, x] = [Math.floor(i / 9), i % 9];
      return Math.abs(x - (4 + Math.round(shear * (4 - y)))) <= half ? 1 : -1;
    });
  const images = tf.tensor4d([...bar(0, 0), ...bar(0.5, 0), ...bar(0, 1)], [3, 9, 9, 1]);
  const shape = await digitShape(images);
  assert(close(shape.slant[0], 0), `upright bar slant ${shape.slant[0]}`);
  assert(shape.slant[1] > 0.4 && shape.slant[1] < 0.6, `sheared bar slant ${shape.slant[1]}`);
  assert(shape.width[2] > shape.width[0] + 0.5, `widths ${shape.width}`);
  assert(close(shape.ink[2], 3 * shape.ink[0]));
  images.dispose();
});
