import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import {
  type CheckpointState,
  loadCheckpoint,
  NonFiniteWeightsError,
  previousCheckpoints,
  readCheckpointMeta,
  saveCheckpoint,
} from "../lib/io/checkpoint.ts";
import { loadModel, saveModel } from "../lib/io/model_io.ts";
import { checkWritableDir, prepareCheckpointDir } from "../lib/io/run_dir.ts";
import { createToyGan } from "../lib/variants/toy_gans.ts";
import { sampleGrids, samplerBatches, train, warnOnFailure } from "@course/lib/train";
import { sampleRing } from "../lib/data/toy.ts";

await initBackend({ backend: "wasm" });

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "checkpoint_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function tinyState(step: number, model?: tf.LayersModel): CheckpointState {
  const m = model ??
    tf.sequential({
      layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: "ones" })],
    });
  return {
    variant: "tiny",
    models: { model: m },
    optimizers: {},
    step,
    epoch: 0,
    seed: 0,
    history: { steps: [], values: {} },
  };
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 0x01;
  return copy;
}

Deno.test("loadCheckpoint() names the file whose byte was flipped, and loadModel() does too", async () => {
  await withTempDir(async (dir) => {
    const state = tinyState(1);
    await saveCheckpoint(`${dir}/ckpt`, state);
    const bin = `${dir}/ckpt/models/model/weights.bin`;
    await Deno.writeFile(bin, flipByte(await Deno.readFile(bin), 5));
    const target = { models: { model: tinyState(0).models.model }, optimizers: {} };
    await rejects(
      loadCheckpoint(`${dir}/ckpt`, target),
      /models\/model\/weights\.bin fails its checksum .* the file is corrupt/,
    );
    await rejects(loadModel(`${dir}/ckpt/models/model`), /weights\.bin fails its checksum/);
    // A model saved on its own carries the checksum in model.json.
    await saveModel(state.models.model, `${dir}/alone`);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/alone/model.json`));
    assertEquals(typeof json.weightsSha256, "string");
  });
});

Deno.test("saveCheckpoint() keeps the newest three checkpoints and a corrupt one points at the previous", async () => {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/ckpt`;
    const model = tinyState(0).models.model;
    for (const step of [1, 2, 3, 4, 5]) await saveCheckpoint(ckpt, tinyState(step, model));
    assertEquals((await readCheckpointMeta(ckpt))?.step, 5);
    assertEquals((await previousCheckpoints(ckpt)).map((p) => p.step), [4, 3]);
    for (const previous of await previousCheckpoints(ckpt)) {
      assertEquals((await readCheckpointMeta(previous.dir))?.step, previous.step);
    }
    await saveCheckpoint(ckpt, tinyState(6, model), { keep: 1 });
    assertEquals(await previousCheckpoints(ckpt), []);
    await saveCheckpoint(ckpt, tinyState(7, model));
    const bin = `${ckpt}/models/model/weights.bin`;
    await Deno.writeFile(bin, flipByte(await Deno.readFile(bin), 0));
    await rejects(
      loadCheckpoint(ckpt, { models: { model }, optimizers: {} }),
      /resume from the earlier checkpoint of step 6: move .*ckpt aside/,
    );
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["ckpt"]);
  });
});

Deno.test("saveCheckpoint() refuses NaN weights and keeps the last good checkpoint", async () => {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/ckpt`;
    const model = tinyState(0).models.model;
    const optimizer = tf.train.adam(0.1);
    const state = { ...tinyState(3, model), optimizers: { model: optimizer } };
    optimizer.minimize(() => (model.apply(tf.ones([1, 3])) as tf.Tensor).sum() as tf.Scalar);
    await saveCheckpoint(ckpt, state);
    model.layers[0].setWeights([tf.fill([3, 2], NaN), tf.zeros([2])]);
    let error: unknown;
    try {
      await saveCheckpoint(ckpt, { ...state, step: 4 });
    } catch (e) {
      error = e;
    }
    assert(error instanceof NonFiniteWeightsError, String(error));
    assertEquals([error.step, error.keptStep], [4, 3]);
    assert(/weight "dense_\w+\/kernel" holds NaN or Inf/.test(error.message), error.message);
    assert(error.message.includes("the last good checkpoint (step 3) is kept"), error.message);
    assertEquals((await readCheckpointMeta(ckpt))?.step, 3);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["ckpt"]);
    optimizer.dispose();
  });
});

Deno.test("saveCheckpoint() removes folders left by interrupted saves; readCheckpointMeta() names them", async () => {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/ckpt`;
    await saveCheckpoint(ckpt, tinyState(1));
    // A save killed between moving the old checkpoint away and renaming the new one into place.
    await Deno.rename(ckpt, `${ckpt}.tmp-deadbeef`);
    await rejects(readCheckpointMeta(ckpt), /ckpt\.tmp-deadbeef is there, .* rename it to/);
    await Deno.rename(`${ckpt}.tmp-deadbeef`, ckpt);
    await Deno.mkdir(`${ckpt}.tmp-0badcafe/models`, { recursive: true });
    await Deno.mkdir(`${ckpt}.old-12345678`);
    await saveCheckpoint(ckpt, tinyState(2));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["ckpt"]);
  });
});

Deno.test("prepareCheckpointDir() refuses another run's checkpoint without --resume or --force", async () => {
  await withTempDir(async (dir) => {
    const ckpt = `${dir}/run/checkpoint`;
    await rejects(prepareCheckpointDir(ckpt, { resume: true }), /holds no checkpoint/);
    assertEquals((await prepareCheckpointDir(ckpt)).action, "fresh");
    await saveCheckpoint(ckpt, { ...tinyState(12), variant: "dcgan" });
    await rejects(
      prepareCheckpointDir(ckpt, { label: "--out run" }),
      /Cannot train into --out run: it holds the checkpoint of a dcgan run at step 12 .*pass --resume to continue it, --force to discard it/,
    );
    await rejects(prepareCheckpointDir(ckpt, { resume: true, force: true }), /give only one/);
    assertEquals((await prepareCheckpointDir(ckpt, { resume: true })).meta?.step, 12);
    assertEquals((await prepareCheckpointDir(ckpt, { force: true })).action, "fresh");
    assertEquals(await readCheckpointMeta(ckpt), undefined);
    await Deno.mkdir(ckpt, { recursive: true });
    await Deno.writeTextFile(`${ckpt}/notes.txt`, "mine");
    await rejects(prepareCheckpointDir(ckpt), /exists but holds no checkpoint\.json/);
  });
});

Deno.test("checkWritableDir() passes on a writable folder and names one that cannot be written", async () => {
  await withTempDir(async (dir) => {
    await checkWritableDir(`${dir}/a/b`);
    assertEquals([...Deno.readDirSync(`${dir}/a/b`)], []);
    await Deno.mkdir(`${dir}/locked`);
    await Deno.chmod(`${dir}/locked`, 0o500);
    const root = Deno.uid() === 0; // root writes anywhere
    if (!root) await rejects(checkWritableDir(`${dir}/locked`), /Cannot write to .*locked/);
    await Deno.chmod(`${dir}/locked`, 0o700);
    await Deno.writeTextFile(`${dir}/file`, "");
    await rejects(checkWritableDir(`${dir}/file/out`), /Cannot write to .*file\/out: .*--out/);
  });
});

Deno.test("train() refuses [0, 255], [0, 1] and NaN images with the fix, leaking nothing", async () => {
  const variant = createToyGan({ seed: 1 });
  const before = tf.memory().numTensors;
  const cases: [tf.Tensor, RegExp][] = [
    [
      tf.fill([8, 4, 4, 1], 200),
      /realImages look like \[0, 255\]: scale them to \[-1, 1\] with images\.div\(127\.5\)/,
    ],
    [
      tf.fill([8, 4, 4, 1], 0.9),
      /realImages look like \[0, 1\]: scale them to \[-1, 1\] with images\.mul\(2\)\.sub\(1\)/,
    ],
    [tf.fill([8, 4, 4, 1], NaN), /realImages hold 128 NaN values/],
    [tf.fill([8, 4, 4, 1], -3), /must lie in \[-1, 1\], got values from -3 to -3/],
  ];
  for (const [realImages, pattern] of cases) {
    await rejects(train(variant, { realImages }, { batchSize: 4 }), pattern);
    realImages.dispose();
  }
  assertEquals(tf.memory().numTensors, before);
  variant.dispose();
});

Deno.test("train() that fails mid-run leaks no tensors", async () => {
  const variant = createToyGan({ seed: 1 });
  const source = samplerBatches((n, s) => sampleRing(n, { seed: s }), {
    batchSize: 8,
    batchesPerEpoch: 4,
  });
  await train(variant, source, { maxSteps: 1 }); // creates the optimizers' slots
  const before = tf.memory().numTensors;
  const inner = variant.trainStep.bind(variant);
  variant.trainStep = (batch, context) => {
    if (context.step === 2) throw new Error("boom at step 2");
    return inner(batch, context);
  };
  await rejects(train(variant, source, { epochs: 1 }), /boom at step 2/);
  assertEquals(tf.memory().numTensors, before);
  variant.dispose();
});

Deno.test("train() goes on when sample grids cannot be written: one warning, the checkpoint saved", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "not a folder");
    const variant = createToyGan({ seed: 1 });
    const warnings: string[] = [];
    const source = samplerBatches((n, s) => sampleRing(n, { seed: s }), {
      batchSize: 8,
      batchesPerEpoch: 6,
    });
    const result = await train(variant, source, {
      checkpointDir: `${dir}/ckpt`,
      callbacks: [
        warnOnFailure(sampleGrids({ every: 2, count: 8, dir: `${dir}/file/samples` }), {
          what: "writing a sample grid",
          warn: (message) => warnings.push(message),
        }),
      ],
    });
    assertEquals(result.step, 6);
    assertEquals((await readCheckpointMeta(`${dir}/ckpt`))?.step, 6);
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assert(warnings[0].startsWith("Warning: writing a sample grid failed ("), warnings[0]);
    assert(warnings[0].endsWith("training goes on"), warnings[0]);
    variant.dispose();
  });
});
