// Gradient-flow particles: every particle's path is kept as a thin line on its own layer
// until Clear (or a landscape change), drawn incrementally (each reply adds one segment
// per moving particle) and logged so that a resize can redraw it. The particles
// themselves are drawn into the top layer by drawParticles(): a moving particle is a
// bright outlined dot, one at rest a small blue diamond (minima keep their ★ and ○).

const PATH_COLOR = "rgba(240, 245, 255, 0.6)";
const LOG_LIMIT = 4_000_000; // floats kept for redraws (1M segments); later ones are drawn but not kept
const MOVING_RADIUS = 3.6;
const REST_RADIUS = 3.2;
const ROUND_LIMIT = 300; // up to this many particles the dots are round

export function createParticlesLayer(canvas, view) {
  const c = canvas.getContext("2d");
  let generation = null;
  let prev = null; // the xy array of the reply drawn last
  let log = new Float32Array(4096); // x0 y0 x1 y1 per segment
  let logged = 0;

  function record(x0, y0, x1, y1) {
    if (logged + 4 > log.length) {
      if (log.length >= LOG_LIMIT) return;
      const bigger = new Float32Array(Math.min(LOG_LIMIT, log.length * 2));
      bigger.set(log);
      log = bigger;
    }
    log[logged++] = x0;
    log[logged++] = y0;
    log[logged++] = x1;
    log[logged++] = y1;
  }

  // One stroke per frame for every moving particle (a halo stroke too doubled the
  // software rasterisation that dominates the frame with a thousand particles).
  function strokeSegments() {
    c.lineCap = "butt"; // round caps cost a lot to rasterize in software
    c.lineWidth = 1.1;
    c.strokeStyle = PATH_COLOR;
    c.stroke();
  }

  function redrawAll() {
    const { sx, ox, sy, oy } = view.layout.tf;
    c.clearRect(0, 0, view.layout.width, view.layout.height);
    c.save();
    view.clip(c);
    c.beginPath();
    for (let i = 0; i < logged; i += 4) {
      c.moveTo(ox + sx * log[i], oy + sy * log[i + 1]);
      c.lineTo(ox + sx * log[i + 2], oy + sy * log[i + 3]);
    }
    strokeSegments();
    c.restore();
  }

  return {
    canvas,
    // Whatever the layout did, the log redraws the kept paths.
    relaid() {
      redrawAll();
    },
    draw(particles) {
      if (!particles || particles.generation !== generation) {
        generation = particles?.generation ?? null;
        logged = 0;
        prev = null;
        c.clearRect(0, 0, view.layout.width, view.layout.height);
      }
      if (!particles || particles.xy === prev) return;
      const xy = particles.xy;
      if (prev) {
        const n = Math.min(particles.count, prev.length / 2);
        const { sx, ox, sy, oy } = view.layout.tf;
        c.save();
        view.clip(c);
        c.beginPath();
        let moved = false;
        for (let i = 0; i < n; i++) {
          const x0 = prev[2 * i];
          const y0 = prev[2 * i + 1];
          const x1 = xy[2 * i];
          const y1 = xy[2 * i + 1];
          if (x0 === x1 && y0 === y1) continue;
          c.moveTo(ox + sx * x0, oy + sy * y0);
          c.lineTo(ox + sx * x1, oy + sy * y1);
          record(x0, y0, x1, y1);
          moved = true;
        }
        if (moved) strokeSegments();
        c.restore();
      }
      prev = xy;
    },
  };
}

// Dots and rest markers, in two batched paths per kind (thousands of arcs are slow
// without a GPU; at these sizes squares and diamonds read as well).
export function drawParticles(c, view, particles) {
  if (!particles || particles.count === 0) return;
  const { xy, status, count } = particles;
  const { sx, ox, sy, oy } = view.layout.tf;
  // At rest (1) and stopped/diverged (2, 3): small diamonds.
  c.beginPath();
  for (let i = 0; i < count; i++) {
    if (status[i] === 0) continue;
    const px = ox + sx * xy[2 * i];
    const py = oy + sy * xy[2 * i + 1];
    c.moveTo(px, py - REST_RADIUS);
    c.lineTo(px + REST_RADIUS, py);
    c.lineTo(px, py + REST_RADIUS);
    c.lineTo(px - REST_RADIUS, py);
    c.closePath();
  }
  c.fillStyle = "#7fb6ff";
  c.fill();
  c.lineWidth = 1;
  c.strokeStyle = "rgba(6, 8, 14, 0.9)";
  c.stroke();
  // Moving: bright dots with a dark outline, so they read on every colour map.
  c.beginPath();
  const r = MOVING_RADIUS;
  const round = count <= ROUND_LIMIT;
  for (let i = 0; i < count; i++) {
    if (status[i] !== 0) continue;
    const px = ox + sx * xy[2 * i];
    const py = oy + sy * xy[2 * i + 1];
    if (round) {
      c.moveTo(px + r, py);
      c.arc(px, py, r, 0, 2 * Math.PI);
    } else {
      c.rect(px - r, py - r, 2 * r, 2 * r);
    }
  }
  c.fillStyle = "#ffffff";
  c.fill();
  c.lineWidth = 1.4;
  c.strokeStyle = "rgba(6, 8, 14, 0.95)";
  c.stroke();
}

// The particle nearest to CSS pixel (px, py) within `radius` pixels, or -1.
export function particleAt(view, particles, px, py, radius = 7) {
  if (!particles || !view.layout) return -1;
  const { sx, ox, sy, oy } = view.layout.tf;
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < particles.count; i++) {
    const dx = ox + sx * particles.xy[2 * i] - px;
    const dy = oy + sy * particles.xy[2 * i + 1] - py;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
