/**
 * Type-check every notebook of the course without running it (`deno task check-notebooks`; the
 * test command's `notebook types` phase): the lecture notebooks and the homework starters, each
 * turned into one module by scripts/notebook_script.ts and checked by `deno check` with the
 * project's deno.json. A type error names the notebook's module and its `// --- code cell N`.
 * Notebooks import the library through its faces only (`@course/mod.ts` or an area's `mod.ts`):
 * {@linkcode facelessImports} lists any other `@course/` import, and the check fails on one. The
 * one exception is `@course/variants/objectives.ts`, the graded losses that no face exports and
 * the lecture notebooks show.
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

/** `@course/` paths a notebook may import besides the faces (see the module documentation). */
export const FACE_EXCEPTIONS: readonly string[] = ["@course/variants/objectives.ts"];

/**
 * The `@course/` imports of a notebook's code that are not faces, as `"cell N: path"`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { facelessImports } from "./check_notebooks.ts";
 * const cells = [
 *   { cell_type: "code", source: 'import { train } from "@course/train/mod.ts";' },
 *   { cell_type: "code", source: 'import { lossPlot } from "@course/viz/plot.ts";' },
 * ];
 * assertEquals(facelessImports(JSON.stringify({ cells })), ["code cell 2: @course/viz/plot.ts"]);
 * ```
 */
export function facelessImports(notebookJson: string): string[] {
  const notebook = JSON.parse(notebookJson) as {
    cells: { cell_type: string; source: string | string[] }[];
  };
  const found: string[] = [];
  notebook.cells.filter((cell) => cell.cell_type === "code").forEach((cell, index) => {
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    for (const match of source.matchAll(/from\s+"(@course\/[^"]+)"/g)) {
      const path = match[1];
      if (!path.endsWith("/mod.ts") && !FACE_EXCEPTIONS.includes(path)) {
        found.push(`code cell ${index + 1}: ${path}`);
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
  const notebooks = Deno.args.length > 0 ? Deno.args : await courseNotebooks();
  let faceless = 0;
  for (const notebook of notebooks) {
    for (const line of facelessImports(await Deno.readTextFile(notebook))) {
      console.error(`${notebook}, ${line}: import the area's mod.ts (or @course/mod.ts) instead`);
      faceless++;
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
  if (faceless > 0) {
    console.error(`check-notebooks: ${faceless} import(s) behind the library's faces (above)`);
    Deno.exit(1);
  }
  console.log(`check-notebooks: ${notebooks.length} notebooks type-check and import faces only`);
}
