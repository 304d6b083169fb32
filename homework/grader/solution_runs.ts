/**
 * Record the runs the reference solution's notebook logs: `deno run -A
 * homework/grader/solution_runs.ts <hw> [--profile ci|cpu]` fills the starter with the reference
 * solution, executes it with the real Deno kernel, and writes the runs its outputs logged to
 * `solutions/<hw>_runs.json`. `solutionNotebook()` puts them back as saved outputs, so the
 * reference report (`solutions/<hw>_report.md`) is graded against figures a real run produced;
 * after running this, paste the table it prints into the report's experiments cell.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { resultsTable } from "../../lib/notebook/homework_results.ts";
import { runNotebooks } from "../../scripts/run_notebooks.ts";
import { ASSIGNMENTS } from "./assignments.ts";
import { HOMEWORK_DIR, solutionNotebook, solutionRunsPath } from "./grade.ts";
import { parseNotebook } from "./notebook.ts";
import { loggedRuns } from "./report_checks.ts";

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { profile: { type: "string", default: "ci" } },
  });
  const [hw] = positionals;
  if (!hw || !(hw in ASSIGNMENTS)) {
    console.error(
      `Usage: deno run -A homework/grader/solution_runs.ts <hw> [--profile ci|cpu]\n  <hw>: one ` +
        `of ${Object.keys(ASSIGNMENTS).join(", ")}`,
    );
    return 2;
  }
  const dir = join(HOMEWORK_DIR, "..", "runs", "solution_runs");
  await Deno.mkdir(dir, { recursive: true });
  const nb = await solutionNotebook(hw);
  for (const cell of nb.cells) if (cell.cell_type === "code") cell.outputs = [];
  const path = join(dir, `${hw}.ipynb`);
  await Deno.writeTextFile(path, JSON.stringify(nb, null, 1) + "\n");
  const [run] = await runNotebooks([path], { profile: values.profile, outDir: join(dir, "out") });
  if (!run.ok) {
    console.error(`the solution notebook failed at cell ${run.cell}:\n${run.error}`);
    return 1;
  }
  const executed = parseNotebook(await Deno.readTextFile(run.executed), run.executed);
  const runs = [...loggedRuns(executed, hw).values()];
  await Deno.writeTextFile(solutionRunsPath(hw), JSON.stringify(runs, null, 2) + "\n");
  console.log(
    `${runs.length} runs (${values.profile} profile, ${run.seconds.toFixed(0)} s, ` +
      `${run.cpuSeconds.toFixed(0)} s of CPU) ` +
      `written to ${solutionRunsPath(hw)}:\n\n${resultsTable(hw, runs)}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
