import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { envReadsInLib, sourceRuleProblems, unassertedExamples } from "../scripts/source_rules.ts";

Deno.test("envReadsInLib() finds a planted Deno.env in lib/ and allows only the setup file", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/lib/notebook`, { recursive: true });
    await Deno.mkdir(`${root}/lib/data`, { recursive: true });
    await Deno.mkdir(`${root}/scripts`, { recursive: true });
    await Deno.writeTextFile(`${root}/lib/notebook/setup.ts`, `Deno.env.get("COURSE_PROFILE");\n`);
    await Deno.writeTextFile(`${root}/scripts/train.ts`, `Deno.env.get("COURSE_PROFILE");\n`);
    await Deno.writeTextFile(`${root}/lib/data/clean.ts`, `export const n = 1;\n`);
    assertEquals(await envReadsInLib(root), []);
    await Deno.writeTextFile(
      `${root}/lib/data/size.ts`,
      `export const a = 1;\nexport const n = Deno[ "env" ].get("N");\n`,
    );
    const problems = await envReadsInLib(root);
    assertEquals(problems.length, 1);
    assertMatch(problems[0], /^lib\/data\/size\.ts:2: reads the environment \(Deno\.env\)/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the project's own sources pass every source rule", async () => {
  assertEquals(await sourceRuleProblems(), []);
});

Deno.test("unassertedExamples() finds a planted printed value in any example folder", async () => {
  const root = await Deno.makeTempDir();
  const log = "console" + ".log"; // spelled apart, so that this file passes the rule itself
  try {
    for (const dir of ["lib/viz", "bench", "packages/engine", "slides"]) {
      await Deno.mkdir(`${root}/${dir}`, { recursive: true });
    }
    await Deno.writeTextFile(
      `${root}/lib/viz/good.ts`,
      [
        "/**",
        " * @example",
        " * ```ts",
        ' * import { deepStrictEqual as assertEquals } from "node:assert/strict";',
        " * assertEquals(1 + 1, 2); // two",
        ` * ${log}("shown, not claimed");`,
        " * ```",
        " */",
        `export const x = 1; // ${log}(x); // 1, outside any example`,
      ].join("\n"),
    );
    await Deno.writeTextFile(
      `${root}/slides/notes.md`,
      ["Text with `" + log + "(x); // 1` inline.", "", "```ts", "const y = 2;", "```"].join("\n"),
    );
    assertEquals(await unassertedExamples(root), []);
    await Deno.writeTextFile(
      `${root}/bench/speed.ts`,
      ["/**", " * ```ts", ` * ${log}(speed()); // 42`, " * ```", " */"].join("\n"),
    );
    await Deno.writeTextFile(
      `${root}/packages/engine/README.md`,
      ["```ts", `${log}(`, "  gemm(a, b),", ");", "// [1, 2]", "```"].join("\n"),
    );
    const problems = await unassertedExamples(root);
    assertEquals(problems.map((p) => p.split(":").slice(0, 2).join(":")), [
      "bench/speed.ts:3",
      "packages/engine/README.md:4",
    ]);
    assertMatch(problems[0], /prints a value instead of asserting it/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
