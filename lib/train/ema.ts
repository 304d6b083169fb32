/**
 * An exponential moving average (EMA) of a model's weights, kept by a training callback: after every
 * step, `shadow = beta * shadow + (1 - beta) * weights` (Karras et al. 2018; Yazici et al. 2019, "The
 * unusual effectiveness of averaging in GAN training"). GAN weights circle around a good solution
 * instead of settling on it; their average is often closer to it than any single iterate, so
 * samples from the averaged generator tend to be cleaner at no extra training cost.
 *
 * The average is a shadow copy: training never sees it. Sample with it through
 * {@linkcode WeightAverage.withAveragedWeights} (swaps the averaged weights into the model for the
 * duration of a function) or {@linkcode WeightAverage.averagedCopy} (a separate model).
 *
 * Checkpoints: the loop's checkpoint holds the models and optimizers, not the shadow. With the `dir`
 * option the callback saves the shadow there at every epoch end, every `saveEvery` steps and when
 * the run ends (not after a guard stop), and a resumed run (`train(..., { resume: true })`) reloads
 * it when its step matches the checkpoint's. Use the same `saveEvery` as the loop's
 * `checkpointEvery`, or a resume from an intermediate checkpoint finds the shadow at another step
 * and throws.
 *
 * Data parallelism (`train(..., { executor: dataParallel({ workers }) })`): callbacks run on the
 * main thread, rank 0, whose models are always up to date, so the average works unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../core/fs.ts";
import type { TrainCallback, TrainState } from "./loop.ts";

/** Options of {@linkcode weightAverage}. */
export interface WeightAverageOptions {
  /** Which of the variant's models to average. Default `"generator"`. */
  model?: string;
  /** Decay of the average, in [0, 1): about `1 / (1 - beta)` recent steps count. Default 0.999. */
  beta?: number;
  /**
   * Warm-up: use `min(beta, (1 + t) / (10 + t))` after `t` updates, so the first weights (noise
   * makers) fade out quickly instead of lingering for `1 / (1 - beta)` steps. Default `true`.
   */
  warmup?: boolean;
  /**
   * Also average the non-trainable weights (batch norm's moving mean and variance); `false` copies
   * them from the model instead. Default `true`.
   */
  averageStatistics?: boolean;
  /** Save the shadow here (`ema.json` + `ema_weights.bin`) and reload it on resume. Default: none. */
  dir?: string;
  /** Also save every this many steps (0 = at epoch ends and at the end only). Default 0. */
  saveEvery?: number;
}

/** A training callback that keeps a moving average of a model's weights. */
export interface WeightAverage extends TrainCallback {
  /** The decay given in the options. */
  readonly beta: number;
  /** The step of the last update (0 before training). */
  readonly step: number;
  /** Updates averaged so far (since the run or the resumed shadow began). */
  readonly updates: number;
  /**
   * Run `fn` with the averaged weights in the model, then put the trained weights back (also when
   * `fn` throws). Do not train while it runs.
   */
  withAveragedWeights<T>(fn: (model: tf.LayersModel) => T | Promise<T>): Promise<T>;
  /** A new model with the same architecture and the averaged weights; dispose it when done. */
  averagedCopy(): Promise<tf.LayersModel>;
  /** Free the shadow weights. */
  dispose(): void;
}

const FORMAT = "gan-course-ema";
const VERSION = 1;

/** `ema.json`: what a saved shadow holds. */
interface SavedEma {
  format: string;
  version: number;
  model: string;
  step: number;
  updates: number;
  beta: number;
  shapes: number[][];
}

/**
 * A callback that averages a model's weights over training (exponential moving average).
 *
 * @example Average a generator over a few steps, then sample with the average
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { train, weightAverage } from "@course/lib/train";
 * import { createToyGan } from "@course/lib/variants";
 * const variant = createToyGan({ seed: 1 });
 * const ema = weightAverage({ beta: 0.99 });
 * const points = tf.randomNormal([256, 2], 0, 1, "float32", 1);
 * await train(variant, { realImages: points }, { batchSize: 64, callbacks: [ema] });
 * const samples = await ema.withAveragedWeights(() => variant.sample(8, 1));
 * assertEquals([ema.step, samples.shape], [4, [8, 2]]);
 * samples.dispose();
 * ema.dispose();
 * variant.dispose();
 * points.dispose();
 * ```
 */
export function weightAverage(options: WeightAverageOptions = {}): WeightAverage {
  const o = {
    model: "generator",
    beta: 0.999,
    warmup: true,
    averageStatistics: true,
    saveEvery: 0,
    ...options,
  };
  if (!(o.beta >= 0 && o.beta < 1)) {
    throw new Error(`Cannot create weight average: beta must be in [0, 1), got ${o.beta}`);
  }
  if (!Number.isInteger(o.saveEvery) || o.saveEvery < 0) {
    throw new Error(
      `Cannot create weight average: saveEvery must be a non-negative integer, got ${o.saveEvery}`,
    );
  }
  let model: tf.LayersModel | undefined;
  let shadow: tf.Variable[] | undefined;
  /** Which weights are averaged (trainable ones, and the statistics when asked). */
  let averaged: boolean[] = [];
  let step = 0;
  let updates = 0;

  const release = () => {
    shadow?.forEach((v) => v.dispose());
    shadow = undefined;
  };
  const need = (what: string): { model: tf.LayersModel; shadow: tf.Variable[] } => {
    if (!model || !shadow) {
      throw new Error(
        `Cannot ${what}: the weight average has no weights yet; pass it to train() in callbacks`,
      );
    }
    return { model, shadow };
  };
  const start = (target: tf.LayersModel, from: tf.Tensor[]) => {
    release();
    model = target;
    const trainable = new Set(target.trainableWeights);
    averaged = target.weights.map((w) => o.averageStatistics || trainable.has(w));
    // A variable shares its initial value's data (reference-counted) until its first assign.
    shadow = from.map((w) => tf.variable(w, false));
  };
  const save = async () => {
    if (!o.dir || !shadow || !model) return;
    const data = await Promise.all(shadow.map((v) => v.data<"float32">()));
    const total = data.reduce((n, d) => n + d.length, 0);
    const bytes = new Float32Array(total);
    let offset = 0;
    for (const d of data) {
      bytes.set(d, offset);
      offset += d.length;
    }
    const meta: SavedEma = {
      format: FORMAT,
      version: VERSION,
      model: o.model,
      step,
      updates,
      beta: o.beta,
      shapes: shadow.map((v) => v.shape),
    };
    // Weights first, then the description: a crash in between leaves the old description, whose
    // step no longer matches, and the resume refuses it instead of loading mixed data.
    await writeFileAtomic(`${o.dir}/ema_weights.bin`, new Uint8Array(bytes.buffer));
    await writeFileAtomic(`${o.dir}/ema.json`, JSON.stringify(meta));
  };
  const load = async (target: tf.LayersModel, state: TrainState): Promise<boolean> => {
    if (!o.dir) return false;
    let meta: SavedEma;
    try {
      meta = JSON.parse(await Deno.readTextFile(`${o.dir}/ema.json`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw new Error(`Cannot resume weight average from ${o.dir}: ${(error as Error).message}`);
    }
    const shapes = target.weights.map((w) => w.shape as number[]);
    if (meta.format !== FORMAT || meta.model !== o.model) {
      throw new Error(
        `Cannot resume weight average from ${o.dir}: it holds ${meta.format} of model ` +
          `"${meta.model}", not an average of "${o.model}"`,
      );
    }
    if (meta.step !== state.step) {
      throw new Error(
        `Cannot resume weight average from ${o.dir}: it was saved at step ${meta.step}, the ` +
          `checkpoint is at step ${state.step}; save it with saveEvery equal to checkpointEvery, ` +
          `or remove ${o.dir} to start a new average`,
      );
    }
    if (JSON.stringify(meta.shapes) !== JSON.stringify(shapes)) {
      throw new Error(
        `Cannot resume weight average from ${o.dir}: its weight shapes ` +
          `${JSON.stringify(meta.shapes)} differ from the model's ${JSON.stringify(shapes)}`,
      );
    }
    const raw = await Deno.readFile(`${o.dir}/ema_weights.bin`);
    const values = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    let offset = 0;
    const tensors = shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(values.slice(offset, offset + size), shape, "float32");
      offset += size;
      return t;
    });
    if (offset !== values.length) {
      tf.dispose(tensors);
      throw new Error(
        `Cannot resume weight average from ${o.dir}: ema_weights.bin holds ${values.length} ` +
          `numbers, the model has ${offset}`,
      );
    }
    start(target, tensors);
    tf.dispose(tensors);
    step = meta.step;
    updates = meta.updates;
    return true;
  };

  return {
    get beta() {
      return o.beta;
    },
    get step() {
      return step;
    },
    get updates() {
      return updates;
    },
    async onTrainBegin(state) {
      const target = state.variant.models[o.model];
      if (!target) {
        throw new Error(
          `Cannot average weights: the variant has no model "${o.model}" (it has ` +
            `${Object.keys(state.variant.models).join(", ")})`,
        );
      }
      // A second train() call that continues the same run keeps its average.
      if (shadow && model === target && step === state.step) return;
      if (state.step > 0 && await load(target, state)) return;
      start(target, target.getWeights());
      step = state.step;
      updates = 0;
    },
    async onStepEnd(state) {
      const { model, shadow } = need("update the weight average");
      const decay = o.warmup ? Math.min(o.beta, (1 + updates) / (10 + updates)) : o.beta;
      const weights = model.getWeights();
      tf.tidy(() => {
        shadow.forEach((s, i) => {
          s.assign(averaged[i] ? s.mul(decay).add(weights[i].mul(1 - decay)) : weights[i]);
        });
      });
      updates += 1;
      step = state.step;
      if (o.saveEvery > 0 && step % o.saveEvery === 0) await save();
    },
    async onEpochEnd() {
      await save();
    },
    async onTrainEnd(_state, reason) {
      // After a guard stop the weights are broken; keep the last good saved average.
      if (reason !== "guard") await save();
    },
    async withAveragedWeights<T>(fn: (model: tf.LayersModel) => T | Promise<T>): Promise<T> {
      const { model, shadow } = need("use the averaged weights");
      const trained = model.getWeights().map((w) => w.clone());
      model.setWeights(shadow);
      try {
        return await fn(model);
      } finally {
        model.setWeights(trained);
        tf.dispose(trained);
      }
    },
    async averagedCopy(): Promise<tf.LayersModel> {
      const { model, shadow } = need("copy the averaged weights");
      const copy = await tf.models.modelFromJSON({
        modelTopology: model.toJSON(null, false) as tf.io.ModelJSON["modelTopology"],
      });
      copy.setWeights(shadow);
      return copy;
    },
    dispose() {
      release();
      model = undefined;
    },
  };
}
