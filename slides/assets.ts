/**
 * Browser assets of a deck, read from npm packages and inlined so the built HTML is one
 * self-contained file that works offline: reveal.js (core, theme, notes plugin), KaTeX's CSS with
 * its fonts as data URLs, and a highlight.js theme.
 *
 * @module
 */

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { toBase64 } from "../lib/viz/jupyter.ts";

/** The inlined assets of a deck page. */
export interface DeckAssets {
  /** All CSS: reveal core, theme, KaTeX (fonts inlined), highlight.js theme, course styles. */
  css: string;
  /** All JavaScript: reveal.js and its notes plugin. */
  js: string;
}

const require = createRequire(import.meta.url);

function packageFile(specifier: string, relative: string): string {
  let entry: string;
  try {
    entry = require.resolve(specifier);
  } catch (error) {
    throw new Error(
      `Cannot build slides: npm package '${specifier}' is not installed (${
        (error as Error).message.split("\n")[0]
      }). Run 'deno install' in the repository root; it is pinned in deno.json "imports".`,
    );
  }
  return join(dirname(entry), relative);
}

/**
 * Reads KaTeX's stylesheet and replaces every font URL with the woff2 file as a data URL
 * (woff and ttf fallbacks are dropped: every browser that runs reveal.js reads woff2).
 *
 * @example The CSS references no font file
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { katexCss } from "./assets.ts";
 *
 * const css = await katexCss();
 * assert(css.includes("data:font/woff2;base64,"));
 * assert(!/url\(fonts\//.test(css));
 * ```
 */
export async function katexCss(): Promise<string> {
  const dist = packageFile("katex", ".");
  const css = await Deno.readTextFile(join(dist, "katex.min.css"));
  const fonts = new Map<string, string>();
  for (const match of css.matchAll(/url\(fonts\/([\w-]+)\.woff2\)/g)) {
    if (!fonts.has(match[1])) {
      const bytes = await Deno.readFile(join(dist, "fonts", `${match[1]}.woff2`));
      fonts.set(match[1], `data:font/woff2;base64,${toBase64(bytes)}`);
    }
  }
  return css.replace(
    /src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[\w]+"\))*/g,
    (_, name: string) => `src:url(${fonts.get(name)}) format("woff2")`,
  );
}

/**
 * Loads every asset a deck page needs, plus the course stylesheet `slides/theme.css`.
 *
 * @example No remote URL in the assets
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { loadAssets } from "./assets.ts";
 *
 * const { css, js } = await loadAssets();
 * assert(js.includes("Reveal") && css.includes(".reveal"));
 * assert(!/url\(\s*["']?(https?:)?\/\//.test(css));
 * ```
 */
export async function loadAssets(): Promise<DeckAssets> {
  const reveal = packageFile("reveal.js", ".");
  const read = (path: string) => Deno.readTextFile(path);
  const css = [
    await read(join(reveal, "reset.css")),
    await read(join(reveal, "reveal.css")),
    await read(join(reveal, "theme", "white.css")),
    await katexCss(),
    await read(packageFile("highlight.js", "../styles/github.css")),
    await Deno.readTextFile(new URL("./theme.css", import.meta.url)),
  ].join("\n");
  const js = [
    await read(join(reveal, "reveal.js")),
    await read(join(reveal, "plugin", "notes.js")),
  ].join("\n");
  return { css, js };
}
