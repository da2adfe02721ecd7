// The settings a landscape's notes are about: every note is checked at the landscape's
// defaults (its catalog entry's default_lr, default_beta, start and steps, with σ = 0 and
// each optimizer's own default settings; tests/test_lessons.py), so the panel says so,
// and when the current state differs it names what changed, with a button that restores
// exactly those settings (one session action). Reads the store, never writes it.

import { fmt } from "../format.js";
import { ensureStylesheets } from "./stylesheets.js";

const STYLESHEETS = [new URL("./notes.css", import.meta.url).href];
const WATCHED = ["lr", "beta", "start", "noise", "settings", "landscape"];

export function createConditions(list, catalog, store, actions) {
  ensureStylesheets(STYLESHEETS);
  const about = document.createElement("p");
  about.id = "notes-about";
  about.className = "notes-about";
  const changed = document.createElement("p");
  changed.id = "notes-changed";
  changed.className = "notes-changed";
  changed.setAttribute("role", "status");
  changed.hidden = true;
  const text = document.createElement("span");
  const restore = document.createElement("button");
  restore.type = "button";
  restore.id = "notes-restore";
  restore.textContent = "Restore defaults";
  restore.addEventListener("click", () => actions.restoreDefaults());
  changed.append(text, " ", restore);
  list.before(about, changed);
  const labels = new Map(catalog.optimizers.map((o) => [o.key, o.label]));
  let meta = null;

  function show(next) {
    meta = next;
    const has = Boolean(meta?.notes?.length);
    about.hidden = !has;
    if (has) {
      about.textContent = `These notes describe learning rate ${fmt(meta.default_lr)}, β = ${fmt(meta.default_beta)}, `
        + `start (${meta.start.map((v) => fmt(v)).join(", ")}), σ = 0 and each optimizer's default settings, `
        + `over the first ${meta.steps.toLocaleString("en-US")} steps.`;
    }
    update(store.state);
  }

  function update(state) {
    const what = meta?.notes?.length ? differences(state, meta, labels) : [];
    changed.hidden = what.length === 0;
    text.textContent = what.length ? `These notes describe the defaults; you changed ${joined(what)}.` : "";
  }

  store.subscribe((state, patch) => {
    if (WATCHED.some((field) => field in patch)) update(state);
  });
  return { show };
}

// What differs from the defaults the notes describe, as words ("the learning rate", …).
export function differences(state, meta, labels) {
  const out = [];
  if (state.lr !== meta.default_lr) out.push("the learning rate");
  if (state.beta !== meta.default_beta) out.push("β");
  if (state.start?.[0] !== meta.start[0] || state.start?.[1] !== meta.start[1]) out.push("the start");
  if (state.noise) out.push("the gradient noise σ");
  const own = Object.keys(state.settings ?? {}).filter((key) => Object.keys(state.settings[key]).length);
  if (own.length) out.push(`the settings of ${joined(own.map((key) => labels.get(key) ?? key))}`);
  return out;
}

function joined(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
