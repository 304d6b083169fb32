/**
 * SHA-256 checksums of saved files: written when a model or checkpoint is saved, verified when it is
 * loaded, so that a flipped byte or an incomplete copy is an error that names the file instead of
 * weights that load silently wrong.
 *
 * @module
 */
import { join } from "node:path";

/**
 * The SHA-256 digest of some bytes, as 64 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./checksum.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(
 *   await sha256Hex(new TextEncoder().encode("abc")),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The checksum of every file under `root`, by path relative to it (with `/`), sorted; folders named
 * in `skip` (relative paths) and files named in `skip` are left out.
 *
 * @example
 * ```ts
 * import { checksumTree } from "./checksum.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/a`);
 * await Deno.writeTextFile(`${dir}/a/x.txt`, "abc");
 * await Deno.writeTextFile(`${dir}/skip.json`, "{}");
 * deepStrictEqual(await checksumTree(dir, ["skip.json"]), {
 *   "a/x.txt": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checksumTree(
  root: string,
  skip: readonly string[] = [],
): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  const walk = async (relative: string) => {
    const entries = [];
    for await (const entry of Deno.readDir(join(root, relative))) entries.push(entry);
    entries.sort((a, b) => a.name < b.name ? -1 : 1);
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (skip.includes(path)) continue;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) sums[path] = await sha256Hex(await Deno.readFile(join(root, path)));
    }
  };
  await walk("");
  return sums;
}

/**
 * Check the files under `root` against checksums from {@linkcode checksumTree}; throws an error that
 * starts with `where` and names the first file that is missing or differs.
 *
 * @example A flipped byte is named
 * ```ts
 * import { checksumTree, verifyChecksums } from "./checksum.ts";
 * import { rejects } from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array([1, 2, 3]));
 * const sums = await checksumTree(dir);
 * await verifyChecksums(dir, sums, "Cannot load");
 * await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array([1, 2, 4]));
 * await rejects(verifyChecksums(dir, sums, "Cannot load"), /weights\.bin fails its checksum/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function verifyChecksums(
  root: string,
  expected: Record<string, string>,
  where: string,
): Promise<void> {
  for (const [path, sum] of Object.entries(expected)) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(root, path));
    } catch (error) {
      throw new Error(
        `${where}: ${path} cannot be read (${
          error instanceof Error ? error.message.split("\n")[0] : error
        }); the checkpoint is incomplete`,
      );
    }
    const actual = await sha256Hex(bytes);
    if (actual !== sum) {
      throw new Error(
        `${where}: ${path} fails its checksum (SHA-256 ${actual.slice(0, 12)}..., saved as ` +
          `${sum.slice(0, 12)}...): the file is corrupt (a changed byte or an incomplete copy)`,
      );
    }
  }
}
