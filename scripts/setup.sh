#!/usr/bin/env bash
# Set up everything `make serve` and `make test` need, installing only what is missing or at the
# wrong version. Versions come from wasm-pack.toml (the one place they are pinned). Idempotent: when
# everything is in place it only checks, and takes a few seconds.
#
# Needs: the Rust toolchain (rustup, cargo), python3 >= 3.11, Node.js >= 20.19 with npm (Debian's
# nodejs/npm are installed if there is no node at all). Debian packages are installed with apt-get
# (as root, or through passwordless sudo).
set -euo pipefail

START=$SECONDS
INSTALLED=()

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: ERROR: %s\n' "$*" >&2
    exit 1
}

# Repository root as the working folder, PATH with the pinned tools first, PIN_* from wasm-pack.toml.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# --- Prerequisites the setup cannot install itself --------------------------------------------
command -v cargo >/dev/null || die "cargo not found. Install Rust with rustup (https://rustup.rs) and put ~/.cargo/bin on PATH."
command -v rustup >/dev/null || die "rustup not found; it is needed to add the wasm32 target. Install Rust with rustup (https://rustup.rs)."

# --- wasm-bindgen-cli must be the very version of wasm-bindgen in Cargo.lock -------------------
if [[ ! -f Cargo.lock ]]; then
    say "Cargo.lock is missing: generating it (cargo generate-lockfile) to check the wasm-bindgen version"
    cargo generate-lockfile
fi
LOCKED_WASM_BINDGEN="$(python3 scripts/pins.py lock wasm-bindgen)" || die "could not read Cargo.lock (see above)."
[[ -n "$LOCKED_WASM_BINDGEN" ]] || die "Cargo.lock has no wasm-bindgen package; is wasm-bindgen still a dependency in Cargo.toml?"
if [[ "$LOCKED_WASM_BINDGEN" != "$PIN_WASM_BINDGEN_CLI" ]]; then
    die "version mismatch: wasm-pack.toml pins wasm-bindgen-cli $PIN_WASM_BINDGEN_CLI but Cargo.lock has wasm-bindgen $LOCKED_WASM_BINDGEN.
       They must be equal (the CLI generates the JS glue for the library's exact version).
       Change [toolchain] wasm-bindgen-cli in wasm-pack.toml, or the \"=\" pin of wasm-bindgen in Cargo.toml, so both agree."
fi

# --- The wasm32 build must turn on the pinned target features (SIMD) --------------------------
for feature in $PIN_TARGET_FEATURES; do
    grep -q -- "target-feature=$feature" .cargo/config.toml 2>/dev/null ||
        die ".cargo/config.toml does not pass -C target-feature=$feature for $PIN_TARGET, which wasm-pack.toml [build] target-features requires."
done

# --- rustup target ---------------------------------------------------------------------------
if rustup target list --installed | grep -qx "$PIN_TARGET"; then
    say "ok   rust target $PIN_TARGET"
else
    say "INSTALL rust target $PIN_TARGET (missing; the browser build compiles for it)"
    rustup target add "$PIN_TARGET"
    INSTALLED+=("rust target $PIN_TARGET")
fi

# --- rustup components of make lint ----------------------------------------------------------
# rustfmt and clippy come with the toolchain's default profile; a minimal profile lacks them.
MISSING_COMPONENTS=()
cargo fmt --version >/dev/null 2>&1 || MISSING_COMPONENTS+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || MISSING_COMPONENTS+=(clippy)
if ((${#MISSING_COMPONENTS[@]})); then
    say "INSTALL rustup components ${MISSING_COMPONENTS[*]} (missing; make lint runs cargo fmt --check and cargo clippy)"
    rustup component add "${MISSING_COMPONENTS[@]}"
    INSTALLED+=("rustup components ${MISSING_COMPONENTS[*]}")
else
    say "ok   rustup components rustfmt, clippy"
fi

# --- cargo-installed tools -------------------------------------------------------------------
# Prints the version a binary reports (second word of `--version`'s first line), or nothing.
tool_version() {
    local out
    # Whole output first: `| head -n 1` could kill the tool with SIGPIPE and fail under pipefail.
    out="$("$1" --version 2>/dev/null)" || return 0
    out="${out%%$'\n'*}"
    set -- $out
    printf '%s' "${2:-}"
}

# ensure_cargo_tool CRATE VERSION LOCKED(yes/no) WHY BIN...
ensure_cargo_tool() {
    local crate=$1 version=$2 locked=$3 why=$4
    shift 4
    local bin have reason=""
    for bin in "$@"; do
        if ! command -v "$bin" >/dev/null; then
            reason="$bin is missing"
            break
        fi
        have="$(tool_version "$bin")"
        if [[ "$have" != "$version" ]]; then
            reason="$bin is ${have:-of unknown version} at $(command -v "$bin"), $version is pinned"
            break
        fi
    done
    if [[ -z "$reason" ]]; then
        say "ok   $crate $version"
        return
    fi
    # --force: replace a binary of another version even if cargo did not install it.
    local flags=(--version "$version" --force)
    [[ "$locked" == yes ]] && flags+=(--locked)
    say "INSTALL $crate $version ($reason; $why). A few minutes on two cores."
    cargo install "$crate" "${flags[@]}"
    INSTALLED+=("$crate $version")
    for bin in "$@"; do
        have="$(tool_version "$bin")"
        [[ "$have" == "$version" ]] ||
            die "after installing $crate $version, '$bin' on PATH is still ${have:-missing} ($(command -v "$bin" || echo 'not found')). Put $CARGO_BIN first on PATH."
    done
}

ensure_cargo_tool wasm-pack "$PIN_WASM_PACK" yes \
    "it builds the crate for the browser and runs the browser tests" \
    wasm-pack
# Not --locked: the lockfile published with wasm-bindgen-cli 0.2.130 locks webpki-roots 1.0.11,
# which has been yanked, so `cargo install --locked` fails to resolve. Without --locked cargo picks
# current compatible dependencies; the CLI's own version (the part that must match) is still exact.
ensure_cargo_tool wasm-bindgen-cli "$PIN_WASM_BINDGEN_CLI" no \
    "wasm-pack uses it to generate the JS glue and to run wasm tests; it must match wasm-bindgen in Cargo.lock" \
    wasm-bindgen wasm-bindgen-test-runner
ensure_cargo_tool geckodriver "$PIN_GECKODRIVER" yes \
    "wasm-pack test --firefox drives Firefox through it" \
    geckodriver

# --- Debian packages -------------------------------------------------------------------------
command -v dpkg-query >/dev/null ||
    die "dpkg-query not found: this setup installs browsers with Debian's apt. On another system install by hand: $PIN_DEBIAN_PACKAGES, Node.js >= 20.19 with npm."

deb_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]; }

MISSING_DEBS=()
for pkg in $PIN_DEBIAN_PACKAGES; do
    if deb_installed "$pkg"; then
        say "ok   debian $pkg"
    else
        MISSING_DEBS+=("$pkg")
    fi
done
# Node.js and npm run the end-to-end tests (e2e/). Install Debian's only if there is none at all.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    MISSING_DEBS+=(nodejs npm)
else
    say "ok   node $(node --version), npm $(npm --version)"
fi

if ((${#MISSING_DEBS[@]})); then
    say "INSTALL debian ${MISSING_DEBS[*]} (missing: firefox-esr and chromium run the browser tests, chromium-driver drives Chromium for wasm-pack test --chrome, slurm-wlm and munge run the one-machine Slurm cluster of tests/slurm.rs, nodejs/npm run wasm-opt and e2e/)"
    if [[ $EUID -eq 0 ]]; then
        APT=(apt-get)
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        APT=(sudo apt-get)
    else
        die "installing Debian packages needs root. Run as root: apt-get update && apt-get install -y ${MISSING_DEBS[*]}"
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${APT[@]}" update
    "${APT[@]}" install -y "${MISSING_DEBS[@]}"
    INSTALLED+=("debian ${MISSING_DEBS[*]}")
fi
for bin in "$PIN_CHROMIUM" "$PIN_CHROMEDRIVER"; do
    [[ -x "$bin" ]] || die "$bin not found although its Debian package is installed; wasm-pack.toml [debian] names the path."
done
# playwright-core (e2e/) needs Node.js >= 20; ESLint 10 (make lint) needs ^20.19, ^22.13 or >= 24.
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit(a >= 24 || (a === 22 && b >= 13) || (a === 20 && b >= 19) ? 0 : 1)' ||
    die "Node.js 20.19+, 22.13+ or 24+ is needed (playwright-core for e2e/, ESLint for make lint); found $(node --version). Install a newer Node.js."
command -v firefox >/dev/null || die "firefox not on PATH although firefox-esr is installed; geckodriver looks for 'firefox'."

# --- wasm-opt: npm package binaryen, into target/web-tools (see wasm-pack.toml for why not Debian's)
WANT_WASM_OPT="version_${PIN_BINARYEN%%.*}"
HAVE_WASM_OPT="$("$WEB_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null || true)"
if [[ "$HAVE_WASM_OPT" == *"($WANT_WASM_OPT)"* ]]; then
    say "ok   binaryen $PIN_BINARYEN (wasm-opt)"
else
    say "INSTALL binaryen $PIN_BINARYEN from npm into target/web-tools (wasm-opt ${HAVE_WASM_OPT:-is missing there}; wasm-pack runs it on release builds)"
    mkdir -p "$WEB_TOOLS"
    npm install --prefix "$WEB_TOOLS" --no-audit --no-fund --save-exact "binaryen@$PIN_BINARYEN"
    INSTALLED+=("binaryen $PIN_BINARYEN")
fi
[[ "$(command -v wasm-opt)" == "$WEB_TOOLS/node_modules/.bin/wasm-opt" ]] ||
    die "wasm-opt on PATH is $(command -v wasm-opt || echo missing), not the pinned one in $WEB_TOOLS/node_modules/.bin."

# --- npm packages of e2e/: playwright-core (end-to-end tests) and ESLint (make lint) ------------
# ESLint and its two companions are pinned in wasm-pack.toml; e2e/package.json and the committed
# e2e/package-lock.json must ask for exactly those versions, and e2e/node_modules must hold them.
LINT_PINS=("eslint=$PIN_ESLINT" "@eslint/js=$PIN_ESLINT_JS" "globals=$PIN_GLOBALS")
# npm_versions NAME: "<package.json> <package-lock.json> <e2e/node_modules>" versions of NAME ("-": none).
npm_versions() {
    node -e '
      const fs = require("fs");
      const read = (p) => { try { return JSON.parse(fs.readFileSync(p, "utf8")); } catch { return null; } };
      const name = process.argv[1];
      const found = [
        read("e2e/package.json")?.devDependencies?.[name],
        read("e2e/package-lock.json")?.packages?.[`node_modules/${name}`]?.version,
        read(`e2e/node_modules/${name}/package.json`)?.version,
      ];
      console.log(found.map((v) => v || "-").join(" "));
    ' "$1"
}
LINT_STALE=""
for pin in "${LINT_PINS[@]}"; do
    name=${pin%=*} want=${pin##*=}
    read -r in_json in_lock in_modules <<<"$(npm_versions "$name")"
    [[ "$in_json" == "$want" && "$in_lock" == "$want" ]] ||
        die "version mismatch: wasm-pack.toml pins $name $want, but e2e/package.json asks for $in_json and e2e/package-lock.json locks $in_lock.
       They must be equal. Change [toolchain] in wasm-pack.toml, or run: (cd e2e && npm install --save-exact --save-dev $name@$want)"
    [[ "$in_modules" == "$want" ]] || LINT_STALE="${LINT_STALE:-$name is ${in_modules/#-/missing} in e2e/node_modules, $want is pinned}"
done
# `npm ci` when node_modules is missing, was installed from another package-lock.json or another
# node, or does not hold a pinned version.
if [[ -f e2e/package-lock.json ]]; then
    STAMP=e2e/node_modules/.pathscope-lock.sha256
    WANT="$(sha256sum e2e/package-lock.json | cut -d' ' -f1) node-$(node --version)"
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -z "$LINT_STALE" ]]; then
        say "ok   e2e npm packages (playwright-core; eslint $PIN_ESLINT, @eslint/js $PIN_ESLINT_JS, globals $PIN_GLOBALS)"
    else
        if [[ ! -d e2e/node_modules ]]; then
            why="e2e/node_modules is missing"
        elif [[ -n "$LINT_STALE" ]]; then
            why="$LINT_STALE"
        else
            why="e2e/package-lock.json or node changed since the last npm ci"
        fi
        say "INSTALL e2e npm packages with npm ci ($why; the end-to-end tests drive Chromium with playwright-core, make lint runs eslint)"
        (cd e2e && npm ci --no-audit --no-fund)
        printf '%s\n' "$WANT" >"$STAMP"
        INSTALLED+=("e2e npm packages")
    fi
    for pin in "${LINT_PINS[@]}"; do
        name=${pin%=*} want=${pin##*=}
        read -r _ _ in_modules <<<"$(npm_versions "$name")"
        [[ "$in_modules" == "$want" ]] || die "after npm ci in e2e/, e2e/node_modules holds $name $in_modules, not the pinned $want."
    done
fi

# --- check-jsonschema (PyPI) into target/py-tools: make lint validates the GitHub workflows --------
# Every package at the exact version of scripts/lint-requirements.txt (--no-deps: nothing else),
# whose check-jsonschema must be the one wasm-pack.toml pins. A stamp (hash of that file and the
# Python version) says when the virtualenv is up to date.
PY_TOOLS="$ROOT/target/py-tools"
LINT_REQUIREMENTS=scripts/lint-requirements.txt
grep -qx "check-jsonschema==$PIN_CHECK_JSONSCHEMA" "$LINT_REQUIREMENTS" ||
    die "version mismatch: wasm-pack.toml pins check-jsonschema $PIN_CHECK_JSONSCHEMA, but $LINT_REQUIREMENTS asks for $(grep -o '^check-jsonschema==.*' "$LINT_REQUIREMENTS" || echo 'none').
       They must be equal: see the comment at [toolchain] check-jsonschema in wasm-pack.toml."
PY_STAMP="$PY_TOOLS/.pathscope-requirements.sha256"
PY_WANT="$(sha256sum "$LINT_REQUIREMENTS" | cut -d' ' -f1) $(python3 --version 2>&1)"
if [[ -f "$PY_STAMP" && "$(cat "$PY_STAMP")" == "$PY_WANT" && -x "$PY_TOOLS/bin/check-jsonschema" ]]; then
    say "ok   check-jsonschema $PIN_CHECK_JSONSCHEMA (target/py-tools)"
else
    say "INSTALL check-jsonschema $PIN_CHECK_JSONSCHEMA into target/py-tools (a virtualenv; ${PY_TOOLS##*/} is missing or was made from another $LINT_REQUIREMENTS or Python; make lint validates .github/workflows/ with it)"
    rm -rf "$PY_TOOLS"
    python3 -m venv "$PY_TOOLS" ||
        die "python3 -m venv failed; on Debian install python3-venv (apt-get install python3-venv)."
    "$PY_TOOLS/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$LINT_REQUIREMENTS"
    printf '%s\n' "$PY_WANT" >"$PY_STAMP"
    INSTALLED+=("check-jsonschema $PIN_CHECK_JSONSCHEMA")
fi
have="$("$PY_TOOLS/bin/check-jsonschema" --version 2>/dev/null || true)"
[[ "$have" == *" $PIN_CHECK_JSONSCHEMA" ]] ||
    die "after installing, target/py-tools/bin/check-jsonschema reports '${have:-nothing}', not $PIN_CHECK_JSONSCHEMA."

if ((${#INSTALLED[@]})); then
    joined="$(printf '%s; ' "${INSTALLED[@]}")"
    say "done in $((SECONDS - START))s; installed: ${joined%; }"
else
    say "done in $((SECONDS - START))s; everything was already in place, nothing installed"
fi
