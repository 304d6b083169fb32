/**
 * Mode coverage of the toy WGAN-GP on the 8-Gaussian ring, over several seeds: the check behind
 * notebook 07's "all 8 modes covered" (too slow for the unit tests: about 3 minutes of CPU per seed
 * at the `cpu` profile's 3,000 steps of batch 256).
 *
 * The setup is notebook 07's: MLPs of three hidden layers of 64 units, Adam at 1e-3 with betas
 * (0, 0.9) decayed linearly to 0 over the run, 5 critic updates per generator update, lambda 10.
 * Coverage is measured on 2,500 samples (a mode needs 20 of them within 3 std of its centre).
 *
 * Usage: `deno run -A bench/toy_wgan_gp_modes.ts [--steps 3000] [--batch-size 256]
 * [--learning-rate 1e-3] [--seeds 0,1,2] [--generator-activation relu]`. Notebook 07 now trains the
 * ring for 1,500 steps of 128 with a leaky-ReLU generator:
 * `--steps 1500 --batch-size 128 --generator-activation leakyRelu`. Exits with status 1 when a seed
 * covers fewer than 8 modes.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type * as tf from "@tensorflow/tfjs";
import { initBackend } from "@course/backend.ts";
import { ringModes, sampleRing } from "@course/data/toy.ts";
import { modeCoverage } from "@course/metrics/mode_coverage.ts";
import { samplerBatches, train } from "@course/train/mod.ts";
import { createToyWganGp } from "@course/variants/toy.ts";
import type { MlpActivation } from "@course/models/mlp.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string", default: "3000" },
    "batch-size": { type: "string", default: "256" },
    "learning-rate": { type: "string", default: "1e-3" },
    seeds: { type: "string", default: "0,1,2" },
    "generator-activation": { type: "string", default: "relu" },
  },
});
const steps = Number(args.steps);
const batchSize = Number(args["batch-size"]);
const learningRate = Number(args["learning-rate"]);
const seeds = args.seeds.split(",").map(Number);
const generatorActivation = args["generator-activation"] as MlpActivation;

await initBackend();
let failures = 0;
for (const seed of seeds) {
  const start = performance.now();
  const variant = createToyWganGp({
    hidden: [64, 64, 64],
    learningRate,
    decaySteps: steps,
    generatorActivation,
    seed,
  });
  const source = samplerBatches((n, s) => sampleRing(n, { seed: s }), {
    batchSize,
    batchesPerEpoch: steps,
    seed: 1,
  });
  await train(variant, source, { seed });
  const samples = variant.sample!(2500, 7) as tf.Tensor2D;
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
