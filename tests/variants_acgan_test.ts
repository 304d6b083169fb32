/**
 * The ACGAN knobs: how G takes its tags, the tag loss (softmax or BCE), D's class loss on generated
 * images, G's class weight, one-sided label smoothing and the learning rates.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { buildAcganGenerator } from "../lib/models/acgan_nets.ts";
import { stepRandom } from "@course/lib/train";
import { type AcganOptions, acganTagLoss, createAcgan } from "../lib/variants/acgan.ts";

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

const softplus = (x: number) => Math.log1p(Math.exp(x));
const near = (a: number, b: number, what: string) =>
  assert(Math.abs(a - b) < 1e-4, `${what}: ${a}, expected ${b}`);

Deno.test("acganTagLoss(): softmax per group and BCE per tag match a hand computation", () => {
  // two images, a group of 3 (logits [2, 0, -1] and [0, 1, 0]) and a group of 2
  const hair = tf.tensor2d([[2, 0, -1], [0, 1, 0]]);
  const eyes = tf.tensor2d([[0, 1], [3, 0]]);
  const hairTags = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
  const eyeTags = tf.tensor2d([[0, 1], [1, 0]]);
  const logSumExp = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
  // softmax: -log p(c) = logSumExp(x) - x_c, averaged over the batch
  const ceHair = ((logSumExp([2, 0, -1]) - 2) + (logSumExp([0, 1, 0]) - 0)) / 2;
  const ceEyes = ((logSumExp([0, 1]) - 1) + (logSumExp([3, 0]) - 3)) / 2;
  // BCE of a logit x: softplus(-x) when the tag is on, softplus(x) when off; summed over tags
  const bceHair = ((softplus(-2) + softplus(0) + softplus(-1)) +
    (softplus(0) + softplus(1) + softplus(-0))) / 2;
  const bceEyes = ((softplus(0) + softplus(-1)) + (softplus(-3) + softplus(0))) / 2;
  const value = (t: tf.Scalar) => {
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  const before = tf.memory().numTensors;
  const weights = [0.3, 0.35];
  const softmax = value(acganTagLoss([hair, eyes], [hairTags, eyeTags], { weights }));
  near(softmax, 0.3 * ceHair + 0.35 * ceEyes, "softmax");
  const bce = value(acganTagLoss([hair, eyes], [hairTags, eyeTags], { tagLoss: "bce", weights }));
  near(bce, 0.3 * bceHair + 0.35 * bceEyes, "bce");
  near(value(acganTagLoss([hair], [hairTags], { tagLoss: "bce" })), bceHair, "bce, weight 1");
  assertEquals(tf.memory().numTensors, before);
  throws(
    () => acganTagLoss([hair], [hairTags], { tagLoss: "sigmoid" as "bce" }),
    /tagLoss must be "softmax" \(one softmax per tag group\) or "bce" \(a sigmoid per tag\), got "sigmoid"/,
  );
  tf.dispose([hair, eyes, hairTags, eyeTags]);
});

Deno.test("createAcgan(): tagLoss 'bce' changes D's class loss by the hand-computed difference", () => {
  // Same seeds, same first step: only the class loss on real images differs between the two.
  const groups = [3, 2];
  const realImages = tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 3);
  const labels = tf.tensor2d([[1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 1], [1, 0, 0, 1, 0]]);
  const oneStep = (tagLoss: "softmax" | "bce") => {
    const variant = createAcgan({ ...tiny, tagGroups: groups, tagLoss });
    // D's heads on the real batch as the step sees them (training mode), before the update
    const heads = tf.tidy(() =>
      (variant.models.discriminator.apply(realImages, { training: true }) as tf.Tensor[])
        .slice(1).map((t) => t.arraySync() as number[][])
    );
    const logs = tf.tidy(() =>
      variant.trainStep({ realImages, labels }, { step: 0, epoch: 0, random: stepRandom(0, 0) })
    );
    const dLoss = logs.dLoss.dataSync()[0];
    tf.dispose(Object.values(logs));
    variant.dispose();
    return { dLoss, heads };
  };
  const softmax = oneStep("softmax");
  const bce = oneStep("bce");
  const tags = labels.arraySync() as number[][];
  const [offsets, weights] = [[0, 3], [0.3, 0.35]];
  let byHand = 0; // weighted (BCE sum - softmax CE), averaged over the 4 images
  softmax.heads.forEach((group, g) =>
    group.forEach((x, i) => {
      const y = tags[i].slice(offsets[g], offsets[g] + groups[g]);
      const c = y.indexOf(1);
      const ce = Math.log(x.reduce((a, v) => a + Math.exp(v), 0)) - x[c];
      const bceSum = x.reduce((a, v, k) => a + (y[k] ? softplus(-v) : softplus(v)), 0);
      byHand += weights[g] * (bceSum - ce) / 4;
    })
  );
  assertEquals(bce.heads, softmax.heads); // same initial weights
  near(bce.dLoss - softmax.dLoss, byHand, "dLoss(bce) - dLoss(softmax)");
  assert(byHand > 0.5, `BCE sums the tags, so it starts larger: ${byHand}`);
  tf.dispose([realImages, labels]);
});
