#!/usr/bin/env python3
"""Print the side-by-side benchmark table of `make bench` from the logs bench/run.sh leaves.

    python3 bench/report.py [out/bench] [--markdown]

Reads native.log (`native ...` line of `pathscope bench`), pytorch-1.log and pytorch-2.log
(`pytorch threads=...` line of bench/pytorch_baseline.py), browser.json (e2e/bench.mjs --json),
status and load-*.txt. Prints: machine, threads and versions; one table, operation x {PyTorch 1
thread, PyTorch 2 threads, native, Chromium, Firefox} in ms with the ratio to PyTorch 1 thread;
the targets of issue 5 with met / not met; with --markdown, both tables again as Markdown (for
the README's Performance section). Standard library only. Exit status: 1 if a step of
bench/run.sh failed, else 0 (a target that is not met is a result, not a failure).
"""

import json
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

COLUMNS = [
    ("pytorch1", "PyTorch 1 thr"),
    ("pytorch2", "PyTorch 2 thr"),
    ("native", "native"),
    ("native_f32x4", "native f32x4"),
    ("chromium", "Chromium"),
    ("firefox", "Firefox"),
]


def kv_line(path: Path, prefix: str):
    """The key=value pairs of the last line of `path` that starts with `prefix `."""
    if not path.is_file():
        return None
    found = None
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith(prefix + " "):
            found = line
    if found is None:
        return None
    out = {}
    for word in found.split()[1:]:
        if "=" in word:
            k, v = word.split("=", 1)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def grep(path: Path, pattern: str):
    if not path.is_file():
        return None
    m = re.search(pattern, path.read_text(errors="replace"), re.M)
    return m.group(1).strip() if m else None


def command_version(*cmd):
    if not shutil.which(cmd[0]):
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out.splitlines()[0] if out else None


def cpu():
    model, logical, cores = "unknown CPU", 0, set()
    phys = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                logical += 1
            elif line.startswith("physical id"):
                phys = line.split(":", 1)[1].strip()
            elif line.startswith("core id"):
                cores.add((phys, line.split(":", 1)[1].strip()))
    except OSError:
        pass
    return model, logical, len(cores) or None


def fmt_ms(x, digits=3):
    return f"{x:.{digits}f}" if isinstance(x, float) else "-"


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--markdown"]
    markdown = "--markdown" in sys.argv[1:]
    out = Path(args[0] if args else "out/bench")
    status = {}
    if (out / "status").is_file():
        for line in (out / "status").read_text().splitlines():
            name, code = line.split()
            status[name] = int(code)
    failed_steps = [n for n, c in status.items() if c != 0]

    r = {
        "native": kv_line(out / "native.log", "native"),
        "native_f32x4": kv_line(out / "native-f32x4.log", "native"),
        "pytorch1": kv_line(out / "pytorch-1.log", "pytorch"),
        "pytorch2": kv_line(out / "pytorch-2.log", "pytorch"),
    }
    browser = {}
    if (out / "browser.json").is_file():
        browser = json.loads((out / "browser.json").read_text())
    for engine in ("chromium", "firefox"):
        e = browser.get("engines", {}).get(engine)
        r[engine] = e if e and "error" not in e else None

    # --- Machine, threads, versions ---------------------------------------------------------
    model, logical, physical = cpu()
    torch_versions = grep(out / "pytorch-1.log", r"^versions: (.*)$")
    torch_cap = grep(out / "pytorch-1.log", r"torch CPU capability (\w+)")
    versions = [
        ("rustc", command_version("rustc", "--version")),
        ("wasm-bindgen", command_version("wasm-bindgen", "--version")),
        ("PyTorch", torch_versions or "not installed (pip install -r bench/requirements.txt)"),
        ("Chromium", browser.get("versions", {}).get("chromium") or command_version("chromium", "--version")),
        ("Firefox", browser.get("versions", {}).get("firefox") or command_version("firefox-esr", "--version")),
        ("node", command_version("node", "--version")),
    ]
    load = {}
    for when in ("start", "end"):
        p = out / f"load-{when}.txt"
        load[when] = p.read_text().splitlines()[-1].strip() if p.is_file() else "?"
    print(f"machine: {model}, {logical} logical CPUs ({physical or '?'} physical cores), {platform.machine()}, Linux {platform.release()}")
    print(
        "threads: native 1 (the main thread), each browser 1 module Web Worker, PyTorch 1 and 2 "
        f"(torch.set_num_threads; CPU capability {torch_cap or '?'})"
    )
    print("versions: " + "; ".join(f"{k} {v}" for k, v in versions if v))
    print(f"load average (1, 5, 15 min) at start: {load['start']}, at end: {load['end']} "
          f"({logical} CPUs; above ~1.5 other processes share the cores and the timings are noisy)")
    print("setting: figure 5 (T=12, k=5, d=32, h=128, V=4, n=2048, p=4), float32; medians of repeated runs")
    print()

    # --- The table --------------------------------------------------------------------------
    base = r["pytorch1"]

    def cell(col, key, digits=3):
        v = (r[col] or {}).get(key)
        if not isinstance(v, float):
            return "-"
        text = f"{v:.{digits}f}"
        if col != "pytorch1" and base and isinstance(base.get(key), float) and base[key] > 0:
            text += f" ({v / base[key]:.2f}x)"
        return text

    def plain(col, key, digits=2):
        v = (r[col] or {}).get(key)
        return f"{v:.{digits}f}" if isinstance(v, float) else "-"

    def mlp_share(col):
        v = r[col] or {}
        if isinstance(v.get("mlp_gflops"), float) and isinstance(v.get("peak_gflops"), float) and v["peak_gflops"] > 0:
            return f"{100 * v['mlp_gflops'] / v['peak_gflops']:.0f}%"
        return "-"

    rows = [
        ("training epoch, n=2048 (ms)", lambda c: cell(c, "epoch_ms")),
        ("test evaluation, 2048 seqs (ms)", lambda c: cell(c, "eval_ms")),
        ("minibatch step of 32 (ms)", lambda c: cell(c, "step32_ms", 4)),
        ("epoch GFLOP/s (120 MFLOP)", lambda c: plain(c, "gflops")),
        ("MLP kernels GFLOP/s", lambda c: plain(c, "mlp_gflops")),
        ("f32x4 peak GFLOP/s (same run)", lambda c: plain(c, "peak_gflops")),
        ("MLP / peak", mlp_share),
    ]
    header = ["operation"] + [label for _, label in COLUMNS]
    body = [[label] + [get(col) for col, _ in COLUMNS] for label, get in rows]
    md_tables = [(header, body)]
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
    def line(row):
        return "  ".join((v.ljust(widths[i]) if i == 0 else v.rjust(widths[i])) for i, v in enumerate(row))

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for row in body:
        print(line(row))
    print("(x) = time / PyTorch 1-thread time: 0.50x is twice as fast. '-' = not measured.")
    if not base:
        print("PyTorch was not measured: install it with `pip install -r bench/requirements.txt` (CPU is enough).")
    print()

    # --- Targets of issue 5 -----------------------------------------------------------------
    targets = []  # (name, measured text, target text, met: True/False/None)

    def ratio_target(name, col, limit):
        if r[col] and base:
            q = r[col]["epoch_ms"] / base["epoch_ms"]
            margin = limit / q
            targets.append((name, f"{q:.3f} ({r[col]['epoch_ms']:.2f} / {base['epoch_ms']:.2f} ms)", f"<= {limit:.2f}",
                            q <= limit, f"{margin:.2f}x margin" if q <= limit else f"{q / limit:.2f}x too slow"))
        else:
            targets.append((name, "not measured", f"<= {limit:.2f}", None, ""))

    ratio_target("Chromium epoch / PyTorch 1 thread", "chromium", 0.5)
    ratio_target("native epoch / PyTorch 1 thread", "native", 0.2)
    for col, label in (("native_f32x4", "native f32x4 kernels"), ("native", "native AVX kernels*"), ("chromium", "Chromium"), ("firefox", "Firefox")):
        v = r[col]
        if v and isinstance(v.get("mlp_gflops"), float) and v.get("peak_gflops"):
            share = v["mlp_gflops"] / v["peak_gflops"]
            targets.append((f"MLP GFLOP/s / f32x4 peak, {label}", f"{100 * share:.0f}% ({v['mlp_gflops']:.2f} / {v['peak_gflops']:.2f})",
                            ">= 60%", share >= 0.6, f"{share / 0.6:.2f}x margin" if share >= 0.6 else f"{0.6 - share:.0%} short"))
        else:
            targets.append((f"MLP GFLOP/s / f32x4 peak, {label}", "not measured", ">= 60%", None, ""))
    wasm = browser.get("wasm")
    if wasm:
        kib = wasm["gz_bytes"] / 1024
        targets.append(("release wasm, gzip -9", f"{kib:.1f} KiB ({wasm['raw_bytes'] / 1024:.0f} KiB raw)", "<= 400 KiB", kib <= 400,
                        f"{400 - kib:.0f} KiB to spare" if kib <= 400 else f"{kib - 400:.0f} KiB over"))
    else:
        targets.append(("release wasm, gzip -9", "not measured", "<= 400 KiB", None, ""))
    tti = browser.get("tti")
    if tti and "error" not in tti:
        ms = tti["median_ms"]
        targets.append(("time to interactive, Chromium, localhost", f"{ms:.0f} ms (median of {len(tti['runs'])}; first {tti['first_ms']:.0f})",
                        "<= 1000 ms", ms <= 1000, f"{1000 / ms:.1f}x margin" if ms <= 1000 else f"{ms - 1000:.0f} ms over"))
    else:
        why = tti.get("error", "") if tti else ""
        targets.append(("time to interactive, Chromium, localhost", "not measured" + (f" ({why[:60]})" if why else ""), "<= 1000 ms", None, ""))
    fig5 = browser.get("fig5")
    if fig5 and "error" not in fig5:
        s = fig5["seconds"]
        targets.append(("figure-5 preset in the page (2 workers)", f"{s:.1f} s", "<= 150 s", s <= 150,
                        f"{150 / s:.2f}x margin" if s <= 150 else f"{s - 150:.0f} s over"))
    else:
        why = fig5.get("error", "") if fig5 else "BENCH_FIG5=1 make bench"
        targets.append(("figure-5 preset in the page (2 workers)", f"not measured ({why[:60]})", "<= 150 s", None, ""))

    header = ["target (issue 5)", "measured", "target", "result", ""]
    body = [[n, m, t, {True: "met", False: "NOT MET", None: "-"}[ok], note] for n, m, t, ok, note in targets]
    md_tables.append((header[:4] + ["margin"], body))
    widths = [max(len(row[i]) for row in [header] + body) for i in range(len(header))]
    for row in [header] + body:
        print("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip())
    met = sum(1 for t in targets if t[3] is True)
    not_met = sum(1 for t in targets if t[3] is False)
    unmeasured = sum(1 for t in targets if t[3] is None)
    print("* natively the matrix kernel runs 8 wide (AVX) where the CPU has it, against an f32x4 peak: not like for like;")
    print("  'native f32x4' is the same binary with PATHSCOPE_NO_AVX=1 (f32x4 kernels, the same per-element order).")
    if r["firefox"] and base:
        print(f"(Firefox epoch / PyTorch 1 thread: {r['firefox']['epoch_ms'] / base['epoch_ms']:.3f}; reported, no target of its own)")
    print(f"targets: {met} met, {not_met} not met, {unmeasured} not measured")
    if markdown:
        for header, body in md_tables:
            print()
            print("| " + " | ".join(header) + " |")
            print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
            for row in body:
                print("| " + " | ".join(v.replace("|", "\\|") for v in row) + " |")
    if failed_steps:
        print(f"FAILED steps: {', '.join(failed_steps)} (see out/bench/<step>.log)")
        if "build-wasm" in failed_steps and r["chromium"]:
            print("note: the wasm build failed, so the browser numbers are of whatever www/pkg holds (after a failed "
                  "wasm-opt: this code, not optimized by wasm-opt; the wasm size too)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
