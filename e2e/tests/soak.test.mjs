// A long session in the browser: a tiny model trained at full speed in its worker, ten million
// steps or as many as fit in the time below, with the page drawing as it goes. The worker's wasm memory (memory.buffer.byteLength,
// asked with the `memory` command) must not grow by more than 10% from the start to the end: the
// core reserves its histories once and thins them at their caps (tests/soak.rs measures the
// million-step bound natively).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servedPage } from '../helpers.mjs';

/** How long the run may train (ms); a million steps took about 4 s on a shared 2-core machine. */
const SOAK_MS = Number(process.env.PATHSCOPE_SOAK_MS ?? 60_000);

const served = servedPage();

test('millions of steps at full speed keep the worker memory flat', { timeout: SOAK_MS + 120_000 }, async () => {
  // V = T = d = h = 2, 100 sequences in minibatches of 1 (100 steps per epoch), a snapshot and
  // a test evaluation every epoch, 10,000,000 steps in all.
  const hash = '#preset=quick&V=2&T=2&k=1&d=2&h=2&n=100&B=1&phases=2:50000,2:50000&eval=1&snap=1&scratch=0&speed=0&probe=test:0';
  const { page, problems } = await served.open(hash);
  await page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary), null, { timeout: 30_000 });
  const memory = () => page.evaluate(async () => (await window.pathscope.app.state.arms[0].request('memory')).bytes);
  const start = await memory();
  const t0 = Date.now();
  await page.click('#play');
  await page
    .waitForFunction(() => window.pathscope.app.state.arms[0].summary.status.state !== 'running', null, { timeout: SOAK_MS })
    .catch(() => page.click('#play')); // out of time: pause where it is
  await page.waitForFunction(() => !window.pathscope.app.state.arms[0].playing);
  const seconds = (Date.now() - t0) / 1000;
  const end = await memory();
  const s = await page.evaluate(() => window.pathscope.app.state.arms[0].summary);
  console.log(
    `soak (browser): ${s.step} steps (${s.epoch} epochs) in ${seconds.toFixed(0)} s; worker wasm memory ${start} bytes at the ` +
      `start, ${end} at the end (${((100 * (end - start)) / start).toFixed(1)}%); ${s.snapshots} snapshots, ` +
      `${s.attention_rows} attention rows (stride ${s.attention_stride})`,
  );
  assert.notEqual(s.status.state, 'diverged');
  assert.ok(s.step >= 1_000_000, `it trained a million steps (${s.step})`);
  assert.ok(end <= 1.1 * start, `the worker's memory grew from ${start} to ${end} bytes`);
  problems.assertClean();
  await page.close();
});
