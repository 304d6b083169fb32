/**
 * The short, seeded training runs behind the slides' "trained model" figures: a toy GAN on the
 * 8-Gaussian ring and a narrow DCGAN on MNIST digits (the trained WGAN-GP, ACGAN and other models
 * come from the notebooks' cpu runs: `slides/result_figures.ts`). Every run goes through the
 * course's one training loop (`train` from `lib/train/`) with a variant from `lib/variants/`, so the
 * figures show what the notebooks run, at a size that trains in seconds on a laptop CPU.
 *
 * Each run happens at most once per process (the figures that share it await the same promise).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { ringModes, sampleRing } from "../lib/data/toy.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import type { LossHistory } from "../lib/io/checkpoint.ts";
import { modeCoverage } from "../lib/metrics/mode_coverage.ts";
import { samplerBatches, train } from "@course/lib/train";
import type { ToyVariant } from "@course/lib/variants";
import { createDcgan } from "../lib/variants/dcgan.ts";
import { createToyGan } from "../lib/variants/toy_gans.ts";

/**
 * A generated sample counts for a mode when it lies within this many standard deviations of the
 * mode's centre: 10 x 0.02 = 0.2 on the radius-2 ring, whose neighbouring centres are 1.53 apart.
 * (The notebooks' default of 3 needs far longer runs than a slide build allows.)
 */
export const COVERAGE_STD_THRESHOLD = 10;

/** Generated ring samples at one step, and the modes they cover. */
export interface ToySnapshot {
  /** Finished training steps. */
  step: number;
  /** Generated points `[n][2]` from the run's fixed latents. */
  points: number[][];
  /** Modes (of 8) with samples within {@linkcode COVERAGE_STD_THRESHOLD} std of their centre. */
  modesCovered: number;
}

/** A finished toy run: its loss history, snapshots and the trained variant. */
export interface ToyRun {
  /** Variant name (`toy_gan`, `toy_wgan_gp`). */
  name: string;
  /** What was trained, for captions. */
  description: string;
  /** Loss history of every step. */
  history: LossHistory;
  /** Samples at the snapshot steps, last one at the end of the run. */
  snapshots: ToySnapshot[];
  /** The trained variant (its models draw the score heat map); disposed by the caller. */
  variant: ToyVariant;
}

/** Settings of one toy run. */
interface ToyRunSpec {
  make: () => ToyVariant;
  description: string;
  steps: number;
  snapshotSteps: number[];
}

/** The toy run: batch size and the number of generated points per snapshot. */
const TOY = { batchSize: 128, samples: 1000, sampleSeed: 7, dataSeed: 1, runSeed: 0 };

/** Toy GAN: the non-saturating GAN of the unit test that covers the ring within 1,500 steps. */
export const TOY_GAN_RUN: ToyRunSpec = {
  make: () => createToyGan({ hidden: [64, 64], learningRate: 3e-3, seed: 0 }),
  description: "createToyGan({ hidden: [64, 64], learningRate: 3e-3 }), batch 128",
  steps: 500,
  snapshotSteps: [50, 150, 300, 500],
};

function snapshot(variant: ToyVariant, step: number): ToySnapshot {
  const samples = variant.sample(TOY.samples, TOY.sampleSeed);
  const { modesCovered } = modeCoverage(samples, ringModes(), {
    stdThreshold: COVERAGE_STD_THRESHOLD,
  });
  const points = samples.arraySync();
  samples.dispose();
  return { step, points, modesCovered };
}

async function runToy(spec: ToyRunSpec): Promise<ToyRun> {
  const variant = spec.make();
  const snapshots: ToySnapshot[] = [];
  const { history } = await train(
    variant,
    samplerBatches((n, seed) => sampleRing(n, { seed }), {
      batchSize: TOY.batchSize,
      batchesPerEpoch: spec.steps,
      seed: TOY.dataSeed,
    }),
    {
      epochs: 1,
      seed: TOY.runSeed,
      callbacks: [{
        onStepEnd(state) {
          if (spec.snapshotSteps.includes(state.step)) {
            snapshots.push(snapshot(variant, state.step));
          }
        },
      }],
    },
  );
  return { name: variant.name, description: spec.description, history, snapshots, variant };
}

let toyGan: Promise<ToyRun> | undefined;

/** The toy GAN run on the ring (trained on first call). */
export function toyGanRun(): Promise<ToyRun> {
  return toyGan ??= runToy(TOY_GAN_RUN);
}

/** Samples of a narrow DCGAN at a few steps of its first minutes of training. */
export interface DcganRun {
  /** What was trained, for captions. */
  description: string;
  /** Loss history of every step. */
  history: LossHistory;
  /** Finished steps of each row of `samples`. */
  steps: number[];
  /** `[steps.length * columns, 28, 28, 1]` in [-1, 1]: one row of fixed latents per step. */
  samples: tf.Tensor4D;
  /** Samples per row. */
  columns: number;
}

/** DCGAN: the TensorFlow tutorial's 28x28 architecture at 1/8 of its channels. */
export const DCGAN_RUN = {
  width: 0.125,
  batchSize: 32,
  digits: 2048,
  steps: 400,
  snapshotSteps: [0, 100, 200, 400],
  columns: 10,
};

let dcgan: Promise<DcganRun> | undefined;

async function runDcgan(): Promise<DcganRun> {
  const o = DCGAN_RUN;
  const mnist = await loadMnist({ size: o.digits, seed: 0 });
  const variant = createDcgan({ width: o.width, seed: 0 });
  const rows: tf.Tensor[] = [];
  const grab = () => rows.push(variant.sample(o.columns, 3));
  try {
    if (o.snapshotSteps.includes(0)) grab();
    const { history } = await train(variant, { realImages: mnist.images }, {
      epochs: Math.ceil((o.steps * o.batchSize) / o.digits),
      batchSize: o.batchSize,
      seed: 0,
      maxSteps: o.steps,
      callbacks: [{
        onStepEnd(state) {
          if (o.snapshotSteps.includes(state.step)) grab();
        },
      }],
    });
    const samples = tf.concat(rows) as tf.Tensor4D;
    return {
      description: `createDcgan({ width: ${o.width} }), batch ${o.batchSize}, ${o.digits} digits`,
      history,
      steps: o.snapshotSteps,
      samples,
      columns: o.columns,
    };
  } finally {
    tf.dispose(rows);
    variant.dispose();
    mnist.dispose();
  }
}

/** The DCGAN run on MNIST (trained on first call). */
export function dcganRun(): Promise<DcganRun> {
  return dcgan ??= runDcgan();
}

/** Frees what the runs keep (trained toy variants, DCGAN samples) and forgets them. */
export async function disposeRuns(): Promise<void> {
  const runs = [toyGan, dcgan];
  toyGan = dcgan = undefined;
  for (const run of runs) {
    if (!run) continue;
    const value = await run;
    if ("variant" in value) value.variant.dispose();
    else value.samples.dispose();
  }
}
