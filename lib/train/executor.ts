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
import type * as tf from "@tensorflow/tfjs";
import type { Batch } from "./batches.ts";
import type { GradientReducer, Shard } from "./gradients.ts";
import { deriveSeed, stepRandom } from "../core/random.ts";
import type { GanVariant, StepContext, StepLogs } from "./variant.ts";

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
 * The seed of shard `shard`'s draws in a run split into shards: shard 0 keeps the run seed, so a
 * one-shard run draws what shard 0 draws; the other shards get unrelated seeds.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
 * import { shardSeed } from "./executor.ts";
 * assertEquals(shardSeed(7, 0), 7);
 * notDeepStrictEqual(shardSeed(7, 1), 7);
 * assertEquals(shardSeed(7, 1), shardSeed(7, 1));
 * ```
 */
export function shardSeed(seed: number, shard: number): number {
  return shard === 0 ? seed : deriveSeed(seed, 0x5eed, shard);
}

/**
 * Shards `first .. first + count - 1` of a step split into shards: shard `first + k` is the `k`-th
 * of `count` equal blocks of this thread's rows, with the draws of `stepRandom(shardSeed(seed,
 * shard), step)`. A thread holding rows `[first, first + count)` of the step's shards, in order,
 * gives the same shards whatever the number of threads.
 *
 * @example Four shards on one thread: shard 2 is rows 4 and 5 of eight
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { stepShards } from "./executor.ts";
 * const shards = stepShards(1, 0, 0, 4);
 * assertEquals(Array.from(shards[2].rows(tf.range(0, 8)).dataSync()), [4, 5]);
 * assertEquals(shards.map((s) => s.index), [0, 1, 2, 3]);
 * throws(() => shards[0].rows(tf.zeros([6])), /6 rows into 4 shards/);
 * ```
 */
export function stepShards(seed: number, step: number, first: number, count: number): Shard[] {
  return Array.from({ length: count }, (_, k) => ({
    index: first + k,
    random: stepRandom(shardSeed(seed, first + k), step),
    rows<T extends tf.Tensor>(t: T): T {
      const rows = t.shape[0] ?? 0;
      if (rows % count !== 0) {
        throw new Error(
          `Cannot split ${rows} rows into ${count} shards on this thread: use a batch size that ` +
            `is a multiple of the number of shards`,
        );
      }
      const size = rows / count;
      return t.slice(k * size, size) as T;
    },
  }));
}

/**
 * The variables of `models` that a forward pass updates outside the optimizer (batch norm's moving
 * averages): a shard other than shard 0 leaves them as they were.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { modelStatistics } from "./executor.ts";
 * const model = tf.sequential({
 *   layers: [tf.layers.batchNormalization({ inputShape: [3] })],
 * });
 * assertEquals(modelStatistics({ model }).map((v) => v.shape), [[3], [3]]);
 * ```
 */
export function modelStatistics(models: Record<string, tf.LayersModel>): tf.Variable[] {
  return Object.values(models).flatMap((model) =>
    model.nonTrainableWeights.map((w) => w.read() as tf.Variable)
  );
}

/** Where a thread's shards sit in a step split into shards, and how they are averaged. */
export interface ShardPlan {
  /** The run seed. */
  seed: number;
  /** The first shard this thread computes. */
  first: number;
  /** How many shards (in a row) it computes. */
  count: number;
  /** Averages the gradients of every shard of the step. */
  reducer: GradientReducer;
  /** The models' variables that shards other than shard 0 leave unchanged ({@linkcode modelStatistics}). */
  statistics: readonly tf.Variable[];
}

/**
 * The context of step `step` for a thread computing the shards of `plan` (its random source is
 * its first shard's).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { shardedContext } from "./executor.ts";
 * const reducer = { allReduceMean: () => new Float32Array() };
 * const plan = { seed: 1, first: 2, count: 2, reducer, statistics: [] };
 * const context = shardedContext(plan, { step: 5, epoch: 0 });
 * assertEquals(context.shards!.map((s) => s.index), [2, 3]);
 * assertEquals(context.random, context.shards![0].random);
 * ```
 */
export function shardedContext(plan: ShardPlan, at: StepPosition): StepContext {
  const shards = stepShards(plan.seed, at.step, plan.first, plan.count);
  return {
    ...at,
    random: shards[0].random,
    shards,
    reducer: plan.reducer,
    statistics: plan.statistics,
  };
}

/**
 * Run every step on the main thread: `variant.trainStep(batch, { step, epoch, random })` with the
 * step's seeded random source. The default executor of `train()`.
 *
 * @example One step of a variant that reports its batch size
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { singleThread } from "./executor.ts";
 * import type { GanVariant } from "./variant.ts";
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
