// How many optimizer steps to ask the worker for, so that Speed N means N × 60 optimizer
// steps per second of wall time (N per frame at 60 fps), whatever the frame rate.
//
// The worker answers one advance at a time; while one is in flight the frames pass
// without asking. So the steps are owed by elapsed time: each ask adds the time since the
// last one × the rate, asks for the whole steps owed and carries the fraction (and what a
// cap held back) over. Two caps keep the page responsive when the machine cannot keep
// up: one request asks for at most the steps the worker does in ADVANCE_BUDGET_MS (50 ms,
// the page's long-task budget, so the balls never stand still longer than that for the
// size of a batch; never fewer than Speed steps), and at most MAX_GAP_MS of time is owed
// at once (a stalled or hidden tab does not come back to a burst).
//
// The worker's time per step is the slope of a request's round trip against its steps
// over the last replies: every request also pays a fixed cost (the messages, the
// snapshot, the particles), which time / steps would count as steps, capping requests
// far too small exactly when the machine is slow. Until the sizes asked for vary enough
// to fit a slope, the cap doubles from the largest request so far. The rate achieved
// over the last second is measured for the control's text.

export const STEPS_PER_SECOND_PER_SPEED = 60;
export const ADVANCE_BUDGET_MS = 50;
export const MAX_GAP_MS = 250;
const RATE_WINDOW_MS = 1000;
const MAX_STEPS_PER_CALL = 1000; // app.py MAX_STEPS_PER_CALL
const FIT_SAMPLES = 24;

export function createPace() {
  let last = null; // the time of the last ask while playing, ms
  let owed = 0;
  const samples = []; // [steps, ms] of the last replies
  let perStep = null; // the last fitted ms per step
  const done = []; // [time, steps] of recent replies, for the achieved rate
  let playingSince = null;

  return {
    // The steps to ask for at time `now` (ms) at `speed`, at most `remaining`.
    take(now, speed, remaining = Infinity) {
      playingSince ??= now;
      const rate = (speed * STEPS_PER_SECOND_PER_SPEED) / 1000; // per ms
      const elapsed = last === null ? 0 : Math.min(MAX_GAP_MS, Math.max(0, now - last));
      last = now;
      owed = Math.min(owed + elapsed * rate, MAX_GAP_MS * rate);
      const steps = Math.max(0, Math.min(Math.floor(owed), this.cap(speed), remaining));
      owed -= steps;
      if (steps === remaining) owed = 0; // stopped at the step count: nothing carries over
      return steps;
    },
    // Most steps one request may ask for at `speed`.
    cap(speed) {
      const most = perStep === null
        ? 2 * samples.reduce((m, [x]) => Math.max(m, x), 0)
        : Math.floor(ADVANCE_BUDGET_MS / perStep);
      return Math.min(MAX_STEPS_PER_CALL, Math.max(speed, most));
    },
    // A reply for `steps` steps came back `ms` after it was asked for, at `now`.
    replied(steps, ms, now) {
      if (steps <= 0) return;
      if (samples.push([steps, ms]) > FIT_SAMPLES) samples.shift();
      perStep = msPerStep(samples) ?? perStep;
      done.push([now, steps]);
      while (done.length && done[0][0] < now - RATE_WINDOW_MS) done.shift();
    },
    // Not playing: the next Play starts owing from its own first frame.
    stop() {
      last = null;
      owed = 0;
      playingSince = null;
      done.length = 0;
    },
    // Steps per second delivered over the last second of play, or null before a full second.
    achieved(now) {
      if (playingSince === null || now - playingSince < RATE_WINDOW_MS) return null;
      const recent = done.filter(([t]) => t >= now - RATE_WINDOW_MS);
      return (recent.reduce((sum, [, s]) => sum + s, 0) * 1000) / RATE_WINDOW_MS;
    },
  };
}

// The worker's milliseconds per step from [steps, ms] samples: the least-squares slope;
// null while the sizes hardly vary or the slope is not positive (too noisy to say).
export function msPerStep(samples) {
  if (samples.length < 3) return null;
  const n = samples.length;
  const mx = samples.reduce((a, [x]) => a + x, 0) / n;
  const my = samples.reduce((a, [, y]) => a + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of samples) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  if (sxx / n < 4) return null; // sizes spread by less than 2 steps (standard deviation)
  const slope = sxy / sxx;
  return slope > 0 ? slope : null;
}
