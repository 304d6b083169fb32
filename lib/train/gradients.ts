/**
 * One optimizer update that also reports the global gradient norm, for the guards (the homework
 * report's rule of thumb: gradient norms above about 100 mean training is going wrong).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** What {@linkcode optimizeWithNorm} returns (scalars; dispose them or run inside `tf.tidy`). */
export interface OptimizeResult {
  /** The loss before the update. */
  loss: tf.Scalar;
  /** The global L2 norm of the gradients over all variables. */
  gradNorm: tf.Scalar;
}

/**
 * Compute `lossFn`'s gradients for the trainable weights of `model` (or the given variables), apply
 * them with `optimizer`, and return the loss and the gradient norm.
 *
 * @example One Adam step on a tiny model
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { optimizeWithNorm } from "@course/train/gradients.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const x = tf.ones([4, 2]);
 * const { loss, gradNorm } = optimizeWithNorm(
 *   tf.train.adam(0.01),
 *   () => (model.apply(x) as tf.Tensor).square().mean() as tf.Scalar,
 *   model,
 * );
 * console.log(loss.dataSync()[0] >= 0, gradNorm.dataSync()[0] >= 0); // true true
 * ```
 */
export function optimizeWithNorm(
  optimizer: tf.Optimizer,
  lossFn: () => tf.Scalar,
  target: tf.LayersModel | tf.Variable[],
): OptimizeResult {
  const variables = Array.isArray(target)
    ? target
    : target.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) {
    throw new Error("Cannot optimise: the model has no trainable weights (is it frozen?)");
  }
  const { value, grads } = tf.variableGrads(lossFn, variables);
  const gradNorm = tf.tidy(() =>
    tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))) as tf.Scalar
  );
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return { loss: value, gradNorm };
}
