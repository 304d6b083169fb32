/**
 * The wasm training engine: what makes TensorFlow.js 4.22's wasm backend train convolutional GANs
 * fast on a CPU.
 *
 * - {@linkcode registerTrainingKernels}: WebAssembly kernels, generated at run time, that add the
 *   gradients tfjs-backend-wasm lacks (`Conv2DBackpropFilter`, `Conv2DBackpropInput`) and replace
 *   its slow ones (convolutions and matrix products on a blocked SIMD kernel, LeakyReLU with a fused
 *   gradient, leading-axis `Sum`/`Mean`).
 * - {@linkcode startDataParallel}: the main thread and Deno workers each train on a share of every
 *   batch and average their gradients over shared memory.
 *
 * See the package's README for how both work.
 *
 * @example Install the kernels, then train a convolution on wasm
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerTrainingKernels } from "@gan/wasm-engine";
 * await tf.setBackend("wasm");
 * registerTrainingKernels();
 * const x = tf.ones<tf.Rank.R4>([1, 4, 4, 8]);
 * const w = tf.variable(tf.ones<tf.Rank.R4>([3, 3, 8, 8]));
 * const { grads } = tf.variableGrads(() => tf.conv2d(x, w, 1, "valid").sum());
 * assertEquals(grads[w.name].dataSync()[0], 4); // four output positions see each tap
 * ```
 *
 * @module
 */
export * from "./kernels/mod.ts";
export * from "./parallel/mod.ts";
