//! The work of one epoch, for the page's "how long will an epoch take" estimate: the core's
//! estimate ([`crate::plan::Estimate`]) of a config and of the benchmark's reference epoch, whose
//! time the page measures on the machine it runs on ([`super::bench::BenchRunner`]: one
//! full-batch training epoch and one evaluation), so that the ratio of the two estimates scales
//! the measured time.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js_error, to_js};
use crate::bench::Workload;
use crate::plan::{Estimate, ValidConfig};

#[derive(Serialize)]
struct EpochWork {
    /// Floating-point operations of one epoch of the config (training and its evaluation).
    flops_per_epoch: f64,
    steps_per_epoch: f64,
    /// The same estimate for the benchmark's reference epoch (`BenchRunner.epoch()` + `eval()`).
    reference_flops_per_epoch: f64,
}

/// `{ flops_per_epoch, steps_per_epoch, reference_flops_per_epoch }` of a config (JSON), or an
/// error naming what is wrong with it.
#[wasm_bindgen(js_name = epochWork)]
pub fn epoch_work(config_json: &str) -> Result<JsValue, JsError> {
    let cfg = ValidConfig::from_json(config_json).map_err(js_error)?;
    let per_epoch = |e: &Estimate, epochs: usize| e.flops as f64 / epochs.max(1) as f64;
    let reference = Workload::fig5().config;
    Ok(to_js(&EpochWork {
        flops_per_epoch: per_epoch(cfg.estimate(), cfg.total_epochs()),
        steps_per_epoch: cfg.steps_per_epoch() as f64,
        reference_flops_per_epoch: per_epoch(&Estimate::of(&reference), reference.total_epochs()),
    }))
}
