/**
 * First module of a sandboxed grading child (see `sandbox.ts`): before any student code runs, it
 * reads the per-run nonce from stdin and keeps its own references to stdout and `Deno.exit`, so
 * that code which replaces `console.log`, `Deno.stdout` or `Deno.exit` later cannot change where
 * the result goes or keep the child alive. The nonce stays in this module; nothing exports it.
 * It also removes web storage and the cache API, which write under `DENO_DIR` without permission.
 *
 * @module
 */

import { describeError } from "./check.ts";

// Web storage and the cache API write under DENO_DIR without any permission: remove them.
for (const name of ["localStorage", "sessionStorage", "caches"]) {
  try {
    delete (globalThis as Record<string, unknown>)[name];
  } catch {
    // not there
  }
}

const stdout = Deno.stdout;
const writeSync = stdout.writeSync.bind(stdout);
const exit = Deno.exit.bind(Deno);

const input = new TextDecoder().decode(await new Response(Deno.stdin.readable).arrayBuffer());
const nonce = input.split("\n")[0].trim();

let done = false;

/** Write `data` as JSON between two nonce lines, then end the process. Only the first call counts. */
export function finish(data: unknown): never {
  if (!done) {
    done = true;
    let text: string;
    try {
      text = JSON.stringify(data);
    } catch (error) {
      text = JSON.stringify({ error: `the result could not be written: ${error}` });
    }
    const bytes = new TextEncoder().encode(`\n${nonce}\n${text}\n${nonce}\n`);
    for (let at = 0; at < bytes.length;) at += writeSync(bytes.subarray(at));
  }
  return exit(0);
}

globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  finish({
    failure: `a promise rejected without being awaited: ${describeError(event.reason)}`.slice(
      0,
      400,
    ),
  });
});
