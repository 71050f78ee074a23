//! Adam with the semantics of `torch.optim.Adam` (no weight decay, no amsgrad).
//!
//! ```text
//! t   = t + 1
//! m   = beta1 m + (1 - beta1) g
//! v   = beta2 v + (1 - beta2) g^2
//! theta -= (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//! ```
//! Bias corrections are computed in f64, as PyTorch does with Python floats. Moments that would
//! be subnormal are stored as 0 where that cannot change the update (see `flush_is_invisible`).

use crate::config::OptimConfig;
use crate::kernels::Lane;
use wide::f32x4;

#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Steps taken (PyTorch's `state['step']`).
    pub t: u64,
    /// First moment, same layout as the parameters.
    pub m: Vec<f32>,
    /// Second moment.
    pub v: Vec<f32>,
}

impl Adam {
    pub fn new(cfg: &OptimConfig, len: usize) -> Self {
        Adam {
            lr: cfg.lr as f32,
            beta1: cfg.beta1 as f32,
            beta2: cfg.beta2 as f32,
            eps: cfg.eps as f32,
            t: 0,
            m: vec![0.0; len],
            v: vec![0.0; len],
        }
    }

    /// The same optimizer at another learning rate.
    pub fn with_lr(mut self, lr: f64) -> Self {
        self.lr = lr as f32;
        self
    }

    /// Forget the moments and the step count (a fresh optimizer, same hyperparameters).
    pub fn reset(&mut self) {
        self.t = 0;
        self.m.fill(0.0);
        self.v.fill(0.0);
    }

    pub fn step(&mut self, params: &mut [f32], grads: &[f32]) {
        self.t += 1;
        // beta^t underflows to 0 long before t reaches i32::MAX, so clamping changes nothing but
        // keeps the exponent from wrapping negative on very long runs.
        let t = self.t.min(i32::MAX as u64) as i32;
        let bc1 = 1.0 - (self.beta1 as f64).powi(t);
        let bc2 = 1.0 - (self.beta2 as f64).powi(t);
        let step_size = (self.lr as f64 / bc1) as f32;
        let bc2_sqrt = bc2.sqrt() as f32;
        let k = Coefs {
            b1: self.beta1,
            b2: self.beta2,
            c1: 1.0 - self.beta1,
            c2: 1.0 - self.beta2,
            eps: self.eps,
            step_size,
            bc2_sqrt,
        };
        if flush_is_invisible(self.eps, bc2.sqrt()) {
            update_all::<true>(params, grads, &mut self.m, &mut self.v, &k);
        } else {
            update_all::<false>(params, grads, &mut self.m, &mut self.v, &k);
        }
    }
}

/// The per-step constants of the update.
struct Coefs {
    b1: f32,
    b2: f32,
    c1: f32,
    c2: f32,
    eps: f32,
    step_size: f32,
    bc2_sqrt: f32,
}

/// The update of one parameter, or of four at once: the same IEEE operations in the same order
/// (square root and division are correctly rounded in every lane width), so SIMD and scalar
/// give the same bits. With `FLUSH`, a moment that would be subnormal is stored as 0.
#[inline(always)]
fn update<L: Lane, const FLUSH: bool>(p: L, g: L, m: L, v: L, k: &Coefs) -> (L, L, L) {
    let mut m = L::splat(k.b1) * m + L::splat(k.c1) * g;
    let mut v = L::splat(k.b2) * v + L::splat(k.c2) * (g * g);
    if FLUSH {
        let tiny = L::splat(f32::MIN_POSITIVE);
        m = m.zero_where_lt(m.abs(), tiny);
        v = v.zero_where_lt(v.abs(), tiny);
    }
    let denom = v.sqrt() / L::splat(k.bc2_sqrt) + L::splat(k.eps);
    (p - L::splat(k.step_size) * (m / denom), m, v)
}

fn update_all<const FLUSH: bool>(params: &mut [f32], grads: &[f32], m: &mut [f32], v: &mut [f32], k: &Coefs) {
    let n = params.len().min(grads.len()).min(m.len()).min(v.len());
    let n4 = n - n % 4;
    let load = |x: &[f32], i: usize| f32x4::from(<[f32; 4]>::try_from(&x[i..i + 4]).unwrap());
    for i in (0..n4).step_by(4) {
        let (p4, m4, v4) = update::<f32x4, FLUSH>(load(params, i), load(grads, i), load(m, i), load(v, i), k);
        params[i..i + 4].copy_from_slice(&p4.to_array());
        m[i..i + 4].copy_from_slice(&m4.to_array());
        v[i..i + 4].copy_from_slice(&v4.to_array());
    }
    for i in n4..n {
        (params[i], m[i], v[i]) = update::<f32, FLUSH>(params[i], grads[i], m[i], v[i], k);
    }
}

/// Whether storing a subnormal moment as 0 is invisible in this step's update, as it is for
/// every usual setting (eps = 1e-8, beta2 = 0.999: with any eps above ~1e-10).
///
/// A parameter whose gradient stays 0 (a dead GELU unit's weights, say) sees m decay by beta1
/// and v by beta2 per step, through the subnormal range, where x86 arithmetic is ~100 times
/// slower: m takes ~150 steps to cross it, v ~16,000. Flushed instead: for v below 2^-126,
/// `sqrt(v) / sqrt(1 - beta2^t) < 2^-63 / sqrt(1 - beta2^t)`, which is checked here to be below
/// half a unit in the last place of eps, so the denominator `sqrt(v)/.. + eps` is the same float
/// with v or with 0; for m below 2^-126 the step `m / denom <= 2^-126 / eps` is then below
/// 2^-88 (times lr / (1 - beta1^t)), nothing next to a parameter. Otherwise (a tiny eps) Adam
/// keeps the subnormals. Moments that are normal are never changed.
fn flush_is_invisible(eps: f32, bc2_sqrt: f64) -> bool {
    const TWO_POW_M63: f64 = 1.0 / 9_223_372_036_854_775_808.0;
    TWO_POW_M63 / bc2_sqrt < eps as f64 / 33_554_432.0 // eps 2^-25 <= half ulp of eps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed form of the first step from zero state: m / sqrt(v) after bias correction is
    /// g / |g|, so every parameter with |g| >> eps moves by exactly lr against its gradient.
    #[test]
    fn first_step_is_lr_times_sign() {
        let cfg = OptimConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: false };
        let mut adam = Adam::new(&cfg, 3);
        let mut p = [1.0f32, -2.0, 0.5];
        adam.step(&mut p, &[0.3, -4.0, 1e-3]);
        let want = [1.0 - 1e-3, -2.0 + 1e-3, 0.5 - 1e-3];
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{p:?}");
        }
        adam.reset();
        assert_eq!(adam.t, 0);
        assert!(adam.m.iter().all(|&x| x == 0.0));
    }

    /// The f32x4 body and the scalar tail equal the one-parameter-at-a-time loop bit for bit, on
    /// gradients of every scale, some of them stopping (moments through the flush).
    #[test]
    fn simd_update_equals_the_scalar_loop() {
        let cfg = OptimConfig { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: false };
        let n = 1003;
        let mut s = crate::rng::Stream::new(5, crate::rng::Purpose::Probe);
        let scale: Vec<f32> = (0..n).map(|i| 10f32.powi(-((i % 45) as i32))).collect();
        let mut p: Vec<f32> = (0..n).map(|_| s.normal()).collect();
        let mut rp = p.clone();
        let (mut rm, mut rv) = (vec![0.0f32; n], vec![0.0f32; n]);
        let mut adam = Adam::new(&cfg, n);
        for t in 1..=400u64 {
            let g: Vec<f32> = (0..n).map(|i| if i % 3 == 0 && t > 20 { 0.0 } else { s.normal() * scale[i] }).collect();
            adam.step(&mut p, &g);
            let bc1 = 1.0 - (0.9f32 as f64).powi(t as i32);
            let bc2 = 1.0 - (0.999f32 as f64).powi(t as i32);
            let step_size = (0.1f32 as f64 / bc1) as f32;
            for i in 0..n {
                rm[i] = crate::model::ops::flush_subnormal(0.9 * rm[i] + (1.0 - 0.9) * g[i]);
                rv[i] = crate::model::ops::flush_subnormal(0.999 * rv[i] + (1.0 - 0.999) * (g[i] * g[i]));
                let denom = libm::sqrtf(rv[i]) / bc2.sqrt() as f32 + 1e-8;
                rp[i] -= step_size * (rm[i] / denom);
            }
            assert!(p.iter().zip(&rp).all(|(a, b)| a.to_bits() == b.to_bits()), "step {t}");
            assert!(adam.m.iter().zip(&rm).all(|(a, b)| a.to_bits() == b.to_bits()), "step {t}");
            assert!(adam.v.iter().zip(&rv).all(|(a, b)| a.to_bits() == b.to_bits()), "step {t}");
        }
    }

    /// A gradient that stops (a dead unit's weights): m decays by beta1 per step to 0 without
    /// ever being stored subnormal, and the parameters take the same bits as the unflushed
    /// update (the textbook loop below) at every step (issue 13).
    #[test]
    fn moments_skip_the_subnormal_range_and_the_parameters_do_not_notice() {
        let cfg = OptimConfig { lr: 1.0, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: false };
        let mut adam = Adam::new(&cfg, 2);
        let mut p = [0.5f32, -3.0];
        let (mut rp, mut rm, mut rv) = (p, [0.0f32; 2], [0.0f32; 2]);
        let mut reached_zero = false;
        for t in 1..=1200u64 {
            let g = if t <= 3 { [1e-3, -2e-2] } else { [0.0, 0.0] };
            adam.step(&mut p, &g);
            let bc1 = 1.0 - (0.9f32 as f64).powi(t as i32);
            let bc2 = 1.0 - (0.999f32 as f64).powi(t as i32);
            for i in 0..2 {
                rm[i] = 0.9 * rm[i] + (1.0 - 0.9) * g[i];
                rv[i] = 0.999 * rv[i] + (1.0 - 0.999) * (g[i] * g[i]);
                let denom = libm::sqrtf(rv[i]) / bc2.sqrt() as f32 + 1e-8;
                rp[i] -= (1.0 / bc1) as f32 * (rm[i] / denom);
            }
            assert!(adam.m.iter().chain(&adam.v).all(|x| !x.is_subnormal()), "step {t}: {adam:?}");
            assert_eq!(p.map(f32::to_bits), rp.map(f32::to_bits), "step {t}");
            reached_zero |= adam.m.iter().all(|&m| m == 0.0);
        }
        assert!(reached_zero && rm.iter().any(|m| m.is_subnormal() || *m == 0.0));
        // v too, from just above the subnormal range.
        adam.v = vec![2e-38, 1.176e-38];
        adam.step(&mut p, &[0.0, 0.0]);
        assert_eq!(adam.v, [2e-38 * 0.999, 0.0]);
        // With an eps so small that a subnormal v would show in the step, nothing is flushed.
        let tiny = OptimConfig { eps: 1e-30, ..cfg };
        let mut adam = Adam::new(&tiny, 1);
        adam.m = vec![1.2e-38];
        adam.step(&mut [1.0], &[0.0]);
        assert!(adam.m[0].is_subnormal());
    }
}
