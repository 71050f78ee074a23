// The playground page, driven in headless Chromium: it loads cleanly, trains, steps, scrubs its
// history, reads its settings from the address and refuses hostile ones without running them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, servedPage } from '../helpers.mjs';

const served = servedPage();

/**
 * Opens the page at `hash` (by default the quick preset, whose runs take seconds; the page itself
 * opens on class, see seeds.test.mjs) and waits until every run has reported its step 0.
 */
async function openPage(hash = '#preset=quick', { width = 1280, height = 900 } = {}) {
  const opened = await served.open(hash);
  await opened.page.setViewportSize({ width, height });
  await opened.page.waitForFunction(() => {
    const arms = window.pathscope?.app.state.arms;
    return arms?.length && arms.every((a) => a.summary && a.attention.count > 0);
  }, null, { timeout: 30_000 });
  return opened;
}

const text = (page, id) => page.$eval(`#${id}`, (el) => el.textContent);
const number = async (page, id) => Number.parseFloat(await text(page, id));

/** A fingerprint of a canvas's pixels (changes when anything drawn on it changes). */
async function canvasHash(page, id) {
  // Let the page draw what is pending first (two animation frames).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.$eval(`#${id}`, (canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 1) h = Math.imul(h ^ data[i], 16777619);
    return h >>> 0;
  });
}

/** The number of pixels of a canvas that are not plain white. */
function inkOf(page, id) {
  return page.$eval(`#${id}`, (canvas) => {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n;
  });
}

test('the page loads its runs with no console error and no request outside its origin', async () => {
  const { page, problems } = await openPage();
  await page.waitForLoadState('networkidle');
  assert.equal(await text(page, 'status-epoch-0'), '0 / 400');
  assert.equal(await text(page, 'status-step-0'), '0');
  assert.match(await page.$eval('#status', (el) => el.textContent), /scratch/, 'quick trains the scratch twin too');
  for (const id of ['canvas-graph', 'canvas-heatmap', 'canvas-curves', 'canvas-za', 'canvas-barrier', 'canvas-trajectory']) {
    assert.ok((await inkOf(page, id)) > 500, `${id} has something drawn on it`);
  }
  assert.equal(page.workers().length >= 2, true, 'two training workers');
  problems.assertClean();
  await page.close();
});

test('play trains: the epoch and the test accuracy advance, and the page stays responsive', async () => {
  const { page, problems } = await openPage();
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
  const acc0 = await number(page, 'status-test-acc-0');
  await page.click('#play');
  assert.equal(await text(page, 'play'), 'Pause');
  // p = 2 is solved within seconds: wait for the test accuracy to pass 0.9.
  await page.waitForFunction(() => Number.parseFloat(document.getElementById('status-test-acc-0').textContent) > 0.9, null, { timeout: 60_000 });
  const epoch = await number(page, 'status-epoch-0');
  const acc = await number(page, 'status-test-acc-0');
  assert.ok(epoch > 0, `epoch advanced to ${epoch}`);
  assert.ok(acc > acc0, `test accuracy advanced from ${acc0} to ${acc}`);
  assert.ok((await number(page, 'status-epoch-1')) > 0, 'the scratch run trains too');
  // While training, input is handled promptly: a click on pause takes effect at once.
  const longTasks = await page.evaluate(() => window.__longTasks);
  await page.click('#play');
  assert.equal(await text(page, 'play'), 'Play');
  console.log(`main-thread long tasks while training (ms): ${JSON.stringify(longTasks)}`);
  // A frozen page would show long tasks of seconds; this machine shares 2 cores with both workers.
  assert.ok(longTasks.every((ms) => ms < 500), `no main-thread task froze the page: ${longTasks}`);
  problems.assertClean();
  await page.close();
});

test('one step moves the step counter by one and changes the attention graph', async () => {
  const { page, problems } = await openPage();
  const before = await canvasHash(page, 'canvas-graph');
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('status-step-0').textContent === '1');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].attention.count === 2);
  const after = await canvasHash(page, 'canvas-graph');
  assert.notEqual(after, before, 'the graph was redrawn with the new attention (edges coloured by their change)');
  // The keyboard does the same: right arrow steps, space plays, r resets.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.getElementById('status-step-0').textContent === '2');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => Number(document.getElementById('status-step-0').textContent) > 50);
  await page.keyboard.press(' ');
  await page.keyboard.press('r');
  await page.waitForFunction(() => document.getElementById('status-step-0').textContent === '0');
  problems.assertClean();
  await page.close();
});

test('hovering a heatmap row shows that step in the graph; Live returns to the run', async () => {
  const { page, problems } = await openPage();
  await page.click('#epoch');
  await page.click('#epoch');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].attention.count === 129);
  const live = await canvasHash(page, 'canvas-graph');
  const g = await page.evaluate(() => window.pathscope.panels.geometry.heatmap);
  assert.equal(g.rows, 129, 'one heatmap row per step');
  await page.locator('#canvas-heatmap').scrollIntoViewIfNeeded();
  const box = await page.locator('#canvas-heatmap').boundingBox();
  // Row 3: early in training.
  const y = g.top + ((3 + 0.5) * g.height) / g.rows;
  await page.mouse.move(box.x + g.left + g.width / 2, box.y + y);
  await page.waitForFunction(() => /showing step 3 from the history/.test(document.getElementById('scrub-state').textContent));
  const scrubbed = await canvasHash(page, 'canvas-graph');
  assert.notEqual(scrubbed, live, 'the graph shows another step');
  // Click pins the row; moving away keeps it; Live follows the run again.
  await page.mouse.click(box.x + g.left + g.width / 2, box.y + y);
  await page.mouse.move(box.x - 20, box.y - 20);
  await page.waitForFunction(() => /pinned/.test(document.getElementById('scrub-state').textContent));
  assert.equal(await canvasHash(page, 'canvas-graph'), scrubbed);
  await page.click('#live');
  await page.waitForFunction(() => /following the live run/.test(document.getElementById('scrub-state').textContent));
  assert.equal(await canvasHash(page, 'canvas-graph'), live, 'back to the latest step');
  problems.assertClean();
  await page.close();
});

test('pausing computes the comparisons: z_A, the loss barrier and the trajectories', async () => {
  const { page, problems } = await openPage();
  await page.click('#play');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.epoch >= 105, null, { timeout: 60_000 });
  await page.click('#play');
  await page.waitForFunction(() => {
    const s = window.pathscope.app.state;
    return s.za.result && s.barrier.result && s.trajectory.result && !s.barrier.pending && !s.trajectory.pending;
  }, null, { timeout: 60_000 });
  assert.match(await text(page, 'barrier-state'), /^train barrier \d.*, test barrier \d.* \(p = 4 data\)$/);
  const r = await page.evaluate(() => window.pathscope.app.state.barrier.result);
  assert.equal(r.t.length, 101, 'the authors sample 101 points on the line');
  assert.equal(typeof r.train_barrier.height, 'number');
  assert.match(r.nameA, /^scratch \(epoch \d+, phase 1: p = 4\)$/, 'figure 6 goes from the scratch model...');
  assert.match(r.nameB, /^curriculum \(epoch \d+, phase 2: p = 4\)$/, '...to the curriculum model, each end named with its phase');
  assert.equal(await page.isHidden('#barrier-warning'), true, 'both ends trained on p = 4: no warning');
  // Any pair: the curriculum at the end of phase 1 against the curriculum now.
  await page.selectOption('#barrier-from', '0:100');
  await page.waitForFunction(() => /epoch 100/.test(window.pathscope.app.state.barrier.result?.nameA) && !window.pathscope.app.state.barrier.pending);
  // z_A at the switch is kept (p = 2 data: counts 0 to 5).
  const switchZa = await page.evaluate(() => window.pathscope.app.state.arms[0].switchZa[0]);
  for (const set of ['patterns', 'test']) {
    assert.equal(switchZa[set].p, 2);
    assert.equal(switchZa[set].max_count, 5);
    assert.equal(switchZa[set].epoch, 100);
    assert.equal(switchZa[set].clusters.classes, 6, 'counts 0..5');
  }
  assert.equal(switchZa.patterns.counts.length, 32, 'the authors\' 2^5 hand-built sequences');
  await page.selectOption('#za-which', '0');
  const paths = await page.evaluate(() => window.pathscope.app.state.trajectory.result.paths.map((p) => [p.name, p.points.length, Array.from(p.switches)]));
  assert.equal(paths.length, 2);
  assert.equal(paths[0][0], 'curriculum');
  assert.equal(paths[0][2].length, 1, 'the curriculum path marks its switch');
  for (const id of ['canvas-za', 'canvas-barrier', 'canvas-trajectory']) assert.ok((await inkOf(page, id)) > 3000, `${id} drawn`);
  problems.assertClean();
  await page.close();
});

test('settings in the address are applied to the controls and the run', async () => {
  const hash = '#preset=fig2&seed=7&phases=2:50&lr=0.002&B=64&eval=3&probe=1,0,0,1,0,0,0,0&speed=4';
  const { page, problems } = await openPage(hash);
  const values = await page.evaluate(() =>
    Object.fromEntries(['preset', 'seed', 'lr', 'B', 'eval', 'T', 'speed', 'probe', 'phase-0-p', 'phase-0-epochs'].map((id) => [id, document.getElementById(id).value])),
  );
  assert.deepEqual(values, {
    preset: 'fig2',
    seed: '7',
    lr: '0.002',
    B: '64',
    eval: '3',
    T: '8',
    speed: '4',
    probe: '1,0,0,1,0,0,0,0',
    'phase-0-p': '2',
    'phase-0-epochs': '50',
  });
  assert.equal(await text(page, 'status-epoch-0'), '0 / 50');
  const config = await page.evaluate(() => window.pathscope.app.state.arms[0].config);
  assert.equal(config.data.seed, 7);
  assert.equal(config.optim.lr, 0.002);
  assert.equal(config.schedule.batch_size, 64);
  assert.deepEqual(await page.evaluate(() => window.pathscope.app.state.arms[0].attention.probe), [1, 0, 0, 1, 0, 0, 0, 0]);
  assert.equal(await page.$$eval('#notices p', (ps) => ps.length), 0, 'no complaint about a valid address');
  // The address is kept canonical: preset, seed and what differs from the preset.
  assert.equal(new URL(page.url()).hash, hash);
  problems.assertClean();
  await page.close();
});

test('a changed setting asks for a restart instead of mixing runs', async () => {
  const { page, problems } = await openPage();
  assert.equal(await page.isHidden('#restart-banner'), true);
  await page.fill('#lr', '0.003');
  await page.waitForSelector('#restart-banner', { state: 'visible' });
  assert.equal(await text(page, 'status-epoch-0'), '0 / 400', 'the run on screen is unchanged');
  await page.fill('#lr', '70');
  assert.match(await text(page, 'settings-error'), /learning rate lr = 70 is not accepted/);
  assert.equal(await page.isDisabled('#restart'), true);
  await page.fill('#lr', '0.003');
  await page.click('#restart');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].config.optim.lr === 0.003);
  assert.match(new URL(page.url()).hash, /lr=0\.003/);
  assert.equal(await page.isHidden('#restart-banner'), true);
  // New seed draws a random seed and restarts with it.
  await page.click('#new-seed');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].config.data.seed !== 2);
  const seed = await page.evaluate(() => window.pathscope.app.state.setup.seed);
  assert.equal(await page.inputValue('#seed'), String(seed));
  assert.match(new URL(page.url()).hash, new RegExp(`seed=${seed}&`));
  problems.assertClean();
  await page.close();
});

test('hostile or invalid values in the address are named, replaced by defaults, and never run', async () => {
  let dialogs = 0;
  const hash =
    '#seed=<img src=x onerror="window.__pwned=1">' +
    '&preset=fig2&lr=abc&T=9999&probe=<script>window.__pwned=2</script>' +
    '&<svg onload=window.__pwned=3>=1&phases=2:0';
  const { page, problems } = await served.open(encodeURI(hash));
  page.on('dialog', (d) => {
    dialogs++;
    d.dismiss();
  });
  await page.waitForFunction(() => window.pathscope?.app.state.arms[0]?.summary, null, { timeout: 30_000 });
  const notices = await page.$eval('#notices', (el) => el.textContent);
  for (const named of ['seed = ', 'lr = ', 'sequence length T = 9999', 'probe = ', 'unknown setting', 'phase 1: epochs = 0']) {
    assert.ok(notices.includes(named), `the notice names ${named}: ${notices}`);
  }
  assert.doesNotMatch(notices, /\b(model|data|optim|schedule)\.[a-z_]+/, 'notices name settings as people know them, not code paths');
  assert.match(notices, /<img src=x onerror=/, 'the hostile text is shown as text');
  assert.equal(await page.$$eval('#notices *', (els) => els.filter((e) => !['P', 'BUTTON'].includes(e.tagName)).length), 0, 'no element came from the address');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script ran');
  assert.equal(dialogs, 0);
  const values = await page.evaluate(() => {
    const value = (id) => document.getElementById(id).value;
    return { seed: value('seed'), lr: value('lr'), T: value('T'), preset: value('preset') };
  });
  assert.deepEqual(values, { seed: '0', lr: '0.001', T: '8', preset: 'fig2' }, 'defaults of the fig2 preset');
  assert.equal(await text(page, 'status-epoch-0'), '0 / 1000', 'the fig2 preset: the authors\' 1,000 epochs');
  // An image that tried to load would be a failed request to /x.
  problems.assertClean();
  await page.close();
});

test('an error inside a worker is shown on the page', async () => {
  const { page, problems } = await openPage();
  // A probe the worker's session refuses (tokens must be below V = 4, and T = 8 of them).
  await page.evaluate(() => window.pathscope.app.state.arms[0].send('probe', { probe: { tokens: [9, 9] } }));
  await page.waitForFunction(() => /curriculum: probe length 2 is not a positive multiple of T = 8/.test(document.getElementById('notices').textContent));
  // The run goes on: it still steps.
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('status-step-0').textContent === '1');
  problems.assertClean();
  await page.close();
});

test('the page state changes only through App actions; app.state refuses writes', async () => {
  const { page, problems } = await openPage();
  // A direct write throws (and changes nothing), at any depth, through any alias.
  const refused = await page.evaluate(() => {
    const s = window.pathscope.app.state;
    const writes = {
      hover: () => { s.view.hover = 1; },
      which: () => { s.za.which = '0'; },
      playing: () => { s.playing = true; },
      seed: () => { s.setup.seed = 5; },
      phases: () => { s.setup.phases.push({ p: 2, epochs: 1 }); },
      log: () => { delete s.barrier.log; },
    };
    return Object.fromEntries(Object.entries(writes).map(([k, write]) => {
      try {
        write();
        return [k, 'written'];
      } catch (e) {
        return [k, `${e.name}: ${e.message}`];
      }
    }));
  });
  for (const [k, what] of Object.entries(refused)) assert.match(what, /^TypeError: app\.state\.\S+ is read-only outside App/, k);
  assert.deepEqual(
    await page.evaluate(() => {
      const s = window.pathscope.app.state;
      return [s.view.hover, s.za.which, s.playing, s.setup.seed, s.setup.phases.length, s.barrier.log];
    }),
    [null, 'latest', false, 2, 2, false],
  );
  // A copy of the setup is the caller's to change.
  assert.equal(await page.evaluate(() => {
    const copy = window.pathscope.app.setupCopy();
    copy.seed = 99;
    return window.pathscope.app.state.setup.seed;
  }), 2);
  // The controls change it through App's actions (a direct write would be an uncaught error).
  await page.selectOption('#arm-view', '1');
  await page.uncheck('#za-auto');
  await page.check('#barrier-log');
  await page.selectOption('#embed-method', 'tsne');
  await page.waitForFunction(() => !window.pathscope.app.state.trajectory.pending);
  assert.deepEqual(
    await page.evaluate(() => {
      const s = window.pathscope.app.state;
      return [s.view.arm, s.za.auto, s.barrier.log, s.trajectory.method];
    }),
    [1, false, true, 'tsne'],
  );
  assert.match(await text(page, 'status'), /scratch/);
  problems.assertClean();
  await page.close();
});

test('the figure-5 preset trains both arms in two workers', async () => {
  const { page, problems } = await openPage('#preset=fig5');
  assert.equal(await page.evaluate(() => window.pathscope.app.state.arms.length), 2);
  assert.ok(page.workers().length >= 2);
  await page.click('#play');
  await page.waitForFunction(
    () => [0, 1].every((i) => Number.parseFloat(document.getElementById(`status-epoch-${i}`).textContent) >= 3),
    null,
    { timeout: 60_000 },
  );
  await page.click('#play');
  assert.equal(await text(page, 'status-phase-0'), '1/2 (p = 2)');
  assert.equal(await text(page, 'status-phase-1'), 'p = 4');
  problems.assertClean();
  await page.close();
});

test('screenshots: phone and desktop, before and during training', async () => {
  for (const [width, height] of [[375, 812], [1440, 900]]) {
    const { page, problems } = await openPage('', { width, height });
    // The results files the page quotes must have arrived: a reload while they are fetched aborts
    // them (a failed request).
    await page.waitForFunction(() => 'rates' in window.pathscope);
    // Load again at this width: the page lays out for the screen it opens on (phones fold Settings).
    await page.reload();
    await page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary && a.attention.count > 0));
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    console.log(`screenshot: ${await screenshot(page, `page-${width}-before`)}`);
    await page.click('#play');
    await page.waitForFunction(() => Number.parseFloat(document.getElementById('status-epoch-0').textContent) >= 130, null, { timeout: 90_000 });
    await page.click('#play');
    await page.waitForFunction(() => !window.pathscope.app.state.za.pending);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
    console.log(`screenshot: ${await screenshot(page, `page-${width}-training`)}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at ${width} px (${overflow} px too wide)`);
    problems.assertClean();
    await page.close();
  }
});
