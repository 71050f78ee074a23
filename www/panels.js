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
    const dpr = window.devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
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
      if (playing && now - (this.last[name] ?? 0) < PANELS[name].every) continue;
      // Leave a panel for the next frame when it would push this one past the budget.
      const spent = performance.now() - start;
      if (drawn > 0 && spent + (this.typical[name] ?? 0) > FRAME_BUDGET_MS) continue;
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
    const t = a.probe.length;
    const row = this.shownRow(arm);
    const rows = a.rows.view();
    const attn = rows.subarray(row * t, (row + 1) * t);
    const prev = row > 0 ? rows.subarray((row - 1) * t, row * t) : new Float32Array(0);
    const step = a.steps.view()[row];
    const spe = arm.summary?.steps_per_epoch ?? 1;
    const live = row === a.count - 1 && this.app.state.view.hover === null && this.app.state.view.pinned === null;
    const label = `${arm.name}, step ${step} (epoch ${fmt(step / spe, spe > 1 ? 2 : 0)})${live ? '' : ', from the history'}`;
    this.shown.graph = { arm: arm.name, row, step, label };
    const values = a.probe.map((tok, i) => `x${i + 1} = ${tok}: ${attn[i].toFixed(2)}`).join(', ');
    canvas.setAttribute('aria-label', `Attention graph, ${label}. Attention per token: ${values}`);
    this.geometry.graph = this.wasm.drawAttentionGraph(canvas, this.scale(canvas), Uint8Array.from(a.probe), attn, prev, this.app.state.setup.k, label);
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
    const highlight = v.hover ?? v.pinned ?? -1;
    this.geometry.heatmap = this.wasm.drawAttentionHeatmap(
      canvas,
      this.scale(canvas),
      a.rows.view(),
      a.probe.length,
      a.steps.view(),
      this.app.state.setup.k,
      highlight,
      NaN,
    );
  }

  bindHeatmap() {
    const canvas = this.canvases.heatmap;
    const rowAt = (event) => {
      const g = this.geometry.heatmap;
      if (!g || !g.rows) return -1;
      const rect = canvas.getBoundingClientRect();
      const x = event.clientX - rect.left;
      if (x < g.left - 12 || x > g.left + g.width + 4) return -1;
      return this.wasm.heatmapRowAt(Math.round(event.clientY - rect.top), g.top, g.height, g.rows);
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
      const moves = { ArrowUp: -1, ArrowDown: 1, PageUp: -10, PageDown: 10 };
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
    this.wasm.drawCurves(canvas, this.scale(canvas), runs, marks, 1 / ps[ps.length - 1]);
  }

  // ---- panel 4: z_A -------------------------------------------------------------------------

  za(canvas) {
    const za = this.app.state.za;
    const title = 'Attention outputs z_A, coloured by x1 + .. + xk (fig. 4)';
    if (za.which !== 'latest') {
      const arm = this.viewArm();
      const m = arm?.switchZa[Number(za.which)];
      if (m) {
        const caption = `${arm.name} at the end of phase ${Number(za.which) + 1} (epoch ${m.epoch}), p = ${m.p} test set; ${m.caption}`;
        this.wasm.drawZaScatter(canvas, this.scale(canvas), m.points, m.counts, m.max_count, m.axes, caption);
        return;
      }
    }
    const r = za.result;
    if (!r) {
      this.message(canvas, title, za.error || (za.pending ? 'Computing...' : 'Press "Compute z_A now", or train with "update while training" on.'));
      return;
    }
    const caption = `${r.name}, epoch ${r.epoch}, p = ${r.p} test set; ${r.caption}`;
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
