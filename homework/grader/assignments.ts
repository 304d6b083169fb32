/**
 * The registry of homework assignments and their hidden tests.
 *
 * @module
 */
import type { Assignment } from "./check.ts";
import { HW1_DCGAN } from "./hw1_dcgan.ts";
import { HW2_WGAN_GP } from "./hw2_wgan_gp.ts";
import { HW3_ACGAN } from "./hw3_acgan.ts";

/** Every assignment by id. */
export const ASSIGNMENTS: Readonly<Record<string, Assignment>> = {
  hw1_dcgan: HW1_DCGAN,
  hw2_wgan_gp: HW2_WGAN_GP,
  hw3_acgan: HW3_ACGAN,
};

/**
 * The assignment with this id, or an error listing the ids there are.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { assignment } from "./assignments.ts";
 * assertEquals(assignment("hw1_dcgan").items.map((item) => item.id), [
 *   "discriminatorLoss",
 *   "generatorLoss",
 *   "trainStep",
 *   "training",
 *   "modelDescription",
 *   "improvements",
 *   "experiments",
 *   "bonus",
 * ]);
 * ```
 */
export function assignment(id: string): Assignment {
  const found = ASSIGNMENTS[id];
  if (!found) {
    throw new Error(
      `Cannot grade: no assignment "${id}"; choose one of ${Object.keys(ASSIGNMENTS).join(", ")}`,
    );
  }
  return found;
}
