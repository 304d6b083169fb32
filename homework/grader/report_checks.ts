/**
 * The report items every assignment shares, in the format of the course's model report (seed 001):
 * a model description with a generator and a discriminator table, what improved training, the
 * experiments with numbers, and a bonus.
 *
 * The numbers are not counted, they are checked: the notebook's training cells log what they
 * measured (`logRun()` of `lib/notebook/homework_results.ts`, kept in the saved notebook's
 * outputs), and every number of the report's results table (first column `run`, one column per
 * logged figure) must agree with the logged figure of that run and column, within the rounding
 * the report shows. A number that no run logged fails the check.
 *
 * @module
 */
import { HOMEWORK_RUN_MIME, type HomeworkRun } from "../../lib/notebook/homework_results.ts";
import type { CheckOutcome, ReportItem } from "./check.ts";
import type { Notebook } from "./notebook.ts";

/** What the report checks see: the report cells' text and the runs the notebook logged. */
export interface ReportContext {
  /** Text of each report cell by id, the marker line removed. */
  report: Map<string, string>;
  /** The runs the notebook's outputs logged for this assignment, by label. */
  runs: Map<string, HomeworkRun>;
}

function isRun(value: unknown, hw: string): value is HomeworkRun {
  const r = value as HomeworkRun | null;
  return typeof r === "object" && r !== null && r.hw === hw && typeof r.run === "string" &&
    typeof r.metrics === "object" && r.metrics !== null &&
    Object.values(r.metrics).every((v) => typeof v === "number" && Number.isFinite(v));
}

/**
 * The runs of `hw` that a notebook's saved outputs logged, by label (a label logged twice: the
 * later output wins).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { loggedRuns } from "./report_checks.ts";
 * const record = { hw: "hw1", run: "toy", metrics: { "modes covered": 8 }, time: "" };
 * const nb = {
 *   cells: [{
 *     cell_type: "code",
 *     source: "",
 *     outputs: [{ output_type: "display_data", data: {
 *       "application/vnd.gan-course.homework-run+json": record,
 *     } }],
 *   }],
 * };
 * assertEquals(loggedRuns(nb, "hw1").get("toy")?.metrics, { "modes covered": 8 });
 * assertEquals(loggedRuns(nb, "hw2").size, 0);
 * ```
 */
export function loggedRuns(nb: Notebook, hw: string): Map<string, HomeworkRun> {
  const runs = new Map<string, HomeworkRun>();
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code" || !Array.isArray(cell.outputs)) continue;
    for (const output of cell.outputs as { data?: Record<string, unknown> }[]) {
      let value = output?.data?.[HOMEWORK_RUN_MIME];
      if (typeof value === "string" || Array.isArray(value)) {
        try {
          value = JSON.parse([value].flat().join(""));
        } catch {
          continue;
        }
      }
      if (isRun(value, hw)) runs.set(value.run, value);
    }
  }
  return runs;
}

/** A Markdown table: its header cells and its body rows' cells. */
export interface MarkdownTable {
  /** The header's cells. */
  header: string[];
  /** The body rows' cells (the separator row left out). */
  rows: string[][];
}

/**
 * The Markdown tables of a text, in order.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { markdownTables } from "./report_checks.ts";
 * const text = "Intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nthen\n\n| c |\n|---|\n| x |";
 * assertEquals(markdownTables(text), [
 *   { header: ["a", "b"], rows: [["1", "2"]] },
 *   { header: ["c"], rows: [["x"]] },
 * ]);
 * ```
 */
export function markdownTables(text: string): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  let block: string[] = [];
  const cells = (row: string) =>
    row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  const flush = () => {
    if (block.length >= 2 && /^\|?[\s:|-]+\|?$/.test(block[1]) && block[1].includes("-")) {
      tables.push({ header: cells(block[0]), rows: block.slice(2).map(cells) });
    }
    block = [];
  };
  for (const line of text.split("\n")) {
    if (line.trim().startsWith("|")) block.push(line.trim());
    else flush();
  }
  flush();
  return tables;
}

/** Lines of a report cell outside its tables and without TODO prompts, as words. */
function ownWords(text: string): number {
  return text.split("\n")
    .filter((line) => !/TODO/.test(line) && !line.trim().startsWith("|"))
    .join(" ")
    .split(/\s+/)
    .filter((w) => /[A-Za-z\u00C0-\uFFFF0-9]/.test(w)).length;
}

/** A cell that still holds its TODO prompt earns nothing: every check fails, saying why. */
function unlessTodo(text: string, outcomes: CheckOutcome[]): CheckOutcome[] {
  if (!/TODO/.test(text)) return outcomes;
  return outcomes.map((o) =>
    o.passed ? { ...o, passed: false, detail: "not counted: the cell still contains TODO" } : o
  );
}

function missingCell(id: string, what: string): CheckOutcome[] {
  return [{
    name: `${what} cell`,
    passed: false,
    detail: `no Markdown cell starts with "<!-- @report: ${id} -->": keep the marker line`,
  }];
}

function prose(text: string, what: string, minWords: number): CheckOutcome[] {
  const words = ownWords(text);
  return [
    {
      name: `${what}: the TODO prompt is replaced`,
      passed: !/TODO/.test(text),
      detail: /TODO/.test(text) ? "the cell still contains TODO" : "done",
    },
    {
      name: `${what}: at least ${minWords} words of your own (tables not counted)`,
      passed: words >= minWords,
      detail: `${words} words`,
    },
  ];
}

/**
 * A report item's check: the TODO prompt replaced and at least `minWords` words outside tables.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { checkProse } from "./report_checks.ts";
 * const check = checkProse("improvements", "improvements", 3);
 * const outcomes = check({ report: new Map([["improvements", "Label smoothing helped D."]]), runs: new Map() });
 * assertEquals(outcomes.map((o) => o.passed), [true, true]);
 * ```
 */
export function checkProse(id: string, what: string, minWords: number) {
  return ({ report }: ReportContext): CheckOutcome[] => {
    const text = report.get(id);
    return text === undefined
      ? missingCell(id, what)
      : unlessTodo(text, prose(text, what, minWords));
  };
}

/** Body rows a model table needs (layers). */
const MIN_LAYER_ROWS = 3;

/**
 * The model description's check: the prose, and two Markdown tables of at least 3 layers each, one
 * under a line naming the generator and one under a line naming the discriminator (or critic),
 * as in the report's format.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { checkModelDescription } from "./report_checks.ts";
 * const table = "| layer | output |\n|---|---|\n| a | 1 |\n| b | 2 |\n| c | 3 |";
 * const text = `Generator:\n\n${table}\n\nDiscriminator:\n\n${table}\n\nBoth train with Adam.`;
 * const check = checkModelDescription(5);
 * const outcomes = check({ report: new Map([["modelDescription", text]]), runs: new Map() });
 * assertEquals(outcomes.map((o) => o.passed), [true, true, true, true]);
 * ```
 */
export function checkModelDescription(minWords: number) {
  const id = "modelDescription";
  return ({ report }: ReportContext): CheckOutcome[] => {
    const text = report.get(id);
    if (text === undefined) return missingCell(id, "model description");
    // Which model each table describes: the last line before it that names one.
    const lines = text.split("\n");
    const found = { generator: false, discriminator: false };
    let named: keyof typeof found | undefined;
    let tableRows = 0;
    const close = () => {
      if (named && tableRows - 2 >= MIN_LAYER_ROWS) found[named] = true;
      tableRows = 0;
    };
    for (const line of lines) {
      if (line.trim().startsWith("|")) {
        tableRows++;
        continue;
      }
      close();
      if (/\bgenerator\b|\bG\b/i.test(line) && !/discriminator|critic/i.test(line)) {
        named = "generator";
      } else if (/\bdiscriminator\b|\bcritic\b|\bD\b/i.test(line)) named = "discriminator";
    }
    close();
    const table = (model: keyof typeof found) => ({
      name: `model description: a table of the ${model}'s layers`,
      passed: found[model],
      detail: found[model]
        ? "found"
        : `no Markdown table of at least ${MIN_LAYER_ROWS} layer rows under a line naming the ` +
          `${model}: one row per layer (operation, filters or units, kernel, stride, ` +
          `activation, output shape)`,
    });
    return unlessTodo(text, [
      ...prose(text, "model description", minWords),
      table("generator"),
      table("discriminator"),
    ]);
  };
}

/** A number as the report quotes it: the value and the half unit of its last digit. */
function quoted(cell: string): { value: number; halfUnit: number } | undefined | null {
  const plain = cell.replace(/\*|`|%|\s/g, "").replace(/,(?=\d{3}\b)/g, "");
  if (plain === "" || /^[-–—]$|^n\/?a$/i.test(plain)) return null; // left empty on purpose
  const match = plain.match(/^([+-]?\d+(?:\.(\d+))?)$/);
  if (!match) return undefined;
  return { value: Number(match[1]), halfUnit: 0.5 * 10 ** -(match[2]?.length ?? 0) };
}

/** What the results table of a report cell must hold. */
export interface ResultsTableRules {
  /** The report cell's id. */
  id: string;
  /** What to call it in feedback. */
  what: string;
  /** Run labels the starter logs and the table must quote. */
  requiredRuns: string[];
  /** Fewest runs the table must quote (required ones included). */
  minRuns: number;
  /** Fewest words of observations outside the table. */
  minWords: number;
  /** Whether the cell may hold no table (a bonus without numbers). Default false. */
  tableOptional?: boolean;
}

/**
 * Check a report cell's results table against the logged runs: the table's first column is the
 * run's label, each other column a logged figure's name; every number must agree with the logged
 * figure within the rounding it shows (half a unit of its last digit, at least 0.5 % of the value).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { checkResultsTable } from "./report_checks.ts";
 * const runs = new Map([["toy", { hw: "hw1", run: "toy", metrics: { FID: 12.346 }, time: "" }]]);
 * const check = checkResultsTable({ id: "experiments", what: "experiments", requiredRuns: ["toy"], minRuns: 1, minWords: 2 });
 * const table = (fid: string) => `| run | FID |\n|---|---|\n| toy | ${fid} |\n\nIt improved.`;
 * const ok = check({ report: new Map([["experiments", table("12.35")]]), runs });
 * assertEquals(ok.every((o) => o.passed), true);
 * const invented = check({ report: new Map([["experiments", table("9.1")]]), runs });
 * assertEquals(invented.map((o) => o.passed), [true, true, true, false, false]);
 * ```
 */
export function checkResultsTable(rules: ResultsTableRules) {
  const { id, what } = rules;
  return ({ report, runs }: ReportContext): CheckOutcome[] => {
    const text = report.get(id);
    if (text === undefined) return missingCell(id, what);
    const outcomes = prose(text, what, rules.minWords);
    const table = markdownTables(text).find((t) => /^run$/i.test(t.header[0] ?? ""));
    if (!table && rules.tableOptional) return unlessTodo(text, outcomes);
    outcomes.push({
      name: `${what}: the results of the notebook's runs were saved with it`,
      passed: rules.requiredRuns.every((r) => runs.has(r)) && runs.size >= rules.minRuns,
      detail: `the saved outputs log ${runs.size} runs (${
        [...runs.values()].map((r) => `"${r.run}", ${r.profile ?? "unknown"} profile`).join("; ") ||
        "none"
      })${
        rules.requiredRuns.some((r) => !runs.has(r))
          ? `; missing ${rules.requiredRuns.filter((r) => !runs.has(r)).join(", ")}: run every ` +
            `cell, then save the notebook with its outputs`
          : ""
      }`,
    });
    if (!table) {
      outcomes.push(
        {
          name: `${what}: a results table`,
          passed: false,
          detail: 'no Markdown table whose first column is "run": paste the table that ' +
            "resultsTable() prints and keep its header",
        },
        {
          name: `${what}: the table's numbers are the logged ones`,
          passed: false,
          detail: "no table",
        },
      );
      return unlessTodo(text, outcomes);
    }
    const quotedRuns = new Set<string>();
    const problems: string[] = [];
    let numbers = 0;
    for (const row of table.rows) {
      const label = row[0] ?? "";
      const run = runs.get(label);
      if (!run) {
        problems.push(`row "${label}": no run with this label was logged`);
        continue;
      }
      for (let c = 1; c < table.header.length; c++) {
        const column = table.header[c];
        const q = quoted(row[c] ?? "");
        if (q === null) continue;
        if (q === undefined) {
          problems.push(`"${label}", ${column}: "${row[c]}" is not a number`);
          continue;
        }
        const logged = run.metrics[column];
        if (logged === undefined) {
          problems.push(`"${label}", ${column}: this run logged no figure "${column}"`);
          continue;
        }
        numbers++;
        if (Math.abs(q.value - logged) > Math.max(q.halfUnit, 0.005 * Math.abs(logged)) + 1e-9) {
          problems.push(
            `"${label}", ${column}: the report says ${row[c]}, the run logged ${logged}`,
          );
        } else {
          quotedRuns.add(label);
        }
      }
    }
    const missing = rules.requiredRuns.filter((r) => !quotedRuns.has(r));
    outcomes.push({
      name: `${what}: the table quotes ${
        rules.requiredRuns.length > 0 ? `the runs ${rules.requiredRuns.join(", ")} and ` : ""
      }at least ${rules.minRuns} runs`,
      passed: missing.length === 0 && quotedRuns.size >= rules.minRuns,
      detail: `${quotedRuns.size} runs quoted with correct numbers` +
        (missing.length > 0 ? `; not quoted correctly: ${missing.join(", ")}` : ""),
    });
    outcomes.push({
      name: `${what}: the table's numbers are the logged ones`,
      passed: problems.length === 0 && numbers > 0,
      detail: problems.length > 0
        ? `${problems.slice(0, 5).join("; ")}${
          problems.length > 5 ? `; and ${problems.length - 5} more` : ""
        }. Quote the figures your run logged (resultsTable() prints them)`
        : `${numbers} numbers agree with the logged runs`,
    });
    return unlessTodo(text, outcomes);
  };
}

/** What {@linkcode reportItems} needs. */
export interface ReportItemsOptions {
  /** Run labels the starter logs and the experiments table must quote. */
  requiredRuns: string[];
  /** Fewest runs the experiments table must quote. */
  minRuns: number;
  /** The experiments item's title. */
  experimentsTitle: string;
}

/**
 * The four report items of the course's format (seed 001), 1 point each: `modelDescription` (G
 * and D tables), `improvements`, `experiments` (a results table checked against the logged runs)
 * and `bonus` (free, but any results table in it is checked the same way).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { reportItems } from "./report_checks.ts";
 * const items = reportItems({ requiredRuns: ["toy"], minRuns: 2, experimentsTitle: "experiments" });
 * assertEquals(items.map((i) => i.id), ["modelDescription", "improvements", "experiments", "bonus"]);
 * ```
 */
export function reportItems(options: ReportItemsOptions): ReportItem[] {
  return [
    {
      id: "modelDescription",
      title: "report: model description with a generator table and a discriminator table",
      points: 1,
      checkReport: checkModelDescription(40),
    },
    {
      id: "improvements",
      title: "report: how you improved training",
      points: 1,
      checkReport: checkProse("improvements", "improvements", 60),
    },
    {
      id: "experiments",
      title: options.experimentsTitle,
      points: 1,
      checkReport: checkResultsTable({
        id: "experiments",
        what: "experiments",
        requiredRuns: options.requiredRuns,
        minRuns: options.minRuns,
        minWords: 40,
      }),
    },
    {
      id: "bonus",
      title: "report: bonus (an experiment of your own; any numbers quoted from logged runs)",
      points: 1,
      checkReport: checkResultsTable({
        id: "bonus",
        what: "bonus",
        requiredRuns: [],
        minRuns: 1,
        minWords: 40,
        tableOptional: true,
      }),
    },
  ];
}
