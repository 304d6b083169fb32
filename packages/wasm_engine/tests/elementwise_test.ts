import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { maxRelativeError, onBackend, seededValues } from "./helpers.ts";
import "@tensorflow/tfjs-backend-wasm";
import { elementwiseOn, LEAKY_RELU_GRAD, registerTrainingKernels } from "../kernels/mod.ts";

await tf.setBackend("wasm");
registerTrainingKernels();

/** float32 sums of up to a few thousand values, relative to the largest value. */
const TOLERANCE = 1e-5;

/** `fn` on wasm and on cpu with the same inputs: its outputs' values, and the wasm kernels run. */
async function wasmAndCpu(
  inputs: Array<[Float32Array, number[]]>,
  fn: (...ts: tf.Tensor[]) => tf.Tensor[],
): Promise<{ wasm: Float32Array[]; cpu: Float32Array[]; kernels: string[] }> {
  let wasm: Float32Array[] = [];
  const profile = await tf.profile(async () => {
    wasm = await onBackend("wasm", inputs, fn);
  });
  const cpu = await onBackend("cpu", inputs, fn);
  await tf.setBackend("wasm");
  return { wasm, cpu, kernels: profile.kernels.map((k) => k.name) };
}

Deno.test("the SIMD loops run on the wasm backend's own memory", () => {
  assert(elementwiseOn(tf.backend()) !== null, "tfjs-backend-wasm's memory was not found");
});

Deno.test("LeakyReLU, its gradient and its second derivative on wasm match the cpu backend", async () => {
  // Sizes with and without a tail of 1-3 values after the groups of 4; alphas below, at and above 1.
  const cases: Array<[number[], number]> = [
    [[2, 5, 5, 8], 0.2],
    [[3, 7], 0.3],
    [[1, 3, 3, 1], 0],
    [[4, 4, 5], 1.5],
    [[1], 0.2],
  ];
  for (const [i, [shape, alpha]] of cases.entries()) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x: [Float32Array, number[]] = [seededValues([n], 10 + i), shape];
    x[0][0] = 0; // the boundary: the gradient there is alpha, as in tfjs (x > 0 is false)
    const weights: [Float32Array, number[]] = [seededValues([n], 20 + i), shape];
    // y = sum(w * leaky(x)); dy/dx; and the gradient of sum(w * dy/dx) with respect to w
    const f = (a: tf.Tensor, w: tf.Tensor) => tf.leakyRelu(a, alpha).mul(w).sum();
    const { wasm, cpu, kernels } = await wasmAndCpu([x, weights], (a, w) => {
      const dx = tf.grad((b: tf.Tensor) => f(b, w))(a);
      const dw = tf.grad((v: tf.Tensor) => tf.grad((b: tf.Tensor) => f(b, v))(a).mul(w).sum())(w);
      return [tf.leakyRelu(a, alpha), dx, dw];
    });
    assert(kernels.includes(LEAKY_RELU_GRAD), `case ${i}: the fused gradient did not run`);
    assert(!kernels.includes("Select"), `case ${i}: tfjs's three-kernel gradient ran`);
    for (const [k, name] of ["output", "gradient", "second derivative"].entries()) {
      const error = maxRelativeError(wasm[k], cpu[k]);
      assert(error < TOLERANCE, `case ${i} ${JSON.stringify(shape)} ${name}: error ${error}`);
    }
  }
});

Deno.test("Sum and Mean over leading axes on wasm match the cpu backend, and others still work", async () => {
  // [shape, axis, keepDims, whether the SIMD column sum runs]
  const cases: Array<[number[], number | number[], boolean, boolean]> = [
    [[64, 7, 7, 16], [0, 1, 2], false, true], // a bias gradient
    [[5, 3, 8], [0, 1], true, true],
    [[9, 12], 0, false, true],
    [[4, 3, 8], [1, 0], false, true],
    [[3, 5, 6], 0, true, false], // 30 columns: not a multiple of 4
    [[4, 6, 8], [1, 2], false, false], // trailing axes
    [[4, 6, 8], [0, 2], false, false], // not contiguous
    [[4, 8], [0, 1], false, false], // every axis
  ];
  const ew = elementwiseOn(tf.backend())!;
  const columnSum = ew.columnSum;
  let calls = 0;
  ew.columnSum = (...args) => {
    calls++;
    return columnSum(...args);
  };
  for (const [i, [shape, axis, keepDims, simd]] of cases.entries()) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x: [Float32Array, number[]] = [seededValues([n], 40 + i), shape];
    calls = 0;
    const { wasm, cpu } = await wasmAndCpu([x], (a) => {
      const sum = tf.sum(a, axis, keepDims);
      const mean = tf.mean(a, axis, keepDims);
      return [sum, mean, tf.tensor1d(sum.shape), tf.tensor1d(mean.shape)];
    });
    assertEquals(calls > 0, simd, `case ${i}: the column sum ran ${calls} times`);
    assertEquals(Array.from(wasm[2]), Array.from(cpu[2]), `case ${i}: sum's shape`);
    assertEquals(Array.from(wasm[3]), Array.from(cpu[3]), `case ${i}: mean's shape`);
    for (const [k, name] of ["sum", "mean"].entries()) {
      const error = maxRelativeError(wasm[k], cpu[k]);
      assert(error < TOLERANCE, `case ${i} ${JSON.stringify(shape)} ${name}: error ${error}`);
    }
  }
  ew.columnSum = columnSum;
  // int32 goes to the stock kernel
  const ints = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]], undefined, "int32");
  assertEquals(Array.from(ints.sum(0).dataSync()), [6, 8, 10, 12]);
  ints.dispose();
});

Deno.test("LeakyReLU's fused gradient leaks no tensors in a training step", () => {
  const w = tf.variable(tf.randomNormal([6, 8], 0, 1, "float32", 1));
  const x = tf.randomNormal([5, 6], 0, 1, "float32", 2);
  const opt = tf.train.sgd(0.1);
  const step = () =>
    opt.minimize(() => tf.leakyRelu(tf.matMul(x, w), 0.2).sum(0).square().mean() as tf.Scalar);
  step();
  const before = tf.memory().numTensors;
  step();
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([w, x]);
});
