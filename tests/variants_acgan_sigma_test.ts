/**
 * The ACGAN of the report's sigma experiment: its training step draws z with the requested spread,
 * leaves the other draws alone, and its samples use the same spread.
 */
import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { stepRandom } from "@course/lib/train";
import { createAcganWithSigma } from "../lib/variants/acgan_sigma.ts";

await initBackend({ backend: "wasm" });

const tiny = { width: 0.0625, latentDim: 8, seed: 1, tagGroups: [3, 2] };

/** The generator inputs `[z, tags]` of every call in one training step at `latentSigma`. */
function stepInputs(latentSigma: number): { z: number[][]; tags: number[][] }[] {
  const variant = createAcganWithSigma({ ...tiny, latentSigma });
  const generator = variant.models.generator;
  const apply = generator.apply.bind(generator);
  const seen: { z: number[][]; tags: number[][] }[] = [];
  generator.apply = (inputs, kwargs) => {
    const [z, tags] = inputs as tf.Tensor[];
    seen.push({ z: z.arraySync() as number[][], tags: tags.arraySync() as number[][] });
    return apply(inputs, kwargs);
  };
  const batch = {
    realImages: tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 3),
    labels: tf.tensor2d([[1, 0, 0, 1, 0], [0, 1, 0, 0, 1], [0, 0, 1, 1, 0], [1, 0, 0, 0, 1]]),
  };
  const logs = tf.tidy(() =>
    variant.trainStep(batch, { step: 0, epoch: 0, random: stepRandom(0, 0) })
  );
  assert(Number.isFinite(logs.dLoss.dataSync()[0]) && Number.isFinite(logs.gLoss.dataSync()[0]));
  tf.dispose([...Object.values(logs), ...Object.values(batch)]);
  variant.dispose();
  return seen;
}

Deno.test("createAcganWithSigma(): the step's latents are scaled by sigma, its tags are not", () => {
  const wide = stepInputs(1);
  const narrow = stepInputs(0.25);
  assertEquals(wide.length, 3); // D's update, then G's two (D:G = 1:2)
  assertEquals(narrow.length, 3);
  for (let call = 0; call < 3; call++) {
    assertEquals(narrow[call].tags, wide[call].tags);
    narrow[call].z.flat().forEach((value, i) => {
      const expected = 0.25 * wide[call].z.flat()[i];
      assert(Math.abs(value - expected) < 1e-5, `call ${call}, z[${i}]: ${value} vs ${expected}`);
    });
  }
});

Deno.test("createAcganWithSigma(): samples draw z at sigma, with every tag combination", () => {
  const variant = createAcganWithSigma({ ...tiny, latentSigma: 0.1 });
  const generator = variant.models.generator;
  const predict = generator.predict.bind(generator);
  let zStd = 0;
  let tagRows: number[][] = [];
  generator.predict = (inputs, config) => {
    const [z, tags] = inputs as tf.Tensor[];
    zStd = tf.moments(z).variance.sqrt().dataSync()[0];
    tagRows = tags.arraySync() as number[][];
    return predict(inputs, config);
  };
  const images = variant.sample!(600, 0);
  assertEquals(images.shape, [600, 28, 28, 1]);
  assert(Math.abs(zStd - 0.1) < 0.005, `std of z ${zStd}`);
  const combos = new Set(tagRows.slice(0, 6).map((row) => row.join("")));
  assertEquals(combos.size, 6);
  images.dispose();
  variant.dispose();
});

Deno.test("createAcganWithSigma(): refuses a sigma that is not positive", () => {
  for (const latentSigma of [0, -1, Number.NaN]) {
    throws(() => createAcganWithSigma({ latentSigma }), /latentSigma must be a positive number/);
  }
});
