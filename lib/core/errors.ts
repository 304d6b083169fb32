/**
 * Error helpers: short, one-line reports of what went wrong.
 *
 * @module
 */

/**
 * The first line of an error's message (or the value as text), for one-line error reports.
 *
 * @example
 * ```ts
 * import { firstLine } from "./errors.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(firstLine(new Error("bad file\nstack...")), "bad file");
 * ```
 */
export function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
