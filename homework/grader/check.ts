/**
 * What an assignment's hidden tests are made of: items (code or report) with points, and small
 * helpers that turn a comparison into a pass/fail line with "expected ... got ..." feedback.
 *
 * @module
 */

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

/** An item graded by running the student's code in a subprocess. */
export interface CodeItem {
  /** Item id, e.g. `discriminatorLoss`. */
  id: string;
  /** One line for the score table. */
  title: string;
  /** Points for the item; sub-checks share them equally. */
  points: number;
  /** The graded cells whose code the item runs; other cells come from the reference module. */
  cells: string[];
  /** The module (relative to `homework/`) that supplies the other cells' names. Default: the
   * assignment's solution file. */
  referenceModule?: string;
  /** Seconds before the item is stopped and scores 0. */
  timeoutS: number;
  /** The hidden test: runs with the wasm backend initialised. */
  check(student: StudentModule): CheckOutcome[] | Promise<CheckOutcome[]>;
}

/** An item graded from the report's Markdown cells. */
export interface ReportItem {
  /** Item id. */
  id: string;
  /** One line for the score table. */
  title: string;
  /** Points for the item. */
  points: number;
  /** The check, given the report cells' text by id. */
  checkReport(report: Map<string, string>): CheckOutcome[];
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
 * import { attempt } from "./check.ts";
 * const outcome = await attempt("value", () => { throw new Error("TODO: write it"); });
 * console.log(outcome.passed, outcome.detail); // false "not implemented yet (TODO: write it): ..."
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
 * import { close } from "./check.ts";
 * console.log(close(1.00001, 1).passed, close(NaN, 1).detail); // true "expected 1, got NaN"
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
