//! The JavaScript facade: the only module that speaks to JavaScript (STYLE.md, "The Rust /
//! JavaScript boundary"). Everything here is thin: it owns core values behind opaque handles and
//! converts at the edge.
//!
//! - [`Session`] owns one [`Trainer`] (one arm of a comparison). It lives in a module Web Worker
//!   (`www/worker.js`), which trains it in time slices. Big buffers (metrics, attention history,
//!   parameters, snapshots, z_A) are read through views of wasm memory: a `*_ptr` / `*_len` pair
//!   that JavaScript turns into `new Float32Array(memory.buffer, ptr, len)`. A view goes stale when
//!   wasm memory grows, so JavaScript rebuilds it after every call that may allocate (any training
//!   call, `compute_za`, `set_probe`, `reset`).
//! - Small structured values (config, summary, chart geometry) cross with serde (JSON text for the
//!   config, serde-wasm-bindgen for the rest). Tensors never do.
//! - Rust errors become `JsError`s carrying the core's sentence (e.g. a [`ConfigError`] names the
//!   field, the value and what is accepted).
//! - [`charts`]: `draw_*` functions that draw the `crate::viz` charts on an `HtmlCanvasElement`
//!   (main thread only: a worker has no canvas element), through [`canvas::MeasuredCanvas`]
//!   (plotters-canvas with text measured by the canvas).
//!
//! The message protocol between the page and the worker is documented in `www/PROTOCOL.md`.

pub mod bench;
pub mod canvas;
pub mod charts;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::config::{Config, ConfigError, Phase, PRESETS};
use crate::experiments::barrier::{barrier_height as core_barrier_height, loss_along_line};
use crate::experiments::embed::{pca, tsne};
use crate::model::{Dims, Workspace};
use crate::train::{Status, Trainer};

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` of whichever global runs us (window or worker).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Plain structs of numbers, strings and small vectors: serialization cannot fail.
    serde_wasm_bindgen::to_value(value).unwrap_or(JsValue::NULL)
}

/// The order of the metric columns that [`Session::metric_ptr`] takes.
pub const METRIC_COLUMNS: [&str; 6] = ["epoch", "phase", "train_loss", "train_acc", "test_loss", "test_acc"];

/// The caption [`Session::compute_za`] returns for d = 2 (the points are the z_A plane itself);
/// `charts::draw_za_scatter` titles the axes `z_A[0]` and `z_A[1]` when its label contains it.
pub const ZA_PLANE_LABEL: &str = "z_A plane itself (d = 2)";
/// The caption [`Session::compute_za`] returns for d = 1 (the points are `(z_A[0], 0)`).
pub const ZA_LINE_LABEL: &str = "z_A on a line (d = 1)";

/// Names of the metric columns, in the order [`Session::metric_ptr`] numbers them.
#[wasm_bindgen(js_name = metricColumns)]
pub fn metric_columns() -> Vec<String> {
    METRIC_COLUMNS.iter().map(|s| s.to_string()).collect()
}

/// Names of the presets, in the order the page lists them.
#[wasm_bindgen(js_name = presetNames)]
pub fn preset_names() -> Vec<String> {
    PRESETS.iter().map(|s| s.to_string()).collect()
}

/// The configuration of a preset, as JSON text (the page's defaults come from here).
#[wasm_bindgen(js_name = presetConfig)]
pub fn preset_config(name: &str) -> Result<String, JsError> {
    let cfg = Config::preset(name)
        .ok_or_else(|| JsError::new(&format!("preset = {name} is not accepted: one of {}", PRESETS.join(", "))))?;
    Ok(serde_json::to_string(&cfg).expect("a config serializes"))
}

/// What is wrong with a configuration, for the page to name it: `null` when the JSON parses and
/// validates, else `{ field, value, accepted, message }` (`field` is `"json"` when it does not
/// parse; `message` is the sentence to show).
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(config_json: &str) -> JsValue {
    #[derive(Serialize)]
    struct Problem {
        field: String,
        value: String,
        accepted: String,
        message: String,
    }
    let cfg: Config = match serde_json::from_str(config_json) {
        Ok(c) => c,
        Err(e) => {
            let message = format!("config: {e}");
            return to_js(&Problem { field: "json".into(), value: String::new(), accepted: String::new(), message });
        }
    };
    match cfg.validate() {
        Ok(()) => JsValue::NULL,
        Err(e) => {
            let message = e.to_string();
            let ConfigError { field, value, accepted } = e;
            to_js(&Problem { field, value, accepted, message })
        }
    }
}

/// The scratch twin of a curriculum (docs/model.md, "The curriculum"): the same model, data seed and
/// optimizer, one phase on the last phase's p for the total number of epochs. JSON in, JSON out.
#[wasm_bindgen(js_name = scratchTwin)]
pub fn scratch_twin(config_json: &str) -> Result<String, JsError> {
    let mut cfg = Config::from_json(config_json).map_err(|e| JsError::new(&e))?;
    let p = cfg.schedule.phases.last().map(|ph| ph.p).unwrap_or(2);
    cfg.schedule.phases = vec![Phase { p, epochs: cfg.total_epochs() }];
    Ok(serde_json::to_string(&cfg).expect("a config serializes"))
}

/// A fresh random seed from the platform's generator (`crypto.getRandomValues` through
/// getrandom), below 2^32 so that it is easy to read and type.
#[wasm_bindgen(js_name = newSeed)]
pub fn new_seed() -> Result<f64, JsError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no random source: {e}")))?;
    Ok(u32::from_le_bytes(bytes) as f64)
}

/// Barrier height of losses sampled along a line: the maximum minus the larger endpoint
/// (docs/reproduction.md; [`crate::experiments::barrier::barrier_height`]).
#[wasm_bindgen(js_name = barrierHeight)]
pub fn barrier_height(losses: &[f32]) -> f32 {
    core_barrier_height(losses)
}

/// A 2-D embedding: `rows x 2` points and a caption saying how it was made.
#[wasm_bindgen]
pub struct Embedding {
    points: Vec<f32>,
    label: String,
}

#[wasm_bindgen]
impl Embedding {
    /// The points, interleaved `x_0, y_0, x_1, y_1, ..` (a copy, ready to transfer).
    pub fn points(&self) -> Vec<f32> {
        self.points.clone()
    }
    pub fn label(&self) -> String {
        self.label.clone()
    }
}

fn pca_label(ratios: &[f32]) -> String {
    let pct = |i: usize| ratios.get(i).map(|r| format!("{:.0}%", 100.0 * r)).unwrap_or_else(|| "-".into());
    format!("PC1 {}, PC2 {} of the variance", pct(0), pct(1))
}

/// Embeds the rows of `data` (`rows x cols`) in 2-D: `method` is `"pca"` or `"tsne"` (perplexity,
/// iterations and seed are used by t-SNE only; see [`crate::experiments::embed`]).
#[wasm_bindgen]
pub fn embed(
    data: &[f32],
    rows: usize,
    cols: usize,
    method: &str,
    perplexity: f32,
    iterations: usize,
    seed: u32,
) -> Result<Embedding, JsError> {
    if rows == 0 || cols == 0 || data.len() != rows * cols {
        return Err(JsError::new(&format!("embed: {} values do not make {rows} rows of {cols}", data.len())));
    }
    match method {
        "pca" => {
            let p = pca(data, rows, cols, 2);
            Ok(Embedding { points: p.projected, label: format!("PCA: {}", pca_label(&p.explained_variance_ratio)) })
        }
        "tsne" => {
            let points = tsne(data, rows, cols, perplexity, iterations, seed as u64);
            let shown = perplexity.clamp(1.0, ((rows as f32 - 1.0) / 3.0).max(1.0));
            Ok(Embedding { points, label: format!("t-SNE (perplexity {shown:.0}, {iterations} iterations)") })
        }
        other => Err(JsError::new(&format!("method = {other} is not accepted: pca or tsne"))),
    }
}

/// Where a run stands, for the status line (serde-wasm-bindgen object).
#[derive(Serialize)]
struct Summary {
    /// "running", "finished" or "diverged".
    state: &'static str,
    /// The divergence message (Status::Diverged), else empty.
    message: String,
    epoch: f64,
    step: f64,
    /// 0-based phase index, number of phases, p of the current phase.
    phase: usize,
    phases: usize,
    p: usize,
    total_epochs: f64,
    steps_per_epoch: f64,
    /// Loss of the last minibatch step (NaN before the first).
    step_loss: f32,
    /// Last metrics row (row 0: the initial model).
    train_loss: f32,
    train_acc: f32,
    /// Last evaluated test row (NaN when none).
    test_epoch: f64,
    test_loss: f32,
    test_acc: f32,
    /// Epochs at which a phase began.
    switches: Vec<usize>,
    metrics_len: usize,
    attention_rows: usize,
    attention_stride: f64,
    snapshots: usize,
}

/// One training run behind an opaque handle. See the module docs for how to read its buffers.
#[wasm_bindgen]
pub struct Session {
    trainer: Trainer,
    /// The validated config the run started from (`reset` starts it again).
    config: Config,
    /// Loss of the last step taken.
    step_loss: f32,
    /// Workspace for evaluations outside training (loss barrier).
    analysis: Option<Workspace>,
    line_scratch: Vec<f32>,
    /// z_A of the test set (n x d), its 2-D projection (n x 2) and each sequence's count.
    za: Vec<f32>,
    za_points: Vec<f32>,
    za_counts: Vec<u32>,
    za_max_count: u32,
}

#[wasm_bindgen]
impl Session {
    /// A run from a JSON config (the fields of `crate::config::Config`), evaluated at step 0.
    /// A config that does not parse or validate throws an Error whose message names the field.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Session, JsError> {
        let config = Config::from_json(config_json).map_err(|e| JsError::new(&e))?;
        let trainer = Trainer::new(config.clone()).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Session {
            trainer,
            config,
            step_loss: f32::NAN,
            analysis: None,
            line_scratch: Vec::new(),
            za: Vec::new(),
            za_points: Vec::new(),
            za_counts: Vec::new(),
            za_max_count: 0,
        })
    }

    /// Starts the same run again from step 0 (same seed: the same run, bit for bit), keeping the
    /// probe sequences (their history restarts).
    pub fn reset(&mut self) -> Result<(), JsError> {
        let probes = self.trainer.probes().to_vec();
        self.trainer = Trainer::new(self.config.clone()).map_err(|e| JsError::new(&e.to_string()))?;
        self.step_loss = f32::NAN;
        self.za.clear();
        self.za_points.clear();
        self.za_counts.clear();
        if !probes.is_empty() {
            self.trainer.set_probes(&probes).map_err(|e| JsError::new(&e))?;
        }
        Ok(())
    }

    /// The config as JSON text.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        serde_json::to_string(&self.config).expect("a config serializes")
    }

    /// One optimizer step on the next minibatch; false when the run has stopped.
    pub fn step(&mut self) -> bool {
        let r = self.trainer.step();
        if r.stepped {
            self.step_loss = r.loss;
        }
        r.stepped
    }

    /// Steps to the end of the current epoch; false when no step was taken.
    #[wasm_bindgen(js_name = stepEpoch)]
    pub fn step_epoch(&mut self) -> bool {
        let r = self.trainer.epoch_step();
        if r.stepped {
            self.step_loss = r.loss;
        }
        r.stepped
    }

    /// Up to `n` steps; returns how many were taken (fewer when the run stops).
    #[wasm_bindgen(js_name = runSteps)]
    pub fn run_steps(&mut self, n: u32) -> u32 {
        let mut done = 0;
        while done < n && self.step() {
            done += 1;
        }
        done
    }

    /// Steps until `budget_ms` milliseconds have passed (checked after each step, so one step
    /// always runs), `max_steps` were taken, the run stops, or a phase ends (so that the caller
    /// can look at the model at the switch). Returns the steps taken.
    #[wasm_bindgen(js_name = runForMs)]
    pub fn run_for_ms(&mut self, budget_ms: f64, max_steps: u32) -> u32 {
        let start = performance_now();
        let phase = self.trainer.phase();
        let mut done = 0;
        while done < max_steps && self.step() {
            done += 1;
            if performance_now() - start >= budget_ms || self.trainer.phase() != phase {
                break;
            }
        }
        done
    }

    #[wasm_bindgen(js_name = isRunning)]
    pub fn is_running(&self) -> bool {
        self.trainer.is_running()
    }

    /// Optimizer steps taken so far.
    #[wasm_bindgen(js_name = stepCount)]
    pub fn step_count(&self) -> f64 {
        self.trainer.step_count() as f64
    }

    /// Where the run stands: `{ state, message, epoch, step, phase, phases, p, total_epochs,
    /// steps_per_epoch, step_loss, train_loss, train_acc, test_epoch, test_loss, test_acc,
    /// switches, metrics_len, attention_rows, attention_stride, snapshots }`.
    pub fn summary(&self) -> JsValue {
        let tr = &self.trainer;
        let (state, message) = match tr.status() {
            Status::Running => ("running", String::new()),
            Status::Finished => ("finished", String::new()),
            Status::Diverged { message, .. } => ("diverged", message.clone()),
        };
        let m = tr.metrics();
        let last = m.len().saturating_sub(1);
        let (test_epoch, test_loss, test_acc) =
            m.last_test().map(|(e, l, a)| (e as f64, l, a)).unwrap_or((f64::NAN, f32::NAN, f32::NAN));
        let log = tr.attention_log();
        let t = self.config.model.seq_len.max(1);
        let probes = (tr.probes().len() / t).max(1);
        to_js(&Summary {
            state,
            message,
            epoch: tr.epoch() as f64,
            step: tr.step_count() as f64,
            phase: tr.phase(),
            phases: self.config.schedule.phases.len(),
            p: tr.p(),
            total_epochs: self.config.total_epochs() as f64,
            steps_per_epoch: self.config.steps_per_epoch() as f64,
            step_loss: self.step_loss,
            train_loss: m.train_loss.get(last).copied().unwrap_or(f32::NAN),
            train_acc: m.train_acc.get(last).copied().unwrap_or(f32::NAN),
            test_epoch,
            test_loss,
            test_acc,
            switches: tr.switches().to_vec(),
            metrics_len: m.len(),
            attention_rows: log.rows.len() / (t * probes),
            attention_stride: log.stride as f64,
            snapshots: tr.snapshots().1.len(),
        })
    }

    // ---- metrics: one row per epoch, columns in METRIC_COLUMNS order -------------------------

    /// Rows of every metric column.
    #[wasm_bindgen(js_name = metricsLen)]
    pub fn metrics_len(&self) -> usize {
        self.trainer.metrics().len()
    }

    /// Address of metric column `column` (0 epoch, 1 phase, 2 train_loss, 3 train_acc,
    /// 4 test_loss, 5 test_acc; test values are NaN where the test set was not evaluated).
    #[wasm_bindgen(js_name = metricPtr)]
    pub fn metric_ptr(&self, column: usize) -> Result<*const f32, JsError> {
        let m = self.trainer.metrics();
        let col = match column {
            0 => &m.epoch,
            1 => &m.phase,
            2 => &m.train_loss,
            3 => &m.train_acc,
            4 => &m.test_loss,
            5 => &m.test_acc,
            _ => return Err(JsError::new(&format!("metric column {column} is not accepted: 0 to 5"))),
        };
        Ok(col.as_ptr())
    }

    // ---- attention of the probe sequences over training -------------------------------------

    /// Sets the probe sequence(s): concatenated, each of length T, tokens below V. The attention
    /// history restarts with the current model as its first row.
    #[wasm_bindgen(js_name = setProbe)]
    pub fn set_probe(&mut self, tokens: &[u8]) -> Result<(), JsError> {
        self.trainer.set_probes(tokens).map_err(|e| JsError::new(&e))
    }

    /// The probe sequence(s), concatenated (a copy).
    pub fn probe(&self) -> Vec<u8> {
        self.trainer.probes().to_vec()
    }

    /// Number of recorded attention values (rows x probes x T).
    #[wasm_bindgen(js_name = attentionLen)]
    pub fn attention_len(&self) -> usize {
        self.trainer.attention_log().rows.len()
    }
    #[wasm_bindgen(js_name = attentionPtr)]
    pub fn attention_ptr(&self) -> *const f32 {
        self.trainer.attention_log().rows.as_ptr()
    }
    /// Number of recorded rows (one optimizer step each).
    #[wasm_bindgen(js_name = attentionStepsLen)]
    pub fn attention_steps_len(&self) -> usize {
        self.trainer.attention_log().steps.len()
    }
    /// The optimizer step of each recorded row.
    #[wasm_bindgen(js_name = attentionStepsPtr)]
    pub fn attention_steps_ptr(&self) -> *const f32 {
        self.trainer.attention_log().steps.as_ptr()
    }
    /// A row is recorded every this many steps (doubles when the history is full).
    #[wasm_bindgen(js_name = attentionStride)]
    pub fn attention_stride(&self) -> f64 {
        self.trainer.attention_log().stride as f64
    }

    // ---- data ---------------------------------------------------------------------------------

    /// Sequences in the current phase's test set.
    #[wasm_bindgen(js_name = testLen)]
    pub fn test_len(&self) -> usize {
        self.trainer.split(self.trainer.phase()).test.len()
    }

    /// Test sequence `index` of phase `phase` (a copy of its T tokens).
    #[wasm_bindgen(js_name = testSequence)]
    pub fn test_sequence(&self, phase: usize, index: usize) -> Result<Vec<u8>, JsError> {
        if phase >= self.config.schedule.phases.len() {
            return Err(JsError::new(&format!(
                "phase {phase} is not accepted: 0 to {}",
                self.config.schedule.phases.len() - 1
            )));
        }
        let test = &self.trainer.split(phase).test;
        if index >= test.len() {
            return Err(JsError::new(&format!("test sequence {index} is not accepted: 0 to {}", test.len() - 1)));
        }
        Ok(test.sequence(index).to_vec())
    }

    // ---- parameters and snapshots -------------------------------------------------------------

    #[wasm_bindgen(js_name = paramsLen)]
    pub fn params_len(&self) -> usize {
        self.trainer.params().len()
    }
    #[wasm_bindgen(js_name = paramsPtr)]
    pub fn params_ptr(&self) -> *const f32 {
        self.trainer.params().as_ptr()
    }
    /// Flat parameters of every snapshot (snapshots x params).
    #[wasm_bindgen(js_name = snapshotsLen)]
    pub fn snapshots_len(&self) -> usize {
        self.trainer.snapshots().0.len()
    }
    #[wasm_bindgen(js_name = snapshotsPtr)]
    pub fn snapshots_ptr(&self) -> *const f32 {
        self.trainer.snapshots().0.as_ptr()
    }
    /// The epoch of each snapshot.
    #[wasm_bindgen(js_name = snapshotEpochsLen)]
    pub fn snapshot_epochs_len(&self) -> usize {
        self.trainer.snapshots().1.len()
    }
    #[wasm_bindgen(js_name = snapshotEpochsPtr)]
    pub fn snapshot_epochs_ptr(&self) -> *const f32 {
        self.trainer.snapshots().1.as_ptr()
    }

    // ---- z_A (figure 4) ------------------------------------------------------------------------

    /// Computes z_A of a phase's test set (`phase < 0`: the current phase) under the current
    /// parameters, and its 2-D projection: the plane itself for d = 2, a PCA for d > 2, (z, 0) for
    /// d = 1. Returns the caption saying which. Read the result with `zaPointsPtr`/`zaPointsLen`
    /// (n x 2) and `zaCountsPtr`/`zaCountsLen` (n); `zaMaxCount` is k (p - 1) of that phase.
    #[wasm_bindgen(js_name = computeZa)]
    pub fn compute_za(&mut self, phase: i32) -> Result<String, JsError> {
        let phases = self.config.schedule.phases.len();
        let current = self.trainer.phase();
        let phase = if phase < 0 { current } else { phase as usize };
        if phase >= phases {
            return Err(JsError::new(&format!("phase {phase} is not accepted: 0 to {}", phases - 1)));
        }
        let d = self.config.model.dim;
        if phase == current {
            self.trainer.za_test(&mut self.za, &mut self.za_counts);
        } else {
            let dims = Dims::of(&self.config.model);
            let ws = self.analysis.get_or_insert_with(|| Workspace::new(dims));
            let test = &self.trainer.split(phase).test;
            self.za.resize(test.len() * d, 0.0);
            self.za_counts.clear();
            self.za_counts.extend((0..test.len()).map(|i| test.count(i)));
            ws.forward_with(self.trainer.params(), &test.tokens, &test.targets, &mut [], &mut self.za, &mut []);
        }
        let n = self.za_counts.len();
        let p = self.config.schedule.phases[phase].p;
        self.za_max_count = (self.config.data.k * (p - 1)) as u32;
        Ok(match d {
            2 => {
                self.za_points.clone_from(&self.za);
                ZA_PLANE_LABEL.to_string()
            }
            1 => {
                self.za_points.clear();
                self.za_points.extend(self.za.iter().flat_map(|&z| [z, 0.0]));
                ZA_LINE_LABEL.to_string()
            }
            _ => {
                let pc = pca(&self.za, n, d, 2);
                self.za_points = pc.projected;
                format!("PCA of z_A (d = {d}): {}", pca_label(&pc.explained_variance_ratio))
            }
        })
    }

    /// Index of the current phase (0-based).
    pub fn phase(&self) -> usize {
        self.trainer.phase()
    }

    #[wasm_bindgen(js_name = zaPointsLen)]
    pub fn za_points_len(&self) -> usize {
        self.za_points.len()
    }
    #[wasm_bindgen(js_name = zaPointsPtr)]
    pub fn za_points_ptr(&self) -> *const f32 {
        self.za_points.as_ptr()
    }
    #[wasm_bindgen(js_name = zaCountsLen)]
    pub fn za_counts_len(&self) -> usize {
        self.za_counts.len()
    }
    #[wasm_bindgen(js_name = zaCountsPtr)]
    pub fn za_counts_ptr(&self) -> *const u32 {
        self.za_counts.as_ptr()
    }
    /// Largest possible count k (p - 1) of the phase z_A was computed on.
    #[wasm_bindgen(js_name = zaMaxCount)]
    pub fn za_max_count(&self) -> u32 {
        self.za_max_count
    }

    // ---- loss barrier (figure 6) ---------------------------------------------------------------

    /// Train and test loss and accuracy at `points` evenly spaced models on the segment from `a`
    /// (t = 0) to `b` (t = 1), on phase `phase`'s data. Returns `5 x points` values, in blocks:
    /// t, train loss, test loss, train accuracy, test accuracy.
    #[wasm_bindgen(js_name = lossLine)]
    pub fn loss_line(&mut self, a: &[f32], b: &[f32], points: usize, phase: usize) -> Result<Vec<f32>, JsError> {
        let len = self.trainer.params().len();
        if a.len() != len || b.len() != len {
            return Err(JsError::new(&format!(
                "loss line: the two models have {} and {} parameters; this model has {len}",
                a.len(),
                b.len()
            )));
        }
        if phase >= self.config.schedule.phases.len() {
            return Err(JsError::new(&format!(
                "phase {phase} is not accepted: 0 to {}",
                self.config.schedule.phases.len() - 1
            )));
        }
        let dims = Dims::of(&self.config.model);
        let ws = self.analysis.get_or_insert_with(|| Workspace::new(dims));
        let split = self.trainer.split(phase);
        let line = loss_along_line(ws, a, b, points.clamp(2, 1001), &split.train, &split.test, &mut self.line_scratch);
        let mut out = Vec::with_capacity(5 * line.t.len());
        for block in [&line.t, &line.train_loss, &line.test_loss, &line.train_acc, &line.test_acc] {
            out.extend_from_slice(block);
        }
        Ok(out)
    }
}
