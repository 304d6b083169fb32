/**
 * The course's data-parallel executor: `train(variant, data, { executor: dataParallel({ workers:
 * 2 }) })` shares each step between the main thread and `workers - 1` Deno workers on the wasm (or
 * cpu) backend, through the `@gan/wasm-engine` package. The gradients are averaged before every
 * optimizer update, so all threads keep identical weights; the main thread stays up to date for
 * callbacks.
 *
 * Each step is split into `shards` equal blocks of rows (by default one per thread), each
 * normalised on its own (batch norm included) with its own random draws, and the gradients of all
 * shards are averaged in shard order. A run's weights depend on `shards`, not on `workers`: with
 * `shards: 4`, 1, 2 and 4 threads give the same weights, bit for bit (batch norm's moving averages
 * are shard 0's). With the defaults, a run on 2 threads is not a run on one (2 shards against 1).
 * A variant that keeps state built from whole batches (`splitsIntoShards: false`, CycleGAN) runs
 * its steps whole on the main thread instead.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type DataParallel, meanOfShards, startDataParallel } from "@gan/wasm-engine/parallel";
import { type OptimizerExtras, readOptimizerExtras } from "../io/optimizer_state.ts";
import {
  modelStatistics,
  shardedContext,
  singleThread,
  type StepExecutor,
} from "../train/executor.ts";
import type { GanVariant } from "../train/variant.ts";
import { portableBlueprint } from "./blueprint.ts";
import type { ReplicaInit } from "./replica.ts";

/** Options of {@linkcode dataParallel}. */
export interface DataParallelOptions {
  /** Threads that share each step, the main thread included. */
  workers: number;
  /**
   * Shards each step is split into: a multiple of `workers`, and a divisor of the batch size.
   * Default `workers` (1 on one thread: the step as it is).
   */
  shards?: number;
}

/**
 * An executor that shares each step between `workers` threads, split into `shards` shards (see
 * the module documentation). `workers: 1, shards: 1` is {@linkcode singleThread}. The variant must
 * come from a factory of `lib/variants` (it carries a blueprint) when `workers` is above 1.
 *
 * @example Two threads train a toy GAN; the worker ends with the main thread's weights
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "../backend.ts";
 * import { train } from "../train/loop.ts";
 * import { createVariant } from "@course/lib/variants";
 * import { dataParallel } from "./data_parallel.ts";
 * await initBackend({ backend: "wasm" });
 * const variant = createVariant("toy_gan", { seed: 1 });
 * const points = tf.randomNormal([256, 2], 0, 1, "float32", 1);
 * const executor = dataParallel({ workers: 2 });
 * assertEquals(executor.threads, 2);
 * const result = await train(variant, { realImages: points }, { batchSize: 64, executor });
 * assertEquals(result.step, 4);
 * throws(() => dataParallel({ workers: 2, shards: 3 }), /multiple of workers \(2\), got 3/);
 * variant.dispose();
 * ```
 */
export function dataParallel(options: DataParallelOptions): StepExecutor {
  const { workers, shards = workers } = options;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(
      `Cannot make a data-parallel executor: workers must be a positive integer, got ${workers}`,
    );
  }
  if (!Number.isInteger(shards) || shards < 1 || shards % workers !== 0) {
    throw new Error(
      `Cannot make a data-parallel executor: shards must be a positive multiple of workers ` +
        `(${workers}), got ${shards}`,
    );
  }
  if (shards === 1) return singleThread();
  if (workers === 1) return wholeStepsWhereNeeded(shardedOneThread(shards));
  const shardsPerRank = shards / workers;
  return wholeStepsWhereNeeded({
    threads: workers,
    async start(variant, { seed, firstBatch }) {
      const backend = tf.getBackend();
      const blueprint = portableBlueprint(variant);
      const optimizerExtras: Record<string, OptimizerExtras> = {};
      for (const [name, optimizer] of Object.entries(variant.optimizers)) {
        optimizerExtras[name] = await readOptimizerExtras(optimizer);
      }
      const replicaInit: ReplicaInit = {
        blueprint,
        backend: backend as "wasm" | "cpu",
        seed,
        optimizerExtras,
        shardsPerRank,
      };
      const sampleBatch = firstBatch();
      let group: DataParallel;
      try {
        checkBatch(sampleBatch, shards);
        group = await startDataParallel(variant, {
          workers,
          sampleBatch,
          replicaModule: new URL("./replica.ts", import.meta.url),
          replicaInit,
          shardsPerRank,
        });
      } finally {
        tf.dispose(Object.values(sampleBatch));
      }
      const statistics = modelStatistics(variant.models);
      const plan = { seed, first: 0, count: shardsPerRank, reducer: group.reducer, statistics };
      return {
        step: (batch, at) =>
          variant.trainStep(group.dispatch(batch, at.step, at.epoch), shardedContext(plan, at)),
        finish: () => group.finish(),
        abort: (reason) => group.abort(reason),
      };
    },
  });
}

/**
 * `executor`, except for a variant whose steps cannot be split (`splitsIntoShards: false`): its
 * steps run whole on the main thread, the same run whatever the threads and shards asked for.
 */
function wholeStepsWhereNeeded(executor: StepExecutor): StepExecutor {
  return {
    threads: executor.threads,
    start: (variant, run) =>
      (variant.splitsIntoShards === false ? singleThread() : executor).start(variant, run),
  };
}

/** Every shard of every step on the main thread, averaged as the workers would. */
function shardedOneThread(shards: number): StepExecutor {
  const reducer = {
    allReduceMean: (values: Float32Array | readonly Float32Array[]) =>
      meanOfShards(values instanceof Float32Array ? [values] : values),
  };
  return {
    threads: 1,
    start(variant: GanVariant, { seed, firstBatch }) {
      const sampleBatch = firstBatch();
      try {
        checkBatch(sampleBatch, shards);
      } finally {
        tf.dispose(Object.values(sampleBatch));
      }
      const statistics = modelStatistics(variant.models);
      const plan = { seed, first: 0, count: shards, reducer, statistics };
      return Promise.resolve({
        step: (batch, at) => variant.trainStep(batch, shardedContext(plan, at)),
        finish: () => Promise.resolve(),
        abort() {},
      });
    },
  };
}

/** Throw when the batch does not split into `shards` equal shards. */
function checkBatch(batch: Record<string, tf.Tensor>, shards: number): void {
  for (const [key, t] of Object.entries(batch)) {
    const rows = t.shape[0] ?? 0;
    if (rows % shards !== 0) {
      throw new Error(
        `Cannot split a batch of ${rows} into ${shards} equal parts for data-parallel training ` +
          `("${key}"); use a batch size that is a multiple of ${shards}, or fewer shards`,
      );
    }
  }
}
