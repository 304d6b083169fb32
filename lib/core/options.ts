/**
 * Options objects: at most two positional arguments, then an options object whose defaults are
 * documented and merged as `{ ...DEFAULTS, ...definedOptions(options) }`.
 *
 * @module
 */

/**
 * The options that are set: `{ range: undefined }` (an unset option passed along) must not
 * override a default.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { definedOptions } from "./options.ts";
 * const DEFAULTS = { scale: 1, padding: 2 };
 * assertEquals({ ...DEFAULTS, ...definedOptions({ scale: undefined, padding: 0 }) }, {
 *   scale: 1,
 *   padding: 0,
 * });
 * ```
 */
export function definedOptions<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
