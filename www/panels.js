// The six chart panels: canvases sized to their box and the screen's pixel density, redrawn by
// the main thread's wasm instance (the viz charts) once per animation frame, only when their data
// changed, within a time budget so the page stays responsive. Also the heatmap's scrubbing, which
// changes the page state through App's actions (hoverRow, pinRow, followLive), never directly.

/** Draw order (most live first) and the least time between two draws while training (ms). */
const PANELS = {
  graph: { canvas: 'canvas-graph', every: 33 },
  heatmap: { canvas: 'canvas-heatmap', every: 120 },
  curves: { canvas: 'canvas-curves', every: 150 },
  za: { canvas: 'canvas-za', every: 0 },
  barrier: { canvas: 'canvas-barrier', every: 0 },
  trajectory: { canvas: 'canvas-trajectory', every: 0 },
};
/** Draw no more panels in a frame than fit in this many ms (by their usual cost); the rest wait. */
const FRAME_BUDGET_MS = 12;

const fmt = (x, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/**
 * The drawing done in the current animation frame (its timestamp, and ms), shared by every chart
 * of the page (the panels here, figure 1, the seed dots): a chart whose draw would push the frame
 * past the budget waits for the next one. Every animation-frame callback of a frame gets the same
 * timestamp.
 */
const frameDrawing = { at: -1, ms: 0 };

/** Counts `ms` of drawing against the frame `now`. */
function spentDrawing(now, ms) {
  if (frameDrawing.at !== now) {
    frameDrawing.at = now;
    frameDrawing.ms = 0;
  }
  frameDrawing.ms += ms;
}

/**
 * For a chart drawn by a module of its own (figure 1, the seed dots): runs `draw` in the frame
 * `now` if the frame has room for the chart's usual cost (`chart.typical`, kept here; a chart never
 * drawn counts as the whole budget), else lets it wait: one frame at most once it has drawn (an
 * animation keeps moving), up to ten for its first draw, the costly one (its wasm is compiled
 * then), so that it gets a frame of its own. Returns whether it drew.
 */
export function drawInBudget(chart, now, draw) {
  const typical = chart.typical ?? FRAME_BUDGET_MS;
  const fits = frameDrawing.at !== now || frameDrawing.ms + typical <= FRAME_BUDGET_MS;
  if (!fits && (chart.waits ?? 0) < (chart.typical === undefined ? 10 : 1)) {
    chart.waits = (chart.waits ?? 0) + 1;
    return false;
  }
  chart.waits = 0;
  const t0 = performance.now();
  draw();
  const took = performance.now() - t0;
  chart.typical = chart.typical === undefined ? took : 0.8 * chart.typical + 0.2 * took;
  spentDrawing(now, took);
  return true;
}

/**
 * Sizes a canvas's bitmap to its CSS box times the screen's pixel density (the charts draw in CSS
 * pixels, see src/wasm/charts.rs); returns whether the size changed (the chart must be redrawn).
 */
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(rect.width * dpr));
  const h = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width === w && canvas.height === h) return false;
  canvas.width = w;
  canvas.height = h;
  return true;
}

export class Panels {
  constructor(app) {
    this.app = app;
    this.wasm = app.wasm;
    this.dirty = new Set(Object.keys(PANELS));
    this.last = {};
    this.geometry = {};
    /** What panel 1 shows last drawn (row of the history, its step, the caption). */
    this.shown = {};
    /** Longest draw of each panel (ms), and a moving average used to plan frames. */
    this.timings = {};
    this.typical = {};
    this.canvases = {};
    for (const [name, p] of Object.entries(PANELS)) this.canvases[name] = document.getElementById(p.canvas);
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) this.resize(entry.target);
    });
    for (const canvas of Object.values(this.canvases)) observer.observe(canvas);
    app.on('panels', (names) => names.forEach((n) => this.dirty.add(n)));
    this.bindHeatmap();
    this.frame = this.frame.bind(this);
    requestAnimationFrame(this.frame);
  }

  resize(canvas) {
    if (fitCanvas(canvas)) {
      const name = Object.keys(this.canvases).find((n) => this.canvases[n] === canvas);
      this.dirty.add(name);
      this.last[name] = 0;
    }
  }

  frame(now) {
    requestAnimationFrame(this.frame);
    const playing = this.app.state.playing;
    const start = performance.now();
    let drawn = 0;
    for (const name of Object.keys(PANELS)) {
      if (!this.dirty.has(name)) continue;
      // A panel that is not displayed (embed mode shows some only) waits, dirty, until it is.
      if (!this.canvases[name].getClientRects().length) continue;
      if (playing && now - (this.last[name] ?? 0) < PANELS[name].every) continue;
      // Leave a panel for the next frame when it would push this one past the budget. A panel
      // never drawn has an unknown cost (its first draw also compiles its wasm code): it counts
      // as the whole budget, so first draws are spread over frames, one per frame.
      const spent = performance.now() - start;
      if (drawn > 0 && spent + (this.typical[name] ?? FRAME_BUDGET_MS) > FRAME_BUDGET_MS) continue;
      drawn++;
      this.dirty.delete(name);
      this.last[name] = now;
      const t0 = performance.now();
      try {
        this[name](this.canvases[name]);
      } catch (e) {
        this.app.notice(`Could not draw panel "${name}": ${e.message ?? e}`);
      }
      const took = performance.now() - t0;
      this.typical[name] = this.typical[name] === undefined ? took : 0.8 * this.typical[name] + 0.2 * took;
      this.timings[name] = Math.max(this.timings[name] ?? 0, took);
    }
    if (drawn) spentDrawing(now, performance.now() - start);
  }

  scale(canvas) {
    const w = canvas.getBoundingClientRect().width;
    return w > 0 ? canvas.width / w : 1;
  }

  message(canvas, title, text) {
    this.wasm.drawMessage(canvas, this.scale(canvas), title, text);
  }

  viewArm() {
    const s = this.app.state;
    return s.arms[s.view.arm] ?? s.arms[0];
  }

  /** The history row on show: hovered, else pinned, else the latest. */
  shownRow(arm) {
    const v = this.app.state.view;
    const count = arm.attention.count;
    const row = v.hover ?? v.pinned;
    return row !== null && row < count ? row : count - 1;
  }

  // ---- panel 1: attention graph -----------------------------------------------------------

  graph(canvas) {
    const arm = this.viewArm();
    const a = arm?.attention;
    if (!a || !a.count || !a.probe.length) {
      this.message(canvas, 'Attention of the output on each token (fig. 2)', 'Loading the run...');
      return;
    }
    // Each history row holds every probe's attention; the graph shows the first probe.
    const setup = this.app.state.setup;
    const width = a.probe.length;
    const t = Math.min(setup.T, width);
    const row = this.shownRow(arm);
    const rows = a.rows.view();
    const attn = rows.subarray(row * width, row * width + t);
    const prev = row > 0 ? rows.subarray((row - 1) * width, (row - 1) * width + t) : new Float32Array(0);
    const steps = a.steps.view();
    const step = steps[row];
    const spe = arm.summary?.steps_per_epoch ?? 1;
    const live = row === a.count - 1 && this.app.state.view.hover === null && this.app.state.view.pinned === null;
    // Once a long history is thinned, the previous row is several steps back: say so.
    const gap = row > 0 ? step - steps[row - 1] : 1;
    const since = gap > 1 ? `; colours: change since step ${steps[row - 1]} (${gap} steps earlier)` : '';
    const label = `${arm.name}, step ${step} (epoch ${fmt(step / spe, spe > 1 ? 2 : 0)})${live ? '' : ', from the history'}${since}`;
    this.shown.graph = { arm: arm.name, row, step, label };
    const tokens = a.probe.slice(0, t);
    const values = tokens.map((tok, i) => `x${i + 1} = ${tok}: ${attn[i].toFixed(2)}`).join(', ');
    canvas.setAttribute('aria-label', `Attention graph, ${label}. Attention per token: ${values}`);
    this.geometry.graph = this.wasm.drawAttentionGraph(canvas, this.scale(canvas), Uint8Array.from(tokens), attn, prev, setup.k, label, setup.sharp);
  }

  // ---- panel 2: attention heatmap ---------------------------------------------------------

  heatmap(canvas) {
    const arm = this.viewArm();
    const a = arm?.attention;
    if (!a || !a.count || !a.probe.length) {
      this.message(canvas, 'Attention over training (fig. 3)', 'Loading the run...');
      this.geometry.heatmap = null;
      return;
    }
    const v = this.app.state.view;
    const every = this.rowFactor(arm);
    const width = a.probe.length;
    let rows = a.rows.view();
    let steps = a.steps.view();
    if (every > 1) {
      // Every `every`-th history row (the authors show every 100th iteration).
      const keep = Math.ceil(a.count / every);
      const picked = new Float32Array(keep * width);
      const pickedSteps = new Float32Array(keep);
      for (let j = 0; j < keep; j++) {
        picked.set(rows.subarray(j * every * width, (j * every + 1) * width), j * width);
        pickedSteps[j] = steps[j * every];
      }
      rows = picked;
      steps = pickedSteps;
    }
    const shown = v.hover ?? v.pinned;
    const highlight = shown === null ? -1 : Math.floor(shown / every);
    this.geometry.heatmap = this.wasm.drawAttentionHeatmap(
      canvas,
      this.scale(canvas),
      rows,
      width,
      this.app.probeCount(),
      steps,
      this.app.state.setup.k,
      highlight,
      NaN,
    );
  }

  /** History rows per heatmap row: the stride view setting, in recorded rows (at least 1). */
  rowFactor(arm) {
    const recorded = arm?.attention.stride ?? 1;
    return Math.max(1, Math.round((this.app.state.setup.stride ?? 1) / recorded));
  }

  bindHeatmap() {
    const canvas = this.canvases.heatmap;
    const rowAt = (event) => {
      const g = this.geometry.heatmap;
      if (!g || !g.rows) return -1;
      const rect = canvas.getBoundingClientRect();
      const x = event.clientX - rect.left;
      if (x < g.left - 12 || x > g.left + g.width + 4) return -1;
      // A heatmap row is `rowFactor` history rows: the history row is its first.
      const row = this.wasm.heatmapRowAt(Math.round(event.clientY - rect.top), g.top, g.height, g.rows);
      return row < 0 ? row : row * this.rowFactor(this.viewArm());
    };
    const view = () => this.app.state.view;
    // The action marks panels 1 and 2 for redrawing; the heatmap also skips its wait while
    // training, so the highlighted row follows the pointer at once.
    const redrawAtOnce = (changed) => {
      if (changed) this.last.heatmap = 0;
    };
    canvas.addEventListener('pointermove', (event) => {
      const row = rowAt(event);
      redrawAtOnce(this.app.hoverRow(row >= 0 ? row : null));
    });
    canvas.addEventListener('pointerleave', () => redrawAtOnce(this.app.hoverRow(null)));
    canvas.addEventListener('click', (event) => {
      const row = rowAt(event);
      if (row >= 0) redrawAtOnce(this.app.pinRow(row));
    });
    canvas.addEventListener('keydown', (event) => {
      const arm = this.viewArm();
      const count = arm?.attention.count ?? 0;
      if (!count) return;
      const current = view().pinned ?? count - 1;
      const f = this.rowFactor(arm);
      const moves = { ArrowUp: -f, ArrowDown: f, PageUp: -10 * f, PageDown: 10 * f };
      let row = null;
      if (event.key in moves) row = current + moves[event.key];
      else if (event.key === 'Home') row = 0;
      else if (event.key === 'End') row = count - 1;
      if (row === null) return;
      event.preventDefault();
      event.stopPropagation();
      redrawAtOnce(this.app.pinRow(Math.max(0, Math.min(count - 1, row))));
    });
    document.getElementById('live').addEventListener('click', () => redrawAtOnce(this.app.followLive()));
  }

  // ---- panel 3: curves --------------------------------------------------------------------

  curves(canvas) {
    const s = this.app.state;
    const arms = s.arms.filter((a) => a.metrics.epoch.length > 0);
    if (!arms.length) {
      this.message(canvas, 'Accuracy and loss during training (fig. 5)', 'Loading the run...');
      return;
    }
    const switches = s.arms[0].summary?.switches ?? [];
    const ps = s.setup.phases.map((ph) => ph.p);
    const runs = arms.map((a) => ({
      name: a.name,
      columns: Object.fromEntries(Object.entries(a.metrics).map(([name, column]) => [name, column.view()])),
    }));
    const marks = switches.map((epoch, i) => ({ epoch, label: `p = ${ps[i]} → ${ps[i + 1]}` }));
    this.wasm.drawCurves(canvas, this.scale(canvas), runs, marks, chanceSpans(arms));
  }

  // ---- panel 4: z_A -------------------------------------------------------------------------

  za(canvas) {
    const za = this.app.state.za;
    const title = 'Attention outputs z_A, coloured by x1 + .. + xk (fig. 4)';
    const set = this.app.state.setup.zaset;
    if (za.which !== 'latest') {
      const arm = this.viewArm();
      const m = arm?.switchZa[Number(za.which)]?.[set];
      if (m) {
        const caption = `${arm.name} at the end of phase ${Number(za.which) + 1} (epoch ${m.epoch}), ${zaWhat(m)}; ${m.caption}`;
        this.wasm.drawZaScatter(canvas, this.scale(canvas), m.points, m.counts, m.max_count, m.axes, caption);
        return;
      }
    }
    const r = za.result;
    if (!r) {
      this.message(canvas, title, za.error || (za.pending ? 'Computing...' : 'Press "Compute z_A now", or train with "update while training" on.'));
      return;
    }
    const caption = `${r.name}, epoch ${r.epoch}, ${zaWhat(r)}; ${r.caption}`;
    this.wasm.drawZaScatter(canvas, this.scale(canvas), r.points, r.counts, r.max_count, r.axes, caption);
  }

  // ---- panel 5: loss barrier ---------------------------------------------------------------

  barrier(canvas) {
    const b = this.app.state.barrier;
    const r = b.result;
    const title = 'Loss on the line between two solutions (fig. 6)';
    if (!r) {
      const idle = 'Computed when the runs pause or finish, or press "Compute now".';
      this.message(canvas, title, b.error || (b.pending ? 'Computing the loss along the line...' : idle));
      return;
    }
    this.wasm.drawLossBarrier(canvas, this.scale(canvas), r.t, r.train_loss, r.test_loss, r.nameA, r.nameB, b.log);
  }

  // ---- panel 6: trajectories ---------------------------------------------------------------

  trajectory(canvas) {
    const tr = this.app.state.trajectory;
    const r = tr.result;
    const title = 'Training paths in parameter space (fig. 7)';
    if (!r) {
      const what = tr.method === 'tsne' ? 't-SNE' : 'PCA';
      this.message(canvas, title, tr.error || (tr.pending ? `Embedding the snapshots (${what})...` : 'Computed when the runs finish, or press "Compute now".'));
      return;
    }
    this.wasm.drawTrajectory(canvas, this.scale(canvas), r.paths, r.label);
  }
}

/**
 * Chance accuracy (1/p of the data each run is tested on) over each run's phases: 0.5 while a
 * curriculum tests on p = 2, 0.25 after and for the scratch twin. Equal spans are drawn once.
 */
function chanceSpans(arms) {
  const spans = new Map();
  for (const arm of arms) {
    let from = 0;
    for (const ph of arm.config.schedule.phases) {
      const span = { from, to: from + ph.epochs, value: 1 / ph.p };
      spans.set(`${span.from}:${span.to}:${span.value}`, span);
      from += ph.epochs;
    }
  }
  // A span that another span of the same level covers adds nothing.
  const all = [...spans.values()];
  return all.filter((s) => !all.some((o) => o !== s && o.value === s.value && o.from <= s.from && o.to >= s.to && (o.from < s.from || o.to > s.to)));
}

/** What a z_A result shows, and how it clusters, in words (figure 4 as a number). */
export function zaWhat(r) {
  const what = r.set === 'patterns' ? `the ${r.counts.length} hand-built p = ${r.p} sequences` : `the p = ${r.p} test set`;
  const c = r.clusters;
  return `${what}; k-means: ${c.formed} of ${c.classes} count classes form their own cluster (ARI ${c.ari.toFixed(2)})`;
}
