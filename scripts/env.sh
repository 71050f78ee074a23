# Sourced by scripts/setup.sh, build.sh and test.sh: the repository root, the PATH that finds the
# pinned tools first, and the pins of wasm-pack.toml as PIN_* shell variables.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# cargo-installed tools (wasm-pack, wasm-bindgen, geckodriver) and the npm-installed wasm-opt
# (see [toolchain] binaryen in wasm-pack.toml) come before anything else of the same name.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
WEB_TOOLS="$ROOT/target/web-tools"
export PATH="$WEB_TOOLS/node_modules/.bin:$CARGO_BIN:$PATH"

command -v python3 >/dev/null || {
    echo "python3 not found; it reads the pins in wasm-pack.toml and serves the page. Install Debian's python3." >&2
    exit 1
}
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "python3 >= 3.11 is needed (for tomllib); found $(python3 --version 2>&1)." >&2
    exit 1
}
PINS="$(python3 "$ROOT/scripts/pins.py" shell)" || {
    echo "could not read the pins in wasm-pack.toml (see above)" >&2
    exit 1
}
eval "$PINS"
unset PINS
