#!/usr/bin/env bash
# Lint everything, running every tool even after one fails, and say which failed:
#
#   cargo fmt --check                                            Rust formatting (rustfmt.toml)
#   cargo clippy --all-targets -- -D warnings                    native: library, CLI, tests
#   cargo clippy --lib --tests --target wasm32-unknown-unknown -- -D warnings
#                                                                the browser build: the library
#                                                                with src/wasm/ (cfg'd to wasm32)
#                                                                and the test targets wasm-pack
#                                                                test builds (tests/web*.rs); the
#                                                                CLI is native only
#   eslint (e2e/eslint.config.js) on www/ and e2e/               the page's and the tests' JavaScript
#   check-jsonschema --builtin-schema vendor.github-workflows    .github/workflows/*.yml against the
#                                                                GitHub workflow schema; and a broken
#                                                                workflow, which it must refuse
#
# Each tool prints "lint: ok   <tool>" or "lint: FAIL <tool> (exit N)"; the last lines name the
# failed tools and count them ("lint: N passed, N failed"). Exit status: 0 if every tool passed.
# Run scripts/setup.sh first (make lint does): it installs the wasm32 target, clippy, rustfmt,
# ESLint (e2e/node_modules) and check-jsonschema (target/py-tools), versions pinned in wasm-pack.toml.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ESLINT="$ROOT/e2e/node_modules/.bin/eslint"
PASSED=()
FAILED=()

# run NAME COMMAND...: runs one tool and records its result under NAME.
run() {
    local name=$1 status
    shift
    printf '\n--- lint: %s: %s\n' "$name" "$*"
    "$@"
    status=$?
    if ((status == 0)); then
        echo "lint: ok   $name"
        PASSED+=("$name")
    else
        echo "lint: FAIL $name (exit $status)"
        FAILED+=("$name")
    fi
}

missing() {
    local name=$1 why=$2
    printf '\n--- lint: %s\nlint: FAIL %s (%s)\n' "$name" "$name" "$why"
    FAILED+=("$name")
}

run "cargo fmt" cargo fmt --check
run "cargo clippy (native)" cargo clippy --keep-going --all-targets -- -D warnings
run "cargo clippy (wasm32)" cargo clippy --keep-going --lib --tests --target "$PIN_TARGET" -- -D warnings
if [[ -x "$ESLINT" ]]; then
    run "eslint (www/, e2e/)" "$ESLINT" --config e2e/eslint.config.js --max-warnings 0 www e2e
else
    missing "eslint (www/, e2e/)" "$ESLINT is missing; run scripts/setup.sh"
fi

# The GitHub workflows against the schema check-jsonschema ships (offline), and the check itself
# against a workflow it must refuse (scripts/lint-fixtures/broken-workflow.yml), naming both mistakes.
refuses_broken_workflow() {
    local out
    if out="$("$CHECK_JSONSCHEMA" --builtin-schema vendor.github-workflows scripts/lint-fixtures/broken-workflow.yml 2>&1)"; then
        echo "check-jsonschema accepted scripts/lint-fixtures/broken-workflow.yml, which has two mistakes"
        return 1
    fi
    grep -q "'runs-on' is a required property" <<<"$out" && grep -q "'admin' is not one of" <<<"$out" || {
        printf 'check-jsonschema refused the broken workflow, but did not name both mistakes:\n%s\n' "$out"
        return 1
    }
    echo "refused, naming both mistakes (no runs-on; pages: admin)"
}
CHECK_JSONSCHEMA="$ROOT/target/py-tools/bin/check-jsonschema"
if [[ -x "$CHECK_JSONSCHEMA" ]]; then
    run "workflow schema (.github/workflows)" "$CHECK_JSONSCHEMA" --builtin-schema vendor.github-workflows .github/workflows/*.yml
    run "workflow schema refuses a broken workflow" refuses_broken_workflow
else
    missing "workflow schema (.github/workflows)" "$CHECK_JSONSCHEMA is missing; run scripts/setup.sh"
fi

echo
if ((${#FAILED[@]})); then
    joined="$(printf '%s, ' "${FAILED[@]}")"
    echo "lint: failed: ${joined%, }"
else
    echo "lint: every tool passed"
fi
echo "lint: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
((${#FAILED[@]} == 0))
