// The course library is the workspace package `@course/lib` (lib/deno.json): its exports map names
// its faces, and nothing else of lib/ can be imported by the package's name.
import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { fileURLToPath } from "node:url";

const LIB = new URL("../lib/", import.meta.url);
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));
const lib: { name: string; exports: Record<string, string> } = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", LIB)),
);

/** `deno check` of a module with source `code`, written outside the project and checked with the
 * project's deno.json (as a notebook is); its success and output. */
async function checkModule(code: string): Promise<{ success: boolean; output: string }> {
  const dir = await Deno.makeTempDir({ prefix: "exports_test_" });
  try {
    await Deno.writeTextFile(`${dir}/probe.ts`, code);
    const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "-q", "--config", CONFIG, `${dir}/probe.ts`],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const text = new TextDecoder();
    return { success, output: text.decode(stdout) + text.decode(stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("lib/deno.json exports lib/mod.ts and every area's mod.ts, each under its area's name", async () => {
  const areas: string[] = [];
  for await (const entry of Deno.readDir(LIB)) {
    if (!entry.isDirectory) continue;
    try {
      await Deno.stat(new URL(`${entry.name}/mod.ts`, LIB));
      areas.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  assertEquals(lib.name, "@course/lib");
  assertEquals(lib.exports["."], "./mod.ts");
  for (const area of areas) assertEquals(lib.exports[`./${area}`], `./${area}/mod.ts`, area);
  // Besides the faces, only the graded losses that the lecture notebooks show.
  const others = Object.keys(lib.exports).filter((key) => !areas.includes(key.slice(2)));
  assertEquals(others.sort(), [".", "./variants/objectives"]);
});

Deno.test("every export of @course/lib type-checks by its package name from outside lib/", async () => {
  const specifiers = Object.keys(lib.exports)
    .map((key) => key === "." ? lib.name : `${lib.name}${key.slice(1)}`);
  const code = specifiers.map((s, i) => `import * as m${i} from "${s}";\nconsole.log(m${i});`);
  const { success, output } = await checkModule(code.join("\n"));
  assertEquals(success, true, output);
});

Deno.test("a file of lib/ outside the exports map cannot be imported by the package's name", async () => {
  const internal = await checkModule(
    `import { loadMnist } from "@course/lib/data/mnist.ts";\nconsole.log(loadMnist);\n`,
  );
  assertEquals(internal.success, false);
  assertMatch(internal.output, /Unknown export '\.\/data\/mnist\.ts' for '@course\/lib'/);
  // The area's mod.ts by its path is not an export either: only "@course/lib/data" is.
  const byPath = await checkModule(
    `import { loadMnist } from "@course/lib/data/mod.ts";\nconsole.log(loadMnist);\n`,
  );
  assertEquals(byPath.success, false);
  assertMatch(byPath.output, /Unknown export '\.\/data\/mod\.ts' for '@course\/lib'/);
  // The import map has no "@course/" prefix: the folder is not reachable by another name.
  const unmapped = ["@course", "data", "mod.ts"].join("/");
  const viaPrefix = await checkModule(`import * as data from "${unmapped}";\nconsole.log(data);\n`);
  assertEquals(viaPrefix.success, false);
  assertMatch(viaPrefix.output, /@course\/data\/mod\.ts/);
});
