/**
 * SVG text elements for labels and captions that sharp draws onto image grids and animation
 * frames (librsvg with the system's DejaVu or Liberation fonts).
 *
 * @module
 */

/**
 * Escape text for use inside an SVG or HTML element.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { escapeXml } from "./svg_text.ts";
 * assertEquals(escapeXml("a < b & c"), "a &lt; b &amp; c");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * One `<text>` element centred vertically on `y`.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { svgText } from "./svg_text.ts";
 * assert(svgText("step 10", 50, 8, "middle", 12).startsWith("<text"));
 * ```
 */
export function svgText(
  text: string,
  x: number,
  y: number,
  anchor: "start" | "middle" | "end",
  size: number,
): string {
  return `<text x="${x}" y="${y}" font-family="DejaVu Sans, Liberation Sans, sans-serif" ` +
    `font-size="${size}" text-anchor="${anchor}" dominant-baseline="central" ` +
    `fill="#222">${escapeXml(text)}</text>`;
}

/**
 * A white SVG canvas holding the given elements, as bytes sharp can read.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { svgCanvas, svgText } from "./svg_text.ts";
 * const svg = svgCanvas(100, 20, [svgText("hi", 50, 10, "middle", 12)]);
 * assert(svg.length > 0);
 * ```
 */
export function svgCanvas(width: number, height: number, elements: string[]): Uint8Array {
  return new TextEncoder().encode(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="100%" height="100%" fill="white"/>${elements.join("")}</svg>`,
  );
}
