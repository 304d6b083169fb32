/**
 * The GAN variants by name: what `deno task train <variant>` and the notebooks pick from.
 *
 * @module
 */
import {
  loadTrainingData,
  type TrainingDataOptions,
  type VariantTrainingData,
} from "./training_data.ts";
import type { GanVariant } from "../train/variant.ts";
import { createAcgan } from "./acgan.ts";
import { createCgan } from "./cgan.ts";
import { createCyclegan } from "./cyclegan.ts";
import { createDcgan } from "./dcgan.ts";
import { createInfogan } from "./infogan.ts";
import { createLsgan } from "./lsgan.ts";
import { createToyGan, createToyWganGp } from "./toy_gans.ts";
import { createVae } from "./vae.ts";
import { createWgan } from "./wgan.ts";
import { createWganGp } from "./wgan_gp.ts";

export * from "./acgan.ts";
export * from "./acgan_sigma.ts";
export * from "./adversarial.ts";
export * from "./blueprint.ts";
export * from "./cgan.ts";
export * from "./cyclegan.ts";
export * from "./data_parallel.ts";
export * from "./dcgan.ts";
export * from "./image_options.ts";
export * from "./infogan.ts";
export * from "./late_decay.ts";
export * from "./lsgan.ts";
export type * from "./sampling_variant.ts";
export * from "./pix2pix.ts";
export * from "./toy_gans.ts";
export * from "./vae.ts";
export * from "./wgan.ts";
export * from "./wgan_gp.ts";
export * from "./training_data.ts";

/** The data a variant trains on by default. */
export type VariantData = "mnist" | "mnist-labels" | "mnist-tags" | "two-domain" | "ring";

/** How a registry entry sizes its models. */
export interface VariantConfig {
  /** Image shape of the data. Default `[28, 28, 1]`. */
  imageShape?: [number, number, number];
  /** Width multiplier (the profile's). Default 1. */
  width?: number;
  /** Seed of the initial weights. */
  seed?: number;
  /** Tag group sizes for `mnist-tags` data (ACGAN). */
  tagGroups?: number[];
  /** Domain-A images for CycleGAN sample grids. */
  sampleImages?: import("@tensorflow/tfjs").Tensor;
}

/** One registry entry. */
export interface VariantEntry {
  /** What it is, in one line. */
  description: string;
  /** The data it trains on. */
  data: VariantData;
  /** Build it. */
  create(config: VariantConfig): GanVariant;
  /** Load the data it trains on, with what that data decides about its models. */
  loadData(options: TrainingDataOptions): Promise<VariantTrainingData>;
}

/** A registry entry whose data loads with {@linkcode loadTrainingData}. */
function entry(
  description: string,
  data: VariantData,
  create: (config: VariantConfig) => GanVariant,
): VariantEntry {
  return { description, data, create, loadData: (options) => loadTrainingData(data, options) };
}

/** Every variant by name. */
export const VARIANTS: Readonly<Record<string, VariantEntry>> = {
  dcgan: entry(
    "DCGAN, non-saturating loss, Adam 2e-4 beta1 0.5",
    "mnist",
    (c) => createDcgan(c),
  ),
  lsgan: entry(
    "Least Squares GAN (0-1 coding)",
    "mnist",
    (c) => createLsgan(c),
  ),
  wgan: entry(
    "WGAN, weight clipping 0.1, 2 critic updates, RMSProp 1e-3 (the paper: 0.01, 5, 5e-5)",
    "mnist",
    (c) => createWgan(c),
  ),
  wgan_gp: entry(
    "WGAN-GP, lambda 10, 5 critic updates, Adam 1e-4 betas (0, 0.9)",
    "mnist",
    (c) => createWganGp(c),
  ),
  cgan: entry(
    "conditional GAN on digit labels",
    "mnist-labels",
    (c) => createCgan(c),
  ),
  acgan: entry(
    "ACGAN with tag groups, loss weights [1, 0.3, 0.35], D:G 1:2",
    "mnist-tags",
    (c) => createAcgan(c),
  ),
  infogan: entry(
    "InfoGAN: DCGAN + a 10-value and 2 continuous codes, mutual-information weight 1",
    "mnist",
    (c) => createInfogan({ imageShape: c.imageShape, width: c.width, seed: c.seed }),
  ),
  vae: entry(
    "convolutional VAE (DCGAN generator as decoder), not a GAN: the comparison",
    "mnist",
    (c) => createVae({ imageShape: c.imageShape, width: c.width, seed: c.seed }),
  ),
  cyclegan: entry(
    "CycleGAN between two unpaired digit domains",
    "two-domain",
    (c) => createCyclegan({ ...c, nBlocks: 3 }),
  ),
  toy_gan: entry(
    "2-D toy GAN (MLPs, non-saturating loss) on 8 Gaussians on a ring",
    "ring",
    (c) => createToyGan({ seed: c.seed }),
  ),
  toy_wgan_gp: entry(
    "2-D toy WGAN-GP (MLP critic) on 8 Gaussians on a ring",
    "ring",
    (c) => createToyWganGp({ seed: c.seed }),
  ),
};

/**
 * Create a variant by registry name; an unknown name lists the valid ones.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createVariant } from "@course/lib/variants";
 * const variant = createVariant("toy_gan", { seed: 1 });
 * assertEquals(variant.name, "toy_gan");
 * variant.dispose();
 * ```
 */
export function createVariant(name: string, config: VariantConfig = {}): GanVariant {
  return variantEntry(name).create(config);
}

/**
 * The registry entry of `name`, or a clear error listing the valid names.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { variantEntry } from "@course/lib/variants";
 * assertEquals(variantEntry("wgan_gp").data, "mnist");
 * ```
 */
export function variantEntry(name: string): VariantEntry {
  const entry = Object.hasOwn(VARIANTS, name) ? VARIANTS[name] : undefined;
  if (!entry) {
    throw new Error(
      `Unknown variant "${name}"; valid variants: ${Object.keys(VARIANTS).join(", ")}`,
    );
  }
  return entry;
}
