/**
 * Animations of training progress: a sequence of frames (sample grids saved during training, or
 * tensors) joined into an animated GIF or WebP with sharp, saved or shown in Jupyter.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { definedOptions } from "../core/options.ts";
import { type ImageGridOptions, imageGridPng } from "./image_grid.ts";
import { display, type DisplayOptions, inJupyter, type MimeBundle, toBase64 } from "./jupyter.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { escapeXml, svgCanvas, svgText } from "./svg_text.ts";

/** One frame: encoded image bytes (PNG, ...), a path to an image file, or a tensor batch. */
export type AnimationFrame = Uint8Array | string | tf.Tensor;

/** Animated image formats. */
export type AnimationFormat = "gif" | "webp";

/** Options of {@linkcode animate}; tensor frames are drawn with the image grid options. */
export interface AnimationOptions extends ImageGridOptions {
  /** Output format. Default `"gif"`. */
  format?: AnimationFormat;
  /** Milliseconds per frame: one value or one per frame. Default `200`. */
  delay?: number | number[];
  /** Extra milliseconds on the last frame, so the final result can be seen. Default `1000`. */
  holdLast?: number;
  /** Times to play; 0 loops forever. Default `0`. */
  loop?: number;
  /** Text drawn above each frame ("step 500"). */
  captions?: string[];
}

const DEFAULTS = { format: "gif" as AnimationFormat, delay: 200, holdLast: 1000, loop: 0 };

/**
 * Join frames into one animated GIF or WebP. Frames of other sizes are fitted into the first
 * frame's size (nearest neighbour, letterboxed). Tensor frames are not disposed.
 *
 * @example Three frames of a brightening 8x8 grid
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { animate } from "./animation.ts";
 * const frames = [0, 0.5, 1].map((v) => tf.fill([4, 8, 8, 1], v));
 * const gif = await animate(frames, { range: "[0,1]", scale: 2, captions: ["a", "b", "c"] });
 * assertEquals(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
 * tf.dispose(frames);
 * ```
 */
export async function animate(
  frames: AnimationFrame[],
  options: AnimationOptions = {},
): Promise<Uint8Array> {
  const opts = { ...DEFAULTS, ...definedOptions(options) };
  if (frames.length === 0) {
    throw new Error("Cannot make an animation: no frames given; pass at least one image");
  }
  if (opts.format !== "gif" && opts.format !== "webp") {
    throw new Error(`Cannot make an animation: format must be "gif" or "webp", got ${opts.format}`);
  }
  if (opts.captions && opts.captions.length !== frames.length) {
    throw new Error(
      `Cannot make an animation: got ${opts.captions.length} captions for ${frames.length} frames`,
    );
  }
  const delays = frameDelays(frames.length, opts.delay, opts.holdLast);
  const encoded: Uint8Array[] = [];
  for (const frame of frames) encoded.push(await frameBytes(frame, opts));
  const first = await sharp(encoded[0]).metadata();
  const width = first.width, height = first.height;
  const labelSize = opts.labelSize ?? 12;
  const captionHeight = opts.captions ? Math.ceil(labelSize * 1.8) : 0;
  // Every frame as RGB at the first frame's size, with its caption strip on top.
  const rgbFrames: Buffer[] = [];
  for (let i = 0; i < encoded.length; i++) {
    let image = sharp(encoded[i])
      .resize(width, height, { fit: "contain", kernel: "nearest", background: "#ffffff" })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb");
    if (opts.captions) {
      const png = await image.png().toBuffer();
      const caption = svgText(opts.captions[i], width / 2, captionHeight / 2, "middle", labelSize);
      image = sharp(svgCanvas(width, height + captionHeight, [caption]))
        .composite([{ input: png, left: 0, top: captionHeight }])
        .flatten({ background: "#ffffff" });
    }
    rgbFrames.push(await image.png().toBuffer());
  }
  const joined = sharp(rgbFrames, { join: { animated: true } });
  const bytes = opts.format === "gif"
    ? await joined.gif({ delay: delays, loop: opts.loop }).toBuffer()
    : await joined.webp({ delay: delays, loop: opts.loop, lossless: true }).toBuffer();
  return new Uint8Array(bytes);
}

/**
 * Write an animation atomically; the format comes from the extension (`.gif` or `.webp`) unless
 * `format` is given. Returns the bytes.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { saveAnimation } from "./animation.ts";
 * const dir = await Deno.makeTempDir();
 * const frames = [tf.zeros([1, 4, 4, 3]), tf.ones([1, 4, 4, 3])];
 * await saveAnimation(frames, `${dir}/progress.webp`);
 * assert((await Deno.stat(`${dir}/progress.webp`)).size > 0);
 * tf.dispose(frames);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveAnimation(
  frames: AnimationFrame[],
  path: string,
  options: AnimationOptions = {},
): Promise<Uint8Array> {
  const extension = path.toLowerCase().match(/\.(gif|webp)$/)?.[1] as AnimationFormat | undefined;
  const format = options.format ?? extension;
  if (!format) {
    throw new Error(
      `Cannot save the animation to ${path}: use a .gif or .webp file name, or pass format`,
    );
  }
  const bytes = await animate(frames, { ...options, format });
  await writeFileAtomic(path, bytes);
  return bytes;
}

/** Options of {@linkcode showAnimation}. */
export interface ShowAnimationOptions extends AnimationOptions, DisplayOptions {}

/**
 * Show an animation in Jupyter (`image/gif`, or an `<img>` with a WebP data URL). Outside Jupyter
 * nothing is shown and the bytes are returned instead (`undefined` in Jupyter).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { showAnimation } from "./animation.ts";
 * const frames = [tf.zeros([2, 6, 6, 1]), tf.ones([2, 6, 6, 1])];
 * const gif = await showAnimation(frames, { range: "[0,1]", delay: 300 });
 * // Outside Jupyter the bytes come back.
 * assertEquals(new TextDecoder().decode(gif!.subarray(0, 6)), "GIF89a");
 * tf.dispose(frames);
 * ```
 */
export async function showAnimation(
  frames: AnimationFrame[],
  options: ShowAnimationOptions = {},
): Promise<Uint8Array | undefined> {
  const { id, update, redrawn, ...animationOptions } = options;
  const bytes = await animate(frames, animationOptions);
  if (!inJupyter()) return bytes;
  const base64 = toBase64(bytes);
  const text = `<animation, ${frames.length} frames>`;
  // Classic Notebook and nbconvert's HTML show no image/gif output, so every format also goes
  // out as an <img> with a data URL, which every front end renders.
  const mime = (animationOptions.format ?? "gif") === "gif" ? "image/gif" : "image/webp";
  const bundle: MimeBundle = {
    "text/html": `<img src="data:${mime};base64,${base64}" alt="${escapeXml(text)}">`,
    "text/plain": text,
  };
  await display(bundle, { id, update, redrawn });
  return undefined;
}

function frameDelays(count: number, delay: number | number[], holdLast: number): number[] {
  const delays = Array.isArray(delay) ? [...delay] : Array(count).fill(delay);
  if (delays.length !== count) {
    throw new Error(`Cannot make an animation: got ${delays.length} delays for ${count} frames`);
  }
  delays[count - 1] += holdLast;
  for (const d of delays) {
    if (!Number.isInteger(d) || d < 0 || d > 65535) {
      throw new Error(
        `Cannot make an animation: frame delays must be whole milliseconds in [0, 65535], got ${d}`,
      );
    }
  }
  return delays;
}

async function frameBytes(frame: AnimationFrame, options: ImageGridOptions): Promise<Uint8Array> {
  if (typeof frame === "string") {
    try {
      return await Deno.readFile(frame);
    } catch (error) {
      throw new Error(
        `Cannot make an animation: cannot read frame ${frame}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (frame instanceof Uint8Array) return frame;
  return await imageGridPng(frame, options);
}
