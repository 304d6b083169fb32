/**
 * Record a notebook's headline results (a metric, its value, the time it took) so that the course's
 * results table can be rebuilt by running the notebooks (`deno task results`).
 *
 * When the `COURSE_RESULTS` environment variable names a file, every {@linkcode recordResult} call
 * appends one JSON line to it; otherwise the call only returns the record. Notebooks call it after
 * each evaluation, so the README's table always comes from a real run.
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

/**
 * Record a result; appends it to the file named by `COURSE_RESULTS` when that is set.
 *
 * @example
 * ```ts
 * import { recordResult } from "@course/results.ts";
 * const r = await recordResult("02_dcgan", "FID", 12.3, { profile: "ci", unit: "lower is better" });
 * console.log(r.metric, r.value); // FID 12.3
 * ```
 */
export async function recordResult(
  source: string,
  metric: string,
  value: number,
  options: { unit?: string; profile?: string; headline?: boolean } = {},
): Promise<ResultRecord> {
  if (!Number.isFinite(value)) {
    throw new Error(
      `Cannot record result "${metric}" of ${source}: value must be a finite number, got ${value}`,
    );
  }
  const record: ResultRecord = {
    source,
    metric,
    value,
    ...options,
    backend: currentBackend()?.choice,
    time: new Date().toISOString(),
  };
  let path: string | undefined;
  try {
    path = Deno.env.get("COURSE_RESULTS") || undefined;
  } catch {
    path = undefined;
  }
  if (path) await Deno.writeTextFile(path, JSON.stringify(record) + "\n", { append: true });
  return record;
}
