/**
 * Renders parsed slides to reveal.js `<section>` HTML: Markdown (GitHub flavour) with math
 * rendered by KaTeX, code highlighted by highlight.js, code excerpts included from the library,
 * and figures produced by `deno task slides:figures` embedded as data URLs.
 *
 * @module
 */

import { Marked, type Tokens } from "marked";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import python from "highlight.js/lib/languages/python";
import bash from "highlight.js/lib/languages/bash";
import json from "highlight.js/lib/languages/json";
import { join } from "node:path";
import { toBase64 } from "../lib/viz/jupyter.ts";
import type { SlideSource } from "./deck.ts";
import { expandIncludes } from "./include.ts";
import { protectMath, restoreMath } from "./math.ts";

hljs.registerLanguage("ts", typescript);
hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("python", python);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);

/** Where a deck's includes and figures come from. */
export interface RenderOptions {
  /** Repository root; `@include` paths are relative to it. */
  root: string;
  /** Folder holding the generated figures (`<name>.svg` or `<name>.png`). */
  figuresDir: string;
  /** Name of the source file, used in error messages. */
  from: string;
}

const FIGURE_TYPES: [string, string][] = [
  [".svg", "image/svg+xml"],
  [".png", "image/png"],
  [".html", "text/html"],
];

/**
 * Reads a generated figure: an `<img>` data URL for SVG and PNG, the markup itself for HTML
 * (tables made from the library). Throws saying how to produce a missing figure.
 */
async function loadFigure(
  name: string,
  options: RenderOptions,
  where: string,
): Promise<{ src?: string; html?: string }> {
  // Figures made by `deno task slides:figures`, then those taken from the notebooks' cpu runs
  // (`deno task slides:results`, committed).
  for (const dir of [options.figuresDir, join(options.root, "slides", "results")]) {
    for (const [ext, mime] of FIGURE_TYPES) {
      try {
        const bytes = await Deno.readFile(join(dir, name + ext));
        return mime === "text/html"
          ? { html: new TextDecoder().decode(bytes) }
          : { src: `data:${mime};base64,${toBase64(bytes)}` };
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  }
  throw new Error(
    `Cannot build ${where}: figure '${name}' is missing from ${options.figuresDir} and ` +
      `slides/results/. Run 'deno task slides:figures' to generate the figures (or ` +
      `'deno task slides:results' after a cpu run of its notebook), or check the name.`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/**
 * Renders one Markdown text (a slide body or its notes) to HTML.
 *
 * @example Markdown with math and a code block
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { renderMarkdown } from "./render.ts";
 *
 * const fence = "`".repeat(3);
 * const html = await renderMarkdown(`# Loss\n$D(x)$\n${fence}ts\nconst a = 1;\n${fence}`, {
 *   root: ".",
 *   figuresDir: "slides/figures",
 *   from: "demo",
 * });
 * assert(html.includes("<h1>Loss</h1>"));
 * assert(html.includes('class="katex"'));
 * assert(html.includes('class="hljs language-ts"'));
 * ```
 */
export async function renderMarkdown(markdown: string, options: RenderOptions): Promise<string> {
  const withCode = await expandIncludes(markdown, { root: options.root, from: options.from });
  const { markdown: prose, rendered } = protectMath(withCode, options.from);

  // Figures are loaded first: the Markdown renderer is synchronous.
  const figures = new Map<string, { src?: string; html?: string }>();
  for (const match of prose.matchAll(/!\[[^\]]*\]\(figure:([\w-]+)\)/g)) {
    if (!figures.has(match[1])) {
      figures.set(match[1], await loadFigure(match[1], options, options.from));
    }
  }

  const marked = new Marked({
    gfm: true,
    renderer: {
      code({ text, lang }: Tokens.Code): string {
        // The info string may carry flags after the language ("ts ignore" for deno test --doc).
        const name = lang?.split(/\s+/)[0];
        const language = name && hljs.getLanguage(name) ? name : undefined;
        const body = language
          ? hljs.highlight(text, { language, ignoreIllegals: true }).value
          : escapeHtml(text);
        return `<pre><code class="hljs${
          language ? ` language-${language}` : ""
        }">${body}</code></pre>\n`;
      },
      image({ href, text }: Tokens.Image): string {
        const figure = /^figure:([\w-]+)$/.exec(href);
        if (!figure) {
          throw new Error(
            `Cannot build ${options.from}: image '${href}' is not a generated figure. ` +
              `Slides show only figures made by 'deno task slides:figures': write ![caption](figure:name).`,
          );
        }
        const caption = text ? `<figcaption>${escapeHtml(text)}</figcaption>` : "";
        const loaded = figures.get(figure[1])!;
        const content = loaded.html ?? `<img src="${loaded.src}" alt="${escapeHtml(text)}">`;
        return `<figure class="course-figure">${content}${caption}</figure>`;
      },
    },
  });
  const html = marked.parse(prose, { async: false });
  return restoreMath(html, rendered);
}

/**
 * Renders one slide to a reveal.js `<section>` with its speaker notes in `<aside class="notes">`.
 *
 * @example A slide with notes
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { renderSlide } from "./render.ts";
 *
 * const html = await renderSlide(
 *   { body: "# Hi", notes: "Welcome everyone.", classes: ["title"], line: 1 },
 *   { root: ".", figuresDir: "slides/figures", from: "demo" },
 * );
 * assert(html.includes('<section class="title">'));
 * assert(html.includes('<aside class="notes"><p>Welcome everyone.</p>'));
 * ```
 */
export async function renderSlide(slide: SlideSource, options: RenderOptions): Promise<string> {
  const from = `${options.from} (slide at line ${slide.line})`;
  const body = await renderMarkdown(slide.body, { ...options, from });
  const notes = slide.notes
    ? `<aside class="notes">${await renderMarkdown(slide.notes, { ...options, from })}</aside>`
    : "";
  const classAttr = slide.classes.length ? ` class="${slide.classes.join(" ")}"` : "";
  return `<section${classAttr}>\n${body}${notes}\n</section>`;
}
