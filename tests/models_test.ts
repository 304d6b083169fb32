import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import {
  buildAcganDiscriminator,
  buildAcganGenerator,
  buildConditionalDiscriminator,
  buildConditionalGenerator,
  buildDcganDiscriminator,
  buildDcganGenerator,
  buildMlpDiscriminator,
  buildMlpGenerator,
  buildPatchDiscriminator,
  buildResnetGenerator,
  ImagePool,
  InstanceNormalization,
  MinibatchDiscrimination,
  ReflectionPadding2D,
} from "@course/lib/models";
import { gradientPenalty, nonSaturatingGeneratorLoss } from "@course/lib/variants/objectives";
import { wassersteinCriticLoss } from "../lib/losses.ts";
import { loadModel, saveModel } from "../lib/io/model_io.ts";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
  noLeak,
  roundTrip,
} from "./models_losses_helpers.ts";

await initBackend();

const outShape = (m: tf.LayersModel) => m.outputs.map((o) => o.shape);

Deno.test("buildDcganGenerator() and buildDcganDiscriminator() match the TensorFlow tutorial's counts at 28x28", () => {
  const g = buildDcganGenerator();
  const d = buildDcganDiscriminator();
  // G: dense 100*7*7*256 + BN 4*12544 + convT 5*5*256*128 + BN 4*128 + 5*5*128*64 + BN 4*64 + 5*5*64*1
  assertEquals(g.countParams(), 1_254_400 + 50_176 + 819_200 + 512 + 204_800 + 256 + 1_600);
  assertEquals(g.countParams(), 2_330_944);
  // D: conv 5*5*1*64+64, conv 5*5*64*128+128, dense 7*7*128+1
  assertEquals(d.countParams(), 1_664 + 204_928 + 6_273);
  assertEquals(d.countParams(), 212_865);
  assertEquals(outShape(g), [[null, 28, 28, 1]]);
  assertEquals(outShape(d), [[null, 1]]);
  assert(d.layers.some((l) => l.getClassName() === "Dropout"));
  g.dispose();
  d.dispose();
});

Deno.test("buildDcganGenerator() and buildDcganDiscriminator() follow the lecture's 64x64x3 table", () => {
  const g = buildDcganGenerator({ imageShape: [64, 64, 3] });
  const d = buildDcganDiscriminator({ imageShape: [64, 64, 3] });
  // G: dense 100 -> 2^14 = 4*4*1024 (no bias), BN(1024), convT 1024->512->256->128->3, BN each hidden
  const gHand = 100 * 16_384 + 4 * 1024 +
    25 * 1024 * 512 + 4 * 512 +
    25 * 512 * 256 + 4 * 256 +
    25 * 256 * 128 + 4 * 128 +
    25 * 128 * 3;
  assertEquals(gHand, 18_858_880);
  assertEquals(g.countParams(), gHand);
  // D: conv 3->128 (bias, no BN), 128->256, 256->512, 512->1024 (BN, no bias), dense 4*4*1024 + 1
  const dHand = 25 * 3 * 128 + 128 +
    25 * 128 * 256 + 4 * 256 +
    25 * 256 * 512 + 4 * 512 +
    25 * 512 * 1024 + 4 * 1024 +
    16_384 + 1;
  assertEquals(dHand, 17_236_481);
  assertEquals(d.countParams(), dHand);
  assertEquals(outShape(g), [[null, 64, 64, 3]]);
  assertEquals(g.layers.filter((l) => l.getClassName() === "Conv2DTranspose").length, 4);
  assertEquals(d.layers.filter((l) => l.getClassName() === "Conv2D").length, 4);
  g.dispose();
  d.dispose();
});

Deno.test("buildDcganDiscriminator() builds WGAN-GP critics without batch norm, and scales by width", () => {
  const none = buildDcganDiscriminator({
    imageShape: [32, 32, 3],
    width: 0.25,
    normalization: "none",
  });
  const layer = buildDcganDiscriminator({
    imageShape: [32, 32, 3],
    width: 0.25,
    normalization: "layer",
  });
  const names = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());
  assert(!names(none).includes("BatchNormalization"));
  assert(
    names(layer).includes("LayerNormalization") && !names(layer).includes("BatchNormalization"),
  );
  // width 0.25 at 32x32: conv 3->32 (+32), 32->64 (+64), 64->128 (+128), dense 4*4*128 + 1
  assertEquals(
    none.countParams(),
    25 * 3 * 32 + 32 + 25 * 32 * 64 + 64 + 25 * 64 * 128 + 128 + 2049,
  );
  const g = buildDcganGenerator({ imageShape: [32, 32, 3], width: 0.25, latentDim: 16 });
  assertEquals(outShape(g), [[null, 32, 32, 3]]);
  assertThrows(
    () => buildDcganGenerator({ latentDim: -3 }),
    "latentDim must be a positive integer, got -3",
  );
  assertThrows(() => buildDcganGenerator({ imageShape: [30, 30, 1] }), "28 or 4*2^n");
  assertThrows(() => buildDcganDiscriminator({ width: 0 }), "width");
  [none, layer, g].forEach((m) => m.dispose());
});

Deno.test("buildMlpGenerator() and buildMlpDiscriminator() have the hand-counted sizes", () => {
  const g = buildMlpGenerator();
  const d = buildMlpDiscriminator();
  // 2 -> 128 -> 128 -> 128 -> 2 and 2 -> 128 -> 128 -> 128 -> 1, each with biases
  assertEquals(g.countParams(), 3 * 128 + 2 * (129 * 128) + 129 * 2);
  assertEquals(d.countParams(), 3 * 128 + 2 * (129 * 128) + 129);
  const mb = buildMlpDiscriminator({
    inputDim: 1,
    hidden: [8],
    minibatch: { numKernels: 5, kernelDim: 3 },
  });
  // 1 -> 8, T: 8 x (5*3), then (8 + 5) -> 1
  assertEquals(mb.countParams(), 16 + 8 * 15 + 14);
  const samples = noLeak(() =>
    tf.tidy(() => (g.predict(tf.randomNormal([7, 2])) as tf.Tensor).arraySync() as number[][])
  );
  assertEquals([samples.length, samples[0].length], [7, 2]);
  [g, d, mb].forEach((m) => m.dispose());
});

Deno.test("MinibatchDiscrimination sums exp(-L1) distances to the other samples", () => {
  const layer = new MinibatchDiscrimination({ numKernels: 1, kernelDim: 1 });
  const x = tf.tensor2d([[0, 0], [1, 0], [3, 0]]);
  layer.apply(x); // builds T
  layer.setWeights([tf.tensor2d([[1], [0]])]); // M = x[:, 0]
  const out = (layer.apply(x) as tf.Tensor).arraySync() as number[][];
  const e = Math.exp;
  assertEquals(out.map((r) => r.length), [3, 3, 3]);
  assertAlmostEquals(out[0][2], e(-1) + e(-3), 1e-6);
  assertAlmostEquals(out[1][2], e(-1) + e(-2), 1e-6);
  assertAlmostEquals(out[2][2], e(-3) + e(-2), 1e-6);
  assertThrows(() => new MinibatchDiscrimination({ numKernels: 0 }), "numKernels");
  x.dispose();
});

Deno.test("MinibatchDiscrimination's initStddev scales T, survives getConfig, and is checked", () => {
  const wide = new MinibatchDiscrimination({
    numKernels: 50,
    kernelDim: 4,
    initStddev: 0.5,
    seed: 3,
  });
  const narrow = new MinibatchDiscrimination({ numKernels: 50, kernelDim: 4, seed: 3 });
  const x = tf.ones([2, 40]);
  tf.dispose([wide.apply(x) as tf.Tensor, narrow.apply(x) as tf.Tensor]); // builds T
  const std = (layer: MinibatchDiscrimination) =>
    tf.tidy(() => tf.moments(layer.getWeights()[0]).variance.sqrt().dataSync()[0]);
  // 40 x 200 = 8,000 draws: the sample std is within a few percent of the requested one.
  assertAlmostEquals(std(narrow), 0.05, 0.005);
  assertAlmostEquals(std(wide), 0.5, 0.05);
  assertEquals(wide.getConfig().initStddev, 0.5);
  assertEquals(narrow.getConfig().initStddev, 0.05);
  assertThrows(() => new MinibatchDiscrimination({ initStddev: 0 }), "initStddev");
  x.dispose();
});

Deno.test("buildMlpDiscriminator({ minibatch: { afterLayer } }) moves the layer, same weights", () => {
  const minibatch = { numKernels: 3, kernelDim: 2 };
  const last = buildMlpDiscriminator({ hidden: [6, 5], minibatch, seed: 4 });
  const first = buildMlpDiscriminator({
    hidden: [6, 5],
    minibatch: { ...minibatch, afterLayer: 1 },
    seed: 4,
  });
  const input = buildMlpDiscriminator({
    hidden: [6, 5],
    minibatch: { ...minibatch, afterLayer: 0 },
    seed: 4,
  });
  const shapes = (m: tf.LayersModel) => m.getWeights().map((w) => w.shape);
  // dense_0 (2 -> 6), then T and dense_1 see 6 or 6 + 3 inputs, then the logit 5 (+ 3) -> 1
  assertEquals(shapes(last), [[2, 6], [6], [6, 5], [5], [5, 6], [8, 1], [1]]);
  assertEquals(shapes(first), [[2, 6], [6], [6, 6], [9, 5], [5], [5, 1], [1]]);
  assertEquals(shapes(input), [[2, 6], [5, 6], [6], [6, 5], [5], [5, 1], [1]]);
  // The dense layers draw the same initial weights wherever the layer sits.
  assertEquals(
    last.getLayer("dense_0").getWeights()[0].arraySync(),
    first.getLayer("dense_0").getWeights()[0].arraySync(),
  );
  assertThrows(
    () => buildMlpDiscriminator({ hidden: [6], minibatch: { ...minibatch, afterLayer: 2 } }),
    "minibatch.afterLayer must be an integer from 0 to 1",
  );
  [last, first, input].forEach((m) => m.dispose());
});

Deno.test("buildConditionalGenerator() and buildConditionalDiscriminator() take labels in every mode", () => {
  const labels = tf.oneHot(tf.tensor1d([1, 4], "int32"), 10).toFloat();
  const indices = tf.tensor2d([[1], [4]], [2, 1], "int32");
  const images = tf.zeros([2, 28, 28, 1]);
  const g = buildConditionalGenerator({ width: 0.125, seed: 3 });
  const gEmb = buildConditionalGenerator({ width: 0.125, labelMode: "embedding", embeddingDim: 8 });
  const dTile = buildConditionalDiscriminator({ width: 0.125 });
  const dDense = buildConditionalDiscriminator({ width: 0.125, labelProjection: "dense" });
  const dEmb = buildConditionalDiscriminator({
    width: 0.125,
    labelMode: "embedding",
    embeddingDim: 4,
  });
  noLeak(() =>
    tf.tidy(() => {
      const z = tf.randomNormal([2, 100], 0, 1, "float32", 1);
      const x = g.predict([z, labels]) as tf.Tensor;
      assertEquals(x.shape, [2, 28, 28, 1]);
      // the label changes the image
      const other = g.predict([z, tf.reverse(labels, 0)]) as tf.Tensor;
      assert(x.sub(other).abs().max().dataSync()[0] > 1e-6);
      assertEquals((gEmb.predict([z, indices]) as tf.Tensor).shape, [2, 28, 28, 1]);
      assertEquals((dTile.predict([images, labels]) as tf.Tensor).shape, [2, 1]);
      assertEquals((dDense.predict([images, labels]) as tf.Tensor).shape, [2, 1]);
      assertEquals((dEmb.predict([images, indices]) as tf.Tensor).shape, [2, 1]);
    })
  );
  // tile: the first conv sees 1 + 10 channels; dense: 1 + 1
  assertEquals(dTile.getLayer("conv_0").getWeights()[0].shape, [5, 5, 11, 8]);
  assertEquals(dDense.getLayer("conv_0").getWeights()[0].shape, [5, 5, 2, 8]);
  const toyG = buildConditionalGenerator({ architecture: "mlp", numClasses: 8, hidden: [16] });
  assertEquals(outShape(toyG), [[null, 2]]);
  assertThrows(() => buildConditionalGenerator({ labelMode: "bad" as "onehot" }), "labelMode");
  tf.dispose([labels, indices, images]);
});

Deno.test("buildConditionalDiscriminator() with projection scores psi(phi(x)) + <V y, phi(x)>", () => {
  const d = buildConditionalDiscriminator({ width: 0.125, labelProjection: "projection", seed: 4 });
  // the image enters alone (no label channels); V holds one template per class
  assertEquals(d.getLayer("conv_0").getWeights()[0].shape, [5, 5, 1, 8]);
  const features = d.getLayer("flatten").outputShape[1] as number;
  assertEquals(d.getLayer("label_projection").getWeights()[0].shape, [10, features]);
  // make the templates large enough that the label matters
  const projection = d.getLayer("label_projection");
  const [v] = projection.getWeights();
  const scaled = v.mul(50);
  projection.setWeights([scaled]);
  scaled.dispose();
  const phiModel = tf.model({ inputs: d.inputs[0], outputs: d.getLayer("flatten").output });
  noLeak(() =>
    tf.tidy(() => {
      const x = tf.randomUniform([3, 28, 28, 1], -1, 1, "float32", 5);
      const y = tf.oneHot(tf.tensor1d([2, 0, 9], "int32"), 10).toFloat();
      const logits = d.predict([x, y]) as tf.Tensor;
      assertEquals(logits.shape, [3, 1]);
      const phi = phiModel.predict(x) as tf.Tensor;
      const [w, b] = d.getLayer("logit").getWeights();
      const expected = phi.matMul(w).add(b)
        .add(phi.mul(y.matMul(projection.getWeights()[0])).sum(1, true));
      assert(logits.sub(expected).abs().max().dataSync()[0] < 1e-4);
      const shifted = d.predict([x, tf.reverse(y, 0)]) as tf.Tensor;
      assert(logits.sub(shifted).abs().max().dataSync()[0] > 1e-4);
    })
  );
  assertThrows(
    () => buildConditionalDiscriminator({ labelProjection: "bad" as "tile" }),
    "labelProjection",
  );
});

Deno.test("buildAcganGenerator() and buildAcganDiscriminator() have one head per tag group", () => {
  const g = buildAcganGenerator({ tagGroups: [12, 11], width: 0.125 });
  const d = buildAcganDiscriminator({ tagGroups: [12, 11], width: 0.125 });
  assertEquals(g.inputs.map((i) => i.shape), [[null, 100], [null, 23]]);
  assertEquals(outShape(d), [[null, 1], [null, 12], [null, 11]]);
  // heads on the 7*7*16 flattened features: (784 + 1) * (1 + 12 + 11)
  const base = buildDcganDiscriminator({ width: 0.125 }).countParams() - 785;
  assertEquals(d.countParams(), base + 785 * 24);
  assertThrows(() => buildAcganDiscriminator({ tagGroups: [] }), "tagGroups");
});

Deno.test("InstanceNormalization normalises each image and channel over its own pixels", () => {
  const x = tf.randomNormal([3, 5, 5, 2], 4, 3, "float32", 2);
  const y = new InstanceNormalization().apply(x) as tf.Tensor;
  const { mean, variance } = tf.moments(y, [1, 2]);
  assert(mean.abs().max().dataSync()[0] < 1e-4);
  assert(variance.sub(1).abs().max().dataSync()[0] < 1e-3);
  tf.dispose([x, y, mean, variance]);
});

Deno.test("ReflectionPadding2D mirrors the border and back-propagates into the copied pixels", () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const layer = new ReflectionPadding2D({ padding: 1 });
  const y = layer.apply(x) as tf.Tensor;
  assertEquals(y.shape, [1, 5, 5, 1]);
  assertEquals(Array.from(y.dataSync()).slice(0, 5), [5, 4, 5, 6, 5]);
  // d(sum of the padded image)/dx: how often each pixel appears in the 5x5 output; rows and
  // columns are [r1, r0, r1, r2, r1], so the counts are [1, 3, 1] x [1, 3, 1]
  const g = tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).sum())(x);
  assertEquals(Array.from(g.dataSync()), [1, 3, 1, 3, 9, 3, 1, 3, 1]);
  assertThrows(() => layer.apply(tf.zeros([1, 1, 1, 1])), "smaller");
  tf.dispose([x, y, g]);
});

Deno.test("buildResnetGenerator() and buildPatchDiscriminator() keep and patch the image size", () => {
  const g = buildResnetGenerator({ filters: 4, nBlocks: 2, outputChannels: 3, seed: 1 });
  const d = buildPatchDiscriminator({ filters: 4, imageShape: [28, 28, 3] });
  assertEquals(outShape(g), [[null, 28, 28, 3]]);
  assertEquals(outShape(d), [[null, 4, 4, 1]]);
  // G: 7x7 1->4, 3x3 4->8, 8->16, 2 blocks of two 3x3 16->16, convT 3x3 16->8, 8->4, 7x7 4->3 (+3),
  // instance norm gamma + beta after each of the 10 hidden convs
  const convs = 49 * 4 + 9 * 4 * 8 + 9 * 8 * 16 + 4 * 9 * 16 * 16 + 9 * 16 * 8 + 9 * 8 * 4 +
    49 * 4 * 3 + 3;
  const norms = 2 * (4 + 8 + 16 + 4 * 16 + 8 + 4);
  assertEquals(g.countParams(), convs + norms);
  assertThrows(() => buildResnetGenerator({ imageShape: [30, 30, 1] }), "divisible");
  const big = buildResnetGenerator({ imageShape: [64, 64, 3], filters: 4, nBlocks: 1 });
  assertEquals(outShape(big), [[null, 64, 64, 3]]);
});

Deno.test("ImagePool fills up, then returns a seeded half-from-history mix without leaks", () => {
  const run = () => {
    const pool = new ImagePool({ size: 4, seed: 9 });
    const seen: number[][] = [];
    for (let step = 0; step < 6; step++) {
      const fresh = tf.fill([2, 2, 2, 1], step);
      const out = pool.query(fresh);
      seen.push(Array.from(out.dataSync()).filter((_, i) => i % 4 === 0));
      tf.dispose([fresh, out]);
    }
    assertEquals(pool.length, 4);
    pool.dispose();
    return seen;
  };
  const first = noLeak(run);
  // the first two batches fill the pool and come back unchanged
  assertEquals(first.slice(0, 2), [[0, 0], [1, 1]]);
  // later images are either fresh or older ones from the pool
  first.slice(2).forEach((values, i) => values.forEach((v) => assert(v <= i + 2)));
  assert(first.slice(2).some((values, i) => values.some((v) => v < i + 2)));
  assertEquals(run(), first);
  const off = new ImagePool({ size: 0 });
  const x = tf.ones([1, 2, 2, 1]);
  const y = off.query(x);
  assertEquals(Array.from(y.dataSync()), [1, 1, 1, 1]);
  tf.dispose([x, y]);
});

Deno.test("models with custom layers round-trip through model.json", async () => {
  const models = [
    buildResnetGenerator({ filters: 2, nBlocks: 1, seed: 2 }),
    buildMlpDiscriminator({ hidden: [4], minibatch: { numKernels: 3, kernelDim: 2 }, seed: 2 }),
    buildAcganDiscriminator({ tagGroups: [3, 2], width: 0.0625, seed: 2 }),
  ];
  const inputs = [
    tf.randomNormal([2, 28, 28, 1], 0, 1, "float32", 1),
    tf.randomNormal([3, 2], 0, 1, "float32", 1),
    tf.randomNormal([2, 28, 28, 1], 0, 1, "float32", 1),
  ];
  for (const [i, model] of models.entries()) {
    const loaded = await roundTrip(model);
    const before = [model.predict(inputs[i])].flat() as tf.Tensor[];
    const after = [loaded.predict(inputs[i])].flat() as tf.Tensor[];
    before.forEach((t, k) => assert(t.sub(after[k]).abs().max().dataSync()[0] < 1e-6));
    tf.dispose([...before, ...after]);
    loaded.dispose();
    model.dispose();
  }
  tf.dispose(inputs);
});

Deno.test("a DCGAN training step, a WGAN-GP critic step and a CycleGAN step run on the backend without leaks", () => {
  const g = buildDcganGenerator({ width: 0.0625, latentDim: 8, seed: 1 });
  const d = buildDcganDiscriminator({ width: 0.0625, normalization: "none", dropout: 0, seed: 1 });
  const cyc = buildResnetGenerator({ filters: 2, nBlocks: 1, seed: 1 });
  // one optimizer per model: tfjs' Adam keeps its moments by variable position
  const [gOpt, dOpt, cOpt] = [0, 1, 2].map(() => tf.train.adam(1e-3, 0.5));
  const z = tf.randomNormal([4, 8], 0, 1, "float32", 3);
  const real = tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 4);
  const step = () => {
    const before = tf.memory().numTensors;
    const gLoss = gOpt.minimize(
      () => nonSaturatingGeneratorLoss(d.apply(g.apply(z, { training: true })) as tf.Tensor),
      true,
      g.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const dLoss = dOpt.minimize(
      () => {
        const fake = g.apply(z) as tf.Tensor;
        return wassersteinCriticLoss(d.apply(real) as tf.Tensor, d.apply(fake) as tf.Tensor)
          .add(gradientPenalty(d, real, fake, { seed: 5 })) as tf.Scalar;
      },
      true,
      d.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const cLoss = cOpt.minimize(
      () => (cyc.apply(real, { training: true }) as tf.Tensor).sub(real).abs().mean() as tf.Scalar,
      true,
      cyc.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const losses = [gLoss!, dLoss!, cLoss!].map((t) => t.dataSync()[0]);
    tf.dispose([gLoss!, dLoss!, cLoss!]);
    return { losses, leaked: tf.memory().numTensors - before };
  };
  step(); // the first step creates the optimizers' slots
  const { losses, leaked } = step();
  assert(losses.every(Number.isFinite), `losses ${losses}`);
  assertEquals(leaked, 0);
  tf.dispose([z, real]);
  [gOpt, dOpt, cOpt].forEach((o) => o.dispose());
  [g, d, cyc].forEach((m) => m.dispose());
});

Deno.test("a CycleGAN generator saves and loads with saveModel()/loadModel()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "models_test_" });
  try {
    const model = buildResnetGenerator({ filters: 2, nBlocks: 1, seed: 6 });
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const x = tf.randomNormal([1, 28, 28, 1], 0, 1, "float32", 2);
    const diff = tf.tidy(() =>
      (model.predict(x) as tf.Tensor).sub(loaded.predict(x) as tf.Tensor).abs().max().dataSync()[0]
    );
    assert(diff < 1e-6);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
