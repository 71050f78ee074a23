// Fuzzing of the page's address parser (`parseHash` in www/url-state.js) in Node.js, no browser:
// fast-check mutates the hashes of tests/fuzz/corpus/url/hashes.txt (values replaced by boundary
// and absurd numbers, other kinds, long and non-ASCII strings, broken %-escapes; keys unknown,
// repeated or encoded; parts deleted, repeated, cut) and, for each input, checks that
//   - parseHash returns (no exception) within a bounded time, and the heap stays under a budget;
//   - the setup it returns is whole, valid for the core (the stub below) and its probe usable;
//   - every message names the setting it refuses (a URL key, or the core's field label);
//   - the setup's own link (toHash) reads back as the same setup, with no message.
// The core's `checkConfig` is the wasm export in the page; here a stub in JavaScript applies the
// core's field rules (src/config.rs) and a memory rule, with the core's sentences. The presets are
// the core's (tests/fuzz/corpus/url/presets.json, which tests/fuzz.rs checks against the core).
// A few thousand inputs under `make test-e2e`; PATHSCOPE_FUZZ_INPUTS=1000000 under `make fuzz`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { checkProbe, format, loadPresets, PAGE_FLAGS, parseHash, SETTINGS, toHash } from '../../www/url-state.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORPUS = join(ROOT, 'tests', 'fuzz', 'corpus', 'url');
// loadPresets reads the presets the way the page does, from an object shaped like the wasm module.
const PRESET_JSON = JSON.parse(readFileSync(join(CORPUS, 'presets.json'), 'utf8'));
const PRESETS = loadPresets({ presetNames: () => Object.keys(PRESET_JSON), presetConfig: (n) => JSON.stringify(PRESET_JSON[n]) });
const HASHES = readFileSync(join(CORPUS, 'hashes.txt'), 'utf8').split('\n').filter((l) => l !== '');
const INPUTS = Number(process.env.PATHSCOPE_FUZZ_INPUTS ?? 3000);
const SEED = Number(process.env.PATHSCOPE_FUZZ_SEED ?? 0x5eed);
/** An input slower than this is a hang. */
const MAX_INPUT_MS = 1000;
/**
 * The JavaScript heap (heapUsed, sampled every 1000 inputs: garbage not yet collected included)
 * may not grow past this while fuzzing; a million inputs peaked at 203 MiB.
 */
const HEAP_BUDGET = 512 * 2 ** 20;

// ---- the core's checkConfig, as a stub: its field rules and a memory budget ---------------------

const LABELS = {
  'model.vocab': 'vocabulary size V',
  'model.seq_len': 'sequence length T',
  'model.dim': 'width d',
  'model.hidden': 'MLP width h',
  'model.init': 'initialization',
  'data.k': 'relevant tokens k',
  'data.n': 'training sequences n',
  'data.seed': 'seed',
  'optim.lr': 'learning rate lr',
  'schedule.batch_size': 'batch size B',
  'schedule.phases': 'phases',
  'schedule.eval_every': 'test every (epochs)',
  'schedule.snapshot_every': 'snapshot every (epochs)',
};

const problem = (field, value, accepted) => ({
  field,
  message: `${LABELS[field] ?? field} = ${value} is not accepted: ${accepted}`,
});
const whole = (x, lo, hi) => Number.isSafeInteger(x) && x >= lo && x <= hi;

function checkConfig(json) {
  const c = JSON.parse(json);
  const { model: m, data: dt, optim: o, schedule: s } = c;
  const ranges = [
    ['model.vocab', m.vocab, 2, 256],
    ['model.seq_len', m.seq_len, 1, 512],
    ['model.dim', m.dim, 1, 1024],
    ['model.hidden', m.hidden, 1, 4096],
  ];
  for (const [field, x, lo, hi] of ranges) {
    if (!whole(x, lo, hi)) return problem(field, x, `a whole number from ${lo} to ${hi}`);
  }
  if (!['pytorch', 'visualization'].includes(m.init)) return problem('model.init', m.init, 'pytorch or visualization');
  if (!whole(dt.k, 1, m.seq_len)) return problem('data.k', dt.k, `a whole number from 1 to T = ${m.seq_len}`);
  if (!whole(dt.n, 1, 2 ** 20)) return problem('data.n', dt.n, 'a whole number from 1 to 1048576');
  if (!['unseen', 'independent'].includes(dt.test_set)) return problem('data.test_set', dt.test_set, 'unseen or independent');
  if (!(o.lr > 0 && o.lr <= 10)) return problem('optim.lr', o.lr, 'a number above 0 and at most 10');
  if (!whole(s.batch_size, 1, dt.n)) return problem('schedule.batch_size', s.batch_size, `a whole number from 1 to n = ${dt.n}`);
  if (s.phases.length < 1 || s.phases.length > 16) return problem('schedule.phases', `${s.phases.length} phases`, 'from 1 to 16');
  let total = 0;
  for (const [i, ph] of s.phases.entries()) {
    if (!whole(ph.p, 2, m.vocab)) return { field: `schedule.phases[${i}].p`, message: `phase ${i + 1}: modulus p = ${ph.p} is not accepted: 2 to V` };
    if (!whole(ph.epochs, 1, 1e6)) return { field: `schedule.phases[${i}].epochs`, message: `phase ${i + 1}: epochs = ${ph.epochs} is not accepted` };
    if (ph.lr !== undefined && !(ph.lr > 0 && ph.lr <= 10)) return { field: `schedule.phases[${i}].lr`, message: `phase ${i + 1}: learning rate lr = ${ph.lr} is not accepted` };
    total += ph.epochs;
  }
  if (total > 1e6) return problem('schedule.phases', `${total} epochs in all`, 'at most 1000000 epochs over all phases');
  if (!whole(s.eval_every, 1, 1e6)) return problem('schedule.eval_every', s.eval_every, 'a whole number from 1 to 1000000');
  if (!whole(s.snapshot_every, 0, 1e6)) return problem('schedule.snapshot_every', s.snapshot_every, 'a whole number from 0 to 1000000');
  if (dt.n * m.seq_len * s.phases.length + m.vocab * m.seq_len * m.dim > 2 ** 27) {
    return { field: 'memory', message: 'this run needs more than 512 MiB of memory, over the limit of 512 MiB: lower n, T, d or h' };
  }
  return null;
}

// ---- the mutator ------------------------------------------------------------------------------

const KEYS = SETTINGS.map((s) => s.key);
const NUMBERS = [
  '0', '1', '2', '3', '4', '7', '8', '-1', '255', '256', '257', '511', '512', '513', '1023', '1024', '1025', '4096',
  '4097', '1048576', '1048577', '999999', '1000000', '1000001', '9007199254740991', '9007199254740992',
  '99999999999999999999', '1e3', '1e-3', '1e308', '1e309', '0.5', '.5', '5.', '10', '10.000001', 'NaN', 'Infinity',
  '-0', '0x10', '1_000', ' 8', '8 ', '+8', '٣',
];
const value = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.constantFrom('pytorch', 'visualization', 'keep', 'fresh', 'on', 'off', 'TRUE', 'quick', 'fig5', 'fig5-scratch', 'test:0', 'test:99999999'),
  fc.tuple(fc.constantFrom(...NUMBERS), fc.constantFrom(...NUMBERS)).map(([p, e]) => `${p}:${e}`),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2e6 })), { maxLength: 20 })
    .map((xs) => xs.map(([p, e]) => `${p}:${e}`).join(',')),
  fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 600 }).chain((xs) =>
    fc.constantFrom(',', ' ', '.', '%2C', '+').map((sep) => xs.join(sep))),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('%', '%2', '%zz', '%E0%A4%A', '%FF', '%C3%A9', '%00', '%26', '%3D', '%23'),
  fc.nat({ max: 20000 }).map((n) => '9'.repeat(n)),
);
const key = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KEYS) },
  fc.constantFrom('Preset', 'seed ', '%70reset', 'lr%', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
  fc.string({ maxLength: 10 }),
);
const part = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}=${v}`) },
  key,
  fc.tuple(key, value, value).map(([k, a, b]) => `${k}=${a}=${b}`),
);
/** One change of a hash, given as its list of parts. */
const op = fc.oneof(
  fc.tuple(fc.constant('set'), fc.nat(), part),
  fc.tuple(fc.constant('insert'), fc.nat(), part),
  fc.tuple(fc.constant('delete'), fc.nat(), fc.constant('')),
  fc.tuple(fc.constant('repeat'), fc.nat(), fc.constant('')),
  fc.tuple(fc.constant('cut'), fc.nat(), fc.constant('')),
);
function applyOps(hash, ops) {
  let parts = hash.replace(/^#/, '').split('&');
  for (const [kind, at, p] of ops) {
    const i = parts.length ? at % parts.length : 0;
    if (kind === 'set') parts[i] = p;
    else if (kind === 'insert') parts.splice(i, 0, p);
    else if (kind === 'delete') parts.splice(i, 1);
    else if (kind === 'repeat') parts = parts.concat(parts.slice(0, 40));
    else if (parts[i] !== undefined) parts[i] = parts[i].slice(0, at % (parts[i].length + 1));
  }
  return parts.join('&');
}
const hashes = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...HASHES), fc.array(op, { minLength: 1, maxLength: 6 })).map(([h, ops]) => applyOps(h, ops)) },
  fc.array(part, { maxLength: 30 }).map((ps) => ps.join('&')),
  fc.string({ unit: 'binary', maxLength: 200 }),
).chain((h) => fc.constantFrom(`#${h}`, h, `##${h}`));

// ---- the properties ---------------------------------------------------------------------------

const SETTING_RE = new RegExp(`^(${KEYS.join('|')}) = `);
const LABEL_RE = new RegExp(`^(${Object.values(LABELS).map((l) => l.replace(/[()]/g, '\\$&')).join('|')}|phase \\d+: [a-z ]+) = `);

function namesASetting(message) {
  return (
    SETTING_RE.test(message) ||
    LABEL_RE.test(message) ||
    message.startsWith('The link names an unknown setting ') ||
    /^(tour|projector) = .* is ignored: the link gives \1 twice/s.test(message) ||
    /^The link holds .*, which is not valid URL encoding: ignored\.$/s.test(message) ||
    message.startsWith('this run needs ')
  );
}

function checkOne(hash, stats) {
  const start = performance.now();
  const { setup, messages } = parseHash(PRESETS, hash, checkConfig);
  const ms = performance.now() - start;
  stats.inputs++;
  stats.maxMs = Math.max(stats.maxMs, ms);
  if (messages.length) stats.refused++;
  assert.ok(ms < MAX_INPUT_MS, `parseHash took ${ms.toFixed(0)} ms`);
  for (const s of SETTINGS) {
    assert.notEqual(setup[s.key], undefined, `setup lacks ${s.key}`);
    assert.deepEqual(s.kind.parse(format(s.key, setup[s.key])), setup[s.key], `${s.key} does not round-trip`);
  }
  for (const m of messages) {
    assert.equal(typeof m, 'string');
    assert.ok(namesASetting(m), `a message that names no setting: ${JSON.stringify(m)}`);
  }
  // The setup runs: the core accepts it, and its probe fits its T, V and n.
  const { toConfig } = stats.module;
  assert.equal(checkConfig(JSON.stringify(toConfig(PRESETS, setup))), null, 'the setup is not valid');
  assert.equal(checkProbe(setup), null, 'the probe is not usable');
  // Its own link reproduces it, silently.
  const again = parseHash(PRESETS, toHash(PRESETS, setup), checkConfig);
  assert.deepEqual(again.messages, [], `its link ${toHash(PRESETS, setup)} is refused`);
  assert.deepEqual(again.setup, setup, `its link ${toHash(PRESETS, setup)} reads back otherwise`);
  if (stats.inputs % 1000 === 0) stats.peakHeap = Math.max(stats.peakHeap, process.memoryUsage().heapUsed);
}

test('fuzz: parseHash never throws, always returns a valid setup, and names what it refuses', { timeout: 3_600_000 }, async () => {
  const stats = { inputs: 0, refused: 0, maxMs: 0, peakHeap: process.memoryUsage().heapUsed, module: await import('../../www/url-state.js') };
  const start = performance.now();
  // The corpus as it is, then mutations of it.
  for (const h of HASHES) checkOne(h, stats);
  fc.assert(
    fc.property(hashes, (h) => {
      checkOne(h, stats);
    }),
    { numRuns: INPUTS, seed: SEED, endOnFailure: true },
  );
  stats.peakHeap = Math.max(stats.peakHeap, process.memoryUsage().heapUsed);
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `fuzz url: ${stats.inputs} inputs (${HASHES.length} corpus hashes), ${stats.inputs - stats.refused} accepted, ` +
      `${stats.refused} rejected (in part, with a message), 0 panics (exceptions), 0 hangs, 0 violations, ` +
      `max ${stats.maxMs.toFixed(2)} ms per input, ` +
      `peak heap ${mib(stats.peakHeap)} (budget ${mib(HEAP_BUDGET)}), ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  assert.ok(stats.peakHeap < HEAP_BUDGET, `the heap reached ${mib(stats.peakHeap)}`);
});

test('fuzz regressions: inherited names are unknown settings, and long values are refused in linear time', () => {
  // `SETTING` once had Object's prototype: `#hasOwnProperty=1` found a function there and threw.
  for (const name of ['hasOwnProperty', 'constructor', 'toString', '__proto__', 'valueOf']) {
    const { messages } = parseHash(PRESETS, `#preset=fig5&${name}=1`, checkConfig);
    assert.deepEqual(messages, [`The link names an unknown setting ${JSON.stringify(name)}: ignored.`]);
  }
  // The 1/0 settings looked their value up in an object literal: `scratch=__proto__` read as true.
  for (const key of SETTINGS.filter((s) => s.kind.accepted === '1 or 0').map((s) => s.key)) {
    for (const name of ['__proto__', 'constructor', 'toString', 'valueOf']) {
      const { setup, messages } = parseHash(PRESETS, `#preset=fig5&${key}=${name}`, checkConfig);
      assert.equal(messages.length, 1, `${key}=${name}: ${messages}`);
      assert.equal(typeof setup[key], 'boolean');
    }
  }
  // The float pattern was ambiguous (`\d+\.?\d*`): 50,000 digits and a letter took 10 s.
  const digits = '9'.repeat(200_000);
  for (const s of SETTINGS) {
    const start = performance.now();
    const { messages } = parseHash(PRESETS, `#${s.key}=${digits}x`, checkConfig);
    const ms = performance.now() - start;
    assert.ok(ms < 250, `${s.key}: ${ms.toFixed(0)} ms for a 200,000-character value`);
    assert.equal(messages.length, 1, `${s.key}: ${messages}`);
  }
});

test('a key given twice: the first value is used and the second, if it differs, is named', () => {
  const { setup, messages } = parseHash(PRESETS, '#preset=quick&seed=3&lr=0.01&seed=4&seed=3&preset=fig5', checkConfig);
  assert.equal(setup.preset, 'quick');
  assert.equal(setup.seed, 3);
  assert.deepEqual(messages, [
    'seed = "4" is ignored: the link gives seed twice, and the first, seed = "3", is used.',
    'preset = "fig5" is ignored: the link gives preset twice, and the first, preset = "quick", is used.',
  ]);
  for (const flag of PAGE_FLAGS) {
    const read = parseHash(PRESETS, `#${flag}=1&${flag}=2&${flag}=1`, checkConfig);
    assert.equal(read.flags[flag], '1');
    assert.deepEqual(read.messages, [`${flag} = "2" is ignored: the link gives ${flag} twice, and the first, ${flag} = "1", is used.`]);
  }
});
