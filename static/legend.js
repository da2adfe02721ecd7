// The legend table: one row per optimizer with its colour, loss, best loss, step and status.
// main.js calls update() at ~10 Hz; only cells whose text changed are touched.

import { FALLBACK_COLOR, OPTIMIZER_COLORS } from "./config.js";
import { fmt, fmtCount } from "./format.js";

const FIELDS = ["loss", "best", "step", "status"];

export function createLegend(table, optimizers) {
  const body = table.tBodies[0];
  const rows = new Map(); // key -> {row, cells: {field: td}, text: {field: string}}
  body.replaceChildren();
  for (const { key, label } of optimizers) {
    const row = document.createElement("tr");
    row.dataset.key = key;
    const swatch = document.createElement("td");
    const chip = document.createElement("span");
    chip.className = "swatch";
    chip.style.background = OPTIMIZER_COLORS[key] ?? FALLBACK_COLOR;
    swatch.append(chip);
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
    body.append(row);
    rows.set(key, { row, cells, text: {}, status: "" });
  }

  return {
    update(runs, show) {
      if (!runs) return;
      runs.keys.forEach((key, i) => {
        const entry = rows.get(key);
        if (!entry) return;
        const status = runs.status[i];
        set(entry, "loss", fmt(runs.loss[i]));
        set(entry, "best", fmt(runs.best[i]));
        set(entry, "step", fmtCount(runs.step));
        set(entry, "status", status);
        if (entry.status !== status) {
          entry.row.dataset.status = status;
          entry.status = status;
        }
        const hidden = show !== "all" && show !== key;
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
