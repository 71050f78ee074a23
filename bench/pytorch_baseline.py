"""Time the PyTorch reference (reference_model.py) on CPU in float32, figure-5 setting.

Setting: T=12, k=5, d=32, h=128, V=4, p=4, n=2048, Adam lr=1e-3 (docs/model.md).
Three operations, each warmed up, then timed over many repetitions (median and min reported):
  epoch   one full-batch training epoch on the n=2048 train sequences: zero_grad, forward, mean
          cross-entropy, backward, Adam step (one optimizer step per epoch, as in figure 5)
  eval    a forward evaluation of 2048 test sequences under no_grad: loss and accuracy (.item())
  step32  one minibatch training step of 32 sequences (forward, backward, Adam), cycling through
          shuffled minibatches of the train set

The last line printed is always
  pytorch threads=<n> epoch_ms=<median> eval_ms=<median> step32_ms=<median>
With --json, a JSON object with everything (machine, versions, median/min/mean per op) is printed on
the line before it.

    python bench/pytorch_baseline.py --threads 1
    python bench/pytorch_baseline.py --threads 2 --json
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_model import make_adam, make_model  # noqa: E402

T, K, D, H, V, P, N = 12, 5, 32, 128, 4, 4, 2048


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def physical_cores():
    try:
        pairs = set()
        phys = core = None
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("physical id"):
                    phys = line.split(":")[1].strip()
                elif line.startswith("core id"):
                    core = line.split(":")[1].strip()
                elif not line.strip():
                    if core is not None:
                        pairs.add((phys, core))
                    phys = core = None
        return len(pairs) or None
    except OSError:
        return None


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def make_data(rng, n):
    x = rng.integers(0, P, (n, T))
    y = x[:, :K].sum(axis=1) % P
    return torch.tensor(x, dtype=torch.long), torch.tensor(y, dtype=torch.long)


def timeit(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return dict(median_ms=statistics.median(times), min_ms=min(times), mean_ms=statistics.fmean(times), reps=reps)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--json", action="store_true", help="also print a JSON object with all results")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reps", type=float, default=1.0, help="scale the number of repetitions")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    info = dict(
        cpu=cpu_model(), logical_cpus=os.cpu_count(), physical_cores=physical_cores(), threads=a.threads,
        torch_threads=torch.get_num_threads(), python=platform.python_version(), torch=torch.__version__,
        numpy=np.__version__, cpu_capability=torch.backends.cpu.get_cpu_capability(), dtype="float32",
        setting=dict(T=T, k=K, d=D, h=H, V=V, p=P, n=N, lr=1e-3),
    )
    print(f"machine: {info['cpu']}, {info['logical_cpus']} logical CPUs, {info['physical_cores']} physical cores "
          f"(torch CPU capability {info['cpu_capability']})")
    print(f"threads: {a.threads} (torch.get_num_threads() = {info['torch_threads']})")
    print(f"versions: python {info['python']}, torch {info['torch']}, numpy {info['numpy']}")
    info["loadavg_start"] = loadavg()
    print(f"load average at start: {info['loadavg_start']} (other processes make these timings noisy)")
    print(f"setting: T={T} k={K} d={D} h={H} V={V} p={P} n={N}, float32, Adam lr=1e-3")

    rng = np.random.default_rng(a.seed)
    x_train, y_train = make_data(rng, N)
    x_test, y_test = make_data(rng, N)
    model = make_model(D, H, V, T, a.seed, dtype=torch.float32)
    print(f"parameters: {sum(p.numel() for p in model.parameters())}")

    # (i) full-batch epoch
    opt = make_adam(model)

    def epoch():
        opt.zero_grad()
        loss = F.cross_entropy(model(x_train), y_train)
        loss.backward()
        opt.step()

    # (ii) evaluation of 2048 sequences
    def evaluate():
        with torch.no_grad():
            logits = model(x_test)
            loss = F.cross_entropy(logits, y_test).item()
            acc = (logits.argmax(-1) == y_test).float().mean().item()
        return loss, acc

    # (iii) minibatch step of 32, through shuffled minibatches of the train set
    model32 = make_model(D, H, V, T, a.seed, dtype=torch.float32)
    opt32 = make_adam(model32)
    perm = torch.randperm(N, generator=torch.Generator().manual_seed(a.seed))
    batches = [(x_train[perm[i:i + 32]], y_train[perm[i:i + 32]]) for i in range(0, N, 32)]
    counter = [0]

    def step32():
        xb, yb = batches[counter[0] % len(batches)]
        counter[0] += 1
        opt32.zero_grad()
        loss = F.cross_entropy(model32(xb), yb)
        loss.backward()
        opt32.step()

    r = lambda n: max(5, int(n * a.reps))  # noqa: E731
    results = {}
    results["epoch"] = timeit(epoch, warmup=r(20), reps=r(300))
    results["eval"] = timeit(evaluate, warmup=r(20), reps=r(500))
    results["step32"] = timeit(step32, warmup=r(100), reps=r(2000))
    loss, acc = evaluate()
    print(f"(after timing: {r(20) + r(300)} full-batch epochs, test loss {loss:.4f}, test acc {acc:.4f})")
    for name, label in (("epoch", "full-batch epoch (n=2048, fwd+bwd+Adam)"),
                        ("eval", "forward eval of 2048 (loss+acc, no grad)"),
                        ("step32", "minibatch step of 32 (fwd+bwd+Adam)")):
        t = results[name]
        print(f"{label:<44} median {t['median_ms']:8.3f} ms   min {t['min_ms']:8.3f} ms   "
              f"mean {t['mean_ms']:8.3f} ms   ({t['reps']} reps)")
    info["loadavg_end"] = loadavg()
    print(f"load average at end: {info['loadavg_end']}")
    if a.json:
        print(json.dumps(dict(info, results=results)))
    print(f"pytorch threads={a.threads} epoch_ms={results['epoch']['median_ms']:.3f} "
          f"eval_ms={results['eval']['median_ms']:.3f} step32_ms={results['step32']['median_ms']:.3f}")


if __name__ == "__main__":
    main()
