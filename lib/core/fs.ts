/**
 * File-system helpers shared by the library: whether a path exists, and atomic writes (write to a
 * temporary name next to the target, then rename, so that a reader, a notebook, a browser
 * refreshing a sample grid, a resumed run, never sees half a file).
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * Whether a path exists (file, folder or link target); never throws.
 *
 * @example
 * ```ts
 * import { pathExists } from "./fs.ts";
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
 * Write bytes or text to `path` atomically, creating its folder when missing.
 *
 * @example Write a small text file
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { writeFileAtomic } from "./fs.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/new/folder/note.txt`, "hello");
 * assertEquals(await Deno.readTextFile(`${dir}/new/folder/note.txt`), "hello");
 * assertEquals([...Deno.readDirSync(`${dir}/new/folder`)].map((e) => e.name), ["note.txt"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(temp, data);
    else await Deno.writeFile(temp, data);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new Error(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
