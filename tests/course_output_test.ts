/**
 * Run All in the real Notebook page, on a busy machine: every cell's console output lands in that
 * cell, none in the next one (scripts/jupyter_page.js sends a cell only once the one before it has
 * finished and gone quiet).
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { PROJECT_ROOT } from "../scripts/jupyter_env.ts";
import { setup } from "../scripts/setup.ts";
import { ChromiumPage } from "../slides/chromium.ts";
import { notebook, startCourse, waitFor } from "./course_helpers.ts";

await setup({ quiet: true });

/** Processes that keep every core busy until killed, as other work on a student's laptop does. */
function loadEveryCore(): Deno.ChildProcess[] {
  return Array.from(
    { length: navigator.hardwareConcurrency },
    () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "let x = 0; while (true) x = (x + 1) % 1e9;"],
        stdout: "null",
        stderr: "null",
      }).spawn(),
  );
}

Deno.test({
  name: "in Chromium: Run All under CPU load keeps each cell's console output in its own cell",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.mkdir(`${PROJECT_ROOT}/runs`, { recursive: true });
    const folder = await Deno.makeTempDir({ dir: `${PROJECT_ROOT}/runs`, prefix: "course_out_" });
    const lines = 400;
    await Deno.writeTextFile(
      `${folder}/busy.ipynb`,
      notebook(
        `for (let i = 0; i < ${lines}; i++) console.log("first " + i + " " + "x".repeat(120));`,
        `let s = 0;\nfor (let i = 0; i < 3e8; i++) s += i % 7;\nconsole.log("second", s > 0);`,
        `console.log("third");`,
        `console.log("fourth");\nfor (let i = 0; i < 5; i++) console.log("fourth " + i);`,
      ),
    );
    const course = await startCourse(folder);
    const page = await ChromiumPage.launch({ width: 1200, height: 900 });
    const load = loadEveryCore();
    try {
      await page.goto(`${course.base}/notebooks/busy.ipynb?token=${course.token}`);
      await waitFor("the kernel", async () => {
        const ready = await page.evaluate<boolean>(
          "!!(window.Jupyter?.notebook?.kernel && Jupyter.notebook.kernel.is_connected())",
        );
        return ready || undefined;
      });
      await page.evaluate("Jupyter.notebook.execute_all_cells(), true");
      const text = (cell: number) =>
        `Jupyter.notebook.get_cell(${cell}).output_area.outputs` +
        `.map((o) => o.text ?? "").join("")`;
      await waitFor("the last cell", async () => {
        const last = await page.evaluate<string>(text(3));
        return /fourth 4/.test(last) ? true : undefined;
      }, 240);
      // Give late lines time to arrive, wherever they would land.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const outputs: string[] = [];
      for (let cell = 0; cell < 4; cell++) outputs.push(await page.evaluate<string>(text(cell)));
      const firstLines = outputs[0].split("\n").filter((line) => line.startsWith("first "));
      assertEquals(firstLines.length, lines);
      assertEquals(outputs.slice(1), [
        "second true\n",
        "third\n",
        "fourth\nfourth 0\nfourth 1\nfourth 2\nfourth 3\nfourth 4\n",
      ]);
      // The cells ran in order, each with its own execution count.
      const counts = await page.evaluate<number[]>(
        "Jupyter.notebook.get_cells().map((cell) => cell.input_prompt_number)",
      );
      assertEquals(counts, [1, 2, 3, 4]);
      await page.evaluate("Jupyter.notebook.get_cell(1).element[0].scrollIntoView(), true");
      await Deno.mkdir(`${PROJECT_ROOT}/runs/screenshots`, { recursive: true });
      const shot = `${PROJECT_ROOT}/runs/screenshots/course_output.png`;
      await Deno.writeFile(shot, await page.screenshot());
      console.log(`screenshot: ${shot}`);

      // An error stops Run All there, as in Jupyter: the cells queued after it do not run.
      await page.evaluate(
        `Jupyter.notebook.get_cell(1).set_text('throw new Error("stop here")'), true`,
      );
      await page.evaluate("Jupyter.notebook.execute_all_cells(), true");
      await waitFor("the error", async () => {
        const failed = await page.evaluate<boolean>(
          `Jupyter.notebook.get_cell(1).output_area.outputs.some((o) => o.output_type === "error")`,
        );
        return failed || undefined;
      }, 240);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assertEquals(await page.evaluate<string>(text(2)) + await page.evaluate<string>(text(3)), "");
      assertEquals(
        await page.evaluate<(number | null)[]>(
          "Jupyter.notebook.get_cells().slice(2).map((cell) => cell.input_prompt_number ?? null)",
        ),
        [null, null],
      );
    } finally {
      for (const child of load) child.kill("SIGKILL");
      await Promise.all(load.map((child) => child.status));
      await page.close();
      await course.stop("SIGTERM");
      await Deno.remove(folder, { recursive: true });
    }
  },
});
