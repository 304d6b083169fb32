import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { maxRelativeError, onBackend, seededValues } from "./helpers.ts";
import { registerTrainingKernels } from "../kernels/mod.ts";

await tf.setBackend("wasm");
registerTrainingKernels();

/** Both backends compute in float32; sums of up to 7*7*4 products stay within this of each other. */
const TOLERANCE = 1e-4;

type Pad = "same" | "valid" | number;
interface ConvCase {
  xShape: [number, number, number, number];
  kernel: number;
  stride: number;
  pad: Pad;
}

function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  // Batches below 8 take the filter gradient's patch path, 8 and more its convolution path.
  const shapes: Array<[number, number, number, number]> = [
    [1, 9, 9, 3],
    [2, 8, 11, 2],
    [1, 5, 7, 4],
    [8, 7, 6, 2],
  ];
  for (let kernel = 1; kernel <= 7; kernel++) {
    for (const stride of [1, 2]) {
      for (const xShape of shapes) {
        for (const pad of ["same", "valid"] as const) {
          if (pad === "valid" && kernel > Math.min(xShape[1], xShape[2])) continue;
          cases.push({ xShape, kernel, stride, pad });
        }
      }
    }
  }
  cases.push({ xShape: [1, 10, 9, 3], kernel: 4, stride: 2, pad: 1 });
  cases.push({ xShape: [2, 7, 8, 2], kernel: 3, stride: 2, pad: 0 });
  cases.push({ xShape: [9, 7, 8, 2], kernel: 3, stride: 2, pad: 0 });
  return cases;
}

Deno.test("Conv2DBackpropFilter and Conv2DBackpropInput on wasm match the cpu backend", async () => {
  let worst = 0;
  for (const [i, c] of convCases().entries()) {
    const filterShape = [c.kernel, c.kernel, c.xShape[3], 3];
    const conv = (x: tf.Tensor, w: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
    const yShape = tf.tidy(() => conv(tf.zeros(c.xShape), tf.zeros(filterShape)).shape);
    const values: Array<[Float32Array, number[]]> = [
      [seededValues(c.xShape, 3 * i), c.xShape],
      [seededValues(filterShape, 3 * i + 1), filterShape],
      [seededValues(yShape, 3 * i + 2), yShape],
    ];
    // d/dx and d/dw of sum(conv(x, w) * dy) are exactly the two backprop kernels.
    const grads = (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(dy).sum());
      return g([x, w]);
    };
    const ours = await onBackend("wasm", values, grads);
    const reference = await onBackend("cpu", values, grads);
    for (let k = 0; k < 2; k++) {
      const error = maxRelativeError(ours[k], reference[k]);
      worst = Math.max(worst, error);
      assert(error < TOLERANCE, `${JSON.stringify(c)} ${k ? "filter" : "input"}: error ${error}`);
    }
  }
  await tf.setBackend("wasm");
  console.log(`worst relative error ${worst.toExponential(2)} (bound ${TOLERANCE})`);
});

Deno.test("conv2dTranspose and its gradients on wasm match the cpu backend for every dimRoundingMode", async () => {
  // tfjs passes dimRoundingMode on to the kernels only from conv2dTranspose (and its gradient).
  const rounding = ["floor", "round", "ceil"] as const;
  for (const [i, mode] of rounding.entries()) {
    const outShape: [number, number, number, number] = [2, 10, 9, 3];
    const filterShape: [number, number, number, number] = [4, 4, 3, 5];
    const dyShape = tf.tidy(() =>
      tf.conv2d(
        tf.zeros(outShape) as tf.Tensor4D,
        tf.zeros(filterShape) as tf.Tensor4D,
        2,
        1,
        "NHWC",
        1,
        mode,
      ).shape
    );
    const values: Array<[Float32Array, number[]]> = [
      [seededValues(dyShape, 60 + i), dyShape],
      [seededValues(filterShape, 70 + i), filterShape],
      [seededValues(outShape, 80 + i), outShape],
    ];
    const run = (dy: tf.Tensor, w: tf.Tensor, ddx: tf.Tensor) => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, 2, 1, mode);
      return [
        f(dy, w),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).mul(ddx).sum())([dy, w]),
      ];
    };
    const ours = await onBackend("wasm", values, run);
    const reference = await onBackend("cpu", values, run);
    for (let k = 0; k < 3; k++) {
      const error = maxRelativeError(ours[k], reference[k]);
      assert(error < TOLERANCE, `${mode} output ${k}: error ${error}`);
    }
  }
  await tf.setBackend("wasm");
});

Deno.test("conv2dTranspose on wasm matches the cpu backend for odd output sizes", async () => {
  const cases: Array<[number[], number[], number, "same" | "valid"]> = [
    [[1, 7, 7, 4], [1, 13, 13, 2], 2, "same"],
    [[2, 7, 7, 4], [2, 14, 14, 2], 2, "same"],
    [[1, 4, 5, 3], [1, 11, 13, 2], 2, "valid"],
    [[1, 6, 6, 3], [1, 6, 6, 5], 1, "same"],
    [[1, 3, 3, 3], [1, 9, 9, 1], 3, "same"],
  ];
  for (const [i, [dyShape, outShape, stride, pad]] of cases.entries()) {
    const filterShape = [5, 5, outShape[3], dyShape[3]];
    const values: Array<[Float32Array, number[]]> = [
      [seededValues(dyShape, 10 + i), dyShape],
      [seededValues(filterShape, 20 + i), filterShape],
    ];
    const run = (dy: tf.Tensor, w: tf.Tensor) => [
      tf.conv2dTranspose(
        dy as tf.Tensor4D,
        w as tf.Tensor4D,
        outShape as [number, number, number, number],
        stride,
        pad,
      ),
    ];
    const error = maxRelativeError(
      (await onBackend("wasm", values, run))[0],
      (await onBackend("cpu", values, run))[0],
    );
    assert(error < TOLERANCE, `case ${i}: error ${error}`);
  }
  await tf.setBackend("wasm");
});

Deno.test("a DCGAN-like training step on wasm leaks no tensors", () => {
  const g = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 4 * 4 * 8, useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      tf.layers.reshape({ targetShape: [4, 4, 8] }),
      tf.layers.conv2dTranspose({ filters: 4, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.activation({ activation: "tanh" }),
    ],
  });
  const d = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 4, kernelSize: 5, strides: 2 }),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.leakyReLU({ alpha: 0.3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const gOpt = tf.train.adam(1e-4);
  const dOpt = tf.train.adam(1e-4);
  const realImages = tf.randomUniform([4, 16, 16, 1], -1, 1, "float32", 7);
  const bce = (logits: tf.Tensor, label: number) =>
    tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits);
  const step = () =>
    tf.tidy(() => {
      const z = tf.randomNormal([4, 8]);
      const dLoss = dOpt.minimize(
        () => {
          const fakeImages = g.apply(z, { training: true }) as tf.Tensor;
          const real = d.apply(realImages, { training: true }) as tf.Tensor;
          const fake = d.apply(fakeImages, { training: true }) as tf.Tensor;
          return bce(real, 1).add(bce(fake, 0)) as tf.Scalar;
        },
        true,
        d.trainableWeights.map((w) => w.read() as tf.Variable),
      )!;
      const gLoss = gOpt.minimize(
        () => {
          const fake = d.apply(g.apply(z, { training: true }) as tf.Tensor, { training: true });
          return bce(fake as tf.Tensor, 1) as tf.Scalar;
        },
        true,
        g.trainableWeights.map((w) => w.read() as tf.Variable),
      )!;
      return [dLoss.dataSync()[0], gLoss.dataSync()[0]];
    });
  step(); // creates the optimizers' slots
  const before = tf.memory().numTensors;
  const [dLoss, gLoss] = step();
  assertEquals(tf.memory().numTensors, before);
  assert(Number.isFinite(dLoss) && Number.isFinite(gLoss));
  realImages.dispose();
  gOpt.dispose();
  dOpt.dispose();
  g.dispose();
  d.dispose();
});

Deno.test("BatchMatMul on wasm matches the cpu backend for every transpose combination", async () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[5, 3], [3, 4], false, false],
    [[3, 5], [3, 4], true, false],
    [[5, 3], [4, 3], false, true],
    [[3, 5], [4, 3], true, true],
    [[2, 3, 5], [2, 4, 3], true, true],
    [[2, 5, 3], [1, 4, 3], false, true],
  ];
  for (const [i, [aShape, bShape, transposeA, transposeB]] of cases.entries()) {
    const values: Array<[Float32Array, number[]]> = [
      [seededValues(aShape, 90 + i), aShape],
      [seededValues(bShape, 100 + i), bShape],
    ];
    const run = (a: tf.Tensor, b: tf.Tensor) => [tf.matMul(a, b, transposeA, transposeB)];
    const error = maxRelativeError(
      (await onBackend("wasm", values, run))[0],
      (await onBackend("cpu", values, run))[0],
    );
    assert(error < TOLERANCE, `case ${i}: error ${error}`);
  }
  await tf.setBackend("wasm");
});
