// One optimizer's own hyperparameters, by their torch.optim names, opened from its
// legend row (⚙). Built from the catalog's specs ({name, kind, default, page}): numbers
// and whole numbers as number inputs, pairs (betas, etas, step_sizes) as two, flags as
// checkboxes. Settings the page's sliders set (lr; Momentum's and Nesterov's momentum;
// Adam's and AdamW's betas, whose β₁ is the β slider) have a "shared" box: ticked, the
// field follows the slider; unticked, the optimizer keeps its own value.
//
// Each field shows what the ball runs with (Python's snapshot `hyperparameters`). An
// edit is checked here for its syntax, then by Python: a refused value shows Python's
// message at the field and the previous value stays. Every change restarts the balls
// (session.actions.setting) and lands in the URL as <key>.<param>=value.

import { fmt } from "../format.js";
import { parseSettingValue, settingText, specsOf } from "../store.js";

const KIND_TEXT = { number: "a number", integer: "a whole number", pair: "two numbers", flag: "on or off" };
const SHARED_TEXT = {
  lr: "the Learning rate slider",
  momentum: "the Momentum β slider",
  betas: "β₁ from the Momentum β slider",
};

export function createOptimizerSettings(el, catalog, store, actions) {
  const labels = new Map(catalog.optimizers.map((o) => [o.key, o.label]));
  let key = null; // the optimizer shown
  let opener = null; // the button that opened it (focus returns there)
  let fields = new Map(); // param -> {spec, inputs, shared, error, row}

  function open(next, from) {
    key = next;
    opener = from ?? null;
    build();
    el.hidden = false;
    el.querySelector("input, button")?.focus();
  }

  function close() {
    el.hidden = true;
    key = null;
    fields = new Map();
    el.replaceChildren();
    opener?.focus();
  }

  function build() {
    const label = labels.get(key);
    const head = document.createElement("div");
    head.className = "opt-head";
    const title = document.createElement("h2");
    title.id = "opt-settings-title";
    title.textContent = `${label}: its own settings`;
    const shut = document.createElement("button");
    shut.type = "button";
    shut.className = "opt-close";
    shut.textContent = "×";
    shut.setAttribute("aria-label", `Close the settings for ${label}`);
    shut.addEventListener("click", close);
    head.append(title, shut);
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = "torch.optim's names and defaults. A change restarts the balls and is kept in the URL.";
    const grid = document.createElement("div");
    grid.className = "opt-grid";
    fields = new Map();
    for (const spec of specsOf(catalog, key)) grid.append(fieldFor(spec));
    const reset = document.createElement("button");
    reset.type = "button";
    reset.className = "opt-reset";
    reset.textContent = `Reset ${label} to shared and defaults`;
    reset.addEventListener("click", () => {
      clearErrors();
      actions.resetSettings(key);
    });
    el.replaceChildren(head, hint, grid, reset);
    sync(store.state);
  }

  function fieldFor(spec) {
    const row = document.createElement("div");
    row.className = "opt-field";
    row.dataset.param = spec.name;
    const id = `opt-${key}-${spec.name}`;
    const name = document.createElement("label");
    name.className = "opt-name";
    name.textContent = spec.name;
    const error = document.createElement("p");
    error.className = "opt-error";
    error.id = `${id}-error`;
    error.hidden = true;
    const inputs = [];
    const control = document.createElement("div");
    control.className = "opt-control";
    if (spec.kind === "flag") {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.addEventListener("change", () => edit(spec, box.checked));
      inputs.push(box);
    } else {
      const count = spec.kind === "pair" ? 2 : 1;
      for (let i = 0; i < count; i++) {
        const input = document.createElement("input");
        input.type = "text"; // parsed here as the URL is: no locale, no spinner rounding
        input.inputMode = "decimal";
        input.id = i ? `${id}-${i}` : id;
        input.className = "opt-number";
        input.autocomplete = "off";
        input.spellcheck = false;
        input.addEventListener("change", () => editNumber(spec));
        input.addEventListener("keydown", (e) => {
          if (e.key === "Enter") editNumber(spec);
        });
        inputs.push(input);
      }
    }
    name.htmlFor = inputs[0].id;
    control.append(...inputs);
    let shared = null;
    if (spec.page || spec.name === "lr") {
      const wrap = document.createElement("label");
      wrap.className = "opt-shared";
      shared = document.createElement("input");
      shared.type = "checkbox";
      shared.addEventListener("change", () => {
        clearError(spec.name);
        // Unticked: the optimizer keeps the value it runs with now, as its own.
        actions.setting(key, spec.name, shared.checked ? undefined : current(spec));
      });
      wrap.append(shared, document.createTextNode(" shared"));
      shared.setAttribute("aria-label", `${labels.get(key)} ${spec.name} shared: follows ${SHARED_TEXT[spec.name] ?? "the page's slider"}`);
      wrap.title = `Follow ${SHARED_TEXT[spec.name] ?? "the page's slider"}`;
      control.append(wrap);
    }
    for (const input of inputs) input.setAttribute("aria-describedby", error.id);
    row.append(name, control, error);
    fields.set(spec.name, { spec, inputs, shared, error, row });
    return row;
  }

  // What the ball runs with for `spec`: Python's snapshot, else the override, else the default.
  function current(spec) {
    const own = store.state.settings?.[key]?.[spec.name];
    if (own !== undefined) return own;
    const ran = store.model?.runs?.hyperparameters?.[key]?.[spec.name];
    if (ran !== undefined && ran !== null) return ran;
    if (spec.name === "lr") return store.state.lr;
    return spec.default;
  }

  function editNumber(spec) {
    const { inputs } = fields.get(spec.name);
    const text = inputs.map((i) => i.value.trim()).join(",");
    const value = parseSettingValue(spec.kind, text);
    if (value === null) {
      showError(spec.name, `${spec.name}=${text.slice(0, 40)} is not ${KIND_TEXT[spec.kind]}; kept ${settingText(current(spec))}.`);
      sync(store.state, true);
      return;
    }
    if (settingText(value) === settingText(current(spec))) {
      clearError(spec.name); // a valid value, the one the ball runs with: nothing is wrong now
      return;
    }
    edit(spec, value);
  }

  function edit(spec, value) {
    clearError(spec.name);
    actions.setting(key, spec.name, value);
  }

  function showError(param, message) {
    const field = fields.get(param);
    if (!field) return;
    field.error.textContent = message;
    field.error.hidden = false;
    field.row.classList.add("invalid");
    for (const input of field.inputs) input.setAttribute("aria-invalid", "true");
  }

  function clearError(param) {
    const field = fields.get(param);
    if (!field) return;
    field.error.hidden = true;
    field.error.textContent = "";
    field.row.classList.remove("invalid");
    for (const input of field.inputs) input.removeAttribute("aria-invalid");
  }

  function clearErrors() {
    for (const param of fields.keys()) clearError(param);
  }

  // Shows each field's value; a field being typed in is left alone unless `force`.
  function sync(state, force = false) {
    if (key === null) return;
    const own = state.settings?.[key] ?? {};
    for (const { spec, inputs, shared } of fields.values()) {
      const value = current(spec);
      const isShared = own[spec.name] === undefined;
      if (shared) {
        shared.checked = isShared;
        for (const input of inputs) input.disabled = isShared;
      }
      if (spec.kind === "flag") {
        inputs[0].checked = Boolean(value);
        continue;
      }
      const values = Array.isArray(value) ? value : [value];
      inputs.forEach((input, i) => {
        const v = values[i];
        if (force || document.activeElement !== input) input.value = typeof v === "number" && Number.isFinite(v) ? String(v) : "";
        const which = inputs.length > 1 ? `${spec.name} ${i ? "second" : "first"} value` : spec.name;
        input.setAttribute("aria-label", `${labels.get(key)} ${which}, ${typeof v === "number" ? fmt(v, 6) : "unset"}${isShared && shared ? ", follows the slider" : ""}`);
      });
    }
  }

  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });
  store.subscribe((state, patch, meta) => {
    if (!meta.pending) sync(state);
  });

  return {
    open,
    close,
    get key() {
      return key;
    },
    // Python's refusals: those of the optimizer shown, at their fields; returns the rest.
    showProblems(problems) {
      const rest = [];
      for (const p of problems) {
        if (p.key === key && fields.has(p.param)) showError(p.param, problemText(p));
        else rest.push(p);
      }
      // The fields show the previous values again (the state still holds them).
      if (rest.length < problems.length) sync(store.state, true);
      return rest;
    },
  };
}

// Python's message at its field. The optimizers' messages name the parameter and echo the
// value ("Invalid weight_decay=-1: …", "Nesterov momentum requires …"): shown as they are;
// one that does not name it gets "param=value: " in front.
export function problemText(p) {
  const message = String(p.message ?? "");
  if (message.toLowerCase().includes(String(p.param).toLowerCase())) return message;
  return `${p.param}=${settingText(p.value).slice(0, 40)}: ${message}`;
}
