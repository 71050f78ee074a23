// The page's state, in one object, and the actions on it. The DOM lives in controls.js and
// panels.js; they read `app.state` and call these actions: App is the state's only writer.
// `app.state` is a read-only view (see readOnly below) that throws on any write, so a direct
// write from elsewhere fails at once instead of skipping the redraws and requests an action does.
// Training happens in workers (runs.js, worker.js); this main thread only keeps what they report
// and draws it.

import { Arm } from './runs.js';
import { debugFault } from './debug.js';
import { checkProbe, probeIndices, probeTokens, sameRun, setupOfRecordConfig, toConfig, toHash } from './url-state.js';

/** z_A is requested at most this often while training (ms). */
const ZA_EVERY_MS = 1000;
/** Two runs side by side stay within this many epochs of each other (at least LOCKSTEP_MIN steps). */
const LOCKSTEP_EPOCHS = 2;
const LOCKSTEP_MIN = 256;
/** Snapshots per run fed to the trajectory embedding, at most (evenly thinned beyond). */
const MAX_SNAPSHOTS = 400;

export class App {
  /** The state itself; only App's methods write it. Others see `state`, a read-only view. */
  #state;

  /** `wasm`: the main thread's wasm exports (module namespace); `presets`: loadPresets(). */
  constructor(wasm, presets) {
    this.wasm = wasm;
    this.presets = presets;
    this.listeners = { status: [], panels: [], notice: [], setup: [] };
    this.#state = {
      /** The setup of the run on screen (url-state.js SETTINGS keys). */
      setup: null,
      /** The settings form's values; differ from `setup` until restarted. */
      pending: null,
      /** Generation of the run: bumped by every restart and reset. */
      gen: 0,
      /** Arms: [curriculum (or the single run), scratch twin (optional)]. */
      arms: [],
      /** Whether the user asked to play. */
      playing: false,
      view: { arm: 0, pinned: null, hover: null },
      /** z_A: `which` is 'latest' or the index of a phase whose end is shown. */
      za: { result: null, pending: false, last: -Infinity, auto: true, error: '', which: 'latest' },
      /** Loss barrier: `from`/`to` are barrierChoices() values (null: the defaults). */
      barrier: { result: null, pending: false, error: '', log: false, from: null, to: null },
      trajectory: { result: null, pending: false, error: '', method: 'pca' },
      /** Names of the run records the arms continue (null: runs of the setup). */
      records: null,
      /** Messages already shown for this generation (diverged runs). */
      reported: new Set(),
    };
    this.analysis = null;
  }

  /**
   * The page state, read-only: reading works as on the object itself; writing (assigning,
   * defining or deleting a property, at any depth) throws a TypeError naming an action to use.
   * Arms (runs.js), typed arrays and the `reported` Set are handed out as they are.
   */
  get state() {
    return readOnly(this.#state, 'app.state');
  }

  /** A copy of the setup of the run on screen, the caller's to change (e.g. to start from). */
  setupCopy() {
    return structuredClone(this.#state.setup);
  }

  on(event, fn) {
    this.listeners[event].push(fn);
  }
  emit(event, ...args) {
    for (const fn of this.listeners[event]) fn(...args);
  }
  notice(text, kind = 'error') {
    this.emit('notice', text, kind);
  }
  panels(...names) {
    this.emit('panels', names);
  }

  // ---- runs ---------------------------------------------------------------------------------

  config() {
    return toConfig(this.presets, this.#state.setup);
  }

  /** Names of the arms of a setup. */
  armNames(setup) {
    const ps = setup.phases.map((ph) => ph.p);
    if (ps.length === 1) return [`p = ${ps[0]}`];
    return setup.scratch ? ['curriculum', 'scratch'] : ['curriculum'];
  }

  /**
   * Starts (or restarts) the runs of `setup`; `records` (optional): run records already checked
   * by `importRecords`, one per arm, `{ name, text, config, probes }`, continued where they stopped.
   */
  start(setup, records = null) {
    const s = this.#state;
    s.setup = structuredClone(setup);
    s.pending = structuredClone(setup);
    s.gen++;
    s.playing = false;
    s.view = { arm: 0, pinned: null, hover: null };
    this.clearResults();
    const config = records ? records[0].config : this.config();
    const names = records ? records.map((r) => r.name) : this.armNames(setup);
    const configs = records ? records.map((r) => r.config) : [config];
    if (!records && names.length === 2) configs.push(JSON.parse(this.wasm.scratchTwin(JSON.stringify(config))));
    s.records = records ? records.map((r) => r.name) : null;
    while (s.arms.length > configs.length) s.arms.pop().terminate();
    configs.forEach((cfg, i) => {
      if (!s.arms[i]) {
        s.arms[i] = new Arm({
          columns: this.wasm.metricColumns(),
          name: names[i],
          role: i === 0 ? 'run' : 'scratch',
          onUpdate: (arm) => this.updated(arm),
          onError: (arm, message) => this.failed(arm, message),
          onCrash: () => this.crashed(),
          onSwitch: (arm) => {
            if (arm === s.arms[s.view.arm]) this.emit('status');
            this.panels('za');
          },
        });
      }
      s.arms[i].name = names[i];
      s.arms[i].config = cfg;
      const record = records?.[i];
      // A record's own probes (and their attention history) stay; one without probes gets the page's.
      const probe = record?.probes ? null : this.probeCommand();
      // The address key `debug` (a documented test hook) makes a step of the first run fail.
      const debug = i === 0 && !record ? debugFault(setup.debug) : undefined;
      s.arms[i].init(s.gen, cfg, probe, setup.speed, this.restMs(configs.length), { record: record?.text ?? null, debug });
    });
    this.analysis?.terminate();
    this.analysis = null;
    this.syncHash();
    this.emit('setup', this.state.setup);
    this.emit('status');
    this.panels('graph', 'heatmap', 'curves', 'za', 'barrier', 'trajectory');
  }

  /**
   * Pause between a worker's training slices: none when the cores outnumber the workers, else
   * 4 ms per 12 ms slice, so that drawing on the page is not starved of CPU.
   */
  restMs(workers) {
    return (navigator.hardwareConcurrency || 2) > workers ? 0 : 4;
  }

  clearResults() {
    const s = this.#state;
    s.za = { ...s.za, result: null, pending: false, last: -Infinity, error: '', which: 'latest' };
    s.barrier = { ...s.barrier, result: null, pending: false, error: '', from: null, to: null };
    s.trajectory = { ...s.trajectory, result: null, pending: false, error: '' };
    s.reported = new Set();
  }

  /** Same seed, same settings: the same run again from step 0. */
  reset() {
    const s = this.#state;
    s.gen++;
    s.playing = false;
    s.view.pinned = null;
    s.view.hover = null;
    this.clearResults();
    for (const arm of s.arms) arm.reset(s.gen);
    this.emit('status');
    this.panels('graph', 'heatmap', 'curves', 'za', 'barrier', 'trajectory');
  }

  running() {
    return this.#state.arms.some((a) => !a.crashed && (!a.summary || a.summary.status.state === 'running'));
  }

  play() {
    if (!this.running()) return;
    this.#state.playing = true;
    for (const arm of this.#state.arms) arm.send('play');
    this.emit('status');
  }
  pause() {
    this.#state.playing = false;
    for (const arm of this.#state.arms) arm.send('pause');
    this.emit('status');
    this.analyze();
  }

  /** Brings z_A, the loss barrier and the trajectories up to date (after a pause or the end). */
  analyze() {
    const s = this.#state;
    this.maybeZa(true);
    if (!s.barrier.pending) this.computeBarrier();
    if (!s.trajectory.pending) this.computeTrajectory();
  }
  toggle() {
    if (this.#state.playing) this.pause();
    else this.play();
  }
  step() {
    this.#state.playing = false;
    for (const arm of this.#state.arms) arm.send('step');
    this.emit('status');
  }
  epoch() {
    this.#state.playing = false;
    for (const arm of this.#state.arms) arm.send('epoch');
    this.emit('status');
  }

  setSpeed(stepsPerFrame) {
    this.#state.setup.speed = stepsPerFrame;
    this.#state.pending.speed = stepsPerFrame;
    for (const arm of this.#state.arms) arm.send('speed', { stepsPerFrame });
    this.syncHash();
  }

  /** A new probe (live: restarts the attention history only). Returns a problem or null. */
  setProbe(probe) {
    const s = this.#state;
    const problem = checkProbe({ ...s.setup, probe });
    if (problem) return problem;
    s.setup.probe = probe;
    s.pending.probe = probe;
    s.view.pinned = null;
    s.view.hover = null;
    for (const arm of s.arms) arm.send('probe', { probe: this.probeCommand() });
    this.syncHash();
    return null;
  }

  /** The probe command for every arm: the same tokens (see url-state.js probeTokens). */
  probeCommand() {
    return { tokens: probeTokens(this.#state.setup, this.config(), this.wasm.testSequenceOf) };
  }

  /** Probe sequences side by side in the heatmap. */
  probeCount() {
    return probeIndices(this.#state.setup.probe)?.length ?? 1;
  }

  /**
   * A view setting that needs no new run: `key` is 'zaset' (z_A of the hand-built patterns or
   * of the test set), 'sharp' (the sharpened figure-2 view) or 'stride' (heatmap rows).
   */
  setView(key, value) {
    const s = this.#state;
    if (s.setup[key] === value) return;
    s.setup[key] = value;
    s.pending[key] = value;
    this.syncHash();
    if (key === 'zaset') {
      s.za.result = null;
      this.maybeZa(true);
    }
    this.panels(key === 'zaset' ? 'za' : key === 'sharp' ? 'graph' : 'heatmap');
  }

  /**
   * The settings form changed: remember (a copy of) its setup; the banner offers to restart when
   * needed. `pending` may be a setup read from `state`.
   */
  setPending(pending) {
    this.#state.pending = structuredClone(writable(pending));
    this.emit('status');
  }
  needsRestart() {
    const s = this.#state;
    return !!s.pending && !sameRun(s.pending, s.setup);
  }

  syncHash() {
    const hash = toHash(this.presets, this.#state.setup);
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  // ---- what is on show ---------------------------------------------------------------------

  /** Shows arm `i` (0: the curriculum or single run, 1: the scratch twin) in panels 1, 2 and 4. */
  viewArm(i) {
    const s = this.#state;
    s.view = { arm: i, pinned: null, hover: null };
    s.za.result = null;
    this.panels('graph', 'heatmap', 'za');
    this.maybeZa(true);
    this.emit('status');
  }

  /**
   * Panel 2's history row under the pointer (null: none). Returns whether that changed what
   * panels 1 and 2 show.
   */
  hoverRow(row) {
    const v = this.#state.view;
    if (row === v.hover) return false;
    v.hover = row;
    this.scrubbed();
    return true;
  }

  /** Pins a history row: panel 1 shows that step until another row is pinned or Live is pressed. */
  pinRow(row) {
    this.#state.view.pinned = row;
    this.scrubbed();
    return true;
  }

  /** Back to the live run: no row pinned or hovered. */
  followLive() {
    const v = this.#state.view;
    v.pinned = null;
    v.hover = null;
    this.scrubbed();
    return true;
  }

  scrubbed() {
    this.emit('status');
    this.panels('graph', 'heatmap');
  }

  /** Which z_A panel 4 shows: 'latest', or the index (a string) of a phase whose end is kept. */
  showZa(which) {
    const za = this.#state.za;
    if (za.which === which) return;
    za.which = which;
    this.panels('za');
  }

  /** Whether z_A is recomputed while training (at most once a second). */
  setZaAuto(on) {
    this.#state.za.auto = on;
  }

  /**
   * One end of the loss-barrier line (`key`: 'from' or 'to'; `value`: a barrierChoices() value),
   * then the barrier along the new line.
   */
  setBarrierEnd(key, value) {
    if (key !== 'from' && key !== 'to') throw new RangeError(`setBarrierEnd: no end "${key}"; use "from" or "to"`);
    this.#state.barrier[key] = value;
    this.computeBarrier();
  }

  /** Loss axis of panel 5: log (true) or linear. */
  setBarrierLog(on) {
    this.#state.barrier.log = on;
    this.panels('barrier');
  }

  /** The embedding of panel 6 ('pca' or 'tsne'), then the trajectories again with it. */
  setTrajectoryMethod(method) {
    this.#state.trajectory.method = method;
    this.computeTrajectory();
  }

  // ---- what the workers report ----------------------------------------------------------------

  updated(arm) {
    const s = this.#state;
    const i = s.arms.indexOf(arm);
    // A run that diverged pauses training (every run), once; failures.js says what happened.
    if (arm.summary.status.state === 'diverged' && !s.reported.has(i)) {
      s.reported.add(i);
      if (s.playing) this.pause();
    }
    if (s.playing && s.arms.every((a) => a.crashed || (a.summary && a.summary.status.state !== 'running'))) {
      s.playing = false;
      this.finished();
    }
    this.lockstep();
    this.emit('status');
    const names = ['curves'];
    if (i === s.view.arm) names.push('graph', 'heatmap');
    this.panels(...names);
    if (i === s.view.arm) this.maybeZa();
  }

  /**
   * Keeps two runs abreast: neither trains more than a window of steps past the slower one (both
   * take the same steps per epoch), so the curves compare them at the same epochs as they go.
   */
  lockstep() {
    const arms = this.#state.arms;
    if (arms.length < 2 || arms.some((a) => !a.summary)) return;
    const running = arms.filter((a) => a.summary.status.state === 'running' && !a.crashed);
    const window = Math.max(LOCKSTEP_EPOCHS * arms[0].summary.steps_per_epoch, LOCKSTEP_MIN);
    const floor = running.length > 1 ? Math.min(...running.map((a) => a.summary.step)) : Infinity;
    const limit = floor + window;
    for (const arm of arms) {
      if (arm.limit === limit || (Number.isFinite(limit) && Math.abs((arm.limit ?? 0) - limit) < window / 4)) continue;
      arm.limit = limit;
      arm.send('limit', { step: limit });
    }
  }

  /** A worker crashed: the others go on (failures.js shows the error and a restart button). */
  crashed() {
    this.lockstep();
    this.emit('status');
  }

  /** A crashed run again from step 0, in a new worker; the other runs wait for it (lockstep). */
  restartArm(i) {
    const s = this.#state;
    const arm = s.arms[i];
    if (!arm?.crashed) return;
    // Restart means "run it again": it trains at once if the page was playing, or if play ended
    // only because every other run finished meanwhile (the crash left nothing running).
    const othersRunning = s.arms.some((a, j) => j !== i && !a.crashed && a.summary?.status.state === 'running');
    const resume = s.playing || !othersRunning;
    arm.restartWorker();
    if (resume) {
      s.playing = true;
      arm.send('play');
    }
    this.emit('status');
  }

  /**
   * After a divergence: run `i` goes back to its latest parameter snapshot (the core's rewind: a
   * fresh Adam, histories cut there) and waits, paused.
   */
  rewind(i) {
    const s = this.#state;
    const arm = s.arms[i];
    if (!arm) return;
    s.reported.delete(i);
    s.playing = false;
    for (const a of s.arms) a.send('pause');
    arm.send('rewind');
    s.view.pinned = null;
    s.view.hover = null;
    this.clearResults();
    this.emit('status');
    this.panels('graph', 'heatmap', 'curves', 'za', 'barrier', 'trajectory');
  }

  failed(arm, message) {
    this.#state.playing = false;
    this.notice(`${arm.name}: ${message}`);
    this.emit('status');
  }

  /** Both runs stopped: compute the comparisons at their final models. */
  finished() {
    this.analyze();
  }

  // ---- run records (docs/record-format.md) ---------------------------------------------------

  /**
   * Loads one or two run records (`files`: `[{ name, text }]`) and continues them, side by side
   * when there are two (curves, barrier and paths then compare them). Every record is checked by
   * the core first; if any is refused, a notice names the file and the field, and nothing on the
   * page changes. Returns true when the records were loaded.
   */
  importRecords(files) {
    if (!files.length || files.length > 2) {
      this.notice(`Load one or two run records at a time (${files.length} given).`);
      return false;
    }
    const records = [];
    for (const { name, text } of files) {
      const check = this.wasm.checkRecord(text);
      if (!check.ok) {
        this.notice(`${name}: ${check.message}`);
        return false;
      }
      records.push({ name, text, config: JSON.parse(check.config), probes: check.probes, check });
    }
    if (records.length === 2 && JSON.stringify(records[0].config.model) !== JSON.stringify(records[1].config.model)) {
      this.notice(`${records[0].name} and ${records[1].name} are runs of different models (model settings differ): load them one at a time.`);
      return false;
    }
    const { setup, exact } = setupOfRecordConfig(this.presets, records[0].config);
    if (!exact) this.notice(`${records[0].name}: its Adam betas or eps are not settings of this page, so the address only approximates this run.`, 'info');
    this.start(setup, records);
    return true;
  }

  /** The run record of arm `i` (JSON text) and a file name for it. */
  async exportRecord(i = this.#state.view.arm) {
    const arm = this.#state.arms[i];
    const m = await arm.request('record');
    const epoch = arm.summary?.epoch ?? 0;
    const slug = arm.name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'run';
    return { text: m.text, filename: `pathscope-${slug}-seed${arm.config.data.seed}-epoch${epoch}.json` };
  }

  /** Every run's per-epoch metrics as CSV: a `run` column, then the core's columns; empty for not evaluated. */
  metricsCsv() {
    const columns = this.wasm.metricColumns();
    const quote = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [['run', ...columns].join(',')];
    for (const arm of this.#state.arms) {
      const cols = columns.map((c) => arm.metrics[c].view());
      for (let r = 0; r < cols[0].length; r++) {
        lines.push([quote(arm.name), ...cols.map((col) => (Number.isFinite(col[r]) ? String(col[r]) : ''))].join(','));
      }
    }
    return `${lines.join('\n')}\n`;
  }

  /** Every run's config and per-epoch metrics as JSON (null for not evaluated). */
  metricsJson() {
    const columns = this.wasm.metricColumns();
    const runs = this.#state.arms.map((arm) => ({
      name: arm.name,
      config: arm.config,
      metrics: Object.fromEntries(columns.map((c) => [c, Array.from(arm.metrics[c].view(), (x) => (Number.isFinite(x) ? x : null))])),
    }));
    return `${JSON.stringify({ format: 'pathscope-metrics', version: 1, runs }, null, 1)}\n`;
  }

  // ---- z_A, loss barrier, trajectories -----------------------------------------------------

  maybeZa(force = false) {
    const za = this.#state.za;
    const arm = this.#state.arms[this.#state.view.arm];
    if (!arm?.summary || za.pending) return;
    if (!force && (!za.auto || performance.now() - za.last < ZA_EVERY_MS)) return;
    if (za.result && za.result.epoch === arm.summary.epoch && za.result.step === arm.summary.step && za.result.arm === arm) return;
    this.computeZa();
  }

  async computeZa() {
    const s = this.#state;
    const arm = s.arms[s.view.arm];
    if (!arm) return;
    const gen = s.gen;
    s.za.pending = true;
    s.za.last = performance.now();
    this.emit('status');
    const step = arm.summary?.step;
    try {
      const r = await arm.request('za', { set: s.setup.zaset });
      if (gen !== s.gen) return;
      s.za.result = { ...r, arm, name: arm.name, step };
      s.za.error = '';
    } catch (e) {
      if (gen === s.gen) s.za.error = e.message;
    } finally {
      if (gen === s.gen) s.za.pending = false;
    }
    this.emit('status');
    this.panels('za');
  }

  /** The analysis worker (loss line, embeddings), started on first use with this run's data. */
  analysisWorker() {
    if (!this.analysis) {
      this.analysis = new Arm({
        columns: this.wasm.metricColumns(),
        name: 'analysis',
        role: 'analysis',
        onUpdate: () => {},
        onError: (arm, message) => this.notice(`analysis: ${message}`),
      });
      // On the first run's data: its config is the setup's, or an imported record's.
      this.analysis.init(this.#state.gen, this.#state.arms[0]?.config ?? this.config(), null, 0);
    }
    return this.analysis;
  }

  /**
   * The models the loss barrier can join: each run now, at its start, and at the end of each
   * phase that ended. Values are `<arm>:now` or `<arm>:<epoch>`.
   */
  barrierChoices() {
    const s = this.#state;
    const choices = [];
    s.arms.forEach((arm, i) => {
      choices.push({ value: `${i}:now`, label: `${arm.name}, latest`, arm: i, epoch: null });
      (arm.summary?.switches ?? []).forEach((e, j) =>
        choices.push({ value: `${i}:${e}`, label: `${arm.name}, end of phase ${j + 1} (epoch ${e})`, arm: i, epoch: e }),
      );
      choices.push({ value: `${i}:0`, label: `${arm.name}, start (epoch 0)`, arm: i, epoch: 0 });
    });
    return choices;
  }

  /**
   * What one end of the line is: the phase its arm was in at that epoch, and whether it had
   * trained on p (the data the line is evaluated on) by then; a model that never saw p is not a
   * solution there, and its barrier says little.
   */
  endpoint(choice, epoch, p) {
    const arm = this.#state.arms[choice.arm];
    const phases = arm.config.schedule.phases;
    let start = 0;
    let phase = 0;
    const trainedOn = new Set();
    for (let i = 0; i < phases.length; i++) {
      if (epoch > start) trainedOn.add(phases[i].p);
      if (epoch >= start) phase = i;
      start += phases[i].epochs;
    }
    return { name: arm.name, epoch, phase, phaseP: phases[phase].p, trainedOnP: trainedOn.has(p) };
  }

  /** Default ends of the line: scratch to curriculum (figure 6), or one run's switch to now. */
  barrierDefaults() {
    const s = this.#state;
    if (s.arms.length === 2) return ['1:now', '0:now'];
    const sw = s.arms[0]?.summary?.switches ?? [];
    return [sw.length ? `0:${sw[0]}` : '0:0', '0:now'];
  }

  async computeBarrier() {
    const s = this.#state;
    const gen = s.gen;
    const choices = this.barrierChoices();
    const pick = (value, fallback) => choices.find((c) => c.value === value) ?? choices.find((c) => c.value === fallback);
    const [defA, defB] = this.barrierDefaults();
    const a = pick(s.barrier.from ?? defA, defA);
    const b = pick(s.barrier.to ?? defB, defB);
    if (!a || !b) return;
    s.barrier.pending = true;
    s.barrier.error = '';
    this.emit('status');
    this.panels('barrier');
    try {
      const [pa, pb] = await Promise.all([
        s.arms[a.arm].request('params', { epoch: a.epoch }),
        s.arms[b.arm].request('params', { epoch: b.epoch }),
      ]);
      if (gen !== s.gen) return;
      const phase = s.setup.phases.length - 1;
      const r = await this.analysisWorker().request(
        'loss-line',
        { a: pa.params, b: pb.params, phase },
        [pa.params.buffer, pb.params.buffer],
      );
      if (gen !== s.gen) return;
      const p = s.setup.phases[phase].p;
      const ends = [this.endpoint(a, pa.epoch, p), this.endpoint(b, pb.epoch, p)];
      const name = (c, m) => {
        const e = this.endpoint(c, m.epoch, p);
        return `${e.name} (epoch ${m.epoch}, phase ${e.phase + 1}: p = ${e.phaseP})`;
      };
      s.barrier.result = { ...r, nameA: name(a, pa), nameB: name(b, pb), p, ends };
    } catch (e) {
      if (gen === s.gen) s.barrier.error = e.message;
    } finally {
      if (gen === s.gen) s.barrier.pending = false;
    }
    this.emit('status');
    this.panels('barrier');
  }

  async computeTrajectory() {
    const s = this.#state;
    const gen = s.gen;
    const method = s.trajectory.method;
    s.trajectory.pending = true;
    s.trajectory.error = '';
    this.emit('status');
    this.panels('trajectory');
    try {
      const snaps = await Promise.all(s.arms.map((a) => a.request('snapshots')));
      if (gen !== s.gen) return;
      const runs = snaps.map((m, i) => thinSnapshots(m, s.arms[i].name));
      const cols = runs[0].cols;
      const rows = runs.reduce((n, r) => n + r.rows, 0);
      const data = new Float32Array(rows * cols);
      let at = 0;
      for (const r of runs) {
        data.set(r.data, at);
        at += r.data.length;
      }
      const r = await this.analysisWorker().request(
        'embed',
        { data, rows, cols, method, perplexity: 30, iterations: 1000, seed: s.setup.seed % 2 ** 32 },
        [data.buffer],
      );
      if (gen !== s.gen) return;
      let from = 0;
      const paths = runs.map((run) => {
        const points = r.points.slice(2 * from, 2 * (from + run.rows));
        from += run.rows;
        return { name: run.name, points, switches: run.switchIndices, epochs: run.epochs };
      });
      const what = `${runs.map((run) => `${run.rows}`).join(' + ')} snapshots`;
      s.trajectory.result = { paths, label: `${r.label}; ${what}`, method };
    } catch (e) {
      if (gen === s.gen) s.trajectory.error = e.message;
    } finally {
      if (gen === s.gen) s.trajectory.pending = false;
    }
    this.emit('status');
    this.panels('trajectory');
  }
}

/** At most MAX_SNAPSHOTS evenly spaced snapshots, always keeping the first, last and switches. */
function thinSnapshots(m, name) {
  const { rows, cols } = m;
  const switchRows = m.switches.map((e) => {
    const i = m.epochs.findIndex((x) => x >= e);
    return i < 0 ? rows - 1 : i;
  });
  let keep = [...Array(rows).keys()];
  if (rows > MAX_SNAPSHOTS) {
    const every = rows / MAX_SNAPSHOTS;
    const set = new Set([0, rows - 1, ...switchRows]);
    for (let j = 0; j < MAX_SNAPSHOTS; j++) set.add(Math.floor(j * every));
    keep = [...set].sort((a, b) => a - b);
  }
  const data = new Float32Array(keep.length * cols);
  keep.forEach((r, j) => data.set(m.data.subarray(r * cols, (r + 1) * cols), j * cols));
  const switchIndices = Uint32Array.from(switchRows.map((r) => keep.indexOf(r)));
  const epochs = Float32Array.from(keep.map((r) => m.epochs[r]));
  return { name, rows: keep.length, cols, data, switchIndices, epochs };
}

// ---- the read-only view of the state ---------------------------------------------------------

/** One read-only view per object of the state (so a view read twice is the same object). */
const VIEWS = new WeakMap();
/** The object behind each view. */
const TARGETS = new WeakMap();

/** Views are made of plain objects and arrays; anything else (Arm, typed arrays, Set) is as is. */
function isPlain(value) {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` seen through a Proxy that reads as the object does and throws on any write. */
function readOnly(value, path) {
  if (!isPlain(value) || TARGETS.has(value)) return value;
  let view = VIEWS.get(value);
  if (!view) {
    const refuse = (key) => {
      throw new TypeError(
        `${path}.${String(key)} is read-only outside App: change the page state with an action of App (www/app.js)`,
      );
    };
    view = new Proxy(value, {
      get: (target, key) => readOnly(target[key], `${path}.${String(key)}`),
      set: (_target, key) => refuse(key),
      defineProperty: (_target, key) => refuse(key),
      deleteProperty: (_target, key) => refuse(key),
      setPrototypeOf: () => refuse('[[Prototype]]'),
      preventExtensions: () => refuse('[[Extensible]]'),
    });
    VIEWS.set(value, view);
    TARGETS.set(view, value);
  }
  return view;
}

/** The object behind a read-only view (structuredClone cannot copy a Proxy); others as they are. */
function writable(value) {
  return TARGETS.get(value) ?? value;
}
