import assert from "node:assert/strict";
import { matrixPanelsPlot } from "../lib/viz/matrix_plot.ts";

type Trace = { z: number[][]; text: string[][]; xaxis: string; yaxis: string; zmin: number };
type Axis = { domain: [number, number] };

Deno.test("matrixPanelsPlot() draws one labelled heat map per panel on its own axes", () => {
  const figure = matrixPanelsPlot([
    { title: "input", values: [[1, 2], [3, 4]] },
    { title: "kernel", values: [[0.5, -0.25, 1 / 3]] },
  ]);
  const traces = figure.data as unknown as Trace[];
  assert.deepEqual(traces.map((t) => [t.xaxis, t.yaxis]), [["x", "y"], ["x2", "y2"]]);
  assert.deepEqual(traces[0].text, [["1", "2"], ["3", "4"]]);
  assert.deepEqual(traces[1].text, [["0.5", "-0.25", "0.333"]]);
  // One colour scale for all panels by default.
  assert.deepEqual(traces.map((t) => t.zmin), [-0.25, -0.25]);
  const layout = figure.layout as Record<string, unknown>;
  const titles = (layout.annotations as { text: string }[]).map((a) => a.text);
  assert.deepEqual(titles, ["input", "kernel"]);
});

Deno.test("matrixPanelsPlot() keeps cells the same size and wraps rows with columns", () => {
  const figure = matrixPanelsPlot([
    { title: "a", values: [[1, 2], [3, 4]] },
    { title: "b", values: Array.from({ length: 4 }, () => [0, 0, 0, 0]) },
    { title: "c", values: [[5]] },
  ], { columns: 2, sharedScale: false });
  const layout = figure.layout as Record<string, Axis & Record<string, unknown>>;
  const span = (axis: Axis) => axis.domain[1] - axis.domain[0];
  const width = layout.width as unknown as number;
  // Panel b is 4 cells wide, panel a 2: twice the width on the page.
  assert.ok(Math.abs(span(layout.xaxis2) * width - 2 * span(layout.xaxis) * width) < 1e-6);
  // Panel c wraps to a second row, below the first.
  assert.ok(layout.yaxis3.domain[1] < layout.yaxis2.domain[0]);
  // Per-panel scales: c alone spans [5, 6] (a constant panel gets a unit range).
  const traces = figure.data as unknown as (Trace & { zmax: number })[];
  assert.deepEqual([traces[2].zmin, traces[2].zmax], [5, 6]);
});

Deno.test("matrixPanelsPlot() rejects empty and ragged matrices", () => {
  assert.throws(() => matrixPanelsPlot([]), /no panels given/);
  assert.throws(
    () => matrixPanelsPlot([{ title: "bad", values: [[1, 2], [3]] }]),
    /panel 0 \("bad"\) must be a non-empty rectangular matrix, got rows of lengths \[2,1\]/,
  );
});
