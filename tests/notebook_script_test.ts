import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { notebookScript } from "../scripts/notebook_script.ts";

Deno.test("notebookScript() keeps the code cells in order and drops Markdown", () => {
  const source = notebookScript(JSON.stringify({
    cells: [
      { cell_type: "markdown", source: ["# Title\n"] },
      { cell_type: "code", source: ["const a = 1;\n", "console.log(a);"] },
      { cell_type: "code", source: "const b = a + 1;" },
    ],
  }));
  assert(source.indexOf("const a = 1;") < source.indexOf("const b = a + 1;"));
  assertEquals(source.includes("# Title"), false);
});

Deno.test("notebookScript() turns notebook 02 into a module that type-checks", async () => {
  // Outside the project: deno.json excludes runs/ from checks.
  const out = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const notebook = await Deno.readTextFile(
      new URL("../notebooks/02_dcgan.ipynb", import.meta.url),
    );
    await Deno.writeTextFile(out, notebookScript(notebook, "02_dcgan.ipynb"));
    const check = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", new URL("../deno.json", import.meta.url).pathname, out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(check.success, new TextDecoder().decode(check.stderr).slice(-1500));
  } finally {
    await Deno.remove(out);
  }
});

Deno.test("notebookScript() refuses what is not a notebook", () => {
  throws(() => notebookScript("{", "x.ipynb"), /Cannot read x.ipynb: not notebook JSON/);
  throws(() => notebookScript("{}", "y.ipynb"), /y.ipynb: it has no cells/);
});
