#!/usr/bin/env bash
# `make bench`: build, run every benchmark of issue 5 on this machine, print one side-by-side table.
#
#   bash bench/run.sh            (after scripts/setup.sh; `make bench` does both)
#
# Steps, each logged to out/bench/<step>.log:
#   1. cargo build --release (native) and scripts/build.sh (release wasm into www/pkg)
#   2. native:    ./target/release/pathscope bench (and native-f32x4: the same with
#                 PATHSCOPE_NO_AVX=1, the f32x4 kernels instead of AVX)
#   3. pytorch-1, pytorch-2: bench/pytorch_baseline.py --threads 1, then --threads 2
#   4. browser:   node e2e/bench.mjs (bench page in headless Chromium and Firefox, wasm size, time
#                 to interactive of the main page)
#   5. bench/report.py: the table, the targets of issue 5 (met / not met), machine and versions
# A failed step does not stop the others; the exit status is non-zero if any step failed
# (a target that is not met is a result, not a failure).
#
# Environment:
#   BENCH_QUICK=1   shorter runs (pathscope bench --quick, fewer PyTorch repetitions, 300 ms per
#                   browser operation): for trying the pipeline, not for numbers.
#   BENCH_FIG5=1    also time the main page's figure-5 preset (2 x 10,000 epochs, two workers) in
#                   headless Chromium (adds up to a few minutes).
#   PYTHON          the Python with torch (default python3).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
PYTHON="${PYTHON:-python3}"
# No bench/__pycache__ from importing bench/reference_model.py: nothing to clean up or ignore.
export PYTHONDONTWRITEBYTECODE=1
OUT="$ROOT/out/bench"
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.json "$OUT"/status

trap 'exit 130' INT
trap 'exit 143' TERM

QUICK="${BENCH_QUICK:-0}"
NATIVE_ARGS=()
TORCH_ARGS=()
BROWSER_ARGS=(--json "$OUT/browser.json")
if [[ "$QUICK" == 1 ]]; then
    NATIVE_ARGS+=(--quick)
    TORCH_ARGS+=(--reps 0.2)
    BROWSER_ARGS+=(--budget 300)
fi
[[ "${BENCH_FIG5:-0}" == 1 ]] && BROWSER_ARGS+=(--fig5)

FAILED=0
# step NAME COMMAND...: runs COMMAND, output to the terminal and out/bench/NAME.log; records status.
step() {
    local name=$1
    shift
    printf '\n===== bench: %s =====\n' "$name"
    printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    "$@" 2>&1 | tee "$OUT/$name.log"
    local status=${PIPESTATUS[0]}
    printf '%s %s\n' "$name" "$status" >>"$OUT/status"
    if ((status != 0)); then
        echo "bench: step '$name' failed (exit $status); see out/bench/$name.log"
        FAILED=1
    fi
    return "$status"
}

{ uptime; cut -d' ' -f1-3 /proc/loadavg; } >"$OUT/load-start.txt"

step build-native cargo build --release --bin pathscope
step build-wasm bash scripts/build.sh
WASM_OK=$?

if [[ -x target/release/pathscope ]]; then
    step native ./target/release/pathscope bench "${NATIVE_ARGS[@]}"
    # The native matrix kernel is 8 wide (AVX) where the CPU has it; the peak micro-benchmark is
    # f32x4. Run once more on the f32x4 kernels so "MLP vs f32x4 peak" compares like with like.
    step native-f32x4 env PATHSCOPE_NO_AVX=1 ./target/release/pathscope bench "${NATIVE_ARGS[@]}"
fi

if "$PYTHON" -c 'import torch' 2>/dev/null; then
    step pytorch-1 "$PYTHON" bench/pytorch_baseline.py --threads 1 "${TORCH_ARGS[@]}"
    step pytorch-2 "$PYTHON" bench/pytorch_baseline.py --threads 2 "${TORCH_ARGS[@]}"
else
    printf '\n===== bench: pytorch =====\n'
    echo "bench: torch is not installed for $PYTHON; the PyTorch columns stay empty."
    echo "       Install it with: $PYTHON -m pip install -r bench/requirements.txt"
    echo "pytorch-missing 0" >>"$OUT/status"
fi

if ((WASM_OK == 0)) || [[ -f www/pkg/pathscope_bg.wasm && -f www/pkg/pathscope.js ]]; then
    ((WASM_OK == 0)) || echo "bench: the wasm build failed; the browser bench runs what www/pkg holds (after a failed wasm-opt: this code without wasm-opt)"
    step browser bash -c 'cd e2e && exec node bench.mjs "$@"' bench "${BROWSER_ARGS[@]}"
else
    echo "bench: no www/pkg to run the browser bench on (the wasm build failed)"
fi

{ uptime; cut -d' ' -f1-3 /proc/loadavg; } >"$OUT/load-end.txt"

printf '\n===== bench: summary =====\n'
"$PYTHON" bench/report.py "$OUT" | tee "$OUT/report.txt"
((PIPESTATUS[0] == 0)) || FAILED=1
echo "(logs and JSON: out/bench/; this table: out/bench/report.txt)"
exit "$FAILED"
