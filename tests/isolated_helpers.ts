// Shared by tests that change environment variables. Test files run in parallel threads of one
// process (`deno test --parallel`), and the environment is the process's: a variable set by one
// test is seen by every test running at that moment (a doc example of recordResult() once could
// write into another test's COURSE_RESULTS file). Such tests run their code in a child process.
import { fileURLToPath } from "node:url";

const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/**
 * Run the TypeScript module source `code` (it may import `@course/lib/...`) in a child Deno with `env`
 * added to the environment; return what it printed. Throws with its error output when it fails.
 */
export async function runIsolated(code: string, env: Record<string, string> = {}): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", CONFIG, code],
    env,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  if (!success) throw new Error(`child process failed:\n${text.decode(stderr).slice(-2000)}`);
  return text.decode(stdout);
}
