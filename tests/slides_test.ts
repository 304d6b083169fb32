/**
 * Builds every deck and opens it in headless Chromium: every slide renders (non-empty, fits the
 * 1280x720 canvas), no console errors, math typeset by KaTeX (no raw `$`), no request leaves the
 * file (offline), no remote URL in any asset reference.
 *
 * The figures are generated first (`slides/figures.ts`, including its short training runs: about a
 * minute of CPU). Set
 * SLIDES_SCREENSHOTS=<dir> to also write a PNG of every slide there.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildDecks } from "../slides/build.ts";
import { ChromiumPage, findChromium } from "../slides/chromium.ts";
import { makeFigures } from "../slides/figures.ts";
import { expandIncludes } from "../slides/include.ts";
import { MAX_PNG_BYTES, RESULT_FIGURES, RESULTS_DIR } from "../slides/result_figures.ts";

const ROOT = new URL("..", import.meta.url).pathname;

interface SlideReport {
  index: number;
  title: string;
  textLength: number;
  media: number;
  katex: number;
  rawMath: string[];
  overflow: number;
}

Deno.test("slides: Chromium is installed (needed by the slide test and PDF export)", async () => {
  // Fails with the install command when Chromium is missing.
  assert((await findChromium()).length > 0);
});

Deno.test("expandIncludes() fails with a clear message for a missing file, region or library name", async () => {
  let message = "";
  try {
    await expandIncludes("@include lib/no_such_file.ts#x", { root: ROOT, from: "t.md" });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("the file lib/no_such_file.ts does not exist"), message);
  try {
    await expandIncludes("@include lib/losses.ts#noSuchRegion", { root: ROOT, from: "t.md" });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("no '// #region noSuchRegion'"), message);
  assert(message.includes("Available:"), message);
  try {
    await expandIncludes('@include lib/losses.ts#wassersteinCriticLoss from "no such text"', {
      root: ROOT,
      from: "t.md",
    });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes('contains "no such text"'), message);
  try {
    await expandIncludes("| `lib:noSuchLibraryFunction` |", { root: ROOT, from: "t.md" });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("exports no 'noSuchLibraryFunction'"), message);
  const checked = await expandIncludes("`lib:gradientPenalty` and `x`", {
    root: ROOT,
    from: "t.md",
  });
  assertEquals(checked, "`gradientPenalty` and `x`");
});

Deno.test("slides: every cpu-run figure a deck shows is committed, listed and small", async () => {
  const files = new Map<string, number>();
  for await (const entry of Deno.readDir(RESULTS_DIR)) {
    files.set(
      entry.name.replace(/\.(png|svg)$/, ""),
      (await Deno.stat(join(RESULTS_DIR, entry.name))).size,
    );
  }
  const problems: string[] = [];
  for (const [name, size] of files) {
    if (size > MAX_PNG_BYTES) problems.push(`slides/results/${name} is ${size} bytes`);
  }
  const listed = new Set(RESULT_FIGURES.map((spec) => spec.name));
  for await (const entry of Deno.readDir(join(ROOT, "slides", "src"))) {
    const deck = await Deno.readTextFile(join(ROOT, "slides", "src", entry.name));
    for (const [, name] of deck.matchAll(/\(figure:(run_[\w-]+)\)/g)) {
      if (!files.has(name)) {
        problems.push(`${entry.name} shows ${name}, missing from slides/results/`);
      }
      if (!listed.has(name)) problems.push(`${entry.name} shows ${name}, not in RESULT_FIGURES`);
    }
  }
  assertEquals(problems, []);
});

Deno.test("slides: every cpu-run figure names a code cell that its notebook has", async () => {
  const problems: string[] = [];
  for (const spec of RESULT_FIGURES) {
    const path = join(ROOT, "notebooks", `${spec.notebook}.ipynb`);
    const notebook = JSON.parse(await Deno.readTextFile(path)) as {
      cells: { cell_type: string; source: string | string[] }[];
    };
    const found = notebook.cells.some((cell) =>
      cell.cell_type === "code" && [cell.source].flat().join("").includes(spec.cell)
    );
    if (!found) problems.push(`${spec.name}: no code cell of ${spec.notebook} has "${spec.cell}"`);
  }
  assertEquals(problems, []);
});

Deno.test({
  name: "slides: every deck builds offline and every slide renders with typeset math",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await makeFigures();
    const decks = await buildDecks();
    assert(
      decks.length >= Number(Deno.env.get("SLIDES_MIN_DECKS") ?? 3),
      `expected at least 3 decks, built ${decks.length}`,
    );
    const screenshots = Deno.env.get("SLIDES_SCREENSHOTS");
    if (screenshots) await Deno.mkdir(screenshots, { recursive: true });

    const page = await ChromiumPage.launch({ width: 1280, height: 720 });
    try {
      for (const deck of decks) {
        const html = await Deno.readTextFile(deck.html);
        // No asset reference may point anywhere but into the file itself.
        const remote = [...html.matchAll(/(?:src|href)\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi)]
          .map((m) => m[0]);
        const remoteCss = [...html.matchAll(/url\(\s*["']?(?:https?:)?\/\/[^)]+\)/gi)].map((m) =>
          m[0]
        );
        assertEquals([...remote, ...remoteCss], [], `${deck.html} references remote assets`);
        assert(!/@import\s/.test(html), `${deck.html} contains a CSS @import`);

        page.log.errors.length = 0;
        page.log.requests.length = 0;
        await page.goto(pathToFileURL(deck.html).href);
        await page.evaluate("document.fonts.ready.then(() => true)");
        await page.evaluate(
          "Reveal.configure({ transition: 'none', backgroundTransition: 'none' })",
        );
        const total = await page.evaluate<number>("Reveal.getTotalSlides()");
        assertEquals(total, deck.slides, `${deck.html}: reveal.js sees ${total} slides`);

        const reports: SlideReport[] = [];
        for (let i = 0; i < total; i++) {
          const report = await page.evaluate<SlideReport>(`(async () => {
            Reveal.slide(${i});
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            const section = Reveal.getCurrentSlide();
            const clone = section.cloneNode(true);
            clone.querySelectorAll("aside.notes, .katex-mathml").forEach((n) => n.remove());
            const text = clone.textContent.replace(/\\s+/g, " ").trim();
            clone.querySelectorAll("pre, code").forEach((n) => n.remove());
            const prose = clone.textContent.replace(/\\s+/g, " ");
            const slideRect = section.getBoundingClientRect();
            const scale = Reveal.getScale();
            let bottom = slideRect.top;
            for (const child of section.children) {
              if (child.matches("aside.notes")) continue;
              bottom = Math.max(bottom, child.getBoundingClientRect().bottom);
            }
            const images = [...section.querySelectorAll("img")];
            await Promise.all(images.map((img) => img.decode().catch(() => {})));
            return {
              index: ${i},
              title: (clone.querySelector("h1, h2")?.textContent ?? "").trim(),
              textLength: text.length,
              media: images.filter((img) => img.naturalWidth > 0).length +
                section.querySelectorAll("table, pre").length,
              katex: section.querySelectorAll(".katex").length,
              rawMath: (prose.match(/\\$\\$|\\$[^$\\s][^$]*\\$/g) ?? []),
              overflow: Math.round((bottom - slideRect.top) / scale - ${720}),
            };
          })()`);
          reports.push(report);
          if (screenshots) {
            const name = `${deck.html.split("/").pop()!.replace(".html", "")}_${
              String(i + 1).padStart(2, "0")
            }.png`;
            await Deno.writeFile(join(screenshots, name), await page.screenshot());
          }
        }

        const problems: string[] = [];
        for (const r of reports) {
          const where = `slide ${r.index + 1} "${r.title}"`;
          if (r.textLength === 0 && r.media === 0) problems.push(`${where} is empty`);
          if (r.rawMath.length) problems.push(`${where} shows untypeset math ${r.rawMath}`);
          if (r.overflow > 4) problems.push(`${where} overflows the slide by ${r.overflow} px`);
        }
        assertEquals(problems, [], `${deck.html}: slides that do not render well`);
        const typeset = reports.reduce((sum, r) => sum + r.katex, 0);
        assert(typeset > 0, `${deck.html}: no KaTeX output on any slide`);
        const brokenImages = await page.evaluate<number>(
          "[...document.querySelectorAll('img')].filter((img) => !(img.naturalWidth > 0)).length",
        );
        assertEquals(brokenImages, 0, `${deck.html}: images that did not load`);
        assertEquals(page.log.errors, [], `${deck.html}: console errors`);
        const outside = page.log.requests.filter((url) => !/^(file|data|about|blob):/.test(url));
        assertEquals(outside, [], `${deck.html}: requests that leave the file`);
      }
    } finally {
      await page.close();
    }
  },
});
