// The controls: toolbar, settings form (with the "restart to apply" banner), status line, notices
// and keyboard shortcuts. Everything shown is set with textContent: no string becomes HTML.
// The page state is read from `app.state` and changed only through App's actions (app.js).

import { fieldIdOf, showFieldErrors } from './field-errors.js';
import { SETTING, format, presetSetup, toConfig } from './url-state.js';

const $ = (id) => document.getElementById(id);

// What each preset runs and where its setting comes from. Measured outcomes are not typed here:
// they come from the results files (docs/reproduction.md), where each says how many seeds.
const PRESET_HELP = {
  class:
    'Figure 5 shortened for a class: the paper\'s task, model and optimizer (T = 12, n = 2048, full batch, lr 1e-3, a ' +
    'fresh Adam at the switch), p = 2 for 2,000 epochs then p = 4 for 2,000 (the paper: 3,000 + 7,000), beside the ' +
    'same model trained on p = 4 from scratch for 4,000. On a laptop the contrast shows in about a minute: scratch fits its ' +
    'training set with its test accuracy at chance, the curriculum generalizes after the switch, on most seeds, not ' +
    'all (the rates are in the introduction and panel 7).',
  quick:
    'A fast curriculum at T = 8: p = 2 for 100 epochs, then p = 4 for 300, minibatches of 32, beside the same model ' +
    'trained on p = 4 from scratch. Generalization shows within seconds, but at T = 8 scratch usually generalizes too: ' +
    'this preset shows training, not the paper\'s contrast (use fig. 5 for that). At p = 2, T = 8 every test ' +
    'sequence was also trained on (256 exist), so phase 1 test accuracy measures memory: the status line says so.',
  fig2:
    'Figure 2 in the authors\' setting (notebooks/graph.ipynb): p = 4, T = 8, k = 5, n = 2048, minibatches of 32, ' +
    'lr 1e-3, 1,000 epochs, probing the all-3 sequence they draw. Their animation sharpens the weights for display ' +
    '(exp(α/0.2), normalized): tick "sharpened view" in panel 1 to see it; the edges otherwise show raw attention.',
  fig3:
    'Figure 3 in the authors\' setting (notebooks/factorization.ipynb): the T = 12, full-batch p = 2 run (figure 5\'s ' +
    'first phase), four test sequences side by side, every 100th step, 2,000 steps.',
  fig4:
    'Figure 4 with the authors\' visualization settings (projects/visualization/train.py): d = 2, h = 32, batch 32, ' +
    'lr 3e-3, their MLP initialization, a fresh Adam and fresh data for p = 4. Panel 4 shows z_A of their hand-built ' +
    'sequences and counts the clusters k-means finds. Seed-dependent: hunt with New seed.',
  'fig4-notebook':
    'Figure 4 as the authors\' notebook trains it (notebooks/factorization.ipynb): d = 2, h = 32, T = 12, full batch, ' +
    'PyTorch\'s init, p = 2 at lr 1e-3, then p = 4 at lr 1e-2 with a new Adam. The notebook\'s epoch counts are not in ' +
    'our reference: 3,000 + 7,000 are used.',
  fig5:
    'Figure 5: the paper\'s curriculum (p = 2 for 3,000 epochs, then p = 4 for 7,000, full batch, T = 12, d = 32, ' +
    'a fresh Adam at the switch as in the authors\' code) against the same model trained on p = 4 from scratch, in ' +
    'two workers. Full batch: one step per epoch, a few minutes per run. How often each arm generalizes, over many ' +
    'seeds, is under panel 3.',
  'fig5-scratch': 'The scratch arm of figure 5 alone: p = 4 for 10,000 epochs, full batch.',
};

const NUMBER_FIELDS = ['T', 'k', 'n', 'V', 'd', 'h', 'lr', 'B', 'eval', 'snap'];

export class Controls {
  constructor(app) {
    this.app = app;
    this.statusRows = [];
    this.bindToolbar();
    this.bindForm();
    this.bindProbe();
    this.bindKeyboard();
    app.on('status', () => this.renderStatus());
    app.on('setup', (setup) => this.fill(setup));
    app.on('notice', (text, kind) => this.notice(text, kind));
  }

  // ---- toolbar ------------------------------------------------------------------------------

  bindToolbar() {
    const app = this.app;
    $('play').addEventListener('click', () => app.toggle());
    $('step').addEventListener('click', () => app.step());
    $('epoch').addEventListener('click', () => app.epoch());
    $('reset').addEventListener('click', () => app.reset());
    $('speed').addEventListener('change', () => app.setSpeed(Number($('speed').value)));
    $('restart').addEventListener('click', () => this.restart());
    $('revert').addEventListener('click', () => this.fill(app.state.setup));
  }

  restart() {
    const pending = this.read();
    if (!pending) return;
    this.app.start(pending);
  }

  // ---- settings form ------------------------------------------------------------------------

  bindForm() {
    const form = $('settings');
    form.addEventListener('input', () => this.changed());
    form.addEventListener('change', () => this.changed());
    form.addEventListener('submit', (e) => e.preventDefault());
    $('preset').addEventListener('change', (e) => {
      e.stopPropagation();
      this.app.start(presetSetup(this.app.presets, $('preset').value));
    });
    $('new-seed').addEventListener('click', () => {
      const pending = this.read() ?? this.app.setupCopy();
      pending.seed = this.app.wasm.newSeed();
      this.app.start(pending);
    });
    $('add-phase').addEventListener('click', () => {
      const phases = this.readPhases() ?? [];
      const last = phases[phases.length - 1] ?? { p: 2, epochs: 100 };
      this.renderPhases([...phases, { ...last }]);
      this.changed();
    });
    $('arm-view').addEventListener('change', () => this.app.viewArm(Number($('arm-view').value)));
    $('za-compute').addEventListener('click', () => this.app.computeZa());
    $('za-which').addEventListener('change', () => this.app.showZa($('za-which').value));
    $('za-auto').addEventListener('change', () => this.app.setZaAuto($('za-auto').checked));
    $('barrier-compute').addEventListener('click', () => this.app.computeBarrier());
    for (const [id, key] of [['barrier-from', 'from'], ['barrier-to', 'to']]) {
      $(id).addEventListener('change', () => this.app.setBarrierEnd(key, $(id).value));
    }
    $('barrier-log').addEventListener('change', () => this.app.setBarrierLog($('barrier-log').checked));
    $('embed-method').addEventListener('change', () => this.app.setTrajectoryMethod($('embed-method').value));
    $('za-set').addEventListener('change', () => this.app.setView('zaset', $('za-set').value));
    $('sharp').addEventListener('change', () => this.app.setView('sharp', $('sharp').checked));
    $('stride').addEventListener('change', () => {
      const v = SETTING.stride.kind.parse($('stride').value.trim());
      const bad = v === undefined || v < 1 || v > SETTING.stride.max;
      $('stride').toggleAttribute('aria-invalid', bad);
      if (!bad) this.app.setView('stride', v);
    });
    $('trajectory-compute').addEventListener('click', () => this.app.computeTrajectory());
  }

  /** Shows a setup in the form (and the toolbar's speed). */
  fill(setup) {
    $('preset').value = setup.preset;
    $('preset-help').textContent = PRESET_HELP[setup.preset] ?? '';
    $('seed').value = String(setup.seed);
    $('scratch').checked = setup.scratch;
    $('scratch').disabled = setup.phases.length < 2;
    for (const key of NUMBER_FIELDS) $(key).value = format(key, setup[key]);
    $('init').value = setup.init;
    $('adam').value = setup.adam;
    $('test').value = setup.test;
    $('za-set').value = setup.zaset;
    $('sharp').checked = setup.sharp;
    $('stride').value = String(setup.stride);
    $('speed').value = String(setup.speed);
    $('probe').value = setup.probe;
    this.renderPhases(setup.phases);
    showFieldErrors($('settings'), []);
    $('settings-error').textContent = '';
    const arms = this.app.state.arms;
    const select = $('arm-view');
    select.replaceChildren(
      ...this.app.armNames(setup).map((name, i) => {
        const o = document.createElement('option');
        o.value = String(i);
        o.textContent = name;
        return o;
      }),
    );
    select.value = String(Math.min(this.app.state.view.arm, arms.length - 1));
    this.app.setPending(setup);
  }

  renderPhases(phases) {
    const list = $('phases');
    list.replaceChildren(
      ...phases.map((ph, i) => {
        const li = document.createElement('li');
        const field = (name, value, label) => {
          const id = `phase-${i}-${name}`;
          const l = document.createElement('label');
          l.htmlFor = id;
          l.textContent = label;
          const input = document.createElement('input');
          input.id = id;
          input.inputMode = 'numeric';
          input.value = String(value);
          input.dataset.phase = String(i);
          input.dataset.field = name;
          input.setAttribute('aria-label', `phase ${i + 1} ${label}`);
          return [l, input];
        };
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = 'Remove';
        remove.setAttribute('aria-label', `remove phase ${i + 1}`);
        remove.disabled = phases.length < 2;
        remove.addEventListener('click', () => {
          const now = this.readPhases() ?? phases;
          this.renderPhases(now.filter((_, j) => j !== i));
          this.changed();
        });
        const [lrLabel, lrInput] = field('lr', ph.lr ?? '', 'lr');
        lrInput.inputMode = 'decimal';
        lrInput.placeholder = 'same';
        lrInput.title = 'This phase\'s learning rate; empty: the optimizer\'s';
        li.append(...field('p', ph.p, 'p'), ...field('epochs', ph.epochs, 'epochs'), lrLabel, lrInput, remove);
        return li;
      }),
    );
  }

  /** The phases of the form, or null when a field does not parse (its id is pushed on `bad`). */
  readPhases(bad = []) {
    const phases = [];
    for (const input of $('phases').querySelectorAll('input')) {
      const i = Number(input.dataset.phase);
      phases[i] ??= {};
      const raw = input.value.trim();
      if (input.dataset.field === 'lr') {
        if (raw === '') continue;
        const lr = SETTING.lr.kind.parse(raw);
        if (lr === undefined) bad.push(input.id);
        phases[i].lr = lr;
        continue;
      }
      const v = SETTING.T.kind.parse(raw);
      if (v === undefined) bad.push(input.id);
      phases[i][input.dataset.field] = v;
    }
    return bad.length ? null : phases;
  }

  /** The form's values as a setup, or null (with the reason shown) when one does not parse. */
  read() {
    const app = this.app;
    const setup = app.setupCopy();
    const problems = [];
    /** Each problem also under its field: [{ id, text }] (field-errors.js). */
    const marks = [];
    const take = (key, input) => {
      const raw = input.value.trim();
      const v = SETTING[key].kind.parse(raw);
      const bad = v === undefined || (SETTING[key].max !== undefined && v > SETTING[key].max);
      if (bad) {
        const text = `${key} = "${raw}" is not accepted: ${SETTING[key].kind.accepted}`;
        problems.push(text);
        marks.push({ id: input.id, text });
      } else setup[key] = v;
    };
    take('seed', $('seed'));
    for (const key of NUMBER_FIELDS) take(key, $(key));
    setup.init = $('init').value;
    setup.adam = $('adam').value;
    setup.test = $('test').value;
    setup.scratch = $('scratch').checked;
    const badPhases = [];
    const phases = this.readPhases(badPhases);
    if (phases) setup.phases = phases;
    else {
      const text = 'each phase needs a whole number p and epochs, and a learning rate such as 0.01 or nothing';
      problems.push(text);
      marks.push(...badPhases.map((id) => ({ id, text })));
    }
    if (!problems.length) {
      const problem = app.wasm.checkConfig(JSON.stringify(toConfig(app.presets, setup)));
      if (problem) {
        problems.push(problem.message);
        const id = fieldIdOf(problem.field);
        if (id) marks.push({ id, text: problem.message });
      }
    }
    showFieldErrors($('settings'), marks);
    $('settings-error').textContent = problems.join('. ');
    return problems.length ? null : setup;
  }

  changed() {
    const pending = this.read();
    const app = this.app;
    if (pending) app.setPending(pending);
    else this.renderStatus(true);
  }

  // ---- probe ---------------------------------------------------------------------------------

  bindProbe() {
    const apply = () => {
      const raw = $('probe').value.trim();
      const parsed = SETTING.probe.kind.parse(raw);
      const problem = parsed === undefined ? SETTING.probe.kind.accepted : this.app.setProbe(parsed);
      $('probe').toggleAttribute('aria-invalid', !!problem);
      $('probe-help').textContent = problem
        ? `Probe "${raw}" is not accepted: ${problem}.`
        : 'A test sequence by index (test:0) or T tokens below V. A new probe restarts the attention history.';
      if (!problem) $('probe').value = parsed;
    };
    $('probe-apply').addEventListener('click', apply);
    $('probe').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        apply();
      }
    });
    $('probe-random').addEventListener('click', () => {
      const n = this.app.state.setup.n;
      const pick = new Uint32Array(1);
      crypto.getRandomValues(pick);
      $('probe').value = `test:${pick[0] % n}`;
      apply();
    });
  }

  // ---- keyboard ------------------------------------------------------------------------------

  bindKeyboard() {
    document.addEventListener('keydown', (e) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      const typing = t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
      if (typing) return;
      const onButton = t instanceof HTMLElement && ['BUTTON', 'SUMMARY', 'A'].includes(t.tagName);
      if (e.key === ' ' && !onButton) {
        e.preventDefault();
        this.app.toggle();
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        this.app.step();
      } else if (e.key === 'r' || e.key === 'R') {
        e.preventDefault();
        this.app.reset();
      }
    });
  }

  // ---- status and notices --------------------------------------------------------------------

  renderStatus(formInvalid = false) {
    const s = this.app.state;
    $('play').textContent = s.playing ? 'Pause' : 'Play';
    $('play').setAttribute('aria-pressed', String(s.playing));
    const needs = this.app.needsRestart();
    $('restart-banner').hidden = !needs && !formInvalid;
    $('restart').disabled = formInvalid;
    $('restart-text').textContent = formInvalid
      ? 'A setting is not valid (see Settings); the run goes on with the previous settings.'
      : 'Settings changed: restart to apply them (the current run keeps its settings until then).';
    const v = s.view;
    const scrub = v.hover ?? v.pinned;
    const arm = s.arms[v.arm];
    const steps = arm?.attention.steps.view();
    $('live').setAttribute('aria-pressed', String(scrub === null));
    $('scrub-state').textContent =
      scrub === null || !steps || scrub >= steps.length
        ? 'following the live run'
        : `showing step ${steps[scrub]} from the history${v.pinned !== null && v.hover === null ? ' (pinned)' : ''}`;
    const za = s.za;
    $('za-state').textContent = za.pending ? 'computing...' : za.result ? `latest: epoch ${za.result.epoch}` : '';
    this.renderZaChoices(arm);
    const b = s.barrier.result;
    $('barrier-state').textContent = s.barrier.pending
      ? 'computing...'
      : b
        ? `train barrier ${fmtNum(b.train_barrier?.height)}, test barrier ${fmtNum(b.test_barrier?.height)} (p = ${b.p} data)`
        : '';
    const ends = b?.ends ?? [];
    $('barrier-ends').textContent = ends.length
      ? `Ends: ${ends.map((e) => `${e.name} at epoch ${e.epoch} (phase ${e.phase + 1}, p = ${e.phaseP})`).join('; ')}.`
      : '';
    const untrained = ends.filter((e) => !e.trainedOnP);
    $('barrier-warning').hidden = !untrained.length;
    $('barrier-warning').textContent = untrained.length
      ? `${untrained.map((e) => `${e.name} at epoch ${e.epoch}`).join(' and ')} never trained on the p = ${b.p} data this line is evaluated on: ` +
        'its loss there is that of a model that has not met the task, so this barrier does not compare two solutions.'
      : '';
    $('trajectory-state').textContent = s.trajectory.pending ? 'computing...' : '';
    this.renderBarrierChoices();
    this.renderArms();
  }

  /** The models the loss barrier can join (both selects), keeping the current choice. */
  renderBarrierChoices() {
    const app = this.app;
    const choices = app.barrierChoices();
    const [defA, defB] = app.barrierDefaults();
    const key = choices.map((c) => `${c.value}=${c.label}`).join('|');
    for (const [id, k, def] of [['barrier-from', 'from', defA], ['barrier-to', 'to', defB]]) {
      const select = $(id);
      if (select.dataset.key !== key) {
        select.dataset.key = key;
        select.replaceChildren(
          ...choices.map((c) => {
            const o = document.createElement('option');
            o.value = c.value;
            o.textContent = c.label;
            return o;
          }),
        );
      }
      const want = app.state.barrier[k] ?? def;
      select.value = choices.some((c) => c.value === want) ? want : def;
    }
  }

  /** The z_A choices: the latest model, and the model at the end of each phase that ended. */
  renderZaChoices(arm) {
    const select = $('za-which');
    const ended = (arm?.switchZa ?? []).map((m, i) => m && [String(i), `the end of phase ${i + 1} (p = ${m.p}, epoch ${m.epoch})`]).filter(Boolean);
    const choices = [['latest', 'the latest model'], ...ended];
    const key = choices.map((c) => c.join(':')).join('|');
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      select.replaceChildren(
        ...choices.map(([value, label]) => {
          const o = document.createElement('option');
          o.value = value;
          o.textContent = label;
          return o;
        }),
      );
    }
    // A phase end that this arm does not have (yet): show its latest model.
    const which = choices.some(([v]) => v === this.app.state.za.which) ? this.app.state.za.which : 'latest';
    if (which !== this.app.state.za.which) this.app.showZa(which);
    select.value = which;
  }

  renderArms() {
    const box = $('status');
    const arms = this.app.state.arms;
    while (this.statusRows.length > arms.length) this.statusRows.pop().root.remove();
    arms.forEach((arm, i) => {
      let row = this.statusRows[i];
      if (!row) {
        row = makeStatusRow(i);
        this.statusRows[i] = row;
        box.append(row.root);
      }
      const sm = arm.summary;
      row.name.textContent = arm.name;
      if (!sm) {
        row.set({ state: 'starting...' });
        return;
      }
      const phase = sm.phases > 1 ? `${sm.phase + 1}/${sm.phases} (p = ${sm.p})` : `p = ${sm.p}`;
      let state = sm.status.state === 'running' ? (arm.playing ? 'training' : 'paused') : sm.status.state;
      if (sm.unstable_epoch !== null && sm.unstable_epoch !== undefined && sm.status.state === 'running') state += ', unstable';
      if (arm.crashed) state = 'crashed';
      // Right after a switch the last test values are the previous phase's: not shown as this one's.
      const current = sm.test_phase === sm.phase;
      const share = sm.test_unseen_share;
      const unseen = !current || !Number.isFinite(share) ? '–' : share === 0 ? 'none (tests memory)' : `${Math.round(100 * share)}%`;
      row.set({
        epoch: `${sm.epoch} / ${sm.total_epochs}`,
        step: String(sm.step),
        phase,
        'train-acc': fmtAcc(sm.train_acc),
        'train-loss': fmtNum(sm.train_loss),
        'test-acc': current ? fmtAcc(sm.test_acc) : 'pending',
        'test-loss': current ? fmtNum(sm.test_loss) : '–',
        unseen,
        state,
      });
      row.root.dataset.state = arm.crashed ? 'crashed' : sm.status.state;
    });
  }

  notice(text, kind) {
    const box = $('notices');
    const p = document.createElement('p');
    p.className = kind;
    p.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Dismiss';
    close.setAttribute('aria-label', 'dismiss this message');
    close.addEventListener('click', () => p.remove());
    p.append(' ', close);
    box.append(p);
  }
}

function fmtAcc(x) {
  return Number.isFinite(x) ? x.toFixed(3) : '–';
}
function fmtNum(x) {
  if (!Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)) return x.toExponential(1);
  return x.toPrecision(3);
}

/**
 * One line of the status: the run's name and labelled values, each in an <output> with an id
 * (status-<field>-<arm>, e.g. status-test-acc-0) that the tests read.
 */
function makeStatusRow(i) {
  const root = document.createElement('div');
  root.className = 'arm';
  const name = document.createElement('strong');
  name.className = 'arm-name';
  root.append(name);
  const fields = {};
  const output = (key) => {
    const out = document.createElement('output');
    out.id = `status-${key}-${i}`;
    out.textContent = '–';
    fields[key] = out;
    return out;
  };
  const label = (text) => {
    const k = document.createElement('span');
    k.className = 'k';
    k.textContent = text;
    return k;
  };
  const groups = [
    ['epoch', [['epoch', 'epoch']]],
    ['step', [['step', 'step']]],
    ['phase', [['phase', 'phase']]],
    ['train', [['train-acc', 'train acc'], ['train-loss', 'loss']]],
    ['test', [['test-acc', 'test acc'], ['test-loss', 'loss'], ['unseen', 'unseen']]],
    ['state', [['state', '']]],
  ];
  for (const [group, items] of groups) {
    const span = document.createElement('span');
    span.className = `stat stat-${group}`;
    items.forEach(([key, text], j) => {
      if (j > 0) span.append(' ');
      if (text) span.append(label(text), ' ');
      span.append(output(key));
    });
    root.append(span);
  }
  return {
    root,
    name,
    set(values) {
      for (const [k, v] of Object.entries(values)) if (fields[k].textContent !== v) fields[k].textContent = v;
    },
  };
}
