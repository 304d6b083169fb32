/**
 * A short digest of what failed in a `deno test` run, for the end of `deno task test`'s output.
 *
 * CI shows only the tail of a run's output, and a failing test's report sits far above the
 * summary, so the summary repeats each failed test (or test file whose top-level code threw) with
 * its location and the first line of its error. When the output has no per-test report (a type
 * error, a crashed process), the digest is the last lines the phase printed.
 *
 * @module
 */

/** How many failed tests the digest names, and how many trailing lines it keeps otherwise. */
const MAX_TESTS = 12;
const TAIL_LINES = 12;

/** `text` without terminal colour codes. */
function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * The failed tests of `deno test`'s output `output` (colour codes allowed), one line each with
 * the first line of its error under it; else the output's last non-empty lines.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { failureDigest } from "./test_failures.ts";
 * const output = [
 *   "./a_test.ts => adds ... FAILED (1ms)",
 *   "",
 *   " ERRORS ",
 *   "",
 *   "adds => ./a_test.ts:2:6",
 *   "error: AssertionError: 3 !== 4",
 *   "    at file:///a_test.ts:2:40",
 *   "",
 *   " FAILURES ",
 *   "",
 *   "adds => ./a_test.ts:2:6",
 *   "",
 *   "FAILED | 0 passed | 1 failed (10ms)",
 * ].join("\n");
 * assertEquals(failureDigest(output), ["adds => ./a_test.ts:2:6", "    error: AssertionError: 3 !== 4"]);
 * ```
 */
export function failureDigest(output: string): string[] {
  const lines = stripAnsi(output).split("\n");
  const errorsAt = lines.findIndex((line) => line.trim() === "ERRORS");
  const failuresAt = lines.findIndex((line) => line.trim() === "FAILURES");
  const isHeader = (line: string) => / => \S+:\d+:\d+$|\(uncaught error\)$/.test(line);
  const digest: string[] = [];
  if (errorsAt >= 0) {
    const end = failuresAt > errorsAt ? failuresAt : lines.length;
    let tests = 0;
    for (let i = errorsAt + 1; i < end; i++) {
      if (!isHeader(lines[i])) continue;
      if (++tests > MAX_TESTS) {
        digest.push(`... and more: see ERRORS above`);
        break;
      }
      digest.push(lines[i].trim());
      for (let j = i + 1; j < end && !isHeader(lines[j]); j++) {
        if (/^error: /.test(lines[j])) {
          digest.push(`    ${lines[j].trim()}`);
          break;
        }
      }
    }
  }
  if (digest.length > 0) return digest;
  // Deno's "Stack backtrace:" of its own exit carries nothing for the reader.
  const noise = (line: string) => /^(Stack backtrace:|\s+\d+: <unknown>)$/.test(line);
  return lines.filter((line) => line.trim() !== "" && !noise(line)).slice(-TAIL_LINES);
}

/**
 * Whether a `deno test` process reported every test passed and then died from a signal: the
 * runtime crashed while shutting down (SIGABRT after glibc's "corrupted size vs. prev_size in
 * fastbins", or SIGSEGV: sharp's native code across parallel test modules, see DEVELOPERS.md).
 * No test failed, so `deno task test` runs such a phase once more instead of failing it, and
 * says so; a second crash, or any failed test, still fails the phase.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { crashedAfterPassing } from "./test_failures.ts";
 * const passed = "ok | 873 passed | 0 failed (2m56s)\n\ncorrupted size vs. prev_size in fastbins\n";
 * assertEquals(crashedAfterPassing(passed, { success: false, signal: "SIGABRT" }), true);
 * assertEquals(crashedAfterPassing(passed, { success: true, signal: null }), false);
 * const failed = "FAILED | 872 passed | 1 failed (3m)\n";
 * assertEquals(crashedAfterPassing(failed, { success: false, signal: "SIGABRT" }), false);
 * assertEquals(crashedAfterPassing("ok | 3 passed | 0 failed\n", { success: false, signal: null }), false);
 * ```
 */
export function crashedAfterPassing(
  output: string,
  status: Pick<Deno.CommandStatus, "success" | "signal">,
): boolean {
  if (status.success || status.signal === null) return false;
  const text = stripAnsi(output);
  return /^ok \| \d+ passed \| 0 failed/m.test(text) && !/^FAILED \|/m.test(text);
}
