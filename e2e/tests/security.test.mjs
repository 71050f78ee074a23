// Hostile addresses: XSS payloads, `javascript:` URLs, very long values, unicode and prototype
// names in every key the page reads (the list is url-state.js's SETTINGS itself, not a copy), both
// as a fresh page load and as an edited address (hashchange). Nothing may run (a sentinel global
// stays unset, no dialog opens), no request may leave the origin, no element may gain an event
// handler attribute, and the page must say what it refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SETTINGS } from '../../www/url-state.js';
import { servedPage } from '../helpers.mjs';

const KEYS = SETTINGS.map((s) => s.key);

/** Each sets window.__pwned (or opens a dialog, or loads from elsewhere) if it ever runs. */
const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '"><script>window.__pwned=1</script>',
  "'><svg onload=window.__pwned=1>",
  '</title><iframe src="javascript:parent.__pwned=1"></iframe>',
  'javascript:window.__pwned=1',
  'javascript:alert(1)',
  '<a href="javascript:alert(1)">x</a>',
  '${window.__pwned=1}',
  '{{constructor.constructor("window.__pwned=1")()}}',
  'http://evil.example/x.js',
  '//evil.example/steal?c=',
  '<link rel=stylesheet href=http://evil.example/x.css>',
  '__proto__',
  'constructor',
  'toString',
  '\u202e\u200b\ufeff𝒳ℵ٣ﷺ\u0301',
  '%00%0a%0d',
  'A'.repeat(50_000),
];

const served = servedPage();

/** Watches a page for anything a payload could make happen. */
async function guard(page) {
  const dialogs = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  return {
    dialogs,
    async assertNothingRan(what) {
      const found = await page.evaluate(() => {
        const handlers = [];
        for (const el of document.querySelectorAll('*')) {
          for (const a of el.attributes) if (/^on/i.test(a.name)) handlers.push(`${el.tagName}[${a.name}]`);
        }
        const foreign = [...document.querySelectorAll('script, iframe, img, svg, object, embed, link[href^="http"], a[href^="javascript"]')]
          // The page's own scripts (index.html's), nothing else.
          .filter((el) => !(el.tagName === 'SCRIPT' && ['main.js', 'preflight.js'].includes(el.getAttribute('src'))))
          .map((el) => el.tagName);
        return { pwned: window.__pwned ?? null, polluted: {}.polluted ?? null, handlers, foreign };
      });
      assert.deepEqual(found, { pwned: null, polluted: null, handlers: [], foreign: [] }, what);
      assert.deepEqual(dialogs, [], `${what}: a dialog opened`);
    },
  };
}

/** Sets the address hash and waits until the page has handled the hashchange. */
function setHash(page, hash) {
  return page.evaluate(
    (h) =>
      new Promise((resolve) => {
        // Listeners run in order: the page's (registered at start) has run when this one does.
        window.addEventListener('hashchange', () => setTimeout(resolve, 0), { once: true });
        const before = location.hash;
        location.hash = h;
        // The same address once encoded (a raw unicode value and its %-encoding): no event.
        if (location.hash === before) resolve();
      }),
    hash,
  );
}

const notices = (page) => page.$$eval('#notices p', (ps) => ps.map((p) => p.textContent));

test('every address key refuses every payload on a fresh load: nothing runs, nothing leaves, a notice says so', { timeout: 600_000 }, async () => {
  let loads = 0;
  for (const payload of PAYLOADS) {
    const hash = '#' + KEYS.map((k) => `${k}=${encodeURIComponent(payload)}`).join('&');
    const { page, problems } = await served.open(hash);
    const g = await guard(page);
    await page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary), null, { timeout: 30_000 });
    await g.assertNothingRan(`payload ${JSON.stringify(payload.slice(0, 40))}`);
    const shown = (await notices(page)).join('\n');
    for (const key of KEYS) assert.ok(shown.includes(`${key} = `), `no notice names ${key} for ${JSON.stringify(payload.slice(0, 40))}:\n${shown.slice(0, 400)}`);
    problems.assertClean();
    await page.close();
    loads++;
  }
  console.log(`security: ${PAYLOADS.length} payloads x ${KEYS.length} keys (${KEYS.join(', ')}) in ${loads} fresh loads`);
});

test('every key and payload as an edited address (hashchange), raw and encoded, and as keys', { timeout: 600_000 }, async () => {
  const { page, problems } = await served.open('#preset=quick');
  const g = await guard(page);
  await page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary), null, { timeout: 30_000 });
  let tried = 0;
  // `embed` is left out here: going into or out of embed mode reloads the page (another layout),
  // so each of its payloads is a fresh load, which the test above makes.
  for (const key of KEYS.filter((k) => k !== 'embed')) {
    for (const payload of PAYLOADS) {
      for (const value of new Set([encodeURIComponent(payload), payload])) {
        await setHash(page, key === 'preset' ? `preset=${value}` : `preset=quick&${key}=${value}`);
        const shown = (await notices(page)).join('\n');
        assert.ok(shown.includes(`${key} = `) || shown.includes('not valid URL encoding'), `${key} = ${JSON.stringify(value.slice(0, 40))}: ${shown.slice(0, 300)}`);
        tried++;
      }
    }
    await g.assertNothingRan(`key ${key}`);
  }
  // Payloads as keys: named as unknown settings.
  for (const payload of PAYLOADS) {
    await setHash(page, `${encodeURIComponent(payload)}=1&preset=fig2`);
    assert.match((await notices(page)).join('\n'), /unknown setting/);
    tried++;
  }
  await g.assertNothingRan('payloads as keys');
  assert.equal(await page.evaluate(() => window.pathscope.app.state.setup.preset), 'fig2', 'the page still works');
  problems.assertClean();
  console.log(`security: ${tried} edited addresses (every key x payload, encoded and raw, and payloads as keys), nothing ran`);
  await page.close();
});
