/**
 * Visuals for the course: image grids and training animations (sharp), Plotly figures as Jupyter
 * MIME bundles with an offline HTML fallback, toy-GAN plots with the discriminator's score, latent
 * interpolation and arithmetic strips, and the Jupyter display helpers. The latent math itself is
 * in `lib/latent.ts`.
 *
 * @example Show a sample grid and a loss curve (both do nothing outside Jupyter)
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lossPlot, showFigure, showImages } from "@course/lib/viz";
 * const images = tf.zeros([4, 28, 28, 1]);
 * await showImages(images, { scale: 2, id: "samples" });
 * await showFigure(lossPlot({ dLoss: [1.3, 1.2], gLoss: [0.8, 0.9] }), { id: "loss" });
 * images.dispose();
 * ```
 *
 * @module
 */
export * from "./jupyter.ts";
export * from "./image_grid.ts";
export * from "./plot.ts";
export * from "./toy_plot.ts";
export * from "./animation.ts";
export * from "./latent_strip.ts";
export * from "./matrix_plot.ts";
export * from "./progress_plot.ts";
export * from "./tag_grid.ts";
