// The seed statistics panel (www/seeds.js) under load, in headless Chromium at 1440 x 900: runs
// the page's opening setup (the class preset, or the setup of [hash]) over N seeds with the panel
// in view, and prints how long the seeds took, the success rates shown, the worst main-thread
// long task, and the worst long animation frame with the scripts that made it (helpers.mjs
// mainThread), which shows whether drawing the charts is ever the reason a frame takes over 50 ms.
//
//   node e2e/bench-seeds.mjs [--seeds 4] [--hash '#preset=quick'] [--url http://127.0.0.1:8000/]
import { launchBrowser, mainThread, startServer, watchMainThread } from './helpers.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const SEEDS = Number(arg('--seeds', '4'));

const server = await startServer(arg('--url') ? undefined : {});
const browser = await launchBrowser({ viewport: { width: 1440, height: 900 } });
await browser.context.addInitScript(watchMainThread);
try {
  const { page } = await browser.open(`${arg('--url', server.url)}${arg('--hash', '')}`);
  await page.waitForFunction(() => window.pathscope?.seeds && window.pathscope.app.state.arms.every((a) => a.summary));
  await page.locator('#panel-seeds').scrollIntoViewIfNeeded();
  // From here on: what loading the page did is not the panel's.
  await page.evaluate(() => {
    window.__longTasks.length = 0;
    window.__longFrames.length = 0;
  });
  await page.fill('#seeds-count', String(SEEDS));
  const t0 = Date.now();
  await page.click('#seeds-run');
  const total = await page.evaluate(() => window.pathscope.seeds.plan.seeds * window.pathscope.seeds.plan.arms.length);
  await page.waitForFunction(() => !window.pathscope.seeds.running(), null, { timeout: 3_600_000, polling: 1000 });
  const s = (Date.now() - t0) / 1000;
  const rates = await page.$$eval('#seeds-rates li', (items) => items.map((li) => li.textContent));
  const preset = await page.evaluate(() => window.pathscope.app.state.setup.preset);
  console.log(`${preset} preset, ${SEEDS} seeds: ${total} runs in ${s.toFixed(1)} s, ${await page.evaluate(() => window.pathscope.seeds.slots.length || navigator.hardwareConcurrency)} cores reported`);
  for (const r of rates) console.log(`  ${r}`);
  const m = await mainThread(page);
  console.log(`worst main-thread task: ${m.worstTask.toFixed(0)} ms (${m.tasks.length} over 50 ms)`);
  console.log(`worst long frame (of ${m.frames.length}): ${m.describe(m.worstFrame)}`);
  console.log(`most time drawing in one frame: ${m.worstDrawing.ms.toFixed(0)} ms${m.worstDrawing.frame ? ` (${m.describe(m.worstDrawing.frame)})` : ''}`);
  if (process.env.VERBOSE) for (const f of m.frames) console.log(`  ${m.describe(f)}`);
  await page.close();
} finally {
  await browser.close();
  await server.stop();
}
