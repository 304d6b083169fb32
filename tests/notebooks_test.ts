/**
 * The notebooks: stored clean with the Deno kernelspec, and every one executes headlessly with the
 * real Deno kernel in the `ci` profile. The runner itself is checked on notebooks made here that
 * must fail (a cell error, an unhandled promise rejection, a rejected promise as a cell's value),
 * and Kernel > Interrupt is checked on a training run: the kernel survives and keeps its variables.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import {
  type CellStart,
  findNotebooks,
  notebookProblems,
  runNotebooks,
} from "../scripts/run_notebooks.ts";
import { PROJECT_ROOT, readKernelSpec } from "../scripts/jupyter_env.ts";
import { setup } from "../scripts/setup.ts";

/** A code cell's source, with the cell's metadata when it needs some. */
type CellSpec = string | { source: string; metadata: Record<string, unknown> };

/** A clean notebook for the Deno kernel with one code cell per source string. */
function notebook(...cells: CellSpec[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
    },
    cells: cells.map((cell, index) => ({
      id: `cell-${index}`,
      cell_type: "code",
      metadata: typeof cell === "string" ? {} : cell.metadata,
      source: typeof cell === "string" ? cell : cell.source,
      outputs: [],
      execution_count: null,
    })),
  });
}

/** The text of a cell's stream and text/plain outputs. */
function outputText(cell: { outputs: { text?: string[]; data?: Record<string, string[]> }[] }) {
  return cell.outputs.map((o) => [o.text ?? o.data?.["text/plain"] ?? ""].flat().join("")).join("");
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
    const starts: CellStart[] = [];
    const runs = await runNotebooks(paths, {
      outDir: `${dir}/out`,
      onCell: (start) => starts.push(start),
    });
    assertEquals(runs.map((run) => run.ok), [true, false, false, false, false]);
    // Each code cell was announced as it started, with its rank and the notebook's elapsed time.
    const clean = starts.filter((start) => start.path.endsWith("clean.ipynb"));
    assertEquals(clean.map((s) => [s.cell, s.index, s.cells, s.source]), [
      [0, 1, 2, "const x = 2;"],
      [1, 2, 2, "await Promise.resolve(x * 3)"],
    ]);
    assert(clean[1].seconds >= clean[0].seconds && clean[0].seconds > 0);
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

Deno.test("Kernel > Interrupt stops train() at interruptSignal() and the kernel keeps its variables", async () => {
  // Inside the project, so that the kernel finds deno.json and its package @course/lib.
  await Deno.mkdir(`${PROJECT_ROOT}/runs`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${PROJECT_ROOT}/runs`, prefix: "interrupt_test_" });
  try {
    const path = `${dir}/interrupt.ipynb`;
    await Deno.writeTextFile(
      path,
      notebook(
        `import { createVariant } from "@course/lib/variants";
import { samplerBatches, train } from "@course/lib/train";
import { sampleRing } from "@course/lib/data";
import { interruptSignal, setupCourse } from "@course/lib/notebook";
await setupCourse({ backend: "cpu", profile: "ci", env: new Map() });
const variant = createVariant("toy_gan", { seed: 1 });
const kept = "still here";`,
        {
          // The runner sends SIGINT, as Kernel > Interrupt does, once step 20 is printed.
          metadata: { interrupt_on_output: "step 20 done" },
          source:
            `const data = samplerBatches((n, seed) => sampleRing(n, { seed }), { batchSize: 32 });
const run = await train(variant, data, {
  epochs: 1, stepsPerEpoch: 1_000_000, seed: 1, signal: interruptSignal(),
  callbacks: [{ onStepEnd(state) { if (state.step === 20) console.log("step 20 done"); } }],
});
console.log(\`stopped: \${run.reason} at step \${run.step}\`);`,
        },
        `console.log(\`next cell: \${kept}, \${run.step} steps, \${variant.models.generator.countParams()} weights\`);`,
      ),
    );
    const [run] = await runNotebooks([path], { outDir: `${dir}/out` });
    assert(run.ok, `the interrupted notebook failed at cell ${run.cell}:\n${run.error}`);
    const cells = JSON.parse(await Deno.readTextFile(run.executed)).cells;
    const training = outputText(cells[1]);
    assertMatch(training, /Interrupted \(Kernel › Interrupt\)/);
    const steps = Number(training.match(/stopped: interrupted at step (\d+)/)?.[1]);
    assert(steps >= 20 && steps < 1000, `expected a stop soon after step 20, got:\n${training}`);
    assertEquals(outputText(cells[2]), `next cell: still here, ${steps} steps, 33666 weights\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notebookProblems() accepts what opening a notebook in Jupyter writes into it", async () => {
  // The executed copy carries the language_info the real Deno kernel reports (nbclient writes it,
  // as the notebook page does on opening); the page also copies the kernelspec's display name in
  // and marks cells trusted. With its outputs cleared, that notebook is fit to commit.
  const dir = await Deno.makeTempDir({ prefix: "notebooks_test_" });
  try {
    await Deno.writeTextFile(`${dir}/opened.ipynb`, notebook("const x = 1;", "x + 1"));
    const [run] = await runNotebooks([`${dir}/opened.ipynb`], { outDir: `${dir}/out` });
    assert(run.ok, run.error ?? "");
    const nb = JSON.parse(await Deno.readTextFile(run.executed));
    assertEquals(nb.metadata.language_info.name, "typescript");
    nb.metadata.kernelspec.display_name = (await readKernelSpec())?.display_name;
    for (const cell of nb.cells) {
      cell.metadata = { ...cell.metadata, trusted: true, scrolled: true, collapsed: false };
    }
    assert(notebookProblems(JSON.stringify(nb)).length > 0, "outputs are still in");
    for (const cell of nb.cells) Object.assign(cell, { outputs: [], execution_count: null });
    assertEquals(notebookProblems(JSON.stringify(nb)), []);
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
