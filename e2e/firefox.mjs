// Headless Firefox (Debian's firefox-esr) driven over W3C WebDriver by geckodriver: playwright
// cannot drive Debian's Firefox, so this is a small client of our own, for the Firefox end-to-end
// tests (tests/firefox.test.mjs) and the benchmark (bench.mjs).
//
//   const firefox = await launchFirefox({ width: 1280, height: 900 });
//   await firefox.goto(url);
//   const title = await firefox.evaluate('return document.title;');
//   await firefox.screenshot('/tmp/page.png');
//   await firefox.close();
//
// Environment: FIREFOX (default /usr/bin/firefox-esr), GECKODRIVER (default: geckodriver on PATH).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts geckodriver on a free port; resolves to `{ base, stop() }` once it answers. */
async function startGeckodriver() {
  let bin = process.env.GECKODRIVER;
  if (!bin) {
    try {
      bin = execFileSync('bash', ['-c', 'command -v geckodriver'], { encoding: 'utf8' }).trim();
    } catch {
      throw new Error('geckodriver not found on PATH: run `make setup` (cargo install geckodriver)');
    }
  }
  const [port, wsPort] = [await freePort(), await freePort()];
  const child = spawn(bin, ['--port', String(port), '--websocket-port', String(wsPort), '--log', 'error'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`geckodriver exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (i >= 100) throw new Error(`geckodriver did not answer on ${base} within 10 s: ${stderr}`);
    await sleep(100);
  }
  return {
    base,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
      }
    },
  };
}

/** One WebDriver command; resolves to its `value`, or throws with the driver's error and message. */
export async function webdriver(base, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok || json?.value?.error) {
    throw new Error(`WebDriver ${method} ${path}: ${json?.value?.error ?? res.status}: ${json?.value?.message ?? ''}`);
  }
  return json.value;
}

/**
 * A headless Firefox session with a fresh profile, its window `width` x `height` CSS px. Returns
 * `{ version, goto(url), evaluate(script, ...args), waitFor(script, { timeout, what }),
 * frame(selector), screenshot(path), close() }`: `evaluate` runs the body of a function
 * (`return ...;`) in the page (or the frame chosen), with `args`. Firefox's windows are at least
 * 500 px wide: a narrower page is an iframe of a host page (`frame`).
 */
export async function launchFirefox({ width = 1280, height = 900 } = {}) {
  const binary = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
  if (!existsSync(binary)) throw new Error(`${binary} not found: install Debian's firefox-esr (make setup) or set FIREFOX`);
  const driver = await startGeckodriver();
  let session;
  try {
    const created = await webdriver(driver.base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          'moz:firefoxOptions': {
            binary,
            args: ['-headless', `--width=${width}`, `--height=${height}`],
            // Nothing may leave the machine (its network is closed anyway): no update, telemetry
            // or safe-browsing traffic.
            prefs: {
              'app.update.enabled': false,
              'browser.safebrowsing.malware.enabled': false,
              'browser.safebrowsing.phishing.enabled': false,
              'datareporting.policy.dataSubmissionEnabled': false,
              'toolkit.telemetry.enabled': false,
              'network.captive-portal-service.enabled': false,
              'network.connectivity-service.enabled': false,
            },
          },
          timeouts: { script: 30_000, pageLoad: 60_000 },
        },
      },
    });
    session = created.sessionId;
    const cmd = (method, path, body) => webdriver(driver.base, method, `/session/${session}${path}`, body);
    const evaluate = (script, ...args) => cmd('POST', '/execute/sync', { script, args });
    return {
      version: created.capabilities?.browserVersion,
      goto: (url) => cmd('POST', '/url', { url }),
      evaluate,
      /** Polls `script` (a function body returning a value) until it returns a truthy value. */
      async waitFor(script, { timeout = 30_000, what = script } = {}) {
        const deadline = Date.now() + timeout;
        for (;;) {
          const value = await evaluate(script);
          if (value) return value;
          if (Date.now() > deadline) throw new Error(`Firefox: ${what} not within ${timeout / 1000} s`);
          await sleep(200);
        }
      },
      /**
       * Runs the next commands in the frame of the first element matching `selector` (an
       * iframe), or, with null, in the top document again.
       */
      async frame(selector) {
        const id = selector === null ? null : await cmd('POST', '/element', { using: 'css selector', value: selector });
        await cmd('POST', '/frame', { id });
      },
      /** A PNG of the viewport. */
      async screenshot(path) {
        await writeFile(path, Buffer.from(await cmd('GET', '/screenshot'), 'base64'));
        return path;
      },
      async close() {
        await cmd('DELETE', '').catch(() => {});
        await driver.stop();
      },
    };
  } catch (e) {
    if (session) await webdriver(driver.base, 'DELETE', `/session/${session}`).catch(() => {});
    await driver.stop();
    throw e;
  }
}
