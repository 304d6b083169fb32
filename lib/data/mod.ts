/**
 * Data for the course: MNIST (embedded or from IDX files), 2-D toy distributions, and the
 * two-domain (CycleGAN) and multi-tag (ACGAN) image sets built from MNIST, and cartoon faces with
 * colour tags (DiceBear `adventurer` by Lisa Wischofsky, CC BY 4.0, and `big-ears` by The Visual
 * Team, CC BY 4.0); a user's own image folder with a tags CSV.
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
export * from "./colour.ts";
export * from "./face_styles.ts";
export * from "./faces.ts";
export * from "./idx.ts";
export * from "./image_folder.ts";
export * from "./mnist.ts";
export * from "./multi_tag.ts";
export * from "./random.ts";
export * from "./toy.ts";
export * from "./two_domain.ts";
