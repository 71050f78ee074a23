// Times the class preset in the page (headless Chromium, the page's own opening): press Play and
// report, every second, each arm's epoch and accuracies, the moment the contrast shows (the
// curriculum's test accuracy above 0.9 on p = 4 while scratch's train accuracy is above 0.9 and
// its test accuracy below 0.5), and when both runs end; a screenshot at 1440 x 900 after 60 s.
//   node e2e/measure-class.mjs [hash]   (default: the page's opening, no hash)
import { launchBrowser, screenshot, startServer } from './helpers.mjs';

const hash = process.argv[2] ?? '';
const server = await startServer();
const browser = await launchBrowser({ viewport: { width: 1440, height: 900 } });
try {
  const { page } = await browser.open(server.url + hash);
  await page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary));
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
  const t0 = Date.now();
  await page.click('#play');
  let contrast = null;
  let shot = false;
  for (;;) {
    await page.waitForTimeout(1000);
    const s = await page.evaluate(() =>
      window.pathscope.app.state.arms.map((a) => ({ name: a.name, state: a.summary.status.state, epoch: a.summary.epoch, phase: a.summary.phase, train: a.summary.train_acc, test: a.summary.test_acc })),
    );
    const t = (Date.now() - t0) / 1000;
    const [c, sc] = s;
    if (!contrast && c.phase >= 1 && c.test > 0.9 && sc.train > 0.9 && sc.test < 0.5) contrast = t;
    if (Math.round(t) % 5 === 0) console.log(`${t.toFixed(0)} s: ${s.map((a) => `${a.name} epoch ${a.epoch} train ${a.train?.toFixed(3)} test ${a.test?.toFixed(3)}`).join(' | ')}`);
    if (!shot && t >= 60) {
      console.log(`screenshot: ${await screenshot(page, 'class-60s')}`);
      shot = true;
    }
    if (s.every((a) => a.state !== 'running')) {
      console.log(`both ended at ${t.toFixed(1)} s; contrast shown at ${contrast?.toFixed(1) ?? 'never'} s`);
      if (!shot) console.log(`screenshot: ${await screenshot(page, 'class-end')}`);
      break;
    }
    if (t > 400) break;
  }
  console.log(`longest main-thread task: ${Math.max(0, ...(await page.evaluate(() => window.__longTasks)))} ms`);
  await page.close();
} finally {
  await browser.close();
  await server.stop();
}
