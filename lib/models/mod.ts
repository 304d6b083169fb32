/**
 * Model builders of the course: plain functions returning `tf.LayersModel`, with typed options and
 * documented defaults. Discriminators and critics output logits or scores (no sigmoid). Importing
 * this module registers the custom layers for `model.json` serialization.
 *
 * @example Build the tutorial's MNIST pair, a quarter as wide
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildDcganDiscriminator, buildDcganGenerator } from "@course/lib/models";
 * const generator = buildDcganGenerator({ width: 0.25 });
 * const discriminator = buildDcganDiscriminator({ width: 0.25 });
 * assertEquals([generator.outputs[0].shape, discriminator.outputs[0].shape], [[null, 28, 28, 1], [null, 1]]);
 * ```
 *
 * @module
 */
export * from "./init.ts";
export * from "./channels.ts";
export * from "./mlp.ts";
export * from "./dcgan_nets.ts";
export * from "./conditional.ts";
export * from "./acgan_nets.ts";
export * from "./resnet_patchgan.ts";
export * from "./layers.ts";
export * from "./minibatch_discrimination.ts";
export * from "./packing.ts";
export * from "./unet.ts";
export * from "./patchgan.ts";
export * from "./encoder.ts";
export * from "./infogan.ts";
export * from "./vae.ts";
