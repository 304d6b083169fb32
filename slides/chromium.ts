/**
 * A small client for headless Chromium over the DevTools protocol (a WebSocket from Deno), used
 * by the slide test, PDF export and screenshots. Chromium runs with networking features off, a
 * fresh profile, and records console errors, page exceptions and every request's URL.
 *
 * @module
 */

/** Where to find Chromium; `CHROMIUM` in the environment overrides. */
export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** What a page did: console errors, uncaught exceptions, requested URLs. */
export interface PageLog {
  /** Console messages of level error and browser log errors. */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

type Json = Record<string, unknown>;

/** A running headless Chromium with one page attached. */
export class ChromiumPage {
  /** What the page logged since launch. */
  readonly log: PageLog = { errors: [], requests: [] };
  #nextId = 1;
  #pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  #waiters: { method: string; resolve: (params: Json) => void }[] = [];
  #sessionId = "";

  private constructor(
    private readonly process: Deno.ChildProcess,
    private readonly socket: WebSocket,
    private readonly profileDir: string,
  ) {
    socket.onmessage = (event) => this.#onMessage(JSON.parse(event.data as string));
  }

  /**
   * Launches headless Chromium with a fresh profile and opens one blank page.
   * Throws with install instructions when Chromium is not installed.
   */
  static async launch(options: { width?: number; height?: number } = {}): Promise<ChromiumPage> {
    const executable = await findChromium();
    const profileDir = await Deno.makeTempDir({ prefix: "slides-chromium-" });
    const { width = 1280, height = 720 } = options;
    const process = new Deno.Command(executable, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--mute-audio",
        `--window-size=${width},${height}`,
        `--user-data-dir=${profileDir}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const url = await readDevToolsUrl(process);
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Cannot connect to Chromium's DevTools at ${url}`));
    });
    const page = new ChromiumPage(process, socket, profileDir);
    const { targetId } = await page.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await page.send("Target.attachToTarget", { targetId, flatten: true });
    page.#sessionId = sessionId as string;
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Log.enable");
    await page.send("Network.enable");
    await page.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return page;
  }

  /** Sends a DevTools command to the page (or to the browser before a page is attached). */
  send(method: string, params: Json = {}): Promise<Json> {
    const id = this.#nextId++;
    const message: Json = { id, method, params };
    if (this.#sessionId) message.sessionId = this.#sessionId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify(message));
    });
  }

  /** Resolves with the parameters of the next event named `method`. */
  waitFor(method: string): Promise<Json> {
    return new Promise((resolve) => this.#waiters.push({ method, resolve }));
  }

  /** Navigates to a URL and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.waitFor("Page.loadEventFired");
    const result = await this.send("Page.navigate", { url });
    if (result.errorText) throw new Error(`Cannot open ${url}: ${result.errorText}`);
    await loaded;
  }

  /** Evaluates a JavaScript expression in the page (promises are awaited) and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (result.exceptionDetails) {
      const details = result.exceptionDetails as Json;
      const exception = details.exception as Json | undefined;
      throw new Error(`Page script failed: ${exception?.description ?? details.text}`);
    }
    return (result.result as Json).value as T;
  }

  /** Captures the viewport as PNG bytes. */
  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" });
    return Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
  }

  /** Prints the page to PDF (landscape 16:9 pages of 13.333 x 7.5 inches). */
  async printToPdf(): Promise<Uint8Array> {
    const { data } = await this.send("Page.printToPDF", {
      landscape: false,
      printBackground: true,
      paperWidth: 13.333,
      paperHeight: 7.5,
      marginTop: 0,
      marginBottom: 0,
      marginLeft: 0,
      marginRight: 0,
      preferCSSPageSize: true,
    });
    return Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
  }

  /** Closes the browser and removes its profile folder. */
  async close(): Promise<void> {
    this.socket.close();
    try {
      this.process.kill("SIGTERM");
    } catch {
      // already exited
    }
    await this.process.status;
    await Deno.remove(this.profileDir, { recursive: true }).catch(() => {});
  }

  #onMessage(message: Json): void {
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error) {
        pending.reject(new Error(`DevTools error: ${JSON.stringify(message.error)}`));
      } else pending.resolve((message.result ?? {}) as Json);
      return;
    }
    const method = message.method as string;
    const params = (message.params ?? {}) as Json;
    this.#record(method, params);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.method !== method) return true;
      waiter.resolve(params);
      return false;
    });
  }

  #record(method: string, params: Json): void {
    if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      const args = (params.args as Json[]).map((arg) => arg.value ?? arg.description);
      this.log.errors.push(`console.error: ${args.join(" ")}`);
    } else if (method === "Runtime.exceptionThrown") {
      const details = params.exceptionDetails as Json;
      const exception = details.exception as Json | undefined;
      this.log.errors.push(`exception: ${exception?.description ?? details.text}`);
    } else if (method === "Log.entryAdded") {
      const entry = params.entry as Json;
      if (entry.level === "error") this.log.errors.push(`log: ${entry.text} ${entry.url ?? ""}`);
    } else if (method === "Network.requestWillBeSent") {
      this.log.requests.push((params.request as Json).url as string);
    }
  }
}

/**
 * Finds the Chromium executable, or throws saying how to install it.
 *
 * @example Finding Chromium (throws with install instructions when it is absent)
 * ```ts
 * import { findChromium } from "./chromium.ts";
 *
 * try {
 *   console.log(await findChromium());
 * } catch (error) {
 *   console.log((error as Error).message);
 * }
 * ```
 */
export async function findChromium(): Promise<string> {
  const override = Deno.env.get("CHROMIUM");
  for (const candidate of override ? [override] : CHROMIUM_CANDIDATES) {
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `Cannot find Chromium (looked for ${
      override ?? CHROMIUM_CANDIDATES.join(", ")
    }). The slide test and PDF export drive headless Chromium: install it with ` +
      `'apt-get install -y chromium' (Debian/Ubuntu; the project's setup script installs it when ` +
      `run as root), or set CHROMIUM=/path/to/chrome.`,
  );
}

async function readDevToolsUrl(process: Deno.ChildProcess): Promise<string> {
  const reader = process.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timeout = setTimeout(() => {
    try {
      process.kill("SIGKILL");
    } catch {
      // already exited
    }
  }, 30_000);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        // Keep draining stderr so Chromium never blocks on a full pipe.
        (async () => {
          try {
            while (!(await reader.read()).done) { /* drain */ }
          } catch { /* closed */ }
        })();
        return match[1];
      }
    }
  } finally {
    clearTimeout(timeout);
  }
  throw new Error(`Chromium exited before opening DevTools. Its output:\n${seen.slice(-2000)}`);
}
