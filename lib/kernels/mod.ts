/**
 * Kernels and gradients the course adds to TensorFlow.js.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerBatchNormGradient } from "./batch_norm_gradient.ts";
import { registerComparisonGradients } from "./comparison_gradients.ts";
import { registerMirrorPadGradient } from "./mirror_pad_gradient.ts";
import { registerWasmConvKernels } from "./wasm_conv.ts";
import { registerWasmMatMul } from "./wasm_matmul.ts";
import { registerWasmLeakyRelu } from "./wasm_leaky_relu.ts";
import { registerWasmReductions } from "./wasm_reduce.ts";

export { registerBatchNormGradient } from "./batch_norm_gradient.ts";
export { COMPARISON_KERNELS, registerComparisonGradients } from "./comparison_gradients.ts";
export { mirrorPadBackward, registerMirrorPadGradient } from "./mirror_pad_gradient.ts";
export {
  registerWasmConvKernels,
  WASM_CONV_KERNELS,
  wasmConv2dBackpropFilterConfig,
  wasmConv2dBackpropInputConfig,
} from "./wasm_conv.ts";
export { registerWasmMatMul, wasmBatchMatMulConfig } from "./wasm_matmul.ts";
export { LEAKY_RELU_GRAD, registerWasmLeakyRelu } from "./wasm_leaky_relu.ts";
export { registerWasmReductions } from "./wasm_reduce.ts";
export { elementwiseOn, type WasmElementwise, wasmElementwise } from "./wasm_elementwise.ts";
export { GEMM_COL_BLOCK, GEMM_ROW_BLOCK, type WasmGemm, wasmGemm } from "./wasm_gemm.ts";
export { type ConvGeometry, gemmConv, setWasmGemm, wasmGemmActive } from "./wasm_gemm_conv.ts";
export {
  installWasmKernels,
  type Pads,
  Scratch,
  type WasmBackendLike,
  type WasmOverride,
} from "./wasm_scratch.ts";

/**
 * Register everything the course needs on top of stock tfjs: gradients for every backend, and the
 * wasm training kernels when the wasm backend is loaded. `initBackend()` calls it; call it yourself
 * only after switching backends with `tf.setBackend`. Safe to call repeatedly.
 *
 * @example
 * ```ts
 * import { registerCourseKernels } from "@course/kernels/mod.ts";
 * registerCourseKernels();
 * ```
 */
export function registerCourseKernels(): void {
  registerComparisonGradients();
  registerMirrorPadGradient();
  registerBatchNormGradient();
  if (tf.getKernel("Conv2D", "wasm") !== undefined) {
    registerWasmConvKernels();
    registerWasmMatMul();
    registerWasmLeakyRelu();
    registerWasmReductions();
  }
}
