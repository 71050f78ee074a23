//! The element-wise ops of the model, each forward next to its backward.
//!
//! Conventions (after llm.c): outputs first, gradients prefixed `d`, backward passes accumulate
//! with `+=` where a tensor receives gradient from several places. Transcendentals come from
//! `libm` (pure Rust) so every platform computes the same bits. Probabilities and their
//! gradients that would be subnormal are stored as 0 ([`flush_subnormal`]).

/// RMS norm without gain, eps outside the root (the authors' code; docs/model.md):
/// ```text
/// r = sqrt(mean_i x_i^2),   c = 1 / (r + eps),   y = c x
/// ```
/// Returns `r`.
#[inline]
pub fn rmsnorm_forward(y: &mut [f32], x: &[f32], eps: f32) -> f32 {
    let mut ss = 0.0f32;
    for &v in x {
        ss = ss + v * v;
    }
    let r = libm::sqrtf(ss / x.len() as f32);
    let c = 1.0 / (r + eps);
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = xi * c;
    }
    r
}

/// Backward of [`rmsnorm_forward`], given its input `x` and returned `r`:
/// ```text
/// dx_j += c dy_j - x_j c^2 (dy . x) / (d r)
/// ```
/// (from dc/dx_j = -c^2 x_j / (d r)). At x = 0 the second term is 0 (its limit), not 0/0.
#[inline]
pub fn rmsnorm_backward(dx: &mut [f32], dy: &[f32], x: &[f32], r: f32, eps: f32) {
    let c = 1.0 / (r + eps);
    let mut dot = 0.0f32;
    for (&g, &v) in dy.iter().zip(x) {
        dot = dot + g * v;
    }
    let coef = if r > 0.0 { c * c * dot / (x.len() as f32 * r) } else { 0.0 };
    for ((dxi, &g), &v) in dx.iter_mut().zip(dy).zip(x) {
        *dxi += c * g - v * coef;
    }
}

/// A linear layer's bias, forward: every row of `y` (rows x len(b)) starts as `b`, and the
/// product `x W^T` is then accumulated onto it.
#[inline]
pub fn bias_forward(y: &mut [f32], b: &[f32]) {
    for row in y.chunks_exact_mut(b.len()) {
        row.copy_from_slice(b);
    }
}

/// Backward of [`bias_forward`]: `db += sum over rows of dy`.
#[inline]
pub fn bias_backward(db: &mut [f32], dy: &[f32]) {
    for row in dy.chunks_exact(db.len()) {
        for (o, &g) in db.iter_mut().zip(row) {
            *o += g;
        }
    }
}

/// `x`, or 0 if `x` is subnormal: what flush-to-zero hardware would store, done in the arithmetic
/// so that every platform (x86, wasm32, which has no such mode) computes the same bits. Where it
/// is applied no normal value changes, and a subnormal one is below 2^-126 of the quantities it
/// meets (see each use); x86 computes with subnormals ~100 times slower (issue 13).
#[inline(always)]
pub fn flush_subnormal(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// [`flush_subnormal`] over a buffer: a gradient from a matrix product that multiplied tiny
/// factors, before it feeds the next product.
#[inline]
pub fn flush_subnormals(xs: &mut [f32]) {
    for x in xs {
        *x = flush_subnormal(*x);
    }
}

/// `exp(x)` for `x <= 0`, but 0 below -88, where it is subnormal (e^-88 = 6e-39) and where
/// `libm::expf` (below -87.34) also computes a subnormal quotient to raise the underflow flag.
/// The caller flushes the rest of the subnormal range, (-88, -87.34), after normalizing.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    if x < -88.0 {
        0.0
    } else {
        libm::expf(x)
    }
}

/// Softmax in place, max-subtracted: `a_t = exp(s_t - max s) / sum_u exp(s_u - max s)`.
///
/// A weight that would be subnormal is 0. The sum keeps its value (a term below 2^-126 vanishes
/// in rounding beside any partial sum above 2^-102, and the sum ends at least 1 = exp(0)), and a
/// weight that small cannot change a weighted sum of unit-scale vectors at f32 precision.
#[inline]
pub fn softmax_forward(a: &mut [f32]) {
    let mut m = f32::NEG_INFINITY;
    for &v in a.iter() {
        m = m.max(v);
    }
    let mut sum = 0.0f32;
    for v in a.iter_mut() {
        *v = exp_nonpositive(*v - m);
        sum = sum + *v;
    }
    let inv = 1.0 / sum;
    for v in a.iter_mut() {
        *v = flush_subnormal(*v * inv);
    }
}

/// Backward of softmax: `ds_t = a_t (da_t - sum_u a_u da_u)`, a subnormal `ds_t` stored as 0.
#[inline]
pub fn softmax_backward(ds: &mut [f32], da: &[f32], a: &[f32]) {
    let mut dot = 0.0f32;
    for (&ai, &gi) in a.iter().zip(da) {
        dot = dot + ai * gi;
    }
    for ((dsi, &ai), &gi) in ds.iter_mut().zip(a).zip(da) {
        *dsi = flush_subnormal(ai * (gi - dot));
    }
}

// GELU and its derivative are element-wise kernels with a SIMD version: see
// `crate::kernels::gelu_lane`.

/// Cross-entropy of one row of logits; writes the softmax probabilities into `probs` and
/// returns `log sum exp(l) - l_y`. A probability that would be subnormal is 0, as in
/// [`softmax_forward`], which leaves the loss unchanged.
#[inline]
pub fn cross_entropy_forward(probs: &mut [f32], logits: &[f32], y: usize) -> f32 {
    let mut m = f32::NEG_INFINITY;
    for &v in logits {
        m = m.max(v);
    }
    let mut sum = 0.0f32;
    for (p, &l) in probs.iter_mut().zip(logits) {
        *p = exp_nonpositive(l - m);
        sum = sum + *p;
    }
    let inv = 1.0 / sum;
    for p in probs.iter_mut() {
        *p = flush_subnormal(*p * inv);
    }
    m + libm::logf(sum) - logits[y]
}

/// Backward of the batch-mean cross-entropy for one row: `dl = (probs - onehot(y)) * scale`,
/// with `scale = 1 / B`; a subnormal `dl` (from a probability below 2^-126 B) is 0: it would
/// feed the unembedding's matrix products with subnormals, for a gradient below 2^-126.
#[inline]
pub fn cross_entropy_backward(dlogits: &mut [f32], probs: &[f32], y: usize, scale: f32) {
    for (i, (dl, &p)) in dlogits.iter_mut().zip(probs).enumerate() {
        let onehot = if i == y { 1.0 } else { 0.0 };
        *dl = flush_subnormal((p - onehot) * scale);
    }
}

/// Index of the first largest logit: the predicted class.
#[inline]
pub fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in xs.iter().enumerate() {
        if v > xs[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central difference of a scalar function, in f64 around an f32 point.
    fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-4;
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn rmsnorm_backward_matches_finite_differences() {
        let x = [0.3f32, -1.2, 2.0, 0.7, -0.4];
        let dy = [0.5f32, -0.25, 1.0, 0.0, 2.0];
        let eps = 1e-5f32;
        let mut y = [0.0f32; 5];
        let r = rmsnorm_forward(&mut y, &x, eps);
        let mut dx = [0.0f32; 5];
        rmsnorm_backward(&mut dx, &dy, &x, r, eps);
        for j in 0..5 {
            let f = |v: f64| {
                let mut xs: Vec<f64> = x.iter().map(|&a| a as f64).collect();
                xs[j] = v;
                let r = (xs.iter().map(|a| a * a).sum::<f64>() / 5.0).sqrt();
                xs.iter().zip(dy).map(|(a, g)| a / (r + eps as f64) * g as f64).sum()
            };
            assert!((dx[j] as f64 - fd(f, x[j] as f64)).abs() < 1e-4, "j={j}");
        }
        // Zero input: finite gradient c * dy.
        let mut dx0 = [0.0f32; 5];
        rmsnorm_backward(&mut dx0, &dy, &[0.0; 5], 0.0, eps);
        assert!(dx0.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn softmax_and_cross_entropy() {
        let mut a = [1.0f32, 2.0, 3.0];
        softmax_forward(&mut a);
        let e: Vec<f64> = [1.0f64, 2.0, 3.0].iter().map(|v| v.exp()).collect();
        let z: f64 = e.iter().sum();
        for i in 0..3 {
            assert!((a[i] as f64 - e[i] / z).abs() < 1e-7);
        }
        let mut probs = [0.0f32; 3];
        let loss = cross_entropy_forward(&mut probs, &[1.0, 2.0, 3.0], 0);
        assert!((loss as f64 - (z.ln() - 1.0)).abs() < 1e-6);
        // Huge logits do not overflow.
        let loss = cross_entropy_forward(&mut probs, &[1000.0, 0.0, -1000.0], 1);
        assert!((loss - 1000.0).abs() < 1e-3);
        let da = [0.2f32, -0.1, 0.4];
        let mut ds = [0.0f32; 3];
        softmax_backward(&mut ds, &da, &a);
        assert!(ds.iter().sum::<f32>().abs() < 1e-7);
    }

    /// Probabilities that would be subnormal are 0 (issue 13), normal ones keep every bit, and
    /// the loss is the one computed without the flush.
    #[test]
    fn subnormal_probabilities_are_zero_and_change_nothing_else() {
        // Gaps of 80 (e^-80 = 1.8e-35, normal), 87.5, 95 and 105 (subnormal or 0 unflushed).
        let logits = [0.0f32, -80.0, -87.5, -95.0, -105.0];
        let mut probs = [0.0f32; 5];
        let loss = cross_entropy_forward(&mut probs, &logits, 1);
        assert_eq!(probs[0], 1.0);
        assert_eq!(probs[1].to_bits(), libm::expf(-80.0).to_bits(), "a normal probability keeps its bits");
        assert_eq!(&probs[2..], &[0.0; 3]);
        // Unflushed, as before issue 13: the same loss, bit for bit.
        let sum: f32 = logits.iter().fold(0.0, |s, &l| s + libm::expf(l));
        assert!(libm::expf(-87.5).is_subnormal() && libm::expf(-95.0).is_subnormal());
        assert_eq!(loss.to_bits(), (libm::logf(sum) - logits[1]).to_bits());
        assert_eq!(loss, 80.0);
        let mut a = logits;
        softmax_forward(&mut a);
        assert_eq!(a, probs);
        assert!(a.iter().all(|p| !p.is_subnormal()));
        // Gradients: (p - onehot) / B below 2^-126 are 0, the rest unchanged.
        let mut dl = [0.0f32; 5];
        cross_entropy_backward(&mut dl, &probs, 1, 1.0 / 2048.0);
        assert_eq!(dl, [1.0 / 2048.0, (probs[1] - 1.0) / 2048.0, 0.0, 0.0, 0.0]);
        cross_entropy_backward(&mut dl, &probs, 0, 1.0 / 2048.0);
        assert!((probs[1] / 2048.0).is_subnormal());
        assert_eq!(dl, [0.0; 5], "p_1 / 2048 = 9e-39 is subnormal: 0");
        let mut ds = [0.0f32; 5];
        softmax_backward(&mut ds, &[1e-10, 1.0, 0.0, 0.0, 0.0], &a);
        assert!(ds.iter().all(|d| !d.is_subnormal()), "{ds:?}");
        assert_eq!(flush_subnormal(-1e-39), 0.0);
        assert_eq!(flush_subnormal(f32::MIN_POSITIVE), f32::MIN_POSITIVE);
        assert!(flush_subnormal(f32::NAN).is_nan());
    }
}
