/**
 * Exact resume: for every registered variant, a run stopped mid-epoch and resumed in a fresh
 * "process" (new models, new optimizers, new pools) ends with the same weights and optimizer state,
 * bit for bit, as an uninterrupted run. Sizes are the `ci` profile's (width 0.125), a few steps each.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { loadMultiTag } from "../lib/data/multi_tag.ts";
import { sampleRing } from "../lib/data/toy.ts";
import { loadTwoDomains } from "../lib/data/two_domain.ts";
import { PROFILES } from "../lib/profile.ts";
import {
  type BatchSource,
  type GanVariant,
  samplerBatches,
  tensorBatches,
  train,
} from "@course/lib/train";
import { createCyclegan, createVariant, VARIANTS } from "@course/lib/variants";
import { readOptimizerExtras } from "../lib/io/optimizer_state.ts";

await initBackend({ backend: "wasm" });

const WIDTH = PROFILES.ci.width;
const BATCH = 4;
const STEPS_PER_EPOCH = 3;
const EPOCHS = 2;
// Mid-epoch (the last step of epoch 1), and a step count at which pow(0.999, t + 1) differs from
// the product Adam builds step by step (t = 5): the resume must restore the product itself.
const STOP_AT = 5;

interface Setup {
  source: () => BatchSource;
  make: () => GanVariant;
  dispose: () => void;
}

async function setup(name: string): Promise<Setup> {
  const entry = VARIANTS[name];
  const config = { width: WIDTH, seed: 7 };
  if (entry.data === "ring") {
    return {
      source: () =>
        samplerBatches((n, s) => sampleRing(n, { seed: s }), {
          batchSize: 16,
          batchesPerEpoch: STEPS_PER_EPOCH,
          seed: 3,
        }),
      make: () => createVariant(name, config),
      dispose: () => {},
    };
  }
  if (entry.data === "two-domain") {
    const data = await loadTwoDomains({ size: 12, seed: 3 });
    const sampleImages = data.domainA.slice(0, 2);
    return {
      source: () =>
        tensorBatches({ domainA: data.domainA, domainB: data.domainB }, {
          batchSize: BATCH,
          seed: 3,
          unpaired: true,
        }),
      // A small pool, so that it fills up and its random swaps happen within the few steps.
      make: () =>
        createCyclegan({
          ...config,
          imageShape: [28, 28, 3],
          nBlocks: 3,
          poolSize: 5,
          sampleImages,
        }),
      dispose: () => {
        data.dispose();
        sampleImages.dispose();
      },
    };
  }
  if (entry.data === "mnist-tags") {
    const data = await loadMultiTag({ size: 12, seed: 3 });
    return {
      source: () =>
        tensorBatches({ realImages: data.images, labels: data.tags }, {
          batchSize: BATCH,
          seed: 3,
        }),
      make: () =>
        createVariant(name, {
          ...config,
          imageShape: data.images.shape.slice(1) as [number, number, number],
          tagGroups: data.groups.map((g) => g.values.length),
        }),
      dispose: () => data.dispose(),
    };
  }
  const data = await loadMnist({ size: 12, seed: 3, source: "embedded" });
  const batch: Record<string, tf.Tensor> = entry.data === "mnist-labels"
    ? { realImages: data.images, labels: data.labels }
    : { realImages: data.images };
  return {
    source: () => tensorBatches(batch, { batchSize: BATCH, seed: 3 }),
    make: () => createVariant(name, config),
    dispose: () => data.dispose(),
  };
}

/** Every model weight and optimizer state tensor, as raw bytes, plus Adam's private products. */
async function snapshot(variant: GanVariant): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(variant.models).sort()) {
    variant.models[name].getWeights().forEach((w, i) => {
      out[`${name}/${i}`] = Array.from(new Uint32Array(w.dataSync<"float32">().slice().buffer));
    });
  }
  for (const name of Object.keys(variant.optimizers).sort()) {
    const weights = await variant.optimizers[name].getWeights();
    weights.forEach((w, i) => {
      out[`opt ${name}/${i}`] = Array.from(w.tensor.dataSync());
    });
    weights.filter((w) => w.name === "iter").forEach((w) => w.tensor.dispose());
    out[`opt ${name} extras`] = Object.values(await readOptimizerExtras(variant.optimizers[name]));
  }
  return out;
}

for (const name of Object.keys(VARIANTS)) {
  Deno.test(`train() of ${name} stopped mid-epoch and resumed matches a straight run bit for bit`, async () => {
    const s = await setup(name);
    const dir = await Deno.makeTempDir({ prefix: `resume_${name}_` });
    try {
      const options = { epochs: EPOCHS, stepsPerEpoch: STEPS_PER_EPOCH, seed: 5 };
      const start = tf.memory().numTensors;
      const straight = s.make();
      await train(straight, s.source(), options);
      const expected = await snapshot(straight);
      straight.dispose();
      // What a variant keeps after dispose (some keep a scalar or two) is no leak of the resume.
      const kept = tf.memory().numTensors - start;

      const first = s.make();
      const half = await train(first, s.source(), {
        ...options,
        checkpointDir: `${dir}/ckpt`,
        maxSteps: STOP_AT,
      });
      assertEquals(half.step, STOP_AT);
      first.dispose();

      const before = tf.memory().numTensors;
      const second = s.make();
      const rest = await train(second, s.source(), {
        epochs: EPOCHS,
        stepsPerEpoch: STEPS_PER_EPOCH,
        checkpointDir: `${dir}/ckpt`,
        resume: true,
      });
      assertEquals(rest.resumedFrom?.step, STOP_AT);
      assertEquals(rest.step, EPOCHS * STEPS_PER_EPOCH);
      const actual = await snapshot(second);
      for (const key of Object.keys(expected)) {
        assert(
          JSON.stringify(actual[key]) === JSON.stringify(expected[key]),
          `${name}: ${key} differs after the resume`,
        );
      }
      assertEquals(Object.keys(actual).sort(), Object.keys(expected).sort());
      second.dispose();
      assert(tf.memory().numTensors <= before + kept, "the resumed run leaked tensors");
    } finally {
      s.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("train() refuses a resume with another batch size or no checkpoint at all", async () => {
  const s = await setup("dcgan");
  const dir = await Deno.makeTempDir({ prefix: "resume_batch_" });
  try {
    const variant = s.make();
    await train(variant, s.source(), { checkpointDir: `${dir}/ckpt`, maxSteps: 1 });
    const data = await loadMnist({ size: 12, seed: 3, source: "embedded" });
    await rejects(
      train(variant, tensorBatches({ realImages: data.images }, { batchSize: 6, seed: 3 }), {
        checkpointDir: `${dir}/ckpt`,
        resume: true,
      }),
      /trained with batch size 4, not 6; .* resume with --batch-size 4/,
    );
    await rejects(
      train(variant, s.source(), { checkpointDir: `${dir}/nothing`, resume: true }),
      /Cannot resume from .*nothing: it holds no checkpoint/,
    );
    data.dispose();
    variant.dispose();
  } finally {
    s.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
