/**
 * One optimizer update that also reports the global gradient norm, for the guards (the homework
 * report's rule of thumb: gradient norms above about 100 mean training is going wrong).
 *
 * A step passes its context on, `optimizeWithNorm(optimizer, lossFn, model, context)`, and
 * writes its loss function over a {@linkcode Shard}: `(shard) => loss of shard.rows(batch tensors)
 * with draws from shard.random`. On one thread without shards the shard is the whole batch and the
 * step's random source. A data-parallel executor splits each step into a fixed number of shards
 * (each normalised on its own, batch norm included) spread over its threads: every thread computes
 * the gradients of its shards, and the context's {@linkcode GradientReducer} averages them (and the
 * loss) over all shards, summed in shard order, before the optimizer applies them. So every
 * thread stays identical, and a run split into the same shards gives the same weights on any number
 * of threads.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { StepRandom } from "../core/random.ts";

/** Averages flat vectors over the shards of a step (bit-identical result on every thread). */
export interface GradientReducer {
  /**
   * The element-wise mean over all shards of the step: `values` is this thread's vector, or one
   * per shard it computed, in shard order.
   */
  allReduceMean(values: Float32Array | readonly Float32Array[]): Float32Array;
}

/** One shard of a step: a fixed block of the batch's rows, with its own random draws. */
export interface Shard {
  /** The shard's index in the step (0 for the whole batch). */
  index: number;
  /** This shard's rows of a tensor whose first axis is this thread's batch. */
  rows<T extends tf.Tensor>(t: T): T;
  /** The shard's draws: the same whichever thread computes the shard. */
  random: StepRandom;
}

/** What {@linkcode optimizeWithNorm} reads from the step context. */
export interface ReducerContext {
  /** The step's random source: the whole-batch shard's draws when `shards` is absent. */
  random?: StepRandom;
  /** This thread's shards of the step, in order; absent: the whole batch is one shard. */
  shards?: readonly Shard[];
  /** Averages gradients over all shards; needed when there is more than one. */
  reducer?: GradientReducer;
  /**
   * Variables a shard other than shard 0 must leave as they were (batch norm's moving averages,
   * which a forward pass in training mode updates): the run keeps shard 0's, on every thread count.
   */
  statistics?: readonly tf.Variable[];
}

/** What {@linkcode optimizeWithNorm} returns (scalars; dispose them or run inside `tf.tidy`). */
export interface OptimizeResult {
  /** The loss before the update. */
  loss: tf.Scalar;
  /** The global L2 norm of the gradients over all variables. */
  gradNorm: tf.Scalar;
}

/**
 * Compute `lossFn`'s gradients for the trainable weights of `model` (or the given variables), apply
 * them with `optimizer`, and return the loss and the gradient norm. Pass the step's context so
 * that a data-parallel run averages the gradients and the loss over its ranks first.
 *
 * @example One SGD step, then one whose gradients and loss a reducer halves
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { optimizeWithNorm } from "./gradients.ts";
 * const w = tf.variable(tf.tensor1d([3, 4]));
 * const lossFn = () => w.sum() as tf.Scalar; // gradient [1, 1]
 * const plain = optimizeWithNorm(tf.train.sgd(1), lossFn, [w]);
 * assertEquals([plain.loss.dataSync()[0], plain.gradNorm.dataSync()[0]], [7, Math.fround(Math.SQRT2)]);
 * assertEquals(Array.from(w.dataSync()), [2, 3]);
 * // A reducer gets one vector per shard (gradients, then the loss) and returns their mean.
 * const reducer = {
 *   allReduceMean: (values: Float32Array | readonly Float32Array[]) =>
 *     (values as Float32Array[])[0].map((v) => v / 2),
 * };
 * const halved = optimizeWithNorm(tf.train.sgd(1), lossFn, [w], { reducer });
 * assertEquals(halved.loss.dataSync()[0], 2.5); // the loss is averaged too
 * assertEquals(Array.from(w.dataSync()), [1.5, 2.5]);
 * // Two shards of a batch [1, 2, 3, 4]: each computes its own mean, the reducer averages.
 * const x = tf.tensor1d([1, 2, 3, 4]);
 * const v = tf.variable(tf.scalar(0));
 * const shardsOf = [0, 1].map((index) => ({
 *   index,
 *   rows: <T extends tf.Tensor>(t: T) => t.slice(index * 2, 2) as T,
 *   random: undefined as never,
 * }));
 * const mean = { allReduceMean: (values: Float32Array | readonly Float32Array[]) => {
 *   const [a, b] = values as Float32Array[];
 *   return a.map((value, i) => (value + b[i]) / 2);
 * } };
 * const sharded = optimizeWithNorm(
 *   tf.train.sgd(1),
 *   (shard) => shard.rows(x).sub(v).square().mean() as tf.Scalar,
 *   [v],
 *   { shards: shardsOf, reducer: mean },
 * );
 * assertEquals(sharded.loss.dataSync()[0], 7.5); // (mean of 1, 4) + (mean of 9, 16), halved
 * assertEquals(v.dataSync()[0], 5); // the mean gradient -2 * 2.5, applied with rate 1
 * ```
 */
export function optimizeWithNorm(
  optimizer: tf.Optimizer,
  lossFn: (shard: Shard) => tf.Scalar,
  target: tf.LayersModel | tf.Variable[],
  context: ReducerContext = {},
): OptimizeResult {
  const variables = Array.isArray(target)
    ? target
    : target.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) {
    throw new Error("Cannot optimise: the model has no trainable weights (is it frozen?)");
  }
  const shards = context.shards ?? [wholeBatch(context.random)];
  if (shards.length > 1 && (lossFn.length === 0 || !context.reducer)) {
    throw new Error(
      `Cannot split this update into ${shards.length} shards: ` +
        (context.reducer
          ? `its loss function takes no shard; write it as (shard) => ... over ` +
            `shard.rows(tensor) with draws from shard.random, or run with one shard per thread`
          : `the step context has no reducer to average them; pass the step's context`),
    );
  }
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  if (shards.length === 1 && !context.reducer) {
    ({ value, grads } = tf.variableGrads(() => lossFn(shards[0]), variables));
  } else {
    ({ value, grads } = averageOverShards(context, shards, lossFn, variables));
  }
  const gradNorm = tf.tidy(() =>
    tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar
  );
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return { loss: value, gradNorm };
}

/** The whole batch as one shard (its draws from the step's random source). */
function wholeBatch(random: StepRandom | undefined): Shard {
  return {
    index: 0,
    rows: (t) => t,
    get random(): StepRandom {
      if (!random) {
        throw new Error(
          "Cannot draw from shard.random: pass the step's context to optimizeWithNorm",
        );
      }
      return random;
    },
  };
}

/**
 * The gradients and loss of every shard, flattened in the order of `variables` (the same on every
 * thread: a variable the loss does not reach has no gradient, on every shard alike), averaged by
 * the reducer and shaped back. Shards other than shard 0 leave `context.statistics` unchanged.
 */
function averageOverShards(
  context: ReducerContext,
  shards: readonly Shard[],
  lossFn: (shard: Shard) => tf.Scalar,
  variables: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  let present: tf.Variable[] = [];
  let shapes: number[][] = [];
  const vectors = shards.map((shard) => {
    const saved = shard.index === 0 ? [] : (context.statistics ?? []).map((v) => v.clone());
    const { value, grads } = tf.variableGrads(() => lossFn(shard), variables);
    context.statistics?.forEach((v, k) => saved[k] && v.assign(saved[k]));
    tf.dispose(saved);
    if (present.length === 0) present = variables.filter((v) => grads[v.name] !== undefined);
    const ordered = present.map((v) => grads[v.name]);
    shapes = ordered.map((g) => g.shape);
    const total = ordered.reduce((n, g) => n + g.size, 0);
    const flat = new Float32Array(total + 1);
    let offset = 0;
    for (const g of ordered) {
      flat.set(g.dataSync() as Float32Array, offset);
      offset += g.size;
    }
    flat[total] = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return flat;
  });
  const mean = context.reducer!.allReduceMean(vectors);
  const averaged: tf.NamedTensorMap = {};
  let offset = 0;
  present.forEach((v, i) => {
    const size = shapes[i].reduce((a, b) => a * b, 1);
    averaged[v.name] = tf.tensor(mean.subarray(offset, offset + size), shapes[i], "float32");
    offset += size;
  });
  return { value: tf.scalar(mean[offset]), grads: averaged };
}
