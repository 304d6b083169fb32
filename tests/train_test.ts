import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { readCheckpointMeta, saveCheckpoint } from "../lib/io/checkpoint.ts";
import {
  type GanVariant,
  optimizeWithNorm,
  samplerBatches,
  stepRandom,
  tensorBatches,
  train,
  type TrainCallback,
  TrainingStoppedError,
} from "@course/lib/train";

await initBackend({ backend: "wasm" });

/** A tiny non-saturating GAN on 2-D points, built inline (seeded init, no dropout). */
function tinyGan(initSeed = 1, lr = 1e-2): GanVariant {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: initSeed * 100 + s });
  const generator = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        inputShape: [2],
        activation: "relu",
        kernelInitializer: init(1),
      }),
      tf.layers.dense({ units: 2, kernelInitializer: init(2) }),
    ],
  });
  const discriminator = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [2], kernelInitializer: init(3) }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.dense({ units: 1, kernelInitializer: init(4) }),
    ],
  });
  const optimizers = {
    generator: tf.train.adam(lr, 0.5),
    discriminator: tf.train.adam(lr, 0.5),
  };
  const bce = (logits: tf.Tensor, label: number) =>
    tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits) as tf.Scalar;
  return {
    name: "tiny",
    models: { generator, discriminator },
    optimizers,
    latentDim: 2,
    trainStep(batch, { random }) {
      const n = batch.realImages.shape[0];
      const z = random.normal([n, 2]);
      const d = optimizeWithNorm(optimizers.discriminator, () => {
        const fake = generator.apply(z, { training: true }) as tf.Tensor;
        return bce(discriminator.apply(batch.realImages) as tf.Tensor, 1)
          .add(bce(discriminator.apply(fake) as tf.Tensor, 0)) as tf.Scalar;
      }, discriminator);
      const z2 = random.normal([n, 2]);
      const g = optimizeWithNorm(
        optimizers.generator,
        () => bce(discriminator.apply(generator.apply(z2)) as tf.Tensor, 1),
        generator,
      );
      return { dLoss: d.loss, gLoss: g.loss, dGradNorm: d.gradNorm, gGradNorm: g.gradNorm };
    },
    sample(count, seed) {
      return tf.tidy(() => generator.predict(stepRandom(seed, 0).normal([count, 2])) as tf.Tensor);
    },
    dispose() {
      generator.dispose();
      discriminator.dispose();
      Object.values(optimizers).forEach((o) => o.dispose());
    },
  };
}

function points(): tf.Tensor {
  return tf.randomNormal([40, 2], 1, 0.5, "float32", 11);
}

function allWeights(variant: GanVariant): Float32Array[] {
  return Object.keys(variant.models).sort().flatMap((name) =>
    variant.models[name].getWeights().map((w) => w.dataSync() as Float32Array)
  );
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  assertEquals(a.length, b.length);
  let worst = 0;
  a.forEach((x, i) => x.forEach((v, j) => worst = Math.max(worst, Math.abs(v - b[i][j]))));
  return worst;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "train_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("train() runs every step in tidy: no tensor leak per step", async () => {
  const variant = tinyGan();
  const realImages = points();
  await train(variant, { realImages }, { batchSize: 8, maxSteps: 2 }); // optimizer slots created
  const before = tf.memory().numTensors;
  const result = await train(variant, { realImages }, { batchSize: 8, epochs: 2, seed: 3 });
  assertEquals(result.step, 10);
  assertEquals(tf.memory().numTensors, before);
  variant.dispose();
  realImages.dispose();
});

Deno.test("train() resumed mid-epoch from a checkpoint ends with the same weights as a straight run", async () => {
  await withTempDir(async (dir) => {
    const realImages = points();
    const straight = tinyGan();
    const full = await train(straight, { realImages }, { batchSize: 8, epochs: 3, seed: 5 });
    assertEquals(full.step, 15);

    // First half, then "kill": only the checkpoint survives.
    const first = tinyGan();
    const half = await train(first, { realImages }, {
      batchSize: 8,
      epochs: 3,
      seed: 5,
      checkpointDir: `${dir}/ckpt`,
      maxSteps: 7,
    });
    assertEquals(half.step, 7);
    first.dispose();

    // A fresh "process": differently initialised models and new optimizers, restored from disk.
    const second = tinyGan(99);
    const rest = await train(second, { realImages }, {
      batchSize: 8,
      epochs: 3,
      checkpointDir: `${dir}/ckpt`,
      resume: true,
    });
    assertEquals(rest.resumedFrom?.step, 7);
    assertEquals(rest.step, 15);
    const diff = maxAbsDiff(allWeights(straight), allWeights(second));
    assert(diff === 0, `weights differ by ${diff}`);
    assertEquals(rest.history.steps.length, 15);
    const dStraight = full.history.values.dLoss;
    rest.history.values.dLoss.forEach((v, i) => assertEquals(v, dStraight[i]));
    [straight, second].forEach((v) => v.dispose());
    realImages.dispose();
  });
});

Deno.test("train() checkpoints and returns on abort, and refuses a resume with another seed", async () => {
  await withTempDir(async (dir) => {
    const variant = tinyGan();
    const controller = new AbortController();
    const stopAfter3: TrainCallback = {
      onStepEnd(state) {
        if (state.step === 3) controller.abort();
      },
    };
    const realImages = points();
    const result = await train(variant, { realImages }, {
      batchSize: 8,
      epochs: 2,
      checkpointDir: `${dir}/ckpt`,
      signal: controller.signal,
      callbacks: [stopAfter3],
    });
    assertEquals(result.reason, "interrupted");
    assertEquals((await readCheckpointMeta(`${dir}/ckpt`))?.step, 3);
    let message = "";
    try {
      await train(tinyGan(), { realImages }, {
        batchSize: 8,
        seed: 42,
        checkpointDir: `${dir}/ckpt`,
        resume: true,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes("it was trained with seed 0, not 42"), message);
    variant.dispose();
    realImages.dispose();
  });
});

Deno.test("train() stops with a clear message on a NaN loss and keeps the last good checkpoint", async () => {
  await withTempDir(async (dir) => {
    const variant = tinyGan();
    const inner = variant.trainStep.bind(variant);
    variant.trainStep = (batch, context) => {
      const logs = inner(batch, context);
      return context.step === 6 ? { ...logs, gLoss: tf.scalar(NaN) } : logs;
    };
    const realImages = points();
    let error: unknown;
    try {
      await train(variant, { realImages }, { batchSize: 8, epochs: 3, checkpointDir: dir });
    } catch (e) {
      error = e;
    }
    assert(error instanceof TrainingStoppedError);
    assertEquals(error.guard, "nonFinite");
    assert(error.message.startsWith("Training stopped at step 7: gLoss = NaN"), error.message);
    assertEquals((await readCheckpointMeta(dir))?.step, 5); // the epoch-1 checkpoint
    variant.dispose();
    realImages.dispose();
  });
});

Deno.test("train() stops when dLoss collapses to 0 or a gradient norm explodes", async () => {
  const realImages = points();
  const fake = (logs: Record<string, number>): GanVariant => ({
    ...tinyGan(),
    trainStep: () => Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, tf.scalar(v)])),
  });
  const collapse = fake({ dLoss: 1e-5, gLoss: 9 });
  let error: unknown;
  try {
    await train(collapse, { realImages }, {
      batchSize: 8,
      epochs: 10,
      guards: { dLossCollapse: { threshold: 1e-3, patience: 12 } },
    });
  } catch (e) {
    error = e;
  }
  assert(error instanceof TrainingStoppedError && error.guard === "dLossCollapse");
  assertEquals(error.step, 12);
  const explode = fake({ dLoss: 0.5, dGradNorm: 250 });
  try {
    await train(explode, { realImages }, { batchSize: 8, guards: { maxGradNorm: 100 } });
  } catch (e) {
    error = e;
  }
  assert(error instanceof TrainingStoppedError && error.guard === "maxGradNorm");
  assert(error.message.includes("dGradNorm = 250.0 exceeds 100"), error.message);
  realImages.dispose();
});

Deno.test("tensorBatches() shuffles per epoch with the seed and keeps pairs together", () => {
  const realImages = tf.range(0, 12, 1, "float32").reshape([12, 1]);
  const labels = tf.range(0, 12, 1, "int32");
  const source = tensorBatches({ realImages, labels }, { batchSize: 4, seed: 9 });
  const again = tensorBatches({ realImages, labels }, { batchSize: 4, seed: 9 });
  const a = source.batch(1, 2);
  const b = again.batch(1, 2);
  assertEquals(Array.from(a.realImages.dataSync()), Array.from(b.realImages.dataSync()));
  assertEquals(Array.from(a.realImages.dataSync()), Array.from(a.labels.dataSync()));
  const epoch0 = [0, 1, 2].flatMap((i) => Array.from(source.batch(0, i).labels.dataSync()));
  const epoch1 = [0, 1, 2].flatMap((i) => Array.from(source.batch(1, i).labels.dataSync()));
  assertEquals([...epoch0].sort((x, y) => x - y), [...Array(12).keys()]);
  assert(epoch0.join() !== epoch1.join(), "epochs should be reshuffled");
  let message = "";
  try {
    tensorBatches({ realImages, labels: tf.zeros([5]) });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("paired tensors need the same first dimension"), message);
  tf.dispose(
    [realImages, labels, a, b].flatMap((x) => x instanceof tf.Tensor ? [x] : Object.values(x)),
  );
});

Deno.test("samplerBatches() draws the same batch for the same (epoch, index)", () => {
  const source = samplerBatches((n, seed) => tf.randomUniform([n, 2], 0, 1, "float32", seed), {
    batchSize: 4,
    seed: 2,
  });
  const a = source.batch(3, 1).realImages;
  const b = source.batch(3, 1).realImages;
  const c = source.batch(3, 2).realImages;
  assertEquals(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert(Array.from(a.dataSync()).join() !== Array.from(c.dataSync()).join());
  tf.dispose([a, b, c]);
});

Deno.test("loadCheckpoint() rejects a checkpoint of another variant or architecture", async () => {
  await withTempDir(async (dir) => {
    const variant = tinyGan();
    const realImages = points();
    await train(variant, { realImages }, { batchSize: 8, checkpointDir: dir });
    const other = { ...tinyGan(), name: "other" };
    let message = "";
    try {
      await train(other, { realImages }, { batchSize: 8, checkpointDir: dir, resume: true });
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes(`saved by variant "tiny", not "other"`), message);
    const extra = tinyGan();
    extra.models = { ...extra.models, critic: extra.models.discriminator };
    try {
      await train(extra, { realImages }, { batchSize: 8, checkpointDir: dir, resume: true });
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes("it holds models [discriminator, generator]"), message);
    // Truncate the optimizer state: a corrupt checkpoint.
    const bin = `${dir}/optimizers/generator/weights.bin`;
    await Deno.writeFile(bin, (await Deno.readFile(bin)).subarray(0, 10));
    try {
      await train(tinyGan(), { realImages }, { batchSize: 8, checkpointDir: dir, resume: true });
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes("optimizers/generator/weights.bin fails its checksum"), message);
    assert(message.includes("delete it or resume from an earlier one"), message);
    await Deno.writeTextFile(`${dir}/checkpoint.json`, "{");
    try {
      await readCheckpointMeta(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes("checkpoint.json is not valid JSON"), message);
    variant.dispose();
    realImages.dispose();
  });
});

Deno.test("saveCheckpoint() replaces the previous checkpoint atomically, leaving no temp dirs", async () => {
  await withTempDir(async (dir) => {
    const variant = tinyGan();
    const state = {
      variant: "tiny",
      models: variant.models,
      optimizers: variant.optimizers,
      epoch: 0,
      seed: 0,
      history: { steps: [], values: {} },
    };
    await saveCheckpoint(`${dir}/ckpt`, { ...state, step: 1 });
    await saveCheckpoint(`${dir}/ckpt`, { ...state, step: 2 });
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["ckpt"]);
    assertEquals((await readCheckpointMeta(`${dir}/ckpt`))?.step, 2);
    variant.dispose();
  });
});
