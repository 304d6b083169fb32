/**
 * Argument checks shared across the library, so that every error says what could not be done,
 * which option was wrong, what it must be and what it was ("Cannot build generator: latentDim must
 * be a positive integer, got -3").
 *
 * @module
 */

/**
 * Throw `Cannot <action>: <key> must be a positive integer, got <value>` unless `value` is one.
 *
 * @example
 * ```ts
 * import { throws as assertThrows } from "node:assert/strict";
 * import { checkPositiveInt } from "./checks.ts";
 * checkPositiveInt("build generator", "latentDim", 100); // passes
 * assertThrows(
 *   () => checkPositiveInt("build generator", "latentDim", -3),
 *   { message: "Cannot build generator: latentDim must be a positive integer, got -3" },
 * );
 * assertThrows(() => checkPositiveInt("load MNIST", "size", 2.5), /size must be a positive integer/);
 * ```
 */
export function checkPositiveInt(action: string, key: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`Cannot ${action}: ${key} must be a positive integer, got ${value}`);
  }
}

/**
 * Check an `[height, width, channels]` image shape and return it typed.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
 * import { checkImageShape } from "./checks.ts";
 * assertEquals(checkImageShape("build generator", [28, 28, 1]), [28, 28, 1]);
 * assertThrows(
 *   () => checkImageShape("build generator", [28, 28]),
 *   /Cannot build generator: imageShape must be \[height, width, channels\], got \[28,28\]/,
 * );
 * ```
 */
export function checkImageShape(
  action: string,
  shape: readonly number[],
): [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new Error(
      `Cannot ${action}: imageShape must be [height, width, channels], got ${
        JSON.stringify(shape)
      }`,
    );
  }
  shape.forEach((v, i) => checkPositiveInt(action, `imageShape[${i}]`, v));
  return [shape[0], shape[1], shape[2]];
}
