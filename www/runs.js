// The page's side of the worker protocol (PROTOCOL.md): one Arm per training worker, holding
// what the worker has sent (metric columns, attention history, summary) in growable typed arrays.

/** A Float32Array that grows by doubling; `view()` is the filled part (no copy). */
export class Grow {
  constructor(capacity = 1024) {
    this.buf = new Float32Array(capacity);
    this.length = 0;
  }
  append(values) {
    const need = this.length + values.length;
    if (need > this.buf.length) {
      let cap = this.buf.length;
      while (cap < need) cap *= 2;
      const next = new Float32Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(values, this.length);
    this.length = need;
  }
  truncate(length) {
    this.length = Math.min(this.length, length);
  }
  view() {
    return this.buf.subarray(0, this.length);
  }
}

let nextId = 1;

/**
 * One worker and what it has reported. `onUpdate(arm)` runs after every update, `onError(arm,
 * message)` on any error the worker reports or throws, `onCrash(arm, message)` when its wasm
 * instance trapped (a panic): `crashed` then holds the message, the worker takes no more
 * commands, and `restartWorker()` starts the run again in a new one.
 */
export class Arm {
  /** `columns`: the metric column names, from the core (wasm `metricColumns()`). */
  constructor({ name, role, columns, onUpdate, onError, onSwitch = () => {}, onCrash = onError }) {
    this.name = name;
    this.columns = columns;
    this.role = role;
    this.onUpdate = onUpdate;
    this.onError = onError;
    this.onSwitch = onSwitch;
    this.onCrash = onCrash;
    this.gen = 0;
    this.pending = new Map();
    this.clear();
    this.startWorker();
  }

  startWorker() {
    const role = this.role;
    this.crashed = '';
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `pathscope ${role}` });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault?.();
      this.fail(`the ${role} worker failed: ${event.message || 'it could not start (see the console)'}`);
    };
    this.worker.onmessageerror = () => this.fail(`the ${role} worker sent a message that could not be read`);
  }

  clear() {
    this.summary = null;
    this.limit = undefined;
    this.playing = false;
    /** One growable column per metric, by the core's names (`metrics.epoch.view()`, ...). */
    this.metrics = Object.fromEntries(this.columns.map((c) => [c, new Grow()]));
    this.attention = { steps: new Grow(), rows: new Grow(16 * 1024), probe: [], stride: 1, count: 0 };
    this.version = 0;
    /**
     * z_A of the model at the end of each phase, by phase index then set ('patterns', 'test'),
     * sent unasked as each phase ends.
     */
    this.switchZa = [];
  }

  fail(message) {
    for (const { reject } of this.pending.values()) reject(new Error(message));
    this.pending.clear();
    this.onError(this, message);
  }

  /**
   * Starts a new run (generation `gen`) from a config object, or from a run record's text
   * (`record`: it continues where it stopped; `config` is then the record's). `restMs`: pause between training
   * slices, leaving the page a share of the CPU when the workers outnumber the cores.
   */
  init(gen, config, probe, speed, restMs = 0, { record = null, debug = undefined } = {}) {
    this.gen = gen;
    this.clear();
    this.started = { config, probe, speed, restMs };
    this.worker.postMessage({ type: 'init', gen, config: JSON.stringify(config), probe, speed, restMs, record, debug });
  }

  /**
   * The run again from step 0 in a new worker (after a crash), without any debug fault (a run
   * loaded from a record starts again from step 0 of its config).
   */
  restartWorker() {
    this.terminate();
    this.startWorker();
    const { config, probe, speed, restMs } = this.started;
    this.init(this.gen, config, probe, speed, restMs);
  }

  reset(gen) {
    this.gen = gen;
    this.clear();
    this.worker.postMessage({ type: 'reset', gen });
  }

  send(type, fields = {}) {
    if (!this.crashed) this.worker.postMessage({ type, ...fields });
  }

  /** A request answered by a message of the same type and id; resolves with that message. */
  request(type, fields = {}, transfer = []) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (this.crashed) return reject(new Error(`the ${this.name} run crashed`));
      this.pending.set(id, { resolve, reject, gen: this.gen });
      this.worker.postMessage({ type, id, ...fields }, transfer);
    });
  }

  receive(m) {
    if (m.type === 'crash') {
      this.crashed = m.message;
      this.playing = false;
      for (const { reject } of this.pending.values()) reject(new Error(`the ${this.name} run crashed`));
      this.pending.clear();
      this.onCrash(this, m.message);
      return;
    }
    if (m.type === 'error') {
      const waiting = m.id !== undefined && this.pending.get(m.id);
      if (waiting) {
        this.pending.delete(m.id);
        waiting.reject(new Error(m.message));
        return;
      }
      if (m.gen !== this.gen) return;
      this.playing = false;
      this.onError(this, m.message);
      return;
    }
    if (m.id !== undefined && this.pending.has(m.id)) {
      const waiting = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.gen !== this.gen) waiting.reject(new Error('the run was restarted'));
      else waiting.resolve(m);
      return;
    }
    if (m.type === 'za' && m.at_phase_end && m.gen === this.gen) {
      this.switchZa[m.phase] ??= {};
      this.switchZa[m.phase][m.set] = m;
      this.onSwitch(this, m);
      return;
    }
    if (m.type !== 'update' || m.gen !== this.gen) return;
    this.summary = m.summary;
    this.playing = m.playing;
    for (const [name, column] of Object.entries(this.metrics)) {
      column.truncate(m.metricsFrom);
      column.append(m.metrics[name]);
    }
    const a = m.attention;
    if (a.restart) {
      this.attention.steps = new Grow();
      this.attention.rows = new Grow(16 * 1024);
    }
    this.attention.steps.append(a.steps);
    this.attention.rows.append(a.rows);
    this.attention.probe = a.probe;
    this.attention.stride = a.stride;
    this.attention.count = this.attention.steps.length;
    this.attention.restarted = a.restart;
    // Phase ends past the model's (after going back to a snapshot) are not this run's any more.
    this.switchZa.length = Math.min(this.switchZa.length, m.summary.phase_ends);
    this.version++;
    this.onUpdate(this);
  }

  terminate() {
    for (const { reject } of this.pending.values()) reject(new Error('the worker was stopped'));
    this.pending.clear();
    this.worker.terminate();
  }
}
