// Servers for the hosting and embedding tests (e2e/tests/hosting.test.mjs, embed.test.mjs), beside
// the page's own server (helpers.mjs startServer, scripts/serve.py with its headers):
//
//   startPlainServer(dir, subPath)  dir served at http://127.0.0.1:<port>/<subPath>/ by Python's
//                                   http.server: a static host that sets no header of its own
//                                   (no CSP, no COOP/COEP), as GitHub Pages;
//   startBlogServer(routes)         "someone's blog" on a second origin, http://localhost:<port>:
//                                   each route is a path and { body, type, headers }.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './helpers.mjs';

/** dist/, which scripts/dist.sh writes (make dist; make test-e2e writes it before the tests). */
export const DIST = join(REPO_ROOT, 'dist');

export function requireDist() {
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(join(DIST, 'pkg', 'pathscope_bg.wasm'))) {
    throw new Error(`${DIST} is missing or incomplete: run make dist (make test-e2e builds it)`);
  }
}

/**
 * Serves `dir` at `/<subPath>/` (a symlink in a temporary root) with `python3 -m http.server`.
 * Returns { url, origin, stop() }; url ends with '/'.
 */
export async function startPlainServer(dir, subPath) {
  const root = await mkdtemp(join(tmpdir(), 'pathscope-host-'));
  const mount = join(root, subPath);
  await mkdir(dirname(mount), { recursive: true });
  await symlink(dir, mount);
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`http.server printed no port within 10 s: ${seen}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(/port (\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`http.server exited with ${code}: ${seen}`));
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/${subPath}/`,
    origin,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A second origin, http://localhost:<port>, answering `routes[path]` = { body, type, headers } and
 * 404 for anything else. `routes` may be changed while it runs. Returns { origin, routes, stop() }.
 */
export async function startBlogServer(routes = {}) {
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url, 'http://localhost').pathname];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': route.type ?? 'text/html; charset=utf-8', 'cache-control': 'no-store', ...route.headers });
    res.end(route.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${server.address().port}`,
    routes,
    stop: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
