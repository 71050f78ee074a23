//! Forward and backward passes over a batch, with no allocation per step.
//!
//! Two facts of the model make it much cheaper than a literal transcription (profiled on 2 cores,
//! PyTorch spends 40 % of a step in the RMS norm's backward over B x T tokens):
//! - the normalized embedding `u_t` and its score `s_t` depend only on the pair (x_t, t), so they
//!   are computed once per step for the V x T pairs (the *tables*), not for B x T tokens; the
//!   gradients of the tables are accumulated per pair and pushed through the norm once;
//! - `z_A = sum_t alpha_t W_V u_t = W_V (sum_t alpha_t u_t)`: W_V is applied after the weighted
//!   sum (B x d x d multiply-adds instead of B x T x d x d).
//!
//! ```text
//! per step    e[v,t] = E[v] + P[t]    u[v,t] = e / (rms(e) + eps)    s[v,t] = <q, u[v,t]> / sqrt(d)
//! per seq     alpha = softmax_t s[x_t, t]      ubar = sum_t alpha_t u[x_t, t]
//!             z_A = W_V ubar     v = z_A / (rms(z_A) + eps)     a = W_1 v + b_1
//!             z_O = z_A + W_2 GELU(a) + b_2    logits = E z_O    loss = CE(logits, y)
//! ```
//!
//! No buffer keeps a subnormal float: x86 computes with them ~100 times slower (issue 13), and a
//! large learning rate makes many (GELU's far negative tail, near-certain probabilities and the
//! tiny gradients behind them). GELU is exactly 0 far in its tail (`kernels::GELU_ZERO_BELOW`),
//! and every probability and every gradient that would be subnormal is stored as 0
//! (`ops::flush_subnormal`), explicitly, so native and wasm compute the same bits; values that
//! are not subnormal are never changed by it.

// Per-sequence loops index several buffers (tokens, targets, activations) by the same b.
#![allow(clippy::needless_range_loop)]

use super::ops::*;
use super::{Dims, Layout, CHUNK, RMS_EPS};
use crate::kernels::{gelu_forward, gemm_acc, Strided};

/// Loss and accuracy of a batch (loss is the batch mean, as the optimizer sees it).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BatchStats {
    pub loss: f64,
    pub correct: usize,
    pub count: usize,
}

impl BatchStats {
    pub fn accuracy(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.correct as f64 / self.count as f64
        }
    }
}

/// Every buffer a step needs, allocated once per model size.
pub struct Workspace {
    pub dims: Dims,
    pub layout: Layout,
    // Tables over (token, position) pairs, index v * T + t.
    e_tab: Vec<f32>,  // (V*T, d) embeddings E[v] + P[t]
    u_tab: Vec<f32>,  // (V*T, d) normalized embeddings
    r_tab: Vec<f32>,  // (V*T) rms of e
    s_tab: Vec<f32>,  // (V*T) attention scores
    ds_tab: Vec<f32>, // (V*T) gradient of the scores
    du_tab: Vec<f32>, // (V*T, d) gradient of u through the weighted sum
    // Transposed weights, so every product vectorizes across its output.
    wvt: Vec<f32>, // (d_in, d_out) = W_V^T
    w1t: Vec<f32>, // (d, h) = W_1^T
    w2t: Vec<f32>, // (h, d) = W_2^T
    et: Vec<f32>,  // (d, V) = E^T
    // Activations of one chunk.
    alpha: Vec<f32>,  // (C, T)
    ubar: Vec<f32>,   // (C, d)
    za: Vec<f32>,     // (C, d)
    za_r: Vec<f32>,   // (C) rms of z_A
    vn: Vec<f32>,     // (C, d) normalized z_A
    a1: Vec<f32>,     // (C, h) MLP pre-activation
    g: Vec<f32>,      // (C, h) GELU(a1)
    gp: Vec<f32>,     // (C, h) GELU'(a1), kept for the backward pass
    zo: Vec<f32>,     // (C, d)
    logits: Vec<f32>, // (C, V)
    probs: Vec<f32>,  // (C, V)
    // Gradients of one chunk.
    dlogits: Vec<f32>, // (C, V)
    dzo: Vec<f32>,     // (C, d)
    da: Vec<f32>,      // (C, h) gradient of a1 (first of g)
    dvn: Vec<f32>,     // (C, d)
    dza: Vec<f32>,     // (C, d)
    dubar: Vec<f32>,   // (C, d)
    dalpha: Vec<f32>,  // (T)
    ds: Vec<f32>,      // (T)
    de: Vec<f32>,      // (d)
}

impl Workspace {
    /// f32 values a workspace of these sizes allocates ([`Workspace::new`]), in 64-bit arithmetic
    /// (saturating: an absurd size is refused by the budget, not wrapped).
    pub fn floats(dims: Dims) -> u64 {
        let [v, t, d, h, c] = [dims.v, dims.t, dims.d, dims.h, CHUNK].map(|x| x as u64);
        let vt = v.saturating_mul(t);
        let tables = vt.saturating_mul(d).saturating_mul(3).saturating_add(vt.saturating_mul(3));
        let weights = d.saturating_mul(d).saturating_add(d.saturating_mul(h).saturating_mul(2)).saturating_add(d * v);
        let per_seq =
            t.saturating_add(d.saturating_mul(8)).saturating_add(1).saturating_add(h.saturating_mul(4)) + 3 * v;
        let chunk = c.saturating_mul(per_seq);
        tables.saturating_add(weights).saturating_add(chunk).saturating_add(2 * t + d)
    }

    /// f32 values this workspace holds (what [`Workspace::floats`] predicts).
    pub fn allocated_floats(&self) -> u64 {
        self.buffers().iter().map(|(_, b)| b.len() as u64).sum()
    }

    /// Every buffer with its field's name, for diagnostics (e.g. scanning for subnormal values).
    /// The per-chunk buffers hold the last chunk of the last pass.
    pub fn buffers(&self) -> [(&'static str, &[f32]); 30] {
        [
            ("e_tab", &self.e_tab),
            ("u_tab", &self.u_tab),
            ("r_tab", &self.r_tab),
            ("s_tab", &self.s_tab),
            ("ds_tab", &self.ds_tab),
            ("du_tab", &self.du_tab),
            ("wvt", &self.wvt),
            ("w1t", &self.w1t),
            ("w2t", &self.w2t),
            ("et", &self.et),
            ("alpha", &self.alpha),
            ("ubar", &self.ubar),
            ("za", &self.za),
            ("za_r", &self.za_r),
            ("vn", &self.vn),
            ("a1", &self.a1),
            ("g", &self.g),
            ("gp", &self.gp),
            ("zo", &self.zo),
            ("logits", &self.logits),
            ("probs", &self.probs),
            ("dlogits", &self.dlogits),
            ("dzo", &self.dzo),
            ("da", &self.da),
            ("dvn", &self.dvn),
            ("dza", &self.dza),
            ("dubar", &self.dubar),
            ("dalpha", &self.dalpha),
            ("ds", &self.ds),
            ("de", &self.de),
        ]
    }

    pub fn new(dims: Dims) -> Self {
        let Dims { v, t, d, h } = dims;
        let c = CHUNK;
        let z = |n: usize| vec![0.0f32; n];
        Workspace {
            dims,
            layout: Layout::new(dims),
            e_tab: z(v * t * d),
            u_tab: z(v * t * d),
            r_tab: z(v * t),
            s_tab: z(v * t),
            ds_tab: z(v * t),
            du_tab: z(v * t * d),
            wvt: z(d * d),
            w1t: z(d * h),
            w2t: z(h * d),
            et: z(d * v),
            alpha: z(c * t),
            ubar: z(c * d),
            za: z(c * d),
            za_r: z(c),
            vn: z(c * d),
            a1: z(c * h),
            g: z(c * h),
            gp: z(c * h),
            zo: z(c * d),
            logits: z(c * v),
            probs: z(c * v),
            dlogits: z(c * v),
            dzo: z(c * d),
            da: z(c * h),
            dvn: z(c * d),
            dza: z(c * d),
            dubar: z(c * d),
            dalpha: z(t),
            ds: z(t),
            de: z(d),
        }
    }

    /// Tables and transposed weights for these parameters: once per step, before any chunk.
    pub fn prepare(&mut self, params: &[f32]) {
        let Dims { v, t, d, h } = self.dims;
        let l = &self.layout;
        let emb = &params[l.token_emb.clone()];
        let pos = &params[l.pos_emb.clone()];
        let q = &params[l.query.clone()];
        let inv_sqrt_d = 1.0 / (d as f32).sqrt();
        for tok in 0..v {
            for pos_t in 0..t {
                let i = tok * t + pos_t;
                let e = &mut self.e_tab[i * d..(i + 1) * d];
                for j in 0..d {
                    e[j] = emb[tok * d + j] + pos[pos_t * d + j];
                }
                let u = &mut self.u_tab[i * d..(i + 1) * d];
                self.r_tab[i] = rmsnorm_forward(u, e, RMS_EPS);
                let mut s = 0.0f32;
                for j in 0..d {
                    s = s + q[j] * u[j];
                }
                self.s_tab[i] = s * inv_sqrt_d;
            }
        }
        transpose(&mut self.wvt, &params[l.value.clone()], d, d);
        transpose(&mut self.w1t, &params[l.fc1_w.clone()], h, d);
        transpose(&mut self.w2t, &params[l.fc2_w.clone()], d, h);
        transpose(&mut self.et, emb, v, d);
    }

    /// Forward pass of `c <= CHUNK` sequences; keeps the activations for [`Self::backward_chunk`].
    /// Returns the sum (not mean) of the losses and the number of correct predictions.
    /// With `train`, GELU's derivative is kept for the backward pass.
    fn forward_chunk(&mut self, params: &[f32], tokens: &[u8], targets: &[u8], c: usize, train: bool) -> (f64, usize) {
        let Dims { v, t, d, h } = self.dims;
        let l = &self.layout;
        // Attention over the tables, and the attention-weighted sum of u.
        for b in 0..c {
            let x = &tokens[b * t..(b + 1) * t];
            let alpha = &mut self.alpha[b * t..(b + 1) * t];
            for pos_t in 0..t {
                alpha[pos_t] = self.s_tab[x[pos_t] as usize * t + pos_t];
            }
            softmax_forward(alpha);
            let ubar = &mut self.ubar[b * d..(b + 1) * d];
            ubar.fill(0.0);
            for pos_t in 0..t {
                let i = x[pos_t] as usize * t + pos_t;
                let a = alpha[pos_t];
                for (o, &uj) in ubar.iter_mut().zip(&self.u_tab[i * d..(i + 1) * d]) {
                    *o = *o + a * uj;
                }
            }
        }
        // z_A = ubar W_V^T
        self.za[..c * d].fill(0.0);
        gemm_acc(c, d, d, Strided::rows(&self.ubar, d), &self.wvt, d, &mut self.za, d);
        for b in 0..c {
            let (za, vn) = (&self.za[b * d..(b + 1) * d], &mut self.vn[b * d..(b + 1) * d]);
            self.za_r[b] = rmsnorm_forward(vn, za, RMS_EPS);
        }
        // a = v W_1^T + b_1;  g = GELU(a)
        bias_forward(&mut self.a1[..c * h], &params[l.fc1_b.clone()]);
        gemm_acc(c, h, d, Strided::rows(&self.vn, d), &self.w1t, h, &mut self.a1, h);
        let gp = if train { Some(&mut self.gp[..c * h]) } else { None };
        gelu_forward(&mut self.g[..c * h], gp, &self.a1[..c * h]);
        // z_O = (b_2 + g W_2^T) + z_A
        bias_forward(&mut self.zo[..c * d], &params[l.fc2_b.clone()]);
        gemm_acc(c, d, h, Strided::rows(&self.g, h), &self.w2t, d, &mut self.zo, d);
        for (o, &za) in self.zo[..c * d].iter_mut().zip(&self.za[..c * d]) {
            *o = *o + za;
        }
        // logits = z_O E^T (tied unembedding), then cross-entropy
        self.logits[..c * v].fill(0.0);
        gemm_acc(c, v, d, Strided::rows(&self.zo, d), &self.et, v, &mut self.logits, v);
        let mut loss = 0.0f64;
        let mut correct = 0;
        for b in 0..c {
            let row = &self.logits[b * v..(b + 1) * v];
            let y = targets[b] as usize;
            loss += cross_entropy_forward(&mut self.probs[b * v..(b + 1) * v], row, y) as f64;
            correct += (argmax(row) == y) as usize;
        }
        (loss, correct)
    }

    /// Backward pass of the chunk last run forward; accumulates into `grads` (same layout as
    /// the parameters) and into the table gradients. `scale` is 1 / B of the whole batch.
    fn backward_chunk(
        &mut self,
        params: &[f32],
        grads: &mut [f32],
        tokens: &[u8],
        targets: &[u8],
        c: usize,
        scale: f32,
    ) {
        let Dims { v, t, d, h } = self.dims;
        let l = self.layout.clone();
        for b in 0..c {
            let y = targets[b] as usize;
            cross_entropy_backward(&mut self.dlogits[b * v..(b + 1) * v], &self.probs[b * v..(b + 1) * v], y, scale);
        }
        // logits = z_O E^T:  dE += dlogits^T z_O;  dz_O = dlogits E
        gemm_acc(v, d, c, Strided::transposed(&self.dlogits, v), &self.zo, d, &mut grads[l.token_emb.clone()], d);
        self.dzo[..c * d].fill(0.0);
        gemm_acc(c, d, v, Strided::rows(&self.dlogits, v), &params[l.token_emb.clone()], d, &mut self.dzo, d);
        flush_subnormals(&mut self.dzo[..c * d]);
        // z_O = z_A + g W_2^T + b_2:  db_2 += sum dz_O;  dW_2 += dz_O^T g;  dg = dz_O W_2
        bias_backward(&mut grads[l.fc2_b.clone()], &self.dzo[..c * d]);
        gemm_acc(d, h, c, Strided::transposed(&self.dzo, d), &self.g, h, &mut grads[l.fc2_w.clone()], h);
        self.da[..c * h].fill(0.0);
        gemm_acc(c, h, d, Strided::rows(&self.dzo, d), &params[l.fc2_w.clone()], h, &mut self.da, h);
        // g = GELU(a):  da = dg GELU'(a)
        for (dai, &gp) in self.da[..c * h].iter_mut().zip(&self.gp[..c * h]) {
            *dai = flush_subnormal(*dai * gp);
        }
        // a = v W_1^T + b_1:  db_1 += sum da;  dW_1 += da^T v;  dv = da W_1
        bias_backward(&mut grads[l.fc1_b.clone()], &self.da[..c * h]);
        gemm_acc(h, d, c, Strided::transposed(&self.da, h), &self.vn, d, &mut grads[l.fc1_w.clone()], d);
        self.dvn[..c * d].fill(0.0);
        gemm_acc(c, d, h, Strided::rows(&self.da, h), &params[l.fc1_w.clone()], d, &mut self.dvn, d);
        flush_subnormals(&mut self.dvn[..c * d]);
        // v = rmsnorm(z_A), and z_A also feeds the residual:  dz_A = dz_O + norm backward
        self.dza[..c * d].copy_from_slice(&self.dzo[..c * d]);
        for b in 0..c {
            let r = b * d..(b + 1) * d;
            rmsnorm_backward(
                &mut self.dza[r.clone()],
                &self.dvn[r.clone()],
                &self.za[r.clone()],
                self.za_r[b],
                RMS_EPS,
            );
        }
        flush_subnormals(&mut self.dza[..c * d]);
        // z_A = ubar W_V^T:  dW_V += dz_A^T ubar;  dubar = dz_A W_V
        gemm_acc(d, d, c, Strided::transposed(&self.dza, d), &self.ubar, d, &mut grads[l.value.clone()], d);
        self.dubar[..c * d].fill(0.0);
        gemm_acc(c, d, d, Strided::rows(&self.dza, d), &params[l.value.clone()], d, &mut self.dubar, d);
        flush_subnormals(&mut self.dubar[..c * d]);
        // ubar = sum_t alpha_t u[x_t, t], alpha = softmax(s[x_t, t]): into the table gradients.
        for b in 0..c {
            let x = &tokens[b * t..(b + 1) * t];
            let alpha = &self.alpha[b * t..(b + 1) * t];
            let dubar = &self.dubar[b * d..(b + 1) * d];
            for pos_t in 0..t {
                let i = x[pos_t] as usize * t + pos_t;
                let mut dot = 0.0f32;
                for (&g, &u) in dubar.iter().zip(&self.u_tab[i * d..(i + 1) * d]) {
                    dot = dot + g * u;
                }
                self.dalpha[pos_t] = dot;
                let a = alpha[pos_t];
                for (o, &g) in self.du_tab[i * d..(i + 1) * d].iter_mut().zip(dubar) {
                    *o = *o + a * g;
                }
            }
            softmax_backward(&mut self.ds, &self.dalpha, alpha);
            for pos_t in 0..t {
                self.ds_tab[x[pos_t] as usize * t + pos_t] += self.ds[pos_t];
            }
        }
    }

    /// Pushes the table gradients through the scores and the embedding norm, into dq, dE, dP.
    fn finish_backward(&mut self, params: &[f32], grads: &mut [f32]) {
        let Dims { v, t, d, .. } = self.dims;
        let l = self.layout.clone();
        let inv_sqrt_d = 1.0 / (d as f32).sqrt();
        for tok in 0..v {
            for pos_t in 0..t {
                let i = tok * t + pos_t;
                let ds = self.ds_tab[i] * inv_sqrt_d;
                let u = &self.u_tab[i * d..(i + 1) * d];
                // s = <q, u> / sqrt(d):  dq += ds u;  du += ds q
                {
                    let dq = &mut grads[l.query.clone()];
                    for (o, &uj) in dq.iter_mut().zip(u) {
                        *o += ds * uj;
                    }
                }
                let du = &mut self.du_tab[i * d..(i + 1) * d];
                for (o, &qj) in du.iter_mut().zip(&params[l.query.clone()]) {
                    *o += ds * qj;
                }
                // u = rmsnorm(e), e = E[tok] + P[t]
                self.de.fill(0.0);
                rmsnorm_backward(&mut self.de, du, &self.e_tab[i * d..(i + 1) * d], self.r_tab[i], RMS_EPS);
                let demb = &mut grads[l.token_emb.start + tok * d..l.token_emb.start + (tok + 1) * d];
                for (o, &g) in demb.iter_mut().zip(&self.de) {
                    *o += g;
                }
                let dpos = &mut grads[l.pos_emb.start + pos_t * d..l.pos_emb.start + (pos_t + 1) * d];
                for (o, &g) in dpos.iter_mut().zip(&self.de) {
                    *o += g;
                }
            }
        }
    }

    /// Mean cross-entropy of the batch and its gradient with respect to every parameter,
    /// written (not accumulated) into `grads`. `tokens` is (B, T), `targets` (B).
    pub fn loss_and_grad(&mut self, params: &[f32], tokens: &[u8], targets: &[u8], grads: &mut [f32]) -> BatchStats {
        let t = self.dims.t;
        let n = targets.len();
        debug_assert_eq!(tokens.len(), n * t);
        grads.fill(0.0);
        self.ds_tab.fill(0.0);
        self.du_tab.fill(0.0);
        self.prepare(params);
        let scale = 1.0 / n as f32;
        let mut stats = BatchStats { count: n, ..Default::default() };
        let mut start = 0;
        while start < n {
            let c = CHUNK.min(n - start);
            let (x, y) = (&tokens[start * t..(start + c) * t], &targets[start..start + c]);
            let (loss, correct) = self.forward_chunk(params, x, y, c, true);
            stats.loss += loss;
            stats.correct += correct;
            self.backward_chunk(params, grads, x, y, c, scale);
            start += c;
        }
        self.finish_backward(params, grads);
        flush_subnormals(grads);
        stats.loss /= n.max(1) as f64;
        stats
    }

    /// Mean loss and accuracy, forward only.
    pub fn evaluate(&mut self, params: &[f32], tokens: &[u8], targets: &[u8]) -> BatchStats {
        self.for_each_chunk(params, tokens, targets, |_, _, _| {})
    }

    /// Forward over every chunk, calling `visit(ws, first_index, count)` after each.
    fn for_each_chunk(
        &mut self,
        params: &[f32],
        tokens: &[u8],
        targets: &[u8],
        mut visit: impl FnMut(&Workspace, usize, usize),
    ) -> BatchStats {
        let t = self.dims.t;
        let n = targets.len();
        self.prepare(params);
        let mut stats = BatchStats { count: n, ..Default::default() };
        let mut start = 0;
        while start < n {
            let c = CHUNK.min(n - start);
            let (loss, correct) =
                self.forward_chunk(params, &tokens[start * t..(start + c) * t], &targets[start..start + c], c, false);
            stats.loss += loss;
            stats.correct += correct;
            visit(self, start, c);
            start += c;
        }
        stats.loss /= n.max(1) as f64;
        stats
    }

    /// Forward over a batch, copying out the intermediates the figures and the parity checks
    /// use: attention (B, T), z_A (B, d) and logits (B, V). Any output may be an empty slice.
    pub fn forward_with(
        &mut self,
        params: &[f32],
        tokens: &[u8],
        targets: &[u8],
        attn: &mut [f32],
        za: &mut [f32],
        logits: &mut [f32],
    ) -> BatchStats {
        let Dims { v, t, d, .. } = self.dims;
        self.for_each_chunk(params, tokens, targets, |ws, start, c| {
            if !attn.is_empty() {
                attn[start * t..(start + c) * t].copy_from_slice(&ws.alpha[..c * t]);
            }
            if !za.is_empty() {
                za[start * d..(start + c) * d].copy_from_slice(&ws.za[..c * d]);
            }
            if !logits.is_empty() {
                logits[start * v..(start + c) * v].copy_from_slice(&ws.logits[..c * v]);
            }
        })
    }

    /// Attention of one sequence over its positions, from tables prepared for `params`
    /// (call [`Self::prepare`] first). Writes `out[t] = alpha_t`.
    pub fn attention_from_tables(&self, seq: &[u8], out: &mut [f32]) {
        let t = self.dims.t;
        for pos_t in 0..t {
            out[pos_t] = self.s_tab[seq[pos_t] as usize * t + pos_t];
        }
        softmax_forward(&mut out[..t]);
    }
}

/// out (cols, rows) = src (rows, cols)^T
fn transpose(out: &mut [f32], src: &[f32], rows: usize, cols: usize) {
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = src[r * cols + c];
        }
    }
}
