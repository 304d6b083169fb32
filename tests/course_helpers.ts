/**
 * What the course tests share: starting `deno task course` as a user would, waiting for a
 * condition, and writing small notebooks for the Deno kernel.
 */
import { ok as assert } from "node:assert/strict";
import { PROJECT_ROOT } from "../scripts/jupyter_env.ts";

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Pids of processes whose command line contains `text`. */
export async function processesWith(text: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (cmdline.replaceAll("\0", " ").includes(text)) found.push(Number(entry.name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

/** A `deno task course` started by a test. */
export interface RunningCourse {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  port: number;
  token: string;
  /** GET (or `init`) an API path with the token; asserts success and returns the JSON. */
  api(path: string, init?: RequestInit): Promise<Record<string, unknown>>;
  /** Send `signal` to the command and wait for it to exit; returns its code and stderr. */
  stop(signal: Deno.Signal): Promise<{ code: number; stderr: string }>;
}

/** Start `deno task course --no-browser` on `folder`, as a user would, and wait for its URL. */
export async function startCourse(folder: string): Promise<RunningCourse> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "course", "--no-browser", `--port=${port}`, "--notebook-dir", folder],
    cwd: PROJECT_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  const stdoutDone = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) stdout += chunk;
  })();
  let stderr = "";
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  const stop = async (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // exited
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const status = await child.status;
    clearTimeout(timer);
    await Promise.all([stdoutDone, stderrDone]);
    return { code: status.code, stderr };
  };
  try {
    const token = await waitFor("the course URL", () => {
      return Promise.resolve(stdout.match(/Course running: open \S+\?token=(\w+)/)?.[1]);
    });
    const base = `http://127.0.0.1:${port}`;
    const api = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${base}${path}?token=${token}`, init);
      assert(response.ok, `${path}: HTTP ${response.status}`);
      return await response.json();
    };
    return { base, port, token, api, stop };
  } catch (error) {
    await stop("SIGKILL");
    throw new Error(`${(error as Error).message}\n${stderr.slice(-2000)}`);
  }
}

/** A notebook for the Deno kernel with one code cell per source. */
export function notebook(...sources: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: sources.map((source, index) => ({
      id: `cell-${index}`,
      cell_type: "code",
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
  });
}
