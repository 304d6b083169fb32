/**
 * The part of an optimizer's state that `getWeights()` leaves out.
 *
 * tfjs's Adam (and Adamax) keep the running products beta1^t and beta2^t of the bias correction in
 * private variables. `getWeights()` saves only the step count, and `setWeights()` rebuilds the
 * products with `pow(beta, t + 1)`, which differs in the last float32 bits from the product the
 * optimizer built by repeated multiplication: a resumed run drifts away from an uninterrupted one
 * (by 1e-3 in the weights after 44 steps). Saving the products themselves and writing them back
 * after `setWeights()` makes a resume bit-exact.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The private scalar variables saved, by field name. */
const EXACT_FIELDS = ["accBeta1", "accBeta2"] as const;

/** Values of the private scalars of one optimizer, by field name (float32 values as numbers). */
export type OptimizerExtras = Record<string, number>;

type WithFields = Record<string, unknown>;

/**
 * Read the private bias-correction products of an optimizer (`{}` for one without them).
 *
 * @example Adam's beta products after two steps
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readOptimizerExtras } from "./optimizer_state.ts";
 * import { strictEqual } from "node:assert/strict";
 * const w = tf.variable(tf.zeros([2]));
 * const adam = tf.train.adam(0.1, 0.5, 0.9);
 * for (let i = 0; i < 2; i++) adam.minimize(() => w.sub(1).square().sum() as tf.Scalar);
 * const extras = await readOptimizerExtras(adam);
 * strictEqual(extras.accBeta1, 0.125); // 0.5^3: the product for the next step
 * strictEqual(Object.keys(await readOptimizerExtras(tf.train.sgd(0.1))).length, 0);
 * ```
 */
export async function readOptimizerExtras(optimizer: tf.Optimizer): Promise<OptimizerExtras> {
  const extras: OptimizerExtras = {};
  for (const field of EXACT_FIELDS) {
    const value = (optimizer as unknown as WithFields)[field];
    if (value instanceof tf.Variable && value.size === 1) {
      extras[field] = (await value.data())[0];
    }
  }
  return extras;
}

/**
 * Write saved bias-correction products back into an optimizer, after its `setWeights()`. Throws when
 * the optimizer lacks a field that was saved (another optimizer class).
 *
 * @example Restore after setWeights
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readOptimizerExtras, restoreOptimizerExtras } from "./optimizer_state.ts";
 * import { strictEqual } from "node:assert/strict";
 * const adam = tf.train.adam(0.1, 0.5, 0.9);
 * restoreOptimizerExtras(adam, { accBeta1: 0.25, accBeta2: 0.81 }, "adam");
 * strictEqual((await readOptimizerExtras(adam)).accBeta1, 0.25);
 * ```
 */
export function restoreOptimizerExtras(
  optimizer: tf.Optimizer,
  extras: OptimizerExtras,
  name: string,
): void {
  for (const [field, value] of Object.entries(extras)) {
    const target = (optimizer as unknown as WithFields)[field];
    if (!(target instanceof tf.Variable) || typeof value !== "number") {
      throw new Error(
        `Cannot restore optimizer "${name}": the checkpoint holds ${field} but a ` +
          `${optimizer.getClassName()} optimizer has no such state; resume with the same optimizer`,
      );
    }
    tf.tidy(() => target.assign(tf.scalar(value, "float32")));
  }
}
