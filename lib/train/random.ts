/**
 * Seeded randomness for training: every random draw of a step (latent vectors, gradient-penalty
 * mixing weights, instance noise) comes from a seed derived from `(seed, step, draw)`, and the data
 * order of an epoch from `(seed, epoch)`. Nothing depends on how many draws happened before, so a
 * run resumed from a checkpoint at step `k` draws exactly what an uninterrupted run draws at step
 * `k`: the run seed and the step counter are the whole random state.
 *
 * Tensors come from `tf.randomNormal` / `tf.randomUniform` with an explicit seed (seedrandom's alea
 * in tfjs, identical on every backend); host-side choices from `seededRandom` of `lib/data`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type SeededRandom, seededRandom, tfSeed } from "../data/random.ts";

/** Streams keep the seeds of different uses apart. */
export const RANDOM_STREAMS = {
  /** Draws made by a variant's training step. */
  step: 1,
  /** The data order of an epoch. */
  shuffle: 2,
  /** Batches drawn from a sampler (toy distributions). */
  sampler: 3,
  /** The fixed latent batch of sample grids. */
  samples: 4,
} as const;

/**
 * Mix integers into one 31-bit seed (a splitmix32-style hash): nearby inputs give unrelated seeds.
 *
 * @example
 * ```ts
 * import { deriveSeed } from "@course/train/random.ts";
 * console.log(deriveSeed(42, 0, 1) === deriveSeed(42, 0, 1)); // true
 * console.log(deriveSeed(42, 0, 1) === deriveSeed(42, 1, 1)); // false
 * ```
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (!Number.isFinite(part)) {
      throw new Error(`Cannot derive a seed: every part must be a finite number, got ${part}`);
    }
    h = Math.imul(h ^ (Math.floor(part) >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 0) % 2147483647;
}

/** The random source handed to a variant's step: each call draws with the next derived seed. */
export interface StepRandom {
  /** The next derived integer seed (for a builder or a `tf.random*` call of your own). */
  nextSeed(): number;
  /** `tf.randomNormal(shape, mean, std)` with the next seed. */
  normal(shape: number[], mean?: number, std?: number): tf.Tensor;
  /** `tf.randomUniform(shape, min, max)` with the next seed. */
  uniform(shape: number[], min?: number, max?: number): tf.Tensor;
  /** A host-side generator (shuffles, coin flips) seeded with the next seed. */
  host(): SeededRandom;
}

/**
 * The random source of one step: deterministic in `(seed, step, stream)` and in the order of draws
 * within the step.
 *
 * @example Two sources for the same step draw the same latent batch
 * ```ts
 * import { stepRandom } from "@course/train/random.ts";
 * const a = stepRandom(7, 3).normal([2, 4]);
 * const b = stepRandom(7, 3).normal([2, 4]);
 * console.log(a.sub(b).abs().max().dataSync()[0]); // 0
 * ```
 */
export function stepRandom(
  seed: number,
  step: number,
  stream: number = RANDOM_STREAMS.step,
): StepRandom {
  let draw = 0;
  const nextSeed = () => deriveSeed(seed, stream, step, draw++);
  return {
    nextSeed,
    normal: (shape, mean = 0, std = 1) =>
      tf.randomNormal(shape, mean, std, "float32", tfSeed(nextSeed())),
    uniform: (shape, min = 0, max = 1) => tf.randomUniform(shape, min, max, "float32", nextSeed()),
    host: () => seededRandom(nextSeed()),
  };
}

/**
 * The data order of one epoch: a permutation of `0..count-1`, deterministic in `(seed, epoch)`.
 *
 * @example
 * ```ts
 * import { epochOrder } from "@course/train/random.ts";
 * console.log(epochOrder(5, 1, 0).slice().sort()); // [0, 1, 2, 3, 4]
 * ```
 */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return seededRandom(deriveSeed(seed, RANDOM_STREAMS.shuffle, epoch)).shuffle(order);
}
