// The webgpu backend against the cpu backend, on whatever adapter Deno's WebGPU offers; forced, so
// that on a machine without a GPU the same GPU code path runs on Mesa's software adapter. Each case
// runs the same function on both backends from the same inputs and compares every output.
//
// Bounds: float32 kernels that sum in another order differ by rounding only: outputs agree within
// 1e-4 of their largest magnitude. After one Adam step the weights move by at most the learning
// rate per step; a weight whose gradient is within rounding of zero may move the other way, so
// the test bounds how many weights differ and by how much. Every case also checks that the webgpu
// run leaks no tensor. Mesa's software adapter compiles each new shader on the CPU (seconds each,
// cached in ~/.cache/mesa_shader_cache): the cases use few distinct kernels to stay fast in CI.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { gradientPenalty } from "@course/lib/variants/objectives";
import { train } from "../lib/train/loop.ts";
import { createToyWganGp } from "../lib/variants/toy_gans.ts";

const info = await initBackend({ backend: "webgpu" });

/** Values of `f`'s outputs on one backend, checking that the run leaves no tensor behind. */
async function runOn(backend: string, f: () => tf.Tensor[] | Promise<tf.Tensor[]>) {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const outputs = await f();
  const values = await Promise.all(outputs.map(async (t) => Array.from(await t.data())));
  const shapes = outputs.map((t) => t.shape);
  tf.dispose(outputs);
  assertEquals(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return { values, shapes };
}

/** Run `f` on cpu and on webgpu; every output agrees within `bound` of its largest magnitude. */
async function expectSameOnBoth(
  f: () => tf.Tensor[] | Promise<tf.Tensor[]>,
  bound = 1e-4,
  absolute = false,
): Promise<number[]> {
  const cpu = await runOn("cpu", f);
  const gpu = await runOn("webgpu", f);
  assertEquals(gpu.shapes, cpu.shapes);
  return cpu.values.map((expected, i) => {
    const got = gpu.values[i];
    const scale = absolute ? 1 : Math.max(1e-6, ...expected.map(Math.abs));
    let worst = 0;
    for (let j = 0; j < expected.length; j++) {
      assert(Number.isFinite(got[j]), `output ${i}[${j}] is ${got[j]} on webgpu`);
      worst = Math.max(worst, Math.abs(got[j] - expected[j]) / scale);
    }
    assert(worst <= bound, `output ${i}: webgpu differs from cpu by ${worst} (bound ${bound})`);
    return worst;
  });
}

/** Seeded inputs, made on the active backend. */
const input = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, "float32", seed);

Deno.test("initBackend() forced to webgpu runs tfjs's WebGPU kernels and names the adapter", () => {
  assertEquals([info.choice, info.tfBackend], ["webgpu", "webgpu"]);
  assert(info.adapter && info.adapter.length > 0, "the adapter is described");
});

Deno.test("webgpu: conv2d forward and both gradients match the cpu backend", async () => {
  await expectSameOnBoth(() => {
    const x = input([2, 9, 9, 3], 1) as tf.Tensor4D;
    const w = input([5, 5, 3, 4], 2) as tf.Tensor4D;
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same").square().sum();
    const y = tf.conv2d(x, w, 2, "same");
    const [dx, dw] = tf.grads(loss)([x, w]);
    tf.dispose([x, w]);
    return [y, dx, dw];
  });
});

Deno.test("webgpu: conv2dTranspose forward and gradient match the cpu backend", async () => {
  await expectSameOnBoth(() => {
    const x = input([2, 7, 7, 8], 3) as tf.Tensor4D;
    const w = input([5, 5, 4, 8], 4) as tf.Tensor4D;
    const up = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 14, 14, 4], 2, "same");
    const y = up(x, w);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => up(a, b).square().sum())([x, w]);
    tf.dispose([x, w]);
    return [y, dx, dw];
  });
});

Deno.test("webgpu: the course's gradients (comparison ops, MirrorPad, batch norm) match cpu", async () => {
  await expectSameOnBoth(() => {
    const x = input([2, 6, 6, 3], 5) as tf.Tensor4D;
    const mirror = tf.grad((a: tf.Tensor) =>
      tf.mirrorPad(a as tf.Tensor4D, [[0, 0], [2, 2], [2, 2], [0, 0]], "reflect").square().sum()
    )(x);
    const select = tf.grad((a: tf.Tensor) => tf.where(tf.greater(a, 0), a, a.mul(0.2)).sum())(x);
    const scale = tf.tensor1d([0.5, 1, 2]);
    const offset = tf.tensor1d([0.1, 0, -0.1]);
    const norm = tf.grad((a: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, offset, scale, 1e-3).square().mul(a).sum();
    })(x);
    tf.dispose([x, scale, offset]);
    return [mirror, select, norm];
  });
});

Deno.test("webgpu: AddN of more inputs than a shader may bind (a wide model's gradient norm)", async () => {
  await expectSameOnBoth(() => {
    const parts = Array.from({ length: 40 }, (_, i) => input([3, 5], 20 + i));
    const sum = tf.addN(parts);
    tf.dispose(parts);
    return [sum];
  });
});

Deno.test("webgpu: the gradient penalty's second derivative (WGAN-GP) matches cpu", async () => {
  await expectSameOnBoth(() => {
    const kernel = tf.tidy(() => tf.variable(input([3, 3, 1, 4], 6).mul(0.3), true, "gp_kernel"));
    const dense = tf.tidy(() => tf.variable(input([4 * 4 * 4, 1], 7).mul(0.1), true, "gp_dense"));
    const critic = (x: tf.Tensor) => {
      const h = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 2, "same"), 0.2);
      return h.reshape([x.shape[0], -1]).matMul(dense);
    };
    const real = input([3, 8, 8, 1], 8);
    const fake = input([3, 8, 8, 1], 9);
    const alpha = tf.tensor1d([0.1, 0.5, 0.9]);
    const { value, grads } = tf.variableGrads(
      () => gradientPenalty(critic, real, fake, { alpha }),
      [kernel, dense],
    );
    const out = [value, grads[kernel.name], grads[dense.name]];
    tf.dispose([kernel, dense, real, fake, alpha]);
    return out;
  }, 2e-4);
});

Deno.test("webgpu: three train() steps of a toy WGAN-GP (Adam, double backprop) match cpu, no sync read", async () => {
  const learningRate = 1e-3;
  const losses: Record<string, number[]>[] = [];
  const run = async () => {
    const variant = createToyWganGp({ hidden: [16, 16], nCritic: 2, seed: 3, learningRate });
    const realImages = tf.randomNormal([24, 2], 0, 1, "float32", 11);
    const result = await train(variant, { realImages }, { batchSize: 8, guards: false });
    losses.push(result.history.values);
    const weights = variant.models.generator.getWeights().map((w) => w.clone());
    realImages.dispose();
    variant.dispose();
    return weights;
  };
  const cpu = await runOn("cpu", run);
  const gpu = await runOn("webgpu", run);
  for (const name of Object.keys(losses[0])) {
    assertEquals(losses[1][name].length, 3);
    // The first step starts from the same weights; later ones from weights that rare Adam sign
    // flips (below) moved apart a little.
    [1e-4, 2e-2, 2e-2].forEach((bound, step) => {
      const [a, b] = [losses[0][name][step], losses[1][name][step]];
      assert(Math.abs(a - b) <= bound * Math.max(1, Math.abs(a)), `${name} ${a} vs ${b}`);
    });
  }
  // Adam's first steps move each weight by about the learning rate times the sign of its
  // gradient: a gradient within rounding of zero may flip. Such flips stay rare and bounded.
  let total = 0, flipped = 0, worst = 0;
  cpu.values.forEach((expected, i) =>
    expected.forEach((value, j) => {
      const difference = Math.abs(gpu.values[i][j] - value);
      total += 1;
      if (difference > 1e-5) flipped += 1;
      worst = Math.max(worst, difference);
    })
  );
  assert(worst <= 6 * learningRate, `weights differ by ${worst}`);
  assert(flipped / total < 0.01, `${flipped} of ${total} weights differ by more than 1e-5`);
});

Deno.test("COURSE_BACKEND=webgpu deno task doctor describes the adapter and computes on webgpu", async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../scripts/doctor.ts", import.meta.url).pathname],
    env: { COURSE_BACKEND: "webgpu", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert(/WebGPU\s+\S/.test(text) && /adapter limits\s+buffer \d+ MiB/.test(text), text);
  assert(/Backend: webgpu .*forced by COURSE_BACKEND/.test(text), text);
  assert(/smoke test\s+ones\(2x3\) @ ones\(3x2\) = \[3, 3, 3, 3\] on webgpu/.test(text), text);
});
