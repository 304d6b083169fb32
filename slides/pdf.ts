/**
 * PDF export of built decks through headless Chromium, using reveal.js's print layout
 * (`?print-pdf`): one 16:9 page per slide, written next to the HTML file.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import { ChromiumPage } from "./chromium.ts";

/**
 * Prints each built deck (HTML path) to a PDF next to it and returns the PDF paths.
 *
 * @example Export (needs Chromium; see `findChromium`)
 * ```ts ignore
 * import { printDecksToPdf } from "./pdf.ts";
 *
 * console.log(await printDecksToPdf(["slides/dist/01_gan_dcgan_problems.html"]));
 * ```
 */
export async function printDecksToPdf(htmlFiles: string[]): Promise<string[]> {
  const page = await ChromiumPage.launch();
  const written: string[] = [];
  try {
    for (const html of htmlFiles) {
      await page.goto(`${pathToFileURL(html).href}?print-pdf`);
      await page.evaluate("document.fonts.ready.then(() => true)");
      // reveal.js lays out the print view after it is ready; wait for it and two frames more.
      await page.evaluate(`new Promise((resolve) => {
        const done = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)));
        if (Reveal.isReady()) done(); else Reveal.on("ready", done);
      })`);
      const pdf = html.replace(/\.html$/, ".pdf");
      await Deno.writeFile(pdf, await page.printToPdf());
      written.push(pdf);
    }
  } finally {
    await page.close();
  }
  return written;
}
