#!/usr/bin/env bash
# Assemble dist/: the static site to host (GitHub Pages, any static server, any sub-path).
#
#   scripts/dist.sh            (make dist: builds the release wasm first, then runs this)
#
# Copies from www/ the page and everything it loads (its modules, styles, the worker, pkg/ with
# the release wasm of `make build`, results/, the example post and embed-resize.js), nothing
# else: not the benchmark page or the protocol notes, not wasm-pack's typings or package.json. It
# builds nothing, so the e2e suite, which has just built the wasm, calls it without a second
# build. Every address in the site is relative and the page carries its Content-Security-Policy
# in a <meta> tag, so it needs no custom header; the checks below fail the build otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SRC=www
OUT=dist
[[ -f "$PIN_OUT_DIR/pathscope_bg.wasm" && -f "$PIN_OUT_DIR/pathscope.js" ]] ||
    { echo "dist: $PIN_OUT_DIR/ has no release build; run make build (make dist does)" >&2; exit 1; }
[[ -f "$SRC/results/index.json" ]] ||
    { echo "dist: $SRC/results/ is missing; scripts/build.sh writes it (make build)" >&2; exit 1; }

# Not part of the hosted site: the benchmark page (make bench serves www/), notes for developers.
EXCLUDE=(bench.html bench.js bench-worker.js bench.css PROTOCOL.md)
rm -rf "$OUT"
mkdir -p "$OUT"
for path in "$SRC"/*; do
    name=${path#"$SRC"/}
    [[ " ${EXCLUDE[*]} " == *" $name "* || $name == pkg ]] && continue
    cp -R "$path" "$OUT/"
done
mkdir -p "$OUT/pkg"
cp "$PIN_OUT_DIR/pathscope.js" "$PIN_OUT_DIR/pathscope_bg.wasm" "$OUT/pkg/"

# Relative addresses only: an absolute path (src="/x", url(/x), import '/x') would break on a
# sub-path such as https://you.github.io/pathscope/.
absolute="$(grep -rnE --include='*.html' --include='*.css' --include='*.js' \
    "(src|href)=\"/|url\(['\"]?/|(from|import\() *['\"]/|new URL\(['\"]/" "$OUT" || true)"
if [[ -n "$absolute" ]]; then
    echo "dist: absolute paths, which break on a sub-path:" >&2
    echo "$absolute" >&2
    exit 1
fi
# The page carries the policy a header would (GitHub Pages sends none). (The example post is a
# stand-in for someone else's blog, whose policy is its own.)
grep -q 'http-equiv="Content-Security-Policy"' "$OUT/index.html" ||
    { echo "dist: $OUT/index.html has no Content-Security-Policy <meta> tag" >&2; exit 1; }
echo "dist: wrote $OUT/ ($(find "$OUT" -type f | wc -l) files, $(du -sh "$OUT" | cut -f1)); serve it from any static host, at any path"
