import * as tf from "@tensorflow/tfjs";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { buildReference, dcganStep, wganGpCriticStep } from "../bench/dcgan_reference.ts";

await initBackend({ backend: "wasm" });

Deno.test("bench reference: DCGAN and WGAN-GP steps train on wasm without leaking tensors", () => {
  const ref = buildReference({ width: 0.125, batchSize: 2 });
  dcganStep(ref);
  wganGpCriticStep(ref); // first calls create the optimizers' slots
  const before = tf.memory().numTensors;
  const [dLoss, gLoss] = dcganStep(ref);
  const criticLoss = wganGpCriticStep(ref);
  assertEquals(tf.memory().numTensors, before);
  assert([dLoss, gLoss, criticLoss].every(Number.isFinite), `${dLoss} ${gLoss} ${criticLoss}`);
  ref.dispose();
});

Deno.test("bench reference: the tutorial step costs about 37 GFLOP", () => {
  const ref = buildReference();
  // Generator 6.6 GFLOP forward, discriminator 1.3: see the accounting in bench/dcgan_reference.ts.
  assert(Math.abs(ref.dcganStepFlops / 1e9 - 36.9) < 0.1, `${ref.dcganStepFlops / 1e9}`);
  ref.dispose();
});
