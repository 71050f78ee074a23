#!/usr/bin/env python3
"""Serve the static page in www/ on loopback, with the headers a wasm page and its module worker need.

    python3 scripts/serve.py [--port N] [--host 127.0.0.1] [--dir www] [--quiet] [--no-csp]

--port defaults to $PORT, else 8000; --port 0 picks a free port. The first line on stdout is
"Serving <dir> at <url>" (tests read the URL from it).

Headers:
- Content-Type application/wasm for .wasm (WebAssembly.instantiateStreaming requires it) and
  text/javascript for .js/.mjs (module scripts and module workers are refused with any non-JS type).
- Cache-Control: no-store, so a reload always picks up a fresh `wasm-pack build`.
- Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy: the page is cross-origin isolated
  (precise performance.now(), SharedArrayBuffer available); everything is same-origin, so nothing breaks.
  Cross-Origin-Resource-Policy: cross-origin, so other sites may embed the page and its resize script.
- Content-Security-Policy allowing only this origin (plus data:/blob: images), no inline script or
  style and no eval: anything the page tries to load from elsewhere, and any inline script, is blocked
  and reported as a console error, which the e2e tests catch.
"""

import argparse
import errno
import functools
import http.server
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The page's Content-Security-Policy, the same as the <meta http-equiv> in www/index.html (a static
# host such as GitHub Pages sends no headers, so the page carries it itself; e2e/tests/hosting.test.mjs
# checks the two are equal). No inline script or style, no eval: only the page's own files, and
# 'wasm-unsafe-eval', which compiling WebAssembly needs. A header can say more than the <meta>:
# frame-ancestors is header-only, and left out here so that any site can embed the page.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".map": "application/json",
        ".svg": "image/svg+xml",
        ".css": "text/css",
        ".html": "text/html; charset=utf-8",
        ".ts": "text/plain",
    }
    quiet = False
    csp = True

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        # cross-origin, not same-origin: another site's page may load embed-resize.js, and a
        # sandboxed frame (an opaque origin) must still get the styles and preflight.js that
        # say what it needs (README: Embedding). Everything here is public.
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.csp:
            self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"), help="TCP port (default $PORT or 8000; 0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--dir", default=str(ROOT / "www"), help="folder to serve (default www/)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--no-csp", action="store_true", help="omit the Content-Security-Policy header (the e2e harness self-test uses it)")
    args = parser.parse_args()

    try:
        port = int(args.port)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        sys.exit(f"serve.py: port must be a number from 0 to 65535, got {args.port!r}")
    directory = Path(args.dir).resolve()
    if not (directory / "index.html").is_file():
        sys.exit(f"serve.py: {directory}/index.html not found; nothing to serve")
    if directory == (ROOT / "www").resolve() and not (directory / "pkg").is_dir():
        print(f"serve.py: warning: {directory}/pkg is missing; build it with `make build`", file=sys.stderr)

    Handler.quiet = args.quiet
    Handler.csp = not args.no_csp
    handler = functools.partial(Handler, directory=str(directory))
    try:
        server = http.server.ThreadingHTTPServer((args.host, port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            sys.exit(f"serve.py: port {port} is already in use; pick another, e.g. PORT={port + 1} make serve")
        sys.exit(f"serve.py: cannot listen on {args.host}:{port}: {e}")

    host, port = server.server_address[:2]
    try:
        shown = directory.relative_to(Path.cwd())
    except ValueError:
        shown = directory
    print(f"Serving {shown}/ at http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
