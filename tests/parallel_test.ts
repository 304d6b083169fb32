import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { fingerprint } from "@gan/wasm-engine/parallel";
import { type GanVariant, optimizeWithNorm, train } from "@course/lib/train";
import * as variants from "@course/lib/variants";
import { createCgan, createVariant, dataParallel, VARIANT_FACTORIES } from "@course/lib/variants";

await initBackend({ backend: "wasm" });

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "parallel_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function weightsOf(variant: GanVariant): Float32Array[] {
  return Object.keys(variant.models).sort().flatMap((name) =>
    variant.models[name].getWeights().map((w) => w.dataSync() as Float32Array)
  );
}

Deno.test("train() with 2 workers: ranks stay identical, losses match a one-thread run, no leak", async () => {
  const mnist = await loadMnist({ size: 256 });
  const data = { realImages: mnist.images };
  const options = { batchSize: 32, maxSteps: 3, seed: 3 };
  const alone = createVariant("dcgan", { width: 0.125, seed: 1 });
  const pair = createVariant("dcgan", { width: 0.125, seed: 1 });
  assertEquals(fingerprint(pair), fingerprint(alone));
  const single = await train(alone, data, options);
  // finish() compares the worker's weights with the main thread's and throws if they differ.
  const parallel = await train(pair, data, { ...options, executor: dataParallel({ workers: 2 }) });
  // A second run of the same variant (optimizer slots exist now) must leave no tensor behind.
  const before = tf.memory().numTensors;
  await train(pair, data, { ...options, executor: dataParallel({ workers: 2 }), maxSteps: 2 });
  assertEquals(tf.memory().numTensors, before);
  assertEquals(parallel.step, 3);
  // Step 1 starts from the same weights on the same real batch; only half the latents differ.
  const d1 = [single.history.values.dLoss[0], parallel.history.values.dLoss[0]];
  assert(Math.abs(d1[0] - d1[1]) < 0.1, `first dLoss ${d1}`);
  assert(parallel.history.values.gLoss.every(Number.isFinite));
  [alone, pair].forEach((v) => v.dispose());
  mnist.dispose();
});

Deno.test("train() with 2 workers resumes from a checkpoint exactly (optimizer state reaches the worker)", async () => {
  await withTempDir(async (dir) => {
    const points = tf.randomNormal([128, 2], 1, 0.5, "float32", 11);
    const options = { batchSize: 16, epochs: 2, seed: 5, executor: dataParallel({ workers: 2 }) };
    const straight = createVariant("toy_gan", { seed: 2 });
    await train(straight, { realImages: points }, options);
    const first = createVariant("toy_gan", { seed: 2 });
    await train(first, { realImages: points }, {
      ...options,
      checkpointDir: `${dir}/ckpt`,
      maxSteps: 5,
    });
    first.dispose();
    const second = createVariant("toy_gan", { seed: 77 }); // other init: the checkpoint decides
    const rest = await train(second, { realImages: points }, {
      batchSize: 16,
      epochs: 2,
      executor: dataParallel({ workers: 2 }),
      checkpointDir: `${dir}/ckpt`,
      resume: true,
    });
    assertEquals(rest.resumedFrom?.step, 5);
    // Bit for bit: the checkpoint and the workers carry Adam's exact bias-correction products.
    const a = weightsOf(straight);
    const b = weightsOf(second);
    const worst = Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i][j])))));
    assert(worst === 0, `weights differ by ${worst}`);
    [straight, second].forEach((v) => v.dispose());
    points.dispose();
  });
});

Deno.test("the data-parallel executor explains what is wrong: no blueprint, uneven batch, unknown name, bad count", async () => {
  const points = tf.randomNormal([64, 2], 0, 1, "float32", 1);
  const toy = createVariant("toy_gan", { seed: 1 });
  await rejects(
    train(toy, { realImages: points }, { batchSize: 15, executor: dataParallel({ workers: 2 }) }),
    /batch of 15 into 2 equal parts/,
  );
  throws(() => dataParallel({ workers: 0 }), /workers must be a positive integer, got 0/);
  assertEquals(dataParallel({ workers: 1 }).threads, 1);
  const handMade: GanVariant = {
    ...toy,
    blueprint: undefined,
    trainStep: (batch) => ({
      loss: optimizeWithNorm(
        tf.train.sgd(0.1),
        () => (toy.models.discriminator.apply(batch.realImages) as tf.Tensor).mean(),
        toy.models.discriminator,
      ).loss,
    }),
  };
  await rejects(
    train(handMade, { realImages: points }, {
      batchSize: 16,
      executor: dataParallel({ workers: 2 }),
    }),
    /has none; create it with a factory of lib\/variants/,
  );
  const broken: GanVariant = { ...toy, blueprint: { variant: "nothing", options: {} } };
  await rejects(
    train(broken, { realImages: points }, {
      batchSize: 16,
      executor: dataParallel({ workers: 2 }),
    }),
    /worker 1 failed: Cannot rebuild variant "nothing": no factory of that name/,
  );
  const withFunction: GanVariant = {
    ...toy,
    blueprint: { variant: "toy_gan", options: { f() {} } },
  };
  await rejects(
    train(withFunction, { realImages: points }, {
      batchSize: 16,
      executor: dataParallel({ workers: 2 }),
    }),
    /its options contain a function/,
  );
  toy.dispose();
  points.dispose();
});

Deno.test("train() with 2 workers: a factory-made conditional variant with int32 labels", async () => {
  const mnist = await loadMnist({ size: 128 });
  const variant = createCgan({ width: 0.125, seed: 2 });
  assertEquals(variant.blueprint?.variant, "cgan");
  const result = await train(variant, { realImages: mnist.images, labels: mnist.labels }, {
    batchSize: 32,
    maxSteps: 2,
    executor: dataParallel({ workers: 2 }),
  });
  assertEquals(result.step, 2);
  assert(result.history.values.dLoss.every(Number.isFinite));
  variant.dispose();
  mnist.dispose();
});

Deno.test("every variant factory records a blueprint that rebuilds the same variant", () => {
  const made = [
    variants.createDcgan({ width: 0.125, seed: 3 }),
    variants.createLsgan({ width: 0.125, seed: 3 }),
    variants.createWgan({ width: 0.125, seed: 3 }),
    variants.createWganGp({ width: 0.125, seed: 3 }),
    variants.createCgan({ width: 0.125, seed: 3 }),
    variants.createAcgan({ width: 0.125, seed: 3, tagGroups: [10] }),
    variants.createAcganWithSigma({ width: 0.125, seed: 3, tagGroups: [10], latentSigma: 0.5 }),
    variants.createCyclegan({ width: 0.125, nBlocks: 1, seed: 3 }),
    variants.createToyGan({ seed: 3 }),
    variants.createToyWganGp({ seed: 3, decaySteps: 10 }),
    variants.createPix2pix({ width: 0.125, seed: 3 }),
    variants.createInfogan({ width: 0.125, seed: 3 }),
    variants.createVae({ width: 0.125, seed: 3 }),
  ];
  // Every registry name is reached by a factory above, and each factory names its own entry.
  assertEquals(
    made.map((v) => v.blueprint?.variant).sort(),
    Object.keys(VARIANT_FACTORIES).sort(),
  );
  for (const variant of made) {
    const blueprint = variant.blueprint;
    assert(blueprint, `${variant.name} has no blueprint`);
    const again = variants.rebuildVariant(blueprint);
    assertEquals(again.name, variant.name);
    assertEquals(again.blueprint, blueprint);
    assertEquals(fingerprint(again), fingerprint(variant));
    again.dispose();
    variant.dispose();
  }
});

Deno.test("a seeded run split into 4 shards ends with bit-identical weights on 1, 2 and 4 threads", async () => {
  const mnist = await loadMnist({ size: 64 });
  for (const name of ["dcgan", "wgan_gp", "acgan"]) {
    const runs: Float32Array[][] = [];
    for (const workers of [1, 2, 4]) {
      const variant = createVariant(name, { width: 0.0625, seed: 5 });
      const data = { realImages: mnist.images, labels: mnist.labels };
      const result = await train(variant, name === "acgan" ? data : { realImages: mnist.images }, {
        batchSize: 32,
        maxSteps: 2,
        seed: 6,
        guards: false,
        executor: dataParallel({ workers, shards: 4 }),
      });
      assertEquals(result.step, 2);
      runs.push(weightsOf(variant)); // batch norm's moving averages included
      variant.dispose();
    }
    for (const [i, workers] of [[1, 2], [2, 4]]) {
      const same = runs[i].every((w, k) => w.every((v, j) => Object.is(v, runs[0][k][j])));
      assert(same, `${name}: ${workers} threads differ from 1 thread`);
    }
  }
  // The shards are what counts: one shard per thread is another run.
  const alone = createVariant("dcgan", { width: 0.0625, seed: 5 });
  await train(alone, { realImages: mnist.images }, { batchSize: 32, maxSteps: 2, seed: 6 });
  const sharded = createVariant("dcgan", { width: 0.0625, seed: 5 });
  await train(sharded, { realImages: mnist.images }, {
    batchSize: 32,
    maxSteps: 2,
    seed: 6,
    executor: dataParallel({ workers: 1, shards: 4 }),
  });
  assert(fingerprint(alone) !== fingerprint(sharded));
  [alone, sharded].forEach((v) => v.dispose());
  mnist.dispose();
});

Deno.test("train() with the old workers option: 1 still trains, more says to pass an executor", async () => {
  const points = tf.randomNormal([64, 2], 0, 1, "float32", 1);
  const toy = createVariant("toy_gan", { seed: 1 });
  const result = await train(toy, { realImages: points }, { batchSize: 32, workers: 1 });
  assertEquals(result.step, 2);
  await rejects(
    train(toy, { realImages: points }, { batchSize: 32, workers: 2 }),
    /pass executor: dataParallel\({ workers: 2 }\)/,
  );
  toy.dispose();
  points.dispose();
});

Deno.test("dataParallel() runs a variant that cannot split its steps (CycleGAN) whole, the same run on any threads", async () => {
  const images = (n: number, seed: number) =>
    tf.randomUniform([n, 16, 16, 1], -1, 1, "float32", seed);
  const data = { domainA: images(8, 7), domainB: images(8, 8) };
  const run = async (executor?: ReturnType<typeof dataParallel>) => {
    const variant = variants.createCyclegan({ width: 0.0625, nBlocks: 1, poolSize: 2, seed: 1 });
    assertEquals(variant.splitsIntoShards, false);
    await train(variant, data, { batchSize: 4, maxSteps: 2, seed: 5, executor });
    const weights = weightsOf(variant);
    variant.dispose();
    return weights;
  };
  const whole = await run();
  assertEquals(await run(dataParallel({ workers: 1, shards: 2 })), whole);
  assertEquals(await run(dataParallel({ workers: 2, shards: 2 })), whole);
  tf.dispose(Object.values(data));
});
