/**
 * Source rules the test command enforces (`deno run -A scripts/source_rules.ts`, the `rules`
 * phase of `deno task test`):
 *
 * - configuration is read at the entry points: no file in `lib/` mentions `Deno.env`, except the
 *   one entry-point setup file ({@linkcode ENV_SETUP_FILE});
 * - doc examples assert: no example in the library, scripts, homework, slides, benchmarks or
 *   packages prints a value and states it in a comment (`console.log(x); // 32`), which cannot
 *   fail; write `assertEquals(x, 32)` instead.
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

/** The folders whose doc examples must assert (and that the test command runs doc tests in). */
export const DOC_EXAMPLE_DIRS: readonly string[] = [
  "lib",
  "scripts",
  "homework",
  "slides",
  "bench",
  "packages",
];

/**
 * Files whose examples are not checked yet: the training engine's, which its own work in progress
 * rewrites (drop an entry once its examples assert).
 */
export const UNCHECKED_EXAMPLES: readonly string[] = [
  "lib/kernels/",
  "lib/parallel/",
  "lib/train/loop.ts",
];

/** A fenced code block opening in a JSDoc comment (` * ```ts`) or in Markdown (```` ```ts ````). */
const FENCE_OPEN = /^\s*(?:\*\s?)?```(?:ts|typescript|js|javascript|tsx|jsx)\b/;
const FENCE_CLOSE = /^\s*(?:\*\s?)?```\s*$/;
/** `console.log(...)` with the value it prints in a comment on the same line. */
const LOG_WITH_VALUE = /\bconsole\.log\(.*\)\s*;?\s*\/\/\s*\S/;
/** A line that ends a `console.log(...)` statement, and a line that is only a comment. */
const LOG_END = /\)\s*;?\s*$/;
const COMMENT_ONLY = /^\s*\/\/\s*\S/;

/**
 * The lines of code examples (JSDoc ```` ```ts ```` blocks in `.ts` files, fenced blocks in
 * Markdown) that print a value and state it in a comment, on the same line or the next, instead of
 * asserting it.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { unassertedExamples } from "./source_rules.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/lib`);
 * const log = "console" + ".log"; // spelled apart, so that this example passes its own rule
 * const example = [
 *   "/**",
 *   " * ```ts",
 *   ` * ${log}(1 + 1); // 2`,
 *   ` * ${log}(2 + 2);`,
 *   " * // 4",
 *   ` * ${log}("progress");`,
 *   " * ```",
 *   " *" + "/",
 *   `export const two = 2; // ${log}(two); // 2 outside an example is fine`,
 * ].join("\n");
 * await Deno.writeTextFile(`${root}/lib/two.ts`, example);
 * assertEquals((await unassertedExamples(root)).map((p) => p.split(":").slice(0, 2).join(":")), [
 *   "lib/two.ts:3",
 *   "lib/two.ts:4",
 * ]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function unassertedExamples(
  root: string = PROJECT_ROOT,
  dirs: readonly string[] = DOC_EXAMPLE_DIRS,
): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of dirs) {
    for (const file of await sourceFiles(root, dir, /\.(ts|md)$/)) {
      if (UNCHECKED_EXAMPLES.some((prefix) => file.startsWith(prefix))) continue;
      const lines = (await Deno.readTextFile(`${root}/${file}`)).split("\n");
      let inExample = false;
      let inLog = false;
      lines.forEach((raw, i) => {
        if (!inExample) {
          inExample = FENCE_OPEN.test(raw);
          return;
        }
        if (FENCE_CLOSE.test(raw)) {
          inExample = false;
          inLog = false;
          return;
        }
        const line = raw.replace(/^\s*\*\s?/, "");
        if (line.includes("console.log(")) inLog = true;
        const next = (lines[i + 1] ?? "").replace(/^\s*\*\s?/, "");
        const endsLog = inLog && LOG_END.test(line);
        if (LOG_WITH_VALUE.test(line) || (endsLog && COMMENT_ONLY.test(next))) {
          problems.push(
            `${file}:${i + 1}: an example prints a value instead of asserting it ` +
              `(${line.trim().slice(0, 60)}); write assertEquals(actual, expected) or assert(...)`,
          );
        }
        if (endsLog) inLog = false;
      });
    }
  }
  return problems;
}

/** Every rule's problems under `root`. */
export async function sourceRuleProblems(root: string = PROJECT_ROOT): Promise<string[]> {
  return [...await envReadsInLib(root), ...await unassertedExamples(root)];
}

if (import.meta.main) {
  const problems = await sourceRuleProblems();
  for (const problem of problems) console.error(problem);
  console.log(`source rules: ${problems.length} problem(s)`);
  Deno.exit(problems.length > 0 ? 1 : 0);
}
