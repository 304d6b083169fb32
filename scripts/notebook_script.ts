/**
 * Write a notebook's code cells, in order, as one TypeScript module (`deno task notebook-script
 * notebooks/02_dcgan.ipynb out.ts`), for a machine that has Deno but no Jupyter: the GPU check
 * (`bench/gpu_check.sh`) bundles notebook 02 this way for a GPU machine that reaches no package
 * registry. The cells of a course notebook declare each name once and import at the top of a
 * cell, so the module runs them as the kernel would; what the notebook displays is skipped
 * (the display helpers draw only inside Jupyter), and what it prints and records stays.
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
  const cells = notebook.cells.filter((c) => c.cell_type === "code")
    .map((c) => Array.isArray(c.source) ? c.source.join("") : c.source);
  return `// Generated from ${name} by scripts/notebook_script.ts: its code cells, in order.\n\n` +
    cells.map((code, i) => `// --- code cell ${i + 1}\n${code}\n`).join("\n");
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
