/**
 * Type-check every notebook of the course without running it (`deno task check-notebooks`; the
 * test command's `notebook types` phase): the lecture notebooks and the homework starters, each
 * turned into one module by scripts/notebook_script.ts and checked by `deno check` with the
 * project's deno.json. A type error names the notebook's module and its `// --- code cell N`.
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
  const { ok, output } = await checkNotebooks(notebooks);
  if (!ok) {
    console.error(output);
    console.error(
      `check-notebooks: type errors in the notebooks above (each module is one notebook, ` +
        `its cells marked "// --- code cell N"); fix the cells, then run again.`,
    );
    Deno.exit(1);
  }
  console.log(`check-notebooks: ${notebooks.length} notebooks type-check`);
}
