import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, rejects, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { confidentShare, confidentShareOf, featureExtractor } from "@course/lib/metrics";

await initBackend();

Deno.test("confidentShareOf() counts rows whose top probability reaches the threshold", () => {
  const probabilities = {
    rows: 4,
    cols: 3,
    data: Float64Array.from([0.9, 0.05, 0.05, 0.2, 0.7, 0.1, 0.01, 0.01, 0.98, 0.4, 0.3, 0.3]),
  };
  // 0.9 counts (>=), 0.7 and 0.4 do not
  assertEquals(confidentShareOf(probabilities), {
    share: 0.5,
    confident: 2,
    count: 4,
    perClass: [1, 0, 1],
  });
  assertEquals(confidentShareOf(probabilities, 0.4).perClass, [2, 1, 1]);
  assertEquals(confidentShareOf(probabilities, 1).confident, 0);
});

Deno.test("confidentShareOf() rejects a bad threshold or an empty matrix", () => {
  const one = { rows: 1, cols: 2, data: Float64Array.from([0.5, 0.5]) };
  throws(() => confidentShareOf(one, 1.5), /threshold must be in \(0, 1\], got 1.5/);
  throws(() => confidentShareOf(one, NaN), /threshold must be in \(0, 1\], got NaN/);
  throws(
    () => confidentShareOf({ rows: 0, cols: 10, data: new Float64Array(0) }),
    /non-empty \[n, classes\] matrix, got 0x10/,
  );
});

Deno.test("confidentShare() recognises real digits and not blends of two digits", async () => {
  const extractor = await featureExtractor();
  const digits = await loadMnist({ split: "test", size: 600 });
  const [first, second] = [digits.images.slice(0, 300), digits.images.slice(300, 300)];
  const real = await confidentShare(first, { extractor });
  assert(real.share > 0.9, `real digits: ${real.share}`);
  assert(real.perClass.every((n) => n > 0), `every class recognised: ${real.perClass}`);
  // half of one digit on top of half of another: the ambiguous strokes of a poor generator
  const blends = tf.tidy(() => first.add(second).div(2));
  const judged = await confidentShare(blends, { extractor });
  assert(judged.share < real.share - 0.3, `blends: ${judged.share}, real: ${real.share}`);
  await rejects(confidentShare(blends, { extractor, threshold: 0 }), /threshold must be/);
  tf.dispose([first, second, blends]);
  digits.dispose();
});
