// The guided tour (www/tour.js), figure 1, the projector view and the layout of issue 11, in
// headless Chromium: every stop opens from its deep link with its panel in view, not covered by
// the tour card, and its run makes progress; Next/Back and the keys move; leaving keeps the run;
// the projector view draws no chart text under 16 px; the sticky bar stays under 15% of the
// viewport; folding the settings widens the charts. Screenshots of every stop at 1280 x 720 in
// the projector view and at 375 px go to out/e2e/tour-*.png. Main-thread long tasks are measured
// with a PerformanceObserver throughout and the worst is printed.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OUT_DIR, servedPage } from '../helpers.mjs';

const STOPS = 9;
/** Stops that set up a run of their own (1 and 9 keep the run on screen). */
const RUNS = new Set([2, 3, 4, 5, 6, 7, 8]);
/** The panel each stop brings into view. */
const PANEL = { 1: 'panel-figure1', 2: 'panel-curves', 3: 'panel-graph', 4: 'panel-heatmap', 5: 'panel-za', 6: 'panel-curves', 7: 'panel-barrier', 8: 'panel-trajectory', 9: 'panel-curves' };

const longTasks = [];
// Before any script of the page: main-thread long tasks, and the font of every text a canvas draws.
const served = servedPage({
  viewport: { width: 1280, height: 720 },
  init: () => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
    window.__fonts = [];
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (...args) {
      window.__fonts.push([this.canvas, this.font]);
      return fillText.apply(this, args);
    };
  },
});
after(() => {
  if (longTasks.length) {
    const worst = Math.max(...longTasks);
    console.log(`main-thread long tasks during the tour: ${longTasks.length}, worst ${worst.toFixed(0)} ms`);
  } else {
    console.log('main-thread long tasks during the tour: none over 50 ms');
  }
});

async function collectLongTasks(page) {
  longTasks.push(...(await page.evaluate(() => window.__longTasks)));
}

/** Opens the page on `hash` and waits for the tour to be at `stop` (0: not touring). */
async function openAt(hash, stop) {
  const opened = await served.open(hash);
  await opened.page.waitForFunction((n) => window.pathscope?.tour?.stop === n, stop, { timeout: 20_000 });
  return opened;
}

/** Steps trained so far by the runs on screen. */
const steps = (page) => page.evaluate(() => window.pathscope.app.state.arms.reduce((n, a) => n + (a.summary?.step ?? 0), 0));

/** Waits until the runs have trained more steps than `from`. */
async function madeProgress(page, from) {
  await page.waitForFunction((n) => window.pathscope.app.state.arms.reduce((s, a) => s + (a.summary?.step ?? 0), 0) > n, from, { timeout: 20_000 });
}

/**
 * Where the stop's chart, the sticky bar and the tour card are: the chart (the focus element's
 * canvas, or the element itself) must lie between the bar and the card, inside the viewport.
 */
async function assertInView(page, stop) {
  const r = await page.evaluate(() => {
    const focus = document.querySelector('.tour-focus');
    const target = focus?.querySelector('canvas') ?? focus;
    const rect = (el) => el.getBoundingClientRect().toJSON();
    return {
      isChart: target?.tagName === 'CANVAS',
      focus: focus?.id ?? null,
      panel: focus?.closest('.panel')?.id ?? focus?.id ?? null,
      chart: target ? rect(target) : null,
      bar: rect(document.getElementById('bar')),
      card: rect(document.getElementById('tour')),
      title: document.getElementById('tour-title').textContent,
      count: document.querySelector('.tour-count').textContent,
      watch: document.querySelector('.tour-watch').textContent,
      height: innerHeight,
    };
  });
  assert.equal(r.count, `Stop ${stop} of ${STOPS}`);
  assert.ok(r.title.length > 5 && r.watch.length > 80, `stop ${stop} has its title and text: ${JSON.stringify(r.title)}`);
  assert.equal(r.panel, PANEL[stop], `stop ${stop} shows its panel`);
  const { chart, bar, card } = r;
  assert.ok(chart.top >= bar.bottom - 1, `stop ${stop}: the chart (top ${chart.top}) is under the sticky bar (bottom ${bar.bottom})`);
  if (r.isChart) {
    assert.ok(chart.height >= 150, `stop ${stop}: the chart is ${chart.height} px tall`);
    assert.ok(chart.bottom <= card.top + 1, `stop ${stop}: the tour card (top ${card.top}) covers the chart (bottom ${chart.bottom})`);
  } else {
    // A text (stop 9's rates): it starts in the room above the card, and reads on from there.
    assert.ok(chart.top < card.top - 40, `stop ${stop}: the tour card (top ${card.top}) covers the text (top ${chart.top})`);
  }
  return r;
}

async function shot(page, name) {
  await mkdir(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

test('every stop opens from its deep link in the projector view at 1280 x 720: its panel in view, its text, its run moving, no chart text under 16 px', async () => {
  for (let stop = 1; stop <= STOPS; stop++) {
    const { page, problems } = await openAt(`#tour=${stop}&projector=1`, stop);
    assert.equal(await page.evaluate(() => document.body.classList.contains('projector')), true);
    if (RUNS.has(stop)) await madeProgress(page, await steps(page));
    // Let the charts draw what the run has so far.
    await page.waitForTimeout(1500);
    await assertInView(page, stop);
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, new RegExp(`(^#|&)tour=${stop}(&|$)`), `the address keeps the stop: ${hash}`);
    assert.match(hash, /(^#|&)projector=1(&|$)/, `the address keeps the projector flag: ${hash}`);
    // Every text the charts on screen drew since the page opened, in CSS px (device pixel ratio
    // 1). The panels of other stops are hidden in the projector view (drawn at 1 x 1 px).
    const sizes = await page.evaluate(() =>
      window.__fonts
        .filter(([canvas]) => canvas.checkVisibility())
        .map(([, font]) => Number(/(\d+(\.\d+)?)px/.exec(font)?.[1]))
        .filter(Number.isFinite),
    );
    assert.ok(sizes.length > 0, `stop ${stop}: a chart drew text`);
    assert.ok(Math.min(...sizes) >= 16, `stop ${stop}: chart text of ${Math.min(...sizes)} px in the projector view`);
    console.log(`screenshot: ${await shot(page, `tour-projector-${stop}`)}`);
    await collectLongTasks(page);
    problems.assertClean();
    await page.close();
  }
});

test('at 375 px: Next walks every stop with its panel above the card; Back, the arrow keys and Esc work; leaving keeps the run', async () => {
  const { page, problems } = await openAt('#tour=1', 1);
  await page.setViewportSize({ width: 375, height: 667 });
  for (let stop = 1; stop <= STOPS; stop++) {
    if (stop > 1) {
      await page.click('#tour-next');
      await page.waitForFunction((n) => window.pathscope.tour.stop === n, stop);
    }
    if (RUNS.has(stop)) await madeProgress(page, await steps(page));
    await page.waitForTimeout(800);
    await assertInView(page, stop);
    console.log(`screenshot: ${await shot(page, `tour-375-${stop}`)}`);
  }
  assert.equal(await page.evaluate(() => document.getElementById('tour-next').disabled), true, 'no Next at the last stop');
  await page.click('#tour-back');
  await page.waitForFunction(() => window.pathscope.tour.stop === 8);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.pathscope.tour.stop === 9);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => window.pathscope.tour.stop === 8);
  // The arrow keys moved the tour, not the run (→ is "one step" in the playground).
  assert.equal(await page.evaluate(() => window.pathscope.app.state.playing), true, 'the run still plays');
  const before = await page.evaluate(() => ({ hash: location.hash, setup: window.pathscope.app.setupCopy() }));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.pathscope.tour.stop === 0);
  const left = await page.evaluate(() => ({
    hash: location.hash,
    setup: window.pathscope.app.setupCopy(),
    card: document.getElementById('tour').hidden,
    touring: document.body.classList.contains('touring'),
  }));
  assert.equal(left.card, true, 'the card is gone');
  assert.equal(left.touring, false);
  assert.doesNotMatch(left.hash, /tour=/, `the address no longer names a stop: ${left.hash}`);
  assert.equal(left.hash, before.hash.replace(/&tour=8/, ''), 'the address keeps the stop\'s setup');
  assert.deepEqual(left.setup, before.setup, 'the setup is the stop\'s');
  await madeProgress(page, await steps(page));
  await collectLongTasks(page);
  problems.assertClean();
  await page.close();
});

test('a tour address that names no stop gets a notice and opens stop 1; the Guided tour button opens it too', async () => {
  const { page, problems } = await openAt('#tour=12', 1);
  const notices = await page.evaluate(() => document.getElementById('notices').textContent);
  assert.match(notices, /tour = "12" is not accepted: a stop from 1 to 9/);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => window.pathscope.tour.stop === 0);
  await page.click('#tour-start');
  await page.waitForFunction(() => window.pathscope.tour.stop === 1);
  // Figure 1 plays its sine wave at stop 1: the input moves.
  const x0 = await page.evaluate(() => window.pathscope.figure1.x);
  await page.waitForFunction((x) => window.pathscope.figure1.x !== x, x0);
  problems.assertClean();
  await page.close();
});

test('figure 1: dragging on the figure sets the input, on the network and on the trace, and stops the sine wave', async () => {
  const { page, problems } = await openAt('#tour=1', 1);
  await page.waitForFunction(() => window.pathscope.figure1.geometry !== null);
  const box = await page.locator('#canvas-figure1').boundingBox();
  const g = await page.evaluate(() => window.pathscope.figure1.geometry);
  const fig = () => page.evaluate(() => ({ x: window.pathscope.figure1.x, playing: window.pathscope.figure1.playing, slider: Number(document.getElementById('fig1-x').value) }));
  // On the network: pull the input up to the red unit's height, then down to the blue one's.
  const [ix, iy] = g.input;
  await page.mouse.move(box.x + ix, box.y + iy);
  await page.mouse.down();
  await page.mouse.move(box.x + ix, box.y + g.positive[1], { steps: 5 });
  let f = await fig();
  assert.equal(f.playing, false, 'a drag pauses the sine wave');
  assert.ok(f.x > 0.95 && f.slider === f.x, `dragged to the red unit: x = ${f.x}, slider ${f.slider}`);
  await page.waitForFunction(() => window.pathscope.figure1.canvas.getAttribute('aria-label').includes('the positive (red) path carries it'));
  await page.mouse.move(box.x + ix, box.y + (g.input[1] + g.negative[1]) / 2, { steps: 5 });
  f = await fig();
  assert.ok(Math.abs(f.x + 0.5) < 0.1, `halfway down to the blue unit: x = ${f.x}`);
  // Held still, the trace moves on: the value held fills it.
  await page.waitForTimeout(600);
  const held = await page.evaluate(() => Array.from(window.pathscope.figure1.trace.slice(-20)));
  assert.ok(held.every((v) => Math.abs(v - f.x) < 1e-6), `the trace holds the dragged input: ${held}`);
  await page.mouse.up();
  // On the trace: the height on its axis; a quarter of the way down from +1 is +0.5.
  const tx = (g.trace_left + g.trace_right) / 2;
  await page.mouse.move(box.x + tx, box.y + g.trace_plus + (g.trace_minus - g.trace_plus) / 4);
  await page.mouse.down();
  await page.mouse.up();
  f = await fig();
  assert.ok(Math.abs(f.x - 0.5) < 0.05, `a press a quarter down the trace's axis: x = ${f.x}`);
  await page.waitForFunction((x) => window.pathscope.figure1.canvas.getAttribute('aria-label').includes(`input x = ${x}`), f.x.toFixed(2));
  problems.assertClean();
  await collectLongTasks(page);
  await page.close();
});

test('layout: the sticky bar under 15% of the viewport at 375 px and at 150% zoom; folding the settings widens the charts; keyboard help below the charts on phones', async () => {
  const { page, problems } = await served.open(`#preset=quick`);
  await page.waitForFunction(() => window.pathscope?.app?.state.arms.every((a) => a.summary));
  const measure = () =>
    page.evaluate(() => ({
      bar: document.getElementById('bar').getBoundingClientRect().height,
      height: innerHeight,
      width: innerWidth,
      curves: document.getElementById('canvas-curves').getBoundingClientRect().width,
      keysTop: document.querySelector('.keys').getBoundingClientRect().top + scrollY,
      panelsTop: document.getElementById('panels').getBoundingClientRect().top + scrollY,
      summaryLeft: document.querySelector('#settings-details summary').getBoundingClientRect().left,
      marker: getComputedStyle(document.querySelector('#settings-details summary')).listStylePosition,
    }));
  // 1280 x 720 at 150% zoom is 853 x 480 CSS pixels.
  for (const [width, height] of [[375, 667], [853, 480], [1280, 720]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    const m = await measure();
    console.log(`layout ${width}x${height}: sticky bar ${m.bar.toFixed(0)} px = ${((100 * m.bar) / m.height).toFixed(1)}% of the viewport`);
    assert.ok(m.bar / m.height < 0.15, `at ${width}x${height} the sticky bar is ${m.bar} px of ${m.height}`);
    if (width === 375) {
      assert.ok(m.keysTop > m.panelsTop, `at 375 px the keyboard help (at ${m.keysTop}) sits above the charts (at ${m.panelsTop})`);
      assert.ok(m.summaryLeft >= 0 && m.marker === 'inside', `the settings triangle is clipped: left ${m.summaryLeft}, ${m.marker}`);
      await shot(page, 'layout-375');
    }
  }
  const unfolded = (await measure()).curves;
  await page.evaluate(() => {
    document.getElementById('settings-details').open = false;
  });
  await page.waitForTimeout(300);
  const folded = (await measure()).curves;
  console.log(`layout 1280x720: the curves chart is ${unfolded.toFixed(0)} px wide with the settings open, ${folded.toFixed(0)} px folded`);
  assert.ok(folded > unfolded + 200, `folding the settings gave the charts ${folded - unfolded} px`);
  problems.assertClean();
  await page.close();
});
