import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadFaces } from "../lib/data/faces.ts";
import { classAccuracy } from "../lib/metrics/class_accuracy.ts";
import {
  buildFaceClassifier,
  DEFAULT_FACE_CLASSIFIER_DIR,
  faceExtractor,
  loadFaceClassifier,
  toFaceClassifierSize,
} from "../lib/metrics/face_classifier.ts";
import { fid } from "../lib/metrics/fid.ts";

await initBackend();

Deno.test("buildFaceClassifier() has one logits head per tag group on shared features", () => {
  const model = buildFaceClassifier({ featureDim: 16, heads: [{ name: "hair", size: 3 }] });
  assertEquals(model.outputNames, ["hair"]);
  assertEquals(model.outputs[0].shape, [null, 3]);
  assertEquals(model.inputs[0].shape, [null, 32, 32, 3]);
  model.dispose();
  const full = buildFaceClassifier();
  assert(full.countParams() * 4 < 2e6, `${full.countParams()} weights`);
  full.dispose();
  throws(() => buildFaceClassifier({ heads: [] }), /heads must be tag groups/);
  throws(() => buildFaceClassifier({ featureDim: 0 }), /featureDim must be a positive integer/);
});

Deno.test("toFaceClassifierSize() averages 32k-pixel faces in blocks and resizes others", () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    // A 64x64 image whose 2x2 blocks hold 0, 1, 2, 3: each block's mean is 1.5.
    const block = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]).tile([1, 32, 32, 3]);
    const small = toFaceClassifierSize(block);
    assertEquals(small.shape, [1, 32, 32, 3]);
    assertEquals([small.min().arraySync(), small.max().arraySync()], [1.5, 1.5]);
    assertEquals(toFaceClassifierSize(tf.ones([2, 96, 96, 3])).shape, [2, 32, 32, 3]);
    assertEquals(toFaceClassifierSize(tf.ones([1, 48, 48, 3])).shape, [1, 32, 32, 3]);
    const same = tf.randomUniform([1, 32, 32, 3]);
    assertEquals(toFaceClassifierSize(same).arraySync(), same.arraySync());
    throws(() => toFaceClassifierSize(tf.ones([1, 32, 32, 1])), /square RGB images/);
    throws(() => toFaceClassifierSize(tf.ones([1, 32, 16, 3])), /square RGB images/);
  });
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("faceExtractor() gives shared features and the chosen group's probabilities", async () => {
  const model = buildFaceClassifier({ featureDim: 8 });
  const images = tf.zeros([3, 64, 64, 3]);
  const before = tf.memory().numTensors;
  const hair = await faceExtractor({ model });
  const skin = await faceExtractor({ model, group: "skin" });
  const a = await hair.run(images);
  const b = await skin.run(images);
  assertEquals([a.features.cols, a.probabilities.cols, b.probabilities.cols], [8, 10, 4]);
  assertEquals(a.features.data, b.features.data);
  assertEquals(tf.memory().numTensors, before);
  await rejects(
    faceExtractor({ model, group: "eyes" }),
    /no tag group "eyes"; its groups are hair, skin/,
  );
  images.dispose();
  model.dispose();
});

Deno.test("the shipped face classifier reads hair and skin of unseen faces at 32, 64 and 96 pixels", async () => {
  const metadata = JSON.parse(
    await Deno.readTextFile(`${DEFAULT_FACE_CLASSIFIER_DIR}/metadata.json`),
  );
  assert(metadata.heldOutAccuracy["64px"].hair >= 0.98, JSON.stringify(metadata.heldOutAccuracy));
  assert(metadata.weightBytes < 2e6);
  const model = await loadFaceClassifier();
  assertEquals(model.outputNames, ["hair", "skin"]);
  // Faces of another seed than the held-out set the metadata reports.
  for (const imageSize of [32, 64, 96]) {
    const faces = await loadFaces({
      size: 200,
      imageSize,
      seed: 11,
      split: "test",
      cacheDir: false,
    });
    for (const [g, group] of faces.groups.entries()) {
      const extractor = await faceExtractor({ group: group.name });
      const { accuracy } = await classAccuracy(faces.images, group.labels, { extractor });
      assert(accuracy >= (g === 0 ? 0.97 : 0.9), `${imageSize}px ${group.name}: ${accuracy}`);
    }
    faces.dispose();
  }
});

Deno.test("face features: real faces are close to real faces and far from noise", async () => {
  const extractor = await faceExtractor();
  const a = await loadFaces({ size: 300, imageSize: 64, seed: 12, cacheDir: false });
  const b = await loadFaces({ size: 300, imageSize: 64, seed: 12, split: "test", cacheDir: false });
  const noise = tf.randomUniform([300, 64, 64, 3], -1, 1, "float32", 3);
  const real = fid(
    (await extractor.run(a.images)).features,
    (await extractor.run(b.images)).features,
  );
  const fake = fid((await extractor.run(a.images)).features, (await extractor.run(noise)).features);
  assert(real * 10 < fake, `real vs real ${real}, real vs noise ${fake}`);
  tf.dispose([noise]);
  a.dispose();
  b.dispose();
});
