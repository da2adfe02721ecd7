// The basin map: after Drop grid, each start cell is washed (translucent) in the colour
// of the minimum its particle came to rest in; cells stay until Clear or a landscape
// change, so the separatrices between basins show as colour edges. Redrawn only when
// another particle has settled.

import { basinColor } from "./style.js";

const ALPHA = 0.34;

export function createBasinsLayer(canvas, view) {
  const c = canvas.getContext("2d");
  let generation = null;
  let drawn = new Uint8Array(0); // per particle: its cell is painted
  let settledSeen = -1;

  // Paints only the cells of particles that settled since the last call (each cell once):
  // repainting the whole map at every settling would rasterise the plot area again and
  // again while a grid comes to rest. A new layout or a cleared generation starts over.
  function draw(particles, relaid) {
    const gen = particles ? particles.generation : null;
    if (relaid || gen !== generation || !particles || particles.count < drawn.length) {
      c.clearRect(0, 0, view.layout.width, view.layout.height);
      generation = gen;
      drawn = new Uint8Array(particles ? particles.count : 0);
      settledSeen = -1;
    }
    if (!particles || !particles.count || particles.settled === settledSeen) return;
    settledSeen = particles.settled;
    if (drawn.length < particles.count) {
      const grown = new Uint8Array(particles.count);
      grown.set(drawn);
      drawn = grown;
    }
    const { start, cell, basin, count } = particles;
    const { sx, ox, sy, oy } = view.layout.tf;
    const groups = new Map(); // basin -> particle indices not painted yet
    for (let i = 0; i < count; i++) {
      if (drawn[i] || basin[i] < 0 || cell[2 * i] <= 0) continue;
      drawn[i] = 1;
      if (!groups.has(basin[i])) groups.set(basin[i], []);
      groups.get(basin[i]).push(i);
    }
    if (!groups.size) return;
    c.save();
    view.clip(c);
    for (const [b, members] of groups) {
      c.beginPath();
      for (const i of members) {
        const w = Math.abs(sx * cell[2 * i]);
        const h = Math.abs(sy * cell[2 * i + 1]);
        // Cells meet exactly (rounded to device pixels) so that no seam or overlap shows.
        const x0 = Math.round(ox + sx * start[2 * i] - w / 2);
        const y0 = Math.round(oy + sy * start[2 * i + 1] - h / 2);
        c.rect(x0, y0, Math.round(ox + sx * start[2 * i] + w / 2) - x0, Math.round(oy + sy * start[2 * i + 1] + h / 2) - y0);
      }
      c.fillStyle = basinColor(b, ALPHA);
      c.fill();
    }
    c.restore();
  }

  return { canvas, draw };
}
