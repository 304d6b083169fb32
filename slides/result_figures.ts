/**
 * The slides' figures from the notebooks' `cpu` profile runs (`deno task slides:results`): the
 * trained sample grids and plots the results table was measured with, taken from the executed
 * copies that `deno task results` leaves in `runs/notebooks/<time>/`, and committed in
 * `slides/results/` so that the slides show them on any machine. A slide refers to one as
 * `figure:<name>` like any other figure (slides/figures/ is searched first, then slides/results/).
 *
 * Each figure names its notebook, a text its cell's source contains, and which of the cell's
 * images (`png`) or Plotly figures (`plot`, exported to SVG) to take. Only executed notebooks whose
 * first cells printed the `cpu` profile count; of those, the most recently written copy of each
 * notebook, over every source given, is used. A PNG larger than {@link MAX_PNG_BYTES} is re-encoded
 * with a 256-colour palette (and, if still too large, scaled down) to keep the decks small.
 *
 * ```sh
 * deno task slides:results                      # from this checkout's runs/
 * deno task slides:results --runs ../other/runs # from another checkout's runs/
 * deno task slides:results --runs ../a/runs --runs /tmp/x/09_acgan.ipynb --only 09
 * ```
 *
 * `--runs` may be given several times: a `runs/` folder (its `notebooks/<time>/` copies), a folder
 * that holds executed notebooks directly, or one executed `.ipynb`. `--only TEXT` takes only the
 * figures whose name or notebook contains TEXT.
 *
 * @module
 */
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { plotlyToSvg } from "./plotly_svg.ts";

/** One figure taken from an executed notebook. */
export interface ResultFigure {
  /** File name without extension, used on slides as `figure:<name>`. */
  name: string;
  /** Notebook file name without `.ipynb`, e.g. `02_dcgan`. */
  notebook: string;
  /** Text that the source of the figure's cell contains (the first such cell is used). */
  cell: string;
  /** An image output (`png`) or a Plotly figure (`plot`). */
  kind: "png" | "plot";
  /** Which of the cell's outputs of that kind: 0 the first, -1 the last. Default -1. */
  index?: number;
}

/** The figures the slides take from the `cpu` runs. */
export const RESULT_FIGURES: ResultFigure[] = [
  {
    name: "run_dcgan_samples",
    notebook: "02_dcgan",
    cell: "samples of the averaged generator",
    kind: "png",
  },
  { name: "run_faces_dcgan_samples", notebook: "11_faces", cell: "averagedCopy", kind: "png" },
  {
    name: "run_collapse_modes",
    notebook: "03_gan_problems",
    cell: "const minibatch = await ringStudy(",
    kind: "plot",
  },
  {
    name: "run_collapse_samples",
    notebook: "03_gan_problems",
    cell: "No heat map here: minibatch",
    kind: "plot",
  },
  {
    name: "run_wgan_critic_loss",
    notebook: "06_wgan",
    cell: "critic's training loss, -L_D (mean since the last checkpoint)",
    kind: "plot",
    index: 0,
  },
  {
    name: "run_wgan_fid",
    notebook: "06_wgan",
    cell: "critic's training loss, -L_D (mean since the last checkpoint)",
    kind: "plot",
    index: 1,
  },
  {
    name: "run_wgan_samples",
    notebook: "06_wgan",
    cell: "const finalSamples = variant.sample!(64, 21);",
    kind: "png",
  },
  {
    name: "run_wgan_gp_ring",
    notebook: "07_wgan_gp",
    cell: "const ring = await trainToy(",
    kind: "plot",
  },
  {
    name: "run_wgan_gp_grid",
    notebook: "07_wgan_gp",
    cell: "const grid = await trainToy(",
    kind: "plot",
  },
  {
    name: "run_wgan_gp_progress",
    notebook: "07_wgan_gp",
    cell: "criticFidPlot(points",
    kind: "plot",
    index: 0,
  },
  {
    name: "run_wgan_gp_samples",
    notebook: "07_wgan_gp",
    cell: "The final generator: nEval samples",
    kind: "png",
  },
  {
    name: "run_cgan_class_rows",
    notebook: "08_cgan",
    cell: "const zColumns = tf.randomNormal([columns, latentDim]",
    kind: "png",
  },
  {
    name: "run_acgan_faces_softmax",
    notebook: "09_acgan",
    cell: "One row per requested hair colour",
    kind: "png",
    index: 0,
  },
  {
    name: "run_acgan_faces_bce",
    notebook: "09_acgan",
    cell: "One row per requested hair colour",
    kind: "png",
    index: 1,
  },
  {
    name: "run_face_styles_translations",
    notebook: "12_face_styles",
    cell: 'rowLabels: ["a", "G(a)"',
    kind: "png",
  },
  {
    name: "run_tips_strong_d_kept",
    notebook: "13_training_tips",
    cell: "most real according to the stronger D",
    kind: "png",
    index: 0,
  },
  {
    name: "run_tips_strong_d_rejected",
    notebook: "13_training_tips",
    cell: "most real according to the stronger D",
    kind: "png",
    index: 1,
  },
  {
    name: "run_tips_late_decay",
    notebook: "13_training_tips",
    cell: "the same 16 latents, constant rate",
    kind: "png",
  },
  {
    name: "run_infogan_codes",
    notebook: "14_infogan",
    cell: "const sweepValues",
    kind: "png",
    index: 1,
  },
  { name: "run_vae_vs_gan_samples", notebook: "15_vae_vs_gan", cell: "const z64 =", kind: "png" },
  {
    name: "run_pix2pix_pairs",
    notebook: "16_pix2pix",
    cell: "await loadEdgePairs(",
    kind: "png",
  },
  {
    name: "run_pix2pix_held_out",
    notebook: "16_pix2pix",
    cell: "const rows = [heldOut.inputImages",
    kind: "png",
  },
  {
    name: "run_inversion_grid",
    notebook: "17_inversion",
    cell: "const show = (x: tf.Tensor)",
    kind: "png",
  },
];

/** Folder of the committed figures. */
export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
}
interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

const join1 = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join("") : value ?? "";

/**
 * Whether an executed notebook ran in the `cpu` profile: its setup cells print `profile "cpu"` or
 * `profile cpu`.
 *
 * @example Both ways a notebook prints its profile
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { ranInCpuProfile } from "./result_figures.ts";
 * const printed = (text: string) => ({
 *   cells: [{ cell_type: "code", source: "", outputs: [{ output_type: "stream", text }] }],
 * });
 * assertEquals(ranInCpuProfile(printed('profile "cpu" (set by COURSE_PROFILE) {')), true);
 * assertEquals(ranInCpuProfile(printed("profile cpu: hidden 64,64,64")), true);
 * assertEquals(ranInCpuProfile(printed("profile ci (set by COURSE_PROFILE): {")), false);
 * ```
 */
export function ranInCpuProfile(notebook: NotebookJson): boolean {
  const printed = notebook.cells.slice(0, 8).flatMap((cell) => cell.outputs ?? [])
    .map((output) => join1(output.text)).join("");
  return /profile "?cpu\b/.test(printed);
}

/**
 * The figure's bytes and extension, taken from an executed notebook; throws saying what is missing.
 *
 * @example A PNG output of the cell that contains the text
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { extractFigure } from "./result_figures.ts";
 * const png = btoa(String.fromCharCode(137, 80, 78, 71));
 * const notebook = { cells: [{ cell_type: "code", source: "show(grid)", outputs: [
 *   { output_type: "display_data", data: { "image/png": png } },
 * ] }] };
 * const figure = await extractFigure(notebook, { name: "g", notebook: "x", cell: "show(", kind: "png" });
 * assertEquals([figure.extension, [...figure.bytes]], [".png", [137, 80, 78, 71]]);
 * ```
 */
export async function extractFigure(
  notebook: NotebookJson,
  spec: ResultFigure,
): Promise<{ bytes: Uint8Array; extension: ".png" | ".svg" }> {
  const cell = notebook.cells.find((c) =>
    c.cell_type === "code" && join1(c.source).includes(spec.cell)
  );
  if (!cell) {
    throw new Error(
      `Cannot take figure '${spec.name}': no code cell of ${spec.notebook} contains ` +
        `"${spec.cell}"; update RESULT_FIGURES in slides/result_figures.ts.`,
    );
  }
  const outputs = (cell.outputs ?? []).filter((output) => {
    const data = output.data ?? {};
    return spec.kind === "png"
      ? "image/png" in data
      : /Plotly\.newPlot/.test(join1(data["text/html"]));
  });
  const index = spec.index ?? -1;
  const output = outputs.at(index);
  if (!output) {
    throw new Error(
      `Cannot take figure '${spec.name}': the cell of ${spec.notebook} that contains ` +
        `"${spec.cell}" has ${outputs.length} ${spec.kind} output(s), none at index ${index}.`,
    );
  }
  if (spec.kind === "png") {
    const base64 = join1(output.data!["image/png"]).replace(/\s/g, "");
    return { bytes: Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)), extension: ".png" };
  }
  const json = join1(output.data!["text/html"]).match(/var figure = (\{.*\});/)?.[1];
  if (!json) throw new Error(`Cannot take figure '${spec.name}': its Plotly data is unreadable`);
  // The slide's caption names the figure: the notebook's title would crowd the exported plot.
  const figure = JSON.parse(json) as { layout?: Record<string, unknown> };
  if (figure.layout) delete figure.layout.title;
  const [svg] = await plotlyToSvg([figure as Parameters<typeof plotlyToSvg>[0][0]]);
  return { bytes: new TextEncoder().encode(svg), extension: ".svg" };
}

/** PNGs above this size (bytes) are re-encoded by {@link shrinkPng}. */
export const MAX_PNG_BYTES = 300_000;

/**
 * Makes a PNG at most `maxBytes` long: first a 256-colour palette, then halving its size until it
 * fits. A PNG that already fits is returned unchanged.
 *
 * @example A noisy 400x400 image shrinks below the limit
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * import sharp from "sharp";
 * import { shrinkPng } from "./result_figures.ts";
 * let x = 1; // xorshift32: noise that PNG cannot compress
 * const noise = Uint8Array.from({ length: 400 * 400 * 3 }, () => {
 *   x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
 *   return x & 255;
 * });
 * const png = new Uint8Array(
 *   await sharp(noise, { raw: { width: 400, height: 400, channels: 3 } }).png().toBuffer(),
 * );
 * const small = await shrinkPng(png, 100_000);
 * assert(png.length > 100_000 && small.length <= 100_000);
 * ```
 */
export async function shrinkPng(png: Uint8Array, maxBytes = MAX_PNG_BYTES): Promise<Uint8Array> {
  if (png.length <= maxBytes) return png;
  const { width } = await sharp(png).metadata();
  let scale = 1;
  for (let attempt = 0; attempt < 6; attempt++) {
    const image = sharp(png);
    if (scale < 1) image.resize({ width: Math.round(width! * scale), kernel: "nearest" });
    const out = new Uint8Array(
      await image.png({ palette: true, colours: 256, compressionLevel: 9 }).toBuffer(),
    );
    if (out.length <= maxBytes) return out;
    scale /= 2;
  }
  throw new Error(`Cannot shrink a ${png.length}-byte PNG below ${maxBytes} bytes`);
}

/**
 * Keeps a figure under {@link MAX_PNG_BYTES}: an SVG above it (a scatter plot of thousands of
 * points, a heat map) is rendered to a PNG at twice its size, and a PNG is shrunk by
 * {@link shrinkPng}.
 *
 * @example A small SVG stays as it is
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { compactFigure } from "./result_figures.ts";
 * const bytes = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>');
 * assertEquals((await compactFigure({ bytes, extension: ".svg" })).extension, ".svg");
 * ```
 */
export async function compactFigure(
  figure: { bytes: Uint8Array; extension: ".png" | ".svg" },
  maxBytes = MAX_PNG_BYTES,
): Promise<{ bytes: Uint8Array; extension: ".png" | ".svg" }> {
  if (figure.extension === ".svg" && figure.bytes.length <= maxBytes) return figure;
  const png = figure.extension === ".png"
    ? figure.bytes
    : new Uint8Array(await sharp(figure.bytes, { density: 144 }).png().toBuffer());
  return { bytes: await shrinkPng(png, maxBytes), extension: ".png" };
}

/**
 * The executed copies of `notebook` (e.g. `09_acgan`) that `sources` hold: each source is a
 * `runs/` folder (its `notebooks/<time>/<notebook>.ipynb`), a folder holding `<notebook>.ipynb`
 * directly, or the path of one `.ipynb` (kept only if its name is `<notebook>.ipynb`). Missing
 * paths are skipped. Newest file first.
 *
 * @example A runs folder and a single executed notebook
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { executedCopies } from "./result_figures.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/runs/notebooks/t1`, { recursive: true });
 * await Deno.writeTextFile(`${dir}/runs/notebooks/t1/07_wgan_gp.ipynb`, "{}");
 * await Deno.writeTextFile(`${dir}/07_wgan_gp.ipynb`, "{}");
 * const found = await executedCopies("07_wgan_gp", [`${dir}/runs`, `${dir}/07_wgan_gp.ipynb`]);
 * assertEquals(found.length, 2);
 * assertEquals(await executedCopies("09_acgan", [`${dir}/07_wgan_gp.ipynb`, `${dir}/nothing`]), []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function executedCopies(notebook: string, sources: string[]): Promise<string[]> {
  const file = `${notebook}.ipynb`;
  const paths: string[] = [];
  const stat = async (path: string) => {
    try {
      return await Deno.stat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  };
  for (const source of sources) {
    const info = await stat(source);
    if (!info) continue;
    if (info.isFile) {
      if (basename(source) === file) paths.push(source);
      continue;
    }
    if ((await stat(join(source, file)))?.isFile) paths.push(join(source, file));
    const runs = join(source, "notebooks");
    if (!(await stat(runs))?.isDirectory) continue;
    for await (const entry of Deno.readDir(runs)) {
      const path = join(runs, entry.name, file);
      if (entry.isDirectory && (await stat(path))?.isFile) paths.push(path);
    }
  }
  const times = new Map<string, number>();
  for (const path of paths) times.set(path, (await Deno.stat(path)).mtime?.getTime() ?? 0);
  return paths.sort((a, b) => times.get(b)! - times.get(a)! || b.localeCompare(a));
}

/** The newest executed copy of `notebook` in `sources` that ran in `cpu`, and its path. */
async function newestCpuRun(
  sources: string[],
  notebook: string,
): Promise<{ path: string; notebook: NotebookJson } | undefined> {
  for (const path of await executedCopies(notebook, sources)) {
    const parsed = JSON.parse(await Deno.readTextFile(path)) as NotebookJson;
    if (parsed.cells && ranInCpuProfile(parsed)) return { path, notebook: parsed };
  }
  return undefined;
}

/** What {@link takeResultFigures} did with one figure. */
export interface TakenFigure {
  /** The figure's name. */
  name: string;
  /** The file written, or undefined when no `cpu` run of its notebook was found (file kept). */
  file?: string;
  /** The executed notebook it was taken from. */
  from?: string;
}

/**
 * Takes the figures of `specs` from the newest `cpu` copies of their notebooks in `sources` (see
 * {@link executedCopies}) and writes them to `outDir`, each at most {@link MAX_PNG_BYTES} (see
 * {@link compactFigure}). A figure without a `cpu` run keeps its old file.
 *
 * @example The cpu copy wins over a newer ci copy, from either of two sources
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { takeResultFigures } from "./result_figures.ts";
 * const dir = await Deno.makeTempDir();
 * const notebook = (profile: string, png: string) => JSON.stringify({ cells: [
 *   { cell_type: "code", source: "setup", outputs: [{ output_type: "stream", text: `profile ${profile}` }] },
 *   { cell_type: "code", source: "show(grid)", outputs: [{ output_type: "display_data", data: { "image/png": png } }] },
 * ] });
 * await Deno.mkdir(`${dir}/a/notebooks/t1`, { recursive: true });
 * await Deno.writeTextFile(`${dir}/a/notebooks/t1/02_dcgan.ipynb`, notebook('"cpu"', btoa("cpu")));
 * await Deno.writeTextFile(`${dir}/02_dcgan.ipynb`, notebook("ci", btoa("ci")));
 * const spec = { name: "grid", notebook: "02_dcgan", cell: "show(", kind: "png" as const };
 * const taken = await takeResultFigures([spec], [`${dir}/a`, `${dir}/02_dcgan.ipynb`], `${dir}/out`);
 * assertEquals(taken[0].from, `${dir}/a/notebooks/t1/02_dcgan.ipynb`);
 * assertEquals(await Deno.readTextFile(`${dir}/out/grid.png`), "cpu");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function takeResultFigures(
  specs: ResultFigure[],
  sources: string[],
  outDir: string = RESULTS_DIR,
): Promise<TakenFigure[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const taken: TakenFigure[] = [];
  for (const spec of specs) {
    const run = await newestCpuRun(sources, spec.notebook);
    if (!run) {
      taken.push({ name: spec.name });
      continue;
    }
    const { bytes, extension } = await compactFigure(await extractFigure(run.notebook, spec));
    // A figure that changed type must not leave its old file behind (SVG is looked up first).
    for (const stale of [".png", ".svg"].filter((ext) => ext !== extension)) {
      await Deno.remove(join(outDir, spec.name + stale)).catch(() => {});
    }
    const file = join(outDir, spec.name + extension);
    await Deno.writeFile(file, bytes);
    taken.push({ name: spec.name, file, from: run.path });
  }
  return taken;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", multiple: true },
      only: { type: "string", default: "" },
    },
  });
  const sources = values.runs?.length
    ? values.runs
    : [fileURLToPath(new URL("../runs", import.meta.url))];
  const specs = RESULT_FIGURES.filter((spec) =>
    spec.name.includes(values.only!) || spec.notebook.includes(values.only!)
  );
  if (specs.length === 0) {
    throw new Error(
      `Cannot take figures: none of RESULT_FIGURES has '${values.only}' in its name or notebook.`,
    );
  }
  let missing = 0;
  for (const figure of await takeResultFigures(specs, sources)) {
    if (figure.file) {
      const kib = Math.round((await Deno.stat(figure.file)).size / 1024);
      console.log(`slides:results: ${figure.file} (${kib} KiB) from ${figure.from}`);
    } else {
      console.log(
        `slides:results: no cpu run for ${figure.name} in ${sources.join(", ")}; kept it`,
      );
      missing++;
    }
  }
  if (missing) {
    console.log(
      `(run 'deno task results NOTEBOOK' first to refresh the ${missing} kept figure(s))`,
    );
  }
}
