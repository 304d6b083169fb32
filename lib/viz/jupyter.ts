/**
 * Jupyter display helpers for the Deno kernel, with a quiet fallback outside Jupyter.
 *
 * In the kernel, `Deno.jupyter.display(bundle, { raw: true })` shows any MIME bundle, and a
 * `display_id` with `update: true` replaces an earlier output in place (progress bars, live plots).
 * Outside Jupyter (a terminal, a test) these helpers do nothing and return `false`, so library
 * code can call them unconditionally.
 *
 * @module
 */

/** A Jupyter MIME bundle: MIME type to data (base64 for images). */
export type MimeBundle = Record<string, string | object>;

/** Options of {@linkcode display}. */
export interface DisplayOptions {
  /** Give the output an id so a later call with `update: true` replaces it. */
  id?: string;
  /** Replace the output shown earlier with the same `id` instead of adding one. */
  update?: boolean;
}

let jupyterKnown: boolean | undefined;

/**
 * Whether code runs inside the Deno Jupyter kernel.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { inJupyter } from "./jupyter.ts";
 * assertEquals(inJupyter(), false); // doc tests run outside the kernel
 * ```
 */
export function inJupyter(): boolean {
  if (jupyterKnown === undefined) {
    try {
      // Outside `deno jupyter`, merely reading Deno.jupyter throws.
      jupyterKnown = typeof Deno !== "undefined" && typeof Deno.jupyter?.display === "function";
    } catch {
      jupyterKnown = false;
    }
  }
  return jupyterKnown;
}

/**
 * Show a MIME bundle in the notebook; returns `false` (and shows nothing) outside Jupyter.
 *
 * @example Show HTML, then replace it in place
 * ```ts
 * import { display } from "./jupyter.ts";
 * await display({ "text/html": "<b>step 1</b>" }, { id: "progress" });
 * await display({ "text/html": "<b>step 2</b>" }, { id: "progress", update: true });
 * ```
 */
export async function display(bundle: MimeBundle, options: DisplayOptions = {}): Promise<boolean> {
  if (!inJupyter()) return false;
  const jupyterOptions: Deno.jupyter.DisplayOptions = { raw: true };
  if (options.id !== undefined) jupyterOptions.display_id = options.id;
  if (options.update) jupyterOptions.update = true;
  await Deno.jupyter.display(bundle, jupyterOptions);
  // The Deno 2.9 kernel resolves display() before a large message has left: if the cell ends
  // first, the front end sees "idle" before the output and drops it (or shows it under the next
  // cell). Measured with nbclient: a 4.8 MB output was lost in 2 of 3 runs, never with a 300 ms
  // pause after it. Messages above about 8 MB are dropped by the kernel whatever one does.
  const size = bundleSize(bundle);
  if (size > LARGE_OUTPUT_BYTES) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(size / 10_000)));
  }
  return true;
}

/** Outputs above this size (in characters) get a pause after display; see {@linkcode display}. */
const LARGE_OUTPUT_BYTES = 500_000;

function bundleSize(bundle: MimeBundle): number {
  let size = 0;
  for (const value of Object.values(bundle)) {
    size += typeof value === "string" ? value.length : JSON.stringify(value).length;
  }
  return size;
}

/**
 * Show HTML in the notebook.
 *
 * @example
 * ```ts
 * import { displayHtml } from "./jupyter.ts";
 * await displayHtml("<p>Hello</p>");
 * ```
 */
export function displayHtml(html: string, options: DisplayOptions = {}): Promise<boolean> {
  return display({ "text/html": html, "text/plain": stripTags(html) }, options);
}

/**
 * Show PNG bytes in the notebook.
 *
 * @example
 * ```ts
 * import { displayPng } from "./jupyter.ts";
 * await displayPng(new Uint8Array([137, 80, 78, 71]));
 * ```
 */
export function displayPng(png: Uint8Array, options: DisplayOptions = {}): Promise<boolean> {
  return display({ "image/png": toBase64(png), "text/plain": "<PNG image>" }, options);
}

/**
 * Base64 text of bytes (for `image/png` bundles and data URLs).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { toBase64 } from "./jupyter.ts";
 * assertEquals(toBase64(new Uint8Array([1, 2, 3])), "AQID");
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();
}
