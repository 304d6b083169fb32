/**
 * The notebooks: stored clean with the Deno kernelspec, and every one executes headlessly with the
 * real Deno kernel in the `ci` profile. The runner itself is checked on notebooks made here that
 * must fail (a cell error, an unhandled promise rejection, a rejected promise as a cell's value).
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { findNotebooks, notebookProblems, runNotebooks } from "../scripts/run_notebooks.ts";
import { setup } from "../scripts/setup.ts";

/** A clean notebook for the Deno kernel with one code cell per source string. */
function notebook(...sources: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
    },
    cells: sources.map((source, index) => ({
      id: `cell-${index}`,
      cell_type: "code",
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  });
}

await setup({ quiet: true });
const notebooks = await findNotebooks();

Deno.test("notebookProblems() accepts a clean Deno notebook", () => {
  assertEquals(notebookProblems(notebook("1 + 1")), []);
});

Deno.test("notebookProblems() flags outputs, execution counts and a non-Deno kernelspec", () => {
  const nb = JSON.parse(notebook("1 + 1"));
  nb.cells[0].outputs = [{ output_type: "stream", name: "stdout", text: "2\n" }];
  nb.cells[0].execution_count = 1;
  nb.metadata.kernelspec = { name: "python3", language: "python" };
  const problems = notebookProblems(JSON.stringify(nb));
  assertEquals(problems.length, 2);
  assertMatch(problems[0], /kernelspec must be/);
  assertMatch(problems[1], /cell 0 has outputs/);
});

Deno.test("every notebook is stored without outputs and with the Deno kernelspec", async () => {
  assert(notebooks.includes("notebooks/00_setup.ipynb"), "notebooks/00_setup.ipynb is missing");
  for (const path of notebooks) {
    assertEquals(notebookProblems(await Deno.readTextFile(path)), [], path);
  }
});

Deno.test("runNotebooks() fails on a cell error and on unhandled rejections, passes a clean one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "notebooks_test_" });
  try {
    const cases = {
      clean: notebook("const x = 2;", "await Promise.resolve(x * 3)"),
      cellError: notebook("console.log(1)", 'throw new Error("broken on purpose")'),
      unhandled: notebook('Promise.reject(new Error("nobody awaits me")); 1', "2"),
      timerError: notebook('setTimeout(() => { throw new Error("late") }, 20); 1'),
      rejectedValue: notebook('Promise.reject(new Error("shown as the value"))'),
    };
    const paths = [];
    for (const [name, text] of Object.entries(cases)) {
      await Deno.writeTextFile(`${dir}/${name}.ipynb`, text);
      paths.push(`${dir}/${name}.ipynb`);
    }
    const runs = await runNotebooks(paths, { outDir: `${dir}/out` });
    assertEquals(runs.map((run) => run.ok), [true, false, false, false, false]);
    assertEquals(runs.map((run) => run.cell), [null, 1, 0, 0, 0]);
    assertMatch(runs[1].error ?? "", /broken on purpose/);
    assertMatch(runs[2].error ?? "", /Unhandled promise rejection: Error: nobody awaits me/);
    assertMatch(runs[3].error ?? "", /Uncaught error: Error: late/);
    assertMatch(runs[4].error ?? "", /rejected promise/);
    // The executed copy keeps the notebook's own cells, not the runner's hidden checks.
    const executed = JSON.parse(await Deno.readTextFile(runs[0].executed));
    assertEquals(
      executed.cells.map((cell: { source: string | string[] }) => [cell.source].flat().join("")),
      [
        "const x = 2;",
        "await Promise.resolve(x * 3)",
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const path of notebooks) {
  Deno.test(`${path} runs without errors in the ci profile`, async () => {
    const [run] = await runNotebooks([path], { profile: "ci" });
    console.log(`${path}: ${run.seconds.toFixed(1)} s, executed copy ${run.executed}`);
    assert(run.ok, `${path} failed at cell ${run.cell}:\n${run.error}`);
  });
}
