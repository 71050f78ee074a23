#!/usr/bin/env node
// The browser benchmark driver: serves www/, runs www/bench.html (the figure-5 workload of
// `pathscope bench`, timed in one module Web Worker) headless in Chromium (playwright-core) and in
// Firefox (a small W3C WebDriver client over geckodriver), measures the release wasm's gzipped
// size and the main page's time to interactive, and prints a table. The last lines are exactly
// one per engine:
//
//   chromium epoch_ms=<x> eval_ms=<y> step32_ms=<z> gflops=<g> peak_gflops=<p> mlp_gflops=<m>
//   firefox epoch_ms=<x> eval_ms=<y> step32_ms=<z> gflops=<g> peak_gflops=<p> mlp_gflops=<m>
//
//   node e2e/bench.mjs [--budget MS] [--engines chromium,firefox] [--no-tti] [--json FILE]
//                      [--fig5] [--fig5-timeout S]
//
// --budget: milliseconds per operation in the page (default 2000). --json: also write everything
// measured (results, versions, sizes) to FILE. --fig5: also time the main page's figure-5 preset
// (both arms in two workers) to completion in Chromium. Build first (`make build`); `make bench`
// runs this after everything else. Environment: CHROMIUM (default /usr/bin/chromium), FIREFOX
// (default /usr/bin/firefox-esr), GECKODRIVER (default: geckodriver on PATH),
// PATHSCOPE_BASE_URL (use a running server instead of starting scripts/serve.py).

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { timeFig5, timeToInteractive } from './bench-page.mjs';
import { launchFirefox } from './firefox.mjs';
import { CHROMIUM_ARGS, REPO_ROOT, startServer } from './helpers.mjs';

const ENGINES = ['chromium', 'firefox'];

function parseArgs(argv) {
  const opts = { budget: 2000, engines: ENGINES, tti: true, json: null, fig5: false, fig5Timeout: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--budget') opts.budget = Number(value());
    else if (a === '--engines') opts.engines = value().split(',').filter(Boolean);
    else if (a === '--no-tti') opts.tti = false;
    else if (a === '--json') opts.json = value();
    else if (a === '--fig5') opts.fig5 = true;
    else if (a === '--fig5-timeout') opts.fig5Timeout = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.budget > 0)) throw new Error('--budget must be a positive number of milliseconds');
  for (const e of opts.engines) if (!ENGINES.includes(e)) throw new Error(`unknown engine ${e}: one of ${ENGINES.join(', ')}`);
  return opts;
}

// --- Chromium (playwright-core, Debian's /usr/bin/chromium) --------------------------------------

async function launchChromium() {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: install Debian's chromium (make setup) or set CHROMIUM`);
  // launch() gives every context a fresh temporary profile.
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

async function benchChromium(browser, url, timeoutMs) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url);
    const handle = await page.waitForFunction(() => window.benchResult, null, { timeout: timeoutMs, polling: 250 });
    const result = await handle.jsonValue();
    if (result.error) throw new Error(`the bench page failed in Chromium: ${result.error}`);
    if (errors.length) result.console_errors = errors;
    result.browser_version = browser.version();
    return result;
  } finally {
    await context.close();
  }
}

// --- Firefox (W3C WebDriver over geckodriver, firefox.mjs) -------------------------------------

async function benchFirefox(url, timeoutMs) {
  const firefox = await launchFirefox();
  try {
    await firefox.goto(url);
    const result = await firefox.waitFor('return window.benchResult ?? null;', { timeout: timeoutMs, what: 'window.benchResult' });
    if (result.error) throw new Error(`the bench page failed in Firefox: ${result.error}`);
    result.browser_version = firefox.version;
    return result;
  } finally {
    await firefox.close();
  }
}

// --- Sizes ------------------------------------------------------------------------------------

function wasmSize() {
  const path = join(REPO_ROOT, 'www', 'pkg', 'pathscope_bg.wasm');
  const raw = readFileSync(path);
  let gz;
  try {
    gz = execFileSync('gzip', ['-9', '-c', path], { maxBuffer: 64 << 20 }).length;
  } catch {
    gz = gzipSync(raw, { level: 9 }).length;
  }
  return { path: 'www/pkg/pathscope_bg.wasm', raw_bytes: raw.length, gz_bytes: gz };
}

// --- Output ------------------------------------------------------------------------------------

// The one line per engine that scripts read (the same fields as `pathscope bench`'s last line).
function engineLine(engine, r) {
  return (
    `${engine} epoch_ms=${f(r.epoch_ms)} eval_ms=${f(r.eval_ms)} step32_ms=${f(r.step32_ms, 4)} ` +
    `gflops=${f(r.gflops, 2)} peak_gflops=${f(r.peak_gflops, 2)} mlp_gflops=${f(r.mlp_gflops, 2)}`
  );
}

const f = (x, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function printTable(results) {
  const engines = Object.keys(results);
  const rows = [
    ['training epoch (fwd+bwd+Adam, 2048 seqs) ms', (r) => f(r.epoch_ms)],
    ['test evaluation (2048 seqs) ms', (r) => f(r.eval_ms)],
    ['minibatch step (32 seqs) ms', (r) => f(r.step32_ms, 4)],
    ['MLP kernels (6 products of one epoch) ms', (r) => f(r.mlp_ms)],
    ['epoch GFLOP/s', (r) => f(r.gflops, 2)],
    ['MLP GFLOP/s', (r) => f(r.mlp_gflops, 2)],
    ['f32x4 peak GFLOP/s', (r) => f(r.peak_gflops, 2)],
    ['MLP / peak', (r) => `${f((100 * r.mlp_gflops) / r.peak_gflops, 0)}%`],
    ['cross-origin isolated', (r) => String(r.cross_origin_isolated)],
    ['timer resolution ms', (r) => f(r.timer_resolution_ms, 3)],
  ];
  const w0 = Math.max(...rows.map(([l]) => l.length));
  console.log(`${'browser bench (one module worker)'.padEnd(w0)}  ${engines.map((e) => e.padStart(12)).join('  ')}`);
  for (const [label, get] of rows) {
    console.log(`${label.padEnd(w0)}  ${engines.map((e) => String(results[e].error ? 'failed' : get(results[e])).padStart(12)).join('  ')}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = { budget_ms: opts.budget, engines: {}, versions: {} };
  const server = await startServer();
  let chromiumBrowser = null;
  let failed = false;
  try {
    const benchUrl = `${server.url}bench.html?budget=${opts.budget}`;
    const timeoutMs = 60_000 + 5 * 8 * opts.budget; // 5 operations, slow machines
    console.log(`browser bench: ${benchUrl}`);
    console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);

    const size = wasmSize();
    out.wasm = size;
    console.log(`wasm: ${size.path} ${(size.raw_bytes / 1024).toFixed(1)} KiB, gzip -9 ${(size.gz_bytes / 1024).toFixed(1)} KiB`);

    for (const engine of opts.engines) {
      console.log(`running the bench page in headless ${engine}...`);
      try {
        if (engine === 'chromium') {
          chromiumBrowser ??= await launchChromium();
          out.engines.chromium = await benchChromium(chromiumBrowser, benchUrl, timeoutMs);
        } else {
          out.engines.firefox = await benchFirefox(benchUrl, timeoutMs);
        }
        out.versions[engine] = out.engines[engine].browser_version;
        console.log(`  ${engineLine(engine, out.engines[engine])}`);
      } catch (error) {
        failed = true;
        out.engines[engine] = { error: String(error?.message ?? error) };
        console.log(`  ${engine} FAILED: ${out.engines[engine].error}`);
      }
    }

    if (opts.tti) {
      try {
        chromiumBrowser ??= await launchChromium();
        out.tti = await timeToInteractive(chromiumBrowser, server.url);
        console.log(
          `time to interactive (index.html, Chromium, fresh context, ${out.tti.runs.length} loads): median ${f(out.tti.median_ms, 0)} ms, ` +
            `first ${f(out.tti.first_ms, 0)} ms [${out.tti.runs.map((t) => t.toFixed(0)).join(', ')}]`,
        );
      } catch (error) {
        out.tti = { error: String(error?.message ?? error) };
        console.log(`time to interactive: FAILED: ${out.tti.error}`);
      }
    }

    if (opts.fig5) {
      chromiumBrowser ??= await launchChromium();
      out.fig5 = await timeFig5(chromiumBrowser, server.url, opts.fig5Timeout * 1000).catch((error) => ({
        error: String(error?.message ?? error),
      }));
      const r = out.fig5;
      console.log(
        r.error
          ? `figure-5 preset: FAILED: ${r.error}`
          : `figure-5 preset in the page (Chromium, two workers): ${f(r.seconds, 1)} s; ` +
              `${r.arms.map((a) => `${a.name} ${a.state} at epoch ${a.epoch}/${a.total_epochs}, test acc ${f(a.test_acc, 3)}`).join('; ')}; ` +
              `${f(r.frames_per_s, 0)} animation frames/s meanwhile`,
      );
    }

    console.log(`load average at end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log('');
    printTable(out.engines);
    if (opts.json) {
      mkdirSync(dirname(opts.json), { recursive: true });
      writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
      console.log(`(everything measured: ${opts.json})`);
    }
    for (const engine of opts.engines) {
      const r = out.engines[engine];
      console.log(r.error ? `${engine} error=${JSON.stringify(r.error)}` : engineLine(engine, r));
    }
  } finally {
    await chromiumBrowser?.close();
    await server.stop();
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(`bench: ${error?.stack ?? error}`);
  process.exit(2);
});
