/**
 * Static SVG images of the library's Plotly figures (`lib/viz/plot.ts`), for slides and PDFs:
 * the figures are drawn by `plotly.js-dist` inside headless Chromium and exported with
 * `Plotly.toImage`, so slides show exactly what the notebooks plot, without a browser script.
 *
 * @module
 */

import { join } from "node:path";
import type { PlotlyFigure } from "../lib/viz/plot.ts";
import { plotlyJs } from "../lib/viz/plot.ts";
import { ChromiumPage } from "./chromium.ts";

/** Size and font of the exported images. */
export interface SvgOptions {
  /** Image width in pixels. Default `640`. */
  width?: number;
  /** Image height in pixels. Default `440`. */
  height?: number;
  /** Base font size in pixels (slides are read from afar). Default `17`. */
  fontSize?: number;
}

const SVG_DEFAULTS: Required<SvgOptions> = { width: 640, height: 440, fontSize: 17 };

/**
 * Renders Plotly figures to SVG text through headless Chromium, one browser for all of them.
 * A figure's own `layout.width`/`layout.height` win over the options.
 *
 * @example Two lines to SVG (needs Chromium)
 * ```ts ignore
 * import { ok as assert } from "node:assert/strict";
 * import { linePlot } from "../lib/viz/plot.ts";
 * import { plotlyToSvg } from "./plotly_svg.ts";
 *
 * const [svg] = await plotlyToSvg([linePlot({ gLoss: [1, 0.8, 0.7] })]);
 * assert(svg.startsWith("<svg"));
 * ```
 */
export async function plotlyToSvg(
  figures: PlotlyFigure[],
  options: SvgOptions = {},
): Promise<string[]> {
  const o = { ...SVG_DEFAULTS, ...options };
  const dir = await Deno.makeTempDir({ prefix: "slides-plotly-" });
  const page = await ChromiumPage.launch();
  try {
    const html = join(dir, "plotly.html");
    await Deno.writeTextFile(
      html,
      `<!doctype html><html><head><meta charset="utf-8"></head><body><script>${
        plotlyJs().replace(/<\/(script)/gi, "<\\/$1")
      }</script></body></html>`,
    );
    await page.goto(`file://${html}`);
    const svgs: string[] = [];
    for (const figure of figures) {
      const layout = {
        ...figure.layout,
        width: (figure.layout?.width as number | undefined) ?? o.width,
        height: (figure.layout?.height as number | undefined) ?? o.height,
        font: { size: o.fontSize, family: "DejaVu Sans, Arial, sans-serif" },
        paper_bgcolor: "white",
        plot_bgcolor: "white",
      };
      const spec = JSON.stringify({ data: figure.data, layout });
      const url = await page.evaluate<string>(`(async () => {
        const spec = ${spec};
        const div = document.createElement("div");
        document.body.appendChild(div);
        await Plotly.newPlot(div, spec.data, spec.layout, { staticPlot: true });
        const url = await Plotly.toImage(div, {
          format: "svg", width: spec.layout.width, height: spec.layout.height,
        });
        Plotly.purge(div);
        div.remove();
        return url;
      })()`);
      const comma = url.indexOf(",");
      const body = url.slice(comma + 1);
      svgs.push(
        url.slice(0, comma).endsWith(";base64") ? atob(body) : decodeURIComponent(body),
      );
    }
    if (page.log.errors.length) {
      throw new Error(`Cannot draw figures: the browser reported ${page.log.errors.join("; ")}`);
    }
    return svgs;
  } finally {
    await page.close();
    await Deno.remove(dir, { recursive: true });
  }
}
