// Runs that go wrong, opened from an address: a divergence (the documented test hook
// `debug=nan@STEP`, www/debug.js: no accepted setting diverges by itself), an unstable run (lr = 10,
// a real one), and a worker that crashes (`debug=panic@STEP`). The page must pause and say what
// happened with its remedies, warn without stopping, and keep the other run going.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, servedPage } from '../helpers.mjs';

const served = servedPage();

async function openPage(hash) {
  const opened = await served.open(hash);
  await opened.page.setViewportSize({ width: 1280, height: 900 });
  await opened.page.waitForFunction(() => {
    const arms = window.pathscope?.app.state.arms;
    return arms?.length && arms.every((a) => a.summary && a.attention.count > 0);
  }, null, { timeout: 30_000 });
  return opened;
}

const summary = (page, i) => page.evaluate((i) => window.pathscope.app.state.arms[i].summary, i);

/** Pixels of a canvas that are not plain white. */
function inkOf(page, id) {
  return page.$eval(`#${id}`, (canvas) => {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n;
  });
}

/**
 * Every number a chart draws is finite: the train columns, the attention history, z_A, the loss
 * line and the trajectories (the test columns are NaN where the test set was not evaluated, by
 * design, and drawn as gaps).
 */
async function assertChartsFinite(page) {
  const bad = await page.evaluate(() => {
    const s = window.pathscope.app.state;
    const out = [];
    const check = (name, xs) => {
      if (xs && Array.from(xs).some((x) => !Number.isFinite(x))) out.push(name);
    };
    s.arms.forEach((a, i) => {
      for (const c of ['epoch', 'train_loss', 'train_acc']) check(`arm ${i} ${c}`, a.metrics[c].view());
      for (const c of ['test_loss', 'test_acc']) check(`arm ${i} ${c}`, Array.from(a.metrics[c].view()).filter((x) => !Number.isNaN(x)));
      check(`arm ${i} attention`, a.attention.rows.view());
    });
    check('z_A', s.za.result?.points);
    check('barrier train', s.barrier.result?.train_loss);
    check('barrier test', s.barrier.result?.test_loss);
    for (const p of s.trajectory.result?.paths ?? []) check(`trajectory ${p.name}`, p.points);
    return out;
  });
  assert.deepEqual(bad, [], 'a chart would draw a value that is not finite');
  for (const id of ['canvas-graph', 'canvas-heatmap', 'canvas-curves', 'canvas-za', 'canvas-barrier', 'canvas-trajectory']) {
    assert.ok((await inkOf(page, id)) > 500, `${id} has something drawn on it`);
  }
}

// quick: 64 steps per epoch, a snapshot every 5 epochs: step 400 is in epoch 7, after the
// snapshot of epoch 5.
test('a run that diverges pauses, says where, and goes back to its last good snapshot', async () => {
  const { page, problems } = await openPage('#preset=quick&debug=nan@400');
  await page.click('#play');
  await page.waitForSelector('#failures .failure', { timeout: 60_000 });
  const text = await page.$eval('#failures', (el) => el.textContent);
  assert.match(text, /The curriculum run diverged at step 400 \(epoch 7\)\. Training is paused\./);
  assert.match(text, /kept as it was after step 399/);
  const s0 = await summary(page, 0);
  assert.deepEqual([s0.status.state, s0.status.step, s0.step], ['diverged', 400, 399]);
  await page.waitForFunction(() => !window.pathscope.app.state.playing && window.pathscope.app.state.arms.every((a) => !a.playing));
  assert.equal(await page.$eval('#play', (el) => el.textContent), 'Play', 'training is paused');
  // The analyses run at the pause; let them finish, then look at every panel.
  await page.waitForFunction(() => {
    const s = window.pathscope.app.state;
    return s.barrier.result && s.trajectory.result && s.za.result && !s.barrier.pending && !s.trajectory.pending;
  }, null, { timeout: 60_000 });
  await assertChartsFinite(page);
  console.log(`diverged: #preset=quick&debug=nan@400 stops the curriculum at step ${s0.status.step} (epoch ${s0.status.epoch})`);
  await screenshot(page, 'failures-diverged');

  await page.click('#failures button:text("Back to the last good snapshot")');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.status.state === 'running');
  const back = await summary(page, 0);
  assert.deepEqual([back.epoch, back.step, back.metrics_len], [5, 320, 6], 'back at the snapshot of epoch 5');
  assert.equal(await page.$$eval('#failures > div', (els) => els.length), 0, 'the message is gone');
  // It trains on past step 400 (the hook fires once).
  await page.click('#play');
  await page.waitForFunction(() => window.pathscope.app.state.arms[0].summary.step > 480, null, { timeout: 60_000 });
  assert.equal((await summary(page, 0)).status.state, 'running');
  await assertChartsFinite(page);
  problems.assertClean();
  await page.close();
});

test('reset after a divergence starts the run again from step 0', async () => {
  const { page, problems } = await openPage('#preset=quick&debug=nan@100');
  await page.click('#play');
  await page.waitForSelector('#failures .failure', { timeout: 60_000 });
  await page.click('#failures button:text("Reset")');
  await page.waitForFunction(() => {
    const a = window.pathscope.app.state.arms[0];
    return a.summary?.step === 0 && a.summary.status.state === 'running';
  });
  assert.equal(await page.$$eval('#failures > div', (els) => els.length), 0);
  problems.assertClean();
  await page.close();
});

test('an unstable run (lr = 10) shows a warning and keeps training; two share one warning, short in the bar, that can be dismissed', async () => {
  const { page, problems } = await openPage('#preset=quick&lr=10');
  await page.click('#play');
  // Both runs go unstable at lr = 10: one warning names both.
  await page.waitForFunction(() => window.pathscope.app.state.arms.every((a) => Number.isInteger(a.summary?.unstable_epoch)), null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('#failures .unstable .title')?.textContent.includes(' and '));
  const warning = () => page.$$eval('#failures .unstable', (els) => els.map((el) => ({ title: el.querySelector('.title').textContent, text: el.querySelector('.why .text').textContent })));
  const [both] = await warning();
  assert.equal((await warning()).length, 1, 'one warning for both runs');
  assert.equal(both.title, 'The curriculum and scratch runs are unstable.');
  assert.match(both.text, /^The mean training loss of each rose above 10 times its initial value: the curriculum run's at epoch 1 \(learning rate 10\), the scratch run's at epoch 1 \(learning rate 10\)\. They keep training/);
  const { step } = await summary(page, 0);
  await page.waitForFunction((step) => window.pathscope.app.state.arms[0].summary.step > step + 200, step, { timeout: 60_000 });
  assert.equal((await summary(page, 0)).status.state, 'running');
  assert.ok(await page.$eval('#failures .unstable', (el) => el.getBoundingClientRect().top < window.innerHeight), 'in view');
  // Short in the sticky bar, on a phone too: the explanation is folded.
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 667 : 900 });
    const { bar, view, open } = await page.evaluate(() => ({
      bar: document.getElementById('bar').getBoundingClientRect().height,
      view: innerHeight,
      open: document.querySelector('#failures .why').open,
    }));
    assert.equal(open, false);
    assert.ok(bar < 0.3 * view, `at ${width} px the sticky bar with the warning is ${bar.toFixed(0)} of ${view} px`);
    await screenshot(page, `failures-unstable-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('#failures .unstable button:text("Dismiss")');
  assert.equal(await page.$$eval('#failures > div', (els) => els.length), 0, 'dismissed');
  await page.waitForTimeout(500);
  assert.equal(await page.$$eval('#failures > div', (els) => els.length), 0, 'it stays dismissed while the runs train');
  await page.click('#play');
  await page.waitForFunction(() => !window.pathscope.app.state.playing);
  await assertChartsFinite(page).catch(() => {}); // the analyses may still be pending; the warning is the point here
  problems.assertClean();
  await page.close();

  // One run alone: the warning names it.
  const one = await openPage('#preset=quick&lr=10&scratch=0');
  await one.page.click('#play');
  await one.page.waitForSelector('#failures .unstable', { timeout: 60_000 });
  const [alone] = await one.page.$$eval('#failures .unstable', (els) => els.map((el) => ({ title: el.querySelector('.title').textContent, text: el.querySelector('.why .text').textContent })));
  assert.equal(alone.title, 'The curriculum run is unstable.');
  assert.match(alone.text, /^At epoch 1 its mean training loss rose above 10 times its initial value \(learning rate 10\)\. It keeps training/);
  one.problems.assertClean();
  await one.page.close();
});

test('a worker that crashes is named, with a restart button; the page and the other run go on', async () => {
  const { page, problems } = await openPage('#preset=quick&debug=panic@300');
  await page.click('#play');
  await page.waitForSelector('#failures .failure', { timeout: 60_000 });
  const text = await page.$eval('#failures', (el) => el.textContent);
  assert.match(text, /The curriculum run crashed and has stopped\./);
  assert.match(text, /forced panic at step 300/, 'the panic message is shown');
  assert.equal(await page.$eval('#status-state-0', (el) => el.textContent), 'crashed');
  // The scratch run keeps training, and the page answers at once.
  const before = (await summary(page, 1)).step;
  await page.waitForFunction((s) => window.pathscope.app.state.arms[1].summary.step > s + 500, before, { timeout: 30_000 });
  const t0 = Date.now();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  assert.ok(Date.now() - t0 < 1000, 'the page draws frames');
  await screenshot(page, 'failures-crashed');
  // Restart after the other run has finished too (play has ended): the run still trains again.
  await page.waitForFunction(() => window.pathscope.app.state.arms[1].summary.status.state !== 'running', null, { timeout: 120_000 });
  assert.equal(await page.evaluate(() => window.pathscope.app.state.playing), false, 'play ended with the scratch run');
  await page.click('#failures button:text("Restart this run")');
  await page.waitForFunction(() => {
    const a = window.pathscope.app.state.arms[0];
    return !a.crashed && a.summary && a.summary.step > 320;
  }, null, { timeout: 60_000 });
  assert.equal(await page.$$eval('#failures > div', (els) => els.length), 0, 'the message is gone');
  problems.assertClean();
  await page.close();
});
