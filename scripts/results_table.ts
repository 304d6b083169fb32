/**
 * How `deno task results` shows what the notebooks measured: one row per notebook in README.md
 * (its headline figure, its time, a link to the rest) and every figure in RESULTS.md.
 *
 * A notebook's headline is the result it recorded with `headline: true` (`recordResult()`'s option),
 * else its first.
 *
 * @module
 */
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
  /** The figures of the run this one replaced, when it ran without error (see {@linkcode previousRun}). */
  previous?: PreviousRun;
}

/** What a replaced run measured: its date and each metric's value. */
export interface PreviousRun {
  /** ISO date of the replaced run. */
  date: string;
  /** Each metric's value in that run. */
  values: Record<string, number>;
}

/**
 * The figures to keep from `replaced` when a new run takes its place, so RESULTS.md can show what
 * changed; `undefined` when the replaced run failed or recorded nothing.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { previousRun } from "./results_table.ts";
 * const replaced = {
 *   notebook: "notebooks/08_cgan.ipynb", profile: "cpu", ok: true, seconds: 90, date: "2026-11-22",
 *   records: [{ source: "08_cgan", metric: "class accuracy", value: 98.1, time: "" }],
 * };
 * assertEquals(previousRun(replaced), { date: "2026-11-22", values: { "class accuracy": 98.1 } });
 * assertEquals(previousRun({ ...replaced, ok: false }), undefined);
 * ```
 */
export function previousRun(replaced: NotebookResults): PreviousRun | undefined {
  if (!replaced.ok || replaced.records.length === 0) return undefined;
  const values: Record<string, number> = {};
  for (const record of replaced.records) values[record.metric] = record.value;
  return { date: replaced.date, values };
}

/** The page that lists every figure, next to README.md. */
export const DETAILS_PAGE = "RESULTS.md";

const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/** `notebooks/02_dcgan.ipynb` -> `02_dcgan`. */
function shortName(notebook: string): string {
  return notebook.replace(/^.*\//, "").replace(/\.ipynb$/, "");
}

function sorted(rows: NotebookResults[]): NotebookResults[] {
  return [...rows].sort((a, b) => a.notebook.localeCompare(b.notebook));
}

/** A duration as people read it: seconds up to two minutes, then minutes. */
function duration(seconds: number): string {
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`;
}

/** Text safe inside a Markdown table cell (a metric name such as "|D - D*|" has pipes). */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(3);
}

function formatRecord(record: ResultRecord): string {
  return `${cell(record.metric)}: **${formatValue(record.value)}**${
    record.unit ? ` ${cell(record.unit)}` : ""
  }`;
}

function failure(row: NotebookResults): string {
  return `FAILED (run \`deno task notebooks ${row.notebook}\` to see why)`;
}

/**
 * README.md's results table: per notebook its headline figure, wall and CPU time, and a link to
 * all its figures in {@linkcode DETAILS_PAGE}.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { resultsTable } from "./results_table.ts";
 * const table = resultsTable([{
 *   notebook: "notebooks/02_dcgan.ipynb", profile: "cpu", ok: true, seconds: 312, cpuSeconds: 300,
 *   date: "2026-11-22", records: [
 *     { source: "02_dcgan", metric: "FID", value: 21.5, time: "", backend: "wasm" },
 *     { source: "02_dcgan", metric: "IS", value: 6.2, time: "" },
 *   ],
 * }]);
 * assert(table.includes("| 02_dcgan | FID: **21.5** | [all 2](RESULTS.md#02_dcgan) | 5.2 min | 5.0 min |"));
 * ```
 */
export function resultsTable(rows: NotebookResults[]): string {
  const lines = [
    "| notebook | headline result | all results | time | CPU time |",
    "| --- | --- | --- | ---: | ---: |",
  ];
  for (const row of sorted(rows)) {
    const name = shortName(row.notebook);
    const headline = !row.ok
      ? failure(row)
      : row.records.length > 0
      ? formatRecord(row.records.find((record) => record.headline) ?? row.records[0])
      : "(no result recorded)";
    const cpu = row.cpuSeconds === undefined ? "-" : duration(row.cpuSeconds);
    const link = `[all ${row.records.length}](${DETAILS_PAGE}#${name})`;
    lines.push(`| ${name} | ${headline} | ${link} | ${duration(row.seconds)} | ${cpu} |`);
  }
  return lines.join("\n");
}

/**
 * The whole of {@linkcode DETAILS_PAGE}: per notebook, how it ran and every figure it recorded.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { resultsDetails } from "./results_table.ts";
 * const page = resultsDetails([{
 *   notebook: "notebooks/08_cgan.ipynb", profile: "cpu", ok: true, seconds: 90, date: "2026-11-22T05:00Z",
 *   records: [{ source: "08_cgan", metric: "class accuracy", value: 98.1, unit: "%", time: "", backend: "wasm" }],
 * }]);
 * assert(page.includes("## 08_cgan\n"));
 * assert(page.includes("| class accuracy | 98.1 | % |"));
 * const rerun = resultsDetails([{
 *   notebook: "notebooks/08_cgan.ipynb", profile: "cpu", ok: true, seconds: 90, date: "2026-12-03T05:00Z",
 *   records: [{ source: "08_cgan", metric: "class accuracy", value: 97.5, unit: "%", time: "" }],
 *   previous: { date: "2026-11-22T05:00Z", values: { "class accuracy": 98.1 } },
 * }]);
 * assert(rerun.includes("| result | value | run of 2026-11-22 | unit |"));
 * assert(rerun.includes("| class accuracy | 97.5 | 98.1 | % |"));
 * ```
 */
export function resultsDetails(rows: NotebookResults[]): string {
  const parts = [
    "# Results",
    "",
    "Every figure the notebooks record, from the runs of `deno task results` (written by it: do not",
    "edit), next to the run each replaced where there was one. README.md shows each notebook's",
    "headline figure.",
  ];
  for (const row of sorted(rows)) {
    const backend = row.records.find((r) => r.backend)?.backend ?? "?";
    const cpu = row.cpuSeconds === undefined ? "" : `, CPU ${duration(row.cpuSeconds)}`;
    parts.push(
      "",
      `## ${shortName(row.notebook)}`,
      "",
      `\`${row.notebook}\`, profile \`${row.profile}\`, backend \`${backend}\`, run on ${
        row.date.slice(0, 10)
      }: ${duration(row.seconds)}${cpu}.`,
      "",
    );
    if (!row.ok) {
      parts.push(failure(row));
      continue;
    }
    const previous = row.previous;
    parts.push(
      previous
        ? `| result | value | run of ${previous.date.slice(0, 10)} | unit |`
        : "| result | value | unit |",
      previous ? "| --- | ---: | ---: | --- |" : "| --- | ---: | --- |",
    );
    for (const record of row.records) {
      const before = previous?.values[record.metric];
      const columns = [
        cell(record.metric),
        formatValue(record.value),
        ...(previous ? [before === undefined ? "new" : formatValue(before)] : []),
        cell(record.unit ?? ""),
      ];
      parts.push(`| ${columns.join(" | ")} |`);
    }
  }
  return parts.join("\n") + "\n";
}

/**
 * Replace the text between the results markers of a README; throws when the markers are missing.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { replaceResultsSection } from "./results_table.ts";
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
