import * as tf from "@tensorflow/tfjs";
import { ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import {
  evaluateImages,
  featureExtractor,
  fid,
  inceptionScore,
  kid,
  precisionRecall,
} from "@course/lib/metrics";

await initBackend({ backend: "wasm" });
const extractor = await featureExtractor();

Deno.test("the metrics refuse [0, 255] and NaN images with the fix instead of scoring them", async () => {
  const before = tf.memory().numTensors;
  const bytes = tf.tidy(() => tf.randomUniform([20, 28, 28, 1], 0, 255, "float32", 1));
  const nan = tf.fill([20, 28, 28, 1], NaN);
  await rejects(
    extractor.run(bytes),
    /Cannot score images: images look like \[0, 255\]: scale them to \[-1, 1\] with images\.div\(127\.5\)\.sub\(1\)/,
  );
  let message = "";
  try {
    await evaluateImages(bytes as tf.Tensor4D, { extractor, realImages: bytes as tf.Tensor4D });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("look like [0, 255]"), message);
  try {
    await inceptionScore(nan, { extractor, splits: 2 });
    message = "scored";
  } catch (error) {
    message = (error as Error).message;
  }
  assert(message.includes("images hold 15680 NaN values"), message);
  // Bright generated images in [0, 1] are legitimate samples: scored.
  const bright = tf.fill([20, 28, 28, 1], 0.9);
  assert(Number.isFinite((await inceptionScore(bright, { extractor, splits: 2 })).mean));
  tf.dispose([bytes, nan, bright]);
  assert(tf.memory().numTensors <= before, "the checks leaked tensors");
});

Deno.test("FID, KID, precision/recall and IS refuse NaN features and probabilities", async () => {
  const good = [[0, 1], [1, 0], [1, 1], [0, 0]];
  const bad = [[0, 1], [NaN, 0], [1, 1], [0, 0]];
  throws(() => fid(good, bad), /Cannot compute FID: features hold 1 NaN .* \(first in row 1\)/);
  throws(() => kid(good, bad, { subsets: 2, subsetSize: 3 }), /Cannot compute KID: featuresB/);
  throws(() => precisionRecall(bad, good, { k: 1 }), /precision\/recall: realFeatures hold 1/);
  let message = "";
  try {
    await inceptionScore([[0.5, 0.5], [NaN, NaN]], { splits: 1 });
  } catch (error) {
    message = (error as Error).message;
  }
  assert(
    message.startsWith("Cannot compute the Inception Score: class probabilities hold 2"),
    message,
  );
});
