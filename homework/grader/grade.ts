/**
 * The homework autograder: `deno task grade <hw> [notebook] [--json FILE] [--solution]`.
 *
 * It reads the notebook JSON, takes the code of every cell whose first line is
 * `// @grade: <id>`, and for each code item writes a module with the item's cells (the other
 * cells' names come from the reference solution, so one wrong cell loses only its own items),
 * then runs the hidden test in a fresh `deno` subprocess with a time limit. A syntax error, a
 * thrown TODO, a NaN or an endless loop scores 0 for that item with a message; the grader goes on.
 * Report items read the Markdown cells whose first line is `<!-- @report: <id> -->`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assignment, ASSIGNMENTS } from "./assignments.ts";
import type { Assignment, CheckOutcome, CodeItem, ReportItem } from "./check.ts";
import {
  fillNotebook,
  type Notebook,
  notebookParts,
  parseNotebook,
  reportSections,
  solutionSections,
} from "./notebook.ts";
import { RESULT_MARKER } from "./run_item.ts";

/** The `homework/` folder. */
export const HOMEWORK_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const PROJECT_ROOT = dirname(HOMEWORK_DIR);

/** The score of one item. */
export interface ItemScore {
  /** Item id. */
  id: string;
  /** Item title. */
  title: string;
  /** Points earned (sub-checks share the item's points equally). */
  score: number;
  /** Points possible. */
  points: number;
  /** Every sub-check with its feedback. */
  checks: CheckOutcome[];
  /** Seconds the item took. */
  seconds: number;
}

/** The grade of one notebook. */
export interface GradeReport {
  /** Assignment id. */
  hw: string;
  /** The notebook graded. */
  notebook: string;
  /** Items in order. */
  items: ItemScore[];
  /** Sum of the scores. */
  total: number;
  /** Sum of the points. */
  maxTotal: number;
  /** ISO time of grading. */
  time: string;
}

/** Options of {@linkcode gradeNotebook}. */
export interface GradeOptions {
  /** Grade only these item ids. Default: every item. */
  only?: string[];
  /** Seconds each code item may run, instead of the item's own limit. Default: the item's. */
  timeoutS?: number;
  /** Called after each item, e.g. to print progress. Default: nothing. */
  onItem?: (score: ItemScore) => void;
}

/** The starter notebook of an assignment. */
export function starterPath(hw: string): string {
  return join(HOMEWORK_DIR, hw, `${hw}.ipynb`);
}

/** The reference solution file of an assignment (graded cells, `// @grade:` sections). */
export function solutionPath(hw: string): string {
  return join(HOMEWORK_DIR, "solutions", `${hw}.ts`);
}

/** The reference report of an assignment, when it has one. */
export function solutionReportPath(hw: string): string {
  return join(HOMEWORK_DIR, "solutions", `${hw}_report.md`);
}

/**
 * The starter notebook with the reference solution's cells (and report) filled in.
 *
 * @example
 * ```ts ignore
 * import { solutionNotebook } from "./grade.ts";
 * const nb = await solutionNotebook("hw1_dcgan");
 * ```
 */
export async function solutionNotebook(hw: string): Promise<Notebook> {
  const starter = parseNotebook(await Deno.readTextFile(starterPath(hw)), starterPath(hw));
  const sections = solutionSections(await Deno.readTextFile(solutionPath(hw)));
  let report = new Map<string, string>();
  try {
    report = reportSections(await Deno.readTextFile(solutionReportPath(hw)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return fillNotebook(starter, sections, report);
}

/** Import specifiers a graded cell may not use: they hold the very code the cell must write. */
const FORBIDDEN_IMPORT = /losses|variants|@course\/mod\.ts|@course\/train|solutions|grader/;
const STATIC_IMPORT = /^\s*import\s[^;]*?from\s*["']([^"']+)["'];?[ \t]*$/gm;
const TF_IMPORT = 'import * as tf from "@tensorflow/tfjs";';

/** Why a cell's code may not be graded, or null; plus the code with its imports hoisted. */
function prepareCell(code: string): { problem: string | null; imports: string[]; body: string } {
  const imports: string[] = [];
  let problem: string | null = null;
  if (/\bimport\s*\(/.test(code)) {
    problem = "dynamic import() is not allowed in graded cells";
  }
  const body = code.replace(STATIC_IMPORT, (line, specifier: string) => {
    if (FORBIDDEN_IMPORT.test(specifier)) {
      problem ??= `graded code must be your own: it imports "${specifier}", which holds the ` +
        `answer; write the computation with tf ops instead`;
    }
    if (line.trim().replace(/;?$/, ";") !== TF_IMPORT) imports.push(line.trim());
    return "";
  });
  return { problem, imports, body };
}

/** The module source for one code item, or a reason it cannot be built. */
function itemModule(
  hw: Assignment,
  item: CodeItem,
  graded: Map<string, string>,
): { source: string } | { problem: string } {
  const parts: string[] = [];
  const imports = new Set<string>([TF_IMPORT]);
  const own = new Set<string>();
  for (const cell of item.cells) {
    const code = graded.get(cell);
    if (code === undefined) {
      return {
        problem: `no cell starts with "// @grade: ${cell}": keep the marker line at the top of ` +
          `the cell with your code`,
      };
    }
    const prepared = prepareCell(code);
    if (prepared.problem) return { problem: `cell ${cell}: ${prepared.problem}` };
    prepared.imports.forEach((line) => imports.add(line));
    parts.push(prepared.body);
    hw.cellNames[cell].forEach((name) => own.add(name));
  }
  const others = Object.entries(hw.cellNames)
    .filter(([cell]) => !item.cells.includes(cell))
    .flatMap(([, names]) => names)
    .filter((name) => !own.has(name));
  const reference = join(HOMEWORK_DIR, item.referenceModule ?? `solutions/${hw.id}.ts`);
  if (others.length > 0) {
    imports.add(`import { ${others.join(", ")} } from "${pathToFileURL(reference).href}";`);
  }
  return { source: [...imports, ...parts, `export { ${[...own].join(", ")} };`, ""].join("\n") };
}

/** Run one code item's check in a subprocess with a time limit. */
async function runCodeItem(
  hw: string,
  item: CodeItem,
  modulePath: string,
  timeoutS: number,
): Promise<CheckOutcome[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(HOMEWORK_DIR, "grader", "run_item.ts"),
      hw,
      item.id,
      pathToFileURL(modulePath).href,
    ],
    cwd: PROJECT_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutS * 1000);
  const output = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (timedOut) {
    return [{
      name: "time limit",
      passed: false,
      detail: `stopped after ${timeoutS} s: look for an endless loop or far too many steps`,
    }];
  }
  const line = stdout.split("\n").reverse().find((l) => l.startsWith(RESULT_MARKER));
  if (!line) {
    const tail = (stderr || stdout).trim().split("\n").slice(-3).join(" | ");
    return [{
      name: "hidden test",
      passed: false,
      detail: `the test process ended without a result (exit ${output.code}): ${tail}`,
    }];
  }
  return JSON.parse(line.slice(RESULT_MARKER.length));
}

function scoreOf(points: number, checks: CheckOutcome[]): number {
  if (checks.length === 0) return 0;
  const passed = checks.filter((c) => c.passed).length;
  return Math.round((points * passed / checks.length) * 100) / 100;
}

/**
 * Grade a notebook file against an assignment's hidden tests.
 *
 * @param hw Assignment id, e.g. `"hw1_dcgan"`.
 * @param notebookPath The notebook; default the assignment's starter.
 *
 * @example
 * ```ts ignore
 * import { gradeNotebook } from "./grade.ts";
 * const report = await gradeNotebook("hw1_dcgan", "homework/hw1_dcgan/hw1_dcgan.ipynb");
 * console.log(report.total, report.maxTotal);
 * ```
 */
export async function gradeNotebook(
  hw: string,
  notebookPath: string = starterPath(hw),
  options: GradeOptions = {},
): Promise<GradeReport> {
  const nb = parseNotebook(await Deno.readTextFile(notebookPath), notebookPath);
  return await gradeParsed(hw, nb, notebookPath, options);
}

/** Grade an already parsed notebook (see {@linkcode gradeNotebook}). */
export async function gradeParsed(
  hwId: string,
  nb: Notebook,
  label: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const hw = assignment(hwId);
  const parts = notebookParts(nb);
  const workDir = join(PROJECT_ROOT, "runs", "grade");
  await Deno.mkdir(workDir, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: workDir, prefix: `${hwId}_` });
  const items: ItemScore[] = [];
  try {
    for (const item of hw.items) {
      if (options.only && !options.only.includes(item.id)) continue;
      const started = performance.now();
      let checks: CheckOutcome[];
      if ("checkReport" in item) {
        checks = (item as ReportItem).checkReport(parts.report);
      } else {
        const built = itemModule(hw, item, parts.graded);
        if ("problem" in built) {
          checks = [{ name: "code found", passed: false, detail: built.problem }];
        } else {
          const path = join(tmp, `${item.id}.ts`);
          await Deno.writeTextFile(path, built.source);
          checks = await runCodeItem(hwId, item, path, options.timeoutS ?? item.timeoutS);
        }
      }
      if (parts.duplicates.length > 0 && "cells" in item) {
        const dup = item.cells.filter((c) => parts.duplicates.includes(c));
        if (dup.length > 0) {
          checks.push({
            name: "one cell per marker",
            passed: true,
            detail: `note: several cells are marked ${dup.join(", ")}; the last one was graded`,
          });
        }
      }
      const score: ItemScore = {
        id: item.id,
        title: item.title,
        score: scoreOf(item.points, checks),
        points: item.points,
        checks,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
      items.push(score);
      options.onItem?.(score);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 100) / 100;
  return {
    hw: hwId,
    notebook: label,
    items,
    total: sum(items.map((i) => i.score)),
    maxTotal: sum(items.map((i) => i.points)),
    time: new Date().toISOString(),
  };
}

/** The score table and feedback as text. */
export function formatItem(item: ItemScore): string {
  const lines = [
    `${item.score.toFixed(2).padStart(6)} / ${item.points}  ${item.title} (${item.seconds} s)`,
  ];
  for (const check of item.checks) {
    lines.push(`          ${check.passed ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  }
  return lines.join("\n");
}

const USAGE =
  `Usage: deno task grade <hw> [notebook.ipynb] [--json FILE] [--solution] [--only ID,...]

  <hw>        one of: ${Object.keys(ASSIGNMENTS).join(", ")}
  notebook    the notebook to grade (default: the starter, homework/<hw>/<hw>.ipynb)
  --json      also write the scores and feedback as JSON (for a gradebook)
  --solution  grade the reference solution instead (a check of the grader itself)
  --only      grade only these item ids`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "string" },
      solution: { type: "boolean", default: false },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [hw, notebook] = positionals;
  if (values.help || !hw || !(hw in ASSIGNMENTS)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const options: GradeOptions = {
    only: values.only?.split(","),
    onItem: (item) => console.log(formatItem(item)),
  };
  console.log(`Grading ${hw}: ${ASSIGNMENTS[hw].title}`);
  let report: GradeReport;
  try {
    report = values.solution
      ? await gradeParsed(hw, await solutionNotebook(hw), "reference solution", options)
      : await gradeNotebook(hw, notebook ?? starterPath(hw), options);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  }
  console.log(`\nTotal: ${report.total} / ${report.maxTotal}  (${report.notebook})`);
  if (values.json) {
    await Deno.writeTextFile(values.json, JSON.stringify(report, null, 2) + "\n");
    console.log(`Scores written to ${relative(Deno.cwd(), values.json) || values.json}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
