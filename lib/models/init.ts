/**
 * Weight initialisation shared by every builder.
 *
 * DCGAN (Radford et al. 2016) initialises every convolution and dense kernel from N(0, 0.02) and the
 * batch-norm scales from N(1, 0.02); Keras' default is Glorot-uniform kernels and unit scales.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { tfSeed } from "../core/random.ts";

/** A tfjs weight initialiser (the type `tf.initializers.*()` returns). */
export type Initializer = ReturnType<typeof tf.initializers.ones>;

/** How kernels are initialised: `"dcgan"` = N(0, 0.02), `"glorot"` = Keras' Glorot-uniform. */
export type WeightInit = "dcgan" | "glorot";

/** The initialisers one builder hands to its layers. */
export interface Initializers {
  /** A fresh kernel initialiser for the next layer. */
  kernel(): Initializer;
  /** A fresh batch-norm gamma initialiser for the next layer. */
  gamma(): Initializer;
}

/**
 * Make the initialisers of one model. With a `seed`, each call returns an initialiser seeded with
 * `seed`, `seed + 1`, ... so the same options build the same weights, and two layers of the same shape
 * still start different.
 *
 * @param init `"dcgan"` for N(0, 0.02) kernels and N(1, 0.02) batch-norm scales, `"glorot"` for
 *   Glorot-uniform kernels and unit scales.
 * @param seed Optional integer seed; without it every run draws new weights.
 *
 * @example DCGAN initialisation
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { makeInitializers } from "./init.ts";
 * const inits = makeInitializers("dcgan", 1);
 * const layer = tf.layers.dense({ units: 4, kernelInitializer: inits.kernel() });
 * layer.apply(tf.input({ shape: [1000] }));
 * assertEquals(layer.getWeights()[0].shape, [1000, 4]);
 * ```
 */
export function makeInitializers(init: WeightInit = "glorot", seed?: number): Initializers {
  if (init !== "dcgan" && init !== "glorot") {
    throw new Error(`Cannot initialise weights: init must be "dcgan" or "glorot", got ${init}`);
  }
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new Error(`Cannot initialise weights: seed must be an integer, got ${seed}`);
  }
  let next = seed;
  const nextSeed = () => (next === undefined ? undefined : next++);
  return {
    kernel: () =>
      init === "dcgan"
        ? tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: tfSeed(nextSeed()) })
        : tf.initializers.glorotUniform({ seed: nextSeed() }),
    gamma: () =>
      init === "dcgan"
        ? tf.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: tfSeed(nextSeed()) })
        : tf.initializers.ones(),
  };
}
