/**
 * Ready-made callbacks of the training loop: a progress bar, live loss curves, sample grids from a
 * fixed latent batch. In Jupyter each updates one output in place (a display id); in a terminal
 * the bar redraws one line and the curves and grids are written to files.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../core/fs.ts";
import { displayHtml, displayPng, inJupyter } from "../viz/jupyter.ts";
import { type ImageGridOptions, imageGridPng } from "../viz/image_grid.ts";
import { lossPlot, saveFigureHtml, scatterPlot, showFigure } from "../viz/plot.ts";
import type { TrainCallback, TrainState } from "./loop.ts";

let displayCounter = 0;
const nextId = (kind: string) => `${kind}-${Date.now().toString(36)}-${displayCounter++}`;

/** Options of {@linkcode progressBar}. */
export interface ProgressBarOptions {
  /** Redraw at most this often, in milliseconds. Default 250. */
  intervalMs?: number;
  /** Bar width in characters. Default 30. */
  width?: number;
  /** Where terminal output goes. Default: stderr. */
  write?: (text: string) => void;
}

/**
 * One line of progress: `[#####-----] 50% 500/1000 dLoss 0.693 gLoss 0.701 2.1 it/s ETA 3:58`.
 */
function formatProgress(
  step: number,
  total: number,
  logs: Record<string, number>,
  elapsedSeconds: number,
  stepsDone: number,
  width = 30,
): string {
  const fraction = total > 0 ? Math.min(1, step / total) : 1;
  const filled = Math.round(fraction * width);
  const rate = elapsedSeconds > 0 ? stepsDone / elapsedSeconds : 0;
  const eta = rate > 0 ? (total - step) / rate : NaN;
  const values = Object.entries(logs).filter(([k]) => !k.endsWith("GradNorm"))
    .map(([k, v]) => `${k} ${v.toFixed(3)}`).join(" ");
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
    `${(fraction * 100).toFixed(0).padStart(3)}% ${step}/${total} ${values} ` +
    `${rate.toFixed(1)} it/s ETA ${formatDuration(eta)}`;
}

/**
 * A progress bar with ETA: one redrawn line in a terminal, an in-place HTML bar in Jupyter.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { progressBar } from "./callbacks.ts";
 * const lines: string[] = [];
 * const bar = progressBar({ write: (t) => lines.push(t) });
 * assertEquals(typeof bar.onStepEnd, "function");
 * ```
 */
export function progressBar(options: ProgressBarOptions = {}): TrainCallback {
  const o = { intervalMs: 250, width: 30, ...options };
  const encoder = new TextEncoder();
  const write = o.write ?? ((text: string) => Deno.stderr.writeSync(encoder.encode(text)));
  const id = nextId("progress");
  let last = 0;
  let lastLogs: Record<string, number> = {};
  const draw = async (state: TrainState, final: boolean) => {
    const elapsed = (performance.now() - state.startTime) / 1000;
    const line = formatProgress(
      state.step,
      state.totalSteps,
      lastLogs,
      elapsed,
      state.step - state.startStep,
      o.width,
    );
    if (inJupyter() && !options.write) {
      const percent = (100 * state.step / Math.max(1, state.totalSteps)).toFixed(1);
      await displayHtml(
        `<div style="font-family:monospace"><progress value="${percent}" max="100" ` +
          `style="width:40%"></progress> ${escapeHtml(line.slice(o.width + 3))}</div>`,
        { id, update: state.step > state.startStep || final, redrawn: !final },
      );
    } else {
      write(`\r${line}${final ? "\n" : ""}`);
    }
  };
  return {
    async onTrainBegin() {
      last = 0;
      if (inJupyter() && !options.write) {
        await displayHtml(`<div style="font-family:monospace">starting…</div>`, {
          id,
          redrawn: true,
        });
      }
    },
    async onStepEnd(state, logs) {
      lastLogs = logs;
      const now = performance.now();
      if (now - last >= o.intervalMs) {
        last = now;
        await draw(state, false);
      }
    },
    async onTrainEnd(state) {
      await draw(state, true);
    },
  };
}

/** Options of {@linkcode lossCurves}. */
export interface LossCurvesOptions {
  /** Redraw every this many steps. Default 50. */
  every?: number;
  /** Write the history as JSON here (terminal runs). Default: none. */
  jsonPath?: string;
  /** Write a standalone plotly HTML page here (offline) at every epoch end. Default: none. */
  htmlPath?: string;
  /** Plot gradient norms too. Default `false`. */
  gradNorms?: boolean;
  /** Exponential moving average of the curves, in [0, 1). Default 0.9. */
  smoothing?: number;
}

/**
 * Live loss curves (plotly): updated in place in Jupyter, written to HTML/JSON files otherwise.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { lossCurves } from "./callbacks.ts";
 * const callback = lossCurves({ every: 100 });
 * assertEquals(typeof callback.onTrainEnd, "function");
 * ```
 */
export function lossCurves(options: LossCurvesOptions = {}): TrainCallback {
  const o = { every: 50, gradNorms: false, smoothing: 0.9, ...options };
  const id = nextId("losses");
  let shown = false;
  // `last`: the final draw, after which nothing redraws this output.
  const draw = async (state: TrainState, final: boolean, last = false) => {
    const columns: Record<string, number[]> = { step: state.history.steps };
    for (const [key, values] of Object.entries(state.history.values)) {
      if (o.gradNorms || !key.endsWith("GradNorm")) columns[key] = values;
    }
    const figure = lossPlot(columns, {
      title: `${state.variant.name}: losses`,
      xLabel: "step",
      smoothing: o.smoothing,
    });
    if (inJupyter()) {
      await showFigure(figure, { id, update: shown, redrawn: !last });
      shown = true;
    }
    // The standalone page embeds plotly.js (about 4.6 MB): write it at epoch ends and at the end.
    if (o.htmlPath && final) await saveFigureHtml(figure, o.htmlPath);
    if (o.jsonPath) {
      await writeFileAtomic(o.jsonPath, new TextEncoder().encode(JSON.stringify(state.history)));
    }
  };
  return {
    async onStepEnd(state) {
      if (state.step % o.every === 0) await draw(state, false);
    },
    async onEpochEnd(state) {
      await draw(state, true);
    },
    async onTrainEnd(state) {
      await draw(state, true, true);
    },
  };
}

/** Options of {@linkcode sampleGrids}. */
export interface SampleGridsOptions {
  /** Take samples every this many steps. Default 100. */
  every?: number;
  /** Samples per grid. Default 16 (64 is nice on a GPU). */
  count?: number;
  /** Seed of the fixed latent batch. Default 1234. */
  seed?: number;
  /**
   * Write `samples_step_000100.png` here (for 2-D toys `samples_step_000100.json` points and a
   * `samples_final.html` scatter plot). Default: none.
   */
  dir?: string;
  /** Image grid options (columns, scale, ...). */
  grid?: ImageGridOptions;
}

/**
 * Sample grids from a fixed latent batch every N steps (and at the end): the same latents each
 * time, so the grids show the generator learning. Images become a PNG grid; 2-D toy points a
 * scatter plot. Shown in place in Jupyter; written to `dir` when given.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { sampleGrids } from "./callbacks.ts";
 * const callback = sampleGrids({ every: 200, count: 16 });
 * assertEquals(typeof callback.onStepEnd, "function");
 * ```
 */
export function sampleGrids(options: SampleGridsOptions = {}): TrainCallback {
  const o = { every: 100, count: 16, seed: 1234, ...options };
  const id = nextId("samples");
  let shown = false;
  const take = async (state: TrainState, final: boolean) => {
    const samples = state.variant.sample?.(o.count, o.seed);
    if (!samples) return;
    try {
      const name = `samples_step_${String(state.step).padStart(6, "0")}`;
      if (samples.rank === 4) {
        const png = await imageGridPng(samples as tf.Tensor4D, { scale: 2, ...o.grid });
        if (inJupyter()) await displayPng(png, { id, update: shown, redrawn: !final });
        if (o.dir) await writeFileAtomic(`${o.dir}/${name}.png`, png);
      } else if (samples.rank === 2 && samples.shape[1] === 2) {
        const points = await samples.array() as number[][];
        const figure = scatterPlot([{ name: "generated", points }], {
          title: `${state.variant.name}: samples at step ${state.step}`,
        });
        if (inJupyter()) await showFigure(figure, { id, update: shown, redrawn: !final });
        if (o.dir) {
          const json = new TextEncoder().encode(JSON.stringify({ step: state.step, points }));
          await writeFileAtomic(`${o.dir}/${name}.json`, json);
          // A standalone page embeds plotly.js (about 4.6 MB): only for the last samples.
          if (final) await saveFigureHtml(figure, `${o.dir}/samples_final.html`);
        }
      }
      shown = true;
    } finally {
      samples.dispose();
    }
  };
  return {
    async onStepEnd(state) {
      if (state.step % o.every === 0 && state.step < state.totalSteps) await take(state, false);
    },
    async onTrainEnd(state) {
      await take(state, true);
    },
  };
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
