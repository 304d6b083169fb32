/**
 * The instructors' tools: the student release holds the starters and the students' README but no
 * solution code, hidden test or grading task; batch grading turns a folder of submissions (a full
 * solution, an untouched starter, a broken file) into one CSV and JSON gradebook.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { join } from "node:path";
import { gradebookCsv, gradeFolder } from "../homework/grader/gradebook.ts";
import { HOMEWORK_DIR, solutionNotebook, starterPath } from "../homework/grader/grade.ts";
import { solutionSections } from "../homework/grader/notebook.ts";
import { buildRelease } from "../homework/release.ts";

const ROOT = join(HOMEWORK_DIR, "..");

async function allFiles(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) files.push(...await allFiles(dir, path));
    else files.push(path);
  }
  return files;
}

Deno.test("homework:release holds the starters and instructions, and no solution code", async () => {
  const out = await Deno.makeTempDir({ prefix: "student_release_" });
  try {
    await buildRelease(out);
    const files = await allFiles(out);
    for (const hw of ["hw1_dcgan", "hw2_wgan_gp", "hw3_acgan"]) {
      assert(files.includes(`homework/${hw}/${hw}.ipynb`), `${hw} starter`);
    }
    assertEquals(
      files.filter((f) => /^homework\/(solutions|grader)\/|grader_|homework_test/.test(f)),
      [],
    );
    const readme = await Deno.readTextFile(join(out, "homework/README.md"));
    assertMatch(readme, /## How to submit/);
    assertMatch(readme, /## The report[\s\S]*checks every number of the table against the runs/);
    // The starters log their runs with the library's logRun(): the release must carry it.
    assert(files.includes("lib/notebook/homework_results.ts"), "lib/notebook/homework_results.ts");
    const tasks = JSON.parse(await Deno.readTextFile(join(out, "deno.json"))).tasks;
    assert(!("grade" in tasks) && !("homework:release" in tasks) && "course" in tasks);
    // Every distinctive line of every reference solution's graded code: none may appear in the
    // release's homework or anywhere else outside the library (see the report on lib/).
    const lines = new Set<string>();
    for (const hw of ["hw1_dcgan", "hw2_wgan_gp", "hw3_acgan"]) {
      const solution = await Deno.readTextFile(join(HOMEWORK_DIR, "solutions", `${hw}.ts`));
      const starter = await Deno.readTextFile(starterPath(hw));
      for (const code of solutionSections(solution).values()) {
        for (const line of code.split("\n").map((l) => l.trim())) {
          if (
            line.length >= 40 && !line.startsWith("//") && !line.startsWith("*") &&
            !starter.includes(JSON.stringify(line).slice(1, -1))
          ) lines.add(line);
        }
      }
    }
    assert(lines.size > 10, `only ${lines.size} distinctive solution lines`);
    for (
      const file of files.filter((f) => !f.startsWith("lib/") && /\.(ts|ipynb|md|json)$/.test(f))
    ) {
      const text = await Deno.readTextFile(join(out, file));
      for (const line of lines) {
        assert(
          !text.includes(line) && !text.includes(JSON.stringify(line).slice(1, -1)),
          `${file} holds solution code: ${line}`,
        );
      }
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("grade FOLDER --gradebook: one row per notebook, a broken one does not stop the batch", async () => {
  const dir = await Deno.makeTempDir({ prefix: "submissions_" });
  try {
    await Deno.writeTextFile(
      join(dir, "ada.ipynb"),
      JSON.stringify(await solutionNotebook("hw1_dcgan")),
    );
    await Deno.copyFile(starterPath("hw1_dcgan"), join(dir, "bo.ipynb"));
    await Deno.writeTextFile(join(dir, "cy.ipynb"), "{ this is not json");
    await Deno.writeTextFile(join(dir, "notes.txt"), "not a notebook");
    const base = join(dir, "out", "book");
    await Deno.mkdir(join(dir, "out"));
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(HOMEWORK_DIR, "grader", "grade.ts"),
        "hw1_dcgan",
        dir,
        "--gradebook",
        base,
        "--only",
        "discriminatorLoss,generatorLoss",
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const printed = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assertEquals(run.code, 0, printed);
    assertEquals(
      await Deno.readTextFile(`${base}.csv`).then((t) => t.split("\n").slice(0, 3)),
      ["student,discriminatorLoss,generatorLoss,total,max,error", "ada,3,3,6,6,", "bo,0,0,0,6,"],
    );
    const book = JSON.parse(await Deno.readTextFile(`${base}.json`));
    assertEquals(book.rows.map((r: { student: string }) => r.student), ["ada", "bo", "cy"]);
    assertMatch(book.rows[2].error, /not valid notebook JSON/);
    assertMatch(book.rows[1].report.items[0].checks[0].detail, /not implemented yet/);
    // the library call gives the same rows
    const again = await gradeFolder("hw1_dcgan", dir, { only: ["discriminatorLoss"] });
    assertMatch(gradebookCsv(again), /^student,discriminatorLoss,total,max,error\nada,3,3,3,\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
