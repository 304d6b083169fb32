import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { buildPackedMlpDiscriminator, PackSamples } from "../lib/models/packing.ts";
import { assert, assertEquals, assertThrows, noLeak, roundTrip } from "./models_losses_helpers.ts";

await initBackend();

Deno.test("PackSamples puts consecutive samples side by side, packSize per row", () => {
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
  const three = new PackSamples({ packSize: 2 }).apply(x) as tf.Tensor;
  assertEquals(three.arraySync(), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
  const one = new PackSamples({ packSize: 1 }).apply(x) as tf.Tensor;
  assertEquals(one.arraySync(), x.arraySync());
  tf.dispose([x, three, one]);
});

Deno.test("PackSamples rejects a batch that is no multiple of packSize and a bad packSize", () => {
  const x = tf.zeros([6, 2]);
  assertThrows(() => new PackSamples({ packSize: 4 }).apply(x), "batch (6) must be a multiple");
  assertThrows(() => new PackSamples({ packSize: 0 }), "packSize must be a positive integer");
  assertThrows(() => new PackSamples({ packSize: 1.5 }), "packSize must be a positive integer");
  assertThrows(
    () => new PackSamples({ packSize: 2 }).apply(tf.input({ shape: [2, 2] })),
    "input must be [batch, features]",
  );
  x.dispose();
});

Deno.test("buildPackedMlpDiscriminator() gives one logit per pack and its first layer sees the pack", () => {
  const d = buildPackedMlpDiscriminator({ packSize: 4, hidden: [8, 8], seed: 3 });
  assertEquals(d.outputs[0].shape, [null, 1]);
  // The first dense kernel reads packSize * inputDim = 8 numbers.
  assertEquals(d.getLayer("dense_0").getWeights()[0].shape, [8, 8]);
  const x = tf.zeros([12, 2]);
  const logits = noLeak(() => d.predict(x) as tf.Tensor, 1);
  assertEquals(logits.shape, [3, 1]);
  tf.dispose([x, logits]);
  d.dispose();
});

Deno.test("a packed discriminator tells a collapsed batch from a varied one only through the pack", () => {
  // The score of a pack depends on all its members: changing one sample changes its pack's logit
  // and no other pack's.
  const d = buildPackedMlpDiscriminator({ packSize: 2, hidden: [16], seed: 4 });
  const x = tf.randomNormal([6, 2], 0, 1, "float32", 5);
  const moved = tf.tidy(() => x.add(tf.oneHot([1], 6).reshape([6, 1]).mul(3)));
  const [a, b] = tf.tidy(() =>
    [d.predict(x), d.predict(moved)].map((t) => (t as tf.Tensor).arraySync() as number[][])
  );
  assert(Math.abs(a[0][0] - b[0][0]) > 1e-4, "the first pack's logit must change");
  assertEquals(a.slice(1), b.slice(1));
  tf.dispose([x, moved]);
  d.dispose();
});

Deno.test("a packed discriminator round-trips through model.json with the same seed-built weights", async () => {
  const model = buildPackedMlpDiscriminator({ packSize: 2, hidden: [4], seed: 2 });
  const loaded = await roundTrip(model);
  const x = tf.randomNormal([4, 2], 0, 1, "float32", 1);
  const [before, after] = [model.predict(x), loaded.predict(x)] as tf.Tensor[];
  assertEquals(after.shape, [2, 1]);
  assert(before.sub(after).abs().max().dataSync()[0] < 1e-6);
  const again = buildPackedMlpDiscriminator({ packSize: 2, hidden: [4], seed: 2 });
  assertEquals(
    again.getWeights().map((w) => w.arraySync()),
    model.getWeights().map((w) => w.arraySync()),
  );
  tf.dispose([x, before, after]);
  [model, loaded, again].forEach((m) => m.dispose());
});
