/**
 * The slides' figures from the notebooks' `cpu` profile runs (`deno task slides:results`): the
 * trained sample grids and plots the results table was measured with, taken from the executed
 * copies that `deno task results` leaves in `runs/notebooks/<time>/`, and committed in
 * `slides/results/` so that the slides show them on any machine. A slide refers to one as
 * `figure:<name>` like any other figure (slides/figures/ is searched first, then slides/results/).
 *
 * Each figure names its notebook, a text its cell's source contains, and which of the cell's
 * images (`png`) or Plotly figures (`plot`, exported to SVG) to take. Only executed notebooks whose
 * first cells printed `profile "cpu"` count; the newest one of each notebook is used.
 *
 * ```sh
 * deno task slides:results                      # from this checkout's runs/
 * deno task slides:results --runs ../other/runs # from another checkout's runs/
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
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

/** Whether an executed notebook ran in the `cpu` profile (its setup cells print the profile). */
export function ranInCpuProfile(notebook: NotebookJson): boolean {
  const printed = notebook.cells.slice(0, 6).flatMap((cell) => cell.outputs ?? [])
    .map((output) => join1(output.text)).join("");
  return /profile "cpu"/.test(printed);
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
  const [svg] = await plotlyToSvg([JSON.parse(json)]);
  return { bytes: new TextEncoder().encode(svg), extension: ".svg" };
}

/** The newest executed copy of `notebook` under `runsDir/notebooks/` that ran in `cpu`. */
async function newestCpuRun(runsDir: string, notebook: string): Promise<NotebookJson | undefined> {
  const folders: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(runsDir, "notebooks"))) {
      if (entry.isDirectory) folders.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  for (const folder of folders.sort().reverse()) {
    try {
      const path = join(runsDir, "notebooks", folder, `${notebook}.ipynb`);
      const parsed = JSON.parse(await Deno.readTextFile(path)) as NotebookJson;
      if (ranInCpuProfile(parsed)) return parsed;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: fileURLToPath(new URL("../runs", import.meta.url)) },
    },
  });
  await Deno.mkdir(RESULTS_DIR, { recursive: true });
  let missing = 0;
  for (const spec of RESULT_FIGURES) {
    const notebook = await newestCpuRun(values.runs!, spec.notebook);
    if (!notebook) {
      console.log(
        `slides:results: no cpu run of ${spec.notebook} in ${values.runs}; kept ${spec.name}`,
      );
      missing++;
      continue;
    }
    const { bytes, extension } = await extractFigure(notebook, spec);
    await Deno.writeFile(join(RESULTS_DIR, spec.name + extension), bytes);
    console.log(`slides:results: ${spec.name}${extension} from ${spec.notebook}`);
  }
  if (missing) {
    console.log(
      `(run 'deno task results NOTEBOOK' first to refresh the ${missing} kept figure(s))`,
    );
  }
}
