// Keyboard: page-wide shortcuts, and the plot as a focusable surface with a cursor.
//
//   Space  play / pause          → or .  one step         R  reset
//   G      drop a grid            C      clear particles   1–9  show one optimizer   0  show all
//   ?      this list              Esc    close it
// On the focused map: arrows move the cursor (Shift: bigger moves), Enter drops a particle
// there, Shift+Enter moves the start there; the readout follows the cursor.
// Shortcuts never fire while a text field, select, slider or button has the focus (those
// keys belong to it) or with Ctrl/Alt/Meta held.

const CURSOR_STEPS = 40; // one arrow press moves the cursor 1/40 of the view (Shift: 1/8)

export function createKeyboard({ plotEl, helpEl, helpButton, store, actions, readout, ui, redraw }) {
  const catalog = () => store.model.catalog;

  function ownedByControl(target) {
    return target instanceof HTMLElement && target.closest("input, select, textarea, button, [contenteditable]");
  }

  const shortcuts = {
    " ": () => actions.play(),
    ArrowRight: () => actions.step(),
    ".": () => actions.step(),
    r: () => actions.reset(),
    g: () => actions.dropGrid(),
    c: () => actions.clear(),
    0: () => actions.show("all"),
    "?": () => toggleHelp(),
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
    if (ownedByControl(e.target)) return;
    if (e.target === plotEl && plotKey(e)) return;
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
    ui.cursor ??= [...store.state.start];
    const fine = e.shiftKey ? 8 : CURSOR_STEPS;
    const dx = (xmax - xmin) / fine;
    const dy = (ymax - ymin) / fine;
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
    readout.probe(ui.cursor);
    redraw();
    return true;
  }

  plotEl.addEventListener("focus", () => {
    ui.cursor ??= store.state ? [...store.state.start] : null;
    readout.setLive(true);
    if (ui.cursor) readout.probe(ui.cursor);
    redraw();
  });
  plotEl.addEventListener("blur", () => {
    ui.cursor = null;
    readout.setLive(false);
    redraw();
  });
  // A new landscape: the cursor starts again from its start point.
  store.subscribe((state, patch) => {
    if ("landscape" in patch && ui.cursor) ui.cursor = [...state.start];
  });
}
