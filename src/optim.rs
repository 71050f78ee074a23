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
use crate::model::ops::flush_subnormal;

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
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        let (c1, c2) = (1.0 - b1, 1.0 - b2);
        if flush_is_invisible(eps, bc2.sqrt()) {
            for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(self.m.iter_mut()).zip(self.v.iter_mut()) {
                *m = flush_subnormal(b1 * *m + c1 * g);
                *v = flush_subnormal(b2 * *v + c2 * (g * g));
                let denom = libm::sqrtf(*v) / bc2_sqrt + eps;
                *p -= step_size * (*m / denom);
            }
        } else {
            for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(self.m.iter_mut()).zip(self.v.iter_mut()) {
                *m = b1 * *m + c1 * g;
                *v = b2 * *v + c2 * (g * g);
                let denom = libm::sqrtf(*v) / bc2_sqrt + eps;
                *p -= step_size * (*m / denom);
            }
        }
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
