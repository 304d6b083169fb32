/**
 * Train a GAN variant from the terminal:
 *
 * ```
 * deno task train <variant> [--epochs N] [--batch-size N] [--profile ci|cpu|gpu] [--out DIR]
 *                           [--resume | --force] [--seed N] [--steps-per-epoch N] [--workers N]
 *                           [--data DIR [--image-size N]]
 * ```
 *
 * Writes sample grids (PNG, or HTML scatter plots for the 2-D toys), loss curves (HTML + JSON) and
 * checkpoints (every epoch, and on Ctrl-C or SIGTERM) to DIR, default `runs/<variant>`; the last
 * three checkpoints are kept. `--resume` continues from the checkpoint in DIR (and fails when there
 * is none); a DIR that holds a checkpoint is refused unless `--resume` or `--force` (discard it and
 * start over) says what to do with it. DIR is checked writable before the first step, and a sample
 * or plot that cannot be written is a warning, not the end of the run. An interrupted run saves a
 * checkpoint and exits with 130 (SIGINT) or 143 (SIGTERM). Sizes come from the profile
 * (`COURSE_PROFILE` overrides).
 * Every step is split into the profile's shards and shared between the idle cores (data
 * parallelism on the wasm or cpu backend; the same result on any number of threads); `--workers N`
 * sets the threads (above the profile's shards it raises them to a multiple of N; the batch size
 * must be a multiple of the shards). `--data DIR` trains on a folder of PNG/JPEG images
 * (`--image-size`, default 32), with ACGAN's tags from `DIR/tags.csv` (`id,hair,eyes`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { describeBackend } from "../lib/backend.ts";
import { NonFiniteWeightsError } from "../lib/io/checkpoint.ts";
import { checkWritableDir, prepareCheckpointDir } from "../lib/io/run_dir.ts";
import { ringModes } from "../lib/data/toy.ts";
import { modeCoverage } from "../lib/metrics/mode_coverage.ts";
import type { ProfileName } from "../lib/profile.ts";
import { setupCourse } from "../lib/notebook/setup.ts";
import { lossCurves, progressBar, sampleGrids } from "../lib/train/callbacks.ts";
import { TrainingStoppedError } from "../lib/train/guards.ts";
import { train } from "../lib/train/loop.ts";
import { warnOnFailure } from "../lib/train/warn_on_failure.ts";
import {
  createVariant,
  dataParallel,
  imageFolderTrainingData,
  variantEntry,
  VARIANTS,
} from "../lib/variants/mod.ts";

const USAGE = `Usage: deno task train <variant> [--epochs N] [--batch-size N] [--profile ci|cpu|gpu]
                          [--out DIR] [--resume | --force] [--seed N] [--steps-per-epoch N]
                          [--workers N] [--data DIR [--image-size N]]
  --resume  continue the checkpoint in DIR (default runs/<variant>)
  --force   discard the checkpoint in DIR and start over
  --data    train on a folder of PNG/JPEG images (ACGAN: with DIR/tags.csv)
Variants: ${Object.keys(VARIANTS).join(", ")}`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  Deno.exit(2);
}

function positiveInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    fail(`Cannot train: --${flag} must be a positive integer, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        "steps-per-epoch": { type: "string" },
        profile: { type: "string" },
        out: { type: "string" },
        resume: { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        seed: { type: "string" },
        workers: { type: "string" },
        data: { type: "string" },
        "image-size": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    fail(`Cannot train: ${(error as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) {
    fail(`Cannot train: give exactly one variant, got ${positionals.length}`);
  }
  const name = positionals[0];
  let entry;
  try {
    entry = variantEntry(name);
  } catch (error) {
    fail((error as Error).message);
  }
  const profileName = values.profile;
  if (profileName !== undefined && !["ci", "cpu", "gpu"].includes(profileName)) {
    fail(`Cannot train: --profile must be one of ci, cpu, gpu, got "${profileName}"`);
  }
  const seedRaw = values.seed;
  if (seedRaw !== undefined && !Number.isInteger(Number(seedRaw))) {
    fail(`Cannot train: --seed must be an integer, got "${seedRaw}"`);
  }
  const seed = seedRaw === undefined ? undefined : Number(seedRaw);
  if (values.resume && values.force) {
    fail("Cannot train: --resume continues the checkpoint and --force discards it; give only one");
  }
  // COURSE_BACKEND and COURSE_PROFILE override (read once, here).
  const course = await setupCourse({
    profile: profileName as ProfileName | undefined,
    workers: positiveInt("workers", values.workers),
  });
  console.log(describeBackend(course.backend));
  const profile = course.profile;
  const toy = entry.data === "ring";
  const epochs = positiveInt("epochs", values.epochs) ?? (toy ? 1 : profile.epochs);
  const batchSize = positiveInt("batch-size", values["batch-size"]) ??
    (toy ? profile.toyBatchSize : profile.batchSize);
  const stepsPerEpoch = positiveInt("steps-per-epoch", values["steps-per-epoch"]);
  const out = values.out ?? `runs/${name}`;
  console.log(`Profile: ${profile.name} (${profile.reason}); output: ${out}`);
  const checkpointDir = `${out}/checkpoint`;
  // Before any data is loaded: never lose another run's checkpoint, never start a long run that
  // cannot write its results.
  const plan = await prepareCheckpointDir(checkpointDir, {
    resume: values.resume,
    force: values.force,
    label: `--out ${out}`,
  });
  if (values.force && plan.meta) {
    console.log(
      `Discarded the ${plan.meta.variant} checkpoint at step ${plan.meta.step} (--force)`,
    );
  }
  await checkWritableDir(out);
  await checkWritableDir(`${out}/samples`);

  const dataSeed = seed ?? 0;
  // The registry loads the data (the entry's default, or the user's image folder); the data decides
  // the models' image shape and tag groups.
  const data = values.data !== undefined
    ? await imageFolderTrainingData(values.data, {
      name,
      data: entry.data,
      imageSize: positiveInt("image-size", values["image-size"]) ?? 32,
      batchSize,
      seed: dataSeed,
    })
    : await entry.loadData({
      size: profile.mnistSize,
      batchSize,
      seed: dataSeed,
      batchesPerEpoch: stepsPerEpoch ?? profile.toySteps,
      verbose: true,
    });
  const cleanup = [() => data.dispose()];
  if (data.description) console.log(data.description);
  const source = data.source;
  const variant = createVariant(name, { ...data.config, width: profile.width, seed: dataSeed });
  const controller = new AbortController();
  // SIGINT (Ctrl-C) and SIGTERM (kill, a batch system's time limit) both save a checkpoint; the
  // exit status then says the run did not finish (128 + the signal number).
  let exitCode = 0;
  const signals: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };
  const listeners = Object.entries(signals).map(([signal, code]) => {
    const listener = () => {
      if (controller.signal.aborted) Deno.exit(code);
      console.error(
        `\nInterrupted (${signal}): saving a checkpoint (press Ctrl-C again to quit at once)`,
      );
      exitCode = code;
      controller.abort();
    };
    Deno.addSignalListener(signal as Deno.Signal, listener);
    return [signal as Deno.Signal, listener] as const;
  });
  try {
    const result = await train(variant, source, {
      epochs,
      stepsPerEpoch,
      seed,
      checkpointDir,
      resume: values.resume,
      signal: controller.signal,
      executor: dataParallel({ workers: profile.workers, shards: profile.shards }),
      callbacks: [
        progressBar(),
        warnOnFailure(
          lossCurves({
            every: profile.sampleEvery,
            htmlPath: `${out}/losses.html`,
            jsonPath: `${out}/losses.json`,
          }),
          { what: "writing the loss curves" },
        ),
        warnOnFailure(
          sampleGrids({
            every: profile.sampleEvery,
            count: toy ? 1000 : 16,
            dir: `${out}/samples`,
          }),
          { what: "writing a sample grid" },
        ),
      ],
    });
    if (result.resumedFrom) console.log(`Resumed from step ${result.resumedFrom.step}`);
    console.log(
      `${result.reason === "interrupted" ? "Interrupted" : "Finished"} at step ${result.step} ` +
        `(epoch ${result.epoch}); checkpoint, samples and loss curves in ${out}`,
    );
    if (result.reason === "interrupted") {
      console.log(`Continue it with: deno task train ${name} --out ${out} --resume`);
      exitCode ||= 130;
    }
    if (toy) {
      const samples = variant.sample!(2500, 123) as tf.Tensor2D;
      const coverage = modeCoverage(samples, ringModes());
      samples.dispose();
      console.log(
        `Mode coverage: ${coverage.modesCovered}/${coverage.totalModes} modes, ` +
          `${(100 * coverage.highQualityFraction).toFixed(1)}% high-quality samples`,
      );
    }
  } catch (error) {
    if (error instanceof TrainingStoppedError || error instanceof NonFiniteWeightsError) {
      console.error(`\n${error.message}`);
      exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    variant.dispose();
    cleanup.forEach((f) => f());
  }
  if (exitCode !== 0) Deno.exit(exitCode);
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
