/**
 * The course's data-parallel executor: `train(variant, data, { executor: dataParallel({ workers:
 * 2 }) })` shares each step between the main thread and `workers - 1` Deno workers on the wasm (or
 * cpu) backend, through the `@gan/wasm-engine` package. Each rank trains on an equal share of every
 * batch with its own random draws, and the gradients are averaged before every optimizer update, so
 * all ranks keep identical weights; the main thread (rank 0) stays up to date for callbacks.
 *
 * Batch norm statistics are per rank (each normalises its own share of the batch), so a run with 2
 * workers does not give the weights of a run on one thread.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type DataParallel, startDataParallel } from "@gan/wasm-engine/parallel";
import { type OptimizerExtras, readOptimizerExtras } from "../io/optimizer_state.ts";
import { singleThread, type StepExecutor } from "../train/executor.ts";
import { stepRandom } from "../train/random.ts";
import { portableBlueprint } from "./blueprint.ts";
import type { ReplicaInit } from "./replica.ts";

/** Options of {@linkcode dataParallel}. */
export interface DataParallelOptions {
  /**
   * Threads that share each step, the main thread included; the batch size must be a multiple of
   * it. 1 runs every step on the main thread ({@linkcode singleThread}).
   */
  workers: number;
}

/**
 * An executor that shares each step between `workers` threads (see the module documentation).
 * The variant must come from a factory of `lib/variants` (it carries a blueprint).
 *
 * @example Two threads train a toy GAN; the worker ends with the main thread's weights
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "@course/backend.ts";
 * import { train } from "@course/train/loop.ts";
 * import { createVariant } from "@course/variants/mod.ts";
 * import { dataParallel } from "@course/variants/data_parallel.ts";
 * await initBackend({ backend: "wasm" });
 * const variant = createVariant("toy_gan", { seed: 1 });
 * const points = tf.randomNormal([256, 2], 0, 1, "float32", 1);
 * const executor = dataParallel({ workers: 2 });
 * assertEquals(executor.threads, 2);
 * const result = await train(variant, { realImages: points }, { batchSize: 64, executor });
 * assertEquals(result.step, 4);
 * variant.dispose();
 * ```
 */
export function dataParallel(options: DataParallelOptions): StepExecutor {
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(
      `Cannot make a data-parallel executor: workers must be a positive integer, got ${workers}`,
    );
  }
  if (workers === 1) return singleThread();
  return {
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
      };
      const sampleBatch = firstBatch();
      let group: DataParallel;
      try {
        group = await startDataParallel(variant, {
          workers,
          sampleBatch,
          replicaModule: new URL("./replica.ts", import.meta.url),
          replicaInit,
        });
      } finally {
        tf.dispose(Object.values(sampleBatch));
      }
      return {
        step(batch, { step, epoch }) {
          const shard = group.dispatch(batch, step, epoch);
          const random = stepRandom(seed, step); // rank 0 keeps the run seed (rankSeed)
          return variant.trainStep(shard, { step, epoch, random, reducer: group.reducer });
        },
        finish: () => group.finish(),
        abort: (reason) => group.abort(reason),
      };
    },
  };
}
