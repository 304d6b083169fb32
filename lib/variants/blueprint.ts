/**
 * Building a variant again from plain values: every factory records a blueprint (its registry name
 * and the options it was called with), and {@linkcode rebuildVariant} turns one back into a
 * variant. Data-parallel workers use it: a blueprint crosses threads, a variant does not.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { GanVariant, VariantBlueprint } from "../train/variant.ts";
import { createAcgan } from "./acgan.ts";
import { createAcganWithSigma } from "./acgan_sigma.ts";
import { createCgan } from "./cgan.ts";
import { createCyclegan } from "./cyclegan.ts";
import { createDcgan } from "./dcgan.ts";
import { createInfogan } from "./infogan.ts";
import { createLsgan } from "./lsgan.ts";
import { createPix2pix } from "./pix2pix.ts";
import { createToyGan, createToyWganGp } from "./toy_gans.ts";
import { createVae } from "./vae.ts";
import { createWgan } from "./wgan.ts";
import { createWganGp } from "./wgan_gp.ts";

/** Every variant factory by the registry name its blueprints carry. */
export const VARIANT_FACTORIES: Readonly<Record<string, (options: object) => GanVariant>> = {
  dcgan: createDcgan,
  lsgan: createLsgan,
  wgan: createWgan,
  wgan_gp: createWganGp,
  cgan: createCgan,
  acgan: createAcgan,
  acgan_sigma: createAcganWithSigma,
  cyclegan: createCyclegan,
  pix2pix: createPix2pix,
  infogan: createInfogan,
  vae: createVae,
  toy_gan: createToyGan,
  toy_wgan_gp: createToyWganGp,
};

/**
 * The variant a blueprint describes, built anew (fresh weights from the same seeds).
 *
 * @example A DCGAN built again from its blueprint has the same weights
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import { createDcgan } from "./dcgan.ts";
 * import { rebuildVariant } from "./blueprint.ts";
 * const variant = createDcgan({ width: 0.0625, seed: 4 });
 * const again = rebuildVariant(variant.blueprint!);
 * const first = (v: { models: typeof variant.models }) =>
 *   Array.from(v.models.generator.getWeights()[0].dataSync());
 * assertEquals(first(again), first(variant));
 * throws(() => rebuildVariant({ variant: "no_such_gan", options: {} }), /valid names: dcgan, lsgan/);
 * [variant, again].forEach((v) => v.dispose());
 * ```
 */
export function rebuildVariant(blueprint: VariantBlueprint): GanVariant {
  const factory = Object.hasOwn(VARIANT_FACTORIES, blueprint.variant)
    ? VARIANT_FACTORIES[blueprint.variant]
    : undefined;
  if (!factory) {
    throw new Error(
      `Cannot rebuild variant "${blueprint.variant}": no factory of that name; valid names: ` +
        `${Object.keys(VARIANT_FACTORIES).join(", ")}`,
    );
  }
  return factory(blueprint.options);
}

/**
 * The blueprint of `variant` as plain values that can cross to a worker: tensors in its options
 * are left out (a worker never samples, and tensors cannot cross threads). Throws when the
 * variant has no blueprint or its options hold a function.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { createCyclegan } from "./cyclegan.ts";
 * import { portableBlueprint } from "./blueprint.ts";
 * const sampleImages = tf.zeros([2, 28, 28, 1]);
 * const variant = createCyclegan({ width: 0.0625, nBlocks: 1, seed: 1, sampleImages });
 * assertEquals(portableBlueprint(variant).options.sampleImages, undefined);
 * throws(() => portableBlueprint({ ...variant, blueprint: undefined }), /this one has none/);
 * variant.dispose();
 * ```
 */
export function portableBlueprint(variant: GanVariant): VariantBlueprint {
  if (!variant.blueprint) {
    throw new Error(
      `Cannot train ${variant.name} on several threads: the workers build the variant again from ` +
        `its blueprint, and this one has none; create it with a factory of lib/variants ` +
        `(createVariant, createDcgan, ...) or train it on one thread`,
    );
  }
  const strip = (value: unknown): unknown => {
    if (value instanceof tf.Tensor) return undefined;
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "function") {
      throw new Error(
        `Cannot train ${variant.name} on several threads: its options contain a function, which ` +
          `cannot be sent to a worker; pass plain values, or train it on one thread`,
      );
    }
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    }
    return value;
  };
  const { variant: name, options } = variant.blueprint;
  return { variant: name, options: strip(options) as Record<string, unknown> };
}
