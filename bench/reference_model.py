"""The model of docs/model.md in PyTorch, written line by line after the authors' code.

Source followed: facebookresearch/pal, src/factorization/models/softmax_model.py, class `Model`
(with its `SoftmaxLayer`, `TransformerFeedForward` with ffn_bias=True, activation "gelu", and
`RMSNorm`). The modules are built in the same order as there, so that `torch.manual_seed(s)`
followed by `Model(...)` draws exactly the same initial weights:

    token_emb  nn.Embedding(V, d)             N(0, 1)
    pos_emb    nn.Embedding(T, d)             N(0, 1)
    query      nn.Linear(d, 1, bias=False)    kaiming_uniform(a=sqrt 5) = U(-1/sqrt d, 1/sqrt d)
    value      nn.Linear(d, d, bias=False)    U(-1/sqrt d, 1/sqrt d)
    fc1        nn.Linear(d, h)                weight and bias U(-1/sqrt d, 1/sqrt d)
    fc2        nn.Linear(h, d)                weight and bias U(-1/sqrt h, 1/sqrt h)
    output     nn.Linear(d, V, bias=False)    initialized (this consumes random numbers, last),
                                              then its weight is replaced by token_emb.weight (tied)

Forward (authors' code):
    out    = token_emb(x) + pos_emb.weight               [B, T, d]   (requires x.size(1) == T)
    u      = rmsnorm(out)                                x / (sqrt(mean(x^2)) + 1e-5), no gain
    attn   = softmax(query.weight @ u^T / sqrt(d))       [B, 1, T]
    z_A    = (attn @ value(u)).squeeze(1)                [B, d]      (W_V applied to every token)
    z_O    = z_A + fc2(gelu(fc1(rmsnorm(z_A))))          exact erf GELU
    logits = output(z_O) = z_O @ token_emb.weight^T      [B, V]
    loss   = F.cross_entropy(logits, y)                  mean over the batch

Parameter names used outside this module (fixtures, the Rust parity tests) are those of
tests/fixtures/grad_small.json: token_emb, pos_emb, query, value, fc1_w, fc1_b, fc2_w, fc2_b;
`Model.fixture_params()` maps them onto the modules' tensors.

Run as a script to check the model against a fixture file:
    python bench/reference_model.py [FIXTURE.json ...]     (default: every tests/fixtures/*.json)
"""

import glob
import json
import math
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

PARAM_NAMES = ("token_emb", "pos_emb", "query", "value", "fc1_w", "fc1_b", "fc2_w", "fc2_b")
RMS_EPS = 1e-5
ADAM = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)


class RMSNorm(nn.Module):
    """pal's RMSNorm: no gain, eps added to the rms OUTSIDE the square root."""

    def __init__(self, eps=RMS_EPS):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        norm = (x**2).mean(dim=-1, keepdim=True).sqrt() + self.eps
        out = x / norm
        return out.type_as(x)


class Model(nn.Module):
    """pal softmax_model.Model with ffn_bias=True, activation='gelu', no dropout.

    Sub-modules are flattened (pal nests query/value in `softmax` and fc1/fc2 in `mlp`), but they
    are created in the same order, so the random draws of the default init are identical.
    """

    def __init__(self, d, h, V, T):
        super().__init__()
        self.d, self.h, self.V, self.T = d, h, V, T
        # Embedding
        self.token_emb = nn.Embedding(V, d)
        self.pos_emb = nn.Embedding(T, d)
        # SoftmaxLayer
        self.query = nn.Linear(d, 1, bias=False)
        self.value = nn.Linear(d, d, bias=False)
        # TransformerFeedForward (ffn_bias=True)
        self.fc1 = nn.Linear(d, h, bias=True)
        self.fc2 = nn.Linear(h, d, bias=True)
        # tied output layer: its own init still runs (and consumes the generator) before tying
        self.output = nn.Linear(d, V, bias=False)
        self.output.weight = self.token_emb.weight
        self.norm1 = RMSNorm()
        self.norm2 = RMSNorm()

    def fixture_params(self):
        """The parameters under the fixture's names, in the fixture's order (views, not copies)."""
        return OrderedDict(
            token_emb=self.token_emb.weight,
            pos_emb=self.pos_emb.weight,
            query=self.query.weight,
            value=self.value.weight,
            fc1_w=self.fc1.weight,
            fc1_b=self.fc1.bias,
            fc2_w=self.fc2.weight,
            fc2_b=self.fc2.bias,
        )

    def attention(self, x):
        """SoftmaxLayer.forward(norm1(embeddings)): returns z_A [B, d] and attn [B, T]."""
        out = self.token_emb(x) + self.pos_emb.weight
        u = self.norm1(out)
        query = self.query.weight  # [1, d]
        key = u
        value = self.value(u)  # [B, T, d]: W_V on every token, as the authors do
        attn = query @ key.transpose(-1, -2) / math.sqrt(self.d)  # [B, 1, T]
        attn = F.softmax(attn, dim=-1)
        z_a = (attn @ value).squeeze(1)
        return z_a, attn.squeeze(1)

    def forward(self, x, verbose=False):
        z_a, attn = self.attention(x)
        out = z_a + self.fc2(F.gelu(self.fc1(self.norm2(z_a))))  # residual on the un-normalized z_A
        logits = self.output(out)
        if verbose:
            return logits, attn, z_a
        return logits


def make_model(d, h, V, T, seed, dtype=torch.float64):
    """The fixtures' recipe: seed, default init in float32, then convert."""
    torch.manual_seed(seed)
    model = Model(d, h, V, T)
    return model.to(dtype)


def load_weights(model, weights):
    with torch.no_grad():
        for name, p in model.fixture_params().items():
            p.copy_(torch.tensor(weights[name], dtype=p.dtype))


def weights_to_lists(model):
    return OrderedDict((n, p.detach().tolist()) for n, p in model.fixture_params().items())


def make_adam(model):
    # model.parameters() yields the tied token_emb/output weight once.
    return torch.optim.Adam(model.parameters(), **ADAM)


def adam_trajectory(model, x, y):
    """Five Adam steps from zero state on the batch (x, y), as the fixtures record them.

    Returns (weights after step 1, loss after step 1, the 6 losses before steps 1..5 and after
    step 5, weights after step 5); weights as nested lists in fixture order."""
    opt = make_adam(model)
    losses = []
    for step in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
        if step == 0:
            with torch.no_grad():
                loss_after_1 = F.cross_entropy(model(x), y).item()
            weights_1 = weights_to_lists(model)
    with torch.no_grad():
        losses.append(F.cross_entropy(model(x), y).item())
    return weights_1, loss_after_1, losses, weights_to_lists(model)


# ----------------------------------------------------------------------------------------------
# Fixture verification
# ----------------------------------------------------------------------------------------------


class Checker:
    def __init__(self, tol):
        self.tol = tol
        self.worst = 0.0
        self.failed = []

    def __call__(self, label, got, want):
        got = torch.as_tensor(got, dtype=torch.float64)
        want = torch.as_tensor(want, dtype=torch.float64)
        assert got.shape == want.shape, (label, got.shape, want.shape)
        diff = (got - want).abs().max().item()
        scale = max(want.abs().max().item(), 1e-300)
        rel = diff / scale  # max abs error relative to the tensor's largest entry
        self.worst = max(self.worst, rel)
        status = "ok" if rel <= self.tol else "MISMATCH"
        if rel > self.tol:
            self.failed.append(label)
        print(f"  {label:<28} max|diff| {diff:.3e}  rel {rel:.3e}  {'bit-exact' if diff == 0 else ''} {status}")
        return rel


def verify_fixture(path, tol=1e-12):
    fx = json.load(open(path))
    c = fx["config"]
    assert c["rms_eps"] == RMS_EPS and c["gelu"] == "erf" and c["ffn_bias"] and c["tied_output"], c
    d, h, V, T = c["d"], c["h"], c["nb_emb"], c["T"]
    print(f"{path}: d={d} h={h} V={V} T={T} k={c['k']} p={c['p']} batch={c['batch']} (fixture torch {fx.get('torch_version')})")
    x = torch.tensor(fx["inputs"], dtype=torch.long)
    y = torch.tensor(fx["targets"], dtype=torch.long)
    # the targets are (x_1 + .. + x_k) mod p
    assert torch.equal(y, x[:, : c["k"]].sum(1) % c["p"]), "targets are not sum of first k mod p"
    check = Checker(tol)

    model = Model(d, h, V, T).double()
    load_weights(model, fx["weights"])

    logits, attn, z_a = model(x, verbose=True)
    loss = F.cross_entropy(logits, y)
    check("loss", loss.item(), fx["loss"])
    check("intermediates.attn", attn, fx["intermediates"]["attn"])
    check("intermediates.z_A", z_a, fx["intermediates"]["z_A"])
    check("intermediates.logits", logits, fx["intermediates"]["logits"])
    loss.backward()
    for n, p in model.fixture_params().items():
        check(f"grads.{n}", p.grad, fx["grads"][n])

    # one Adam step from zero state
    model = Model(d, h, V, T).double()
    load_weights(model, fx["weights"])
    weights_1, loss_after_1, losses, weights_5 = adam_trajectory(model, x, y)
    for n in weights_1:
        check(f"after_adam_step.{n}", weights_1[n], fx["after_adam_step"]["weights"][n])
    check("after_adam_step.loss_after", loss_after_1, fx["after_adam_step"]["loss_after"])
    check("after_5.losses", losses, fx["after_5_adam_steps"]["losses_after_each_step_from_0"])
    for n in weights_5:
        check(f"after_5.{n}", weights_5[n], fx["after_5_adam_steps"]["weights"][n])
    print(f"  worst relative error {check.worst:.3e} (tolerance {tol:g}): "
          + ("PASS" if not check.failed else f"FAIL {check.failed}"))
    return check


if __name__ == "__main__":
    torch.set_num_threads(1)
    fixtures = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(fixtures, "*.json")))
    bad = [p for p in paths if verify_fixture(p).failed]
    sys.exit(1 if bad else 0)
