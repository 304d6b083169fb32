import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { sampleRing } from "../lib/data/toy.ts";
import { stepRandom } from "@course/lib/train";
import type { GanVariant } from "@course/lib/train";
import {
  createToyGan,
  createToyWganGp,
  TOY_COLLAPSE_RECIPE,
  type ToyVariantOptions,
} from "../lib/variants/toy_gans.ts";

await initBackend({ backend: "wasm" });

const weights = (model: tf.LayersModel) => model.getWeights().map((w) => w.arraySync());

/** One training step of `variant` on 16 ring points; returns nothing, disposes what it made. */
function step(variant: GanVariant, seed = 1): void {
  const batch = { realImages: sampleRing(16, { seed }) };
  // The loop runs a step inside tf.tidy; the logs it returns are the caller's to dispose.
  const logs = tf.tidy(() =>
    variant.trainStep(batch, { step: 0, epoch: 0, random: stepRandom(seed, 0) })
  );
  tf.dispose(Object.values(logs));
  batch.realImages.dispose();
}

Deno.test("createToyGan(): generatorHidden and discriminatorHidden size the two MLPs apart", () => {
  const variant = createToyGan({ generatorHidden: [5], discriminatorHidden: [7, 3], seed: 1 });
  const kernels = (m: tf.LayersModel) =>
    m.getWeights().filter((w) => w.shape.length === 2).map((w) => w.shape);
  assertEquals(kernels(variant.models.generator), [[2, 5], [5, 2]]);
  assertEquals(kernels(variant.models.discriminator), [[2, 7], [7, 3], [3, 1]]);
  variant.dispose();
});

Deno.test("createToyGan(): criticLearningRate sets the discriminator's Adam rate only", () => {
  const variant = createToyGan({ hidden: [4], learningRate: 2e-3, criticLearningRate: 5e-3 });
  assertEquals(variant.optimizers.generator.getConfig().learningRate, 2e-3);
  assertEquals(variant.optimizers.discriminator.getConfig().learningRate, 5e-3);
  variant.dispose();
});

Deno.test("gSteps: the discriminator's update is the same, the generator moves gSteps times", () => {
  for (const create of [createToyGan, createToyWganGp]) {
    const options: ToyVariantOptions = { hidden: [8], nCritic: 1, seed: 3 };
    const once = create(options);
    const thrice = create({ ...options, gSteps: 3 });
    assertEquals(weights(once.models.generator), weights(thrice.models.generator));
    step(once);
    step(thrice);
    // D is updated first, from the same weights and draws, in both.
    assertEquals(weights(once.models.discriminator), weights(thrice.models.discriminator));
    const g1 = weights(once.models.generator).flat(3) as number[];
    const g3 = weights(thrice.models.generator).flat(3) as number[];
    assert(g1.some((v, i) => v !== g3[i]), `${once.name}: gSteps 3 must move G further`);
    once.dispose();
    thrice.dispose();
  }
});

Deno.test("createToyGan({ packSize }): D scores packs, a step trains and leaks nothing", () => {
  const variant = createToyGan({ hidden: [8], packSize: 4, seed: 2 });
  const x = tf.zeros([16, 2]);
  const logits = variant.models.discriminator.predict(x) as tf.Tensor;
  assertEquals(logits.shape, [4, 1]);
  tf.dispose([x, logits]);
  const before = weights(variant.models.discriminator);
  step(variant); // warm up: the first step creates the optimizers' slots
  const tensors = tf.memory().numTensors;
  step(variant, 2);
  assertEquals(tf.memory().numTensors, tensors);
  assert(
    JSON.stringify(weights(variant.models.discriminator)) !== JSON.stringify(before),
    "D did not move",
  );
  variant.dispose();
});

Deno.test("createToyGan({ packSize }) fails clearly on a bad pack size or a batch it cannot pack", () => {
  throws(() => createToyGan({ packSize: 0 }), /packSize must be a positive integer, got 0/);
  throws(
    () => createToyGan({ packSize: 2, minibatch: { numKernels: 2, kernelDim: 2 } }),
    /choose packSize or minibatch, not both/,
  );
  const variant = createToyGan({ hidden: [4], packSize: 3, seed: 1 });
  throws(() => step(variant), /batch \(16\) must be a multiple of packSize \(3\)/);
  variant.dispose();
});

Deno.test("createToyGan({ minibatch }) appends B similarity features to D's last hidden layer", () => {
  const variant = createToyGan({
    hidden: [8],
    minibatch: { numKernels: 5, kernelDim: 3 },
    seed: 1,
  });
  const layer = variant.models.discriminator.getLayer("minibatch_discrimination");
  assertEquals(layer.outputShape, [null, 8 + 5]);
  step(variant);
  variant.dispose();
});

Deno.test("createToyGan({ minibatch: { afterLayer: 1 } }) feeds the features to the next hidden layer", () => {
  const variant = createToyGan({
    hidden: [8, 8],
    minibatch: { numKernels: 5, kernelDim: 3, afterLayer: 1 },
    seed: 1,
  });
  const next = variant.models.discriminator.getLayer("dense_1");
  assertEquals(next.getWeights()[0].shape, [8 + 5, 8]);
  step(variant);
  variant.dispose();
});

Deno.test("TOY_COLLAPSE_RECIPE: 3 x 64 MLPs, Adam 1e-3, three G updates per D update", () => {
  const variant = createToyGan({ ...TOY_COLLAPSE_RECIPE, seed: 1 });
  const units = variant.models.generator.getWeights().filter((w) => w.shape.length === 2)
    .map((w) => w.shape[1]);
  assertEquals(units, [64, 64, 64, 2]);
  assertEquals(variant.optimizers.discriminator.getConfig().learningRate, 1e-3);
  assertEquals(TOY_COLLAPSE_RECIPE.gSteps, 3);
  variant.dispose();
});
