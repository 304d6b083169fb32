/**
 * Builds every deck in `slides/src/` to one self-contained, offline HTML file in `slides/dist/`
 * (reveal.js, KaTeX CSS and fonts, figures: all inlined; nothing is fetched at view time).
 *
 * ```sh
 * deno task slides                 # build all decks
 * deno task slides --pdf           # also print each deck to PDF through headless Chromium
 * deno task slides --deck 02       # only decks whose file name contains "02"
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAssets } from "./assets.ts";
import { parseDeck } from "./deck.ts";
import { renderSlide } from "./render.ts";

/** Paths the build reads from and writes to. */
export interface BuildOptions {
  /** Repository root (include paths are relative to it). Default: the parent of `slides/`. */
  root?: string;
  /** Folder of the deck sources. Default `<root>/slides/src`. */
  srcDir?: string;
  /** Folder of the generated figures. Default `<root>/slides/figures`. */
  figuresDir?: string;
  /** Output folder. Default `<root>/slides/dist`. */
  outDir?: string;
  /** Build only the decks whose file name contains this text. Default: all decks. */
  filter?: string;
}

/** One built deck. */
export interface BuiltDeck {
  /** Source Markdown file. */
  source: string;
  /** Written HTML file. */
  html: string;
  /** Deck title from the front matter. */
  title: string;
  /** Number of slides. */
  slides: number;
}

const SLIDES_DIR = fileURLToPath(new URL(".", import.meta.url));

function resolveOptions(options: BuildOptions): Required<BuildOptions> {
  const root = options.root ?? join(SLIDES_DIR, "..");
  return {
    root,
    srcDir: options.srcDir ?? join(root, "slides", "src"),
    figuresDir: options.figuresDir ?? join(root, "slides", "figures"),
    outDir: options.outDir ?? join(root, "slides", "dist"),
    filter: options.filter ?? "",
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** reveal.js settings shared by every deck (16:9 canvas, slide numbers, speaker notes). */
const REVEAL_CONFIG = {
  width: 1280,
  height: 720,
  margin: 0.04,
  hash: true,
  slideNumber: "c/t",
  transition: "fade",
  transitionSpeed: "fast",
  center: false,
  pdfSeparateFragments: false,
};

/**
 * Builds the decks and returns what was written. Throws on the first problem (missing figure,
 * missing code region, invalid TeX) with the file and line that caused it.
 *
 * @example Build one small deck into a temporary folder
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { buildDecks } from "./build.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/src`);
 * await Deno.writeTextFile(`${dir}/src/01_demo.md`, "---\ntitle: Demo\n---\n# $x^2$\n");
 * const [deck] = await buildDecks({ srcDir: `${dir}/src`, outDir: `${dir}/dist` });
 * assert((await Deno.readTextFile(deck.html)).includes('class="katex"'));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function buildDecks(options: BuildOptions = {}): Promise<BuiltDeck[]> {
  const opts = resolveOptions(options);
  const sources: string[] = [];
  for await (const entry of Deno.readDir(opts.srcDir)) {
    if (entry.isFile && entry.name.endsWith(".md") && entry.name.includes(opts.filter)) {
      sources.push(join(opts.srcDir, entry.name));
    }
  }
  sources.sort();
  if (sources.length === 0) {
    throw new Error(
      `Cannot build slides: no deck (*.md${
        opts.filter ? ` containing '${opts.filter}'` : ""
      }) in ${opts.srcDir}`,
    );
  }
  const assets = await loadAssets();
  await Deno.mkdir(opts.outDir, { recursive: true });
  const built: BuiltDeck[] = [];
  for (const source of sources) {
    const from = `slides/src/${basename(source)}`;
    const deck = parseDeck(await Deno.readTextFile(source));
    const title = deck.meta.title ?? basename(source, ".md");
    const sections: string[] = [];
    for (const slide of deck.slides) {
      sections.push(
        await renderSlide(slide, { root: opts.root, figuresDir: opts.figuresDir, from }),
      );
    }
    const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style>
${assets.css}
</style>
</head>
<body>
<div class="reveal"><div class="slides">
${sections.join("\n")}
</div></div>
<script>
${assets.js}
</script>
<script>
Reveal.initialize(Object.assign(${JSON.stringify(REVEAL_CONFIG)}, { plugins: [RevealNotes] }));
</script>
</body>
</html>
`;
    const html = join(opts.outDir, basename(source, ".md") + ".html");
    await Deno.writeTextFile(html, page);
    built.push({ source, html, title, slides: deck.slides.length });
  }
  return built;
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    args: Deno.args,
    options: { pdf: { type: "boolean" }, help: { type: "boolean" }, deck: { type: "string" } },
  });
  if (args.help) {
    console.log("Usage: deno task slides [--deck TEXT] [--pdf]");
    Deno.exit(0);
  }
  const decks = await buildDecks({ filter: args.deck });
  for (const deck of decks) {
    const kib = (await Deno.stat(deck.html)).size / 1024;
    console.log(`${deck.html}: ${deck.slides} slides, ${kib.toFixed(0)} KiB (${deck.title})`);
  }
  if (args.pdf) {
    const { printDecksToPdf } = await import("./pdf.ts");
    for (const pdf of await printDecksToPdf(decks.map((deck) => deck.html))) console.log(pdf);
  }
}
