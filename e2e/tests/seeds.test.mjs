// Seed statistics (www/seeds.js) and the page's opening preset, in headless Chromium: a small
// setup over 4 seeds completes with 8 dots whose rates are the ones listed, stopping and resuming
// loses no finished seed, a dot opens its run, a results file made by the command line shows its
// dots and the rates of its summary, and a bad file changes nothing.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OUT_DIR, REPO_ROOT, servedPage } from '../helpers.mjs';

const served = servedPage({ viewport: { width: 1280, height: 900 } });

/** A setup whose runs take a fraction of a second: quick's pair with 128 sequences, 10 + 20 epochs. */
const FAST = '#preset=quick&n=128&phases=2:10,4:20';
/** Runs of about a second each, so that Stop lands while some are running. */
const SLOWER = '#preset=quick&n=512&phases=2:20,4:40';

async function openPage(hash) {
  const opened = await served.open(hash);
  await opened.page.waitForFunction(() => window.pathscope?.seeds && window.pathscope.app.state.arms.every((a) => a.summary));
  // Main-thread tasks over 50 ms, from now on.
  await opened.page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
  return opened;
}

/** A screenshot of the seed statistics panel alone, as <OUT_DIR>/<name>.png. */
async function panelShot(page, name) {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.locator('#panel-seeds').screenshot({ path });
  return path;
}

const finished = (page) => page.evaluate(() => window.pathscope.seeds.finished());

/** What the panel shows: the dots (from the chart's geometry), the canvas's count and the rate lines. */
function shown(page) {
  return page.evaluate(() => {
    const s = window.pathscope.seeds;
    const canvas = document.getElementById('canvas-seeds');
    return {
      dots: s.dots.map((d) => ({ group: d.group, index: d.index, x: d.x, y: d.y, r: d.r, success: d.success })),
      count: Number(canvas.dataset.dots),
      rates: [...document.querySelectorAll('#seeds-rates li')].map((li) => li.textContent),
      error: document.getElementById('seeds-error').textContent,
      done: Object.fromEntries([...s.done].map(([k, v]) => [k, v.test_acc])),
    };
  });
}

/** Successes per group counted from the dots, against "k of n seeds" in each rate line. */
function assertRatesMatchDots(view) {
  const groups = [...new Set(view.dots.map((d) => d.group))].sort();
  assert.equal(view.rates.length, groups.length, 'one rate line per column');
  for (const g of groups) {
    const mine = view.dots.filter((d) => d.group === g);
    const k = mine.filter((d) => d.success).length;
    assert.match(view.rates[g], new RegExp(`: ${k} of ${mine.length} seeds generalized`), `column ${g}: ${view.rates[g]}`);
  }
}

/** The canvas pixels around each dot hold its column's colour (curriculum blue, scratch vermillion). */
async function assertDotsDrawn(page, dots) {
  const colours = [[0x00, 0x72, 0xb2], [0xd5, 0x5e, 0x00], [0x00, 0x9e, 0x73]];
  const hits = await page.evaluate(({ dots, colours }) => {
    const canvas = document.getElementById('canvas-seeds');
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return dots.map((d) => {
      const [r, g, b] = colours[d.group];
      let n = 0;
      for (let y = Math.round((d.y - d.r - 1) * scale); y <= Math.round((d.y + d.r + 1) * scale); y++) {
        for (let x = Math.round((d.x - d.r - 1) * scale); x <= Math.round((d.x + d.r + 1) * scale); x++) {
          const i = 4 * (y * canvas.width + x);
          if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) n++;
        }
      }
      return n;
    });
  }, { dots, colours });
  hits.forEach((n, i) => assert.ok(n >= 6, `dot ${i} (${JSON.stringify(dots[i])}) is drawn in its colour: ${n} pixels`));
}

test('4 seeds of a fast setup: 8 dots, rates that match them, a dot opens its run', async () => {
  const { page, problems } = await openPage(FAST);
  await page.fill('#seeds-count', '4');
  await page.click('#seeds-run');
  await page.waitForFunction(() => window.pathscope.seeds.finished() === 8 && !window.pathscope.seeds.running(), null, { timeout: 120_000 });
  await page.waitForFunction(() => document.getElementById('canvas-seeds').dataset.dots === '8');
  const view = await shown(page);
  assert.equal(view.count, 8);
  assert.equal(view.dots.length, 8);
  assert.deepEqual(view.dots.map((d) => d.group).sort(), [0, 0, 0, 0, 1, 1, 1, 1], 'four dots per arm');
  assertRatesMatchDots(view);
  await assertDotsDrawn(page, view.dots);
  assert.match(await page.textContent('#seeds-state'), /8 of 8 runs finished/);
  assert.equal(await page.$eval('#seeds-progress', (el) => el.value), 8);
  console.log(`screenshot: ${await panelShot(page, 'seeds-4')}`);

  // A click on the scratch dot of seed 2 opens seed 2 in the playground.
  const dot = view.dots.find((d) => d.group === 1 && d.index === 2);
  const box = await page.locator('#canvas-seeds').boundingBox();
  await page.mouse.click(box.x + dot.x, box.y + dot.y);
  await page.waitForFunction(() => window.pathscope.app.state.setup.seed === 2);
  assert.match(await page.evaluate(() => location.hash), /seed=2/);
  assert.equal(await page.evaluate(() => window.pathscope.app.state.arms.length), 2, 'the pair is open');

  // The keyboard reaches every dot: Tab onto the chart, the arrows pick, Enter opens.
  const picked = () => page.evaluate(() => [window.pathscope.seeds.selected, document.getElementById('seeds-dot').textContent]);
  await page.focus('#seeds-file');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'canvas-seeds', 'Tab from the file picker reaches the dot plot');
  await page.keyboard.press('Home');
  let [sel, text] = await picked();
  assert.deepEqual(sel, [0, 0]);
  const acc = (arm, seed) => view.done[`${arm}/${seed}`].toFixed(3);
  assert.match(text, new RegExp(`^Picked: curriculum, seed 0: final test accuracy ${acc('curriculum', 0)}`));
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  [sel, text] = await picked();
  assert.deepEqual(sel, [1, 3], 'three to the right, then down a column: scratch, seed 3');
  assert.match(text, new RegExp(`^Picked: scratch, seed 3: final test accuracy ${acc('scratch', 3)}, (generalized|did not generalize)\\. Enter opens`));
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowUp');
  assert.deepEqual((await picked())[0], [0, 2], 'left, then up: curriculum, seed 2');
  await page.keyboard.press('End');
  assert.deepEqual((await picked())[0], [1, 3]);
  const playing = await page.evaluate(() => window.pathscope.app.state.playing);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.pathscope.app.state.setup.seed === 3);
  assert.equal(await page.evaluate(() => window.pathscope.app.state.playing), playing, 'Enter on the plot is not the page\'s play key');

  const worst = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  console.log(`longest main-thread task during the seed statistics: ${worst} ms (${await page.evaluate(() => window.__longTasks.length)} over 50 ms)`);
  problems.assertClean();
  await page.close();
});

test('stopping keeps every finished seed and resuming runs only the others', async () => {
  const { page, problems } = await openPage(SLOWER);
  await page.fill('#seeds-count', '6');
  await page.click('#seeds-run');
  await page.waitForFunction(() => window.pathscope.seeds.finished() >= 3, null, { timeout: 120_000 });
  await page.click('#seeds-stop');
  const stopped = await shown(page);
  const atStop = Object.keys(stopped.done).length;
  assert.ok(atStop >= 3 && atStop < 12, `stopped with ${atStop} of 12 finished`);
  assert.equal(await page.evaluate(() => window.pathscope.seeds.running()), false);
  assert.match(await page.textContent('#seeds-state'), new RegExp(`Stopped: ${atStop} of 12 runs finished`));
  assert.equal(await page.textContent('#seeds-run'), 'Resume');
  assert.equal(stopped.count, atStop, 'the finished seeds stay on the plot');
  // Nothing runs while stopped.
  await page.waitForTimeout(1500);
  assert.equal(await finished(page), atStop);

  const startedAtStop = await page.evaluate(() => window.pathscope.seeds.started);
  await page.click('#seeds-run');
  await page.waitForFunction(() => window.pathscope.seeds.finished() === 12 && !window.pathscope.seeds.running(), null, { timeout: 180_000 });
  const resumed = await shown(page);
  for (const [key, acc] of Object.entries(stopped.done)) assert.equal(resumed.done[key], acc, `${key} kept as it was`);
  assert.equal(await page.evaluate(() => window.pathscope.seeds.started) - startedAtStop, 12 - atStop, 'only the unfinished runs ran again');
  assert.equal(resumed.count, 12);
  assertRatesMatchDots(resumed);
  problems.assertClean();
  await page.close();
});

test('a results file shows its dots and rates; a bad one gets a message and changes nothing', async () => {
  const { page, problems } = await openPage(FAST);
  const path = join(REPO_ROOT, 'docs/results/pathscope-fig5.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  await page.setInputFiles('#seeds-file', path);
  await page.waitForFunction(() => document.getElementById('canvas-seeds').dataset.dots === '72');
  const view = await shown(page);
  assert.equal(view.error, '');
  assertRatesMatchDots(view);
  // Independent truth: the file's own lines, counted here.
  const count = (pred) => lines.filter(pred).filter((l) => l.final.test_acc > 0.95).length;
  const fresh = count((l) => l.arm === 'curriculum' && l.setting['optim.reset_at_switch'] === true);
  const kept = count((l) => l.arm === 'curriculum' && l.setting['optim.reset_at_switch'] === false);
  const scratch = count((l) => l.arm === 'scratch');
  const text = view.rates.join('\n');
  assert.match(text, new RegExp(`curriculum \\(fresh Adam\\): ${fresh} of 24 seeds`));
  assert.match(text, new RegExp(`curriculum \\(Adam kept\\): ${kept} of 24 seeds`));
  assert.match(text, new RegExp(`scratch: ${scratch} of 24 seeds`));
  await assertDotsDrawn(page, view.dots);
  console.log(`screenshot: ${await panelShot(page, 'seeds-file')}`);

  const bad = [
    { name: 'other.jsonl', buffer: Buffer.from('{"format": "something-else/1"}\n'), want: /other\.jsonl is not a results file.*line 1/ },
    { name: 'half.jsonl', buffer: Buffer.from(`${JSON.stringify(lines[0])}\n{"format": "pathscope-result/1", "arm": 3}\n`), want: /half\.jsonl is not a results file.*line 2/ },
    { name: 'empty.jsonl', buffer: Buffer.from('\n\n'), want: /empty\.jsonl holds no results lines/ },
    { name: 'huge.jsonl', buffer: Buffer.alloc(17 * 1024 * 1024, 32), want: /huge\.jsonl is 17\.0 MiB.*at most 16 MiB/ },
  ];
  for (const file of bad) {
    await page.setInputFiles('#seeds-file', { name: file.name, mimeType: 'application/json', buffer: file.buffer });
    await page.waitForFunction((name) => document.getElementById('seeds-error').textContent.includes(name), file.name);
    const after = await shown(page);
    assert.match(after.error, file.want);
    assert.match(after.error, /Nothing was loaded/);
    assert.equal(after.count, 72, `${file.name}: the plot is unchanged`);
    assert.deepEqual(after.rates, view.rates, `${file.name}: the rates are unchanged`);
  }
  problems.assertClean();
  await page.close();
});

test('the page opens on the class preset, says how often, and the paper\'s setting is one click away', async () => {
  const { page, problems } = await openPage('');
  assert.equal(await page.evaluate(() => window.pathscope.app.state.setup.preset), 'class');
  assert.match(await page.evaluate(() => location.hash), /preset=class/);
  assert.equal(await page.$eval('#preset', (el) => el.value), 'class');
  assert.equal(await page.textContent('#status-epoch-0'), '0 / 4000');
  await page.waitForFunction(() => /seeds 0 to 23/.test(document.getElementById('class-rates').textContent));
  const rates = await page.textContent('#class-rates');
  assert.match(rates, /the curriculum generalized \(final test accuracy > 0\.95\) on \d+ of 24 seeds \(\d+%; 95% interval \d+% to \d+%\)/);
  assert.match(rates, /PyTorch reference's full figure 5, the curriculum generalized on 8 of 12 seeds/);
  await page.click('#open-fig5');
  await page.waitForFunction(() => window.pathscope.app.state.setup.preset === 'fig5');
  await page.waitForFunction(() => document.getElementById('status-epoch-0')?.textContent === '0 / 10000');
  problems.assertClean();
  await page.close();
});
