#!/usr/bin/env bash
# The long fuzz run (`make fuzz`): a million inputs for each target, then one line per target.
#
#   config    the config parser and validator (ValidConfig::from_json)          tests/fuzz.rs
#   fixture   the gradcheck fixture reader (Fixture::parse, size checks, run)  tests/fuzz.rs
#   url       the page's address parser (parseHash in www/url-state.js)        e2e/tests/fuzz-url.test.mjs
#
# The same harnesses run a few seconds' worth under `make test` (native and e2e suites). Each
# target prints: inputs tried, accepted, rejected, panics (exceptions), hangs, violations of a
# promise (heap over budget, a refusal naming no field, a config that does not read back), the
# longest time one input took and the peak heap. Any panic, hang or violation fails the run; the
# input is saved to out/fuzz/. Logs: out/fuzz/<target>.log.
#
# Environment: PATHSCOPE_FUZZ_INPUTS (default 1000000), PATHSCOPE_FUZZ_SEED (default fixed: the
# same run each time; set another to explore further).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

export PATHSCOPE_FUZZ_INPUTS="${PATHSCOPE_FUZZ_INPUTS:-1000000}"
LOG_DIR="$ROOT/out/fuzz"
mkdir -p "$LOG_DIR"
FAILED=()

echo "fuzz: $PATHSCOPE_FUZZ_INPUTS inputs per target (seed ${PATHSCOPE_FUZZ_SEED:-default}); logs in ${LOG_DIR#"$ROOT"/}/"
for target in config fixture; do
    echo "fuzz: $target ..."
    case $target in
    config) filter=fuzz_config_parser_and_validator ;;
    fixture) filter=fuzz_gradcheck_fixture_reader ;;
    esac
    # The counting allocator is global: one target at a time.
    if ! cargo test --test fuzz -- --nocapture --test-threads 1 --exact "$filter" >"$LOG_DIR/$target.log" 2>&1; then
        FAILED+=("$target")
    fi
done
echo "fuzz: url ..."
if ! (cd e2e && node --test --test-reporter=spec tests/fuzz-url.test.mjs) >"$LOG_DIR/url.log" 2>&1; then
    FAILED+=("url")
fi

echo
for target in config fixture url; do
    line="$(grep -ao "fuzz $target: .*" "$LOG_DIR/$target.log" | tail -n 1)"
    echo "${line:-fuzz $target: no summary (aborted: a hang, or a build error); see ${LOG_DIR#"$ROOT"/}/$target.log}"
done
if ((${#FAILED[@]})); then
    echo "fuzz: FAIL: ${FAILED[*]} (the inputs are saved in ${LOG_DIR#"$ROOT"/}/; the logs say which)"
    exit 1
fi
echo "fuzz: ok"
