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
import { initBackend } from "../../lib/backend.ts";
import type { Assignment, CheckOutcome, CodeItem, Observations, ReportItem } from "./check.ts";
import { HOMEWORK_RUN_MIME, type HomeworkRun } from "../../lib/notebook/homework_results.ts";
import {
  cellText,
  fillNotebook,
  type Notebook,
  notebookParts,
  parseNotebook,
  reportSections,
  solutionSections,
} from "./notebook.ts";
import { gradeFolder, writeGradebook } from "./gradebook.ts";
import { loggedRuns } from "./report_checks.ts";
import { runSandboxed } from "./sandbox.ts";
import libConfig from "../../lib/deno.json" with { type: "json" };

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
  const filled = fillNotebook(starter, sections, report);
  let runs: HomeworkRun[] = [];
  try {
    runs = JSON.parse(await Deno.readTextFile(solutionRunsPath(hw)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  // The runs a real execution of this notebook logged, as its saved outputs hold them.
  const cell = filled.cells.findLast((c) => c.cell_type === "code" && /logRun\(/.test(cellText(c)));
  if (cell && runs.length > 0) {
    cell.outputs = runs.map((run) => ({
      output_type: "display_data",
      metadata: {},
      data: { "text/plain": `logged run "${run.run}"`, [HOMEWORK_RUN_MIME]: run },
    }));
  }
  return filled;
}

/** The runs a ci execution of the reference solution's notebook logged (`solution_runs.ts`). */
export function solutionRunsPath(hw: string): string {
  return join(HOMEWORK_DIR, "solutions", `${hw}_runs.json`);
}

/** The library's folder: the workspace package `@course/lib` (its faces are in `lib/deno.json`). */
const LIB_DIR = join(PROJECT_ROOT, "lib");
/** Library modules a graded cell may not import: they hold the very code the cell must write. */
const FORBIDDEN_LIB = /^(losses\.ts|mod\.ts|variants\/|train\/)/;
/** The package's name, `@course/lib`, and its exports: subpath (`.`, `./data`, ...) -> file. */
const LIB_PACKAGE = libConfig.name;
const LIB_EXPORTS: Readonly<Record<string, string>> = libConfig.exports;
const TF_SPECIFIER = "@tensorflow/tfjs";
const IMPORT_LINE =
  /^[ \t]*import\s+(?:type\s+)?(?:[A-Za-z_$][\w$]*|\*\s*as\s+[A-Za-z_$][\w$]*|\{[\w$\s,]*\})\s*from\s*(["'])([^"'\n]*)\1[ \t]*;?[ \t]*$/gm;
const TF_IMPORT = `import * as tf from "${TF_SPECIFIER}";`;

/** The library file (relative to lib/) that a package specifier of `@course/lib` names, or
 * undefined: only the subpaths of its exports map, spelled plainly (letters, digits, `_`, `/`). */
function exportedFile(specifier: string): string | undefined {
  if (specifier === LIB_PACKAGE) return relative(".", LIB_EXPORTS["."]);
  if (!specifier.startsWith(`${LIB_PACKAGE}/`)) return undefined;
  const subpath = `.${specifier.slice(LIB_PACKAGE.length)}`;
  if (!/^\.(?:\/[a-z0-9_]+)+$/.test(subpath) || !Object.hasOwn(LIB_EXPORTS, subpath)) {
    return undefined;
  }
  return relative(".", LIB_EXPORTS[subpath]);
}

/**
 * Why a graded cell's import specifier is refused, or null. Only `@tensorflow/tfjs` and the
 * exports of the `@course/lib` package (`@course/lib/data`, `@course/lib/models`, ...) that do not
 * reach the graded answers pass: not `@course/lib` itself (`lib/mod.ts`), `@course/lib/variants`,
 * `@course/lib/train` or any face whose modules import the library's losses; nor a face that
 * loads native code (`@course/lib/data`: sharp), which the sandbox could not run. The specifier
 * must be one of the package's exports as spelled in `lib/deno.json`, so no encoding, `..`, path
 * or URL can reach another file.
 *
 * @example
 * ```ts
 * import { match as assertMatch, strictEqual as assertEquals } from "node:assert/strict";
 * import { importProblem } from "./grade.ts";
 * assertEquals(importProblem("@course/lib/core"), null);
 * assertMatch(importProblem("@course/lib") ?? "", /must be your own/);
 * assertMatch(importProblem("@course/lib/variants/objectives") ?? "", /must be your own/);
 * assertMatch(importProblem("@course/lib/data") ?? "", /native code/);
 * assertMatch(importProblem("@course/lib/%6Cosses") ?? "", /may import only/);
 * assertMatch(importProblem("@course/lib/data/toy.ts") ?? "", /may import only/);
 * assertMatch(importProblem("../../lib/losses.ts") ?? "", /may import only/);
 * ```
 */
export function importProblem(specifier: string): string | null {
  if (specifier === TF_SPECIFIER) return null;
  const file = exportedFile(specifier);
  if (file !== undefined && FORBIDDEN_LIB.test(file)) {
    return `graded code must be your own: it imports "${specifier}", which holds the answer; ` +
      `write the computation with tf ops instead`;
  }
  if (file !== undefined) {
    const reached = libClosure(file);
    const answer = [...reached.files].find((path) => FORBIDDEN_LIB.test(path));
    if (answer) {
      return `graded code must be your own: "${specifier}" imports "lib/${answer}", which ` +
        `holds the answer; write the computation with tf ops instead`;
    }
    if (reached.native) {
      return `graded cells cannot import "${specifier}": its "lib/${reached.native}" loads ` +
        `native code (sharp), which the grader's sandbox does not allow; use it in a cell that ` +
        `is not graded, or write the computation with tf ops`;
    }
    if (reached.files.size > 0) return null;
  }
  return `graded cells may import only "${TF_SPECIFIER}" and the library's areas by the names ` +
    `of its package ("${LIB_PACKAGE}/data", "${LIB_PACKAGE}/models", ...; not its losses, ` +
    `variants, training loop or "${LIB_PACKAGE}" itself), got "${specifier.slice(0, 80)}"`;
}

/** A relative import of a library module, on a line of code (doc examples in comments are not
 * imports). */
const LIB_IMPORT = /^(?![ \t]*(?:\*|\/\/))[^\n]*?(?:from|import)\s*["'](\.{1,2}\/[^"'\n]+)["']/gm;
/** npm packages with native code, which the sandbox cannot load (no FFI or environment access). */
const NATIVE_IMPORT = /^(?![ \t]*(?:\*|\/\/))[^\n]*?(?:from|import)\s*["'](sharp)["']/m;

/** The library files (relative to lib/) a library module reaches by its relative imports, itself
 * included, and the first of them that imports a native npm package; no files when the module does
 * not exist. The library is trusted code with plain imports. */
function libClosure(start: string): { files: Set<string>; native?: string } {
  const seen = new Set<string>();
  let native: string | undefined;
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    let text: string;
    try {
      text = Deno.readTextFileSync(join(LIB_DIR, file));
    } catch {
      continue;
    }
    seen.add(file);
    native ??= NATIVE_IMPORT.test(text) ? file : undefined;
    for (const [, spec] of text.matchAll(LIB_IMPORT)) {
      queue.push(relative(LIB_DIR, join(LIB_DIR, dirname(file), spec)));
    }
  }
  return { files: seen, native };
}

/** Why a cell's code may not be graded, or null; plus its import lines and the rest. */
function prepareCell(code: string): { problem: string | null; imports: string[]; body: string } {
  const imports: string[] = [];
  let problem: string | null = null;
  const body = code.replace(IMPORT_LINE, (line, _quote: string, specifier: string) => {
    problem ??= importProblem(specifier);
    if (line.trim().replace(/;?$/, ";") !== TF_IMPORT) imports.push(line.trim());
    return "";
  });
  if (!problem && /\b(import|export)\b/.test(body)) {
    problem = "import and export may appear only in import lines at the top of a graded cell " +
      '(import { x } from "@course/lib/..."); dynamic import() and re-exports are not allowed';
  }
  return { problem, imports, body };
}

/** The files of one code item's sandboxed run, or a reason it cannot be built. */
interface ItemFiles {
  /** The student's module: boot, imports, the item's cells, exports. */
  student: string;
  /** The other cells' reference functions, bound so that their source cannot be read. */
  others: string | null;
  /** The entry that runs the probe. */
  entry: string;
}

async function itemFiles(
  hw: Assignment,
  item: CodeItem,
  graded: Map<string, string>,
): Promise<ItemFiles | { problem: string }> {
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
  const otherCells = Object.keys(hw.cellNames).filter((cell) => !item.cells.includes(cell));
  const others = otherCells.flatMap((cell) => hw.cellNames[cell]).filter((n) => !own.has(n));
  const grader = (file: string) => pathToFileURL(join(HOMEWORK_DIR, "grader", file)).href;
  let othersSource: string | null = null;
  if (others.length > 0) {
    const sections = solutionSections(await Deno.readTextFile(solutionPath(hw.id)));
    const lines = [TF_IMPORT];
    let wrap = (name: string) => name;
    if (item.wrapOthers) {
      const [module, name] = item.wrapOthers;
      lines.push(
        `import { ${name} as __wrap } from "${pathToFileURL(join(HOMEWORK_DIR, module)).href}";`,
      );
      wrap = (n) => `__wrap(${n})`;
    }
    otherCells.forEach((cell) => lines.push(sections.get(cell) ?? ""));
    for (const name of others) {
      lines.push(
        `const __${name} = typeof ${name} === "function" ? ${wrap(name)}.bind(null) : ${name};`,
        `export { __${name} as ${name} };`,
      );
    }
    othersSource = lines.join("\n") + "\n";
  }
  const student = [
    `import "${grader("probe_boot.ts")}";`,
    ...imports,
    ...(others.length > 0
      ? [`import { ${others.join(", ")} } from "./others_${item.id}.ts";`]
      : []),
    ...parts,
    `export { ${[...own].join(", ")} };`,
    "",
  ].join("\n");
  const context = item.prepareData ? { dataDir: `./data_${item.id}` } : {};
  const entry = [
    `import { runProbe } from "${grader("probe_main.ts")}";`,
    `import * as student from "./student_${item.id}.ts";`,
    `await runProbe(${JSON.stringify(hw.id)}, ${JSON.stringify(item.id)}, student, ${
      JSON.stringify(context)
    });`,
    "",
  ].join("\n");
  return { student, others: othersSource, entry };
}

/** Folders the sandboxed child may read: the npm packages (tfjs's wasm files) and the data. */
function sandboxReadPaths(): string[] {
  return [join(PROJECT_ROOT, "node_modules"), join(PROJECT_ROOT, "data")];
}

/** Most bytes a code item's run may print before it is stopped. */
export const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** Run one code item sandboxed and judge what it observed. */
async function runCodeItem(
  item: CodeItem,
  files: ItemFiles,
  dir: string,
  timeoutS: number,
): Promise<CheckOutcome[]> {
  await Deno.writeTextFile(join(dir, `student_${item.id}.ts`), files.student);
  if (files.others) await Deno.writeTextFile(join(dir, `others_${item.id}.ts`), files.others);
  const entry = join(dir, `entry_${item.id}.ts`);
  await Deno.writeTextFile(entry, files.entry);
  const readPaths = sandboxReadPaths();
  if (item.prepareData) {
    // The child reads this folder (its cwd is `dir`) and nothing else the grader wrote.
    const dataDir = join(dir, `data_${item.id}`);
    await Deno.mkdir(dataDir);
    await item.prepareData(dataDir);
    readPaths.push(dataDir);
  }
  const result = await runSandboxed({
    entry,
    config: join(PROJECT_ROOT, "deno.json"),
    readPaths,
    timeoutS,
    cwd: dir,
    maxOutputBytes: MAX_OUTPUT_BYTES,
  });
  const fail = (name: string, detail: string) => [{ name, passed: false, detail }];
  switch (result.kind) {
    case "timeout":
      return fail(
        "time limit",
        `stopped after ${timeoutS} s: look for an endless loop or far too many steps`,
      );
    case "overflow":
      return fail(
        "output size",
        `stopped: it printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB; print less`,
      );
    case "no-data": {
      const error = result.stderrTail.split("\n").find((line) => /^error: /i.test(line.trim()));
      return error
        ? fail(
          "code loads",
          `your graded cells do not compile or throw when run: ${
            error.trim().replace(/^error: (Uncaught (\(in promise\) )?)?/i, "").slice(0, 300)
          }`,
        )
        : fail("hidden test", `the test process ended without a result (exit ${result.code})`);
    }
  }
  const data = result.data as { observations?: unknown; failure?: unknown } | null;
  if (data && typeof data.failure === "string") {
    return fail("hidden test", data.failure.slice(0, 400));
  }
  if (!data || typeof data.observations !== "object" || data.observations === null) {
    return fail("hidden test", "the test process sent no observations");
  }
  try {
    return await item.judge(data.observations as Observations);
  } catch (error) {
    return fail("hidden test", `the grader could not judge the result: ${error}`.slice(0, 400));
  }
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
 * if (report.total > report.maxTotal) throw new Error("impossible score");
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
  const runs = loggedRuns(nb, hwId);
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
        checks = (item as ReportItem).checkReport({ report: parts.report, runs });
      } else {
        const files = await itemFiles(hw, item, parts.graded);
        if ("problem" in files) {
          checks = [{ name: "code found", passed: false, detail: files.problem }];
        } else {
          await initBackend(); // the judges replay references with tf
          checks = await runCodeItem(item, files, tmp, options.timeoutS ?? item.timeoutS);
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
  `Usage: deno task grade <hw> [notebook.ipynb | FOLDER] [--json FILE] [--gradebook BASE] [--solution] [--only ID,...]

  <hw>         one of: ${Object.keys(ASSIGNMENTS).join(", ")}
  notebook     the notebook to grade (default: the starter, homework/<hw>/<hw>.ipynb)
  FOLDER       grade every .ipynb in the folder (one row per file name) into a gradebook
  --json       also write the scores and feedback as JSON
  --gradebook  with a FOLDER: write BASE.csv and BASE.json (default: FOLDER/gradebook)
  --solution   grade the reference solution instead (a check of the grader itself)
  --only       grade only these item ids`;

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function gradeBatch(
  hw: string,
  dir: string,
  base: string,
  options: GradeOptions,
): Promise<number> {
  const book = await gradeFolder(hw, dir, {
    ...options,
    onItem: undefined,
    onNotebook: (row) =>
      console.log(
        `${row.total.toFixed(2).padStart(6)} / ${
          ASSIGNMENTS[hw].items.filter((i) => !options.only || options.only.includes(i.id))
            .reduce((sum, i) => sum + i.points, 0)
        }  ${row.student}${row.error ? `  (not graded: ${row.error})` : ""}`,
      ),
  });
  if (book.rows.length === 0) {
    console.error(`Cannot grade the folder ${dir}: it holds no .ipynb files`);
    return 2;
  }
  const [csv, json] = await writeGradebook(book, base);
  console.log(`\n${book.rows.length} notebooks; gradebook written to ${csv} and ${json}`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "string" },
      gradebook: { type: "string" },
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
  if (notebook && !values.solution && await isFolder(notebook)) {
    try {
      return await gradeBatch(
        hw,
        notebook,
        values.gradebook ?? join(notebook, "gradebook"),
        options,
      );
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      return 2;
    }
  }
  if (values.gradebook) {
    console.error("--gradebook needs a folder of notebooks, not one notebook: use --json FILE");
    return 2;
  }
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
