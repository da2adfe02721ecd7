// The base layer: heatmap, iso-loss contours, minima (★ global, ○ local), the
// landscape's own markers (e.g. the regression's true parameters), axes named by the
// landscape, and the colour bar. Redrawn only when the scene or the layout changes.

import { fmt } from "../format.js";
import { niceTicks, tickDigits } from "./view.js";

const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const AXIS_COLOR = "rgba(214, 222, 238, 0.75)";
const LABEL_COLOR = "#b9c2d3";
const CONTOUR_COLOR = "rgba(255, 255, 255, 0.26)";
const DARK = "rgba(10, 12, 20, 0.9)";
const Y_LABEL_MIN_X = 15; // the rotated y label needs about a line (12 px type) left of its anchor

export function createBaseLayer(canvas, view) {
  const c = canvas.getContext("2d");
  const heatmapImage = document.createElement("canvas");
  const barImage = document.createElement("canvas");
  let picture = null; // {extent, contours, colorbar, meta}

  function setPicture(scene, meta) {
    const { heatmap, contours, colorbar } = scene;
    heatmapImage.width = heatmap.width;
    heatmapImage.height = heatmap.height;
    const pixels = new Uint8ClampedArray(heatmap.rgba.buffer, heatmap.rgba.byteOffset, heatmap.rgba.length);
    heatmapImage.getContext("2d").putImageData(new ImageData(pixels, heatmap.width, heatmap.height), 0, 0);

    // LUT entry 0 is the lowest loss: it goes at the bottom of the bar.
    const lut = colorbar.lut;
    const steps = lut.length / 4;
    barImage.width = 1;
    barImage.height = steps;
    const column = new ImageData(1, steps);
    for (let i = 0; i < steps; i++) column.data.set(lut.subarray(4 * i, 4 * i + 4), 4 * (steps - 1 - i));
    barImage.getContext("2d").putImageData(column, 0, 0);
    picture = { extent: heatmap.extent, contours, colorbar, meta };
  }

  function draw() {
    const { plot, bar, width, height } = view.layout;
    c.clearRect(0, 0, width, height);
    c.imageSmoothingEnabled = true;
    c.imageSmoothingQuality = "high";
    c.save();
    view.clip(c);
    // Where the picture's own window falls: the plot exactly, or (zoomed or panned, while
    // the picture of the new window is computed) the old picture stretched over it.
    const [x0, y0] = view.toPixel(picture.extent[0], picture.extent[3]);
    const [x1, y1] = view.toPixel(picture.extent[1], picture.extent[2]);
    c.drawImage(heatmapImage, x0, y0, x1 - x0, y1 - y0);
    drawContours();
    c.restore();
    c.strokeStyle = "rgba(255, 255, 255, 0.28)";
    c.lineWidth = 1;
    c.strokeRect(plot.x - 0.5, plot.y - 0.5, plot.w + 1, plot.h + 1);
    drawAxes();
    drawColorbar(bar);
  }

  function drawContours() {
    if (!picture.contours) return; // contourpy still loading: they follow in a moment
    const { xy, offsets } = picture.contours;
    c.beginPath();
    for (let line = 0; line + 1 < offsets.length; line++) {
      if (offsets[line + 1] - offsets[line] >= 2) view.tracePolyline(c, xy, offsets[line], offsets[line + 1]);
    }
    c.strokeStyle = CONTOUR_COLOR;
    c.lineWidth = 0.9;
    c.stroke();
  }

  function drawAxes() {
    const { plot, extent } = view.layout;
    const [xmin, xmax, ymin, ymax] = extent;
    const [xLabel, yLabel] = picture.meta.axis_labels ?? ["x", "y"];
    c.font = FONT;
    c.fillStyle = LABEL_COLOR;
    c.strokeStyle = AXIS_COLOR;
    c.lineWidth = 1;
    c.textAlign = "center";
    c.textBaseline = "top";
    c.beginPath();
    const xTicks = niceTicks(xmin, xmax, Math.max(3, Math.round(plot.w / 90)));
    const xDigits = tickDigits(xTicks, 4);
    for (const t of xTicks) {
      const x = Math.round(view.toPixel(t, ymin)[0]) + 0.5;
      c.moveTo(x, plot.y + plot.h + 1);
      c.lineTo(x, plot.y + plot.h + 6);
      c.fillText(fmt(t, xDigits), x, plot.y + plot.h + 9);
    }
    c.textAlign = "right";
    c.textBaseline = "middle";
    const yTicks = niceTicks(ymin, ymax, Math.max(3, Math.round(plot.h / 90)));
    const yDigits = tickDigits(yTicks, 4);
    let widest = 0;
    for (const t of yTicks) {
      const y = Math.round(view.toPixel(xmin, t)[1]) + 0.5;
      c.moveTo(plot.x - 1, y);
      c.lineTo(plot.x - 6, y);
      c.fillText(fmt(t, yDigits), plot.x - 9, y);
      widest = Math.max(widest, c.measureText(fmt(t, yDigits)).width);
    }
    c.stroke();
    c.font = `italic ${FONT}`;
    c.textAlign = "center";
    c.textBaseline = "top";
    c.fillText(xLabel, plot.x + plot.w / 2, plot.y + plot.h + 27);
    c.save();
    // Rotated, the label lies left of this x, about a line high: left of the tick labels,
    // but never past the canvas's edge (a compact plot's margin is narrow).
    c.translate(Math.max(Y_LABEL_MIN_X, Math.min(plot.x - 42, plot.x - 15 - widest)), plot.y + plot.h / 2);
    c.rotate(-Math.PI / 2);
    c.textBaseline = "bottom";
    c.fillText(yLabel, 0, 0);
    c.restore();
  }

  function drawColorbar(bar) {
    c.imageSmoothingEnabled = true;
    c.drawImage(barImage, bar.x, bar.y, bar.w, bar.h);
    c.strokeStyle = "rgba(255, 255, 255, 0.28)";
    c.strokeRect(bar.x - 0.5, bar.y - 0.5, bar.w + 1, bar.h + 1);
    c.font = FONT;
    c.fillStyle = LABEL_COLOR;
    c.strokeStyle = AXIS_COLOR;
    c.textAlign = "left";
    c.textBaseline = "middle";
    c.beginPath();
    // Round losses (rendering.colorbar_ticks), written as the legend writes numbers (with
    // more digits where a zoomed window's ticks differ only there).
    const digits = tickDigits(picture.colorbar.ticks.map((t) => t.value), 3);
    for (const { pos, value } of picture.colorbar.ticks) {
      const y = Math.round(bar.y + (1 - pos) * bar.h) + 0.5;
      c.moveTo(bar.x + bar.w + 1, y);
      c.lineTo(bar.x + bar.w + 5, y);
      c.fillText(fmt(value, digits), bar.x + bar.w + 8, y);
    }
    c.stroke();
    c.textBaseline = "bottom";
    // A zoomed picture has its own scale (rendering/window.py): the bar says so.
    const name = picture.colorbar.range ? "loss in view" : "loss";
    const text = picture.colorbar.scale === "log" ? `${name} (log)` : name;
    c.fillText(text, Math.min(bar.x, view.layout.width - 4 - c.measureText(text).width), bar.y - 8);
  }

  return {
    canvas,
    setPicture,
    setContours(contours) {
      if (picture) picture.contours = contours;
    },
    draw,
    // The heatmap's RGBA under CSS pixel (px, py), read from the picture itself (for tests).
    pixelAt(px, py) {
      if (!picture) return null;
      const [x, y] = view.toData(px, py);
      const [xmin, xmax, ymin, ymax] = picture.extent;
      const i = Math.floor(((x - xmin) / (xmax - xmin)) * heatmapImage.width);
      const j = Math.floor(((ymax - y) / (ymax - ymin)) * heatmapImage.height);
      if (!(i >= 0 && i < heatmapImage.width && j >= 0 && j < heatmapImage.height)) return null;
      return Array.from(heatmapImage.getContext("2d").getImageData(i, j, 1, 1).data);
    },
    get picture() {
      return picture;
    },
    get size() {
      return [heatmapImage.width, heatmapImage.height];
    },
  };
}

// Minima and landscape markers sit above the basin map and the paths so they stay
// visible; they are drawn into the top layer by markers().
export function drawMarkers(c, view, meta) {
  c.lineWidth = 1.5;
  for (const m of meta.minima ?? []) {
    const [px, py] = view.toPixel(m.x, m.y);
    if (m.is_global) {
      starPath(c, px, py, 8, 3.4);
      c.fillStyle = "#ffffff";
      c.strokeStyle = DARK;
      c.lineWidth = 1.5;
      c.fill();
      c.stroke();
    } else {
      c.beginPath();
      c.arc(px, py, 5.5, 0, 2 * Math.PI);
      c.lineWidth = 3.5;
      c.strokeStyle = DARK;
      c.stroke();
      c.lineWidth = 1.6;
      c.strokeStyle = "#ffffff";
      c.stroke();
    }
  }
  for (const mark of meta.markers ?? []) {
    const [px, py] = view.toPixel(mark.x, mark.y);
    c.beginPath();
    c.moveTo(px - 7, py - 7);
    c.lineTo(px + 7, py + 7);
    c.moveTo(px + 7, py - 7);
    c.lineTo(px - 7, py + 7);
    c.lineWidth = 4;
    c.strokeStyle = DARK;
    c.stroke();
    c.lineWidth = 1.8;
    c.strokeStyle = "#ffffff";
    c.stroke();
    c.font = FONT;
    c.textAlign = "left";
    c.textBaseline = "bottom";
    c.lineWidth = 3;
    c.strokeStyle = DARK;
    c.strokeText(mark.label, px + 9, py - 4);
    c.fillStyle = "#ffffff";
    c.fillText(mark.label, px + 9, py - 4);
  }
}

function starPath(c, cx, cy, outer, inner) {
  c.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? inner : outer;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const x = cx + r * Math.cos(a);
    const y = cy + r * Math.sin(a);
    if (i === 0) c.moveTo(x, y);
    else c.lineTo(x, y);
  }
  c.closePath();
}
