/**
 * Splits a deck's Markdown source into front matter, slides and speaker notes.
 *
 * Source format:
 * - an optional front matter block at the top (`---` / `key: value` lines / `---`);
 * - slides separated by a line that is exactly `---` (outside fenced code blocks);
 * - a line starting with `Note:` starts the speaker notes of a slide (the rest of that line and
 *   everything after it; `deno fmt` joins `Note:` with the next line, so both forms work);
 * - a line `<!-- .slide: class="name" -->` adds CSS classes to the slide's `<section>`.
 *
 * @module
 */

/** One slide: its Markdown body, its speaker notes (Markdown) and where it starts. */
export interface SlideSource {
  /** Markdown shown on the slide. */
  body: string;
  /** Markdown of the speaker notes; empty when the slide has none. */
  notes: string;
  /** CSS classes for the slide's `<section>`, from a `<!-- .slide: class="..." -->` line. */
  classes: string[];
  /** 1-based line number of the slide's first line in the source, for error messages. */
  line: number;
}

/** A parsed deck: front matter fields and slides in order. */
export interface DeckSource {
  /** Front matter fields (`title`, `subtitle`, ...). */
  meta: Record<string, string>;
  /** The slides in order. */
  slides: SlideSource[];
}

const SLIDE_CLASS = /^<!--\s*\.slide:\s*class="([^"]*)"\s*-->\s*$/;

/**
 * Parses a deck's Markdown source.
 *
 * @example Two slides, one with notes
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseDeck } from "./deck.ts";
 *
 * const deck = parseDeck("---\ntitle: Demo\n---\n# One\nNote: Say\nhi.\n---\n# Two\n");
 * assertEquals(deck.meta.title, "Demo");
 * assertEquals(deck.slides.length, 2);
 * assertEquals(deck.slides[0].notes, "Say\nhi.");
 * assertEquals(deck.slides[1].body, "# Two");
 * ```
 */
export function parseDeck(source: string): DeckSource {
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  const meta: Record<string, string> = {};
  let start = 0;
  if (lines[0] === "---") {
    const end = lines.indexOf("---", 1);
    if (end < 0) {
      throw new Error("Cannot parse deck: front matter starts with '---' on line 1 but never ends");
    }
    for (let i = 1; i < end; i++) {
      const match = /^(\w+):\s*(.*)$/.exec(lines[i]);
      if (!match) {
        throw new Error(
          `Cannot parse deck: front matter line ${i + 1} must look like 'key: value', got '${
            lines[i]
          }'`,
        );
      }
      meta[match[1]] = match[2].trim();
    }
    start = end + 1;
  }

  const chunks: { lines: string[]; line: number }[] = [{ lines: [], line: start + 1 }];
  let fence: string | null = null;
  for (let i = start; i < lines.length; i++) {
    const text = lines[i];
    const fenceMatch = /^\s*(```|~~~)/.exec(text);
    if (fenceMatch) {
      if (fence === null) fence = fenceMatch[1];
      else if (text.trim() === fence) fence = null;
    }
    if (fence === null && text === "---") {
      chunks.push({ lines: [], line: i + 2 });
    } else {
      chunks.at(-1)!.lines.push(text);
    }
  }

  const slides: SlideSource[] = [];
  for (const chunk of chunks) {
    const classes: string[] = [];
    const bodyLines: string[] = [];
    const noteLines: string[] = [];
    let inNotes = false;
    for (const text of chunk.lines) {
      const classMatch = SLIDE_CLASS.exec(text);
      if (classMatch) classes.push(...classMatch[1].split(/\s+/).filter(Boolean));
      else if (!inNotes && /^Note:(\s|$)/.test(text)) {
        inNotes = true;
        if (text.slice(5).trim()) noteLines.push(text.slice(5).trim());
      } else (inNotes ? noteLines : bodyLines).push(text);
    }
    const body = bodyLines.join("\n").trim();
    if (body === "" && noteLines.join("").trim() === "") continue;
    if (body === "") {
      throw new Error(
        `Cannot parse deck: the slide starting at line ${chunk.line} has speaker notes but no content`,
      );
    }
    slides.push({ body, notes: noteLines.join("\n").trim(), classes, line: chunk.line });
  }
  return { meta, slides };
}
