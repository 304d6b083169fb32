/**
 * Data for the course: MNIST (embedded or from IDX files), 2-D toy distributions, and the
 * two-domain (CycleGAN) and multi-tag (ACGAN) image sets built from MNIST, and cartoon faces with
 * colour tags (DiceBear `adventurer` by Lisa Wischofsky, CC BY 4.0, and `big-ears` by The Visual
 * Team, CC BY 4.0); a user's own image folder with a tags CSV.
 *
 * @example Load 32 MNIST digits in [-1, 1]
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { loadMnist } from "@course/lib/data";
 *
 * const mnist = await loadMnist({ size: 32 });
 * assertEquals(mnist.images.shape, [32, 28, 28, 1]);
 * mnist.dispose();
 * ```
 *
 * @module
 */
export * from "./colour.ts";
export * from "./edges.ts";
export * from "./face_styles.ts";
export * from "./faces.ts";
export * from "./idx.ts";
export * from "./image_folder.ts";
export * from "./mnist.ts";
export * from "./multi_tag.ts";
// The data side of the core randomness, where data code looks for it.
export { balancedOrder, type SeededRandom, seededRandom, tfSeed } from "../core/random.ts";
export * from "./toy.ts";
export * from "./two_domain.ts";
export * from "./tag_cycles.ts";
