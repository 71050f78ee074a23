// The hosted site: dist/ (make dist) on a plain static server that sets no header of its own, at a
// sub-path, as GitHub Pages serves it; and the example post (www/examples/post.html) on another
// site, embedding two views of pathscope from the first one.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot } from '../helpers.mjs';
import { DIST, requireDist, startBlogServer, startPlainServer } from '../hosts.mjs';

const SUB_PATH = 'some/sub/path';
let host;
let blog;
let browser;
before(async () => {
  requireDist();
  host = await startPlainServer(DIST, SUB_PATH);
  blog = await startBlogServer();
  browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
  // Every Content-Security-Policy violation, in every frame, from the first script on.
  await browser.context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});
after(async () => {
  await browser?.close();
  await blog?.stop();
  await host?.stop();
});

/** Resolves when every run of the page in `frame` has reported its step 0. */
function runsReady(frame) {
  return frame.waitForFunction(() => {
    const arms = window.pathscope?.app.state.arms;
    return arms?.length && arms.every((a) => a.summary && a.attention.count > 0);
  }, null, { timeout: 60_000 });
}

/** Pixels of a canvas that are not plain white (after two animation frames). */
async function inkOf(frame, id) {
  await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return frame.$eval(`#${id}`, (canvas) => {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n;
  });
}

const epochOf = (frame, arm) => frame.$eval(`#status-epoch-${arm}`, (el) => Number.parseInt(el.textContent, 10));

test('dist/ at a sub-path of a static server with no headers: loads, both workers train, every panel draws', async () => {
  const { page, problems, response } = await browser.open(host.url);
  // The server is a plain one: nothing but the usual headers, no CSP, no cross-origin isolation.
  const headers = Object.keys(response.headers()).sort();
  assert.deepEqual(headers.filter((h) => !['content-length', 'content-type', 'date', 'last-modified', 'server'].includes(h)), []);
  await runsReady(page);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false, 'works without cross-origin isolation');
  assert.equal(await page.evaluate(() => window.pathscope.app.state.arms.length), 2, 'quick: the curriculum and its scratch twin');

  await page.click('#play');
  await page.waitForFunction(() => {
    const epochs = [0, 1].map((i) => Number.parseInt(document.getElementById(`status-epoch-${i}`).textContent, 10));
    return epochs.every((e) => e >= 30);
  }, null, { timeout: 120_000 });
  await page.click('#play'); // pause: the page computes z_A, the barrier and the trajectories
  await page.waitForFunction(() => {
    const s = window.pathscope.app.state;
    return s.za.result && s.barrier.result && s.trajectory.result && !s.barrier.pending && !s.trajectory.pending;
  }, null, { timeout: 120_000 });
  for (const id of ['canvas-graph', 'canvas-heatmap', 'canvas-curves', 'canvas-za', 'canvas-barrier', 'canvas-trajectory']) {
    assert.ok((await inkOf(page, id)) > 500, `${id} has something drawn on it`);
  }
  // Every request stayed under the sub-path of this origin (the results files, the wasm, the workers).
  const requests = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  for (const url of requests) assert.ok(url.startsWith(host.url) || url.startsWith('data:'), `${url} is under ${host.url}`);
  assert.ok(requests.some((u) => u.endsWith('/pkg/pathscope_bg.wasm')), 'the wasm came from dist/pkg/');
  console.log(`screenshot: ${await screenshot(page, 'dist-subpath')}`);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'nothing on the page breaks its own CSP');
  problems.assertClean();

  // The <meta> policy is in force with no header: an inline script is refused.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.head.append(s);
    return window.__inline;
  });
  assert.equal(ran, undefined, 'the inline script did not run');
  assert.match((await page.evaluate(() => window.__cspViolations)).join('\n'), /^script-src(-elem)? inline$/m);
  await page.close();
});

test('dist/ leaves out what the site does not load, and every address in it is relative', async () => {
  const index = await readFile(join(DIST, 'index.html'), 'utf8');
  assert.doesNotMatch(index, /(src|href)="\/(?!\/)/, 'no absolute path in index.html');
  for (const gone of ['bench.html', 'PROTOCOL.md', 'pkg/package.json', 'pkg/pathscope.d.ts']) {
    await assert.rejects(readFile(join(DIST, gone)), { code: 'ENOENT' }, `${gone} is not in dist/`);
  }
});

test('the example post on another site embeds two views: both train and draw, and each iframe takes its height', async () => {
  // The post as a blog on http://localhost:<port> serves it: pathscope's addresses ("../" in the
  // file, pathscope beside the post) become the other origin's, and the blog's own CSP allows
  // scripts and frames from there.
  const post = await readFile(join(DIST, 'examples', 'post.html'), 'utf8');
  blog.routes['/post/'] = {
    body: post.replaceAll('"../', `"${host.url}`),
    headers: {
      'content-security-policy': `default-src 'self'; script-src ${host.origin}; frame-src ${host.origin}; style-src 'self'; img-src 'self' data:`,
    },
  };
  blog.routes['/post/post.css'] = { body: await readFile(join(DIST, 'examples', 'post.css')), type: 'text/css' };
  const { page, problems } = await browser.open(`${blog.origin}/post/`, { allowedOrigins: [host.origin] });
  await page.setViewportSize({ width: 900, height: 3000 }); // both lazy iframes in view
  const frameAt = async (i) => {
    const handle = (await page.$$('iframe.pathscope'))[i];
    return { handle, frame: await handle.contentFrame() };
  };
  const views = [await frameAt(0), await frameAt(1)];
  for (const { frame } of views) {
    assert.ok(frame.url().startsWith(host.url), `the iframe shows ${host.url}, another origin than the post`);
    await runsReady(frame);
  }
  for (const { frame } of views) await frame.click('#play');
  for (const { frame } of views) await frame.waitForFunction(() => Number.parseInt(document.getElementById('status-epoch-0').textContent, 10) >= 20, null, { timeout: 120_000 });
  assert.ok((await epochOf(views[0].frame, 1)) > 0, 'the scratch twin of the first view trains too');

  // What each view shows, and that it is drawn.
  const shown = (frame) => frame.$$eval('#panels > section.panel', (ss) => ss.filter((s) => s.getClientRects().length).map((s) => s.id));
  assert.deepEqual(await shown(views[0].frame), ['panel-graph', 'panel-curves']);
  assert.deepEqual(await shown(views[1].frame), ['panel-za']);
  for (const [view, ids] of [[views[0], ['canvas-graph', 'canvas-curves']], [views[1], ['canvas-za']]]) {
    for (const id of ids) assert.ok((await inkOf(view.frame, id)) > 500, `${id} is drawn in its iframe`);
  }
  for (const { frame } of views) await frame.click('#play');

  // The height each page posted reached embed-resize.js, which set its iframe to it: the frame
  // shows the whole document, with nothing to scroll either way.
  for (const { handle, frame } of views) {
    const sizes = async () => ({
      iframe: await handle.evaluate((el) => el.style.height),
      document: `${await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height))}px`,
    });
    let last = await sizes();
    for (let i = 0; i < 100 && last.iframe !== last.document; i++) {
      await page.waitForTimeout(100);
      last = await sizes();
    }
    assert.equal(last.iframe, last.document, 'the iframe has the height of its document');
    const scroll = await frame.evaluate(() => {
      const el = document.documentElement;
      return { x: el.scrollWidth - el.clientWidth, y: el.scrollHeight - el.clientHeight };
    });
    assert.deepEqual(scroll, { x: 0, y: 0 }, 'no scroll inside the iframe');
  }
  console.log(`screenshot: ${await screenshot(page, 'example-post')}`);
  problems.assertClean();
  assert.equal(await page.evaluate(() => window.__cspViolations.length), 0, 'no CSP violation in the post');
  for (const { frame } of views) assert.deepEqual(await frame.evaluate(() => window.__cspViolations), [], 'none in either frame');
  await page.close();
});
