/**
 * The whole test command (`deno task test`): install what is missing, then run every check in
 * order and print the time each phase took.
 *
 * Phases: setup (npm packages, Jupyter, Deno kernel), `deno fmt --check`, `deno lint`, the source
 * rules (`source_rules.ts`: no `Deno.env` in lib/ outside its setup file, doc examples that assert
 * instead of printing), `deno check` of lib/ tests/ scripts/ bench/ homework/ slides/ packages/,
 * the notebooks' types (`check_notebooks.ts`), the layering check (`check_layers.ts`), the unit
 * and doc tests (`deno test -A --doc` over tests/ and every folder that holds doc examples: lib/
 * scripts/ homework/ slides/ bench/ packages/), and the notebook tests (tests/notebooks_test.ts,
 * which executes every notebook).
 * A failing setup stops the run; any other failing phase is reported and the next ones still run,
 * so one run shows every problem. The exit code is 1 when any phase failed. After the summary of
 * times, each failed phase gets a short digest (its failed tests and their first error line, see
 * `test_failures.ts`), so that the tail of a CI log says what broke.
 *
 * `--only <phase>` runs setup and that one phase (`deno task test:unit`, `deno task test:notebooks`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "./jupyter_env.ts";
import { setupForCommand, TEST_DEBIAN_PACKAGES } from "./setup.ts";
import { DOC_EXAMPLE_DIRS } from "./source_rules.ts";
import { crashedAfterPassing, failureDigest } from "./test_failures.ts";

/** The notebook test file, run as its own phase. */
const NOTEBOOK_TESTS = "tests/notebooks_test.ts";

/** One phase: a name and the deno sub-command it runs. */
interface Phase {
  name: string;
  args: string[];
}

/** The folders `deno check` covers, when they hold TypeScript. */
const CHECKED = ["lib", "tests", "scripts", "bench", "homework", "slides", "packages"];

async function hasTypeScript(dir: string): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(`${PROJECT_ROOT}/${dir}`)) {
      if (entry.isDirectory && await hasTypeScript(`${dir}/${entry.name}`)) return true;
      if (entry.isFile && entry.name.endsWith(".ts")) return true;
    }
  } catch {
    return false;
  }
  return false;
}

/** The test files of tests/ other than the notebook tests. (`deno test --ignore` does not drop a
 * file when several folders and `--doc` are given, so the list is spelled out.) */
async function unitTestFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${PROJECT_ROOT}/tests`)) {
    const path = `tests/${entry.name}`;
    if (entry.isFile && /_test\.ts$/.test(entry.name) && path !== NOTEBOOK_TESTS) files.push(path);
  }
  return files.sort();
}

async function phases(): Promise<Phase[]> {
  const checked = [];
  for (const dir of CHECKED) if (await hasTypeScript(dir)) checked.push(`${dir}/`);
  // Folders, not files: `deno test` runs the examples of every file in a folder but executes only
  // its test files (a script named on the command line would run).
  const documented = [];
  for (const dir of DOC_EXAMPLE_DIRS) if (await hasTypeScript(dir)) documented.push(`${dir}/`);
  return [
    { name: "fmt", args: ["fmt", "--check"] },
    { name: "lint", args: ["lint"] },
    { name: "rules", args: ["run", "-A", "scripts/source_rules.ts"] },
    { name: "check", args: ["check", ...checked] },
    { name: "notebook types", args: ["run", "-A", "scripts/check_notebooks.ts"] },
    { name: "layers", args: ["run", "-A", "scripts/check_layers.ts"] },
    {
      name: "unit",
      args: ["test", "-A", "--doc", "--parallel", ...documented, ...await unitTestFiles()],
    },
    { name: "notebooks", args: ["test", "-A", NOTEBOOK_TESTS] },
  ];
}

/** Copy `stream` to `sink` as it arrives; resolves to everything it carried, as text. */
async function tee(stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    let written = 0;
    while (written < chunk.length) written += await sink.write(chunk.subarray(written));
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** Run one phase's `deno` command, echoing its output; returns the output and the exit status. */
async function runPhase(phase: Phase): Promise<{ output: string; status: Deno.CommandStatus }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: phase.args,
    cwd: PROJECT_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [out, err, status] = await Promise.all([
    tee(child.stdout, Deno.stdout),
    tee(child.stderr, Deno.stderr),
    child.status,
  ]);
  return { output: `${out}\n${err}`, status };
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: Deno.args, options: { only: { type: "string" } } });
  const only = values.only;
  const names = (await phases()).map((phase) => phase.name);
  if (only && !names.includes(only)) {
    console.error(`test: --only must be one of ${names.join(", ")}, got "${only}"`);
    return 2;
  }
  const times: [string, number, boolean][] = [];
  const failures: [string, string[]][] = [];
  const crashes: string[] = [];
  let started = performance.now();
  if (!await setupForCommand({ quiet: true, extraDebianPackages: TEST_DEBIAN_PACKAGES })) return 1;
  times.push(["setup", elapsed(started), true]);
  for (const phase of await phases()) {
    if (only && phase.name !== only) continue;
    console.log(`\n=== ${phase.name}: deno ${phase.args.join(" ")}`);
    started = performance.now();
    let { output, status } = await runPhase(phase);
    if (crashedAfterPassing(output, status)) {
      console.log(
        `\n=== ${phase.name}: every test passed, then the test process died from ${status.signal} ` +
          `while shutting down (a Deno runtime crash, not a test failure); running the phase again`,
      );
      crashes.push(phase.name);
      ({ output, status } = await runPhase(phase));
    }
    times.push([phase.name, elapsed(started), status.success]);
    if (!status.success) failures.push([phase.name, failureDigest(output)]);
  }
  console.log("\n=== summary");
  for (const [name, seconds, ok] of times) {
    console.log(`${ok ? "ok  " : "FAIL"} ${name.padEnd(12)} ${seconds.toFixed(1).padStart(7)} s`);
  }
  for (const name of crashes) {
    console.log(`(${name} was run twice: its first run crashed at exit after every test passed)`);
  }
  for (const [name, digest] of failures) {
    console.log(`\n=== what failed in ${name}`);
    for (const line of digest) console.log(line);
  }
  return times.every(([, , ok]) => ok) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
