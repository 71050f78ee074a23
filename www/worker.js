// The training worker: owns one wasm Session (one arm of the comparison) and trains it in time
// slices, so the page never waits on it. The protocol (commands in, updates out) is documented in
// PROTOCOL.md beside this file; every message is a plain object with a `type`.
//
// Buffers are read through views of wasm memory, described by one call (session.buffers(): where
// each buffer is), copied once with slice() and transferred to the page (not cloned). The
// descriptor is asked for again after every call into wasm, because any call may grow (and so
// detach) the memory. Metrics travel as columns, by the names the core gives (metricColumns()).

import init, { Session, embed, keepPanics, lastPanic, metricColumns } from './pkg/pathscope.js';

/** Longest stretch of training between two looks at the message queue (ms). */
const SLICE_MS = 12;
/** At most this many updates per second go to the page. */
const UPDATE_MS = 33;
/** "Steps per frame" means per 1/60 s. */
const FRAME_MS = 1000 / 60;

/** Everything this worker knows, in one place. */
const state = {
  wasm: null,
  /** Metric column names, from the core. */
  columns: [],
  session: null,
  /** Generation of the run: set by init/reset, echoed on every update so the page drops stale ones. */
  gen: 0,
  playing: false,
  /** Steps per frame; 0 = as fast as it goes. */
  speed: 0,
  /** Pause between two slices (ms), so that the page gets CPU time on machines with few cores. */
  restMs: 0,
  /** Train no further than this step (the page keeps two runs side by side); Infinity: no limit. */
  limit: Infinity,
  credit: 0,
  lastTick: 0,
  lastPost: 0,
  scheduled: false,
  /** What the page already has: metric rows, attention rows and the stride they were taken at. */
  sent: { metrics: 0, attention: 0, stride: 1 },
  /** Phase-end z_A the page already has (the core keeps one per ended phase). */
  phaseEndsSent: 0,
  /** Set when the wasm instance trapped (a panic): it cannot be trusted, and takes no more commands. */
  crashed: '',
};

const ready = init().then((exports) => {
  state.wasm = exports;
  state.columns = metricColumns();
  keepPanics();
});

/** A copy of a buffer described by session.buffers(): `{ ptr, len }`. */
function copyOf(buffer, Type = Float32Array) {
  return new Type(state.wasm.memory.buffer, buffer.ptr, buffer.len).slice();
}

// A zero-delay yield: a MessageChannel task runs after pending messages, without the 4 ms clamp
// of nested timers.
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  state.scheduled = false;
  guarded('play', tick);
};

function schedule(delayMs = 0) {
  if (state.scheduled) return;
  state.scheduled = true;
  if (delayMs > 0) {
    setTimeout(() => {
      state.scheduled = false;
      guarded('play', tick);
    }, delayMs);
  } else {
    channel.port2.postMessage(null);
  }
}

/** The update message for everything the page does not have yet (all of it with `full`). */
function update(full = false) {
  const s = state.session;
  const summary = s.summary();
  const buffers = s.buffers();
  const transfer = [];

  // Metric columns from the first row the page lacks.
  const metricsFrom = full ? 0 : state.sent.metrics;
  const metrics = {};
  for (const name of state.columns) {
    const col = buffers.metrics[name];
    metrics[name] = copyOf({ ptr: col.ptr + 4 * metricsFrom, len: Math.max(0, col.len - metricsFrom) });
    transfer.push(metrics[name].buffer);
  }
  state.sent.metrics = summary.metrics_len;

  const stride = summary.attention_stride;
  const rowsNow = summary.attention_rows;
  // The history restarts (new probe, reset) or is thinned when full (stride doubles): resend it.
  const restart = full || stride !== state.sent.stride || rowsNow < state.sent.attention;
  const from = restart ? 0 : state.sent.attention;
  const probe = s.probe();
  const t = probe.length || 1;
  const steps = copyOf(buffers.attention_steps).subarray(from).slice();
  const rows = copyOf({ ptr: buffers.attention.ptr + 4 * from * t, len: buffers.attention.len - from * t });
  transfer.push(steps.buffer, rows.buffer);
  state.sent.attention = rowsNow;
  state.sent.stride = stride;

  return {
    msg: {
      type: 'update',
      gen: state.gen,
      playing: state.playing,
      summary,
      metricsFrom,
      metrics,
      attention: { restart, from, steps, rows, probe: Array.from(probe), stride },
    },
    transfer,
  };
}

function post(full = false) {
  const { msg, transfer } = update(full);
  self.postMessage(msg, transfer);
  state.lastPost = performance.now();
}

function tick() {
  const s = state.session;
  if (!state.playing || !s) return;
  const now = performance.now();
  let maxSteps = 0x7fffffff;
  if (state.speed > 0) {
    // Pace to `speed` steps per 1/60 s; never bank more than a few frames of credit.
    state.credit = Math.min(state.credit + ((now - state.lastTick) / FRAME_MS) * state.speed, 4 * state.speed);
    state.lastTick = now;
    maxSteps = Math.floor(state.credit);
    if (maxSteps < 1) {
      schedule(Math.max(1, ((1 - state.credit) / state.speed) * FRAME_MS));
      return;
    }
  }
  const room = state.limit - s.stepCount();
  if (room < 1) {
    post(); // held until the page raises the limit
    return;
  }
  maxSteps = Math.min(maxSteps, room);
  const done = s.runForMs(SLICE_MS, maxSteps);
  state.credit -= done;
  afterTraining();
  const running = s.isRunning();
  if (!running) state.playing = false;
  if (!running || performance.now() - state.lastPost >= UPDATE_MS) post();
  if (state.playing) schedule(state.restMs);
}

/** Posts the z_A that computeZa / phaseEndZa just put in the session's buffers. */
function postZa(id, info) {
  const buffers = state.session.buffers();
  const points = copyOf(buffers.za_points);
  const counts = copyOf(buffers.za_counts, Uint32Array);
  self.postMessage({ type: 'za', id, gen: state.gen, points, counts, ...info }, [points.buffer, counts.buffer]);
}

/**
 * After any training call: for each phase that has just ended, send the z_A the core kept of the
 * model at its end (figure 4's "after pretraining" picture), unasked.
 */
function afterTraining() {
  const s = state.session;
  const ends = s.summary().phase_ends;
  for (; state.phaseEndsSent < ends; state.phaseEndsSent++) {
    postZa(undefined, s.phaseEndZa(state.phaseEndsSent, 'test'));
    // The hand-built patterns exist unless p^k is too large; then only the test set is kept.
    let patterns;
    try {
      patterns = s.phaseEndZa(state.phaseEndsSent, 'patterns');
    } catch {
      continue;
    }
    postZa(undefined, patterns);
  }
}

/**
 * Runs `fn` (the work of command `command`), turning what it throws into a message: a trap of the
 * wasm instance (a panic: a bug, never a setting) is a `crash`, after which this worker takes no
 * more commands (the page offers to restart the run in a new worker); anything else is an `error`.
 */
function guarded(command, fn, id) {
  try {
    fn();
  } catch (error) {
    state.playing = false;
    if (error instanceof WebAssembly.RuntimeError) {
      const said = (() => {
        try {
          return lastPanic();
        } catch {
          return undefined;
        }
      })();
      state.crashed = said ? `${said} (${error.message})` : `${error}`;
      self.postMessage({ type: 'crash', gen: state.gen, id, command, message: state.crashed });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    self.postMessage({ type: 'error', gen: state.gen, id, command, message });
  }
}

function requireSession() {
  if (!state.session) throw new Error('no run yet: send init first');
  return state.session;
}

function setProbe(probe) {
  const s = requireSession();
  if (!probe) return;
  if (!Array.isArray(probe.tokens)) throw new Error('a probe is { tokens: [..] }');
  s.setProbe(Uint8Array.from(probe.tokens));
}

/** Back to step 0 of a run: nothing sent yet, no limit. */
function restartBookkeeping(gen) {
  state.playing = false;
  state.gen = gen;
  state.limit = Infinity;
  state.sent = { metrics: 0, attention: 0, stride: 1 };
  state.phaseEndsSent = 0;
}

const handlers = {
  init(m) {
    state.session?.free();
    state.session = null;
    restartBookkeeping(m.gen);
    // A run record (docs/record-format.md) continues where it stopped; a config starts at step 0.
    state.session = m.record ? Session.fromRecord(m.record) : new Session(m.config);
    // The documented test hook of the address key `debug` (www/debug.js): a step that fails.
    if (m.debug) state.session.debugFault(m.debug.kind, m.debug.step);
    if (m.probe) setProbe(m.probe);
    if (typeof m.speed === 'number') state.speed = m.speed;
    state.restMs = Math.max(0, Number(m.restMs) || 0);
    post(true);
  },
  reset(m) {
    restartBookkeeping(m.gen);
    requireSession().reset();
    post(true);
  },
  play() {
    const s = requireSession();
    if (!s.isRunning()) return post();
    state.playing = true;
    state.credit = 0;
    state.lastTick = performance.now();
    schedule();
  },
  pause() {
    state.playing = false;
    if (state.session) post();
  },
  speed(m) {
    state.speed = Math.max(0, Math.floor(m.stepsPerFrame) || 0);
    state.credit = 0;
  },
  limit(m) {
    const raised = m.step > state.limit;
    state.limit = Number.isFinite(m.step) ? m.step : Infinity;
    if (raised && state.playing) schedule();
  },
  step() {
    state.playing = false;
    requireSession().step();
    afterTraining();
    post();
  },
  epoch() {
    state.playing = false;
    requireSession().stepEpoch();
    afterTraining();
    post();
  },
  probe(m) {
    setProbe(m.probe);
    post();
  },
  /** The run as a record (JSON text), to save or to continue elsewhere. */
  record(m) {
    const text = requireSession().exportRecord(Number(m.seconds ?? NaN), true);
    self.postMessage({ type: 'record', id: m.id, gen: state.gen, text });
  },
  /** Back to the snapshot at `epoch` (omitted: the latest), after a divergence; a full update. */
  rewind(m) {
    const s = requireSession();
    const epochs = copyOf(s.buffers().snapshot_epochs);
    s.rewindTo(m.epoch ?? epochs[epochs.length - 1]);
    state.playing = false;
    state.sent = { metrics: 0, attention: 0, stride: 1 };
    state.phaseEndsSent = s.summary().phase_ends;
    post(true);
  },
  /** The size of this worker's wasm memory, in bytes (the long-session test reads it). */
  memory(m) {
    self.postMessage({ type: 'memory', id: m.id, gen: state.gen, bytes: state.wasm.memory.buffer.byteLength });
  },
  za(m) {
    postZa(m.id, requireSession().computeZa(m.phase ?? -1, m.set ?? 'patterns'));
  },
  params(m) {
    const s = requireSession();
    const summary = s.summary();
    const buffers = s.buffers();
    let params;
    let epoch = summary.epoch;
    if (m.epoch === undefined || m.epoch === null) {
      params = copyOf(buffers.params);
    } else {
      // The snapshot taken at that epoch (snapshots are kept at the start, every phase end, and
      // every snapshot_every epochs, thinned on long runs).
      const epochs = copyOf(buffers.snapshot_epochs);
      const i = epochs.indexOf(m.epoch);
      if (i < 0) throw new Error(`no parameter snapshot at epoch ${m.epoch}`);
      const len = buffers.params.len;
      params = copyOf({ ptr: buffers.snapshots.ptr + 4 * i * len, len });
      epoch = m.epoch;
    }
    self.postMessage({ type: 'params', id: m.id, gen: state.gen, params, epoch, state: summary.status.state }, [params.buffer]);
  },
  snapshots(m) {
    const s = requireSession();
    const buffers = s.buffers();
    const data = copyOf(buffers.snapshots);
    const epochs = copyOf(buffers.snapshot_epochs);
    const summary = s.summary();
    self.postMessage(
      { type: 'snapshots', id: m.id, gen: state.gen, data, epochs, rows: epochs.length, cols: buffers.params.len, switches: summary.switches },
      [data.buffer, epochs.buffer],
    );
  },
  'loss-line'(m) {
    const line = requireSession().lossLine(m.a, m.b, m.phase);
    const series = ['t', 'train_loss', 'test_loss', 'train_acc', 'test_acc'];
    const arrays = Object.fromEntries(series.map((k) => [k, Float32Array.from(line[k])]));
    self.postMessage(
      { type: 'loss-line', id: m.id, gen: state.gen, ...arrays, train_barrier: line.train_barrier, test_barrier: line.test_barrier },
      series.map((k) => arrays[k].buffer),
    );
  },
  embed(m) {
    const e = embed(m.data, m.rows, m.cols, m.method, m.perplexity ?? 30, m.iterations ?? 1000, m.seed ?? 0);
    const points = e.points();
    const label = e.label();
    e.free();
    self.postMessage({ type: 'embed', id: m.id, gen: state.gen, points, label }, [points.buffer]);
  },
};

self.onmessage = async (event) => {
  const m = event.data;
  await ready;
  const handler = handlers[m?.type];
  guarded(m?.type, () => {
    if (state.crashed) throw new Error(`this worker crashed (${state.crashed}): restart the run`);
    if (!handler) throw new Error(`unknown command ${JSON.stringify(m?.type)}`);
    handler(m);
  }, m?.id);
};

ready.catch((error) => {
  self.postMessage({ type: 'error', gen: state.gen, command: 'load', message: `could not load the WebAssembly module: ${error}` });
});
