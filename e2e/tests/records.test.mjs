// Save and load in the page (www/files.js, docs/record-format.md): every export downloads a file
// that parses; a run record saved mid-run and loaded into a fresh page continues to the same final
// metrics, bit for bit, as the run that was not interrupted; damaged and hostile records are
// refused with a message naming the field, run nothing, and change nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, screenshot, servedPage } from '../helpers.mjs';

const served = servedPage();

// A curriculum with minibatches (4 steps per epoch), small enough to finish in seconds.
const SETUP = '#preset=quick&n=64&B=16&d=8&h=32&phases=2:6,4:6&eval=1&snap=2&scratch=0&seed=5';

async function openPage(hash) {
  const opened = await served.open(hash);
  await opened.page.setViewportSize({ width: 1280, height: 900 });
  await ready(opened.page);
  return opened;
}

/** Waits until every run has reported. */
function ready(page) {
  return page.waitForFunction(() => {
    const arms = window.pathscope?.app.state.arms;
    return arms?.length && arms.every((a) => a.summary);
  }, null, { timeout: 30_000 });
}

/** Plays until the run on screen has finished, then returns its metrics (as plain arrays). */
async function finish(page) {
  await page.evaluate(() => window.pathscope.app.play());
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.status.state === 'finished', null, { timeout: 60_000 });
  return metrics(page);
}

/** The first run's metric columns; NaN written as the string 'NaN' so that equality is exact. */
function metrics(page) {
  return page.evaluate(() => {
    const arm = window.pathscope.app.state.arms[0];
    return Object.fromEntries(Object.entries(arm.metrics).map(([k, col]) => [k, Array.from(col.view(), (x) => (Number.isNaN(x) ? 'NaN' : x))]));
  });
}

/** Clicks `selector` and returns the download's file name and bytes. */
async function downloaded(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

/** The PNG's width and height (IHDR) after checking its signature. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('a run record saved mid-run continues in a fresh page to the same final metrics, bit for bit', async () => {
  // The uninterrupted run.
  const whole = await openPage(SETUP);
  const expected = await finish(whole.page);
  assert.equal(expected.epoch.length, 13, '12 epochs and the initial row');

  // The same run, stopped after 3 epochs and 2 steps (mid-epoch), saved through the button.
  const first = await openPage(SETUP);
  await first.page.evaluate(async () => {
    const app = window.pathscope.app;
    for (let i = 0; i < 3; i++) app.epoch();
  });
  await first.page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.epoch === 3);
  await first.page.evaluate(() => {
    window.pathscope.app.step();
    window.pathscope.app.step();
  });
  await first.page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.step === 14);
  const saved = await downloaded(first.page, '#save-record');
  assert.match(saved.name, /^pathscope-.*-seed5-epoch3\.json$/);
  const record = JSON.parse(saved.bytes.toString('utf8'));
  assert.equal(record.format, 'pathscope-run');
  assert.equal(record.position.step, 14);
  assert.equal(record.interrupted, true);

  // Metrics CSV and JSON of the same moment: a header and one row per recorded epoch.
  const csv = (await downloaded(first.page, '#save-csv')).bytes.toString('utf8').trim().split('\n');
  assert.equal(csv[0], 'run,epoch,phase,train_loss,train_acc,test_loss,test_acc');
  assert.equal(csv.length, 1 + 4, 'epochs 0..3');
  assert.deepEqual(csv.slice(1).map((l) => Number(l.split(',')[1])), [0, 1, 2, 3]);
  const json = JSON.parse((await downloaded(first.page, '#save-json')).bytes.toString('utf8'));
  assert.equal(json.runs[0].metrics.train_loss.length, 4);
  assert.deepEqual(json.runs[0].config, record.config);

  // Each panel as PNG and SVG. The buttons' downloads are checked on the first two panels (a
  // browser may hold back a burst of downloads from one page); every panel's PNG (the canvas's
  // encoding, as the button saves it) and SVG (the export's own function) are checked.
  const figures = await first.page.$$eval('#png-panel option', (os) => os.map((o) => o.value));
  assert.ok(figures.length >= 6, `every panel is offered: ${figures}`);
  for (const [i, id] of figures.entries()) {
    let png;
    let svg;
    if (i < 2) {
      await first.page.selectOption('#png-panel', id);
      png = (await downloaded(first.page, '#save-png')).bytes;
      svg = (await downloaded(first.page, '#save-svg')).bytes.toString('utf8');
    } else {
      png = Buffer.from(await first.page.$eval(`#panel-${id} canvas`, (c) => c.toDataURL('image/png').split(',')[1]), 'base64');
      svg = await first.page.evaluate((panel) => window.pathscope.files.svgOf(panel), id);
    }
    const size = await first.page.$eval(`#panel-${id} canvas`, (c) => [c.width, c.height]);
    assert.deepEqual(pngSize(png), size, `${id}: the PNG has the canvas's size`);
    assert.ok(png.length > 2000, `${id}: a PNG with a chart in it (${png.length} bytes)`);
    // SVG: the same chart code through plotters' SVG backend, at the canvas's CSS size, with the
    // chart's marks (several colours) in it.
    const css = await first.page.$eval(`#panel-${id} canvas`, (c) => [Math.round(c.width / devicePixelRatio), Math.round(c.height / devicePixelRatio)]);
    const [, w, h] = svg.match(/<svg[^>]*width="(\d+)"[^>]*height="(\d+)"/) ?? [];
    assert.deepEqual([Number(w), Number(h)], css, `${id}: the SVG has the chart's size`);
    const colours = new Set(svg.match(/#[0-9A-Fa-f]{6}/g));
    assert.ok(colours.size >= 3, `${id}: an SVG with the chart's colours (${[...colours]})`);
    assert.ok(svg.trim().endsWith('</svg>'), `${id}: a complete SVG document`);
  }

  // Loaded into a fresh page (the file input), it continues to the very same end.
  const fresh = await openPage('#preset=fig2');
  await fresh.page.setInputFiles('#load-record', { name: 'mid.json', mimeType: 'application/json', buffer: saved.bytes });
  await fresh.page.waitForFunction(() => window.pathscope.app.state.arms[0]?.summary?.step === 14, null, { timeout: 30_000 });
  assert.match(await fresh.page.$eval('#files-status', (el) => el.textContent), /Loaded mid\.json/);
  const resumed = await finish(fresh.page);
  assert.deepEqual(resumed, expected, 'every metric of every epoch, bit for bit');
  await screenshot(fresh.page, 'records-resumed');
  for (const p of [whole, first, fresh]) p.problems.assertClean();
  for (const p of [whole, first, fresh]) await p.page.close();
});

test('damaged and hostile records are refused with the field named, run nothing and change nothing', async () => {
  const { page, problems } = await openPage(SETUP);
  await page.evaluate(() => window.pathscope.app.epoch());
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.epoch === 1);
  const good = (await downloaded(page, '#save-record')).bytes.toString('utf8');
  const rec = JSON.parse(good);
  const edit = (f) => {
    const r = structuredClone(rec);
    f(r);
    return JSON.stringify(r);
  };
  // A parameter buffer with a NaN in it (little-endian f32 bytes, base64).
  const params = Buffer.from(rec.params, 'base64');
  params.writeFloatLE(Number.NaN, 8);
  const xss = '<img src=x onerror="window.__xss=1;fetch(\'https://example.com/x\')">';
  const cases = [
    ['truncated', good.slice(0, good.length / 2), /not valid JSON/],
    ['not JSON', '<script>window.__xss=1</script>', /not valid JSON/],
    ['HTML as the format', edit((r) => { r.format = xss; }), /`format`/],
    ['HTML in a config string', edit((r) => { r.config.model.init = xss; }), /`config`/],
    ['HTML in the status', edit((r) => { r.status = { state: xss }; }), /`status/],
    ['HTML as a metric name', edit((r) => { r.metrics[xss] = []; }), /`metrics\./],
    ['NaN in the parameters', edit((r) => { r.params = params.toString('base64'); }), /`params`.*not a finite number/],
    ['too few parameters', edit((r) => { r.params = Buffer.from(rec.params, 'base64').subarray(4).toString('base64'); }), /`params`/],
    ['a wrong step', edit((r) => { r.position.step = 999; }), /`position\.step`/],
    ['a newer version', edit((r) => { r.version = 99; }), /`version`/],
  ];
  const before = await page.evaluate(() => ({ hash: location.hash, names: window.pathscope.app.state.arms.map((a) => a.name), step: window.pathscope.app.state.arms[0].summary.step, gen: window.pathscope.app.state.gen }));
  for (const [what, text, message] of cases) {
    await page.evaluate(() => document.getElementById('notices').replaceChildren());
    await page.setInputFiles('#load-record', { name: `${what}.json`, mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForFunction(() => document.getElementById('notices').textContent.length > 0);
    const notice = await page.$eval('#notices', (el) => el.textContent);
    assert.match(notice, message, `${what}: ${notice}`);
    assert.ok(notice.includes(`${what}.json`), `${what}: the notice names the file`);
    const now = await page.evaluate(() => ({ hash: location.hash, names: window.pathscope.app.state.arms.map((a) => a.name), step: window.pathscope.app.state.arms[0].summary.step, gen: window.pathscope.app.state.gen }));
    assert.deepEqual(now, before, `${what}: nothing changed`);
  }
  // Oversized: refused by its size before it is read.
  await page.evaluate(() => document.getElementById('notices').replaceChildren());
  await page.evaluate(() => {
    const big = new File([new Uint8Array(256 * 1024 * 1024 + 1)], 'huge.json', { type: 'application/json' });
    return window.pathscope.files.load({ files: [big], value: '' });
  });
  assert.match(await page.$eval('#notices', (el) => el.textContent), /huge\.json is larger than the 256 MiB a run record may be \(268,435,457 bytes\)/);
  assert.deepEqual(await page.evaluate(() => ({ hash: location.hash, names: window.pathscope.app.state.arms.map((a) => a.name), step: window.pathscope.app.state.arms[0].summary.step, gen: window.pathscope.app.state.gen })), before, 'oversized: nothing changed');
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran');
  assert.equal(await page.$$eval('#notices img, #notices script', (els) => els.length), 0, 'no payload became markup');
  await screenshot(page, 'records-refused');
  problems.assertClean();
  await page.close();
});

test('two records load side by side, and the page\'s barrier between them is the command line\'s', async () => {
  const { page, problems } = await openPage(SETUP);
  await page.evaluate(() => window.pathscope.app.epoch());
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.epoch === 1);
  const early = (await downloaded(page, '#save-record')).bytes;
  await finish(page);
  const late = (await downloaded(page, '#save-record')).bytes;
  await page.setInputFiles('#load-record', [
    { name: 'late.json', mimeType: 'application/json', buffer: late },
    { name: 'early.json', mimeType: 'application/json', buffer: early },
  ]);
  await page.waitForFunction(() => {
    const arms = window.pathscope.app.state.arms;
    return arms.length === 2 && arms.every((a) => a.summary) && arms[0].name === 'late.json';
  });
  const barrier = await page.evaluate(async () => {
    const app = window.pathscope.app;
    await app.computeBarrier();
    return app.state.barrier.result.train_barrier;
  });
  assert.ok(Number.isFinite(barrier.height) && barrier.height >= 0, JSON.stringify(barrier));
  // The page's default line runs from the second run to the first, on the last phase's data:
  // `pathscope barrier early late --phase 1` is the same line (both records share their data).
  const dir = await mkdtemp(join(tmpdir(), 'pathscope-records-'));
  await writeFile(join(dir, 'early.json'), early);
  await writeFile(join(dir, 'late.json'), late);
  execFileSync('cargo', ['run', '--quiet', '--bin', 'pathscope', '--', 'barrier', join(dir, 'early.json'), join(dir, 'late.json'), '--phase', '1', '--json', join(dir, 'line.json')], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const native = JSON.parse(await readFile(join(dir, 'line.json'), 'utf8'));
  assert.equal(barrier.height, native.train_barrier.height, 'the same height in the browser and natively');
  await screenshot(page, 'records-two');

  // One record beside the live run: the live run goes on from its own record, the loaded one
  // beside it, and the barrier joins them.
  await page.evaluate(() => window.pathscope.app.reset());
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary?.step === 0);
  await page.check('#load-beside');
  await page.setInputFiles('#load-record', { name: 'late.json', mimeType: 'application/json', buffer: late });
  await page.waitForFunction(() => {
    const arms = window.pathscope.app.state.arms;
    return arms.length === 2 && arms.every((a) => a.summary) && arms[1].name === 'late.json';
  });
  const beside = await page.evaluate(() => window.pathscope.app.state.arms.map((a) => [a.name, a.summary.step]));
  assert.deepEqual(beside, [['late.json (live)', 0], ['late.json', 48]]);
  problems.assertClean();
  await page.close();
});
