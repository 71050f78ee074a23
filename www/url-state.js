// Every setting of the page in one table, and its round trip through location.hash.
//
//   #preset=fig5&seed=3&lr=0.001&phases=2:3000,4:7000&scratch=1
//
// A link names a preset and the settings that differ from it; opening it reproduces the setup
// and, with the seed, the exact run. Each value read from a URL is parsed here (malformed values
// are named and replaced by the preset's default), then the whole config is checked by the core
// (`checkConfig`), whose sentence names the offending field; that field falls back to its default
// too. Nothing from the URL is ever inserted as HTML: messages are plain strings, shown with
// textContent.

import { DEBUG_KIND } from './debug.js';

/**
 * What the page adds to the core's presets (their names come from the core, `presetNames()`):
 * the seed a preset opens with, whether the scratch twin trains beside it, the probe, the speed
 * and the views. fig2 probes the all-3 sequence the authors draw; fig3 shows four test sequences
 * side by side, every 100th step, as their figure 3. fig4 opens on seed 3, one of the seeds whose
 * p = 2 phase ends with all six count classes in clusters of their own (examples/sweep-fig4.toml,
 * docs/reproduction.md). The page opens on class (figure 5 shortened) when the address names no
 * preset: its contrast shows within a minute (examples/sweep-class.toml).
 */
const PAGE_DEFAULTS = {
  class: { seed: 0, scratch: true, probe: 'test:0', speed: 0 },
  quick: { seed: 2, scratch: true, probe: 'test:0', speed: 0 },
  fig2: { seed: 0, scratch: false, probe: '3,3,3,3,3,3,3,3', speed: 16 },
  fig3: { seed: 0, scratch: false, probe: 'test:0-3', speed: 0, stride: 100 },
  fig4: { seed: 3, scratch: false, probe: 'test:0', speed: 0 },
  fig5: { seed: 0, scratch: true, probe: 'test:0', speed: 0 },
};
/** The preset the page opens on when the address names none. */
export const DEFAULT_PRESET = 'class';
/** Page settings of a preset not listed above. */
const OTHER_DEFAULTS = { seed: 0, scratch: false, probe: 'test:0', speed: 0 };
/** Views every preset opens with unless it says otherwise. */
const VIEW_DEFAULTS = { zaset: 'patterns', sharp: false, stride: 1, embed: '', debug: '' };

/** Most probe sequences shown side by side. */
const MAX_PROBES = 8;

const MAX_SEED = Number.MAX_SAFE_INTEGER;
const MAX_SPEED = 4096;

// ---- value kinds: parse(text) -> value | undefined, format(value) -> text ---------------------

const INT = /^\d{1,16}$/;
// Unambiguous (each digit can be matched one way only), so a long value is refused in linear
// time: `\d+\.?\d*` once took 10 s on 50,000 digits followed by a letter.
const FLOAT = /^(\d+(\.\d*)?|\.\d+)(e[-+]?\d{1,3})?$/i;

const BOOLS = { 1: true, true: true, on: true, 0: false, false: false, off: false };

const kinds = {
  int: {
    parse: (s) => (INT.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined),
    format: (v) => String(v),
    accepted: 'a whole number',
  },
  float: {
    parse: (s) => (FLOAT.test(s) && Number.isFinite(Number(s)) ? Number(s) : undefined),
    format: (v) => String(v),
    accepted: 'a number such as 0.001 or 1e-3',
  },
  bool: {
    // An own property only: `__proto__`, `constructor` or `toString` once read as true.
    parse: (s) => (Object.hasOwn(BOOLS, s.toLowerCase()) ? BOOLS[s.toLowerCase()] : undefined),
    format: (v) => (v ? '1' : '0'),
    accepted: '1 or 0',
  },
  phases: {
    parse(s) {
      const LR = '(\\d+(\\.\\d*)?|\\.\\d+)(e[-+]?\\d{1,3})?'; // unambiguous, so linear on any input (as FLOAT)
      const PHASE = `\\d{1,4}:\\d{1,7}(:${LR})?`;
      if (!new RegExp(`^${PHASE}(,${PHASE}){0,15}$`, 'i').test(s)) return undefined;
      return s.split(',').map((part) => {
        const [p, epochs, lr] = part.split(':');
        const phase = { p: Number(p), epochs: Number(epochs) };
        if (lr !== undefined) phase.lr = Number(lr);
        return phase;
      });
    },
    format: (v) => v.map((ph) => `${ph.p}:${ph.epochs}${ph.lr === undefined || ph.lr === null ? '' : `:${ph.lr}`}`).join(','),
    accepted: 'p:epochs pairs separated by commas, e.g. 2:300,4:700, each with an optional learning rate, e.g. 4:700:0.01 (at most 16)',
  },
  probe: {
    parse(s) {
      const index = /^test:(\d{1,7})$/.exec(s);
      if (index) return `test:${Number(index[1])}`;
      const range = /^test:(\d{1,7})-(\d{1,7})$/.exec(s);
      if (range) {
        const [a, b] = [Number(range[1]), Number(range[2])];
        return b >= a && b - a < MAX_PROBES ? `test:${a}-${b}` : undefined;
      }
      if (/^\d{1,3}([ ,.]\d{1,3}){0,511}$/.test(s)) return s.split(/[ ,.]/).map(Number).join(',');
      return undefined;
    },
    format: (v) => v,
    accepted: `test:<index>, test:<first>-<last> (up to ${MAX_PROBES} test sequences side by side) or the tokens separated by commas, e.g. 3,3,3,3,3,3,3,3`,
  },
  panels: {
    // Panel ids (embed mode, embed.js): which ids exist is the page's to say (its panels), so
    // here only their form is checked; '' is the full page.
    parse(s) {
      if (s === '') return '';
      if (!/^[a-z0-9_-]{1,32}(,[a-z0-9_-]{1,32}){0,15}$/i.test(s)) return undefined;
      return [...new Set(s.toLowerCase().split(','))].join(',');
    },
    format: (v) => v,
    accepted: 'panel ids separated by commas, e.g. graph,curves (at most 16)',
  },
};

function enumKind(values) {
  return {
    parse: (s) => (values.includes(s) ? s : undefined),
    format: (v) => v,
    accepted: `one of ${values.join(', ')}`,
  };
}

/**
 * The table: URL key, where it lives in the core's config (undefined: a page setting), its kind,
 * a range checked before the core sees it (page settings only; the core checks the rest), and
 * whether changing it needs a new run.
 */
export const SETTINGS = [
  // The preset names come from the core (loadPresets fills in the accepted values).
  { key: 'preset', kind: enumKind([]), restart: true },
  { key: 'seed', path: 'data.seed', kind: kinds.int, max: MAX_SEED, restart: true },
  { key: 'phases', path: 'schedule.phases', kind: kinds.phases, restart: true },
  { key: 'T', path: 'model.seq_len', kind: kinds.int, restart: true },
  { key: 'k', path: 'data.k', kind: kinds.int, restart: true },
  { key: 'n', path: 'data.n', kind: kinds.int, restart: true },
  { key: 'V', path: 'model.vocab', kind: kinds.int, restart: true },
  { key: 'd', path: 'model.dim', kind: kinds.int, restart: true },
  { key: 'h', path: 'model.hidden', kind: kinds.int, restart: true },
  { key: 'init', path: 'model.init', kind: enumKind(['pytorch', 'visualization']), restart: true },
  { key: 'lr', path: 'optim.lr', kind: kinds.float, restart: true },
  { key: 'adam', path: 'optim.reset_at_switch', kind: enumKind(['keep', 'fresh']), restart: true },
  { key: 'test', path: 'data.test_set', kind: enumKind(['unseen', 'independent']), restart: true },
  { key: 'B', path: 'schedule.batch_size', kind: kinds.int, restart: true },
  { key: 'eval', path: 'schedule.eval_every', kind: kinds.int, restart: true },
  { key: 'snap', path: 'schedule.snapshot_every', kind: kinds.int, restart: true },
  { key: 'scratch', kind: kinds.bool, restart: true },
  { key: 'probe', kind: kinds.probe, restart: false },
  { key: 'speed', kind: kinds.int, max: MAX_SPEED, restart: false },
  { key: 'zaset', kind: enumKind(['patterns', 'test']), restart: false },
  { key: 'sharp', kind: kinds.bool, restart: false },
  { key: 'stride', kind: kinds.int, max: 100000, restart: false },
  // Embed mode (embed.js): only these panels, a compact bar, no settings. '' = the full page.
  { key: 'embed', kind: kinds.panels, restart: false },
  // A test hook, documented in debug.js: a step of the first run fails (nan@300, panic@300).
  { key: 'debug', kind: DEBUG_KIND, restart: true },
];

/**
 * Keys of the address that are not settings of the run but of the page around it: `tour` (the
 * guided tour's stop, tour.js) and `projector` (the projector view, projector.js). parseHash hands
 * their raw values back in `flags` (their modules check them); toHash writes the ones set with
 * setPageFlag after the setup, so a link keeps them.
 */
export const PAGE_FLAGS = ['tour', 'projector'];
const pageFlags = new Map();

/** Sets (a string) or clears (null) a page flag of the address; App.syncHash writes it. */
export function setPageFlag(key, value) {
  if (!PAGE_FLAGS.includes(key)) throw new RangeError(`setPageFlag: no page flag "${key}"; use one of ${PAGE_FLAGS.join(', ')}`);
  if (value === null || value === undefined) pageFlags.delete(key);
  else pageFlags.set(key, String(value));
}

// No prototype: a key from the address such as `constructor` or `hasOwnProperty` must not find
// an inherited property (it once did, and parseHash threw on `#hasOwnProperty=1`).
export const SETTING = Object.assign(Object.create(null), Object.fromEntries(SETTINGS.map((s) => [s.key, s])));

/**
 * Settings the core checks against another one: when the core names `k` but the link gave `T`
 * (`#T=1`), or gave both (`#T=3&k=5`, where k's default would not fit either), the setting that
 * makes the pair fit again is the one named and replaced, in one notice.
 */
const RELATIONS = {
  k: [['T', 'the relevant tokens k must be at most the sequence length T']],
  B: [['n', 'the batch size B must be at most the training sequences n']],
  phases: [['V', "each phase's modulus p must be at most the vocabulary size V"]],
};

/** The core's field names (ConfigError.field) mapped to URL keys. */
function keyOfField(field) {
  if (field.startsWith('schedule.phases')) return 'phases';
  return SETTINGS.find((s) => s.path === field)?.key;
}

const get = (obj, path) => path.split('.').reduce((o, k) => o?.[k], obj);
function set(obj, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  keys.reduce((o, k) => o[k], obj)[last] = value;
}

/** Config value -> setting value (the adam flag reads as keep/fresh). */
function copyPhases(phases) {
  return phases.map((ph) => (ph.lr === undefined || ph.lr === null ? { p: ph.p, epochs: ph.epochs } : { p: ph.p, epochs: ph.epochs, lr: ph.lr }));
}
function fromConfig(key, value) {
  if (key === 'adam') return value ? 'fresh' : 'keep';
  if (key === 'phases') return copyPhases(value);
  return value;
}
function toConfigValue(key, value) {
  if (key === 'adam') return value === 'fresh';
  if (key === 'phases') return copyPhases(value);
  return value;
}

/**
 * Reads the core's presets once: `presets[name]` is the parsed config of each preset, in the
 * core's order. `wasm` is the module (its `presetNames` and `presetConfig` exports).
 */
export function loadPresets(wasm) {
  const presets = Object.fromEntries(wasm.presetNames().map((name) => [name, JSON.parse(wasm.presetConfig(name))]));
  SETTING.preset.kind = enumKind(Object.keys(presets));
  return presets;
}

/** The full setup (one value per SETTINGS key) of a preset. */
export function presetSetup(presets, name) {
  const cfg = presets[name];
  const setup = { preset: name, ...VIEW_DEFAULTS, ...(PAGE_DEFAULTS[name] ?? OTHER_DEFAULTS) };
  for (const s of SETTINGS) {
    if (s.path && s.key !== 'seed') setup[s.key] = fromConfig(s.key, get(cfg, s.path));
  }
  return setup;
}

/**
 * The setup of preset `name` that trains `config` (a core config, e.g. a results line's), or null
 * when the config has a field the page has no setting for (Adam's betas or eps) that differs.
 */
export function setupOfConfig(presets, name, config) {
  const setup = settingsOf(presets, name, config);
  return JSON.stringify(toConfig(presets, setup)) === JSON.stringify(config) ? setup : null;
}

/**
 * The setup that trains a run record's `config`, alone (no scratch twin): the preset whose fields
 * outside the settings (Adam's betas and eps) match, with every setting read from the config.
 * Returns `{ setup, exact }`; `exact` is false when no preset matches those fields, so that the
 * address can only approximate the run (the record itself still trains exactly).
 */
export function setupOfRecordConfig(presets, config) {
  const outside = (cfg) => JSON.stringify([cfg.optim.beta1, cfg.optim.beta2, cfg.optim.eps]);
  const name = Object.keys(presets).find((n) => outside(presets[n]) === outside(config)) ?? Object.keys(presets)[0];
  const setup = settingsOf(presets, name, config);
  setup.scratch = false;
  return { setup, exact: outside(presets[name]) === outside(config) };
}

/** Preset `name`'s setup with every setting read from `config`. */
function settingsOf(presets, name, config) {
  const setup = presetSetup(presets, name);
  for (const s of SETTINGS) {
    if (s.path) setup[s.key] = fromConfig(s.key, get(config, s.path));
  }
  return setup;
}

/** The core config (JSON-ready object) of a setup. */
export function toConfig(presets, setup) {
  const cfg = structuredClone(presets[setup.preset]);
  for (const s of SETTINGS) {
    if (s.path) set(cfg, s.path, toConfigValue(s.key, setup[s.key]));
  }
  return cfg;
}

/** True when two setups train the same run (differences only in live settings). */
export function sameRun(a, b) {
  return SETTINGS.every((s) => !s.restart || format(s.key, a[s.key]) === format(s.key, b[s.key]));
}

export function format(key, value) {
  return SETTING[key].kind.format(value);
}

/** Keys whose values differ between two setups. */
export function changedKeys(a, b) {
  return SETTINGS.filter((s) => format(s.key, a[s.key]) !== format(s.key, b[s.key])).map((s) => s.key);
}

/** The hash of a setup: the preset, the seed, and every setting that differs from the preset. */
export function toHash(presets, setup) {
  const base = presetSetup(presets, setup.preset);
  const parts = [`preset=${setup.preset}`, `seed=${setup.seed}`];
  for (const s of SETTINGS) {
    if (s.key === 'preset' || s.key === 'seed') continue;
    const text = format(s.key, setup[s.key]);
    if (text !== format(s.key, base[s.key])) parts.push(`${s.key}=${encodeURIComponent(text).replace(/%2C/gi, ',').replace(/%3A/gi, ':')}`);
  }
  for (const key of PAGE_FLAGS) if (pageFlags.has(key)) parts.push(`${key}=${encodeURIComponent(pageFlags.get(key))}`);
  return `#${parts.join('&')}`;
}

const shown = (raw) => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}...` : raw);

/**
 * Parses a location.hash. Returns { setup, messages, flags }: every value that could not be used
 * is named in `messages` (plain strings) and replaced by the preset's default; `flags` holds the
 * raw text of the page flags (PAGE_FLAGS) the address names.
 * `checkConfig` is the wasm export (null when the config is valid, else { field, message }).
 */
export function parseHash(presets, hash, checkConfig, fallbackPreset = DEFAULT_PRESET) {
  const messages = [];
  const pairs = [];
  const flags = {};
  const text = (hash ?? '').replace(/^#/, '');
  // A key given twice: the first value counts (as URLSearchParams.get reads it), and a second
  // that differs is named, not silently dropped.
  const firstValue = new Map();
  for (const part of text ? text.split('&') : []) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key;
    let value;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue.replace(/\+/g, ' ')).trim();
    } catch {
      messages.push(`The link holds ${shown(part)}, which is not valid URL encoding: ignored.`);
      continue;
    }
    const known = PAGE_FLAGS.includes(key) || Object.hasOwn(SETTING, key);
    if (known && firstValue.has(key)) {
      const first = firstValue.get(key);
      if (value !== first) messages.push(`${key} = ${shown(value)} is ignored: the link gives ${key} twice, and the first, ${key} = ${shown(first)}, is used.`);
      continue;
    }
    if (known) firstValue.set(key, value);
    if (PAGE_FLAGS.includes(key)) {
      flags[key] = value;
      continue;
    }
    if (!SETTING[key]) {
      messages.push(`The link names an unknown setting ${shown(key)}: ignored.`);
      continue;
    }
    pairs.push([key, value]);
  }

  // The preset first: it supplies every default.
  let preset = fallbackPreset;
  const presetPair = pairs.find(([k]) => k === 'preset');
  if (presetPair) {
    const p = SETTING.preset.kind.parse(presetPair[1]);
    if (p === undefined) {
      messages.push(`preset = ${shown(presetPair[1])} is not accepted: ${SETTING.preset.kind.accepted}; the default ${fallbackPreset} is used.`);
    } else {
      preset = p;
    }
  }
  const defaults = presetSetup(presets, preset);
  const setup = { ...defaults };
  const given = new Set();
  for (const [key, raw] of pairs) {
    if (key === 'preset') continue;
    const s = SETTING[key];
    const value = s.kind.parse(raw);
    const outOfRange = value !== undefined && s.max !== undefined && value > s.max;
    if (value === undefined || outOfRange) {
      const accepted = outOfRange ? `at most ${s.max}` : s.kind.accepted;
      messages.push(`${key} = ${shown(raw)} is not accepted: ${accepted}; the default ${format(key, defaults[key])} is used.`);
      continue;
    }
    setup[key] = value;
    given.add(key);
  }

  // The core checks the whole config; the field it names falls back to its default, until the
  // config is valid (each round fixes one key, so this ends).
  for (let round = 0; round <= SETTINGS.length; round++) {
    const problem = checkConfig(JSON.stringify(toConfig(presets, setup)));
    if (!problem) break;
    const key = keyOfField(problem.field);
    const other = key && relatedFix(presets, setup, defaults, given, key, problem, checkConfig);
    if (other) {
      const [otherKey, rule] = other;
      messages.push(
        `${otherKey} = ${format(otherKey, setup[otherKey])} does not fit ${key} = ${format(key, setup[key])}: ${rule}; ` +
          `the default ${otherKey} = ${format(otherKey, defaults[otherKey])} is used.`,
      );
      setup[otherKey] = defaults[otherKey];
      given.delete(otherKey);
    } else if (key && given.has(key)) {
      messages.push(`${problem.message}; the default ${format(key, defaults[key])} is used.`);
      setup[key] = defaults[key];
      given.delete(key);
    } else {
      // A limit on several settings together (e.g. the memory budget): back to the preset.
      messages.push(`${problem.message}; the preset's settings are used.`);
      Object.assign(setup, defaults, { seed: setup.seed });
      break;
    }
  }

  const probeProblem = checkProbe(setup);
  if (probeProblem) {
    messages.push(`probe = ${shown(format('probe', setup.probe))} is not accepted: ${probeProblem}; the default ${defaults.probe} is used.`);
    setup.probe = checkProbe({ ...setup, probe: defaults.probe }) ? 'test:0' : defaults.probe;
  }
  return { setup, messages, flags };
}

/**
 * For a problem the core names on `key`: the related setting the link gave whose default makes
 * the problem go away, when `key` itself was not given or its default does not fit either.
 * Returns [otherKey, rule] or null.
 */
function relatedFix(presets, setup, defaults, given, key, problem, checkConfig) {
  const fixes = (k) => {
    const p = checkConfig(JSON.stringify(toConfig(presets, { ...setup, [k]: defaults[k] })));
    return !p || p.field !== problem.field;
  };
  if (given.has(key) && fixes(key)) return null;
  return (RELATIONS[key] ?? []).find(([other]) => given.has(other) && fixes(other)) ?? null;
}

/** The test-set indices of a `test:i` or `test:i-j` probe, or null for a token probe. */
export function probeIndices(probe) {
  if (!probe.startsWith('test:')) return null;
  const [a, b = a] = probe.slice(5).split('-').map(Number);
  return Array.from({ length: b - a + 1 }, (_, j) => a + j);
}

/** Why a setup's probe cannot be used (a sentence), or null. */
export function checkProbe(setup) {
  const probe = setup.probe;
  const indices = probeIndices(probe);
  if (indices) {
    const last = indices[indices.length - 1];
    return last < setup.n ? null : `the test set has ${setup.n} sequences (test:0 to test:${setup.n - 1})`;
  }
  const tokens = probe.split(',').map(Number);
  if (tokens.length !== setup.T) return `it has ${tokens.length} tokens; T = ${setup.T}`;
  const bad = tokens.find((x) => x >= setup.V);
  if (bad !== undefined) return `token ${bad} is not below V = ${setup.V}`;
  return null;
}

/**
 * The probe tokens of a setup, the same for every arm: typed tokens, or test sequences of the
 * first arm's phase 0 (`testSequenceOf` is the wasm export that draws them from a config without
 * training; the scratch twin's own phase 0 is another p, so its `test:0` would be another
 * sequence).
 */
export function probeTokens(setup, config, testSequenceOf) {
  const indices = probeIndices(setup.probe);
  if (!indices) return setup.probe.split(',').map(Number);
  const json = JSON.stringify(config);
  return indices.flatMap((i) => Array.from(testSequenceOf(json, 0, i)));
}
