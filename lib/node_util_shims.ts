/**
 * The `node:util` functions that `@tensorflow/tfjs-node(-gpu)` 4.22 still calls and that Deno 2.9's
 * `node:util` no longer has (Node deprecated them long ago and removed them in Node 23; tfjs fixed
 * its calls upstream, tensorflow/tfjs#8609, but never released the fix). `initBackend()` adds the
 * missing ones before it loads tfjs-node; a present function is never replaced.
 *
 * @module
 */
import util from "node:util";

/** The legacy type checks, as Node defined them. */
const LEGACY: Record<string, (value: unknown) => boolean> = {
  isArray: Array.isArray,
  isBoolean: (v) => typeof v === "boolean",
  isNull: (v) => v === null,
  isNullOrUndefined: (v) => v === null || v === undefined,
  isNumber: (v) => typeof v === "number",
  isString: (v) => typeof v === "string",
  isSymbol: (v) => typeof v === "symbol",
  isUndefined: (v) => v === undefined,
  isObject: (v) => v !== null && typeof v === "object",
  isFunction: (v) => typeof v === "function",
  isPrimitive: (v) => v === null || (typeof v !== "object" && typeof v !== "function"),
};

/**
 * Add the legacy `util.is*` functions that this runtime's `node:util` lacks (to the object that
 * `require("util")` returns too). Returns the names added.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import util from "node:util";
 * import { installNodeUtilShims } from "./node_util_shims.ts";
 * installNodeUtilShims();
 * const isNullOrUndefined = (util as unknown as Record<string, (v: unknown) => boolean>)
 *   .isNullOrUndefined;
 * assert(isNullOrUndefined(null) && isNullOrUndefined(undefined) && !isNullOrUndefined(0));
 * ```
 */
export function installNodeUtilShims(): string[] {
  const target = util as unknown as Record<string, unknown>;
  const added: string[] = [];
  for (const [name, fn] of Object.entries(LEGACY)) {
    if (typeof target[name] !== "function") {
      target[name] = fn;
      added.push(name);
    }
  }
  return added;
}
