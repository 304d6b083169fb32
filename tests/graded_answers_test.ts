import { deepStrictEqual as assertEquals } from "node:assert/strict";
import * as course from "@course/lib";
import * as losses from "../lib/losses.ts";
import * as variants from "@course/lib/variants";
import * as objectives from "@course/lib/variants/objectives";

/** The library functions the homework grades students on writing themselves. */
const GRADED = [
  "discriminatorLoss", // hw1 dcganLosses
  "nonSaturatingGeneratorLoss", // hw1 dcganLosses
  "gradientPenalty", // hw2 gradientPenalty
  "auxiliaryClassLoss", // hw3 acganLosses
];

Deno.test("the library's faces do not export the functions the homework grades", () => {
  for (const [face, exports] of Object.entries({ course, losses, variants })) {
    assertEquals(GRADED.filter((name) => name in exports), [], `@course face "${face}"`);
  }
  // The variants still train with them, from the one file no face re-exports.
  assertEquals(GRADED.filter((name) => typeof Reflect.get(objectives, name) !== "function"), []);
});
