/**
 * Full training state to and from a directory: every model's weights (as `model.json` +
 * `weights.bin`, loadable on their own with `loadModel`), every optimizer's state (Adam moments and
 * bias-correction products, RMSProp accumulators, iteration count), a variant's own state (CycleGAN's
 * image pools), the step, epoch, run seed, batch size and loss history.
 *
 * ```
 * DIR/checkpoint.json                   step, epoch, seed, batch size, variant, history, checksums
 * DIR/models/<name>/model.json          topology + manifest (tfjs-node layout)
 * DIR/models/<name>/weights.bin
 * DIR/optimizers/<name>/weights.bin     optimizer.getWeights(), in order
 * DIR/state/weights.bin                 the variant's extra tensors (when it has any)
 * DIR/previous/step-000400/             the checkpoints before this one (2 by default), same layout
 * ```
 *
 * Saving never loses a model:
 * - it refuses weights that hold NaN or Inf ({@linkcode NonFiniteWeightsError}) and keeps the last
 *   good checkpoint;
 * - it is atomic: the new checkpoint is written to a sibling `DIR.tmp-*` directory, the current one
 *   moves into the new one's `previous/`, and the new one is renamed into place; the oldest previous
 *   ones are pruned to keep `keep` in all; temporary folders left by an interrupted save are removed
 *   after the next successful one;
 * - every file's SHA-256 goes into `checkpoint.json` and is verified at load, so a flipped byte is an
 *   error that names the file.
 *
 * Loading checks that the checkpoint belongs to the same variant, models, optimizers and batch size,
 * and says what to do when not. The run's randomness is a function of `(seed, step)` (see
 * `lib/core/random.ts`); with the optimizers' exact state and the variant's state, a resumed run
 * continues bit for bit like an uninterrupted one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../core/fs.ts";
import { checksumTree, verifyChecksums } from "./checksum.ts";
import { joinWeightData, loadModelWeights, saveModel } from "./model_io.ts";
import { firstLine } from "../core/errors.ts";
import { pathExists } from "../core/fs.ts";
import {
  type OptimizerExtras,
  readOptimizerExtras,
  restoreOptimizerExtras,
} from "./optimizer_state.ts";

/** The file at the root of a checkpoint. */
const CHECKPOINT_JSON = "checkpoint.json";
/** The folder inside a checkpoint that holds the ones before it. */
const PREVIOUS_DIR = "previous";
/** Checkpoints kept by default: the newest and the two before it. */
const DEFAULT_KEEP = 3;
const FORMAT = "gan-course-checkpoint";
const VERSION = 2;

/** Loss history: one entry per step for every logged value. */
export interface LossHistory {
  /** The step (1-based count of finished steps) of each entry. */
  steps: number[];
  /** Logged values by name (`dLoss`, `gLoss`, `dGradNorm`, ...), aligned with `steps`. */
  values: Record<string, number[]>;
}

/**
 * State of a variant beyond its models and optimizers (CycleGAN's image pools and their random
 * draws): named tensors and JSON values.
 */
export interface ExtraState {
  /** Tensors by name (letters, digits, `_`, `-`, `.`). */
  tensors: Record<string, tf.Tensor>;
  /** JSON-serialisable values. */
  values: Record<string, unknown>;
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
  /** The run's seed (with `step`, the whole random state of the loop). */
  seed: number;
  /** Loss history so far. */
  history: LossHistory;
  /** Batch size of the run (a resume with another one is refused). */
  batchSize?: number;
  /** Steps per epoch of the run (a resume with another value is refused). */
  stepsPerEpoch?: number;
  /** The variant's own state; its tensors are disposed once written. */
  state?: ExtraState;
  /** Anything else JSON-serialisable the caller wants back (options, notes). */
  extra?: Record<string, unknown>;
}

/** Options of {@linkcode saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Checkpoints to keep, the new one included (the rest live in `previous/`). Default 3. */
  keep?: number;
}

/** `checkpoint.json`: what a checkpoint holds. */
export interface CheckpointMeta {
  /** Always `"gan-course-checkpoint"`. */
  format: string;
  /** Format version (1: no checksums, no exact optimizer state). */
  version: number;
  /** Variant name. */
  variant: string;
  /** Finished steps. */
  step: number;
  /** Finished epochs. */
  epoch: number;
  /** The run seed. */
  seed: number;
  /** Batch size of the run, when known. */
  batchSize?: number;
  /** Steps per epoch of the run, when known. */
  stepsPerEpoch?: number;
  /** ISO time of the save. */
  savedAt: string;
  /** Weight tensor count of each model. */
  models: Record<string, { weights: number }>;
  /** Optimizer class, weight names and private bias-correction state of each optimizer. */
  optimizers: Record<string, { className: string; names: string[]; extras?: OptimizerExtras }>;
  /** Names of the variant's state tensors and its values, when it saved any. */
  state?: { tensors: string[]; values: Record<string, unknown> };
  /** SHA-256 of every file of the checkpoint, by relative path (version 2). */
  files?: Record<string, string>;
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
  /** Expected batch size (checked when given and saved). */
  batchSize?: number;
  /** Expected steps per epoch (checked when given and saved). */
  stepsPerEpoch?: number;
  /**
   * Receives the variant's saved state (the tensors are disposed after the call: copy what you
   * keep). Required when the checkpoint holds state.
   */
  restoreState?: (state: ExtraState) => void;
}

/**
 * Thrown by {@linkcode saveCheckpoint} when a model or optimizer holds NaN or Inf values: the last
 * good checkpoint stays in place.
 */
export class NonFiniteWeightsError extends Error {
  /** The step that was not saved. */
  readonly step: number;
  /** The step of the checkpoint kept, when there is one. */
  readonly keptStep?: number;

  /** Create the error (saveCheckpoint does this). */
  constructor(message: string, step: number, keptStep?: number) {
    super(message);
    this.name = "NonFiniteWeightsError";
    this.step = step;
    this.keptStep = keptStep;
  }
}

/**
 * Save the full training state to `dir`, atomically, keeping the checkpoints before it in
 * `dir/previous/`. Refuses NaN or Inf weights with a {@linkcode NonFiniteWeightsError}.
 *
 * @example Save and restore a model with its Adam state
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * import { deepStrictEqual } from "node:assert/strict";
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
 * deepStrictEqual([meta.step, meta.seed], [1, 3]);
 * deepStrictEqual(fresh.getWeights()[0].arraySync(), model.getWeights()[0].arraySync());
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  state: CheckpointState,
  options: SaveCheckpointOptions = {},
): Promise<CheckpointMeta> {
  const keep = options.keep ?? DEFAULT_KEEP;
  try {
    return await saveCheckpointOwned(dir, state, keep);
  } finally {
    tf.dispose(Object.values(state.state?.tensors ?? {}));
  }
}

async function saveCheckpointOwned(
  dir: string,
  state: CheckpointState,
  keep: number,
): Promise<CheckpointMeta> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(
      `Cannot save checkpoint to ${dir}: keep must be a positive integer, got ${keep}`,
    );
  }
  checkNames("models", Object.keys(state.models));
  checkNames("optimizers", Object.keys(state.optimizers));
  checkNames("state tensors", Object.keys(state.state?.tensors ?? {}), /^[A-Za-z0-9_.-]+$/);
  await refuseNonFinite(dir, state);
  const id = crypto.randomUUID().slice(0, 8);
  const tmp = `${dir}.tmp-${id}`;
  const meta: CheckpointMeta = {
    format: FORMAT,
    version: VERSION,
    variant: state.variant,
    step: state.step,
    epoch: state.epoch,
    seed: state.seed,
    batchSize: state.batchSize,
    stepsPerEpoch: state.stepsPerEpoch,
    savedAt: new Date().toISOString(),
    models: {},
    optimizers: {},
    history: state.history,
    extra: state.extra ?? {},
  };
  let moved = false;
  try {
    await Deno.mkdir(`${tmp}/optimizers`, { recursive: true });
    for (const [name, model] of Object.entries(state.models)) {
      const saved = await saveModel(model, `${tmp}/models/${name}`);
      meta.models[name] = { weights: saved.weightCount };
    }
    for (const [name, optimizer] of Object.entries(state.optimizers)) {
      const weights = await optimizer.getWeights();
      try {
        // Index names: tfjs decodes weights into a map by name, and order is what setWeights needs.
        const indexed = weights.map((w, i) => ({ name: String(i), tensor: w.tensor }));
        await writeTensors(`${tmp}/optimizers/${name}`, indexed);
        meta.optimizers[name] = {
          className: optimizer.getClassName(),
          names: weights.map((w) => w.name),
          extras: await readOptimizerExtras(optimizer),
        };
      } finally {
        // getWeights() makes a new scalar for the iteration count; the rest are live variables.
        weights.filter((w) => w.name === "iter").forEach((w) => w.tensor.dispose());
      }
    }
    if (state.state) {
      const names = Object.keys(state.state.tensors);
      const named = names.map((name) => ({ name, tensor: state.state!.tensors[name] }));
      if (named.length > 0) await writeTensors(`${tmp}/state`, named);
      meta.state = { tensors: names, values: state.state.values };
    }
    meta.files = await checksumTree(tmp, [CHECKPOINT_JSON, PREVIOUS_DIR]);
    await writeFileAtomic(
      `${tmp}/${CHECKPOINT_JSON}`,
      new TextEncoder().encode(JSON.stringify(meta)),
    );
    // The current checkpoint (with its own previous ones) moves into the new one's previous/.
    if (await pathExists(dir)) {
      const current = await readCheckpointMeta(dir).catch(() => undefined);
      if (await pathExists(`${dir}/${PREVIOUS_DIR}`)) {
        await Deno.rename(`${dir}/${PREVIOUS_DIR}`, `${tmp}/${PREVIOUS_DIR}`);
      }
      await Deno.mkdir(`${tmp}/${PREVIOUS_DIR}`, { recursive: true });
      const aside = `${tmp}/${PREVIOUS_DIR}/${
        current ? stepFolder(current.step) : `unreadable-${id}`
      }`;
      await Deno.remove(aside, { recursive: true }).catch(() => {});
      moved = true;
      await Deno.rename(dir, aside);
    }
    await prunePrevious(`${tmp}/${PREVIOUS_DIR}`, keep - 1);
    await Deno.rename(tmp, dir);
  } catch (error) {
    if (moved && !(await pathExists(dir))) {
      throw new Error(
        `Cannot save checkpoint to ${dir}: ${firstLine(error)}; the new checkpoint, with the ` +
          `earlier ones in its ${PREVIOUS_DIR}/ folder, is complete in ${tmp}: rename it to ${dir}`,
      );
    }
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(`Cannot save checkpoint to ${dir}: ${firstLine(error)}`);
  }
  await removeStaleSiblings(dir);
  return meta;
}

/**
 * Read `checkpoint.json` of `dir` without loading weights; `undefined` when `dir` has no checkpoint.
 * Throws on a corrupt one, and when only the leftovers of an interrupted save are there (saying
 * which folder to rename).
 *
 * @example
 * ```ts
 * import { readCheckpointMeta } from "./checkpoint.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(await readCheckpointMeta("/nonexistent/ckpt"), undefined);
 * ```
 */
export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${CHECKPOINT_JSON}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const aside = await findInterruptedSave(dir);
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
        `(${firstLine(error)}); the checkpoint is corrupt, ${await earlierHint(dir)}`,
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
 * The checkpoints kept in `dir/previous/`, newest first, as `{ step, dir }`.
 *
 * @example
 * ```ts
 * import { previousCheckpoints } from "./checkpoint.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(await previousCheckpoints("/nonexistent/ckpt"), []);
 * ```
 */
export async function previousCheckpoints(
  dir: string,
): Promise<{ step: number; dir: string }[]> {
  const found: { step: number; dir: string }[] = [];
  try {
    for await (const entry of Deno.readDir(`${dir}/${PREVIOUS_DIR}`)) {
      const match = entry.isDirectory ? entry.name.match(/^step-(\d+)$/) : null;
      if (match) {
        found.push({ step: Number(match[1]), dir: `${dir}/${PREVIOUS_DIR}/${entry.name}` });
      }
    }
  } catch {
    return [];
  }
  return found.sort((a, b) => b.step - a.step);
}

/**
 * Restore a checkpoint into freshly built models and optimizers. Verifies every file's checksum and
 * checks variant, model and optimizer names, batch size, weight counts and shapes before changing
 * anything; returns the metadata (step, epoch, seed, history).
 *
 * @example A missing checkpoint is a clear error
 * ```ts
 * import { loadCheckpoint } from "./checkpoint.ts";
 * import { rejects } from "node:assert/strict";
 * await rejects(
 *   loadCheckpoint("/nonexistent/ckpt", { models: {}, optimizers: {} }),
 *   /Cannot load checkpoint from \/nonexistent\/ckpt: there is no checkpoint\.json/,
 * );
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
  compareSetting(dir, "batch size", "--batch-size", meta.batchSize, targets.batchSize);
  compareSetting(
    dir,
    "steps per epoch",
    "--steps-per-epoch",
    meta.stepsPerEpoch,
    targets.stepsPerEpoch,
  );
  for (const [name, optimizer] of Object.entries(targets.optimizers)) {
    const saved = meta.optimizers[name];
    if (saved.className !== optimizer.getClassName()) {
      throw new Error(
        `${where}: optimizer "${name}" was ${saved.className}, now ${optimizer.getClassName()}; ` +
          `resume with the same optimizer settings`,
      );
    }
  }
  if (meta.state && meta.state.tensors.length + Object.keys(meta.state.values).length > 0) {
    if (!targets.restoreState) {
      throw new Error(
        `${where}: it holds the variant's own state (${
          meta.state.tensors.join(", ") || "values"
        }) but nothing restores it; resume it with the variant that saved it`,
      );
    }
  }
  if (meta.files) {
    await verifyChecksums(dir, meta.files, where).catch(async (error) => {
      throw new Error(`${firstLine(error)}; ${await earlierHint(dir)}`);
    });
  }
  for (const [name, model] of Object.entries(targets.models)) {
    try {
      await loadModelWeights(model, `${dir}/models/${name}`);
    } catch (error) {
      throw new Error(`${where}: model "${name}": ${firstLine(error)}`);
    }
  }
  for (const [name, optimizer] of Object.entries(targets.optimizers)) {
    const saved = meta.optimizers[name];
    const decoded = await readTensors(dir, `optimizers/${name}`, where);
    if (decoded.length !== saved.names.length) {
      tf.dispose(decoded.map((d) => d.tensor));
      throw new Error(
        `${where}: optimizers/${name} holds ${decoded.length} tensors, ${CHECKPOINT_JSON} names ` +
          `${saved.names.length}; the checkpoint is corrupt, ${await earlierHint(dir)}`,
      );
    }
    const values = decoded.map((d, i) => ({ name: saved.names[i], tensor: d.tensor }));
    const previous = await optimizer.getWeights();
    await optimizer.setWeights(values);
    // setWeights made variables of the values; free our copies and the replaced accumulators.
    tf.dispose(values.map((v) => v.tensor));
    tf.dispose(previous.map((w) => w.tensor));
    restoreOptimizerExtras(optimizer, saved.extras ?? {}, name);
  }
  if (meta.state && targets.restoreState) {
    const decoded = meta.state.tensors.length > 0 ? await readTensors(dir, "state", where) : [];
    const tensors = Object.fromEntries(decoded.map((d) => [d.name, d.tensor]));
    try {
      targets.restoreState({ tensors, values: meta.state.values });
    } finally {
      tf.dispose(Object.values(tensors));
    }
  }
  return meta;
}

/** The folder name of a previous checkpoint at `step`. */
function stepFolder(step: number): string {
  return `step-${String(step).padStart(6, "0")}`;
}

/** Write named tensors as `weights.bin` + `specs.json` in `dir`. */
async function writeTensors(
  dir: string,
  named: { name: string; tensor: tf.Tensor }[],
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(named);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/weights.bin`, new Uint8Array(joinWeightData(data)));
  await Deno.writeTextFile(`${dir}/specs.json`, JSON.stringify(specs));
}

/** Read what {@linkcode writeTensors} wrote, in order, checking the byte count. */
async function readTensors(
  checkpointDir: string,
  what: string,
  where: string,
): Promise<{ name: string; tensor: tf.Tensor }[]> {
  let specs: tf.io.WeightsManifestEntry[];
  let bytes: Uint8Array;
  try {
    specs = JSON.parse(await Deno.readTextFile(`${checkpointDir}/${what}/specs.json`));
    bytes = await Deno.readFile(`${checkpointDir}/${what}/weights.bin`);
  } catch (error) {
    throw new Error(
      `${where}: ${what} cannot be read (${firstLine(error)}); the checkpoint is corrupt, ` +
        `${await earlierHint(checkpointDir)}`,
    );
  }
  const bytesPer = (s: tf.io.WeightsManifestEntry) => s.dtype === "bool" ? 1 : 4;
  const expected = specs.reduce(
    (sum, s) => sum + bytesPer(s) * s.shape.reduce((a, b) => a * b, 1),
    0,
  );
  if (bytes.byteLength !== expected) {
    throw new Error(
      `${where}: ${what}/weights.bin has ${bytes.byteLength} bytes, specs.json expects ` +
        `${expected}; the checkpoint is corrupt, ${await earlierHint(checkpointDir)}`,
    );
  }
  const decoded = tf.io.decodeWeights(bytes.slice().buffer, specs);
  return specs.map((s) => ({ name: s.name, tensor: decoded[s.name] }));
}

/** Throw NonFiniteWeightsError when a model, optimizer or state tensor holds NaN or Inf. */
async function refuseNonFinite(dir: string, state: CheckpointState): Promise<void> {
  const checked: { what: string; tensor: tf.Tensor }[] = [];
  for (const [name, model] of Object.entries(state.models)) {
    for (const weight of model.weights) {
      checked.push({
        what: `model "${name}" weight "${weight.originalName}"`,
        tensor: weight.read(),
      });
    }
  }
  const owned: tf.Tensor[] = [];
  for (const [name, optimizer] of Object.entries(state.optimizers)) {
    for (const weight of await optimizer.getWeights()) {
      if (weight.name === "iter") owned.push(weight.tensor);
      else {checked.push({
          what: `optimizer "${name}" state "${weight.name}"`,
          tensor: weight.tensor,
        });}
    }
  }
  for (const [name, tensor] of Object.entries(state.state?.tensors ?? {})) {
    checked.push({ what: `variant state "${name}"`, tensor });
  }
  tf.dispose(owned);
  const floats = checked.filter((c) => c.tensor.dtype === "float32" && c.tensor.size > 0);
  if (floats.length === 0) return;
  const flags = tf.tidy(() => tf.stack(floats.map((c) => tf.isFinite(c.tensor).all())));
  const finite = await flags.data();
  flags.dispose();
  const bad = floats.filter((_, i) => !finite[i]);
  if (bad.length === 0) return;
  const kept = await readCheckpointMeta(dir).catch(() => undefined);
  const more = bad.length > 1 ? ` and ${bad.length - 1} more hold` : " holds";
  const keptText = kept
    ? `the last good checkpoint (step ${kept.step}) is kept in ${dir}; resume from it with a ` +
      `lower learning rate`
    : `there is no earlier checkpoint in ${dir}; restart with a lower learning rate`;
  throw new NonFiniteWeightsError(
    `Cannot save checkpoint to ${dir} at step ${state.step}: ${bad[0].what}${more} NaN or Inf ` +
      `values (the weights diverged); not saved: ${keptText}, or check the data range ([-1, 1]).`,
    state.step,
    kept?.step,
  );
}

/** Keep the `count` newest `step-*` folders of `previous`; remove it when empty. */
async function prunePrevious(previous: string, count: number): Promise<void> {
  if (!(await pathExists(previous))) return;
  const steps: string[] = [];
  for await (const entry of Deno.readDir(previous)) {
    if (entry.isDirectory && /^step-\d+$/.test(entry.name)) steps.push(entry.name);
  }
  steps.sort((a, b) => Number(b.slice(5)) - Number(a.slice(5)));
  for (const name of steps.slice(count)) {
    await Deno.remove(`${previous}/${name}`, { recursive: true });
  }
  let empty = true;
  for await (const _ of Deno.readDir(previous)) empty = false;
  if (empty) await Deno.remove(previous);
}

/** Remove `DIR.tmp-*` and `DIR.old-*` folders left by interrupted saves (after a good save). */
async function removeStaleSiblings(dir: string): Promise<void> {
  const parent = dirname(dir);
  const base = basename(dir);
  try {
    for await (const entry of Deno.readDir(parent)) {
      if (entry.name.startsWith(`${base}.tmp-`) || entry.name.startsWith(`${base}.old-`)) {
        await Deno.remove(join(parent, entry.name), { recursive: true }).catch(() => {});
      }
    }
  } catch {
    // The parent cannot be listed: nothing to clean.
  }
}

/** A complete checkpoint left next to `dir` by an interrupted save, if any. */
async function findInterruptedSave(dir: string): Promise<string | undefined> {
  const parent = dirname(dir);
  const base = basename(dir);
  try {
    for await (const entry of Deno.readDir(parent)) {
      const path = join(parent, entry.name);
      if (!entry.isDirectory) continue;
      if (entry.name.startsWith(`${base}.old-`)) return path;
      if (entry.name.startsWith(`${base}.tmp-`) && await pathExists(`${path}/${CHECKPOINT_JSON}`)) {
        return path;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** What to do about a corrupt checkpoint: resume from the newest previous one, when there is one. */
async function earlierHint(dir: string): Promise<string> {
  const [newest] = await previousCheckpoints(dir);
  if (!newest) return "delete it or resume from an earlier one";
  return `resume from the earlier checkpoint of step ${newest.step}: move ${dir} aside (e.g. ` +
    `to ${dir}.corrupt) and move ${newest.dir.replace(dir, `${dir}.corrupt`)} to ${dir}`;
}

function checkNames(kind: string, names: string[], pattern = /^[A-Za-z0-9_-]+$/): void {
  for (const name of names) {
    if (!pattern.test(name)) {
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

function compareSetting(
  dir: string,
  what: string,
  flag: string,
  saved: number | undefined,
  given: number | undefined,
): void {
  if (saved === undefined || given === undefined || saved === given) return;
  throw new Error(
    `Cannot resume from ${dir}: it was trained with ${what} ${saved}, not ${given}; a resumed run ` +
      `must see the same batches to continue the same run, so resume with ${flag} ${saved}, or ` +
      `train into another output folder`,
  );
}
