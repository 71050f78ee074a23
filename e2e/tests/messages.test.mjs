// What the page says about settings: one consistent notice that blames the setting the link gave,
// no notice left from an old address, a bad form value marked and explained on its own field, and
// a word on how long an epoch will take before a large run starts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { screenshot, servedPage } from '../helpers.mjs';

const served = servedPage();

async function openPage(hash) {
  const opened = await served.open(hash);
  await opened.page.setViewportSize({ width: 1280, height: 900 });
  await opened.page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary), null, { timeout: 30_000 });
  return opened;
}

const notices = (page) => page.$$eval('#notices p', (ps) => ps.map((p) => p.firstChild.textContent));
const setup = (page) => page.evaluate(() => ({ ...window.pathscope.app.state.setup }));

test('T = 1 blames T, not k (the link gave T)', async () => {
  const { page, problems } = await openPage('#preset=quick&T=1');
  const shown = await notices(page);
  assert.equal(shown.length, 1, shown.join('\n'));
  assert.match(shown[0], /^T = 1 does not fit k = 5: the relevant tokens k must be at most the sequence length T; the default T = 8 is used\.$/);
  const s = await setup(page);
  assert.deepEqual([s.T, s.k], [8, 5]);
  problems.assertClean();
  await page.close();
});

test('T = 3 with k = 5 gives one notice, consistent with what is used', async () => {
  const { page, problems } = await openPage('#preset=quick&T=3&k=5');
  const shown = await notices(page);
  assert.equal(shown.length, 1, shown.join('\n'));
  assert.match(shown[0], /^T = 3 does not fit k = 5: .*; the default T = 8 is used\.$/);
  const s = await setup(page);
  assert.deepEqual([s.T, s.k], [8, 5]);
  // The same for B and n, and for V and the phases' p.
  for (const [hash, re] of [
    ['#preset=quick&n=10', /^n = 10 does not fit B = 32: the batch size B must be at most the training sequences n; the default n = 2048 is used\.$/],
    ['#preset=quick&V=3', /^V = 3 does not fit phases = 2:100,4:300: each phase's modulus p must be at most the vocabulary size V; the default V = 4 is used\.$/],
  ]) {
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
    await page.waitForFunction(() => document.querySelectorAll('#notices p').length > 0);
    const again = await notices(page);
    assert.equal(again.length, 1, again.join('\n'));
    assert.match(again[0], re);
  }
  problems.assertClean();
  await page.close();
});

test('notices of an old address go when the address changes', async () => {
  const { page, problems } = await openPage('#preset=quick&lr=abc');
  assert.match((await notices(page)).join('\n'), /lr = "abc" is not accepted/);
  await page.evaluate(() => {
    location.hash = 'preset=quick&seed=5';
  });
  await page.waitForFunction(() => window.pathscope.app.state.setup.seed === 5);
  assert.deepEqual(await notices(page), [], 'the old notice went with its address');
  problems.assertClean();
  await page.close();
});

test('a bad form value is marked on its field and explained under it', async () => {
  const { page, problems } = await openPage('#preset=quick');
  const check = async (id, value, re, maxGap = 40) => {
    await page.fill(`#${id}`, value);
    const info = await page.$eval(`#${id}`, (el) => {
      const err = document.getElementById(`${el.id}-error`);
      const style = getComputedStyle(el);
      const a = el.getBoundingClientRect();
      const b = err?.getBoundingClientRect();
      return {
        invalid: el.getAttribute('aria-invalid'),
        describedby: el.getAttribute('aria-describedby') ?? '',
        outline: style.outlineStyle,
        text: err?.textContent ?? null,
        gap: b ? b.top - a.bottom : null,
      };
    });
    assert.equal(info.invalid, 'true', `${id} is marked`);
    assert.notEqual(info.outline, 'none', `${id} is marked visibly`);
    assert.ok(info.describedby.includes(`${id}-error`), 'the sentence describes the field');
    assert.match(info.text ?? '', re);
    assert.ok(info.gap !== null && info.gap >= -2 && info.gap < maxGap, `${id}: the sentence is right under the field (gap ${info.gap})`);
  };
  await check('lr', 'abc', /^lr = "abc" is not accepted: a number such as 0.001 or 1e-3$/);
  await page.fill('#lr', '0.001');
  assert.equal(await page.$$eval('.field-error', (e) => e.length), 0, 'fixed: the mark goes');
  await check('d', '5000', /^width d = 5000 is not accepted: a whole number from 1 to 1024$/);
  await screenshot(page, 'messages-form');
  await page.fill('#d', '32');
  // A phase's sentence ends its row (the row may wrap to a second line).
  await check('phase-1-epochs', 'x', /^each phase needs a whole number p and epochs/, 90);
  problems.assertClean();
  await page.close();
});

test('a large n says, before it starts, how long an epoch will take here (an estimate)', async () => {
  const { page, problems } = await openPage('#preset=quick&n=1048576');
  const shown = (await notices(page)).join('\n');
  assert.match(shown, /^n = 1,048,576: one epoch is 32,768 optimizer steps, about [\d.]+e\+10 floating-point operations\. Estimated time on this machine: about [\d.]+ (s|min|hours) per epoch/m);
  assert.match(shown, /an estimate/);
  assert.equal((await setup(page)).n, 1048576);
  assert.equal(await page.evaluate(() => window.pathscope.app.state.arms[0].summary.step), 0, 'said before training');
  console.log(`epoch estimate: ${shown}`);
  // A small run gets no such word.
  await page.evaluate(() => {
    location.hash = 'preset=quick';
  });
  await page.waitForFunction(() => window.pathscope.app.state.setup.n === 2048);
  assert.deepEqual(await notices(page), []);
  problems.assertClean();
  await page.close();
});
