/**
 * A CycleGAN-like training step for profiling the kernels that the course's image-to-image models
 * use on wasm: reflection padding (`tf.mirrorPad`), instance normalisation (moments over H and W),
 * strided and transposed convolutions, ReLU/LeakyReLU, batch 1 on 64x64x3, least-squares GAN loss
 * plus an L1 cycle-style reconstruction term. Written with plain tf ops and variables (no layers)
 * so that it depends on nothing but tfjs.
 *
 * Run `deno run -A bench/cyclegan_like.ts` to print the step time and the kernels that take it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { printKernelProfile } from "./kernel_profile.ts";

type Params = Map<string, tf.Variable>;

function param(params: Params, name: string, shape: number[]): tf.Variable {
  let v = params.get(name);
  if (v === undefined) {
    v = tf.variable(tf.randomNormal(shape, 0, 0.02, "float32", params.size + 1), true, name);
    params.set(name, v);
  }
  return v;
}

/** Instance normalisation: per image and channel, over H and W. [n, h, w, c] -> same. */
function instanceNorm(params: Params, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const c = x.shape[3];
  const { mean, variance } = tf.moments(x, [1, 2], true);
  const gamma = param(params, `${name}/gamma`, [c]).add(1);
  const beta = param(params, `${name}/beta`, [c]);
  return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(gamma).add(beta) as tf.Tensor4D;
}

function conv(
  params: Params,
  name: string,
  x: tf.Tensor4D,
  filters: number,
  kernel: number,
  stride: number,
  pad: "same" | "valid",
): tf.Tensor4D {
  const w = param(params, `${name}/kernel`, [kernel, kernel, x.shape[3], filters]);
  return tf.conv2d(x, w as tf.Tensor4D, stride, pad);
}

function reflect(x: tf.Tensor4D, p: number): tf.Tensor4D {
  return tf.mirrorPad(x, [[0, 0], [p, p], [p, p], [0, 0]], "reflect");
}

/** [1, 64, 64, 3] -> [1, 64, 64, 3]: c7s1-32, d64, d128, 2 residual blocks, u64, u32, c7s1-3. */
function generator(params: Params, x: tf.Tensor4D): tf.Tensor4D {
  let h = tf.relu(
    instanceNorm(params, "g0n", conv(params, "g0", reflect(x, 3), 32, 7, 1, "valid")),
  );
  h = tf.relu(instanceNorm(params, "g1n", conv(params, "g1", h, 64, 3, 2, "same")));
  h = tf.relu(instanceNorm(params, "g2n", conv(params, "g2", h, 128, 3, 2, "same")));
  for (const r of ["r0", "r1"]) {
    let y = tf.relu(
      instanceNorm(params, `${r}an`, conv(params, `${r}a`, reflect(h, 1), 128, 3, 1, "valid")),
    );
    y = instanceNorm(params, `${r}bn`, conv(params, `${r}b`, reflect(y, 1), 128, 3, 1, "valid"));
    h = h.add(y);
  }
  for (const [name, filters] of [["u0", 64], ["u1", 32]] as const) {
    const w = param(params, `${name}/kernel`, [3, 3, filters, h.shape[3]]);
    const [n, hh, ww] = h.shape;
    h = tf.conv2dTranspose(h, w as tf.Tensor4D, [n, hh * 2, ww * 2, filters], 2, "same");
    h = tf.relu(instanceNorm(params, `${name}n`, h));
  }
  return tf.tanh(conv(params, "out", reflect(h, 3), 3, 7, 1, "valid"));
}

/** PatchGAN: [1, 64, 64, 3] -> [1, 8, 8, 1] scores. */
function discriminator(params: Params, x: tf.Tensor4D): tf.Tensor4D {
  let h = tf.leakyRelu(conv(params, "d0", x, 64, 4, 2, "same"), 0.2);
  h = tf.leakyRelu(instanceNorm(params, "d1n", conv(params, "d1", h, 128, 4, 2, "same")), 0.2);
  h = tf.leakyRelu(instanceNorm(params, "d2n", conv(params, "d2", h, 256, 4, 2, "same")), 0.2);
  return conv(params, "d3", h, 1, 4, 1, "same");
}

/** One generator update and one discriminator update; returns [gLoss, dLoss]. */
function step(
  g: Params,
  d: Params,
  gOpt: tf.Optimizer,
  dOpt: tf.Optimizer,
  realImages: tf.Tensor4D,
): [number, number] {
  return tf.tidy(() => {
    const gLoss = gOpt.minimize(
      () => {
        const fakeImages = generator(g, realImages);
        const adversarial = discriminator(d, fakeImages).sub(1).square().mean();
        return adversarial.add(fakeImages.sub(realImages).abs().mean().mul(10)) as tf.Scalar;
      },
      true,
      [...g.values()],
    )!;
    const fakeImages = generator(g, realImages);
    const dLoss = dOpt.minimize(
      () => {
        const real = discriminator(d, realImages).sub(1).square().mean();
        const fake = discriminator(d, fakeImages).square().mean();
        return real.add(fake).mul(0.5) as tf.Scalar;
      },
      true,
      [...d.values()],
    )!;
    return [gLoss.dataSync()[0], dLoss.dataSync()[0]];
  });
}

async function main() {
  await initBackend({ backend: "wasm" });
  const g: Params = new Map();
  const d: Params = new Map();
  const realImages = tf.randomUniform([1, 64, 64, 3], -1, 1, "float32", 3) as tf.Tensor4D;
  tf.tidy(() => {
    generator(g, realImages);
    discriminator(d, realImages);
  }); // creates the variables
  const gOpt = tf.train.adam(2e-4, 0.5);
  const dOpt = tf.train.adam(2e-4, 0.5);
  step(g, d, gOpt, dOpt, realImages);
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    step(g, d, gOpt, dOpt, realImages);
    times.push(performance.now() - start);
  }
  console.log(
    `CycleGAN-like step (batch 1, 64x64x3): ${times.map((t) => t.toFixed(0)).join(", ")} ms; ` +
      `leaked tensors: ${tf.memory().numTensors - before}`,
  );
  await printKernelProfile("one CycleGAN-like step", () => step(g, d, gOpt, dOpt, realImages));
}

if (import.meta.main) await main();
