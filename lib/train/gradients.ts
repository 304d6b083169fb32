/**
 * One optimizer update that also reports the global gradient norm, for the guards (the homework
 * report's rule of thumb: gradient norms above about 100 mean training is going wrong).
 *
 * In data-parallel training (`train(..., { executor })` with a data-parallel executor) every rank
 * computes the gradients of its share of the batch; the step context carries a
 * {@linkcode GradientReducer} that averages them (and the losses) over the ranks before the
 * optimizer applies them, so all ranks stay identical. A step passes its context on:
 * `optimizeWithNorm(optimizer, lossFn, model, context)`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Averages a flat vector over the data-parallel ranks (bit-identical result on every rank). */
export interface GradientReducer {
  /** The element-wise mean over all ranks of each rank's `values`. */
  allReduceMean(values: Float32Array): Float32Array;
}

/** What {@linkcode optimizeWithNorm} reads from the step context: its gradient reducer. */
export interface ReducerContext {
  /** Averages gradients over data-parallel ranks; absent on a single thread. */
  reducer?: GradientReducer;
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
 * import { optimizeWithNorm } from "@course/train/gradients.ts";
 * const w = tf.variable(tf.tensor1d([3, 4]));
 * const lossFn = () => w.sum() as tf.Scalar; // gradient [1, 1]
 * const plain = optimizeWithNorm(tf.train.sgd(1), lossFn, [w]);
 * assertEquals([plain.loss.dataSync()[0], plain.gradNorm.dataSync()[0]], [7, Math.fround(Math.SQRT2)]);
 * assertEquals(Array.from(w.dataSync()), [2, 3]);
 * const reducer = { allReduceMean: (values: Float32Array) => values.map((v) => v / 2) };
 * const halved = optimizeWithNorm(tf.train.sgd(1), lossFn, [w], { reducer });
 * assertEquals(halved.loss.dataSync()[0], 2.5); // the loss is averaged too
 * assertEquals(Array.from(w.dataSync()), [1.5, 2.5]);
 * ```
 */
export function optimizeWithNorm(
  optimizer: tf.Optimizer,
  lossFn: () => tf.Scalar,
  target: tf.LayersModel | tf.Variable[],
  context: ReducerContext = {},
): OptimizeResult {
  const reducer = context.reducer;
  const variables = Array.isArray(target)
    ? target
    : target.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) {
    throw new Error("Cannot optimise: the model has no trainable weights (is it frozen?)");
  }
  let { value, grads } = tf.variableGrads(lossFn, variables);
  if (reducer) ({ value, grads } = averageOverRanks(reducer, value, grads, variables));
  const gradNorm = tf.tidy(() =>
    tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar
  );
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return { loss: value, gradNorm };
}

/** Replace `value` and `grads` by their means over the ranks (the inputs are disposed). */
function averageOverRanks(
  ranks: GradientReducer,
  value: tf.Scalar,
  grads: tf.NamedTensorMap,
  variables: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  // Flatten in the order of `variables`, which is the same on every rank (a variable the loss does
  // not reach has no gradient, on every rank alike).
  const present = variables.filter((v) => grads[v.name] !== undefined);
  const ordered = present.map((v) => grads[v.name]);
  const total = ordered.reduce((n, g) => n + g.size, 0);
  const flat = new Float32Array(total + 1);
  let offset = 0;
  for (const g of ordered) {
    flat.set(g.dataSync() as Float32Array, offset);
    offset += g.size;
  }
  flat[total] = value.dataSync()[0];
  const mean = ranks.allReduceMean(flat);
  const averaged: tf.NamedTensorMap = {};
  offset = 0;
  present.forEach((v, i) => {
    const size = ordered[i].size;
    averaged[v.name] = tf.tensor(mean.subarray(offset, offset + size), ordered[i].shape, "float32");
    offset += size;
  });
  tf.dispose([value, ...ordered]);
  return { value: tf.scalar(mean[total]), grads: averaged };
}
