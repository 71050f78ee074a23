//! The step-by-step trainer: minibatches, epochs, curriculum phases, metrics, attention of probe
//! sequences after every step, and parameter snapshots.
//!
//! Metrics are columnar (one `Vec` per quantity, one row per epoch) so the page can read each
//! column as a view of wasm memory. Train metrics are the mean over the epoch's minibatches,
//! each measured just before its update (for full batch: the loss the step descended); test
//! metrics are evaluated after the epoch, every `eval_every` epochs and at every phase end, and
//! are NaN in the other rows.

use serde::{Deserialize, Serialize};

use crate::data::{generate, Dataset, Split};
use crate::model::{init_params, Dims, Layout, Workspace};
use crate::optim::Adam;
pub use crate::plan::ATTENTION_LOG_CAP;
use crate::plan::{snapshot_count, ValidConfig, SNAPSHOT_CAP};
use crate::rng::{Purpose, Stream};

/// A run whose epoch-mean train loss rises above this many times its initial loss is flagged
/// unstable (it keeps training; a person should know).
pub const UNSTABLE_FACTOR: f32 = 10.0;

/// One row per epoch (row 0: the initial model, before any step).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub epoch: Vec<f32>,
    pub phase: Vec<f32>,
    pub train_loss: Vec<f32>,
    pub train_acc: Vec<f32>,
    pub test_loss: Vec<f32>,
    pub test_acc: Vec<f32>,
}

impl Metrics {
    /// The columns, in this order everywhere they travel (record, worker, page, chart).
    pub const COLUMNS: [&'static str; 6] = ["epoch", "phase", "train_loss", "train_acc", "test_loss", "test_acc"];

    /// Each column with its name, in [`Metrics::COLUMNS`] order.
    pub fn columns(&self) -> [(&'static str, &[f32]); 6] {
        let c = Self::COLUMNS;
        [
            (c[0], &self.epoch),
            (c[1], &self.phase),
            (c[2], &self.train_loss),
            (c[3], &self.train_acc),
            (c[4], &self.test_loss),
            (c[5], &self.test_acc),
        ]
    }

    pub fn len(&self) -> usize {
        self.epoch.len()
    }
    pub fn is_empty(&self) -> bool {
        self.epoch.is_empty()
    }
    /// Empty columns with room for `rows` rows each.
    pub fn with_capacity(rows: usize) -> Self {
        let col = || Vec::with_capacity(rows);
        Metrics { epoch: col(), phase: col(), train_loss: col(), train_acc: col(), test_loss: col(), test_acc: col() }
    }
    fn push(&mut self, epoch: usize, phase: usize, train: (f32, f32), test: (f32, f32)) {
        self.epoch.push(epoch as f32);
        self.phase.push(phase as f32);
        self.train_loss.push(train.0);
        self.train_acc.push(train.1);
        self.test_loss.push(test.0);
        self.test_acc.push(test.1);
    }
    /// The last row where the test set was evaluated.
    pub fn last_test_row(&self) -> Option<usize> {
        (0..self.len()).rev().find(|&i| !self.test_acc[i].is_nan())
    }
    /// The last row where the test set was evaluated: (epoch, test loss, test accuracy).
    pub fn last_test(&self) -> Option<(usize, f32, f32)> {
        self.last_test_row().map(|i| (self.epoch[i] as usize, self.test_loss[i], self.test_acc[i]))
    }
}

/// Attention of the probe sequences over training: one row per recorded step, each row
/// `probes x T` values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttentionLog {
    /// Optimizer step of each row (0: the initial model).
    pub steps: Vec<f32>,
    /// (rows, probes, T)
    pub rows: Vec<f32>,
    /// A row is recorded every `stride` steps.
    pub stride: u64,
}

/// Where a run stands. Serialized as `{"state": "running" | "finished" | "diverged", ..}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Running,
    Finished,
    /// A step produced a non-finite loss or gradient; it was not applied, and the run stops
    /// with everything recorded up to it (the parameters are those of the last good step).
    Diverged {
        /// The epoch that was in progress, counted from 1.
        epoch: usize,
        /// The step that failed, counted from 1 (steps before it were applied).
        step: u64,
        message: String,
    },
}

/// How the step named by [`Trainer::debug_fault_at`] fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugFault {
    /// Its gradient gets a NaN: the run diverges there.
    NonFiniteGradient,
    /// It panics: in the page, the worker's wasm instance traps.
    Panic,
}

/// A phase index outside the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoSuchPhase {
    pub phase: usize,
    pub phases: usize,
}

impl std::fmt::Display for NoSuchPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "phase index {} is not accepted: this run has phases 0 to {}", self.phase, self.phases - 1)
    }
}

impl std::error::Error for NoSuchPhase {}

/// Why z_A cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZaError {
    Phase(NoSuchPhase),
    /// p^k is too large for the hand-built patterns.
    NoPatterns,
}

impl std::fmt::Display for ZaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ZaError::Phase(e) => e.fmt(f),
            ZaError::NoPatterns => write!(
                f,
                "the hand-built patterns (every p^k choice of the first k tokens) are too many to build here; \
                 show z_A of the test set instead"
            ),
        }
    }
}

impl std::error::Error for ZaError {}

/// Which sequences z_A is computed on (figure 4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZaSet {
    /// The authors' hand-built sequences: every pattern of the first k tokens, zeros after
    /// ([`crate::data::patterns`]): 32 for p = 2, 1,024 for p = 4.
    #[default]
    Patterns,
    /// The phase's test set.
    Test,
}

/// z_A of some sequences (n, d) and each one's count x_1 + .. + x_k (n).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZaValues {
    pub za: Vec<f32>,
    pub counts: Vec<u32>,
}

/// z_A under the model at the end of a phase (figure 4's "after pretraining" picture), kept by
/// the trainer at each phase end, on the phase's test set and on its hand-built patterns.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseZa {
    pub phase: usize,
    /// Epoch and step at the end of the phase.
    pub epoch: usize,
    pub step: u64,
    pub test: ZaValues,
    /// `None` where p^k is too large to build the patterns ([`crate::data::MAX_PATTERNS`]).
    pub patterns: Option<ZaValues>,
}

impl PhaseZa {
    pub fn of(&self, set: ZaSet) -> Option<&ZaValues> {
        match set {
            ZaSet::Test => Some(&self.test),
            ZaSet::Patterns => self.patterns.as_ref(),
        }
    }
}

/// What one call to [`Trainer::step`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepReport {
    pub stepped: bool,
    /// Mean loss of the minibatch, measured before its update (NaN if no step was taken).
    pub loss: f32,
    pub epoch_ended: bool,
    pub phase_switched: bool,
}

pub struct Trainer {
    pub(crate) cfg: ValidConfig,
    pub(crate) dims: Dims,
    pub(crate) layout: Layout,
    /// Flat parameters, gradients (same layout), optimizer.
    pub(crate) params: Vec<f32>,
    pub(crate) grads: Vec<f32>,
    pub(crate) adam: Adam,
    pub(crate) ws: Workspace,
    /// Data of each distinct p, in order of first use; `phase_data[phase]` indexes it (phases of
    /// one p share one data set, as they would draw the same one).
    pub(crate) splits: Vec<Split>,
    /// The hand-built figure-4 sequences of each distinct p (same index as `splits`).
    pub(crate) patterns: Vec<Option<Dataset>>,
    pub(crate) phase_data: Vec<usize>,
    pub(crate) phase: usize,
    pub(crate) phase_epoch: usize,
    pub(crate) epoch: usize,
    pub(crate) step: u64,
    /// Position inside the current epoch's order.
    pub(crate) pos: usize,
    pub(crate) order: Vec<u32>,
    pub(crate) shuffle: Stream,
    pub(crate) batch_x: Vec<u8>,
    pub(crate) batch_y: Vec<u8>,
    pub(crate) epoch_loss: f64,
    pub(crate) epoch_correct: usize,
    pub(crate) epoch_count: usize,
    pub(crate) metrics: Metrics,
    /// Epochs at which a new phase began.
    pub(crate) switches: Vec<usize>,
    /// (probes, T)
    pub(crate) probes: Vec<u8>,
    pub(crate) attention: AttentionLog,
    /// (snapshots, params)
    pub(crate) snapshots: Vec<f32>,
    pub(crate) snapshot_epochs: Vec<f32>,
    /// Snapshots are kept every `snapshot_every * snapshot_stride` epochs (doubles past the cap).
    pub(crate) snapshot_stride: usize,
    /// z_A at the end of each phase that ended.
    pub(crate) phase_za: Vec<PhaseZa>,
    /// First epoch whose mean train loss exceeded UNSTABLE_FACTOR times the initial loss.
    pub(crate) unstable_at: Option<usize>,
    pub(crate) status: Status,
    /// Test hook ([`Trainer::debug_fault_at`]): the step (counted from 1) that fails, and how.
    fault: Option<(u64, DebugFault)>,
}

impl Trainer {
    /// A new run at step 0, its initial model evaluated (metrics row 0).
    pub fn new(cfg: ValidConfig) -> Self {
        let dims = Dims::of(&cfg.model);
        let layout = Layout::new(dims);
        let params = init_params(&cfg.model, cfg.data.seed);
        let mut ps: Vec<usize> = Vec::new();
        let phase_data = cfg
            .schedule
            .phases
            .iter()
            .map(|ph| {
                ps.iter().position(|&p| p == ph.p).unwrap_or_else(|| {
                    ps.push(ph.p);
                    ps.len() - 1
                })
            })
            .collect();
        let splits =
            ps.iter().map(|&p| generate(cfg.data.seed, p, dims.t, cfg.data.k, cfg.data.n, cfg.data.test_set)).collect();
        let patterns = ps.iter().map(|&p| crate::data::patterns(p, dims.t, cfg.data.k)).collect();
        let n = cfg.data.n;
        let b = cfg.schedule.batch_size;
        let snapshots = snapshot_count(&cfg);
        let mut tr = Trainer {
            dims,
            grads: vec![0.0; layout.len],
            adam: Adam::new(&cfg.optim, layout.len).with_lr(cfg.schedule.phases[0].lr.unwrap_or(cfg.optim.lr)),
            ws: Workspace::new(dims),
            layout,
            params,
            splits,
            patterns,
            phase_data,
            phase: 0,
            phase_epoch: 0,
            epoch: 0,
            step: 0,
            pos: 0,
            order: (0..n as u32).collect(),
            shuffle: Stream::new(cfg.data.seed, Purpose::Shuffle),
            batch_x: vec![0; b * dims.t],
            batch_y: vec![0; b],
            epoch_loss: 0.0,
            epoch_correct: 0,
            epoch_count: 0,
            metrics: Metrics::with_capacity(cfg.total_epochs() + 1),
            switches: Vec::new(),
            probes: Vec::new(),
            attention: AttentionLog { stride: 1, ..Default::default() },
            // Reserved once, exactly: the history never reallocates (no transient double copy).
            snapshots: Vec::with_capacity(snapshots * dims.param_count() as usize),
            snapshot_epochs: Vec::with_capacity(snapshots),
            snapshot_stride: 1,
            phase_za: Vec::new(),
            unstable_at: None,
            status: Status::Running,
            fault: None,
            cfg,
        };
        let split = &tr.splits[tr.phase_data[0]];
        let train = tr.ws.evaluate(&tr.params, &split.train.tokens, &split.train.targets);
        let test = tr.ws.evaluate(&tr.params, &split.test.tokens, &split.test.targets);
        tr.metrics.push(0, 0, (train.loss as f32, train.accuracy() as f32), (test.loss as f32, test.accuracy() as f32));
        tr.snapshot();
        tr
    }

    pub fn config(&self) -> &ValidConfig {
        &self.cfg
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    pub fn params(&self) -> &[f32] {
        &self.params
    }
    /// Replace the parameters (same layout); the optimizer state is kept.
    pub fn set_params(&mut self, params: &[f32]) {
        self.params.copy_from_slice(params);
    }
    pub fn grads(&self) -> &[f32] {
        &self.grads
    }
    pub fn adam(&self) -> &Adam {
        &self.adam
    }
    /// The forward and backward buffers, as the last step or evaluation left them.
    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }
    /// Subnormal values (nonzero, below `f32::MIN_POSITIVE` in magnitude) in each of the run's
    /// buffers: parameters, gradients, Adam's moments, then the workspace's (which hold the last
    /// chunk of the last pass). Arithmetic on subnormals is ~100 times slower on x86, so a
    /// healthy run has none (see `kernels::gelu_lane` and README, Performance).
    pub fn subnormals(&self) -> Vec<(&'static str, usize)> {
        let count = |b: &[f32]| b.iter().filter(|x| x.is_subnormal()).count();
        let mut out = vec![
            ("params", count(&self.params)),
            ("grads", count(&self.grads)),
            ("adam_m", count(&self.adam.m)),
            ("adam_v", count(&self.adam.v)),
        ];
        out.extend(self.ws.buffers().iter().map(|&(name, b)| (name, count(b))));
        out
    }
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    pub fn switches(&self) -> &[usize] {
        &self.switches
    }
    pub fn status(&self) -> &Status {
        &self.status
    }
    pub fn epoch(&self) -> usize {
        self.epoch
    }
    pub fn step_count(&self) -> u64 {
        self.step
    }
    pub fn phase(&self) -> usize {
        self.phase
    }
    /// p of the current phase.
    pub fn p(&self) -> usize {
        self.cfg.schedule.phases[self.phase].p
    }
    /// `phase` if the schedule has it.
    pub fn check_phase(&self, phase: usize) -> Result<usize, NoSuchPhase> {
        let phases = self.cfg.schedule.phases.len();
        if phase < phases {
            Ok(phase)
        } else {
            Err(NoSuchPhase { phase, phases })
        }
    }
    /// The train and test sets of a phase.
    pub fn split(&self, phase: usize) -> Result<&Split, NoSuchPhase> {
        Ok(&self.splits[self.phase_data[self.check_phase(phase)?]])
    }
    /// The train and test sets of the current phase.
    pub fn current_split(&self) -> &Split {
        &self.splits[self.phase_data[self.phase]]
    }
    /// z_A at the end of each phase that has ended, in order.
    pub fn phase_za(&self) -> &[PhaseZa] {
        &self.phase_za
    }
    /// The first epoch whose mean train loss exceeded [`UNSTABLE_FACTOR`] times the initial loss.
    pub fn unstable_at(&self) -> Option<usize> {
        self.unstable_at
    }
    pub fn attention_log(&self) -> &AttentionLog {
        &self.attention
    }
    pub fn probes(&self) -> &[u8] {
        &self.probes
    }
    pub fn snapshots(&self) -> (&[f32], &[f32]) {
        (&self.snapshots, &self.snapshot_epochs)
    }
    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }

    /// Probe sequences (concatenated, each of length T, tokens < V) whose attention is recorded
    /// after every step. Restarts the history with the current model as its first row.
    pub fn set_probes(&mut self, probes: &[u8]) -> Result<(), String> {
        let Dims { v, t, .. } = self.dims;
        if probes.is_empty() || probes.len() % t != 0 {
            return Err(format!("probe length {} is not a positive multiple of T = {t}", probes.len()));
        }
        if let Some(&x) = probes.iter().find(|&&x| x as usize >= v) {
            return Err(format!("probe token {x} is not accepted: tokens are 0 to {}", v - 1));
        }
        self.probes = probes.to_vec();
        // Reserved once at the cap, so the history never reallocates as it grows.
        let rows_cap = ATTENTION_LOG_CAP / probes.len();
        self.attention = AttentionLog {
            stride: 1,
            steps: Vec::with_capacity(rows_cap + 1),
            rows: Vec::with_capacity(rows_cap * probes.len()),
        };
        self.record_attention();
        Ok(())
    }

    /// Attention of any sequence under the current parameters.
    pub fn attention_of(&mut self, seq: &[u8], out: &mut [f32]) {
        self.ws.prepare(&self.params);
        self.ws.attention_from_tables(seq, out);
    }

    fn record_attention(&mut self) {
        if self.probes.is_empty() || self.step % self.attention.stride != 0 {
            return;
        }
        let t = self.dims.t;
        let row = self.probes.len();
        if self.attention.rows.len() + row > ATTENTION_LOG_CAP {
            // Keep rows 0, 2, 4, ... (all multiples of the doubled stride) and carry on.
            let count = self.attention.steps.len();
            let mut keep = 0;
            for i in (0..count).step_by(2) {
                self.attention.steps[keep] = self.attention.steps[i];
                self.attention.rows.copy_within(i * row..(i + 1) * row, keep * row);
                keep += 1;
            }
            self.attention.steps.truncate(keep);
            self.attention.rows.truncate(keep * row);
            self.attention.stride *= 2;
            if self.step % self.attention.stride != 0 {
                return;
            }
        }
        self.ws.prepare(&self.params);
        let start = self.attention.rows.len();
        self.attention.rows.resize(start + row, 0.0);
        for (i, seq) in self.probes.chunks(t).enumerate() {
            let out = &mut self.attention.rows[start + i * t..start + (i + 1) * t];
            self.ws.attention_from_tables(seq, out);
        }
        self.attention.steps.push(self.step as f32);
    }

    fn snapshot(&mut self) {
        if self.snapshot_epochs.last() == Some(&(self.epoch as f32)) {
            return;
        }
        if self.snapshot_epochs.len() >= SNAPSHOT_CAP {
            self.thin_snapshots();
        }
        self.snapshots.extend_from_slice(&self.params);
        self.snapshot_epochs.push(self.epoch as f32);
    }

    /// Doubles the snapshot cadence and drops the snapshots off it, keeping the first and every
    /// phase end, so that a long run holds about [`SNAPSHOT_CAP`] evenly spaced snapshots (plus
    /// the phase ends) whatever its length.
    fn thin_snapshots(&mut self) {
        let len = self.layout.len;
        self.snapshot_stride *= 2;
        let every = (self.cfg.schedule.snapshot_every.max(1) * self.snapshot_stride) as f32;
        let keep = |e: f32| e % every == 0.0 || self.switches.contains(&(e as usize));
        let mut kept = 0;
        for i in 0..self.snapshot_epochs.len() {
            let e = self.snapshot_epochs[i];
            if keep(e) {
                self.snapshot_epochs[kept] = e;
                self.snapshots.copy_within(i * len..(i + 1) * len, kept * len);
                kept += 1;
            }
        }
        self.snapshot_epochs.truncate(kept);
        self.snapshots.truncate(kept * len);
    }

    /// One optimizer step on the next minibatch; ends the epoch (and the phase) when due.
    pub fn step(&mut self) -> StepReport {
        let mut report = StepReport { loss: f32::NAN, ..Default::default() };
        if !self.is_running() {
            return report;
        }
        let t = self.dims.t;
        let n = self.cfg.data.n;
        if self.pos == 0 {
            self.shuffle.shuffle(&mut self.order);
        }
        let b = self.cfg.schedule.batch_size.min(n - self.pos);
        {
            let train = &self.splits[self.phase_data[self.phase]].train;
            for (slot, &i) in self.order[self.pos..self.pos + b].iter().enumerate() {
                let i = i as usize;
                self.batch_x[slot * t..(slot + 1) * t].copy_from_slice(train.sequence(i));
                self.batch_y[slot] = train.targets[i];
            }
        }
        let stats = self.ws.loss_and_grad(&self.params, &self.batch_x[..b * t], &self.batch_y[..b], &mut self.grads);
        if let Some((at, fault)) = self.fault.filter(|&(at, _)| at == self.step + 1) {
            self.fault = None; // it fires once
            match fault {
                DebugFault::NonFiniteGradient => self.grads[0] = f32::NAN,
                DebugFault::Panic => panic!("debug hook: a forced panic at step {at} (address key debug=panic@{at})"),
            }
        }
        if !stats.loss.is_finite() || !self.grads.iter().all(|g| g.is_finite()) {
            self.status = Status::Diverged {
                epoch: self.epoch + 1,
                step: self.step + 1,
                message: format!(
                    "training diverged at step {} (epoch {}): the loss or a gradient is no longer a finite \
                     number, so the step was not applied; the model is kept as it was after step {}. \
                     A smaller learning rate (now {}) usually avoids this",
                    self.step + 1,
                    self.epoch + 1,
                    self.step,
                    self.adam.lr
                ),
            };
            return report;
        }
        self.adam.step(&mut self.params, &self.grads);
        self.step += 1;
        report.stepped = true;
        report.loss = stats.loss as f32;
        self.epoch_loss += stats.loss * b as f64;
        self.epoch_correct += stats.correct;
        self.epoch_count += b;
        self.pos += b;
        self.record_attention();
        if self.pos == n {
            self.end_epoch(&mut report);
        }
        report
    }

    fn end_epoch(&mut self, report: &mut StepReport) {
        report.epoch_ended = true;
        self.pos = 0;
        self.epoch += 1;
        self.phase_epoch += 1;
        let phase_done = self.phase_epoch == self.cfg.schedule.phases[self.phase].epochs;
        let count = self.epoch_count.max(1) as f64;
        let train = ((self.epoch_loss / count) as f32, (self.epoch_correct as f64 / count) as f32);
        self.epoch_loss = 0.0;
        self.epoch_correct = 0;
        self.epoch_count = 0;
        let test = if self.epoch % self.cfg.schedule.eval_every == 0 || phase_done {
            let s = self.evaluate_current_test();
            (s.loss as f32, s.accuracy() as f32)
        } else {
            (f32::NAN, f32::NAN)
        };
        self.metrics.push(self.epoch, self.phase, train, test);
        if self.unstable_at.is_none() && train.0 > UNSTABLE_FACTOR * self.metrics.train_loss[0] {
            self.unstable_at = Some(self.epoch);
        }
        let every = self.cfg.schedule.snapshot_every * self.snapshot_stride;
        if phase_done || (every > 0 && self.epoch % every == 0) {
            self.snapshot();
        }
        if phase_done {
            self.keep_phase_za();
            if self.phase + 1 == self.cfg.schedule.phases.len() {
                self.status = Status::Finished;
            } else {
                self.phase += 1;
                self.phase_epoch = 0;
                self.switches.push(self.epoch);
                report.phase_switched = true;
                if self.cfg.optim.reset_at_switch {
                    self.adam.reset();
                }
                let phase = &self.cfg.schedule.phases[self.phase];
                self.adam.lr = phase.lr.unwrap_or(self.cfg.optim.lr) as f32;
            }
        }
    }

    /// Test hook: step `step` (counted from 1) fails as `fault` says, once (a run sent back to a
    /// snapshot before that step trains past it normally), so that the failure paths can be
    /// tested end to end. A NaN gradient takes the divergence path (detection, message,
    /// the page's pause, reset and rewind): no setting the core accepts was found to make Adam
    /// diverge to NaN at lr <= 10, its steps being bounded by the learning rate (README, "When a
    /// run goes wrong"). A panic takes the crash path (the page's worker error and restart). The
    /// page sets it only from the documented address key `debug` (`www/debug.js`).
    pub fn debug_fault_at(&mut self, step: u64, fault: DebugFault) {
        self.fault = Some((step, fault));
    }

    fn evaluate_current_test(&mut self) -> crate::model::BatchStats {
        let test = &self.splits[self.phase_data[self.phase]].test;
        self.ws.evaluate(&self.params, &test.tokens, &test.targets)
    }

    fn keep_phase_za(&mut self) {
        let mut test = ZaValues::default();
        self.za(self.phase, ZaSet::Test, &mut test).expect("the current phase exists");
        let mut patterns = ZaValues::default();
        let patterns = self.za(self.phase, ZaSet::Patterns, &mut patterns).ok().map(|_| patterns);
        self.phase_za.push(PhaseZa { phase: self.phase, epoch: self.epoch, step: self.step, test, patterns });
    }

    /// Steps until the current epoch ends (or the run stops).
    pub fn epoch_step(&mut self) -> StepReport {
        let mut report = StepReport { loss: f32::NAN, ..Default::default() };
        while self.is_running() {
            let r = self.step();
            report.loss = r.loss;
            report.stepped |= r.stepped;
            report.phase_switched |= r.phase_switched;
            if r.epoch_ended {
                report.epoch_ended = true;
                break;
            }
        }
        report
    }

    /// Steps until `epochs` more epochs have ended or the run stops.
    pub fn run_epochs(&mut self, epochs: usize) {
        for _ in 0..epochs {
            if !self.is_running() {
                break;
            }
            self.epoch_step();
        }
    }

    /// Trains to the end of the schedule, calling `progress(trainer)` after every epoch.
    pub fn run_to_end(&mut self, mut progress: impl FnMut(&Trainer)) {
        while self.is_running() {
            self.epoch_step();
            progress(self);
        }
    }

    /// Loss and accuracy of any parameter vector (of this model's layout) on the train and test
    /// sets of a phase. The trainer's workspace is reused: it is prepared afresh by every step.
    pub fn evaluate_params(
        &mut self,
        params: &[f32],
        phase: usize,
    ) -> Result<(crate::model::BatchStats, crate::model::BatchStats), NoSuchPhase> {
        assert_eq!(params.len(), self.layout.len, "parameters of another model");
        let split = &self.splits[self.phase_data[self.check_phase(phase)?]];
        let train = self.ws.evaluate(params, &split.train.tokens, &split.train.targets);
        let test = self.ws.evaluate(params, &split.test.tokens, &split.test.targets);
        Ok((train, test))
    }

    /// z_A (n, d) of a phase's test set or hand-built patterns under the current parameters, and
    /// each sequence's count x_1 + .. + x_k, into `out`.
    pub fn za(&mut self, phase: usize, set: ZaSet, out: &mut ZaValues) -> Result<(), ZaError> {
        let params = std::mem::take(&mut self.params);
        let result = self.za_of(&params, phase, set, out);
        self.params = params;
        result
    }

    /// [`Trainer::za`] under any parameter vector of this model's layout.
    pub(crate) fn za_of(
        &mut self,
        params: &[f32],
        phase: usize,
        set: ZaSet,
        out: &mut ZaValues,
    ) -> Result<(), ZaError> {
        let i = self.phase_data[self.check_phase(phase).map_err(ZaError::Phase)?];
        let data = match set {
            ZaSet::Test => &self.splits[i].test,
            ZaSet::Patterns => self.patterns[i].as_ref().ok_or(ZaError::NoPatterns)?,
        };
        let n = data.len();
        out.za.resize(n * self.dims.d, 0.0);
        out.counts.clear();
        out.counts.extend((0..n).map(|j| data.count(j)));
        self.ws.forward_with(params, &data.tokens, &data.targets, &mut [], &mut out.za, &mut []);
        Ok(())
    }
}

mod rewind;
