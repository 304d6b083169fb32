/**
 * Check and execute the course notebooks headlessly with the real Deno kernel.
 *
 * Usage: `deno task notebooks [--html] [--check-only] [--profile ci] [--out DIR] [NB.ipynb ...]`
 *
 * Without paths it takes every `notebooks/*.ipynb` and `homework/**\/*.ipynb`. It first checks that
 * each is stored clean (no outputs, no execution counts, the `deno` kernelspec with language
 * `typescript`), then runs each in a fresh kernel through Debian's nbclient (`run_notebooks.py`)
 * with `COURSE_PROFILE=ci` unless told otherwise. Any cell error fails the run, including an
 * unhandled promise rejection or an uncaught error in a timer, which the Deno kernel itself swallows.
 * Executed copies (and HTML with `--html`) go to `runs/notebooks/<time>/` for inspection.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { jupyterEnv, jupyterPython, PROJECT_ROOT } from "./jupyter_env.ts";
import { setupForCommand } from "./setup.ts";

/** What happened to one notebook. */
export interface NotebookRun {
  /** The notebook's path as given. */
  path: string;
  /** True when every cell ran without error. */
  ok: boolean;
  /** Wall-clock seconds, kernel start included. */
  seconds: number;
  /**
   * CPU seconds (user + system) of the kernel process: what the notebook computed, which on a
   * busy machine says more than the wall time.
   */
  cpuSeconds: number;
  /** Index of the failing cell, when one failed. */
  cell: number | null;
  /** The error text (the cell's source and traceback), when one failed. */
  error: string | null;
  /** Path of the executed copy. */
  executed: string;
  /** Path of the HTML export, with `html: true`. */
  html: string | null;
}

/** A code cell starting to run (reported as it goes, see {@linkcode RunNotebooksOptions.onCell}). */
export interface CellStart {
  /** The notebook's path as given. */
  path: string;
  /** The cell's index in the notebook (markdown cells included), as in {@linkcode NotebookRun.cell}. */
  cell: number;
  /** Its rank among the notebook's code cells, from 1. */
  index: number;
  /** How many code cells the notebook has. */
  cells: number;
  /** Seconds since the notebook started (kernel start included). */
  seconds: number;
  /** The cell's first line that is not blank, an import or a comment (else its first line). */
  source: string;
}

/** Options of {@linkcode runNotebooks}. */
export interface RunNotebooksOptions {
  /** Folder for executed copies. Default `runs/notebooks/<date-time>`. */
  outDir?: string;
  /** `COURSE_PROFILE` for the kernels. Default `COURSE_PROFILE` from the environment, else `ci`. */
  profile?: string;
  /** Also export each executed notebook to HTML (nbconvert). Default `false`. */
  html?: boolean;
  /** Seconds one cell may run. Default `600`. */
  cellTimeout?: number;
  /** Called with each result as soon as its notebook finishes. Default: nothing. */
  onResult?: (run: NotebookRun) => void;
  /** Called when each code cell starts. Default: nothing. */
  onCell?: (start: CellStart) => void;
}

/**
 * Every course notebook under `notebooks/` and `homework/` (recursively), sorted, relative to `root`.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { findNotebooks } from "./run_notebooks.ts";
 * const found = await findNotebooks();
 * assert(found.includes("notebooks/00_setup.ipynb"));
 * ```
 */
export async function findNotebooks(root: string = PROJECT_ROOT): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, recursive: boolean): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(`${root}/${dir}`));
    } catch {
      return; // folder absent
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isFile && entry.name.endsWith(".ipynb")) found.push(path);
      else if (recursive && entry.isDirectory && !entry.name.startsWith(".")) {
        await walk(path, true);
      }
    }
  };
  await walk("notebooks", false);
  await walk("homework", true);
  return found.sort();
}

/**
 * Why a notebook file is not fit to commit: outputs or execution counts left in, or a kernelspec
 * other than the Deno kernel. An empty list means it is clean.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { notebookProblems } from "./run_notebooks.ts";
 * const nb = {
 *   nbformat: 4,
 *   cells: [],
 *   metadata: { kernelspec: { name: "deno", language: "typescript" } },
 * };
 * assertEquals(notebookProblems(JSON.stringify(nb)), []);
 * ```
 */
export function notebookProblems(text: string): string[] {
  let nb: {
    nbformat?: number;
    metadata?: { kernelspec?: { name?: string; language?: string } };
    cells?: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }[];
  };
  try {
    nb = JSON.parse(text);
  } catch (error) {
    return [`not valid JSON (${error instanceof Error ? error.message : error})`];
  }
  const problems: string[] = [];
  if (nb.nbformat !== 4) problems.push(`nbformat must be 4, got ${nb.nbformat}`);
  const spec = nb.metadata?.kernelspec;
  if (spec?.name !== "deno" || spec?.language !== "typescript") {
    problems.push(
      `kernelspec must be {"name": "deno", "language": "typescript"}, got ${JSON.stringify(spec)}` +
        ` (pick the Deno kernel in Jupyter)`,
    );
  }
  (nb.cells ?? []).forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    if ((cell.outputs ?? []).length > 0 || cell.execution_count != null) {
      problems.push(
        `cell ${index} has outputs or an execution count: clear them before committing ` +
          `(Jupyter: Cell > All Output > Clear, then save)`,
      );
    }
  });
  return problems;
}

/**
 * Execute notebooks with the project-local Deno kernel, one fresh kernel each, in order.
 *
 * Needs `deno task setup` to have run (Jupyter and the kernelspec present).
 *
 * @example Run one notebook in the ci profile
 * ```ts ignore
 * import { ok as assert } from "node:assert/strict";
 * import { runNotebooks } from "./run_notebooks.ts";
 * const [run] = await runNotebooks(["notebooks/00_setup.ipynb"], { profile: "ci" });
 * assert(run.ok, run.error ?? "");
 * ```
 */
export async function runNotebooks(
  paths: string[],
  options: RunNotebooksOptions = {},
): Promise<NotebookRun[]> {
  const outDir = options.outDir ??
    `${PROJECT_ROOT}/runs/notebooks/${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const profile = options.profile ?? Deno.env.get("COURSE_PROFILE") ?? "ci";
  const args = [
    `${PROJECT_ROOT}/scripts/run_notebooks.py`,
    "--out",
    outDir,
    "--timeout",
    String(options.cellTimeout ?? 600),
    ...(options.html ? ["--html"] : []),
    ...paths,
  ];
  const child = new Deno.Command(jupyterPython(), {
    args,
    env: { ...jupyterEnv(), COURSE_PROFILE: profile },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderrDone = forwardStderr(child.stderr);
  const runs: NotebookRun[] = [];
  for await (const line of lines(child.stdout)) {
    if (!line.startsWith("{")) continue;
    const { event, ...message } = JSON.parse(line);
    if (event === "cell") {
      options.onCell?.(message as CellStart);
      continue;
    }
    const { cpu_seconds: cpuSeconds, ...rest } = message;
    const run = { ...rest, cpuSeconds } as NotebookRun;
    runs.push(run);
    options.onResult?.(run);
  }
  const status = await child.status;
  const stderrText = await stderrDone;
  if (runs.length !== paths.length) {
    throw new Error(
      `Cannot run notebooks: ${jupyterPython()} run_notebooks.py exited with code ${status.code} ` +
        `after ${runs.length} of ${paths.length} notebooks:\n${stderrText.trim()}\n` +
        `Run \`deno task setup\` to install Jupyter and register the Deno kernel.`,
    );
  }
  return runs;
}

/**
 * One line that says which cell of which notebook runs and for how long: the notebook's elapsed
 * time, its name, the cell's rank among its code cells (and its index in the notebook), the
 * seconds in this cell when given, and the cell's first line that is not an import or a comment.
 *
 * @example
 * ```ts
 * import { equal as assertEquals } from "node:assert/strict";
 * import { formatCellProgress } from "./run_notebooks.ts";
 * const start = { path: "notebooks/02_dcgan.ipynb", cell: 14, index: 7, cells: 16, seconds: 95, source: "const x = 1;" };
 * assertEquals(formatCellProgress(start), "  1:35 02_dcgan.ipynb cell 7/16 (#14): const x = 1;");
 * assertEquals(
 *   formatCellProgress(start, 130),
 *   "  3:45 02_dcgan.ipynb cell 7/16 (#14), 2:10 in this cell: const x = 1;",
 * );
 * ```
 */
export function formatCellProgress(start: CellStart, cellSeconds?: number): string {
  const name = start.path.replace(/^.*\//, "");
  const total = start.seconds + (cellSeconds ?? 0);
  const inCell = cellSeconds === undefined ? "" : `, ${clock(cellSeconds)} in this cell`;
  return `${clock(total).padStart(6)} ${name} cell ${start.index}/${start.cells} (#${start.cell})` +
    `${inCell}: ${start.source}`;
}

/** m:ss (or h:mm:ss) of a number of seconds. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const two = (v: number) => String(v).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/**
 * Shows the running cell as the notebooks go: on a terminal one status line redrawn every second;
 * otherwise (a log, CI) one line per cell, and one more every minute a cell keeps running.
 */
class CellProgress {
  #current?: { start: CellStart; at: number };
  #timer?: ReturnType<typeof setInterval>;
  #lastLine = 0;
  #shown = false;
  constructor(readonly tty: boolean, readonly write: (text: string) => void) {}

  cell(start: CellStart): void {
    this.#current = { start, at: performance.now() };
    this.#lastLine = performance.now();
    if (this.tty) this.#redraw();
    else this.write(formatCellProgress(start) + "\n");
    this.#timer ??= setInterval(() => this.#tick(), 1000);
  }

  /** Clear the status line before other output. */
  clear(): void {
    if (this.tty && this.#shown) this.write("\r\x1b[2K");
    this.#shown = false;
  }

  stop(): void {
    this.clear();
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
  }

  #tick(): void {
    if (!this.#current) return;
    if (this.tty) this.#redraw();
    else if (performance.now() - this.#lastLine >= 60_000) {
      this.#lastLine = performance.now();
      const { start, at } = this.#current;
      this.write(formatCellProgress(start, (performance.now() - at) / 1000) + "\n");
    }
  }

  #redraw(): void {
    const { start, at } = this.#current!;
    const columns = (() => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 100;
      }
    })();
    const line = formatCellProgress(start, (performance.now() - at) / 1000).slice(0, columns - 1);
    this.write(`\r\x1b[2K${line}`);
    this.#shown = true;
  }
}

/** Kernel noise that says nothing about the notebook. */
const NOISE = [
  /"deno jupyter" is unstable/,
  /frozen modules|-Xfrozen_modules|Debugging will proceed/,
];

async function forwardStderr(stream: ReadableStream<Uint8Array>): Promise<string> {
  let kept = "";
  for await (const line of lines(stream)) {
    // deno-lint-ignore no-control-regex
    const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
    if (!plain.trim() || NOISE.some((re) => re.test(plain))) continue;
    kept += line + "\n";
    console.error(line);
  }
  return kept;
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer) yield buffer;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      html: { type: "boolean" },
      "check-only": { type: "boolean" },
      profile: { type: "string" },
      out: { type: "string" },
      timeout: { type: "string" },
    },
  });
  const paths = positionals.length > 0 ? positionals : await findNotebooks();
  if (paths.length === 0) {
    console.log("notebooks: none found under notebooks/ or homework/");
    return 0;
  }
  let dirty = 0;
  for (const path of paths) {
    const problems = notebookProblems(await Deno.readTextFile(path));
    for (const problem of problems) console.error(`${path}: ${problem}`);
    dirty += problems.length > 0 ? 1 : 0;
  }
  if (values["check-only"]) {
    console.log(`notebooks: ${paths.length - dirty} of ${paths.length} stored clean`);
    return dirty ? 1 : 0;
  }
  if (!await setupForCommand({ quiet: true })) return 1;
  const encoder = new TextEncoder();
  const progress = new CellProgress(
    Deno.stdout.isTerminal(),
    (text) => Deno.stdout.writeSync(encoder.encode(text)),
  );
  const runs = await runNotebooks(paths, {
    html: values.html,
    profile: values.profile,
    outDir: values.out,
    cellTimeout: values.timeout ? Number(values.timeout) : undefined,
    onCell: (start) => progress.cell(start),
    onResult: (run) => {
      progress.stop();
      const where = run.cell === null ? "" : ` (cell ${run.cell})`;
      console.log(
        `${run.ok ? "ok  " : "FAIL"} ${run.seconds.toFixed(1).padStart(6)} s (CPU ${
          run.cpuSeconds.toFixed(1)
        } s)  ${run.path}${where}`,
      );
      if (!run.ok) console.error(run.error);
    },
  });
  const failed = runs.filter((run) => !run.ok).length;
  const total = runs.reduce((sum, run) => sum + run.seconds, 0);
  const outDir = runs[0]?.executed.replace(/\/[^/]*$/, "");
  console.log(
    `notebooks: ${runs.length - failed} of ${runs.length} ran clean in ${total.toFixed(1)} s; ` +
      `executed copies in ${outDir}`,
  );
  if (dirty) console.error(`notebooks: ${dirty} stored with outputs or a wrong kernelspec`);
  return failed || dirty ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
