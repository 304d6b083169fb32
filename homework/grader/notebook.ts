/**
 * Read a homework notebook: the graded code cells (first line `// @grade: <id>`) and the report's
 * Markdown cells (first line `<!-- @report: <id> -->`), and build a filled-in notebook from a
 * reference solution file for tests and TAs.
 *
 * @module
 */

/** One cell of an nbformat 4 notebook, as far as the grader needs it. */
export interface NotebookCell {
  /** `"code"` or `"markdown"` (or `"raw"`). */
  cell_type: string;
  /** The cell's text, a string or a list of lines. */
  source: string | string[];
  /** Anything else the cell holds (outputs, metadata, id). */
  [key: string]: unknown;
}

/** The parts of a notebook the grader reads. */
export interface Notebook {
  /** The cells, in order. */
  cells: NotebookCell[];
  /** Anything else (metadata, nbformat). */
  [key: string]: unknown;
}

/** The graded code and report text found in a notebook. */
export interface NotebookParts {
  /** Code of each graded cell by id, the marker line included. */
  graded: Map<string, string>;
  /** Text of each report cell by id, the marker line removed. */
  report: Map<string, string>;
  /** Ids marked more than once (the last cell wins). */
  duplicates: string[];
}

const GRADE_MARKER = /^\s*\/\/\s*@grade:\s*([A-Za-z0-9_]+)/;
const REPORT_MARKER = /^\s*<!--\s*@report:\s*([A-Za-z0-9_]+)\s*-->/;

/** A cell's source as one string. */
export function cellText(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : String(cell.source ?? "");
}

/**
 * Parse notebook JSON, with an error that says what to do when it is not a notebook.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseNotebook } from "./notebook.ts";
 * const nb = parseNotebook('{"cells": [], "nbformat": 4}', "hw.ipynb");
 * assertEquals(nb.cells.length, 0);
 * ```
 */
export function parseNotebook(text: string, path: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot grade ${path}: it is not valid notebook JSON (${
        error instanceof Error ? error.message : error
      }); save it from Jupyter again`,
    );
  }
  if (!nb || !Array.isArray(nb.cells)) {
    throw new Error(`Cannot grade ${path}: no "cells" list; is this a Jupyter notebook?`);
  }
  return nb;
}

/**
 * The graded code cells and report cells of a notebook.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { notebookParts } from "./notebook.ts";
 * const parts = notebookParts({
 *   cells: [
 *     { cell_type: "code", source: "// @grade: losses\nfunction f() {}" },
 *     { cell_type: "markdown", source: "<!-- @report: model -->\nA small MLP." },
 *   ],
 * });
 * assertEquals(parts.graded.has("losses"), true);
 * assertEquals(parts.report.get("model"), "A small MLP.");
 * ```
 */
export function notebookParts(nb: Notebook): NotebookParts {
  const graded = new Map<string, string>();
  const report = new Map<string, string>();
  const duplicates: string[] = [];
  for (const cell of nb.cells) {
    const text = cellText(cell);
    const marker = cell.cell_type === "code"
      ? text.match(GRADE_MARKER)
      : cell.cell_type === "markdown"
      ? text.match(REPORT_MARKER)
      : null;
    if (!marker) continue;
    const target = cell.cell_type === "code" ? graded : report;
    if (target.has(marker[1])) duplicates.push(marker[1]);
    target.set(marker[1], cell.cell_type === "code" ? text : text.slice(marker[0].length).trim());
  }
  return { graded, report, duplicates };
}

/**
 * Split a reference solution file into its graded sections: each starts at a `// @grade: <id>`
 * line and runs to the next marker or to a `// @end` line. Text before the first marker (imports)
 * and after `// @end` (exports) is not part of any section.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { solutionSections } from "./notebook.ts";
 * const file = 'import * as tf from "@tensorflow/tfjs";\n// @grade: a\nconst x = 1;\n// @end\nexport { x };\n';
 * assertEquals(solutionSections(file).get("a"), "// @grade: a\nconst x = 1;");
 * ```
 */
export function solutionSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  let id: string | null = null;
  let lines: string[] = [];
  const close = () => {
    if (id !== null) sections.set(id, lines.join("\n").trimEnd());
  };
  for (const line of text.split("\n")) {
    const marker = line.match(GRADE_MARKER);
    if (marker || /^\s*\/\/\s*@end\b/.test(line)) {
      close();
      id = marker ? marker[1] : null;
      lines = marker ? [line] : [];
    } else if (id !== null) {
      lines.push(line);
    }
  }
  close();
  return sections;
}

/** Split text into notebook source lines (each but the last keeps its newline). */
function toSource(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}\n` : line));
}

/**
 * A copy of `nb` with each graded cell replaced by the section of the same id and each report
 * cell's text replaced by `report` (marker kept). Throws when a section has no cell.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { fillNotebook, notebookParts } from "./notebook.ts";
 * const starter = { cells: [{ cell_type: "code", source: "// @grade: a\nthrow new Error('TODO');" }] };
 * const filled = fillNotebook(starter, new Map([["a", "// @grade: a\nconst a = 1;"]]));
 * assertEquals(notebookParts(filled).graded.get("a"), "// @grade: a\nconst a = 1;");
 * ```
 */
export function fillNotebook(
  nb: Notebook,
  sections: Map<string, string>,
  report: Map<string, string> = new Map(),
): Notebook {
  const used = new Set<string>();
  const cells = nb.cells.map((cell) => {
    const text = cellText(cell);
    const code = cell.cell_type === "code" ? text.match(GRADE_MARKER) : null;
    const md = cell.cell_type === "markdown" ? text.match(REPORT_MARKER) : null;
    if (code && sections.has(code[1])) {
      used.add(code[1]);
      return { ...cell, source: toSource(sections.get(code[1])!) };
    }
    if (md && report.has(md[1])) {
      used.add(md[1]);
      return { ...cell, source: toSource(`${md[0]}\n${report.get(md[1])!}`) };
    }
    return cell;
  });
  const missing = [...sections.keys(), ...report.keys()].filter((id) => !used.has(id));
  if (missing.length > 0) {
    throw new Error(
      `Cannot fill the notebook: no cell is marked for ${missing.join(", ")}; ` +
        `check the starter's @grade/@report markers`,
    );
  }
  return { ...nb, cells };
}

/**
 * The report sections of a Markdown file: each starts at a `<!-- @report: <id> -->` line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { reportSections } from "./notebook.ts";
 * assertEquals(reportSections("<!-- @report: a -->\nText.\n").get("a"), "Text.");
 * ```
 */
export function reportSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  let id: string | null = null;
  let lines: string[] = [];
  for (const line of [...text.split("\n"), "<!-- @report: __end -->"]) {
    const marker = line.match(REPORT_MARKER);
    if (!marker) {
      lines.push(line);
      continue;
    }
    if (id !== null) sections.set(id, lines.join("\n").trim());
    id = marker[1];
    lines = [];
  }
  return sections;
}
