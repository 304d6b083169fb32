import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { buildDcganGenerator, type DcganGeneratorOptions } from "@course/lib/models";
import { train } from "@course/lib/train";
import { createDcgan, dataParallel } from "@course/lib/variants";

await initBackend({ backend: "wasm" });

const kernelShapes = (g: tf.LayersModel) =>
  g.layers.filter((l) => ["Conv2D", "Conv2DTranspose"].includes(l.getClassName()))
    .map((l) => [l.getClassName(), l.getWeights()[0].shape]);

Deno.test("buildDcganGenerator() keeps the paper's 5x5 transposed convolutions by default", () => {
  const g = buildDcganGenerator({ width: 0.25, seed: 1 });
  assertEquals(kernelShapes(g), [
    ["Conv2DTranspose", [5, 5, 32, 64]],
    ["Conv2DTranspose", [5, 5, 16, 32]],
    ["Conv2DTranspose", [5, 5, 1, 16]],
  ]);
  // the same seed draws the same weights as a generator built with the options spelled out
  const spelled = buildDcganGenerator({
    width: 0.25,
    seed: 1,
    kernelSize: 5,
    upsampling: "transposed",
  });
  const same = g.getWeights().every((w, i) =>
    tf.tidy(() => w.sub(spelled.getWeights()[i]).abs().max().dataSync()[0]) === 0
  );
  assert(same);
  [g, spelled].forEach((m) => m.dispose());
});

Deno.test("buildDcganGenerator() builds 4x4 kernels and resize-convolutions at every size", () => {
  for (const imageShape of [[28, 28, 1], [32, 32, 3]] as [number, number, number][]) {
    const k4 = buildDcganGenerator({ imageShape, width: 0.125, kernelSize: 4 });
    assertEquals(k4.outputs[0].shape, [null, ...imageShape]);
    assert(kernelShapes(k4).every(([, shape]) => (shape as number[])[0] === 4));
    const resize = buildDcganGenerator({ imageShape, width: 0.125, upsampling: "resize" });
    assertEquals(resize.outputs[0].shape, [null, ...imageShape]);
    const classes = resize.layers.map((l) => l.getClassName());
    assert(!classes.includes("Conv2DTranspose"));
    // every size doubling is an UpSampling2D followed by a stride-1 convolution
    const doublings = imageShape[0] === 28 ? 2 : 3;
    assertEquals(classes.filter((c) => c === "UpSampling2D").length, doublings);
    [k4, resize].forEach((m) => m.dispose());
  }
  throws(() => buildDcganGenerator({ kernelSize: 0 }), /kernelSize must be a positive integer/);
  throws(
    () => buildDcganGenerator({ upsampling: "pixelShuffle" as "resize" }),
    /upsampling must be "transposed" or "resize", got pixelShuffle/,
  );
});

/**
 * The generator's output for a constant feature map, with every kernel weight equal: how many
 * kernel taps reach each output pixel, squashed by tanh. The central 6x6 pixels only (the border sees
 * the padding, and its effect reaches 11 pixels in at 28x28).
 */
function interiorOfConstantGenerator(options: DcganGeneratorOptions): number[] {
  const g = buildDcganGenerator({ ...options, width: 0.125, batchNorm: false });
  for (const layer of g.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    if (layer.name === "project") {
      // kernel 0, bias 1: a feature map of ones whatever z is
      layer.setWeights([tf.zerosLike(weights[0]), tf.onesLike(weights[1])]);
    } else {
      // scaled so that a fully covered pixel gets about 1 per layer: tanh stays unsaturated
      // Conv2D kernels are [kh, kw, in, out], Conv2DTranspose kernels [kh, kw, out, in]
      const [kh, kw, a, b] = weights[0].shape as number[];
      const fanIn = kh * kw * (layer.getClassName() === "Conv2D" ? a : b);
      layer.setWeights([
        tf.fill(weights[0].shape, 0.5 / fanIn),
        ...weights.slice(1).map((w) => tf.zerosLike(w)),
      ]);
    }
  }
  const values = tf.tidy(() =>
    (g.predict(tf.randomNormal([1, 100], 0, 1, "float32", 3)) as tf.Tensor)
      .slice([0, 11, 11, 0], [1, 6, 6, 1]).dataSync()
  );
  g.dispose();
  return Array.from(values);
}

Deno.test("5x5 stride-2 transposed convolutions draw a checkerboard; 4x4 and resize do not", () => {
  const spread = (v: number[]) => (Math.max(...v) - Math.min(...v)) / Math.max(...v);
  const k5 = interiorOfConstantGenerator({});
  const k4 = interiorOfConstantGenerator({ kernelSize: 4 });
  const resize = interiorOfConstantGenerator({ upsampling: "resize", kernelSize: 3 });
  assert(spread(k5) > 0.1, `5x5: interior varies by ${spread(k5)}`);
  assert(spread(k4) < 1e-5, `4x4: interior varies by ${spread(k4)}`);
  assert(spread(resize) < 1e-5, `resize: interior varies by ${spread(resize)}`);
});

Deno.test("createDcgan() passes the generator's kernel size and up-sampling to its blueprint", () => {
  const variant = createDcgan({ width: 0.125, generatorKernelSize: 4, upsampling: "resize" });
  const g = variant.models.generator;
  assert(kernelShapes(g).every(([, shape]) => (shape as number[])[0] === 4));
  assert(g.layers.some((l) => l.getClassName() === "UpSampling2D"));
  assertEquals(variant.blueprint?.options, {
    width: 0.125,
    generatorKernelSize: 4,
    upsampling: "resize",
  });
  variant.dispose();
  const plain = createDcgan({ width: 0.125 });
  assert(kernelShapes(plain.models.generator).every(([, shape]) => (shape as number[])[0] === 5));
  plain.dispose();
});

Deno.test("a resize-convolution DCGAN trains to the same weights on 1 and 2 threads", async () => {
  const images = tf.randomUniform([64, 28, 28, 1], -1, 1, "float32", 1);
  const trained = async (workers: number) => {
    const variant = createDcgan({ width: 0.125, seed: 1, upsampling: "resize" });
    await train(variant, { realImages: images }, {
      batchSize: 16,
      seed: 0,
      executor: dataParallel({ workers, shards: 2 }),
    });
    const weights = variant.models.generator.getWeights().map((w) => Array.from(w.dataSync()));
    variant.dispose();
    return weights;
  };
  const [one, two] = [await trained(1), await trained(2)];
  assertEquals(two, one);
  images.dispose();
});
