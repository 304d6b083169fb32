/**
 * The sandboxed child's harness: runs one code item's probe on the student's module and writes the
 * observations (see `sandbox.ts`, `probe_boot.ts`). `grade.ts` generates an entry module per item:
 *
 * ```ts ignore
 * import { runProbe } from "<this file>";
 * import * as student from "./student_<item>.ts";
 * await runProbe("hw1_dcgan", "trainStep", student, {});
 * ```
 *
 * @module
 */
import { initBackend } from "../../lib/backend.ts";
import type { Probe, ProbeContext, StudentModule } from "./check.ts";
import { finish } from "./probe_boot.ts";
import { HW1_PROBES } from "./hw1_probe.ts";
import { HW2_PROBES } from "./hw2_probe.ts";
import { HW3_PROBES } from "./hw3_probe.ts";

const PROBES: Record<string, Record<string, Probe>> = {
  hw1_dcgan: HW1_PROBES,
  hw2_wgan_gp: HW2_PROBES,
  hw3_acgan: HW3_PROBES,
};

/** Run the probe of `hw`'s item `itemId` on `student` and end the process with its observations. */
export async function runProbe(
  hw: string,
  itemId: string,
  student: StudentModule,
  context: ProbeContext = {},
): Promise<never> {
  const probe = PROBES[hw]?.[itemId];
  if (!probe) return finish({ failure: `no probe for ${hw}/${itemId}` });
  try {
    await initBackend({ backend: "wasm" });
  } catch (error) {
    return finish({
      failure: `the grader could not start tfjs in its sandbox (not your code's fault; tell the ` +
        `teaching team): ${String(error).slice(0, 300)}`,
    });
  }
  try {
    return finish({ observations: await probe(student, context) });
  } catch (error) {
    return finish({ failure: `the test stopped: ${String(error).slice(0, 300)}` });
  }
}
