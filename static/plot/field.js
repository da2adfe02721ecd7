// The gradient field −∇f as arrows on a coarse grid (the classic gradient-flow picture): each arrow,
// centred on its grid point, points exactly along −∇f; its length (in data units, from
// optimizers.flow.field_arrows) grows with log(1 + |∇f|/median |∇f|), capped at 90 % of a
// cell, so both gentle and steep regions read. Drawn once per scene and layout.

import { arrowHead } from "./arrow-shape.js";

export function createFieldLayer(canvas, view) {
  const c = canvas.getContext("2d");
  let field = null;

  function draw() {
    c.clearRect(0, 0, view.layout.width, view.layout.height);
    if (!field) return;
    const { x, y, u, v } = field;
    const n = x.length;
    const { sx, sy } = view.layout.tf;
    c.save();
    view.clip(c);
    c.beginPath();
    for (let i = 0; i < n; i++) {
      const [px, py] = view.toPixel(x[i], y[i]);
      const dx = sx * u[i];
      const dy = sy * v[i];
      const len = Math.hypot(dx, dy);
      if (!(len > 0)) continue;
      const tx = px - dx / 2;
      const ty = py - dy / 2;
      const hx = px + dx / 2;
      const hy = py + dy / 2;
      c.moveTo(tx, ty);
      c.lineTo(hx, hy);
      arrowHead(c, hx, hy, Math.atan2(dy, dx), Math.min(5, len * 0.4));
    }
    c.lineCap = "round";
    c.lineWidth = 3;
    c.strokeStyle = "rgba(6, 8, 14, 0.55)";
    c.stroke();
    c.lineWidth = 1.3;
    c.strokeStyle = "rgba(255, 255, 255, 0.85)";
    c.stroke();
    c.restore();
  }

  return {
    canvas,
    set(next) {
      field = next;
    },
    get shown() {
      return Boolean(field);
    },
    draw,
  };
}
