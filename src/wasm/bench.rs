//! The browser benchmark's handle: `www/bench-worker.js` times these calls with
//! `performance.now()`, so the page measures exactly the work `pathscope bench` measures natively
//! ([`crate::bench`]). Nothing here times anything; every method only does the work once and
//! returns a number that depends on it (so the engine cannot drop the work).

use wasm_bindgen::prelude::*;

use crate::bench::{peak_flops, peak_kernel, MlpKernels, Workload};

/// The figure-5 workload (T = 12, k = 5, d = 32, h = 128, V = 4, n = 2048, p = 4) and the MLP's six
/// matrix products alone, ready to be called repeatedly.
#[wasm_bindgen]
pub struct BenchRunner {
    work: Workload,
    mlp: MlpKernels,
}

#[wasm_bindgen]
impl BenchRunner {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> BenchRunner {
        BenchRunner { work: Workload::fig5(), mlp: MlpKernels::fig5() }
    }

    /// One full-batch training epoch (forward, backward, Adam over 2,048 sequences). Returns the loss.
    pub fn epoch(&mut self) -> f64 {
        self.work.epoch()
    }

    /// One forward evaluation of the 2,048 test sequences. Returns the loss.
    pub fn eval(&mut self) -> f64 {
        self.work.eval()
    }

    /// One training step on a minibatch of 32. Returns the loss.
    pub fn step32(&mut self) -> f64 {
        self.work.step32()
    }

    /// The MLP's six matrix products of one epoch, alone. Returns a checksum.
    pub fn mlp(&mut self) -> f64 {
        self.mlp.run() as f64
    }

    /// The f32x4 peak micro-benchmark, `iters` iterations of 64 useful flops. Returns a checksum.
    pub fn peak(&self, iters: u32) -> f64 {
        peak_kernel(iters as usize) as f64
    }

    /// Flops of the multiply-adds of one training epoch.
    #[wasm_bindgen(getter, js_name = epochFlops)]
    pub fn epoch_flops(&self) -> f64 {
        self.work.flops_per_epoch()
    }

    /// Of those, the MLP's share.
    #[wasm_bindgen(getter, js_name = epochMlpFlops)]
    pub fn epoch_mlp_flops(&self) -> f64 {
        self.work.mlp_flops_per_epoch()
    }

    /// Flops of one evaluation (forward only).
    #[wasm_bindgen(getter, js_name = evalFlops)]
    pub fn eval_flops(&self) -> f64 {
        self.work.flops_per_eval()
    }

    /// Flops of one [`BenchRunner::mlp`] call.
    #[wasm_bindgen(getter, js_name = mlpFlops)]
    pub fn mlp_flops(&self) -> f64 {
        self.mlp.flops()
    }

    /// Useful flops of one [`BenchRunner::peak`] call with `iters` iterations.
    #[wasm_bindgen(js_name = peakFlops)]
    pub fn peak_flops(&self, iters: u32) -> f64 {
        peak_flops(iters as usize)
    }
}
