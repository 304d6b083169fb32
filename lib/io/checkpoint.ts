/**
 * Full training state to and from a directory: every model's weights (as `model.json` +
 * `weights.bin`, loadable on their own with `loadModel`), every optimizer's state (Adam moments,
 * RMSProp accumulators, iteration count), the step, epoch, run seed and loss history.
 *
 * ```
 * DIR/checkpoint.json                   step, epoch, seed, variant, history, what is inside
 * DIR/models/<name>/model.json          topology + manifest (tfjs-node layout)
 * DIR/models/<name>/weights.bin
 * DIR/optimizers/<name>/weights.bin     optimizer.getWeights(), in order
 * ```
 *
 * Saving is atomic: the whole checkpoint is written to a sibling `DIR.tmp-*` directory, the old one
 * is moved aside, the new one renamed into place, and the old one deleted. Loading checks that the
 * checkpoint belongs to the same variant, models and optimizers, and says what to do when not.
 *
 * The run's randomness is a function of `(seed, step)` (see `lib/train/random.ts`), so the seed and
 * step are the whole random state: a resumed run continues exactly like an uninterrupted one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../viz/atomic_write.ts";
import { joinWeightData, loadModelWeights, saveModel } from "./model_io.ts";
import { firstLine, pathExists } from "./fs.ts";

/** The file at the root of a checkpoint. */
export const CHECKPOINT_JSON = "checkpoint.json";
const FORMAT = "gan-course-checkpoint";
const VERSION = 1;

/** Loss history: one entry per step for every logged value. */
export interface LossHistory {
  /** The step (1-based count of finished steps) of each entry. */
  steps: number[];
  /** Logged values by name (`dLoss`, `gLoss`, `dGradNorm`, ...), aligned with `steps`. */
  values: Record<string, number[]>;
}

/** What {@linkcode saveCheckpoint} stores. */
export interface CheckpointState {
  /** Variant name, checked on load. */
  variant: string;
  /** Models by name. */
  models: Record<string, tf.LayersModel>;
  /** Optimizers by name. */
  optimizers: Record<string, tf.Optimizer>;
  /** Finished steps. */
  step: number;
  /** Finished epochs. */
  epoch: number;
  /** The run's seed (with `step`, the whole random state). */
  seed: number;
  /** Loss history so far. */
  history: LossHistory;
  /** Anything else JSON-serialisable the caller wants back (options, notes). */
  extra?: Record<string, unknown>;
}

/** `checkpoint.json`: what a checkpoint holds. */
export interface CheckpointMeta {
  /** Always `"gan-course-checkpoint"`. */
  format: string;
  /** Format version. */
  version: number;
  /** Variant name. */
  variant: string;
  /** Finished steps. */
  step: number;
  /** Finished epochs. */
  epoch: number;
  /** The run seed. */
  seed: number;
  /** ISO time of the save. */
  savedAt: string;
  /** Weight tensor count of each model. */
  models: Record<string, { weights: number }>;
  /** Optimizer class, weight names and tensor count of each optimizer. */
  optimizers: Record<string, { className: string; names: string[] }>;
  /** Loss history. */
  history: LossHistory;
  /** Caller data. */
  extra: Record<string, unknown>;
}

/** What {@linkcode loadCheckpoint} restores into. */
export interface CheckpointTargets {
  /** Expected variant name (checked when given). */
  variant?: string;
  /** Models to fill, by the names used when saving. */
  models: Record<string, tf.LayersModel>;
  /** Optimizers to fill, by the names used when saving. */
  optimizers: Record<string, tf.Optimizer>;
}

/**
 * Save the full training state to `dir`, atomically (replacing an earlier checkpoint there).
 *
 * @example Save and restore a model with its Adam state
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadCheckpoint, saveCheckpoint } from "@course/io/checkpoint.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const optimizer = tf.train.adam(0.01);
 * optimizer.minimize(() => (model.apply(tf.ones([2, 2])) as tf.Tensor).sum() as tf.Scalar);
 * const dir = (await Deno.makeTempDir()) + "/ckpt";
 * await saveCheckpoint(dir, {
 *   variant: "demo", models: { model }, optimizers: { model: optimizer },
 *   step: 1, epoch: 0, seed: 3, history: { steps: [1], values: { loss: [0.5] } },
 * });
 * const fresh = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const meta = await loadCheckpoint(dir, {
 *   variant: "demo", models: { model: fresh }, optimizers: { model: tf.train.adam(0.01) },
 * });
 * console.log(meta.step, meta.seed); // 1 3
 * ```
 */
export async function saveCheckpoint(dir: string, state: CheckpointState): Promise<CheckpointMeta> {
  checkNames("models", Object.keys(state.models));
  checkNames("optimizers", Object.keys(state.optimizers));
  const id = crypto.randomUUID().slice(0, 8);
  const tmp = `${dir}.tmp-${id}`;
  const old = `${dir}.old-${id}`;
  const meta: CheckpointMeta = {
    format: FORMAT,
    version: VERSION,
    variant: state.variant,
    step: state.step,
    epoch: state.epoch,
    seed: state.seed,
    savedAt: new Date().toISOString(),
    models: {},
    optimizers: {},
    history: state.history,
    extra: state.extra ?? {},
  };
  try {
    await Deno.mkdir(`${tmp}/optimizers`, { recursive: true });
    for (const [name, model] of Object.entries(state.models)) {
      const saved = await saveModel(model, `${tmp}/models/${name}`);
      meta.models[name] = { weights: saved.weightCount };
    }
    for (const [name, optimizer] of Object.entries(state.optimizers)) {
      const weights = await optimizer.getWeights();
      // Index names: tfjs decodes weights into a map by name, and order is what setWeights needs.
      const indexed = weights.map((w, i) => ({ name: String(i), tensor: w.tensor }));
      const { data, specs } = await tf.io.encodeWeights(indexed);
      await Deno.mkdir(`${tmp}/optimizers/${name}`, { recursive: true });
      await Deno.writeFile(
        `${tmp}/optimizers/${name}/weights.bin`,
        new Uint8Array(joinWeightData(data)),
      );
      await Deno.writeTextFile(`${tmp}/optimizers/${name}/specs.json`, JSON.stringify(specs));
      meta.optimizers[name] = {
        className: optimizer.getClassName(),
        names: weights.map((w) => w.name),
      };
      // getWeights() makes a new scalar for the iteration count; the rest are live variables.
      weights.filter((w) => w.name === "iter").forEach((w) => w.tensor.dispose());
    }
    await writeFileAtomic(
      `${tmp}/${CHECKPOINT_JSON}`,
      new TextEncoder().encode(JSON.stringify(meta)),
    );
    const hadOld = await pathExists(dir);
    if (hadOld) await Deno.rename(dir, old);
    await Deno.rename(tmp, dir);
    if (hadOld) await Deno.remove(old, { recursive: true });
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(`Cannot save checkpoint to ${dir}: ${firstLine(error)}`);
  }
  return meta;
}

/**
 * Read `checkpoint.json` of `dir` without loading weights; `undefined` when `dir` has no checkpoint.
 * Throws on a corrupt one.
 *
 * @example
 * ```ts
 * import { readCheckpointMeta } from "@course/io/checkpoint.ts";
 * console.log(await readCheckpointMeta("/nonexistent/ckpt")); // undefined
 * ```
 */
export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${CHECKPOINT_JSON}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const aside = await findAside(dir);
      if (aside) {
        throw new Error(
          `Cannot load checkpoint from ${dir}: it is missing but ${aside} is there, left by a save ` +
            `that was interrupted; rename it to ${dir} to resume from it`,
        );
      }
      return undefined;
    }
    throw new Error(`Cannot load checkpoint from ${dir}: ${firstLine(error)}`);
  }
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot load checkpoint from ${dir}: ${CHECKPOINT_JSON} is not valid JSON ` +
        `(${firstLine(error)}); the checkpoint is corrupt, delete it or resume from an earlier one`,
    );
  }
  if (meta?.format !== FORMAT || typeof meta.step !== "number" || !meta.models) {
    throw new Error(
      `Cannot load checkpoint from ${dir}: ${CHECKPOINT_JSON} is not a course checkpoint (format ` +
        `"${meta?.format}"); point --out/checkpointDir at a directory written by train()`,
    );
  }
  return meta;
}

/**
 * Restore a checkpoint into freshly built models and optimizers. Checks variant, model and
 * optimizer names, weight counts and shapes; returns the metadata (step, epoch, seed, history).
 *
 * @example A missing checkpoint is a clear error
 * ```ts
 * import { loadCheckpoint } from "@course/io/checkpoint.ts";
 * try {
 *   await loadCheckpoint("/nonexistent/ckpt", { models: {}, optimizers: {} });
 * } catch (error) {
 *   console.log((error as Error).message); // "Cannot load checkpoint from /nonexistent/ckpt: ..."
 * }
 * ```
 */
export async function loadCheckpoint(
  dir: string,
  targets: CheckpointTargets,
): Promise<CheckpointMeta> {
  const where = `Cannot load checkpoint from ${dir}`;
  const meta = await readCheckpointMeta(dir);
  if (!meta) {
    throw new Error(`${where}: there is no ${CHECKPOINT_JSON}; train without --resume first`);
  }
  if (targets.variant !== undefined && meta.variant !== targets.variant) {
    throw new Error(
      `${where}: it was saved by variant "${meta.variant}", not "${targets.variant}"; use another ` +
        `--out directory or train "${meta.variant}"`,
    );
  }
  compareNames(where, "models", Object.keys(meta.models), Object.keys(targets.models));
  compareNames(where, "optimizers", Object.keys(meta.optimizers), Object.keys(targets.optimizers));
  for (const [name, model] of Object.entries(targets.models)) {
    try {
      await loadModelWeights(model, `${dir}/models/${name}`);
    } catch (error) {
      throw new Error(`${where}: model "${name}": ${firstLine(error)}`);
    }
  }
  for (const [name, optimizer] of Object.entries(targets.optimizers)) {
    const saved = meta.optimizers[name];
    if (saved.className !== optimizer.getClassName()) {
      throw new Error(
        `${where}: optimizer "${name}" was ${saved.className}, now ${optimizer.getClassName()}; ` +
          `resume with the same optimizer settings`,
      );
    }
    const base = `${dir}/optimizers/${name}`;
    let specs: tf.io.WeightsManifestEntry[];
    let bytes: Uint8Array;
    try {
      specs = JSON.parse(await Deno.readTextFile(`${base}/specs.json`));
      bytes = await Deno.readFile(`${base}/weights.bin`);
    } catch (error) {
      throw new Error(
        `${where}: optimizer "${name}" state cannot be read (${
          firstLine(error)
        }); the checkpoint is ` +
          `corrupt, delete it or resume from an earlier one`,
      );
    }
    const expected = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    if (specs.length !== saved.names.length || bytes.byteLength !== expected) {
      throw new Error(
        `${where}: optimizers/${name}/weights.bin has ${bytes.byteLength} bytes, specs.json ` +
          `expects ${expected}; the checkpoint is corrupt, delete it or resume from an earlier one`,
      );
    }
    const decoded = tf.io.decodeWeights(bytes.slice().buffer, specs);
    const values = specs.map((s, i) => ({ name: saved.names[i], tensor: decoded[s.name] }));
    const previous = await optimizer.getWeights();
    await optimizer.setWeights(values);
    // setWeights made variables of the values; free our copies and the replaced accumulators.
    tf.dispose(values.map((v) => v.tensor));
    tf.dispose(previous.map((w) => w.tensor));
  }
  return meta;
}

function checkNames(kind: string, names: string[]): void {
  for (const name of names) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new Error(
        `Cannot save checkpoint: ${kind} name "${name}" must use letters, digits, _ or - only`,
      );
    }
  }
}

function compareNames(where: string, kind: string, saved: string[], given: string[]): void {
  const a = [...saved].sort().join(", ");
  const b = [...given].sort().join(", ");
  if (a !== b) {
    throw new Error(
      `${where}: it holds ${kind} [${a}] but the variant has [${b}]; it was saved by a ` +
        `different variant or version, use another output directory`,
    );
  }
}

async function findAside(dir: string): Promise<string | undefined> {
  const slash = dir.lastIndexOf("/");
  const parent = slash >= 0 ? dir.slice(0, slash) || "/" : ".";
  const base = slash >= 0 ? dir.slice(slash + 1) : dir;
  try {
    for await (const entry of Deno.readDir(parent)) {
      if (entry.isDirectory && entry.name.startsWith(`${base}.old-`)) {
        return `${parent}/${entry.name}`;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}
