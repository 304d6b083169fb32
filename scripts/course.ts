/**
 * Open the course (`deno task course`): install what is missing, make the student's own copies
 * of the notebooks and the homework in `work/` (once; see `work_copies.ts`), then start classic
 * Jupyter Notebook on `work/` with the project-local Deno kernel as the default, and print the URL.
 *
 * Extra arguments go to Jupyter, e.g. `deno task course --port 8890 --no-browser`;
 * `--notebook-dir DIR` serves DIR instead of `work/` (and makes no copies).
 * Ctrl-C, SIGTERM or SIGHUP stops Jupyter and its kernels, then this command.
 *
 * @module
 */
import { resolve } from "node:path";
import { installPageAssets, jupyterEnv, jupyterPython, PROJECT_ROOT } from "./jupyter_env.ts";
import { setupForCommand } from "./setup.ts";
import { describeWorkCopies, makeWorkCopies, WORK_DIR } from "./work_copies.ts";

/** The folder a user asked Jupyter to serve, and the other arguments for Jupyter. */
export interface NotebookDirArgs {
  /** The `--notebook-dir` (or `--NotebookApp.notebook_dir`) value, when one was given. */
  notebookDir?: string;
  /** The remaining arguments, in order. */
  rest: string[];
}

const NOTEBOOK_DIR_FLAGS = ["--notebook-dir", "--NotebookApp.notebook_dir"];

/**
 * Take the notebook folder out of Jupyter's arguments (`--notebook-dir DIR`, `--notebook-dir=DIR`,
 * or the `--NotebookApp.notebook_dir` spelling), so the course passes exactly one to Jupyter.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { splitNotebookDir } from "./course.ts";
 * assertEquals(splitNotebookDir(["--port", "8890", "--notebook-dir", "/tmp/x"]), {
 *   notebookDir: "/tmp/x",
 *   rest: ["--port", "8890"],
 * });
 * assertEquals(splitNotebookDir(["--NotebookApp.notebook_dir=/srv"]).notebookDir, "/srv");
 * assertEquals(splitNotebookDir(["--no-browser"]), { notebookDir: undefined, rest: ["--no-browser"] });
 * ```
 */
export function splitNotebookDir(args: readonly string[]): NotebookDirArgs {
  let notebookDir: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flag = NOTEBOOK_DIR_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag === undefined) {
      rest.push(arg);
    } else if (arg === flag) {
      if (i + 1 >= args.length) {
        throw new Error(`Cannot start the course: ${flag} needs a folder, e.g. ${flag} ~/gans`);
      }
      notebookDir = args[++i];
    } else {
      notebookDir = arg.slice(flag.length + 1);
    }
  }
  return { notebookDir, rest };
}

async function main(): Promise<number> {
  let parsed: NotebookDirArgs;
  try {
    parsed = splitNotebookDir(Deno.args);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (!await setupForCommand({ quiet: true })) return 1;
  await installPageAssets();

  let notebookDir = WORK_DIR;
  if (parsed.notebookDir === undefined) {
    for (const line of describeWorkCopies(await makeWorkCopies(), "work")) console.log(line);
  } else {
    // `deno task` runs this in the project folder; a relative path is meant from where the user
    // typed the command, which deno task passes as INIT_CWD.
    notebookDir = resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), parsed.notebookDir);
    const stat = await Deno.stat(notebookDir).catch(() => undefined);
    if (!stat?.isDirectory) {
      console.error(
        `Cannot start the course: --notebook-dir ${notebookDir} is not a folder. ` +
          "Give an existing folder, or leave the flag out to use your copies in work/.",
      );
      return 2;
    }
  }

  const child = new Deno.Command(jupyterPython(), {
    args: [
      "-m",
      "notebook",
      `--notebook-dir=${notebookDir}`,
      "--MultiKernelManager.default_kernel_name=deno",
      // Jupyter refuses to run as root unless told; a container or CI machine often is root.
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
      ...parsed.rest,
    ],
    env: jupyterEnv(),
    cwd: PROJECT_ROOT,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "piped",
  }).spawn();

  // Stop Jupyter with this command: SIGTERM makes it shut its kernels down and exit. (A Ctrl-C in
  // the terminal reaches Jupyter too, which alone would only ask to confirm.) If it has not exited
  // 20 s later, kill it.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error("\ncourse: stopping Jupyter and its kernels…");
    signalChild("SIGTERM");
    setTimeout(() => signalChild("SIGKILL"), 20_000);
  };
  const signalChild = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);

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
      const where = parsed.notebookDir === undefined
        ? "your copies in work/: notebooks/ and homework/"
        : notebookDir;
      console.log(
        `\nCourse running: open ${url}\n(${where}, with the Deno kernel; Ctrl-C stops it)\n`,
      );
    }
  }
  const status = await child.status;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  return stopping ? 0 : status.code;
}

if (import.meta.main) Deno.exit(await main());
