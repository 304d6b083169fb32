/**
 * Training data from a user's image folder for `deno task train <variant> --data DIR`: the images
 * (and, for ACGAN, the tags of `DIR/tags.csv`) as a batch source, with the shape the models need.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { loadImageFolder } from "../lib/data/image_folder.ts";
import { type BatchSource, tensorBatches } from "../lib/train/batches.ts";
import type { VariantData } from "../lib/variants/mod.ts";

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

/** What a variant trains on, from a folder. */
export interface FolderTrainingData {
  /** The batches: `realImages`, plus `labels` (one-hot tags side by side) for ACGAN. */
  source: BatchSource;
  /** `[imageSize, imageSize, 3]`. */
  imageShape: [number, number, number];
  /** The size of each tag group (ACGAN), in the CSV's order. */
  tagGroups?: number[];
  /** One line saying what was loaded. */
  description: string;
  /** Dispose the tensors. */
  dispose(): void;
}

/**
 * Load `dir` for training `options.name`: images for the unconditional image variants, images and
 * the tags of `dir/tags.csv` for ACGAN; other variants are refused with a clear error.
 *
 * @example An ACGAN needs the folder's tags.csv
 * ```ts
 * import { imageFolderTrainingData } from "./train_folder_data.ts";
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
): Promise<FolderTrainingData> {
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
    imageShape: [imageSize, imageSize, 3],
    tagGroups: folder.tags ? folder.groups.map((g) => g.values.length) : undefined,
    description: folder.description,
    dispose: folder.dispose,
  };
}
