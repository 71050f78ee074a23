// Before a long run starts: how long one epoch should take on this machine. The core estimates
// the work of an epoch (src/plan.rs `Estimate`, through wasm `epochWork`); the page times a small
// reference epoch here (the benchmark's figure-5 epoch and its evaluation, `BenchRunner`) and
// scales that time by the ratio of the two estimates. It is an estimate, and says so: the real
// time also depends on the minibatch size, the other run and what else the machine does.

/** Configs whose epoch is at least this many reference epochs get the estimate (~0.3 s and up). */
const WORTH_SAYING = 20;
/** The reference epoch is timed for about this long (ms), once per page. */
const TIMING_MS = 80;

let referenceSeconds = null;

/** Seconds of one reference epoch (training and evaluation) on this machine, measured once. */
function timeReference(wasm) {
  if (referenceSeconds === null) {
    const bench = new wasm.BenchRunner();
    bench.epoch(); // warm-up
    let reps = 0;
    const start = performance.now();
    do {
      bench.epoch();
      bench.eval();
      reps++;
    } while (performance.now() - start < TIMING_MS);
    referenceSeconds = (performance.now() - start) / 1000 / reps;
    bench.free();
  }
  return referenceSeconds;
}

function duration(seconds) {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 90) return `${seconds.toPrecision(2)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toPrecision(2)} hours`;
}

/**
 * The sentence for a config (the core's JSON-ready object), or null when its epochs are short.
 * `wasm` is the module namespace (epochWork, BenchRunner).
 */
export function epochTimeSentence(wasm, config) {
  const work = wasm.epochWork(JSON.stringify(config));
  if (work.flops_per_epoch < WORTH_SAYING * work.reference_flops_per_epoch) return null;
  const seconds = timeReference(wasm) * (work.flops_per_epoch / work.reference_flops_per_epoch);
  const total = config.schedule.phases.reduce((sum, ph) => sum + ph.epochs, 0);
  return (
    `n = ${config.data.n.toLocaleString('en')}: one epoch is ${work.steps_per_epoch.toLocaleString('en')} optimizer steps, ` +
    `about ${work.flops_per_epoch.toExponential(1)} floating-point operations. Estimated time on this machine: ` +
    `about ${duration(seconds)} per epoch, ${duration(seconds * total)} for all ${total.toLocaleString('en')} epochs ` +
    '(an estimate: a small reference epoch was timed here and scaled by the work; the batch size, a second run ' +
    'and other tabs change it).'
  );
}
