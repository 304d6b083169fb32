/**
 * Visuals for the course: image grids (sharp), Plotly figures as Jupyter MIME bundles with an
 * offline HTML fallback, and the Jupyter display helpers.
 *
 * @example Show a sample grid and a loss curve (both do nothing outside Jupyter)
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { lossPlot, showFigure, showImages } from "@course/viz/mod.ts";
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
export * from "./atomic_write.ts";
