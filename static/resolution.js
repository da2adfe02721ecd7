// Numbers as the view can show them: a value closer to 0 than anything the view resolves
// is shown as 0, not as 2.11e-206. fmt() itself stays exact (scenes/format.py is its
// port, compared by tests/test_rendering.py); this rule sits on top of it, for the
// outcome table and the readout.
//
// The rule, in the view's own units:
//   * a coordinate x is shown as 0 when |x| < 1e-9 × the window's span on that axis. A
//     pixel is about 1e-3 of the span, and three significant digits of a coordinate of
//     the window's size resolve 1e-3 of it too; a billionth of the span is a millionth
//     of a pixel: the ball sits on 0. Values down to that still show in full (1.2e-7 on
//     a window 10 wide), so a run's approach to a minimum stays readable.
//   * a loss f is shown as 0 when |f| < 1e-12 × the picture's loss scale, the largest
//     loss its colour bar labels: twelve orders of magnitude below the picture's losses,
//     where the loss chart floors "loss − f*" too (model/loss-history.js, MIN_GAP).

import { fmt } from "./format.js";

export const COORDINATE_RESOLUTION = 1e-9; // × the window's span
export const LOSS_RESOLUTION = 1e-12; // × the picture's loss scale

// {x, y, loss}: the smallest magnitudes shown as themselves, from the landscape's window
// (`meta.domain`) and the picture's colour bar ticks ({value}); 0 where unknown.
export function viewResolution(meta, colorbar) {
  const [xmin, xmax, ymin, ymax] = meta?.domain ?? [0, 0, 0, 0];
  const ticks = colorbar?.ticks ?? [];
  const scale = ticks.reduce((m, t) => (Number.isFinite(t.value) ? Math.max(m, Math.abs(t.value)) : m), 0);
  return {
    x: COORDINATE_RESOLUTION * Math.abs(xmax - xmin),
    y: COORDINATE_RESOLUTION * Math.abs(ymax - ymin),
    loss: LOSS_RESOLUTION * scale,
  };
}

// fmt(value, digits), with a value below `resolution` in magnitude written "0".
export function fmtResolved(value, resolution, digits = 3) {
  return fmt(Number.isFinite(value) && Math.abs(value) < resolution ? 0 : value, digits);
}

// "(x, y)" as the table and the readout write a point.
export function fmtPoint(x, y, resolution) {
  return `(${fmtResolved(x, resolution.x)}, ${fmtResolved(y, resolution.y)})`;
}
