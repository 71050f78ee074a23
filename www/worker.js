// The training worker: owns one wasm Session (one arm of the comparison) and trains it in time
// slices, so the page never waits on it. The protocol (commands in, updates out) is documented in
// PROTOCOL.md beside this file; every message is a plain object with a `type`.
//
// Buffers are read through views of wasm memory (Float32Array over memory.buffer at the
// session's pointer), copied once with slice() and transferred to the page (not cloned). A view
// is rebuilt after every call into wasm, because any call may grow (and so detach) the memory.

import init, { Session, embed, barrierHeight } from './pkg/pathscope.js';

/** Longest stretch of training between two looks at the message queue (ms). */
const SLICE_MS = 12;
/** At most this many updates per second go to the page. */
const UPDATE_MS = 33;
/** "Steps per frame" means per 1/60 s. */
const FRAME_MS = 1000 / 60;
/** Values per metric row in an update: METRIC_COLUMNS order (epoch, phase, train_loss, train_acc, test_loss, test_acc). */
const METRICS_PER_ROW = 6;

let wasm = null;
let session = null;
/** Generation of the run: set by init/reset, echoed on every update so the page drops stale ones. */
let gen = 0;
let playing = false;
/** Steps per frame; 0 = as fast as it goes. */
let speed = 0;
/** Pause between two slices (ms), so that the page gets CPU time on machines with few cores. */
let restMs = 0;
/** Train no further than this step (the page keeps two runs side by side); Infinity: no limit. */
let limit = Infinity;
let credit = 0;
let lastTick = 0;
let lastPost = 0;
let scheduled = false;
/** What the page already has: metric rows, attention rows and the stride they were taken at. */
let sent = { metrics: 0, attention: 0, stride: 1 };
/** Phase index after the last training call: a change means a phase just ended. */
let lastPhase = 0;

const ready = init().then((exports) => {
  wasm = exports;
});

const f32 = (ptr, len) => new Float32Array(wasm.memory.buffer, ptr, len);
const u32 = (ptr, len) => new Uint32Array(wasm.memory.buffer, ptr, len);

// A zero-delay yield: a MessageChannel task runs after pending messages, without the 4 ms clamp
// of nested timers.
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  scheduled = false;
  tick();
};

function schedule(delayMs = 0) {
  if (scheduled) return;
  scheduled = true;
  if (delayMs > 0) {
    setTimeout(() => {
      scheduled = false;
      tick();
    }, delayMs);
  } else {
    channel.port2.postMessage(null);
  }
}

/** Metric rows from `from` to the end, interleaved (METRICS_PER_ROW per row). */
function metricRows(from) {
  const len = session.metricsLen();
  const rows = Math.max(0, len - from);
  const out = new Float32Array(rows * METRICS_PER_ROW);
  for (let c = 0; c < METRICS_PER_ROW; c++) {
    const col = f32(session.metricPtr(c), len);
    for (let i = 0; i < rows; i++) out[i * METRICS_PER_ROW + c] = col[from + i];
  }
  return out;
}

/** The update message for everything the page does not have yet (all of it with `full`). */
function update(full = false) {
  const summary = session.summary();
  const transfer = [];
  const metricsFrom = full ? 0 : sent.metrics;
  const metrics = metricRows(metricsFrom);
  transfer.push(metrics.buffer);
  sent.metrics = summary.metrics_len;

  const stride = session.attentionStride();
  const rowsNow = session.attentionStepsLen();
  // The history restarts (new probe, reset) or is thinned when full (stride doubles): resend it.
  const restart = full || stride !== sent.stride || rowsNow < sent.attention;
  const from = restart ? 0 : sent.attention;
  const probe = session.probe();
  const t = probe.length || 1;
  const steps = f32(session.attentionStepsPtr(), rowsNow).slice(from);
  const rows = f32(session.attentionPtr(), session.attentionLen()).slice(from * t);
  transfer.push(steps.buffer, rows.buffer);
  sent.attention = rowsNow;
  sent.stride = stride;

  return {
    msg: {
      type: 'update',
      gen,
      playing,
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
  lastPost = performance.now();
}

function tick() {
  if (!playing || !session) return;
  const now = performance.now();
  let maxSteps = 0x7fffffff;
  if (speed > 0) {
    // Pace to `speed` steps per 1/60 s; never bank more than a few frames of credit.
    credit = Math.min(credit + ((now - lastTick) / FRAME_MS) * speed, 4 * speed);
    lastTick = now;
    maxSteps = Math.floor(credit);
    if (maxSteps < 1) {
      schedule(Math.max(1, ((1 - credit) / speed) * FRAME_MS));
      return;
    }
  }
  const room = limit - session.stepCount();
  if (room < 1) {
    post(); // held until the page raises the limit
    return;
  }
  maxSteps = Math.min(maxSteps, room);
  const done = session.runForMs(SLICE_MS, maxSteps);
  credit -= done;
  afterTraining();
  const running = session.isRunning();
  if (!running) playing = false;
  if (!running || performance.now() - lastPost >= UPDATE_MS) post();
  if (playing) schedule(restMs);
}

/** z_A of a phase's test set (-1: the current phase) under the current parameters. */
function postZa(id, phase, extra = {}) {
  const s = requireSession();
  const label = s.computeZa(phase);
  const points = f32(s.zaPointsPtr(), s.zaPointsLen()).slice();
  const counts = u32(s.zaCountsPtr(), s.zaCountsLen()).slice();
  const summary = s.summary();
  const p = phase < 0 ? summary.p : JSON.parse(s.configJson()).schedule.phases[phase].p;
  self.postMessage(
    { type: 'za', id, gen, points, counts, maxCount: s.zaMaxCount(), label, epoch: summary.epoch, step: summary.step, p, ...extra },
    [points.buffer, counts.buffer],
  );
}

/**
 * After any training call: when a phase has just ended, send z_A of the model at the switch on
 * that phase's test set (figure 4's "after pretraining" picture), unasked.
 */
function afterTraining() {
  const phase = session.phase();
  if (phase > lastPhase) postZa(undefined, lastPhase, { atSwitch: true, endedPhase: lastPhase });
  lastPhase = phase;
}

function requireSession() {
  if (!session) throw new Error('no run yet: send init first');
  return session;
}

function setProbe(probe) {
  const s = requireSession();
  if (!probe) return;
  if (Array.isArray(probe.tokens)) {
    s.setProbe(Uint8Array.from(probe.tokens));
  } else {
    s.setProbe(s.testSequence(probe.phase ?? 0, probe.index ?? 0));
  }
}

const handlers = {
  init(m) {
    playing = false;
    session?.free();
    session = null;
    gen = m.gen;
    session = new Session(m.config);
    sent = { metrics: 0, attention: 0, stride: 1 };
    lastPhase = 0;
    limit = Infinity;
    if (m.probe) setProbe(m.probe);
    if (typeof m.speed === 'number') speed = m.speed;
    restMs = Math.max(0, Number(m.restMs) || 0);
    post(true);
  },
  reset(m) {
    playing = false;
    limit = Infinity;
    lastPhase = 0;
    gen = m.gen;
    requireSession().reset();
    post(true);
  },
  play() {
    requireSession();
    if (!session.isRunning()) return post();
    playing = true;
    credit = 0;
    lastTick = performance.now();
    schedule();
  },
  pause() {
    playing = false;
    if (session) post();
  },
  speed(m) {
    speed = Math.max(0, Math.floor(m.stepsPerFrame) || 0);
    credit = 0;
  },
  limit(m) {
    const raised = m.step > limit;
    limit = Number.isFinite(m.step) ? m.step : Infinity;
    if (raised && playing) schedule();
  },
  step() {
    playing = false;
    requireSession().step();
    afterTraining();
    post();
  },
  epoch() {
    playing = false;
    requireSession().stepEpoch();
    afterTraining();
    post();
  },
  probe(m) {
    setProbe(m.probe);
    post();
  },
  za(m) {
    postZa(m.id, m.phase ?? -1);
  },
  params(m) {
    const s = requireSession();
    const len = s.paramsLen();
    const summary = s.summary();
    let params;
    let epoch = summary.epoch;
    if (m.epoch === undefined || m.epoch === null) {
      params = f32(s.paramsPtr(), len).slice();
    } else {
      // The snapshot taken at that epoch (snapshots are kept at the start, every phase end, and
      // every snapshot_every epochs).
      const epochs = f32(s.snapshotEpochsPtr(), s.snapshotEpochsLen());
      const i = epochs.indexOf(m.epoch);
      if (i < 0) throw new Error(`no parameter snapshot at epoch ${m.epoch}`);
      params = f32(s.snapshotsPtr() + 4 * i * len, len).slice();
      epoch = m.epoch;
    }
    self.postMessage({ type: 'params', id: m.id, gen, params, epoch, state: summary.state }, [params.buffer]);
  },
  snapshots(m) {
    const s = requireSession();
    const cols = s.paramsLen();
    const data = f32(s.snapshotsPtr(), s.snapshotsLen()).slice();
    const epochs = f32(s.snapshotEpochsPtr(), s.snapshotEpochsLen()).slice();
    const summary = s.summary();
    self.postMessage(
      { type: 'snapshots', id: m.id, gen, data, epochs, rows: epochs.length, cols, switches: summary.switches },
      [data.buffer, epochs.buffer],
    );
  },
  'loss-line'(m) {
    const s = requireSession();
    const points = m.points ?? 21;
    const out = s.lossLine(m.a, m.b, points, m.phase);
    const n = out.length / 5;
    const block = (i) => out.slice(i * n, (i + 1) * n);
    const [t, trainLoss, testLoss, trainAcc, testAcc] = [0, 1, 2, 3, 4].map(block);
    self.postMessage(
      {
        type: 'loss-line',
        id: m.id,
        gen,
        t,
        trainLoss,
        testLoss,
        trainAcc,
        testAcc,
        trainBarrier: barrierHeight(trainLoss),
        testBarrier: barrierHeight(testLoss),
      },
      [t.buffer, trainLoss.buffer, testLoss.buffer, trainAcc.buffer, testAcc.buffer],
    );
  },
  embed(m) {
    const e = embed(m.data, m.rows, m.cols, m.method, m.perplexity ?? 30, m.iterations ?? 1000, m.seed ?? 0);
    const points = e.points();
    const label = e.label();
    e.free();
    self.postMessage({ type: 'embed', id: m.id, gen, points, label }, [points.buffer]);
  },
};

self.onmessage = async (event) => {
  const m = event.data;
  await ready;
  const handler = handlers[m?.type];
  try {
    if (!handler) throw new Error(`unknown command ${JSON.stringify(m?.type)}`);
    handler(m);
  } catch (error) {
    playing = false;
    const message = error instanceof Error ? error.message : String(error);
    self.postMessage({ type: 'error', gen, id: m?.id, command: m?.type, message });
  }
};

ready.catch((error) => {
  self.postMessage({ type: 'error', gen, command: 'load', message: `could not load the WebAssembly module: ${error}` });
});
