/**
 * A replica module for the engine's tests and examples: a linear model trained with SGD on a mean
 * squared error, its gradients averaged through the step's reducer.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { Replica } from "../parallel/replica.ts";

/** What {@linkcode createReplica} takes: the seed of the initial weights. */
export interface LinearReplicaInit {
  seed: number;
  /** The backend to set up in a worker. Default `cpu`. */
  backend?: "cpu" | "wasm";
}

/**
 * A linear model `[batch, 2] -> [batch, 1]` that trains on batches `{ x, y }`.
 *
 * @example One rank alone: the reducer of one rank returns its input
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createReplica } from "./linear_replica.ts";
 * const replica = await createReplica({ seed: 1 }, 0);
 * const before = replica.models.linear.getWeights()[0].dataSync()[0];
 * const batch = { x: tf.ones([4, 2]), y: tf.zeros([4, 1]) };
 * const alone = { allReduceMean: (v: Float32Array | readonly Float32Array[]) => [v].flat()[0] };
 * replica.step(batch, { step: 0, epoch: 0, rank: 0, reducer: alone });
 * assert(replica.models.linear.getWeights()[0].dataSync()[0] !== before);
 * replica.dispose();
 * ```
 */
export async function createReplica(init: unknown, _rank: number): Promise<Replica> {
  const { seed, backend = "cpu" } = init as LinearReplicaInit;
  await tf.setBackend(backend);
  const linear = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [2],
        kernelInitializer: tf.initializers.randomNormal({ seed }),
      }),
    ],
  });
  const optimizer = tf.train.sgd(0.1);
  return {
    models: { linear },
    optimizers: { optimizer },
    step(batch, { reducer }) {
      tf.tidy(() => {
        const variables = linear.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(
          () => tf.losses.meanSquaredError(batch.y, linear.apply(batch.x) as tf.Tensor),
          variables,
        );
        const flat = new Float32Array(variables.reduce((n, v) => n + v.size, 0));
        let offset = 0;
        for (const v of variables) {
          flat.set(grads[v.name].dataSync(), offset);
          offset += v.size;
        }
        const mean = reducer.allReduceMean(flat);
        offset = 0;
        const averaged: tf.NamedTensorMap = {};
        for (const v of variables) {
          averaged[v.name] = tf.tensor(mean.slice(offset, offset + v.size), v.shape);
          offset += v.size;
        }
        optimizer.applyGradients(averaged);
      });
    },
    dispose() {
      linear.dispose();
      optimizer.dispose();
    },
  };
}
