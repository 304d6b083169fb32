/**
 * What the main thread hands a data-parallel worker: the variant's recipe, a copy of every model
 * weight and optimizer slot, and where the shared memory is; plus the checks that keep the ranks
 * honest (a weight fingerprint) and each rank's random seed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type OptimizerExtras,
  readOptimizerExtras,
  restoreOptimizerExtras,
} from "../io/optimizer_state.ts";
import { deriveSeed } from "../core/random.ts";
import type { GanVariant, VariantRecipe } from "../train/variant.ts";
import type { ChannelLayout } from "./channel.ts";

/** A tensor as plain values (structured-cloneable). */
export interface TensorCopy {
  /** Variable name (optimizer slots) or "" (model weights, matched by position). */
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  values: Float32Array | Int32Array;
}

/** Every model weight and optimizer slot of a variant, by model name. */
export interface Snapshot {
  models: Record<string, TensorCopy[]>;
  optimizers: Record<string, TensorCopy[]>;
  /** Adam's bias-correction products, which `setWeights()` would rebuild inexactly. */
  optimizerExtras?: Record<string, OptimizerExtras>;
}

/** The message that starts a worker. */
export interface WorkerInit {
  recipe: VariantRecipe;
  snapshot: Snapshot;
  buffer: SharedArrayBuffer;
  layout: ChannelLayout;
  rank: number;
  /** The run seed (each rank derives its own step seeds from it). */
  seed: number;
  /** The course backend choice the main thread runs on. */
  backend: "wasm" | "cpu";
}

function copy(name: string, t: tf.Tensor): TensorCopy {
  const dtype = t.dtype === "int32" ? "int32" : "float32";
  const values = dtype === "int32"
    ? Int32Array.from(t.dataSync())
    : Float32Array.from(t.dataSync());
  return { name, shape: t.shape.slice(), dtype, values };
}

/**
 * Copy a variant's state (model weights, optimizer slots) into plain arrays.
 *
 * @example
 * ```ts
 * import { createVariant } from "@course/variants/mod.ts";
 * import { takeSnapshot } from "@course/parallel/snapshot.ts";
 * const variant = createVariant("toy_gan", { seed: 1 });
 * const snapshot = await takeSnapshot(variant);
 * console.log(Object.keys(snapshot.models)); // ["generator", "discriminator"]
 * variant.dispose();
 * ```
 */
export async function takeSnapshot(variant: GanVariant): Promise<Snapshot> {
  const models: Record<string, TensorCopy[]> = {};
  for (const [name, model] of Object.entries(variant.models)) {
    models[name] = model.getWeights().map((w) => copy("", w));
  }
  const optimizers: Record<string, TensorCopy[]> = {};
  const optimizerExtras: Record<string, OptimizerExtras> = {};
  for (const [name, optimizer] of Object.entries(variant.optimizers)) {
    const slots = await optimizer.getWeights();
    optimizers[name] = slots.map((s) => copy(s.name, s.tensor));
    optimizerExtras[name] = await readOptimizerExtras(optimizer);
    // getWeights() returns new tensors for the iteration count; the slots are the live variables.
    tf.dispose(slots.filter((s) => !(s.tensor instanceof tf.Variable)).map((s) => s.tensor));
  }
  return { models, optimizers, optimizerExtras };
}

/** Load a {@linkcode takeSnapshot} copy into a variant built from the same recipe. */
export async function applySnapshot(variant: GanVariant, snapshot: Snapshot): Promise<void> {
  for (const [name, weights] of Object.entries(snapshot.models)) {
    const model = variant.models[name];
    if (!model) throw new Error(`the rebuilt variant has no model "${name}"`);
    const tensors = weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  for (const [name, slots] of Object.entries(snapshot.optimizers)) {
    const optimizer = variant.optimizers[name];
    if (!optimizer) throw new Error(`the rebuilt variant has no optimizer "${name}"`);
    await optimizer.setWeights(
      slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape, s.dtype) })),
    );
    restoreOptimizerExtras(optimizer, snapshot.optimizerExtras?.[name] ?? {}, name);
  }
}

/**
 * A number that changes when any trainable weight of any model changes: ranks that stayed in step
 * give the same fingerprint, bit for bit.
 *
 * @example
 * ```ts
 * import { createVariant } from "@course/variants/mod.ts";
 * import { fingerprint } from "@course/parallel/snapshot.ts";
 * const a = createVariant("toy_gan", { seed: 1 });
 * const b = createVariant("toy_gan", { seed: 1 });
 * console.log(fingerprint(a) === fingerprint(b)); // true
 * a.dispose();
 * b.dispose();
 * ```
 */
export function fingerprint(variant: GanVariant): number {
  let sum = 0;
  let position = 1;
  for (const model of Object.values(variant.models)) {
    for (const w of model.trainableWeights) {
      const values = w.read().dataSync();
      for (let i = 0; i < values.length; i++) sum += values[i] * ((position++ % 97) + 1);
    }
  }
  return sum;
}

/**
 * The seed of rank `rank`'s step draws: rank 0 (the main thread) keeps the run seed, the other
 * ranks get unrelated seeds (so their latents differ from the main thread's).
 *
 * @example
 * ```ts
 * import { rankSeed } from "@course/parallel/snapshot.ts";
 * console.log(rankSeed(7, 0), rankSeed(7, 1) !== 7); // 7 true
 * ```
 */
export function rankSeed(seed: number, rank: number): number {
  return rank === 0 ? seed : deriveSeed(seed, 0x5eed, rank);
}
