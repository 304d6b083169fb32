/**
 * Read a tensor's values and dispose it, asynchronously: the one way to bring values back to
 * JavaScript that works on every backend. `dataSync()` and `arraySync()` stall a GPU until all its
 * queued work is done, and on the webgpu backend under Deno they throw for values that live on
 * the GPU. Notebooks and the library read with these.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * The values of `tensor` as nested arrays (`number[][]` for a matrix); the tensor is disposed.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { takeArray } from "./tensor_read.ts";
 * const before = tf.memory().numTensors;
 * const rows = await takeArray<number[][]>(tf.tidy(() => tf.ones([2, 2]).mul(3)));
 * assertEquals(rows, [[3, 3], [3, 3]]);
 * assertEquals(tf.memory().numTensors, before);
 * ```
 */
export async function takeArray<T = number[]>(tensor: tf.Tensor): Promise<T> {
  try {
    return await tensor.array() as T;
  } finally {
    tensor.dispose();
  }
}

/**
 * The values of `tensor` as a flat `number[]`; the tensor is disposed.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { takeValues } from "./tensor_read.ts";
 * assertEquals(await takeValues(tf.tensor2d([[1, 2], [3, 4]]).sum(1)), [3, 7]);
 * ```
 */
export async function takeValues(tensor: tf.Tensor): Promise<number[]> {
  try {
    return Array.from(await tensor.data() as Float32Array | Int32Array);
  } finally {
    tensor.dispose();
  }
}
