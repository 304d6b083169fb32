/**
 * The student release: `deno task homework:release [--out DIR]` (default `runs/student_release`)
 * copies the course's tracked files without the teaching team's parts: no `homework/solutions/`,
 * no `homework/grader/` (hidden tests), no grader tests, no grading tasks. The starter notebooks
 * (whose "try it" cells are the public checks) are copied with their outputs cleared, and
 * `homework/README.md` is replaced by the students' version with the submission instructions.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HOMEWORK_DIR = dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = dirname(HOMEWORK_DIR);

/** Paths (relative to the project) the release leaves out. */
const TEACHING_ONLY = [
  /^homework\/solutions\//,
  /^homework\/grader\//,
  /^homework\/release\.ts$/,
  /^tests\/homework_test\.ts$/,
  /^tests\/grader_[^/]*_test\.ts$/,
];

/** deno.json tasks that need the teaching team's parts. */
const TEACHING_TASKS = ["grade", "homework:release"];

/** The students' homework README: what to do and how to hand it in. */
export const STUDENT_README = `# Homework

Three assignments, each one notebook in its folder. Each has graded code cells and a report.

| assignment                      | you write                                                                          | your runs                                                      |
| ------------------------------- | ---------------------------------------------------------------------------------- | -------------------------------------------------------------- |
| \`hw1_dcgan/hw1_dcgan.ipynb\`     | \`discriminatorLoss\`, the non-saturating \`generatorLoss\`, \`trainStep\`               | a toy GAN on the ring, a DCGAN on MNIST, one of your own       |
| \`hw2_wgan_gp/hw2_wgan_gp.ipynb\` | \`gradientPenalty\` and the WGAN-GP \`trainStep\` (nCritic critic updates)             | WGAN-GP on the ring with nCritic 5, one of your own            |
| \`hw3_acgan/hw3_acgan.ipynb\`     | the ACGAN losses with per-group loss weights (hair and skin colour of cartoon faces) | weights [1, 0.3, 0.35] and [1, 1, 1], latent sigma 1 and 0.2 |

## How to work

- Open the notebook from Jupyter (\`deno task course\`) and fill in the cells that start with
  \`// @grade: <id>\`; keep that first line. Replace each \`throw new Error("TODO ...")\`.
- Run the "try it" cells under each graded cell: they are the public checks (shapes, finite values,
  a loss that goes down). The grader runs hidden tests with other inputs.
- Write your code with tf ops. A graded cell may import only \`@tensorflow/tfjs\` and the
  library's areas that hold no answers (\`@course/lib/core\`, \`@course/lib/models\`, ...; not
  \`@course/lib\` itself, \`@course/lib/variants\` or \`@course/lib/train\`); it may not use dynamic
  \`import()\`, files, the network or environment variables (the grader runs it without those
  permissions).
- Train with \`COURSE_PROFILE=cpu\` (the default on a laptop without a GPU) for results worth
  reporting: a few minutes per notebook.

## The report

Every notebook ends with four Markdown cells that start with \`<!-- @report: <id> -->\`, in the format
of the course's model report. Replace each TODO and keep the first line.

1. **Model description** (\`modelDescription\`): the models, losses, optimizer, batch size and updates
   per step, with the layers as two Markdown tables, one under a line naming the generator and one
   under a line naming the discriminator (critic in hw2), at least 3 layer rows each.
2. **How you improved training** (\`improvements\`): what you changed or checked, what you saw, why
   it helped (at least 60 words).
3. **Experiments** (\`experiments\`): the table of your runs, then what you observe (at least 40
   words). Every training cell *logs* its measured figures (the line \`logged run "..."\` under it,
   kept when you save); the report section's cell prints all logged runs as a Markdown table whose
   first column is \`run\`. Paste it as it is: you may drop columns or round, not change numbers.
   The grader checks every number of the table against the runs logged in your saved notebook, so
   numbers that no run of yours produced fail, and so does a notebook saved without its outputs.
4. **Bonus** (\`bonus\`): an experiment of your own choice (at least 40 words). Log its figures with
   \`logRun("<hw>", "your label", { ... })\` if you quote any: a results table here is checked the
   same way.

## How to submit

1. Restart the kernel and run all cells once (Kernel › Restart & Run All), so the notebook runs from
   top to bottom and its outputs hold your logged runs; then fill in the report.
2. Save it, and rename the file to your student id: \`hw1_dcgan.ipynb\` -> \`<student-id>.ipynb\`.
3. Upload that one \`.ipynb\` file, with its outputs, where your course page says, before the
   deadline.

Each graded item is scored separately: a wrong or missing cell costs only its own items.
`;

/** Clear a notebook's outputs and execution counts (the starters are stored clean already). */
function cleanNotebook(text: string): string {
  const nb = JSON.parse(text);
  for (const cell of nb.cells ?? []) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return JSON.stringify(nb, null, 1) + "\n";
}

/** The tracked files of the project (relative paths), from git. */
async function trackedFiles(): Promise<string[]> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "-z"],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot build the release: "git ls-files" failed in ${PROJECT_ROOT} ` +
        `(${new TextDecoder().decode(out.stderr).trim()}); run it from the course's git checkout`,
    );
  }
  return new TextDecoder().decode(out.stdout).split("\0").filter((p) => p.length > 0);
}

/**
 * Build the student release in `outDir` (which must not exist or be empty); returns the files
 * written, relative to `outDir`.
 *
 * @example
 * ```ts ignore
 * import { buildRelease } from "./release.ts";
 * const files = await buildRelease("runs/student_release");
 * ```
 */
export async function buildRelease(outDir: string): Promise<string[]> {
  try {
    for await (const _ of Deno.readDir(outDir)) {
      throw new Error(
        `Cannot build the release: ${outDir} is not empty; remove it or choose another --out`,
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const written: string[] = [];
  for (const path of await trackedFiles()) {
    if (TEACHING_ONLY.some((rule) => rule.test(path))) continue;
    const source = join(PROJECT_ROOT, path);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(source);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // deleted, not yet committed
      throw error;
    }
    const target = join(outDir, path);
    await Deno.mkdir(dirname(target), { recursive: true });
    if (path === "homework/README.md") {
      await Deno.writeTextFile(target, STUDENT_README);
    } else if (path.startsWith("homework/") && path.endsWith(".ipynb")) {
      await Deno.writeTextFile(target, cleanNotebook(new TextDecoder().decode(bytes)));
    } else if (path === "deno.json") {
      const config = JSON.parse(new TextDecoder().decode(bytes));
      for (const task of TEACHING_TASKS) delete config.tasks?.[task];
      await Deno.writeTextFile(target, JSON.stringify(config, null, 2) + "\n");
    } else {
      await Deno.writeFile(target, bytes);
    }
    written.push(path);
  }
  return written;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string", default: join(PROJECT_ROOT, "runs", "student_release") },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("Usage: deno task homework:release [--out DIR]  (default runs/student_release)");
    return 0;
  }
  try {
    const files = await buildRelease(values.out);
    const homework = files.filter((f) => f.startsWith("homework/"));
    console.log(
      `Student release in ${values.out}: ${files.length} files, homework: ${homework.join(", ")}`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
