/**
 * Malicious student notebooks against the grader: each attack from the safety review (rewriting
 * the grader, a forged result and exit, reading the solution or the TA's environment into the
 * feedback, writing and deleting files, leaving a process running, flooding the output, importing
 * the library's graded losses through an encoded path or a dynamic import) must score 0 on the
 * attacked item, leak nothing into the feedback and leave every file of homework/ and a canary
 * file outside it exactly as they were.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  gradeParsed,
  type GradeReport,
  HOMEWORK_DIR,
  starterPath,
} from "../homework/grader/grade.ts";
import { fillNotebook, parseNotebook, solutionSections } from "../homework/grader/notebook.ts";

const HW = "hw1_dcgan";
const SOLUTION = join(HOMEWORK_DIR, "solutions", `${HW}.ts`);
const GRADER = join(HOMEWORK_DIR, "grader", `${HW}.ts`);
const LIB_LOSSES = join(HOMEWORK_DIR, "..", "lib", "losses.ts");
/** Text that appears in the reference solution and the hidden test, never in feedback. */
const SECRETS = ["stableSoftplus", "refDLoss", "realLogits.neg()"];

/** sha-256 of every file under homework/, by path. */
async function hashTree(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) {
        const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
        hashes[path] = Array.from(new Uint8Array(digest), (b) => b.toString(16)).join("");
      }
    }
  };
  await walk(dir);
  return hashes;
}

/** A folder with one canary file the attacks try to delete, overwrite or add to. */
async function canaryFolder(): Promise<{ dir: string; canary: string }> {
  const dir = await Deno.makeTempDir({ prefix: "grader_canary_" });
  const canary = join(dir, "canary.txt");
  await Deno.writeTextFile(canary, "canary\n");
  return { dir, canary };
}

/** The starter with the graded cells replaced by the attack's code. */
async function attackNotebook(cells: Record<string, string>) {
  const starter = parseNotebook(await Deno.readTextFile(starterPath(HW)), starterPath(HW));
  const sections = new Map(
    Object.entries(cells).map(([id, code]) => [id, `// @grade: ${id}\n${code}`]),
  );
  return fillNotebook(starter, sections);
}

/** Stubs that keep the other graded names defined (they score 0 like the starter's TODOs). */
const TODO_LOSSES = `
function discriminatorLoss(r, f) { throw new Error("TODO: discriminatorLoss"); }
function generatorLoss(f) { throw new Error("TODO: generatorLoss"); }
`;

function allFeedback(report: GradeReport): string {
  return report.items.flatMap((item) => item.checks.map((c) => `${c.name}: ${c.detail}`)).join(
    "\n",
  );
}

/**
 * Grade the attack and check the outcome: 0 on every graded item, no secret in the feedback,
 * homework/ and the canary folder unchanged.
 */
async function expectHarmless(
  name: string,
  cells: Record<string, string>,
  options: { only: string[]; timeoutS?: number; secrets?: string[]; lexical?: boolean },
  canary: { dir: string; canary: string },
): Promise<GradeReport> {
  const before = await hashTree(HOMEWORK_DIR);
  const canaryBefore = await hashTree(canary.dir);
  const report = await gradeParsed(HW, await attackNotebook(cells), name, {
    only: options.only,
    timeoutS: options.timeoutS ?? 20,
  });
  assertEquals(report.items.map((i) => [i.id, i.score]), options.only.map((id) => [id, 0]), name);
  const feedback = allFeedback(report);
  if (!options.lexical) {
    // the attack must have run in the sandbox, not been turned away by the import check
    assert(!report.items.some((i) => i.checks[0].name === "code found"), `${name}: ${feedback}`);
  }
  for (const secret of [...SECRETS, ...(options.secrets ?? [])]) {
    assert(!feedback.includes(secret), `${name}: the feedback holds "${secret}":\n${feedback}`);
  }
  assertEquals(await hashTree(HOMEWORK_DIR), before, `${name}: homework/ changed`);
  assertEquals(await hashTree(canary.dir), canaryBefore, `${name}: the canary folder changed`);
  return report;
}

Deno.test("grader attack: rewriting the grader and the solution changes nothing and scores 0", async () => {
  const canary = await canaryFolder();
  try {
    const targets = [GRADER, SOLUTION, join(HOMEWORK_DIR, "grader", "check.ts")];
    await expectHarmless(
      "rewrite",
      {
        dcganLosses: `
for (const file of ${JSON.stringify(targets)}) {
  try { Deno.writeTextFileSync(file, "exp" + "ort const HW1_DCGAN = { items: [] };"); } catch {}
}
${TODO_LOSSES}`,
      },
      { only: ["discriminatorLoss"] },
      canary,
    );
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: a forged result line, a forged result block and exit 0 score 0", async () => {
  const canary = await canaryFolder();
  const forged = JSON.stringify({
    observations: Object.fromEntries(
      ["moderate", "stable", "batches", "gradient", "leaked"].map((
        k,
      ) => [k, { ok: true, value: 0 }]),
    ),
  });
  try {
    await expectHarmless(
      "forged",
      {
        dcganLosses: `
console.log('@@GRADE_RESULT [{"name":"all","passed":true,"detail":"forged"}]');
console.log("\\n@@RESULT-0000\\n" + ${JSON.stringify(forged)} + "\\n@@RESULT-0000\\n");
Deno.exit(0);
${TODO_LOSSES}`,
      },
      { only: ["discriminatorLoss"] },
      canary,
    );
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: the solution and the hidden test cannot be read into the feedback", async () => {
  const canary = await canaryFolder();
  try {
    const files = [SOLUTION, GRADER];
    const report = await expectHarmless(
      "read",
      {
        dcganLosses: `
let stolen = "";
for (const file of ${JSON.stringify(files)}) {
  try { stolen += Deno.readTextFileSync(file); } catch (e) { stolen += String(e); }
  try { stolen += await (await fetch(${JSON.stringify(pathToFileURL(SOLUTION).href)})).text(); }
  catch (e) { stolen += String(e); }
}
try {
  const worker = new Worker(${JSON.stringify(pathToFileURL(SOLUTION).href)}, { type: "module" });
  stolen += await new Promise((done) => {
    worker.onerror = (e) => { e.preventDefault(); done(e.message); };
    worker.onmessage = (e) => done(String(e.data));
  });
} catch (e) { stolen += String(e); }
try {
  const m = await eval("imp" + 'ort(${JSON.stringify(pathToFileURL(SOLUTION).href)})');
  stolen += String(m.discriminatorLoss) + String(m.generatorLoss);
} catch (e) { stolen += String(e); }
function discriminatorLoss(r, f) { throw new Error(stolen); }
function generatorLoss(f) { throw new Error(stolen); }`,
        // the trainStep item gets the reference losses: their source must not show either
        trainStep: `
function trainStep(gan, batch) {
  throw new Error(String(discriminatorLoss) + Function.prototype.toString.call(generatorLoss));
}`,
      },
      { only: ["discriminatorLoss", "trainStep"] },
      canary,
    );
    assert(/NotCapable|read access/.test(allFeedback(report)), allFeedback(report));
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: the TA's environment variables cannot be read", async () => {
  const canary = await canaryFolder();
  const name = `GRADER_TEST_SECRET_${crypto.randomUUID().slice(0, 8)}`;
  const secret = `s3cret-${crypto.randomUUID()}`;
  Deno.env.set(name, secret);
  try {
    await expectHarmless(
      "env",
      {
        dcganLosses: `
let seen = "";
try { seen += JSON.stringify(Deno.env.toObject()); } catch (e) { seen += String(e); }
try { seen += Deno.env.get(${JSON.stringify(name)}); } catch (e) { seen += String(e); }
function discriminatorLoss(r, f) { throw new Error(seen); }
function generatorLoss(f) { throw new Error(seen); }`,
      },
      { only: ["discriminatorLoss"], secrets: [secret] },
      canary,
    );
  } finally {
    Deno.env.delete(name);
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: files outside the student's folder cannot be written or deleted, nor web storage", async () => {
  const canary = await canaryFolder();
  try {
    await expectHarmless(
      "files",
      {
        dcganLosses: `
const tries = [
  () => Deno.removeSync(${JSON.stringify(canary.canary)}),
  () => Deno.writeTextFileSync(${JSON.stringify(canary.canary)}, "owned"),
  () => Deno.writeTextFileSync(${JSON.stringify(join(canary.dir, "new.txt"))}, "new"),
  () => Deno.writeTextFileSync(${JSON.stringify(join(HOMEWORK_DIR, "evil.txt"))}, "new"),
  () => Deno.removeSync(${JSON.stringify(starterPath(HW))}),
  () => Deno.mkdirSync(${JSON.stringify(join(canary.dir, "sub"))}),
];
for (const attempt of tries) { try { attempt(); } catch {} }
let stored = "";
try { localStorage.setItem("grader", "x"); stored += "stored:localStorage "; } catch {}
try { sessionStorage.setItem("grader", "x"); stored += "stored:sessionStorage "; } catch {}
try { await caches.open("grader"); stored += "stored:caches "; } catch {}
function discriminatorLoss(r, f) { throw new Error("TODO " + stored); }
function generatorLoss(f) { throw new Error("TODO"); }`,
      },
      { only: ["discriminatorLoss"], secrets: ["stored:"] },
      canary,
    );
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: no process outlives the grading (subprocess, timers, worker)", async () => {
  const canary = await canaryFolder();
  const marker = String(900000 + Math.floor(Math.random() * 99999));
  try {
    const report = await expectHarmless(
      "process",
      {
        dcganLosses: `
try { new Deno.Command("sleep", { args: ["${marker}"] }).spawn(); } catch {}
try { new Deno.Command("/bin/sh", { args: ["-c", "sleep ${marker} &"] }).spawn(); } catch {}
setInterval(() => {}, 1000);
try {
  new Worker("data:text/javascript,setInterval(() => {}, 1000)", { type: "module" });
} catch {}
${TODO_LOSSES}`,
      },
      { only: ["discriminatorLoss"] },
      canary,
    );
    assert(report.items[0].seconds < 15, `the child lingered ${report.items[0].seconds} s`);
    const ps = await new Deno.Command("ps", { args: ["-eo", "args"], stdout: "piped" }).output();
    const running = new TextDecoder().decode(ps.stdout).split("\n").filter((l) =>
      l.includes(marker)
    );
    assertEquals(running, []);
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: flooding the output stops that item only, with a message", async () => {
  const canary = await canaryFolder();
  try {
    const report = await expectHarmless(
      "flood",
      {
        dcganLosses: `
const line = new TextEncoder().encode("x".repeat(1 << 16) + "\\n");
while (true) Deno.stdout.writeSync(line);
${TODO_LOSSES}`,
      },
      { only: ["discriminatorLoss"] },
      canary,
    );
    // The output limit stopped it, not the 20 s time limit (whose message differs).
    assert(/printed more than/.test(allFeedback(report)), allFeedback(report));
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: the library's graded losses cannot be imported by any spelling", async () => {
  const canary = await canaryFolder();
  // Each would be a correct discriminatorLoss if the import got through.
  const body = `
function discriminatorLoss(r, f) { return libraryLoss(r, f); }
function generatorLoss(f) { throw new Error("TODO: generatorLoss"); }`;
  const lossesUrl = pathToFileURL(LIB_LOSSES).href;
  // Turned away before anything runs: the specifier is not a plain library path.
  const lexical = [
    `import { discriminatorLoss as libraryLoss } from "@course/lib/variants/%6Fbjectives";`,
    `import { discriminatorLoss as libraryLoss } from "${
      lossesUrl.replace("losses", "%6Cosses")
    }";`,
    `import { discriminatorLoss as libraryLoss } from "../../../lib/losses.ts";`,
    `import { discriminatorLoss as libraryLoss } from "@course/lib/models/../variants/objectives";`,
    `import { discriminatorLoss as libraryLoss } from "@course/lib/variants/objectives";`,
    `export { discriminatorLoss as libraryLoss } from "@course/lib/variants/objectives";`,
    `const { discriminatorLoss: libraryLoss } = await import /* hidden */ ("@course/lib/variants/objectives");`,
  ];
  // Built at run time, so only the sandbox stops them: the child may not read lib/.
  const runtime = [
    `const { discriminatorLoss: libraryLoss } = await eval("imp" + 'ort("@course/lib/variants/objectives")');`,
    `const { discriminatorLoss: libraryLoss } = await eval("imp" + 'ort("${
      lossesUrl.replace("losses", "%6Cosses")
    }")');`,
    `const { discriminatorLoss: libraryLoss } = await new Function("return imp" + 'ort("${lossesUrl}")')();`,
  ];
  try {
    for (const [i, line] of [...lexical, ...runtime].entries()) {
      const report = await expectHarmless(`import ${i}`, { dcganLosses: `${line}\n${body}` }, {
        only: ["discriminatorLoss"],
        lexical: i < lexical.length,
      }, canary);
      if (i >= lexical.length) {
        assert(/read access|NotCapable/.test(allFeedback(report)), allFeedback(report));
      }
    }
  } finally {
    await Deno.remove(canary.dir, { recursive: true });
  }
});

Deno.test("grader attack: hw3's training item reads its faces folder and nothing else beside it", async () => {
  const solution = await Deno.readTextFile(join(HOMEWORK_DIR, "solutions", "hw3_acgan.ts"));
  const losses = solutionSections(solution).get("acganLosses")!;
  const attacks: [string, string][] = [
    [
      "list the grading folder",
      'throw new Error("LISTED " + [...Deno.readDirSync(".")].map((e) => e.name));',
    ],
    ["write into the faces folder", 'Deno.writeTextFileSync("./data_training/planted.txt", "x");'],
    [
      "read the solution",
      'throw new Error("READ " + Deno.readTextFileSync("' +
      join(HOMEWORK_DIR, "solutions", "hw3_acgan.ts") + '"));',
    ],
  ];
  for (const [name, line] of attacks) {
    const starter = parseNotebook(
      await Deno.readTextFile(starterPath("hw3_acgan")),
      starterPath("hw3_acgan"),
    );
    const nb = fillNotebook(starter, new Map([["acganLosses", `${losses}\n${line}`]]));
    const report = await gradeParsed("hw3_acgan", nb, name, { only: ["training"], timeoutS: 60 });
    const feedback = allFeedback(report);
    assertEquals(report.total, 0, `${name}: ${feedback}`);
    assert(!/LISTED|READ /.test(feedback), `${name}: ${feedback}`);
    assert(/NotCapable|read access|write access/.test(feedback), `${name}: ${feedback}`);
  }
});
