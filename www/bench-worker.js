// The browser benchmark's worker: times the figure-5 workload of `pathscope bench` (the same Rust
// calls, src/bench.rs through src/wasm/bench.rs) in one module Web Worker, as the page trains.
//
// Protocol: the page posts { budgetMs }; the worker answers { type: 'progress', op, done, of }
// before each operation, then { type: 'result', result } (or { type: 'error', message }).
// Per operation: a warm-up until the engine's optimizing tier has taken over (see warmUp), then
// samples until the budget is spent (at least `minReps`); a sample times `batch` consecutive
// calls, with `batch` chosen so one sample lasts >= 2 ms (timer resolution), and counts as one
// call's time (divided by `batch`). Reported: the median (and the minimum) of the samples.

import init, { BenchRunner } from './pkg/pathscope.js';

const PEAK_ITERS = 2_000_000; // as in `pathscope bench`: ~10 ms per call at ~13 GFLOP/s

// Engines first run wasm in a baseline tier (V8's Liftoff, SpiderMonkey's baseline compiler) and
// swap in optimized code compiled in the background, later on a busy machine. So the warm-up runs
// blocks of >= 50 ms until two blocks in a row are no faster than 0.97 x the best block so far
// (and at least 15% of the budget has passed; at most 4 s).
function warmUp(fn, budgetMs) {
  let sink = 0;
  const start = performance.now();
  let best = Infinity;
  let calm = 0;
  let calls = 0;
  while (performance.now() - start < 4000) {
    const t0 = performance.now();
    let n = 0;
    do {
      sink += fn();
      n += 1;
    } while (performance.now() - t0 < 50 || n < 2);
    const perCall = (performance.now() - t0) / n;
    calls += n;
    calm = perCall < 0.97 * best ? 0 : calm + 1;
    best = Math.min(best, perCall);
    if (calm >= 2 && performance.now() - start >= 0.15 * budgetMs) break;
  }
  return { perCall: best, sink, ms: performance.now() - start, calls };
}

function measure(fn, budgetMs, minReps) {
  const warm = warmUp(fn, budgetMs);
  let sink = warm.sink;
  // One sample lasts >= 2 ms, so the timer's resolution (5 us to 1 ms) does not matter.
  const batch = Math.max(1, Math.ceil(2 / Math.max(warm.perCall, 1e-3)));
  const times = [];
  const start = performance.now();
  while (times.length < minReps || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink += fn();
    times.push((performance.now() - t0) / batch);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0], samples: times.length, batch, warmup_ms: warm.ms, sink };
}

function timerResolution() {
  let smallest = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    smallest = Math.min(smallest, b - a);
  }
  return smallest;
}

self.onmessage = async ({ data }) => {
  const budgetMs = Number(data?.budgetMs) > 0 ? Number(data.budgetMs) : 2000;
  try {
    await init();
    const runner = new BenchRunner();
    const ops = [
      ['epoch', () => runner.epoch(), 10],
      ['eval', () => runner.eval(), 10],
      ['step32', () => runner.step32(), 50],
      ['mlp', () => runner.mlp(), 10],
      ['peak', () => runner.peak(PEAK_ITERS), 5],
    ];
    const timed = {};
    for (const [i, [name, fn, minReps]] of ops.entries()) {
      self.postMessage({ type: 'progress', op: name, done: i, of: ops.length });
      timed[name] = measure(fn, budgetMs, minReps);
    }
    const gflops = (flops, ms) => flops / (ms * 1e6);
    const result = {
      budget_ms: budgetMs,
      cross_origin_isolated: self.crossOriginIsolated === true,
      timer_resolution_ms: timerResolution(),
      user_agent: navigator.userAgent,
      hardware_concurrency: navigator.hardwareConcurrency,
      epoch_ms: timed.epoch.median,
      eval_ms: timed.eval.median,
      step32_ms: timed.step32.median,
      mlp_ms: timed.mlp.median,
      peak_ms: timed.peak.median,
      gflops: gflops(runner.epochFlops, timed.epoch.median),
      eval_gflops: gflops(runner.evalFlops, timed.eval.median),
      mlp_gflops: gflops(runner.mlpFlops, timed.mlp.median),
      peak_gflops: gflops(runner.peakFlops(PEAK_ITERS), timed.peak.median),
      epoch_mflop: runner.epochFlops / 1e6,
      ops: Object.fromEntries(
        Object.entries(timed).map(([k, v]) => [k, { median_ms: v.median, min_ms: v.min, samples: v.samples, batch: v.batch, warmup_ms: v.warmup_ms }]),
      ),
      // Keeps every result observable, so no engine may skip the work.
      checksum: Object.values(timed).reduce((s, v) => s + v.sink, 0),
    };
    runner.free();
    self.postMessage({ type: 'result', result });
  } catch (error) {
    self.postMessage({ type: 'error', message: String(error?.stack ?? error) });
  }
};
