/**
 * Small file-system and error helpers shared by the library's I/O code.
 *
 * @module
 */

/**
 * Whether a path exists (file, folder or link target); never throws.
 *
 * @example
 * ```ts
 * import { pathExists } from "@course/io/fs.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(await pathExists(Deno.cwd()), true);
 * strictEqual(await pathExists("/nonexistent/path"), false);
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first line of an error's message (or the value as text), for one-line error reports.
 *
 * @example
 * ```ts
 * import { firstLine } from "@course/io/fs.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(firstLine(new Error("bad file\nstack...")), "bad file");
 * ```
 */
export function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}
