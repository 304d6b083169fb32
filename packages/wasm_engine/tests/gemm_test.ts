import * as tf from "@tensorflow/tfjs";
import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { maxRelativeError, onBackend } from "./helpers.ts";
import "@tensorflow/tfjs-backend-wasm";
import { registerTrainingKernels, setWasmGemm, wasmGemm } from "../kernels/mod.ts";

await tf.setBackend("wasm");
registerTrainingKernels();

/** float32 sums of up to 5*5*16 products, relative to the largest value. */
const TOLERANCE = 1e-4;

/** Count the engine kernel's calls while `fn` runs. */
function countingGemm<T>(fn: () => T): { result: T; calls: number } {
  const k = wasmGemm();
  assert(k !== null, "the engine's wasm kernel should compile under Deno (WebAssembly SIMD)");
  const original = k.gemm;
  let calls = 0;
  k.gemm = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    return { result: fn(), calls };
  } finally {
    k.gemm = original;
  }
}

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

/** Run `fn` on the cpu backend with copies of `inputs`; return its outputs' values. */
async function onCpu(
  inputs: tf.Tensor[],
  fn: (...ts: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array[]> {
  const values = inputs.map((t) =>
    [t.dataSync() as Float32Array, t.shape] as [Float32Array, number[]]
  );
  const data = await onBackend("cpu", values, fn);
  await tf.setBackend("wasm");
  return data;
}

/** A convolution's output and both gradients of `sum(conv(x, w) * dy)`. */
function convAndGradients(
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
): (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => tf.Tensor[] {
  return (x, w, dy) => {
    const y = conv(x as tf.Tensor4D, w as tf.Tensor4D);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      conv(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy).sum()
    );
    return [y, ...g([x, w])];
  };
}

/**
 * Run `run` on wasm (asserting that the engine's kernel ran) and on cpu with the same inputs; assert
 * that its three outputs (output, input gradient, filter gradient) agree. Returns the worst error.
 */
async function expectKernelMatchesCpu(
  label: string,
  inputs: tf.Tensor[],
  run: (...ts: tf.Tensor[]) => tf.Tensor[],
): Promise<number> {
  const { result, calls } = countingGemm(() => run(...inputs));
  assert(calls > 0, `${label}: the engine's kernel did not run`);
  const reference = await onCpu(inputs, run);
  let worst = 0;
  for (const [k, name] of ["output", "input gradient", "filter gradient"].entries()) {
    const error = maxRelativeError(result[k].dataSync() as Float32Array, reference[k]);
    worst = Math.max(worst, error);
    assert(error < TOLERANCE, `${label} ${name}: error ${error}`);
  }
  tf.dispose(result);
  return worst;
}

interface Case {
  x: [number, number, number, number];
  kernel: number;
  outC: number;
  stride: number;
  pad: "same" | "valid";
}

// Channels of at least 8 (the kernel's threshold); output channels and positions that are not
// multiples of its 8-column and 4-row blocks; batch 1 and 9 (the filter gradient's two paths).
const CASES: Case[] = [
  { x: [2, 7, 7, 16], kernel: 5, outC: 8, stride: 1, pad: "same" },
  { x: [2, 7, 7, 16], kernel: 5, outC: 12, stride: 2, pad: "same" },
  { x: [1, 9, 8, 8], kernel: 3, outC: 20, stride: 2, pad: "valid" },
  { x: [9, 6, 5, 10], kernel: 3, outC: 9, stride: 1, pad: "valid" },
  { x: [9, 7, 7, 8], kernel: 4, outC: 16, stride: 2, pad: "same" },
  { x: [3, 5, 5, 12], kernel: 1, outC: 8, stride: 1, pad: "same" },
];

Deno.test("the kernel skips a tap where all six rows of a block read address 0, and only there", () => {
  const k = wasmGemm()!;
  const [rows, cols, taps, depth] = [12, 8, 2, 3];
  k.reserve(4096);
  const f32 = new Float32Array(k.memory.buffer);
  const i32 = new Int32Array(k.memory.buffer);
  f32.fill(0, 0, 1024);
  // Address 0 should hold the row of zeros; 7s here show whether the kernel read it.
  f32.set([7, 7, 7], 0);
  const rowAt = (m: number, t: number) => 64 + 16 * (t * rows + m); // row values: m + 1, t + 1, 1
  for (let t = 0; t < taps; t++) {
    for (let m = 0; m < rows; m++) f32.set([m + 1, t + 1, 1], rowAt(m, t) / 4);
  }
  // Tap 0: block 0 (rows 0-5) all at address 0, so skipped; block 1 only rows 6-10 (row 11 not).
  const address = (m: number, t: number) => t === 0 && m < 11 ? 0 : rowAt(m, t);
  const indAt = 1024;
  for (let t = 0; t < taps; t++) {
    for (let m = 0; m < rows; m++) i32[indAt / 4 + t * rows + m] = address(m, t);
  }
  // B packed [1 panel][taps][depth][8]: B_t[d][c] = 10 * t + d + c / 8.
  const bAt = 2048;
  const b = (t: number, d: number, c: number) => 10 * t + d + c / 8;
  for (let t = 0; t < taps; t++) {
    for (let d = 0; d < depth; d++) {
      for (let c = 0; c < cols; c++) f32[bAt / 4 + (t * depth + d) * 8 + c] = b(t, d, c);
    }
  }
  const cAt = 3072;
  const outAt = 3584; // row m of C at cAt + 32 m
  for (let m = 0; m < rows; m++) i32[outAt / 4 + m] = cAt + 4 * cols * m;
  k.gemm(indAt, bAt, outAt, rows, cols, taps, depth);
  for (let m = 0; m < rows; m++) {
    for (let c = 0; c < cols; c++) {
      let expected = 0;
      for (let t = 0; t < taps; t++) {
        if (t === 0 && m < 6) continue; // skipped: the 7s at address 0 must not show
        const a = Array.from(f32.subarray(address(m, t) / 4, address(m, t) / 4 + depth));
        for (let d = 0; d < depth; d++) expected += a[d] * b(t, d, c);
      }
      const got = f32[cAt / 4 + m * cols + c];
      assert(Math.abs(got - expected) < 1e-3, `row ${m} column ${c}: ${got} vs ${expected}`);
    }
  }
});

Deno.test("convolutions and both gradients on the engine's wasm kernel match the cpu backend", async () => {
  let worst = 0;
  for (const [i, c] of CASES.entries()) {
    const w = seeded([c.kernel, c.kernel, c.x[3], c.outC], 2 * i + 1);
    const x = seeded(c.x, 2 * i);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.stride, c.pad);
    const dy = tf.tidy(() => seeded(conv(x as tf.Tensor4D, w as tf.Tensor4D).shape, 50 + i));
    const error = await expectKernelMatchesCpu(
      `case ${i} ${JSON.stringify(c)}`,
      [x, w, dy],
      convAndGradients(conv),
    );
    worst = Math.max(worst, error);
    tf.dispose([x, w, dy]);
  }
  console.log(`worst relative error ${worst.toExponential(2)} (bound ${TOLERANCE})`);
});

Deno.test("transposed convolutions to few channels (the column path) match the cpu backend", async () => {
  // [input of conv2dTranspose, its output shape, kernel, stride, pad]: 1 and 3 image channels from
  // at least 8 (the generator's last layer), odd sizes, every rounding of the output size.
  const cases: Array<[number[], number[], number, number, "same" | "valid" | number]> = [
    [[3, 14, 14, 16], [3, 28, 28, 1], 5, 2, "same"],
    [[2, 7, 7, 8], [2, 13, 13, 3], 4, 2, "same"],
    [[1, 5, 6, 12], [1, 13, 15, 1], 5, 2, "valid"],
    [[2, 6, 6, 9], [2, 6, 6, 2], 3, 1, "same"],
    [[1, 5, 5, 8], [1, 9, 9, 3], 3, 2, 1],
    [[1, 4, 5, 10], [1, 9, 11, 1], 3, 2, 0],
  ];
  let worst = 0;
  for (const [i, [xShape, outShape, kernel, stride, pad]] of cases.entries()) {
    const w = seeded([kernel, kernel, outShape[3], xShape[3]], 90 + i);
    const x = seeded(xShape, 100 + i);
    const ddx = seeded(outShape, 110 + i);
    const convT = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      tf.conv2dTranspose(a, b, outShape as [number, number, number, number], stride, pad);
    const error = await expectKernelMatchesCpu(`case ${i}`, [x, w, ddx], convAndGradients(convT));
    worst = Math.max(worst, error);
    tf.dispose([x, w, ddx]);
  }
  console.log(`worst relative error ${worst.toExponential(2)} (bound ${TOLERANCE})`);
});

Deno.test("conv2d and dense layers with bias run on the engine's kernel and match the cpu backend", async () => {
  const model = (seed: number) =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [6, 6, 8],
          filters: 12,
          kernelSize: 3,
          strides: 2,
          padding: "same",
          biasInitializer: tf.initializers.randomNormal({ seed }),
          kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 10,
          biasInitializer: tf.initializers.randomNormal({ seed: seed + 2 }),
          kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 3 }),
        }),
      ],
    });
  const x = seeded([5, 6, 6, 8], 7);
  const ours = model(1);
  const { result, calls } = countingGemm(() => ours.predict(x) as tf.Tensor);
  assert(calls >= 2, `expected the conv and the dense layer on the engine's kernel, got ${calls}`);
  const weights = ours.getWeights().map((t) => [t.dataSync(), t.shape] as const);
  const [reference] = await onCpu([x], (input) => {
    const m = model(1);
    m.setWeights(weights.map(([v, s]) => tf.tensor(v, s)));
    const y = m.predict(input) as tf.Tensor;
    m.dispose();
    return [y];
  });
  const error = maxRelativeError(result.dataSync() as Float32Array, reference);
  assert(error < TOLERANCE, `error ${error}`);
  tf.dispose([x, result]);
  ours.dispose();
});

Deno.test("setWasmGemm(false) sends convolutions back to XNNPACK with the same results", () => {
  const x = seeded([2, 7, 7, 16], 30);
  const w = seeded([3, 3, 16, 8], 31);
  const run = () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same");
  const on = countingGemm(run);
  assert(setWasmGemm(false) === false);
  let off: { result: tf.Tensor4D; calls: number };
  try {
    off = countingGemm(run);
  } finally {
    assert(setWasmGemm(true) === true);
  }
  assertEquals(off.calls, 0);
  assert(on.calls > 0);
  const error = maxRelativeError(
    on.result.dataSync() as Float32Array,
    off.result.dataSync() as Float32Array,
  );
  assert(error < TOLERANCE, `error ${error}`);
  tf.dispose([x, w, on.result, off.result]);
});

Deno.test("a training step through the engine's kernel leaks no tensors", () => {
  const x = seeded([4, 8, 8, 8], 40);
  const w = tf.variable(seeded([3, 3, 8, 16], 41));
  const dense = tf.variable(seeded([4 * 4 * 16, 8], 42));
  const optimizer = tf.train.adam(1e-3);
  const step = () =>
    optimizer.minimize(() =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same").reshape([4, -1]).matMul(dense)
        .square().mean() as tf.Scalar
    );
  step(); // creates Adam's slots
  const before = tf.memory().numTensors;
  const { calls } = countingGemm(step);
  assert(calls > 0);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x, w, dense]);
  optimizer.dispose();
});

Deno.test("a convolution too large for the kernel's memory gets an error that says what to do", () => {
  const k = wasmGemm()!;
  assertThrows(() => k.reserve(5 * 2 ** 30), /needs 5120 MiB .* setWasmGemm\(false\)/);
});

Deno.test("a convolution's address tables, kept per geometry, give the same bits on every call", () => {
  const w = seeded([3, 3, 8, 8], 21) as tf.Tensor4D;
  const x = seeded([2, 5, 5, 8], 22) as tf.Tensor4D;
  const conv = (stride: 1 | 2) => tf.tidy(() => tf.conv2d(x, w, stride, "same").dataSync());
  const { result: first, calls } = countingGemm(() => conv(1));
  assertEquals(calls, 1);
  const strided = conv(2); // the same shapes but another stride: other tables
  const again = conv(1);
  assertEquals(Array.from(again), Array.from(first));
  setWasmGemm(false);
  const [reference, referenceStrided] = [conv(1), conv(2)];
  setWasmGemm(true);
  assert(maxRelativeError(first as Float32Array, reference as Float32Array) < TOLERANCE);
  assert(maxRelativeError(strided as Float32Array, referenceStrided as Float32Array) < TOLERANCE);
  tf.dispose([w, x]);
});
