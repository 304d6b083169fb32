import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { type GanVariant, train, type TrainState, weightAverage } from "@course/lib/train";
import { createVariant, dataParallel } from "@course/lib/variants";

await initBackend({ backend: "wasm" });

/** A one-layer "generator" with batch norm, wrapped as a variant whose step does nothing. */
function stubVariant(): GanVariant {
  const generator = tf.sequential({
    layers: [
      tf.layers.dense({ units: 2, inputShape: [2], useBias: true }),
      tf.layers.batchNormalization(),
    ],
  });
  return {
    name: "stub",
    models: { generator },
    optimizers: {},
    trainStep: () => ({}),
    dispose: () => generator.dispose(),
  };
}

function stateOf(variant: GanVariant, step: number): TrainState {
  return {
    variant,
    step,
    epoch: 0,
    totalSteps: 100,
    stepsPerEpoch: 100,
    seed: 0,
    history: { steps: [], values: {} },
    startStep: 0,
    startTime: 0,
  };
}

/** Set every weight of the model to `value`. */
function fill(model: tf.LayersModel, value: number): void {
  const values = model.getWeights().map((w) => tf.fill(w.shape, value));
  model.setWeights(values);
  tf.dispose(values);
}

const flat = (model: tf.LayersModel) =>
  model.getWeights().map((w) => Array.from(w.dataSync())).flat();

function close(actual: number[], expected: number[], tolerance = 1e-5): void {
  assertEquals(actual.length, expected.length);
  actual.forEach((v, i) =>
    assert(Math.abs(v - expected[i]) <= tolerance, `index ${i}: ${v} vs ${expected[i]}`)
  );
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ema_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("weightAverage() follows shadow = beta * shadow + (1 - beta) * w, with and without warm-up", async () => {
  const variant = stubVariant();
  const g = variant.models.generator;
  const n = flat(g).length; // 12, batch norm's moving mean and variance included
  for (const warmup of [false, true]) {
    const ema = weightAverage({ beta: 0.5, warmup });
    fill(g, 0);
    await ema.onTrainBegin!(stateOf(variant, 0));
    fill(g, 1);
    await ema.onStepEnd!(stateOf(variant, 1), {});
    // warm-up: decay min(0.5, 1/10) = 0.1 at the first update, then min(0.5, 2/11) = 0.18...
    const first = warmup ? 0.9 : 0.5;
    close(await ema.withAveragedWeights((m) => flat(m)), new Array(n).fill(first));
    fill(g, 3);
    await ema.onStepEnd!(stateOf(variant, 2), {});
    const decay = warmup ? 2 / 11 : 0.5;
    close(
      await ema.withAveragedWeights((m) => flat(m)),
      new Array(n).fill(decay * first + (1 - decay) * 3),
    );
    assertEquals([ema.step, ema.updates, ema.beta], [2, 2, 0.5]);
    // the trained weights are back in the model
    close(flat(g), new Array(n).fill(3));
    ema.dispose();
  }
  variant.dispose();
});

Deno.test("weightAverage() copies batch norm statistics instead of averaging them when asked", async () => {
  const variant = stubVariant();
  const g = variant.models.generator;
  const ema = weightAverage({ beta: 0.5, warmup: false, averageStatistics: false });
  fill(g, 0);
  await ema.onTrainBegin!(stateOf(variant, 0));
  fill(g, 2);
  await ema.onStepEnd!(stateOf(variant, 1), {});
  const averaged = await ema.withAveragedWeights((m) => m.getWeights().map((w) => w.dataSync()[0]));
  // dense kernel, dense bias, gamma, beta are averaged; moving mean and variance are copied
  assertEquals(averaged, [1, 1, 1, 1, 2, 2]);
  ema.dispose();
  variant.dispose();
});

Deno.test("weightAverage() leaks no tensors: updates, swaps, copies, dispose", async () => {
  const variant = stubVariant();
  const g = variant.models.generator;
  const before = tf.memory().numTensors;
  const ema = weightAverage({ beta: 0.9 });
  await ema.onTrainBegin!(stateOf(variant, 0));
  const withShadow = tf.memory().numTensors;
  assertEquals(withShadow - before, g.getWeights().length);
  for (let step = 1; step <= 5; step++) {
    fill(g, step);
    await ema.onStepEnd!(stateOf(variant, step), {});
  }
  await ema.withAveragedWeights((m) => flat(m));
  await rejects(
    ema.withAveragedWeights(() => {
      throw new Error("boom");
    }),
    /boom/,
  );
  close(flat(g), new Array(flat(g).length).fill(5)); // restored after the throw too
  const copy = await ema.averagedCopy();
  close(flat(copy), await ema.withAveragedWeights((m) => flat(m)));
  const z = tf.ones([3, 2]);
  const fromCopy = copy.predict(z) as tf.Tensor;
  const fromSwap = await ema.withAveragedWeights((m) =>
    tf.tidy(() => (m.predict(z) as tf.Tensor).dataSync())
  );
  close(Array.from(fromCopy.dataSync()), Array.from(fromSwap));
  tf.dispose([z, fromCopy]);
  copy.dispose();
  assertEquals(tf.memory().numTensors, withShadow);
  ema.dispose();
  assertEquals(tf.memory().numTensors, before);
  variant.dispose();
});

Deno.test("weightAverage() explains what is wrong: bad beta, unknown model, used before training", async () => {
  throws(() => weightAverage({ beta: 1 }), /beta must be in \[0, 1\), got 1/);
  throws(() => weightAverage({ saveEvery: -1 }), /saveEvery must be a non-negative integer/);
  const ema = weightAverage({ model: "critic" });
  await rejects(ema.withAveragedWeights(() => 0), /pass it to train\(\) in callbacks/);
  const variant = stubVariant();
  await rejects(
    Promise.resolve(ema.onTrainBegin!(stateOf(variant, 0))),
    /no model "critic" \(it has generator\)/,
  );
  variant.dispose();
});

Deno.test("weightAverage() in train(): a resumed run ends with the same average as an uninterrupted one", async () => {
  const points = tf.randomNormal([256, 2], 0, 1, "float32", 3);
  const run = async (dir: string, epochs: number, resume: boolean) => {
    const variant = createVariant("toy_gan", { seed: 1 });
    const ema = weightAverage({ beta: 0.9, dir: `${dir}/ema` });
    await train(variant, { realImages: points }, {
      epochs,
      batchSize: 64,
      seed: 5,
      checkpointDir: `${dir}/checkpoint`,
      resume,
      callbacks: [ema],
    });
    const averaged = await ema.withAveragedWeights((m) => flat(m));
    const updates = ema.updates;
    ema.dispose();
    variant.dispose();
    return { averaged, updates };
  };
  await withTempDir(async (dir) => {
    const whole = await run(`${dir}/a`, 2, false);
    await run(`${dir}/b`, 1, false);
    const resumed = await run(`${dir}/b`, 2, true);
    assertEquals(whole.updates, 8);
    assertEquals(resumed.updates, 8); // the saved count continues: the warm-up does not restart
    close(resumed.averaged, whole.averaged, 1e-6);
    // a shadow saved at another step than the checkpoint is refused with a way out
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/b/ema/ema.json`));
    await Deno.writeTextFile(`${dir}/b/ema/ema.json`, JSON.stringify({ ...meta, step: 4 }));
    await rejects(run(`${dir}/b`, 3, true), /saved at step 4, the checkpoint is at step 8/);
  });
  points.dispose();
});

Deno.test("weightAverage() with 2 workers averages the main thread's up-to-date generator", async () => {
  const points = tf.randomNormal([256, 2], 0, 1, "float32", 4);
  const averages: number[][] = [];
  for (const workers of [1, 2]) {
    const variant = createVariant("toy_gan", { seed: 2 });
    const ema = weightAverage({ beta: 0.5, warmup: false });
    const initial = flat(variant.models.generator);
    await train(variant, { realImages: points }, {
      batchSize: 64,
      seed: 1,
      executor: dataParallel({ workers }),
      callbacks: [ema],
    });
    const averaged = await ema.withAveragedWeights((m) => flat(m));
    // 4 steps at beta 0.5: the initial weights keep 1/16 of the average
    assert(averaged.some((v, i) => Math.abs(v - initial[i]) > 1e-4));
    averages.push(averaged);
    ema.dispose();
    variant.dispose();
  }
  // two ranks train on halves of each batch and average gradients: close to one thread, not equal
  close(averages[1], averages[0], 0.05);
  points.dispose();
});
