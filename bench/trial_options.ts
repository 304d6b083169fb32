/**
 * The JSON options of the trial scripts (`recipe_trial.ts`, `face_acgan_trial.ts`): read over
 * their defaults, refusing unknown keys, counts that are not positive integers, and shards that
 * workers cannot share.
 *
 * @module
 */

/**
 * Read `json` over `defaults`; `tool` and `what` name the script and its options in the errors.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { readTrialOptions } from "./trial_options.ts";
 * const defaults = { seed: 0, shards: 2, workers: 1 };
 * assertEquals(readTrialOptions('{"seed": 3}', defaults, "tool", "trial"), { ...defaults, seed: 3 });
 * throws(() => readTrialOptions('{"sead": 3}', defaults, "tool", "trial"), /tool: unknown trial key\(s\) sead/);
 * throws(() => readTrialOptions("{seed: 3}", defaults, "tool", "trial"), /the trial is not valid JSON/);
 * ```
 */
export function readTrialOptions<T extends object>(
  json: string,
  defaults: T,
  tool: string,
  what: string,
): T {
  let given: Record<string, unknown>;
  try {
    given = JSON.parse(json);
  } catch (error) {
    throw new Error(`${tool}: the ${what} is not valid JSON (${(error as Error).message})`);
  }
  const unknown = Object.keys(given).filter((k) => !(k in defaults));
  if (unknown.length > 0) {
    throw new Error(
      `${tool}: unknown ${what} key(s) ${unknown.join(", ")}; known: ${
        Object.keys(defaults).join(", ")
      }`,
    );
  }
  return { ...defaults, ...given } as T;
}

/**
 * Refuse options whose `keys` are not positive integers, or whose `shards` are not a multiple of
 * their `workers`.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkTrialCounts } from "./trial_options.ts";
 * checkTrialCounts({ steps: 10, shards: 2, workers: 2 }, ["steps"], "tool");
 * throws(() => checkTrialCounts({ steps: 0, shards: 2, workers: 1 }, ["steps"], "tool"), /steps must be a positive integer, got 0/);
 * throws(() => checkTrialCounts({ shards: 3, workers: 2 }, [], "tool"), /multiple of workers \(2\), got 3/);
 * ```
 */
export function checkTrialCounts<T extends { shards: number; workers: number }>(
  options: T,
  keys: readonly (keyof T & string)[],
  tool: string,
): void {
  for (const key of [...keys, "shards", "workers"] as const) {
    const value = options[key as keyof T];
    if (!(Number.isInteger(value) && (value as number) > 0)) {
      throw new Error(`${tool}: ${key} must be a positive integer, got ${value}`);
    }
  }
  if (options.shards % options.workers !== 0) {
    throw new Error(
      `${tool}: shards must be a multiple of workers (${options.workers}), got ${options.shards}`,
    );
  }
}
