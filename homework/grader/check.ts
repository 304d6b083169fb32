/**
 * What an assignment's hidden tests are made of: items (code or report) with points, and small
 * helpers that turn a comparison into a pass/fail line with "expected ... got ..." feedback.
 *
 * @module
 */
import type { ReportContext } from "./report_checks.ts";

/** One sub-check of an item: passed or not, and what was expected and got. */
export interface CheckOutcome {
  /** What was checked, e.g. "value on logits [2, -1]". */
  name: string;
  /** Whether it passed. */
  passed: boolean;
  /** Feedback: expected vs got, or the error. */
  detail: string;
}

/** The student's module as the grader imports it: the names the graded cells define. */
export type StudentModule = Record<string, unknown>;

/**
 * What the sandboxed child saw when it ran one probe: the value the student's code produced (plain
 * JSON data: numbers, lists, flags) or the error it threw. The child only observes; the parent
 * judges the observations against references the child never sees.
 */
export type Observation = { ok: true; value: unknown } | { ok: false; error: string };

/** A probe's observations by key. */
export type Observations = Record<string, Observation>;

/** What the child is told besides the student's module. */
export interface ProbeContext {
  /** The folder of the files the item's `prepareData` wrote (the child may read it), if any. */
  dataDir?: string;
}

/** The child's half of a code item: runs the student's functions, returns what they produced. */
export type Probe = (
  student: StudentModule,
  context: ProbeContext,
) => Observations | Promise<Observations>;

/** An item graded by running the student's code in a sandboxed subprocess. */
export interface CodeItem {
  /** Item id, e.g. `discriminatorLoss`; also the key of its probe in the assignment's probes. */
  id: string;
  /** One line for the score table. */
  title: string;
  /** Points for the item; sub-checks share them equally. */
  points: number;
  /** The graded cells whose code the item runs; other cells come from the reference solution. */
  cells: string[];
  /** Wrap the reference functions the other cells supply: `[module relative to homework/,
   * export name]` of a function `(reference) => wrapped`. Default: the functions as they are. */
  wrapOthers?: [string, string];
  /** Seconds before the item is stopped and scores 0. */
  timeoutS: number;
  /**
   * Write the data the probe reads into `dir` (in the grading process, before the child starts;
   * the child may read `dir` and nothing else of the grader's). Default: no data.
   */
  prepareData?: (dir: string) => Promise<void>;
  /** The parent's half: judges the child's observations against hidden references. */
  judge(observations: Observations): CheckOutcome[] | Promise<CheckOutcome[]>;
}

/** An item graded from the report's Markdown cells. */
export interface ReportItem {
  /** Item id. */
  id: string;
  /** One line for the score table. */
  title: string;
  /** Points for the item. */
  points: number;
  /** The check, given the report cells' text by id and the runs the notebook logged. */
  checkReport(context: ReportContext): CheckOutcome[];
}

/** A homework assignment: where its files are, which names each graded cell defines, its items. */
export interface Assignment {
  /** Id, also the folder name under `homework/`: `hw1_dcgan`. */
  id: string;
  /** Title for the score table. */
  title: string;
  /** The names each graded cell must define, by cell id. */
  cellNames: Record<string, string[]>;
  /** The items, in the order they are graded and printed. */
  items: (CodeItem | ReportItem)[];
}

/** Whether an error is the starter's "not implemented yet" error. */
export function isTodo(error: unknown): boolean {
  return error instanceof Error && /\bTODO\b/.test(error.message);
}

/** A short text for an error a student's code threw. */
export function describeError(error: unknown): string {
  if (isTodo(error)) {
    return `not implemented yet (${(error as Error).message}): replace the throw with your code`;
  }
  if (error instanceof Error) return `your code threw ${error.name}: ${error.message}`;
  return `your code threw ${String(error)}`;
}

/**
 * Run one sub-check; an error thrown by the student's code fails it with a clear message.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { attempt } from "./check.ts";
 * const outcome = await attempt("value", () => { throw new Error("TODO: write it"); });
 * assertEquals(outcome.passed, false);
 * assertEquals(outcome.detail.startsWith("not implemented yet (TODO: write it)"), true);
 * ```
 */
export async function attempt(
  name: string,
  run: () => CheckOutcome | Omit<CheckOutcome, "name"> | Promise<Omit<CheckOutcome, "name">>,
): Promise<CheckOutcome> {
  try {
    return { name, ...(await run()) };
  } catch (error) {
    return { name, passed: false, detail: describeError(error) };
  }
}

/** Format a number or list of numbers for feedback. */
export function show(value: number | ArrayLike<number>): string {
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));
  return typeof value === "number" ? f(value) : `[${Array.from(value, f).join(", ")}]`;
}

/**
 * Compare numbers with an absolute plus relative tolerance; NaN and infinities never pass.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { close } from "./check.ts";
 * assertEquals(close(1.00001, 1).passed, true);
 * assertEquals(close(NaN, 1).detail, "expected 1, got NaN");
 * ```
 */
export function close(
  got: number | ArrayLike<number>,
  want: number | ArrayLike<number>,
  tolerance = 1e-4,
): Omit<CheckOutcome, "name"> {
  const g = typeof got === "number" ? [got] : Array.from(got);
  const w = typeof want === "number" ? [want] : Array.from(want);
  const passed = g.length === w.length &&
    g.every((x, i) => Number.isFinite(x) && Math.abs(x - w[i]) <= tolerance * (1 + Math.abs(w[i])));
  return {
    passed,
    detail: passed ? `${show(got)} as expected` : `expected ${show(want)}, got ${show(got)}`,
  };
}

/** A passing outcome ("as expected", or `okDetail`) or a failing one with `failDetail`. */
export function verdict(
  passed: boolean,
  failDetail: string,
  okDetail = "as expected",
): Omit<CheckOutcome, "name"> {
  return { passed, detail: passed ? okDetail : failDetail };
}

/** Get a function the student's cell must define, or throw a clear error. */
export function studentFunction<T extends (...args: never[]) => unknown>(
  student: StudentModule,
  name: string,
): T {
  const value = student[name];
  if (typeof value !== "function") {
    throw new Error(`your graded cell must define a function named ${name}`);
  }
  return value as T;
}

/** Longest error text an observation keeps. */
const MAX_ERROR = 300;

/**
 * Run one piece of a probe in the child: the value, or the error the student's code threw.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { observe } from "./check.ts";
 * assertEquals(await observe(() => 2), { ok: true, value: 2 });
 * assertEquals((await observe(() => { throw new Error("TODO: x"); })).ok, false);
 * ```
 */
export async function observe(run: () => unknown): Promise<Observation> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const text = describeError(error);
    return { ok: false, error: text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR)}...` : text };
  }
}

/**
 * Judge one observation in the parent: a failed outcome with the child's error when the student's
 * code threw (or the observation is missing), else the verdict of `judge` on the value. Values
 * come from an untrusted process: `judge` validates them (see {@linkcode asNumber}) and any error
 * it throws fails the check.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { asNumber, close, judged } from "./check.ts";
 * const obs = { v: { ok: true as const, value: 1 }, bad: { ok: true as const, value: "1" } };
 * assertEquals(judged("v", obs, "v", (v) => close(asNumber(v), 1)).passed, true);
 * assertEquals(judged("bad", obs, "bad", (v) => close(asNumber(v), 1)).passed, false);
 * assertEquals(judged("gone", obs, "gone", () => ({ passed: true, detail: "" })).passed, false);
 * ```
 */
export function judged(
  name: string,
  observations: Observations,
  key: string,
  judge: (value: unknown) => Omit<CheckOutcome, "name">,
): CheckOutcome {
  const observation = observations[key];
  if (!observation || typeof observation !== "object") {
    return { name, passed: false, detail: "the test did not get this far" };
  }
  if (observation.ok !== true) {
    const error = (observation as { error?: unknown }).error;
    const detail = typeof error === "string" ? error.slice(0, MAX_ERROR + 3) : "failed";
    return { name, passed: false, detail };
  }
  try {
    return { name, ...judge(observation.value) };
  } catch (error) {
    return { name, passed: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A number from the child, or an error saying what came instead.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals, throws } from "node:assert/strict";
 * import { asNumber } from "./check.ts";
 * assertEquals(asNumber(2.5), 2.5);
 * throws(() => asNumber([1]), /a number/);
 * ```
 */
export function asNumber(value: unknown): number {
  if (value === null) return NaN; // JSON writes NaN and infinities as null
  if (typeof value !== "number") {
    throw new Error(`the test expected a number, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value;
}

/**
 * A list of numbers from the child (of `length` when given), or an error.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { asNumbers } from "./check.ts";
 * assertEquals(asNumbers([1, 2], 2), [1, 2]);
 * throws(() => asNumbers([1, "2"]), /numbers/);
 * ```
 */
export function asNumbers(value: unknown, length?: number): number[] {
  if (
    !Array.isArray(value) || !value.every((x) => typeof x === "number" || x === null) ||
    (length !== undefined && value.length !== length)
  ) {
    throw new Error(`the test expected ${length ?? "a list of"} numbers, got something else`);
  }
  return value.map((x) => (x === null ? NaN : x)); // JSON writes NaN and infinities as null
}
