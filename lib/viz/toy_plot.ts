/**
 * Plots for the 1-D and 2-D toy GANs: real vs generated samples, with the discriminator's score
 * drawn as a heat map (2-D) or a curve (1-D), so students watch D's decision surface move while G
 * chases the modes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  baseLayout,
  finiteRange,
  type LineSeries,
  PALETTE,
  type PlotlyFigure,
  type PlotlyTrace,
  type PlotOptions,
} from "./plot.ts";

/** A discriminator or critic: a model or function from `[n, dims]` inputs to `[n, 1]` scores. */
export type ToyDiscriminator = tf.LayersModel | ((x: tf.Tensor2D) => tf.Tensor);

/** Samples as a `[n, dims]` tensor or rows of numbers. */
export type ToySamples = tf.Tensor2D | ArrayLike<ArrayLike<number>>;

/**
 * How a score is shown: `probability` applies a sigmoid to D's logit (D(x), 0.5 = undecided),
 * `raw` shows the logit or critic score as is (WGAN critics).
 */
export type ScoreScale = "probability" | "raw";

/** Options of {@linkcode toyScatterPlot}. */
export interface ToyScatterPlotOptions extends PlotOptions {
  /** Draw this discriminator's score over the plane as a heat map. */
  discriminator?: ToyDiscriminator;
  /** How to show the score. Default `"probability"`. */
  score?: ScoreScale;
  /** Plot area `[xMin, xMax, yMin, yMax]`. Default: the samples' extent plus 10%. */
  bounds?: [number, number, number, number];
  /** Grid points per axis for the heat map. Default `80`. */
  resolution?: number;
  /** Grid points evaluated per discriminator call. Default `4096`. */
  batchSize?: number;
  /** At most this many points per cloud are drawn (the first ones). Default `2000`. */
  maxPoints?: number;
  /** Draw generated samples as density contours instead of points. Default `false`. */
  fakeDensity?: boolean;
}

/**
 * A 2-D scatter plot of real vs generated samples, optionally over a heat map of the
 * discriminator's score. Tensors passed in are not disposed; no tensor is left behind.
 *
 * @example Eight-mode ring samples vs a random generator, over an MLP's score
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { toyScatterPlot } from "./toy_plot.ts";
 * const angles = tf.linspace(0, 2 * Math.PI, 9).slice(0, 8);
 * const realSamples = tf.stack([tf.cos(angles), tf.sin(angles)], 1) as tf.Tensor2D;
 * const fakeSamples = tf.randomNormal([64, 2], 0, 0.3, "float32", 1) as tf.Tensor2D;
 * const discriminator = tf.sequential({
 *   layers: [tf.layers.dense({ inputShape: [2], units: 8, activation: "relu" }), tf.layers.dense({ units: 1 })],
 * });
 * const figure = await toyScatterPlot(realSamples, fakeSamples, { discriminator, resolution: 20 });
 * assertEquals(figure.data.map((trace) => trace.type), [ "heatmap", "scatter", "scatter" ]);
 * tf.dispose([angles, realSamples, fakeSamples]);
 * discriminator.dispose();
 * ```
 */
export async function toyScatterPlot(
  realSamples: ToySamples,
  fakeSamples: ToySamples,
  options: ToyScatterPlotOptions = {},
): Promise<PlotlyFigure> {
  const real = await toRows(realSamples, 2, "real");
  const fake = await toRows(fakeSamples, 2, "fake");
  const maxPoints = options.maxPoints ?? 2000;
  const bounds = options.bounds ?? extent([...real, ...fake], 0.1);
  const [xMin, xMax, yMin, yMax] = bounds;
  if (!(xMax > xMin && yMax > yMin)) {
    throw new Error(
      `Cannot plot toy samples: bounds must be [xMin, xMax, yMin, yMax] with min < max, got ` +
        `[${bounds.join(", ")}]`,
    );
  }
  const data: PlotlyTrace[] = [];
  const scale = options.score ?? "probability";
  if (options.discriminator) {
    const resolution = options.resolution ?? 80;
    checkPositiveInteger("resolution", resolution);
    const xs = linspace(xMin, xMax, resolution);
    const ys = linspace(yMin, yMax, resolution);
    // Grid rows are y, columns x: point (i, j) = (xs[j], ys[i]).
    const grid = new Float32Array(resolution * resolution * 2);
    for (let i = 0; i < resolution; i++) {
      for (let j = 0; j < resolution; j++) {
        grid[(i * resolution + j) * 2] = xs[j];
        grid[(i * resolution + j) * 2 + 1] = ys[i];
      }
    }
    const scores = await evaluateScores(options.discriminator, grid, 2, {
      batchSize: options.batchSize,
      score: scale,
    });
    const z: number[][] = [];
    for (let i = 0; i < resolution; i++) {
      z.push(Array.from(scores.subarray(i * resolution, (i + 1) * resolution)));
    }
    data.push({
      type: "heatmap",
      name: scale === "probability" ? "D(x)" : "critic score",
      x: xs,
      y: ys,
      z,
      colorscale: SCORE_COLOURS,
      ...(scale === "probability" ? { zmin: 0, zmax: 1 } : {}),
      opacity: 0.85,
      colorbar: { title: { text: scale === "probability" ? "D(x)" : "score" }, thickness: 12 },
      hovertemplate: "x=%{x:.2f}<br>y=%{y:.2f}<br>score=%{z:.3f}<extra></extra>",
    });
  }
  data.push(points("real", real.slice(0, maxPoints), PALETTE[0]));
  if (options.fakeDensity) {
    const shown = fake.slice(0, maxPoints);
    data.push({
      type: "histogram2dcontour",
      name: "generated",
      x: shown.map((p) => p[0]),
      y: shown.map((p) => p[1]),
      contours: { coloring: "lines" },
      line: { width: 1.5 },
      colorscale: [[0, PALETTE[1]], [1, PALETTE[1]]],
      showscale: false,
      ncontours: 8,
      showlegend: true,
    });
  } else {
    data.push(points("generated", fake.slice(0, maxPoints), PALETTE[1]));
  }
  const layout = baseLayout({ height: 500, title: "Real vs generated samples", ...options });
  layout.xaxis = { ...(layout.xaxis as object), range: [xMin, xMax], zeroline: false };
  layout.yaxis = {
    ...(layout.yaxis as object),
    range: [yMin, yMax],
    zeroline: false,
    scaleanchor: "x",
    scaleratio: 1,
  };
  return { data, layout };
}

/** Options of {@linkcode toyHistogramPlot}. */
export interface ToyHistogramPlotOptions extends PlotOptions {
  /** Draw this discriminator's score as a curve on a second y axis. */
  discriminator?: ToyDiscriminator;
  /** How to show the score. Default `"probability"`. */
  score?: ScoreScale;
  /** x range `[min, max]`. Default: the samples' extent plus 10%. */
  range?: [number, number];
  /** Histogram bins over the range. Default `60`. */
  bins?: number;
  /** Points of the score curve. Default `200`. */
  resolution?: number;
  /** More curves on the score axis, such as the optimal D*(x) = p_data / (p_data + p_g). */
  curves?: LineSeries[];
}

/**
 * 1-D version: histograms (as densities) of real vs generated values, with the discriminator's
 * D(x) curve on a second axis, as in the original GAN paper's figure.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { toyHistogramPlot } from "./toy_plot.ts";
 * const realSamples = tf.randomNormal([200, 1], 1, 0.5, "float32", 1) as tf.Tensor2D;
 * const fakeSamples = tf.randomNormal([200, 1], -1, 0.5, "float32", 2) as tf.Tensor2D;
 * const discriminator = (x: tf.Tensor2D) => x.mul(2); // a logit that favours x > 0
 * const figure = await toyHistogramPlot(realSamples, fakeSamples, { discriminator });
 * assertEquals(figure.data.map((trace) => trace.type), [ "histogram", "histogram", "scatter" ]);
 * tf.dispose([realSamples, fakeSamples]);
 * ```
 */
export async function toyHistogramPlot(
  realSamples: ToySamples | ArrayLike<number>,
  fakeSamples: ToySamples | ArrayLike<number>,
  options: ToyHistogramPlotOptions = {},
): Promise<PlotlyFigure> {
  const real = await toValues(realSamples, "real");
  const fake = await toValues(fakeSamples, "fake");
  const [lo, hi] = options.range ?? widen(...(finiteRange([real, fake]) ?? [-1, 1]), 0.1);
  if (!(hi > lo)) {
    throw new Error(
      `Cannot plot toy samples: range must be [min, max] with min < max, got [${lo}, ${hi}]`,
    );
  }
  const bins = options.bins ?? 60;
  checkPositiveInteger("bins", bins);
  const size = (hi - lo) / bins;
  const histogram = (name: string, values: number[], color: string): PlotlyTrace => ({
    type: "histogram",
    name,
    x: values,
    histnorm: "probability density",
    xbins: { start: lo, end: hi, size },
    marker: { color },
    opacity: 0.55,
  });
  const data: PlotlyTrace[] = [
    histogram("real", real, PALETTE[0]),
    histogram("generated", fake, PALETTE[1]),
  ];
  const scale = options.score ?? "probability";
  const hasScoreAxis = options.discriminator !== undefined || (options.curves?.length ?? 0) > 0;
  if (options.discriminator) {
    const resolution = options.resolution ?? 200;
    checkPositiveInteger("resolution", resolution);
    const xs = linspace(lo, hi, resolution);
    const scores = await evaluateScores(options.discriminator, Float32Array.from(xs), 1, {
      score: scale,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: scale === "probability" ? "D(x)" : "critic score",
      x: xs,
      y: Array.from(scores),
      yaxis: "y2",
      line: { color: PALETTE[3], width: 2 },
    });
  }
  (options.curves ?? []).forEach((curve, i) => {
    const y = Array.from(curve.y);
    data.push({
      type: "scatter",
      mode: "lines",
      name: curve.name,
      x: curve.x ? Array.from(curve.x) : y.map((_, j) => j),
      y,
      yaxis: "y2",
      line: { color: PALETTE[(4 + i) % PALETTE.length], width: 2, dash: "dash" },
    });
  });
  const layout = baseLayout({ yLabel: "density", height: 380, ...options });
  layout.barmode = "overlay";
  layout.xaxis = { ...(layout.xaxis as object), range: [lo, hi] };
  if (hasScoreAxis) {
    layout.yaxis2 = {
      title: { text: scale === "probability" ? "D(x)" : "score" },
      overlaying: "y",
      side: "right",
      showgrid: false,
      ...(scale === "probability" ? { range: [0, 1.02] } : {}),
    };
  }
  return { data, layout };
}

/** Options of {@linkcode evaluateScores}. */
export interface EvaluateScoresOptions {
  /** Points per discriminator call. Default `4096`. */
  batchSize?: number;
  /** Sigmoid of the logits (`probability`, default) or the raw scores. */
  score?: ScoreScale;
}

/**
 * Evaluate a discriminator on many points in batches, each inside `tf.tidy`, and return one score
 * per point (the first output column).
 *
 * @example D(x) of a logit that is x itself: sigmoid(0) = 0.5
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { evaluateScores } from "./toy_plot.ts";
 * const scores = await evaluateScores((x) => x, new Float32Array([0, 100]), 1);
 * assertEquals(Array.from(scores), [ 0.5, 1 ]);
 * ```
 */
export async function evaluateScores(
  discriminator: ToyDiscriminator,
  points: Float32Array,
  dims: number,
  options: EvaluateScoresOptions = {},
): Promise<Float32Array> {
  const batchSize = options.batchSize ?? 4096;
  checkPositiveInteger("batchSize", batchSize);
  const count = points.length / dims;
  if (!Number.isInteger(count)) {
    throw new Error(
      `Cannot evaluate the discriminator: ${points.length} values do not split into points of ${dims}`,
    );
  }
  const call = typeof discriminator === "function"
    ? discriminator
    : (x: tf.Tensor2D) => discriminator.predict(x) as tf.Tensor;
  const probability = (options.score ?? "probability") === "probability";
  const out = new Float32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    // [n, dims] -> [n, 1] scores -> [n]
    const scores = tf.tidy(() => {
      const x = tf.tensor2d(points.subarray(start * dims, (start + n) * dims), [n, dims]);
      const raw = call(x);
      if (raw.shape[0] !== n) {
        throw new Error(
          `Cannot evaluate the discriminator: it returned shape [${raw.shape}] for ${n} inputs; ` +
            "expected [n, 1] scores",
        );
      }
      const first = raw.reshape([n, -1]).slice([0, 0], [n, 1]).reshape([n]);
      return probability ? tf.sigmoid(first) : first;
    });
    out.set(await scores.data(), start);
    scores.dispose();
  }
  return out;
}

/** Low scores (judged fake) light orange, undecided white, high scores (judged real) light blue. */
const SCORE_COLOURS = [
  [0, "#fdd0a2"],
  [0.5, "#f7f7f7"],
  [1, "#a6cee3"],
];

function points(name: string, rows: number[][], color: string): PlotlyTrace {
  return {
    type: "scatter",
    mode: "markers",
    name,
    x: rows.map((p) => p[0]),
    y: rows.map((p) => p[1]),
    marker: { color, size: 5, opacity: 0.7, line: { width: 0.5, color: "white" } },
  };
}

async function toRows(samples: ToySamples, dims: number, what: string): Promise<number[][]> {
  const rows = samples instanceof tf.Tensor
    ? (await samples.array()) as number[][]
    : Array.from(samples, (row) => Array.from(row));
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== dims) {
      throw new Error(
        `Cannot plot toy samples: the ${what} samples must be [n, ${dims}] points, got a row ` +
          `${JSON.stringify(row)}`,
      );
    }
  }
  return rows;
}

async function toValues(
  samples: ToySamples | ArrayLike<number>,
  what: string,
): Promise<number[]> {
  if (samples instanceof tf.Tensor) {
    if (samples.size !== samples.shape[0]) {
      throw new Error(
        `Cannot plot 1-D toy samples: the ${what} samples must be [n] or [n, 1], got ` +
          `[${samples.shape}]`,
      );
    }
    return Array.from(await samples.data());
  }
  return Array.from(samples as ArrayLike<number | ArrayLike<number>>, (v) => {
    if (typeof v === "number") return v;
    if (v.length !== 1) {
      throw new Error(
        `Cannot plot 1-D toy samples: the ${what} samples must be numbers or [x] rows`,
      );
    }
    return v[0];
  });
}

function extent(rows: number[][], margin: number): [number, number, number, number] {
  const x = finiteRange([rows.map((p) => p[0])]) ?? [-1, 1];
  const y = finiteRange([rows.map((p) => p[1])]) ?? [-1, 1];
  return [...widen(x[0], x[1], margin), ...widen(y[0], y[1], margin)];
}

function widen(lo: number, hi: number, margin: number): [number, number] {
  const pad = (hi - lo) * margin || 1;
  return [lo - pad, hi + pad];
}

function linspace(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [(lo + hi) / 2];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Cannot plot toy samples: ${name} must be a positive integer, got ${value}`);
  }
}
