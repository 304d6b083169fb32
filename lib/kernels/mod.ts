/**
 * Kernels and gradients the course adds to TensorFlow.js.
 *
 * @module
 */
import { registerComparisonGradients } from "./comparison_gradients.ts";

export { COMPARISON_KERNELS, registerComparisonGradients } from "./comparison_gradients.ts";

/**
 * Register everything the course needs on top of stock tfjs: gradients for every backend, and the
 * training kernels of the active backend. `initBackend()` calls it; call it yourself only after
 * switching backends with `tf.setBackend`.
 *
 * @example
 * ```ts
 * import { registerCourseKernels } from "@course/kernels/mod.ts";
 * registerCourseKernels();
 * ```
 */
export function registerCourseKernels(): void {
  registerComparisonGradients();
}
