/**
 * The course library: everything a notebook, homework or script imports, in one place.
 *
 * Import the whole face (`import * as gan from "@course/lib"`) or one area's face when only part
 * of it is needed (`@course/lib/data`, `@course/lib/viz`, ...); the `exports` map of
 * `lib/deno.json` lists them, and no other file of `lib/` can be imported by the package's name.
 *
 * @example Train nothing, just look around
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { initBackend, resolveProfile } from "@course/lib";
 * await initBackend({ backend: "cpu" });
 * assertEquals(resolveProfile({ profile: "ci" }).batchSize, 32);
 * ```
 *
 * @module
 */
export * from "./core/mod.ts";
export * from "./backend.ts";
export * from "./profile.ts";
export * from "./results.ts";
export * from "./losses.ts";
export * from "./latent.ts";
export * from "./inversion.ts";
export { registerGradientFixes } from "./tfjs_fixes/mod.ts";
export * from "./inversion_encoder.ts";
export * from "./models/mod.ts";
export * from "./train/mod.ts";
export * from "./variants/mod.ts";
export * from "./data/mod.ts";
export * from "./metrics/mod.ts";
export * from "./viz/mod.ts";
export * from "./io/mod.ts";
export * from "./tensor_read.ts";
export * from "./mutual_information.ts";
export * from "./vae_loss.ts";
export * from "./notebook/mod.ts";
