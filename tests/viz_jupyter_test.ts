/**
 * The visuals in a real Deno Jupyter kernel, executed headlessly with nbconvert: figures and image
 * grids arrive as outputs, no output carries plotly.js (the page gets it from the server), and
 * in-place updates replace the output they name, and each output is waited for. Skipped when the course's Jupyter kernel is not
 * installed (`deno task setup`).
 */
import assert from "node:assert/strict";
import sharp from "sharp";
import { jupyterEnv, jupyterPython, KERNEL_JSON, PROJECT_ROOT } from "../scripts/jupyter_env.ts";

const kernelInstalled = await Deno.stat(KERNEL_JSON).then(() => true, () => false);

interface Output {
  output_type: string;
  data?: Record<string, string | string[] | object>;
}

function text(value: string | string[] | object | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return Array.isArray(value) ? value.join("") : JSON.stringify(value);
}

Deno.test({
  name: "showFigure()/showImages() in the Deno kernel: small figure outputs, updates in place",
  ignore: !kernelInstalled,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cells = [
      `import * as tf from "@tensorflow/tfjs";
import { linePlot, lossPlot, showFigure } from "@course/lib/viz";
import { showImages } from "@course/lib/viz";
await showFigure(linePlot({ a: [1, 2, 3] }), { id: "loss" });`,
      `await showFigure(lossPlot({ dLoss: [1, 2], gLoss: [2, 1] }), { id: "loss", update: true });
await showFigure(linePlot({ b: [3, 2, 1] }, { title: "second" }));`,
      `const images = tf.zeros([4, 8, 8, 1]);
await showImages(images, { id: "grid" });
await showImages(images, { id: "grid", update: true, scale: 2 });`,
      // display() waits after an output so that the kernel sends it before the cell ends.
      `const started = performance.now();
await showFigure(linePlot({ c: [1, 2] }), { id: "timed" });
const waited = performance.now() - started;
await showFigure(linePlot({ d: [2, 1] }, { title: waited >= 50 ? "waited" : "returned at once" }));`,
    ];
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      cells: cells.map((source, i) => ({
        cell_type: "code",
        id: `viz-${i}`,
        metadata: {},
        execution_count: null,
        outputs: [],
        source,
      })),
    };
    // Inside the project, so the kernel finds deno.json and its package @course/lib.
    await Deno.mkdir(`${PROJECT_ROOT}/runs`, { recursive: true });
    const dir = await Deno.makeTempDir({ dir: `${PROJECT_ROOT}/runs`, prefix: "viz_jupyter_" });
    try {
      await Deno.writeTextFile(`${dir}/in.ipynb`, JSON.stringify(notebook));
      const run = await new Deno.Command(jupyterPython(), {
        args: [
          "-m",
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.timeout=120",
          `${dir}/in.ipynb`,
          "--output",
          `${dir}/out.ipynb`,
        ],
        env: jupyterEnv(),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(run.success, new TextDecoder().decode(run.stderr).slice(-2000));
      const executed = JSON.parse(await Deno.readTextFile(`${dir}/out.ipynb`));
      const outputs: Output[][] = executed.cells.map((cell: { outputs: Output[] }) =>
        cell.outputs.filter((output) => output.output_type === "display_data")
      );
      const html = outputs.flat().map((output) => text(output.data?.["text/html"]));
      assert.equal(html.filter((h) => h.includes("window.Plotly = Plotly")).length, 0);
      assert.ok(html.every((h) => h.length < 10_000), "a figure output carries more than its data");
      // Cell 0 holds the loss figure, replaced in place by cell 1's update; cell 1 adds only its
      // second figure.
      assert.equal(outputs[0].length, 1);
      assert.equal(text(outputs[0][0].data?.["text/plain"]), "<Plotly figure: Losses, 2 traces>");
      assert.equal(outputs[0][0].data?.["application/vnd.plotly.v1+json"], undefined);
      assert.deepEqual(
        outputs[1].map((output) => text(output.data?.["text/plain"])),
        ["<Plotly figure: second, 1 trace>"],
      );
      // The image grid was updated in place: one PNG output, from the scale-2 call (larger).
      assert.equal(outputs[2].length, 1);
      const png = Uint8Array.from(
        atob(text(outputs[2][0].data?.["image/png"])),
        (c) => c.charCodeAt(0),
      );
      // 2 columns of 8x8 tiles with 2 px padding: 22 px wide at scale 1, 38 px at scale 2.
      assert.equal((await sharp(png).metadata()).width, 38);
      assert.deepEqual(
        outputs[3].map((output) => text(output.data?.["text/plain"])),
        ["<Plotly figure, 1 trace>", "<Plotly figure: waited, 1 trace>"],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
