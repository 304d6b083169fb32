import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadModel, loadModelWeights, readModelFiles, saveModel } from "../lib/io/model_io.ts";

await initBackend({ backend: "wasm" });

function tinyModel(units = 3): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [2], activation: "relu" }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units }),
    ],
  });
}

/** Await a rejection whose message contains `text`; return the error. */
async function assertRejects(fn: () => Promise<unknown>, text = ""): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    assert(error instanceof Error, `expected an Error, got ${error}`);
    assert(error.message.includes(text), `"${error.message}" does not include "${text}"`);
    return error;
  }
  throw new Error(`expected a rejection with "${text}"`);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "io_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("saveModel() writes tfjs-node's model.json + weights.bin layout", async () => {
  await withTempDir(async (dir) => {
    const model = tinyModel();
    const result = await saveModel(model, `${dir}/nested/model`);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/nested/model/model.json`));
    assertEquals(json.format, "layers-model");
    assertEquals(json.weightsManifest.length, 1);
    assertEquals(json.weightsManifest[0].paths, ["weights.bin"]);
    assertEquals(json.modelTopology.class_name, "Sequential");
    const bin = await Deno.readFile(`${dir}/nested/model/weights.bin`);
    assertEquals(bin.byteLength, model.countParams() * 4);
    assertEquals(result.weightBytes, bin.byteLength);
    const leftovers = [...Deno.readDirSync(`${dir}/nested/model`)].map((e) => e.name).sort();
    assertEquals(leftovers, ["model.json", "weights.bin"]);
    model.dispose();
  });
});

Deno.test("loadModel() round-trips topology and weights, including batch-norm statistics", async () => {
  await withTempDir(async (dir) => {
    const model = tinyModel();
    // Make the non-trainable moving statistics non-default.
    model.setWeights(model.getWeights().map((w, i) => tf.fill(w.shape, 0.1 * (i + 1))));
    await saveModel(model, dir);
    const again = await loadModel(dir);
    const a = model.getWeights();
    const b = again.getWeights();
    assertEquals(a.length, b.length);
    a.forEach((w, i) => assertEquals(Array.from(w.dataSync()), Array.from(b[i].dataSync())));
    const x = tf.tensor2d([[0.5, -1], [2, 3]]);
    const ya = model.predict(x) as tf.Tensor;
    const yb = again.predict(x) as tf.Tensor;
    assertEquals(Array.from(ya.dataSync()), Array.from(yb.dataSync()));
    tf.dispose([x, ya, yb]);
    model.dispose();
    again.dispose();
  });
});

Deno.test("saveModel() replaces an earlier save in place", async () => {
  await withTempDir(async (dir) => {
    const first = tinyModel();
    await saveModel(first, dir);
    const second = tinyModel(5);
    await saveModel(second, dir);
    const loaded = await loadModel(dir);
    assertEquals(loaded.outputs[0].shape, [null, 5]);
    [first, second, loaded].forEach((m) => m.dispose());
  });
});

Deno.test("loadModel() explains a missing directory and a directory without model.json", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(() => loadModel(`${dir}/nope`), "the directory does not exist");
    await assertRejects(() => loadModel(dir), "has no model.json");
  });
});

Deno.test("loadModel() rejects corrupt JSON and a missing topology", async () => {
  await withTempDir(async (dir) => {
    await saveModel(tinyModel(), dir);
    await Deno.writeTextFile(`${dir}/model.json`, "{ not json");
    await assertRejects(() => loadModel(dir), "model.json is not valid JSON");
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({ weightsManifest: [] }));
    await assertRejects(() => loadModel(dir), "has no modelTopology");
  });
});

Deno.test("loadModel() reports truncated weights with both byte counts", async () => {
  await withTempDir(async (dir) => {
    const model = tinyModel();
    await saveModel(model, dir);
    const bin = await Deno.readFile(`${dir}/weights.bin`);
    await Deno.writeFile(`${dir}/weights.bin`, bin.subarray(0, 12));
    const error = await assertRejects(() => loadModel(dir));
    assert(
      error.message.includes(`weights.bin has 12 bytes, model.json expects ${bin.byteLength}`),
      error.message,
    );
    assert(error.message.includes("delete it or resume from an earlier one"));
    await Deno.remove(`${dir}/weights.bin`);
    await assertRejects(() => loadModel(dir), "lists weights.bin but it cannot be read");
    model.dispose();
  });
});

Deno.test("loadModelWeights() fills a fresh build and rejects a mismatched architecture", async () => {
  await withTempDir(async (dir) => {
    const source = tinyModel();
    await saveModel(source, dir);
    const target = tinyModel();
    await loadModelWeights(target, dir);
    const a = source.getWeights();
    const b = target.getWeights();
    a.forEach((w, i) => assertEquals(Array.from(w.dataSync()), Array.from(b[i].dataSync())));
    const wider = tinyModel(7);
    await assertRejects(() => loadModelWeights(wider, dir), "has shape [4,3]");
    const shallow = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
    await assertRejects(
      () => loadModelWeights(shallow, dir),
      "the file has 8 weight tensors",
    );
    [source, target, wider, shallow].forEach((m) => m.dispose());
  });
});

Deno.test("readModelFiles() reads a tfjs-node style manifest with a ./ path prefix", async () => {
  await withTempDir(async (dir) => {
    const model = tinyModel();
    await saveModel(model, dir);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    json.weightsManifest[0].paths = ["./weights.bin"];
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    const files = await readModelFiles(dir);
    assertEquals(files.weightData.byteLength, model.countParams() * 4);
    model.dispose();
  });
});
