// The landscape's own text: its description, its "what to look for" notes (each one a
// claim tests/test_lessons.py checks at the landscape's defaults), and the update rule
// of the optimizer shown alone or hovered in the legend, with the current
// hyperparameters filled in (the text comes from Python, which runs that rule, for every
// registered optimizer), and what the gradient noise does while σ > 0. The notes say
// which settings they describe (notes-conditions.js) and, once any differs, which ones,
// with a button that restores them.

import { fmt } from "../format.js";
import { createConditions } from "./notes-conditions.js";

export function createNotes(el, catalog, store, actions) {
  const description = el.querySelector("#description");
  const list = el.querySelector("#look-list");
  const rule = el.querySelector("#rule");
  const ruleTitle = el.querySelector("#rule-title");
  const ruleText = el.querySelector("#rule-text");
  const noiseNote = el.querySelector("#noise-note");
  const labels = new Map(catalog.optimizers.map((o) => [o.key, o.label]));
  let rules = {};
  let meta = null;
  const conditions = createConditions(list, catalog, store, actions);

  function showLandscape(next) {
    meta = next;
    const title = document.createElement("strong");
    title.textContent = `${meta.label}. `;
    description.replaceChildren(title, meta.description);
    list.replaceChildren(
      ...[...(meta.notes ?? []), "Dark is low loss; faint white lines are iso-loss contours. ★ marks the global minimum, ○ a local one."]
        .map((text) => {
          const li = document.createElement("li");
          li.textContent = text;
          return li;
        }),
    );
    conditions.show(meta);
  }

  function showRule(state) {
    const key = state.hovered ?? (labels.has(state.show) ? state.show : null);
    if (!key || !rules[key]) {
      rule.hidden = true;
      return;
    }
    rule.hidden = false;
    ruleTitle.textContent = `${labels.get(key)}: the update rule at these settings`;
    ruleText.textContent = rules[key];
  }

  function showNoise(state) {
    noiseNote.hidden = !state.noise;
    if (!state.noise) return;
    noiseNote.textContent = `Gradient noise σ = ${fmt(state.noise)}: each step, every gradient method gets `
      + "the true gradient plus a random shake of about σ, new each step and the same for every ball "
      + "(a reload repeats the run). It stands in for the noise of training on mini-batches, which can "
      + "let SGD jump out of a shallow well into a better one (Ruder 2016). The arrows' −∇f stays the "
      + "exact gradient. In symbols: ∇f(θ) + σ·ξ, ξ ~ N(0, I).";
  }

  store.subscribe((state, patch) => {
    if ("hovered" in patch || "show" in patch) showRule(state);
    if ("noise" in patch) showNoise(state);
  });
  showNoise(store.state);

  return {
    showLandscape,
    setRules(next) {
      rules = next ?? {};
      showRule(store.state);
    },
    get meta() {
      return meta;
    },
  };
}
