/**
 * A correct gradient for `MirrorPad` (`tf.mirrorPad`, the reflection padding of CycleGAN).
 *
 * tfjs 4.22 differentiates `MirrorPad` by slicing the centre out of `dy`, which drops the gradient
 * that flows through the mirrored border copies. The exact gradient folds each border back onto
 * the input positions it copied: in `reflect` mode padded position `before - 1 - j` copies input
 * `j + 1`; in `symmetric` mode it copies input `j` (and likewise at the far end).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

const MARK = Symbol.for("course.mirrorPadGradient");

/**
 * The gradient of `tf.mirrorPad(x, paddings, mode)` with respect to `x`, given `dy` (shaped like
 * the padded output).
 *
 * @example Reflection padding of [1, 2, 3] by one on each side
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { mirrorPadBackward } from "./mirror_pad_gradient.ts";
 * // tf.mirrorPad([1, 2, 3], [[1, 1]], "reflect") is [2, 1, 2, 3, 2]: input 2 appears three times.
 * const dx = mirrorPadBackward(tf.ones([5]), [[1, 1]], "reflect");
 * assertEquals(Array.from(dx.dataSync()), [1, 3, 1]);
 * ```
 */
export function mirrorPadBackward(
  dy: tf.Tensor,
  paddings: Array<[number, number]>,
  mode: "reflect" | "symmetric",
): tf.Tensor {
  return tf.tidy(() => {
    let grad = dy;
    const shift = mode === "reflect" ? 1 : 0;
    for (let axis = 0; axis < paddings.length; axis++) {
      const [before, after] = paddings[axis];
      if (before === 0 && after === 0) continue;
      const n = grad.shape[axis] - before - after;
      const size = (start: number, length: number) => {
        const begin = grad.shape.map(() => 0);
        const sz = [...grad.shape];
        begin[axis] = start;
        sz[axis] = length;
        return tf.slice(grad, begin, sz);
      };
      const place = (t: tf.Tensor, offset: number) => {
        const pads = grad.shape.map(() => [0, 0] as [number, number]);
        pads[axis] = [offset, n - offset - t.shape[axis]];
        return tf.pad(t, pads);
      };
      let centre = size(before, n);
      if (before > 0) {
        // Padded [0, before) copies input [shift, shift + before) in reverse order.
        centre = tf.add(centre, place(tf.reverse(size(0, before), axis), shift));
      }
      if (after > 0) {
        // Padded [before + n, before + n + after) copies input ending at n - 1 - shift, reversed.
        const tail = tf.reverse(size(before + n, after), axis);
        centre = tf.add(centre, place(tail, n - shift - after));
      }
      grad = centre;
    }
    return grad;
  });
}

/**
 * Replace tfjs's `MirrorPad` gradient by {@linkcode mirrorPadBackward}. Safe to call repeatedly.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { registerMirrorPadGradient } from "./mirror_pad_gradient.ts";
 * registerMirrorPadGradient();
 * const g = tf.grad((x: tf.Tensor) => tf.mirrorPad(x, [[1, 1]], "reflect").sum());
 * // Stock tfjs says [1, 1, 1]: it drops the reflected copies.
 * assertEquals(Array.from(g(tf.tensor1d([1, 2, 3])).dataSync()), [1, 3, 1]);
 * ```
 */
export function registerMirrorPadGradient(): void {
  const existing = tf.getGradient("MirrorPad") as (tf.GradConfig & { [MARK]?: true }) | undefined;
  if (existing?.[MARK]) return;
  const config: tf.GradConfig & { [MARK]: true } = {
    kernelName: "MirrorPad",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], _saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const paddings = attrs!.paddings as Array<[number, number]>;
      const mode = attrs!.mode as "reflect" | "symmetric";
      return { x: () => mirrorPadBackward(dy as tf.Tensor, paddings, mode) };
    },
    [MARK]: true,
  };
  tf.registerGradient(config);
}
