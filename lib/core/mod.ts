/**
 * The core of the course library, which every other area builds on: one seeded randomness
 * vocabulary (`seededRandom`, `deriveSeed`, `stepRandom`, `epochOrder`, `tfSeed`), file-system
 * helpers with atomic writes, argument and tensor-value checks with errors that say what to fix,
 * and the options-object helper.
 *
 * @example Same seed, same draws
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { seededRandom } from "@course/lib/core";
 * assertEquals(seededRandom(3).uniform(), seededRandom(3).uniform());
 * ```
 *
 * @module
 */
export * from "./checks.ts";
export * from "./errors.ts";
export * from "./fs.ts";
export * from "./options.ts";
export * from "./random.ts";
export * from "./tensor_checks.ts";
