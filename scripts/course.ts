/**
 * Open the course (`deno task course`): install what is missing, then start classic Jupyter
 * Notebook on `notebooks/` with the project-local Deno kernel as the default, and print the URL.
 *
 * Extra arguments go to Jupyter, e.g. `deno task course --port 8890 --no-browser`.
 * Stop it with Ctrl-C (twice).
 *
 * @module
 */
import { jupyterEnv, jupyterPython, PROJECT_ROOT } from "./jupyter_env.ts";
import { setupForCommand } from "./setup.ts";

if (!await setupForCommand({ quiet: true })) Deno.exit(1);

const args = [
  "-m",
  "notebook",
  `--notebook-dir=${PROJECT_ROOT}/notebooks`,
  "--MultiKernelManager.default_kernel_name=deno",
  // Jupyter refuses to run as root unless told; a container or CI machine often is root.
  ...(Deno.uid() === 0 ? ["--allow-root"] : []),
  ...Deno.args,
];
const child = new Deno.Command(jupyterPython(), {
  args,
  env: jupyterEnv(),
  cwd: PROJECT_ROOT,
  stdin: "inherit",
  stdout: "inherit",
  stderr: "piped",
}).spawn();

// Ctrl-C reaches Jupyter too (same process group); it asks to confirm or stops on a second
// Ctrl-C. Ignore it here so this process waits for Jupyter instead of leaving it orphaned.
Deno.addSignalListener("SIGINT", () => {});

// Pass Jupyter's log through, and repeat the URL (token included) on a line of its own.
let announced = false;
let recent = ""; // the URL may straddle two chunks
const decoder = new TextDecoder();
for await (const bytes of child.stderr) {
  await Deno.stderr.write(bytes);
  recent = (recent + decoder.decode(bytes, { stream: true })).slice(-4000);
  const url = recent.match(/https?:\/\/(?:127\.0\.0\.1|localhost)[^\s]*\?token=\w+/)?.[0];
  if (!announced && url) {
    announced = true;
    console.log(
      `\nCourse running: open ${url}\n(notebooks/ with the Deno kernel; Ctrl-C twice stops it)\n`,
    );
  }
}
Deno.exit((await child.status).code);
