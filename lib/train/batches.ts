/**
 * Batch sources for the training loop: where a step's batch comes from.
 *
 * A {@linkcode BatchSource} returns the batch for `(epoch, index)` deterministically, so that a run
 * resumed at any step sees the same batches as an uninterrupted run. Two kinds cover the course:
 * tensors held in memory ({@linkcode tensorBatches}: images, labels, tags, two CycleGAN domains) and
 * samplers of infinite distributions ({@linkcode samplerBatches}: the 2-D toys).
 *
 * A batch is a record of tensors named in the course's vocabulary: `realImages` (images or toy
 * points), `labels` (class indices or one-hot/multi-hot tags), `domainA` / `domainB` (CycleGAN).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { deriveSeed, epochOrder, RANDOM_STREAMS } from "../core/random.ts";

/** One training batch: named tensors whose first axis is the batch. */
export type Batch = Record<string, tf.Tensor>;

/** Where the training loop gets its batches. */
export interface BatchSource {
  /** Batches in one epoch. */
  readonly batchesPerEpoch: number;
  /** The batch size. */
  readonly batchSize: number;
  /** The batch at `index` of `epoch` (new tensors; the loop disposes them). */
  batch(epoch: number, index: number): Batch;
  /** One line describing the data. */
  readonly description: string;
}

/** Options of {@linkcode tensorBatches}. */
export interface TensorBatchesOptions {
  /** Batch size. Default 64. */
  batchSize?: number;
  /** Seed of the per-epoch shuffle. Default 0. */
  seed?: number;
  /**
   * Shuffle every tensor with its own order (two unpaired CycleGAN domains) instead of one order
   * shared by all (images with their labels). Default `false`.
   */
  unpaired?: boolean;
}

const TENSOR_BATCHES_DEFAULTS = { batchSize: 64, seed: 0, unpaired: false };

/**
 * Batches from tensors in memory, reshuffled every epoch (seeded), dropping the last partial batch.
 * The tensors are not copied or disposed.
 *
 * @example Images and labels shuffled together
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { tensorBatches } from "./batches.ts";
 * const data = { realImages: tf.zeros([10, 4, 4, 1]), labels: tf.range(0, 10, 1, "int32") };
 * const source = tensorBatches(data, { batchSize: 4, seed: 1 });
 * assertEquals(source.batchesPerEpoch, 2);
 * const batch = source.batch(0, 0);
 * assertEquals([batch.realImages.shape, batch.labels.shape], [[4, 4, 4, 1], [4]]);
 * ```
 */
export function tensorBatches(data: Batch, options: TensorBatchesOptions = {}): BatchSource {
  const o = { ...TENSOR_BATCHES_DEFAULTS, ...options };
  const keys = Object.keys(data);
  if (keys.length === 0) {
    throw new Error("Cannot batch data: it has no tensors; pass e.g. { realImages: images }");
  }
  checkBatchSize(o.batchSize);
  const counts = keys.map((k) => data[k].shape[0] ?? 0);
  if (!o.unpaired && counts.some((c) => c !== counts[0])) {
    const sizes = keys.map((k, i) => `${k}: ${counts[i]}`).join(", ");
    throw new Error(
      `Cannot batch data: paired tensors need the same first dimension, got ${sizes}; pass ` +
        `{ unpaired: true } for unpaired domains`,
    );
  }
  const smallest = Math.min(...counts);
  const batchesPerEpoch = Math.floor(smallest / o.batchSize);
  if (batchesPerEpoch < 1) {
    throw new Error(
      `Cannot batch data: batchSize ${o.batchSize} is larger than the data (${smallest} items); ` +
        `use a smaller batchSize or more data`,
    );
  }
  // The order of the current epoch, per key (all keys share one order when paired).
  let cachedEpoch = -1;
  let orders: number[][] = [];
  const orderFor = (epoch: number): number[][] => {
    if (epoch !== cachedEpoch) {
      orders = o.unpaired
        ? keys.map((_, i) => epochOrder(counts[i], deriveSeed(o.seed, i), epoch))
        : keys.map(() => epochOrder(counts[0], o.seed, epoch));
      cachedEpoch = epoch;
    }
    return orders;
  };
  return {
    batchesPerEpoch,
    batchSize: o.batchSize,
    description: `${keys.map((k, i) => `${k} [${counts[i]}]`).join(", ")} in batches of ` +
      `${o.batchSize}${o.unpaired ? ", unpaired" : ""}`,
    batch(epoch, index) {
      const perKey = orderFor(epoch);
      const out: Batch = {};
      keys.forEach((key, i) => {
        const start = index * o.batchSize;
        const indices = perKey[i].slice(start, start + o.batchSize);
        out[key] = tf.tidy(() => tf.gather(data[key], tf.tensor1d(indices, "int32")));
      });
      return out;
    },
  };
}

/** Draws `count` fresh samples with a seed: a toy distribution's sampler. */
export type Sampler = (count: number, seed: number) => tf.Tensor | Batch;

/** Options of {@linkcode samplerBatches}. */
export interface SamplerBatchesOptions {
  /** Batch size. Default 256. */
  batchSize?: number;
  /** Batches counted as one epoch (for checkpoints and progress). Default 100. */
  batchesPerEpoch?: number;
  /** Seed of the draws. Default 0. */
  seed?: number;
}

const SAMPLER_DEFAULTS = { batchSize: 256, batchesPerEpoch: 100, seed: 0 };

/**
 * Batches drawn fresh from a sampler (an infinite toy distribution) with a seed derived from
 * `(seed, epoch, index)`. A sampler that returns one tensor gives batches `{ realImages }`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { samplerBatches } from "./batches.ts";
 * const source = samplerBatches((n, seed) => tf.randomNormal([n, 2], 0, 1, "float32", seed), {
 *   batchSize: 8,
 * });
 * assertEquals(source.batch(0, 0).realImages.shape, [8, 2]);
 * ```
 */
export function samplerBatches(sample: Sampler, options: SamplerBatchesOptions = {}): BatchSource {
  const o = { ...SAMPLER_DEFAULTS, ...options };
  checkBatchSize(o.batchSize);
  if (!Number.isInteger(o.batchesPerEpoch) || o.batchesPerEpoch < 1) {
    throw new Error(
      `Cannot batch data: batchesPerEpoch must be a positive integer, got ${o.batchesPerEpoch}`,
    );
  }
  return {
    batchesPerEpoch: o.batchesPerEpoch,
    batchSize: o.batchSize,
    description: `sampled batches of ${o.batchSize}, ${o.batchesPerEpoch} per epoch`,
    batch(epoch, index) {
      const drawn = sample(o.batchSize, deriveSeed(o.seed, RANDOM_STREAMS.sampler, epoch, index));
      return drawn instanceof tf.Tensor ? { realImages: drawn } : drawn;
    },
  };
}

/**
 * Whether a value is a {@linkcode BatchSource} (rather than a record of tensors).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { isBatchSource } from "./batches.ts";
 * assertEquals(isBatchSource({ realImages: tf.zeros([2, 2]) }), false);
 * ```
 */
export function isBatchSource(value: unknown): value is BatchSource {
  return typeof value === "object" && value !== null &&
    typeof (value as BatchSource).batch === "function" &&
    typeof (value as BatchSource).batchesPerEpoch === "number";
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Cannot batch data: batchSize must be a positive integer, got ${batchSize}`);
  }
}
