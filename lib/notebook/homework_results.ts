/**
 * Log the measured figures of a homework run so that the report can quote them and the grader can
 * check the quotes.
 *
 * A homework notebook's training and evaluation cells call {@linkcode logRun} with what they
 * measured (`{ "hair accuracy %": 86.2, FID: 132.4 }`). In Jupyter the run shows in the cell's
 * output as a line of text and, in the same output, as a JSON record of the MIME type
 * {@linkcode HOMEWORK_RUN_MIME}, which the saved notebook keeps. {@linkcode resultsTable} prints
 * every run logged so far as the Markdown table the report's experiments cell starts from; the
 * grader reads the records back from the submitted notebook's outputs and checks that every
 * number of that table agrees with the logged one.
 *
 * @module
 */
import { display, inJupyter } from "../viz/jupyter.ts";

/** The MIME type of a logged run in a notebook's outputs. */
export const HOMEWORK_RUN_MIME = "application/vnd.gan-course.homework-run+json";

/** One logged run: its label and its measured figures. */
export interface HomeworkRun {
  /** The assignment, e.g. `hw3_acgan`. */
  hw: string;
  /** The run's label, the first column of its row in the report's table. */
  run: string;
  /** The measured figures by name (the table's column headers). */
  metrics: Record<string, number>;
  /** The profile the run used (`ci`, `cpu`, `gpu`), when known. */
  profile?: string;
  /** ISO time of the log. */
  time: string;
}

/** The runs logged in this kernel, by assignment and label (a label logged again replaces). */
const session = new Map<string, HomeworkRun>();

/**
 * A figure as the results table writes it: 4 significant digits, no exponent for the usual range.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { formatFigure } from "./homework_results.ts";
 * assertEquals(formatFigure(86.2456), "86.25");
 * assertEquals(formatFigure(0.123456), "0.1235");
 * assertEquals(formatFigure(1234.56), "1235");
 * assertEquals(formatFigure(7), "7");
 * ```
 */
export function formatFigure(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return value.toFixed(Math.min(digits, 6));
}

function checkLabel(what: string, label: string): void {
  if (typeof label !== "string" || label.trim() === "" || /[|\n]/.test(label)) {
    throw new Error(
      `Cannot log the run: ${what} must be a non-empty one-line text without "|" (it goes in a ` +
        `Markdown table), got ${JSON.stringify(label)}`,
    );
  }
}

/**
 * Log one run's figures: returns the record, keeps it for {@linkcode resultsTable}, and shows it
 * in the cell's output (text, plus the JSON record the grader reads from the saved notebook).
 * Outside Jupyter it prints the text line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
 * import { logRun } from "./homework_results.ts";
 * const run = await logRun("hw9_demo", "toy ring", { "modes covered": 8, "high quality %": 91.25 });
 * assertEquals(run.metrics["modes covered"], 8);
 * await rejects(logRun("hw9_demo", "bad", { FID: NaN }), /finite number/);
 * ```
 */
export async function logRun(
  hw: string,
  run: string,
  metrics: Record<string, number>,
  options: { profile?: string } = {},
): Promise<HomeworkRun> {
  checkLabel("the assignment", hw);
  checkLabel("the run's label", run);
  const names = Object.keys(metrics);
  if (names.length === 0) throw new Error(`Cannot log run "${run}": it has no figures`);
  for (const name of names) {
    checkLabel(`the name of a figure of run "${run}"`, name);
    if (!Number.isFinite(metrics[name])) {
      throw new Error(
        `Cannot log run "${run}": figure "${name}" must be a finite number, got ${metrics[name]}`,
      );
    }
  }
  const record: HomeworkRun = {
    hw,
    run,
    metrics: { ...metrics },
    ...(options.profile ? { profile: options.profile } : {}),
    time: new Date().toISOString(),
  };
  session.set(`${hw}\n${run}`, record);
  const text = `logged run "${run}"${options.profile ? ` (${options.profile} profile)` : ""}: ` +
    names.map((name) => `${name} ${formatFigure(metrics[name])}`).join(", ");
  if (inJupyter()) {
    await display({ "text/plain": text, [HOMEWORK_RUN_MIME]: record });
  } else {
    console.log(text);
  }
  return record;
}

/**
 * The runs of `hw` logged in this kernel so far, in the order they were first logged.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { logRun, sessionRuns } from "./homework_results.ts";
 * assertEquals(sessionRuns("hw8_demo"), []);
 * await logRun("hw8_demo", "first", { FID: 3 });
 * assertEquals(sessionRuns("hw8_demo").map((r) => r.run), ["first"]);
 * ```
 */
export function sessionRuns(hw: string): HomeworkRun[] {
  return [...session.values()].filter((r) => r.hw === hw);
}

/**
 * The runs of `hw` logged in this kernel (or the `runs` given) as the report's Markdown table:
 * one row per run, one column per figure (a dash where a run lacks that figure).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { resultsTable } from "./homework_results.ts";
 * const time = "2026-01-01T00:00:00.000Z";
 * const table = resultsTable("hw9", [
 *   { hw: "hw9", run: "a", metrics: { FID: 12.346 }, time },
 *   { hw: "hw9", run: "b", metrics: { FID: 3, IS: 2.5 }, time },
 * ]);
 * assertEquals(table, "| run | FID | IS |\n|---|---|---|\n| a | 12.35 | - |\n| b | 3 | 2.500 |");
 * ```
 */
export function resultsTable(hw: string, runs?: HomeworkRun[]): string {
  const rows = (runs ?? [...session.values()]).filter((r) => r.hw === hw);
  if (rows.length === 0) {
    throw new Error(
      `Cannot make the results table: no run of ${hw} has been logged yet; run the ` +
        `training cells first`,
    );
  }
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(["run", ...names]),
    `|${names.map(() => "---|").join("")}---|`,
    ...rows.map((r) =>
      line([r.run, ...names.map((n) => n in r.metrics ? formatFigure(r.metrics[n]) : "-")])
    ),
  ].join("\n");
}
