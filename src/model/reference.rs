//! A literal f64 transcription of docs/model.md's forward pass, one sequence at a time, with W_V
//! applied to every token as the authors' code does. It shares nothing with the fast path (no
//! tables, no kernels), so tests use it as independent truth: its loss must equal the fast
//! loss, and its finite differences must equal the fast backward.

use super::{Layout, RMS_EPS};

fn rmsnorm(x: &[f64]) -> Vec<f64> {
    let r = (x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64).sqrt();
    x.iter().map(|v| v / (r + RMS_EPS as f64)).collect()
}

fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + libm::erf(x / core::f64::consts::SQRT_2))
}

/// Intermediates of one sequence.
pub struct Forward64 {
    pub attn: Vec<f64>,
    pub za: Vec<f64>,
    pub logits: Vec<f64>,
    pub loss: f64,
}

/// The forward pass of one sequence in f64.
pub fn forward_one(layout: &Layout, params: &[f64], seq: &[u8], y: usize) -> Forward64 {
    let super::Dims { v, t, d, h } = layout.dims;
    let emb = &params[layout.token_emb.clone()];
    let pos = &params[layout.pos_emb.clone()];
    let q = &params[layout.query.clone()];
    let wv = &params[layout.value.clone()];
    let (w1, b1) = (&params[layout.fc1_w.clone()], &params[layout.fc1_b.clone()]);
    let (w2, b2) = (&params[layout.fc2_w.clone()], &params[layout.fc2_b.clone()]);
    let u: Vec<Vec<f64>> = (0..t)
        .map(|pt| {
            let e: Vec<f64> = (0..d).map(|j| emb[seq[pt] as usize * d + j] + pos[pt * d + j]).collect();
            rmsnorm(&e)
        })
        .collect();
    let s: Vec<f64> =
        u.iter().map(|ut| ut.iter().zip(q).map(|(a, b)| a * b).sum::<f64>() / (d as f64).sqrt()).collect();
    let m = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let ex: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
    let z: f64 = ex.iter().sum();
    let attn: Vec<f64> = ex.iter().map(|x| x / z).collect();
    // W_V on every token, then the weighted sum (the authors' order).
    let mut za = vec![0.0; d];
    for pt in 0..t {
        for i in 0..d {
            let wu: f64 = (0..d).map(|j| wv[i * d + j] * u[pt][j]).sum();
            za[i] += attn[pt] * wu;
        }
    }
    let vn = rmsnorm(&za);
    let g: Vec<f64> = (0..h).map(|j| gelu(b1[j] + (0..d).map(|i| w1[j * d + i] * vn[i]).sum::<f64>())).collect();
    let zo: Vec<f64> = (0..d).map(|i| za[i] + b2[i] + (0..h).map(|j| w2[i * h + j] * g[j]).sum::<f64>()).collect();
    let logits: Vec<f64> = (0..v).map(|c| (0..d).map(|i| emb[c * d + i] * zo[i]).sum()).collect();
    let lm = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = lm + logits.iter().map(|l| (l - lm).exp()).sum::<f64>().ln();
    Forward64 { attn, za, logits: logits.clone(), loss: lse - logits[y] }
}

/// Mean loss over a batch, in f64.
pub fn loss(layout: &Layout, params: &[f64], tokens: &[u8], targets: &[u8]) -> f64 {
    let t = layout.dims.t;
    let n = targets.len();
    (0..n).map(|b| forward_one(layout, params, &tokens[b * t..(b + 1) * t], targets[b] as usize).loss).sum::<f64>()
        / n as f64
}
