/**
 * What a notebook's first cell and a homework starter need: the entry-point setup that reads the
 * course's configuration once (`setupCourse`), Kernel › Interrupt that stops training and keeps the
 * kernel (`handleInterrupts`, `interruptSignal`), and the homework's logged runs (`logRun`).
 *
 * @example The first cell of a notebook, at test size
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { setupCourse } from "@course/lib/notebook";
 * const course = await setupCourse({ backend: "cpu", profile: "ci", env: new Map() });
 * assertEquals(course.profile.name, "ci");
 * ```
 *
 * @module
 */
export * from "./setup.ts";
export * from "./interrupt.ts";
export * from "./homework_results.ts";
