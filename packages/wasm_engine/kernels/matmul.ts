/**
 * `BatchMatMul` and `_FusedMatMul` on wasm without the slow transposed path, through the engine's
 * fused-multiply-add kernel where it runs (`gemm_conv.ts`).
 *
 * The stock wasm kernel runs XNNPACK only when neither operand is transposed; with `transposeA` or
 * `transposeB` (every dense layer's gradient asks for one) it falls back to a scalar loop that ran
 * about 15x slower here. Transposing the operand first (a memory pass) and multiplying
 * untransposed is much faster. A product of single matrices (batch 1, what dense layers ask for)
 * runs as a 1x1 convolution on the engine's kernel, plus the bias of a `_FusedMatMul` without
 * activation.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { installWasmKernels, Scratch } from "./scratch.ts";
import { gemmConv } from "./gemm_conv.ts";

let stockBatchMatMul: tf.KernelConfig | undefined;
let stockFusedMatMul: tf.KernelConfig | undefined;

/** `a [1, M, K] x b [1, K, N] (+ bias [N])` as a 1x1 convolution; `null` when unsuited. */
function gemmMatMul(
  s: Scratch,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias?: tf.TensorInfo,
): tf.TensorInfo | null {
  if (a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1) {
    return null;
  }
  const [, m, k] = a.shape;
  const n = b.shape[2];
  const x = s.run("Reshape", { x: a }, { shape: [1, m, 1, k] });
  const filter = s.run("Reshape", { x: b }, { shape: [1, 1, k, n] });
  const zero: [number, number] = [0, 0];
  const y = gemmConv(s, x, filter, {
    pads: [zero, zero, zero, zero],
    strides: [1, 1],
    dilations: [1, 1],
  }, bias);
  return y === null ? null : s.run("Reshape", { x: y }, { shape: [1, m, n] });
}

/** Transpose the last two axes of `x` when `transposed`. */
function untransposed(s: Scratch, x: tf.TensorInfo, transposed: unknown): tf.TensorInfo {
  if (!transposed) return x;
  const perm = x.shape.map((_, i) => i);
  perm.splice(-2, 2, x.shape.length - 1, x.shape.length - 2);
  return s.run("Transpose", { x }, { perm });
}

function batchMatMul(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo | tf.TensorInfo[] {
  if (stockBatchMatMul === undefined) {
    throw new Error("Cannot run BatchMatMul on wasm: stock kernel missing");
  }
  const attrs = args.attrs ?? {};
  const s = new Scratch(args.backend);
  const inputs = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const a = untransposed(s, inputs.a, attrs.transposeA);
  const b = untransposed(s, inputs.b, attrs.transposeB);
  const product = gemmMatMul(s, a, b);
  if (product !== null) return s.release(product);
  const out = stockBatchMatMul.kernelFunc({
    inputs: { a, b },
    attrs: { ...attrs, transposeA: false, transposeB: false },
    backend: args.backend as tf.KernelBackend,
  }) as tf.TensorInfo;
  return s.release(out);
}

/**
 * `_FusedMatMul` (a dense layer's forward pass): the engine's kernel for a product of single
 * matrices plus a bias without activation, the stock kernel otherwise.
 */
function fusedMatMul(
  args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown },
): tf.TensorInfo | tf.TensorInfo[] {
  if (stockFusedMatMul === undefined) {
    throw new Error("Cannot run _FusedMatMul on wasm: stock kernel missing");
  }
  const attrs = args.attrs ?? {};
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const linear = attrs.activation == null || attrs.activation === "linear";
  if (linear && inputs.preluActivationWeights == null && (inputs.bias?.shape.length ?? 1) === 1) {
    const s = new Scratch(args.backend);
    const a = untransposed(s, inputs.a!, attrs.transposeA);
    const b = untransposed(s, inputs.b!, attrs.transposeB);
    const product = inputs.bias === undefined || inputs.bias.shape[0] === b.shape[2]
      ? gemmMatMul(s, a, b, inputs.bias ?? undefined)
      : null;
    if (product !== null) return s.release(product);
    s.dispose();
  }
  return stockFusedMatMul.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
}

/** The wasm `BatchMatMul` with transposed operands transposed up front. */
export const wasmBatchMatMulConfig: tf.KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "wasm",
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};

const fusedMatMulConfig: tf.KernelConfig = {
  kernelName: "_FusedMatMul",
  backendName: "wasm",
  kernelFunc: fusedMatMul as unknown as tf.KernelFunc,
};

/**
 * Install {@linkcode wasmBatchMatMulConfig} over the stock wasm `BatchMatMul`. Idempotent;
 * returns the kernel names (re)registered.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmMatMul } from "./matmul.ts";
 * await tf.setBackend("wasm");
 * registerWasmMatMul();
 * const product = tf.matMul(tf.ones([3, 2]), tf.ones([3, 4]), true, false);
 * assertEquals(product.arraySync(), [[3, 3, 3, 3], [3, 3, 3, 3]]);
 * ```
 */
export function registerWasmMatMul(): string[] {
  return installWasmKernels([
    { config: wasmBatchMatMulConfig, wraps: (stock) => stockBatchMatMul = stock },
    { config: fusedMatMulConfig, wraps: (stock) => stockFusedMatMul = stock },
  ]);
}
