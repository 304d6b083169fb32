"""Execute notebooks headlessly with nbclient; used by scripts/run_notebooks.ts.

Usage: /usr/bin/python3 scripts/run_notebooks.py --out DIR [--timeout S] [--html] NB.ipynb ...

Each notebook runs in a fresh kernel (the kernelspec named in its metadata) with its own folder as
the working directory. Before the first cell a prelude records unhandled promise rejections and
uncaught errors (the Deno kernel swallows them silently); after every cell a silent probe fails the
run if one was recorded. A cell whose value is a rejected promise fails too. Cells tagged
`raises-exception` may fail, as in nbclient. A run that fails because the kernel garbled a
message on the wire ("Invalid Signature", a Deno kernel glitch with very large outputs) is repeated,
up to three runs in all, and each repetition is reported on stderr.

A code cell whose metadata holds `"interrupt_on_output": "REGEX"` is interrupted (Kernel >
Interrupt: SIGINT to the kernel, as Jupyter sends it) the first time its output matches REGEX;
tests use it to check that an interrupt stops training and keeps the kernel.

With --html the HTML export carries plotly.js once, at the top of the page, so that its figures
draw offline (the outputs themselves hold only each figure's data; the notebook server serves
plotly.js to the page, see scripts/jupyter_env.ts).

As it goes, one JSON line per code cell goes to stdout, when the cell starts:
{"event": "cell", "path", "cell", "index", "cells", "seconds", "source"}: the cell's position in
the notebook, its rank among the code cells (from 1) and their count, the seconds since the
notebook started, and the cell's first line that is not an import or a comment. For every
notebook, one JSON line then says how it went:
{"path", "ok", "seconds", "cpu_seconds", "cell", "error", "executed", "html"}, where
"cpu_seconds" is the user + system CPU time of the kernel process (with its threads and children),
read from this process's reaped children once the kernel has shut down.
"""

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import time

import nbformat
from nbclient import NotebookClient
from queue import Empty

from nbclient.exceptions import (
    CellExecutionComplete,
    CellExecutionError,
    CellTimeoutError,
    DeadKernelError,
)
from nbclient.util import ensure_async, run_sync

PRELUDE = """globalThis.__courseRunnerErrors = [];
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  globalThis.__courseRunnerErrors.push(
    "Unhandled promise rejection: " + String(event.reason?.stack ?? event.reason));
});
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  globalThis.__courseRunnerErrors.push(
    "Uncaught error: " + String(event.error?.stack ?? event.message));
});"""

PROBE = """await (async () => {
  await new Promise((resolve) => setTimeout(resolve, %d));
  const found = globalThis.__courseRunnerErrors.splice(0);
  if (found.length) throw new Error("after this cell finished: " + found.join("\\n"));
})();"""


class CourseClient(NotebookClient):
    """nbclient's client, plus the `interrupt_on_output` cell metadata (see the module's doc)."""

    def process_message(self, msg, cell, cell_index):
        pattern = cell.get("metadata", {}).get("interrupt_on_output")
        interrupted = self.__dict__.setdefault("_interrupted_cells", set())
        if pattern and cell_index not in interrupted and re.search(pattern, message_text(msg)):
            interrupted.add(cell_index)
            asyncio.ensure_future(ensure_async(self.km.interrupt_kernel()))
        return super().process_message(msg, cell, cell_index)


def message_text(msg):
    """The text a stream or display message shows (its text/plain), else ""."""
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return content.get("text", "")
    return str(content.get("data", {}).get("text/plain", ""))


def plotly_script():
    """A <script> element holding plotly.js from the project's node_modules."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "node_modules", "plotly.js-dist-min", "plotly.min.js")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.I)
    return '<script type="text/javascript">' + source + "</script>"


def with_plotly(html):
    """The exported page with plotly.js as the first script of its head.

    First, so that plotly.js sets window.Plotly before any require.js the template may load
    would take its define() call.
    """
    head = html.find("<head>")
    at = head + len("<head>") if head >= 0 else 0
    return html[:at] + "\n" + plotly_script() + "\n" + html[at:]


class RunnerCheckFailed(Exception):
    """An unhandled rejection or uncaught error found after a cell finished."""


def run_hidden(client, code, index):
    """Run code in the kernel without keeping it in the notebook; raise RunnerCheckFailed on error.

    nbclient's execute_cell stores the cell it runs at nb.cells[index], so put the original back.
    """
    cells = client.nb.cells
    original = cells[index] if index < len(cells) else None
    try:
        client.execute_cell(nbformat.v4.new_code_cell(code), index, store_history=False)
    except CellExecutionError as error:
        raise RunnerCheckFailed(f"{error.ename}: {error.evalue}") from None
    finally:
        if original is not None:
            cells[index] = original


async def _collect_late_outputs(client, cell, index, quiet):
    """Add to the cell the outputs that arrive after the kernel reported it idle.

    The Deno kernel forwards console output asynchronously and may report a cell idle before its
    last console lines or displays are sent; nbclient would drop them. Wait until the output
    channel has been quiet for `quiet` seconds, taking every message as this cell's.
    """
    while True:
        try:
            msg = await ensure_async(client.kc.iopub_channel.get_msg(timeout=quiet))
        except Empty:
            return
        if msg["msg_type"] in ("status", "execute_input"):
            continue
        try:
            client.process_message(msg, cell, index)
        except CellExecutionComplete:
            pass


collect_late_outputs = run_sync(_collect_late_outputs)


async def _record_language_info(client):
    """Put the kernel's language_info into the notebook's metadata, as Jupyter's page does."""
    msg_id = await ensure_async(client.kc.kernel_info())
    reply = await client.async_wait_for_reply(msg_id)
    if reply is not None and "language_info" in reply["content"]:
        client.nb.metadata["language_info"] = reply["content"]["language_info"]


record_language_info = run_sync(_record_language_info)

# Runs of one notebook when the kernel garbles a message on the wire (see run_one).
TRANSPORT_ATTEMPTS = 3


def telling_line(source):
    """The first line of a cell that is not blank, an import or a comment (else its first line)."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    skip = ("import ", "//", "/*", "*")
    return next((line for line in lines if not line.startswith(skip)), lines[0] if lines else "")


def rejected_promise(cell):
    """The text of an execute_result that shows a rejected promise, or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "execute_result":
            continue
        text = output.get("data", {}).get("text/plain", "")
        if text.startswith("Promise {") and "<rejected>" in text:
            return text
    return None


def run_one(path, out_dir, timeout, html):
    nb = nbformat.read(path, as_version=4)
    folder = os.path.dirname(os.path.abspath(path))
    kernel = nb.metadata.get("kernelspec", {}).get("name", "deno")
    client = CourseClient(
        nb, kernel_name=kernel, timeout=timeout, resources={"metadata": {"path": folder}}
    )
    started = time.monotonic()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"path": path, "ok": True, "cell": None, "error": None}
    try:
        with client.setup_kernel():
            record_language_info(client)
            run_hidden(client, PRELUDE, 0)
            code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
            for rank, index in enumerate(code_cells, start=1):
                cell = nb.cells[index]
                result["cell"] = index
                first_line = telling_line(cell.source)
                event = {
                    "event": "cell",
                    "path": path,
                    "cell": index,
                    "index": rank,
                    "cells": len(code_cells),
                    "seconds": round(time.monotonic() - started, 1),
                    "source": first_line[:100],
                }
                print(json.dumps(event), flush=True)
                client.execute_cell(cell, index)
                last = index == len(nb.cells) - 1
                collect_late_outputs(client, cell, index, 0.5 if last else 0.1)
                rejected = rejected_promise(cell)
                if rejected and "raises-exception" not in cell.metadata.get("tags", []):
                    raise CellExecutionError(
                        f"The cell's value is a rejected promise (await it or catch it):\n{rejected}",
                        "RejectedPromise",
                        rejected,
                    )
                run_hidden(client, PROBE % (200 if last else 0), index)
        result["cell"] = None
    except CellExecutionError as error:
        result.update(ok=False, error=str(error).strip()[-4000:])
    except RunnerCheckFailed as error:
        result.update(ok=False, error=str(error)[-4000:])
    except (CellTimeoutError, DeadKernelError, RuntimeError) as error:
        result.update(ok=False, error=f"{type(error).__name__}: {error}"[-4000:])
    except ValueError as error:
        if "Invalid Signature" not in str(error):
            raise
        # The Deno kernel now and then garbles a very large output message (seen with ~11 MB
        # Plotly bundles); jupyter_client rejects it. Reported as such so the caller may retry.
        result.update(ok=False, transport=True, error=f"kernel sent a garbled message ({error})")
    result["seconds"] = round(time.monotonic() - started, 2)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_seconds"] = round(
        (children_after.ru_utime - children_before.ru_utime)
        + (children_after.ru_stime - children_before.ru_stime),
        2,
    )

    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(path))[0]
    executed = os.path.join(out_dir, stem + ".ipynb")
    nbformat.write(nb, executed)
    result["executed"] = executed
    result["html"] = None
    if html:
        from nbconvert import HTMLExporter

        body, _ = HTMLExporter().from_notebook_node(nb)
        result["html"] = os.path.join(out_dir, stem + ".html")
        with open(result["html"], "w", encoding="utf-8") as handle:
            handle.write(with_plotly(body))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder for the executed copies")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--html", action="store_true", help="also write HTML (nbconvert)")
    parser.add_argument("notebooks", nargs="+")
    args = parser.parse_args()
    failed = 0
    for path in args.notebooks:
        result = run_one(path, args.out, args.timeout, args.html)
        for attempt in range(2, TRANSPORT_ATTEMPTS + 1):
            if not result.get("transport"):
                break
            print(f"{path}: {result['error']}; attempt {attempt}", file=sys.stderr, flush=True)
            result = run_one(path, args.out, args.timeout, args.html)
        failed += not result["ok"]
        print(json.dumps(result), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
