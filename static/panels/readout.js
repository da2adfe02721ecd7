// The readout under the map: x, y, f and ∇f where the pointer is, or a particle's
// start, end and flow time when the pointer is on one. One probe in flight; the newest
// position goes next. `digits()` says how many significant digits x, y and f need to
// differ from pixel to pixel (more on a zoomed map: zoom.js).

import { fmt } from "../format.js";
import { fmtPoint, fmtResolved, viewResolution } from "../resolution.js";

const IDLE_TEXT = "Hover over the map to read x, y, f and ∇f; hover a particle for its path.";
// A finger does not hover: a tap drops a particle and reads the map there (plot-input.js).
const TAP_TEXT = "Tap the map to read x, y, f and ∇f there (a tap also drops a particle); tap a particle for its path.";

// Whether the main pointer is a finger (a phone, a tablet): it taps, it cannot hover.
export function touchPointer() {
  return typeof matchMedia === "function" && matchMedia("(pointer: coarse)").matches;
}

// `model()`: the session's model (the window and colour bar set what shows as 0);
// `digits()`: {xy, f}, the significant digits a zoomed map needs (zoom.js).
export function createReadout(el, python, { model = () => null, digits = () => ({}) } = {}) {
  const idleText = touchPointer() ? TAP_TEXT : IDLE_TEXT;
  const resolution = () => viewResolution(model()?.meta, model()?.colorbar);
  let probing = false;
  let next = null;

  async function probe(point) {
    next = point;
    if (probing) return;
    probing = true;
    while (next) {
      const [x, y] = next;
      next = null;
      try {
        const r = await python.call("probe", { x, y });
        const res = resolution();
        const { xy = 3, f = 3 } = digits();
        el.textContent = `x = ${fmtResolved(r.x, res.x, xy)}, y = ${fmtResolved(r.y, res.y, xy)}`
          + `   f = ${fmtResolved(r.f, res.loss, f)}   ∇f = (${fmt(r.gx)}, ${fmt(r.gy)})`;
      } catch (err) {
        el.textContent = `Could not evaluate f here: ${err.message}`;
      }
    }
    probing = false;
  }

  el.textContent = idleText;
  return {
    probe,
    // While the map has the keyboard focus the readout is announced (politely).
    setLive(on) {
      el.setAttribute("aria-live", on ? "polite" : "off");
    },
    particle(p, i) {
      next = null;
      const res = resolution();
      const s = fmtPoint(p.start[2 * i], p.start[2 * i + 1], res);
      const e = fmtPoint(p.xy[2 * i], p.xy[2 * i + 1], res);
      const what = ["flowing", "at rest", "diverged", "stopped (still creeping)", "left the view"][p.status[i]] ?? "";
      const basin = p.basin[i] >= 0 ? `, in basin of ${p.basins[p.basin[i]]?.label ?? "?"}` : "";
      el.textContent = `particle ${i + 1}: start ${s} → ${e}   flow time t = ${fmt(p.t[i])}   ${what}${basin}`;
    },
    idle() {
      next = null;
      el.textContent = idleText;
    },
  };
}
