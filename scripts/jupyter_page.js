// The course's custom.js for the classic Notebook page, written into the project-local Jupyter
// folder by scripts/jupyter_env.ts (installPageAssets) on each start. It does two things.
//
// 1. plotly.js comes once, from this folder: the course's figure outputs hold only their data and
//    draw with window.Plotly, so saved notebooks stay small and nothing comes from a CDN.
//
// 2. Each cell's output stays in its cell. The Deno kernel forwards console output to Jupyter
//    asynchronously and labels each chunk with the request it is executing when the chunk is
//    forwarded. On Run All the page sends every cell's request at once, so the last lines of one
//    cell that are still on their way when the next request arrives are shown, and saved, under
//    the next cell (more often on a busy machine). Here the page sends a cell's request only once
//    the cell before it has finished and its output has been quiet for a moment; late lines then
//    still carry their own cell's label. Cells queued this way show `In [*]` as usual; an error
//    in a cell drops the cells queued after it, as Jupyter does.
/* global require */
(function () {
  "use strict";
  const base = (document.body && document.body.getAttribute("data-base-url")) || "/";
  if (!globalThis.Plotly && !document.getElementById("course-plotly")) {
    const script = document.createElement("script");
    script.id = "course-plotly";
    script.src = base + "custom/plotly.min.js";
    document.head.appendChild(script);
  }
  if (typeof require !== "function") return;
  require(["base/js/events", "notebook/js/codecell"], function (events, codecell) {
    const CodeCell = codecell.CodeCell;
    if (!CodeCell || CodeCell.prototype.courseQueued) return;
    const QUIET_MS = 400; // output quiet for this long after a cell finished: its output is all in
    const send = CodeCell.prototype.execute;
    let queue = []; // [{ cell, stopOnError }] waiting for the running cell
    let running = null; // { cell, stopOnError, finishedAt, status }

    function lastOutputAt(cell) {
      return cell.courseLastOutputAt || 0;
    }

    function start(cell, stopOnError) {
      send.call(cell, stopOnError);
      if (!cell.last_msg_id) return next(); // an empty cell sends nothing
      running = { cell: cell, stopOnError: stopOnError, finishedAt: 0, status: null };
    }

    function next() {
      running = null;
      const item = queue.shift();
      if (item) start(item.cell, item.stopOnError);
    }

    function dropQueue() {
      queue.forEach(function (item) {
        item.cell.set_input_prompt(null);
        item.cell.element.removeClass("running");
      });
      queue = [];
    }

    function settle() {
      if (!running) return;
      const quietSince = Math.max(running.finishedAt, lastOutputAt(running.cell));
      const wait = quietSince + QUIET_MS - Date.now();
      if (wait > 0) return setTimeout(settle, wait);
      const failed = running.status === "error" && running.stopOnError;
      if (failed) dropQueue();
      next();
    }

    CodeCell.prototype.courseQueued = true;
    CodeCell.prototype.execute = function (stopOnError) {
      const tags = (this.metadata && this.metadata.tags) || [];
      if (stopOnError === undefined) stopOnError = tags.indexOf("raises-exception") === -1;
      if (!running) return start(this, stopOnError);
      if (queue.some((item) => item.cell === this)) return;
      this.clear_output(false, true);
      this.set_input_prompt("*");
      this.element.addClass("running");
      queue.push({ cell: this, stopOnError: stopOnError });
    };

    const callbacks = CodeCell.prototype.get_callbacks;
    CodeCell.prototype.get_callbacks = function (...args) {
      const made = callbacks.apply(this, args);
      const output = made.iopub.output;
      made.iopub.output = (...message) => {
        this.courseLastOutputAt = Date.now();
        return output.apply(made.iopub, message);
      };
      const reply = made.shell.reply;
      made.shell.reply = (msg, ...rest) => {
        if (running && running.cell === this) running.status = msg.content.status;
        return reply.call(made.shell, msg, ...rest);
      };
      return made;
    };

    events.on("finished_execute.CodeCell", function (_event, data) {
      if (!running || data.cell !== running.cell) return;
      running.finishedAt = Date.now();
      settle();
    });
    // A restarted, dead or reconnected kernel finishes nothing: forget what was waiting.
    ["kernel_restarting.Kernel", "kernel_dead.Kernel", "kernel_killed.Session"].forEach(
      function (name) {
        events.on(name, function () {
          dropQueue();
          running = null;
        });
      },
    );
  });
})();
