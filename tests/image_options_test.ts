import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { initBackend } from "../lib/backend.ts";
import { adamPair, createDcgan, createLsgan } from "@course/lib/variants";

await initBackend({ backend: "wasm" });

const tiny = { width: 0.0625, latentDim: 8, seed: 1 };
const rate = (o: { getConfig(): Record<string, unknown> }) => o.getConfig().learningRate;

Deno.test("adamPair() defaults to the DCGAN paper's Adam 2e-4, beta1 0.5 for both models", () => {
  const { generator, discriminator } = adamPair();
  assertEquals([rate(generator), rate(discriminator)], [2e-4, 2e-4]);
  assertEquals(generator.getConfig().beta1, 0.5);
  assertEquals(discriminator.getConfig().beta2, 0.999);
  generator.dispose();
  discriminator.dispose();
});

Deno.test("adamPair() lets each model's learning rate override the shared one", () => {
  const { generator, discriminator } = adamPair({
    learningRate: 5e-4,
    discriminatorLearningRate: 1e-3,
    beta1: 0.9,
  });
  assertEquals([rate(generator), rate(discriminator)], [5e-4, 1e-3]);
  assertEquals(discriminator.getConfig().beta1, 0.9);
  generator.dispose();
  discriminator.dispose();
});

Deno.test("adamPair() rejects a non-positive learning rate and a beta1 outside [0, 1)", () => {
  throws(() => adamPair({ generatorLearningRate: 0 }), /generator learning rate must be positive/);
  throws(() => adamPair({ learningRate: -1 }), /learning rate must be positive, got -1/);
  throws(() => adamPair({ beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
});

Deno.test("createDcgan() and createLsgan() keep Adam 2e-4 and a D without dropout by default", () => {
  for (const variant of [createDcgan(tiny), createLsgan(tiny)]) {
    assertEquals(rate(variant.optimizers.generator), 2e-4);
    assertEquals(rate(variant.optimizers.discriminator), 2e-4);
    const d = variant.models.discriminator;
    assert(!d.layers.some((l) => l.getClassName() === "Dropout"), `${variant.name} has dropout`);
    variant.dispose();
  }
});

Deno.test("createDcgan() passes learning rates and D's dropout to its optimizers and model", () => {
  const variant = createDcgan({
    ...tiny,
    learningRate: 5e-4,
    generatorLearningRate: 1e-3,
    dropout: 0.3,
  });
  assertEquals(rate(variant.optimizers.generator), 1e-3);
  assertEquals(rate(variant.optimizers.discriminator), 5e-4);
  const rates = variant.models.discriminator.layers
    .filter((l) => l.getClassName() === "Dropout")
    .map((l) => l.getConfig().rate);
  assertEquals(rates, [0.3, 0.3]);
  variant.dispose();
});

Deno.test("createLsgan() passes its learning rate to both optimizers", () => {
  const variant = createLsgan({ ...tiny, learningRate: 1e-3 });
  assertEquals([rate(variant.optimizers.generator), rate(variant.optimizers.discriminator)], [
    1e-3,
    1e-3,
  ]);
  variant.dispose();
});
