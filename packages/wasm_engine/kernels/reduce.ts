/**
 * `Sum` and `Mean` over leading axes on the wasm backend without a transpose.
 *
 * The stock wasm kernels reduce only over the innermost axes, so a sum over `[0, 1, 2]` of an NHWC
 * tensor (every bias gradient, every batch-norm statistic and gradient) first transposes the whole
 * tensor. Summing the rows of the `[rows, cols]` view instead is one pass (`elementwise.ts`),
 * adding rows in order as the stock kernel does. Other reductions run the stock kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmKernels, Scratch } from "./scratch.ts";
import { elementwiseOn } from "./elementwise.ts";

const stock: { Sum?: tf.KernelConfig; Mean?: tf.KernelConfig } = {};

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

/**
 * How many leading axes of `shape` the reduction `axis` covers when it covers exactly axes
 * `0 .. k-1` and leaves at least one axis; `0` otherwise.
 */
function leadingAxes(axis: number | number[], shape: number[]): number {
  const axes = [...tf.util.parseAxisParam(axis, shape)].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

function reduce(kind: "Sum" | "Mean", args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const k = x.dtype === "float32" ? leadingAxes(axis, x.shape) : 0;
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const cols = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const ew = k > 0 && rows > 0 && cols > 0 && cols % 4 === 0 ? elementwiseOn(args.backend) : null;
  if (ew === null) {
    return stock[kind]!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const s = new Scratch(args.backend);
  const kept = x.shape.slice(k);
  const out = s.alloc(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept);
  ew.columnSum(s.view(x).byteOffset, s.view(out).byteOffset, rows, cols);
  if (kind === "Mean") {
    const values = s.view(out);
    for (let c = 0; c < cols; c++) values[c] /= rows;
  }
  return s.release(out);
}

function config(kind: "Sum" | "Mean"): tf.KernelConfig {
  return {
    kernelName: kind,
    backendName: "wasm",
    kernelFunc: ((args: KernelArgs) => reduce(kind, args)) as unknown as tf.KernelFunc,
  };
}

const configs = { Sum: config("Sum"), Mean: config("Mean") };

/**
 * Install `Sum` and `Mean` over leading axes on wasm. Idempotent; returns the names (re)registered.
 *
 * @example A bias gradient's sum over batch, height and width
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmReductions } from "./reduce.ts";
 * await tf.setBackend("wasm");
 * registerWasmReductions();
 * assertEquals(Array.from(tf.ones([2, 3, 3, 4]).sum([0, 1, 2]).dataSync()), [18, 18, 18, 18]);
 * ```
 */
export function registerWasmReductions(): string[] {
  return installWasmKernels([
    { config: configs.Sum, wraps: (config) => stock.Sum = config },
    { config: configs.Mean, wraps: (config) => stock.Mean = config },
  ]);
}
