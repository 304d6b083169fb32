/**
 * The replica module of the course's data-parallel executor: each worker of the wasm engine
 * imports it by URL and calls {@linkcode createReplica} to build its copy of the training (the
 * backend, the variant from its blueprint, the optimizer state that `getWeights()` misses, and
 * the step with this rank's random draws). Not for user code; `data_parallel.ts` names it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Replica } from "@gan/wasm-engine/parallel";
import { initBackend } from "../backend.ts";
import { type OptimizerExtras, restoreOptimizerExtras } from "../io/optimizer_state.ts";
import { modelStatistics, shardedContext } from "../train/executor.ts";
import type { VariantBlueprint } from "../train/variant.ts";
import { rebuildVariant } from "./blueprint.ts";

/** What the main thread sends each worker (plain values). */
export interface ReplicaInit {
  /** The variant to build. */
  blueprint: VariantBlueprint;
  /** The backend the main thread trains on. */
  backend: "wasm" | "cpu";
  /** The run seed. */
  seed: number;
  /** Shards of each step this rank computes (rank `r` holds shards `r * n .. r * n + n - 1`). */
  shardsPerRank: number;
  /** Adam's bias-correction products per optimizer, which `setWeights()` rebuilds inexactly. */
  optimizerExtras: Record<string, OptimizerExtras>;
}

/**
 * Build rank `rank`'s replica: set up the backend, build the variant from its blueprint, and run
 * its steps with the rank's own random draws and the engine's reducer.
 *
 * @example Rank 1 of a toy GAN, run alone (a reducer of one rank returns its input)
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createReplica } from "./replica.ts";
 * const replica = await createReplica({
 *   blueprint: { variant: "toy_gan", options: { seed: 1 } },
 *   backend: "cpu",
 *   seed: 0,
 *   optimizerExtras: {},
 *   shardsPerRank: 1,
 * }, 1);
 * assertEquals(Object.keys(replica.models), ["generator", "discriminator"]);
 * const weights = () => Array.from(replica.models.generator.getWeights()[0].dataSync());
 * const initial = weights();
 * const batch = { realImages: tf.zeros([8, 2]) };
 * const alone = { allReduceMean: (v: Float32Array | readonly Float32Array[]) => [v].flat()[0] };
 * const at = { epoch: 0, rank: 1, reducer: alone };
 * replica.step(batch, { step: 0, ...at }); // makes Adam's slots
 * const before = tf.memory().numTensors;
 * replica.step(batch, { step: 1, ...at });
 * assertEquals(tf.memory().numTensors, before); // a step leaks nothing
 * assert(weights().some((w, i) => w !== initial[i]));
 * tf.dispose(batch.realImages);
 * replica.dispose();
 * ```
 */
export async function createReplica(init: unknown, rank: number): Promise<Replica> {
  const { blueprint, backend, seed, optimizerExtras, shardsPerRank } = init as ReplicaInit;
  await initBackend({ backend });
  const variant = rebuildVariant(blueprint);
  const statistics = modelStatistics(variant.models);
  const first = rank * shardsPerRank;
  return {
    models: variant.models,
    optimizers: variant.optimizers,
    loaded() {
      for (const [name, extras] of Object.entries(optimizerExtras)) {
        restoreOptimizerExtras(variant.optimizers[name], extras, name);
      }
    },
    step(batch, { step, epoch, reducer }) {
      tf.tidy(() => {
        const plan = { seed, first, count: shardsPerRank, reducer, statistics };
        tf.dispose(Object.values(variant.trainStep(batch, shardedContext(plan, { step, epoch }))));
      });
    },
    dispose: () => variant.dispose(),
  };
}
