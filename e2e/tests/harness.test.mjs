// The harness itself: a page that misbehaves (e2e/fixtures/bad/) must be caught by watch(), so a
// clean result on the real page means something. Outside loads are stopped twice: by the server's
// Content-Security-Policy (reported as a console error) and, without it, by the browser's routing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, REPO_ROOT, startServer } from '../helpers.mjs';

const FIXTURE = join(REPO_ROOT, 'e2e', 'fixtures', 'bad');
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function loadBadPage({ csp }) {
  const server = await startServer({ dir: FIXTURE, csp });
  try {
    const { page, problems } = await browser.open(server.url);
    await page.waitForFunction(() => window.badPageDone === true);
    await page.waitForTimeout(300); // let the worker's message and the uncaught error arrive
    await page.close();
    return problems;
  } finally {
    await server.stop();
  }
}

const joined = (list) => list.join('\n');

test('watch() catches console errors (page and worker), uncaught errors and 404s', async () => {
  const problems = await loadBadPage({ csp: true });
  assert.match(joined(problems.consoleErrors), /deliberate console error from the page/);
  assert.match(joined(problems.consoleErrors), /deliberate console error from a worker/);
  assert.match(joined(problems.pageErrors), /deliberate uncaught error/);
  assert.match(joined(problems.httpErrors), /404 .*missing\.json/);
  assert.throws(() => problems.assertClean(), /problems on/);
});

test("the server's Content-Security-Policy blocks and reports a load from another origin", async () => {
  const problems = await loadBadPage({ csp: true });
  assert.match(joined(problems.consoleErrors), /example\.invalid.*Content Security Policy|Content Security Policy.*example\.invalid/s);
});

test('without a CSP, a request to another origin is recorded and aborted', async () => {
  const problems = await loadBadPage({ csp: false });
  assert.match(joined(problems.outsideRequests), /example\.invalid/);
});
