/**
 * Install what the course needs, idempotently, and quietly when it is all there:
 *
 * 1. the npm packages of deno.json's import map (`deno install`, into `node_modules/`);
 * 2. Jupyter Notebook, nbconvert and nbclient from Debian packages, when dpkg says some are missing
 *    (as root it runs apt-get; otherwise it prints the exact command and stops);
 * 3. the Deno kernelspec in the project-local `.jupyter/` folder, pointing at the deno binary that
 *    runs this script (registered again whenever that path changes, e.g. a new npx cache).
 *
 * Usage: `deno task setup` (add `--quiet` to print only what changed).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  capture,
  JUPYTER_DATA_DIR,
  JUPYTER_DEBIAN_PACKAGES,
  jupyterPython,
  KERNEL_DISPLAY_NAME,
  KERNEL_JSON,
  type KernelSpec,
  missingDebianPackages,
  PROJECT_ROOT,
  readKernelSpec,
} from "./jupyter_env.ts";

/** Options of {@linkcode setup}. */
export interface SetupOptions {
  /** Print only steps that changed something. Default `false`. */
  quiet?: boolean;
  /** Skip the Jupyter and kernel steps (for commands that need only npm packages). Default `false`. */
  skipJupyter?: boolean;
  /** More Debian packages to install with Jupyter (the tests add Chromium and fonts). Default `[]`. */
  extraDebianPackages?: readonly string[];
}

const DEFAULTS: Required<SetupOptions> = {
  quiet: false,
  skipJupyter: false,
  extraDebianPackages: [],
};

/** Debian packages the test suite needs beyond Jupyter: Chromium for the slide and notebook
 * screenshots, and fonts for the labels sharp draws on image grids. */
export const TEST_DEBIAN_PACKAGES: readonly string[] = ["chromium", "fonts-dejavu-core"];

/** Raised when setup cannot finish; its message says what to do. */
export class SetupError extends Error {
  override name = "SetupError";
}

/**
 * Run the three setup steps; throws {@linkcode SetupError} with an actionable message on failure.
 *
 * @example Make sure everything is installed before starting Jupyter
 * ```ts ignore
 * import { setup } from "./setup.ts";
 * await setup({ quiet: true });
 * ```
 */
export async function setup(options: SetupOptions = {}): Promise<void> {
  const { quiet, skipJupyter, extraDebianPackages } = { ...DEFAULTS, ...options };
  const say = (line: string) => console.log(`setup: ${line}`);
  await ensureNpmPackages(quiet ? () => {} : say);
  if (skipJupyter) return;
  await ensureJupyter(say, quiet, [...JUPYTER_DEBIAN_PACKAGES, ...extraDebianPackages]);
  await ensureKernel(say, quiet);
}

async function ensureNpmPackages(say: (line: string) => void): Promise<void> {
  const started = performance.now();
  const result = await capture(Deno.execPath(), ["install"], { cwd: PROJECT_ROOT });
  if (!result.ok) {
    throw new SetupError(
      `Cannot install the npm packages: \`deno install\` failed in ${PROJECT_ROOT}:\n` +
        `${result.stderr.trim()}\nCheck that the npm registry is reachable (or set NPM_CONFIG_REGISTRY).`,
    );
  }
  say(`npm packages ready in node_modules/ (${seconds(started)})`);
}

async function ensureJupyter(
  say: (line: string) => void,
  quiet: boolean,
  packages: readonly string[],
): Promise<void> {
  const missing = await missingDebianPackages(packages);
  if (missing === undefined) {
    // Not Debian: accept any Python that has the modules, or explain what is needed.
    const probe = await capture(jupyterPython(), ["-c", "import notebook, nbclient, nbconvert"]);
    if (!probe.ok) {
      throw new SetupError(
        "Cannot find Jupyter: this is not a Debian-like system (no dpkg), and " +
          `${jupyterPython()} cannot import notebook, nbclient and nbconvert. Install Jupyter ` +
          "Notebook 6, nbconvert and nbclient for it, or set COURSE_PYTHON to a Python that has them.",
      );
    }
    if (!quiet) say("Jupyter found (not a Debian system; dpkg check skipped)");
    return;
  }
  if (missing.length === 0) {
    if (!quiet) say(`Debian packages present (${packages.join(", ")})`);
    return;
  }
  const install = `apt-get install -y ${missing.join(" ")}`;
  if (Deno.uid() !== 0) {
    throw new SetupError(
      `Debian packages the course needs are missing: ${missing.join(", ")}. Install them:\n\n` +
        `  sudo apt-get update && sudo ${install}\n\nthen run this command again.`,
    );
  }
  say(`installing Debian packages: ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", ...missing]]) {
    const started = performance.now();
    const result = await capture("apt-get", args, { env });
    if (!result.ok) {
      throw new SetupError(
        `Cannot install the Debian packages: \`apt-get ${args.join(" ")}\` failed:\n` +
          `${result.stderr.trim().split("\n").slice(-10).join("\n")}\n` +
          `Fix the apt sources, then run \`apt-get update && ${install}\` by hand.`,
      );
    }
    say(`apt-get ${args[0]} done (${seconds(started)})`);
  }
}

async function ensureKernel(say: (line: string) => void, quiet: boolean): Promise<void> {
  const deno = Deno.execPath();
  const spec = await readKernelSpec();
  if (
    spec?.argv?.[0] === deno && spec.language === "typescript" &&
    spec.display_name === KERNEL_DISPLAY_NAME
  ) {
    if (!quiet) say(`Deno kernel registered in ${KERNEL_JSON}`);
    return;
  }
  // `deno jupyter --install` writes $XDG_DATA_HOME/jupyter/kernels/deno (kernel.json and logos), but
  // names the first `deno` on PATH in argv; pin argv[0] to the binary running this script instead.
  const xdgDataHome = JUPYTER_DATA_DIR.replace(/\/jupyter$/, "");
  const result = await capture(deno, ["jupyter", "--install", "--force"], {
    env: { XDG_DATA_HOME: xdgDataHome },
    cwd: PROJECT_ROOT,
  });
  const written = await readKernelSpec();
  if (!result.ok || !written) {
    throw new SetupError(
      `Cannot register the Deno Jupyter kernel: \`${deno} jupyter --install\` did not write ` +
        `${KERNEL_JSON}:\n${result.stderr.trim()}`,
    );
  }
  const pinned: KernelSpec = {
    ...written,
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
  };
  await Deno.writeTextFile(KERNEL_JSON, JSON.stringify(pinned, null, 2) + "\n");
  say(`${spec ? "re-registered" : "registered"} the Deno kernel (${deno}) in ${KERNEL_JSON}`);
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * Run {@linkcode setup} for a command-line entry point: on a {@linkcode SetupError} print its
 * message and return `false` (the caller exits with status 1); other errors propagate.
 *
 * @example
 * ```ts ignore
 * import { setupForCommand } from "./setup.ts";
 * if (!await setupForCommand({ quiet: true })) Deno.exit(1);
 * ```
 */
export async function setupForCommand(options: SetupOptions = {}): Promise<boolean> {
  try {
    await setup(options);
    return true;
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    console.error(`setup failed: ${error.message}`);
    return false;
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quiet: { type: "boolean" }, "skip-jupyter": { type: "boolean" } },
  });
  const ok = await setupForCommand({ quiet: values.quiet, skipJupyter: values["skip-jupyter"] });
  if (!ok) Deno.exit(1);
}
