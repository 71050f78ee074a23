// Embed mode (`embed=<panel ids>`, www/embed.js): the chosen panels only, at 320 px and up; the
// notice for an unknown id; the message where a sandbox keeps the page from running; messages
// from the embedding page that are not the one documented request, ignored; the full page's
// "Copy embed code"; and the server's CSP header, the same as the page's <meta>.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OUT_DIR, screenshot, servedPage } from '../helpers.mjs';
import { startBlogServer } from '../hosts.mjs';

const served = servedPage();
let blog;
before(async () => {
  blog = await startBlogServer();
});
after(async () => {
  await blog?.stop();
});

/** Resolves when every run of the page in `frame` has reported its step 0. */
function runsReady(frame) {
  return frame.waitForFunction(() => {
    const arms = window.pathscope?.app.state.arms;
    return arms?.length && arms.every((a) => a.summary && a.attention.count > 0);
  }, null, { timeout: 60_000 });
}

/** The panels on show: the ids embed.js reads (data-panel, else the element id without panel-). */
function shownPanels(frame) {
  return frame.$$eval('#panels > section.panel', (sections) =>
    sections.filter((s) => s.getClientRects().length).map((s) => s.dataset.panel ?? s.id.replace(/^panel-/, '')));
}
function allPanels(frame) {
  return frame.$$eval('#panels > section.panel', (sections) => sections.map((s) => s.dataset.panel ?? s.id.replace(/^panel-/, '')));
}
const visible = (frame, selector) => frame.$eval(selector, (el) => el.getClientRects().length > 0);

async function inkOf(frame, id) {
  await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return frame.$eval(`#${id}`, (canvas) => {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250) n++;
    return n;
  });
}

/** A page on the blog's origin with these iframes (attributes as written), and no script. */
function hostPage(path, iframes) {
  const frames = iframes.map((a) => `<iframe ${a} width="360" height="700"></iframe>`).join('\n');
  blog.routes[path] = { body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head><body>${frames}</body></html>` };
  return `${blog.origin}${path}`;
}

test('embed mode at 320 px: only the chosen panels and the compact bar, nothing wider than the frame', async () => {
  const { page, problems } = await served.open(`#preset=quick&embed=graph,curves`);
  await page.setViewportSize({ width: 320, height: 900 });
  await runsReady(page);
  assert.deepEqual(await shownPanels(page), ['graph', 'curves']);
  for (const hidden of ['.intro', '.settings', '.foot', '#epoch', '#speed', '#panel-graph .panel-controls']) {
    assert.equal(await visible(page, hidden), false, `${hidden} is hidden`);
  }
  for (const shown of ['#play', '#step', '#reset', '#status', '#embed-open', '#canvas-graph', '#canvas-curves']) {
    assert.equal(await visible(page, shown), true, `${shown} is shown`);
  }
  // The link opens the full page with the same setup, in a new tab, without a handle on this one.
  const link = await page.$eval('#embed-open', (a) => ({ href: a.href, target: a.target, rel: a.rel }));
  assert.deepEqual(link, { href: `${served.server.url}#preset=quick&seed=2`, target: '_blank', rel: 'noopener' });
  assert.match(await page.evaluate(() => location.hash), /embed=graph,curves/, 'the address keeps embed');

  await page.click('#play');
  await page.waitForFunction(() => Number.parseInt(document.getElementById('status-epoch-0').textContent, 10) >= 10, null, { timeout: 60_000 });
  await page.click('#play');
  for (const id of ['canvas-graph', 'canvas-curves']) assert.ok((await inkOf(page, id)) > 500, `${id} is drawn`);
  const fit = await page.evaluate(() => {
    const el = document.documentElement;
    const widest = Math.max(...[...document.querySelectorAll('body *')].filter((e) => e.getClientRects().length).map((e) => e.getBoundingClientRect().right));
    return { scrollX: el.scrollWidth - el.clientWidth, widest: Math.ceil(widest), width: el.clientWidth };
  });
  assert.equal(fit.scrollX, 0, 'no horizontal scroll at 320 px');
  assert.ok(fit.widest <= fit.width, `nothing reaches past the frame (${fit.widest} > ${fit.width})`);
  // Given the height it would post, the page has nothing to scroll either.
  const height = await page.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  await page.setViewportSize({ width: 320, height });
  assert.equal(await page.evaluate(() => document.documentElement.scrollHeight - document.documentElement.clientHeight), 0);
  console.log(`screenshot: ${await screenshot(page, 'embed-320')}`);
  await page.setViewportSize({ width: 800, height: 900 });
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'no horizontal scroll at 800 px');
  console.log(`screenshot: ${await screenshot(page, 'embed-800')}`);
  problems.assertClean();
  await page.close();
});

test('an unknown panel id gets a notice naming the page\'s panels; none known shows every panel', async () => {
  const { page, problems } = await served.open(`#preset=quick&embed=graph,nope`);
  await runsReady(page);
  const known = await allPanels(page);
  assert.ok(known.length >= 6 && known.includes('paths'), `the page's panels: ${known}`);
  const notices = await page.$eval('#notices', (el) => el.textContent);
  assert.match(notices, /embed = [^:]*: no panel "nope" on this page; the panels are /);
  assert.ok(notices.includes(known.join(', ')), `the notice lists ${known.join(', ')}: ${notices}`);
  assert.deepEqual(await shownPanels(page), ['graph']);
  problems.assertClean();
  await page.close();

  const other = await served.open(`#preset=quick&embed=1`);
  await runsReady(other.page);
  assert.match(await other.page.$eval('#notices', (el) => el.textContent), /no panel "1".*Showing every panel/);
  assert.deepEqual(await shownPanels(other.page), known);
  assert.equal(await visible(other.page, '.settings'), false, 'still embed mode');
  other.problems.assertClean();
  await other.page.close();

  // Not a list of ids at all: refused like any bad value, and the full page is shown.
  const bad = await served.open(`#preset=quick&embed=%3Cimg%20src%3Dx%3E`);
  await runsReady(bad.page);
  assert.match(await bad.page.$eval('#notices', (el) => el.textContent), /^embed = "<img src=x>" is not accepted: panel ids/);
  assert.equal(await bad.page.evaluate(() => document.documentElement.dataset.embed), undefined);
  assert.equal(await visible(bad.page, '.settings'), true);
  assert.equal(await bad.page.$('#notices img'), null, 'the value is text, not HTML');
  bad.problems.assertClean();
  await bad.page.close();
});

test('framed by another site: a sandbox without allow-same-origin or without scripts shows what it needs', async () => {
  const src = `${served.server.url}#preset=quick&embed=graph`;
  const url = hostPage('/sandbox.html', [
    `sandbox="allow-scripts" src="${src}" id="scripts-only"`,
    `sandbox="" src="${src}" id="no-scripts"`,
    `sandbox="allow-scripts allow-same-origin" src="${src}" id="documented"`,
  ]);
  const { page, problems } = await served.browser.open(url, { allowedOrigins: [served.server.origin] });
  const frame = async (id) => (await page.$(`#${id}`)).contentFrame();
  const message = async (id) => {
    const f = await frame(id);
    await f.waitForSelector('#frame-message', { state: 'visible', timeout: 10_000 });
    return {
      text: await f.$eval('#frame-message', (el) => el.textContent.replace(/\s+/g, ' ')),
      others: await f.$$eval('body > :not(#frame-message)', (els) => els.filter((e) => e.getClientRects().length).map((e) => e.tagName)),
    };
  };
  const scriptsOnly = await message('scripts-only');
  assert.match(scriptsOnly.text, /sandboxed without allow-same-origin/);
  assert.match(scriptsOnly.text, /sandbox="allow-scripts allow-same-origin"/);
  assert.deepEqual(scriptsOnly.others, [], 'nothing but the message');
  const noScripts = await message('no-scripts');
  assert.match(noScripts.text, /scripts do not run here.*sandbox="allow-scripts allow-same-origin"/);
  assert.deepEqual(noScripts.others, [], 'nothing but the message');
  // With the documented flags it runs.
  const documented = await frame('documented');
  await runsReady(documented);
  assert.equal(await visible(documented, '#frame-message'), false);
  assert.ok((await inkOf(documented, 'canvas-graph')) > 500, 'the documented sandbox draws');
  console.log(`screenshot: ${await screenshot(page, 'embed-sandbox')}`);
  // The one frame without its origin cannot load the page's module (a CORS error in the console,
  // which is what the message explains); nothing throws, and nothing leaves the two origins.
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.outsideRequests, []);
  for (const line of problems.consoleErrors) assert.match(line, /CORS|origin 'null'|net::ERR_FAILED|frame is sandboxed and the 'allow-scripts' permission is not set/, line);
  await page.close();
});

test('messages from the embedding page other than the documented request are ignored', async () => {
  const url = hostPage('/hostile.html', [`sandbox="allow-scripts allow-same-origin" src="${served.server.url}#preset=fig2&embed=graph,heatmap"`]);
  const { page, problems } = await served.browser.open(url, { allowedOrigins: [served.server.origin] });
  const frame = await (await page.$('iframe')).contentFrame();
  await page.evaluate(() => {
    window.__got = [];
    window.addEventListener('message', (e) => window.__got.push(e.data));
  });
  await runsReady(frame);
  // The first z_A is computed once after start (its panel's status line changes when it lands).
  await frame.waitForFunction(() => {
    const za = window.pathscope.app.state.za;
    return za.result && !za.pending;
  }, null, { timeout: 30_000 });
  // Quiet: the first z_A and the status have settled, nothing is training.
  const snapshot = () => frame.evaluate(() => ({
    dom: new XMLSerializer().serializeToString(document),
    hash: location.hash,
    steps: window.pathscope.app.state.arms.map((a) => a.summary.step),
    playing: window.pathscope.app.state.playing,
  }));
  let before = await snapshot();
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(300);
    const again = await snapshot();
    if (again.dom === before.dom) break;
    before = again;
  }
  const repliesBefore = await page.evaluate(() => window.__got.length);
  await page.evaluate(() => {
    const target = document.querySelector('iframe').contentWindow;
    const xss = '<img src="http://example.invalid/x.png" onerror="window.__xss=1"><script>window.__xss=1</script>';
    const payloads = [
      xss,
      { type: xss },
      { type: 'pathscope:height', height: xss },
      { type: 'pathscope:request-height', html: xss },
      { type: 'pathscope:request-height', toString: xss },
      { type: ['pathscope:request-height'] },
      ['pathscope:request-height'],
      'pathscope:request-height',
      { type: 'pathscope:play' },
      { type: 'pathscope:setup', hash: '#preset=fig5&embed=za' },
      { type: 'PATHSCOPE:REQUEST-HEIGHT' },
      null,
      42,
      { huge: 'x'.repeat(16 * 2 ** 20), type: 'pathscope:request-height' },
      { many: Array.from({ length: 200_000 }, (_, i) => ({ i, html: xss })) },
      new Map([['type', 'pathscope:request-height']]),
    ];
    for (const p of payloads) target.postMessage(p, '*');
  });
  await page.waitForTimeout(1000);
  const after = await snapshot();
  assert.equal(await frame.evaluate(() => window.__xss), undefined, 'no payload ran');
  assert.deepEqual(after, before, 'nothing on the embedded page changed');
  assert.equal(await page.evaluate(() => window.__got.length), repliesBefore, 'no reply to any of them');
  // The one documented request is answered, with the height alone.
  await page.evaluate(() => document.querySelector('iframe').contentWindow.postMessage({ type: 'pathscope:request-height' }, '*'));
  await page.waitForFunction((n) => window.__got.length > n, repliesBefore);
  const reply = await page.evaluate(() => window.__got.at(-1));
  assert.deepEqual(Object.keys(reply), ['type', 'height']);
  assert.equal(reply.type, 'pathscope:height');
  assert.equal(reply.height, await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height)));
  problems.assertClean();
  await page.close();
});

test('"Copy embed code" gives an iframe of the current setup with the ticked panels, and it opens as such', async () => {
  const { page, problems } = await served.open(`#preset=fig5&seed=4`);
  await served.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.server.origin });
  await runsReady(page);
  const boxes = await page.$$eval('#embed-panels input', (inputs) => inputs.map((i) => [i.value, i.checked]));
  assert.deepEqual(boxes.map(([id]) => id), await allPanels(page), 'one box per panel of the page');
  assert.deepEqual(boxes.filter(([, on]) => on).map(([id]) => id), ['graph', 'curves']);
  await page.uncheck('#embed-panels input[value="graph"]');
  await page.check('#embed-panels input[value="za"]');
  await page.check('#embed-panels input[value="heatmap"]');
  await page.click('#embed-copy');
  await page.waitForFunction(() => document.getElementById('embed-copied').textContent !== '');
  assert.equal(await page.$eval('#embed-copied', (el) => el.textContent), 'Copied.');
  const snippet = await page.$eval('#embed-snippet', (el) => el.value);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet, 'the clipboard holds the snippet');
  const [iframe, script] = snippet.split('\n');
  const src = iframe.match(/^<iframe src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  assert.equal(src, `${served.server.url}#preset=fig5&seed=4&embed=heatmap,curves,za`);
  assert.match(iframe, / sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"/);
  assert.match(iframe, / title="pathscope: Attention over training \(figure 3\); Accuracy and loss \(figure 5\); Attention outputs z_A \(figure 4\)"/);
  assert.equal(script, `<script src="${served.server.url}embed-resize.js" async></script>`);
  // Tall enough that the side column shows the box without scrolling under the sticky bar.
  await page.setViewportSize({ width: 1280, height: 2200 });
  const side = await page.$('#embed-code');
  await mkdir(OUT_DIR, { recursive: true });
  await side.screenshot({ path: join(OUT_DIR, 'embed-code.png') });
  console.log(`screenshot: ${join(OUT_DIR, 'embed-code.png')}`);
  problems.assertClean();
  await page.close();

  const opened = await served.browser.open(src);
  await runsReady(opened.page);
  assert.deepEqual(await shownPanels(opened.page), ['heatmap', 'curves', 'za']);
  opened.problems.assertClean();
  await opened.page.close();
});

test("the server's Content-Security-Policy header is the page's <meta> policy", async () => {
  const { page, problems, response } = await served.open();
  const meta = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.equal(response.headers()['content-security-policy'], meta);
  assert.doesNotMatch(meta, /unsafe-inline|'unsafe-eval'/);
  problems.assertClean();
  await page.close();
});
