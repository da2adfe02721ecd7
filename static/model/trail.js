// Trail of one ball: its positions so far, at most `capacity` points.
//
// When full, the older half is thinned to every other point and the newer half is kept
// whole, so the recent path stays exact and the memory stays bounded. `appended` counts
// every point ever added: a renderer that remembers how many it has drawn knows the
// newest `appended - drawn` points are the ones still to draw.

export class Trail {
  constructor(capacity) {
    this.capacity = capacity;
    this.xy = new Float64Array(2 * capacity);
    this.length = 0;
    this.appended = 0;
    this.generation = 0; // bumped by clear(): everything drawn before is stale
  }

  clear(x, y) {
    this.length = 0;
    this.appended = 0;
    this.generation += 1;
    if (x !== undefined) this.push(x, y);
  }

  push(x, y) {
    const n = this.length;
    // A resting ball would fill the buffer with copies of one point.
    if (n > 0 && this.xy[2 * n - 2] === x && this.xy[2 * n - 1] === y) return;
    this.append(x, y);
  }

  // A break in the path (a random restart jumped): the next point starts a new line.
  gap() {
    const n = this.length;
    if (n === 0 || Number.isNaN(this.xy[2 * n - 2])) return;
    this.append(NaN, NaN);
  }

  append(x, y) {
    if (this.length === this.capacity) this.thin();
    this.xy[2 * this.length] = x;
    this.xy[2 * this.length + 1] = y;
    this.length += 1;
    this.appended += 1;
  }

  thin() {
    const half = this.length >> 1;
    let w = 0;
    for (let r = 0; r < half; r += 2, w++) {
      this.xy[2 * w] = this.xy[2 * r];
      this.xy[2 * w + 1] = this.xy[2 * r + 1];
    }
    for (let r = half; r < this.length; r++, w++) {
      this.xy[2 * w] = this.xy[2 * r];
      this.xy[2 * w + 1] = this.xy[2 * r + 1];
    }
    this.length = w;
  }

  last() {
    return this.length ? [this.xy[2 * this.length - 2], this.xy[2 * this.length - 1]] : null;
  }
}
