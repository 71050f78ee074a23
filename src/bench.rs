//! Benchmark workloads shared by the native `pathscope bench` and the browser bench page, so
//! both time exactly the same work. Timing is the caller's (std::time natively,
//! `performance.now()` in the browser): this module only does the work and counts it.
//!
//! The setting is figure 5's: T = 12, k = 5, d = 32, h = 128, V = 4, n = 2048, p = 4.

use crate::config::{Config, Phase};
use crate::data::{generate, Dataset};
use crate::model::{init_params, Dims, Workspace};
use crate::optim::Adam;
use crate::plan::ValidConfig;
use crate::train::Trainer;
use wide::f32x4;

/// One full-batch epoch, one evaluation and one minibatch step of 32, ready to repeat.
pub struct Workload {
    pub config: Config,
    ws: Workspace,
    params: Vec<f32>,
    grads: Vec<f32>,
    adam: Adam,
    train: Dataset,
    test: Dataset,
}

impl Workload {
    pub fn fig5() -> Self {
        let mut config = Config::fig5();
        config.schedule.phases = vec![Phase::new(4, 1)];
        let dims = Dims::of(&config.model);
        let params = init_params(&config.model, 0);
        let split = generate(0, 4, dims.t, config.data.k, config.data.n, config.data.test_set);
        Workload {
            ws: Workspace::new(dims),
            grads: vec![0.0; params.len()],
            adam: Adam::new(&config.optim, params.len()),
            params,
            train: split.train,
            test: split.test,
            config,
        }
    }

    /// Forward, backward and Adam over all n sequences (one optimizer step). Returns the loss.
    pub fn epoch(&mut self) -> f64 {
        let s = self.ws.loss_and_grad(&self.params, &self.train.tokens, &self.train.targets, &mut self.grads);
        self.adam.step(&mut self.params, &self.grads);
        s.loss
    }

    /// Forward over the n test sequences (loss and accuracy). Returns the loss.
    pub fn eval(&mut self) -> f64 {
        self.ws.evaluate(&self.params, &self.test.tokens, &self.test.targets).loss
    }

    /// One training step on the first 32 sequences. Returns the loss.
    pub fn step32(&mut self) -> f64 {
        let t = self.config.model.seq_len;
        let s = self.ws.loss_and_grad(
            &self.params,
            &self.train.tokens[..32 * t],
            &self.train.targets[..32],
            &mut self.grads,
        );
        self.adam.step(&mut self.params, &self.grads);
        s.loss
    }

    /// Floating-point operations of the multiply-adds of one training epoch (2 per multiply-add):
    /// per sequence, forward `d^2 + 2hd + Vd + Td` multiply-adds (W_V after the weighted sum),
    /// backward twice the products of the forward (two products per layer) plus the table terms.
    pub fn flops_per_epoch(&self) -> f64 {
        let m = &self.config.model;
        let (v, t, d, h) = (m.vocab as f64, m.seq_len as f64, m.dim as f64, m.hidden as f64);
        let per_seq = 2.0 * (3.0 * d * d + 6.0 * h * d + 3.0 * v * d + 3.0 * t * d);
        per_seq * self.config.data.n as f64
    }

    /// Of those, the MLP's share (forward and backward of W_1 and W_2).
    pub fn mlp_flops_per_epoch(&self) -> f64 {
        let m = &self.config.model;
        2.0 * 6.0 * (m.hidden * m.dim) as f64 * self.config.data.n as f64
    }

    /// Flops of one evaluation (forward only).
    pub fn flops_per_eval(&self) -> f64 {
        let m = &self.config.model;
        let (v, t, d, h) = (m.vocab as f64, m.seq_len as f64, m.dim as f64, m.hidden as f64);
        2.0 * (d * d + 2.0 * h * d + v * d + t * d) * self.config.data.n as f64
    }
}

/// Learning rates of `pathscope bench --lr-sweep`: the preset's, and two large ones that used to
/// train 10 to 20 times slower per epoch because of subnormal floats (issue 13).
pub const LR_SWEEP: [f64; 3] = [1e-3, 0.1, 1.0];

/// The figure-5 preset (full batch of 2048, the p = 2 phase first) with its learning rate
/// replaced by `lr`, ready to train epoch by epoch (`Trainer::epoch_step`).
pub fn fig5_trainer(lr: f64) -> Trainer {
    let mut config = Config::fig5();
    config.optim.lr = lr;
    Trainer::new(ValidConfig::new(config).expect("the figure-5 preset at a positive learning rate is valid"))
}

/// The MLP's six matrix products of one full-batch epoch, alone, through the same kernel and
/// chunking as training: forward `a = v W_1^T`, `z = g W_2^T`; backward `dW_2 += dz^T g`,
/// `dg = dz W_2`, `dW_1 += da^T v`, `dv = da W_1`. Their flops are `mlp_flops_per_epoch`.
pub struct MlpKernels {
    d: usize,
    h: usize,
    n: usize,
    v: Vec<f32>,
    g: Vec<f32>,
    dz: Vec<f32>,
    a: Vec<f32>,
    z: Vec<f32>,
    w1: Vec<f32>,
    w1t: Vec<f32>,
    w2: Vec<f32>,
    w2t: Vec<f32>,
    dw1: Vec<f32>,
    dw2: Vec<f32>,
    dv: Vec<f32>,
}

impl MlpKernels {
    pub fn fig5() -> Self {
        let (d, h, n) = (32, 128, 2048);
        let c = crate::model::CHUNK;
        let mut r = crate::rng::Stream::new(0, crate::rng::Purpose::Probe);
        let mut rand = |len: usize| (0..len).map(|_| r.uniform(-1.0, 1.0)).collect::<Vec<f32>>();
        MlpKernels {
            d,
            h,
            n,
            v: rand(c * d),
            g: rand(c * h),
            dz: rand(c * d),
            a: rand(c * h),
            z: rand(c * d),
            w1: rand(h * d),
            w1t: rand(d * h),
            w2: rand(d * h),
            w2t: rand(h * d),
            dw1: vec![0.0; h * d],
            dw2: vec![0.0; d * h],
            dv: vec![0.0; c * d],
        }
    }

    pub fn flops(&self) -> f64 {
        2.0 * 6.0 * (self.h * self.d * self.n) as f64
    }

    pub fn run(&mut self) -> f32 {
        use crate::kernels::{gemm_acc, Strided};
        let (d, h) = (self.d, self.h);
        let c = crate::model::CHUNK;
        for _ in 0..self.n / c {
            gemm_acc(c, h, d, Strided::rows(&self.v, d), &self.w1t, h, &mut self.a, h);
            gemm_acc(c, d, h, Strided::rows(&self.g, h), &self.w2t, d, &mut self.z, d);
            gemm_acc(d, h, c, Strided::transposed(&self.dz, d), &self.g, h, &mut self.dw2, h);
            gemm_acc(c, h, d, Strided::rows(&self.dz, d), &self.w2, h, &mut self.a, h);
            gemm_acc(h, d, c, Strided::transposed(&self.a, h), &self.v, d, &mut self.dw1, d);
            gemm_acc(c, d, h, Strided::rows(&self.a, h), &self.w1, d, &mut self.dv, d);
        }
        self.dv[0] + self.dw1[0] + self.dw2[0] + self.z[0]
    }
}

/// The f32x4 peak of one core, with the matrix kernel's instruction mix: eight accumulators,
/// each `acc = acc + x * m` with a fresh product (no FMA: the kernels use none), so only the
/// add is on a dependency chain. Two vectors `x` advance by one add per iteration and four
/// constants `m` multiply them: 15 vector registers, 8 multiplies + 8 adds (64 useful flops)
/// plus 2 bookkeeping adds per iteration. Returns a checksum so the work stays;
/// `peak_flops(iters)` counts the useful flops only.
pub fn peak_kernel(iters: usize) -> f32 {
    let m = [f32x4::splat(0.5), f32x4::splat(0.25), f32x4::splat(0.125), f32x4::splat(0.0625)];
    let step = f32x4::splat(1e-6);
    let mut x = [f32x4::splat(1.0), f32x4::splat(2.0)];
    let mut acc = [f32x4::splat(0.0); 8];
    for _ in 0..iters {
        for (i, a) in acc.iter_mut().enumerate() {
            *a = *a + x[i / 4] * m[i % 4];
        }
        x[0] = x[0] + step;
        x[1] = x[1] + step;
    }
    let s = acc.iter().fold(f32x4::splat(0.0), |s, &v| s + v);
    s.to_array().iter().sum()
}

/// Flops done by `peak_kernel(iters)`.
pub fn peak_flops(iters: usize) -> f64 {
    iters as f64 * 8.0 * 4.0 * 2.0
}
