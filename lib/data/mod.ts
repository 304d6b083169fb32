/**
 * Data for the course: MNIST (embedded or from IDX files), 2-D toy distributions, and the
 * two-domain and multi-tag image sets built from MNIST.
 *
 * @example Load 32 MNIST digits in [-1, 1]
 * ```ts
 * import { loadMnist } from "@course/data/mod.ts";
 *
 * const mnist = await loadMnist({ size: 32 });
 * console.log(mnist.description);
 * mnist.dispose();
 * ```
 *
 * @module
 */
export * from "./idx.ts";
export * from "./mnist.ts";
export * from "./random.ts";
export * from "./toy.ts";
