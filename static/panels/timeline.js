// The timeline: a range from step 0 to the latest step. Dragging it (or its arrow keys)
// shows the scene at that step: the balls, their paths, the outcome table and a cursor
// on the loss chart (main.js reads store.state.viewStep through model/timeline.js
// sceneAt). Below it, what is shown: live, scrubbed back, or held at the landscape's
// step count with "Run on". It asks the session (actions.view, actions.runOn) and only
// reads the store and the model.

import { ensureStylesheets } from "./stylesheets.js";

const STYLESHEET = new URL("./timeline.css", import.meta.url).href;

// Step counts with a thousands separator ("1,500"), as the notes write them.
export const fmtSteps = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—");

export function createTimeline(container, { store, actions }) {
  ensureStylesheets([STYLESHEET]);
  container.innerHTML = `
    <div class="tl-head">
      <label for="timeline-range">Timeline</label>
      <output id="timeline-step" for="timeline-range">step 0</output>
    </div>
    <input id="timeline-range" type="range" min="0" max="0" step="1" value="0" disabled
           aria-describedby="timeline-status">
    <div class="tl-foot">
      <p id="timeline-status" class="hint tl-status" role="status" aria-live="polite"></p>
      <button id="run-on" type="button" hidden>Run on</button>
    </div>`;
  const range = container.querySelector("#timeline-range");
  const stepOut = container.querySelector("#timeline-step");
  const status = container.querySelector("#timeline-status");
  const runOn = container.querySelector("#run-on");
  const shown = { max: -1, value: -1, stride: 0, text: "", step: "", held: null };

  range.addEventListener("input", () => actions.view(Number(range.value)));
  runOn.addEventListener("click", () => actions.runOn());

  return {
    // ~10 Hz from the frame loop: `step` is the step shown when scrubbed back (null: live).
    update(model, state, step) {
      const live = model.runs?.step;
      if (!Number.isFinite(live)) return;
      const stride = model.timeline.stride;
      const at = step ?? live;
      range.disabled = false;
      if (stride !== shown.stride) range.step = String((shown.stride = stride));
      if (live !== shown.max) range.max = String((shown.max = live));
      if (at !== shown.value && Number(range.value) !== at) range.value = String(at);
      shown.value = at;
      const stepText = step == null ? `step ${fmtSteps(live)} (latest)` : `step ${fmtSteps(step)} of ${fmtSteps(live)}`;
      if (stepText !== shown.step) stepOut.value = shown.step = stepText;
      range.setAttribute("aria-valuetext", stepText);
      const text = describe(state, live, step, model.meta?.steps, stride);
      if (text !== shown.text) status.textContent = shown.text = text;
      const held = state.held ?? null;
      if (held !== shown.held) runOn.hidden = (shown.held = held) === null;
    },
  };
}

function describe(state, live, step, limit, stride) {
  const kept = stride > 1 ? ` Every ${stride === 2 ? "2nd" : `${stride}th`} step is kept this far into the run.` : "";
  if (step != null) return `Showing step ${fmtSteps(step)}: the balls, paths, table and chart as they were then. Play or Step returns to the latest step.${kept}`;
  if (state.held != null) {
    return `Paused at step ${fmtSteps(state.held)}, the step count these notes describe. Run on continues past it; drag back to see any earlier step.`;
  }
  const until = Number.isInteger(limit) && live < limit ? ` Play pauses at step ${fmtSteps(limit)}, where the notes look.` : "";
  return `Drag back to any earlier step.${until}${kept}`;
}
