/**
 * Colour helpers for the RGB sets built from MNIST: HSV to RGB, and painting a grey digit in a
 * colour over a background.
 *
 * @module
 */

/** An RGB colour with channels in [0, 1]. */
export type Rgb = [number, number, number];

/**
 * Convert a colour from HSV (hue in [0, 1) turns, saturation and value in [0, 1]) to RGB in [0, 1].
 *
 * @example Pure red and a dark cyan
 * ```ts
 * import { hsvToRgb } from "./colour.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * assertEquals(hsvToRgb(0, 1, 1), [1, 0, 0]);
 * assertEquals(hsvToRgb(0.5, 1, 0.5), [0, 0.5, 0.5]);
 * ```
 */
export function hsvToRgb(hue: number, saturation: number, value: number): Rgb {
  const h = ((hue % 1) + 1) % 1 * 6;
  const sector = Math.floor(h);
  const f = h - sector;
  const p = value * (1 - saturation);
  const q = value * (1 - saturation * f);
  const t = value * (1 - saturation * (1 - f));
  const table: Rgb[] = [[value, t, p], [q, value, p], [p, value, t], [p, q, value], [
    t,
    p,
    value,
  ], [value, p, q]];
  return table[sector % 6];
}

/**
 * Paint one grey digit in `colour` over a background, into an RGB image in [-1, 1].
 *
 * `alpha` holds the digit's `pixels` grey values in [0, 1] (1 = ink); `background(p)` gives the
 * RGB background colour of pixel `p`. The result is written to `out` at `offset`, pixel-major
 * (`[pixels, 3]`): `alpha * colour + (1 - alpha) * background`, scaled from [0, 1] to [-1, 1].
 *
 * @example A single fully inked pixel takes the digit colour
 * ```ts
 * import { paintDigit } from "./colour.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const out = new Float32Array(6);
 * paintDigit(out, 0, new Float32Array([1, 0]), [1, 0, 0], () => [0, 0, 1]);
 * assertEquals([...out], [1, -1, -1, -1, -1, 1]);
 * ```
 */
export function paintDigit(
  out: Float32Array,
  offset: number,
  alpha: Float32Array,
  colour: Rgb,
  background: (pixel: number) => Rgb,
): void {
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p];
    const bg = background(p);
    for (let c = 0; c < 3; c++) {
      out[offset + 3 * p + c] = (a * colour[c] + (1 - a) * bg[c]) * 2 - 1;
    }
  }
}
