/**
 * `deno task train` as a user meets it: it never trains over another run's checkpoint without
 * `--resume` or `--force`, `--resume` needs a checkpoint, SIGTERM saves like Ctrl-C and the exit
 * status says the run was interrupted. Runs the 2-D toy GAN for a few steps (seconds).
 */
import { ok as assert, strictEqual } from "node:assert/strict";
import { readCheckpointMeta } from "../lib/io/checkpoint.ts";

const SCRIPT = new URL("../scripts/train.ts", import.meta.url).pathname;

function command(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    env: { COURSE_BACKEND: "wasm", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await command(args).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: decode(stdout) + decode(stderr) };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "train_cli_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno task train refuses to replace a checkpoint without --resume or --force", async () => {
  await withTempDir(async (dir) => {
    const base = ["toy_gan", "--profile", "ci", "--steps-per-epoch", "3", "--out", `${dir}/run`];
    const first = await run(base);
    strictEqual(first.code, 0, first.out);
    strictEqual((await readCheckpointMeta(`${dir}/run/checkpoint`))?.step, 3);

    const again = await run(base);
    strictEqual(again.code, 1, again.out);
    assert(
      again.out.includes(
        `Cannot train into --out ${dir}/run: it holds the checkpoint of a toy_gan run at step 3`,
      ),
      again.out,
    );
    assert(again.out.includes("pass --resume to continue it, --force to discard it"), again.out);
    assert(!again.out.includes("    at "), `a stack trace: ${again.out}`);

    const typo = await run([...base.slice(0, -1), `${dir}/rnu`, "--resume"]);
    strictEqual(typo.code, 1, typo.out);
    assert(typo.out.includes(`Cannot resume: --out ${dir}/rnu holds no checkpoint`), typo.out);

    const resumed = await run([...base, "--resume", "--epochs", "2"]);
    strictEqual(resumed.code, 0, resumed.out);
    assert(resumed.out.includes("Resumed from step 3"), resumed.out);
    strictEqual((await readCheckpointMeta(`${dir}/run/checkpoint`))?.step, 6);

    const forced = await run([...base, "--force"]);
    strictEqual(forced.code, 0, forced.out);
    assert(forced.out.includes("Discarded the toy_gan checkpoint at step 6 (--force)"), forced.out);
    strictEqual((await readCheckpointMeta(`${dir}/run/checkpoint`))?.step, 3);

    const both = await run([...base, "--force", "--resume"]);
    strictEqual(both.code, 2, both.out);
  });
});

Deno.test("deno task train saves a checkpoint on SIGTERM and exits with 143", async () => {
  await withTempDir(async (dir) => {
    const child = command([
      "toy_gan",
      "--profile",
      "ci",
      "--steps-per-epoch",
      "100000",
      "--out",
      `${dir}/run`,
    ]).spawn();
    // Wait for the progress bar: training has started.
    const reader = child.stderr.getReader();
    let seen = "";
    while (!seen.includes("it/s")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    child.kill("SIGTERM");
    const rest = (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })();
    const [status] = await Promise.all([child.status, rest, child.stdout.cancel()]);
    strictEqual(status.code, 143, seen);
    const meta = await readCheckpointMeta(`${dir}/run/checkpoint`);
    assert(meta && meta.step > 0, `no checkpoint after SIGTERM: ${JSON.stringify(meta)}`);
  });
});
