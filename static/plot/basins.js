// The basin map: after Drop grid, each start cell is washed (translucent) in the colour
// of the minimum its particle came to rest in; cells stay until Clear or a landscape
// change, so the separatrices between basins show as colour edges. Redrawn only when
// another particle has settled.

import { basinColor } from "./style.js";

const ALPHA = 0.34;

export function createBasinsLayer(canvas, view) {
  const c = canvas.getContext("2d");
  let drawnKey = null;

  function draw(particles, force) {
    const key = particles ? `${particles.generation}:${particles.settled}:${particles.count}` : "none";
    if (key === drawnKey && !force) return;
    drawnKey = key;
    c.clearRect(0, 0, view.layout.width, view.layout.height);
    if (!particles || !particles.count) return;
    const { start, cell, basin, count } = particles;
    const { sx, ox, sy, oy } = view.layout.tf;
    c.save();
    view.clip(c);
    const groups = new Map(); // basin -> particle indices
    for (let i = 0; i < count; i++) {
      if (basin[i] < 0 || cell[2 * i] <= 0) continue;
      if (!groups.has(basin[i])) groups.set(basin[i], []);
      groups.get(basin[i]).push(i);
    }
    for (const [b, members] of groups) {
      c.beginPath();
      for (const i of members) {
        const w = Math.abs(sx * cell[2 * i]);
        const h = Math.abs(sy * cell[2 * i + 1]);
        const px = ox + sx * start[2 * i];
        const py = oy + sy * start[2 * i + 1];
        // Half a pixel of overlap so that neighbouring cells leave no seams.
        c.rect(px - w / 2 - 0.5, py - h / 2 - 0.5, w + 1, h + 1);
      }
      c.fillStyle = basinColor(b, ALPHA);
      c.fill();
    }
    c.restore();
  }

  return { canvas, draw };
}
