// How long each stop of the guided tour (www/tour.js) takes to show its point, on this machine:
// opens #tour=N in headless Chromium (1280 x 720) and polls, in the page, the condition that says
// the stop's picture is there. Prints one line per stop with the worst main-thread long task, and
// the worst long animation frame with the scripts that made it (helpers.mjs mainThread): which
// shows whether drawing the charts is ever the reason a frame takes over 50 ms.
//
//   node e2e/bench-tour.mjs [--url http://127.0.0.1:8000/] [--limit 300] [--stops 1-9]
//
// Without --url it serves www/ (built by `make build`). --limit: seconds to wait per stop;
// --stops: which stops (one, or first-last).
import { launchBrowser, mainThread, startServer, watchMainThread } from './helpers.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const LIMIT_S = Number(arg('--limit', '300'));
const ONLY = arg('--stops', '1-9').split('-').map(Number);

/**
 * Each stop's point, as a condition on the page (run in the page with the App's state): what the
 * stop's text tells the class to watch for.
 */
const POINTS = {
  1: ['the sine wave switches paths', () => window.pathscope.figure1.geometry !== null && window.pathscope.figure1.filled > 120],
  2: ['p = 4 test accuracy above 0.9 (after the switch)', () => {
    const s = window.pathscope.app.state.arms[0]?.summary;
    return s && s.phase === s.phases - 1 && s.test_phase === s.phase && s.test_acc > 0.9;
  }],
  3: ['ten steps of edges moving', () => window.pathscope.app.state.arms[0]?.attention.count >= 10],
  4: ['attention of probe 1 on the first k positions above 0.5 (0.42 = 5/12 at the start)', () => {
    const a = window.pathscope.app.state.arms[0];
    const T = window.pathscope.app.state.setup.T;
    const k = window.pathscope.app.state.setup.k;
    if (!a?.attention.count) return false;
    const width = a.attention.probe.length;
    const row = a.attention.rows.view().subarray((a.attention.count - 1) * width, (a.attention.count - 1) * width + T);
    return row.slice(0, k).reduce((s, x) => s + x, 0) > 0.5;
  }],
  5: ['all 6 count classes in clusters of their own (p = 2)', () => {
    const s = window.pathscope.app.state;
    const c = s.za.result?.clusters;
    const ended = s.arms[0]?.switchZa?.[0]?.patterns?.clusters;
    return (c && c.classes === 6 && c.formed === 6) || (ended && ended.formed === ended.classes);
  }],
  6: ['curriculum test accuracy above 0.9 while scratch stays below 0.5, after the switch', () => {
    const [c, s] = window.pathscope.app.state.arms.map((a) => a.summary);
    return c && s && c.phase > 0 && c.test_phase === c.phase && c.test_acc > 0.9 && s.test_acc < 0.5;
  }],
  7: ['a train barrier above 1 between two models trained on p = 4', () => {
    const b = window.pathscope.app.state.barrier.result;
    return b && b.ends.every((e) => e.trainedOnP) && b.train_barrier?.height > 1;
  }],
  8: ['both paths drawn, the curriculum past its switch', () => {
    const r = window.pathscope.app.state.trajectory.result;
    return r && r.paths.length === 2 && r.paths[0].switches.length > 0;
  }],
  9: ['the measured rates listed', () => document.querySelectorAll('.tour-often li').length >= 3 && window.pathscope.rates],
};

const server = await startServer(arg('--url') ? undefined : {});
const browser = await launchBrowser({ viewport: { width: 1280, height: 720 } });
await browser.context.addInitScript(watchMainThread);
const base = arg('--url', server.url);
let worst = 0;
let worstDrawing = 0;
try {
  for (let stop = ONLY[0]; stop <= (ONLY[1] ?? ONLY[0]); stop++) {
    const [what, point] = POINTS[stop];
    const { page } = await browser.open(`${base}#tour=${stop}`);
    await page.waitForFunction((n) => window.pathscope?.tour?.stop === n, stop, { timeout: 30_000 });
    const t0 = await page.evaluate(() => performance.now());
    let line;
    try {
      await page.waitForFunction(point, null, { timeout: LIMIT_S * 1000, polling: 200 });
      const t = (await page.evaluate(() => performance.now())) - t0;
      const preset = await page.evaluate(() => window.pathscope.app.state.setup.preset);
      line = `stop ${stop} (${preset}): ${what} after ${(t / 1000).toFixed(1)} s`;
    } catch {
      const epochs = await page.evaluate(() => window.pathscope.app.state.arms.map((a) => `${a.name} epoch ${a.summary?.epoch}`).join(', '));
      line = `stop ${stop}: ${what}: not within ${LIMIT_S} s (${epochs})`;
    }
    const m = await mainThread(page);
    worst = Math.max(worst, m.worstTask);
    worstDrawing = Math.max(worstDrawing, m.worstDrawing.ms);
    console.log(`${line}; worst main-thread task ${m.worstTask.toFixed(0)} ms (${m.tasks.length} over 50 ms)`);
    console.log(`  worst long frame (of ${m.frames.length}): ${m.describe(m.worstFrame)}`);
    if (m.worstDrawing.frame && m.worstDrawing.frame !== m.worstFrame) console.log(`  most drawing in one long frame: ${m.describe(m.worstDrawing.frame)}`);
    if (process.env.VERBOSE) for (const f of m.frames) console.log(`    ${m.describe(f)}`);
    await page.close();
  }
  console.log(`worst main-thread task over the tour: ${worst.toFixed(0)} ms; most time drawing in one frame: ${worstDrawing.toFixed(0)} ms`);
} finally {
  await browser.close();
  await server.stop();
}
