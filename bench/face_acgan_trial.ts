/**
 * `deno run -A bench/face_acgan_trial.ts '<json>' [OUT]`: train one of notebook 09's face ACGANs
 * (section 3: hair and skin tags, equal loss weights, D:G = 1:2) as its `cpu` run trains it, and
 * score it the way the notebook does: the face classifier's hair and skin accuracy on `nEval`
 * samples that ask for every (hair, skin) pair in turn, D's own heads, and FID against held-out
 * faces on the classifier's features. Prints one JSON line; with `OUT` it also goes to `OUT.json`.
 *
 * It separates what a seed does from what the shards do: the training seed (`seed`: weights,
 * batch order, latents) changes while the faces stay those of the notebook (`dataSeed` 0), and
 * `shards` splits each step as the `cpu` notebooks do (2) or not (1). The result depends on
 * `shards`, not on `workers`.
 *
 * The JSON names the run; every key is optional: `tagLoss` (`"softmax"`, the notebook's first
 * model, or `"bce"`), `seed` (0), `dataSeed` (0), `shards` (2), `workers` (1), `faces` (8000),
 * `faceSize` (32), `width` (0.25), `batch` (64), `epochs` (2), `nEval` (2000). The defaults are the
 * notebook's `cpu` settings.
 *
 * @example The notebook's softmax model with training seed 1, on two threads (about 2 minutes)
 * ```sh
 * deno run -A bench/face_acgan_trial.ts '{"tagLoss":"softmax","seed":1,"workers":2}' /tmp/faces_s1
 * ```
 *
 * @module
 */
import { initBackend } from "../lib/backend.ts";
import { loadFaces } from "@course/lib/data";
import { faceExtractor, featureStatistics, scoreTaggedSamples } from "@course/lib/metrics";
import { train } from "@course/lib/train";
import { type AcganTagLoss, createAcgan, dataParallel } from "@course/lib/variants";
import { checkTrialCounts, readTrialOptions } from "./trial_options.ts";

/** A face trial: what the JSON argument may set (see the module documentation). */
export interface FaceTrial {
  tagLoss: AcganTagLoss;
  seed: number;
  dataSeed: number;
  shards: number;
  workers: number;
  faces: number;
  faceSize: number;
  width: number;
  batch: number;
  epochs: number;
  nEval: number;
}

/** The defaults of every {@linkcode FaceTrial} key: notebook 09's `cpu` run of its softmax model. */
export const FACE_TRIAL_DEFAULTS: FaceTrial = {
  tagLoss: "softmax",
  seed: 0,
  dataSeed: 0,
  shards: 2,
  workers: 1,
  faces: 8000,
  faceSize: 32,
  width: 0.25,
  batch: 64,
  epochs: 2,
  nEval: 2000,
};

/**
 * Parse a trial's JSON, filling in the defaults; throws with the offending key on bad input.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { parseFaceTrial } from "./face_acgan_trial.ts";
 * assertEquals(parseFaceTrial('{"seed": 2}').shards, 2);
 * throws(() => parseFaceTrial('{"tagLoss": "mse"}'), /tagLoss must be softmax or bce/);
 * throws(() => parseFaceTrial('{"sead": 1}'), /unknown trial key\(s\) sead/);
 * throws(() => parseFaceTrial('{"shards": 3, "workers": 2}'), /multiple of workers \(2\), got 3/);
 * ```
 */
export function parseFaceTrial(json: string): FaceTrial {
  const trial = readTrialOptions(json, FACE_TRIAL_DEFAULTS, "face_acgan_trial", "trial");
  if (trial.tagLoss !== "softmax" && trial.tagLoss !== "bce") {
    throw new Error(`face_acgan_trial: tagLoss must be softmax or bce, got ${trial.tagLoss}`);
  }
  checkTrialCounts(trial, ["faces", "faceSize", "batch", "epochs", "nEval"], "face_acgan_trial");
  return trial;
}

/** What a face trial measured: accuracies in [0, 1], D's heads' too, FID and training time. */
export interface FaceTrialResult {
  trial: FaceTrial;
  steps: number;
  trainSeconds: number;
  hairAccuracy: number;
  skinAccuracy: number;
  hairHeadAccuracy: number;
  skinHeadAccuracy: number;
  fid: number;
}

/**
 * Train the trial's face ACGAN and score it (see the module documentation).
 *
 * @example A few steps on a few faces (a smoke run, not a result)
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { parseFaceTrial, runFaceTrial } from "./face_acgan_trial.ts";
 * const trial = parseFaceTrial('{"faces": 32, "batch": 16, "epochs": 1, "nEval": 40, "width": 0.125}');
 * const result = await runFaceTrial(trial);
 * assert(result.steps === 2 && result.hairAccuracy >= 0 && result.hairAccuracy <= 1);
 * ```
 */
export async function runFaceTrial(t: FaceTrial, out?: string): Promise<FaceTrialResult> {
  await initBackend({ backend: "wasm" });
  const faces = await loadFaces({ size: t.faces, imageSize: t.faceSize, seed: t.dataSeed });
  const heldOut = await loadFaces({
    size: t.nEval,
    imageSize: t.faceSize,
    split: "test",
    seed: t.dataSeed,
  });
  const tagGroups = faces.groups.map((g) => g.values.length);
  const variant = createAcgan({
    imageShape: [t.faceSize, t.faceSize, 3],
    width: t.width,
    seed: t.seed,
    tagGroups,
    lossWeights: [1, 1, 1],
    gSteps: 2,
    tagLoss: t.tagLoss,
  });
  try {
    const started = performance.now();
    const run = await train(variant, { realImages: faces.images, labels: faces.tags }, {
      epochs: t.epochs,
      batchSize: t.batch,
      seed: t.seed,
      executor: dataParallel({ workers: t.workers, shards: t.shards }),
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const judges = [await faceExtractor({ group: "hair" }), await faceExtractor({ group: "skin" })];
    const realStatistics = featureStatistics((await judges[0].run(heldOut.images)).features);
    const score = await scoreTaggedSamples(variant.models.generator, {
      tagGroups,
      judges,
      realStatistics,
      count: t.nEval,
      discriminator: variant.models.discriminator,
    });
    const result: FaceTrialResult = {
      trial: t,
      steps: run.step,
      trainSeconds: Number(trainSeconds.toFixed(1)),
      hairAccuracy: score.accuracy[0],
      skinAccuracy: score.accuracy[1],
      hairHeadAccuracy: score.headAccuracy![0],
      skinHeadAccuracy: score.headAccuracy![1],
      fid: score.fid,
    };
    if (out) await Deno.writeTextFile(`${out}.json`, JSON.stringify(result, null, 1));
    return result;
  } finally {
    variant.dispose();
    faces.dispose();
    heldOut.dispose();
  }
}

if (import.meta.main) {
  if (Deno.args.length < 1) {
    console.error(`usage: deno run -A bench/face_acgan_trial.ts '<json>' [OUT]`);
    Deno.exit(2);
  }
  const result = await runFaceTrial(parseFaceTrial(Deno.args[0]), Deno.args[1]);
  console.log(JSON.stringify(result));
}
