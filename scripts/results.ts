/**
 * Rebuild the README's results table by running the notebooks (`deno task results`).
 *
 * Each notebook runs headlessly with the real Deno kernel (the `cpu` profile unless `--profile`
 * says otherwise) and records its headline numbers with `recordResult()` from lib/results.ts into
 * the file named by `COURSE_RESULTS`. This script collects them with the wall time of each run,
 * keeps them in `notebooks/results.json` (a re-run of some notebooks replaces only their rows, keeping
 * the replaced run's figures for comparison),
 * rewrites the headline table between the `<!-- results:start -->` and `<!-- results:end -->`
 * markers of README.md and writes every figure into RESULTS.md (scripts/results_table.ts).
 *
 * Usage: `deno task results [notebooks...] [--profile cpu|ci|gpu] [--timeout SECONDS] [--no-readme]`
 * (`--timeout` is the limit of one cell, 1800 s by default: a training cell of the `cpu` profile can
 * pass the runner's usual 600 s on a busy machine). `deno task results --table-only` runs nothing
 * and rewrites the README table and RESULTS.md from `notebooks/results.json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "./jupyter_env.ts";
import { runNotebooks } from "./run_notebooks.ts";
import { setupForCommand } from "./setup.ts";
import type { ResultRecord } from "../lib/results.ts";
import {
  DETAILS_PAGE,
  type NotebookResults,
  previousRun,
  replaceResultsSection,
  resultsDetails,
  resultsTable,
} from "./results_table.ts";

/** Where the collected results live. */
export const RESULTS_JSON = `${PROJECT_ROOT}/notebooks/results.json`;

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

/**
 * Put the headline table into README.md's results section and every figure into RESULTS.md, both
 * formatted as `deno fmt` does, so the test suite's `deno fmt --check` stays green.
 */
async function writeResultsPages(rows: NotebookResults[]): Promise<void> {
  const readmePath = `${PROJECT_ROOT}/README.md`;
  const detailsPath = `${PROJECT_ROOT}/${DETAILS_PAGE}`;
  await Deno.writeTextFile(
    readmePath,
    replaceResultsSection(await Deno.readTextFile(readmePath), resultsTable(rows)),
  );
  await Deno.writeTextFile(detailsPath, resultsDetails(rows));
  const fmt = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "-q", readmePath, detailsPath],
  }).output();
  if (!fmt.success) {
    throw new Error(`Cannot format ${readmePath} and ${detailsPath}: deno fmt failed`);
  }
  console.log(`results: README.md and ${DETAILS_PAGE} updated`);
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
    await writeResultsPages(await readStored());
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
    if (index >= 0) {
      const previous = previousRun(stored[index]);
      stored[index] = previous ? { ...row, previous } : row;
    } else stored.push(row);
    // Save after every notebook, so an interrupted run keeps what it measured.
    await Deno.writeTextFile(RESULTS_JSON, JSON.stringify(stored, null, 2) + "\n");
  }
  Deno.env.delete("COURSE_RESULTS");
  const rows = await readStored();
  console.log(`\n${resultsTable(rows)}`);
  if (!values["no-readme"]) await writeResultsPages(rows);
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
