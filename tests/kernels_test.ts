import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { maxRelativeError, onBackend, seededValues } from "./kernels_helpers.ts";
import { initBackend } from "@course/backend.ts";
import { mirrorPadBackward } from "@course/kernels/mod.ts";

await initBackend({ backend: "wasm" });

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

/** A tiny LeakyReLU conv critic: [n, 6, 6, 1] -> [n, 1]. */
function critic(x: tf.Tensor, w: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const h = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), 0.2); // [n, 3, 3, 2]
  return tf.matMul(tf.reshape(h, [x.shape[0], 18]), v as tf.Tensor2D);
}

/** WGAN-GP penalty: mean over the batch of (||d critic / d x|| - 1)^2. */
function penalty(x: tf.Tensor, w: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const dx = tf.grad((xx: tf.Tensor) => critic(xx, w, v).sum())(x);
  return tf.sqrt(tf.square(dx).sum([1, 2, 3])).sub(1).square().mean();
}

Deno.test("gradient penalty's weight gradient on wasm matches central finite differences", () => {
  const x = tf.tensor(seededValues([3, 6, 6, 1], 41), [3, 6, 6, 1]);
  const w = tf.tensor(seededValues([3, 3, 1, 2], 42), [3, 3, 1, 2]);
  const v = tf.tensor(seededValues([18, 1], 43), [18, 1]);
  const analytic = tf.grad((ww: tf.Tensor) => penalty(x, ww, v))(w).dataSync();
  const h = 1e-2;
  const base = w.dataSync();
  for (const index of [0, 4, 9, 17]) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const shifted = base.slice();
        shifted[index] += delta;
        return penalty(x, tf.tensor(shifted, w.shape), v).dataSync()[0];
      });
    const numeric = (at(h) - at(-h)) / (2 * h);
    const error = Math.abs(numeric - analytic[index]);
    assert(
      error < 2e-2 * Math.max(1, Math.abs(numeric)),
      `weight ${index}: analytic ${analytic[index]}, finite difference ${numeric}`,
    );
  }
  tf.dispose([x, w, v]);
});

Deno.test("mirrorPadBackward() folds reflected borders back onto the input", async () => {
  for (const mode of ["reflect", "symmetric"] as const) {
    const shape = [2, 5, 6, 3];
    const paddings: Array<[number, number]> = [[0, 0], [2, 1], [3, 2], [0, 0]];
    const x = tf.tensor(seededValues(shape, 50), shape);
    const dy = tf.tensor(seededValues([2, 8, 11, 3], 51), [2, 8, 11, 3]);
    // The padding is linear, so <pad(x), dy> = <x, pad^T(dy)> for every x.
    const lhs = tf.mirrorPad(x, paddings, mode).mul(dy).sum().dataSync()[0];
    const rhs = x.mul(mirrorPadBackward(dy, paddings, mode)).sum().dataSync()[0];
    assert(Math.abs(lhs - rhs) < 1e-3, `${mode}: ${lhs} vs ${rhs}`);
    const viaTape = tf.grad((t: tf.Tensor) => tf.mirrorPad(t, paddings, mode).mul(dy).sum())(x);
    const direct = mirrorPadBackward(dy, paddings, mode);
    assertEquals(await viaTape.data(), await direct.data());
    tf.dispose([x, dy, viaTape, direct]);
  }
  const g = tf.grad((t: tf.Tensor) => tf.mirrorPad(t, [[1, 1]], "reflect").sum());
  assertEquals(Array.from(await g(tf.tensor1d([1, 2, 3])).data()), [1, 3, 1]);
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

Deno.test("batchNorm's registered gradient equals the gradient of its formula", () => {
  const x = tf.tensor(seededValues([4, 3, 3, 5], 110), [4, 3, 3, 5]);
  const params = [111, 112, 113, 114].map((seed) => tf.tensor(seededValues([5], seed), [5]));
  const [mean, , offset, scale] = params;
  const variance = params[1].square().add(0.5);
  const epsilon = 1e-3;
  const fused = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    tf.batchNorm(a, m, v, o, s, epsilon).square().sum();
  const formula = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    a.sub(m).mul(s).mul(tf.rsqrt(v.add(epsilon))).add(o).square().sum();
  const inputs = [x, mean, variance, offset, scale];
  const ours = tf.grads(fused)(inputs);
  const reference = tf.grads(formula)(inputs);
  for (let k = 0; k < inputs.length; k++) {
    const error = maxRelativeError(
      ours[k].dataSync() as Float32Array,
      reference[k].dataSync() as Float32Array,
    );
    assert(error < TOLERANCE, `input ${k}: error ${error}`);
  }
  tf.dispose([...inputs, ...params, ...ours, ...reference]);
});
