/**
 * Argument checks shared by the builders, so every error names the model, the option and the value.
 *
 * @module
 */

/**
 * Throw `Cannot build <what>: <key> must be a positive integer, got <value>` unless `value` is one.
 *
 * @example
 * ```ts
 * import { checkPositiveInt } from "@course/models/checks.ts";
 * checkPositiveInt("generator", "latentDim", 100); // passes
 * try {
 *   checkPositiveInt("generator", "latentDim", -3);
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // Cannot build generator: latentDim must be a positive integer, got -3
 * }
 * ```
 */
export function checkPositiveInt(what: string, key: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`Cannot build ${what}: ${key} must be a positive integer, got ${value}`);
  }
}

/**
 * Check an `[height, width, channels]` image shape and return it typed.
 *
 * @example
 * ```ts
 * import { checkImageShape } from "@course/models/checks.ts";
 * const [h, w, c] = checkImageShape("generator", [28, 28, 1]);
 * console.log(h * w * c); // 784
 * ```
 */
export function checkImageShape(what: string, shape: readonly number[]): [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new Error(
      `Cannot build ${what}: imageShape must be [height, width, channels], got ${
        JSON.stringify(shape)
      }`,
    );
  }
  shape.forEach((v, i) => checkPositiveInt(what, `imageShape[${i}]`, v));
  return [shape[0], shape[1], shape[2]];
}

/**
 * Scale a channel count by `width`, keeping at least one channel.
 *
 * @example
 * ```ts
 * import { scaleChannels } from "@course/models/checks.ts";
 * console.log(scaleChannels(256, 0.25)); // 64
 * ```
 */
export function scaleChannels(channels: number, width: number): number {
  if (!(width > 0) || !Number.isFinite(width)) {
    throw new Error(`Cannot build model: width must be a positive number, got ${width}`);
  }
  return Math.max(1, Math.round(channels * width));
}
