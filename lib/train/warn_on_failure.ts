/**
 * Keep a long run going when a side job fails: a sample grid or loss plot that cannot be written
 * (full disk, removed folder) should cost a warning, not the hours of training before it.
 *
 * @module
 */
import type { TrainCallback } from "./loop.ts";

/** Options of {@linkcode warnOnFailure}. */
export interface WarnOnFailureOptions {
  /** What the callback does, for the warning ("sample grids"). Default `"a callback"`. */
  what?: string;
  /** Where warnings go. Default `console.warn`. */
  warn?: (message: string) => void;
}

/**
 * Wrap a callback so that an error in any of its hooks prints one warning (per distinct message)
 * and training goes on; the checkpoint and the other callbacks are unaffected.
 *
 * @example A failing sample writer warns once and the run continues
 * ```ts
 * import { warnOnFailure } from "./warn_on_failure.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const warnings: string[] = [];
 * const callback = warnOnFailure({
 *   onStepEnd() {
 *     throw new Error("Cannot write runs/x/samples/a.png: No space left on device");
 *   },
 * }, { what: "sample grids", warn: (m) => warnings.push(m) });
 * await callback.onStepEnd!({} as never, {});
 * await callback.onStepEnd!({} as never, {});
 * deepStrictEqual(warnings, [
 *   "Warning: sample grids failed (Cannot write runs/x/samples/a.png: No space left on device); " +
 *   "training goes on",
 * ]);
 * ```
 */
export function warnOnFailure(
  callback: TrainCallback,
  options: WarnOnFailureOptions = {},
): TrainCallback {
  const { what = "a callback", warn = (message: string) => console.warn(message) } = options;
  const seen = new Set<string>();
  const guard = <A extends unknown[]>(hook?: (...args: A) => void | Promise<void>) =>
    hook
      ? async (...args: A) => {
        try {
          await hook.apply(callback, args);
        } catch (error) {
          const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
          if (!seen.has(message)) {
            seen.add(message);
            warn(`Warning: ${what} failed (${message}); training goes on`);
          }
        }
      }
      : undefined;
  return {
    onTrainBegin: guard(callback.onTrainBegin),
    onStepEnd: guard(callback.onStepEnd),
    onEpochEnd: guard(callback.onEpochEnd),
    onTrainEnd: guard(callback.onTrainEnd),
  };
}
