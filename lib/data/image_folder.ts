/**
 * A user's own images: a folder of PNG and JPEG files (any sizes), with an optional tags CSV in the
 * homework's style, so that a real face set (or any other) trains the same models as the built-in
 * sets.
 *
 * Each image is scaled so that its shorter side is `imageSize` and cropped to the centre square
 * (what `sharp`'s `fit: "cover"` does), transparent pixels are laid on white, grey images become
 * RGB, and EXIF orientation is applied. Files whose names end in `.png`, `.jpg` or `.jpeg` (any case)
 * are images; other files (the CSV, a README) and sub-folders are ignored.
 *
 * The tags CSV has a header naming an `id` column and one column per tag group, then one row per
 * image, whose `id` is the image's file name without its extension (or with it):
 *
 * ```csv
 * id,hair,eyes
 * 0,blonde,blue
 * 1,black,red
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { basename, extname, join } from "node:path";
import { type TagGroup, tagGroup } from "./multi_tag.ts";

/** Options of {@linkcode loadImageFolder}. */
export interface ImageFolderOptions {
  /** Side of the square images in pixels. Default `64`. */
  imageSize?: number;
  /**
   * The tags CSV: a path, `true` for `tags.csv` in the folder, or `false` for no tags.
   * Default `false`.
   */
  tags?: string | boolean;
  /**
   * The allowed values of each tag group, in label order (e.g. `{ hair: ["black", "blonde"] }`);
   * a value outside them is an error. Default: the values the CSV holds, sorted.
   */
  tagValues?: Record<string, string[]>;
  /** Images decoded at the same time. Default `4`. */
  concurrency?: number;
}

/** The defaults of {@linkcode ImageFolderOptions}. */
export const IMAGE_FOLDER_DEFAULTS: Readonly<Required<Omit<ImageFolderOptions, "tagValues">>> = {
  imageSize: 64,
  tags: false,
  concurrency: 4,
};

/** A folder of images as tensors. Call `dispose()` when done. */
export interface ImageFolderData {
  /** Images `[count, imageSize, imageSize, 3]` in [-1, 1], in the order of `ids`. */
  images: tf.Tensor4D;
  /** The id of every image: its file name without the extension, in natural order (2 before 10). */
  ids: string[];
  /** The path of every image. */
  files: string[];
  /** One group per tag column of the CSV, in its order; empty without tags. */
  groups: TagGroup[];
  /** All groups' one-hot tags side by side, `[count, sum of group sizes]`; absent without tags. */
  tags?: tf.Tensor2D;
  /** Number of images. */
  count: number;
  /** One line saying what was loaded. */
  description: string;
  /** Dispose every tensor. */
  dispose(): void;
}

const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

/** The tags CSV: group names and, per image id, one value per group. */
interface TagTable {
  groups: string[];
  rows: Map<string, string[]>;
}

/**
 * Parse a tags CSV (`id,<group>,<group>...` then one row per image); `where` names it in errors.
 *
 * @example Two images tagged with hair and eye colours
 * ```ts
 * import { parseTagsCsv } from "./image_folder.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const table = parseTagsCsv("id,hair,eyes\n0,blonde,blue\n1,black,red\n", "tags.csv");
 * assertEquals(table.groups, ["hair", "eyes"]);
 * assertEquals(table.rows.get("1"), ["black", "red"]);
 * ```
 */
export function parseTagsCsv(text: string, where: string): TagTable {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).map((line, i) => ({
    line,
    number: i + 1,
  }))
    .filter(({ line }) => line.trim() !== "");
  if (lines.length === 0) {
    throw new Error(
      `Cannot read tags from ${where}: the file is empty; its first line must be a ` +
        `header such as "id,hair,eyes"`,
    );
  }
  const cells = (line: string) => line.split(",").map((cell) => cell.trim());
  const header = cells(lines[0].line);
  if (header[0].toLowerCase() !== "id" || header.length < 2 || header.some((h) => h === "")) {
    throw new Error(
      `Cannot read tags from ${where}: the header must name an "id" column and at least one tag ` +
        `group, such as "id,hair,eyes"; got "${lines[0].line}"`,
    );
  }
  const groups = header.slice(1);
  const rows = new Map<string, string[]>();
  for (const { line, number } of lines.slice(1)) {
    const row = cells(line);
    if (row.length !== header.length || row.some((cell) => cell === "")) {
      throw new Error(
        `Cannot read tags from ${where}: line ${number} ("${line}") must hold ${header.length} ` +
          `non-empty values (${header.join(",")})`,
      );
    }
    if (rows.has(row[0])) {
      throw new Error(
        `Cannot read tags from ${where}: id "${row[0]}" appears twice (line ${number})`,
      );
    }
    rows.set(row[0], row.slice(1));
  }
  return { groups, rows };
}

/** Decode one image to RGB bytes `[size, size, 3]`: cover-resize, centre crop, on white. */
async function decodeImage(path: string, size: number, dir: string): Promise<Uint8Array> {
  try {
    const { data, info } = await sharp(path)
      .rotate()
      .resize(size, size, { fit: "cover", position: "centre" })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (error) {
    throw new Error(
      `Cannot load image folder ${dir}: cannot read ${basename(path)} (${
        (error as Error).message.split("\n")[0]
      }); replace it with a readable PNG or JPEG, or move it out of the folder`,
    );
  }
}

/** Label the images by the table's tags: one int32 array per group, with the groups' values. */
function labelImages(
  ids: string[],
  table: TagTable,
  where: string,
  tagValues: Record<string, string[]> | undefined,
): { name: string; values: string[]; labels: Int32Array }[] {
  const missing = ids.filter((id) => !table.rows.has(id));
  if (missing.length > 0) {
    throw new Error(
      `Cannot load tags from ${where}: ${missing.length} image(s) have no row, e.g. ` +
        `${missing.slice(0, 5).join(", ")}; add a row "<id>,${table.groups.join(",")}" for each`,
    );
  }
  const idSet = new Set(ids);
  const orphans = [...table.rows.keys()].filter((id) => !idSet.has(id));
  if (orphans.length > 0) {
    throw new Error(
      `Cannot load tags from ${where}: ${orphans.length} row(s) name no image in the folder, e.g. ` +
        `${orphans.slice(0, 5).join(", ")}; ids are file names without the extension`,
    );
  }
  for (const name of Object.keys(tagValues ?? {})) {
    if (!table.groups.includes(name)) {
      throw new Error(
        `Cannot load tags from ${where}: tagValues names group "${name}", but the CSV's groups ` +
          `are ${table.groups.join(", ")}`,
      );
    }
  }
  return table.groups.map((name, g) => {
    const seen = ids.map((id) => table.rows.get(id)![g]);
    const values = tagValues?.[name] ??
      [...new Set(seen)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    if (values.length < 2) {
      throw new Error(
        `Cannot load tags from ${where}: group "${name}" needs at least 2 values, got ` +
          `${values.join(", ") || "none"}`,
      );
    }
    const index = new Map(values.map((v, i) => [v, i]));
    const labels = new Int32Array(ids.length);
    seen.forEach((value, i) => {
      const label = index.get(value);
      if (label === undefined) {
        throw new Error(
          `Cannot load tags from ${where}: image "${
            ids[i]
          }" has ${name} "${value}", which is not ` +
            `one of ${values.join(", ")}`,
        );
      }
      labels[i] = label;
    });
    return { name, values, labels };
  });
}

/**
 * Load a folder of PNG/JPEG images as `[n, s, s, 3]` in [-1, 1], with one-hot tags from a CSV when
 * asked.
 *
 * @example Two images of different sizes and their tags
 * ```ts
 * import sharp from "sharp";
 * import { loadImageFolder } from "./image_folder.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const red = { width: 40, height: 20, channels: 3 as const, background: "#ff0000" };
 * await sharp({ create: red }).png().toFile(`${dir}/0.png`);
 * await sharp({ create: { ...red, width: 10, background: "#0000ff" } }).jpeg().toFile(`${dir}/1.jpg`);
 * await Deno.writeTextFile(`${dir}/tags.csv`, "id,hair\n0,red\n1,blue\n");
 * const data = await loadImageFolder(dir, { imageSize: 8, tags: true });
 * assertEquals(data.images.shape, [2, 8, 8, 3]);
 * assertEquals(data.groups[0].values, ["blue", "red"]);
 * assertEquals(data.tags!.arraySync(), [[0, 1], [1, 0]]);
 * data.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadImageFolder(
  dir: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderData> {
  const o = { ...IMAGE_FOLDER_DEFAULTS, ...options };
  const size = o.imageSize;
  if (!Number.isInteger(size) || size < 4 || size > 1024) {
    throw new Error(
      `Cannot load image folder ${dir}: imageSize must be an integer from 4 to 1024, got ${size}`,
    );
  }
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
    throw new Error(
      `Cannot load image folder ${dir}: concurrency must be a positive integer, got ` +
        `${o.concurrency}`,
    );
  }
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const ext = extname(entry.name).toLowerCase();
      if (entry.isFile && !entry.name.startsWith(".") && IMAGE_EXTENSIONS.includes(ext)) {
        entries.push(entry.name);
      }
    }
  } catch (error) {
    throw new Error(
      `Cannot load image folder ${dir}: cannot list it (${
        (error as Error).message.split("\n")[0]
      })`,
    );
  }
  if (entries.length === 0) {
    throw new Error(
      `Cannot load image folder ${dir}: it holds no PNG or JPEG images (.png, .jpg, .jpeg)`,
    );
  }
  const stem = (name: string) => name.slice(0, name.length - extname(name).length);
  entries.sort((a, b) => stem(a).localeCompare(stem(b), "en", { numeric: true }));
  const ids = entries.map(stem);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) {
    throw new Error(
      `Cannot load image folder ${dir}: two images have the id "${twice}" ` +
        `(${entries.filter((e) => stem(e) === twice).join(", ")}); rename one`,
    );
  }
  const files = entries.map((name) => join(dir, name));

  let labelled: ReturnType<typeof labelImages> = [];
  let where = "";
  if (o.tags !== false) {
    where = o.tags === true ? join(dir, "tags.csv") : o.tags;
    let text: string;
    try {
      text = await Deno.readTextFile(where);
    } catch (error) {
      throw new Error(
        `Cannot load tags from ${where}: cannot read it (${
          (error as Error).message.split("\n")[0]
        }); give the path of a CSV whose header is "id,<group>,..." or leave tags out`,
      );
    }
    const table = parseTagsCsv(text, where);
    // Rows may name the file ("12.png") instead of the id ("12").
    const rows = new Map<string, string[]>();
    for (const [id, row] of table.rows) {
      const key = IMAGE_EXTENSIONS.includes(extname(id).toLowerCase()) ? stem(id) : id;
      if (rows.has(key)) {
        throw new Error(`Cannot read tags from ${where}: id "${key}" appears twice`);
      }
      rows.set(key, row);
    }
    labelled = labelImages(ids, { groups: table.groups, rows }, where, o.tagValues);
  }

  const perImage = size * size * 3;
  const bytes = new Uint8Array(files.length * perImage);
  for (let start = 0; start < files.length; start += o.concurrency) {
    const chunk = files.slice(start, start + o.concurrency);
    const decoded = await Promise.all(chunk.map((file) => decodeImage(file, size, dir)));
    decoded.forEach((image, k) => bytes.set(image, (start + k) * perImage));
  }
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = bytes[i] / 127.5 - 1;
  const images = tf.tensor4d(values, [files.length, size, size, 3]);
  const groups = labelled.map((g) => tagGroup(g.name, g.values, g.labels));
  const tags = groups.length > 0
    ? tf.concat(groups.map((g) => g.oneHot), 1) as tf.Tensor2D
    : undefined;
  const tagText = groups.length > 0
    ? `; tags from ${where}: ` + groups.map((g) => `${g.name} (${g.values.length})`).join(", ")
    : "";
  return {
    images,
    ids,
    files,
    groups,
    tags,
    count: files.length,
    description: `${files.length} images from ${dir} (${size}x${size}x3, [-1, 1])${tagText}`,
    dispose: () =>
      tf.dispose([images, ...(tags ? [tags] : []), ...groups.flatMap((g) => [g.labels, g.oneHot])]),
  };
}
