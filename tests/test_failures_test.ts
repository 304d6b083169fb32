import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { failureDigest } from "../scripts/test_failures.ts";

/** What `deno test` prints (colours on) for the test file `source`. */
async function denoTestOutput(source: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a_test.ts`, source);
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-config", "a_test.ts"],
      cwd: dir,
      env: { NO_COLOR: "", FORCE_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    return `${decoder.decode(stdout)}\n${decoder.decode(stderr)}`;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("failureDigest() names each failed test of real deno test output, with its error", async () => {
  const output = await denoTestOutput([
    'Deno.test("passes", () => {});',
    'Deno.test("fails here", () => { throw new Error("boom\\nsecond line"); });',
    'Deno.test("fails too", () => { if (1 + 1 !== 3) throw new RangeError("math"); });',
  ].join("\n"));
  assertEquals(failureDigest(output), [
    "fails here => ./a_test.ts:2:6",
    "    error: Error: boom",
    "fails too => ./a_test.ts:3:6",
    "    error: RangeError: math",
  ]);
});

Deno.test("failureDigest() names a test file whose top-level code threw", async () => {
  const output = await denoTestOutput('throw new Error("the module failed to load");');
  assertEquals(failureDigest(output), [
    "./a_test.ts (uncaught error)",
    "    error: (in promise) Error: the module failed to load",
  ]);
});

Deno.test("failureDigest() falls back to the last lines when no test ran (a type error)", async () => {
  const output = await denoTestOutput('const n: number = "one";\nDeno.test("t", () => {});');
  const digest = failureDigest(output);
  assertMatch(digest.join("\n"), /TS2322[\s\S]*Type checking failed/);
  assertEquals(digest.length <= 12, true);
});
