#!/usr/bin/env bash
# Build the release wasm for the page: wasm-pack build <[build] args> --out-dir <[build] out-dir>,
# both from wasm-pack.toml (www/pkg by default; gitignored). Run scripts/setup.sh first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

PINS="$(python3 scripts/pins.py shell)" || { echo "build: could not read wasm-pack.toml" >&2; exit 1; }
eval "$PINS"

# shellcheck disable=SC2086 # PIN_BUILD_ARGS is a list of words.
echo "build: wasm-pack build $PIN_BUILD_ARGS --out-dir $PIN_OUT_DIR"
wasm-pack build $PIN_BUILD_ARGS --out-dir "$PIN_OUT_DIR"
echo "build: wrote $PIN_OUT_DIR/ ($(du -h "$PIN_OUT_DIR"/*_bg.wasm | cut -f1) of wasm)"
