/**
 * Rebuild the README's results table by running the notebooks (`deno task results`).
 *
 * Each notebook runs headlessly with the real Deno kernel (the `cpu` profile unless `--profile`
 * says otherwise) and records its headline numbers with `recordResult()` from lib/results.ts into
 * the file named by `COURSE_RESULTS`. This script collects them with the wall time of each run,
 * keeps them in `notebooks/results.json` (a re-run of some notebooks replaces only their rows), and
 * rewrites the table between the `<!-- results:start -->` and `<!-- results:end -->` markers of
 * README.md.
 *
 * Usage: `deno task results [notebooks...] [--profile cpu|ci|gpu] [--timeout SECONDS] [--no-readme]`
 * (`--timeout` is the limit of one cell, 1800 s by default: a training cell of the `cpu` profile can
 * pass the runner's usual 600 s on a busy machine). `deno task results --table-only` runs nothing
 * and rewrites the README table from `notebooks/results.json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "./jupyter_env.ts";
import { runNotebooks } from "./run_notebooks.ts";
import { setupForCommand } from "./setup.ts";
import type { ResultRecord } from "../lib/results.ts";

/** One notebook's row: how the run went and what it recorded. */
export interface NotebookResults {
  /** Notebook path relative to the project root. */
  notebook: string;
  /** Profile of the run. */
  profile: string;
  /** Whether every cell ran without error. */
  ok: boolean;
  /** Wall-clock seconds, kernel start included. */
  seconds: number;
  /** CPU seconds of the kernel process (absent in rows measured before it was recorded). */
  cpuSeconds?: number;
  /** ISO date of the run. */
  date: string;
  /** The records the notebook wrote. */
  records: ResultRecord[];
}

/** Where the collected results live. */
export const RESULTS_JSON = `${PROJECT_ROOT}/notebooks/results.json`;
const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/**
 * The Markdown table of the README's results section.
 *
 * @example
 * ```ts
 * import { match as assertMatch } from "node:assert/strict";
 * import { resultsTable } from "./results.ts";
 * const table = resultsTable([{
 *   notebook: "notebooks/02_dcgan.ipynb", profile: "cpu", ok: true, seconds: 312, date: "2026-11-22",
 *   records: [{ source: "02_dcgan", metric: "FID", value: 21.5, time: "2026-11-22T05:00:00Z", backend: "wasm" }],
 * }]);
 * assertMatch(table, /^\| 02_dcgan \| cpu \| wasm \| 5\.2 min \|.*FID 21\.5/m);
 * ```
 */
export function resultsTable(rows: NotebookResults[]): string {
  const lines = [
    "| notebook | profile | backend | time | CPU time | results | run on |",
    "| --- | --- | --- | ---: | ---: | --- | --- |",
  ];
  for (const row of [...rows].sort((a, b) => a.notebook.localeCompare(b.notebook))) {
    const name = row.notebook.replace(/^.*\//, "").replace(/\.ipynb$/, "");
    const backend = row.records.find((r) => r.backend)?.backend ?? "?";
    const results = row.ok
      ? row.records.map((r) =>
        `${cell(r.metric)} ${formatValue(r.value)}${r.unit ? ` ${cell(r.unit)}` : ""}`
      ).join("; ") || "(no metric recorded)"
      : "FAILED (see `deno task notebooks " + row.notebook + "`)";
    const cpu = row.cpuSeconds === undefined ? "-" : duration(row.cpuSeconds);
    lines.push(
      `| ${name} | ${row.profile} | ${backend} | ${duration(row.seconds)} | ${cpu} | ${results} | ${
        row.date.slice(0, 10)
      } |`,
    );
  }
  return lines.join("\n");
}

function duration(seconds: number): string {
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`;
}

/**
 * Replace the text between the results markers of a README; throws when the markers are missing.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { replaceResultsSection } from "./results.ts";
 * const readme = "# X\n<!-- results:start -->\nold\n<!-- results:end -->\n";
 * assertEquals(
 *   replaceResultsSection(readme, "new"),
 *   "# X\n<!-- results:start -->\nnew\n<!-- results:end -->\n",
 * );
 * ```
 */
export function replaceResultsSection(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(
      `Cannot update README.md: it has no "${START}" ... "${END}" section; add the two markers ` +
        `where the results table belongs, then run again.`,
    );
  }
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

/** Text safe inside a Markdown table cell (a metric name such as "|D - D*|" has pipes). */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(3);
}

async function readRecords(path: string): Promise<ResultRecord[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter(Boolean).map((line) =>
      JSON.parse(line) as ResultRecord
    );
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

async function readStored(): Promise<NotebookResults[]> {
  try {
    return JSON.parse(await Deno.readTextFile(RESULTS_JSON)) as NotebookResults[];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new Error(
      `Cannot read ${RESULTS_JSON}: ${(error as Error).message}. Delete it to start a fresh table.`,
    );
  }
}

async function defaultNotebooks(): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${PROJECT_ROOT}/notebooks`)) {
    if (entry.isFile && /^(0[1-9]|[1-9]\d)_.*\.ipynb$/.test(entry.name)) {
      found.push(`notebooks/${entry.name}`);
    }
  }
  return found.sort();
}

/** Put `table` into README.md's results section and format the file as `deno fmt` does. */
async function writeReadmeTable(table: string): Promise<void> {
  const readmePath = `${PROJECT_ROOT}/README.md`;
  await Deno.writeTextFile(
    readmePath,
    replaceResultsSection(await Deno.readTextFile(readmePath), table),
  );
  // Align the table as `deno fmt` does, so the test suite's `deno fmt --check` stays green.
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", readmePath] }).output();
  if (!fmt.success) throw new Error(`Cannot format ${readmePath}: deno fmt failed`);
  console.log("results: README.md updated");
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      profile: { type: "string", default: "cpu" },
      timeout: { type: "string", default: "1800" },
      "no-readme": { type: "boolean" },
      "table-only": { type: "boolean" },
    },
  });
  if (values["table-only"]) {
    await writeReadmeTable(resultsTable(await readStored()));
    return 0;
  }
  const profile = values.profile!;
  if (!["ci", "cpu", "gpu"].includes(profile)) {
    console.error(`results: --profile must be ci, cpu or gpu, got "${profile}"`);
    return 2;
  }
  if (!await setupForCommand({ quiet: true })) return 1;
  if (!(Number(values.timeout) > 0)) {
    console.error(
      `results: --timeout must be a positive number of seconds, got "${values.timeout}"`,
    );
    return 2;
  }
  const notebooks = positionals.length > 0 ? positionals : await defaultNotebooks();
  const tmp = await Deno.makeTempDir({ prefix: "course-results-" });
  let failed = 0;
  for (const notebook of notebooks) {
    const recordsFile = `${tmp}/${notebook.replace(/\W/g, "_")}.jsonl`;
    Deno.env.set("COURSE_RESULTS", recordsFile);
    console.log(`results: running ${notebook} (profile ${profile}) ...`);
    const [run] = await runNotebooks([notebook], { profile, cellTimeout: Number(values.timeout) });
    const row: NotebookResults = {
      notebook,
      profile,
      ok: run.ok,
      seconds: Math.round(run.seconds * 10) / 10,
      cpuSeconds: Math.round(run.cpuSeconds * 10) / 10,
      date: new Date().toISOString(),
      records: await readRecords(recordsFile),
    };
    if (!run.ok) {
      failed++;
      console.error(`results: ${notebook} failed at cell ${run.cell}:\n${run.error}`);
    }
    console.log(
      `results: ${notebook}: ${run.seconds.toFixed(1)} s (CPU ${
        run.cpuSeconds.toFixed(1)
      } s), ${row.records.length} records`,
    );
    // Read the file again: another results run may have saved its rows in the meantime.
    const stored = await readStored();
    const index = stored.findIndex((r) => r.notebook === notebook);
    if (index >= 0) stored[index] = row;
    else stored.push(row);
    // Save after every notebook, so an interrupted run keeps what it measured.
    await Deno.writeTextFile(RESULTS_JSON, JSON.stringify(stored, null, 2) + "\n");
  }
  Deno.env.delete("COURSE_RESULTS");
  const table = resultsTable(await readStored());
  console.log(`\n${table}`);
  if (!values["no-readme"]) await writeReadmeTable(table);
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
