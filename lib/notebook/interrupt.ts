/**
 * Kernel › Interrupt for the notebooks: stop a running training and keep the kernel.
 *
 * Jupyter interrupts a kernel by sending it SIGINT. The Deno kernel has no handler of its own and
 * dies of it (denoland/deno#24491), taking every variable of the notebook with it. A SIGINT
 * listener installed in the kernel keeps it alive. {@linkcode interruptSignal} installs one (once
 * per kernel) and hands out an `AbortSignal` that the next interrupt aborts, so
 * `train(variant, data, { signal: interruptSignal() })` stops after the step it is running,
 * checkpoints when it has a `checkpointDir`, and returns with `reason: "interrupted"`: the models
 * keep the weights they have, and the notebook's variables are all still there. Every notebook
 * calls {@linkcode handleInterrupts} in its first cell, so that an interrupt never kills the
 * kernel, whatever runs.
 *
 * An interrupt reaches only code that watches the signal (the training loop, or any function that
 * takes an `AbortSignal`); other code runs on to its end. Once aborted, a signal stays aborted, and
 * the next call hands out a fresh one, so a training cell run again trains again.
 *
 * @module
 */

/** What the kernel keeps across re-imports of this module (notebook cells import it many times). */
interface InterruptState {
  controller: AbortController;
  listener?: () => void;
  write: (line: string) => void;
}

const STATE_KEY = Symbol.for("course.notebook.interrupt");

function state(): InterruptState {
  const holder = globalThis as unknown as Record<symbol, InterruptState | undefined>;
  holder[STATE_KEY] ??= { controller: new AbortController(), write: (line) => console.log(line) };
  return holder[STATE_KEY];
}

/** The message printed when an interrupt stops a signal (the reason of the aborted signal). */
export const INTERRUPT_MESSAGE =
  "Interrupted (Kernel › Interrupt): the training stops after its current step; the kernel and " +
  "its variables stay. Code that takes no interrupt signal runs on to its end.";

/** Options of {@linkcode interruptSignal}. */
export interface InterruptSignalOptions {
  /**
   * Install the SIGINT listener. Default `true`. Outside a notebook it also keeps Ctrl-C from
   * ending the process (it stops the work instead), until {@linkcode removeInterruptListener}.
   */
  listen?: boolean;
  /**
   * Where the one-line notice goes when an interrupt arrives; kept for later calls.
   * Default `console.log`.
   */
  write?: (line: string) => void;
}

/**
 * An `AbortSignal` that the next Kernel › Interrupt (SIGINT) aborts; pass it to `train()` and any
 * long call that takes a signal. The first call installs the kernel's SIGINT listener; a signal
 * aborted by an earlier interrupt is replaced by a fresh one.
 *
 * @example An interrupt aborts the signal; the next call hands out a fresh one
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { interrupt, interruptSignal } from "./interrupt.ts";
 * const lines: string[] = [];
 * const signal = interruptSignal({ listen: false, write: (line) => lines.push(line) });
 * assert(!signal.aborted);
 * interrupt(); // what the SIGINT listener does
 * assert(signal.aborted && lines[0].startsWith("Interrupted"));
 * assert(!interruptSignal({ listen: false }).aborted);
 * ```
 */
export function interruptSignal(options: InterruptSignalOptions = {}): AbortSignal {
  const s = state();
  if (options.write) s.write = options.write;
  if (s.controller.signal.aborted) s.controller = new AbortController();
  if (options.listen ?? true) handleInterrupts();
  return s.controller.signal;
}

/**
 * Install the kernel's SIGINT listener (once; later calls do nothing), so that from here on an
 * interrupt aborts {@linkcode interruptSignal}'s signal instead of killing the kernel. Every
 * notebook calls it in its first cell; {@linkcode interruptSignal} calls it too.
 *
 * @example
 * ```ts
 * import { equal as assertEquals } from "node:assert/strict";
 * import {
 *   handleInterrupts,
 *   interruptListening,
 *   removeInterruptListener,
 * } from "./interrupt.ts";
 * handleInterrupts();
 * handleInterrupts();
 * assertEquals(interruptListening(), true);
 * removeInterruptListener();
 * ```
 */
export function handleInterrupts(): void {
  const s = state();
  if (s.listener) return;
  s.listener = () => interrupt();
  Deno.addSignalListener("SIGINT", s.listener);
}

/**
 * Abort the signal {@linkcode interruptSignal} handed out, as Kernel › Interrupt does, and print a
 * one-line notice. Returns `false` (and says so) when it was already aborted: then a cell that
 * still runs does not watch the signal.
 *
 * @example
 * ```ts
 * import { equal as assertEquals } from "node:assert/strict";
 * import { interrupt, interruptSignal } from "./interrupt.ts";
 * const signal = interruptSignal({ listen: false, write: () => {} });
 * assertEquals(interrupt(), true);
 * assertEquals(interrupt(), false);
 * assertEquals(signal.reason.name, "AbortError");
 * ```
 */
export function interrupt(): boolean {
  const s = state();
  if (s.controller.signal.aborted) {
    s.write(
      "Interrupted again: if a cell still runs, it does not watch an interrupt signal; " +
        "Kernel › Restart stops it (and clears the variables).",
    );
    return false;
  }
  s.write(INTERRUPT_MESSAGE);
  s.controller.abort(new DOMException(INTERRUPT_MESSAGE, "AbortError"));
  return true;
}

/**
 * Remove the SIGINT listener {@linkcode handleInterrupts} installed (a test, or a script that wants
 * Ctrl-C to end it again). Does nothing when there is none.
 *
 * @example
 * ```ts
 * import { equal as assertEquals } from "node:assert/strict";
 * import { interruptListening, interruptSignal, removeInterruptListener } from "./interrupt.ts";
 * interruptSignal();
 * assertEquals(interruptListening(), true);
 * removeInterruptListener();
 * assertEquals(interruptListening(), false);
 * ```
 */
export function removeInterruptListener(): void {
  const s = state();
  if (!s.listener) return;
  Deno.removeSignalListener("SIGINT", s.listener);
  s.listener = undefined;
}

/**
 * Whether the SIGINT listener of {@linkcode handleInterrupts} is installed in this process.
 *
 * @example
 * ```ts
 * import { equal as assertEquals } from "node:assert/strict";
 * import { interruptListening, interruptSignal, removeInterruptListener } from "./interrupt.ts";
 * interruptSignal({ listen: false });
 * assertEquals(interruptListening(), false);
 * ```
 */
export function interruptListening(): boolean {
  return state().listener !== undefined;
}
