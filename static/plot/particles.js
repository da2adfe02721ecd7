// Gradient-flow particles: every particle's path is kept as a thin line on its own layer
// until Clear (or a landscape change), drawn incrementally (each reply adds one segment
// per moving particle) and logged so that a resize can redraw it. The particles
// themselves are drawn into the top layer by drawParticles(): a moving particle is a
// bright outlined dot, one at rest a small blue diamond (minima keep their ★ and ○).

const PATH_COLOR = "rgba(240, 245, 255, 0.6)";
const LOG_LIMIT = 4_000_000; // floats kept for redraws (1M segments); later ones are drawn but not kept
const MOVING_RADIUS = 3.6;
const REST_RADIUS = 3.2;

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

// Dots and rest markers as small pre-drawn images, one blit each (in software
// rasterisation a thousand filled and outlined paths cost several times more per frame
// than a thousand copies of one image), placed on whole device pixels.
export function drawParticles(c, view, particles) {
  if (!particles || particles.count === 0) return;
  const { xy, status, count } = particles;
  const { sx, ox, sy, oy } = view.layout.tf;
  const dpr = view.layout.dpr || 1;
  const sprites = spritesFor(dpr);
  for (const [sprite, moving] of [[sprites.rest, false], [sprites.moving, true]]) {
    const half = (sprite.pixels - 1) / 2; // device pixels from the sprite's edge to its centre pixel
    const size = sprite.pixels / dpr;
    for (let i = 0; i < count; i++) {
      if ((status[i] === 0) !== moving) continue;
      const px = (Math.round((ox + sx * xy[2 * i]) * dpr) - half) / dpr;
      const py = (Math.round((oy + sy * xy[2 * i + 1]) * dpr) - half) / dpr;
      c.drawImage(sprite.image, px, py, size, size);
    }
  }
}

// Moving: a bright round dot with a dark outline, so it reads on every colour map. At
// rest (1) and stopped/diverged (2, 3): a small blue diamond, outlined.
const SPRITES = new Map(); // dpr -> {moving, rest}

function spritesFor(dpr) {
  let s = SPRITES.get(dpr);
  if (!s) {
    s = {
      moving: sprite(dpr, MOVING_RADIUS, 1.4, (c, r) => c.arc(0, 0, r, 0, 2 * Math.PI), "#ffffff", "rgba(6, 8, 14, 0.95)"),
      rest: sprite(dpr, REST_RADIUS, 1, diamond, "#7fb6ff", "rgba(6, 8, 14, 0.9)"),
    };
    SPRITES.set(dpr, s);
  }
  return s;
}

function diamond(c, r) {
  c.moveTo(0, -r);
  c.lineTo(r, 0);
  c.lineTo(0, r);
  c.lineTo(-r, 0);
  c.closePath();
}

// A canvas `pixels` device pixels square (an odd number, so the shape's centre is a
// pixel's centre: blitted on whole pixels it needs no resampling), replaced by an
// ImageBitmap of it once that is ready.
function sprite(dpr, radius, lineWidth, shape, fill, stroke) {
  const pixels = 2 * Math.ceil((radius + lineWidth) * dpr) + 1;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = pixels;
  const c = canvas.getContext("2d");
  c.setTransform(dpr, 0, 0, dpr, pixels / 2, pixels / 2);
  c.beginPath();
  shape(c, radius);
  c.fillStyle = fill;
  c.fill();
  c.lineWidth = lineWidth;
  c.strokeStyle = stroke;
  c.stroke();
  const out = { image: canvas, pixels };
  if (typeof createImageBitmap === "function") createImageBitmap(canvas).then((bitmap) => (out.image = bitmap), () => {});
  return out;
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
