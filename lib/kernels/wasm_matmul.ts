/**
 * `BatchMatMul` on wasm without the slow transposed path.
 *
 * The stock wasm kernel runs XNNPACK only when neither operand is transposed; with `transposeA` or
 * `transposeB` (every dense layer's gradient asks for one) it falls back to a scalar loop that ran
 * about 15x slower here. Transposing the operand first (a memory pass) and multiplying
 * untransposed is much faster.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmKernels, Scratch } from "./wasm_scratch.ts";

let stockBatchMatMul: tf.KernelConfig | undefined;

function batchMatMul(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo | tf.TensorInfo[] {
  if (stockBatchMatMul === undefined) {
    throw new Error("Cannot run BatchMatMul on wasm: stock kernel missing");
  }
  const attrs = args.attrs ?? {};
  if (!attrs.transposeA && !attrs.transposeB) {
    return stockBatchMatMul.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
  }
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const s = new Scratch(args.backend);
  // [..., r, c] -> [..., c, r]
  const swap = (x: tf.TensorInfo) => {
    const perm = x.shape.map((_, i) => i);
    perm.splice(-2, 2, x.shape.length - 1, x.shape.length - 2);
    return s.run("Transpose", { x }, { perm });
  };
  const out = stockBatchMatMul.kernelFunc({
    inputs: { a: attrs.transposeA ? swap(a) : a, b: attrs.transposeB ? swap(b) : b },
    attrs: { ...attrs, transposeA: false, transposeB: false },
    backend: args.backend as tf.KernelBackend,
  }) as tf.TensorInfo;
  return s.release(out);
}

/** The wasm `BatchMatMul` with transposed operands transposed up front. */
export const wasmBatchMatMulConfig: tf.KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
  setupFunc: (backend: unknown) => stockBatchMatMul?.setupFunc?.(backend as tf.KernelBackend),
};

/**
 * Install {@linkcode wasmBatchMatMulConfig} over the stock wasm `BatchMatMul`. Idempotent;
 * returns the kernel names (re)registered.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmMatMul } from "@course/kernels/wasm_matmul.ts";
 * await tf.setBackend("wasm");
 * registerWasmMatMul();
 * tf.matMul(tf.ones([3, 2]), tf.ones([3, 4]), true, false).print(); // [2, 4] of 3s
 * ```
 */
export function registerWasmMatMul(): string[] {
  return installWasmKernels([{
    config: wasmBatchMatMulConfig,
    wraps: (stock) => stockBatchMatMul = stock,
  }]);
}
