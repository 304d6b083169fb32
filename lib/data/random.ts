/**
 * A small seeded random number generator for building data sets.
 *
 * The data loaders and samplers draw their randomness here, in plain JavaScript, rather than from
 * `tf.random*`, so that the same seed gives the same bytes on every backend (wasm, cpu, node, gpu).
 *
 * @module
 */

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
 * import { seededRandom } from "@course/data/random.ts";
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
 * import { balancedOrder, seededRandom } from "@course/data/random.ts";
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
 * import { tfSeed } from "@course/data/random.ts";
 * const draw = () => tf.randomNormal([3], 0, 1, "float32", tfSeed(0)).arraySync();
 * console.log(JSON.stringify(draw()) === JSON.stringify(draw())); // true
 * ```
 */
export function tfSeed<T extends number | undefined>(seed: T): T {
  return (seed === 0 ? ZERO_SEED : seed) as T;
}
