/**
 * `deno task course` for real: Jupyter serves the folder asked for, plotly.js for the pages and
 * the course's kernel by its name; SIGTERM or SIGINT to the command stops Jupyter and its kernels.
 * The students' work copies are checked on a folder made here (never the project's own `work/`).
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { CUSTOM_JS, KERNEL_DISPLAY_NAME, PROJECT_ROOT } from "../scripts/jupyter_env.ts";
import { setup } from "../scripts/setup.ts";
import { ChromiumPage } from "../slides/chromium.ts";
import { courseFilesToCopy, makeWorkCopies } from "../scripts/work_copies.ts";
import { notebook, processesWith, startCourse, waitFor } from "./course_helpers.ts";

await setup({ quiet: true });

/** Start `deno task course` on a folder, check what it serves, stop it with `signal`. */
async function courseStopsOn(signal: "SIGTERM" | "SIGINT") {
  const folder = await Deno.makeTempDir({ prefix: "course_test_" });
  await Deno.writeTextFile(`${folder}/mine.ipynb`, "{}");
  const course = await startCourse(folder);
  const { api, base, port } = course;
  try {
    // The user's own folder, passed once to Jupyter.
    const listing = await api("/api/contents") as { content: { name: string }[] };
    assertEquals(listing.content.map((item) => item.name), ["mine.ipynb"]);
    // The kernel menu names the course's kernel, and it is the default.
    const specs = await api("/api/kernelspecs") as {
      default: string;
      kernelspecs: { deno: { spec: { display_name: string } } };
    };
    assertEquals(specs.default, "deno");
    assertEquals(specs.kernelspecs.deno.spec.display_name, KERNEL_DISPLAY_NAME);
    // The pages get plotly.js from the server, through custom.js.
    const customJs = await fetch(`${base}/custom/custom.js`);
    assertEquals(await customJs.text(), CUSTOM_JS);
    const plotly = await fetch(`${base}/custom/plotly.min.js`);
    assert(plotly.ok && (await plotly.text()).includes("window.Plotly = Plotly"));
    // A running kernel must go down with Jupyter.
    const kernel = await api("/api/kernels", {
      method: "POST",
      body: JSON.stringify({ name: "deno" }),
    }) as { id: string };
    await waitFor("the kernel process", async () => {
      const pids = await processesWith(kernel.id);
      return pids.length > 0 ? pids : undefined;
    });

    const { code, stderr } = await course.stop(signal);
    assertEquals(code, 0, stderr.slice(-2000));
    assertMatch(stderr, /course: stopping Jupyter/);
    assertEquals(await processesWith(`--port=${port}`), [], "Jupyter is still running");
    assertEquals(await processesWith(kernel.id), [], "its kernel is still running");
  } finally {
    await course.stop("SIGKILL");
    await Deno.remove(folder, { recursive: true });
  }
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "deno task course serves --notebook-dir, and SIGTERM stops Jupyter and its kernels",
  sanitizeResources: false,
  fn: () => courseStopsOn("SIGTERM"),
});

Deno.test({
  name: "deno task course: SIGINT to the command alone stops Jupyter and its kernels",
  sanitizeResources: false,
  fn: () => courseStopsOn("SIGINT"),
});

Deno.test({
  name: "in Chromium: figures draw with the served plotly.js; Kernel › Interrupt stops training " +
    "and the next cell sees the variables",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Inside the project, so that the kernel finds deno.json and its package @course/lib.
    await Deno.mkdir(`${PROJECT_ROOT}/runs`, { recursive: true });
    const folder = await Deno.makeTempDir({ dir: `${PROJECT_ROOT}/runs`, prefix: "course_ui_" });
    await Deno.writeTextFile(
      `${folder}/class.ipynb`,
      notebook(
        `import { handleInterrupts, interruptSignal, setupCourse } from "@course/lib/notebook";
import { createVariant } from "@course/lib/variants";
import { lossCurves, progressBar, samplerBatches, train } from "@course/lib/train";
import { sampleRing } from "@course/lib/data";
import { linePlot, showFigure } from "@course/lib/viz";
await setupCourse({ backend: "cpu", profile: "ci", env: new Map() });
handleInterrupts();
const variant = createVariant("toy_gan", { seed: 1 });
const kept = "still here";`,
        `await showFigure(linePlot({ y: [1, 3, 2] }, { title: "served plotly", height: 250 }));`,
        `const data = samplerBatches((n, seed) => sampleRing(n, { seed }), { batchSize: 32 });
const run = await train(variant, data, {
  epochs: 1, stepsPerEpoch: 1_000_000, seed: 1, signal: interruptSignal(),
  callbacks: [progressBar(), lossCurves({ every: 25 })],
});
console.log(\`stopped: \${run.reason} at step \${run.step}\`);`,
        `console.log(\`next cell: \${kept}, \${run.reason}, \${run.step} steps\`);`,
      ),
    );
    const course = await startCourse(folder);
    const page = await ChromiumPage.launch({ width: 1200, height: 1300 });
    try {
      await page.goto(`${course.base}/notebooks/class.ipynb?token=${course.token}`);
      const until = async (what: string, expression: string, seconds = 120) => {
        await waitFor(
          what,
          async () => (await page.evaluate<boolean>(expression)) || undefined,
          seconds,
        );
      };
      const output = (cell: number) => `Jupyter.notebook.get_cell(${cell}).output_area.element[0]`;
      await until(
        "the kernel",
        "!!(window.Jupyter?.notebook?.kernel && Jupyter.notebook.kernel.is_connected())",
      );
      assertEquals(
        await page.evaluate<string>("document.querySelector('.kernel_indicator_name').textContent"),
        KERNEL_DISPLAY_NAME,
      );
      await page.evaluate("Jupyter.notebook.execute_cell_range(0, 3), true");
      // Plotly drew the figure (the page got plotly.js from the server, not from the output).
      await until("the figure", `!!${output(1)}.querySelector(".js-plotly-plot")`);
      // The setup cell shows no value (handleInterrupts() returns nothing).
      assertEquals(
        await page.evaluate<number>(`${output(0)}.querySelectorAll(".output_result").length`),
        0,
      );
      // The training runs: its progress bar and live loss plot update in place.
      await until(
        "the training's progress and loss plot",
        `/it\\/s/.test(${output(2)}.textContent) && !!${
          output(2)
        }.querySelector(".js-plotly-plot")`,
      );
      // Kernel › Interrupt, clicked in the menu.
      await page.evaluate(`document.querySelector("#int_kernel a").click(), true`);
      await until("the training to stop", `/stopped: interrupted/.test(${output(2)}.textContent)`);
      await page.evaluate("Jupyter.notebook.execute_cells([3]), true");
      await until("the next cell", `/next cell/.test(${output(3)}.textContent)`);
      const next = await page.evaluate<string>(`${output(3)}.textContent`);
      assertMatch(next, /next cell: still here, interrupted, \d+ steps/);
      assert(await page.evaluate<boolean>("Jupyter.notebook.kernel.is_connected()"));
      await page.evaluate(`Jupyter.notebook.get_cell(2).element[0].scrollIntoView(), true`);
      await Deno.mkdir(`${PROJECT_ROOT}/runs/screenshots`, { recursive: true });
      const shot = `${PROJECT_ROOT}/runs/screenshots/course_interrupt.png`;
      await Deno.writeFile(shot, await page.screenshot());
      console.log(`screenshot: ${shot}`);
      // Everything the page loaded came from the course's own server.
      const elsewhere = page.log.requests.filter((url) =>
        !url.startsWith(course.base) && !/^(data|blob|about):/.test(url)
      );
      assertEquals(elsewhere, []);
    } finally {
      await page.close();
      await course.stop("SIGTERM");
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test("makeWorkCopies() copies notebooks and homework, never overwrites a saved one nor the solutions", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "work_copies_test_" });
  try {
    const files = await courseFilesToCopy();
    assert(files.some((file) => /^homework\/hw1_dcgan\/.*\.ipynb$/.test(file)));
    assert(!files.some((file) => /solutions|grader/.test(file)));
    const first = await makeWorkCopies({ workDir });
    assertEquals(first, { created: files, updated: [], kept: [], oldImports: [] });
    // The copy's ../runs is the project's runs/ (notebook 05 reads ../runs/dcgan/...).
    assertEquals(
      await Deno.realPath(`${workDir}/runs`),
      await Deno.realPath(`${PROJECT_ROOT}/runs`),
    );
    // As if the course had changed 00 and 01 since the copies were made; the student saved 00
    // and deleted 02.
    const manifestPath = `${workDir}/.course-copies.json`;
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    for (const file of ["notebooks/00_setup.ipynb", "notebooks/01_gan_review.ipynb"]) {
      await Deno.writeTextFile(`${workDir}/${file}`, "the course's old version");
      manifest[file] = await sha256Hex(new TextEncoder().encode("the course's old version"));
    }
    await Deno.writeTextFile(manifestPath, JSON.stringify(manifest));
    // The student's saved 00 still imports the library by a path from before @course/lib.
    await Deno.writeTextFile(
      `${workDir}/notebooks/00_setup.ipynb`,
      'saved by the student: import { setupCourse } from \\"@course/notebook/mod.ts\\";',
    );
    await Deno.remove(`${workDir}/notebooks/02_dcgan.ipynb`);
    assertEquals(await makeWorkCopies({ workDir }), {
      created: ["notebooks/02_dcgan.ipynb"],
      updated: ["notebooks/01_gan_review.ipynb"],
      kept: ["notebooks/00_setup.ipynb"],
      oldImports: ["notebooks/00_setup.ipynb"],
    });
    // The student's saved notebook is never overwritten; the untouched one is the course's now.
    assert(
      (await Deno.readTextFile(`${workDir}/notebooks/00_setup.ipynb`)).startsWith(
        "saved by the student",
      ),
    );
    assertEquals(
      await Deno.readFile(`${workDir}/notebooks/01_gan_review.ipynb`),
      await Deno.readFile(`${PROJECT_ROOT}/notebooks/01_gan_review.ipynb`),
    );
    // Nothing changes on the next start but the reminder.
    assertEquals(await makeWorkCopies({ workDir }), {
      created: [],
      updated: [],
      kept: ["notebooks/00_setup.ipynb"],
      oldImports: ["notebooks/00_setup.ipynb"],
    });
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
