// The legend and outcome table: one row per optimizer with its visibility toggle and
// swatch (colour, dash pattern and ball shape, as on the plot), loss, best loss,
// where it is, which known minimum's basin it is in (like the loss-surface notes' table), its
// status, and a button opening its settings; the step count, shared by all, is in the
// caption. A hidden optimizer's row is dimmed: its ball keeps running (Python steps
// every ball), so showing it again is instant.
// update() runs at ~10 Hz; only cells whose text changed are touched. Hovering or
// focusing a row tells the store, and the notes panel shows that optimizer's rule.
// Hovering a row, or selecting it (a click on it, Enter or Space when it has the focus;
// again, or Escape, to let go), brings that optimizer's path forward on the map.

import { fmtCount } from "../format.js";
import { fmtPoint, fmtResolved, viewResolution } from "../resolution.js";
import { swatchSvg } from "../plot/style.js";
import { visibleKeys } from "../store.js";
import { ensureStylesheets } from "./stylesheets.js";

ensureStylesheets([new URL("./legend.css", import.meta.url).href]);

const FIELDS = ["loss", "best", "where", "basin", "status"];

export function createLegend(table, catalog, store, { toggle, openSettings }) {
  const body = table.tBodies[0];
  const stepEl = table.querySelector("#legend-step");
  let stepText = "";
  const rows = new Map(); // key -> {row, cells: {field: td}, text: {field: string}, toggle}
  body.replaceChildren();
  for (const { key, label, hyperparameters } of catalog.optimizers) {
    const row = document.createElement("tr");
    row.dataset.key = key;
    row.tabIndex = 0;
    // The toggle and, as its label, the optimizer as the plot draws it: a sample of its
    // trail (colour, dash) ending in its ball's shape.
    const swatch = document.createElement("td");
    swatch.className = "swatch-cell";
    const pick = document.createElement("label");
    pick.className = "legend-toggle";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.setAttribute("aria-label", `Show ${label}`);
    box.addEventListener("change", () => toggle(key, box.checked));
    pick.append(box, swatchSvg(key, { width: 26 }));
    swatch.append(pick);
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = label;
    row.append(swatch, name);
    const cells = {};
    for (const field of FIELDS) {
      const td = document.createElement("td");
      td.dataset.field = field;
      td.textContent = "—";
      row.append(td);
      cells[field] = td;
    }
    const gear = document.createElement("td");
    gear.className = "settings-cell";
    if (hyperparameters?.length) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "gear";
      button.textContent = "⚙";
      button.setAttribute("aria-label", `Settings for ${label}`);
      button.title = `${label}'s own hyperparameters (torch.optim names)`;
      button.addEventListener("click", () => openSettings(key, button));
      gear.append(button);
    }
    row.append(gear);
    const hover = (on) => store.set({ hovered: on ? key : null });
    row.addEventListener("pointerenter", () => hover(true));
    row.addEventListener("pointerleave", () => hover(false));
    row.addEventListener("focus", () => hover(true));
    row.addEventListener("blur", () => hover(false));
    row.title = `Click to bring ${label}'s path forward on the map (click again or Esc to let go)`;
    // A click on the row, not on its own toggle or settings button, selects it.
    row.addEventListener("click", (e) => {
      if (!(e.target instanceof Element && e.target.closest("input, label, button"))) select(key);
    });
    row.addEventListener("keydown", (e) => {
      if (e.target !== row || e.ctrlKey || e.altKey || e.metaKey) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault(); // and the page's shortcuts leave it alone (keyboard.js)
        select(key);
      }
    });
    body.append(row);
    rows.set(key, { row, cells, text: {}, status: "", toggle: box });
  }

  function select(key) {
    store.set({ selected: store.state.selected === key ? null : key });
  }
  // Escape lets go of the selection wherever the focus is (unless a dialog takes it first).
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.defaultPrevented && store.state?.selected) store.set({ selected: null });
  });
  function showSelected(state) {
    for (const [key, entry] of rows) {
      const on = state.selected === key;
      entry.row.classList.toggle("selected", on);
      entry.row.setAttribute("aria-current", on ? "true" : "false");
    }
  }

  // Toggles and dimming follow `show` at once (the numbers follow at ~10 Hz).
  function showVisible(state) {
    const visible = visibleKeys(state, catalog);
    for (const [key, entry] of rows) {
      const shown = visible.has(key);
      entry.toggle.checked = shown;
      if (entry.row.classList.contains("dimmed") === shown) entry.row.classList.toggle("dimmed", !shown);
    }
  }
  store.subscribe((state, patch) => {
    if ("show" in patch) showVisible(state);
    if ("selected" in patch) showSelected(state);
  });
  showVisible(store.state);

  return {
    update(runs, visible) {
      if (!runs) return;
      const step = `· step ${fmtCount(runs.step)}`;
      if (step !== stepText) stepEl.textContent = stepText = step;
      const resolution = viewResolution(store.model?.meta, store.model?.colorbar); // below it: 0
      runs.keys.forEach((key, i) => {
        const entry = rows.get(key);
        if (!entry) return;
        const status = runs.status[i];
        set(entry, "loss", fmtResolved(runs.loss[i], resolution.loss));
        set(entry, "best", fmtResolved(runs.best[i], resolution.loss));
        set(entry, "where", fmtPoint(runs.positions[2 * i], runs.positions[2 * i + 1], resolution));
        set(entry, "basin", runs.basin?.[i] ?? "—");
        set(entry, "status", status);
        if (entry.status !== status) {
          entry.row.dataset.status = status;
          entry.status = status;
        }
        const hidden = !visible.has(key);
        if (entry.row.classList.contains("dimmed") !== hidden) entry.row.classList.toggle("dimmed", hidden);
      });
    },
  };
}

function set(entry, field, text) {
  if (entry.text[field] === text) return;
  entry.text[field] = text;
  entry.cells[field].textContent = text;
}
