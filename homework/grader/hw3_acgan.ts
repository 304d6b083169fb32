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
import { loadFacesArrays } from "../../lib/data/faces.ts";
import { faceExtractor } from "../../lib/metrics/face_classifier.ts";
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
  FACE_GROUPS,
  type FaceFile,
  faceTags,
  FAKE,
  FAKE_TAGS,
  HW3_TRAINING,
  REAL,
  REAL_TAGS,
  tinyAcgan,
  WEIGHT_CASES,
} from "./hw3_probe.ts";
import { reportItems } from "./report_checks.ts";

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

/**
 * Share of the generated faces whose hair colour the face classifier must read as the asked one
 * (chance 10 %). Measured: the reference solution 83 %; a generator loss without its tag terms 7 %;
 * tag terms with the wrong sign 0 %.
 */
const HAIR_NEEDED = 0.5;
/** The same for the skin colour (chance 25 %): the reference 77 %, without tag terms 25 %, wrong
 * sign 0 %. */
const SKIN_NEEDED = 0.5;

/** Write the training faces for the child: 32x32 pixel bytes and their tags. */
async function prepareFaces(dir: string): Promise<void> {
  const { faces, facesSeed } = HW3_TRAINING;
  const arrays = await loadFacesArrays({ size: faces, imageSize: 32, seed: facesSeed });
  const header: FaceFile = {
    count: arrays.count,
    imageSize: arrays.imageSize,
    hair: Array.from(arrays.hair),
    skin: Array.from(arrays.skin),
  };
  await Deno.writeFile(`${dir}/faces.rgb`, arrays.pixels);
  await Deno.writeTextFile(`${dir}/faces.json`, JSON.stringify(header));
}

async function judgeTraining(obs: Observations): Promise<CheckOutcome[]> {
  const { steps, latentDim } = HW3_TRAINING;
  const { generator, discriminator } = tinyAcgan(latentDim);
  discriminator.dispose();
  // Ask for every (hair, skin) pair 3 times, and read both tags back with the face classifier.
  const [nHair, nSkin] = FACE_GROUPS;
  const count = 3 * nHair * nSkin;
  const askHair = Array.from({ length: count }, (_, i) => i % nHair);
  const askSkin = Array.from({ length: count }, (_, i) => Math.floor(i / nHair) % nSkin);
  const inputs = tf.tidy(() => [
    tf.randomNormal([count, latentDim], 0, 1, "float32", 777),
    tf.concat(faceTags(askHair, askSkin), 1),
  ]);
  const hairReader = await faceExtractor({ group: "hair" });
  const skinReader = await faceExtractor({ group: "skin" });
  const agreement = (read: ArrayLike<number>, asked: number[]) =>
    Array.from(read).filter((label, i) => label === asked[i]).length / read.length;
  let accuracy = { hair: 0, skin: 0 };
  const measure = async () => {
    // [n, 16, 16, 3] -> [n, 32, 32, 3], the classifier's size
    const generated = tf.tidy(() =>
      tf.image.resizeBilinear(generator.predict(inputs) as tf.Tensor4D, [32, 32])
    );
    try {
      accuracy = {
        hair: agreement((await hairReader.run(generated)).predictedLabels, askHair),
        skin: agreement((await skinReader.run(generated)).predictedLabels, askSkin),
      };
    } finally {
      generated.dispose();
    }
  };
  try {
    await measure(); // the untrained generator, so that the judge's first measure() is honest
    const [finite, trained] = judgeTrainedGenerator(obs, {
      generator,
      finiteName: `losses stay finite for ${steps} steps (1 D update, 2 G updates each)`,
      qualityName: "trained weights",
      measure: () => accuracy.hair,
      quality: () => ({ passed: true, detail: "finite, and they moved" }),
    });
    const weightsOk = trained.passed;
    if (weightsOk) await measure();
    const tagCheck = (group: "hair" | "skin", needed: number, chance: number) => ({
      name: `after ${steps} steps G draws the ${group} colour it is asked for`,
      passed: finite.passed && weightsOk && accuracy[group] >= needed,
      detail: weightsOk
        ? `the face classifier reads the asked ${group} colour on ${
          (100 * accuracy[group]).toFixed(0)
        }% of ${count} generated faces (chance ${chance}%, needed ${Math.round(100 * needed)}%)`
        : trained.detail,
    });
    return [finite, tagCheck("hair", HAIR_NEEDED, 10), tagCheck("skin", SKIN_NEEDED, 25)];
  } finally {
    tf.dispose(inputs);
    generator.dispose();
  }
}

/** The runs the starter logs (the report's three experiments), by label. */
export const HW3_RUNS = [
  "weights [1, 0.3, 0.35], sigma 1",
  "weights [1, 1, 1], sigma 1",
  "weights [1, 0.3, 0.35], sigma 0.2",
];

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
      title: "a 300-step ACGAN on faces with your losses (weights [1, 0.3, 0.35], D:G 1:2) " +
        "draws the asked hair and skin colours",
      points: 3,
      cells: ["acganLosses"],
      timeoutS: 120,
      prepareData: prepareFaces,
      judge: judgeTraining,
    },
    ...reportItems({
      requiredRuns: HW3_RUNS,
      minRuns: 3,
      experimentsTitle: "report: experiments (loss weights, sigma) with the logged numbers",
    }),
  ],
};
