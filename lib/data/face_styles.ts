/**
 * A second style of cartoon faces with the same tags as `lib/data/faces.ts`: two unpaired
 * domains for style transfer (the homework report's CycleGAN bonus).
 *
 * DiceBear's `big-ears` style ("Face Generator" by The Visual Team, https://thevisual.team/,
 * licensed CC BY 4.0, https://creativecommons.org/licenses/by/4.0/; remixed by DiceBear, whose
 * code is MIT) draws a square-jawed head with large ears and a big block of hair, where
 * `adventurer` draws a round head with fine line art. Both are drawn here with the same palette:
 * the 10 hair colours of {@linkcode FACE_HAIR_COLOURS} and the 4 skin colours of
 * {@linkcode FACE_SKIN_COLOURS}, balanced in blocks of 40 as in `loadFaces()`, so a tag classifier
 * can check what a translation from one style to the other keeps. All 40 of the style's hair
 * styles cover at least 9 % of a 64x64 image, so every face shows its hair colour.
 *
 * A style other than `adventurer` gets its own DiceBear seeds and its own seeded order of tags:
 * face `i` of `big-ears` shares neither its features nor (except by chance) its tags with face `i`
 * of `adventurer`, so the two sets are unpaired. Sets are cached like `loadFaces()`'s, in the same
 * folder, under the style's name.
 *
 * @module
 */
import { createAvatar } from "@dicebear/core";
import { bigEars } from "@dicebear/collection";
import {
  ADVENTURER,
  FACE_BACKGROUND,
  FACE_HAIR_COLOURS,
  FACE_SKIN_COLOURS,
  type FaceArrays,
  type FaceData,
  type FaceDrawing,
  type FaceOptions,
  type FaceSpec,
  loadFaces,
  loadFacesArrays,
  paletteSettings,
} from "./faces.ts";

/** The face styles the course draws. */
export type FaceStyle = "adventurer" | "big-ears";

/**
 * The SVG of one `big-ears` face at `imageSize` pixels, with the spec's hair and skin colour from
 * the course's palette, on the white background.
 *
 * @example A 64-pixel face in the tagged hair colour, crediting its designers
 * ```ts
 * import { bigEarsSvg } from "./face_styles.ts";
 * import { ok as assert, throws } from "node:assert/strict";
 *
 * const svg = bigEarsSvg({ seed: "big-ears:train:0:0", hair: 6, skin: 1 }, 64);
 * assert(svg.startsWith("<svg") && svg.includes('width="64"'));
 * assert(svg.includes("#3eac2c")); // green hair
 * assert(svg.includes("The Visual Team"));
 * throws(() => bigEarsSvg({ seed: "x", hair: 10, skin: 0 }, 64), /hair must be 0..9/);
 * ```
 */
export function bigEarsSvg(spec: FaceSpec, imageSize: number): string {
  const hair = FACE_HAIR_COLOURS[spec.hair];
  const skin = FACE_SKIN_COLOURS[spec.skin];
  if (!hair || !skin) {
    throw new Error(
      `Cannot draw a big-ears face: hair must be 0..${FACE_HAIR_COLOURS.length - 1} and skin ` +
        `0..${FACE_SKIN_COLOURS.length - 1}, got hair ${spec.hair}, skin ${spec.skin}`,
    );
  }
  return createAvatar(bigEars, {
    seed: spec.seed,
    size: imageSize,
    hairColor: [hair.hex],
    skinColor: [skin.hex],
    backgroundColor: [FACE_BACKGROUND],
  }).toString();
}

/**
 * DiceBear's `big-ears` style with the course's palette.
 *
 * @example Its sets are cached under its own name
 * ```ts
 * import { BIG_EARS } from "./face_styles.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * assertEquals(BIG_EARS.style, "big-ears");
 * assertEquals(BIG_EARS.credit, 'DiceBear "big-ears" by The Visual Team, CC BY 4.0');
 * ```
 */
export const BIG_EARS: FaceDrawing = {
  style: "big-ears",
  svg: bigEarsSvg,
  settings: paletteSettings("big-ears"),
  credit: 'DiceBear "big-ears" by The Visual Team, CC BY 4.0',
};

/** Every style by name. */
export const FACE_STYLES: Readonly<Record<FaceStyle, FaceDrawing>> = {
  adventurer: ADVENTURER,
  "big-ears": BIG_EARS,
};

function drawingOf(style: FaceStyle): FaceDrawing {
  const drawing = FACE_STYLES[style];
  if (!drawing) {
    throw new Error(
      `Cannot load faces: style must be one of ${Object.keys(FACE_STYLES).join(", ")}, ` +
        `got ${JSON.stringify(style)}`,
    );
  }
  return drawing;
}

/**
 * Load faces of a style as bytes with their tags (see `loadFacesArrays()` for the options),
 * rendering and caching what the cache lacks.
 *
 * @example Eight 32x32 big-ears faces, rendered without a cache
 * ```ts
 * import { loadFaceStyleArrays } from "./face_styles.ts";
 * import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
 *
 * const faces = await loadFaceStyleArrays("big-ears", { size: 8, imageSize: 32, cacheDir: false });
 * assertEquals(faces.pixels.length, 8 * 32 * 32 * 3);
 * assertEquals(faces.rendered, 8);
 * assert(faces.description.includes("The Visual Team"), faces.description);
 * ```
 */
export async function loadFaceStyleArrays(
  style: FaceStyle,
  options: Omit<FaceOptions, "drawing"> = {},
): Promise<FaceArrays> {
  return await loadFacesArrays({ ...options, drawing: drawingOf(style) });
}

/**
 * Load faces of a style as tensors: images `[size, s, s, 3]` in [-1, 1] with one-hot hair (10)
 * and skin (4) tags, as `loadFaces()` gives them for `adventurer`.
 *
 * @example 40 big-ears faces: every (hair, skin) pair once, in another order than adventurer's
 * ```ts
 * import { loadFaces } from "./faces.ts";
 * import { loadFaceStyle } from "./face_styles.ts";
 * import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
 *
 * const bigEars = await loadFaceStyle("big-ears", { size: 40, imageSize: 32, cacheDir: false });
 * assertEquals(bigEars.images.shape, [40, 32, 32, 3]);
 * assertEquals(bigEars.tags.sum(0).arraySync(), new Array(10).fill(4).concat(new Array(4).fill(10)));
 * const adventurer = await loadFaces({ size: 40, imageSize: 32, cacheDir: false });
 * notDeepStrictEqual(bigEars.groups[0].labels.arraySync(), adventurer.groups[0].labels.arraySync());
 * bigEars.dispose();
 * adventurer.dispose();
 * ```
 */
export async function loadFaceStyle(
  style: FaceStyle,
  options: Omit<FaceOptions, "drawing"> = {},
): Promise<FaceData> {
  return await loadFaces({ ...options, drawing: drawingOf(style) });
}
