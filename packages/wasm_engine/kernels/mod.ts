/**
 * The training kernels: WebAssembly programs generated at run time that replace or add to the
 * kernels of tfjs-backend-wasm 4.22 (convolution gradients, batched matrix products, LeakyReLU and
 * its fused gradient, leading-axis sums), and the switches a benchmark needs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmConvKernels } from "./conv.ts";
import { registerWasmLeakyRelu } from "./leaky_relu.ts";
import { registerWasmMatMul } from "./matmul.ts";
import { registerWasmReductions } from "./reduce.ts";
import { setWasmGemm } from "./gemm_conv.ts";

export { LEAKY_RELU_GRAD } from "./leaky_relu.ts";
export { elementwiseOn, type WasmElementwise, wasmElementwise } from "./elementwise.ts";
export { GEMM_COL_BLOCK, GEMM_ROW_BLOCK, type WasmGemm, wasmGemm } from "./gemm.ts";
export { setWasmGemm, wasmGemmActive } from "./gemm_conv.ts";

/** Options of {@linkcode registerTrainingKernels}. */
export interface TrainingKernelOptions {
  /**
   * Run convolutions and matrix products on the engine's blocked matrix kernel (`true`), or on the
   * backend's XNNPACK kernels, which run the forward pass faster at a few channels and whose
   * gradients the engine still provides (`false`). Default: leave the current setting (on at
   * start).
   */
  gemm?: boolean;
}

/**
 * Install the training kernels on the wasm backend (tfjs-backend-wasm must be imported; the
 * kernels are looked up at run time, so the backend need not be initialised yet). Safe to call
 * repeatedly; returns the names of the kernels it (re)registered, `[]` when all were in place.
 *
 * @example A convolution trains on wasm once the kernels are in
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerTrainingKernels } from "./mod.ts";
 * await tf.setBackend("wasm");
 * registerTrainingKernels();
 * assertEquals(registerTrainingKernels(), []); // already in place
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3], 0, 1, "float32", 1);
 * const w = tf.variable(tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4], 0, 1, "float32", 2));
 * const { grads } = tf.variableGrads(() => tf.conv2d(x, w, 2, "same").square().sum());
 * assertEquals(grads[w.name].shape, [3, 3, 3, 4]);
 * ```
 */
export function registerTrainingKernels(options: TrainingKernelOptions = {}): string[] {
  if (tf.getKernel("Conv2D", "wasm") === undefined) {
    throw new Error(
      `Cannot register the training kernels: the wasm backend is not loaded; import ` +
        `"@tensorflow/tfjs-backend-wasm" first`,
    );
  }
  if (options.gemm !== undefined) setWasmGemm(options.gemm);
  return [
    ...registerWasmConvKernels(),
    ...registerWasmMatMul(),
    ...registerWasmLeakyRelu(),
    ...registerWasmReductions(),
  ];
}
