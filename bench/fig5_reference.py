"""Figure 5 in the PyTorch reference, over seeds: one results line per run (docs/results-format.md).

The setting (docs/model.md, "The curriculum"): T = 12, k = 5, V = 4, d = 32, h = 128, n = 2048
train and 2048 test sequences per phase, Adam lr = 1e-3, betas (0.9, 0.999), eps 1e-8, full batch
(one optimizer step per epoch), 10,000 epochs in all, float32 (the authors' default dtype):

    scratch      p = 4 for 10,000 epochs
    curriculum   p = 2 for 3,000 epochs, then p = 4 for 7,000 on fresh data; at the switch Adam is
                 either rebuilt (adam=fresh, the authors' procedure) or kept (adam=kept)

The model is bench/reference_model.py's (`make_model`: torch.manual_seed(seed), then PyTorch's
default initialization; `make_adam`). The test set of the current phase is evaluated after every
10th epoch (1-based: epochs 10, 20, ..) and at every phase end, as pathscope's `fig5` preset does
(eval_every = 10). Train loss and accuracy of an epoch are those of the full-batch forward pass
the step descended (measured just before the update), as in the authors' notebook and pathscope.

Data, for each modulus p a run uses: a torch.Generator seeded with 1000 * seed + p draws the n
training sequences, then the n test sequences (independent uniform tokens in {0..p-1}; the target
is the sum of the first k tokens mod p). Keying the stream by (seed, p) means that the scratch run
and the curriculum's p = 4 phase of one seed see the same p = 4 data (as in pathscope), and that
the p = 2 data is not a function of the p = 4 data (one generator seeded alike for both would draw
the same random words and reduce them mod 2 and mod 4: the p = 2 set would be the p = 4 set mod 2).

Every finished run appends one line to --out (flushed and fsynced). Runs whose id is already in
the file are skipped, so the script can be stopped and restarted. The scratch arm has no switch,
so the Adam variant does not apply to it: it is run once per seed, with setting {} and an id
without `adam` (docs/results-format.md).

    python bench/fig5_reference.py --arms curriculum --adam fresh --seeds 0-11 \\
        --out docs/results/pytorch-fig5.jsonl
    python bench/fig5_reference.py --arms scratch,curriculum --adam fresh,kept --seeds 0-3,7 \\
        --threads 1 --out results.jsonl
    python bench/fig5_reference.py --epochs-scale 0.01 --out /tmp/try.jsonl   (a quick try)
"""

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_model import ADAM, make_adam, make_model  # noqa: E402

FORMAT = "pathscope-result/1"
SWEEP = "fig5"
T, K, V, D, H, N = 12, 5, 4, 32, 128, 2048
EVAL_EVERY = 10
SNAPSHOT_EVERY = 50  # the fig5 preset's value; this script keeps no snapshots
CURRICULUM = [(2, 3000), (4, 7000)]
SCRATCH = [(4, 10000)]
CONDITIONS = ("test_acc>0.5", "test_acc>0.9", "test_acc>0.95", "train_acc=1")


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        lo, sep, hi = part.partition("-")
        if sep:
            seeds.extend(range(int(lo), int(hi) + 1))
        else:
            seeds.append(int(lo))
    return sorted(set(seeds))


def make_data(seed, p, n=N):
    """n training then n test sequences of the modulus p, from the stream keyed by (seed, p)."""
    g = torch.Generator().manual_seed(1000 * seed + p)
    x_train = torch.randint(0, p, (n, T), generator=g)
    x_test = torch.randint(0, p, (n, T), generator=g)
    return x_train, x_train[:, :K].sum(1) % p, x_test, x_test[:, :K].sum(1) % p


def unseen_share(x_train, x_test, p):
    """Share of the test sequences that are not in the training set."""
    weights = torch.tensor([p**i for i in range(T)], dtype=torch.long)
    train = set((x_train * weights).sum(1).tolist())
    codes = (x_test * weights).sum(1).tolist()
    return sum(c not in train for c in codes) / len(codes)


def pathscope_config(seed, phases, fresh):
    """The run written as a pathscope config (the `fig5` / `fig5-scratch` presets of
    src/config.rs, with data.seed and optim.reset_at_switch set)."""
    return {
        "model": {"vocab": V, "seq_len": T, "dim": D, "hidden": H, "init": "pytorch"},
        "data": {"k": K, "n": N, "seed": seed},
        "optim": {"lr": ADAM["lr"], "beta1": ADAM["betas"][0], "beta2": ADAM["betas"][1], "eps": ADAM["eps"],
                  "reset_at_switch": fresh},
        "schedule": {"batch_size": N, "phases": [{"p": p, "epochs": e} for p, e in phases],
                     "eval_every": EVAL_EVERY, "snapshot_every": SNAPSHOT_EVERY},
    }


def run_id(arm, setting, seed):
    return "/".join([SWEEP, arm] + [f"{k}={v}" for k, v in setting.items()] + [f"seed={seed}"])


def train(seed, phases, fresh, epochs_scale=1.0, log=None):
    """Train one run; returns the fields of its results line that depend on training."""
    phases = [(p, max(1, round(e * epochs_scale))) for p, e in phases]
    model = make_model(D, H, V, T, seed, dtype=torch.float32)
    opt = make_adam(model)
    first = dict.fromkeys(CONDITIONS)
    final = {}
    status, epoch = "finished", 0
    t0 = time.perf_counter()
    for index, (p, epochs) in enumerate(phases):
        last_phase = index == len(phases) - 1
        if index > 0 and fresh:
            opt = make_adam(model)
        x, y, x_test, y_test = make_data(seed, p)
        for phase_epoch in range(1, epochs + 1):
            opt.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            train_loss = loss.item()
            if not math.isfinite(train_loss):
                status = "diverged"
                break
            train_acc = (logits.argmax(-1) == y).float().mean().item()
            loss.backward()
            opt.step()
            epoch += 1
            final["train_loss"], final["train_acc"] = train_loss, train_acc
            if epoch % EVAL_EVERY == 0 or phase_epoch == epochs:
                with torch.no_grad():
                    test_logits = model(x_test)
                    test_loss = F.cross_entropy(test_logits, y_test).item()
                    test_acc = (test_logits.argmax(-1) == y_test).float().mean().item()
                final["test_loss"], final["test_acc"] = test_loss, test_acc
                if last_phase:
                    held = {"test_acc>0.5": test_acc > 0.5, "test_acc>0.9": test_acc > 0.9,
                            "test_acc>0.95": test_acc > 0.95, "train_acc=1": train_acc == 1.0}
                    for c, ok in held.items():
                        if ok and first[c] is None:
                            first[c] = epoch
                if log and epoch % 1000 == 0:
                    log(f"    epoch {epoch:5d} p={p} train {train_loss:.4g} / {train_acc:.3f}  "
                        f"test {test_loss:.4g} / {test_acc:.3f}  ({time.perf_counter() - t0:.0f} s)")
        if status != "finished":
            break
    return dict(
        status=status, epochs=epoch,
        final={k: final.get(k) for k in ("train_loss", "train_acc", "test_loss", "test_acc")},
        first_epoch=first, unseen_test_share=unseen_share(x, x_test, p),
        wall_seconds=round(time.perf_counter() - t0, 1),
    )


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit():
    try:
        here = os.path.dirname(os.path.abspath(__file__))
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True)
        return out.stdout.strip() or None
    except OSError:
        return None


def done_ids(path):
    ids = set()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    ids.add(json.loads(line)["id"])
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arms", default="scratch,curriculum", help="scratch, curriculum or both (comma-separated)")
    ap.add_argument("--adam", default="fresh,kept", help="the curriculum's Adam at the switch: fresh, kept or both")
    ap.add_argument("--seeds", default="0-11", help="seeds, e.g. 0-11 or 0,3,5-7")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--out", required=True, help="results file to append to (JSON Lines)")
    ap.add_argument("--epochs-scale", type=float, default=1.0,
                    help="multiply every phase's epochs (for trying the script; lines are marked unfinished)")
    a = ap.parse_args()

    arms = [s for s in a.arms.split(",") if s]
    adams = [s for s in a.adam.split(",") if s]
    if not set(arms) <= {"scratch", "curriculum"} or not set(adams) <= {"fresh", "kept"}:
        ap.error("--arms takes scratch,curriculum and --adam takes fresh,kept")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)

    runs = []  # (arm, setting, seed, phases, fresh), seeds outermost
    for seed in parse_seeds(a.seeds):
        for arm in arms:
            if arm == "scratch":
                runs.append((arm, {}, seed, SCRATCH, False))
            else:
                for adam in adams:
                    runs.append((arm, {"adam": adam}, seed, CURRICULUM, adam == "fresh"))

    made_by = {"program": f"bench/fig5_reference.py, torch {torch.__version__}, python {platform.python_version()}, "
                          f"float32, {a.threads} thread(s)",
               "commit": git_commit(), "machine": f"{os.cpu_count()} x {cpu_model()}"}
    done = done_ids(a.out)
    for arm, setting, seed, phases, fresh in runs:
        rid = run_id(arm, setting, seed)
        if rid in done:
            print(f"{rid}: already in {a.out}, skipped", flush=True)
            continue
        print(f"{rid}: training", flush=True)
        result = train(seed, phases, fresh, a.epochs_scale, log=lambda s: print(s, flush=True))
        if a.epochs_scale != 1.0 and result["status"] == "finished":
            result["status"] = "unfinished"
        line = {"format": FORMAT, "source": "pytorch", "sweep": SWEEP, "id": rid, "arm": arm, "setting": setting,
                "seed": seed, "config": pathscope_config(seed, phases, fresh), **result,
                "made_by": dict(made_by, date=datetime.date.today().isoformat())}
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
            f.flush()
            os.fsync(f.fileno())
        fin = result["final"]
        print(f"{rid}: {result['status']}, train {fin['train_acc']:.3f} test {fin['test_acc']:.3f}, "
              f"first test>0.9 at {result['first_epoch']['test_acc>0.9']}, {result['wall_seconds']:.0f} s",
              flush=True)


if __name__ == "__main__":
    main()
