/**
 * The "training progress indicator" figure of the WGAN papers: the critic's Wasserstein estimate
 * and the samples' FID against the generator iteration, each on its own y axis.
 *
 * @module
 */
import { baseLayout, PALETTE, type PlotlyFigure, type PlotOptions } from "./plot.ts";

/** One measurement: the generator step, the critic's estimate and the FID. */
export interface ProgressPlotPoint {
  /** Generator iterations done. */
  step: number;
  /** The critic's Wasserstein estimate (its negative loss). */
  criticEstimate: number;
  /** FID of the samples at that step. */
  fid: number;
}

/**
 * A line chart of the critic's estimate (left axis) and FID (right axis) against the generator
 * iteration. Points whose estimate is not finite are drawn as gaps.
 *
 * @example
 * ```ts
 * import { criticFidPlot } from "./progress_plot.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const figure = criticFidPlot([
 *   { step: 100, criticEstimate: 4, fid: 300 },
 *   { step: 200, criticEstimate: 2, fid: 150 },
 * ]);
 * assertEquals(figure.data.map((t) => t.yaxis), ["y", "y2"]);
 * assertEquals(figure.data[1].y, [300, 150]);
 * ```
 */
export function criticFidPlot(
  points: ProgressPlotPoint[],
  options: PlotOptions = {},
): PlotlyFigure {
  if (points.length === 0) {
    throw new Error("Cannot plot the critic and FID: no points; train with the tracker first");
  }
  const x = points.map((p) => p.step);
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const layout = baseLayout({
    title: "The critic's Wasserstein estimate and FID during training",
    xLabel: "generator iteration",
    height: 380,
    ...options,
  });
  layout.yaxis = {
    ...(layout.yaxis as object),
    title: { text: options.yLabel ?? "critic's estimate −L_D" },
    color: PALETTE[0],
  };
  layout.yaxis2 = {
    title: { text: "FID (lower is better)" },
    overlaying: "y",
    side: "right",
    color: PALETTE[1],
    showgrid: false,
  };
  layout.margin = { ...(layout.margin as object), r: 70 };
  const series = [
    ["critic's estimate −L_D (mean since the last point)", "criticEstimate", "y"],
    ["FID of the samples", "fid", "y2"],
  ] as const;
  return {
    data: series.map(([name, key, yaxis], i) => ({
      type: "scatter",
      mode: "lines+markers",
      name,
      x,
      y: points.map((p) => finite(p[key])),
      yaxis,
      line: { color: PALETTE[i] },
    })),
    layout,
  };
}
