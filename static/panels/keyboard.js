// Keyboard: page-wide shortcuts, and the plot as a focusable surface with a cursor.
//
//   Space  play / pause          → or .  one step         R  reset
//   G      drop a grid            C      clear particles   1–9  show one optimizer   0  show all
//   ?      this list              Esc    close it
// On the focused map: arrows move the cursor (Shift: bigger moves), Enter drops a particle
// there, Shift+Enter moves the start there; the readout follows the cursor.
// Zoom (zoom.js): + / − zoom about the centre, Shift+arrows pan, Z shows the whole landscape.
// Shortcuts work wherever the focus is, except in a field that takes typing (text, number,
// textarea, select, contenteditable: those keys belong to it), on a slider for its
// arrow keys, and with Ctrl/Alt/Meta held. On a focused button or checkbox Space plays
// or pauses (Enter still presses it): after clicking Step, Space plays.
//
// The cursor (a dashed square) shows only while the map has the keyboard focus and a
// key has been used there; the pointer hides it again (plot-input.js).

import { KEY_FACTOR, PAN_FRACTION } from "./zoom.js";

const CURSOR_HINT = "The dashed square is the keyboard cursor: arrows move it, Enter drops a particle there, "
  + "Shift+Enter moves the start there. The pointer hides it.";
const CURSOR_STEPS = 40; // one arrow press moves the cursor 1/40 of the view (Shift: 1/8)

const TYPING = "textarea, select, [contenteditable]:not([contenteditable=false]), input:not([type]), "
  + ["text", "number", "search", "email", "url", "tel", "password", "date", "time"].map((t) => `input[type=${t}]`).join(", ");
const SLIDER_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]);

export function createKeyboard({ plotEl, helpEl, helpButton, store, actions, readout, ui, redraw, zoom }) {
  const catalog = () => store.model.catalog;

  // Whether the key belongs to the focused element rather than to the page.
  function ownedByControl(target, key) {
    if (!(target instanceof Element)) return false;
    if (target.closest(TYPING)) return true;
    return SLIDER_KEYS.has(key) && Boolean(target.closest("input[type=range]"));
  }

  const PAN = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };

  const shortcuts = {
    " ": () => actions.play(),
    ArrowRight: () => actions.step(),
    ".": () => actions.step(),
    r: () => actions.reset(),
    g: () => actions.dropGrid(),
    c: () => actions.clear(),
    0: () => actions.show("all"),
    "?": () => toggleHelp(),
    "+": () => zoom?.zoomBy(1 / KEY_FACTOR),
    "=": () => zoom?.zoomBy(1 / KEY_FACTOR), // + without Shift on most layouts
    "-": () => zoom?.zoomBy(KEY_FACTOR),
    z: () => zoom?.reset(),
  };

  function toggleHelp(open = helpEl.hidden) {
    helpEl.hidden = !open;
    if (open) helpEl.querySelector("button")?.focus();
  }
  helpEl.querySelector("button")?.addEventListener("click", () => toggleHelp(false));
  helpButton?.addEventListener("click", () => toggleHelp());

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || !store.state) return;
    if (e.key === "Escape" && !helpEl.hidden) {
      toggleHelp(false);
      return;
    }
    if (e.defaultPrevented || ownedByControl(e.target, e.key)) return; // e.g. a table row took Enter/Space
    if (e.target === plotEl && plotKey(e)) return;
    if (e.shiftKey && PAN[e.key] && zoom && store.state.view) {
      e.preventDefault();
      zoom.pan(PAN[e.key][0] * PAN_FRACTION, PAN[e.key][1] * PAN_FRACTION);
      return;
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const digit = /^[1-9]$/.test(key) ? Number(key) : null;
    if (digit !== null) {
      const opt = catalog().optimizers[digit - 1];
      if (opt) actions.show(opt.key);
      e.preventDefault();
      return;
    }
    const run = shortcuts[key];
    if (!run) return;
    e.preventDefault();
    run();
  });

  // Keys on the focused map: move the cursor, drop, move the start.
  function plotKey(e) {
    const meta = store.model.meta;
    if (!meta) return false;
    const [xmin, xmax, ymin, ymax] = meta.domain;
    const shown = store.state.view ?? meta.domain; // the cursor's steps follow the zoom
    ui.cursor ??= [...store.state.start];
    const fine = e.shiftKey ? 8 : CURSOR_STEPS;
    const dx = (shown[1] - shown[0]) / fine;
    const dy = (shown[3] - shown[2]) / fine;
    const moves = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy] };
    if (moves[e.key]) {
      const [mx, my] = moves[e.key];
      ui.cursor = [Math.min(xmax, Math.max(xmin, ui.cursor[0] + mx)), Math.min(ymax, Math.max(ymin, ui.cursor[1] + my))];
    } else if (e.key === "Enter" && e.shiftKey) {
      actions.start([...ui.cursor]);
    } else if (e.key === "Enter") {
      actions.drop([[...ui.cursor]]);
    } else {
      return false;
    }
    e.preventDefault();
    cursorHint(true);
    zoom?.reveal(ui.cursor); // a zoomed map pans to keep the cursor in view
    readout.probe(ui.cursor);
    redraw();
    return true;
  }

  plotEl.addEventListener("focus", () => {
    // A click focuses the map too: the cursor only comes with keyboard focus (Tab).
    if (plotEl.matches(":focus-visible")) ui.cursor ??= store.state ? [...store.state.start] : null;
    cursorHint(Boolean(ui.cursor));
    readout.setLive(true);
    if (ui.cursor) readout.probe(ui.cursor);
    redraw();
  });
  // What the dashed square is, said where it is shown (tooltip) and to screen readers.
  function cursorHint(on) {
    if (on) plotEl.title = CURSOR_HINT;
    else plotEl.removeAttribute("title");
  }
  plotEl.addEventListener("pointerdown", () => cursorHint(false));
  plotEl.addEventListener("blur", () => {
    cursorHint(false);
    ui.cursor = null;
    readout.setLive(false);
    redraw();
  });
  // A new landscape: the cursor starts again from its start point.
  store.subscribe((state, patch) => {
    if ("landscape" in patch && ui.cursor) ui.cursor = [...state.start];
  });
}
