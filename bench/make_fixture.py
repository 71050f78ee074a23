"""Write a parity fixture in exactly the format of tests/fixtures/grad_small.json, any sizes.

Recipe (the one grad_small.json's own fields describe):
    torch.manual_seed(seed); Model(d, h, V, T) with PyTorch's default init in float32; .double()
    inputs  = np.random.default_rng(seed).integers(0, p, (batch, T))
    targets = inputs[:, :k].sum(1) % p
    loss = mean cross-entropy; grads by autograd (token_emb's includes the tied unembedding)
    torch.optim.Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8) from zero state: 1 step, then the same
    optimizer continued to 5 steps on the same batch (zero_grad before each backward)

Example, from the repository root (regenerates grad_small.json's content; tests/fixtures/README.md
says how close it comes):
    python bench/make_fixture.py --d 8 --h 32 --V 4 --T 6 --k 3 --p 4 --batch 5 --seed 0 \
        --out out/grad_small.json --compare tests/fixtures/grad_small.json
"""

import argparse
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_model import RMS_EPS, Checker, adam_trajectory, make_model, weights_to_lists  # noqa: E402

DESCRIPTION = (
    "pal softmax_model.Model, float64, mean cross-entropy over the batch; query/value/fc weights in "
    "PyTorch Linear layout [out,in]; output layer tied to token_emb (token_emb grad includes the "
    "output-layer contribution)"
)
INIT = "torch.manual_seed(seed); Model(...) default PyTorch init in float32, then .double()"
INPUTS_RNG = "np.random.default_rng(seed).integers(0,p,(batch,T))"
OPTIMIZER = (
    "torch.optim.Adam(lr=1e-3, betas=(0.9,0.999), eps=1e-8, weight_decay=0, amsgrad=False), "
    "one step from zero state"
)
NOTE_5 = "same Adam (lr=1e-3) continued: steps 2..5 on the same batch, zero_grad before each backward"


def make_fixture(d, h, V, T, k, p, batch, seed):
    assert 1 <= k <= T and 2 <= p <= V, "need k <= T and p <= V (targets index token_emb rows)"
    model = make_model(d, h, V, T, seed, dtype=torch.float64)
    x_np = np.random.default_rng(seed).integers(0, p, (batch, T))
    y_np = x_np[:, :k].sum(axis=1) % p
    x = torch.tensor(x_np, dtype=torch.long)
    y = torch.tensor(y_np, dtype=torch.long)

    fx = OrderedDict()
    fx["description"] = DESCRIPTION
    fx["torch_version"] = torch.__version__
    fx["seed"] = seed
    fx["init"] = INIT
    fx["inputs_rng"] = INPUTS_RNG
    fx["config"] = OrderedDict(
        d=d, h=h, nb_emb=V, T=T, k=k, p=p, batch=batch, rms_eps=RMS_EPS, gelu="erf", ffn_bias=True,
        tied_output=True,
    )
    fx["inputs"] = x_np.tolist()
    fx["targets"] = y_np.tolist()
    fx["weights"] = weights_to_lists(model)

    logits, attn, z_a = model(x, verbose=True)
    loss = F.cross_entropy(logits, y)
    fx["loss"] = loss.item()
    loss.backward()
    fx["grads"] = OrderedDict((n, q.grad.tolist()) for n, q in model.fixture_params().items())
    fx["intermediates"] = OrderedDict(
        attn=attn.detach().tolist(), z_A=z_a.detach().tolist(), logits=logits.detach().tolist()
    )

    # Adam from zero state on a fresh copy of the initial weights
    model.zero_grad(set_to_none=True)
    weights_1, loss_after_1, losses, weights_5 = adam_trajectory(model, x, y)
    fx["after_adam_step"] = OrderedDict(optimizer=OPTIMIZER, weights=weights_1, loss_after=loss_after_1)
    assert losses[1] == loss_after_1
    fx["after_5_adam_steps"] = OrderedDict(
        note=NOTE_5, losses_after_each_step_from_0=losses, weights=weights_5
    )
    return fx


def compare(ours, theirs):
    """Entry-by-entry comparison of two fixtures; returns (number of differing floats, total)."""
    check = Checker(1e-12)
    ndiff = ntot = 0

    def walk(a, b, label):
        nonlocal ndiff, ntot
        if isinstance(a, dict):
            assert list(a) == list(b), (label, list(a), list(b))
            for key in a:
                walk(a[key], b[key], f"{label}.{key}" if label else key)
        elif isinstance(a, list) and a and isinstance(np.asarray(a).flat[0].item(), float):
            A, B = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
            ndiff += int((A != B).sum())
            ntot += A.size
            check(label, A, B)
        elif isinstance(a, float):
            ndiff += int(a != b)
            ntot += 1
            check(label, a, b)
        else:
            assert a == b, (label, a, b)

    walk(ours, theirs, "")
    return ndiff, ntot, check


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("d", "h", "V", "T", "k", "p", "batch", "seed"):
        ap.add_argument(f"--{name}", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--compare", help="an existing fixture to compare the result with, entry by entry")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    fx = make_fixture(a.d, a.h, a.V, a.T, a.k, a.p, a.batch, a.seed)
    text = json.dumps(fx)  # same serialization as grad_small.json: json.dumps defaults, no newline
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    print(f"wrote {a.out} ({len(text)} bytes), loss {fx['loss']:.6f}, "
          f"5-step losses {[round(v, 6) for v in fx['after_5_adam_steps']['losses_after_each_step_from_0']]}")
    if a.compare:
        with open(a.compare) as f:
            ref_text = f.read()
        ndiff, ntot, check = compare(fx, json.loads(ref_text))
        ignoring_version = json.dumps({**json.loads(ref_text), "torch_version": fx["torch_version"]})
        print(f"compare with {a.compare}: file byte-identical {text == ref_text}; "
              f"{ndiff} of {ntot} floats differ; worst relative error {check.worst:.3e}; "
              f"identical apart from torch_version: {text == ignoring_version}")


if __name__ == "__main__":
    main()
