/**
 * Math in slide Markdown: `$...$` inline and `$$...$$` display, rendered to HTML by KaTeX at
 * build time (no math script runs in the browser; only KaTeX's CSS and fonts ship with the deck).
 *
 * Math is cut out of the Markdown before the Markdown parser sees it (so `_` and `\\` survive)
 * and put back into the HTML afterwards.
 *
 * @module
 */

import katex from "katex";

/** Markdown with its math replaced by placeholder words, and the rendered math per placeholder. */
export interface ProtectedMath {
  /** The Markdown text with each formula replaced by a placeholder word. */
  markdown: string;
  /** Rendered KaTeX HTML by placeholder word. */
  rendered: Map<string, string>;
}

/** Course-wide TeX macros, so every deck writes expectations and divergences the same way. */
export const MACROS: Record<string, string> = {
  "\\E": "\\mathop{\\mathbb{E}}",
  "\\pdata": "p_{\\text{data}}",
  "\\pg": "p_{g}",
  "\\JS": "\\mathrm{JS}",
  "\\KL": "\\mathrm{KL}",
};

/**
 * Replaces the math of a Markdown text (outside fenced code and inline code) with placeholders
 * and renders each formula with KaTeX. Invalid TeX throws, naming the formula and `where`.
 *
 * @example Inline and display math
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { protectMath, restoreMath } from "./math.ts";
 *
 * const { markdown, rendered } = protectMath("Let $x_1$ be\n\n$$\\min_G \\max_D V$$\n", "demo");
 * assertEquals(rendered.size, 2);
 * assert(!markdown.includes("$"));
 * const html = restoreMath(`<p>${markdown}</p>`, rendered);
 * assert(html.includes('class="katex-display"'));
 * ```
 */
export function protectMath(markdown: string, where: string): ProtectedMath {
  const rendered = new Map<string, string>();
  const render = (tex: string, displayMode: boolean): string => {
    const key = `zzmath${rendered.size}zz`;
    try {
      rendered.set(
        key,
        katex.renderToString(tex, {
          displayMode,
          throwOnError: true,
          strict: "error",
          macros: { ...MACROS },
          output: "htmlAndMathml",
        }),
      );
    } catch (error) {
      throw new Error(
        `Cannot render math in ${where}: ${(error as Error).message}. Formula: ${tex.trim()}`,
      );
    }
    return key;
  };

  // Split into code (fenced blocks and inline code spans) and prose; only prose holds math.
  const parts = markdown.split(/(```[\s\S]*?```|~~~[\s\S]*?~~~|`[^`\n]+`)/g);
  const out = parts.map((part, index) => {
    if (index % 2 === 1) return part;
    return part
      .replace(/\$\$([\s\S]+?)\$\$/g, (_, tex: string) => `\n\n${render(tex, true)}\n\n`)
      .replace(
        /(^|[^\\$])\$(?!\s)((?:\\\$|[^$\n])+?)(?<!\s)\$(?!\d)/g,
        (_, before: string, tex: string) => before + render(tex, false),
      );
  });
  return { markdown: out.join(""), rendered };
}

/**
 * Puts rendered math back in place of the placeholders in HTML produced from protected Markdown.
 *
 * @example Restoring a placeholder
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { restoreMath } from "./math.ts";
 *
 * const rendered = new Map([["zzmath0zz", "<b>x</b>"]]);
 * assertEquals(restoreMath("<p>zzmath0zz</p>", rendered), "<p><b>x</b></p>");
 * ```
 */
export function restoreMath(html: string, rendered: Map<string, string>): string {
  return html
    // A display formula alone in a paragraph: drop the paragraph so the block is not nested in <p>.
    .replace(/<p>(zzmath\d+zz)<\/p>/g, (whole, key: string) => {
      const math = rendered.get(key);
      return math?.startsWith('<span class="katex-display">') ? math : whole;
    })
    .replace(/zzmath\d+zz/g, (key) => rendered.get(key) ?? key);
}
