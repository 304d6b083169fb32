/**
 * `deno run -A bench/recipe_trial.ts '<json>' [OUT]`: train one MNIST GAN recipe in the `cpu`
 * profile's setting and score it at checkpoints, the way the notebooks' recipes were chosen (the
 * trial-run tables of notebooks 04 and 07, and the study of notebook 02's short-run recipe). At
 * every step of `evalAt` it scores `nEval` samples of G's moving averages (`emaBetas`) and of its
 * last iterate against as many held-out digits: FID, precision and recall on the metric
 * classifier's features, and the share of samples the classifier names with p >= 0.9
 * (`confidentShareOf`: "recognised"). Each checkpoint prints one JSON line;
 * with `OUT` the rows also go to `OUT.json` (rewritten at every checkpoint, so a run stopped early
 * keeps what it measured) and the first average's last 64 samples to `OUT.bin` (float32, [-1, 1]).
 *
 * The JSON names the recipe; every key is optional:
 *
 * - `kind`: `"wgan_gp"` (default), `"dcgan"` or `"lsgan"`; `options` are passed to `createDcgan` /
 *   `createLsgan` as they are;
 * - WGAN-GP (`createWganGp`): `nCritic` (1), `lambda` (10), `lr` / `criticLr` (8e-4 / 3.2e-3),
 *   `beta1` (0.5), `beta2` (0.9), `decay` (0: linear decay steps);
 * - all: `name`, `width` (0.25), `seed` (0), `batch` (32), `steps` (1000), `evalAt` ([500, 1000]),
 *   `emaBetas` ([0.999]), `mnistSize` (8000), `nEval` (2000), `shards` (1: each step whole; 2 splits
 *   it as the `cpu` profile's notebooks do), `workers` (1: threads sharing the shards; the result
 *   does not depend on it).
 *
 * @example Notebook 07's WGAN-GP recipe, scored at 500 and 1,000 steps (about 4 minutes)
 * ```sh
 * deno run -A bench/recipe_trial.ts '{"name":"gp","beta1":0,"lr":1.6e-3,"criticLr":6.4e-3}' /tmp/gp
 * ```
 *
 * @example Notebook 02's recipe as its `cpu` run trains it (2 shards), to 8,000 steps
 * ```sh
 * deno run -A bench/recipe_trial.ts '{"name":"dcgan02","kind":"dcgan","steps":8000,"evalAt":[2000,4000,6000,8000],"shards":2,"options":{"learningRate":5e-4,"realLabel":0.9,"upsampling":"resize","generatorKernelSize":3}}' /tmp/dcgan02
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { loadMnist } from "@course/lib/data";
import {
  confidentShareOf,
  featureExtractor,
  featureStatistics,
  frechetDistance,
  precisionRecall,
} from "@course/lib/metrics";
import { train, type TrainCallback, weightAverage } from "@course/lib/train";
import type { ImageVariant } from "@course/lib/variants";
import { createDcgan, createLsgan, createWganGp, dataParallel } from "@course/lib/variants";
import { checkTrialCounts, readTrialOptions } from "./trial_options.ts";

/** A recipe: what the JSON argument may set (see the module documentation). */
export interface Recipe {
  name: string;
  kind: "wgan_gp" | "dcgan" | "lsgan";
  options: Record<string, unknown>;
  width: number;
  seed: number;
  nCritic: number;
  lambda: number;
  lr: number;
  criticLr: number;
  beta1: number;
  beta2: number;
  decay: number;
  batch: number;
  steps: number;
  evalAt: number[];
  emaBetas: number[];
  mnistSize: number;
  nEval: number;
  shards: number;
  workers: number;
}

/** The defaults of every {@linkcode Recipe} key: notebook 07's first WGAN-GP recipe. */
export const RECIPE_DEFAULTS: Recipe = {
  name: "trial",
  kind: "wgan_gp",
  options: {},
  width: 0.25,
  seed: 0,
  nCritic: 1,
  lambda: 10,
  lr: 8e-4,
  criticLr: 3.2e-3,
  beta1: 0.5,
  beta2: 0.9,
  decay: 0,
  batch: 32,
  steps: 1000,
  evalAt: [500, 1000],
  emaBetas: [0.999],
  mnistSize: 8000,
  nEval: 2000,
  shards: 1,
  workers: 1,
};

/**
 * Parse a recipe's JSON, filling in the defaults; throws with the offending key on bad input.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRecipe } from "./recipe_trial.ts";
 * assertEquals(parseRecipe('{"beta1": 0, "steps": 1500}').evalAt, [500, 1000]);
 * ```
 */
export function parseRecipe(json: string): Recipe {
  const recipe = readTrialOptions(json, RECIPE_DEFAULTS, "recipe_trial", "recipe");
  if (!["wgan_gp", "dcgan", "lsgan"].includes(recipe.kind)) {
    throw new Error(`recipe_trial: kind must be wgan_gp, dcgan or lsgan, got ${recipe.kind}`);
  }
  checkTrialCounts(recipe, ["batch", "steps", "mnistSize", "nEval", "nCritic"], "recipe_trial");
  if (!recipe.evalAt.every((s) => Number.isInteger(s) && s > 0 && s <= recipe.steps)) {
    throw new Error(
      `recipe_trial: evalAt must hold steps in [1, steps = ${recipe.steps}], got ${recipe.evalAt}`,
    );
  }
  return recipe;
}

/** The variant a recipe names, with its seeded models and optimizers. */
function variantOf(r: Recipe): ImageVariant {
  if (r.kind === "dcgan") return createDcgan({ width: r.width, seed: r.seed, ...r.options });
  if (r.kind === "lsgan") return createLsgan({ width: r.width, seed: r.seed, ...r.options });
  return createWganGp({
    width: r.width,
    seed: r.seed,
    nCritic: r.nCritic,
    lambda: r.lambda,
    learningRate: r.lr,
    criticLearningRate: r.criticLr,
    beta1: r.beta1,
    beta2: r.beta2,
    decaySteps: r.decay,
  });
}

/**
 * Train the recipe and score it at its checkpoints; returns one row per checkpoint.
 *
 * @example A few steps on a few digits (a smoke run, not a result)
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRecipe, runTrial } from "./recipe_trial.ts";
 * const rows = await runTrial(parseRecipe('{"steps": 2, "evalAt": [2], "mnistSize": 64, "nEval": 32, "batch": 8}'));
 * assertEquals(rows[0].step, 2);
 * ```
 */
export async function runTrial(
  r: Recipe,
  out?: string,
): Promise<Record<string, number | string>[]> {
  await initBackend({ backend: "wasm" });
  const variant = variantOf(r);
  const mnist = await loadMnist({ split: "train", size: r.mnistSize });
  const heldOut = await loadMnist({ split: "test", size: r.nEval });
  const extractor = await featureExtractor();
  const realFeatures = (await extractor.run(heldOut.images)).features;
  const realStats = featureStatistics(realFeatures);
  const averages = r.emaBetas.map((beta) => weightAverage({ beta }));
  const rows: Record<string, number | string>[] = [];
  let trainMs = 0;
  let since = performance.now();
  const score = async (step: number) => {
    trainMs += performance.now() - since;
    const row: Record<string, number | string> = {
      name: r.name,
      step,
      trainSeconds: Number((trainMs / 1000).toFixed(1)),
    };
    const samplers: Array<[string, () => Promise<tf.Tensor>]> = [
      ...averages.map((ema, i): [string, () => Promise<tf.Tensor>] => [
        `ema${r.emaBetas[i]}`,
        () => ema.withAveragedWeights(() => variant.sample(r.nEval, 21)),
      ]),
      ["last", () => Promise.resolve(variant.sample(r.nEval, 21))],
    ];
    for (const [which, sample] of samplers) {
      const samples = await sample();
      const { features, probabilities } = await extractor.run(samples);
      const { precision, recall } = precisionRecall(realFeatures, features, { k: 3 });
      row[`fid ${which}`] = Number(
        frechetDistance(featureStatistics(features), realStats).toFixed(1),
      );
      row[`precision ${which}`] = Number(precision.toFixed(2));
      row[`recall ${which}`] = Number(recall.toFixed(2));
      const { share } = confidentShareOf(probabilities);
      row[`recognised ${which}`] = Number(share.toFixed(3));
      if (out && which === samplers[0][0] && step === Math.max(...r.evalAt)) {
        const grid = samples.slice(0, Math.min(64, r.nEval));
        await Deno.writeFile(`${out}.bin`, new Uint8Array((await grid.data()).buffer));
        grid.dispose();
      }
      samples.dispose();
    }
    rows.push(row);
    console.log(JSON.stringify(row));
    if (out) await Deno.writeTextFile(`${out}.json`, JSON.stringify({ recipe: r, rows }, null, 1));
    since = performance.now();
  };
  const checkpoints: TrainCallback = {
    async onStepEnd(state) {
      if (r.evalAt.includes(state.step)) await score(state.step);
    },
  };
  await train(variant, { realImages: mnist.images }, {
    epochs: Math.ceil(r.steps / Math.ceil(mnist.count / r.batch)),
    maxSteps: r.steps,
    batchSize: r.batch,
    seed: 0,
    ...(r.shards > 1 ? { executor: dataParallel({ workers: r.workers, shards: r.shards }) } : {}),
    callbacks: [...averages, checkpoints],
  });
  averages.forEach((ema) => ema.dispose());
  mnist.dispose();
  heldOut.dispose();
  variant.dispose();
  return rows;
}

if (import.meta.main) {
  if (Deno.args.length < 1) {
    console.error("usage: deno run -A bench/recipe_trial.ts '<recipe json>' [OUT]");
    Deno.exit(2);
  }
  await runTrial(parseRecipe(Deno.args[0]), Deno.args[1]);
}
