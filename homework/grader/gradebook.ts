/**
 * Batch grading: every `.ipynb` in a folder graded into one gradebook, one row per student (the
 * file name), per-item scores, written as CSV and JSON. A notebook that cannot be read or graded
 * gets a row with its error and 0 points; the batch goes on.
 *
 * @module
 */
import { basename, join } from "node:path";
import { gradeNotebook, type GradeOptions, type GradeReport } from "./grade.ts";
import { assignment } from "./assignments.ts";

/** One student's row. */
export interface GradebookRow {
  /** The notebook's file name without `.ipynb`. */
  student: string;
  /** Points per item id. */
  scores: Record<string, number>;
  /** Sum of the scores. */
  total: number;
  /** Why the notebook could not be graded, or null. */
  error: string | null;
  /** The full report (feedback per check), null when the notebook could not be graded. */
  report: GradeReport | null;
}

/** A gradebook: the assignment, its items with their points, one row per notebook. */
export interface Gradebook {
  /** Assignment id. */
  hw: string;
  /** Item ids and their points, in order. */
  items: { id: string; points: number }[];
  /** Sum of the points. */
  maxTotal: number;
  /** One row per notebook, by file name. */
  rows: GradebookRow[];
  /** ISO time of grading. */
  time: string;
}

/**
 * Grade every `.ipynb` in `dir` (not its subfolders), in file-name order.
 *
 * @example
 * ```ts ignore
 * import { gradeFolder, writeGradebook } from "./gradebook.ts";
 * const book = await gradeFolder("hw1_dcgan", "submissions/");
 * await writeGradebook(book, "submissions/gradebook");
 * ```
 */
export async function gradeFolder(
  hw: string,
  dir: string,
  options: GradeOptions & { onNotebook?: (row: GradebookRow) => void } = {},
): Promise<Gradebook> {
  const items = assignment(hw).items.filter((i) => !options.only || options.only.includes(i.id))
    .map((i) => ({ id: i.id, points: i.points }));
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".ipynb")) files.push(entry.name);
    }
  } catch (error) {
    throw new Error(
      `Cannot grade the folder ${dir}: ${error instanceof Error ? error.message : error}; ` +
        `give a folder that holds the students' .ipynb files`,
    );
  }
  files.sort();
  const rows: GradebookRow[] = [];
  for (const file of files) {
    const student = basename(file, ".ipynb");
    let row: GradebookRow;
    try {
      const report = await gradeNotebook(hw, join(dir, file), options);
      row = {
        student,
        scores: Object.fromEntries(report.items.map((i) => [i.id, i.score])),
        total: report.total,
        error: null,
        report,
      };
    } catch (error) {
      row = {
        student,
        scores: Object.fromEntries(items.map((i) => [i.id, 0])),
        total: 0,
        error: error instanceof Error ? error.message : String(error),
        report: null,
      };
    }
    rows.push(row);
    options.onNotebook?.(row);
  }
  return {
    hw,
    items,
    maxTotal: items.reduce((sum, i) => sum + i.points, 0),
    rows,
    time: new Date().toISOString(),
  };
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The gradebook as CSV: `student`, one column per item, `total`, `max`, `error`.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { gradebookCsv } from "./gradebook.ts";
 * const csv = gradebookCsv({
 *   hw: "hw1_dcgan", items: [{ id: "a", points: 2 }], maxTotal: 2, time: "",
 *   rows: [{ student: "ada", scores: { a: 2 }, total: 2, error: null, report: null },
 *     { student: "bo, b", scores: { a: 0 }, total: 0, error: 'not "JSON"', report: null }],
 * });
 * assertEquals(csv, 'student,a,total,max,error\nada,2,2,2,\n"bo, b",0,0,2,"not ""JSON"""\n');
 * ```
 */
export function gradebookCsv(book: Gradebook): string {
  const header = ["student", ...book.items.map((i) => i.id), "total", "max", "error"];
  const lines = [header.map(csvField).join(",")];
  for (const row of book.rows) {
    lines.push(
      [
        row.student,
        ...book.items.map((i) => row.scores[i.id] ?? 0),
        row.total,
        book.maxTotal,
        row.error ?? "",
      ].map(csvField).join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Write `<base>.csv` and `<base>.json` (a `.csv` or `.json` ending on `base` is dropped first);
 * returns the two paths.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { writeGradebook } from "./gradebook.ts";
 * const dir = await Deno.makeTempDir();
 * const book = { hw: "hw1_dcgan", items: [], maxTotal: 0, rows: [], time: "" };
 * const paths = await writeGradebook(book, `${dir}/book.csv`);
 * assertEquals(paths, [`${dir}/book.csv`, `${dir}/book.json`]);
 * assertEquals(JSON.parse(await Deno.readTextFile(paths[1])), book);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeGradebook(book: Gradebook, base: string): Promise<[string, string]> {
  const stem = base.replace(/\.(csv|json)$/i, "");
  const paths: [string, string] = [`${stem}.csv`, `${stem}.json`];
  await Deno.writeTextFile(paths[0], gradebookCsv(book));
  await Deno.writeTextFile(paths[1], JSON.stringify(book, null, 2) + "\n");
  return paths;
}
