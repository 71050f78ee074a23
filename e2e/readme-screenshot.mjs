// The README's picture (docs/screenshot.png): the page's opening setup (the class preset) in
// headless Chromium at 1440 x 1400, played until the curriculum's contrast with scratch shows
// (the curriculum above 0.9 test accuracy on p = 4 while scratch is below 0.5) or 120 s pass,
// then the settings folded (the charts take their room) and the first charts in view.
//   node e2e/readme-screenshot.mjs [out.png]   (default docs/screenshot.png)
import { join } from 'node:path';
import { REPO_ROOT, launchBrowser, startServer } from './helpers.mjs';

const out = process.argv[2] ?? join(REPO_ROOT, 'docs', 'screenshot.png');
const server = await startServer();
const browser = await launchBrowser({ viewport: { width: 1440, height: 1400 } });
try {
  const { page } = await browser.open(server.url);
  await page.waitForFunction(() => window.pathscope?.app.state.arms.every((a) => a.summary));
  await page.click('#play');
  const t0 = Date.now();
  const shown = await page
    .waitForFunction(() => {
      const [c, s] = window.pathscope.app.state.arms.map((a) => a.summary);
      return c.phase > 0 && c.test_phase === c.phase && c.test_acc > 0.9 && s.test_acc < 0.5;
    }, null, { timeout: 120_000, polling: 500 })
    .then(() => true, () => false);
  // Let the slower panels catch up, then pause so the picture holds still.
  await page.waitForTimeout(3000);
  await page.click('#play');
  await page.evaluate(() => {
    document.getElementById('settings-details').open = false;
    const bar = document.getElementById('bar').getBoundingClientRect().height;
    window.scrollTo(0, document.getElementById('panels').getBoundingClientRect().top + window.scrollY - bar - 8);
  });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out });
  const arms = await page.evaluate(() => window.pathscope.app.state.arms.map((a) => `${a.name} epoch ${a.summary.epoch} test ${a.summary.test_acc.toFixed(3)}`));
  console.log(`${out}: after ${((Date.now() - t0) / 1000).toFixed(0)} s, contrast ${shown ? 'shown' : 'not shown'}; ${arms.join(', ')}`);
} finally {
  await browser.close();
  await server.stop();
}
