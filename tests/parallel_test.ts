import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "@course/backend.ts";
import { loadMnist } from "@course/data/mnist.ts";
import { Channel, ParallelAbortError } from "@course/parallel/channel.ts";
import { decodeShard, encodeShards, takeShard } from "@course/parallel/shards.ts";
import { fingerprint } from "@course/parallel/snapshot.ts";
import { type GanVariant, optimizeWithNorm, train } from "@course/train/mod.ts";
import * as variants from "@course/variants/mod.ts";
import { createCgan, createVariant } from "@course/variants/mod.ts";

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

Deno.test("shards: each rank gets its rows, float32 and int32 alike; uneven batches are refused", () => {
  const batch = {
    realImages: tf.range(0, 24).reshape([6, 2, 2]),
    labels: tf.tensor1d([0, 1, 2, 3, 4, 5], "int32"),
  };
  const payload = encodeShards(batch, 3);
  const second = decodeShard(payload, 2);
  assertEquals(second.realImages.shape, [2, 2, 2]);
  assertEquals(Array.from(second.realImages.dataSync()), [16, 17, 18, 19, 20, 21, 22, 23]);
  assertEquals(second.labels.dtype, "int32");
  assertEquals(Array.from(second.labels.dataSync()), [4, 5]);
  const own = takeShard(batch, 3, 0);
  assertEquals(Array.from(own.labels.dataSync()), [0, 1]);
  throws(() => encodeShards(batch, 4), /batch of 6 into 4 equal parts.*multiple of 4/);
  tf.dispose([...Object.values(batch), ...Object.values(second), ...Object.values(own)]);
});

Deno.test("Channel: two threads get the same mean; an abort reaches the waiting rank", async () => {
  const layout = { ranks: 2, capacity: 8, batchBytes: 0 };
  const buffer = Channel.allocate(layout);
  const channelUrl = new URL("../lib/parallel/channel.ts", import.meta.url).href;
  const source = `
    import { Channel } from "${channelUrl}";
    self.onmessage = (e) => {
      const channel = new Channel(e.data.buffer, e.data.layout, 1);
      const mean = channel.allReduceMean(new Float32Array([3, 4, 5]));
      self.postMessage(Array.from(mean));
      try { channel.barrier(); } catch (error) { self.postMessage(String(error.message)); }
    };`;
  const worker = new Worker(
    URL.createObjectURL(new Blob([source], { type: "application/javascript" })),
    { type: "module" },
  );
  const replies: unknown[] = [];
  const gotTwo = new Promise<void>((resolve) => {
    worker.onmessage = (e) => {
      replies.push(e.data);
      if (replies.length === 2) resolve();
    };
  });
  worker.postMessage({ buffer, layout });
  const main = new Channel(buffer, layout, 0);
  assertEquals(Array.from(main.allReduceMean(new Float32Array([1, 2, 3]))), [2, 3, 4]);
  throws(() => main.allReduceMean(new Float32Array(9)), /9 values: the channel holds 8/);
  main.abort("stopped by the test");
  await gotTwo;
  worker.terminate();
  assertEquals(replies[0], [2, 3, 4]);
  assert(String(replies[1]).includes("stopped by the main thread: stopped by the test"));
  throws(() => main.barrier(), ParallelAbortError);
});

Deno.test("train() with 2 workers: ranks stay identical, losses match a one-thread run, no leak", async () => {
  const mnist = await loadMnist({ size: 256 });
  const data = { realImages: mnist.images };
  const options = { batchSize: 32, maxSteps: 3, seed: 3 };
  const alone = createVariant("dcgan", { width: 0.125, seed: 1 });
  const pair = createVariant("dcgan", { width: 0.125, seed: 1 });
  assertEquals(fingerprint(pair), fingerprint(alone));
  const single = await train(alone, data, options);
  // finish() compares the worker's weights with the main thread's and throws if they differ.
  const parallel = await train(pair, data, { ...options, workers: 2 });
  // A second run of the same variant (optimizer slots exist now) must leave no tensor behind.
  const before = tf.memory().numTensors;
  await train(pair, data, { ...options, workers: 2, maxSteps: 2 });
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
    const options = { batchSize: 16, epochs: 2, seed: 5, workers: 2 };
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
      workers: 2,
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

Deno.test("train() with workers explains what is wrong: no recipe, uneven batch, bad factory, bad count", async () => {
  const points = tf.randomNormal([64, 2], 0, 1, "float32", 1);
  const toy = createVariant("toy_gan", { seed: 1 });
  await rejects(
    train(toy, { realImages: points }, { batchSize: 15, workers: 2 }),
    /batch of 15 into 2 equal parts/,
  );
  await rejects(
    train(toy, { realImages: points }, { batchSize: 16, workers: 0 }),
    /workers must be a positive integer, got 0/,
  );
  const handMade: GanVariant = {
    ...toy,
    recipe: undefined,
    trainStep: (batch) => ({
      loss: optimizeWithNorm(
        tf.train.sgd(0.1),
        () => (toy.models.discriminator.apply(batch.realImages) as tf.Tensor).mean(),
        toy.models.discriminator,
      ).loss,
    }),
  };
  await rejects(
    train(handMade, { realImages: points }, { batchSize: 16, workers: 2 }),
    /has none; create it with a factory of lib\/variants\/mod.ts/,
  );
  const broken: GanVariant = { ...toy, recipe: { factory: "createNothing", args: [] } };
  await rejects(
    train(broken, { realImages: points }, { batchSize: 16, workers: 2 }),
    /worker 1 failed: no factory "createNothing"/,
  );
  toy.dispose();
  points.dispose();
});

Deno.test("train() with 2 workers: a factory-made conditional variant with int32 labels", async () => {
  const mnist = await loadMnist({ size: 128 });
  const variant = createCgan({ width: 0.125, seed: 2 });
  assertEquals(variant.recipe?.factory, "createCgan");
  const result = await train(variant, { realImages: mnist.images, labels: mnist.labels }, {
    batchSize: 32,
    maxSteps: 2,
    workers: 2,
  });
  assertEquals(result.step, 2);
  assert(result.history.values.dLoss.every(Number.isFinite));
  variant.dispose();
  mnist.dispose();
});

Deno.test("every variant factory records a recipe that rebuilds the same variant", () => {
  const factories = variants as unknown as Record<string, (...args: unknown[]) => GanVariant>;
  const made = [
    variants.createDcgan({ width: 0.125, seed: 3 }),
    variants.createLsgan({ width: 0.125, seed: 3 }),
    variants.createWgan({ width: 0.125, seed: 3 }),
    variants.createWganGp({ width: 0.125, seed: 3 }),
    variants.createCgan({ width: 0.125, seed: 3 }),
    variants.createAcgan({ width: 0.125, seed: 3, tagGroups: [10] }),
    variants.createCyclegan({ width: 0.125, nBlocks: 1, seed: 3 }),
    variants.createToyGan({ seed: 3 }),
    variants.createToyWganGp({ seed: 3, decaySteps: 10 }),
  ];
  for (const variant of made) {
    const recipe = variant.recipe;
    assert(recipe, `${variant.name} has no recipe`);
    const again = factories[recipe.factory](...recipe.args);
    assertEquals(again.name, variant.name);
    assertEquals(fingerprint(again), fingerprint(variant));
    again.dispose();
    variant.dispose();
  }
});
