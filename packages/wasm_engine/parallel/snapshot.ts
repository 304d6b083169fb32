/**
 * What the main thread hands a data-parallel worker: a copy of every model weight and optimizer
 * slot of the model set it trains, plus the check that keeps the ranks honest (a weight
 * fingerprint).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The models and optimizers one rank trains (a course variant has both, by the same names). */
export interface ModelSet {
  /** Every trained model, by name. */
  models: Record<string, tf.LayersModel>;
  /** One optimizer per trained model (or group of models), by name. */
  optimizers: Record<string, tf.Optimizer>;
}

/** A tensor as plain values (structured-cloneable). */
export interface TensorCopy {
  /** Variable name (optimizer slots) or "" (model weights, matched by position). */
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  values: Float32Array | Int32Array;
}

/** Every model weight and optimizer slot of a model set, by model and optimizer name. */
export interface Snapshot {
  models: Record<string, TensorCopy[]>;
  optimizers: Record<string, TensorCopy[]>;
}

function copy(name: string, t: tf.Tensor): TensorCopy {
  const dtype = t.dtype === "int32" ? "int32" : "float32";
  const values = dtype === "int32"
    ? Int32Array.from(t.dataSync())
    : Float32Array.from(t.dataSync());
  return { name, shape: t.shape.slice(), dtype, values };
}

/**
 * Copy a model set's state (model weights, optimizer slots) into plain arrays.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { takeSnapshot } from "./snapshot.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
 * const snapshot = await takeSnapshot({ models: { model }, optimizers: {} });
 * assertEquals(snapshot.models.model.map((w) => w.shape), [[2, 3], [3]]);
 * ```
 */
export async function takeSnapshot(set: ModelSet): Promise<Snapshot> {
  const models: Record<string, TensorCopy[]> = {};
  for (const [name, model] of Object.entries(set.models)) {
    models[name] = model.getWeights().map((w) => copy("", w));
  }
  const optimizers: Record<string, TensorCopy[]> = {};
  for (const [name, optimizer] of Object.entries(set.optimizers)) {
    const slots = await optimizer.getWeights();
    optimizers[name] = slots.map((s) => copy(s.name, s.tensor));
    // getWeights() returns new tensors for the iteration count; the slots are the live variables.
    tf.dispose(slots.filter((s) => !(s.tensor instanceof tf.Variable)).map((s) => s.tensor));
  }
  return { models, optimizers };
}

/**
 * Load a {@linkcode takeSnapshot} copy into a model set built the same way.
 *
 * @example Two models built alike end with the same weights
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { applySnapshot, fingerprint, takeSnapshot } from "./snapshot.ts";
 * const build = () => tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
 * const a = { models: { model: build() }, optimizers: {} };
 * const b = { models: { model: build() }, optimizers: {} };
 * await applySnapshot(b, await takeSnapshot(a));
 * assertEquals(fingerprint(b), fingerprint(a));
 * ```
 */
export async function applySnapshot(set: ModelSet, snapshot: Snapshot): Promise<void> {
  for (const [name, weights] of Object.entries(snapshot.models)) {
    const model = set.models[name];
    if (!model) throw new Error(`the rebuilt model set has no model "${name}"`);
    const tensors = weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  for (const [name, slots] of Object.entries(snapshot.optimizers)) {
    const optimizer = set.optimizers[name];
    if (!optimizer) throw new Error(`the rebuilt model set has no optimizer "${name}"`);
    await optimizer.setWeights(
      slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape, s.dtype) })),
    );
  }
}

/**
 * A number that changes when any trainable weight of any model changes: ranks that stayed in step
 * give the same fingerprint, bit for bit.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { fingerprint } from "./snapshot.ts";
 * const layer = () => tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: "ones" });
 * const a = { models: { m: tf.sequential({ layers: [layer()] }) }, optimizers: {} };
 * const b = { models: { m: tf.sequential({ layers: [layer()] }) }, optimizers: {} };
 * assertEquals(fingerprint(a), fingerprint(b));
 * b.models.m.setWeights([tf.tensor2d([[1], [2]]), tf.zeros([1])]);
 * notDeepStrictEqual(fingerprint(a), fingerprint(b));
 * ```
 */
export function fingerprint(set: Pick<ModelSet, "models">): number {
  let sum = 0;
  let position = 1;
  for (const model of Object.values(set.models)) {
    for (const w of model.trainableWeights) {
      const values = w.read().dataSync();
      for (let i = 0; i < values.length; i++) sum += values[i] * ((position++ % 97) + 1);
    }
  }
  return sum;
}
