// Seed statistics: the setup on screen over N seeds, as many at a time as the machine has cores,
// each run in its own training worker (worker.js, the protocol of PROTOCOL.md, at full speed with
// nothing drawn per step), then a dot plot of every seed's final test accuracy per arm and each
// arm's success rate with its 95% Wilson interval (the core's: wasm `wilsonInterval`, success =
// final test accuracy above `seedThreshold()`, as in the results files). Stop keeps every finished
// seed; Run again continues with the unfinished ones. A results file made by the command line
// (`pathscope sweep run` / `collect`, docs/results-format.md) can be loaded to show a larger sweep.
// A click on a dot opens that seed's run in the playground.
//
// The page state (app.state) is not touched here: runs are opened through app.start().

import { drawInBudget, fitCanvas } from './panels.js';
import { setupOfConfig } from './url-state.js';

/** Most seeds one press of Run trains. */
export const MAX_SEEDS = 256;
/** Most workers at once, whatever the machine reports. */
export const MAX_WORKERS = 8;
/** Largest results file read (bytes): the whole text is parsed at once on the page. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Most columns (groups) a loaded file shows. */
const MAX_GROUPS = 8;

const $ = (id) => document.getElementById(id);
const pct = (x) => `${Math.round(100 * x)}%`;

/** Workers to run at once: the cores the browser reports, within 1..MAX_WORKERS, and no more than the tasks. */
export function workerCount(tasks, cores = navigator.hardwareConcurrency) {
  const c = Number.isFinite(cores) && cores > 0 ? Math.floor(cores) : 2;
  return Math.max(1, Math.min(MAX_WORKERS, c, tasks));
}

/** The results-file setting of a group, in words (`optim.reset_at_switch=true` and the like). */
function settingWords(setting) {
  if (!setting) return '';
  if (/reset_at_switch=true|adam=fresh/.test(setting)) return 'fresh Adam';
  if (/reset_at_switch=false|adam=kept|adam=keep/.test(setting)) return 'Adam kept';
  return setting;
}

export class SeedStats {
  constructor(app) {
    this.app = app;
    this.wasm = app.wasm;
    this.threshold = this.wasm.seedThreshold();
    /** The seeds of the setup last run: `{ key, setup, arms: [{ name, config }], seeds }`. */
    this.plan = null;
    /** Finished runs of the plan by `${arm}/${seed}`: `{ test_acc, train_acc, state, epoch }`. */
    this.done = new Map();
    /** Running workers: `{ worker, task, gen, fraction }`. */
    this.slots = [];
    this.queue = [];
    /** Runs started since the page opened (a resumed seed that had finished is never started again). */
    this.started = 0;
    /** What the plot shows: 'live' (this page's runs) or 'file' (a loaded results file). */
    this.source = 'live';
    this.file = null;
    this.dots = [];
    this.selected = null;
    this.dirty = true;
    this.canvas = $('canvas-seeds');
    this.bind();
    new ResizeObserver(() => this.resize()).observe(this.canvas);
    this.frame = this.frame.bind(this);
    requestAnimationFrame(this.frame);
    this.render();
  }

  bind() {
    $('seeds-run').addEventListener('click', () => this.run());
    $('seeds-stop').addEventListener('click', () => this.stop());
    $('seeds-file').addEventListener('change', (event) => {
      const file = event.target.files?.[0];
      if (file) this.load(file);
      event.target.value = '';
    });
    this.canvas.addEventListener('click', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      this.clickAt(event.clientX - rect.left, event.clientY - rect.top);
    });
    this.canvas.addEventListener('mousemove', (event) => {
      const rect = this.canvas.getBoundingClientRect();
      this.canvas.style.cursor = this.dotAt(event.clientX - rect.left, event.clientY - rect.top) ? 'pointer' : '';
    });
    this.canvas.addEventListener('keydown', (event) => this.key(event));
    this.canvas.addEventListener('focus', () => {
      // The keyboard starts on the first dot (or the one picked before).
      if (!this.selected && this.dots.length) this.select(this.dots[0].group, this.dots[0].index);
    });
  }

  /**
   * The keyboard on the focused chart: ←/→ the previous/next seed (across columns at the ends),
   * ↑/↓ the same seed in the previous/next column, Home/End the first/last dot, Enter or Space
   * opens the picked dot's run (as a click does).
   */
  key(event) {
    const order = [...this.dots].sort((a, b) => a.group - b.group || a.index - b.index);
    if (!order.length) return;
    const at = this.selected ? order.findIndex((d) => d.group === this.selected[0] && d.index === this.selected[1]) : -1;
    const cur = order[Math.max(0, at)];
    let to;
    if (event.key === 'ArrowRight') to = order[Math.min(order.length - 1, at + 1)];
    else if (event.key === 'ArrowLeft') to = order[Math.max(0, at - 1)];
    else if (event.key === 'Home') to = order[0];
    else if (event.key === 'End') to = order.at(-1);
    else if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      const groups = [...new Set(order.map((d) => d.group))];
      const g = groups[groups.indexOf(cur.group) + (event.key === 'ArrowDown' ? 1 : -1)];
      const column = order.filter((d) => d.group === g);
      to = column.length ? column[Math.min(cur.index, column.length - 1)] : cur;
    } else if ((event.key === 'Enter' || event.key === ' ') && at >= 0) {
      // Not the page's Space (play/pause): it sees the event as handled.
      event.preventDefault();
      this.groups()[cur.group].open(cur.index);
      return;
    } else return;
    event.preventDefault();
    event.stopPropagation();
    this.select(to.group, to.index);
  }

  /** Picks a dot (drawn ringed) and says which run it is. */
  select(group, index) {
    this.selected = [group, index];
    this.dirty = true;
    this.describe();
  }

  /** The picked dot in words, under the chart (read out by screen readers as it changes). */
  describe() {
    const g = this.selected && this.groups()[this.selected[0]];
    const i = this.selected?.[1];
    const el = $('seeds-dot');
    if (!g || !(i < g.values.length)) {
      el.textContent = '';
      return;
    }
    const v = g.values[i];
    const verdict = !Number.isFinite(v) ? 'no final accuracy (the run diverged)' : v > this.threshold ? 'generalized' : 'did not generalize';
    el.textContent = `Picked: ${g.name}, seed ${g.seeds[i]}: final test accuracy ${Number.isFinite(v) ? v.toFixed(3) : '–'}, ${verdict}. Enter opens this run above.`;
  }

  // ---- running seeds ------------------------------------------------------------------------

  /** The setup on screen as a plan: its arms (the curriculum and its scratch twin, or one run). */
  planOf(seeds) {
    const setup = this.app.setupCopy();
    const config = this.app.config();
    const arms = [{ name: setup.phases.length > 1 ? 'curriculum' : `p = ${setup.phases[0].p}`, config }];
    if (setup.phases.length > 1) arms.push({ name: 'scratch', config: JSON.parse(this.wasm.scratchTwin(JSON.stringify(config))) });
    // The seed does not belong to the key: every seed of the plan is another run of it.
    const key = JSON.stringify(arms.map((a) => ({ ...a.config, data: { ...a.config.data, seed: 0 } })));
    return { key, setup, arms, seeds };
  }

  /** Runs (or resumes) the setup on screen over the seeds 0 .. N-1 asked for. */
  run() {
    const text = $('seeds-count').value.trim();
    const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
    if (!(n >= 1 && n <= MAX_SEEDS)) {
      this.error(`Seeds = ${JSON.stringify(text)} is not accepted: a whole number from 1 to ${MAX_SEEDS}.`);
      return;
    }
    this.error('');
    this.stopWorkers();
    const plan = this.planOf(n);
    // The same setup keeps the seeds it has finished (that is Resume); another starts afresh.
    if (!this.plan || this.plan.key !== plan.key) this.done = new Map();
    this.plan = plan;
    this.source = 'live';
    this.selected = null;
    this.describe();
    this.queue = [];
    for (let seed = 0; seed < n; seed++) {
      for (const arm of plan.arms) if (!this.done.has(`${arm.name}/${seed}`)) this.queue.push({ arm, seed });
    }
    // The playground's own workers would share the cores: pause them while the seeds run.
    if (this.app.state.playing) this.app.pause();
    if (this.queue.length) {
      const workers = workerCount(this.queue.length);
      for (let i = 0; i < workers; i++) this.startSlot();
    }
    this.render();
  }

  startSlot() {
    const slot = { worker: new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'pathscope seed' }), task: null, gen: 0, fraction: 0 };
    slot.worker.onmessage = (event) => this.receive(slot, event.data);
    slot.worker.onerror = (event) => {
      event.preventDefault?.();
      this.fail(`a seed worker failed: ${event.message || 'it could not start (see the console)'}`);
    };
    this.slots.push(slot);
    this.next(slot);
  }

  /** Gives the slot the next unfinished run, or ends it when there is none. */
  next(slot) {
    const task = this.queue.shift();
    if (!task) {
      slot.worker.terminate();
      this.slots = this.slots.filter((s) => s !== slot);
      this.render();
      return;
    }
    slot.task = task;
    slot.gen++;
    this.started++;
    slot.fraction = 0;
    const config = { ...task.arm.config, data: { ...task.arm.config.data, seed: task.seed } };
    // As the playground's arms: when the workers take every core, each rests 4 ms per 12 ms slice
    // so that the page keeps a share of the CPU (app.restMs).
    const restMs = this.app.restMs(this.slots.length);
    slot.worker.postMessage({ type: 'init', gen: slot.gen, config: JSON.stringify(config), speed: 0, restMs });
    slot.worker.postMessage({ type: 'play' });
  }

  receive(slot, m) {
    if (!this.slots.includes(slot)) return;
    if (m.type === 'error') {
      this.fail(`seed ${slot.task?.seed} (${slot.task?.arm.name}): ${m.message}`);
      return;
    }
    if (m.type !== 'update' || m.gen !== slot.gen) return;
    const s = m.summary;
    slot.fraction = s.total_epochs ? s.epoch / s.total_epochs : 0;
    if (s.status.state !== 'running') {
      const t = slot.task;
      const acc = (x) => (typeof x === 'number' ? x : NaN);
      this.done.set(`${t.arm.name}/${t.seed}`, { test_acc: acc(s.test_acc), train_acc: acc(s.train_acc), state: s.status.state, epoch: s.epoch });
      this.dirty = true;
      this.next(slot);
    }
    this.renderProgress();
  }

  /** Stops every worker; the finished seeds stay, the running ones are run again on resume. */
  stop() {
    this.stopWorkers();
    this.queue = [];
    this.render();
  }

  stopWorkers() {
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
  }

  fail(message) {
    this.stop();
    this.error(`The seed runs stopped: ${message}`);
  }

  running() {
    return this.slots.length > 0;
  }

  // ---- a results file -----------------------------------------------------------------------

  /** Reads a results file; a file that is too large or not results lines changes nothing. */
  async load(file) {
    if (file.size > MAX_FILE_BYTES) {
      this.error(`${file.name} is ${(file.size / 1048576).toFixed(1)} MiB: the page reads results files of at most ${MAX_FILE_BYTES / 1048576} MiB. Nothing was loaded.`);
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (e) {
      this.error(`${file.name} could not be read: ${e.message ?? e}. Nothing was loaded.`);
      return;
    }
    const read = this.wasm.readResults(text);
    if (read.errors.length) {
      const more = read.errors.length > 1 ? ` (and ${read.errors.length - 1} more line${read.errors.length > 2 ? 's' : ''})` : '';
      this.error(`${file.name} is not a results file (docs/results-format.md): ${read.errors[0]}${more}. Nothing was loaded.`);
      return;
    }
    if (!read.lines) {
      this.error(`${file.name} holds no results lines (JSON lines of format pathscope-result/1). Nothing was loaded.`);
      return;
    }
    this.error(read.groups.length > MAX_GROUPS ? `${file.name} has ${read.groups.length} groups (arm and setting): the first ${MAX_GROUPS} are shown.` : '');
    this.file = { name: file.name, lines: read.lines, groups: read.groups.slice(0, MAX_GROUPS) };
    this.source = 'file';
    this.selected = null;
    this.describe();
    this.render();
  }

  // ---- what the plot shows ------------------------------------------------------------------

  /** The plot's columns: `{ name, values, seeds, open(i) }` for the live runs or the file. */
  groups() {
    if (this.source === 'file' && this.file) {
      const sources = new Set(this.file.groups.map((g) => g.source));
      const sweeps = new Set(this.file.groups.map((g) => g.sweep));
      return this.file.groups.map((g) => {
        const words = [sweeps.size > 1 ? g.sweep : '', settingWords(g.setting), sources.size > 1 || g.source !== 'pathscope' ? g.source : ''].filter(Boolean);
        return {
          name: words.length ? `${g.arm} (${words.join(', ')})` : g.arm,
          values: Float32Array.from(g.test_acc, (x) => (x === null ? NaN : x)),
          seeds: g.seeds,
          open: (i) => this.openConfig(g, i),
        };
      });
    }
    if (!this.plan) return [];
    return this.plan.arms.map((arm) => {
      const seeds = [];
      const values = [];
      for (let seed = 0; seed < this.plan.seeds; seed++) {
        const r = this.done.get(`${arm.name}/${seed}`);
        if (!r) continue;
        seeds.push(seed);
        values.push(r.test_acc);
      }
      return { name: arm.name, values: Float32Array.from(values), seeds, open: (i) => this.openSeed(seeds[i]) };
    });
  }

  /** Success count and 95% interval of each group, from the same values as the dots. */
  rates(groups) {
    return groups.map((g) => {
      const k = Array.from(g.values).filter((v) => v > this.threshold).length;
      return { name: g.name, ...this.wasm.wilsonInterval(k, g.values.length) };
    });
  }

  /** Chance accuracy of the last phase (1/p), or NaN. */
  chance() {
    const cfg = this.source === 'file' ? JSON.parse(this.file?.groups[0]?.configs[0] ?? 'null') : this.plan?.arms[0].config;
    const p = cfg?.schedule?.phases?.at(-1)?.p;
    return p ? 1 / p : NaN;
  }

  caption() {
    if (this.source === 'file') return `${this.file.name}: ${this.file.lines} runs`;
    const ph = this.plan.setup.phases.map((x) => `p = ${x.p} for ${x.epochs}`).join(', then ');
    return `${this.plan.setup.preset} preset setup, seeds 0 to ${this.plan.seeds - 1}: ${ph} epochs`;
  }

  // ---- opening a run ------------------------------------------------------------------------

  openSeed(seed) {
    this.app.start({ ...this.plan.setup, seed, scratch: this.plan.arms.length > 1 });
    this.scrollToRun();
  }

  openConfig(group, i) {
    const config = JSON.parse(group.configs[i]);
    const preset = this.app.presets[group.sweep] ? group.sweep : 'fig5';
    const setup = setupOfConfig(this.app.presets, preset, config);
    if (!setup) {
      this.error(`Seed ${group.seeds[i]} of ${group.arm} uses a setting the playground cannot set (Adam's betas or eps): it cannot be opened here.`);
      return;
    }
    this.error('');
    this.app.start({ ...setup, scratch: group.arm === 'curriculum' });
    this.scrollToRun();
  }

  scrollToRun() {
    $('panel-curves').scrollIntoView({ block: 'start' });
  }

  dotAt(x, y) {
    return this.dots.find((d) => (d.x - x) ** 2 + (d.y - y) ** 2 <= (d.r + 3) ** 2);
  }

  clickAt(x, y) {
    const dot = this.dotAt(x, y);
    if (!dot) return;
    this.select(dot.group, dot.index);
    this.groups()[dot.group].open(dot.index);
  }

  // ---- drawing ------------------------------------------------------------------------------

  error(text) {
    $('seeds-error').textContent = text;
  }

  resize() {
    if (fitCanvas(this.canvas)) this.dirty = true;
  }

  render() {
    this.dirty = true;
    this.renderProgress();
  }

  /** Finished runs of the plan (its arms, seeds 0 .. N-1). */
  finished() {
    if (!this.plan) return 0;
    let n = 0;
    for (const arm of this.plan.arms) for (let seed = 0; seed < this.plan.seeds; seed++) n += this.done.has(`${arm.name}/${seed}`) ? 1 : 0;
    return n;
  }

  renderProgress() {
    const total = this.plan ? this.plan.seeds * this.plan.arms.length : 0;
    const finished = this.finished();
    const bar = $('seeds-progress');
    bar.max = Math.max(1, total);
    bar.value = Math.min(total, finished + this.slots.reduce((sum, s) => sum + s.fraction, 0));
    const left = total - finished;
    let state = 'No seeds run yet.';
    if (this.running()) state = `${finished} of ${total} runs finished; ${this.slots.length} running at once (the browser reports ${navigator.hardwareConcurrency || 'no'} cores).`;
    else if (left > 0) state = `Stopped: ${finished} of ${total} runs finished. Resume runs the ${left} left.`;
    else if (this.plan) state = `${total} of ${total} runs finished.`;
    $('seeds-state').textContent = state;
    $('seeds-stop').disabled = !this.running();
    const resumable = !this.running() && left > 0 && this.plan.key === this.planOf(this.plan.seeds).key;
    $('seeds-run').textContent = resumable ? 'Resume' : 'Run seeds';
  }

  frame(now) {
    requestAnimationFrame(this.frame);
    if (!this.dirty) return;
    drawInBudget(this, now, () => {
      this.dirty = false;
      this.draw();
    });
  }

  draw() {
    const groups = this.groups();
    const dpr = window.devicePixelRatio || 1;
    try {
      if (!groups.length) {
        this.wasm.drawMessage(this.canvas, dpr, 'Final test accuracy of every seed', 'Press Run seeds, or load a results file.');
        this.dots = [];
      } else {
        const sel = this.selected ?? [-1, -1];
        this.dots = this.wasm.drawSeedDots(this.canvas, dpr, groups.map((g) => ({ name: g.name, values: g.values })), this.chance(), this.caption(), sel[0], sel[1]);
      }
    } catch (e) {
      this.error(`Could not draw the seed dots: ${e.message ?? e}`);
      this.dots = [];
    }
    this.canvas.dataset.dots = String(this.dots.length);
    this.canvas.dataset.filled = String(this.dots.filter((d) => d.success).length);
    const items = this.rates(groups).map((r) => {
      const li = document.createElement('li');
      li.textContent = `${r.name}: ${r.k} of ${r.n} seeds generalized (final test accuracy above ${this.threshold}), ${r.n ? pct(r.k / r.n) : '–'}; 95% interval ${pct(r.low)} to ${pct(r.high)}.`;
      return li;
    });
    $('seeds-rates').replaceChildren(...items);
  }
}
