/**
 * Source rules the test command enforces (`deno run -A scripts/source_rules.ts`, the `rules`
 * phase of `deno task test`):
 *
 * - configuration is read at the entry points: no file in `lib/` mentions `Deno.env`, except the
 *   one entry-point setup file ({@linkcode ENV_SETUP_FILE}).
 *
 * Each rule is a function from the project's root to the problems it finds, one line each
 * (`path:line: what is wrong`), so that a test can plant a violation in a scratch folder.
 *
 * @module
 */

/** The folder that holds deno.json. */
const PROJECT_ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The one file in `lib/` allowed to read the environment (the entry points call it). */
export const ENV_SETUP_FILE = "lib/notebook/setup.ts";

/** `Deno.env`, also spelled `Deno["env"]` or with spaces. */
const ENV_READ = /\bDeno\s*(?:\.\s*env\b|\[\s*["'`]env["'`]\s*\])/;

/** The `.ts` files under `dir` (relative to `root`), sorted; none when `dir` does not exist. */
export async function sourceFiles(root: string, dir: string, ext = /\.ts$/): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(`${root}/${rel}`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory && entry.name !== "node_modules" && !entry.name.startsWith(".")) {
        await walk(path);
      } else if (entry.isFile && ext.test(entry.name)) files.push(path);
    }
  };
  await walk(dir);
  return files.sort();
}

/**
 * Every line of a `lib/` file other than {@linkcode ENV_SETUP_FILE} that mentions `Deno.env`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { envReadsInLib } from "./source_rules.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/lib/notebook`, { recursive: true });
 * await Deno.writeTextFile(`${root}/lib/notebook/setup.ts`, "Deno.env.get('A');\n");
 * await Deno.writeTextFile(`${root}/lib/size.ts`, "// size\nconst n = Deno.env.get('N');\n");
 * assertEquals(await envReadsInLib(root), [
 *   "lib/size.ts:2: reads the environment (Deno.env); read it at an entry point " +
 *   "(lib/notebook/setup.ts) and pass the value down",
 * ]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function envReadsInLib(root: string = PROJECT_ROOT): Promise<string[]> {
  const problems: string[] = [];
  for (const file of await sourceFiles(root, "lib")) {
    if (file === ENV_SETUP_FILE) continue;
    const lines = (await Deno.readTextFile(`${root}/${file}`)).split("\n");
    lines.forEach((line, i) => {
      if (ENV_READ.test(line)) {
        problems.push(
          `${file}:${i + 1}: reads the environment (Deno.env); read it at an entry point ` +
            `(${ENV_SETUP_FILE}) and pass the value down`,
        );
      }
    });
  }
  return problems;
}

/** Every rule's problems under `root`. */
export async function sourceRuleProblems(root: string = PROJECT_ROOT): Promise<string[]> {
  return [...await envReadsInLib(root)];
}

if (import.meta.main) {
  const problems = await sourceRuleProblems();
  for (const problem of problems) console.error(problem);
  console.log(`source rules: ${problems.length} problem(s)`);
  Deno.exit(problems.length > 0 ? 1 : 0);
}
