import * as tf from "@tensorflow/tfjs";
import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { featureExtractor } from "@course/lib/metrics";
import { parseRecipe, RECIPE_DEFAULTS, runTrial } from "../bench/recipe_trial.ts";

await initBackend({ backend: "wasm" });

Deno.test("recipe_trial: a recipe fills in the defaults and rejects bad keys and values", () => {
  const r = parseRecipe('{"beta1": 0, "lr": 1.6e-3, "steps": 1500}');
  assertEquals([r.beta1, r.lr, r.steps, r.criticLr], [0, 1.6e-3, 1500, RECIPE_DEFAULTS.criticLr]);
  assertThrows(() => parseRecipe('{"beta": 0}'), /unknown recipe key\(s\) beta/);
  assertThrows(() => parseRecipe("{beta1: 0}"), /not valid JSON/);
  assertThrows(() => parseRecipe('{"kind": "gan"}'), /kind must be wgan_gp, dcgan or lsgan/);
  assertThrows(() => parseRecipe('{"steps": 100}'), /evalAt must hold steps in \[1, steps = 100\]/);
  assertThrows(() => parseRecipe('{"batch": 0}'), /batch must be a positive integer/);
  assertThrows(
    () => parseRecipe('{"shards": 3, "workers": 2}'),
    /shards must be a multiple of workers \(2\), got 3/,
  );
});

Deno.test("recipe_trial: a short WGAN-GP trial scores its checkpoints and writes its files", async () => {
  const dir = await Deno.makeTempDir();
  const recipe = parseRecipe(JSON.stringify({
    name: "smoke",
    width: 0.125,
    steps: 4,
    evalAt: [2, 4],
    emaBetas: [0.9, 0.99],
    batch: 8,
    mnistSize: 64,
    nEval: 40,
    beta1: 0,
    shards: 2,
  }));
  await featureExtractor(); // cached for the process: load it before counting tensors
  const before = tf.memory().numTensors;
  const rows = await runTrial(recipe, `${dir}/smoke`);
  assertEquals(rows.map((r) => r.step), [2, 4]);
  for (const key of ["fid ema0.9", "fid ema0.99", "fid last", "precision last", "recall ema0.9"]) {
    assert(Number.isFinite(rows[1][key] as number), `${key}: ${rows[1][key]}`);
  }
  for (const key of ["recognised ema0.9", "recognised last"]) {
    const share = rows[1][key] as number;
    assert(share >= 0 && share <= 1, `${key}: ${share}`);
  }
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/smoke.json`));
  assertEquals(saved.rows.length, 2);
  assertEquals((await Deno.readFile(`${dir}/smoke.bin`)).byteLength, 40 * 28 * 28 * 4);
  assertEquals(tf.memory().numTensors, before);
  await Deno.remove(dir, { recursive: true });
});
