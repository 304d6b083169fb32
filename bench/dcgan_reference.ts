/**
 * The benchmark's reference models and training steps: the TensorFlow DCGAN tutorial architecture
 * on 28x28x1 (the same models as bench/torch_dcgan.py), its training step, a WGAN-GP critic step,
 * and the FLOPs each step costs. Local definitions on purpose: the benchmark must measure exactly
 * the tutorial's architecture, whatever lib/models/ grows into.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode buildReference}. */
export interface ReferenceOptions {
  /** Channel multiplier: 1 is the tutorial (256/128/64 in G, 64/128 in D), 0.25 the cpu profile. */
  width?: number;
  /** Latent vector length. Default 100. */
  latentDim?: number;
  /** Batch size of a step. Default 64. */
  batchSize?: number;
}

const DEFAULTS: Required<ReferenceOptions> = { width: 1, latentDim: 100, batchSize: 64 };

/** The two models, their optimizers, a fixed batch of "real" images and the step's FLOPs. */
export interface Reference {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  gOpt: tf.Optimizer;
  dOpt: tf.Optimizer;
  realImages: tf.Tensor4D;
  options: Required<ReferenceOptions>;
  /** FLOPs of one {@linkcode dcganStep} (multiply-adds count 2). */
  dcganStepFlops: number;
  /** FLOPs of one {@linkcode wganGpCriticStep}, estimated from the same per-layer counts. */
  wganGpCriticStepFlops: number;
  dispose(): void;
}

const scaled = (channels: number, width: number) => Math.max(1, Math.round(channels * width));

/** Per-layer forward FLOPs of the generator and the discriminator, first layer first. */
function layerFlops(o: Required<ReferenceOptions>): { g: number[]; d: number[] } {
  const [g0, g1, g2] = [256, 128, 64].map((c) => scaled(c, o.width));
  const [d1, d2] = [64, 128].map((c) => scaled(c, o.width));
  const b = o.batchSize;
  const conv = (pixels: number, k: number, cin: number, cout: number) =>
    2 * b * pixels * k * k * cin * cout;
  return {
    // dense, convT s1 (7x7 inputs), convT s2 (7x7 inputs), convT s2 (14x14 inputs)
    g: [
      2 * b * o.latentDim * 49 * g0,
      conv(49, 5, g0, g1),
      conv(49, 5, g1, g2),
      conv(196, 5, g2, 1),
    ],
    // conv s2 (14x14 outputs), conv s2 (7x7 outputs), dense
    d: [conv(196, 5, 1, d1), conv(49, 5, d1, d2), 2 * b * 49 * d2],
  };
}

/**
 * FLOPs of the step, counting convolutions and dense layers (forward, input and weight
 * gradients); element-wise work (batch norm, activations, Adam) is left out.
 */
function stepFlops(o: Required<ReferenceOptions>): { dcgan: number; wganGp: number } {
  const { g, d } = layerFlops(o);
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const gf = sum(g);
  const df = sum(d);
  // D update: G forward, D on real and fake, weight + input gradients (not the image's).
  const dStep = gf + 2 * df + 2 * (2 * df - d[0]);
  // G update: G forward, D forward, D input gradients, G weight + input gradients (not z's).
  const gStep = gf + df + df + (2 * gf - g[0]);
  // Critic update with penalty: 3 critic forwards, 2 backwards, the input gradient on the
  // interpolates (df), and its backward (through the gradient graph and the forward: about 4 df).
  const wganGp = gf + 3 * df + 2 * (2 * df - d[0]) + df + 4 * df;
  return { dcgan: dStep + gStep, wganGp };
}

/**
 * Build the tutorial's generator and discriminator (scaled by `width`), Adam(1e-4) for each, and
 * a batch of random "real" images in [-1, 1] (the timing does not depend on the data).
 */
export function buildReference(options: ReferenceOptions = {}): Reference {
  const o = { ...DEFAULTS, ...options };
  const [g0, g1, g2] = [256, 128, 64].map((c) => scaled(c, o.width));
  const [d1, d2] = [64, 128].map((c) => scaled(c, o.width));
  const generator = tf.sequential({
    layers: [
      // [batch, latentDim] -> [batch, 7 * 7 * 256]
      tf.layers.dense({ inputShape: [o.latentDim], units: 7 * 7 * g0, useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU(),
      tf.layers.reshape({ targetShape: [7, 7, g0] }),
      // [batch, 7, 7, 256] -> [batch, 7, 7, 128]
      tf.layers.conv2dTranspose({
        filters: g1,
        kernelSize: 5,
        strides: 1,
        padding: "same",
        useBias: false,
      }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU(),
      // [batch, 7, 7, 128] -> [batch, 14, 14, 64]
      tf.layers.conv2dTranspose({
        filters: g2,
        kernelSize: 5,
        strides: 2,
        padding: "same",
        useBias: false,
      }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU(),
      // [batch, 14, 14, 64] -> [batch, 28, 28, 1]
      tf.layers.conv2dTranspose({
        filters: 1,
        kernelSize: 5,
        strides: 2,
        padding: "same",
        useBias: false,
        activation: "tanh",
      }),
    ],
  });
  const discriminator = tf.sequential({
    layers: [
      // [batch, 28, 28, 1] -> [batch, 14, 14, 64]
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: d1,
        kernelSize: 5,
        strides: 2,
        padding: "same",
      }),
      tf.layers.leakyReLU(),
      tf.layers.dropout({ rate: 0.3 }),
      // [batch, 14, 14, 64] -> [batch, 7, 7, 128]
      tf.layers.conv2d({ filters: d2, kernelSize: 5, strides: 2, padding: "same" }),
      tf.layers.leakyReLU(),
      tf.layers.dropout({ rate: 0.3 }),
      // [batch, 7 * 7 * 128] -> [batch, 1] logits
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const gOpt = tf.train.adam(1e-4);
  const dOpt = tf.train.adam(1e-4);
  const realImages = tf.randomUniform([o.batchSize, 28, 28, 1], -1, 1, "float32", 1) as tf.Tensor4D;
  const flops = stepFlops(o);
  return {
    generator,
    discriminator,
    gOpt,
    dOpt,
    realImages,
    options: o,
    dcganStepFlops: flops.dcgan,
    wganGpCriticStepFlops: flops.wganGp,
    dispose() {
      generator.dispose();
      discriminator.dispose();
      gOpt.dispose();
      dOpt.dispose();
      realImages.dispose();
    },
  };
}

const variablesOf = (model: tf.LayersModel) =>
  model.trainableWeights.map((w) => w.read() as tf.Variable);

const bce = (logits: tf.Tensor, label: number) =>
  tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, label), logits) as tf.Scalar;

/**
 * One DCGAN training step, as bench/torch_dcgan.py: a discriminator update on real images and
 * generated ones (generator forward without gradients), then a generator update with the
 * non-saturating loss. Returns [dLoss, gLoss].
 */
export function dcganStep(ref: Reference): [number, number] {
  return tf.tidy(() => {
    const { generator: g, discriminator: d, options: o } = ref;
    const z = tf.randomNormal([o.batchSize, o.latentDim]);
    const fakeImages = g.apply(z, { training: true }) as tf.Tensor;
    const dLoss = ref.dOpt.minimize(
      () => {
        const real = d.apply(ref.realImages, { training: true }) as tf.Tensor;
        const fake = d.apply(fakeImages, { training: true }) as tf.Tensor;
        return bce(real, 1).add(bce(fake, 0)) as tf.Scalar;
      },
      true,
      variablesOf(d),
    )!;
    const gLoss = ref.gOpt.minimize(
      () => {
        const fake = d.apply(g.apply(z, { training: true }), { training: true }) as tf.Tensor;
        return bce(fake, 1);
      },
      true,
      variablesOf(g),
    )!;
    return [dLoss.dataSync()[0], gLoss.dataSync()[0]];
  });
}

/**
 * One WGAN-GP critic update on the same models (the discriminator's logit is the critic's score):
 * mean(fake) - mean(real) + 10 * mean((||d critic / d interpolate|| - 1)^2). Returns the loss.
 */
export function wganGpCriticStep(ref: Reference): number {
  return tf.tidy(() => {
    const { generator: g, discriminator: d, options: o } = ref;
    const z = tf.randomNormal([o.batchSize, o.latentDim]);
    const fakeImages = g.apply(z, { training: true }) as tf.Tensor;
    const alpha = tf.randomUniform([o.batchSize, 1, 1, 1]);
    const interpolates = ref.realImages.mul(alpha).add(fakeImages.mul(tf.scalar(1).sub(alpha)));
    const loss = ref.dOpt.minimize(
      () => {
        const real = d.apply(ref.realImages, { training: true }) as tf.Tensor;
        const fake = d.apply(fakeImages, { training: true }) as tf.Tensor;
        const dx = tf.grad((x: tf.Tensor) => (d.apply(x, { training: true }) as tf.Tensor).sum())(
          interpolates,
        );
        const norm = dx.square().sum([1, 2, 3]).add(1e-12).sqrt();
        const penalty = norm.sub(1).square().mean().mul(10);
        return fake.mean().sub(real.mean()).add(penalty) as tf.Scalar;
      },
      true,
      variablesOf(d),
    )!;
    return loss.dataSync()[0];
  });
}
