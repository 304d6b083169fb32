/**
 * Data-parallel training on the CPU: the main thread and `workers - 1` Deno workers each train
 * the same models on their share of every batch, and average their gradients before every
 * optimizer update (synchronous SGD, as PyTorch's DistributedDataParallel does). With one tfjs
 * wasm instance per thread, a step uses as many cores as there are ranks.
 *
 * The main thread stays rank 0: its models are always up to date, so whatever reads them between
 * steps (callbacks, sample grids, checkpoints) works as in a single-thread run. Each worker
 * builds its own copy of the training from a replica module (see `replica.ts`) and the main
 * thread's weights. Batch norm statistics are per rank (each normalises its own share of the
 * batch), as in DistributedDataParallel without SyncBatchNorm.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Channel, type ChannelLayout, type ChannelProfile } from "./channel.ts";
import type { GradientReducer, WorkerInit } from "./replica.ts";
import { type Batch, encodeShards, takeShard } from "./shards.ts";
import { fingerprint, type ModelSet, takeSnapshot } from "./snapshot.ts";

/** A running data-parallel group, from the main thread's side. */
export interface DataParallel {
  /** Ranks, the main thread included. */
  readonly ranks: number;
  /** The all-reduce the main thread's steps average their gradients through. */
  readonly reducer: GradientReducer;
  /** Send the workers their shards of `batch` for this step; returns the main thread's shard. */
  dispatch(batch: Batch, step: number, epoch: number): Batch;
  /** Stop the workers after the last step and check that every rank ended with the same weights. */
  finish(): Promise<void>;
  /** Stop the workers now (an error or an interrupt in the main thread). */
  abort(reason: string): void;
  /** Where each rank's time went so far (see {@linkcode ChannelProfile}), rank 0 first. */
  profiles(): ChannelProfile[];
}

/** Options of {@linkcode startDataParallel}. */
export interface DataParallelOptions {
  /** Ranks, the main thread included (2 = the main thread and one worker). */
  workers: number;
  /** A batch of the run (for the size of the shared batch area). */
  sampleBatch: Batch;
  /** URL of the module each worker builds its replica with (see `ReplicaModule`). */
  replicaModule: string | URL;
  /** The plain values passed to its `createReplica` (structured-cloneable: no tensors). */
  replicaInit: unknown;
  /** Gradient vectors each rank contributes per all-reduce (its shards of a step). Default 1. */
  shardsPerRank?: number;
}

/**
 * Start `workers - 1` workers that mirror `main` (weights and optimizer slots included).
 *
 * @example Two ranks train a linear model; both end with the same weights
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { startDataParallel } from "./data_parallel.ts";
 * import { createReplica } from "../tests/linear_replica.ts";
 * const main = await createReplica({ seed: 1 }, 0);
 * const batch = { x: tf.ones([8, 2]), y: tf.zeros([8, 1]) };
 * const group = await startDataParallel(main, {
 *   workers: 2,
 *   sampleBatch: batch,
 *   replicaModule: new URL("../tests/linear_replica.ts", import.meta.url),
 *   replicaInit: { seed: 1 },
 * });
 * for (let step = 0; step < 3; step++) {
 *   const own = group.dispatch(batch, step, 0);
 *   main.step(own, { step, epoch: 0, rank: 0, reducer: group.reducer });
 *   tf.dispose(Object.values(own));
 * }
 * await group.finish(); // throws if the worker's weights differ from the main thread's
 * assertEquals(group.ranks, 2);
 * ```
 */
export async function startDataParallel(
  main: ModelSet,
  options: DataParallelOptions,
): Promise<DataParallel> {
  const ranks = options.workers;
  if (!Number.isInteger(ranks) || ranks < 2) {
    throw new Error(
      `Cannot start data-parallel training: workers must be an integer of at least 2 (the main ` +
        `thread and one worker), got ${ranks}`,
    );
  }
  const backend = tf.getBackend();
  if (backend !== "wasm" && backend !== "cpu") {
    throw new Error(
      `Cannot train with workers on the ${backend} backend: it already uses every core (or a ` +
        `GPU); drop the workers option`,
    );
  }
  // Every trainable parameter, plus room for the loss each all-reduce carries.
  const capacity = Object.values(main.models).reduce((n, model) => n + model.countParams(), 0) +
    16;
  const batchBytes = encodeShards(options.sampleBatch, ranks).length + 4096;
  const layout: ChannelLayout = {
    ranks,
    capacity,
    batchBytes,
    shardsPerRank: options.shardsPerRank ?? 1,
  };
  const buffer = Channel.allocate(layout);
  const channel = new Channel(buffer, layout, 0);
  const snapshot = await takeSnapshot(main);
  const workers: Worker[] = [];
  const done: Promise<number>[] = [];
  const ready: Promise<void>[] = [];
  for (let rank = 1; rank < ranks; rank++) {
    const worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
    workers.push(worker);
    let markReady: () => void;
    let fail: (error: Error) => void;
    ready.push(
      new Promise<void>((resolve, reject) => {
        markReady = resolve;
        fail = reject;
      }),
    );
    done.push(
      new Promise<number>((resolve, reject) => {
        worker.onmessage = (event) => {
          const message = event.data as { type: string; fingerprint?: number; message?: string };
          if (message.type === "ready") markReady();
          else if (message.type === "done") resolve(message.fingerprint!);
          else if (message.type === "error") {
            const error = new Error(`Data-parallel worker ${rank} failed: ${message.message}`);
            fail(error);
            reject(error);
          }
        };
        worker.onerror = (event) => {
          event.preventDefault();
          const error = new Error(`Data-parallel worker ${rank} crashed: ${event.message}`);
          channel.abort(error.message);
          fail(error);
          reject(error);
        };
      }),
    );
    done.at(-1)!.catch(() => {}); // observed in finish(); never an unhandled rejection
    const init: WorkerInit = {
      replicaModule: String(options.replicaModule),
      replicaInit: options.replicaInit,
      snapshot,
      buffer,
      layout,
      rank,
    };
    worker.postMessage(init);
  }
  const terminate = () => workers.forEach((w) => w.terminate());
  try {
    await Promise.all(ready);
  } catch (error) {
    terminate();
    throw error;
  }
  let finished = false;
  return {
    ranks,
    reducer: channel,
    dispatch(batch, step, epoch) {
      const start = performance.now();
      const payload = encodeShards(batch, ranks);
      channel.record("stepCopy", performance.now() - start);
      channel.publish("step", step, epoch, payload);
      const own = performance.now();
      const rows = takeShard(batch, ranks, 0);
      channel.record("stepCopy", performance.now() - own);
      return rows;
    },
    profiles: () => channel.profiles(),
    async finish() {
      if (finished) return;
      finished = true;
      try {
        channel.publish("stop", 0, 0);
        const prints = await Promise.all(done);
        const own = fingerprint(main);
        const off = prints.findIndex((p) => p !== own);
        if (off >= 0) {
          throw new Error(
            `Data-parallel training went out of step: worker ${off + 1}'s weights differ from ` +
              `the main thread's (fingerprint ${prints[off]} vs ${own}); please report this`,
          );
        }
      } finally {
        terminate();
      }
    },
    abort(reason) {
      if (finished) return;
      finished = true;
      channel.abort(reason);
      terminate();
    },
  };
}
