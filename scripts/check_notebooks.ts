/**
 * Check every notebook of the course without running it (`deno task check-notebooks`; the test
 * command's `notebook types` phase): the lecture notebooks and the homework starters must be
 * formatted, type-check and import the library by its package exports only.
 *
 * - Formatting: as `deno fmt` formats them ({@linkcode unformattedNotebooks}; `--fix` formats them
 *   in place). `deno fmt --check` itself cannot check them: Deno 2.9.6 reports every `.ipynb` as
 *   unformatted in check mode, even one it has just formatted, so deno.json keeps notebooks out of
 *   `deno fmt` and this script formats a copy and compares.
 * - Types: each notebook becomes one module (scripts/notebook_script.ts), checked by `deno check`
 *   with the project's deno.json; a type error names the notebook and its `// --- code cell N`.
 * - Imports: the course library by the names of its package only: `@course/lib` and the subpaths
 *   of the `exports` map in `lib/deno.json` (`@course/lib/data`, ..., and
 *   `@course/lib/variants/objectives`, the graded losses that the lecture notebooks show), never a
 *   path into `lib/` ({@linkcode unexportedImports}). `deno check` refuses a subpath outside the
 *   map too; this names the notebook and cell, and catches relative paths, which it would accept.
 *
 * @module
 */
import { PROJECT_ROOT } from "./jupyter_env.ts";
import { notebookScript } from "./notebook_script.ts";

/** The course's notebooks, relative to the project root: notebooks/ and homework/, sorted. */
export async function courseNotebooks(root = PROJECT_ROOT): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${root}/${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && !entry.name.startsWith(".")) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ipynb")) found.push(path);
    }
  };
  for (const dir of ["notebooks", "homework"]) await walk(dir);
  return found.sort();
}

/** Where line `line` (1-based) of a notebook's module comes from: "NOTEBOOK, code cell N, line L". */
function cellOf(notebook: string, lines: string[], line: number): string {
  for (let index = line - 1; index >= 0; index--) {
    const marker = lines[index]?.match(/^\/\/ --- code cell (\d+)$/);
    if (marker) return `${notebook}, code cell ${marker[1]}, line ${line - 1 - index}`;
  }
  return notebook;
}

/**
 * The notebooks (paths relative to `root`) whose text differs from what `deno fmt` makes of it,
 * with the formatted text of each; formats copies, never the notebooks themselves.
 *
 * @example A code cell with odd spacing is unformatted; the formatted text fixes it
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { unformattedNotebooks } from "./check_notebooks.ts";
 * const root = await Deno.makeTempDir();
 * const cells = [{ cell_type: "code", metadata: {}, outputs: [], execution_count: null, source: ["const  x =1"] }];
 * const metadata = { language_info: { name: "typescript" } };
 * await Deno.writeTextFile(`${root}/a.ipynb`, JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }));
 * const [found] = await unformattedNotebooks(["a.ipynb"], root);
 * assertEquals(found.path, "a.ipynb");
 * assert(found.formatted.includes('"const x = 1;"'));
 * await Deno.writeTextFile(`${root}/a.ipynb`, found.formatted);
 * assertEquals(await unformattedNotebooks(["a.ipynb"], root), []);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function unformattedNotebooks(
  notebooks: string[],
  root = PROJECT_ROOT,
): Promise<{ path: string; formatted: string }[]> {
  const dir = await Deno.makeTempDir({ prefix: "notebook_fmt_" });
  try {
    const copies = await Promise.all(notebooks.map(async (notebook, i) => {
      const copy = `${dir}/${i}.ipynb`;
      await Deno.copyFile(`${root}/${notebook}`, copy);
      return copy;
    }));
    if (copies.length === 0) return [];
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "-q", "--config", `${PROJECT_ROOT}/deno.json`, ...copies],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!fmt.success) {
      throw new Error(`Cannot format the notebooks: ${new TextDecoder().decode(fmt.stderr)}`);
    }
    const found: { path: string; formatted: string }[] = [];
    for (const [i, notebook] of notebooks.entries()) {
      const formatted = await Deno.readTextFile(copies[i]);
      if (formatted !== await Deno.readTextFile(`${root}/${notebook}`)) {
        found.push({ path: notebook, formatted });
      }
    }
    return found;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The package `@course/lib` (the workspace member lib/): its name and the subpaths it exports. */
const LIB_CONFIG: { name: string; exports: Record<string, string> } = JSON.parse(
  await Deno.readTextFile(new URL("../lib/deno.json", import.meta.url)),
);

/** The specifiers that import the course library: the package's name and its exported subpaths
 * (`@course/lib`, `@course/lib/data`, ...), as `lib/deno.json` lists them. */
export const LIB_SPECIFIERS: readonly string[] = Object.keys(LIB_CONFIG.exports)
  .map((subpath) => subpath === "." ? LIB_CONFIG.name : `${LIB_CONFIG.name}${subpath.slice(1)}`);

const IMPORT_SPECIFIER = /\b(?:from|import)\s*(?:\(\s*)?["']([^"'\n]+)["']/g;

/**
 * The imports of a notebook's code that reach the course library other than by its package
 * exports ({@linkcode LIB_SPECIFIERS}), as `"code cell N: specifier"`: a subpath of `@course/`
 * that the package does not export, or a path (`./`, `../`, `/`, `file:`) instead of the package.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { unexportedImports } from "./check_notebooks.ts";
 * const cells = [
 *   { cell_type: "code", source: 'import * as tf from "@tensorflow/tfjs";\nimport { train } from "@course/lib/train";' },
 *   { cell_type: "code", source: 'import { lossPlot } from "@course/lib/viz/plot.ts";' },
 *   { cell_type: "markdown", source: 'import { x } from "../lib/viz/plot.ts";' },
 *   { cell_type: "code", source: 'const { lossPlot } = await import("../lib/viz/plot.ts");' },
 * ];
 * assertEquals(unexportedImports(JSON.stringify({ cells })), [
 *   "code cell 2: @course/lib/viz/plot.ts",
 *   "code cell 3: ../lib/viz/plot.ts",
 * ]);
 * ```
 */
export function unexportedImports(notebookJson: string): string[] {
  const notebook = JSON.parse(notebookJson) as {
    cells: { cell_type: string; source: string | string[] }[];
  };
  const found: string[] = [];
  notebook.cells.filter((cell) => cell.cell_type === "code").forEach((cell, index) => {
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    for (const [, specifier] of source.matchAll(IMPORT_SPECIFIER)) {
      const course = specifier.startsWith("@course/") || specifier === "@course";
      const path = /^(\.{1,2}\/|\/|file:)/.test(specifier);
      if ((course || path) && !LIB_SPECIFIERS.includes(specifier)) {
        found.push(`code cell ${index + 1}: ${specifier}`);
      }
    }
  });
  return found;
}

/**
 * Type-check `notebooks` (paths relative to `root`); resolves to `deno check`'s output and
 * whether it passed.
 *
 * @example A notebook with a type error fails, and the error names its cell
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { checkNotebooks } from "./check_notebooks.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/notebooks`);
 * const cells = [{ cell_type: "code", source: "const n: number = 1;" },
 *   { cell_type: "code", source: 'const s: string = n;' }];
 * await Deno.writeTextFile(`${root}/notebooks/bad.ipynb`, JSON.stringify({ cells }));
 * const result = await checkNotebooks(["notebooks/bad.ipynb"], root);
 * assert(!result.ok && result.output.includes("notebooks/bad.ipynb, code cell 2, line 1"));
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function checkNotebooks(
  notebooks: string[],
  root = PROJECT_ROOT,
): Promise<{ ok: boolean; output: string }> {
  // Outside the project: deno.json excludes runs/ and work/ from checks.
  const dir = await Deno.makeTempDir({ prefix: "notebook_types_" });
  try {
    const modules: string[] = [];
    const sources = new Map<string, { notebook: string; lines: string[] }>();
    for (const notebook of notebooks) {
      const name = notebook.replace(/\.ipynb$/, ".ts").replaceAll("/", "__");
      const source = notebookScript(await Deno.readTextFile(`${root}/${notebook}`), notebook);
      await Deno.writeTextFile(`${dir}/${name}`, source);
      modules.push(`${dir}/${name}`);
      sources.set(name, { notebook, lines: source.split("\n") });
    }
    if (modules.length === 0) return { ok: true, output: "no notebooks" };
    const check = await new Deno.Command(Deno.execPath(), {
      args: ["check", "-q", "--config", `${PROJECT_ROOT}/deno.json`, ...modules],
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    const output = (decoder.decode(check.stdout) + decoder.decode(check.stderr))
      .replaceAll(`file://${dir}/`, "").replaceAll(`${dir}/`, "")
      .replace(/([\w.-]+\.ts):(\d+):(\d+)/g, (at, name: string, line: string) => {
        const module = sources.get(name);
        return module ? `${at} (${cellOf(module.notebook, module.lines, Number(line))})` : at;
      });
    return { ok: check.success, output };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const fix = Deno.args.includes("--fix");
  const named = Deno.args.filter((arg) => arg !== "--fix");
  const notebooks = named.length > 0 ? named : await courseNotebooks();
  const unformatted = await unformattedNotebooks(notebooks);
  for (const { path, formatted } of unformatted) {
    if (fix) await Deno.writeTextFile(path, formatted);
    console.error(`${path}: ${fix ? "formatted" : "not formatted as deno fmt formats it"}`);
  }
  let unexported = 0;
  for (const notebook of notebooks) {
    for (const line of unexportedImports(await Deno.readTextFile(notebook))) {
      console.error(
        `${notebook}, ${line}: import the library by its package exports instead ` +
          `(${LIB_SPECIFIERS.join(", ")}; lib/deno.json lists them)`,
      );
      unexported++;
    }
  }
  const { ok, output } = await checkNotebooks(notebooks);
  if (!ok) {
    console.error(output);
    console.error(
      `check-notebooks: type errors in the notebooks above (each module is one notebook, ` +
        `its cells marked "// --- code cell N"); fix the cells, then run again.`,
    );
    Deno.exit(1);
  }
  if (unexported > 0) {
    console.error(
      `check-notebooks: ${unexported} import(s) of the library other than by its package exports ` +
        "(above)",
    );
    Deno.exit(1);
  }
  if (unformatted.length > 0 && !fix) {
    console.error(
      `check-notebooks: ${unformatted.length} notebook(s) not formatted; ` +
        "run `deno task check-notebooks --fix` to format them",
    );
    Deno.exit(1);
  }
  console.log(
    `check-notebooks: ${notebooks.length} notebooks are formatted, type-check and import the ` +
      "library's package exports only",
  );
}
