// Timings of the main page (www/index.html) for the benchmark driver e2e/bench.mjs: time to
// interactive, and the figure-5 preset (both arms, two workers) run to completion.
//
// "Interactive" means: the page's module has loaded the wasm and wired the controls (main.js then
// exposes the page's App, www/app.js, as `window.pathscope.app`, or earlier `window.pathscope`),
// and every arm's worker has loaded its own wasm instance and reported its first update (the arm
// has a `summary`), so Play trains at once. If the page marks readiness itself with
// <html data-ready="true">, that counts too.

/** Runs in the page: true once the page is interactive (see above). */
export const READY = () => {
  if (document.documentElement.dataset.ready === 'true') return true;
  const app = window.pathscope?.app ?? window.pathscope;
  const arms = app?.state?.arms;
  return Array.isArray(arms) && arms.length > 0 && arms.every((a) => a.summary);
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Milliseconds from the start of navigation to READY in a fresh context (nothing cached; the
 * server also sends no-store), `runs` times. Returns { median_ms, first_ms, runs }.
 */
export async function timeToInteractive(browser, url, runs = 5) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // Record performance.now() (ms since navigation start) when READY first holds: checked on
      // every DOM change and every 2 ms.
      await page.addInitScript(`(${(ready) => {
        const check = () => {
          if (window.__ttiMs === undefined && ready()) window.__ttiMs = performance.now();
        };
        new MutationObserver(check).observe(document, { attributes: true, childList: true, subtree: true });
        const poll = () => {
          check();
          if (window.__ttiMs === undefined) setTimeout(poll, 2);
        };
        poll();
      }})(${READY})`);
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForFunction(() => window.__ttiMs !== undefined, null, { timeout: 30_000, polling: 20 });
      times.push(await page.evaluate(() => window.__ttiMs));
    } finally {
      await context.close();
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median_ms: sorted[sorted.length >> 1], first_ms: times[0], runs: times };
}

/**
 * Opens index.html#preset=fig5 (the curriculum arm and its from-scratch twin, one worker each),
 * waits until it is interactive, clicks Play and times until both arms have finished. Also counts
 * animation frames meanwhile (the page must keep drawing while it trains). Returns
 * { seconds, arms: [{ name, state, epoch, total_epochs, test_acc }], frames_per_s }.
 */
export async function timeFig5(browser, baseUrl, timeoutMs, log = console.log) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${baseUrl}#preset=fig5`);
    await page.waitForFunction(READY, null, { timeout: 60_000, polling: 50 });
    const arms = await page.evaluate(() => (window.pathscope.app ?? window.pathscope).state.arms.map((a) => a.name));
    if (arms.length !== 2) throw new Error(`#preset=fig5 opened ${arms.length} arm(s), expected 2 (curriculum and scratch)`);
    await page.evaluate(() => {
      window.__frames = 0;
      const count = () => {
        window.__frames++;
        requestAnimationFrame(count);
      };
      requestAnimationFrame(count);
      window.__fig5Start = performance.now();
    });
    await page.click('#play');
    const deadline = Date.now() + timeoutMs;
    let lastLog = 0;
    for (;;) {
      const s = await page.evaluate(() => ({
        now: performance.now(),
        start: window.__fig5Start,
        frames: window.__frames,
        arms: (window.pathscope.app ?? window.pathscope).state.arms.map((a) => ({
          name: a.name,
          state: a.summary?.status?.state,
          epoch: a.summary?.epoch,
          total_epochs: a.summary?.total_epochs,
          test_acc: a.summary?.test_acc,
        })),
      }));
      const elapsed = (s.now - s.start) / 1000;
      if (s.arms.every((a) => a.state && a.state !== 'running')) {
        return { seconds: elapsed, arms: s.arms, frames_per_s: s.frames / elapsed, page_errors: errors };
      }
      if (errors.length) throw new Error(`the page failed during the figure-5 run: ${errors.join('; ')}`);
      if (Date.now() > deadline) throw new Error(`figure-5 preset not finished after ${timeoutMs / 1000} s: ${JSON.stringify(s.arms)}`);
      if (elapsed - lastLog >= 10) {
        lastLog = elapsed;
        log(`  fig5 ${elapsed.toFixed(0)} s: ${s.arms.map((a) => `${a.name} epoch ${a.epoch}/${a.total_epochs}`).join(', ')}`);
      }
      await sleep(250);
    }
  } finally {
    await context.close();
  }
}
