/**
 * Child process of the grader: runs one code item's hidden test against a generated module and
 * prints the outcomes as one `@@GRADE_RESULT <json>` line. The parent enforces the time limit.
 *
 * Usage: `deno run -A homework/grader/run_item.ts <hw> <itemId> <moduleUrl>`
 *
 * @module
 */
import { initBackend } from "@course/backend.ts";
import { assignment } from "./assignments.ts";
import { type CheckOutcome, type CodeItem, describeError } from "./check.ts";

/** Marker of the result line on stdout. */
export const RESULT_MARKER = "@@GRADE_RESULT ";

async function runItem(hw: string, itemId: string, moduleUrl: string): Promise<CheckOutcome[]> {
  const item = assignment(hw).items.find((i) => i.id === itemId) as CodeItem | undefined;
  if (!item || !("check" in item)) throw new Error(`no code item ${itemId} in ${hw}`);
  await initBackend();
  let student: Record<string, unknown>;
  try {
    student = await import(moduleUrl);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [{
      name: "code loads",
      passed: false,
      detail: `your graded cells do not compile or throw when run: ${message.split("\n")[0]}`,
    }];
  }
  try {
    return await item.check(student);
  } catch (error) {
    return [{ name: "hidden test", passed: false, detail: describeError(error) }];
  }
}

if (import.meta.main) {
  const [hw, itemId, moduleUrl] = Deno.args;
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    console.log(
      RESULT_MARKER + JSON.stringify([{
        name: "hidden test",
        passed: false,
        detail: `a promise rejected without being awaited: ${describeError(event.reason)}`,
      }]),
    );
    Deno.exit(0);
  });
  const outcomes = await runItem(hw, itemId, moduleUrl);
  console.log(RESULT_MARKER + JSON.stringify(outcomes));
  Deno.exit(0);
}
