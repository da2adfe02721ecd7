// Where the labels of balls that left the view go ("SGD diverged at step 10"), so that
// none overlaps another. Several balls that diverge the same way sit at the same point of
// the border; their labels would be drawn on top of each other ("MomerSGD diverged…").
//
// Each label wants a box next to its marker. Labels are placed one by one (in the order
// given); a label whose wanted box overlaps one already placed moves by whole line heights,
// down then up, alternately (the nearest free row first), staying inside the plot. A
// plot too small to hold them all keeps the rest where they wanted to be.

export const LINE_GAP = 2; // px between stacked labels

// labels: [{x, y, w, h}] wanted boxes (x, y the top-left corner); plot: {x, y, w, h}.
// Returns the placed boxes, in the same order.
export function placeLabels(labels, plot) {
  const placed = [];
  for (const want of labels) {
    placed.push(placeOne(clampBox(want, plot), placed, plot));
  }
  return placed;
}

function placeOne(want, placed, plot) {
  const pitch = want.h + LINE_GAP;
  const rows = Math.ceil(plot.h / pitch) + 1;
  for (let k = 0; k <= rows; k++) {
    for (const dir of k === 0 ? [0] : [1, -1]) {
      const box = { ...want, y: want.y + dir * k * pitch };
      if (box.y < plot.y || box.y + box.h > plot.y + plot.h) continue;
      if (!placed.some((other) => overlaps(box, other))) return box;
    }
  }
  return want;
}

function clampBox(box, plot) {
  const x = Math.min(plot.x + plot.w - box.w - 4, Math.max(plot.x + 4, box.x));
  const y = Math.min(plot.y + plot.h - box.h - 2, Math.max(plot.y + 2, box.y));
  return { ...box, x, y };
}

export function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
