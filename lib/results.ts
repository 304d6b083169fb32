/**
 * Record a notebook's headline results (a metric, its value, the time it took) so that the course's
 * results table can be rebuilt by running the notebooks (`deno task results`).
 *
 * When the `file` option names a file, every {@linkcode recordResult} call appends one JSON line to
 * it; otherwise the call only returns the record. Notebooks record through `setupCourse()`'s
 * `course.record(...)`, which passes the file named by the `COURSE_RESULTS` variable, after each
 * evaluation, so the README's table always comes from a real run.
 *
 * @module
 */
import { currentBackend } from "./backend.ts";

/** One result line. */
export interface ResultRecord {
  /** The notebook or script that produced it, e.g. `02_dcgan`. */
  source: string;
  /** What was measured, e.g. `FID vs held-out digits`. */
  metric: string;
  /** The value. */
  value: number;
  /** Optional unit or qualifier, e.g. `%` or `lower is better`. */
  unit?: string;
  /** The profile the run used, when known. */
  profile?: string;
  /** The backend the run used (filled in from `currentBackend()`). */
  backend?: string;
  /** ISO time of the record. */
  time: string;
  /** The notebook's main figure: the README's results table shows it (else the first record). */
  headline?: boolean;
}

/** Options of {@linkcode recordResult}. */
export interface RecordResultOptions {
  /** Unit or qualifier, e.g. `%` or `lower is better`. */
  unit?: string;
  /** The profile the run used. */
  profile?: string;
  /** Append the record as one JSON line to this file. Default: append nowhere. */
  file?: string;
  /** The notebook's main figure: the README's results table shows it (else the first record). */
  headline?: boolean;
}

/**
 * Record a result; appends it to `options.file` when that is given.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { recordResult } from "./results.ts";
 * const file = await Deno.makeTempFile();
 * const r = await recordResult("02_dcgan", "FID", 12.3, { profile: "ci", file });
 * assertEquals([r.metric, r.value, r.profile], ["FID", 12.3, "ci"]);
 * assertEquals(JSON.parse(await Deno.readTextFile(file)).value, 12.3);
 * await Deno.remove(file);
 * ```
 */
export async function recordResult(
  source: string,
  metric: string,
  value: number,
  options: RecordResultOptions = {},
): Promise<ResultRecord> {
  if (!Number.isFinite(value)) {
    throw new Error(
      `Cannot record result "${metric}" of ${source}: value must be a finite number, got ${value}`,
    );
  }
  const { file, ...fields } = options;
  const record: ResultRecord = {
    source,
    metric,
    value,
    ...fields,
    backend: currentBackend()?.choice,
    time: new Date().toISOString(),
  };
  if (file) await Deno.writeTextFile(file, JSON.stringify(record) + "\n", { append: true });
  return record;
}
