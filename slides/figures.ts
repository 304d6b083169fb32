/**
 * The slides' figures, produced by the course library (`deno task slides:figures`): loss curves
 * evaluated with `lib/losses.ts`, the toy distributions of `lib/data/toy.ts`, real digits from
 * `lib/data/mnist.ts` tiled by `lib/viz/image_grid.ts`, plots drawn by `lib/viz/plot.ts` (exported
 * to SVG through headless Chromium), the DCGAN layer tables of `lib/models/dcgan_nets.ts`, and the
 * figures of short, seeded training runs (`slides/training_runs.ts`: loss curves, toy GAN samples
 * on the ring, DCGAN samples during training). Everything is written to
 * `slides/figures/` (git-ignored); the training runs take most of the task's minute or so.
 *
 * ```sh
 * deno task slides:figures            # all figures
 * deno task slides:figures --only toy  # figures whose name contains "toy"
 * ```
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend.ts";
import { leastSquaresGeneratorLoss, minimaxGeneratorLoss } from "../lib/losses.ts";
import { nonSaturatingGeneratorLoss } from "@course/lib/variants/objectives";
import {
  mixture1dDensity,
  sampleGrid,
  sampleParallelLines,
  sampleRing,
  sampleSwissRoll,
} from "../lib/data/toy.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { imageGridPng } from "../lib/viz/image_grid.ts";
import { linePlot, lossPlot, type PlotlyFigure, scatterPlot } from "../lib/viz/plot.ts";
import { toyScatterPlot } from "../lib/viz/toy_plot.ts";
import { buildDcganDiscriminator, buildDcganGenerator } from "../lib/models/dcgan_nets.ts";
import { plotlyToSvg } from "./plotly_svg.ts";
import { dcganRun, disposeRuns, toyGanRun } from "./training_runs.ts";

/** What a figure producer returns: a Plotly figure (exported to SVG), PNG bytes or HTML. */
export type FigureOutput =
  | { kind: "plot"; figure: PlotlyFigure; width?: number; height?: number }
  | { kind: "png"; bytes: Uint8Array }
  | { kind: "html"; html: string };

/** A named figure and the function that makes it. */
export interface FigureSpec {
  /** File name without extension; slides refer to it as `figure:<name>`. */
  name: string;
  /** Makes the figure with the library. */
  make: () => Promise<FigureOutput> | FigureOutput;
}

const FIGURES_DIR = fileURLToPath(new URL("./figures/", import.meta.url));

function range(start: number, stop: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + ((stop - start) * i) / (count - 1));
}

/** Evaluates a loss on one logit at a time: its value and its derivative. */
function lossCurve(
  loss: (logits: tf.Tensor) => tf.Scalar,
  logits: number[],
): { value: number[]; slope: number[] } {
  const grad = tf.valueAndGrad((x: tf.Tensor) => loss(x));
  const value: number[] = [];
  const slope: number[] = [];
  for (const logit of logits) {
    tf.tidy(() => {
      const { value: v, grad: g } = grad(tf.tensor1d([logit]));
      value.push(v.dataSync()[0]);
      slope.push(g.dataSync()[0]);
    });
  }
  return { value, slope };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function points(tensor: tf.Tensor2D): number[][] {
  const rows = tensor.arraySync();
  tensor.dispose();
  return rows;
}

/** An HTML table of a model's layers: name, type, output shape, parameter count. */
function layerTable(model: tf.LayersModel, caption: string): string {
  const rows = model.layers.map((layer) => {
    const shape = JSON.stringify(layer.outputShape).replace(/null/g, "batch").replace(/,/g, ", ");
    return `<tr><td>${layer.getClassName()}</td><td><code>${shape}</code></td><td>${
      layer.countParams().toLocaleString("en-US")
    }</td></tr>`;
  });
  return `<table class="layer-table"><caption>${caption}</caption>` +
    `<thead><tr><th>layer</th><th>output shape</th><th>parameters</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
}

/** Bounds of every ring plot: the radius-2 ring with room around it. */
const RING_BOUNDS: [number, number, number, number] = [-2.8, 2.8, -2.8, 2.8];

/**
 * Lays out several figures (of `toyScatterPlot`) side by side as subplots of one figure, each with
 * its title; the legend comes from the first.
 */
function sideBySide(figures: PlotlyFigure[], titles: string[]): PlotlyFigure {
  const gap = 0.03;
  const width = (1 - gap * (figures.length - 1)) / figures.length;
  const data = figures.flatMap((figure, i) =>
    figure.data.map((trace) => ({
      ...trace,
      xaxis: `x${i + 1}`,
      yaxis: `y${i + 1}`,
      showlegend: i === 0 && trace.type !== "heatmap",
    }))
  );
  const layout: Record<string, unknown> = {
    margin: { l: 10, r: 10, t: 70, b: 10 },
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.02, yanchor: "top" },
    annotations: titles.map((text, i) => ({
      text,
      showarrow: false,
      xref: "paper",
      yref: "paper",
      x: i * (width + gap) + width / 2,
      y: 1.02,
      xanchor: "center",
      yanchor: "bottom",
    })),
  };
  figures.forEach((figure, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    const axis = { showticklabels: false, zeroline: false, showgrid: false };
    layout[`xaxis${suffix}`] = {
      ...(figure.layout?.xaxis as object),
      ...axis,
      title: undefined,
      domain: [i * (width + gap), i * (width + gap) + width],
    };
    layout[`yaxis${suffix}`] = {
      ...(figure.layout?.yaxis as object),
      ...axis,
      title: undefined,
      scaleanchor: `x${i + 1}`,
    };
  });
  return { data, layout };
}

/** Real ring samples for the toy figures (the same 500 points in every plot). */
function ringPoints(): number[][] {
  return points(sampleRing(500, { seed: 99 }));
}

const modesLabel = (modes: number) => `${modes}/8 modes`;

/** dLoss and gLoss of a short training run against the step, smoothed (EMA 0.9). */
function smoothedLosses(history: { steps: number[]; values: Record<string, number[]> }) {
  return lossPlot(
    { step: history.steps, dLoss: history.values.dLoss, gLoss: history.values.gLoss },
    { smoothing: 0.9, title: "", xLabel: "step", yLabel: "loss (smoothed)" },
  );
}

/** Every figure the decks use. */
export const FIGURES: FigureSpec[] = [
  {
    name: "optimal_discriminator",
    make: () => {
      const xs = range(-5, 5, 301);
      const pData = mixture1dDensity(xs);
      const pG = mixture1dDensity(xs, { means: [0.5], stds: [1.2] });
      const dStar = pData.map((p, i) => p / (p + pG[i]));
      return {
        kind: "plot",
        figure: linePlot({ "p_data(x)": pData, "p_g(x)": pG, "D*(x)": dStar }, {
          x: xs,
          xLabel: "x",
          yLabel: "density / probability",
        }),
      };
    },
  },
  {
    name: "generator_losses",
    make: () => {
      const logits = range(-7, 7, 201);
      const d = logits.map(sigmoid);
      const minimax = lossCurve(minimaxGeneratorLoss, logits).value;
      const nonSaturating = lossCurve(nonSaturatingGeneratorLoss, logits).value;
      return {
        kind: "plot",
        figure: linePlot({
          "minimax: log(1 − D)": minimax,
          "non-saturating: −log D": nonSaturating,
        }, {
          x: d,
          xLabel: "D(G(z))",
          yLabel: "generator loss",
        }),
      };
    },
  },
  {
    name: "generator_loss_slopes",
    make: () => {
      const logits = range(-7, 7, 201);
      const minimax = lossCurve(minimaxGeneratorLoss, logits).slope.map(Math.abs);
      const nonSaturating = lossCurve(nonSaturatingGeneratorLoss, logits).slope.map(Math.abs);
      return {
        kind: "plot",
        figure: linePlot({ "minimax": minimax, "non-saturating": nonSaturating }, {
          x: logits,
          xLabel: "discriminator logit on a fake (very fake ← → looks real)",
          yLabel: "|∂ gLoss / ∂ logit|",
        }),
      };
    },
  },
  {
    name: "lsgan_vs_bce",
    make: () => {
      const scores = range(-3, 4, 201);
      const bce = lossCurve(nonSaturatingGeneratorLoss, scores);
      const ls = lossCurve((s) => leastSquaresGeneratorLoss(s), scores);
      return {
        kind: "plot",
        figure: linePlot({
          "BCE gLoss": bce.value,
          "BCE slope": bce.slope,
          "least-squares gLoss": ls.value,
          "least-squares slope": ls.slope,
        }, {
          x: scores,
          xLabel: "discriminator score on a fake (real target = 1)",
          yLabel: "loss / slope",
        }),
      };
    },
  },
  {
    name: "parallel_lines",
    make: () => ({
      kind: "plot",
      width: 520,
      figure: scatterPlot([
        { name: "P (θ = 0)", points: points(sampleParallelLines(200, { seed: 1 })) },
        {
          name: "Q_θ (θ = 0.6)",
          points: points(sampleParallelLines(200, { theta: 0.6, seed: 2 })),
        },
      ], { xLabel: "x", yLabel: "y", equalAxes: false }),
    }),
  },
  {
    name: "parallel_lines_distances",
    make: () => {
      const thetas = range(-1, 1, 401);
      return {
        kind: "plot",
        figure: linePlot({
          "JS(P, Q_θ)": thetas.map((t) => (Math.abs(t) < 1e-9 ? 0 : Math.log(2))),
          "W(P, Q_θ)": thetas.map(Math.abs),
        }, { x: thetas, xLabel: "θ", yLabel: "distance" }),
      };
    },
  },
  {
    name: "toy_ring",
    make: () => ({
      kind: "plot",
      width: 440,
      height: 440,
      figure: scatterPlot([{ name: "8 Gaussians", points: points(sampleRing(1000, { seed: 1 })) }]),
    }),
  },
  {
    name: "toy_grid",
    make: () => ({
      kind: "plot",
      width: 440,
      height: 440,
      figure: scatterPlot([{
        name: "25 Gaussians",
        points: points(sampleGrid(1000, { seed: 2 })),
      }]),
    }),
  },
  {
    name: "toy_swiss_roll",
    make: () => ({
      kind: "plot",
      width: 440,
      height: 440,
      figure: scatterPlot([{
        name: "Swiss roll",
        points: points(sampleSwissRoll(1000, { seed: 3 })),
      }]),
    }),
  },
  {
    name: "gp_interpolates",
    make: () => {
      const real = points(sampleRing(12, { seed: 4 }));
      const fake = points(sampleGrid(12, { seed: 5 })).map(([x, y]) => [x * 0.35, y * 0.35]);
      const t = points(tf.randomUniform([12, 1], 0, 1, "float32", 6) as tf.Tensor2D);
      const mixed = real.map((r, i) => [
        t[i][0] * r[0] + (1 - t[i][0]) * fake[i][0],
        t[i][0] * r[1] + (1 - t[i][0]) * fake[i][1],
      ]);
      return {
        kind: "plot",
        width: 520,
        height: 460,
        figure: scatterPlot([
          { name: "real x", points: real, size: 10 },
          { name: "fake x̃", points: fake, size: 10 },
          { name: "x̂ = t·x + (1−t)·x̃", points: mixed, size: 8 },
        ], { opacity: 0.9 }),
      };
    },
  },
  {
    name: "mnist_real",
    make: async () => {
      const mnist = await loadMnist({ size: 64, seed: 0 });
      try {
        return {
          kind: "png",
          bytes: await imageGridPng(mnist.images, { columns: 8, scale: 2, range: "[-1,1]" }),
        };
      } finally {
        mnist.dispose();
      }
    },
  },
  {
    name: "dcgan_generator_table",
    make: () => {
      const model = buildDcganGenerator({ imageShape: [64, 64, 3], seed: 0 });
      const html = layerTable(model, "buildDcganGenerator({ imageShape: [64, 64, 3] })");
      model.dispose();
      return { kind: "html", html };
    },
  },
  {
    name: "dcgan_discriminator_table",
    make: () => {
      const model = buildDcganDiscriminator({ imageShape: [64, 64, 3], seed: 0 });
      const html = layerTable(model, "buildDcganDiscriminator({ imageShape: [64, 64, 3] })");
      model.dispose();
      return { kind: "html", html };
    },
  },
  {
    name: "toy_gan_losses",
    make: async () => {
      const run = await toyGanRun();
      return {
        kind: "plot",
        width: 600,
        height: 400,
        figure: smoothedLosses(run.history),
      };
    },
  },
  {
    name: "toy_gan_snapshots",
    make: async () => {
      const run = await toyGanRun();
      const real = ringPoints();
      const plots = await Promise.all(
        run.snapshots.map((shot) => toyScatterPlot(real, shot.points, { bounds: RING_BOUNDS })),
      );
      return {
        kind: "plot",
        width: 1160,
        height: 380,
        figure: sideBySide(
          plots,
          run.snapshots.map((shot) => `step ${shot.step}: ${modesLabel(shot.modesCovered)}`),
        ),
      };
    },
  },
  {
    name: "dcgan_training_samples",
    make: async () => {
      const run = await dcganRun();
      return {
        kind: "png",
        bytes: await imageGridPng(run.samples, {
          columns: run.columns,
          scale: 3,
          range: "[-1,1]",
          rowLabels: run.steps.map((step) => `step ${step}`),
        }),
      };
    },
  },
  {
    name: "dcgan_losses",
    make: async () => {
      const run = await dcganRun();
      return {
        kind: "plot",
        width: 560,
        height: 400,
        figure: smoothedLosses(run.history),
      };
    },
  },
];

/**
 * Makes the figures whose names contain `only` (all by default) and writes them to `outDir`.
 * Returns the written paths.
 *
 * @example The toy-distribution figures (needs Chromium for the SVG export)
 * ```ts ignore
 * import { makeFigures } from "./figures.ts";
 *
 * console.log(await makeFigures({ only: "toy" }));
 * ```
 */
export async function makeFigures(
  options: { only?: string; outDir?: string } = {},
): Promise<string[]> {
  const outDir = options.outDir ?? FIGURES_DIR;
  const specs = FIGURES.filter((spec) => spec.name.includes(options.only ?? ""));
  if (specs.length === 0) {
    throw new Error(
      `Cannot make figures: no figure name contains '${options.only}'. Names: ${
        FIGURES.map((spec) => spec.name).join(", ")
      }`,
    );
  }
  await initBackend();
  await Deno.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  try {
    await writeFigures(specs, outDir, written);
  } finally {
    await disposeRuns();
  }
  return written;
}

async function writeFigures(specs: FigureSpec[], outDir: string, written: string[]) {
  const plots: { name: string; output: Extract<FigureOutput, { kind: "plot" }> }[] = [];
  for (const spec of specs) {
    const output = await spec.make();
    if (output.kind === "plot") {
      plots.push({ name: spec.name, output });
    } else if (output.kind === "png") {
      written.push(join(outDir, `${spec.name}.png`));
      await Deno.writeFile(written.at(-1)!, output.bytes);
    } else {
      written.push(join(outDir, `${spec.name}.html`));
      await Deno.writeTextFile(written.at(-1)!, output.html);
    }
  }
  if (plots.length) {
    const svgs = await plotlyToSvg(plots.map(({ output }) => ({
      ...output.figure,
      layout: {
        ...output.figure.layout,
        ...(output.width ? { width: output.width } : {}),
        ...(output.height ? { height: output.height } : {}),
      },
    })));
    for (const [i, { name }] of plots.entries()) {
      written.push(join(outDir, `${name}.svg`));
      await Deno.writeTextFile(written.at(-1)!, svgs[i]);
    }
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { only: { type: "string" } } });
  const started = performance.now();
  const written = await makeFigures({ only: values.only });
  for (const path of written) console.log(path);
  console.log(
    `${written.length} figures in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
