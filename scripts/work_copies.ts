/**
 * Students' own copies of the course notebooks: `work/`, git-ignored, made by `deno task course`.
 *
 * The lecture notebooks (`notebooks/*.ipynb`) and the homework starters (`homework/<hw>/*.ipynb`)
 * are copied to `work/notebooks/` and `work/homework/<hw>/`. A copy is
 * made once and never overwritten, so what a student runs, edits and saves stays theirs while
 * `git pull` updates the course's own files without a conflict. A notebook added to the course
 * later is copied on the next start. When the course changes a notebook, a copy the student never
 * saved is replaced by the new version; a saved one is kept, and the student is told how to get
 * the new version. Homework solutions and the grader are not copied. `work/runs` links to
 * the project's `runs/`, so a notebook's `../runs/...` path means the same in its copy.
 *
 * @module
 */
import { PROJECT_ROOT } from "./jupyter_env.ts";

/** Where the students' copies live. */
export const WORK_DIR = `${PROJECT_ROOT}/work`;

/** The file in the work folder that remembers what each copy was made from. */
const MANIFEST = ".course-copies.json";

/** What {@linkcode makeWorkCopies} did. */
export interface WorkCopies {
  /** Copies made now, relative to the work folder. */
  created: string[];
  /** Untouched copies replaced now by the course's new version. */
  updated: string[];
  /** Course files changed since their copy was made, whose copy the student changed: kept. */
  kept: string[];
  /**
   * Kept copies that import the library by a path it no longer exports (`@course/data/mod.ts`
   * from before `lib/` became the package `@course/lib`): they fail at their first cell.
   */
  oldImports: string[];
}

/** A library import of the form the course used before `@course/lib` (e.g. `"@course/data/mod.ts"`). */
const OLD_LIBRARY_IMPORT = /["']@course\/(?!lib["'\/])[^"'\\]*["'\\]/;

/**
 * Whether a notebook's text imports the library by a former path rather than `@course/lib`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { usesOldLibraryImports } from "./work_copies.ts";
 * assertEquals(usesOldLibraryImports('import { x } from \\"@course/data/mod.ts\\";'), true);
 * assertEquals(usesOldLibraryImports('import { x } from \\"@course/lib/data\\";'), false);
 * assertEquals(usesOldLibraryImports('import { x } from "@course/lib";'), false);
 * ```
 */
export function usesOldLibraryImports(text: string): boolean {
  return OLD_LIBRARY_IMPORT.test(text);
}

/**
 * The course files students get a copy of, relative to `root`: the lecture notebooks and the
 * homework starters (not `homework/solutions/` nor `homework/grader/`).
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { courseFilesToCopy } from "./work_copies.ts";
 * const files = await courseFilesToCopy();
 * assert(files.includes("notebooks/00_setup.ipynb"));
 * assert(!files.some((file) => file.startsWith("homework/solutions/")));
 * ```
 */
export async function courseFilesToCopy(root: string = PROJECT_ROOT): Promise<string[]> {
  const files: string[] = [];
  const list = async (dir: string) => {
    try {
      return await Array.fromAsync(Deno.readDir(`${root}/${dir}`));
    } catch {
      return []; // folder absent
    }
  };
  for (const entry of await list("notebooks")) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) files.push(`notebooks/${entry.name}`);
  }
  for (const entry of await list("homework")) {
    if (!entry.isDirectory || ["solutions", "grader"].includes(entry.name)) continue;
    for (const inner of await list(`homework/${entry.name}`)) {
      if (inner.isFile && inner.name.endsWith(".ipynb")) {
        files.push(`homework/${entry.name}/${inner.name}`);
      }
    }
  }
  return files.sort();
}

/**
 * Make the copies that are missing in `workDir`, refresh the untouched ones the course has
 * changed (never one the student saved), and link `workDir/runs` to the project's `runs/`.
 *
 * @example Copies are made once; a student's edit survives the next start
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { makeWorkCopies } from "./work_copies.ts";
 * const workDir = await Deno.makeTempDir();
 * const first = await makeWorkCopies({ workDir });
 * assertEquals(first.created.includes("notebooks/00_setup.ipynb"), true);
 * await Deno.writeTextFile(`${workDir}/notebooks/00_setup.ipynb`, "my edits");
 * assertEquals(await makeWorkCopies({ workDir }), { created: [], updated: [], kept: [], oldImports: [] });
 * assertEquals(await Deno.readTextFile(`${workDir}/notebooks/00_setup.ipynb`), "my edits");
 * await Deno.remove(workDir, { recursive: true });
 * ```
 */
export async function makeWorkCopies(
  options: { root?: string; workDir?: string } = {},
): Promise<WorkCopies> {
  const root = options.root ?? PROJECT_ROOT;
  const workDir = options.workDir ?? WORK_DIR;
  await Deno.mkdir(workDir, { recursive: true });
  const manifestPath = `${workDir}/${MANIFEST}`;
  let manifest: Record<string, string> = {};
  try {
    manifest = JSON.parse(await Deno.readTextFile(manifestPath));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new Error(
        `Cannot read ${manifestPath}: ${(error as Error).message}. Delete it; your copies stay.`,
      );
    }
  }
  const result: WorkCopies = { created: [], updated: [], kept: [], oldImports: [] };
  for (const file of await courseFilesToCopy(root)) {
    const bytes = await Deno.readFile(`${root}/${file}`);
    const digest = await sha256(bytes);
    const target = `${workDir}/${file}`;
    if (await exists(target)) {
      const copied = manifest[file];
      if (copied === undefined || copied === digest) continue;
      const saved = await Deno.readFile(target);
      if (await sha256(saved) !== copied) {
        result.kept.push(file);
        if (usesOldLibraryImports(new TextDecoder().decode(saved))) result.oldImports.push(file);
        continue;
      }
      // Never saved by the student: take the course's new version.
      await Deno.writeFile(`${target}.tmp`, bytes);
      await Deno.rename(`${target}.tmp`, target);
      result.updated.push(file);
    } else {
      await Deno.mkdir(target.replace(/\/[^/]*$/, ""), { recursive: true });
      // createNew: a copy that appeared meanwhile is never overwritten.
      await Deno.writeFile(target, bytes, { createNew: true });
      result.created.push(file);
    }
    manifest[file] = digest;
  }
  if (result.created.length + result.updated.length > 0) {
    await Deno.writeTextFile(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  }
  const runsLink = `${workDir}/runs`;
  if (!await exists(runsLink)) {
    await Deno.mkdir(`${root}/runs`, { recursive: true });
    await Deno.symlink(`${root}/runs`, runsLink);
  }
  return result;
}

/**
 * Lines that tell a student what {@linkcode makeWorkCopies} did (nothing when nothing happened).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { describeWorkCopies } from "./work_copies.ts";
 * assertEquals(describeWorkCopies({ created: [], updated: [], kept: [], oldImports: [] }, "work"), []);
 * assertEquals(
 *   describeWorkCopies({ created: ["notebooks/a.ipynb"], updated: [], kept: [], oldImports: [] }, "work"),
 *   ["course: made your own copy of 1 notebook in work/ (yours to run, edit and save)"],
 * );
 * ```
 */
export function describeWorkCopies(copies: WorkCopies, workDir: string = WORK_DIR): string[] {
  const lines: string[] = [];
  const count = (n: number) => `${n} notebook${n === 1 ? "" : "s"}`;
  if (copies.created.length > 0) {
    lines.push(
      `course: made your own copy of ${count(copies.created.length)} in ${workDir}/ ` +
        `(yours to run, edit and save)`,
    );
  }
  if (copies.updated.length > 0) {
    lines.push(
      `course: ${count(copies.updated.length)} you had not saved took the course's new version: ` +
        copies.updated.join(", "),
    );
  }
  if (copies.kept.length > 0) {
    lines.push(
      `course: the course changed ${count(copies.kept.length)} that you saved; yours are kept ` +
        `(rename yours and start the course again to get the new version): ` +
        copies.kept.join(", "),
    );
  }
  if (copies.oldImports.length > 0) {
    lines.push(
      `course: ${count(copies.oldImports.length)} of yours import the library by its old paths ` +
        `and will fail at the first cell: the library is now the package @course/lib, so write ` +
        `"@course/lib" for "@course/mod.ts" and "@course/lib/data" for "@course/data/mod.ts" ` +
        `(the same for every area), or take the new version as above: ` +
        copies.oldImports.join(", "),
    );
  }
  return lines;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
