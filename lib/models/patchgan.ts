/**
 * pix2pix's conditional PatchGAN discriminator: it sees the input image and a candidate output
 * side by side (concatenated on the channel axis) and returns a grid of logits, one per
 * overlapping patch, so it judges whether each local patch of the output is a plausible
 * translation of the input there. The convolutions are CycleGAN's PatchGAN
 * ({@linkcode buildPatchDiscriminator}); only the pairing is new.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkImageShape, checkPositiveInt } from "../core/checks.ts";
import { buildPatchDiscriminator, type PatchDiscriminatorOptions } from "./resnet_patchgan.ts";

/** Options of {@linkcode buildConditionalPatchDiscriminator}. */
export interface ConditionalPatchDiscriminatorOptions
  extends Omit<PatchDiscriminatorOptions, "imageShape"> {
  /** The input (condition) image `[height, width, channels]`. Default `[28, 28, 1]`. */
  inputShape?: [number, number, number];
  /** Channels of the judged output image (same height and width). Default: the input's. */
  outputChannels?: number;
}

/**
 * The side of the square patch each logit of a PatchGAN sees (its receptive field), for
 * `nLayers` stride-2 4x4 convolutions followed by two stride-1 4x4 convolutions.
 *
 * @example The paper's 70x70 PatchGAN, and the 16x16 one used on 28x28 digits
 * ```ts
 * import { patchReceptiveField } from "./patchgan.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([patchReceptiveField(3), patchReceptiveField(1)], [70, 16]);
 * ```
 */
export function patchReceptiveField(nLayers: number): number {
  checkPositiveInt("build PatchGAN", "nLayers", nLayers);
  // Walk back from one output logit: a k x k conv with stride s maps a field r to s (r - 1) + k.
  const strides = [...new Array(nLayers).fill(2), 1, 1];
  return strides.reduceRight((field, stride) => stride * (field - 1) + 4, 1);
}

/**
 * Build a conditional PatchGAN, `[input [b, H, W, C], output [b, H, W, C']] -> [b, h, w, 1]`
 * logits with h = ceil(H / 2^nLayers): one logit per overlapping patch of
 * {@linkcode patchReceptiveField}(nLayers) pixels.
 *
 * @example A 14x14 grid of logits over 16x16 patches of a 28x28 digit pair
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildConditionalPatchDiscriminator } from "./patchgan.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const discriminator = buildConditionalPatchDiscriminator({ filters: 8, nLayers: 1, seed: 1 });
 * const logits = discriminator.predict([tf.zeros([2, 28, 28, 1]), tf.zeros([2, 28, 28, 1])]) as tf.Tensor;
 * assertEquals(logits.shape, [2, 14, 14, 1]);
 * discriminator.dispose();
 * ```
 */
export function buildConditionalPatchDiscriminator(
  options: ConditionalPatchDiscriminatorOptions = {},
): tf.LayersModel {
  const { inputShape = [28, 28, 1], outputChannels, name, ...patch } = options;
  const [height, width, channels] = checkImageShape("build PatchGAN", inputShape);
  const outChannels = outputChannels ?? channels;
  checkPositiveInt("build PatchGAN", "outputChannels", outChannels);
  const input = tf.input({ shape: [height, width, channels], name: "input_images" });
  const output = tf.input({ shape: [height, width, outChannels], name: "output_images" });
  // [b, H, W, C] + [b, H, W, C'] -> [b, H, W, C + C']
  const pair = tf.layers.concatenate({ axis: -1, name: "pair" })
    .apply([input, output]) as tf.SymbolicTensor;
  const body = buildPatchDiscriminator({
    ...patch,
    imageShape: [height, width, channels + outChannels],
    name: "patch_body",
  });
  const logits = body.apply(pair) as tf.SymbolicTensor;
  return tf.model({
    inputs: [input, output],
    outputs: logits,
    name: name ?? "conditional_patch_discriminator",
  });
}
