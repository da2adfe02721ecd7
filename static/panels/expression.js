// "Your own f(x, y)": the editor under the Landscape select. The text and the window
// are data: the second Python worker parses the text against a whitelist (Python's ast,
// never eval), differentiates it with sympy (installed with micropip on first use) and
// answers either the landscape as numbers and a program of numpy operations, or the
// reason it refused, which is shown at the field it names. A refused edit changes
// nothing: the landscape on screen stays.
//
//   const editor = createExpression(container, { store, side, actions, catalog });
//   editor.open();            // shown, its current text applied (the Landscape select's entry)
//   editor.apply(spec, opts)  // compile {expression, domain, start?} and switch to it
//   editor.settled();         // resolves when no compile is in flight (tests)
//
// It reads the store (state.landscape, state.custom), asks the side worker to compile
// (after side.feature("expressions"), which installs sympy on first use) and hands the
// result to actions.customLandscape(spec, data, meta); f and ∇f are shown from the
// catalog's entry for "custom" once the page shows it.

import { fmt } from "../format.js";
import { CUSTOM, MAX_EXPRESSION_CHARS as MAX_CHARS, landscapeMeta } from "../store.js";

export const EXAMPLES = ["x**2 + 10*y**2", "sin(3*x)*cos(3*y) + 0.1*(x**2+y**2)", "(1-x)**2 + 100*(y-x**2)**2"];
const DEFAULT_DOMAIN = [-3, 3, -3, 3];

export function createExpression(container, { store, side, actions, catalog }) {
  const dom = buildDom(container);
  let busy = false;
  let refused = false; // the last Apply was refused: its status line stays until the next
  let startEdited = false; // the start fields were typed in since they last showed the balls' start
  let startFormula = null; // the formula whose start the fields show (when nobody typed in them)
  let waiters = [];
  dom.text.value = EXAMPLES[1];
  let onStage = null; // the page's status line follows the stages too (a shared link's build)
  // The side worker's boot and its loading sympy, as stages of the build (STAGE_SPAN).
  side.onProgress(({ kind, text, fraction }) => {
    if (!busy || !(kind in STAGE_SPAN) || (kind !== "boot" && fraction >= 1)) return; // "sympy ready": next stage
    const [from, to] = STAGE_SPAN[kind];
    stage(kind === "boot" ? "starting the second Python" : lowerFirst(text), from + (to - from) * (fraction ?? 0));
  });

  for (const input of [dom.sx, dom.sy]) input.addEventListener("input", () => (startEdited = true));
  // Not a <form>: the editor sits inside the controls' form, and forms do not nest.
  dom.apply.addEventListener("click", () => apply());
  dom.form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("input")) {
      event.preventDefault();
      apply();
    }
  });
  for (const example of dom.examples) {
    example.addEventListener("click", () => {
      dom.text.value = example.dataset.text;
      apply();
    });
  }

  // The spec typed: the text as it is (Python checks it), the window's four numbers and
  // the start (null when both its fields are empty: Python picks one inside the window).
  function spec() {
    const number = (input) => (input.value.trim() === "" ? NaN : Number(input.value));
    const domain = [dom.xmin, dom.xmax, dom.ymin, dom.ymax].map(number);
    const empty = !dom.sx.value.trim() && !dom.sy.value.trim();
    return { expression: dom.text.value, domain, start: empty ? null : [number(dom.sx), number(dom.sy)] };
  }

  // Compiles `next` (default: what is typed) in the side worker and, if Python accepts
  // it, switches the page to it; a refusal is shown at its field and changes nothing.
  async function apply(next = spec(), { fromUrl = false, onStage: follow = null } = {}) {
    onStage = follow;
    clearProblems();
    refused = false;
    if (fromUrl) fill(next);
    let problem = null;
    if (!next.expression.trim()) problem = ["expression", "Type a formula in x and y, e.g. x**2 + 10*y**2."];
    else if ([...next.expression].length > MAX_CHARS) {
      problem = ["expression", `At most ${MAX_CHARS} characters (this one has ${[...next.expression].length}).`];
    } else if (!next.domain.every(Number.isFinite)) problem = ["domain", "The window needs four numbers: x from, x to, y from, y to."];
    else if (next.start && !next.start.every(Number.isFinite)) {
      problem = ["start", "The start needs two numbers, x and y (or leave both empty: one is chosen inside the window)."];
    }
    if (problem) {
      refused = true;
      showProblem(...problem);
      if (fromUrl) actions.holdHash(false);
      return;
    }
    setBusy(true);
    try {
      if (!side.started) stage("starting the second Python", 0.02);
      await side.feature("expressions");
      stage("deriving ∇f and the Hessian with sympy", 0.85);
      const reply = await side.call("compile_expression", {
        expression: next.expression, domain: next.domain, start: startFor(next),
      });
      stage("drawing", 0.95);
      await shown(() => actions.customLandscape(next, reply.data, reply.meta));
    } catch (err) {
      refused = true;
      showProblem(fieldOf(err.message), err.message);
      showProgress(store.state.landscape === CUSTOM ? "Refused: the landscape shown is the previous one." : "Refused: nothing changed.");
    } finally {
      onStage = null;
      setBusy(false);
      if (fromUrl) actions.holdHash(false);
      for (const done of waiters.splice(0)) done();
    }
  }

  // One stage of the build, in the editor's status (and the page's, for a shared link).
  function stage(text, fraction) {
    showProgress(`Building your f(x, y): ${text}…`, fraction);
    onStage?.(`Building your f(x, y): ${text}…`, fraction);
  }

  // Runs `change` (it asks the session for the new landscape) and resolves once the session
  // has applied it (the state names the landscape) or given up (its empty closing patch),
  // and the next frame has drawn it.
  function shown(change) {
    const applied = new Promise((done) => {
      const off = store.subscribe((state, patch) => {
        if ("landscape" in patch || !Object.keys(patch).length) {
          off();
          done();
        }
      });
    });
    change();
    return applied.then(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))));
  }

  // The start typed (Python checks it lies in the window where f is defined), or none:
  // Python picks one inside the window. The balls' start the fields show, when nobody typed
  // in them, belongs to the formula shown: it gives way to a new formula (which may be
  // undefined there) and to a new window that leaves it out.
  function startFor(next) {
    if (!next.start) return null;
    if (!startEdited && next.expression.trim() !== startFormula?.trim()) return null;
    const [xmin, xmax, ymin, ymax] = next.domain;
    const [x, y] = next.start;
    const inside = x >= xmin && x <= xmax && y >= ymin && y <= ymax;
    return inside || startEdited ? next.start : null;
  }

  function fill(next, start = next.start) {
    startEdited = false;
    startFormula = next.expression;
    dom.text.value = next.expression;
    [dom.xmin.value, dom.xmax.value, dom.ymin.value, dom.ymax.value] = next.domain.map((v) => String(v));
    [dom.sx.value, dom.sy.value] = start ? start.map((v) => String(v)) : ["", ""];
  }

  function clearProblems() {
    for (const el of Object.values(dom.problems)) {
      el.hidden = true;
      el.textContent = "";
    }
    for (const input of [dom.text, dom.xmin, dom.xmax, dom.ymin, dom.ymax, dom.sx, dom.sy]) input.removeAttribute("aria-invalid");
  }

  function showProblem(field, message) {
    const where = dom.problems[field] ?? dom.problems.expression;
    where.textContent = String(message).replace(/^[\w.]*Error: /, ""); // Python's exception name is noise here
    where.hidden = false;
    const inputs = field === "domain" ? [dom.xmin, dom.xmax, dom.ymin, dom.ymax] : field === "start" ? [dom.sx, dom.sy] : [dom.text];
    for (const input of inputs) input.setAttribute("aria-invalid", "true");
  }

  function setBusy(on) {
    busy = on;
    dom.apply.disabled = on;
    dom.root.dataset.state = on ? "running" : "idle";
    if (!on) dom.progress.hidden = true;
    if (store.state) sync(store.state);
  }

  function showProgress(text, fraction = null) {
    dom.status.textContent = text;
    dom.progress.hidden = fraction === null;
    if (fraction !== null) dom.progress.value = fraction;
  }

  function showFormula(meta) {
    if (!meta?.formula) {
      dom.formula.hidden = true;
      return;
    }
    dom.f.textContent = meta.formula;
    dom.fx.textContent = meta.gradient_formula[0];
    dom.fy.textContent = meta.gradient_formula[1];
    dom.formula.hidden = false;
    if (refused) return;
    const undefinedShare = meta.undefined_fraction ?? 0;
    showProgress(undefinedShare > 0
      ? `f is undefined on ${fmt(100 * undefinedShare)}% of the window (grey stripes); a ball that steps there stops as diverged.`
      : "Exact derivatives by sympy: the balls, particles and every panel work on it as on a built-in landscape.");
  }

  function sync(state) {
    const custom = state.landscape === CUSTOM;
    container.hidden = !(custom || busy || state.customEditor);
    if (custom && state.custom && !dom.form.contains(document.activeElement)) fill(state.custom, state.start);
    if (custom && !busy) showFormula(landscapeMeta(catalog, CUSTOM));
    else if (!custom) dom.formula.hidden = true;
  }
  store.subscribe((state, patch) => {
    if ("landscape" in patch || "custom" in patch || "customEditor" in patch || "start" in patch) sync(state);
  });
  if (store.state) sync(store.state);

  return {
    // The Landscape select's entry: shown, and what it holds applied at once.
    open() {
      container.hidden = false;
      return apply();
    },
    apply,
    spec,
    settled() {
      return busy ? new Promise((done) => waiters.push(done)) : Promise.resolve();
    },
    summary() {
      return {
        hidden: container.hidden, busy, status: dom.status.textContent,
        problems: Object.fromEntries(Object.entries(dom.problems).filter(([, el]) => !el.hidden).map(([k, el]) => [k, el.textContent])),
        formula: dom.formula.hidden ? null : [dom.f.textContent, dom.fx.textContent, dom.fy.textContent],
      };
    },
  };
}

// Where in the build (0–1) each source of progress runs: the side worker's boot, then its
// loading micropip, installing sympy and mpmath and importing sympy.
const STAGE_SPAN = { boot: [0.02, 0.4], expressions: [0.4, 0.8] };
const lowerFirst = (text) => String(text).replace(/…$/, "").replace(/^./, (c) => c.toLowerCase());

// Which field a refusal names: Python's messages begin "Invalid expression=", "Invalid
// domain=" or "Invalid start=" (landscapes.from_expression).
function fieldOf(message) {
  const match = /Invalid (expression|domain|start)\b/.exec(String(message));
  return match ? match[1] : "expression";
}

function buildDom(container) {
  const root = document.createElement("div");
  root.className = "expression-editor";
  root.innerHTML = `
    <div class="ex-form" role="group" aria-label="Your own f(x, y)">
      <label class="ex-label" for="ex-text">f(x, y) =</label>
      <input id="ex-text" class="ex-text" type="text" spellcheck="false" autocomplete="off" maxlength="${MAX_CHARS + 50}"
             placeholder="${EXAMPLES[0]}" aria-describedby="ex-text-problem ex-hint">
      <p id="ex-text-problem" class="ex-problem" role="alert" hidden></p>
      <p id="ex-hint" class="hint">Numbers, x, y, pi, e, + − * / **, and sin cos tan exp log sqrt abs tanh sinh cosh
        atan (arctan) min max. Try:
        ${EXAMPLES.map((e) => `<button type="button" class="ex-example" data-text="${e}">${e}</button>`).join(" ")}</p>
      <fieldset class="ex-window" aria-describedby="ex-domain-problem">
        <legend>View window</legend>
        <label>x from <input class="ex-xmin" type="number" step="any" value="${DEFAULT_DOMAIN[0]}"></label>
        <label>to <input class="ex-xmax" type="number" step="any" value="${DEFAULT_DOMAIN[1]}"></label>
        <label>y from <input class="ex-ymin" type="number" step="any" value="${DEFAULT_DOMAIN[2]}"></label>
        <label>to <input class="ex-ymax" type="number" step="any" value="${DEFAULT_DOMAIN[3]}"></label>
      </fieldset>
      <p id="ex-domain-problem" class="ex-problem" role="alert" hidden></p>
      <fieldset class="ex-window ex-start" aria-describedby="ex-start-problem ex-start-hint">
        <legend>Start</legend>
        <label>x <input class="ex-sx" type="number" step="any" placeholder="auto"></label>
        <label>y <input class="ex-sy" type="number" step="any" placeholder="auto"></label>
      </fieldset>
      <p id="ex-start-problem" class="ex-problem" role="alert" hidden></p>
      <button type="button" class="ex-apply">Apply</button>
      <p id="ex-start-hint" class="hint">Empty: chosen inside the window where f is defined. The ◎ ring on the map moves it too.</p>
      <p class="ex-status hint" role="status" aria-live="polite"></p>
      <progress class="ex-progress" max="1" value="0" hidden aria-label="Loading sympy"></progress>
      <div class="ex-formula" hidden>
        <p><span class="ex-name">f</span> = <code class="ex-f"></code></p>
        <p><span class="ex-name">∂f/∂x</span> = <code class="ex-fx"></code></p>
        <p><span class="ex-name">∂f/∂y</span> = <code class="ex-fy"></code></p>
      </div>
    </div>`;
  container.replaceChildren(root);
  const q = (sel) => root.querySelector(sel);
  return {
    root, form: q(".ex-form"), text: q(".ex-text"), apply: q(".ex-apply"),
    xmin: q(".ex-xmin"), xmax: q(".ex-xmax"), ymin: q(".ex-ymin"), ymax: q(".ex-ymax"), sx: q(".ex-sx"), sy: q(".ex-sy"),
    examples: [...root.querySelectorAll(".ex-example")],
    problems: { expression: q("#ex-text-problem"), domain: q("#ex-domain-problem"), start: q("#ex-start-problem") },
    status: q(".ex-status"), progress: q(".ex-progress"),
    formula: q(".ex-formula"), f: q(".ex-f"), fx: q(".ex-fx"), fy: q(".ex-fy"),
  };
}
