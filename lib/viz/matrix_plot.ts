/**
 * Small matrices drawn as annotated heat maps side by side: the arithmetic of convolutions and
 * transposed convolutions (input, kernel, each input pixel's contribution, the output), with
 * every cell's value written in it.
 *
 * @module
 */
import { PALETTE, type PlotlyFigure, type PlotlyTrace } from "./plot.ts";

/** One panel: a title and a matrix (rows of numbers, row 0 drawn at the top). */
export interface MatrixPanel {
  /** Text above the panel. */
  title: string;
  /** The values, `[rows][columns]`. */
  values: number[][];
}

/** Options of {@linkcode matrixPanelsPlot}. */
export interface MatrixPanelsOptions {
  /** Panels per row of the figure. Default: all in one row. */
  columns?: number;
  /** Significant digits of the cell labels. Default `3`. */
  digits?: number;
  /** One colour scale shared by every panel (so colours compare across panels). Default `true`. */
  sharedScale?: boolean;
  /** Figure title. */
  title?: string;
  /** Pixel size of one matrix cell. Default `44`. */
  cellSize?: number;
}

/**
 * A figure of annotated heat maps, one per panel, each cell labelled with its value. Panels keep
 * square cells of the same size, so a 5x5 output is drawn bigger than the 2x2 input it came from.
 *
 * @example A 2x2 input and the 5x5 output of a stride-2 transposed convolution
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { matrixPanelsPlot } from "./matrix_plot.ts";
 * const figure = matrixPanelsPlot([
 *   { title: "input", values: [[1, 2], [3, 4]] },
 *   { title: "output", values: Array.from({ length: 5 }, () => [0, 1, 2, 1, 0]) },
 * ]);
 * assertEquals([figure.data.length, figure.data[0].type], [2, "heatmap"]);
 * ```
 */
export function matrixPanelsPlot(
  panels: MatrixPanel[],
  options: MatrixPanelsOptions = {},
): PlotlyFigure {
  if (panels.length === 0) {
    throw new Error("Cannot plot matrices: no panels given; pass [{ title, values }, ...]");
  }
  panels.forEach((panel, i) => {
    const columns = panel.values[0]?.length ?? 0;
    if (columns === 0 || panel.values.some((row) => row.length !== columns)) {
      throw new Error(
        `Cannot plot matrices: panel ${i} ("${panel.title}") must be a non-empty rectangular ` +
          `matrix, got rows of lengths [${panel.values.map((row) => row.length)}]`,
      );
    }
  });
  const perRow = options.columns ?? panels.length;
  if (!Number.isInteger(perRow) || perRow < 1) {
    throw new Error(`Cannot plot matrices: columns must be a positive integer, got ${perRow}`);
  }
  const digits = options.digits ?? 3;
  const cell = options.cellSize ?? 44;
  const shared = options.sharedScale ?? true;
  const all = panels.flatMap((p) => p.values.flat());
  const [lo, hi] = [Math.min(...all), Math.max(...all)];
  const gap = 30; // pixels between panels
  const titleSpace = 28;
  const gridRows = Math.ceil(panels.length / perRow);
  // Column widths and row heights in pixels (the widest/tallest panel of each).
  const colWidth = Array.from(
    { length: perRow },
    (_, c) =>
      Math.max(
        0,
        ...panels.filter((_, i) => i % perRow === c).map((p) => p.values[0].length * cell),
      ),
  );
  const rowHeight = Array.from(
    { length: gridRows },
    (_, r) =>
      Math.max(...panels.slice(r * perRow, (r + 1) * perRow).map((p) => p.values.length * cell)),
  );
  const width = colWidth.reduce((a, b) => a + b, 0) + gap * (perRow + 1);
  const height = rowHeight.reduce((a, b) => a + b + titleSpace, 0) + gap * (gridRows + 1);
  const data: PlotlyTrace[] = [];
  const layout: Record<string, unknown> = {
    width,
    height: height + (options.title ? 40 : 0),
    margin: { l: 0, r: 0, t: options.title ? 40 : 0, b: 0 },
    showlegend: false,
    annotations: [] as unknown[],
  };
  if (options.title) layout.title = { text: options.title };
  const annotations = layout.annotations as unknown[];
  panels.forEach((panel, i) => {
    const r = Math.floor(i / perRow), c = i % perRow;
    const rows = panel.values.length, cols = panel.values[0].length;
    const left = gap * (c + 1) + colWidth.slice(0, c).reduce((a, b) => a + b, 0);
    const top = gap * (r + 1) + titleSpace * (r + 1) +
      rowHeight.slice(0, r).reduce((a, b) => a + b, 0);
    const axis = i === 0 ? "" : String(i + 1);
    layout[`xaxis${axis}`] = {
      domain: [left / width, (left + cols * cell) / width],
      anchor: `y${axis}`,
      range: [-0.5, cols - 0.5],
      visible: false,
      fixedrange: true,
    };
    layout[`yaxis${axis}`] = {
      domain: [1 - (top + rows * cell) / height, 1 - top / height],
      anchor: `x${axis}`,
      range: [rows - 0.5, -0.5],
      visible: false,
      fixedrange: true,
    };
    const panelLo = shared ? lo : Math.min(...panel.values.flat());
    const panelHi = shared ? hi : Math.max(...panel.values.flat());
    data.push({
      type: "heatmap",
      z: panel.values,
      text: panel.values.map((row) => row.map((v) => formatValue(v, digits))),
      texttemplate: "%{text}",
      hovertemplate: `${panel.title}[%{y}, %{x}] = %{z}<extra></extra>`,
      xaxis: `x${axis}`,
      yaxis: `y${axis}`,
      colorscale: [[0, "#f7fbff"], [1, PALETTE[0]]],
      zmin: panelLo,
      zmax: panelHi === panelLo ? panelLo + 1 : panelHi,
      showscale: false,
      xgap: 2,
      ygap: 2,
    });
    annotations.push({
      text: panel.title,
      xref: "paper",
      yref: "paper",
      x: (left + cols * cell / 2) / width,
      y: 1 - (top - 4) / height,
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
    });
  });
  return { data, layout };
}

/** A number with at most `digits` significant digits and no trailing zeros ("0.5", "12", "-3"). */
function formatValue(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(digits));
  return Object.is(rounded, -0) ? "0" : String(rounded);
}
