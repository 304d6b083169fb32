/**
 * Channel counts of the conv builders, scaled by a width multiplier (the profile's `width`).
 *
 * @module
 */

/**
 * Scale a channel count by `width`, keeping at least one channel.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { scaleChannels } from "./channels.ts";
 * assertEquals(scaleChannels(256, 0.25), 64);
 * assertEquals(scaleChannels(4, 0.125), 1);
 * ```
 */
export function scaleChannels(channels: number, width: number): number {
  if (!(width > 0) || !Number.isFinite(width)) {
    throw new Error(`Cannot build model: width must be a positive number, got ${width}`);
  }
  return Math.max(1, Math.round(channels * width));
}
