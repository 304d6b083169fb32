/**
 * LeakyReLU and its gradient on the wasm backend in one SIMD pass each (`elementwise.ts`).
 *
 * tfjs's gradient of `LeakyRelu` is `where(x > 0, dy, alpha * dy)`: three kernels and two
 * intermediate tensors. On wasm it becomes one kernel, `CourseLeakyReluGrad(dy, x)`, whose own
 * gradient (needed by the WGAN-GP penalty, a second derivative) is the same kernel applied to the
 * incoming gradient, and zero for `x`. On every other backend, and where the SIMD loops are
 * missing, the gradient is tfjs's formula.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmKernels, Scratch } from "./scratch.ts";
import { elementwiseOn } from "./elementwise.ts";

/** The name of the fused gradient kernel. */
export const LEAKY_RELU_GRAD = "CourseLeakyReluGrad";

const MARK = Symbol.for("wasm-engine.leakyReluGradient");

let stockLeakyRelu: tf.KernelConfig | undefined;

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function leakyRelu(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const ew = x.dtype === "float32" ? elementwiseOn(args.backend) : null;
  if (ew === null) {
    return stockLeakyRelu!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  }
  const s = new Scratch(args.backend);
  const y = s.alloc(x.shape);
  const alpha = args.attrs!.alpha as number;
  ew.leakyRelu(s.view(x).byteOffset, s.view(y).byteOffset, size(x.shape), alpha);
  return s.release(y);
}

function leakyReluGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const ew = elementwiseOn(args.backend);
  if (ew === null) throw new Error(`${LEAKY_RELU_GRAD} needs the wasm backend's SIMD loops`);
  const s = new Scratch(args.backend);
  const dx = s.alloc(x.shape);
  const alpha = args.attrs!.alpha as number;
  const [xAt, dyAt, dxAt] = [x, dy, dx].map((t) => s.view(t).byteOffset);
  ew.leakyReluGrad(xAt, dyAt, dxAt, size(x.shape), alpha);
  return s.release(dx);
}

/** `x > 0 ? dy : alpha * dy`: the fused kernel where it runs, else tfjs's three kernels. */
function maskedGradient(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  const fused = tf.getBackend() === "wasm" && x.dtype === "float32" && dy.dtype === "float32" &&
    tf.getKernel(LEAKY_RELU_GRAD, "wasm") !== undefined && elementwiseOn(tf.backend()) !== null;
  if (fused) return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha }) as tf.Tensor;
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

/**
 * Install LeakyReLU and the fused gradient kernel on wasm, and the gradients that use it (on other
 * backends they compute tfjs's formula). Idempotent; returns the wasm kernel names (re)registered.
 *
 * @example A first and a second derivative through LeakyReLU on wasm
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmLeakyRelu } from "./leaky_relu.ts";
 * await tf.setBackend("wasm");
 * registerWasmLeakyRelu();
 * const f = (x: tf.Tensor) => tf.leakyRelu(x, 0.2).square().sum();
 * const values = (t: tf.Tensor) => Array.from(t.dataSync(), (v) => +v.toFixed(6));
 * assertEquals(values(tf.grad(f)(tf.tensor1d([1, -1]))), [2, -0.08]);
 * assertEquals(values(tf.grad((x: tf.Tensor) => tf.grad(f)(x).sum())(tf.tensor1d([1, -1]))), [2, 0.08]);
 * ```
 */
export function registerWasmLeakyRelu(): string[] {
  const existing = tf.getGradient("LeakyRelu") as (tf.GradConfig & { [MARK]?: true }) | undefined;
  if (!existing?.[MARK]) {
    tf.registerGradient({
      kernelName: "LeakyRelu",
      inputsToSave: ["x"],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => ({
        x: () => maskedGradient(dy as tf.Tensor, saved[0], attrs!.alpha as number),
      }),
      [MARK]: true,
    } as tf.GradConfig);
    tf.registerGradient({
      kernelName: LEAKY_RELU_GRAD,
      inputsToSave: ["x"],
      gradFunc: (ddx: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => ({
        dy: () => maskedGradient(ddx as tf.Tensor, saved[0], attrs!.alpha as number),
        x: () => tf.zerosLike(saved[0]),
      }),
    });
  }
  return installWasmKernels([
    {
      config: {
        kernelName: "LeakyRelu",
        backendName: "wasm",
        kernelFunc: leakyRelu as unknown as tf.KernelFunc,
      },
      wraps: (stock) => stockLeakyRelu = stock,
    },
    {
      config: {
        kernelName: LEAKY_RELU_GRAD,
        backendName: "wasm",
        kernelFunc: leakyReluGrad as unknown as tf.KernelFunc,
      },
    },
  ]);
}
