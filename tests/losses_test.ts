import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
  noLeak,
  value,
} from "./models_losses_helpers.ts";
import { initBackend } from "../lib/backend.ts";
import {
  addInstanceNoise,
  bceWithLogits,
  clipWeights,
  cycleLoss,
  identityLoss,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  LSGAN_PEARSON,
  minimaxGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from "../lib/losses.ts";
import {
  auxiliaryClassLoss,
  discriminatorLoss,
  gradientPenalty,
  nonSaturatingGeneratorLoss,
} from "@course/lib/variants/objectives";
import { buildMlpDiscriminator } from "../lib/models/mlp.ts";

await initBackend();

Deno.test("bceWithLogits() matches -log sigmoid and stays finite at |logit| = 100", () => {
  const logits = tf.tensor1d([-100, -2, 0, 3, 100]);
  const [a, b, c, d, e] = bceWithLogits(logits, 1).dataSync();
  assertAlmostEquals(a, 100, 1e-4);
  assertAlmostEquals(b, Math.log(1 + Math.exp(2)), 1e-5);
  assertAlmostEquals(c, Math.LN2, 1e-6);
  assertAlmostEquals(d, Math.log(1 + Math.exp(-3)), 1e-6);
  assertAlmostEquals(e, 0, 1e-6);
  const [f] = bceWithLogits(tf.tensor1d([100]), 0).dataSync();
  assertAlmostEquals(f, 100, 1e-4);
  tf.dispose(logits);
});

Deno.test("discriminatorLoss() with the optimal D* equals 2 log 2 - 2 JSD(p_data || p_g)", () => {
  // Two distributions on three points; a batch of 4 samples of each, in exact proportions.
  const p = [0.5, 0.25, 0.25];
  const q = [0.25, 0.25, 0.5];
  const realPoints = [0, 0, 1, 2];
  const fakePoints = [0, 1, 2, 2];
  // D*(x) = p/(p+q), so its logit is log(D*/(1-D*)) = log(p/q)
  const logitOf = (i: number) => Math.log(p[i] / q[i]);
  const m = p.map((pi, i) => (pi + q[i]) / 2);
  const kl = (a: number[]) => a.reduce((s, ai, i) => s + ai * Math.log(ai / m[i]), 0);
  const jsd = 0.5 * kl(p) + 0.5 * kl(q);
  const dLoss = noLeak(() => {
    const real = tf.tensor2d(realPoints.map(logitOf), [4, 1]);
    const fake = tf.tensor2d(fakePoints.map(logitOf), [4, 1]);
    const loss = value(discriminatorLoss(real, fake));
    tf.dispose([real, fake]);
    return loss;
  });
  // V(G, D*) = -dLoss = 2 JSD - 2 log 2
  assertAlmostEquals(dLoss, 2 * Math.LN2 - 2 * jsd, 1e-5);
  // by hand: KL(p || m) = 0.5 ln(0.5/0.375) + 0.25 ln(0.25/0.375) = 0.04248 = KL(q || m)
  assertAlmostEquals(jsd, 0.04248, 1e-5);
  // and any other discriminator does worse
  for (const shift of [-0.3, 0.3]) {
    const real = tf.tensor2d(realPoints.map((i) => logitOf(i) + shift), [4, 1]);
    const fake = tf.tensor2d(fakePoints.map((i) => logitOf(i) + shift), [4, 1]);
    assert(value(discriminatorLoss(real, fake)) > dLoss + 1e-4);
    tf.dispose([real, fake]);
  }
});

Deno.test("discriminatorLoss() smooths the real label and flips labels when asked", () => {
  const real = tf.tensor2d([[2]]);
  const fake = tf.tensor2d([[-2]]);
  const softplus = (x: number) => Math.log1p(Math.exp(x));
  // real target 0.9: 0.9 * softplus(-2) + 0.1 * softplus(2); fake: softplus(-2)
  const expected = 0.9 * softplus(-2) + 0.1 * softplus(2) + softplus(-2);
  assertAlmostEquals(value(discriminatorLoss(real, fake, { realLabel: 0.9 })), expected, 1e-5);
  // flipping every label swaps the targets: softplus(2) twice
  const flipped = value(discriminatorLoss(real, fake, { flipProbability: 1, seed: 3 }));
  assertAlmostEquals(flipped, 2 * softplus(2), 1e-5);
  assertThrows(
    () => discriminatorLoss(real, fake, { flipProbability: 2 }),
    "flipProbability",
  );
  tf.dispose([real, fake]);
});

Deno.test("minimaxGeneratorLoss() saturates where nonSaturatingGeneratorLoss() does not", () => {
  const x = tf.tensor1d([-6]);
  assertAlmostEquals(value(nonSaturatingGeneratorLoss(x)), Math.log1p(Math.exp(6)), 1e-5);
  assertAlmostEquals(value(minimaxGeneratorLoss(x)), -Math.log1p(Math.exp(-6)), 1e-6);
  // d/dx: non-saturating -sigmoid(-x) ~ -1; minimax -sigmoid(x) ~ -0.0025
  const gNs = value(tf.grad((t: tf.Tensor) => nonSaturatingGeneratorLoss(t))(x));
  const gMm = value(tf.grad((t: tf.Tensor) => minimaxGeneratorLoss(t))(x));
  assertAlmostEquals(gNs, -1 / (1 + Math.exp(-6)), 1e-5);
  assertAlmostEquals(gMm, -1 / (1 + Math.exp(6)), 1e-6);
  x.dispose();
});

Deno.test("leastSquares losses follow the 0-1 and the Pearson codings", () => {
  const real = tf.tensor1d([0.5, 1.5]);
  const fake = tf.tensor1d([0.2, -0.4]);
  // 0-1 coding: 0.5 * mean((r-1)^2) + 0.5 * mean(f^2) = 0.5*0.25 + 0.5*0.1
  assertAlmostEquals(value(leastSquaresDiscriminatorLoss(real, fake)), 0.125 + 0.05, 1e-6);
  // 0.5 * mean((f-1)^2) = 0.5 * (0.64 + 1.96) / 2
  assertAlmostEquals(value(leastSquaresGeneratorLoss(fake)), 0.65, 1e-6);
  // a=-1, b=1, c=0: 0.5*0.25 + 0.5*mean(1.44, 0.36)
  assertAlmostEquals(
    value(leastSquaresDiscriminatorLoss(real, fake, LSGAN_PEARSON)),
    0.125 + 0.45,
    1e-6,
  );
  assertAlmostEquals(value(leastSquaresGeneratorLoss(fake, LSGAN_PEARSON)), 0.05, 1e-6);
  tf.dispose([real, fake]);
});

Deno.test("wasserstein losses are differences of mean scores", () => {
  const real = tf.tensor2d([[3], [1]]);
  const fake = tf.tensor2d([[-1], [0.5]]);
  assertAlmostEquals(value(wassersteinCriticLoss(real, fake)), -0.25 - 2, 1e-6);
  assertAlmostEquals(value(wassersteinGeneratorLoss(fake)), 0.25, 1e-6);
  tf.dispose([real, fake]);
});

Deno.test("clipWeights() bounds every trainable weight and keeps the ones inside", () => {
  const critic = buildMlpDiscriminator({ hidden: [8], seed: 4 });
  critic.setWeights(
    critic.getWeights().map((w) =>
      tf.tidy(() => w.mul(0).add(tf.linspace(-1, 1, w.size).reshape(w.shape)))
    ),
  );
  noLeak(() => clipWeights(critic, 0.01));
  for (const w of critic.getWeights()) {
    const values = Array.from(w.dataSync());
    assert(values.every((v) => Math.abs(v) <= 0.01 + 1e-7));
    if (w.size > 200) {
      // the linspace hits values inside the bound exactly: they are kept
      const inside = tf.tidy(() => tf.linspace(-1, 1, w.size).dataSync()).filter((v) =>
        Math.abs(v) < 0.01
      );
      assert(inside.length > 0 && inside.every((v) => values.includes(v)));
    }
  }
  assertThrows(() => clipWeights(critic, 0), "positive");
  critic.dispose();
});

Deno.test("gradientPenalty() is zero for a critic with unit-norm gradients", () => {
  const w = tf.tensor2d([[0.6], [0], [0.8]]);
  const critic = (x: tf.Tensor) => x.matMul(w);
  const real = tf.randomNormal([6, 3], 0, 1, "float32", 1);
  const fake = tf.randomNormal([6, 3], 0, 1, "float32", 2);
  const gp = noLeak(() => value(gradientPenalty(critic, real, fake, { seed: 5 })));
  assertAlmostEquals(gp, 0, 1e-8);
  tf.dispose([w, real, fake]);
});

Deno.test("gradientPenalty() matches central finite differences on an MLP critic", () => {
  const critic = buildMlpDiscriminator({ hidden: [16, 16], activation: "tanh", seed: 7 });
  const real = tf.randomNormal([4, 2], 0, 1, "float32", 11);
  const fake = tf.randomNormal([4, 2], 0, 1, "float32", 12);
  const alpha = tf.tensor1d([0.1, 0.4, 0.7, 1]);
  const gp = noLeak(() => value(gradientPenalty(critic, real, fake, { alpha, lambda: 10 })));
  // by hand: x_hat per sample, gradient by central differences, then 10 * mean((||g|| - 1)^2)
  const r = real.arraySync() as number[][];
  const f = fake.arraySync() as number[][];
  const a = alpha.arraySync();
  const score = (x: number[]) =>
    tf.tidy(() => (critic.predict(tf.tensor2d([x])) as tf.Tensor).dataSync()[0]);
  const h = 1e-2;
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    const xHat = r[i].map((v, k) => a[i] * v + (1 - a[i]) * f[i][k]);
    const grad = xHat.map((_, k) => {
      const up = xHat.slice();
      const down = xHat.slice();
      up[k] += h;
      down[k] -= h;
      return (score(up) - score(down)) / (2 * h);
    });
    sum += (Math.hypot(...grad) - 1) ** 2;
  }
  assertAlmostEquals(gp, (10 * sum) / 4, 1e-3 * Math.max(1, gp));
  tf.dispose([real, fake, alpha]);
  critic.dispose();
});

Deno.test("gradientPenalty() differentiates through the critic's weights (double backprop)", () => {
  // f(x) = x . w has penalty lambda (||w|| - 1)^2, whose gradient is 2 lambda (||w|| - 1) w / ||w||
  const w = tf.variable(tf.tensor2d([[3], [4]]));
  const real = tf.randomNormal([5, 2], 0, 1, "float32", 1);
  const fake = tf.randomNormal([5, 2], 0, 1, "float32", 2);
  const before = tf.memory().numTensors;
  const { value: gp, grads } = tf.variableGrads(
    () => gradientPenalty((x) => x.matMul(w), real, fake, { seed: 3 }),
    [w],
  );
  assertAlmostEquals(gp.dataSync()[0], 10 * 16, 1e-3);
  const g = Array.from(grads[w.name].dataSync());
  assertAlmostEquals(g[0], 2 * 10 * 4 * 0.6, 1e-3);
  assertAlmostEquals(g[1], 2 * 10 * 4 * 0.8, 1e-3);
  tf.dispose([gp, grads[w.name]]);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([w, real, fake]);
});

Deno.test("gradientPenalty() is finite at zero gradient norm and repeatable with a seed", () => {
  const w = tf.variable(tf.zeros([2, 1]));
  const real = tf.ones([3, 2]);
  const fake = tf.zeros([3, 2]);
  const { value: gp, grads } = tf.variableGrads(
    () => gradientPenalty((x) => x.matMul(w), real, fake, { seed: 1 }),
    [w],
  );
  assertAlmostEquals(gp.dataSync()[0], 10, 1e-4); // (0 - 1)^2 * lambda
  assert(Array.from(grads[w.name].dataSync()).every(Number.isFinite));
  tf.dispose([gp, grads[w.name]]);
  const critic = buildMlpDiscriminator({ hidden: [8], seed: 2 });
  const x1 = tf.randomNormal([4, 2], 0, 1, "float32", 8);
  const once = value(
    gradientPenalty(critic, x1, real.slice(0, 3).pad([[0, 1], [0, 0]]), { seed: 9 }),
  );
  const twice = value(
    gradientPenalty(critic, x1, real.slice(0, 3).pad([[0, 1], [0, 0]]), { seed: 9 }),
  );
  assertEquals(once, twice);
  assertThrows(() => gradientPenalty(critic, x1, real), "same shape");
  tf.dispose([w, real, fake, x1]);
  critic.dispose();
});

Deno.test("cycleLoss() and identityLoss() are weighted mean absolute errors", () => {
  const x = tf.tensor2d([[1, -1], [0.5, 0]]);
  const y = tf.tensor2d([[0.5, -1], [0.5, 1]]);
  // mean |x - y| = (0.5 + 0 + 0 + 1) / 4 = 0.375
  assertAlmostEquals(value(cycleLoss(x, y)), 3.75, 1e-6);
  assertAlmostEquals(value(identityLoss(x, y)), 1.875, 1e-6);
  assertAlmostEquals(value(cycleLoss(x, y, 1)), 0.375, 1e-6);
  tf.dispose([x, y]);
});

Deno.test("auxiliaryClassLoss() weights softmax groups and handles multi-label tags", () => {
  const hair = tf.tensor2d([[2, 0, 0]]);
  const eyes = tf.tensor2d([[0, 1]]);
  const hairTags = tf.tensor2d([[1, 0, 0]]);
  const eyeTags = tf.tensor2d([[1, 0]]);
  const ceHair = -(2 - Math.log(Math.exp(2) + 2));
  const ceEyes = -(0 - Math.log(1 + Math.E));
  const loss = noLeak(() =>
    value(auxiliaryClassLoss([hair, eyes], [hairTags, eyeTags], { weights: [0.3, 0.35] }))
  );
  assertAlmostEquals(loss, 0.3 * ceHair + 0.35 * ceEyes, 1e-5);
  // multi-label: mean of per-tag BCE; logits [2, 0, 0] against [1, 0, 0]
  const softplus = (x: number) => Math.log1p(Math.exp(x));
  assertAlmostEquals(
    value(auxiliaryClassLoss(hair, hairTags, { multiLabel: true })),
    (softplus(-2) + 2 * softplus(0)) / 3,
    1e-5,
  );
  assertThrows(() => auxiliaryClassLoss([hair, eyes], [hairTags]), "must match");
  assertThrows(() => auxiliaryClassLoss(hair, eyeTags), "differ");
  tf.dispose([hair, eyes, hairTags, eyeTags]);
});

Deno.test("addInstanceNoise() decays linearly to no noise", () => {
  const x = tf.zeros([4000]);
  const std = (t: tf.Tensor) => {
    const s = tf.tidy(() => tf.moments(t).variance.sqrt().dataSync()[0]);
    t.dispose();
    return s;
  };
  assertAlmostEquals(std(addInstanceNoise(x, { initialStddev: 0.2, seed: 1 })), 0.2, 0.01);
  assertAlmostEquals(
    std(addInstanceNoise(x, { initialStddev: 0.2, step: 750, decaySteps: 1000, seed: 1 })),
    0.05,
    0.005,
  );
  assertEquals(std(addInstanceNoise(x, { step: 1000, decaySteps: 1000 })), 0);
  x.dispose();
});

Deno.test("bceWithLogits(), cycleLoss() and identityLoss() refuse [4, 1] against [4] instead of broadcasting", () => {
  const column = tf.zeros([4, 1]);
  const flat = tf.ones([4]);
  assertThrows(
    () => bceWithLogits(column, flat),
    "Cannot compute bceWithLogits: logits [4,1] and targets [4] must have the same shape",
  );
  assertThrows(() => cycleLoss(column, flat), "Cannot compute cycleLoss: realImages [4,1]");
  assertThrows(() => identityLoss(flat, column), "Cannot compute identityLoss: realImages [4]");
  // A scalar target and same-shaped tensors still work.
  assert(Number.isFinite(value(bceWithLogits(column, 1).sum())));
  assertEquals(value(cycleLoss(column, column)), 0);
  tf.dispose([column, flat]);
});
