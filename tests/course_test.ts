/**
 * `deno task course` for real: Jupyter serves the folder asked for, plotly.js for the pages and
 * the course's kernel by its name; SIGTERM or SIGINT to the command stops Jupyter and its kernels.
 * The students' work copies are checked on a folder made here (never the project's own `work/`).
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { CUSTOM_JS, KERNEL_DISPLAY_NAME, PROJECT_ROOT } from "../scripts/jupyter_env.ts";
import { setup } from "../scripts/setup.ts";
import { courseFilesToCopy, makeWorkCopies } from "../scripts/work_copies.ts";

await setup({ quiet: true });

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Pids of processes whose command line contains `text`. */
async function processesWith(text: string): Promise<number[]> {
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

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

/** Start `deno task course` on a folder, check what it serves, stop it with `signal`. */
async function courseStopsOn(signal: "SIGTERM" | "SIGINT") {
  const folder = await Deno.makeTempDir({ prefix: "course_test_" });
  await Deno.writeTextFile(`${folder}/mine.ipynb`, "{}");
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
    // The user's own folder, passed once to Jupyter.
    const listing = await api("/api/contents");
    assertEquals(listing.content.map((item: { name: string }) => item.name), ["mine.ipynb"]);
    // The kernel menu names the course's kernel, and it is the default.
    const specs = await api("/api/kernelspecs");
    assertEquals(specs.default, "deno");
    assertEquals(specs.kernelspecs.deno.spec.display_name, KERNEL_DISPLAY_NAME);
    // The pages get plotly.js from the server, through custom.js.
    const customJs = await fetch(`${base}/custom/custom.js`);
    assertEquals(await customJs.text(), CUSTOM_JS);
    const plotly = await fetch(`${base}/custom/plotly.min.js`);
    assert(plotly.ok && (await plotly.text()).includes("window.Plotly = Plotly"));
    // A running kernel must go down with Jupyter.
    const kernel = await api("/api/kernels", {
      method: "POST",
      body: JSON.stringify({ name: "deno" }),
    });
    await waitFor("the kernel process", async () => {
      const pids = await processesWith(kernel.id);
      return pids.length > 0 ? pids : undefined;
    });

    child.kill(signal);
    const status = await child.status;
    await Promise.all([stdoutDone, stderrDone]);
    assertEquals(status.code, 0, stderr.slice(-2000));
    assertMatch(stderr, /course: stopping Jupyter/);
    assertEquals(await processesWith(`--port=${port}`), [], "Jupyter is still running");
    assertEquals(await processesWith(kernel.id), [], "its kernel is still running");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited
    }
    await Deno.remove(folder, { recursive: true });
  }
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "deno task course serves --notebook-dir, and SIGTERM stops Jupyter and its kernels",
  sanitizeResources: false,
  fn: () => courseStopsOn("SIGTERM"),
});

Deno.test({
  name: "deno task course: SIGINT to the command alone stops Jupyter and its kernels",
  sanitizeResources: false,
  fn: () => courseStopsOn("SIGINT"),
});

Deno.test("makeWorkCopies() copies notebooks and homework, never overwrites a saved one nor the solutions", async () => {
  const workDir = await Deno.makeTempDir({ prefix: "work_copies_test_" });
  try {
    const files = await courseFilesToCopy();
    assert(files.some((file) => /^homework\/hw1_dcgan\/.*\.ipynb$/.test(file)));
    assert(!files.some((file) => /solutions|grader/.test(file)));
    const first = await makeWorkCopies({ workDir });
    assertEquals(first, { created: files, updated: [], kept: [] });
    // The copy's ../runs is the project's runs/ (notebook 05 reads ../runs/dcgan/...).
    assertEquals(
      await Deno.realPath(`${workDir}/runs`),
      await Deno.realPath(`${PROJECT_ROOT}/runs`),
    );
    // As if the course had changed 00 and 01 since the copies were made; the student saved 00
    // and deleted 02.
    const manifestPath = `${workDir}/.course-copies.json`;
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    for (const file of ["notebooks/00_setup.ipynb", "notebooks/01_gan_review.ipynb"]) {
      await Deno.writeTextFile(`${workDir}/${file}`, "the course's old version");
      manifest[file] = await sha256Hex(new TextEncoder().encode("the course's old version"));
    }
    await Deno.writeTextFile(manifestPath, JSON.stringify(manifest));
    await Deno.writeTextFile(`${workDir}/notebooks/00_setup.ipynb`, "saved by the student");
    await Deno.remove(`${workDir}/notebooks/02_dcgan.ipynb`);
    assertEquals(await makeWorkCopies({ workDir }), {
      created: ["notebooks/02_dcgan.ipynb"],
      updated: ["notebooks/01_gan_review.ipynb"],
      kept: ["notebooks/00_setup.ipynb"],
    });
    // The student's saved notebook is never overwritten; the untouched one is the course's now.
    assertEquals(
      await Deno.readTextFile(`${workDir}/notebooks/00_setup.ipynb`),
      "saved by the student",
    );
    assertEquals(
      await Deno.readFile(`${workDir}/notebooks/01_gan_review.ipynb`),
      await Deno.readFile(`${PROJECT_ROOT}/notebooks/01_gan_review.ipynb`),
    );
    // Nothing changes on the next start but the reminder.
    assertEquals(await makeWorkCopies({ workDir }), {
      created: [],
      updated: [],
      kept: ["notebooks/00_setup.ipynb"],
    });
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
});
