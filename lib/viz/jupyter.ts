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
  /**
   * This output is drawn again soon (a live plot inside a training loop): skip the short wait
   * that lets the kernel send it before the cell can end. Pass it for every draw but the last.
   * Default `false`.
   */
  redrawn?: boolean;
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
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { display } from "./jupyter.ts";
 * await display({ "text/html": "<b>step 1</b>" }, { id: "progress", redrawn: true });
 * const shown = await display({ "text/html": "<b>step 2</b>" }, { id: "progress", update: true });
 * assertEquals(shown, false); // doc tests run outside the kernel
 * ```
 */
export async function display(bundle: MimeBundle, options: DisplayOptions = {}): Promise<boolean> {
  if (!inJupyter()) return false;
  const jupyterOptions: Deno.jupyter.DisplayOptions = { raw: true };
  if (options.id !== undefined) jupyterOptions.display_id = options.id;
  if (options.update) jupyterOptions.update = true;
  await Deno.jupyter.display(bundle, jupyterOptions);
  if (!options.redrawn) await new Promise((resolve) => setTimeout(resolve, settleMs(bundle)));
  return true;
}

/**
 * How long to wait after showing a bundle so that it reaches the front end before the cell ends.
 *
 * The Deno 2.9 kernel queues a display for its publishing loop and resolves at once; when the
 * cell ends, it announces "idle" without draining that queue. An output still queued then is
 * dropped by the front end (or lands under the next cell). Measured with nbclient on 2 busy
 * cores (`tests/viz_jupyter_test.ts` while the unit tests ran): the last output of a cell was
 * lost in 3 of 40 runs with no wait, in 0 of 40 with 30 ms and in 0 of 40 with 50 ms (the wait
 * chosen); a 4.8 MB output was lost in 2 of 3 runs, never with 300 ms. Messages above about 8 MB
 * are dropped whatever one does.
 */
function settleMs(bundle: MimeBundle): number {
  let size = 0;
  for (const value of Object.values(bundle)) {
    size += typeof value === "string" ? value.length : JSON.stringify(value).length;
  }
  return Math.max(SETTLE_MS, Math.ceil(size / 10_000));
}

/** The shortest wait after a display; see {@linkcode settleMs}. */
const SETTLE_MS = 50;

/**
 * Show HTML in the notebook.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { displayHtml } from "./jupyter.ts";
 * assertEquals(await displayHtml("<p>Hello</p>"), false); // outside the kernel
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
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { displayPng } from "./jupyter.ts";
 * assertEquals(await displayPng(new Uint8Array([137, 80, 78, 71])), false); // outside the kernel
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
