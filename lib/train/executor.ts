/**
 * Who performs the steps of a run: the seam between the training loop and an engine.
 *
 * `train(variant, data, { executor })` hands every batch to its executor, which runs the variant's
 * step and returns the step's scalars. {@linkcode singleThread} (the default) runs the step on the
 * main thread; a data-parallel executor (`dataParallel` of `lib/variants/data_parallel.ts`, built
 * on the `@gan/wasm-engine` package) shares each step between threads and averages the gradients
 * through the step context's `reducer`. The loop itself knows nothing about threads.
 *
 * @module
 */
import type { Batch } from "./batches.ts";
import { deriveSeed, stepRandom } from "./random.ts";
import type { GanVariant, StepLogs } from "./variant.ts";

/** Where a step of the run is. */
export interface StepPosition {
  /** The global step, from 0. */
  step: number;
  /** The epoch, from 0. */
  epoch: number;
}

/** What an executor learns about the run it starts. */
export interface RunInfo {
  /** The run seed (every random draw of a step derives from it). */
  seed: number;
  /** A batch shaped like the run's batches (new tensors: dispose them). */
  firstBatch(): Batch;
}

/** A started executor: runs the steps of one `train()` call. */
export interface ExecutorRun {
  /**
   * Run one step on the full `batch` and return its scalars. The loop calls it inside `tf.tidy`
   * and disposes the batch afterwards.
   */
  step(batch: Batch, at: StepPosition): StepLogs;
  /** After the last step: stop helpers and check they ended in step with the main thread. */
  finish(): Promise<void>;
  /** Stop now (an error, a guard or an interrupt in the main thread). */
  abort(reason: string): void;
}

/** Performs the steps of a run (see the module documentation). */
export interface StepExecutor {
  /** Threads a step runs on (1 for {@linkcode singleThread}). */
  readonly threads: number;
  /** Prepare a run of `variant`: called once, before its first step. */
  start(variant: GanVariant, run: RunInfo): Promise<ExecutorRun>;
}

/**
 * The seed of rank `rank`'s step draws in a data-parallel run: rank 0 (the main thread) keeps the
 * run seed, so a one-thread run draws what rank 0 draws; the other ranks get unrelated seeds.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
 * import { rankSeed } from "@course/train/executor.ts";
 * assertEquals(rankSeed(7, 0), 7);
 * notDeepStrictEqual(rankSeed(7, 1), 7);
 * assertEquals(rankSeed(7, 1), rankSeed(7, 1));
 * ```
 */
export function rankSeed(seed: number, rank: number): number {
  return rank === 0 ? seed : deriveSeed(seed, 0x5eed, rank);
}

/**
 * Run every step on the main thread: `variant.trainStep(batch, { step, epoch, random })` with the
 * step's seeded random source. The default executor of `train()`.
 *
 * @example One step of a variant that reports its batch size
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { singleThread } from "@course/train/executor.ts";
 * import type { GanVariant } from "@course/train/variant.ts";
 * const counter: GanVariant = {
 *   name: "counter",
 *   models: {},
 *   optimizers: {},
 *   trainStep: (batch, { step }) => ({ rows: tf.scalar(batch.x.shape[0] + step) }),
 *   dispose() {},
 * };
 * const run = await singleThread().start(counter, { seed: 0, firstBatch: () => ({}) });
 * const logs = run.step({ x: tf.zeros([8, 2]) }, { step: 2, epoch: 0 });
 * assertEquals(logs.rows.dataSync()[0], 10);
 * await run.finish();
 * ```
 */
export function singleThread(): StepExecutor {
  return {
    threads: 1,
    start(variant, { seed }) {
      return Promise.resolve({
        step: (batch, { step, epoch }) =>
          variant.trainStep(batch, { step, epoch, random: stepRandom(seed, step) }),
        finish: () => Promise.resolve(),
        abort() {},
      });
    },
  };
}
