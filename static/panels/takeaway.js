// "Take it away": the scene as a matplotlib figure (3-D surface and contour plot, drawn
// in the second Python worker), PNG and SVG downloads, "Copy as Python", and the paths
// as CSV and the scene as JSON.
//
//   const takeaway = createTakeaway(section, { python, side, store, catalog, visible });
//   takeaway.settled();   // resolves when no request of the panel is in flight (tests)
//   takeaway.summary();   // what the panel shows, as plain data (tests, benchmark)
//
// What is exported is always the scene as it is at the click, at the step on screen (the
// latest, or the one the timeline is scrubbed back to; the status and the file name say
// which): the main worker describes
// it exactly ("describe": landscape, start, lr, β, noise, each optimizer's settings, the
// step count, the particles' starts, in float64), with the shown optimizers. The main
// worker writes the JSON and the Python script (string work, instant, so the clipboard
// write keeps the click's user activation); the side worker recomputes the runs for the
// CSV and draws the figure, so the animation never waits for either.

import { fmtCount } from "../format.js";
import { sceneAt } from "../model/timeline.js";
import { ensureStylesheets } from "./stylesheets.js";

const STYLESHEET = new URL("./takeaway.css", import.meta.url).href;
const PREVIEW_DPI = 100;
const DPI_CHOICES = [72, 100, 150, 200, 300];
const REDRAW_DEBOUNCE_MS = 250;
// Where in the wait (0–1) each source of progress runs: the side worker's boot, its loading
// and importing matplotlib, and the figure command's own stages (app_side.cmd_figure).
const STAGE_SPAN = { boot: [0.02, 0.3], figures: [0.3, 0.55], call: [0.55, 1] };

export function createTakeaway(container, { python, side, store, visible }) {
  ensureStylesheets([STYLESHEET]);
  const dom = buildDom(container);
  let busy = 0;
  let waiters = [];
  let figureOpen = false;
  let preview = null; // {url, name, scene, view}
  let redrawTimer = null;
  let drawSeq = 0;
  const timing = { figureMs: null, loadMs: null };

  let working = null; // what the panel is doing ("Drawing the figure"): the side worker's stages say how far
  side.onProgress(({ kind, text, fraction }) => {
    if (!busy || !working || !(kind in STAGE_SPAN) || (kind === "figures" && fraction >= 1)) return; // "ready": next stage
    const [from, to] = STAGE_SPAN[kind];
    const what = kind === "boot" ? "starting the second Python" : String(text).replace(/…$/, "").replace(/^./, (c) => c.toLowerCase());
    status(`${working}: ${what}…`, "running", from + (to - from) * (fraction ?? 0));
  });

  dom.figure.addEventListener("click", () => (figureOpen ? closeFigure() : openFigure()));
  dom.copy.addEventListener("click", () => copyScript());
  dom.csv.addEventListener("click", () => downloadCsv());
  dom.json.addEventListener("click", () => downloadJson());
  dom.png.addEventListener("click", () => downloadFigure("png"));
  dom.redraw.addEventListener("click", () => drawPreview());
  dom.svg.addEventListener("click", () => downloadFigure("svg"));
  for (const input of [dom.azimuth, dom.elevation]) {
    input.addEventListener("input", () => {
      showAngles();
      clearTimeout(redrawTimer);
      redrawTimer = setTimeout(() => drawPreview(), REDRAW_DEBOUNCE_MS);
    });
  }
  showAngles();

  function view() {
    return { azimuth: Number(dom.azimuth.value), elevation: Number(dom.elevation.value) };
  }

  function showAngles() {
    const { azimuth, elevation } = view();
    dom.azimuthOut.textContent = `${azimuth}°`;
    dom.elevationOut.textContent = `${elevation}°`;
    dom.azimuth.setAttribute("aria-valuetext", `azimuth ${azimuth} degrees`);
    dom.elevation.setAttribute("aria-valuetext", `elevation ${elevation} degrees`);
  }

  function status(text, kind = "idle", fraction = null) {
    dom.status.textContent = text;
    dom.root.dataset.state = kind;
    dom.progress.hidden = kind !== "running" || fraction === null;
    if (fraction !== null) dom.progress.value = fraction;
  }

  // Counts the panel's requests in flight, for settled().
  async function track(work) {
    busy += 1;
    try {
      return await work();
    } finally {
      busy -= 1;
      if (!busy) working = null;
      if (!busy) {
        for (const done of waiters.splice(0)) done();
      }
    }
  }

  function shownKeys() {
    return [...visible()];
  }

  // The step on screen: the timeline's (static/model/timeline.js sceneAt), else the latest.
  function shownStep() {
    return sceneAt(store.model, store.state.viewStep).runs?.step ?? 0;
  }

  async function describe() {
    return python.call("describe", { show: shownKeys(), step: shownStep() });
  }

  // A typed landscape is rebuilt from its formula in the side worker: sympy first (loaded
  // already when the page compiled it there).
  async function needs(scene) {
    if (scene.landscape === "custom") await side.feature("expressions");
  }

  // ------------------------------------------------------------------ the figure

  function openFigure() {
    figureOpen = true;
    dom.figure.setAttribute("aria-expanded", "true");
    dom.figure.textContent = "Close figure";
    dom.figurePanel.hidden = false;
    drawPreview();
  }

  function closeFigure() {
    figureOpen = false;
    drawSeq += 1; // a drawing still on its way is dropped
    dom.figure.setAttribute("aria-expanded", "false");
    dom.figure.textContent = "Figure (matplotlib)";
    dom.figurePanel.hidden = true;
  }

  // The figure of the scene as it is now, at the preview's DPI; a newer request wins.
  function drawPreview() {
    if (!figureOpen) return Promise.resolve();
    const seq = ++drawSeq;
    return track(async () => {
      try {
        working = "Drawing the figure";
        status(side.started ? "Drawing the figure…" : "Drawing the figure: starting the second Python…", "running", 0.02);
        const scene = await describe();
        await needs(scene);
        const loaded = await side.feature("figures");
        timing.loadMs ??= loaded.ms ?? null;
        if (seq !== drawSeq) return;
        working = `Drawing the figure of ${scene.label}, step ${fmtCount(scene.steps)}`;
        status(`${working}…`, "running", STAGE_SPAN.call[0]);
        const t0 = performance.now();
        const reply = await side.call("figure", { scene, ...view(), dpi: PREVIEW_DPI, format: "png" });
        if (seq !== drawSeq) return;
        showPreview(reply, scene);
        timing.figureMs = Math.round(performance.now() - t0);
        status(`Figure of ${scene.label} at step ${fmtCount(scene.steps)}, drawn by matplotlib in ` +
          `${(reply.elapsed_ms / 1000).toFixed(2)} s. Download it below.`, "done");
      } catch (err) {
        if (seq === drawSeq) status(`Could not draw the figure: ${err.message} The rest of the page keeps working.`, "error");
      }
    });
  }

  function showPreview(reply, scene) {
    if (preview?.url) URL.revokeObjectURL(preview.url);
    const url = URL.createObjectURL(new Blob([reply.png], { type: "image/png" }));
    preview = { url, name: reply.name, scene, view: view(), width: reply.width, height: reply.height, bytes: reply.png.length };
    dom.image.src = url;
    dom.image.alt = `matplotlib figure of ${scene.label} at step ${scene.steps}: the 3-D surface with every shown ` +
      "optimizer's path, and the contour plot with the same paths, their end points, the minima and the start";
    dom.image.hidden = false;
    dom.downloads.hidden = false;
  }

  // PNG at the chosen DPI or SVG of the figure shown (its scene, its step: the file name
  // says which), or of the scene now when none is shown.
  function downloadFigure(format) {
    return track(async () => {
      try {
        const scene = preview?.scene ?? (await describe());
        await needs(scene);
        working = `Drawing the ${format.toUpperCase()}`;
        await side.feature("figures");
        status(`${working}…`, "running");
        const dpi = Number(dom.dpi.value);
        const reply = await side.call("figure", { scene, ...view(), dpi, format });
        const blob = format === "png"
          ? new Blob([reply.png], { type: "image/png" })
          : new Blob([reply.svg], { type: "image/svg+xml" });
        save(blob, reply.name);
        status(`Saved ${reply.name}, the figure at step ${fmtCount(scene.steps)}${format === "png" ? ` (${dpi} dpi)` : ""}.`, "done");
      } catch (err) {
        status(`Could not make the ${format.toUpperCase()}: ${err.message}`, "error");
      }
    });
  }

  // ------------------------------------------------------------------ script and data

  function copyScript() {
    return track(async () => {
      try {
        const step = shownStep();
        const reply = await python.call("takeaway", { kind: "python", show: shownKeys(), step, ...view(), dpi: Number(dom.dpi.value) });
        dom.script.textContent = reply.text;
        dom.scriptBox.hidden = false;
        let copied = false;
        try {
          await navigator.clipboard.writeText(reply.text);
          copied = true;
        } catch {
          // no clipboard access (not a secure context, or refused): the text is shown below
        }
        status(copied
          ? `Copied a script that reproduces this scene at step ${fmtCount(step)} (${reply.name}); run it with the project installed (pip install .).`
          : "The browser refused the clipboard: the script is shown below, select it and copy.", "done");
      } catch (err) {
        status(`Could not write the script: ${err.message}`, "error");
      }
    });
  }

  function downloadJson() {
    return track(async () => {
      try {
        const step = shownStep();
        const reply = await python.call("takeaway", { kind: "json", show: shownKeys(), step });
        save(new Blob([reply.text], { type: "application/json" }), reply.name);
        status(`Saved ${reply.name}, the scene at step ${fmtCount(step)}: scenes.loads() rebuilds it in Python.`, "done");
      } catch (err) {
        status(`Could not write the scene: ${err.message}`, "error");
      }
    });
  }

  function downloadCsv() {
    return track(async () => {
      try {
        const scene = await describe();
        working = "Writing the paths";
        await needs(scene);
        status(`Writing the paths of ${scene.steps} steps…`, "running");
        const reply = await side.call("paths_csv", { scene });
        save(new Blob([reply.text], { type: "text/csv" }), reply.name);
        status(`Saved ${reply.name}, the paths to step ${fmtCount(scene.steps)} (${fmtCount(reply.rows)} rows: step, method, x, y, loss, status).`, "done");
      } catch (err) {
        status(`Could not write the paths: ${err.message}`, "error");
      }
    });
  }

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }

  store.subscribe((state, patch) => {
    // A new scene: the preview (if open) follows once it settles.
    if (figureOpen && ["landscape", "lr", "beta", "start", "noise", "settings", "show", "viewStep"].some((k) => k in patch)) {
      clearTimeout(redrawTimer);
      redrawTimer = setTimeout(() => drawPreview(), 2 * REDRAW_DEBOUNCE_MS);
    }
  });

  return {
    settled() {
      return busy ? new Promise((done) => waiters.push(done)) : Promise.resolve();
    },
    summary() {
      return {
        state: dom.root.dataset.state,
        status: dom.status.textContent,
        figure: preview && { name: preview.name, width: preview.width, height: preview.height, bytes: preview.bytes,
          steps: preview.scene.steps, view: preview.view },
        script: dom.scriptBox.hidden ? null : dom.script.textContent,
        timing: { ...timing },
      };
    },
  };
}

function buildDom(container) {
  const root = document.createElement("div");
  root.className = "takeaway-panel";
  root.dataset.state = "idle";
  root.innerHTML = `
    <div class="tk-head">
      <h2 id="takeaway-title">Take it away</h2>
      <div class="tk-actions">
        <button type="button" class="tk-figure" aria-expanded="false" aria-controls="takeaway-figure">Figure (matplotlib)</button>
        <button type="button" class="tk-copy">Copy as Python</button>
        <button type="button" class="tk-csv">Paths (CSV)</button>
        <button type="button" class="tk-json">Scene (JSON)</button>
      </div>
    </div>
    <p class="tk-status hint" role="status" aria-live="polite">The scene as it is when you click: a figure drawn by matplotlib, a script that reproduces it, its data.</p>
    <progress class="tk-progress" max="1" value="0" hidden aria-label="Loading progress"></progress>
    <div class="tk-figure-panel" id="takeaway-figure" hidden>
      <div class="tk-view">
        <label class="tk-field">Azimuth <output class="tk-azimuth-out"></output>
          <input class="tk-azimuth" type="range" min="-180" max="180" step="5" value="-60">
        </label>
        <label class="tk-field">Elevation <output class="tk-elevation-out"></output>
          <input class="tk-elevation" type="range" min="0" max="90" step="5" value="30">
        </label>
        <label class="tk-field">Download at
          <select class="tk-dpi">${DPI_CHOICES.map((d) => `<option value="${d}"${d === 150 ? " selected" : ""}>${d} dpi</option>`).join("")}</select>
        </label>
      </div>
      <img class="tk-image" alt="" hidden>
      <div class="tk-downloads" hidden>
        <button type="button" class="tk-redraw" title="Draw the figure again at the step on screen">Redraw now</button>
        <button type="button" class="tk-png">Download PNG</button>
        <button type="button" class="tk-svg">Download SVG</button>
      </div>
    </div>
    <details class="tk-script-box" hidden>
      <summary>The script (Python)</summary>
      <pre class="tk-script"></pre>
    </details>`;
  container.replaceChildren(root);
  const q = (sel) => root.querySelector(sel);
  return {
    root, status: q(".tk-status"), progress: q(".tk-progress"),
    figure: q(".tk-figure"), copy: q(".tk-copy"), csv: q(".tk-csv"), json: q(".tk-json"),
    figurePanel: q(".tk-figure-panel"), azimuth: q(".tk-azimuth"), elevation: q(".tk-elevation"),
    azimuthOut: q(".tk-azimuth-out"), elevationOut: q(".tk-elevation-out"), dpi: q(".tk-dpi"),
    image: q(".tk-image"), downloads: q(".tk-downloads"), png: q(".tk-png"), svg: q(".tk-svg"), redraw: q(".tk-redraw"),
    scriptBox: q(".tk-script-box"), script: q(".tk-script"),
  };
}
