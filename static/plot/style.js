// Styles shared by the plot's layers and the panels: per optimizer key a colour, a dash
// pattern (trail, loss-chart line) and an end-marker shape (ball, legend swatch); one
// colour per basin.

import { FALLBACK_COLOR, OPTIMIZER_COLORS, OPTIMIZER_DASHES, OPTIMIZER_SHAPES } from "../config.js";

export function colorOf(key) {
  return OPTIMIZER_COLORS[key] ?? FALLBACK_COLOR;
}

export function dashOf(key) {
  return OPTIMIZER_DASHES[key] ?? [];
}

export function shapeOf(key) {
  return OPTIMIZER_SHAPES[key] ?? "circle";
}

// The dark that outlines markers and haloes lines, so they read on every colour map.
export const HALO = "rgba(8, 10, 18, 0.95)";

// Vertices of `shape` centred on (0, 0) with "radius" r (scaled so that every shape
// covers about the area of a circle of radius r); null for the circle.
function vertices(shape, r) {
  const polygon = (n, turn, scale) => Array.from({ length: n }, (_, i) => {
    const a = turn + (2 * Math.PI * i) / n;
    return [scale * r * Math.cos(a), scale * r * Math.sin(a)];
  });
  switch (shape) {
    case "square":
      return polygon(4, Math.PI / 4, 1.26);
    case "diamond":
      return polygon(4, -Math.PI / 2, 1.36);
    case "triangle":
      return polygon(3, -Math.PI / 2, 1.5).map(([x, y]) => [x, y + 0.2 * r]);
    case "triangle-down":
      return polygon(3, Math.PI / 2, 1.5).map(([x, y]) => [x, y - 0.2 * r]);
    case "pentagon":
      return polygon(5, -Math.PI / 2, 1.15);
    case "hexagon":
      return polygon(6, 0, 1.1);
    case "triangle-right":
      return polygon(3, 0, 1.5).map(([x, y]) => [x - 0.2 * r, y]);
    case "triangle-left":
      return polygon(3, Math.PI, 1.5).map(([x, y]) => [x + 0.2 * r, y]);
    case "star":
      return star(5, 1.55 * r, 0.65 * r);
    case "star4":
      return star(4, 1.6 * r, 0.6 * r);
    case "x": {
      // The cross turned by 45°.
      const a = 0.42 * r;
      const b = 1.22 * r;
      const k = Math.SQRT1_2;
      return [[-a, -b], [a, -b], [a, -a], [b, -a], [b, a], [a, a], [a, b], [-a, b], [-a, a], [-b, a], [-b, -a], [-a, -a]]
        .map(([x, y]) => [k * (x - y), k * (x + y)]);
    }
    case "bowtie": {
      const w = 1.3 * r;
      const h = 1.1 * r;
      return [[-w, -h], [0, -0.25 * h], [w, -h], [w, h], [0, 0.25 * h], [-w, h]];
    }
    case "dome": {
      // A half disc, flat side down.
      const R = 1.45 * r;
      const arc = Array.from({ length: 9 }, (_, i) => {
        const a = Math.PI + (Math.PI * i) / 8;
        return [R * Math.cos(a), R * Math.sin(a) + 0.42 * R];
      });
      return arc;
    }
    case "dart":
      return [[0, -1.45 * r], [1.25 * r, 1.1 * r], [0, 0.45 * r], [-1.25 * r, 1.1 * r]];
    case "cross": {
      const a = 0.42 * r;
      const b = 1.22 * r;
      return [[-a, -b], [a, -b], [a, -a], [b, -a], [b, a], [a, a], [a, b], [-a, b], [-a, a], [-b, a], [-b, -a], [-a, -a]];
    }
    default:
      return null;
  }
}

// An n-pointed star's vertices, pointing up, outer radius R, inner r.
function star(n, R, r) {
  return Array.from({ length: 2 * n }, (_, i) => {
    const a = -Math.PI / 2 + (Math.PI * i) / n;
    const d = i % 2 ? r : R;
    return [d * Math.cos(a), d * Math.sin(a)];
  });
}

// Adds the outline of `shape` at (x, y) to the current path of a canvas context.
export function shapePath(c, shape, x, y, r) {
  const points = vertices(shape, r);
  if (!points) {
    c.moveTo(x + r, y);
    c.arc(x, y, r, 0, 2 * Math.PI);
    return;
  }
  points.forEach(([px, py], i) => (i ? c.lineTo(x + px, y + py) : c.moveTo(x + px, y + py)));
  c.closePath();
}

// The same outline as an SVG element (for the legend's swatches).
function svgShape(shape, x, y, r) {
  const ns = "http://www.w3.org/2000/svg";
  const points = vertices(shape, r);
  if (!points) {
    const circle = document.createElementNS(ns, "circle");
    circle.setAttribute("cx", x);
    circle.setAttribute("cy", y);
    circle.setAttribute("r", r);
    return circle;
  }
  const polygon = document.createElementNS(ns, "polygon");
  polygon.setAttribute("points", points.map(([px, py]) => `${(x + px).toFixed(2)},${(y + py).toFixed(2)}`).join(" "));
  return polygon;
}

// A small inline SVG that shows an optimizer the way the plot draws it: a short sample of
// its trail (colour, dash, dark halo) ending in its ball's shape (when `marker` is set).
export function swatchSvg(key, { width = 38, height = 14, marker = true, lineWidth = 1.8, color = colorOf(key) } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("swatch-svg");
  svg.style.verticalAlign = "middle";
  svg.style.overflow = "visible";
  const y = height / 2;
  const r = Math.min(4.6, height / 2 - 2.2);
  const end = marker ? width - r - 2 : width - 1.5;
  const line = (stroke, w, dash) => {
    const el = document.createElementNS(ns, "line");
    el.setAttribute("x1", 1.5);
    el.setAttribute("x2", end);
    el.setAttribute("y1", y);
    el.setAttribute("y2", y);
    el.setAttribute("stroke", stroke);
    el.setAttribute("stroke-width", w);
    el.setAttribute("stroke-linecap", "round");
    if (dash?.length) el.setAttribute("stroke-dasharray", dash.join(" "));
    return el;
  };
  svg.append(line(HALO, lineWidth + 2.6, null), line(color, lineWidth, dashOf(key)));
  if (marker) {
    const ball = svgShape(shapeOf(key), end, y, r);
    ball.setAttribute("fill", color);
    ball.setAttribute("stroke", HALO);
    ball.setAttribute("stroke-width", 1.8);
    ball.setAttribute("stroke-linejoin", "round");
    svg.append(ball);
  }
  return svg;
}

// Basins of attraction, in the order app.py numbers them (known minima first, then
// minima the particles found). Chosen to read as translucent washes over any colour map.
export const BASIN_COLORS = [
  [255, 99, 132], [54, 162, 235], [255, 206, 86], [75, 222, 160], [170, 120, 255],
  [255, 159, 64], [0, 210, 230], [240, 240, 240], [160, 200, 60], [230, 120, 200],
];

export function basinColor(index, alpha = 1) {
  const [r, g, b] = BASIN_COLORS[index % BASIN_COLORS.length];
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
