import assert from "node:assert/strict";
import {
  figureHtml,
  histogramPlot,
  linePlot,
  lossPlot,
  notebookFigureBundle,
  plotlyJs,
  saveFigureHtml,
  scatterPlot,
  showFigure,
} from "../lib/viz/plot.ts";

const BUNDLE_MARK = "window.Plotly = Plotly";

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

Deno.test("notebookFigureBundle() has HTML that draws the rounded figure and a text summary", () => {
  const figure = lossPlot({ step: [0, 5], dLoss: [1.4, 1 / 3], gLoss: [0.7, 0.9] });
  const bundle = notebookFigureBundle(figure);
  assert.deepEqual(Object.keys(bundle).sort(), ["text/html", "text/plain"]);
  assert.equal(bundle["text/plain"], "<Plotly figure: Losses, 2 traces>");
  const html = String(bundle["text/html"]);
  assert.match(html, /Plotly\.newPlot/);
  const data = JSON.parse(html.match(/var figure = (\{.*\});/)![1]).data;
  assert.deepEqual(data.map((trace: { name: string }) => trace.name), ["dLoss", "gLoss"]);
  assert.deepEqual(data[0].y, [1.4, 0.3333]);
});

Deno.test("notebookFigureBundle() never carries plotly.js: the page has it, outputs stay small", () => {
  const figures = [linePlot({ y: [1, 2, 3] }), lossPlot({ dLoss: [1, 2], gLoss: [2, 1] })];
  for (const figure of figures) {
    const html = String(notebookFigureBundle(figure)["text/html"]);
    assert.equal(count(html, BUNDLE_MARK), 0);
    assert.ok(html.length < 5_000 && !/<script[^>]*src=/.test(html));
  }
});

Deno.test("showFigure() shows nothing outside Jupyter", async () => {
  assert.equal(await showFigure(linePlot({ y: [1] })), undefined);
});

Deno.test("figureHtml() standalone is one offline page with plotly.js inlined once", async () => {
  const figure = linePlot({ "</script><b>": [1, 2] }, { title: "A & B" });
  const page = figureHtml(figure, { standalone: true });
  assert.ok(page.startsWith("<!DOCTYPE html>"));
  assert.equal(count(page, BUNDLE_MARK), 1);
  assert.match(page, /<title>A &amp; B<\/title>/);
  // Outside the inlined bundle, nothing refers to the network.
  const rest = page.replace(plotlyJs(), "");
  assert.ok(rest.length < 10_000 && !/https?:/.test(rest) && !/<script[^>]*src=/.test(rest));
  // A trace name cannot close the script element early.
  assert.equal(count(page, "</script><b>"), 0);
  assert.ok(page.length > plotlyJs().length);
  const linked = figureHtml(figure, { standalone: true, plotlySrc: "plotly.min.js" });
  assert.match(linked, /<script src="plotly.min.js"><\/script>/);
  assert.equal(count(linked, BUNDLE_MARK), 0);
  const dir = await Deno.makeTempDir({ prefix: "plot_test_" });
  try {
    await saveFigureHtml(figure, `${dir}/figure.html`);
    assert.equal(count(await Deno.readTextFile(`${dir}/figure.html`), BUNDLE_MARK), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lossPlot() takes columns or rows, uses step as x and turns NaN into gaps", () => {
  const rows = lossPlot([
    { step: 10, dLoss: 1, gLoss: 2 },
    { step: 20, dLoss: NaN, gLoss: 3, epoch: 1 },
  ]);
  assert.deepEqual(rows.data.map((trace) => trace.name), ["dLoss", "gLoss"]);
  assert.deepEqual(rows.data[0].x, [10, 20]);
  assert.deepEqual(rows.data[0].y, [1, null]);
  const indexed = lossPlot({ dLoss: [1, 2, 3] });
  assert.deepEqual(indexed.data[0].x, [0, 1, 2]);
});

Deno.test("linePlot() smoothing adds a faint raw line under an exponential moving average", () => {
  const figure = linePlot({ gLoss: [0, 10, 10] }, { smoothing: 0.5 });
  assert.equal(figure.data.length, 2);
  assert.deepEqual(figure.data[0].y, [0, 10, 10]);
  assert.deepEqual(figure.data[1].y, [0, 5, 7.5]);
  assert.throws(() => linePlot({ y: [1] }, { smoothing: 1 }), /smoothing must be in \[0, 1\)/);
});

Deno.test("scatterPlot() and histogramPlot() build the expected traces", () => {
  const scatter = scatterPlot([{ name: "real", points: [[1, 2], [3, 4]] }]);
  assert.deepEqual([scatter.data[0].x, scatter.data[0].y], [[1, 3], [2, 4]]);
  assert.equal((scatter.layout?.yaxis as { scaleanchor: string }).scaleanchor, "x");
  const histogram = histogramPlot({ real: [0, 1], fake: [2, 4] }, { bins: 4 });
  assert.deepEqual(histogram.data.map((trace) => trace.histnorm), [
    "probability density",
    "probability density",
  ]);
  assert.equal((histogram.data[0].xbins as { size: number }).size, 1);
});
