/**
 * Where the course keeps its Jupyter files, and how to reach Debian's Jupyter.
 *
 * Everything Jupyter writes (the Deno kernelspec, runtime files, config) lives under the
 * project-local `.jupyter/` folder, never in the user's home: `.jupyter/share/jupyter` mirrors
 * `~/.local/share/jupyter`, and the environment from {@linkcode jupyterEnv} points Jupyter at it.
 * Its `config/custom/` folder holds what the notebook pages load: plotly.js, once per page (see
 * {@linkcode installPageAssets}).
 *
 * @module
 */
import { plotlyJs } from "../lib/viz/plot.ts";

/** The Debian packages that provide Jupyter Notebook 6, nbconvert and nbclient. */
export const JUPYTER_DEBIAN_PACKAGES: readonly string[] = [
  "jupyter-notebook",
  "jupyter-nbconvert",
  "python3-nbclient",
  "jupyter-client",
  "python3-ipykernel",
];

/** The folder that holds deno.json. */
export const PROJECT_ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The project-local Jupyter data folder (holds `kernels/deno/kernel.json`). */
export const JUPYTER_DATA_DIR = `${PROJECT_ROOT}/.jupyter/share/jupyter`;

/** The name of the course's Deno kernel in Jupyter's kernel menu. */
export const KERNEL_DISPLAY_NAME = "Deno (TypeScript) · GANs, hands-on";

/** The Deno kernelspec file the course registers. */
export const KERNEL_JSON = `${JUPYTER_DATA_DIR}/kernels/deno/kernel.json`;

/**
 * The classic Notebook's `custom/` folder: Jupyter serves its files at `<base>/custom/` and runs
 * its `custom.js` on every page.
 */
export const JUPYTER_CUSTOM_DIR = `${PROJECT_ROOT}/.jupyter/config/custom`;

/**
 * The `custom.js` of the course's Notebook pages (`scripts/jupyter_page.js`): plotly.js served once,
 * and each cell's output kept in its cell on Run All (the file says how).
 */
export const CUSTOM_JS = await Deno.readTextFile(new URL("./jupyter_page.js", import.meta.url));

/**
 * Write `custom.js` and plotly.js (from the installed `plotly.js-dist-min`) into
 * {@linkcode JUPYTER_CUSTOM_DIR}, when they differ from what is there. Returns the files written.
 *
 * @example Install, then nothing left to write
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { installPageAssets } from "./jupyter_env.ts";
 * await installPageAssets();
 * assertEquals(await installPageAssets(), []);
 * ```
 */
export async function installPageAssets(dir: string = JUPYTER_CUSTOM_DIR): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of [["plotly.min.js", plotlyJs()], ["custom.js", CUSTOM_JS]]) {
    const path = `${dir}/${name}`;
    const old = await Deno.readTextFile(path).catch(() => undefined);
    if (old === text) continue;
    await Deno.writeTextFile(`${path}.tmp`, text);
    await Deno.rename(`${path}.tmp`, path);
    written.push(path);
  }
  return written;
}

/**
 * The Python that has Debian's Jupyter modules: `COURSE_PYTHON`, else `/usr/bin/python3`.
 *
 * A `python3` earlier on PATH (pyenv, conda) usually lacks them, hence the absolute default.
 *
 * @example Print the interpreter the scripts use
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { jupyterPython } from "./jupyter_env.ts";
 * assert(jupyterPython().length > 0);
 * ```
 */
export function jupyterPython(): string {
  return Deno.env.get("COURSE_PYTHON")?.trim() || "/usr/bin/python3";
}

/**
 * Environment variables that point Jupyter at the project-local `.jupyter/` folder.
 *
 * @example Start a Jupyter tool with the course's kernelspec visible
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { jupyterEnv } from "./jupyter_env.ts";
 * assert(jupyterEnv().JUPYTER_DATA_DIR.endsWith(".jupyter/share/jupyter"));
 * ```
 */
export function jupyterEnv(): Record<string, string> {
  return {
    JUPYTER_DATA_DIR,
    JUPYTER_PATH: JUPYTER_DATA_DIR,
    JUPYTER_CONFIG_DIR: `${PROJECT_ROOT}/.jupyter/config`,
    JUPYTER_RUNTIME_DIR: `${PROJECT_ROOT}/.jupyter/runtime`,
    IPYTHONDIR: `${PROJECT_ROOT}/.jupyter/ipython`,
    // Silences debugpy's "frozen modules" warning that Debian's Python 3.11 prints.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

/** The registered Deno kernelspec, or `undefined` when there is none. */
export interface KernelSpec {
  /** The command Jupyter runs; `argv[0]` is the deno binary. */
  argv: string[];
  /** The name shown in Jupyter's kernel menu. */
  display_name: string;
  /** The kernel's language. */
  language: string;
}

/**
 * Read the project-local Deno kernelspec, or `undefined` when it is missing or unreadable.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { readKernelSpec } from "./jupyter_env.ts";
 * const spec = await readKernelSpec(); // undefined before `deno task setup`
 * assert(spec === undefined || spec.argv[1] === "jupyter");
 * ```
 */
export async function readKernelSpec(): Promise<KernelSpec | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(KERNEL_JSON)) as KernelSpec;
  } catch {
    return undefined;
  }
}

/**
 * Which of `packages` are not installed according to dpkg, or `undefined` when there is no dpkg
 * (not a Debian-like system).
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { missingDebianPackages } from "./jupyter_env.ts";
 * const missing = await missingDebianPackages(["dpkg", "no-such-package-here"]);
 * assert(missing === undefined || missing.join() === "no-such-package-here");
 * ```
 */
export async function missingDebianPackages(
  packages: readonly string[],
): Promise<string[] | undefined> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("dpkg-query", {
      args: ["-W", "-f=${Package} ${db:Status-Status}\n", ...packages],
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch {
    return undefined;
  }
  const installed = new Set(
    new TextDecoder().decode(out.stdout).split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return packages.filter((name) => !installed.has(name));
}

/**
 * Run a command and capture its output; never throws for a missing program.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { capture } from "./jupyter_env.ts";
 * const { ok, stdout } = await capture("uname", ["-s"]);
 * assertEquals([ok, stdout.trim()], [true, "Linux"]);
 * assertEquals((await capture("no-such-program", [])).ok, false);
 * ```
 */
export async function capture(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ ok: boolean; code: number; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command(command, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      ok: out.success,
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, code: -1, stdout: "", stderr: `cannot run ${command}: ${message}` };
  }
}
