/**
 * Write a notebook's code cells, in order, as one TypeScript module (`deno task notebook-script
 * notebooks/02_dcgan.ipynb out.ts`), for a machine that has Deno but no Jupyter: the GPU check
 * (`bench/gpu_check.sh`) bundles notebook 02 this way for a GPU machine that reaches no package
 * registry. The cells of a course notebook declare each name once and import at the top of a
 * cell, so the module runs them as the kernel would; what the notebook displays is skipped
 * (the display helpers draw only inside Jupyter), and what it prints and records stays. A name
 * that two cells import (the kernel allows it) is imported once. The test command type-checks
 * every notebook through this module (`scripts/check_notebooks.ts`), without running it.
 *
 * @module
 */

/** The code cells of a notebook's JSON text, joined into one module's source. */
export function notebookScript(notebookJson: string, name = "notebook"): string {
  let notebook: { cells?: { cell_type: string; source: string | string[] }[] };
  try {
    notebook = JSON.parse(notebookJson);
  } catch (error) {
    throw new Error(`Cannot read ${name}: not notebook JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(notebook.cells)) throw new Error(`Cannot read ${name}: it has no cells`);
  const imported = new Set<string>();
  const cells = notebook.cells.filter((c) => c.cell_type === "code")
    .map((c) =>
      withoutRepeatedImports(Array.isArray(c.source) ? c.source.join("") : c.source, imported)
    );
  return `// Generated from ${name} by scripts/notebook_script.ts: its code cells, in order.\n\n` +
    cells.map((code, i) => `// --- code cell ${i + 1}\n${code}\n`).join("\n");
}

/** `import { a, type B, c as d } from "m";` statements with named bindings, over several lines. */
const NAMED_IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s*from\s*(["'][^"']+["']);?[ \t]*$/gm;

/**
 * `code` with the named imports that an earlier cell already made (recorded in `imported`, as
 * `module binding`) left out; a statement left with nothing to import goes.
 */
function withoutRepeatedImports(code: string, imported: Set<string>): string {
  return code.replace(NAMED_IMPORT, (_statement, typeOnly: string | undefined, names, from) => {
    const kept = (names as string).split(",").map((name) => name.trim()).filter((name) => {
      if (!name) return false;
      const key = `${from} ${name.replace(/^type\s+/, "")}`;
      if (imported.has(key)) return false;
      imported.add(key);
      return true;
    });
    if (kept.length === 0) return "";
    return `import ${typeOnly ?? ""}{ ${kept.join(", ")} } from ${from};`;
  });
}

if (import.meta.main) {
  const [input, output] = Deno.args;
  if (!input || !output) {
    console.error("Usage: deno task notebook-script NOTEBOOK.ipynb OUT.ts");
    Deno.exit(2);
  }
  try {
    await Deno.writeTextFile(output, notebookScript(await Deno.readTextFile(input), input));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
