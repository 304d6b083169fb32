/**
 * Cartoon faces with colour tags, made offline: a stand-in for the homework report's anime faces
 * tagged with hair and eye colours.
 *
 * The faces are drawn by [DiceBear](https://www.dicebear.com) (`@dicebear/core` and
 * `@dicebear/collection` 9.4.3, MIT) in its `adventurer` style, designed by Lisa Wischofsky
 * (https://www.instagram.com/lischi_art/) and licensed CC BY 4.0
 * (https://creativecommons.org/licenses/by/4.0/); sharp renders each SVG to pixels. Every face
 * carries two tags: a hair colour (10 values, {@linkcode FACE_HAIR_COLOURS}) and a skin colour (4,
 * {@linkcode FACE_SKIN_COLOURS}). Hair style, eyes, eyebrows, mouth, glasses, earrings and freckles
 * are left to DiceBear's seeded draw, so they vary freely and are not tags.
 *
 * The palette: DiceBear's 14 default hair colours include near-twins (three browns, two
 * orange-browns); the 10 kept here are far apart in colour, so a small classifier tells them apart
 * at 32x32. The 4 skin colours are DiceBear's own. The 5 hair styles that show little or no hair
 * (under 8 % of a 64x64 image: `short19` is bald) are left out, so every face shows its hair colour.
 *
 * Tags are balanced: every run of 40 faces holds each (hair, skin) pair once, in a seeded order.
 * Face `i` of a set depends only on `split`, `seed` and `i` (never on `size`), so a smaller set is
 * a prefix of a larger one. The `train` and `test` splits draw from different DiceBear seeds
 * (`train:<seed>:<i>` and `test:<seed>:<i>`), so a held-out set shares no face with a training set.
 *
 * Rendering costs about 3 ms of CPU per face (SVG to pixels through sharp), so a set is rendered
 * once and cached on disk (`runs/cache/faces/` by default, not in git), keyed by split, seed, image
 * size and a hash of the drawing settings; a later load reads the cached bytes, and a larger set
 * renders only the faces the cache lacks.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createAvatar } from "@dicebear/core";
import { adventurer } from "@dicebear/collection";
import sharp from "sharp";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { writeFileAtomic } from "../core/fs.ts";
import type { Rgb } from "./colour.ts";
import { type TagColour, type TagGroup, tagGroup } from "./multi_tag.ts";
import { seededRandom } from "../core/random.ts";

/** A face tag value: its name, its colour in [0, 1] and as DiceBear's 6-digit hex. */
export interface FaceColour extends TagColour {
  /** The colour as DiceBear takes it, 6 hex digits without `#`. */
  hex: string;
}

function colour(name: string, hex: string): FaceColour {
  const rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as Rgb;
  return { name, hex, rgb };
}

/** The hair colours (tag group `hair`), 10 of DiceBear's 14 defaults, far apart from each other. */
export const FACE_HAIR_COLOURS: readonly FaceColour[] = [
  colour("black", "0e0e0e"),
  colour("brown", "6a4e35"),
  colour("blonde", "e5d7a3"),
  colour("orange", "cb6820"),
  colour("red", "ab2a18"),
  colour("grey", "afafaf"),
  colour("green", "3eac2c"),
  colour("aqua", "85c2c6"),
  colour("pink", "dba3be"),
  colour("purple", "592454"),
];

/** The skin colours (tag group `skin`), DiceBear's 4 defaults for `adventurer`. */
export const FACE_SKIN_COLOURS: readonly FaceColour[] = [
  colour("light", "f2d3b1"),
  colour("tan", "ecad80"),
  colour("brown", "9e5622"),
  colour("dark", "763900"),
];

/** The hair styles drawn: the style's 45 but `short04`, `short12`, `short13`, `short14`, `short19`. */
export const FACE_HAIR_STYLES: readonly string[] = [
  ...Array.from({ length: 26 }, (_, i) => `long${String(i + 1).padStart(2, "0")}`),
  ...Array.from({ length: 19 }, (_, i) => `short${String(i + 1).padStart(2, "0")}`),
].filter((style) => !["short04", "short12", "short13", "short14", "short19"].includes(style));

type AdventurerHair = NonNullable<
  Parameters<typeof adventurer.create>[0]["options"]["hair"]
>[number];

/** The background every face is drawn on (the style's own is transparent). */
export const FACE_BACKGROUND = "ffffff";

/** The split a face set comes from: training faces, or held-out faces no training set contains. */
export type FaceSplit = "train" | "test";

/** Options of {@linkcode loadFaces} and {@linkcode loadFacesArrays}. */
export interface FaceOptions {
  /** Number of faces. Default `2000`. */
  size?: number;
  /** Side of the square images in pixels (the course uses 32, 64 or 96), 8 to 256. Default `64`. */
  imageSize?: number;
  /** Seed of the faces and of the order of their tags. Default `0`. */
  seed?: number;
  /** `"train"` or the held-out `"test"` faces. Default `"train"`. */
  split?: FaceSplit;
  /**
   * Folder of the on-disk cache, or `false` to render without reading or writing one.
   * Default: `runs/cache/faces/` in the repository.
   */
  cacheDir?: string | false;
  /** Faces rendered at the same time (sharp's threads share them). Default `4`. */
  concurrency?: number;
  /** Called after every block of rendered faces with (rendered so far, to render). */
  onProgress?: (done: number, total: number) => void;
  /**
   * The style the faces are drawn in. Default {@linkcode ADVENTURER}; `lib/data/face_styles.ts`
   * has the others.
   */
  drawing?: FaceDrawing;
}

/**
 * The drawing settings every style shares (DiceBear's version, the palette, the background, how
 * tags are ordered) with the style's own: what {@linkcode FaceDrawing.settings} hashes into the
 * cache key.
 *
 * @example The palette's hex colours, and the style's own settings
 * ```ts
 * import { paletteSettings } from "./faces.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const settings = paletteSettings("big-ears", { ears: "big" });
 * assertEquals(settings.style, "big-ears");
 * assertEquals((settings.hair as string[]).length, 10);
 * assertEquals(settings.ears, "big");
 * ```
 */
export function paletteSettings(
  style: string,
  own: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    dicebear: "9.4.3",
    style,
    hair: FACE_HAIR_COLOURS.map((c) => c.hex),
    skin: FACE_SKIN_COLOURS.map((c) => c.hex),
    ...own,
    background: FACE_BACKGROUND,
    tags: "blocks of 40 v1",
  };
}

/**
 * DiceBear's `adventurer` style with the course's palette: the faces of {@linkcode loadFaces}.
 *
 * @example It draws {@linkcode faceSvg}'s faces
 * ```ts
 * import { ADVENTURER, faceSvg } from "./faces.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const spec = { seed: "train:0:1", hair: 3, skin: 2 };
 * assertEquals(ADVENTURER.svg(spec, 32), faceSvg(spec, 32));
 * assertEquals(ADVENTURER.style, "adventurer");
 * ```
 */
export const ADVENTURER: FaceDrawing = {
  style: "adventurer",
  svg: faceSvg,
  settings: paletteSettings("adventurer", { styles: FACE_HAIR_STYLES }),
  credit: 'DiceBear "adventurer" by Lisa Wischofsky, CC BY 4.0',
};

/** Where rendered faces are cached by default: `runs/cache/faces/` at the repository root. */
export const DEFAULT_FACE_CACHE_DIR: string = fileURLToPath(
  new URL("../../runs/cache/faces/", import.meta.url),
);

/** The defaults of {@linkcode FaceOptions}. */
export const FACE_DEFAULTS: Readonly<
  Required<Omit<FaceOptions, "onProgress">>
> = {
  size: 2000,
  imageSize: 64,
  seed: 0,
  split: "train",
  cacheDir: DEFAULT_FACE_CACHE_DIR,
  concurrency: 4,
  drawing: ADVENTURER,
};

/** Faces as plain bytes (what the tensors of {@linkcode FaceData} are built from). */
export interface FaceArrays {
  /** Pixels `[count, imageSize, imageSize, 3]`, RGB bytes 0..255, row-major. */
  pixels: Uint8Array;
  /** Hair colour of every face, an index into {@linkcode FACE_HAIR_COLOURS}. */
  hair: Int32Array;
  /** Skin colour of every face, an index into {@linkcode FACE_SKIN_COLOURS}. */
  skin: Int32Array;
  /** Number of faces. */
  count: number;
  /** Side of the images. */
  imageSize: number;
  /** How many faces were read from the cache and how many rendered now. */
  cached: number;
  /** Faces rendered by this call. */
  rendered: number;
  /** Seconds spent rendering (0 when everything came from the cache). */
  renderSeconds: number;
  /** One line saying what was loaded. */
  description: string;
}

/** Faces as tensors, shaped like the multi-tag set. Call `dispose()` when done. */
export interface FaceData {
  /** Images `[count, imageSize, imageSize, 3]` in [-1, 1]. */
  images: tf.Tensor4D;
  /** The tag groups, `hair` then `skin`. */
  groups: TagGroup[];
  /** Both groups' one-hot tags side by side, `[count, 10 + 4]` (the report's tag vector). */
  tags: tf.Tensor2D;
  /** Number of faces. */
  count: number;
  /** One line saying what was loaded. */
  description: string;
  /** Dispose every tensor. */
  dispose(): void;
}

/** What one face is drawn from. */
export interface FaceSpec {
  /** DiceBear's seed string (it picks hair style, eyes, mouth, glasses...). */
  seed: string;
  /** Hair colour index into {@linkcode FACE_HAIR_COLOURS}. */
  hair: number;
  /** Skin colour index into {@linkcode FACE_SKIN_COLOURS}. */
  skin: number;
}

/**
 * How a style of faces is drawn: what the loaders need to render, tag and cache a set of them.
 * {@linkcode ADVENTURER} is the default; `lib/data/face_styles.ts` adds DiceBear's `big-ears`.
 */
export interface FaceDrawing {
  /** The style's name, e.g. `"adventurer"`; it names the cache files of every other style. */
  style: string;
  /** The SVG of one face at `imageSize` pixels, drawn with the spec's tags on a white background. */
  svg(spec: FaceSpec, imageSize: number): string;
  /** Everything besides the spec that changes the pixels (hashed into the cache key). */
  settings: Record<string, unknown>;
  /** Who designed the style and its licence, as the description of a loaded set credits it. */
  credit: string;
}

/**
 * The SVG of one face at `imageSize` pixels, on the white background.
 *
 * @example A 64-pixel face is an SVG of that size that credits its artist
 * ```ts
 * import { faceSvg } from "./faces.ts";
 * import { ok as assert } from "node:assert/strict";
 *
 * const svg = faceSvg({ seed: "train:0:0", hair: 0, skin: 0 }, 64);
 * assert(svg.startsWith("<svg") && svg.includes('width="64"'));
 * assert(svg.includes("Lisa Wischofsky"));
 * ```
 */
export function faceSvg(spec: FaceSpec, imageSize: number): string {
  const hair = FACE_HAIR_COLOURS[spec.hair];
  const skin = FACE_SKIN_COLOURS[spec.skin];
  if (!hair || !skin) {
    throw new Error(
      `Cannot draw a face: hair must be 0..${FACE_HAIR_COLOURS.length - 1} and skin ` +
        `0..${FACE_SKIN_COLOURS.length - 1}, got hair ${spec.hair}, skin ${spec.skin}`,
    );
  }
  return createAvatar(adventurer, {
    seed: spec.seed,
    size: imageSize,
    hair: [...FACE_HAIR_STYLES] as AdventurerHair[],
    hairColor: [hair.hex],
    skinColor: [skin.hex],
    backgroundColor: [FACE_BACKGROUND],
  }).toString();
}

/** Render one face to RGB bytes `[imageSize, imageSize, 3]`. */
async function renderFace(
  drawing: FaceDrawing,
  spec: FaceSpec,
  imageSize: number,
): Promise<Uint8Array> {
  const svg = drawing.svg(spec, imageSize);
  const bytes = await sharp(new TextEncoder().encode(svg))
    .resize(imageSize, imageSize)
    .flatten({ background: `#${FACE_BACKGROUND}` })
    .removeAlpha()
    .raw()
    .toBuffer();
  if (bytes.length !== imageSize * imageSize * 3) {
    throw new Error(
      `Cannot render face ${spec.seed}: sharp returned ${bytes.length} bytes, expected ` +
        `${imageSize * imageSize * 3}`,
    );
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * The tags and DiceBear seeds of the first `count` faces of a split: blocks of 40 faces hold every
 * (hair, skin) pair once, in a seeded order. Another `style` than `"adventurer"` gets its own
 * DiceBear seeds (`<style>:<split>:<seed>:<i>`) and its own order of tags, so that two styles
 * loaded with the same seed make two unpaired sets.
 *
 * @example The first 40 faces hold each pair once
 * ```ts
 * import { faceSpecs } from "./faces.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const specs = faceSpecs(40, 0, "train");
 * assertEquals(new Set(specs.map((s) => `${s.hair},${s.skin}`)).size, 40);
 * assertEquals(specs[3].seed, "train:0:3");
 * assertEquals(faceSpecs(5, 0, "train"), specs.slice(0, 5));
 * ```
 */
export function faceSpecs(
  count: number,
  seed: number,
  split: FaceSplit,
  style = "adventurer",
): FaceSpec[] {
  const nSkin = FACE_SKIN_COLOURS.length;
  const combos = FACE_HAIR_COLOURS.length * nSkin;
  const prefix = style === "adventurer" ? "" : `${style}:`;
  const random = seededRandom(seed * 2 + (split === "test" ? 1 : 0) + 0xface + styleSalt(style));
  const specs: FaceSpec[] = [];
  let block: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i % combos === 0) block = random.shuffle(Array.from({ length: combos }, (_, k) => k));
    const combo = block[i % combos];
    specs.push({
      seed: `${prefix}${split}:${seed}:${i}`,
      hair: Math.floor(combo / nSkin),
      skin: combo % nSkin,
    });
  }
  return specs;
}

/** 0 for `adventurer` (its tag order predates the other styles), a 20-bit hash of the name else. */
function styleSalt(style: string): number {
  if (style === "adventurer") return 0;
  let hash = 0x811c9dc5; // FNV-1a
  for (const char of style) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return (hash >>> 12) + 1;
}

/** A hash of everything that changes the pixels, so a cache never outlives its settings. */
async function settingsHash(drawing: FaceDrawing): Promise<string> {
  const settings = JSON.stringify(drawing.settings);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(settings));
  return [...new Uint8Array(digest).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}

interface CacheHeader {
  count: number;
  imageSize: number;
  hair: number[];
  skin: number[];
}

async function readCache(
  base: string,
  imageSize: number,
): Promise<{ header: CacheHeader; pixels: Uint8Array } | undefined> {
  let header: CacheHeader;
  let pixels: Uint8Array;
  try {
    header = JSON.parse(await Deno.readTextFile(`${base}.json`));
    pixels = await Deno.readFile(`${base}.rgb`);
  } catch {
    return undefined; // no cache yet, or half of one: render
  }
  const ok = header.imageSize === imageSize && header.hair?.length === header.count &&
    header.skin?.length === header.count &&
    pixels.length === header.count * imageSize * imageSize * 3;
  return ok ? { header, pixels } : undefined;
}

function checkFaceOptions(o: Required<Omit<FaceOptions, "onProgress">>): void {
  if (typeof o.drawing?.svg !== "function" || typeof o.drawing.style !== "string") {
    throw new Error(
      `Cannot load faces: drawing must be a FaceDrawing such as ADVENTURER or one of ` +
        `FACE_STYLES in lib/data/face_styles.ts, got ${typeof o.drawing}`,
    );
  }
  if (!Number.isInteger(o.size) || o.size < 1) {
    throw new Error(`Cannot load faces: size must be a positive integer, got ${o.size}`);
  }
  if (!Number.isInteger(o.imageSize) || o.imageSize < 8 || o.imageSize > 256) {
    throw new Error(
      `Cannot load faces: imageSize must be an integer from 8 to 256 (32, 64 or 96 in the ` +
        `course), got ${o.imageSize}`,
    );
  }
  if (!Number.isInteger(o.seed) || o.seed < 0) {
    throw new Error(`Cannot load faces: seed must be a non-negative integer, got ${o.seed}`);
  }
  if (o.split !== "train" && o.split !== "test") {
    throw new Error(`Cannot load faces: split must be "train" or "test", got ${o.split}`);
  }
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
    throw new Error(
      `Cannot load faces: concurrency must be a positive integer, got ${o.concurrency}`,
    );
  }
}

/**
 * Load faces as bytes with their tags, rendering (and caching) what the cache lacks.
 *
 * @example Eight 32x32 faces, rendered without a cache
 * ```ts
 * import { loadFacesArrays } from "./faces.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const faces = await loadFacesArrays({ size: 8, imageSize: 32, cacheDir: false });
 * assertEquals(faces.pixels.length, 8 * 32 * 32 * 3);
 * assertEquals(faces.rendered, 8);
 * assertEquals(faces.hair.length, 8);
 * ```
 */
export async function loadFacesArrays(options: FaceOptions = {}): Promise<FaceArrays> {
  const o = { ...FACE_DEFAULTS, ...options };
  checkFaceOptions(o);
  const { size, imageSize } = o;
  const perFace = imageSize * imageSize * 3;
  const { drawing } = o;
  const specs = faceSpecs(size, o.seed, o.split, drawing.style);
  const style = drawing.style === "adventurer" ? "" : `${drawing.style}-`;
  const base = o.cacheDir === false ? undefined : join(
    o.cacheDir,
    `${style}${o.split}-seed${o.seed}-${imageSize}px-${await settingsHash(drawing)}`,
  );
  const cache = base ? await readCache(base, imageSize) : undefined;
  const cached = Math.min(cache?.header.count ?? 0, size);
  const total = Math.max(size, cache?.header.count ?? 0);
  const pixels = new Uint8Array(total * perFace);
  if (cache) pixels.set(cache.pixels.subarray(0, Math.min(cache.header.count, total) * perFace));
  for (let i = 0; i < cached; i++) {
    if (cache!.header.hair[i] !== specs[i].hair || cache!.header.skin[i] !== specs[i].skin) {
      throw new Error(
        `Cannot load faces: the cache ${base}.json disagrees with the tags of face ${i}; ` +
          `delete ${base}.json and ${base}.rgb to render the set again`,
      );
    }
  }
  const started = performance.now();
  for (let start = cached; start < size; start += o.concurrency) {
    const end = Math.min(size, start + o.concurrency);
    const faces = await Promise.all(
      specs.slice(start, end).map((spec) => renderFace(drawing, spec, imageSize)),
    );
    faces.forEach((face, k) => pixels.set(face, (start + k) * perFace));
    if (o.onProgress && (end === size || (end - cached) % 500 < o.concurrency)) {
      o.onProgress(end - cached, size - cached);
    }
  }
  const rendered = size - cached;
  const renderSeconds = rendered > 0 ? (performance.now() - started) / 1000 : 0;
  if (base && rendered > 0) {
    const allSpecs = total > size ? faceSpecs(total, o.seed, o.split, drawing.style) : specs;
    const header: CacheHeader = {
      count: total,
      imageSize,
      hair: allSpecs.map((s) => s.hair),
      skin: allSpecs.map((s) => s.skin),
    };
    await writeFileAtomic(`${base}.rgb`, pixels);
    await writeFileAtomic(`${base}.json`, JSON.stringify(header));
  }
  const where = rendered === 0
    ? "from the cache"
    : `${rendered} rendered in ${renderSeconds.toFixed(1)} s` +
      (cached > 0 ? `, ${cached} from the cache` : "");
  return {
    pixels: pixels.subarray(0, size * perFace),
    hair: Int32Array.from(specs, (s) => s.hair),
    skin: Int32Array.from(specs, (s) => s.skin),
    count: size,
    imageSize,
    cached,
    rendered,
    renderSeconds,
    description: `${size} ${o.split} faces (${imageSize}x${imageSize}x3, seed ${o.seed}; ` +
      `${FACE_HAIR_COLOURS.length} hair x ${FACE_SKIN_COLOURS.length} skin colours, balanced; ` +
      `${where}). Faces: ${drawing.credit}`,
  };
}

/**
 * Load cartoon faces as tensors: images `[size, s, s, 3]` in [-1, 1], and one-hot tags for hair
 * colour (10 values) and skin colour (4 values).
 *
 * @example 40 faces: every (hair, skin) pair once
 * ```ts
 * import { loadFaces } from "./faces.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const faces = await loadFaces({ size: 40, imageSize: 32, cacheDir: false });
 * assertEquals(faces.images.shape, [40, 32, 32, 3]);
 * assertEquals(faces.groups.map((g) => g.name), ["hair", "skin"]);
 * assertEquals(faces.tags.shape, [40, 14]);
 * assertEquals(faces.tags.sum(0).arraySync(), new Array(10).fill(4).concat(new Array(4).fill(10)));
 * faces.dispose();
 * ```
 */
export async function loadFaces(options: FaceOptions = {}): Promise<FaceData> {
  const arrays = await loadFacesArrays(options);
  const { count, imageSize } = arrays;
  const values = new Float32Array(arrays.pixels.length);
  for (let i = 0; i < values.length; i++) values[i] = arrays.pixels[i] / 127.5 - 1;
  const images = tf.tensor4d(values, [count, imageSize, imageSize, 3]);
  const groups = [
    tagGroup("hair", FACE_HAIR_COLOURS.map((c) => c.name), arrays.hair),
    tagGroup("skin", FACE_SKIN_COLOURS.map((c) => c.name), arrays.skin),
  ];
  const tags = tf.concat(groups.map((g) => g.oneHot), 1) as tf.Tensor2D;
  return {
    images,
    groups,
    tags,
    count,
    description: arrays.description,
    dispose: () => tf.dispose([images, tags, ...groups.flatMap((g) => [g.labels, g.oneHot])]),
  };
}
