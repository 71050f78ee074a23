#!/usr/bin/env bash
# Build the release wasm for the page: wasm-pack build <[build] args> --out-dir <[build] out-dir>,
# both from wasm-pack.toml (www/pkg by default; gitignored), then check that Node.js can instantiate
# the result. Run scripts/setup.sh first (make does).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# shellcheck disable=SC2086 # PIN_BUILD_ARGS is a list of words.
echo "build: wasm-pack build $PIN_BUILD_ARGS --out-dir $PIN_OUT_DIR (wasm-opt: $(command -v wasm-opt || echo none))"
wasm-pack build $PIN_BUILD_ARGS --out-dir "$PIN_OUT_DIR"

# A build that cannot even initialise (for instance a wasm-opt that breaks wasm-bindgen's tables)
# should fail here, not as a blank page.
glue=("$PIN_OUT_DIR"/*.js)
[[ -f "${glue[0]}" ]] || { echo "build: no JS glue in $PIN_OUT_DIR" >&2; exit 1; }
wasm="${glue[0]%.js}_bg.wasm"
node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { pathToFileURL } from "node:url";
  const [glue, wasm] = process.argv.slice(1);
  const pkg = await import(pathToFileURL(glue).href);
  try {
    pkg.initSync({ module: readFileSync(wasm) });
  } catch (e) {
    // Compile/link errors and errors of the WebAssembly JS API (Table, Memory...) mean a broken
    // build; anything else (a trap, a missing `window`) came from a start function that wants a
    // browser, which Node.js is not.
    const broken = e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError ||
      /WebAssembly\.(Table|Memory|Global|Module|Instance|instantiate)/.test(String(e?.message));
    if (broken) throw e;
    console.warn(`build: note: the module instantiated, but its start function threw in Node.js: ${e}`);
  }
' "$PWD/${glue[0]}" "$PWD/$wasm" || { echo "build: $wasm does not instantiate with its glue (see the error above)" >&2; exit 1; }
echo "build: wrote $PIN_OUT_DIR/ ($(du -h "$wasm" | cut -f1) of wasm; instantiates in Node.js)"

# The measured rates the page quotes: docs/results/*.jsonl (docs/results-format.md), copied beside
# the page with an index of their names, so the page reads them from its own origin.
mkdir -p www/results
rm -f www/results/*.jsonl
names=()
for f in docs/results/*.jsonl; do
    [[ -f "$f" ]] || continue
    cp "$f" www/results/
    names+=("\"$(basename "$f")\"")
done
(IFS=,; printf '[%s]\n' "${names[*]}") > www/results/index.json
echo "build: copied ${#names[@]} results file(s) to www/results/"
