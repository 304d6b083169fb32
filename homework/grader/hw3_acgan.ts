/**
 * Hidden tests of hw3_acgan: the ACGAN discriminator and generator losses with per-group weights
 * against float64 references, a short conditional training run on small multi-tag images that must
 * make the generator follow the background tag, and the report's Markdown cells.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BACKGROUND_COLOURS, INK_COLOURS, loadMultiTag } from "@course/data/multi_tag.ts";
import { tfSeed } from "@course/data/random.ts";
import { colourTagAccuracy } from "@course/metrics/colour_tags.ts";
import {
  type Assignment,
  attempt,
  type CheckOutcome,
  close,
  studentFunction,
  type StudentModule,
  verdict,
} from "./check.ts";
import {
  crossEntropy64,
  leakedTensors,
  leakVerdict,
  mean64,
  scalarValue,
  sigmoid64,
  softplus64,
} from "./fixtures.ts";

type DLoss = (
  realOutputs: tf.Tensor[],
  fakeOutputs: tf.Tensor[],
  realTags: tf.Tensor[],
  weights: number[],
) => tf.Scalar;
type GLoss = (fakeOutputs: tf.Tensor[], fakeTags: tf.Tensor[], weights: number[]) => tf.Scalar;

/** A fixed batch of 3: real/fake logits, ink logits (8 classes), background logits (6 classes). */
interface Case {
  adversarial: number[];
  ink: number[][];
  background: number[][];
}

const REAL: Case = {
  adversarial: [1.5, -0.5, 3],
  ink: [[2, 0, -1, 0.5, 0, 0, 1, -2], [0, 0, 0, 0, 0, 0, 0, 0], [-1, 3, 0, 0, 2, 0, 0, 1]],
  background: [[1, 0, 0, 0, 0, -1], [0.5, 2, -1, 0, 0, 0], [0, 0, 0, 4, 0, 0]],
};
const FAKE: Case = {
  adversarial: [-2, 0.5, -8],
  ink: [[0, 1, 0, 0, 0, 0, 0, 0], [3, 0, 0, -2, 0, 0, 0, 1], [0, 0, 0, 0, 0, 2, 0, 0]],
  background: [[0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 3, 0], [-1, 0, 0, 0, 0, 2]],
};
const REAL_TAGS = { ink: [0, 5, 1], background: [0, 1, 3] };
const FAKE_TAGS = { ink: [1, 0, 7], background: [2, 4, 5] };

function outputs(c: Case): tf.Tensor[] {
  return [tf.tensor2d(c.adversarial, [3, 1]), tf.tensor2d(c.ink), tf.tensor2d(c.background)];
}

function oneHots(tags: { ink: number[]; background: number[] }): tf.Tensor[] {
  return [
    tf.oneHot(tags.ink, INK_COLOURS.length).toFloat(),
    tf.oneHot(tags.background, BACKGROUND_COLOURS.length).toFloat(),
  ];
}

function tagLoss64(c: Case, tags: { ink: number[]; background: number[] }): [number, number] {
  return [
    mean64(c.ink.map((row, i) => crossEntropy64(row, tags.ink[i]))),
    mean64(c.background.map((row, i) => crossEntropy64(row, tags.background[i]))),
  ];
}

function dLoss64(w: number[]): number {
  const adversarial = mean64(REAL.adversarial.map((x) => softplus64(-x))) +
    mean64(FAKE.adversarial.map(softplus64));
  const [ink, background] = tagLoss64(REAL, REAL_TAGS);
  return w[0] * adversarial + w[1] * ink + w[2] * background;
}

function gLoss64(w: number[]): number {
  const adversarial = mean64(FAKE.adversarial.map((x) => softplus64(-x)));
  const [ink, background] = tagLoss64(FAKE, FAKE_TAGS);
  return w[0] * adversarial + w[1] * ink + w[2] * background;
}

const WEIGHT_CASES = [[1, 0.3, 0.35], [1, 0, 0], [0, 1, 0], [0, 0, 2]];

async function checkDiscriminatorLoss(student: StudentModule): Promise<CheckOutcome[]> {
  const loss = studentFunction<DLoss>(student, "acganDiscriminatorLoss");
  const value = (w: number[]) =>
    tf.tidy(() =>
      scalarValue(
        loss(outputs(REAL), outputs(FAKE), oneHots(REAL_TAGS), w),
        "acganDiscriminatorLoss",
      )
    );
  const outcomes: CheckOutcome[] = [];
  for (const w of WEIGHT_CASES) {
    outcomes.push(
      await attempt(`value with weights [${w}]`, () => {
        const outcome = close(value(w), dLoss64(w));
        if (!outcome.passed && w[0] === 0) {
          outcome.detail += " (with weight 0 on the adversarial term only the tag losses of the " +
            "real images remain: D gets no tag loss on fakes)";
        }
        return outcome;
      }),
    );
  }
  outcomes.push(
    await attempt("no tag gradient from the fakes' class logits", () => {
      const grads = tf.tidy(() => {
        const fake = outputs(FAKE);
        const g = tf.grads((ink: tf.Tensor, bg: tf.Tensor) =>
          loss(outputs(REAL), [fake[0], ink, bg], oneHots(REAL_TAGS), [1, 0.3, 0.35])
            // + 0 * logits, so the gradient exists (and is 0) when the loss ignores them
            .add(ink.sum().add(bg.sum()).mul(0))
        )([fake[1], fake[2]]);
        return g.map((t) => t.abs().max().dataSync()[0]);
      });
      return verdict(
        grads.every((g) => g === 0),
        `largest gradient on the fake images' tag logits: ${grads.map((g) => g.toPrecision(3))}; ` +
          `the discriminator's tag loss uses the real images only`,
      );
    }),
  );
  outcomes.push(
    await attempt("no tensors leaked", () => {
      const args = [outputs(REAL), outputs(FAKE), oneHots(REAL_TAGS)] as const;
      const leaked = leakedTensors(() => loss(args[0], args[1], args[2], [1, 0.3, 0.35]));
      tf.dispose(args.flat());
      return leakVerdict(leaked, "call");
    }),
  );
  return outcomes;
}

async function checkGeneratorLoss(student: StudentModule): Promise<CheckOutcome[]> {
  const loss = studentFunction<GLoss>(student, "acganGeneratorLoss");
  const value = (w: number[]) =>
    tf.tidy(() => scalarValue(loss(outputs(FAKE), oneHots(FAKE_TAGS), w), "acganGeneratorLoss"));
  const outcomes: CheckOutcome[] = [];
  for (const w of WEIGHT_CASES) {
    outcomes.push(await attempt(`value with weights [${w}]`, () => close(value(w), gLoss64(w))));
  }
  outcomes.push(
    await attempt("non-saturating adversarial term (gradient at logit -8)", () => {
      const grad = tf.tidy(() => {
        const fake = outputs(FAKE);
        const g = tf.grad((adv: tf.Tensor) =>
          loss([adv, fake[1], fake[2]], oneHots(FAKE_TAGS), [1, 0.3, 0.35])
        )(fake[0]);
        return g.dataSync()[2];
      });
      return close(grad, -(1 - sigmoid64(-8)) / 3);
    }),
  );
  outcomes.push(
    await attempt("no tensors leaked", () => {
      const args = [outputs(FAKE), oneHots(FAKE_TAGS)] as const;
      const leaked = leakedTensors(() => loss(args[0], args[1], [1, 0.3, 0.35]));
      tf.dispose(args.flat());
      return leakVerdict(leaked, "call");
    }),
  );
  return outcomes;
}

/** Small MLP ACGAN models for 7x7 RGB images (fast on the wasm backend). */
function tinyAcgan(latentDim: number) {
  const pixels = 7 * 7 * 3;
  const tagSize = INK_COLOURS.length + BACKGROUND_COLOURS.length;
  const z = tf.input({ shape: [latentDim] });
  const tags = tf.input({ shape: [tagSize] });
  let h = tf.layers.concatenate().apply([z, tags]) as tf.SymbolicTensor;
  h = tf.layers.dense({
    units: 128,
    activation: "relu",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 31 }),
  }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units: pixels,
    activation: "tanh",
    kernelInitializer: tf.initializers.glorotUniform({ seed: 32 }),
  }).apply(h) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [7, 7, 3] }).apply(out) as tf.SymbolicTensor;
  const generator = tf.model({ inputs: [z, tags], outputs: image });
  const x = tf.input({ shape: [7, 7, 3] });
  let f = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  f = tf.layers.dense({
    units: 128,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 33 }),
  }).apply(f) as tf.SymbolicTensor;
  f = tf.layers.leakyReLU({ alpha: 0.2 }).apply(f) as tf.SymbolicTensor;
  const heads = [1, INK_COLOURS.length, BACKGROUND_COLOURS.length].map((units, i) =>
    tf.layers.dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed: 34 + i }) })
      .apply(f) as tf.SymbolicTensor
  );
  const discriminator = tf.model({ inputs: x, outputs: heads });
  return { generator, discriminator };
}

async function checkTraining(student: StudentModule): Promise<CheckOutcome[]> {
  const dLoss = studentFunction<DLoss>(student, "acganDiscriminatorLoss");
  const gLoss = studentFunction<GLoss>(student, "acganGeneratorLoss");
  const steps = 300;
  const batchSize = 48;
  const latentDim = 16;
  const weights = [1, 1, 1];
  const data = await loadMultiTag({ size: 480, seed: 3 });
  // [480, 28, 28, 3] -> [480, 7, 7, 3]: 4x4 average pooling keeps the colours
  const images = tf.tidy(() => tf.avgPool(data.images, 4, 4, "valid") as tf.Tensor4D);
  const inkLabels = Array.from(data.groups[0].labels.dataSync());
  const bgLabels = Array.from(data.groups[1].labels.dataSync());
  const { generator, discriminator } = tinyAcgan(latentDim);
  const gVars = generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const gOptimizer = tf.train.adam(2e-3, 0.5);
  const dOptimizer = tf.train.adam(2e-3, 0.5);
  const tagsOf = (ink: number[], bg: number[]) => oneHots({ ink, background: bg });
  let finite = true;
  for (let step = 0; step < steps && finite; step++) {
    const start = (step * batchSize) % data.count;
    const losses = tf.tidy(() => {
      const real = images.slice([start, 0, 0, 0], [batchSize, 7, 7, 3]);
      const realTags = tagsOf(
        inkLabels.slice(start, start + batchSize),
        bgLabels.slice(start, start + batchSize),
      );
      const fakeInk = Array.from({ length: batchSize }, (_, i) => (i * 5 + step) % 8);
      const fakeBg = Array.from({ length: batchSize }, (_, i) => (i * 7 + step) % 6);
      const fakeTags = tagsOf(fakeInk, fakeBg);
      const z = tf.randomNormal([batchSize, latentDim], 0, 1, "float32", tfSeed(step));
      const fakeInput = [z, tf.concat(fakeTags, 1)];
      const fake = generator.apply(fakeInput) as tf.Tensor;
      const d = dOptimizer.minimize(
        () =>
          dLoss(
            discriminator.apply(real) as tf.Tensor[],
            discriminator.apply(fake) as tf.Tensor[],
            realTags,
            weights,
          ),
        true,
        dVars,
      )!;
      const g = gOptimizer.minimize(
        () =>
          gLoss(
            discriminator.apply(generator.apply(fakeInput) as tf.Tensor) as tf.Tensor[],
            fakeTags,
            weights,
          ),
        true,
        gVars,
      )!;
      return [d.dataSync()[0], g.dataSync()[0]];
    });
    finite = losses.every(Number.isFinite);
  }
  // Generate every (ink, background) pair twice and read the colours back from the pixels.
  const askInk = Array.from({ length: 96 }, (_, i) => Math.floor(i / 6) % 8);
  const askBg = Array.from({ length: 96 }, (_, i) => i % 6);
  const generated = tf.tidy(() =>
    generator.predict([
      tf.randomNormal([96, latentDim], 0, 1, "float32", 777),
      tf.concat(tagsOf(askInk, askBg), 1),
    ]) as tf.Tensor4D
  );
  const accuracy = colourTagAccuracy(generated, { ink: askInk, background: askBg }, { border: 1 });
  tf.dispose([generated, images]);
  data.dispose();
  return [
    {
      name: `losses stay finite for ${steps} steps`,
      passed: finite,
      detail: finite ? "finite" : "got NaN or infinity",
    },
    {
      name: `after ${steps} steps G paints the background it is asked for`,
      passed: finite && accuracy.background >= 0.5,
      detail: `background colour read from the pixels matches the tag for ${
        (100 * accuracy.background).toFixed(0)
      }% of 96 generated images (chance 17%, needed 50%); ink ${
        (100 * accuracy.ink).toFixed(0)
      }% (not graded: 7x7 images blur the strokes)`,
    },
  ];
}

/** Words of a report cell, leaving out lines with TODO (the prompts) and table rows. */
function ownWords(text: string): number {
  return text.split("\n")
    .filter((line) => !/TODO/.test(line) && !line.trim().startsWith("|"))
    .join(" ")
    .split(/\s+/)
    .filter((w) => /[A-Za-z\u00C0-\uFFFF0-9]/.test(w)).length;
}

function checkProse(id: string, what: string, minWords: number) {
  return (report: Map<string, string>): CheckOutcome[] => {
    const text = report.get(id);
    if (text === undefined) {
      return [{
        name: `${what} cell`,
        passed: false,
        detail: `no Markdown cell starts with "<!-- @report: ${id} -->": keep the marker line`,
      }];
    }
    const words = ownWords(text);
    return [
      {
        name: `${what}: the TODO prompt is replaced`,
        passed: !/TODO/.test(text),
        detail: /TODO/.test(text) ? "the cell still contains TODO" : "done",
      },
      {
        name: `${what}: at least ${minWords} words of your own`,
        passed: words >= minWords,
        detail: `${words} words`,
      },
    ];
  };
}

function checkExperimentTable(report: Map<string, string>): CheckOutcome[] {
  const text = report.get("experiments");
  if (text === undefined) {
    return [{
      name: "experiment table cell",
      passed: false,
      detail: 'no Markdown cell starts with "<!-- @report: experiments -->": keep the marker line',
    }];
  }
  const rows = text.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("|"));
  const cells = (row: string) => row.replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
  const body = rows.filter((r) => !/^\|[\s:|-]+\|?$/.test(r)).slice(1); // minus separator, header
  const filled = body.filter((r) => cells(r).every((c) => c.length > 0) && /\d/.test(r));
  return [
    {
      name: "experiments: the TODO prompt is replaced",
      passed: !/TODO/.test(text),
      detail: /TODO/.test(text) ? "the cell still contains TODO" : "done",
    },
    {
      name: "experiments: a Markdown table with at least 3 filled rows of results",
      passed: filled.length >= 3,
      detail:
        `${filled.length} rows with every column filled and a number (of ${body.length} rows)`,
    },
  ];
}

/** hw3_acgan's items. */
export const HW3_ACGAN: Assignment = {
  id: "hw3_acgan",
  title: "ACGAN with two tag groups, and a report",
  cellNames: { acganLosses: ["acganDiscriminatorLoss", "acganGeneratorLoss"] },
  items: [
    {
      id: "discriminatorLoss",
      title: "acganDiscriminatorLoss: adversarial + weighted tag losses on real images",
      points: 4,
      cells: ["acganLosses"],
      timeoutS: 30,
      check: checkDiscriminatorLoss,
    },
    {
      id: "generatorLoss",
      title: "acganGeneratorLoss: non-saturating + weighted tag losses on the asked tags",
      points: 4,
      cells: ["acganLosses"],
      timeoutS: 30,
      check: checkGeneratorLoss,
    },
    {
      id: "training",
      title: "a 300-step ACGAN with your losses follows the background tag",
      points: 3,
      cells: ["acganLosses"],
      timeoutS: 90,
      check: checkTraining,
    },
    {
      id: "modelDescription",
      title: "report: model description",
      points: 1,
      checkReport: checkProse("modelDescription", "model description", 60),
    },
    {
      id: "improvements",
      title: "report: what improved the results",
      points: 1,
      checkReport: checkProse("improvements", "improvements", 40),
    },
    {
      id: "experiments",
      title: "report: experiment table",
      points: 1,
      checkReport: checkExperimentTable,
    },
  ],
};
