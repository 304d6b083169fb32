/**
 * The ACGAN knobs: how G takes its tags, D's class loss on generated images, G's class weight,
 * one-sided label smoothing and the learning rates.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "@course/backend.ts";
import { buildAcganGenerator } from "@course/models/acgan_nets.ts";
import { stepRandom } from "@course/train/mod.ts";
import { type AcganOptions, createAcgan } from "@course/variants/acgan.ts";

await initBackend({ backend: "wasm" });

const tiny = { width: 0.0625, latentDim: 8, seed: 1 };

Deno.test("buildAcganGenerator(): multiply scales z by a learned vector per tag", () => {
  const g = buildAcganGenerator({ ...tiny, conditioning: "multiply", tagGroups: [3] });
  const embedding = g.getLayer("tag_embedding").getWeights()[0]; // [3, latentDim]
  assertEquals(embedding.shape, [3, 8]);
  assertEquals(g.getLayer("project").getWeights()[0].shape[0], 8); // z * e only, no tag columns
  const both = buildAcganGenerator({ ...tiny, conditioning: "both", tagGroups: [3] });
  assertEquals(both.getLayer("project").getWeights()[0].shape[0], 8 + 3);
  const concat = buildAcganGenerator({ ...tiny, tagGroups: [3] });
  assert(!concat.layers.some((l) => l.name === "tag_embedding"));
  throws(
    () => buildAcganGenerator({ conditioning: "add" as "concat" }),
    /conditioning must be "concat", "multiply" or "both", got "add"/,
  );
  // with z = 0 the multiplied input is 0 for every tag: the tag acts only through z
  const out = tf.tidy(() => {
    const tags = tf.oneHot(tf.tensor1d([0, 1, 2], "int32"), 3).toFloat();
    const images = g.predict([tf.zeros([3, 8]), tags]) as tf.Tensor;
    return images.sub(images.slice([0], [1])).abs().max().dataSync()[0];
  });
  assertEquals(out, 0);
  for (const model of [g, both, concat]) model.dispose();
});

/** D's and G's losses after one step from the same start, for two option sets. */
function firstLosses(options: AcganOptions): { dLoss: number; gLoss: number } {
  const variant = createAcgan({ ...tiny, tagGroups: [4], ...options });
  const batch = {
    realImages: tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 3),
    labels: tf.tensor1d([0, 1, 2, 3], "int32"),
  };
  const logs = tf.tidy(() =>
    variant.trainStep(batch, { step: 0, epoch: 0, random: stepRandom(0, 0) })
  );
  const values = { dLoss: logs.dLoss.dataSync()[0], gLoss: logs.gLoss.dataSync()[0] };
  tf.dispose([...Object.values(logs), ...Object.values(batch)]);
  variant.dispose();
  return values;
}

Deno.test("createAcgan(): fakeClassWeight adds D's class loss on generated images", () => {
  const base = firstLosses({});
  const withFake = firstLosses({ fakeClassWeight: 1 });
  // at initialisation the class loss on fakes is about log(4) = 1.39, weighted 0.3
  const added = withFake.dLoss - base.dLoss;
  assert(added > 0.3 && added < 0.6, `D loss grew by ${added}`);
  // a uniform target is another loss: cross-entropy against 1/4 everywhere
  const uniform = firstLosses({ fakeClassWeight: 1, fakeClassTarget: "uniform" });
  assert(uniform.dLoss - base.dLoss > 0.3 && uniform.dLoss !== withFake.dLoss);
});

Deno.test("createAcgan(): realLabel smooths D's real targets, generatorClassWeight scales G's term", () => {
  const base = firstLosses({});
  assert(firstLosses({ realLabel: 0.9 }).dLoss !== base.dLoss);
  const noClass = firstLosses({ generatorClassWeight: 0 });
  assert(noClass.gLoss < base.gLoss, `${noClass.gLoss} vs ${base.gLoss}`);
});

Deno.test("createAcgan(): learningRates reach the optimizers, conditioning reaches the generator", () => {
  const variant = createAcgan({
    ...tiny,
    conditioning: "multiply",
    learningRates: { generator: 1e-4, discriminator: 4e-4 },
  });
  // deno-lint-ignore no-explicit-any
  const rate = (o: tf.Optimizer) => (o as any).learningRate as number;
  assertEquals(rate(variant.optimizers.generator), 1e-4);
  assertEquals(rate(variant.optimizers.discriminator), 4e-4);
  assert(variant.models.generator.layers.some((l) => l.name === "tag_embedding"));
  variant.dispose();
});
