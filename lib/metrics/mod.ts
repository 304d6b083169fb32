/**
 * Metrics of the course: Inception Score, FID and KID on the shipped MNIST classifier (and on the
 * face classifier for the cartoon faces), class accuracy of conditional samples, CycleGAN label
 * preservation and cycle error, and mode coverage for the 2-D toy distributions.
 *
 * @example FID of two small feature sets
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import { fid } from "@course/lib/metrics";
 * assert(fid([[0, 0], [1, 2], [2, 1]], [[1, 0], [2, 2], [3, 1]]) > 0);
 * ```
 *
 * @module
 */
export * from "./class_accuracy.ts";
export * from "./classifier.ts";
export * from "./critic_gradients.ts";
export * from "./translation_quality.ts";
export * from "./divergences.ts";
export * from "./evaluate.ts";
export * from "./face_classifier.ts";
export * from "./few_shot_classifier.ts";
export * from "./feature_extractor.ts";
export * from "./fid.ts";
export * from "./inception_score.ts";
export * from "./metric_input_checks.ts";
export * from "./kid.ts";
export * from "./linalg.ts";
export * from "./mode_coverage.ts";
export * from "./progress_indicator.ts";
export * from "./rejection_sampling.ts";
export * from "./sample_scores.ts";
export * from "./transport.ts";
export * from "./precision_recall.ts";
export * from "./image_scores.ts";
export * from "./translation.ts";
export * from "./tag_scores.ts";
export * from "./infogan_control.ts";
export * from "./code_matching.ts";
export * from "./digit_shape.ts";
export * from "./confident_share.ts";
