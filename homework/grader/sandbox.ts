/**
 * Run untrusted code in a locked-down `deno` child and get back one block of JSON data.
 *
 * The child gets no write, environment, subprocess, network, FFI or system permission, a cleared
 * environment (only `DENO_DIR` and `NO_COLOR`), and read access only to the folders passed in
 * (the npm packages' wasm files, the data) and to the npm cache. Modules in its static import graph load without read
 * permission, so what the child may import is settled before it starts (see `grade.ts`); at run
 * time it cannot read, write or spawn anything else. It runs in its own process group, which is
 * killed at the time limit or when it prints more than `maxOutputBytes`.
 *
 * The child learns a random nonce on stdin before any untrusted code runs and writes its result
 * between two nonce lines (see `probe_boot.ts`). The result is data for the parent to judge:
 * nothing the child prints or its exit code can award points.
 *
 * @module
 */

/** What came back from a sandboxed run. */
export type SandboxResult =
  | { kind: "data"; data: unknown; seconds: number }
  | { kind: "timeout"; seconds: number }
  | { kind: "overflow"; bytes: number; seconds: number }
  | { kind: "no-data"; code: number; stderrTail: string; seconds: number };

/** Options of {@linkcode runSandboxed}. */
export interface SandboxOptions {
  /** The module to run (a path). */
  entry: string;
  /** The `deno.json` whose import map the child uses. */
  config: string;
  /** Folders or files the child may read at run time. */
  readPaths: string[];
  /** Seconds before the child's process group is killed. */
  timeoutS: number;
  /** Most bytes of stdout plus stderr before the child is killed. Default 8 MiB. */
  maxOutputBytes?: number;
  /** The child's working folder. Default: the system's temporary folder. */
  cwd?: string;
  /** Heap limit of the child in MiB. Default 3072. */
  maxHeapMiB?: number;
}

/** The `deno` cache folder the child needs to find its npm packages and compiled modules. */
function denoDir(): string | undefined {
  try {
    const home = Deno.env.get("HOME");
    const cache = Deno.env.get("XDG_CACHE_HOME") ??
      (home && (Deno.build.os === "darwin" ? `${home}/Library/Caches` : `${home}/.cache`));
    return Deno.env.get("DENO_DIR") ?? (cache ? `${cache}/deno` : undefined);
  } catch {
    return undefined; // no --allow-env: the child finds its cache as the parent did
  }
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `@@RESULT-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The JSON between the last two nonce lines of `text`, or undefined. */
function extractBlock(text: string, nonce: string): unknown {
  const end = text.lastIndexOf(`\n${nonce}\n`);
  if (end < 0) return undefined;
  const start = text.lastIndexOf(`${nonce}\n`, end - 1);
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start + nonce.length + 1, end));
  } catch {
    return undefined;
  }
}

/** Kill the child's whole process group (it is its group's leader: `detached`). */
function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Run `entry` sandboxed and return the data block it wrote, or why there is none. The entry
 * reports through `finish()` of `probe_boot.ts`; what else it prints does not count.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { fileURLToPath } from "node:url";
 * import { runSandboxed } from "./sandbox.ts";
 * const dir = await Deno.makeTempDir();
 * const boot = new URL("./probe_boot.ts", import.meta.url).href;
 * const entry = `${dir}/entry.ts`;
 * await Deno.writeTextFile(
 *   entry,
 *   `import { finish } from "${boot}";\n` +
 *     `let home; try { home = Deno.readTextFileSync("/etc/hostname"); } catch { home = "denied"; }\n` +
 *     `console.log("@@RESULT-forged\\n{}\\n@@RESULT-forged");\n` +
 *     `finish({ sum: 1 + 2, home });\n`,
 * );
 * const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
 * const result = await runSandboxed({ entry, config, readPaths: [], timeoutS: 60 });
 * assertEquals(result.kind === "data" && result.data, { sum: 3, home: "denied" });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runSandboxed(options: SandboxOptions): Promise<SandboxResult> {
  const nonce = randomNonce();
  const maxBytes = options.maxOutputBytes ?? 8 * 1024 * 1024;
  const env: Record<string, string> = { NO_COLOR: "1" };
  const cache = denoDir();
  if (cache) env.DENO_DIR = cache;
  // Without a node_modules folder the npm packages' files (tfjs's wasm) live in the npm cache.
  const readPaths = [...options.readPaths, ...(cache ? [`${cache}/npm`] : [])];
  const readFlag = readPaths.length > 0 ? [`--allow-read=${readPaths.join(",")}`] : [];
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...readFlag,
      "--no-prompt",
      "--cached-only",
      "--no-check",
      `--config=${options.config}`,
      `--v8-flags=--max-old-space-size=${options.maxHeapMiB ?? 3072}`,
      options.entry,
    ],
    cwd: options.cwd ?? "/tmp",
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  let stopped: "timeout" | "overflow" | null = null;
  const stop = (why: "timeout" | "overflow") => {
    stopped ??= why;
    killGroup(child.pid);
  };
  const timer = setTimeout(() => stop("timeout"), options.timeoutS * 1000);
  let total = 0;
  const collect = async (stream: ReadableStream<Uint8Array>, keep: Uint8Array[]) => {
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > maxBytes) {
        stop("overflow");
        continue; // drain without keeping
      }
      keep.push(chunk);
    }
  };
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const writer = child.stdin.getWriter();
  const fed = writer.write(new TextEncoder().encode(`${nonce}\n`)).then(() => writer.close())
    .catch(() => {}); // the child may be gone before it reads
  const [status] = await Promise.all([
    child.status,
    collect(child.stdout, out),
    collect(child.stderr, err),
    fed,
  ]);
  clearTimeout(timer);
  killGroup(child.pid); // anything the child left behind in its group
  if (stopped === "timeout") return { kind: "timeout", seconds: seconds() };
  if (stopped === "overflow") return { kind: "overflow", bytes: total, seconds: seconds() };
  const decode = (chunks: Uint8Array[]) => new TextDecoder().decode(concat(chunks));
  const data = extractBlock(decode(out), nonce);
  if (data !== undefined) return { kind: "data", data, seconds: seconds() };
  const stderrTail = decode(err).slice(-4000);
  return { kind: "no-data", code: status.code, stderrTail, seconds: seconds() };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return all;
}
