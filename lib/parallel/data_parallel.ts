/**
 * Data-parallel training on the CPU: the main thread and `workers - 1` Deno workers each train
 * the same variant on their share of every batch, and average their gradients before every
 * optimizer update (synchronous SGD, as PyTorch's DistributedDataParallel does). With one tfjs
 * wasm instance per thread, a step uses as many cores as there are ranks.
 *
 * The main thread stays rank 0: its variant is always up to date, so callbacks, sample grids and
 * checkpoints work as in a single-thread run. Batch norm statistics are per rank (each normalises
 * its own share of the batch), as in DistributedDataParallel without SyncBatchNorm.
 *
 * `train(variant, data, { workers: 2 })` uses this; the variant must come from a factory of
 * `lib/variants/mod.ts` (it carries a `recipe`) so the workers can rebuild it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../train/batches.ts";
import type { GanVariant, VariantRecipe } from "../train/variant.ts";
import { Channel, type ChannelLayout } from "./channel.ts";
import { encodeShards, takeShard } from "./shards.ts";
import { fingerprint, takeSnapshot, type WorkerInit } from "./snapshot.ts";

/** A running data-parallel group, from the main thread's side. */
export interface DataParallel {
  /** Ranks, the main thread included. */
  readonly ranks: number;
  /** The all-reduce the main thread's steps use (install it with `setGradientReducer`). */
  readonly channel: Channel;
  /** Send the workers their shards of `batch` for this step; returns the main thread's shard. */
  dispatch(batch: Batch, step: number, epoch: number): Batch;
  /** Stop the workers after the last step and check that every rank ended with the same weights. */
  finish(): Promise<void>;
  /** Stop the workers now (an error or an interrupt in the main thread). */
  abort(reason: string): void;
}

/** Options of {@linkcode startDataParallel}. */
export interface DataParallelOptions {
  /** Ranks, the main thread included (2 = the main thread and one worker). */
  workers: number;
  /** The run seed. */
  seed: number;
  /** A batch of the run (for the size of the shared batch area). */
  sampleBatch: Batch;
}

/**
 * Start `workers - 1` workers that mirror `variant` (weights and optimizer state included).
 *
 * @example Two ranks train a toy GAN for a few steps
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { initBackend } from "@course/backend.ts";
 * import { createVariant } from "@course/variants/mod.ts";
 * import { train } from "@course/train/mod.ts";
 * await initBackend({ backend: "wasm" });
 * const variant = createVariant("toy_gan", { seed: 1 });
 * const points = tf.randomNormal([256, 2], 0, 1, "float32", 1);
 * const result = await train(variant, { realImages: points }, { batchSize: 64, workers: 2 });
 * console.log(result.step); // 4
 * variant.dispose();
 * ```
 */
export async function startDataParallel(
  variant: GanVariant,
  options: DataParallelOptions,
): Promise<DataParallel> {
  const ranks = options.workers;
  // tf.getBackend(), not lib/backend.ts: importing that would register wasm for every user of train().
  const backend = tf.getBackend();
  if (backend !== "wasm" && backend !== "cpu") {
    throw new Error(
      `Cannot train with workers on the ${backend} backend: it already uses every core (or a ` +
        `GPU); drop the workers option`,
    );
  }
  if (!variant.recipe) {
    throw new Error(
      `Cannot train ${variant.name} with workers: the workers rebuild the variant from its recipe, ` +
        `and this one has none; create it with a factory of lib/variants/mod.ts ` +
        `(createVariant, createDcgan, ...) or drop the workers option`,
    );
  }
  const recipe = cloneableRecipe(variant.recipe);
  // Every trainable parameter, plus room for the loss each all-reduce carries.
  const capacity = Object.values(variant.models).reduce((n, model) => n + model.countParams(), 0) +
    16;
  const batchBytes = encodeShards(options.sampleBatch, ranks).length + 4096;
  const layout: ChannelLayout = { ranks, capacity, batchBytes };
  const buffer = Channel.allocate(layout);
  const channel = new Channel(buffer, layout, 0);
  const snapshot = await takeSnapshot(variant);
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
      recipe,
      snapshot,
      buffer,
      layout,
      rank,
      seed: options.seed,
      backend: backend as "wasm" | "cpu",
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
    channel,
    dispatch(batch, step, epoch) {
      channel.publish("step", step, epoch, encodeShards(batch, ranks));
      return takeShard(batch, ranks, 0);
    },
    async finish() {
      if (finished) return;
      finished = true;
      try {
        channel.publish("stop", 0, 0);
        const prints = await Promise.all(done);
        const own = fingerprint(variant);
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

/** The recipe with tensors left out (workers do not sample; tensors cannot cross threads). */
function cloneableRecipe(recipe: VariantRecipe): VariantRecipe {
  const strip = (value: unknown): unknown => {
    if (value instanceof tf.Tensor) return undefined;
    if (Array.isArray(value)) return value.map(strip);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    }
    if (typeof value === "function") {
      throw new Error(
        `Cannot train with workers: the variant's options contain a function, which cannot be ` +
          `sent to a worker; pass plain values, or drop the workers option`,
      );
    }
    return value;
  };
  return { factory: recipe.factory, args: recipe.args.map(strip) };
}
