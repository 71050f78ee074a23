//! Adam with the semantics of `torch.optim.Adam` (no weight decay, no amsgrad).
//!
//! ```text
//! t   = t + 1
//! m   = beta1 m + (1 - beta1) g
//! v   = beta2 v + (1 - beta2) g^2
//! theta -= (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//! ```
//! Bias corrections are computed in f64, as PyTorch does with Python floats.

use crate::config::OptimConfig;

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
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        let (c1, c2) = (1.0 - b1, 1.0 - b2);
        for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(self.m.iter_mut()).zip(self.v.iter_mut()) {
            *m = b1 * *m + c1 * g;
            *v = b2 * *v + c2 * (g * g);
            let denom = libm::sqrtf(*v) / bc2_sqrt + eps;
            *p -= step_size * (*m / denom);
        }
    }
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
}
