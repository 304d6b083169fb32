/**
 * `deno task evaluate` as a user meets it: every bad argument or input is one line on stderr with a
 * non-zero exit status, never a stack trace.
 */
import { ok as assert, strictEqual } from "node:assert/strict";

const SCRIPT = new URL("../scripts/evaluate.ts", import.meta.url).pathname;

async function evaluate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    env: { COURSE_BACKEND: "wasm", NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: decode(stdout), err: decode(stderr) };
}

function assertOneLineError(result: { err: string }, text: string): void {
  const first = result.err.split("\n")[0];
  assert(first.includes(text), `"${first}" does not include "${text}"`);
  assert(!/\n\s+at /.test(result.err), `a stack trace: ${result.err}`);
}

Deno.test("deno task evaluate rejects bad arguments in one line before loading anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate_cli_test_" });
  try {
    const missing = await evaluate([`${dir}/nope`]);
    strictEqual(missing.code, 2);
    assertOneLineError(missing, `Cannot evaluate ${dir}/nope: it does not exist`);

    const badN = await evaluate(["--real", "--n", "abc"]);
    strictEqual(badN.code, 2);
    assertOneLineError(badN, `Cannot evaluate: --n must be a positive integer, got "abc"`);

    const unwritable = await evaluate(["--real", "--json", `${dir}/no/such/folder/out.json`]);
    strictEqual(unwritable.code, 2);
    assertOneLineError(unwritable, `Cannot write --json ${dir}/no/such/folder/out.json`);

    const none = await evaluate([]);
    strictEqual(none.code, 2);
    assertOneLineError(none, "Cannot evaluate: give one generator folder or PNG folder, got 0");

    const unknown = await evaluate(["--real", "--bogus"]);
    strictEqual(unknown.code, 2);
    assertOneLineError(unknown, "Cannot evaluate: Unknown option '--bogus'");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task evaluate names a broken PNG and writes --json for good input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evaluate_cli_test_" });
  try {
    await Deno.mkdir(`${dir}/pngs`);
    await Deno.writeFile(`${dir}/pngs/3_0001.png`, new TextEncoder().encode("<html>oops</html>"));
    const broken = await evaluate([`${dir}/pngs`, "--n", "4", "--splits", "2"]);
    strictEqual(broken.code, 1);
    assertOneLineError(broken, `Cannot read ${dir}/pngs/3_0001.png: it is not an image`);

    const good = await evaluate([
      "--real",
      "--n",
      "20",
      "--splits",
      "2",
      "--subsets",
      "2",
      "--subset-size",
      "10",
      "--json",
      `${dir}/report.json`,
    ]);
    strictEqual(good.code, 0, good.err);
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    strictEqual(report.count, 20);
    assert(report.inceptionScore.mean > 5, JSON.stringify(report));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
