"""Rates from results files (docs/results-format.md): one Markdown table, per group of runs.

Lines are grouped by (source, sweep, arm, setting). For each group the table gives the number of
runs and, for each of the three conditions of docs/results-format.md, the count, the rate and its
95% Wilson score interval:

    test > 0.95    final test accuracy above 0.95 ("generalizes")
    test > 0.5     final test accuracy above 0.5 (includes the partial solution, sum mod 2)
    train = 1      final train accuracy equal to 1.0 ("fits the training set")

A run counts if its status is "finished" or "diverged" (a diverged run is an outcome, and a
condition on a missing metric is not met); "unfinished" lines are left out and counted in a note.
A line whose id (with its source and sweep) was already read is skipped with a warning, so a file
given twice counts once. Lines of an unknown `format` are refused.

Groups are named source/sweep/arm followed by the setting's name=value pairs, for example
`pytorch/fig5/curriculum/adam=fresh` or `pytorch/fig5/scratch` (setting {}). For each --pair A B
the two groups' rates are compared with Fisher's exact test (two-sided), condition by condition.

Standard library only (the intervals and the test are bench/rates.py's).

    python bench/summarize.py docs/results/pytorch-fig5.jsonl \\
        --pair pytorch/fig5/curriculum/adam=fresh pytorch/fig5/scratch
    python bench/summarize.py --self-check      (tests/fixtures/results/small.jsonl, rates by hand)
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rates import fisher_exact, wilson  # noqa: E402

FORMAT = "pathscope-result/1"
COUNTED = ("finished", "diverged")
CONDITIONS = (
    ("test > 0.95", lambda f: f.get("test_acc") is not None and f["test_acc"] > 0.95),
    ("test > 0.5", lambda f: f.get("test_acc") is not None and f["test_acc"] > 0.5),
    ("train = 1", lambda f: f.get("train_acc") is not None and f["train_acc"] == 1.0),
)
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "tests", "fixtures", "results", "small.jsonl")


def value_text(v):
    return v if isinstance(v, str) else json.dumps(v)


def group_name(line):
    parts = [line["source"], line["sweep"], line["arm"]]
    parts += [f"{k}={value_text(v)}" for k, v in line["setting"].items()]
    return "/".join(parts)


def normalize(name):
    """A group name with its settings in sorted order, so --pair does not depend on their order."""
    parts = name.split("/")
    return "/".join(parts[:3] + sorted(parts[3:]))


class Group:
    def __init__(self, name):
        self.name = name
        self.runs = []  # the counted lines
        self.unfinished = 0


def read(paths, warn=lambda s: print(s, file=sys.stderr)):
    """The groups of the given files, in the order first seen."""
    groups, seen = {}, set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                if not text.strip():
                    continue
                line = json.loads(text)
                if line.get("format") != FORMAT:
                    raise SystemExit(f"{path}:{number}: unknown format {line.get('format')!r} (this reader knows {FORMAT})")
                key = (line["source"], line["sweep"], line["id"])
                if key in seen:
                    warn(f"{path}:{number}: {'/'.join(key)} was already read, skipped")
                    continue
                seen.add(key)
                name = group_name(line)
                group = groups.setdefault(normalize(name), Group(name))
                if line["status"] in COUNTED:
                    group.runs.append(line)
                else:
                    group.unfinished += 1
    return list(groups.values())


def counts(group):
    """[(k, n)] for each condition, in CONDITIONS order."""
    n = len(group.runs)
    return [(sum(1 for r in group.runs if test(r["final"])), n) for _, test in CONDITIONS]


def cell(k, n):
    if n == 0:
        return "no runs"
    lo, hi = wilson(k, n)
    return f"{k} of {n}: {k / n:.2f} [{lo:.2f}, {hi:.2f}]"


def table(groups):
    out = ["| group | runs | " + " | ".join(name for name, _ in CONDITIONS) + " | median wall s |",
           "|---|---|" + "---|" * len(CONDITIONS) + "---|"]
    for g in groups:
        walls = [r["wall_seconds"] for r in g.runs if r.get("wall_seconds") is not None]
        wall = f"{statistics.median(walls):.0f}" if walls else ""
        cells = " | ".join(cell(k, n) for k, n in counts(g))
        out.append(f"| {g.name} | {len(g.runs)} | {cells} | {wall} |")
    return out


def fisher_rows(groups, pairs):
    by_name = {normalize(g.name): g for g in groups}
    out = ["| pair | " + " | ".join(f"Fisher p, {name}" for name, _ in CONDITIONS) + " |",
           "|---|" + "---|" * len(CONDITIONS)]
    for a, b in pairs:
        missing = [x for x in (a, b) if normalize(x) not in by_name]
        if missing:
            raise SystemExit(f"--pair: no group named {', '.join(missing)} (groups: {', '.join(by_name)})")
        ga, gb = by_name[normalize(a)], by_name[normalize(b)]
        ps = []
        for (k1, n1), (k2, n2) in zip(counts(ga), counts(gb)):
            ps.append(f"{fisher_exact(k1, n1, k2, n2):.3g}" if n1 and n2 else "")
        out.append(f"| {ga.name} against {gb.name} | " + " | ".join(ps) + " |")
    return out


def git_commit():
    try:
        r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True)
        return r.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def report(paths, pairs, date=None, commit=None):
    groups = read(paths)
    lines = [f"Made {date or datetime.date.today().isoformat()} by bench/summarize.py at commit "
             f"{commit or git_commit()} from {', '.join(paths)}.", ""]
    lines += table(groups)
    notes = [f"{g.name}: {g.unfinished} unfinished line(s) left out" for g in groups if g.unfinished]
    if notes:
        lines += [""] + [f"- {n}" for n in notes]
    if pairs:
        lines += [""] + fisher_rows(groups, pairs)
    return lines


def self_check():
    """The fixture's rates, worked out by hand (z = 1.96, z^2 = 3.8415):

    curriculum/adam=fresh: 4 counted runs (test 0.99, 0.97, 0.49, 0.30; train 1 everywhere) and
      one unfinished line, left out.
      test > 0.95: 2 of 4. At k = n/2 the interval is centred on 1/2 with half-width
      z / (1 + z^2/n) * sqrt(1/(4n) + z^2/(4n^2)) = 1.96 / 1.9604 * sqrt(0.0625 + 0.0600)
      = 0.3500: [0.1500, 0.8500]. test > 0.5: 2 of 4, the same. train = 1: 4 of 4, the lower
      bound is n / (n + z^2) = 4 / 7.8415 = 0.5101: [0.5101, 1].
    scratch: 4 counted runs (test 0.25, 0.52, 0.78 and a diverged run with test 0.26; train 1.0,
      1.0, 0.41 and null). test > 0.95: 0 of 4, the upper bound is z^2 / (n + z^2) = 0.4899.
      test > 0.5: 2 of 4, [0.1500, 0.8500]. train = 1: 2 of 4, the same.
    pathscope/fig5/scratch: one run, test 0.999: 1 of 1, lower bound 1 / 4.8415 = 0.2065.
    Fisher, curriculum against scratch. test > 0.95, 2/4 against 0/4: 2 successes among 8, the
      first group holding a of them with probability C(4,a) C(4,2-a) / C(8,2) = 6, 16, 6 (/28)
      for a = 0, 1, 2; the observed a = 2 and the as likely a = 0: p = 12/28 = 0.4286.
      test > 0.5, 2/4 against 2/4: p = 1. train = 1, 4/4 against 2/4: 6 successes, a = 2, 3, 4
      with C(4,a) C(4,6-a) = 6, 16, 6: p = 12/28 = 0.4286.
    """
    want = {
        "pytorch/fig5/curriculum/adam=fresh": dict(runs=4, unfinished=1, counts=[(2, 4), (2, 4), (4, 4)],
                                                   intervals=[(0.1500, 0.8500), (0.1500, 0.8500), (0.5101, 1.0)]),
        "pytorch/fig5/scratch": dict(runs=4, unfinished=0, counts=[(0, 4), (2, 4), (2, 4)],
                                     intervals=[(0.0, 0.4899), (0.1500, 0.8500), (0.1500, 0.8500)]),
        "pathscope/fig5/scratch": dict(runs=1, unfinished=0, counts=[(1, 1), (1, 1), (1, 1)],
                                       intervals=[(0.2065, 1.0)] * 3),
    }
    warnings = []
    # The fixture twice: every line of the second copy is a duplicate and must be skipped.
    groups = read([FIXTURE, FIXTURE], warn=warnings.append)
    failures = []

    def check(what, got, expected):
        if got != expected:
            failures.append(f"{what}: got {got}, want {expected}")

    check("groups", [g.name for g in groups], list(want))
    check("duplicates skipped", len(warnings), 10)
    for g in groups:
        w = want.get(g.name)
        if w is None:
            continue
        check(f"{g.name} runs", len(g.runs), w["runs"])
        check(f"{g.name} unfinished", g.unfinished, w["unfinished"])
        check(f"{g.name} counts", counts(g), w["counts"])
        got = [tuple(round(x, 4) for x in wilson(k, n)) for k, n in counts(g)]
        check(f"{g.name} intervals", got, w["intervals"])
    by = {g.name: g for g in groups}
    ps = [round(fisher_exact(*a, *b), 4) for a, b in zip(counts(by["pytorch/fig5/curriculum/adam=fresh"]),
                                                          counts(by["pytorch/fig5/scratch"]))]
    check("Fisher p", ps, [0.4286, 1.0, 0.4286])
    # The rendered table and the order-free pair names.
    text = "\n".join(report([FIXTURE], [("pytorch/fig5/scratch", "pytorch/fig5/curriculum/adam=fresh")],
                            date="2000-01-01", commit="0" * 40))
    for needle in ("| pytorch/fig5/curriculum/adam=fresh | 4 | 2 of 4: 0.50 [0.15, 0.85] | 2 of 4: 0.50 [0.15, 0.85] "
                   "| 4 of 4: 1.00 [0.51, 1.00] |",
                   "| pytorch/fig5/scratch | 4 | 0 of 4: 0.00 [0.00, 0.49] |",
                   "- pytorch/fig5/curriculum/adam=fresh: 1 unfinished line(s) left out",
                   "| pytorch/fig5/scratch against pytorch/fig5/curriculum/adam=fresh | 0.429 | 1 | 0.429 |",
                   f"from {FIXTURE}."):
        if needle not in text:
            failures.append(f"table lacks {needle!r}")
    for f in failures:
        print("FAIL", f)
    print(f"self-check: {'PASS' if not failures else 'FAIL'} ({len(failures)} failure(s))")
    return not failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="results files (JSON Lines)")
    ap.add_argument("--pair", nargs=2, action="append", default=[], metavar=("A", "B"),
                    help="compare two groups with Fisher's exact test (repeatable)")
    ap.add_argument("--self-check", action="store_true", help="check against the hand-computed fixture")
    a = ap.parse_args()
    if a.self_check:
        sys.exit(0 if self_check() else 1)
    if not a.files:
        ap.error("give at least one results file")
    print("\n".join(report(a.files, a.pair)))


if __name__ == "__main__":
    main()
