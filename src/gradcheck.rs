//! Parity with PyTorch: reads a fixture in the format of `tests/fixtures/` (any sizes, described
//! in its README), runs the same computations with pathscope's f32 model and reports, for every
//! tensor, the relative error `max |ours - torch| / max |torch|`.
//!
//! Masking. The loss, the gradients, the intermediates, the losses after one and five Adam steps
//! and `adam_from_torch_grads` (one Adam step applied to PyTorch's own gradients) are compared on
//! every entry. The weights after one and after five steps of our own Adam on our own gradients
//! are not: Adam moves a weight by about `lr * sign(g)` whatever the size of `g`, so where
//! PyTorch's gradient is nearly zero, a rounding difference between our f32 gradient and its f64
//! one can flip that sign and put the weight `2 lr` away from PyTorch's, which says nothing about
//! the model. So, per tensor, the entries whose |PyTorch gradient at the initial weights| is below
//! [`ADAM_MASK_REL`] times the tensor's largest |gradient| are left out of `rel_err` (their count
//! is [`Comparison::masked`]); each of them must instead have moved no more than `steps * lr`
//! (with 0.1% slack) from its initial value, or `rel_err` is infinite. The mask is chosen once,
//! from the initial gradients, for both the one-step and the five-step comparisons.
//!
//! NaN. `f64::max` skips NaN, so a maximum taken with it would let a model that outputs NaN pass
//! with an error of 0. Every maximum here is [`nan_max`], and any non-finite value on either side
//! of a comparison makes its `rel_err` infinite ([`Comparison::non_finite`] counts them).

use crate::config::{Init, ModelConfig, OptimConfig};
use crate::model::{Dims, Layout, Workspace, TENSOR_NAMES};
use crate::optim::Adam;
use serde_json::Value;

/// Entries whose |PyTorch gradient| is below this fraction of their tensor's largest are
/// ill-conditioned for the Adam weight comparisons (see the module documentation).
pub const ADAM_MASK_REL: f64 = 1e-5;

/// One compared quantity.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub name: String,
    pub rel_err: f64,
    pub max_abs_torch: f64,
    /// Entries left out of `rel_err` as ill-conditioned (see the module documentation).
    pub masked: usize,
    /// Entries that are NaN or infinite, in pathscope's values or PyTorch's: any makes `rel_err`
    /// infinite (a model that outputs NaN never passes).
    pub non_finite: usize,
}

/// A parsed fixture.
pub struct Fixture {
    pub dims: Dims,
    pub k: usize,
    pub p: usize,
    pub tokens: Vec<u8>,
    pub targets: Vec<u8>,
    json: Value,
}

fn flatten(v: &Value, out: &mut Vec<f64>) -> Result<(), String> {
    match v {
        Value::Array(xs) => xs.iter().try_for_each(|x| flatten(x, out)),
        Value::Number(n) => {
            out.push(n.as_f64().ok_or("a number does not fit f64")?);
            Ok(())
        }
        other => Err(format!("expected numbers, found {other}")),
    }
}

fn numbers(json: &Value, path: &[&str]) -> Result<Vec<f64>, String> {
    let mut v = json;
    for key in path {
        v = v.get(*key).ok_or_else(|| format!("fixture has no field {}", path.join(".")))?;
    }
    let mut out = Vec::new();
    flatten(v, &mut out).map_err(|e| format!("{}: {e}", path.join(".")))?;
    Ok(out)
}

fn size(json: &Value, key: &str) -> Result<usize, String> {
    json["config"][key].as_u64().map(|x| x as usize).ok_or_else(|| format!("fixture config has no integer field {key}"))
}

impl Fixture {
    pub fn parse(text: &str) -> Result<Self, String> {
        let json: Value = serde_json::from_str(text).map_err(|e| format!("fixture is not JSON: {e}"))?;
        let dims = Dims { v: size(&json, "nb_emb")?, t: size(&json, "T")?, d: size(&json, "d")?, h: size(&json, "h")? };
        let (k, p, batch) = (size(&json, "k")?, size(&json, "p")?, size(&json, "batch")?);
        let to_u8 = |xs: Vec<f64>, what: &str, below: usize| -> Result<Vec<u8>, String> {
            xs.into_iter()
                .map(|x| {
                    if x >= 0.0 && (x as usize) < below && x.fract() == 0.0 {
                        Ok(x as u8)
                    } else {
                        Err(format!("{what}: {x} is not an integer in 0..{below}"))
                    }
                })
                .collect()
        };
        let tokens = to_u8(numbers(&json, &["inputs"])?, "inputs", dims.v)?;
        let targets = to_u8(numbers(&json, &["targets"])?, "targets", dims.v)?;
        if tokens.len() != batch * dims.t || targets.len() != batch {
            return Err(format!("inputs/targets do not match batch = {batch}, T = {}", dims.t));
        }
        Ok(Fixture { dims, k, p, tokens, targets, json })
    }

    pub fn model_config(&self) -> ModelConfig {
        ModelConfig {
            vocab: self.dims.v,
            seq_len: self.dims.t,
            dim: self.dims.d,
            hidden: self.dims.h,
            init: Init::Pytorch,
        }
    }

    /// A flat buffer in pathscope's layout from a `weights`-shaped object at `path`.
    pub fn flat(&self, path: &[&str]) -> Result<Vec<f64>, String> {
        let layout = Layout::new(self.dims);
        let mut flat = Vec::with_capacity(layout.len);
        for (name, range, _) in layout.tensors() {
            let mut full: Vec<&str> = path.to_vec();
            full.push(name);
            let xs = numbers(&self.json, &full)?;
            if xs.len() != range.len() {
                return Err(format!("{} has {} values, expected {}", full.join("."), xs.len(), range.len()));
            }
            flat.extend(xs);
        }
        Ok(flat)
    }

    pub fn scalar(&self, path: &[&str]) -> Result<f64, String> {
        let xs = numbers(&self.json, path)?;
        xs.first().copied().ok_or_else(|| format!("{} is empty", path.join(".")))
    }

    pub fn numbers(&self, path: &[&str]) -> Result<Vec<f64>, String> {
        numbers(&self.json, path)
    }
}

/// The larger of two numbers, NaN if either is NaN (`f64::max` returns the other one).
pub fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Compares pathscope's values with PyTorch's: `rel_err = max |ours - torch| / max |torch|`
/// (the absolute error where PyTorch's values are all 0). Infinite when the lengths differ or any
/// value on either side is NaN or infinite.
pub fn compare(name: impl Into<String>, ours: &[f32], torch: &[f64]) -> Comparison {
    let non_finite = ours.iter().filter(|x| !x.is_finite()).count() + torch.iter().filter(|x| !x.is_finite()).count();
    let max_abs_torch = torch.iter().fold(0.0f64, |m, x| nan_max(m, x.abs()));
    let max_diff = ours.iter().zip(torch).fold(0.0f64, |m, (&a, &b)| nan_max(m, (a as f64 - b).abs()));
    let rel_err = if ours.len() != torch.len() || non_finite > 0 || max_diff.is_nan() {
        f64::INFINITY
    } else if max_abs_torch > 0.0 {
        max_diff / max_abs_torch
    } else {
        max_diff
    };
    Comparison { name: name.into(), rel_err, max_abs_torch, masked: 0, non_finite }
}

fn per_tensor(prefix: &str, layout: &Layout, ours: &[f32], torch: &[f64], out: &mut Vec<Comparison>) {
    for (name, range, _) in layout.tensors() {
        out.push(compare(format!("{prefix}.{name}"), &ours[range.clone()], &torch[range]));
    }
}

/// Weights after `steps` Adam steps: relative error over the well-conditioned entries; the
/// masked ones must have moved by at most `steps * lr` from `before` (else the error is infinite).
#[allow(clippy::too_many_arguments)]
fn per_tensor_adam(
    prefix: &str,
    layout: &Layout,
    ours: &[f32],
    torch: &[f64],
    before: &[f64],
    torch_grads: &[f64],
    bound: f64,
    out: &mut Vec<Comparison>,
) {
    for (name, range, _) in layout.tensors() {
        let g = &torch_grads[range.clone()];
        let gmax = g.iter().fold(0.0f64, |m, x| nan_max(m, x.abs()));
        let keep: Vec<bool> = g.iter().map(|x| x.abs() >= ADAM_MASK_REL * gmax).collect();
        let pick = |xs: &[f32]| -> Vec<f32> { xs.iter().zip(&keep).filter(|(_, &k)| k).map(|(&x, _)| x).collect() };
        let pick64 = |xs: &[f64]| -> Vec<f64> { xs.iter().zip(&keep).filter(|(_, &k)| k).map(|(&x, _)| x).collect() };
        let mut c = compare(format!("{prefix}.{name}"), &pick(&ours[range.clone()]), &pick64(&torch[range.clone()]));
        c.max_abs_torch = torch[range.clone()].iter().fold(0.0f64, |m, x| nan_max(m, x.abs()));
        for (i, k) in range.clone().zip(&keep) {
            if !*k {
                c.masked += 1;
                // Written so that NaN (on either side) fails: NaN <= bound is false.
                if !((ours[i] as f64 - before[i]).abs() <= bound) {
                    c.rel_err = f64::INFINITY;
                }
                if !ours[i].is_finite() || !torch[i].is_finite() {
                    c.non_finite += 1;
                }
            }
        }
        out.push(c);
    }
}

/// Every comparison the fixture allows: loss, gradients, intermediates, one Adam step, five.
pub fn run(fixture: &Fixture) -> Result<Vec<Comparison>, String> {
    let dims = fixture.dims;
    let layout = Layout::new(dims);
    let mut ws = Workspace::new(dims);
    let (x, y) = (&fixture.tokens, &fixture.targets);
    let b = y.len();
    let initial = fixture.flat(&["weights"])?;
    let torch_grads = fixture.flat(&["grads"])?;
    let mut params: Vec<f32> = initial.iter().map(|&v| v as f32).collect();
    let mut grads = vec![0.0f32; layout.len];
    let mut out = Vec::new();

    let stats = ws.loss_and_grad(&params, x, y, &mut grads);
    out.push(compare("loss", &[stats.loss as f32], &[fixture.scalar(&["loss"])?]));
    per_tensor("grad", &layout, &grads, &torch_grads, &mut out);

    let (mut attn, mut za, mut logits) = (vec![0.0; b * dims.t], vec![0.0; b * dims.d], vec![0.0; b * dims.v]);
    ws.forward_with(&params, x, y, &mut attn, &mut za, &mut logits);
    out.push(compare("attn", &attn, &fixture.numbers(&["intermediates", "attn"])?));
    out.push(compare("z_A", &za, &fixture.numbers(&["intermediates", "z_A"])?));
    out.push(compare("logits", &logits, &fixture.numbers(&["intermediates", "logits"])?));

    let adam_cfg = OptimConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: false };
    let after_one = fixture.flat(&["after_adam_step", "weights"])?;
    // Adam alone, on every entry: one step from PyTorch's gradients.
    let mut alone = params.clone();
    let g32: Vec<f32> = torch_grads.iter().map(|&g| g as f32).collect();
    Adam::new(&adam_cfg, layout.len).step(&mut alone, &g32);
    out.push(compare("adam_from_torch_grads", &alone, &after_one));

    let lr = adam_cfg.lr * 1.001;
    let mut adam = Adam::new(&adam_cfg, layout.len);
    adam.step(&mut params, &grads);
    per_tensor_adam("adam1", &layout, &params, &after_one, &initial, &torch_grads, lr, &mut out);
    let after1 = ws.evaluate(&params, x, y);
    out.push(compare(
        "adam1.loss_after",
        &[after1.loss as f32],
        &[fixture.scalar(&["after_adam_step", "loss_after"])?],
    ));

    let torch_losses = fixture.numbers(&["after_5_adam_steps", "losses_after_each_step_from_0"])?;
    let mut losses = vec![stats.loss as f32, after1.loss as f32];
    for _ in 2..=5 {
        ws.loss_and_grad(&params, x, y, &mut grads);
        adam.step(&mut params, &grads);
        losses.push(ws.evaluate(&params, x, y).loss as f32);
    }
    out.push(compare("adam5.losses", &losses, &torch_losses));
    let after_five = fixture.flat(&["after_5_adam_steps", "weights"])?;
    per_tensor_adam("adam5", &layout, &params, &after_five, &initial, &torch_grads, 5.0 * lr, &mut out);
    debug_assert_eq!(TENSOR_NAMES.len(), 8);
    Ok(out)
}
