/**
 * Helpers for wasm kernels written in TypeScript on top of the backend's own kernels: a scratch
 * scope for intermediates, and installation of kernels over the stock ones.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of the wasm backend the engine's kernels use. */
export interface WasmBackendLike {
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.TypedArray,
  ): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** Explicit NHWC paddings: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type Pads = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Intermediate tensors of one kernel call, freed together at the end; runs the backend's own
 * kernels directly (no tape, no engine bookkeeping).
 *
 * @example Inside a wasm kernel function
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { Scratch } from "./scratch.ts";
 * await tf.setBackend("wasm");
 * const x = tf.ones([2, 3]);
 * const s = new Scratch(tf.backend());
 * const t = s.release(s.run("Transpose", { x }, { perm: [1, 0] }));
 * assertEquals(t.shape, [3, 2]);
 * tf.engine().makeTensorFromTensorInfo(t).dispose();
 * ```
 */
export class Scratch {
  readonly #backend: WasmBackendLike;
  readonly #owned: tf.TensorInfo[] = [];

  /** `backend` is the wasm backend a kernel function receives. */
  constructor(backend: unknown) {
    this.#backend = backend as WasmBackendLike;
  }

  /** Run a stock wasm kernel; its output is freed by `release` unless returned. */
  run(
    kernelName: string,
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap = {},
  ): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, "wasm");
    if (kernel === undefined) {
      throw new Error(`Cannot run engine wasm kernel: stock kernel ${kernelName} is missing`);
    }
    const out = kernel.kernelFunc({
      inputs,
      attrs,
      backend: this.#backend as unknown as tf.KernelBackend,
    }) as tf.TensorInfo;
    this.#owned.push(out);
    return out;
  }

  /** A new float32 tensor holding `values`. */
  tensor(shape: number[], values: Float32Array): tf.TensorInfo {
    const out = this.#backend.makeOutput(shape, "float32", undefined, values);
    this.#owned.push(out);
    return out;
  }

  /** A new float32 tensor with unset values (fill it through {@linkcode Scratch.view}). */
  alloc(shape: number[]): tf.TensorInfo {
    const out = this.#backend.makeOutput(shape, "float32");
    this.#owned.push(out);
    return out;
  }

  /** A view of a tensor's values on the wasm heap (valid until the next allocation). */
  view(info: tf.TensorInfo): Float32Array {
    return this.#backend.typedArrayFromHeap(info) as Float32Array;
  }

  /** Free every intermediate except `keep`. */
  release(keep: tf.TensorInfo): tf.TensorInfo {
    for (const info of this.#owned) {
      if (info !== keep) this.#backend.disposeData(info.dataId);
    }
    return keep;
  }

  /** Free every intermediate (when the kernel falls back to another one). */
  dispose(): void {
    for (const info of this.#owned) this.#backend.disposeData(info.dataId);
    this.#owned.length = 0;
  }

  /** Crop `x` [N, H, W, C] where a padding is negative; return it and the remaining pads. */
  cropNegative(x: tf.TensorInfo, pads: Pads): { x: tf.TensorInfo; pads: Pads } {
    const begin = [0, 0, 0, 0];
    const size = [...x.shape];
    const kept = pads.map((p) => [...p]) as Pads;
    for (const axis of [1, 2]) {
      const [before, after] = pads[axis];
      if (before < 0) {
        begin[axis] = -before;
        size[axis] += before;
        kept[axis][0] = 0;
      }
      if (after < 0) {
        size[axis] += after;
        kept[axis][1] = 0;
      }
    }
    if (begin.every((b, i) => b === 0 && size[i] === x.shape[i])) return { x, pads: kept };
    return { x: this.run("Slice", { x }, { begin, size }), pads: kept };
  }

  /** Stride-1 forward convolution through the backend's XNNPACK kernel, explicit padding. */
  conv(x: tf.TensorInfo, filter: tf.TensorInfo, pads: Pads, dilations: [number, number]) {
    const cropped = this.cropNegative(x, pads);
    return this.run("Conv2D", { x: cropped.x, filter }, {
      strides: [1, 1],
      pad: cropped.pads,
      dilations,
      dataFormat: "NHWC",
      dimRoundingMode: undefined as unknown as string,
    });
  }
}

/**
 * A kernel to install on wasm; `wraps` receives the stock kernel it replaces (and delegates to).
 * A wrapping kernel without a `setupFunc` gets the stock kernel's: the stock kernel binds its wasm
 * function there, and the wrapper calls it.
 */
export interface WasmOverride {
  config: tf.KernelConfig;
  wraps?: (stock: tf.KernelConfig) => void;
}

/**
 * Register `overrides` for the wasm backend, replacing the stock kernels of the same names
 * (`tf.registerKernel` refuses a name already registered, so the stock one is unregistered
 * first). Idempotent. A wrapping override is skipped while the wasm backend is not loaded.
 * Returns the names (re)registered.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { installWasmKernels } from "./scratch.ts";
 * const config = { kernelName: "CourseNoop", backendName: "wasm", kernelFunc: () => [] };
 * assertEquals(installWasmKernels([{ config }]), ["CourseNoop"]);
 * assertEquals(installWasmKernels([{ config }]), []);
 * tf.unregisterKernel("CourseNoop", "wasm");
 * ```
 */
export function installWasmKernels(overrides: readonly WasmOverride[]): string[] {
  const installed: string[] = [];
  for (const { config, wraps } of overrides) {
    const existing = tf.getKernel(config.kernelName, "wasm");
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (wraps) {
      if (existing === undefined) continue;
      wraps(existing);
    }
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, "wasm");
    const setupFunc = config.setupFunc ?? (wraps ? existing?.setupFunc : undefined);
    tf.registerKernel(setupFunc ? { ...config, setupFunc } : config);
    installed.push(config.kernelName);
  }
  return installed;
}
