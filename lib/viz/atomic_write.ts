/**
 * Atomic file writes for figures: write to a temporary name next to the target, then rename, so a
 * reader (a notebook, a browser refreshing a sample grid) never sees half a file.
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * Write bytes or text to `path` atomically, creating its folder when missing.
 *
 * @example Write a small text file
 * ```ts
 * import { writeFileAtomic } from "@course/viz/atomic_write.ts";
 * const path = await Deno.makeTempFile();
 * await writeFileAtomic(path, "hello");
 * console.log(await Deno.readTextFile(path)); // "hello"
 * await Deno.remove(path);
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
