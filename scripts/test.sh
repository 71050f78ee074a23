#!/usr/bin/env bash
# Run the test suites and print a summary; exit non-zero if any suite failed.
#
#   scripts/test.sh [lint] [native] [firefox] [chrome] [e2e]   (no argument: all five, in this order)
#
# Run scripts/setup.sh first (`make test` does). Every requested suite runs even if an earlier one
# failed, so one run shows all failures. Each suite's full output is also kept in out/test/<suite>.log.
# The lint suite (scripts/lint.sh) counts each tool as one test: rustfmt, clippy native, clippy
# wasm32, eslint, the workflow schema check and its self-test.
#
# Environment:
#   WASM_BINDGEN_TEST_TIMEOUT   seconds a browser test binary may run (default here: 600)
#   CHROMIUM                    browser for the e2e tests (default from wasm-pack.toml)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ALL_SUITES=(lint native firefox chrome e2e)
SUITES=("$@")
((${#SUITES[@]})) || SUITES=("${ALL_SUITES[@]}")
for suite in "${SUITES[@]}"; do
    [[ " ${ALL_SUITES[*]} " == *" $suite "* ]] || {
        echo "test: unknown suite '$suite'; choose from: ${ALL_SUITES[*]}" >&2
        exit 2
    }
done

# The runner's default (20 s) is too short for browser tests that train a model.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
export CHROMIUM="${CHROMIUM:-$PIN_CHROMIUM}"
GECKODRIVER_BIN="$(command -v geckodriver)" || { echo "test: geckodriver not on PATH; run scripts/setup.sh" >&2; exit 1; }
# wasm-bindgen-test-runner picks its browser from whichever of GECKODRIVER, SAFARIDRIVER and
# CHROMEDRIVER is set, in that order: an inherited GECKODRIVER would run the "chrome" suite in
# Firefox. So none is inherited; each suite passes only its own driver.
unset GECKODRIVER SAFARIDRIVER CHROMEDRIVER

LOG_DIR="$ROOT/out/test"
mkdir -p "$LOG_DIR"

trap 'exit 130' INT
trap 'exit 143' TERM

# --- The suites (each runs in a subshell; its exit status is the suite's result) ---------------
suite_lint() {
    bash scripts/lint.sh
}

suite_native() {
    # --no-fail-fast: one run lists every failing test binary. (wasm-pack test cannot pass it on:
    # it hands extra arguments to `cargo build` too, which refuses it.)
    local status=0
    cargo test --all-targets --no-fail-fast || status=$?
    cargo test --doc || status=$?
    return "$status"
}

# wasm_pack_test BROWSER-NAME ARGS...: wasm-pack test, then check the runner really used that
# browser (it prints "Running headless tests in <browser>") and no other.
wasm_pack_test() {
    local browser=$1 out
    shift
    out="$(mktemp)"
    wasm-pack test "$@" 2>&1 | tee "$out"
    if grep -q 'Running headless tests in' "$out" && grep 'Running headless tests in' "$out" | grep -vq "in $browser"; then
        echo "test: some browser tests ran in another browser than $browser:" >&2
        grep 'Running headless tests in' "$out" | sort | uniq -c >&2
        rm -f "$out"
        return 1
    fi
    rm -f "$out"
}

suite_firefox() {
    GECKODRIVER="$GECKODRIVER_BIN" wasm_pack_test Firefox --headless --firefox --geckodriver "$GECKODRIVER_BIN"
}

suite_chrome() {
    CHROMEDRIVER="$PIN_CHROMEDRIVER" wasm_pack_test Chrome --headless --chrome --chromedriver "$PIN_CHROMEDRIVER"
}

suite_e2e() {
    bash scripts/build.sh
    # dist/ from that build (no second wasm build): e2e/tests/hosting.test.mjs serves it.
    bash scripts/dist.sh
    local server_log="$LOG_DIR/e2e-server.log"
    python3 scripts/serve.py --port 0 >"$server_log" 2>&1 &
    local server_pid=$!
    # This suite runs in its own subshell: stop the server whenever it ends (pass, fail, Ctrl-C).
    trap "kill $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true" EXIT
    local url="" _
    for _ in $(seq 100); do
        url="$(grep -o 'http://[^ ]*/' "$server_log" | head -n 1 || true)"
        [[ -n "$url" ]] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$url" ]]; then
        echo "test: the page server did not start:" >&2
        cat "$server_log" >&2
        return 1
    fi
    echo "test: page served at $url (server log: $server_log)"
    (cd e2e && PATHSCOPE_BASE_URL="$url" node --test --test-reporter=spec tests/)
}

# Prints "PASSED FAILED RUNS" as counted in a suite's log (cargo's "test result:" lines, node's
# closing "ℹ pass N" / "ℹ fail N", or lint.sh's "lint: ok" / "lint: FAIL" line per tool).
counts() {
    local log=$1
    case $2 in
    lint) awk '/^lint: ok /{p++} /^lint: FAIL /{f++} END {printf "%d %d %d", p, f, p + f}' "$log" ;;
    e2e) awk '/^ℹ pass /{p = $3} /^ℹ fail /{f = $3; n = 1} END {printf "%d %d %d", p, f, n}' "$log" ;;
    *) awk '/^test result:/{gsub(";", ""); p += $4; f += $6; n++} END {printf "%d %d %d", p, f, n}' "$log" ;;
    esac
}

declare -A RESULT DURATION
FAILED=0
for suite in "${SUITES[@]}"; do
    log="$LOG_DIR/$suite.log"
    printf '\n===== test suite: %s =====\n' "$suite"
    start=$SECONDS
    set +e
    (
        set -euo pipefail
        trap 'exit 130' INT
        trap 'exit 143' TERM
        "suite_$suite"
    ) 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    DURATION[$suite]=$((SECONDS - start))
    if ((status == 0)); then RESULT[$suite]=PASS; else RESULT[$suite]="FAIL (exit $status)"; FAILED=1; fi
done

printf '\n===== test summary =====\n'
TOTAL_PASSED=0
TOTAL_FAILED=0
for suite in "${SUITES[@]}"; do
    case $suite in
    lint) what="fmt, clippy, eslint, workflow schema" ;;
    native) what="cargo test --all-targets, --doc (native)" ;;
    firefox) what="wasm-pack test --headless --firefox (Firefox)" ;;
    chrome) what="wasm-pack test --headless --chrome (Chromium)" ;;
    e2e) what="e2e/ with node --test (Chromium and Firefox, served page)" ;;
    esac
    read -r passed failed runs <<<"$(counts "$LOG_DIR/$suite.log" "$suite")"
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    # A suite that failed before any test could fail (a build error) counts as one failure.
    if [[ ${RESULT[$suite]} != PASS && $failed -eq 0 ]]; then
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
    else
        TOTAL_FAILED=$((TOTAL_FAILED + failed))
    fi
    printf '%-8s %-4s %5ss  %-46s %4d passed, %d failed (%d test runs)\n' \
        "$suite" "${RESULT[$suite]%% *}" "${DURATION[$suite]}" "$what" "$passed" "$failed" "$runs"
done
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
printf 'logs: %s/<suite>.log\n' "${LOG_DIR#"$ROOT"/}"
if ((FAILED)); then
    echo "RESULT: FAIL"
    exit 1
fi
echo "RESULT: PASS"
