/**
 * The homework autograder can fail and pass: starters score 0 on every item, the reference
 * solutions score full marks, a subtly wrong solution loses exactly its item, each training check
 * rejects planted wrong solutions (a collapsed hw1 generator, wrong hw2 critic loops, an hw3
 * generator loss without its tag terms), the report's numbers are checked against the runs the
 * notebook logged (an invented figure, a run never logged and a notebook saved without its
 * outputs fail), and broken student code (syntax error, NaN, endless loop, importing the library's
 * answer) scores 0 with a message instead of crashing the grader.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { ASSIGNMENTS } from "../homework/grader/assignments.ts";
import {
  gradeParsed,
  type GradeReport,
  solutionNotebook,
  solutionPath,
  solutionRunsPath,
  starterPath,
} from "../homework/grader/grade.ts";
import { formatFigure } from "../lib/notebook/homework_results.ts";
import {
  cellText,
  fillNotebook,
  type Notebook,
  notebookParts,
  parseNotebook,
  reportSections,
  solutionSections,
} from "../homework/grader/notebook.ts";

const HOMEWORKS = Object.keys(ASSIGNMENTS);

async function starter(hw: string): Promise<Notebook> {
  return parseNotebook(await Deno.readTextFile(starterPath(hw)), starterPath(hw));
}

/** The starter filled with the reference solution, one section's code edited by `edit`. */
async function variant(
  hw: string,
  cell: string,
  edit: (code: string) => string,
): Promise<Notebook> {
  const sections = solutionSections(await Deno.readTextFile(solutionPath(hw)));
  const code = sections.get(cell)!;
  const edited = edit(code);
  assert(edited !== code, `the edit of ${hw}/${cell} changed nothing`);
  sections.set(cell, edited);
  return fillNotebook(await starter(hw), sections);
}

function scores(report: GradeReport): Record<string, number> {
  return Object.fromEntries(report.items.map((item) => [item.id, item.score]));
}

function full(report: GradeReport): Record<string, number> {
  return Object.fromEntries(report.items.map((item) => [item.id, item.points]));
}

function feedback(report: GradeReport, id: string): string {
  return report.items.find((item) => item.id === id)!.checks.map((c) => c.detail).join("\n");
}

Deno.test("notebookParts() finds graded and report cells; fillNotebook() replaces them", () => {
  const nb: Notebook = {
    cells: [
      { cell_type: "code", source: ["// @grade: a\n", "throw new Error('TODO');"] },
      { cell_type: "markdown", source: "<!-- @report: r -->\nTODO: write" },
      { cell_type: "code", source: "const given = 1;" },
    ],
  };
  const filled = fillNotebook(
    nb,
    solutionSections("// @grade: a\nconst a = 2;\n// @end\n"),
    reportSections("<!-- @report: r -->\nMine."),
  );
  const parts = notebookParts(filled);
  assertEquals(parts.graded.get("a"), "// @grade: a\nconst a = 2;");
  assertEquals(parts.report.get("r"), "Mine.");
  assertEquals(parts.duplicates, []);
  assertEquals(filled.cells[2], nb.cells[2]);
});

Deno.test("fillNotebook() refuses a section without a marked cell", () => {
  try {
    fillNotebook({ cells: [] }, new Map([["missing", "x"]]));
    assert(false, "no error");
  } catch (error) {
    assertMatch((error as Error).message, /no cell is marked for missing/);
  }
});

Deno.test("every starter has each graded cell and report cell its assignment grades", async () => {
  for (const hw of HOMEWORKS) {
    const parts = notebookParts(await starter(hw));
    assertEquals(
      [...parts.graded.keys()].sort(),
      Object.keys(ASSIGNMENTS[hw].cellNames).sort(),
      hw,
    );
    for (const item of ASSIGNMENTS[hw].items) {
      if ("checkReport" in item) assert(parts.report.has(item.id), `${hw}: report cell ${item.id}`);
    }
  }
});

for (const hw of HOMEWORKS) {
  Deno.test(`grade ${hw}: the starter scores 0 on every item`, async () => {
    const report = await gradeParsed(hw, await starter(hw), "starter");
    assertEquals(report.total, 0, JSON.stringify(scores(report)));
    assertEquals(report.items.length, ASSIGNMENTS[hw].items.length);
    for (const item of report.items) {
      if (!("checkReport" in ASSIGNMENTS[hw].items.find((i) => i.id === item.id)!)) {
        assertMatch(item.checks[0].detail, /not implemented yet \(TODO/, `${hw}/${item.id}`);
      }
    }
  });

  Deno.test(`grade ${hw}: the reference solution scores full marks`, async () => {
    const report = await gradeParsed(hw, await solutionNotebook(hw), "solution");
    assertEquals(scores(report), full(report), JSON.stringify(report.items, null, 1));
    assertEquals(report.total, report.maxTotal);
  });
}

Deno.test("grade hw1_dcgan: a saturating generator loss loses exactly the generatorLoss item", async () => {
  const nb = await variant(
    "hw1_dcgan",
    "dcganLosses",
    (code) =>
      code.replace(
        "return tf.tidy(() => stableSoftplus(fakeLogits.neg()).mean() as tf.Scalar);",
        "return tf.tidy(() => stableSoftplus(fakeLogits).mean().neg() as tf.Scalar);",
      ),
  );
  const report = await gradeParsed("hw1_dcgan", nb, "saturating", {
    only: ["discriminatorLoss", "generatorLoss", "trainStep"],
  });
  const s = scores(report);
  assertEquals([s.discriminatorLoss, s.trainStep], [3, 4]);
  assert(s.generatorLoss < 3, JSON.stringify(s));
  assertMatch(feedback(report, "generatorLoss"), /saturates/);
});

Deno.test("grade hw1_dcgan: a generator update that also moves D loses the trainStep item", async () => {
  const nb = await variant(
    "hw1_dcgan",
    "trainStep",
    (code) => code.replace(/true,\s*gVars,?\s*\)/, "true)"),
  );
  const report = await gradeParsed("hw1_dcgan", nb, "no varList", {
    only: ["discriminatorLoss", "generatorLoss", "trainStep"],
  });
  const s = scores(report);
  assertEquals([s.discriminatorLoss, s.generatorLoss], [3, 3]);
  assert(s.trainStep < 4, JSON.stringify(s));
  assertMatch(feedback(report, "trainStep"), /must not change D/);
});

Deno.test("grade hw2_wgan_gp: a one-sided penalty loses exactly the penaltyValue item", async () => {
  const nb = await variant(
    "hw2_wgan_gp",
    "gradientPenalty",
    (code) => code.replace("norms.sub(1).square()", "tf.relu(norms.sub(1)).square()"),
  );
  const report = await gradeParsed("hw2_wgan_gp", nb, "one-sided", {
    only: ["penaltyValue", "alphaSampling", "penaltyGradient", "criticLoop"],
  });
  const s = scores(report);
  assertEquals([s.alphaSampling, s.penaltyGradient, s.criticLoop], [2, 2, 4]);
  assert(s.penaltyValue < 4, JSON.stringify(s));
  assertMatch(feedback(report, "penaltyValue"), /one-sided/);
});

Deno.test("grade hw2_wgan_gp: one alpha for the whole batch loses exactly the alphaSampling item", async () => {
  const nb = await variant(
    "hw2_wgan_gp",
    "gradientPenalty",
    (code) =>
      code.replace(
        "options.alpha ?? tf.randomUniform([batch], 0, 1)",
        "options.alpha ?? tf.randomUniform([1], 0, 1).tile([batch])",
      ),
  );
  const report = await gradeParsed("hw2_wgan_gp", nb, "batch alpha", {
    only: ["penaltyValue", "alphaSampling", "penaltyGradient"],
  });
  const s = scores(report);
  assertEquals([s.penaltyValue, s.penaltyGradient], [4, 2]);
  assertEquals(s.alphaSampling, 1); // still fresh every call, but not per sample
});

Deno.test("grade hw3_acgan: a tag loss on the fakes in D loses exactly the discriminatorLoss item", async () => {
  const nb = await variant(
    "hw3_acgan",
    "acganLosses",
    (code) =>
      code.replace(
        "loss = loss.add(tagCrossEntropy(realOutputs[k + 1], tags).mul(weights[k + 1]));",
        "loss = loss.add(tagCrossEntropy(realOutputs[k + 1], tags).mul(weights[k + 1]))\n" +
          "        .add(tagCrossEntropy(fakeOutputs[k + 1], tags).mul(weights[k + 1]));",
      ),
  );
  const report = await gradeParsed("hw3_acgan", nb, "fake tags", {
    only: ["discriminatorLoss", "generatorLoss"],
  });
  const s = scores(report);
  assertEquals(s.generatorLoss, 4);
  assert(s.discriminatorLoss < 4, JSON.stringify(s));
});

Deno.test("grade: a syntax error, a forbidden import and an endless loop score 0, a NaN loses points, each with a message", async () => {
  const cases: [string, (code: string) => string, RegExp][] = [
    [
      "syntax",
      (code) => code.replace("function discriminatorLoss(", "function discriminatorLoss(("),
      /do not compile/,
    ],
    [
      "nan",
      (code) => code.replace("stableSoftplus(realLogits.neg()).mean()", "tf.scalar(NaN)"),
      /got NaN/,
    ],
    [
      "import",
      (code) =>
        code.replace(
          "// @grade: dcganLosses\n",
          '// @grade: dcganLosses\nimport { discriminatorLoss as d } from "@course/lib/variants/objectives";\n',
        ),
      /must be your own/,
    ],
    [
      "loop",
      (code) =>
        code.replace(
          "return tf.tidy(() =>\n    // -log",
          "while (true) {}\n  return tf.tidy(() =>\n    // -log",
        ),
      /stopped after 8 s/,
    ],
  ];
  for (const [name, edit, message] of cases) {
    const nb = await variant("hw1_dcgan", "dcganLosses", edit);
    const report = await gradeParsed("hw1_dcgan", nb, name, {
      only: ["discriminatorLoss"],
      timeoutS: 8,
    });
    // NaN in one term still passes the checks it does not touch; the rest score 0 outright.
    if (name === "nan") assert(report.items[0].score < 3, name);
    else assertEquals(report.items[0].score, 0, name);
    assertMatch(feedback(report, "discriminatorLoss"), message, name);
  }
});

const REPORT_ITEMS = ["modelDescription", "improvements", "experiments", "bonus"];

for (const hw of HOMEWORKS) {
  Deno.test(`grade ${hw}: the reference report scores full marks, the starter's TODO prompts 0`, async () => {
    const solved = await gradeParsed(hw, await solutionNotebook(hw), "report", {
      only: REPORT_ITEMS,
    });
    assertEquals(solved.total, 4, JSON.stringify(solved.items, null, 1));
    const starterReport = await gradeParsed(hw, await starter(hw), "starter", {
      only: REPORT_ITEMS,
    });
    assertEquals(starterReport.total, 0);
    assertMatch(feedback(starterReport, "modelDescription"), /still contains TODO/);
  });
}

/** The reference notebook of hw3 with its experiments cell edited by `edit`. */
async function hw3Report(edit: (text: string) => string): Promise<Notebook> {
  const nb = await solutionNotebook("hw3_acgan");
  const cell = nb.cells.find((c) =>
    c.cell_type === "markdown" && cellText(c).startsWith("<!-- @report: experiments -->")
  )!;
  const text = cellText(cell);
  const edited = edit(text);
  assert(edited !== text, "the edit changed nothing");
  cell.source = edited;
  return nb;
}

Deno.test("grade hw3_acgan: a report quoting invented figures fails the experiments item", async () => {
  const runs: { run: string; metrics: Record<string, number> }[] = JSON.parse(
    await Deno.readTextFile(solutionRunsPath("hw3_acgan")),
  );
  const hair = formatFigure(runs[0].metrics["hair accuracy %"]);
  // The same table with the first run's hair accuracy made up: 92.50 instead of the logged one.
  const invented = await hw3Report((text) => text.replace(`| ${hair} `, "| 92.50 "));
  const report = await gradeParsed("hw3_acgan", invented, "invented", { only: ["experiments"] });
  assert(report.total < 1, JSON.stringify(report.items[0].checks));
  assertMatch(feedback(report, "experiments"), /the report says 92\.50, the run logged/);
  // A run that was never logged, with plausible numbers.
  const madeUpRun = await hw3Report((text) =>
    text.replace(
      /(\n\| weights \[1, 1, 1\], sigma 1 [^\n]*)/,
      "$1\n| weights [1, 0.1, 0.1], sigma 1 | 950 | 88.0 | 130 | 91.0 | 250 |",
    )
  );
  const madeUp = await gradeParsed("hw3_acgan", madeUpRun, "made-up run", {
    only: ["experiments"],
  });
  assert(madeUp.total < 1);
  assertMatch(feedback(madeUp, "experiments"), /no run with this label was logged/);
  // The true table, but the notebook saved without its outputs: nothing to check it against.
  const bare = await solutionNotebook("hw3_acgan");
  for (const cell of bare.cells) if (cell.cell_type === "code") cell.outputs = [];
  const bareReport = await gradeParsed("hw3_acgan", bare, "no outputs", { only: ["experiments"] });
  assertEquals(bareReport.total, 0.4); // the TODO replaced and the words; nothing of the numbers
  assertMatch(feedback(bareReport, "experiments"), /save the notebook with its outputs/);
  // Rounding the logged figures is allowed: 9.766 quoted as 9.8.
  const rounded = await hw3Report((text) =>
    text.replace(`| ${hair} `, `| ${Number(hair).toFixed(1)} `)
  );
  const roundedReport = await gradeParsed("hw3_acgan", rounded, "rounded", {
    only: ["experiments"],
  });
  assertEquals(roundedReport.total, 1, feedback(roundedReport, "experiments"));
});

Deno.test("grade hw3_acgan: a model description without a discriminator table loses its item", async () => {
  const nb = await solutionNotebook("hw3_acgan");
  const cell = nb.cells.find((c) =>
    c.cell_type === "markdown" && cellText(c).startsWith("<!-- @report: modelDescription -->")
  )!;
  cell.source = cellText(cell).replace(/Discriminator:[\s\S]*$/, "The discriminator mirrors it.\n");
  const report = await gradeParsed("hw3_acgan", nb, "one table", { only: ["modelDescription"] });
  assertEquals(report.total, 0.75);
  assertMatch(feedback(report, "modelDescription"), /naming the discriminator/);
});

/** The reference notebook with every occurrence of `from` in one graded cell replaced. */
function everywhere(from: string | RegExp, to: string): (code: string) => string {
  return (code) => code.replaceAll(from instanceof RegExp ? new RegExp(from, "g") : from, to);
}

function failed(report: GradeReport, id: string): string[] {
  return report.items.find((i) => i.id === id)!.checks.filter((c) => !c.passed).map((c) => c.name);
}

Deno.test("grade hw1_dcgan: a generator collapsed onto one mode fails the training item", async () => {
  // G never sees its noise during training: every sample lands on one mode, close to its centre.
  const nb = await variant(
    "hw1_dcgan",
    "trainStep",
    everywhere("gan.generator.apply(batch.noise,", "gan.generator.apply(batch.noise.mul(0),"),
  );
  const report = await gradeParsed("hw1_dcgan", nb, "collapsed", { only: ["training"] });
  // The distance to the nearest mode alone would pass it; the spread over the modes does not.
  assertEquals(failed(report, "training").length, 1, feedback(report, "training"));
  assertMatch(failed(report, "training")[0], /spread over the modes/);
  assertMatch(feedback(report, "training"), /1 of 8 modes hold .*collapsed/);
});

Deno.test("grade hw2_wgan_gp: planted wrong critic loops fail the training item", async () => {
  const wrong: [string, (code: string) => string, RegExp][] = [
    [
      "penalty subtracted",
      everywhere("return wasserstein.add(", "return wasserstein.sub("),
      /gradient norm is near 1/,
    ],
    [
      "no penalty",
      everywhere("{ lambda: gan.lambda }", "{ lambda: 0 }"),
      /gradient norm is near 1/,
    ],
    [
      "penalty at the real points only",
      everywhere(
        "gradientPenalty(critic, realImages, fakeImages,",
        "gradientPenalty(critic, realImages, realImages,",
      ),
      /gradient norm is near 1/,
    ],
    [
      "critic loss with the wrong sign",
      everywhere(
        "critic(fakeImages).mean().sub(critic(realImages).mean())",
        "critic(realImages).mean().sub(critic(fakeImages).mean())",
      ),
      /onto the ring/,
    ],
  ];
  for (const [name, edit, check] of wrong) {
    const nb = await variant("hw2_wgan_gp", "criticLoop", edit);
    const report = await gradeParsed("hw2_wgan_gp", nb, name, { only: ["training"] });
    const names = failed(report, "training");
    assert(names.some((n) => check.test(n)), `${name}: ${feedback(report, "training")}`);
  }
});

Deno.test("grade hw3_acgan: a generator loss without its tag terms fails the training item", async () => {
  const nb = await variant(
    "hw3_acgan",
    "acganLosses",
    everywhere(
      "loss = loss.add(tagCrossEntropy(fakeOutputs[k + 1], tags).mul(weights[k + 1]));",
      "loss = loss.add(tagCrossEntropy(fakeOutputs[k + 1], tags).mul(0));",
    ),
  );
  const report = await gradeParsed("hw3_acgan", nb, "no G tags", { only: ["training"] });
  assertEquals(
    failed(report, "training").map((n) => n.replace(/.* the (\w+) colour .*/, "$1")),
    ["hair", "skin"],
    feedback(report, "training"),
  );
});
