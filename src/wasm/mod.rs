//! The JavaScript facade: the only module that speaks to JavaScript (STYLE.md, "The Rust /
//! JavaScript boundary"). Everything here is thin: it owns core values behind opaque handles and
//! converts at the edge.
//!
//! - [`Session`] owns one [`Trainer`] (one arm of a comparison). It lives in a module Web Worker
//!   (`www/worker.js`), which trains it in time slices. Big buffers (metric columns, attention
//!   history, parameters, snapshots, z_A) are read through views of wasm memory, all described by
//!   one call, [`Session::buffers`]: `{ name: { ptr, len } }` (metrics nested by column name),
//!   which JavaScript turns into `new Float32Array(memory.buffer, ptr, len)`. A view goes stale
//!   when wasm memory grows, so JavaScript asks for the descriptor again after every call that may
//!   allocate (any training call, `computeZa`, `setProbe`, `reset`).
//! - Metrics stay columns from the trainer to the chart: the worker sends each column, the page
//!   keeps each column, and `drawCurves` takes each run's columns by name ([`METRIC_COLUMNS`]).
//! - Kinds cross as tagged values (`summary().state`, z_A `axes`: `"plane" | "line" | "pca"`),
//!   lists as arrays; small structured values (config, summary, chart geometry) cross with serde
//!   (JSON text for the config, serde-wasm-bindgen for the rest). Tensors never do.
//! - Everything this file does is translation: validation, the scratch twin, z_A at a phase end,
//!   phase bounds and the loss barrier are the core's ([`crate::plan`], [`crate::train`],
//!   [`crate::experiments`]), shared with the command line.
//! - Rust errors become `JsError`s carrying the core's sentence (e.g. a [`ConfigError`] names the
//!   setting, the value and what is accepted).
//! - [`charts`]: `draw_*` functions that draw the `crate::viz` charts on an `HtmlCanvasElement`
//!   (main thread only: a worker has no canvas element), through [`canvas::MeasuredCanvas`]
//!   (plotters-canvas with text measured by the canvas).
//!
//! The message protocol between the page and the worker is documented in `www/PROTOCOL.md`.

pub mod bench;
pub mod canvas;
pub mod charts;
mod estimate;
pub mod figure1;
pub mod record;
mod recovery;
pub mod seeds;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::config::{field_label, Config, ConfigError, PRESETS};
use crate::experiments::barrier::{loss_line, LINE_POINTS};
use crate::experiments::embed::{pca, tsne, MAX_TSNE_ITERATIONS, MAX_TSNE_ROWS};
use crate::experiments::za::{clusters, project, ClusterReport, ZaAxes};
use crate::plan::ValidConfig;
use crate::train::{Metrics, Status, Trainer, ZaSet, ZaValues};

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` of whichever global runs us (window or worker).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

pub(crate) fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Maps become plain objects (`buffers().metrics.epoch`), not ES `Map`s. Plain structs of
    // numbers, strings and small vectors: serialization cannot fail.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The metric columns, in the trainer's order (`crate::train::Metrics::COLUMNS`).
pub const METRIC_COLUMNS: [&str; 6] = Metrics::COLUMNS;

/// Names of the metric columns: the keys of `buffers().metrics` and of the columns `drawCurves`
/// takes.
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
    Ok(cfg.to_json())
}

/// What is wrong with a configuration, for the page to name it: `null` when it parses and fits,
/// else `{ field, label, value, accepted, message }`: `field` is the config path (`optim.lr`),
/// `"json"` when the text is not a config (then `json_field` says where it failed), or `"memory"`
/// / `"work"` for a budget; `label` is the setting's name for people; `message` the sentence to
/// show. The same check as `new Session` and the command line ([`ValidConfig::from_json`]).
#[wasm_bindgen(js_name = checkConfig)]
pub fn check_config(config_json: &str) -> JsValue {
    match ValidConfig::from_json(config_json) {
        Ok(_) => JsValue::NULL,
        Err(e) => to_js(&Problem::of(&e)),
    }
}

#[derive(Serialize)]
struct Problem {
    field: String,
    json_field: Option<String>,
    label: String,
    value: String,
    accepted: String,
    message: String,
}

impl Problem {
    fn of(e: &ConfigError) -> Problem {
        Problem {
            field: e.field().to_string(),
            json_field: e.json_field().map(str::to_string),
            label: field_label(e.json_field().unwrap_or(e.field())),
            value: e.value().to_string(),
            accepted: e.accepted(),
            message: e.to_string(),
        }
    }
}

/// The scratch twin of a curriculum ([`Config::scratch_twin`]): JSON in, JSON out.
#[wasm_bindgen(js_name = scratchTwin)]
pub fn scratch_twin(config_json: &str) -> Result<String, JsError> {
    let cfg = ValidConfig::from_json(config_json).map_err(js_error)?;
    Ok(cfg.scratch_twin().map_err(js_error)?.to_json())
}

/// Rates from a results file (`docs/results-format.md`): `{ rows: [{ source, sweep, arm,
/// setting, rates: [{ k, n, low, high }, ..] }], clusters: [{ source, sweep, phase, p, classes,
/// rate }], lines, errors, made_by }`, the rates in the order
/// test accuracy > 0.95, > 0.5, train accuracy = 1 ([`crate::sweep::SUCCESS`]), each with its 95%
/// Wilson interval: the same code as `pathscope sweep collect`.
#[wasm_bindgen(js_name = summarizeResults)]
pub fn summarize_results(text: &str) -> JsValue {
    #[derive(Serialize)]
    struct Out {
        rows: Vec<crate::sweep::SummaryRow>,
        clusters: Vec<crate::sweep::ClusterRow>,
        lines: usize,
        errors: Vec<String>,
        /// The distinct (date, commit) pairs that made the lines.
        made_by: Vec<(String, String)>,
    }
    let (lines, errors) = crate::sweep::parse_results(text);
    let mut made_by: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            let get = |k: &str| l.made_by.get(k).cloned().unwrap_or_default();
            (get("date"), get("commit"))
        })
        .collect();
    made_by.sort();
    made_by.dedup();
    let (rows, clusters) = (crate::sweep::summarize(&lines), crate::sweep::cluster_rates(&lines));
    to_js(&Out { rows, clusters, lines: lines.len(), errors, made_by })
}

fn parse_set(set: &str) -> Result<ZaSet, JsError> {
    match set {
        "patterns" => Ok(ZaSet::Patterns),
        "test" => Ok(ZaSet::Test),
        other => Err(JsError::new(&format!("z_A set = {other} is not accepted: patterns or test"))),
    }
}

/// Test sequence `index` of phase `phase` of a config's run, without training it: the page uses
/// it so that a probe `test:i` is the same sequence in every arm (the curriculum's phase-0 test
/// set; the scratch twin's own phase 0 is another p).
#[wasm_bindgen(js_name = testSequenceOf)]
pub fn test_sequence_of(config_json: &str, phase: usize, index: usize) -> Result<Vec<u8>, JsError> {
    let cfg = ValidConfig::from_json(config_json).map_err(js_error)?;
    let ph = cfg
        .schedule
        .phases
        .get(phase)
        .ok_or_else(|| js_error(crate::train::NoSuchPhase { phase, phases: cfg.schedule.phases.len() }))?;
    if index >= cfg.data.n {
        return Err(JsError::new(&format!("test sequence {index} is not accepted: 0 to {}", cfg.data.n - 1)));
    }
    let split =
        crate::data::generate(cfg.data.seed, ph.p, cfg.model.seq_len, cfg.data.k, cfg.data.n, cfg.data.test_set);
    Ok(split.test.sequence(index).to_vec())
}

/// A fresh random seed from the platform's generator (`crypto.getRandomValues` through
/// getrandom), below 2^32 so that it is easy to read and type.
#[wasm_bindgen(js_name = newSeed)]
pub fn new_seed() -> Result<f64, JsError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no random source: {e}")))?;
    Ok(u32::from_le_bytes(bytes) as f64)
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
    // The snapshot matrix: ndarray checks that the values make rows x cols (no overflow).
    let matrix = ndarray::ArrayView2::from_shape((rows, cols), data)
        .ok()
        .filter(|_| rows > 0 && cols > 0)
        .ok_or_else(|| JsError::new(&format!("embed: {} values do not make {rows} rows of {cols}", data.len())))?;
    match method {
        "pca" => {
            let p = pca(matrix, 2);
            let pct = |i: usize| {
                p.explained_variance_ratio.get(i).map(|r| format!("{:.0}%", 100.0 * r)).unwrap_or_else(|| "-".into())
            };
            Ok(Embedding { points: p.projected, label: format!("PCA: PC1 {}, PC2 {} of the variance", pct(0), pct(1)) })
        }
        "tsne" => {
            if rows > MAX_TSNE_ROWS || iterations > MAX_TSNE_ITERATIONS {
                return Err(JsError::new(&format!(
                    "t-SNE of {rows} rows and {iterations} iterations is not accepted: at most {MAX_TSNE_ROWS} rows \
                     and {MAX_TSNE_ITERATIONS} iterations"
                )));
            }
            let points = tsne(matrix, perplexity, iterations, seed as u64);
            let shown = perplexity.clamp(1.0, ((rows as f32 - 1.0) / 3.0).max(1.0));
            Ok(Embedding { points, label: format!("t-SNE (perplexity {shown:.0}, {iterations} iterations)") })
        }
        other => Err(JsError::new(&format!("method = {other} is not accepted: pca or tsne"))),
    }
}

/// Where a run stands, for the status line (serde-wasm-bindgen object). Counters are as people
/// count: `epoch` epochs done, `step` steps done, `phase` the 0-based index of the current phase
/// (`phases` in all).
#[derive(Serialize)]
struct Summary {
    /// `{ state: "running" | "finished" | "diverged", .. }` ([`Status`]).
    status: Status,
    /// The first epoch whose train loss passed 10 times its start (null: never).
    unstable_epoch: Option<usize>,
    epoch: f64,
    step: f64,
    phase: usize,
    phases: usize,
    /// p of the current phase.
    p: usize,
    total_epochs: f64,
    steps_per_epoch: f64,
    /// Loss of the last minibatch step (NaN before the first).
    step_loss: f32,
    /// Last metrics row (row 0: the initial model).
    train_loss: f32,
    train_acc: f32,
    /// Last evaluated test row (NaN when none), the phase it was evaluated in, and the share of
    /// that phase's test sequences the run never trained on (0: test accuracy measures memory).
    test_epoch: f64,
    test_phase: f64,
    test_unseen_share: f32,
    test_loss: f32,
    test_acc: f32,
    /// Epochs at which a phase began.
    switches: Vec<usize>,
    /// How many phase-end z_A the run keeps (`phaseEndZa(i)` for i below it).
    phase_ends: usize,
    metrics_len: usize,
    attention_rows: usize,
    attention_stride: f64,
    snapshots: usize,
}

/// A buffer of wasm memory: JavaScript reads it as `new Float32Array(memory.buffer, ptr, len)`
/// (or `Uint32Array` for counts).
#[derive(Serialize)]
struct Buffer {
    ptr: usize,
    len: usize,
}

impl Buffer {
    fn of<T>(v: &[T]) -> Buffer {
        Buffer { ptr: v.as_ptr() as usize, len: v.len() }
    }
}

#[derive(Serialize)]
struct Buffers {
    /// One buffer per metric column, by name ([`METRIC_COLUMNS`]).
    metrics: std::collections::BTreeMap<&'static str, Buffer>,
    /// (rows, probes, T)
    attention: Buffer,
    /// The optimizer step of each attention row.
    attention_steps: Buffer,
    params: Buffer,
    /// (snapshots, params)
    snapshots: Buffer,
    snapshot_epochs: Buffer,
    /// (n, 2), interleaved
    za_points: Buffer,
    /// (n), u32
    za_counts: Buffer,
}

/// What `computeZa` / `phaseEndZa` put in the z_A buffers.
#[derive(Serialize)]
struct ZaInfo {
    axes: ZaAxes,
    caption: String,
    /// The sequences: `"patterns"` (the authors' hand-built ones) or `"test"`.
    set: ZaSet,
    /// k-means with one cluster per count class, against the counts (figure 4 as a number).
    clusters: ClusterReport,
    phase: usize,
    p: usize,
    /// Largest count k (p - 1) of that phase: fixes the colour scale.
    max_count: u32,
    epoch: f64,
    step: f64,
    /// True for the model at the end of `phase`, false for the current model.
    at_phase_end: bool,
}

/// One training run behind an opaque handle. See the module docs for how to read its buffers.
#[wasm_bindgen]
pub struct Session {
    trainer: Trainer,
    /// Loss of the last step taken.
    step_loss: f32,
    /// The z_A shown last: its 2-D points and each sequence's count.
    za_points: Vec<f32>,
    za_counts: Vec<u32>,
}

#[wasm_bindgen]
impl Session {
    /// A run from a JSON config (the fields of `crate::config::Config`), evaluated at step 0.
    /// A config that does not parse or fit throws an Error whose message names the setting.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<Session, JsError> {
        let config = ValidConfig::from_json(config_json).map_err(js_error)?;
        Ok(Session { trainer: Trainer::new(config), step_loss: f32::NAN, za_points: Vec::new(), za_counts: Vec::new() })
    }

    /// Starts the same run again from step 0 (same seed: the same run, bit for bit), keeping the
    /// probe sequences (their history restarts).
    pub fn reset(&mut self) -> Result<(), JsError> {
        let probes = self.trainer.probes().to_vec();
        self.trainer = Trainer::new(self.trainer.config().clone());
        self.step_loss = f32::NAN;
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
        self.trainer.config().to_json()
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

    /// Index of the current phase (0-based).
    pub fn phase(&self) -> usize {
        self.trainer.phase()
    }

    /// Where the run stands (see [`Summary`]).
    pub fn summary(&self) -> JsValue {
        let tr = &self.trainer;
        let cfg = tr.config();
        let m = tr.metrics();
        let last = m.len().saturating_sub(1);
        let (test_epoch, test_loss, test_acc) =
            m.last_test().map(|(e, l, a)| (e as f64, l, a)).unwrap_or((f64::NAN, f32::NAN, f32::NAN));
        let test_phase = m.last_test_row().map(|i| m.phase[i] as f64).unwrap_or(f64::NAN);
        let log = tr.attention_log();
        let t = cfg.model.seq_len.max(1);
        let probes = (tr.probes().len() / t).max(1);
        to_js(&Summary {
            status: tr.status().clone(),
            unstable_epoch: tr.unstable_at(),
            epoch: tr.epoch() as f64,
            step: tr.step_count() as f64,
            phase: tr.phase(),
            phases: cfg.schedule.phases.len(),
            p: tr.p(),
            total_epochs: cfg.total_epochs() as f64,
            steps_per_epoch: cfg.steps_per_epoch() as f64,
            step_loss: self.step_loss,
            train_loss: m.train_loss.get(last).copied().unwrap_or(f32::NAN),
            train_acc: m.train_acc.get(last).copied().unwrap_or(f32::NAN),
            test_epoch,
            test_phase,
            test_unseen_share: m
                .last_test_row()
                .and_then(|i| tr.split(m.phase[i] as usize).ok())
                .map(|s| s.unseen_share)
                .unwrap_or(f32::NAN),
            test_loss,
            test_acc,
            switches: tr.switches().to_vec(),
            phase_ends: tr.phase_za().len(),
            metrics_len: m.len(),
            attention_rows: log.rows.len() / (t * probes),
            attention_stride: log.stride as f64,
            snapshots: tr.snapshots().1.len(),
        })
    }

    /// Where every big buffer is in wasm memory (see [`Buffers`]); ask again after any call that
    /// may allocate.
    pub fn buffers(&self) -> JsValue {
        let tr = &self.trainer;
        let (snapshots, snapshot_epochs) = tr.snapshots();
        let log = tr.attention_log();
        to_js(&Buffers {
            metrics: tr.metrics().columns().into_iter().map(|(name, col)| (name, Buffer::of(col))).collect(),
            attention: Buffer::of(&log.rows),
            attention_steps: Buffer::of(&log.steps),
            params: Buffer::of(tr.params()),
            snapshots: Buffer::of(snapshots),
            snapshot_epochs: Buffer::of(snapshot_epochs),
            za_points: Buffer::of(&self.za_points),
            za_counts: Buffer::of(&self.za_counts),
        })
    }

    // ---- probes and data --------------------------------------------------------------------

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

    /// Test sequence `index` of phase `phase` (a copy of its T tokens).
    #[wasm_bindgen(js_name = testSequence)]
    pub fn test_sequence(&self, phase: usize, index: usize) -> Result<Vec<u8>, JsError> {
        let test = &self.trainer.split(phase).map_err(js_error)?.test;
        if index >= test.len() {
            return Err(JsError::new(&format!("test sequence {index} is not accepted: 0 to {}", test.len() - 1)));
        }
        Ok(test.sequence(index).to_vec())
    }

    // ---- z_A (figure 4) ------------------------------------------------------------------------

    /// z_A of a phase's `set` (`"patterns"`: the authors' hand-built sequences, or `"test"`;
    /// `phase < 0`: the current phase) under the current parameters, projected to 2-D
    /// ([`crate::experiments::za::project`]) into the `za_points` and `za_counts` buffers, with
    /// its cluster count. Returns what the buffers hold ([`ZaInfo`]).
    #[wasm_bindgen(js_name = computeZa)]
    pub fn compute_za(&mut self, phase: i32, set: &str) -> Result<JsValue, JsError> {
        let set = parse_set(set)?;
        let phase = usize::try_from(phase).unwrap_or(self.trainer.phase());
        let mut values = ZaValues::default();
        self.trainer.za(phase, set, &mut values).map_err(js_error)?;
        let (epoch, step) = (self.trainer.epoch() as f64, self.trainer.step_count() as f64);
        Ok(self.show_za(values, set, phase, epoch, step, false))
    }

    /// The z_A of `set` the run kept at the end of its `index`-th ended phase (see
    /// `summary().phase_ends`), into the same buffers as [`Session::compute_za`].
    #[wasm_bindgen(js_name = phaseEndZa)]
    pub fn phase_end_za(&mut self, index: usize, set: &str) -> Result<JsValue, JsError> {
        let set = parse_set(set)?;
        let kept = self.trainer.phase_za();
        let Some(z) = kept.get(index) else {
            return Err(JsError::new(&format!(
                "phase end {index} is not accepted: {} phase(s) have ended",
                kept.len()
            )));
        };
        let values = z.of(set).cloned().ok_or_else(|| js_error(crate::train::ZaError::NoPatterns))?;
        let (phase, epoch, step) = (z.phase, z.epoch as f64, z.step as f64);
        Ok(self.show_za(values, set, phase, epoch, step, true))
    }

    fn show_za(
        &mut self,
        values: ZaValues,
        set: ZaSet,
        phase: usize,
        epoch: f64,
        step: f64,
        at_phase_end: bool,
    ) -> JsValue {
        let cfg = self.trainer.config();
        let d = cfg.model.dim;
        let p = cfg.schedule.phases[phase].p;
        let n = values.counts.len();
        let projected = project(&values.za, n, d);
        let report = clusters(&values.za, n, d, &values.counts, cfg.data.seed);
        self.za_points = projected.points;
        self.za_counts = values.counts;
        to_js(&ZaInfo {
            axes: projected.axes,
            caption: projected.caption,
            set,
            clusters: report,
            phase,
            p,
            max_count: (cfg.data.k * (p - 1)) as u32,
            epoch,
            step,
            at_phase_end,
        })
    }

    // ---- loss barrier (figure 6) ---------------------------------------------------------------

    /// Train and test loss and accuracy at the core's [`LINE_POINTS`] evenly spaced models on the
    /// segment from `a` (t = 0) to `b` (t = 1), on phase `phase`'s data, with the barrier of each:
    /// `{ t, train_loss, test_loss, train_acc, test_acc, train_barrier, test_barrier }`, a barrier
    /// being `{ height, t_peak, peak, endpoint }` or null ([`crate::experiments::barrier`]).
    #[wasm_bindgen(js_name = lossLine)]
    pub fn loss_line(&mut self, a: &[f32], b: &[f32], phase: usize) -> Result<JsValue, JsError> {
        let line = loss_line(&mut self.trainer, a, b, LINE_POINTS, phase).map_err(js_error)?;
        Ok(to_js(&line))
    }
}
