import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { gridModes, ringModes, sampleGrid, sampleRing } from "../lib/data/toy.ts";
import { seededRandom } from "../lib/core/random.ts";
import { modeCoverage } from "../lib/metrics/mode_coverage.ts";

await initBackend();

Deno.test("modeCoverage() of real ring samples: 8 / 8 modes, about 99 % high quality", () => {
  const samples = sampleRing(2500, { seed: 11 });
  const result = modeCoverage(samples, ringModes());
  samples.dispose();
  assertEquals(result.modesCovered, 8);
  assertEquals(result.totalModes, 8);
  assertEquals(result.fractionModes, 1);
  assert(result.highQualityFraction > 0.97, `${result.highQualityFraction}`);
  assertEquals(result.minCount, 20);
  assertEquals(
    result.perMode.reduce((a, b) => a + b, 0),
    Math.round(2500 * result.highQualityFraction),
  );
});

Deno.test("modeCoverage() of real grid samples: 25 / 25 modes", () => {
  const samples = sampleGrid(2500, { seed: 12 });
  const result = modeCoverage(samples, gridModes());
  samples.dispose();
  assertEquals(result.modesCovered, 25);
  assert(result.highQualityFraction > 0.97);
});

Deno.test("modeCoverage() of samples from one mode: 1 / 8 modes, all high quality", () => {
  // A collapsed generator: every sample near the mode at (0, 2).
  const random = seededRandom(3);
  const collapsed = Array.from(
    { length: 1000 },
    () => [0.02 * random.normal(), 2 + 0.02 * random.normal()],
  );
  const result = modeCoverage(collapsed, ringModes());
  assertEquals(result.modesCovered, 1);
  assertEquals(result.fractionModes, 1 / 8);
  assertEquals(result.covered, [false, false, true, false, false, false, false, false]);
  assert(result.highQualityFraction > 0.97);
});

Deno.test("modeCoverage() of uniform noise: few high-quality samples, no mode covered", () => {
  const noise = tf.randomUniform([2500, 2], -3, 3, "float32", 5) as tf.Tensor2D;
  const result = modeCoverage(noise, ringModes());
  noise.dispose();
  // 8 discs of radius 0.06 cover 0.25 % of the 6 x 6 square.
  assert(result.highQualityFraction < 0.01, `${result.highQualityFraction}`);
  assertEquals(result.modesCovered, 0);
});

Deno.test("modeCoverage() ignores NaN samples and honours stdThreshold and minCount", () => {
  const result = modeCoverage([[NaN, NaN], [2, 0], [2.1, 0]], ringModes(), { minCount: 1 });
  assertEquals(result.perMode[0], 1);
  assertEquals(result.highQualityFraction, 1 / 3);
  const loose = modeCoverage([[2.1, 0]], ringModes(), { stdThreshold: 6 });
  assertEquals(loose.modesCovered, 1);
});

Deno.test("modeCoverage() rejects mismatched dimensions and bad options", () => {
  throws(
    () => modeCoverage([[1, 2, 3]], ringModes()),
    /samples have 3 dimensions but the modes have 2/,
  );
  throws(() => modeCoverage([[1, 2]], { centres: [], std: 1 }), /non-empty/);
  throws(
    () => modeCoverage([[1, 2]], ringModes(), { minCount: 0 }),
    /minCount must be a positive integer/,
  );
});
