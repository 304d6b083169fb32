/**
 * Code excerpts taken from the library at build time, so slides stay in sync with the code.
 *
 * A slide line `@include lib/losses.ts#cycleLoss` becomes a fenced code block holding
 * either the region between `// #region cycleLoss` and `// #endregion` in that file, or,
 * when there is no such region, the top-level declaration named `cycleLoss`
 * (`export function`, `export async function`, `export const`, `export class`), from its first
 * line to the closing brace at column 0. Marker lines are dropped and the excerpt is dedented.
 * `@include lib/losses.ts#cycleLoss from "return tf.tidy"` starts a declaration's excerpt
 * at the first line containing that text (and drops its closing brace), for long functions.
 *
 * Inline code written `` `lib:name` `` (in prose or tables) is checked the same way: the build fails
 * unless a file under `lib/` exports a top-level declaration `name`; the slide shows `` `name` ``.
 *
 * @module
 */

import { extname, join } from "node:path";

/** Where include paths are resolved from and how errors name the including file. */
export interface IncludeOptions {
  /** Directory that `@include` paths are relative to (the repository root). */
  root: string;
  /** Name of the including file, used in error messages. Default `"deck"`. */
  from?: string;
}

const LIBRARY_REF = /`lib:([A-Za-z_$][\w$]*)`/g;

const INCLUDE_LINE = /^@include\s+(\S+?)#(\S+)(?:\s+from\s+"([^"]+)")?\s*$/;

const LANGUAGES: Record<string, string> = {
  ".ts": "ts",
  ".js": "js",
  ".py": "python",
  ".sh": "bash",
  ".json": "json",
};

/**
 * Extracts a named excerpt from a source file's text: a `// #region name` block, or else the
 * top-level declaration `name`. Returns `undefined` when neither exists.
 *
 * @example A region and a function
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { extractExcerpt } from "./include.ts";
 *
 * const text = [
 *   "// #region setup",
 *   "  const a = 1;",
 *   "// #endregion",
 *   "export function twice(x: number): number {",
 *   "  return 2 * x;",
 *   "}",
 * ].join("\n");
 * assertEquals(extractExcerpt(text, "setup"), "const a = 1;");
 * assertEquals(extractExcerpt(text, "twice")?.split("\n").length, 3);
 * assertEquals(extractExcerpt(text, "missing"), undefined);
 * ```
 */
export function extractExcerpt(text: string, name: string): string | undefined {
  const lines = text.split("\n");
  const regionStart = lines.findIndex((line) =>
    new RegExp(`^\\s*//\\s*#region\\s+${escapeRegExp(name)}\\s*$`).test(line)
  );
  if (regionStart >= 0) {
    const regionEnd = lines.findIndex((line, i) =>
      i > regionStart && /^\s*\/\/\s*#endregion\b/.test(line)
    );
    if (regionEnd < 0) return undefined;
    return dedent(
      lines.slice(regionStart + 1, regionEnd).filter((line) =>
        !/^\s*\/\/\s*#(end)?region\b/.test(line)
      ),
    );
  }
  const declaration = new RegExp(
    `^export\\s+(?:default\\s+)?(?:async\\s+)?(?:function\\*?|const|let|class|interface|type)\\s+${
      escapeRegExp(name)
    }\\b`,
  );
  const declStart = lines.findIndex((line) => declaration.test(line));
  if (declStart < 0) return undefined;
  if (/;\s*$/.test(lines[declStart])) return lines[declStart];
  const declEnd = lines.findIndex((line, i) => i > declStart && /^[}\]]/.test(line));
  if (declEnd < 0) return undefined;
  return dedent(lines.slice(declStart, declEnd + 1));
}

/** Lists the region names and top-level exported declarations of a file, for error messages. */
function excerptNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split("\n")) {
    const region = /^\s*\/\/\s*#region\s+(\S+)/.exec(line);
    if (region) names.push(`#region ${region[1]}`);
    const decl =
      /^export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type)\s+(\w+)/
        .exec(line);
    if (decl) names.push(decl[1]);
  }
  return names;
}

/**
 * Replaces every `@include path#name` line (outside fenced code) of a Markdown text with a fenced
 * code block holding the excerpt. Throws with the file, line and the available names when the
 * file or the excerpt does not exist.
 *
 * @example Including a function from a file
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { expandIncludes } from "./include.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.ts`, "export function one(): number {\n  return 1;\n}\n");
 * const markdown = await expandIncludes("# Code\n@include a.ts#one\n", { root });
 * assert(/`{3}ts\nexport function one\(\): number \{/.test(markdown));
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function expandIncludes(markdown: string, options: IncludeOptions): Promise<string> {
  const from = options.from ?? "deck";
  const lines = markdown.split("\n");
  const out: string[] = [];
  let fence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const match = fence ? null : INCLUDE_LINE.exec(line);
    if (!match) {
      out.push(fence ? line : await checkLibraryRefs(line, options.root, `${from} line ${i + 1}`));
      continue;
    }
    const [, path, name, anchor] = match;
    const where = `${from} line ${i + 1} (@include ${path}#${name}${
      anchor ? ` from "${anchor}"` : ""
    })`;
    let text: string;
    try {
      text = await Deno.readTextFile(join(options.root, path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Error(
        `Cannot include code in ${where}: the file ${path} does not exist. ` +
          `Create it, or point the include at a file that exists.`,
      );
    }
    const excerpt = extractExcerpt(text, name);
    if (excerpt === undefined) {
      const names = excerptNames(text);
      throw new Error(
        `Cannot include code in ${where}: ${path} has no '// #region ${name}' ... '// #endregion' ` +
          `block and no top-level declaration named '${name}'. Available: ${
            names.length ? names.join(", ") : "none"
          }.`,
      );
    }
    let code = excerpt;
    if (anchor) {
      const lines = excerpt.split("\n");
      const start = lines.findIndex((line) => line.includes(anchor));
      if (start < 0) {
        throw new Error(
          `Cannot include code in ${where}: no line of ${path}#${name} contains "${anchor}". ` +
            `Update the anchor text in the slide to match the code.`,
        );
      }
      const end = lines.at(-1) === "}" ? lines.length - 1 : lines.length;
      code = dedent(lines.slice(start, end));
    }
    out.push("```" + (LANGUAGES[extname(path)] ?? ""), code, "```");
  }
  return out.join("\n");
}

/**
 * Replaces every `` `lib:name` `` in a line by `` `name` `` after checking that the library exports
 * `name`; throws naming the line otherwise.
 */
async function checkLibraryRefs(line: string, root: string, where: string): Promise<string> {
  const names = [...line.matchAll(LIBRARY_REF)].map((match) => match[1]);
  if (names.length === 0) return line;
  const exported = await libraryExports(root);
  const unknown = names.filter((name) => !exported.has(name));
  if (unknown.length) {
    throw new Error(
      `Cannot build ${where}: the library (lib/) exports no ${
        unknown.map((name) => `'${name}'`).join(", ")
      }. Fix the name in the slide, or drop the lib: prefix if it is not a library function.`,
    );
  }
  return line.replace(LIBRARY_REF, "`$1`");
}

const exportsByRoot = new Map<string, Promise<Set<string>>>();

/** Names of the top-level exported declarations of every `.ts` file under `<root>/lib`. */
function libraryExports(root: string): Promise<Set<string>> {
  let names = exportsByRoot.get(root);
  if (!names) {
    names = (async () => {
      const found = new Set<string>();
      const walk = async (dir: string) => {
        for await (const entry of Deno.readDir(dir)) {
          const path = join(dir, entry.name);
          if (entry.isDirectory) await walk(path);
          else if (entry.isFile && entry.name.endsWith(".ts")) {
            for (const name of excerptNames(await Deno.readTextFile(path))) {
              if (!name.startsWith("#region")) found.add(name);
            }
          }
        }
      };
      await walk(join(root, "lib"));
      return found;
    })();
    exportsByRoot.set(root, names);
  }
  return names;
}

function dedent(lines: string[]): string {
  const indents = lines.filter((line) => line.trim() !== "").map((line) =>
    /^\s*/.exec(line)![0].length
  );
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(cut)).join("\n").replace(/^\n+|\n+$/g, "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
