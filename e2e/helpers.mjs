// Shared helpers for the end-to-end tests in e2e/tests/*.test.mjs.
//
// A test file typically does:
//
//   import { test } from 'node:test';
//   import { servedPage } from '../helpers.mjs';
//   const served = servedPage();   // the page's server and a browser, for this file's tests
//   test('...', async () => {
//     const { page, problems } = await served.open('#preset=quick');
//     ...
//     problems.assertClean();   // no console error, page error, failed or outside request
//   });
//
// Files that serve something else (a built dist/, a fixture page) call startServer and
// launchBrowser themselves.
//
// Environment:
//   PATHSCOPE_BASE_URL  use this already running server (scripts/test.sh sets it) instead of
//                       starting scripts/serve.py on a free port.
//   CHROMIUM            browser binary (default /usr/bin/chromium, Debian's package).
//   PATHSCOPE_OUT       where screenshots go (default <repo>/out/e2e).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = process.env.PATHSCOPE_OUT ?? join(REPO_ROOT, 'out', 'e2e');

// Without the background-networking flags Chromium tries to reach Google's services at every
// start; this machine's network refuses them. --user-data-dir is added per launch (a fresh one).
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The page's server. Uses $PATHSCOPE_BASE_URL if set; otherwise starts scripts/serve.py on a free
 * port serving `dir` (default www/, which must hold a built pkg/: run `make build`); `csp: false`
 * drops the server's Content-Security-Policy header (only the harness self-test wants that).
 * Returns { url, origin, stop() }; url ends with '/'.
 */
export async function startServer({ dir, csp = true } = {}) {
  if (process.env.PATHSCOPE_BASE_URL && !dir) {
    const url = new URL(process.env.PATHSCOPE_BASE_URL).href;
    return { url, origin: new URL(url).origin, stop: async () => {} };
  }
  const root = dir ?? join(REPO_ROOT, 'www');
  if (!dir && !existsSync(join(root, 'pkg'))) {
    throw new Error(`${root}/pkg is missing: build the wasm first (make build), or run make test-e2e`);
  }
  const args = [join(REPO_ROOT, 'scripts', 'serve.py'), '--port', '0', '--quiet', '--dir', root];
  if (!csp) args.push('--no-csp');
  const child = spawn('python3', args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`serve.py printed no URL within 10 s: ${seen}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(/http:\/\/\S+\//);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.py exited with ${code} before serving: ${seen}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * Headless Debian Chromium with a fresh, empty profile (removed on close).
 * Returns { context, open(url, { allowedOrigins }), close() }.
 */
export async function launchBrowser({ viewport = { width: 1280, height: 800 } } = {}) {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: install Debian's chromium (make setup) or set CHROMIUM`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'pathscope-chromium-'));
  // launchPersistentContext passes --user-data-dir=<userDataDir> to Chromium.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  // An error event that is not an exception (a ResizeObserver loop that left notifications
  // undelivered, say) reaches no playwright event: say it on the console, where watch() sees it.
  await context.addInitScript(() => {
    addEventListener('error', (e) => {
      if (!e.error) console.error(`error event: ${e.message}`);
    });
  });
  // Nothing may leave the machine: requests to another origin are recorded (see watch) and aborted.
  let allowed = new Set();
  await context.route('**/*', (route) => {
    const origin = new URL(route.request().url()).origin;
    return allowed.has(origin) ? route.continue() : route.abort('blockedbyclient');
  });
  return {
    context,
    /** Opens a new tab on `url`, watching it from before the first request. */
    async open(url, { allowedOrigins = [], waitUntil = 'load' } = {}) {
      const origin = new URL(url).origin;
      allowed = new Set([origin, ...allowedOrigins]);
      const page = await context.newPage();
      const problems = watch(page, allowed);
      const response = await page.goto(url, { waitUntil });
      assert.ok(response?.ok(), `GET ${url} answered ${response?.status()}`);
      return { page, problems, response };
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Records what must not happen on a page: console errors (page and its workers), uncaught
 * exceptions, requests to origins outside `allowed`, failed requests and HTTP errors.
 * `problems.assertClean()` fails the test with all of them listed.
 */
export function watch(page, allowed) {
  const problems = {
    consoleErrors: [],
    pageErrors: [],
    outsideRequests: [],
    failedRequests: [],
    httpErrors: [],
    assertClean() {
      const { assertClean, ...lists } = problems;
      const found = Object.fromEntries(Object.entries(lists).filter(([, list]) => list.length));
      assert.deepEqual(found, {}, `problems on ${page.url()}:\n${JSON.stringify(found, null, 2)}`);
    },
  };
  const where = (msg) => {
    const { url, lineNumber } = msg.location();
    return url ? ` (${url}:${lineNumber})` : '';
  };
  const seenConsole = new Set();
  const onConsole = (msg) => {
    if (msg.type() !== 'error') return;
    const line = `${msg.text()}${where(msg)}`;
    // A worker's message can arrive both on the page and on the worker: count it once.
    if (!seenConsole.has(line)) problems.consoleErrors.push(line);
    seenConsole.add(line);
  };
  page.on('console', onConsole);
  page.on('worker', (worker) => worker.on('console', onConsole));
  page.on('pageerror', (error) => problems.pageErrors.push(error.stack ?? String(error)));
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (!allowed.has(new URL(url).origin)) problems.outsideRequests.push(url);
  });
  page.on('requestfailed', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:') || !allowed.has(new URL(url).origin)) return;
    problems.failedRequests.push(`${url}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.httpErrors.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

/** Saves a full-page screenshot as <OUT_DIR>/<name>.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(OUT_DIR, { recursive: true });
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * An init script (for `context.addInitScript`): from before any of the page's scripts, records
 * every main-thread long task (over 50 ms) and every long animation frame (Chromium's Long
 * Animation Frames API: a frame whose work took over 50 ms) with the scripts that ran in it.
 * Read them with `mainThread(page)`.
 */
export function watchMainThread() {
  window.__longTasks = [];
  window.__longFrames = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  if (PerformanceObserver.supportedEntryTypes?.includes('long-animation-frame')) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longFrames.push({
          start: e.startTime,
          duration: e.duration,
          render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          scripts: e.scripts.map((s) => ({
            invoker: s.invoker,
            type: s.invokerType,
            source: `${(s.sourceURL || '').split('/').pop()}${s.sourceFunctionName ? ` ${s.sourceFunctionName}` : ''}`,
            duration: s.duration,
            layout: s.forcedStyleAndLayoutDuration,
          })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  }
}

/** The page modules that draw charts: a frame callback of theirs is drawing. */
const DRAWING = /^(panels|figure1|seeds)\.js/;

/**
 * What `watchMainThread` recorded on `page`: `{ tasks, worstTask, frames, worstFrame, worstDrawing,
 * describe(frame) }`. `worstDrawing` is the longest time any one frame spent in the drawing
 * modules' animation-frame callbacks (panels.js, figure1.js, seeds.js; the charts are drawn there
 * and nowhere else), with the frame it was in.
 */
export async function mainThread(page) {
  const { tasks, frames } = await page.evaluate(() => ({ tasks: window.__longTasks ?? [], frames: window.__longFrames ?? [] }));
  const drawingIn = (f) => f.scripts.filter((s) => s.type === 'user-callback' && DRAWING.test(s.source)).reduce((sum, s) => sum + s.duration, 0);
  let worstDrawing = { ms: 0, frame: null };
  for (const f of frames) {
    const ms = drawingIn(f);
    if (ms > worstDrawing.ms) worstDrawing = { ms, frame: f };
  }
  const worstFrame = frames.reduce((w, f) => (!w || f.duration > w.duration ? f : w), null);
  const describe = (f) => {
    if (!f) return 'none';
    const top = [...f.scripts].sort((a, b) => b.duration - a.duration).slice(0, 3);
    const parts = top.map((s) => `${s.source || s.invoker} (${s.type}) ${s.duration.toFixed(0)} ms`);
    return `${f.duration.toFixed(0)} ms at ${(f.start / 1000).toFixed(1)} s: ${parts.join(', ') || 'no script'}; rendering ${f.render.toFixed(0)} ms; drawing ${drawingIn(f).toFixed(0)} ms`;
  };
  return { tasks, worstTask: Math.max(0, ...tasks), frames, worstFrame, worstDrawing, describe };
}

/**
 * The served page for one test file: starts the page's server (startServer) and a browser
 * (launchBrowser, at `viewport` if given) before the file's first test, and closes both after its
 * last. Tests read `served.server` and `served.browser` (set by then); `served.open(path)` opens
 * `server.url + path` (a hash, say) in a new tab, as `browser.open` does. `init`: a function every
 * page of the browser runs before its own scripts (context.addInitScript).
 */
export function servedPage({ viewport, init } = {}) {
  const served = {
    server: null,
    browser: null,
    open: (path = '', options = {}) => served.browser.open(served.server.url + path, options),
  };
  before(async () => {
    served.server = await startServer();
    served.browser = await launchBrowser(viewport ? { viewport } : undefined);
    if (init) await served.browser.context.addInitScript(init);
  });
  after(async () => {
    await served.browser?.close();
    await served.server?.stop();
  });
  return served;
}
