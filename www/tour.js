// The guided tour: the paper, section by section, on the live model. Each of the nine stops sets
// up its run (through App's actions: start, play, computeBarrier, computeTrajectory), brings its
// panel into view, sizes the chart to the room between the sticky bar and the tour card (so the
// card never hides it), and says what to watch, what the paper claims, and how often it holds.
// Back/Next, the arrow keys and Esc; the address key `tour` (#tour=1 .. #tour=9) links to a stop;
// leaving keeps the stop's run and setup in the playground.
//
// The stops' settings are chosen to show their point quickly on a two-core laptop (times measured
// by e2e/tests/tour.test.mjs are in the tour's commit message and the report of issue 11).

import { fig4Sentences, fig5Sentences } from './results.js';
import { presetSetup, sameRun, setPageFlag } from './url-state.js';
import { headerActions } from './projector.js';

const $ = (id) => document.getElementById(id);

/** How often stops 7 and 8 recompute the barrier and the paths while the runs train (ms). */
const REFRESH_MS = 4000;

/**
 * The stops. `setup(tour)`: the run to show (null: keep the run on screen); `focus`: the id of
 * the element to bring into view (the first that exists); `watch`: what to look at; `claim`:
 * what the paper says; `often(tour)`: how often it holds (plain sentences).
 */
const STOPS = [
  {
    title: 'Circuits (figure 1)',
    focus: ['panel-figure1'],
    setup: null,
    watch:
      'Play the sine wave and watch the two paths take turns: the red path (input weight +1) carries the positive half ' +
      'of the wave, the blue path (weight −1) the negative half, and the output is always positive. Pause it and drag ' +
      'the input up or down on the figure to steer the current yourself.',
    claim:
      'A circuit is a path of weights through the network that computes one part of the answer. The paper looks at ' +
      'training as a competition between circuits: each gradient step strengthens many of them at once, and the task ' +
      'decides which ones last.',
    often: () => ['Figure 1 is a hand-made network, not a trained one: nothing to reproduce.'],
  },
  {
    title: 'The task and the model',
    focus: ['panel-curves'],
    setup: (t) => ({ ...t.preset('quick'), scratch: false }),
    watch:
      'The task: read T tokens, each a number from 0 to p − 1, and output the sum of the first k of them modulo p; the ' +
      'other tokens are noise. For p = 4, k = 5: 3 1 0 2 2 | 1 3 0 → (3 + 1 + 0 + 2 + 2) mod 4 = 0. Watch the test ' +
      'accuracy (on sequences never trained on) climb from chance, 1 in p, to 1.',
    claim:
      'The model is a one-layer transformer: an attention layer that chooses which tokens to read, then a small MLP ' +
      'that computes the answer. This run is short (T = 8, minibatches of 32): first p = 2, then p = 4 at the dashed ' +
      'line; stop 6 says why.',
    often: () => [
      'While p = 2 at T = 8, every test sequence was also trained on (only 256 exist), so that accuracy measures ' +
        'memory; the one that counts comes after the switch. At T = 8 the run generalizes on nearly every seed; the ' +
        'hard setting comes at stop 6.',
    ],
  },
  {
    title: 'A gradient step reinforces many circuits (figure 2)',
    focus: ['panel-graph'],
    setup: (t) => t.preset('fig2'),
    watch:
      'Each edge joins a token to the output node; its width is how much the output attends to that token. Red solid ' +
      'edges grew at this step, blue dashed ones shrank. Watch one step move many edges at once, those of the first k ' +
      'tokens (shaded) and those of the noise tokens alike.',
    claim:
      'The paper: a gradient step does not pick the right circuit; it reinforces many, useful and spurious, and only ' +
      'over many steps do the useful ones (attention on the first k tokens) win.',
    often: () => [
      'In the PyTorch reference the attention on the first 5 tokens ended between 0.67 and 0.93, above 0.9 on 2 of 6 ' +
        'runs: it moves onto them, but not all of it (the note under panel 2; docs/reproduction.md).',
    ],
  },
  {
    title: 'Training prunes the spurious circuits (figure 3)',
    focus: ['panel-heatmap'],
    setup: (t) => t.preset('fig3'),
    watch:
      'One row per moment of training (time runs down), one column per position, four test sequences side by side; ' +
      'the red line sits after the first k = 5 positions. Watch the attention, spread over every position at first, ' +
      'gather left of the line: the circuits through the noise tokens die out.',
    claim:
      'The paper: training first lights up many circuits, then prunes the spurious ones, leaving the attention on the ' +
      'tokens the answer depends on.',
    often: () => [
      'In this run (seed 0) the attention of the first sequence on the first five positions grows only from 0.42 ' +
        '(5 of 12: uniform) to about 0.54 by step 2,000, while the test accuracy reaches 1: the move is real but ' +
        'partial, and how far it goes depends on the seed (the note under the heatmap).',
    ],
  },
  {
    title: 'Sub-circuits: z_A clusters (figure 4)',
    focus: ['panel-za'],
    setup: (t) => t.preset('fig4'),
    watch:
      'z_A is what the attention layer passes on, for every pattern of the first k tokens, here in a 2-D model (d = 2) ' +
      'so it can be drawn as it is. The colour is the count x1 + .. + xk. Watch sequences with the same count gather ' +
      'into clusters, in order of the count, by the end of the p = 2 phase.',
    claim:
      'The paper: learning p = 2 builds sub-circuits (the count of ones among the first k tokens) that the p = 4 task ' +
      'can reuse; after p = 4 it shows sixteen clusters.',
    often: (t) => [
      ...t.sentences(fig4Sentences),
      'This stop opens on seed 3, one where the six clusters form; most seeds do not show them, and the sixteen after ' +
        'p = 4 did not form on any seed measured.',
    ],
  },
  {
    title: 'The curriculum against scratch (figure 5)',
    focus: ['panel-curves'],
    setup: (t) => t.contrastSetup(),
    watch:
      'Two runs of the same model from the same initial weights: the curriculum (p = 2 first, then p = 4 after the ' +
      'dashed line; blue, solid) and scratch (p = 4 from the start; red, dashed). Watch the test curves: scratch fits ' +
      'its training set while its test accuracy stays at chance (it memorizes); after the switch the curriculum\'s ' +
      'test accuracy climbs to 1.',
    claim:
      'The paper: training first on the easier task (p = 2) puts the model on a path to the circuit that generalizes ' +
      'on p = 4, which training from scratch does not find.',
    often: (t) => [
      ...(t.hasClass() ? [] : ['This is the paper\'s full setting: the switch comes at epoch 3,000, a few minutes in; leave it running and come back.']),
      ...t.sentences(fig5Sentences),
    ],
  },
  {
    title: 'A barrier between the two solutions (figure 6)',
    focus: ['panel-barrier'],
    setup: (t) => t.pairSetup(),
    refresh: 'barrier',
    watch:
      'The loss along the straight line from the scratch model (t = 0) to the curriculum model (t = 1), recomputed every ' +
      'few seconds while they train. Watch the middle of the line rise far above both ends: a barrier.',
    claim:
      'The paper: the curriculum did not find the scratch solution faster; it found another solution, in another ' +
      'valley of the loss, separated from the first by a barrier.',
    often: () => [
      'A barrier separated scratch from the curriculum on every seed measured (5 of 5 in pathscope, 3 of 3 in the ' +
        'PyTorch reference), but one also separated two curriculum runs that both generalize: a barrier alone does not ' +
        'say which solution is better (docs/reproduction.md).',
    ],
  },
  {
    title: 'Paths through parameter space (figure 7)',
    focus: ['panel-trajectory'],
    setup: (t) => t.pairSetup(),
    refresh: 'trajectory',
    watch:
      'Every saved snapshot of both runs\' weights, projected to 2-D (PCA), recomputed every few seconds. Both start at ' +
      'the same point (circle); the triangle marks the curriculum\'s switch, the stars the ends. Watch where the paths part.',
    claim:
      'The paper: the curriculum takes another path through parameter space than scratch, and ends somewhere else.',
    often: () => [
      'A 2-D projection of thousands of dimensions: distances in it are rough. The loss barrier (stop 7) is the ' +
        'measurement; the picture has no numbers to reproduce.',
    ],
  },
  {
    title: 'What reproduces, and how often',
    focus: ['seeds', 'curves-repro'],
    setup: null,
    watch:
      'The paper shows one run per figure. A single run is an anecdote: the same setting on another seed can end ' +
      'otherwise. These are the rates over many seeds, with 95% intervals.',
    claim: '',
    // Figure 5's rates are in the box the stop shows (under panel 3); the card adds the others.
    often: (t) => [
      ...($('seeds') ? ['The seed-statistics panel runs a setup over many seeds in this page.'] : []),
      ...t.sentences(fig4Sentences),
      'Figures 2 and 3: the attention moves onto the first k tokens, but not all of it. Figure 6: a barrier on every ' +
        'seed measured. Details: docs/reproduction.md.',
    ],
  },
];

export class Tour {
  /** `app`: the App; `projector`: the Projector; `figure1`: the Figure1 panel. */
  constructor(app, projector, figure1) {
    this.app = app;
    this.projector = projector;
    this.figure1 = figure1;
    this.stop = 0; // 0: not touring; else 1..STOPS.length
    this.timer = null;
    this.sized = null;
    this.lastProgress = 0;
    this.settingsWereOpen = false;
    this.build();
    const open = Object.assign(document.createElement('button'), { type: 'button', id: 'tour-start', className: 'primary', textContent: 'Guided tour' });
    open.title = 'The paper, section by section, on the live model (address: #tour=1)';
    open.addEventListener('click', () => this.go(1));
    headerActions().prepend(open);
    window.addEventListener('keydown', (e) => this.key(e), true);
    window.addEventListener('resize', () => this.place());
    projector.onChange((on) => {
      this.projectorButton.setAttribute('aria-pressed', String(on));
      if (this.stop) this.more.open = this.moreOpen(this.stop);
      this.place();
    });
    app.on('status', () => this.progress());
  }

  // ---- setups -----------------------------------------------------------------------------

  preset(name) {
    return presetSetup(this.app.presets, name);
  }

  /** Whether the core has the fast figure-5 contrast preset (`class`). */
  hasClass() {
    return Object.hasOwn(this.app.presets, 'class');
  }

  /** Figure 5's pair: the fast `class` preset when the core has it, else the paper's fig5. */
  contrastSetup() {
    return { ...this.preset(this.hasClass() ? 'class' : 'fig5'), scratch: true };
  }

  /** Two runs that finish soon, for the barrier and the paths: figure 5's fast pair, else quick. */
  pairSetup() {
    return this.hasClass() ? this.contrastSetup() : { ...this.preset('quick'), scratch: true };
  }

  /** Sentences of the bundled results (results.js), or a note that there are none. */
  sentences(of) {
    const summary = window.pathscope?.rates;
    const out = summary ? of(summary) : [];
    return out.length ? out : ['(The measured rates are not bundled with this page: see docs/reproduction.md.)'];
  }

  // ---- the address --------------------------------------------------------------------------

  /**
   * Reads the `tour` flag's raw text (undefined: absent). Starts or moves the tour and returns
   * true when the address names a stop; a value that is not a stop gets a notice and opens stop 1.
   * An address without the flag ends a tour in progress and returns false.
   */
  fromFlag(raw) {
    if (raw === undefined) {
      if (this.stop) this.leave();
      return false;
    }
    let n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= STOPS.length)) {
      this.app.notice(`tour = ${JSON.stringify(raw.slice(0, 20))} is not accepted: a stop from 1 to ${STOPS.length}; the tour opens at stop 1.`);
      n = 1;
    }
    if (n !== this.stop) this.go(n);
    return true;
  }

  /** Whether the address flag `raw` names a stop that sets up a run of its own. */
  setsUpRun(raw) {
    const n = /^\d{1,3}$/.test(raw ?? '') ? Number(raw) : NaN;
    return Boolean(STOPS[n - 1]?.setup);
  }

  // ---- moving -------------------------------------------------------------------------------

  /** Goes to stop `n` (1-based): its run, its panel, its text. */
  go(n) {
    const stop = STOPS[n - 1];
    if (!stop) return;
    const entering = !this.stop;
    this.stop = n;
    setPageFlag('tour', String(n));
    const setup = stop.setup?.(this);
    const current = this.app.state.setup;
    if (setup && !(current && sameRun(setup, current))) this.app.start(setup);
    else this.app.syncHash();
    if (setup) this.app.play();
    document.body.classList.add('touring');
    if (entering) {
      this.card.hidden = false;
      // The settings fold while touring, so the charts get their column; leaving unfolds them.
      const settings = $('settings-details');
      this.settingsWereOpen = settings.open;
      settings.open = false;
    }
    this.render(stop, n);
    if (n === 1) this.figure1.setPlaying(true);
    clearInterval(this.timer);
    this.timer = stop.refresh ? setInterval(() => this.refresh(stop.refresh), REFRESH_MS) : null;
    if (stop.refresh) setTimeout(() => this.refresh(stop.refresh), 1500);
    // Lay out after the card's new text and the focus panel are in place.
    requestAnimationFrame(() => requestAnimationFrame(() => this.place()));
    if (entering) this.card.focus({ preventScroll: true });
  }

  next() {
    if (this.stop && this.stop < STOPS.length) this.go(this.stop + 1);
  }
  back() {
    if (this.stop > 1) this.go(this.stop - 1);
  }

  /** Back to the playground: the stop's run and setup stay as they are. */
  leave() {
    if (!this.stop) return;
    this.stop = 0;
    clearInterval(this.timer);
    this.timer = null;
    this.unsize();
    for (const el of document.querySelectorAll('.tour-focus, .tour-panel')) {
      el.classList.remove('tour-focus', 'tour-panel');
      this.resized.unobserve(el);
    }
    document.body.classList.remove('touring');
    this.card.hidden = true;
    if (this.settingsWereOpen) $('settings-details').open = true;
    setPageFlag('tour', null);
    this.app.syncHash();
    $('tour-start')?.focus({ preventScroll: true });
  }

  /** Stops 7 and 8: the barrier or the paths again, under the runs' latest weights. */
  refresh(what) {
    const s = this.app.state;
    const started = s.arms.length > 0 && s.arms.every((a) => a.summary && a.summary.epoch > 0);
    if (!started) return;
    if (what === 'barrier' && !s.barrier.pending) this.app.computeBarrier();
    if (what === 'trajectory' && !s.trajectory.pending) this.app.computeTrajectory();
  }

  key(e) {
    if (!this.stop || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
    // A focused chart that moves its own pick with the arrows (the seed dots) keeps them.
    if (t instanceof HTMLElement && t.closest('[data-arrow-keys]') && e.key !== 'Escape') return;
    const act = { ArrowRight: () => this.next(), ArrowLeft: () => this.back(), Escape: () => this.leave() }[e.key];
    if (!act) return;
    // Handled here (capture phase): the playground's own keys (→ one step) do not see it.
    e.preventDefault();
    e.stopPropagation();
    act();
  }

  // ---- the card -----------------------------------------------------------------------------

  build() {
    const el = (tag, props = {}, ...children) => {
      const e = Object.assign(document.createElement(tag), props);
      e.append(...children);
      return e;
    };
    this.count = el('span', { className: 'tour-count' });
    this.title = el('h2', { id: 'tour-title' });
    this.watch = el('p', { className: 'tour-watch' });
    this.claim = el('p', { className: 'tour-claim' });
    this.often = el('ul', { className: 'tour-often' });
    this.more = el('details', { className: 'tour-more' }, el('summary', { textContent: 'What the paper claims, and how often it holds' }), this.claim, this.often);
    this.status = el('p', { className: 'tour-progress', id: 'tour-progress' });
    this.status.setAttribute('aria-live', 'polite');
    this.backButton = el('button', { type: 'button', id: 'tour-back', textContent: '← Back' });
    this.nextButton = el('button', { type: 'button', id: 'tour-next', className: 'primary', textContent: 'Next →' });
    const leave = el('button', { type: 'button', id: 'tour-leave', textContent: 'Leave the tour', title: 'Back to the playground, keeping this run (Esc)' });
    this.projectorButton = el('button', { type: 'button', id: 'tour-projector', textContent: 'Projector view' });
    this.projectorButton.setAttribute('aria-pressed', 'false');
    this.projectorButton.addEventListener('click', () => this.projector.set(!this.projector.on));
    const keys = el('span', { className: 'tour-keys', textContent: '← → stops, Esc leaves' });
    this.backButton.addEventListener('click', () => this.back());
    this.nextButton.addEventListener('click', () => this.next());
    leave.addEventListener('click', () => this.leave());
    this.card = el(
      'section',
      { id: 'tour', className: 'tour-card', hidden: true, tabIndex: -1 },
      el('div', { className: 'tour-head' }, this.count, this.title, el('div', { className: 'tour-nav' }, this.backButton, this.nextButton, leave, this.projectorButton, keys)),
      this.watch,
      this.more,
      this.status,
    );
    this.card.setAttribute('aria-labelledby', 'tour-title');
    document.body.append(this.card);
    // The card's and the sticky bar's heights bound the room for the chart. place() resizes the
    // chart, which other observers watch: it runs at the next frame, not inside this observer's
    // delivery (there it left notifications undelivered, an error event in the page).
    this.resized = new ResizeObserver(() => {
      if (this.placing) return;
      this.placing = requestAnimationFrame(() => {
        this.placing = 0;
        this.place();
      });
    });
    this.resized.observe(this.card);
    this.resized.observe($('bar'));
  }

  render(stop, n) {
    this.count.textContent = `Stop ${n} of ${STOPS.length}`;
    this.title.textContent = stop.title;
    this.watch.textContent = stop.watch;
    this.claim.textContent = stop.claim;
    this.claim.hidden = !stop.claim;
    this.often.replaceChildren(...stop.often(this).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
    // The longer text starts open where there is room for it.
    this.more.open = this.moreOpen(n);
    this.backButton.disabled = n === 1;
    this.nextButton.disabled = n === STOPS.length;
    for (const el of document.querySelectorAll('.tour-focus, .tour-panel')) {
      el.classList.remove('tour-focus', 'tour-panel');
      this.resized.unobserve(el);
    }
    const focus = this.focusElement();
    focus?.classList.add('tour-focus');
    // A status line of the panel that wraps moves its chart: lay out again.
    if (focus) this.resized.observe(focus);
    (focus?.closest('.panel') ?? focus)?.classList.add('tour-panel');
    this.progress(true);
  }

  /** Whether the card's longer text starts open: where there is room, and not on a projector. */
  moreOpen(n) {
    return !this.projector.on && window.innerWidth >= 900 && (window.innerHeight >= 860 || (n === STOPS.length && window.innerHeight >= 600));
  }

  /** The measured rates arrived (main.js): the stop's sentences can quote them. */
  ratesLoaded() {
    if (this.stop) this.render(STOPS[this.stop - 1], this.stop);
  }

  focusElement() {
    const stop = STOPS[this.stop - 1];
    return stop ? stop.focus.map((id) => $(id)).find(Boolean) : null;
  }

  /** The progress of the stop's run(s), a few times a second. */
  progress(now = false) {
    if (!this.stop) return;
    const t = performance.now();
    if (!now && t - this.lastProgress < 250) return;
    this.lastProgress = t;
    const stop = STOPS[this.stop - 1];
    const arms = this.app.state.arms.filter((a) => a.summary);
    if (!stop.setup || !arms.length) {
      this.status.textContent = '';
      return;
    }
    const acc = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
    this.status.textContent = arms
      .map((a) => {
        const s = a.summary;
        const state = s.status.state === 'running' ? '' : ` (${s.status.state})`;
        return `${a.name}: epoch ${s.epoch.toLocaleString('en')} of ${s.total_epochs.toLocaleString('en')}, test accuracy ${acc(s.test_acc)}${state}`;
      })
      .join(' · ');
  }

  // ---- room for the chart -------------------------------------------------------------------

  /** Removes the height the tour gave the last focus chart. */
  unsize() {
    if (this.sized) this.sized.style.height = '';
    this.sized = null;
  }

  /**
   * Sizes the focus chart to the room between the sticky bar and the card (the projector view
   * fills it) and scrolls it there: the card never covers the chart it talks about.
   */
  place() {
    if (!this.stop) return;
    const focus = this.focusElement();
    if (!focus) return;
    const canvas = focus.querySelector('canvas');
    if (this.sized !== canvas) this.unsize();
    const top = $('bar').getBoundingClientRect().bottom + 6;
    const bottom = this.card.getBoundingClientRect().top - 6;
    const room = bottom - top;
    let whole = true;
    if (canvas) {
      canvas.style.height = '';
      const natural = canvas.getBoundingClientRect().height;
      const chrome = focus.getBoundingClientRect().height - natural;
      // The panel's title and controls stay in view when a chart of 200 px (projector: 360 px,
      // its type is larger) still fits under them; else the chart takes the whole room.
      const least = this.projector.on ? 360 : 200;
      const below = chrome + least <= room ? room - chrome : room;
      const h = this.projector.on ? below : Math.max(Math.min(natural, 200), Math.min(natural, below));
      canvas.style.height = `${Math.floor(h)}px`;
      this.sized = canvas;
      whole = chrome + h <= room;
    }
    // The whole panel when it fits, else its chart at the top of the room.
    const box = focus.getBoundingClientRect();
    const target = whole || !canvas ? box.top : canvas.getBoundingClientRect().top;
    window.scrollTo({ top: window.scrollY + target - top, behavior: 'instant' });
  }
}
