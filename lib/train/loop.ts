/**
 * The one training loop of the course: `train(variant, data, options)` for every variant.
 *
 * Per step: take the seeded batch for `(epoch, index)`, run the variant's `trainStep` inside
 * `tf.tidy`, read its scalars back, append them to the history, run the guards and the callbacks.
 * The scalars come back in one asynchronous read per step (never `dataSync()`, which stalls a GPU
 * and throws on webgpu under Deno). On a GPU the read of step `k` waits while step `k + 1` is
 * already queued (`readLag`), so the GPU never idles while JavaScript reads; callbacks of step `k`
 * then see the weights after step `k + 1`. Before every checkpoint all queued steps are read, so a
 * checkpoint's weights and history always belong to the same step.
 * Per epoch (and on interrupt): save a checkpoint when `checkpointDir` is set. With `resume`, the
 * loop restores the last checkpoint and continues at its step; because all randomness derives from
 * `(seed, step)`, the resumed run ends with the same weights as an uninterrupted one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type CheckpointMeta,
  loadCheckpoint,
  type LossHistory,
  readCheckpointMeta,
  saveCheckpoint,
} from "../io/checkpoint.ts";
import { type BatchSource, isBatchSource, tensorBatches } from "./batches.ts";
import type { Batch } from "./batches.ts";
import { type ExecutorRun, singleThread, type StepExecutor } from "./executor.ts";
import { checkTrainingData } from "./training_data_checks.ts";
import { type GuardOptions, makeGuard, TrainingStoppedError } from "./guards.ts";
import type { GanVariant } from "./variant.ts";

/** Where the run is; callbacks receive it (read-only by convention). */
export interface TrainState {
  /** The variant being trained. */
  variant: GanVariant;
  /** Finished steps. */
  step: number;
  /** The epoch of the next step (finished epochs). */
  epoch: number;
  /** Steps the run will reach. */
  totalSteps: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** The run seed. */
  seed: number;
  /** Loss history so far. */
  history: LossHistory;
  /** The step the run (re)started from (0, or the resumed checkpoint's step). */
  startStep: number;
  /** `performance.now()` when the run (re)started. */
  startTime: number;
}

/** Why a run ended. */
export type StopReason = "completed" | "interrupted" | "guard";

/** Hooks the loop calls; every method may be async. */
export interface TrainCallback {
  /** Before the first step (after a resume). */
  onTrainBegin?(state: TrainState): void | Promise<void>;
  /** After every step, with that step's values. */
  onStepEnd?(state: TrainState, logs: Record<string, number>): void | Promise<void>;
  /** After the last step of an epoch (and after its checkpoint). */
  onEpochEnd?(state: TrainState): void | Promise<void>;
  /** When the run ends, however it ends. */
  onTrainEnd?(state: TrainState, reason: StopReason): void | Promise<void>;
}

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Epochs to reach (counting resumed ones). Default 1. */
  epochs?: number;
  /** Batch size when `data` is a record of tensors. Default 64. */
  batchSize?: number;
  /** Steps per epoch. Default: the data's batches per epoch. */
  stepsPerEpoch?: number;
  /** Run seed: data order and every random draw derive from it. Default 0. */
  seed?: number;
  /** Callbacks, called in order. Default none. */
  callbacks?: TrainCallback[];
  /** Save checkpoints here (every epoch, on interrupt, at the end). Default: none. */
  checkpointDir?: string;
  /** Also checkpoint every this many steps (0 = only per epoch). Default 0. */
  checkpointEvery?: number;
  /** Continue from the checkpoint in `checkpointDir` when there is one. Default `false`. */
  resume?: boolean;
  /** Abort the run (a notebook's stop button, SIGINT in the CLI); it checkpoints and returns. */
  signal?: AbortSignal;
  /** Early-failure guards, or `false` for none. Default: all on (see `GUARD_DEFAULTS`). */
  guards?: GuardOptions | false;
  /** Stop after this many steps of this call (for tests and demos). Default: no limit. */
  maxSteps?: number;
  /**
   * Who performs the steps: {@linkcode singleThread} (the default), or a data-parallel executor
   * that shares each step between threads (`dataParallel({ workers })` of
   * `lib/variants/data_parallel.ts`, on the wasm or cpu backend).
   */
  executor?: StepExecutor;
  /**
   * @deprecated Pass `executor: dataParallel({ workers })` instead. Accepted as 1 (one thread);
   * above 1 it throws and says so.
   */
  workers?: number;
  /**
   * Steps queued ahead of the one whose losses are being read: 1 keeps a GPU busy while the
   * previous step's losses travel back; 0 reads each step before starting the next. Default 1 on
   * the webgpu backend, 0 elsewhere (where reads cost nothing).
   */
  readLag?: number;
}

/** What {@linkcode train} returns. */
export interface TrainResult {
  /** Why it ended. */
  reason: StopReason;
  /** Finished steps. */
  step: number;
  /** Finished epochs. */
  epoch: number;
  /** Loss history (including resumed steps). */
  history: LossHistory;
  /** The checkpoint resumed from, when there was one. */
  resumedFrom?: CheckpointMeta;
}

const TRAIN_DEFAULTS = {
  epochs: 1,
  batchSize: 64,
  seed: 0,
  callbacks: [] as TrainCallback[],
  checkpointEvery: 0,
  resume: false,
  guards: {} as GuardOptions | false,
};

/**
 * Train a variant on data: a {@linkcode BatchSource}, or a record of tensors (batched with a
 * seeded shuffle, e.g. `{ realImages, labels }`). Throws `TrainingStoppedError` when a guard
 * fires (after calling `onTrainEnd`, without overwriting the last good checkpoint).
 *
 * @example Ten steps of a tiny GAN on 2-D points
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { optimizeWithNorm, train, type GanVariant } from "@course/lib/train";
 * const generator = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });
 * const discriminator = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const optimizers = { generator: tf.train.adam(1e-3), discriminator: tf.train.adam(1e-3) };
 * const bce = (logits: tf.Tensor, label: number) =>
 *   tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits) as tf.Scalar;
 * const variant: GanVariant = {
 *   name: "demo",
 *   models: { generator, discriminator },
 *   optimizers,
 *   trainStep(batch, { random }) {
 *     const z = random.normal([batch.realImages.shape[0], 2]);
 *     const d = optimizeWithNorm(optimizers.discriminator, () => {
 *       const fake = generator.apply(z) as tf.Tensor;
 *       return bce(discriminator.apply(batch.realImages) as tf.Tensor, 1)
 *         .add(bce(discriminator.apply(fake) as tf.Tensor, 0)) as tf.Scalar;
 *     }, discriminator);
 *     const g = optimizeWithNorm(optimizers.generator, () =>
 *       bce(discriminator.apply(generator.apply(z) as tf.Tensor) as tf.Tensor, 1), generator);
 *     return { dLoss: d.loss, gLoss: g.loss };
 *   },
 *   dispose() {},
 * };
 * const result = await train(variant, { realImages: tf.randomNormal([80, 2], 0, 1, "float32", 1) }, {
 *   batchSize: 8,
 * });
 * console.log(result.step, result.history.values.dLoss.length); // 10 10
 * ```
 */
export async function train(
  variant: GanVariant,
  data: BatchSource | Batch,
  options: TrainOptions = {},
): Promise<TrainResult> {
  // Options given as `undefined` (e.g. from unset CLI flags) keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: typeof TRAIN_DEFAULTS & TrainOptions = { ...TRAIN_DEFAULTS, ...given };
  checkPositiveInteger("epochs", o.epochs);
  if (o.workers !== undefined && o.workers !== 1) {
    throw new Error(
      `Cannot train with workers: ${o.workers}: threads come from an executor now; pass ` +
        `executor: dataParallel({ workers: ${o.workers} }) from "@course/lib/variants"`,
    );
  }
  if (o.resume && !o.checkpointDir) {
    throw new Error("Cannot train: resume needs checkpointDir (the directory to resume from)");
  }
  await checkTrainingData(data);
  // A resumed run keeps the checkpoint's seed: the data order derives from it too.
  const saved = o.resume && o.checkpointDir ? await readCheckpointMeta(o.checkpointDir) : undefined;
  if (o.resume && !saved) {
    throw new Error(
      `Cannot resume from ${o.checkpointDir}: it holds no checkpoint; check the directory, or ` +
        `train without resume to start a new run`,
    );
  }
  if (saved && options.seed !== undefined && options.seed !== saved.seed) {
    throw new Error(
      `Cannot resume from ${o.checkpointDir}: it was trained with seed ${saved.seed}, ` +
        `not ${options.seed}; drop the seed option to continue it, or use another directory`,
    );
  }
  const seed = saved ? saved.seed : o.seed;
  const source = isBatchSource(data) ? data : tensorBatches(data, { batchSize: o.batchSize, seed });
  const stepsPerEpoch = o.stepsPerEpoch ?? source.batchesPerEpoch;
  checkPositiveInteger("stepsPerEpoch", stepsPerEpoch);
  const state: TrainState = {
    variant,
    step: 0,
    epoch: 0,
    totalSteps: o.epochs * stepsPerEpoch,
    stepsPerEpoch,
    seed,
    history: { steps: [], values: {} },
    startStep: 0,
    startTime: performance.now(),
  };
  let resumedFrom: CheckpointMeta | undefined;
  if (saved && o.checkpointDir) {
    resumedFrom = await loadCheckpoint(o.checkpointDir, {
      variant: variant.name,
      models: variant.models,
      optimizers: variant.optimizers,
      batchSize: source.batchSize,
      stepsPerEpoch,
      restoreState: variant.loadState?.bind(variant),
    });
    state.step = resumedFrom.step;
    state.epoch = Math.floor(resumedFrom.step / stepsPerEpoch);
    state.history = resumedFrom.history;
    state.startStep = resumedFrom.step;
  }
  const guard = o.guards === false
    ? undefined
    : makeGuard({ ...variant.guardDefaults, ...o.guards });
  const checkpoint = async () => {
    if (!o.checkpointDir) return;
    await saveCheckpoint(o.checkpointDir, {
      variant: variant.name,
      models: variant.models,
      optimizers: variant.optimizers,
      step: state.step,
      epoch: state.epoch,
      seed: state.seed,
      history: state.history,
      batchSize: source.batchSize,
      stepsPerEpoch,
      state: variant.saveState?.(),
    });
  };
  const callAll = async <K extends keyof TrainCallback>(
    hook: K,
    ...args: Parameters<NonNullable<TrainCallback[K]>>
  ) => {
    for (const callback of o.callbacks) {
      // deno-lint-ignore no-explicit-any
      await (callback[hook] as any)?.apply(callback, args);
    }
  };

  await callAll("onTrainBegin", state);
  const stopAt = Math.min(state.totalSteps, state.step + (o.maxSteps ?? Infinity));
  const readLag = o.readLag ?? (tf.getBackend() === "webgpu" ? 1 : 0);
  if (!Number.isInteger(readLag) || readLag < 0) {
    throw new Error(`Cannot train: readLag must be a non-negative integer, got ${readLag}`);
  }
  let executor: ExecutorRun | undefined;
  if (state.step < stopAt) {
    executor = await (o.executor ?? singleThread()).start(variant, {
      seed,
      firstBatch: () => source.batch(...batchPosition(state.step, stepsPerEpoch, source)),
    });
  }
  const isBoundary = (step: number) =>
    step % stepsPerEpoch === 0 || (o.checkpointEvery > 0 && step % o.checkpointEvery === 0);
  // Steps run on the device whose losses are not read yet, oldest first.
  const pending: PendingStep[] = [];
  /** Read the oldest queued step's losses, then log, guard, call back and checkpoint it. */
  const settle = async () => {
    const { step, names, packed } = pending.shift()!;
    let values: Float32Array;
    try {
      values = await packed.data() as Float32Array;
    } finally {
      packed.dispose();
    }
    const logs: Record<string, number> = {};
    names.forEach((name, i) => logs[name] = values[i]);
    state.step = step;
    appendHistory(state.history, state.step, logs);
    guard?.check(state.step, logs);
    await callAll("onStepEnd", state, logs);
    if (state.step % stepsPerEpoch === 0) {
      state.epoch = state.step / stepsPerEpoch;
      await checkpoint();
      await callAll("onEpochEnd", state);
    } else if (o.checkpointEvery > 0 && state.step % o.checkpointEvery === 0) {
      await checkpoint();
    }
  };
  let reason: StopReason = "completed";
  let lastYield = performance.now();
  let dispatched = state.step;
  try {
    while (dispatched < stopAt) {
      if (o.signal?.aborted) {
        reason = "interrupted";
        break;
      }
      pending.push(runStep(executor!, source, dispatched, state));
      dispatched += 1;
      // A checkpoint must see the weights of the step it records: read everything first.
      const keep = isBoundary(dispatched) || dispatched === stopAt ? 0 : readLag;
      while (pending.length > keep) await settle();
      // Let timers and signal handlers (SIGINT, a notebook's interrupt) run now and then.
      if (performance.now() - lastYield > 200) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
    while (pending.length > 0) await settle();
    await executor?.finish();
  } catch (error) {
    tf.dispose(pending.splice(0).map((p) => p.packed));
    executor?.abort(error instanceof Error ? error.message : String(error));
    if (error instanceof TrainingStoppedError) {
      await callAll("onTrainEnd", state, "guard");
    }
    throw error;
  }
  if (reason === "interrupted" || state.step % stepsPerEpoch !== 0) await checkpoint();
  await callAll("onTrainEnd", state, reason);
  return { reason, step: state.step, epoch: state.epoch, history: state.history, resumedFrom };
}

/** One step run on the device, its losses not yet read. */
interface PendingStep {
  /** The step count once this step is done (1 for the first step). */
  step: number;
  /** The names of the step's scalars, in the order of `packed`. */
  names: string[];
  /** The scalars, stacked into one float32 vector: one read brings them all. */
  packed: tf.Tensor1D;
}

/** The epoch and batch index of a global step. */
function batchPosition(step: number, stepsPerEpoch: number, source: BatchSource): [number, number] {
  return [Math.floor(step / stepsPerEpoch), step % stepsPerEpoch % source.batchesPerEpoch];
}

/**
 * Run step `index` (0-based) through the executor in tf.tidy and stack its scalars into one
 * vector, without reading it.
 */
function runStep(
  executor: ExecutorRun,
  source: BatchSource,
  index: number,
  state: TrainState,
): PendingStep {
  const [epoch, batchIndex] = batchPosition(index, state.stepsPerEpoch, source);
  const batch = source.batch(epoch, batchIndex);
  try {
    let names: string[] = [];
    const packed = tf.tidy(() => {
      const scalars = executor.step(batch, { step: index, epoch });
      names = Object.keys(scalars);
      const packed = tf.stack(
        Object.values(scalars).map((s) => tf.cast(tf.reshape(s, []), "float32")),
      );
      tf.dispose(Object.values(scalars)); // a step may tf.keep() a scalar to log it
      return packed;
    }) as tf.Tensor1D;
    return { step: index + 1, names, packed };
  } finally {
    tf.dispose(Object.values(batch));
  }
}

function appendHistory(history: LossHistory, step: number, logs: Record<string, number>): void {
  const index = history.steps.length;
  history.steps.push(step);
  for (const [name, value] of Object.entries(logs)) {
    const series = history.values[name] ??= new Array(index).fill(NaN);
    series.push(value);
  }
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Cannot train: ${name} must be a positive integer, got ${value}`);
  }
}
