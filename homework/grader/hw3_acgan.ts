/**
 * Hidden tests of hw3_acgan: the ACGAN discriminator and generator losses with per-group weights
 * against float64 references, a short conditional training run on small multi-tag images that must
 * make the generator follow the background tag, and the report's Markdown cells.
 *
 * The student's code runs in a sandboxed child (`hw3_probe.ts` says what it runs and reports);
 * this module judges the reports in the grading process, which the child cannot read.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { colourTagAccuracy } from "@course/metrics/colour_tags.ts";
import {
  asNumber,
  asNumbers,
  type Assignment,
  type CheckOutcome,
  close,
  judged,
  type Observations,
  verdict,
} from "./check.ts";
import {
  crossEntropy64,
  judgeTrainedGenerator,
  leakCheck,
  mean64,
  sigmoid64,
  softplus64,
} from "./fixtures.ts";
import {
  type Case,
  FAKE,
  FAKE_TAGS,
  HW3_TRAINING,
  oneHots,
  REAL,
  REAL_TAGS,
  tinyAcgan,
  WEIGHT_CASES,
} from "./hw3_probe.ts";

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

function judgeDiscriminatorLoss(obs: Observations): CheckOutcome[] {
  const values = WEIGHT_CASES.map((w, i) =>
    judged(`value with weights [${w}]`, obs, `value${i}`, (v) => {
      const outcome = close(asNumber(v), dLoss64(w));
      if (!outcome.passed && w[0] === 0) {
        outcome.detail += " (with weight 0 on the adversarial term only the tag losses of the " +
          "real images remain: D gets no tag loss on fakes)";
      }
      return outcome;
    })
  );
  return [
    ...values,
    judged("no tag gradient from the fakes' class logits", obs, "fakeTagGradient", (v) => {
      const grads = asNumbers(v, 2);
      return verdict(
        values[0].passed && grads.every((g) => g === 0),
        `largest gradient on the fake images' tag logits: ${
          grads.map((g) => g.toPrecision(3))
        }; the discriminator's tag loss uses the real images only`,
      );
    }),
    leakCheck(obs, values[0].passed, "call"),
  ];
}

function judgeGeneratorLoss(obs: Observations): CheckOutcome[] {
  const values = WEIGHT_CASES.map((w, i) =>
    judged(`value with weights [${w}]`, obs, `value${i}`, (v) => close(asNumber(v), gLoss64(w)))
  );
  return [
    ...values,
    judged(
      "non-saturating adversarial term (gradient at logit -8)",
      obs,
      "gradient",
      (v) => close(asNumber(v), -(1 - sigmoid64(-8)) / 3),
    ),
    leakCheck(obs, values[0].passed, "call"),
  ];
}

function judgeTraining(obs: Observations): CheckOutcome[] {
  const { steps, latentDim } = HW3_TRAINING;
  const { generator, discriminator } = tinyAcgan(latentDim);
  discriminator.dispose();
  // Generate every (ink, background) pair twice and read the colours back from the pixels.
  const askInk = Array.from({ length: 96 }, (_, i) => Math.floor(i / 6) % 8);
  const askBg = Array.from({ length: 96 }, (_, i) => i % 6);
  const inputs = tf.tidy(() => [
    tf.randomNormal([96, latentDim], 0, 1, "float32", 777),
    tf.concat(oneHots({ ink: askInk, background: askBg }), 1),
  ]);
  const accuracy = () => {
    const generated = generator.predict(inputs) as tf.Tensor4D;
    const result = colourTagAccuracy(generated, { ink: askInk, background: askBg }, { border: 1 });
    generated.dispose();
    return result;
  };
  try {
    return judgeTrainedGenerator(obs, {
      generator,
      finiteName: `losses stay finite for ${steps} steps`,
      qualityName: `after ${steps} steps G paints the background it is asked for`,
      measure: () => accuracy().background,
      quality() {
        const { background, ink } = accuracy();
        return {
          passed: background >= 0.5,
          detail: `background colour read from the pixels matches the tag for ${
            (100 * background).toFixed(0)
          }% of 96 generated images (chance 17%, needed 50%); ink ${
            (100 * ink).toFixed(0)
          }% (not graded: 7x7 images blur the strokes)`,
        };
      },
    });
  } finally {
    tf.dispose(inputs);
    generator.dispose();
  }
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
      judge: judgeDiscriminatorLoss,
    },
    {
      id: "generatorLoss",
      title: "acganGeneratorLoss: non-saturating + weighted tag losses on the asked tags",
      points: 4,
      cells: ["acganLosses"],
      timeoutS: 30,
      judge: judgeGeneratorLoss,
    },
    {
      id: "training",
      title: "a 300-step ACGAN with your losses follows the background tag",
      points: 3,
      cells: ["acganLosses"],
      timeoutS: 90,
      judge: judgeTraining,
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
