/**
 * Mode coverage of the toy WGAN-GP on the 8-Gaussian ring, over several seeds: the check behind
 * notebook 07's "all 8 modes covered" (too slow for the unit tests: tens of seconds of CPU per seed).
 *
 * The defaults are notebook 07's toy recipe in the `cpu` profile: MLPs of three hidden layers of 64
 * units, ONE critic update per generator update, Adam (betas 0 and 0.9) at 3e-3 for the generator
 * and 1e-2 for the critic, both decayed linearly to 0 over the run, lambda 0.1, 2,000 steps of 128
 * points. The paper's setting is `--n-critic 5 --lambda 10 --learning-rate 1e-4
 * --critic-learning-rate 1e-4`. Coverage is measured on 2,500
 * samples (a mode needs 20 of them within 3 std of its centre).
 *
 * Usage: `deno run -A bench/toy_wgan_gp_modes.ts [--steps 2000] [--batch-size 128]
 * [--learning-rate 3e-3] [--critic-learning-rate 1e-2] [--n-critic 1] [--lambda 0.1]
 * [--seeds 0,1,2] [--generator-activation relu|leakyRelu]`. Exits with status 1 when a seed covers
 * fewer than 8 modes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { ringModes, sampleRing } from "../lib/data/toy.ts";
import { modeCoverage } from "../lib/metrics/mode_coverage.ts";
import { samplerBatches, train } from "@course/lib/train";
import { createToyWganGp } from "../lib/variants/toy_gans.ts";
import type { MlpActivation } from "../lib/models/mlp.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string", default: "2000" },
    "batch-size": { type: "string", default: "128" },
    "learning-rate": { type: "string", default: "3e-3" },
    "critic-learning-rate": { type: "string", default: "1e-2" },
    "n-critic": { type: "string", default: "1" },
    lambda: { type: "string", default: "0.1" },
    seeds: { type: "string", default: "0,1,2" },
    "generator-activation": { type: "string" },
  },
});
const steps = Number(args.steps);
const batchSize = Number(args["batch-size"]);
const learningRate = Number(args["learning-rate"]);
const seeds = args.seeds.split(",").map(Number);
const criticLearningRate = Number(args["critic-learning-rate"]);
const nCritic = Number(args["n-critic"]);
const lambda = Number(args.lambda);
const generatorActivation = args["generator-activation"] as MlpActivation | undefined;

await initBackend();
let failures = 0;
for (const seed of seeds) {
  const start = performance.now();
  const variant = createToyWganGp({
    hidden: [64, 64, 64],
    learningRate,
    criticLearningRate,
    nCritic,
    lambda,
    decaySteps: steps,
    ...(generatorActivation ? { generatorActivation } : {}),
    seed,
  });
  const source = samplerBatches((n, s) => sampleRing(n, { seed: s }), {
    batchSize,
    batchesPerEpoch: steps,
    seed: 1,
  });
  await train(variant, source, { seed });
  const samples = variant.sample(2500, 7) as tf.Tensor2D;
  const coverage = modeCoverage(samples, ringModes());
  samples.dispose();
  variant.dispose();
  if (coverage.modesCovered < 8) failures++;
  console.log(
    `seed ${seed}: ${coverage.modesCovered}/8 modes, ` +
      `${(100 * coverage.highQualityFraction).toFixed(1)}% within 3 std, ` +
      `per mode ${coverage.perMode.join(",")} (${
        ((performance.now() - start) / 1000).toFixed(0)
      } s)`,
  );
}
console.log(`${seeds.length - failures} of ${seeds.length} seeds covered all 8 modes`);
if (failures > 0) Deno.exit(1);
