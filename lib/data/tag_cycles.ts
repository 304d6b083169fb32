/**
 * Tag combinations for conditional samples: every combination of several tag groups, in a fixed
 * order, as one-hot groups side by side (sample grids and tag scores of the ACGAN).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Tags for sample grids: the first group cycles fastest (`i % size`), each next group advances
 * when the groups before it have cycled, so `count = product of sizes` holds every combination
 * once. Returns the one-hot groups side by side, `[count, sum(tagGroups)]`.
 *
 * @example Two groups of 3 and 2 values
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { cyclingTagGroups } from "./tag_cycles.ts";
 *
 * const tags = cyclingTagGroups(6, [3, 2]);
 * assertEquals(tags.shape, [6, 5]);
 * assertEquals(tags.slice([0, 0], [6, 3]).argMax(1).arraySync(), [0, 1, 2, 0, 1, 2]);
 * assertEquals(tags.slice([0, 3], [6, 2]).argMax(1).arraySync(), [0, 0, 0, 1, 1, 1]);
 * tags.dispose();
 * ```
 */
export function cyclingTagGroups(count: number, tagGroups: number[]): tf.Tensor2D {
  return tf.tidy(() => {
    let period = 1;
    const groups = tagGroups.map((size) => {
      const values = Array.from({ length: count }, (_, i) => Math.floor(i / period) % size);
      period *= size;
      return tf.oneHot(tf.tensor1d(values, "int32"), size).toFloat();
    });
    return tf.concat(groups, 1) as tf.Tensor2D;
  });
}
