/**
 * Paired data for image-to-image translation, built offline from MNIST: the edges of each digit
 * (the Sobel gradient magnitude, or the morphological gradient) as the input, the digit itself as
 * the target. pix2pix learns to fill the edges back into a digit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadMnist, type LoadMnistOptions } from "./mnist.ts";

/** How {@linkcode edgeMaps} finds edges. */
export type EdgeMethod = "morphological" | "sobel";

/**
 * The morphological gradient of images in [0, 1], `[n, h, w, c]`: dilation minus erosion over a
 * `size` x `size` square (max minus min of each neighbourhood, borders padded by the edge value). A
 * stroke becomes its outline, about `size - 1` pixels thick on each side of its border.
 *
 * @example A single bright pixel becomes the 3x3 square around it, a flat image nothing
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { morphologicalGradient } from "./edges.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const dot = tf.buffer([1, 5, 5, 1]);
 * dot.set(1, 0, 2, 2, 0);
 * const edges = morphologicalGradient(dot.toTensor() as tf.Tensor4D);
 * assertEquals((edges.reshape([5, 5]).arraySync() as number[][])[1], [0, 1, 1, 1, 0]);
 * assertEquals(morphologicalGradient(tf.fill([1, 4, 4, 1], 0.7) as tf.Tensor4D).max().arraySync(), 0);
 * ```
 */
export function morphologicalGradient(images: tf.Tensor4D, size = 3): tf.Tensor4D {
  checkImages("morphologicalGradient", images);
  if (!Number.isInteger(size) || size < 2) {
    throw new Error(
      `Cannot compute morphologicalGradient: size must be an integer >= 2, got ${size}`,
    );
  }
  return tf.tidy(() => {
    // "same" pooling ignores the padding, so a border pixel's neighbourhood is what lies inside.
    const dilation = tf.maxPool(images, size, 1, "same");
    const erosion = tf.maxPool(images.neg(), size, 1, "same").neg();
    return dilation.sub(erosion) as tf.Tensor4D;
  });
}

/**
 * The Sobel gradient magnitude of images in [0, 1], `[n, h, w, c]` (zero-padded borders), divided
 * by 4 so that a sharp step from 0 to 1 gives 1 (a corner can reach sqrt 2).
 *
 * @example A vertical step: |gx| = 4 on both sides of it and at the zero-padded border, scaled by 1/4
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sobelMagnitude } from "./edges.ts";
 * import { ok } from "node:assert/strict";
 * const step = tf.tensor4d([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1], [1, 4, 4, 1]);
 * const row = (sobelMagnitude(step).reshape([4, 4]).arraySync() as number[][])[1];
 * const expected = [0, 1, 1, 1]; // the zero border makes an edge too
 * ok(row.every((v, i) => Math.abs(v - expected[i]) < 1e-6), `got ${row}`);
 * ```
 */
export function sobelMagnitude(images: tf.Tensor4D): tf.Tensor4D {
  checkImages("sobelMagnitude", images);
  const channels = images.shape[3];
  return tf.tidy(() => {
    const gx = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
    const gy = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
    // One 3x3 kernel per channel: [3, 3, channels, 1], applied depthwise.
    const kernel = (k: number[]) =>
      tf.tensor4d(k, [3, 3, 1, 1]).tile([1, 1, channels, 1]) as tf.Tensor4D;
    const dx = tf.depthwiseConv2d(images, kernel(gx), 1, "same");
    const dy = tf.depthwiseConv2d(images, kernel(gy), 1, "same");
    return dx.square().add(dy.square()).sqrt().div(4) as tf.Tensor4D;
  });
}

/**
 * Edge maps of images in [-1, 1] (a generator's range), returned in [-1, 1]: -1 where there is no
 * edge, 1 on a full black-to-white step (stronger ones are clipped). The Sobel edges of a stroke are
 * two thin lines along its sides; the morphological gradient (3x3) is a hollow outline of a thick
 * stroke and a thickened copy of a thin one.
 *
 * @example The outline of a digit has ink only where the digit's border is
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { edgeMaps } from "./edges.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const square = tf.pad(tf.ones([1, 4, 4, 1]), [[0, 0], [2, 2], [2, 2], [0, 0]]).mul(2).sub(1) as tf.Tensor4D;
 * const edges = edgeMaps(square, "morphological").reshape([8, 8]).arraySync() as number[][];
 * assertEquals(edges[0], [-1, -1, -1, -1, -1, -1, -1, -1]); // far from the square
 * assertEquals(edges[2], [-1, 1, 1, 1, 1, 1, 1, -1]); // its top row, and the pixels around it
 * assertEquals(edges[3], [-1, 1, 1, -1, -1, 1, 1, -1]); // its inside has no edge
 * ```
 */
export function edgeMaps(images: tf.Tensor4D, method: EdgeMethod = "sobel"): tf.Tensor4D {
  if (method !== "morphological" && method !== "sobel") {
    throw new Error(
      `Cannot compute edge maps: method must be "morphological" or "sobel", got "${method}"`,
    );
  }
  return tf.tidy(() => {
    const unit = images.add(1).div(2) as tf.Tensor4D;
    const edges = method === "sobel" ? sobelMagnitude(unit) : morphologicalGradient(unit);
    return edges.clipByValue(0, 1).mul(2).sub(1) as tf.Tensor4D;
  });
}

/** Options of {@linkcode loadEdgePairs}: MNIST's, plus the edge method. */
export interface EdgePairsOptions extends Omit<LoadMnistOptions, "range"> {
  /** How the inputs are made. Default `"sobel"`. */
  method?: EdgeMethod;
}

/** Paired MNIST edges and digits. Call `dispose()` when done. */
export interface EdgePairs {
  /** Edge maps `[n, 28, 28, 1]` in [-1, 1]: the inputs. */
  inputImages: tf.Tensor4D;
  /** The digits `[n, 28, 28, 1]` in [-1, 1]: the targets. */
  realImages: tf.Tensor4D;
  /** Digit labels `[n]`, int32. */
  labels: tf.Tensor1D;
  /** Number of pairs. */
  count: number;
  /** One line saying what was loaded. */
  description: string;
  /** Dispose the three tensors. */
  dispose(): void;
}

/**
 * MNIST digits paired with their edge maps, for pix2pix (edges -> digits).
 *
 * @example
 * ```ts
 * import { loadEdgePairs } from "./edges.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const pairs = await loadEdgePairs({ size: 16 });
 * assertEquals(pairs.inputImages.shape, [16, 28, 28, 1]);
 * assertEquals(pairs.realImages.shape, pairs.inputImages.shape);
 * assertEquals(pairs.labels.shape, [16]);
 * pairs.dispose();
 * ```
 */
export async function loadEdgePairs(options: EdgePairsOptions = {}): Promise<EdgePairs> {
  const { method = "sobel", ...mnistOptions } = options;
  const mnist = await loadMnist({ ...mnistOptions, range: "[-1,1]" });
  const inputImages = edgeMaps(mnist.images, method);
  mnist.oneHot.dispose();
  return {
    inputImages,
    realImages: mnist.images,
    labels: mnist.labels,
    count: mnist.count,
    description: `${mnist.description}; inputs: ${method} edge maps`,
    dispose: () => tf.dispose([inputImages, mnist.images, mnist.labels]),
  };
}

function checkImages(what: string, images: tf.Tensor): void {
  if (images.rank !== 4) {
    throw new Error(
      `Cannot compute ${what}: images must be [n, height, width, channels], got [${images.shape}]`,
    );
  }
}
