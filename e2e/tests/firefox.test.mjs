// The page in Firefox (Debian's firefox-esr over WebDriver, ../firefox.mjs), where the other
// suites (Chromium, playwright) do not go: the page boots, trains in its workers and draws its
// charts; a figure embedded at 320 px in a blog's page (another origin) shows its panels only,
// drawn, without sideways scrolling;
// a tour stop opens from its deep link and its run moves. No page error is shown and none is
// thrown after load (WebDriver cannot read Firefox's console: errors are caught in the page).
// Screenshots go to out/e2e/firefox-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchFirefox } from '../firefox.mjs';
import { OUT_DIR, startServer } from '../helpers.mjs';
import { startBlogServer } from '../hosts.mjs';

let server;
let blog;
before(async () => {
  server = await startServer();
  blog = await startBlogServer();
  mkdirSync(OUT_DIR, { recursive: true });
});
after(async () => {
  await blog?.stop();
  await server?.stop();
});

/**
 * Opens `hash` in a new Firefox at `width` x `height` (with `frame`, in an iframe of that width on
 * a blog's page, and the commands go to the frame), catching the page's errors from load on.
 */
async function open(hash, { width = 1280, height = 900, frame = null } = {}) {
  const firefox = await launchFirefox({ width, height });
  try {
    if (frame) {
      blog.routes['/post.html'] = {
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>a post</title><link rel="icon" href="data:,"></head><body style="margin:0"><iframe src="${server.url}${hash}" width="${frame.width}" height="${frame.height}" style="border:0"></iframe></body></html>`,
      };
      await firefox.goto(`${blog.origin}/post.html`);
      await firefox.frame('iframe');
    } else {
      await firefox.goto(server.url + hash);
    }
    await firefox.evaluate(`
      window.__errors = [];
      addEventListener('error', (e) => window.__errors.push(String(e.message)));
      addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason?.message ?? e.reason)));
      return true;`);
    await firefox.waitFor('return Boolean(window.pathscope?.app.state.arms.length && window.pathscope.app.state.arms.every((a) => a.summary));', {
      what: 'the page and its runs to start',
    });
    return firefox;
  } catch (e) {
    await firefox.close();
    throw e;
  }
}

/** Steps trained by the runs on screen, as an expression. */
const STEPS = 'window.pathscope.app.state.arms.reduce((n, a) => n + a.summary.step, 0)';
/** Waits until the runs on screen have trained more than `n` steps. */
const trainedPast = (firefox, n, what) => firefox.waitFor(`return ${STEPS} > ${n};`, { what });

/** Share of each canvas's pixels that are not the page's white (a drawn chart has many). */
function inked(firefox, ids) {
  return firefox.evaluate(
    `return arguments[0].map((id) => {
      const c = document.getElementById(id);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
      return [id, n / (c.width * c.height)];
    });`,
    ids,
  );
}

/** No error notice, no failure message, nothing thrown since load. */
async function assertNoErrors(firefox) {
  const seen = await firefox.evaluate(`return {
    errors: window.__errors,
    notices: [...document.querySelectorAll('#notices .error')].map((e) => e.textContent),
    failures: document.getElementById('failures')?.textContent ?? '',
  };`);
  assert.deepEqual(seen, { errors: [], notices: [], failures: '' });
}

test('Firefox: the page trains and draws its charts', async () => {
  const firefox = await open('#preset=quick');
  try {
    console.log(`Firefox ${firefox.version}`);
    const before = await firefox.evaluate(`return ${STEPS};`);
    await firefox.evaluate("document.getElementById('play').click(); return true;");
    await trainedPast(firefox, before + 200, '200 steps of training');
    // Let the charts catch up with the run.
    await new Promise((r) => setTimeout(r, 1500));
    for (const [id, share] of await inked(firefox, ['canvas-graph', 'canvas-heatmap', 'canvas-curves'])) {
      assert.ok(share > 0.02, `${id}: ${(100 * share).toFixed(1)}% of its pixels drawn`);
    }
    await assertNoErrors(firefox);
    console.log(`screenshot: ${await firefox.screenshot(join(OUT_DIR, 'firefox-page.png'))}`);
  } finally {
    await firefox.close();
  }
});

test('Firefox: an embedded figure at 320 px shows its panels only, drawn, with no sideways scrolling', async () => {
  const firefox = await open('#preset=quick&embed=graph,curves', { frame: { width: 320, height: 640 } });
  try {
    const layout = await firefox.evaluate(`return {
      width: innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      shown: [...document.querySelectorAll('section.panel')].filter((el) => el.getClientRects().length > 0).map((el) => el.id),
    };`);
    assert.equal(layout.width, 320, 'the frame is 320 px wide');
    assert.deepEqual(layout.shown, ['panel-graph', 'panel-curves']);
    assert.ok(layout.scrollWidth <= layout.width, `the page scrolls sideways: ${layout.scrollWidth} px in ${layout.width}`);
    await firefox.evaluate("document.getElementById('play').click(); return true;");
    await trainedPast(firefox, 100, '100 steps of training');
    await new Promise((r) => setTimeout(r, 1500));
    for (const [id, share] of await inked(firefox, ['canvas-graph', 'canvas-curves'])) {
      assert.ok(share > 0.02, `${id}: ${(100 * share).toFixed(1)}% of its pixels drawn`);
    }
    await assertNoErrors(firefox);
    // The screenshot is of the blog's page, taken from its top document.
    await firefox.frame(null);
    console.log(`screenshot: ${await firefox.screenshot(join(OUT_DIR, 'firefox-embed-320.png'))}`);
  } finally {
    await firefox.close();
  }
});

test('Firefox: a tour stop opens from its deep link and its run moves', async () => {
  const firefox = await open('#tour=3', { width: 1280, height: 720 });
  try {
    const card = await firefox.evaluate(`return {
      stop: window.pathscope.tour.stop,
      count: document.querySelector('.tour-count').textContent,
      shown: !document.getElementById('tour').hidden,
    };`);
    assert.deepEqual(card, { stop: 3, count: 'Stop 3 of 9', shown: true });
    const before = await firefox.evaluate(`return ${STEPS};`);
    await trainedPast(firefox, before + 10, "the stop's run to train");
    await new Promise((r) => setTimeout(r, 1000));
    const [[, share]] = await inked(firefox, ['canvas-graph']);
    assert.ok(share > 0.02, `the stop's chart: ${(100 * share).toFixed(1)}% of its pixels drawn`);
    await assertNoErrors(firefox);
    console.log(`screenshot: ${await firefox.screenshot(join(OUT_DIR, 'firefox-tour-3.png'))}`);
  } finally {
    await firefox.close();
  }
});
