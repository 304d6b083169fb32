/**
 * Plotly figures for notebooks, slides and terminal runs, all offline.
 *
 * In Jupyter a figure is shown as HTML that draws it with the page's global `Plotly` (classic
 * Notebook, nbconvert's HTML), with a one-line text summary. The outputs never carry plotly.js
 * itself, and their numbers are rounded to what a plot can show ({@linkcode compactFigure}), so a
 * figure, live ones redrawn in place through a display id included, stays a few kilobytes and a
 * saved notebook stays small: the page gets the minified bundle of the installed
 * `plotly.js-dist-min` npm package (4.9 MB) once, from the notebook server that
 * `deno task course` starts (its `custom.js` loads it) or, in the HTML that
 * `deno task notebooks --html` exports, inlined once at the top. Nothing is loaded from a CDN.
 * There is no `application/vnd.plotly.v1+json` copy of the figure: Jupyter saves such JSON with
 * one number per line, which made the course's executed notebooks 2 to 3.5 MB; front ends that
 * run no page scripts (VS Code) show the text summary and a note to open the course's Jupyter.
 *
 * Outside Jupyter, {@linkcode figureHtml} with `standalone: true` (or {@linkcode saveFigureHtml})
 * writes a self-contained HTML page for slides, the training CLI and screenshots.
 *
 * @module
 */
import { display, type DisplayOptions, inJupyter, type MimeBundle } from "./jupyter.ts";
import { writeFileAtomic } from "../core/fs.ts";

/** A Plotly trace (`{ type: "scatter", x, y, ... }`), passed to Plotly unchanged. */
export type PlotlyTrace = Record<string, unknown>;

/** A Plotly figure: traces, layout and config, exactly as `Plotly.newPlot` takes them. */
export interface PlotlyFigure {
  /** The traces. */
  data: PlotlyTrace[];
  /** Axis titles, size, legend, ... */
  layout?: Record<string, unknown>;
  /** Plotly config (`{ responsive: true }`, ...). */
  config?: Record<string, unknown>;
}

const STATE_KEY = Symbol.for("course.viz.plotly");

/** What this kernel session keeps (on globalThis, across re-imports of this module). */
interface PlotlySessionState {
  /** Counter for unique `<div>` ids. */
  divCount: number;
}

function sessionState(): PlotlySessionState {
  const holder = globalThis as unknown as Record<symbol, PlotlySessionState | undefined>;
  holder[STATE_KEY] ??= { divCount: 0 };
  return holder[STATE_KEY];
}

let plotlySource: string | undefined;

/**
 * The text of the minified plotly.js browser bundle, read once from the installed
 * `plotly.js-dist-min` npm package. It sets `window.Plotly`, with or without require.js on the page.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { plotlyJs } from "./plot.ts";
 * assert(plotlyJs().includes("window.Plotly = Plotly"));
 * ```
 */
export function plotlyJs(): string {
  if (plotlySource !== undefined) return plotlySource;
  const tried: string[] = [];
  for (const path of plotlyCandidates()) {
    tried.push(path);
    try {
      plotlySource = Deno.readTextFileSync(path);
      return plotlySource;
    } catch {
      // try the next place
    }
  }
  throw new Error(
    `Cannot draw a Plotly figure: plotly.js-dist-min is not installed (looked in ${
      tried.join(", ")
    }). ` +
      "Run `deno install` in the course folder (or `deno task setup`), which installs it from npm.",
  );
}

let inlineSource: string | undefined;

/** plotly.js safe to put inside a `<script>` element. */
function inlinePlotlyJs(): string {
  inlineSource ??= plotlyJs().replace(/<\/(script)/gi, "<\\/$1");
  return inlineSource;
}

function plotlyCandidates(): string[] {
  const paths: string[] = [];
  try {
    const resolved = import.meta.resolve("plotly.js-dist-min");
    if (resolved.startsWith("file:")) {
      paths.push(decodeURIComponent(new URL(resolved).pathname));
    }
  } catch {
    // not in the import map: fall back to node_modules folders
  }
  const tail = "node_modules/plotly.js-dist-min/plotly.min.js";
  let dir = new URL(".", import.meta.url);
  for (let i = 0; i < 4 && dir.protocol === "file:"; i++) {
    dir = new URL("..", dir);
    paths.push(decodeURIComponent(new URL(tail, dir).pathname));
  }
  paths.push(`${Deno.cwd()}/${tail}`);
  return [...new Set(paths)];
}

/** Options of {@linkcode figureHtml}. */
export interface FigureHtmlOptions {
  /** A whole HTML page with the Plotly bundle inlined (for files). Default `false`: a fragment. */
  standalone?: boolean;
  /** Use `<script src="...">` instead of inlining the bundle (a standalone page next to a copy). */
  plotlySrc?: string;
  /** The page title of a standalone page. Default: the figure's title or "Figure". */
  title?: string;
  /** The `<div>` id. Default: a fresh unique id. */
  divId?: string;
}

/**
 * HTML that draws a figure: a fragment for notebook outputs or, with `standalone: true`, a whole
 * offline page with plotly.js inlined.
 *
 * @example A standalone page and a fragment that uses an already loaded Plotly
 * ```ts
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 * import { figureHtml, linePlot } from "./plot.ts";
 * const figure = linePlot({ gLoss: [1.2, 0.9, 0.8] }, { title: "Generator loss" });
 * const page = figureHtml(figure, { standalone: true });
 * assertEquals([page.startsWith("<!DOCTYPE html>"), page.length > 4e6], [true, true]);
 * assert(figureHtml(figure).length < 10_000);
 * ```
 */
export function figureHtml(figure: PlotlyFigure, options: FigureHtmlOptions = {}): string {
  checkFigure(figure);
  const state = sessionState();
  const divId = options.divId ?? `course-plot-${++state.divCount}-${randomSuffix()}`;
  const script = () =>
    options.plotlySrc !== undefined
      ? `<script src="${escapeAttribute(options.plotlySrc)}"></script>`
      : `<script type="text/javascript">${inlinePlotlyJs()}</script>`;
  const height = typeof figure.layout?.height === "number" ? `${figure.layout.height}px` : "450px";
  const figureJson = escapeScript(JSON.stringify({
    data: figure.data,
    layout: figure.layout ?? {},
    config: { responsive: true, displaylogo: false, ...figure.config },
  }));
  const body = `<div id="${divId}" style="width:100%;height:${height};"></div>
<div id="${divId}-note" style="font:13px sans-serif;color:#a33;"></div>
<script type="text/javascript">
(function () {
  var figure = ${figureJson};
  var tries = 0;
  function draw() {
    var div = document.getElementById("${divId}");
    if (!div) return;
    if (window.Plotly) { Plotly.newPlot(div, figure.data, figure.layout, figure.config); return; }
    if (++tries < 400) { setTimeout(draw, 50); return; }
    document.getElementById("${divId}-note").textContent = "This plot needs plotly.js on the " +
      "page: open the notebook in the Jupyter that 'deno task course' starts (it serves " +
      "plotly.js), or export it with 'deno task notebooks --html'.";
  }
  draw();
})();
</script>`;
  if (!options.standalone) {
    return options.plotlySrc !== undefined ? `${script()}\n${body}` : body;
  }
  const title = escapeText(options.title ?? figureTitle(figure) ?? "Figure");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
${script()}
</head>
<body style="margin:0;padding:8px;font-family:sans-serif;">
${body}
</body>
</html>
`;
}

/**
 * Write a figure as a self-contained offline HTML page, atomically.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { lossPlot, saveFigureHtml } from "./plot.ts";
 * const dir = await Deno.makeTempDir();
 * await saveFigureHtml(lossPlot({ dLoss: [1.4, 1.3], gLoss: [0.7, 0.9] }), `${dir}/loss.html`);
 * assert((await Deno.stat(`${dir}/loss.html`)).size > 1e6);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveFigureHtml(
  figure: PlotlyFigure,
  path: string,
  options: Omit<FigureHtmlOptions, "standalone"> = {},
): Promise<void> {
  await writeFileAtomic(path, figureHtml(figure, { ...options, standalone: true }));
}

/** Significant digits a figure saved in a notebook keeps: finer than a plot's pixels. */
export const FIGURE_DIGITS = 4;

/**
 * A copy of `figure` with every number rounded to {@linkcode FIGURE_DIGITS} significant digits and
 * typed arrays turned into plain arrays. A float32 value printed in full takes 18 characters in
 * JSON, rounded about 7, so a notebook that saves many scatter plots stays small; the drawing
 * does not change.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { compactFigure } from "./plot.ts";
 * const figure = { data: [{ type: "scatter", x: new Float32Array([0.1, 2.5]), y: [1 / 3, 12345.678] }] };
 * assertEquals(compactFigure(figure).data, [
 *   { type: "scatter", x: [0.1, 2.5], y: [0.3333, 12350] },
 * ]);
 * ```
 */
export function compactFigure(figure: PlotlyFigure): PlotlyFigure {
  const round = (value: unknown): unknown => {
    if (typeof value === "number") {
      return Number.isFinite(value) ? Number(value.toPrecision(FIGURE_DIGITS)) : value;
    }
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return Array.from(value as unknown as ArrayLike<number>, round);
    }
    if (Array.isArray(value)) return value.map(round);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, round(item)]));
    }
    return value;
  };
  return round(figure) as PlotlyFigure;
}

/**
 * The MIME bundle of a figure for Jupyter: HTML that draws it with the page's `Plotly` (see the
 * module's doc), and a one-line text summary.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { linePlot, notebookFigureBundle } from "./plot.ts";
 * const bundle = notebookFigureBundle(linePlot({ y: [1, 2, 3] }, { title: "y" }));
 * assertEquals(Object.keys(bundle), ["text/html", "text/plain"]);
 * assertEquals(bundle["text/plain"], "<Plotly figure: y, 1 trace>");
 * ```
 */
export function notebookFigureBundle(figure: PlotlyFigure): MimeBundle {
  figure = compactFigure(figure);
  const traces = figure.data.length;
  const title = figureTitle(figure);
  return {
    "text/html": figureHtml(figure),
    "text/plain": `<Plotly figure${title ? `: ${title}` : ""}, ${traces} trace${
      traces === 1 ? "" : "s"
    }>`,
  };
}

/**
 * Show a figure in Jupyter (drawn by the page's plotly.js, see the module's doc); outside Jupyter
 * it does nothing (save it with {@linkcode saveFigureHtml} there). Give an `id`, then
 * `update: true`, to redraw one output in place (a live loss curve during training).
 *
 * @example
 * ```ts
 * import { lossPlot, showFigure } from "./plot.ts";
 * const history = { dLoss: [1.4, 1.2], gLoss: [0.7, 0.9] };
 * await showFigure(lossPlot(history), { id: "loss" });
 * history.dLoss.push(1.1);
 * history.gLoss.push(1.0);
 * await showFigure(lossPlot(history), { id: "loss", update: true });
 * ```
 */
export async function showFigure(
  figure: PlotlyFigure,
  options: DisplayOptions = {},
): Promise<void> {
  checkFigure(figure);
  if (!inJupyter()) return;
  await display(notebookFigureBundle(figure), options);
}

/** Axis and size options shared by the plot helpers. */
export interface PlotOptions {
  /** Figure title. */
  title?: string;
  /** x-axis title. */
  xLabel?: string;
  /** y-axis title. */
  yLabel?: string;
  /** Logarithmic y axis. Default `false`. */
  logY?: boolean;
  /** Height in pixels. Default `400`. */
  height?: number;
  /** Width in pixels. Default: the output's width. */
  width?: number;
}

/** One line: its values, and optionally its x values and name. */
export interface LineSeries {
  /** Legend name. */
  name: string;
  /** y values. */
  y: ArrayLike<number>;
  /** x values; default 0, 1, 2, ... */
  x?: ArrayLike<number>;
}

/** Options of {@linkcode linePlot}. */
export interface LinePlotOptions extends PlotOptions {
  /** x values shared by every series given as a record. Default 0, 1, 2, ... */
  x?: ArrayLike<number>;
  /**
   * Exponential moving average weight in [0, 1) drawn over the raw values (which are then drawn
   * faint). Default `0`: raw values only.
   */
  smoothing?: number;
}

/**
 * A line chart of one or more series (a record `{ name: values }` or a list of {@linkcode LineSeries}).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { linePlot } from "./plot.ts";
 * const figure = linePlot({ sin: [0, 0.84, 0.91, 0.14] }, { xLabel: "x", title: "A sine" });
 * assertEquals(figure.data.length, 1);
 * ```
 */
export function linePlot(
  series: Record<string, ArrayLike<number>> | LineSeries[],
  options: LinePlotOptions = {},
): PlotlyFigure {
  const list: LineSeries[] = Array.isArray(series)
    ? series
    : Object.entries(series).map(([name, y]) => ({ name, y, x: options.x }));
  const smoothing = options.smoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new Error(`Cannot plot lines: smoothing must be in [0, 1), got ${smoothing}`);
  }
  const data: PlotlyTrace[] = [];
  list.forEach((line, i) => {
    const y = finiteOrNull(line.y);
    const x = line.x ? Array.from(line.x) : y.map((_, j) => j);
    const color = PALETTE[i % PALETTE.length];
    if (smoothing > 0) {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${line.name} (raw)`,
        x,
        y,
        line: { color, width: 1 },
        opacity: 0.3,
        showlegend: false,
        hoverinfo: "skip",
      });
      data.push({
        type: "scatter",
        mode: "lines",
        name: line.name,
        x,
        y: ema(y, smoothing),
        line: { color },
      });
    } else {
      data.push({ type: "scatter", mode: "lines", name: line.name, x, y, line: { color } });
    }
  });
  return { data, layout: baseLayout(options) };
}

/** Training history: columns `{ step: [...], dLoss: [...], gLoss: [...] }` or rows of records. */
export type LossSeries = Record<string, ArrayLike<number>> | Record<string, number>[];

/** Options of {@linkcode lossPlot}. */
export interface LossPlotOptions extends PlotOptions {
  /** The key used as the x axis when present. Default `"step"`. */
  xKey?: string;
  /** Keys never drawn as curves. Default `["step", "epoch", "time", "seconds"]`. */
  ignore?: string[];
  /** Exponential moving average weight in [0, 1). Default `0`. */
  smoothing?: number;
}

/**
 * Loss curves from a training history: every numeric key (dLoss, gLoss, gradient norms, ...)
 * against the step.
 *
 * @example Columns or rows give the same figure
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { lossPlot } from "./plot.ts";
 * const columns = lossPlot({ step: [0, 10], dLoss: [1.4, 1.2], gLoss: [0.7, 0.9] });
 * const rows = lossPlot([{ step: 0, dLoss: 1.4, gLoss: 0.7 }, { step: 10, dLoss: 1.2, gLoss: 0.9 }]);
 * assert(JSON.stringify(columns) === JSON.stringify(rows));
 * ```
 */
export function lossPlot(history: LossSeries, options: LossPlotOptions = {}): PlotlyFigure {
  const xKey = options.xKey ?? "step";
  const ignore = new Set([...(options.ignore ?? ["step", "epoch", "time", "seconds"]), xKey]);
  const columns: Record<string, number[]> = {};
  if (Array.isArray(history)) {
    const keys = [...new Set(history.flatMap((row) => Object.keys(row)))];
    for (const key of keys) {
      columns[key] = history.map((row) => (typeof row[key] === "number" ? row[key] : NaN));
    }
  } else {
    for (const [key, values] of Object.entries(history)) columns[key] = Array.from(values);
  }
  const names = Object.keys(columns).filter((key) => !ignore.has(key));
  const x = columns[xKey];
  return linePlot(
    names.map((name) => ({ name, y: columns[name], x })),
    {
      title: "Losses",
      xLabel: x ? xKey : "step",
      yLabel: "loss",
      height: 350,
      ...options,
    },
  );
}

/** One cloud of 2-D points. */
export interface PointSeries {
  /** Legend name. */
  name: string;
  /** Points as `[x, y]` pairs or as coordinate arrays. */
  points: ArrayLike<ArrayLike<number>> | { x: ArrayLike<number>; y: ArrayLike<number> };
  /** Marker colour. Default: the palette. */
  color?: string;
  /** Marker size. Default `4`. */
  size?: number;
}

/** Options of {@linkcode scatterPlot}. */
export interface ScatterPlotOptions extends PlotOptions {
  /** Same scale on both axes (circles look round). Default `true`. */
  equalAxes?: boolean;
  /** Marker opacity. Default `0.6`. */
  opacity?: number;
}

/**
 * A scatter plot of 2-D point clouds (real vs generated toy samples).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { scatterPlot } from "./plot.ts";
 * const figure = scatterPlot([
 *   { name: "real", points: [[1, 0], [0, 1]] },
 *   { name: "fake", points: { x: [0.5, 0.2], y: [0.1, 0.4] } },
 * ]);
 * assertEquals(figure.data.length, 2);
 * ```
 */
export function scatterPlot(series: PointSeries[], options: ScatterPlotOptions = {}): PlotlyFigure {
  const data = series.map((s, i) => {
    const { x, y } = splitPoints(s.points);
    return {
      type: "scatter",
      mode: "markers",
      name: s.name,
      x,
      y,
      marker: {
        color: s.color ?? PALETTE[i % PALETTE.length],
        size: s.size ?? 4,
        opacity: options.opacity ?? 0.6,
      },
    };
  });
  const layout = baseLayout({ height: 500, ...options });
  if (options.equalAxes ?? true) {
    layout.yaxis = { ...(layout.yaxis as object), scaleanchor: "x", scaleratio: 1 };
  }
  return { data, layout };
}

/** Options of {@linkcode histogramPlot}. */
export interface HistogramPlotOptions extends PlotOptions {
  /** Number of bins per series. Default `50`. */
  bins?: number;
  /** Normalise to a probability density (so sets of different sizes compare). Default `true`. */
  density?: boolean;
}

/**
 * Overlaid histograms of one or more samples (real vs generated 1-D values).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { histogramPlot } from "./plot.ts";
 * const figure = histogramPlot({ real: [0.1, 0.2, 0.2], fake: [0.5, 0.6] }, { bins: 10 });
 * assertEquals(figure.layout?.barmode, "overlay");
 * ```
 */
export function histogramPlot(
  series: Record<string, ArrayLike<number>>,
  options: HistogramPlotOptions = {},
): PlotlyFigure {
  const bins = options.bins ?? 50;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`Cannot plot a histogram: bins must be a positive integer, got ${bins}`);
  }
  const [lo, hi] = finiteRange(Object.values(series)) ?? [0, 1];
  const size = (hi - lo || 1) / bins;
  const data = Object.entries(series).map(([name, values], i) => ({
    type: "histogram",
    name,
    x: Array.from(values),
    opacity: 0.55,
    marker: { color: PALETTE[i % PALETTE.length] },
    histnorm: options.density ?? true ? "probability density" : "",
    xbins: { start: lo, end: hi + size * 1e-6, size },
  }));
  return {
    data,
    layout: {
      ...baseLayout({ yLabel: options.density ?? true ? "density" : "count", ...options }),
      barmode: "overlay",
    },
  };
}

/** The course's colours: real data blue, generated orange, then the rest. */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
] as const;

/**
 * Layout with the course's defaults for the shared plot options.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { baseLayout } from "./plot.ts";
 * assertEquals(baseLayout({ title: "Loss", logY: true }).yaxis, { title: { text: undefined }, type: "log" });
 * ```
 */
export function baseLayout(options: PlotOptions): Record<string, unknown> {
  const layout: Record<string, unknown> = {
    height: options.height ?? 400,
    margin: { l: 60, r: 20, t: options.title ? 50 : 20, b: 50 },
    xaxis: { title: { text: options.xLabel } },
    yaxis: { title: { text: options.yLabel }, ...(options.logY ? { type: "log" } : {}) },
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" },
  };
  if (options.title) layout.title = { text: options.title };
  if (options.width) layout.width = options.width;
  return layout;
}

/**
 * The smallest and largest finite value over several arrays, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { finiteRange } from "./plot.ts";
 * assertEquals(finiteRange([[3, NaN, 1], [7]]), [ 1, 7 ]);
 * ```
 */
export function finiteRange(arrays: ArrayLike<number>[]): [number, number] | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

function splitPoints(points: PointSeries["points"]): { x: number[]; y: number[] } {
  if ("x" in points && "y" in points && !Array.isArray(points)) {
    return { x: Array.from(points.x), y: Array.from(points.y) };
  }
  const list = Array.from(points as ArrayLike<ArrayLike<number>>);
  return { x: list.map((p) => p[0]), y: list.map((p) => p[1]) };
}

/** Plotly JSON has no NaN/Infinity: they become gaps (null). */
function finiteOrNull(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}

function ema(values: (number | null)[], weight: number): (number | null)[] {
  let last: number | undefined;
  return values.map((v) => {
    if (v === null) return null;
    last = last === undefined ? v : weight * last + (1 - weight) * v;
    return last;
  });
}

function checkFigure(figure: PlotlyFigure): void {
  if (!figure || !Array.isArray(figure.data)) {
    throw new Error(
      "Cannot show the figure: expected { data: [...traces], layout?: {...} }, as linePlot() returns",
    );
  }
}

function figureTitle(figure: PlotlyFigure): string | undefined {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && "text" in title) return String(title.text);
  return undefined;
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** Keep `</script>` inside JSON or the bundle from closing the script element. */
function escapeScript(text: string): string {
  return text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
