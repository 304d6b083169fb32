/**
 * Seeded randomness, one vocabulary for the whole course.
 *
 * - {@linkcode seededRandom}: a host-side generator (plain JavaScript, mulberry32) for data sets,
 *   samplers and shuffles, so that the same seed gives the same bytes on every backend.
 * - {@linkcode deriveSeed}: mix integers (a run seed, a stream, a step, a draw) into one seed.
 * - {@linkcode stepRandom}: the random source of one training step. Every draw of a step (latent
 *   vectors, gradient-penalty mixing weights, instance noise) comes from a seed derived from
 *   `(seed, stream, step, draw)`, and the data order of an epoch ({@linkcode epochOrder}) from
 *   `(seed, epoch)`. Nothing depends on how many draws happened before, so a run resumed from a
 *   checkpoint at step `k` draws exactly what an uninterrupted run draws at step `k`: the run seed
 *   and the step counter are the whole random state. Tensors come from `tf.randomNormal` /
 *   `tf.randomUniform` with an explicit seed (seedrandom's alea in tfjs, identical on every
 *   backend).
 * - {@linkcode tfSeed}: the seed to hand tfjs's own normal draws (tfjs treats 0 as no seed).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A seeded source of random numbers (mulberry32 with Box-Muller normals). */
export interface SeededRandom {
  /** A uniform number in [0, 1). */
  uniform(): number;
  /** A standard normal number (mean 0, std 1). */
  normal(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** Shuffle an array in place (Fisher-Yates) and return it. */
  shuffle<T>(items: T[]): T[];
}

/**
 * Create a seeded random number generator: the same seed gives the same sequence.
 *
 * @example Same seed, same numbers
 * ```ts
 * import { seededRandom } from "./random.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const a = seededRandom(7);
 * const b = seededRandom(7);
 * assertEquals([a.uniform(), a.normal(), a.int(10)], [b.uniform(), b.normal(), b.int(10)]);
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  if (!Number.isFinite(seed)) {
    throw new Error(`Cannot create a random generator: seed must be a finite number, got ${seed}`);
  }
  // Mix the seed so that nearby seeds (0, 1, 2) give unrelated sequences.
  let state = (Math.imul(Math.floor(seed) ^ 0x9e3779b9, 0x85ebca6b) ^ 0x6d2b79f5) >>> 0;
  let spareNormal: number | undefined;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    const u1 = 1 - uniform(); // (0, 1], so log(u1) is finite
    const u2 = uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  };
  const int = (n: number): number => Math.floor(uniform() * n);
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
  return { uniform, normal, int, shuffle };
}

/**
 * Order item indices so that every prefix is balanced by class: round after round, one item of
 * each class that still has items left, classes in a shuffled order each round, items of a class
 * in a shuffled order. The first `n` items then hold `n / numClasses` of each class (give or take
 * one) as long as every class has that many.
 *
 * @example Prefixes are balanced
 * ```ts
 * import { balancedOrder, seededRandom } from "./random.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
 * const order = balancedOrder(labels, seededRandom(1));
 * assertEquals(order.slice(0, 3).map((i) => labels[i]).sort(), [0, 1, 2]);
 * assertEquals([...order].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
 * ```
 */
export function balancedOrder(labels: ArrayLike<number>, random: SeededRandom): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]);
    if (members) members.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const pools = classes.map((c) => random.shuffle(byClass.get(c)!));
  const rounds = Math.max(0, ...pools.map((p) => p.length));
  const order: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const present = pools.filter((p) => round < p.length);
    for (const pool of random.shuffle(present)) order.push(pool[round]);
  }
  return order;
}

/** What {@linkcode tfSeed} hands tfjs for a seed of 0 (beyond the seeds `deriveSeed` returns). */
const ZERO_SEED = 2147483647;

/**
 * The seed to give tfjs's normal draws (`tf.randomNormal`, `tf.truncatedNormal` and the
 * `randomNormal` initialiser). tfjs 4.22 treats a seed of 0 there as no seed at all and draws new
 * values on every call, so 0 becomes 2147483647; every other seed, and `undefined`, pass unchanged.
 *
 * @example Seed 0 gives the same draws twice
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { tfSeed } from "./random.ts";
 * const draw = () => tf.randomNormal([3], 0, 1, "float32", tfSeed(0)).arraySync();
 * assertEquals(draw(), draw());
 * assertEquals([tfSeed(0), tfSeed(5), tfSeed(undefined)], [2147483647, 5, undefined]);
 * ```
 */
export function tfSeed<T extends number | undefined>(seed: T): T {
  return (seed === 0 ? ZERO_SEED : seed) as T;
}

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
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { deriveSeed } from "./random.ts";
 * assertEquals(deriveSeed(42, 0, 1), deriveSeed(42, 0, 1));
 * assert(deriveSeed(42, 0, 1) !== deriveSeed(42, 1, 1));
 * assert(Number.isInteger(deriveSeed(7)) && deriveSeed(7) >= 0 && deriveSeed(7) < 2147483647);
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
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { stepRandom } from "./random.ts";
 * const a = await stepRandom(7, 3).normal([2, 4]).array();
 * const b = await stepRandom(7, 3).normal([2, 4]).array();
 * const next = await stepRandom(7, 4).normal([2, 4]).array();
 * assertEquals(a, b);
 * assert(JSON.stringify(a) !== JSON.stringify(next));
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
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { epochOrder } from "./random.ts";
 * assertEquals(epochOrder(5, 1, 0).slice().sort(), [0, 1, 2, 3, 4]);
 * assertEquals(epochOrder(5, 1, 0), epochOrder(5, 1, 0));
 * ```
 */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return seededRandom(deriveSeed(seed, RANDOM_STREAMS.shuffle, epoch)).shuffle(order);
}
