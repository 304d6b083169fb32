/**
 * The data each entry of the variant registry trains on by default, and the image folders a user
 * can train on instead: `deno task train` asks the registry for both, so the CLI knows nothing of
 * datasets. What the data decides about the models (image shape, tag groups, CycleGAN's sample
 * images) comes back in `config`, to pass to `createVariant()`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { loadImageFolder } from "../data/image_folder.ts";
import { loadMnist } from "../data/mnist.ts";
import { loadMultiTag } from "../data/multi_tag.ts";
import { sampleRing } from "../data/toy.ts";
import { loadTwoDomains } from "../data/two_domain.ts";
import { type BatchSource, samplerBatches, tensorBatches } from "../train/batches.ts";
import type { VariantConfig, VariantData } from "./mod.ts";

/** What a variant trains on: its batches, and what they decide about its models. */
export interface VariantTrainingData {
  /** The batches (`realImages`, `labels`, `domainA`/`domainB` or ring points). */
  source: BatchSource;
  /** The model sizes that follow from the data; pass them to `createVariant()`. */
  config: Pick<VariantConfig, "imageShape" | "tagGroups" | "sampleImages">;
  /** One line saying what was loaded, when there is something to say. */
  description?: string;
  /** Dispose the tensors. */
  dispose(): void;
}

/** Options of {@linkcode loadTrainingData}. */
export interface TrainingDataOptions {
  /** Examples to load (digit datasets; the tagged and two-domain sets take at most 2,000 / 1,000). */
  size: number;
  /** Examples per batch. */
  batchSize: number;
  /** Seed of the data and its order. */
  seed: number;
  /** Batches per epoch of the endless ring sampler. */
  batchesPerEpoch: number;
  /** Print what MNIST loads. Default false. */
  verbose?: boolean;
}

/**
 * Load the default data of a registry entry's kind `data`.
 *
 * @example The ring toy's batches, and the model sizes MNIST leaves at their defaults
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { loadTrainingData } from "./training_data.ts";
 * const ring = await loadTrainingData("ring", { size: 0, batchSize: 16, seed: 0, batchesPerEpoch: 3 });
 * assertEquals(ring.source.batch(0, 0).realImages.shape, [16, 2]);
 * assertEquals(ring.config, {});
 * ring.dispose();
 * ```
 */
export async function loadTrainingData(
  data: VariantData,
  options: TrainingDataOptions,
): Promise<VariantTrainingData> {
  const { size, batchSize, seed } = options;
  switch (data) {
    case "ring":
      return {
        source: samplerBatches((n, s) => sampleRing(n, { seed: s }), {
          batchSize,
          batchesPerEpoch: options.batchesPerEpoch,
          seed,
        }),
        config: {},
        dispose: () => {},
      };
    case "two-domain": {
      const domains = await loadTwoDomains({ size: Math.min(1000, size), seed, source: "auto" });
      const sampleImages = domains.domainA.slice(0, 8);
      return {
        source: tensorBatches({ domainA: domains.domainA, domainB: domains.domainB }, {
          batchSize,
          seed,
          unpaired: true,
        }),
        config: { imageShape: [28, 28, 3], sampleImages },
        description: domains.description,
        dispose: () => {
          sampleImages.dispose();
          domains.dispose();
        },
      };
    }
    case "mnist-tags": {
      const tagged = await loadMultiTag({ size: Math.min(2000, size), seed, source: "auto" });
      return {
        source: tensorBatches({ realImages: tagged.images, labels: tagged.tags }, {
          batchSize,
          seed,
        }),
        config: {
          imageShape: tagged.images.shape.slice(1) as [number, number, number],
          tagGroups: tagged.groups.map((g) => g.values.length),
        },
        description: tagged.description,
        dispose: () => tagged.dispose(),
      };
    }
    case "mnist":
    case "mnist-labels": {
      const digits = await loadMnist({ size, seed, verbose: options.verbose });
      const batch: Record<string, tf.Tensor> = data === "mnist-labels"
        ? { realImages: digits.images, labels: digits.labels }
        : { realImages: digits.images };
      return {
        source: tensorBatches(batch, { batchSize, seed }),
        config: {},
        dispose: () => digits.dispose(),
      };
    }
  }
}

/** Options of {@linkcode imageFolderTrainingData}. */
export interface FolderTrainingOptions {
  /** The variant's name, for messages. */
  name: string;
  /** The data the variant trains on by default: `mnist` (images only) or `mnist-tags` (ACGAN). */
  data: VariantData;
  /** Side of the square images; the models take 4 * 2^n (8, 16, 32, 64, 128). */
  imageSize: number;
  /** Images per batch. */
  batchSize: number;
  /** Seed of the batch order. */
  seed: number;
}

/**
 * Load `dir` for training `options.name`: images for the unconditional image variants, images and
 * the tags of `dir/tags.csv` for ACGAN; other variants are refused with a clear error.
 *
 * @example An ACGAN needs the folder's tags.csv
 * ```ts
 * import { imageFolderTrainingData } from "./training_data.ts";
 * import { rejects } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await rejects(
 *   imageFolderTrainingData(dir, { name: "cgan", data: "mnist-labels", imageSize: 32, batchSize: 8, seed: 0 }),
 *   /Cannot train cgan from an image folder/,
 * );
 * await Deno.remove(dir);
 * ```
 */
export async function imageFolderTrainingData(
  dir: string,
  options: FolderTrainingOptions,
): Promise<VariantTrainingData> {
  const { name, data, imageSize, batchSize, seed } = options;
  if (data !== "mnist" && data !== "mnist-tags") {
    throw new Error(
      `Cannot train ${name} from an image folder: --data works with the image variants that ` +
        `take no labels (dcgan, lsgan, wgan, wgan_gp) and with acgan (tags from DIR/tags.csv)`,
    );
  }
  if (!Number.isInteger(Math.log2(imageSize / 4)) || imageSize < 8) {
    throw new Error(
      `Cannot train ${name} from ${dir}: --image-size must be 4 * 2^n (8, 16, 32, 64, 128) for ` +
        `the DCGAN-shaped models, got ${imageSize}`,
    );
  }
  const tagsPath = `${dir}/tags.csv`;
  if (data === "mnist-tags") {
    try {
      await Deno.stat(tagsPath);
    } catch {
      throw new Error(
        `Cannot train ${name} from ${dir}: it needs tags, in ${tagsPath} (a header "id,<group>,..." ` +
          `such as "id,hair,eyes", then one row per image; the id is the file name without extension)`,
      );
    }
  }
  const folder = await loadImageFolder(dir, { imageSize, tags: data === "mnist-tags" });
  const batch: Record<string, tf.Tensor> = folder.tags
    ? { realImages: folder.images, labels: folder.tags }
    : { realImages: folder.images };
  return {
    source: tensorBatches(batch, { batchSize, seed }),
    config: {
      imageShape: [imageSize, imageSize, 3],
      tagGroups: folder.tags ? folder.groups.map((g) => g.values.length) : undefined,
    },
    description: folder.description,
    dispose: folder.dispose,
  };
}
