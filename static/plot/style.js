// Colours shared by the plot's layers and the panels: one per optimizer key, one per basin.

import { FALLBACK_COLOR, OPTIMIZER_COLORS } from "../config.js";

export function colorOf(key) {
  return OPTIMIZER_COLORS[key] ?? FALLBACK_COLOR;
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
