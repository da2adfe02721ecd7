// The readout under the map: x, y, f and ∇f where the pointer is, or a particle's
// start, end and flow time when the pointer is on one. One probe in flight; the newest
// position goes next. `digits()` says how many significant digits x, y and f need to
// differ from pixel to pixel (more on a zoomed map: zoom.js).

import { fmt } from "../format.js";

const IDLE_TEXT = "Hover over the map to read x, y, f and ∇f; hover a particle for its path.";

export function createReadout(el, python, digits = () => ({})) {
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
        const { xy = 3, f = 3 } = digits();
        el.textContent = `x = ${fmt(r.x, xy)}, y = ${fmt(r.y, xy)}   f = ${fmt(r.f, f)}   ∇f = (${fmt(r.gx)}, ${fmt(r.gy)})`;
      } catch (err) {
        el.textContent = `Could not evaluate f here: ${err.message}`;
      }
    }
    probing = false;
  }

  el.textContent = IDLE_TEXT;
  return {
    probe,
    // While the map has the keyboard focus the readout is announced (politely).
    setLive(on) {
      el.setAttribute("aria-live", on ? "polite" : "off");
    },
    particle(p, i) {
      next = null;
      const s = `(${fmt(p.start[2 * i])}, ${fmt(p.start[2 * i + 1])})`;
      const e = `(${fmt(p.xy[2 * i])}, ${fmt(p.xy[2 * i + 1])})`;
      const what = ["flowing", "at rest", "diverged", "stopped (still creeping)", "left the view"][p.status[i]] ?? "";
      const basin = p.basin[i] >= 0 ? `, in basin of ${p.basins[p.basin[i]]?.label ?? "?"}` : "";
      el.textContent = `particle ${i + 1}: start ${s} → ${e}   flow time t = ${fmt(p.t[i])}   ${what}${basin}`;
    },
    idle() {
      next = null;
      el.textContent = IDLE_TEXT;
    },
  };
}
