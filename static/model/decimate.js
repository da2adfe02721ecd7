// Min–max decimation for a line chart: at most two points per pixel column, so that
// drawing costs what the chart's width allows, not what the history holds.
//
//   const d = decimate(steps, [ys0, ys1, ...], columns);
//   d.x, d.ys   the arrays to draw (aligned: one x array for every series)
//   d.index     d.index[j] is the index into `steps` whose step d.x[j] is
//
// The x range [steps[0], steps.at(-1)] is cut into `columns` equal columns. A column
// with at most two points keeps them as they are. A column with more keeps two: its
// first and last step on x, and for each series its lowest and highest value in the
// order they occur (a flat series keeps its value twice). Drawn one pixel wide, the line
// then covers exactly the vertical extent the full data would cover in that column, so
// spikes, the lowest loss and oscillations survive. A series with a gap (null) in a
// column keeps a gap there: its second point is null. The last point of the data is
// always kept as it is (it is what "latest" shows).
//
// When steps.length ≤ 2·columns nothing is dropped: the input arrays come back as they
// are (no copy), with `index` null (identity).

export function decimate(steps, series, columns) {
  const n = steps.length;
  const cols = Math.max(1, Math.floor(columns));
  if (n <= 2 * cols) return { x: steps, ys: series, index: null };
  const x0 = steps[0];
  const width = steps[n - 2] - x0 || 1; // the last point is a column of its own
  const x = [];
  const index = [];
  const ys = series.map(() => []);
  let start = 0;
  while (start < n - 1) {
    const col = Math.min(cols - 1, Math.floor(((steps[start] - x0) / width) * cols));
    let end = start;
    while (end + 1 < n - 1 && Math.min(cols - 1, Math.floor(((steps[end + 1] - x0) / width) * cols)) === col) end++;
    if (end - start < 2) {
      for (let i = start; i <= end; i++) keep(i);
    } else {
      x.push(steps[start], steps[end]);
      index.push(start, end);
      series.forEach((values, s) => {
        const [a, b] = extremes(values, start, end);
        ys[s].push(a, b);
      });
    }
    start = end + 1;
  }
  keep(n - 1);
  return { x, ys, index };

  function keep(i) {
    x.push(steps[i]);
    index.push(i);
    series.forEach((values, s) => ys[s].push(values[i] ?? null));
  }
}

// The lowest and highest value of values[start..end] in the order they occur; with a
// null among them, [lowest, null] (the gap stays); all null: [null, null].
function extremes(values, start, end) {
  let lo = Infinity;
  let hi = -Infinity;
  let loAt = -1;
  let hiAt = -1;
  let gap = false;
  for (let i = start; i <= end; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      gap = true;
      continue;
    }
    if (v < lo) [lo, loAt] = [v, i];
    if (v > hi) [hi, hiAt] = [v, i];
  }
  if (loAt < 0) return [null, null];
  if (gap) return [lo, null];
  return loAt <= hiAt ? [lo, hi] : [hi, lo];
}
