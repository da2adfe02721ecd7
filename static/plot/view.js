// The plot's geometry: where the data rectangle sits in the container, and the map
// between data coordinates and CSS pixels. Every layer draws through one `view`.

export const MARGIN = { left: 54, right: 96, top: 30, bottom: 46 };
export const BAR = { gap: 14, width: 13 };
// On a phone-sized plot the frame is tighter, so the map keeps most of the width.
const COMPACT_BELOW = 520;
const COMPACT_MARGIN = { left: 44, right: 70, top: 26, bottom: 42 };
const COMPACT_BAR = { gap: 8, width: 10 };

export function createView(container) {
  const view = {
    layout: null, // {width, height, dpr, extent, plot: {x, y, w, h}, bar, tf}

    // The layout a view of `extent` would have in the container's current box.
    compute(extent) {
      const box = container.getBoundingClientRect();
      const width = Math.max(200, Math.floor(box.width));
      const height = Math.max(200, Math.floor(box.height));
      const [xmin, xmax, ymin, ymax] = extent;
      const compact = width < COMPACT_BELOW;
      const m = compact ? COMPACT_MARGIN : MARGIN;
      const bar = compact ? COMPACT_BAR : BAR;
      const aspect = (xmax - xmin) / (ymax - ymin);
      const availW = width - m.left - m.right;
      const availH = height - m.top - m.bottom;
      let w = availW;
      let h = w / aspect;
      if (h > availH) {
        h = availH;
        w = h * aspect;
      }
      w = Math.floor(w);
      h = Math.floor(h);
      const x = Math.round(m.left + (availW - w) / 2);
      const y = Math.round(m.top + (availH - h) / 2);
      // Data -> CSS pixels: px = ox + sx·x, py = oy + sy·y (sy < 0: y grows upwards).
      const sx = w / (xmax - xmin);
      const sy = -h / (ymax - ymin);
      return {
        width,
        height,
        dpr: window.devicePixelRatio || 1,
        extent,
        plot: { x, y, w, h },
        compact,
        bar: { x: x + w + bar.gap, y, w: bar.width, h },
        tf: { sx, ox: x - sx * xmin, sy, oy: y - sy * ymax },
      };
    },

    toPixel(x, y) {
      const { sx, ox, sy, oy } = view.layout.tf;
      return [ox + sx * x, oy + sy * y];
    },

    toData(px, py) {
      const { sx, ox, sy, oy } = view.layout.tf;
      return [(px - ox) / sx, (py - oy) / sy];
    },

    insidePlot(px, py) {
      if (!view.layout) return false;
      const { plot } = view.layout;
      return px >= plot.x && px <= plot.x + plot.w && py >= plot.y && py <= plot.y + plot.h;
    },

    clip(c) {
      const { plot } = view.layout;
      c.beginPath();
      c.rect(plot.x, plot.y, plot.w, plot.h);
      c.clip();
    },

    // Appends the polyline xy[2·first .. 2·end) (data units) to the current path; a NaN
    // point breaks the line (a random restart's jump is not a path).
    tracePolyline(c, xy, first, end) {
      const { sx, ox, sy, oy } = view.layout.tf;
      let pen = false;
      for (let i = first; i < end; i++) {
        const x = xy[2 * i];
        const y = xy[2 * i + 1];
        if (Number.isNaN(x)) {
          pen = false;
          continue;
        }
        if (pen) c.lineTo(ox + sx * x, oy + sy * y);
        else c.moveTo(ox + sx * x, oy + sy * y);
        pen = true;
      }
    },
  };
  return view;
}

// About `count` round tick values (1, 2 or 5 times a power of ten) inside [lo, hi].
export function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  }
  return ticks;
}

// Significant digits that tell `values` (ticks) apart: at least `least`, more when the
// gaps between them are small next to their size (a zoomed window: 0.50005, 0.5001).
export function tickDigits(values, least) {
  let gap = Infinity;
  for (let i = 1; i < values.length; i++) gap = Math.min(gap, Math.abs(values[i] - values[i - 1]));
  const size = Math.max(...values.map(Math.abs));
  if (!(gap > 0 && Number.isFinite(gap) && size > 0)) return least;
  return Math.min(15, Math.max(least, Math.ceil(Math.log10(size / gap) + 1e-9) + 1));
}
