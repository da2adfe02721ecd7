// The side panel's controls: filled from the worker's catalog, showing the state, and
// turning input events into calls of the actions main.js passes in. Never writes state.

import { LIMITS } from "../config.js";
import { fmt } from "../format.js";
import { CUSTOM as LANDSCAPE_CUSTOM, SHOW_GROUPS, catalogLimits, roundLr } from "../store.js";

// The Show select's entry for a set of balls that is no group and not one optimizer.
const CUSTOM = "custom";

const $ = (id) => document.getElementById(id);

export function createControls(catalog, store, handlers) {
  const el = {
    form: $("controls"),
    landscape: $("landscape"),
    lr: $("lr"),
    lrValue: $("lr-value"),
    beta: $("beta"),
    betaValue: $("beta-value"),
    noise: $("noise"),
    noiseValue: $("noise-value"),
    arrows: $("arrows"),
    arrowsKey: $("arrows-key"),
    show: $("show"),
    speed: $("speed"),
    speedValue: $("speed-value"),
    speedHint: $("speed-hint"),
    particleSpeed: $("particle-speed"),
    particleSpeedValue: $("particle-speed-value"),
    field: $("field"),
    colormap: $("colormap"),
    play: $("play"),
    step: $("step"),
    reset: $("reset"),
    dropGrid: $("drop-grid"),
    clear: $("clear"),
    particleCount: $("particle-count"),
  };

  // One vocabulary: option values are the registry keys.
  fillSelect(el.landscape, [
    ...catalog.landscapes.filter((l) => l.key !== LANDSCAPE_CUSTOM).map((l) => [l.key, l.label]),
    ...(catalog.custom ? [[LANDSCAPE_CUSTOM, catalog.custom.label]] : []),
  ]);
  const groups = Object.entries(SHOW_GROUPS).filter(([g]) => g === "all" || catalog.optimizers.some((o) => o.group === g));
  fillSelect(el.show, [...groups, [CUSTOM, "Custom selection"], ...catalog.optimizers.map((o) => [o.key, `${o.label} only`])]);
  // Chosen by the legend's toggles, never from the list.
  el.show.querySelector(`option[value="${CUSTOM}"]`).disabled = true;
  const noiseMax = catalogLimits(catalog).noise.max;
  fillSelect(el.colormap, catalog.colormaps.map((name) => [name, name]));
  el.lr.min = String(Math.log10(LIMITS.lr.min));
  el.lr.max = String(Math.log10(LIMITS.lr.max));
  el.beta.min = String(LIMITS.beta.min);
  el.beta.max = String(LIMITS.beta.max);
  el.speed.min = String(LIMITS.speed.min);
  el.speed.max = String(LIMITS.speed.max);
  el.particleSpeed.min = String(Math.log2(LIMITS.particleSpeed.min));
  el.particleSpeed.max = String(Math.log2(LIMITS.particleSpeed.max));

  el.form.addEventListener("submit", (e) => e.preventDefault());
  el.landscape.addEventListener("change", () => handlers.landscape(el.landscape.value));
  // The learning rate the slider shows (its position is quantised to 0.01 in log10, so
  // it cannot be read back exactly).
  let shownLr = null;
  el.lr.addEventListener("input", () => {
    const lr = roundLr(10 ** Number(el.lr.value));
    shownLr = lr;
    el.lrValue.value = fmt(lr);
    handlers.lr(lr);
  });
  // Arrow keys step the learning rate through 1, 2, 5 × 10ⁿ (12 presses end to end);
  // with Shift they keep the slider's fine steps (×1.023).
  el.lr.addEventListener("keydown", (e) => {
    const up = { ArrowRight: 1, ArrowUp: 1, PageUp: 1, ArrowLeft: -1, ArrowDown: -1, PageDown: -1 }[e.key];
    if (!up || e.shiftKey) return;
    e.preventDefault();
    const lr = nextRoundLr(shownLr, up); // not store.state.lr: edits may be in flight
    el.lr.value = String(Math.log10(lr));
    el.lrValue.value = fmt(lr);
    shownLr = lr;
    handlers.lr(lr);
  });
  // A log scale (noiseAt): 0 at the left end, then 0.01 … max in steps of 10^0.1.
  el.noise.min = "0";
  el.noise.max = String(noiseStops(noiseMax));
  el.noise.step = "1";
  el.noise.addEventListener("input", () => {
    const noise = noiseAt(Number(el.noise.value));
    el.noiseValue.value = fmt(noise);
    handlers.noise(noise);
  });
  el.arrows.addEventListener("change", () => handlers.arrows(el.arrows.checked));
  el.beta.addEventListener("input", () => {
    const beta = Number(el.beta.value);
    el.betaValue.value = fmt(beta);
    handlers.beta(beta);
  });
  el.speed.addEventListener("input", () => {
    const speed = Number(el.speed.value);
    el.speedValue.value = String(speed);
    handlers.speed(speed);
  });
  el.particleSpeed.addEventListener("input", () => {
    const speed = Number((2 ** Number(el.particleSpeed.value)).toPrecision(3));
    el.particleSpeedValue.value = `${fmt(speed)}×`;
    handlers.particleSpeed(speed);
  });
  el.field.addEventListener("change", () => handlers.field(el.field.checked));
  el.show.addEventListener("change", () => handlers.show(el.show.value));
  el.colormap.addEventListener("change", () => handlers.colormap(el.colormap.value));
  el.play.addEventListener("click", () => handlers.play());
  el.step.addEventListener("click", () => handlers.step());
  el.reset.addEventListener("click", () => handlers.reset());
  el.dropGrid.addEventListener("click", () => handlers.dropGrid());
  el.clear.addEventListener("click", () => handlers.clear());

  const inputs = [el.landscape, el.lr, el.beta, el.noise, el.arrows, el.show, el.speed, el.particleSpeed, el.field, el.colormap,
    el.play, el.step, el.reset, el.dropGrid, el.clear];

  store.subscribe((state, patch, meta) => {
    if (!meta.pending) sync(state); // a slider being dragged is not pulled back to an older value
  });

  return {
    setEnabled(enabled) {
      for (const input of inputs) input.disabled = !enabled;
    },

    sync,

    // What Speed means, and what this machine delivers when it cannot keep up (session.rate).
    showRate({ target, achieved }) {
      const behind = achieved !== null && achieved < 0.9 * target;
      // Short: at 1440 × 900 the Particles box must stay above the fold (tests/browser/test_layout.py).
      const text = `${perSecond(target / 60)} optimizer steps per second (Speed × 60)`
        + (behind ? `; this machine delivers about ${Math.round(achieved).toLocaleString("en-US")}.` : "; the paths stay the same.");
      if (el.speedHint.textContent !== text) el.speedHint.textContent = text;
      el.speedHint.classList.toggle("behind", behind);
    },

    showParticleCount(count, resting) {
      el.particleCount.textContent = count === 0
        ? "No particles."
        : `${count} particle${count === 1 ? "" : "s"}, ${resting} at rest.`;
    },
  };

  // Shows the state; slider positions are only moved when they disagree with it, so a
  // slider being dragged is not fought over.
  function sync(state) {
    // While the editor of "Your own f(x, y)" is open the select says so (the map changes
    // once its first formula is compiled).
    el.landscape.value = state.customEditor ? LANDSCAPE_CUSTOM : state.landscape;
    if (roundLr(10 ** Number(el.lr.value)) !== state.lr) el.lr.value = String(Math.log10(state.lr));
    el.lrValue.value = fmt(state.lr);
    shownLr = state.lr;
    el.lr.setAttribute("aria-valuetext", `learning rate ${fmt(state.lr)}`);
    el.beta.setAttribute("aria-valuetext", `momentum beta ${fmt(state.beta)}`);
    el.speed.setAttribute("aria-valuetext", `${state.speed} optimizer steps per frame at 60 fps, ${perSecond(state.speed)} per second`);
    el.particleSpeed.setAttribute("aria-valuetext", `particle speed ${fmt(state.particleSpeed)} times`);
    if (Number(el.beta.value) !== state.beta) el.beta.value = String(state.beta);
    el.betaValue.value = fmt(state.beta);
    el.show.value = [...el.show.options].some((o) => o.value === state.show) ? state.show : CUSTOM;
    if (noiseAt(Number(el.noise.value)) !== state.noise) el.noise.value = String(noisePosition(state.noise, noiseMax));
    el.noiseValue.value = fmt(state.noise);
    el.noise.setAttribute("aria-valuetext", state.noise ? `gradient noise sigma ${fmt(state.noise)}` : "no gradient noise, sigma 0");
    el.arrows.checked = state.arrows;
    el.arrowsKey.hidden = !state.arrows;
    if (Number(el.speed.value) !== state.speed) el.speed.value = String(state.speed);
    el.speedValue.value = String(state.speed);
    const ps = Math.log2(state.particleSpeed);
    if (Math.abs(Number(el.particleSpeed.value) - ps) > 0.01) el.particleSpeed.value = String(ps);
    el.particleSpeedValue.value = `${fmt(state.particleSpeed)}×`;
    el.field.checked = state.field;
    el.colormap.value = state.colormap;
    el.play.textContent = state.playing ? "Pause" : "Play";
    el.play.setAttribute("aria-pressed", String(state.playing));
  }

  function noiseAt(position) {
    return noiseAtPosition(position, noiseMax);
  }
}

// The noise slider's scale. Measured on the default landscapes at their default lr and β
// (SGD, Momentum, Nesterov, 200 steps): σ = 0.003–0.01 is where a path first moves by 1 %
// of the window (saddle, ravine), σ = 3 sends Momentum and Nesterov off the ravine, and
// Rastrigin and Himmelblau need σ = 30–100 to notice. So: a log scale over 0.01 … max
// (100), ten stops a decade (1, 1.3, 1.6, 2, 2.5, 3.2, 4, 5, 6.3, 7.9 × 10ⁿ), and σ = 0 at
// the left end; 41 stops plus 0 for max = 100, so each of the four decades gets a quarter of the track.
export const NOISE_LOW = 0.01;
const STOPS_PER_DECADE = 10;

export function noiseStops(max) {
  return 1 + Math.round(STOPS_PER_DECADE * Math.log10(max / NOISE_LOW));
}

// σ at slider position k (an integer, 0 … noiseStops(max)): 0, then NOISE_LOW · 10^((k−1)/10).
export function noiseAtPosition(k, max) {
  if (!(k >= 1)) return 0;
  const stops = noiseStops(max);
  if (k >= stops) return max;
  return Number((NOISE_LOW * 10 ** ((Math.round(k) - 1) / STOPS_PER_DECADE)).toPrecision(2));
}

// The slider position nearest to σ (a URL's σ between the stops shows at its nearest stop).
export function noisePosition(sigma, max) {
  if (!(sigma > 0)) return 0;
  const k = 1 + Math.round(STOPS_PER_DECADE * Math.log10(sigma / NOISE_LOW));
  return Math.min(noiseStops(max), Math.max(1, k));
}

// The next value of the 1-2-5 sequence above (up = 1) or below (up = -1) `lr`, within LIMITS.
export function nextRoundLr(lr, up) {
  const { min, max } = LIMITS.lr;
  const values = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) values.push(Number((m * 10 ** e).toPrecision(3)));
  }
  const inside = values.filter((v) => v >= min && v <= max);
  const next = up > 0 ? inside.find((v) => v > lr * (1 + 1e-9)) : inside.reverse().find((v) => v < lr * (1 - 1e-9));
  return next ?? (up > 0 ? max : min);
}

function perSecond(speed) {
  return (speed * 60).toLocaleString("en-US");
}

function fillSelect(select, entries) {
  select.replaceChildren(
    ...entries.map(([value, text]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = text;
      return option;
    }),
  );
}
