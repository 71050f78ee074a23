//! The step-by-step trainer: minibatches, epochs, curriculum phases, metrics, attention of probe
//! sequences after every step, and parameter snapshots.
//!
//! Metrics are columnar (one `Vec` per quantity, one row per epoch) so the page can read each
//! column as a view of wasm memory. Train metrics are the mean over the epoch's minibatches,
//! each measured just before its update (for full batch: the loss the step descended); test
//! metrics are evaluated after the epoch, every `eval_every` epochs and at every phase end, and
//! are NaN in the other rows.

use crate::config::Config;
use crate::data::{generate, Split};
use crate::model::{init_params, Dims, Layout, Workspace};
use crate::optim::Adam;
use crate::rng::{Purpose, Stream};

/// Most attention values kept for the probes' history; past it, every other row is dropped and
/// only every second step is recorded from then on, so a long run keeps its whole span.
pub const ATTENTION_LOG_CAP: usize = 1 << 20;

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
    pub fn len(&self) -> usize {
        self.epoch.len()
    }
    pub fn is_empty(&self) -> bool {
        self.epoch.is_empty()
    }
    fn push(&mut self, epoch: usize, phase: usize, train: (f32, f32), test: (f32, f32)) {
        self.epoch.push(epoch as f32);
        self.phase.push(phase as f32);
        self.train_loss.push(train.0);
        self.train_acc.push(train.1);
        self.test_loss.push(test.0);
        self.test_acc.push(test.1);
    }
    /// The last row where the test set was evaluated: (epoch, test loss, test accuracy).
    pub fn last_test(&self) -> Option<(usize, f32, f32)> {
        (0..self.len())
            .rev()
            .find(|&i| !self.test_acc[i].is_nan())
            .map(|i| (self.epoch[i] as usize, self.test_loss[i], self.test_acc[i]))
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

/// Where a run stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Running,
    Finished,
    /// A step produced a non-finite loss or gradient; it was not applied, and the run stops
    /// with everything recorded up to it.
    Diverged {
        epoch: usize,
        step: u64,
        message: String,
    },
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
    cfg: Config,
    dims: Dims,
    layout: Layout,
    /// Flat parameters, gradients (same layout), optimizer.
    params: Vec<f32>,
    grads: Vec<f32>,
    adam: Adam,
    ws: Workspace,
    /// Data of each phase, by index into the schedule.
    splits: Vec<Split>,
    phase: usize,
    phase_epoch: usize,
    epoch: usize,
    step: u64,
    /// Position inside the current epoch's order.
    pos: usize,
    order: Vec<u32>,
    shuffle: Stream,
    batch_x: Vec<u8>,
    batch_y: Vec<u8>,
    epoch_loss: f64,
    epoch_correct: usize,
    epoch_count: usize,
    metrics: Metrics,
    /// Epochs at which a new phase began.
    switches: Vec<usize>,
    /// (probes, T)
    probes: Vec<u8>,
    attention: AttentionLog,
    /// (snapshots, params)
    snapshots: Vec<f32>,
    snapshot_epochs: Vec<f32>,
    status: Status,
}

impl Trainer {
    /// A new run at step 0, its initial model evaluated (metrics row 0).
    pub fn new(cfg: Config) -> Result<Self, crate::config::ConfigError> {
        cfg.validate()?;
        let dims = Dims::of(&cfg.model);
        let layout = Layout::new(dims);
        let params = init_params(&cfg.model, cfg.data.seed);
        let splits = cfg
            .schedule
            .phases
            .iter()
            .map(|ph| generate(cfg.data.seed, ph.p, dims.t, cfg.data.k, cfg.data.n))
            .collect();
        let n = cfg.data.n;
        let b = cfg.schedule.batch_size;
        let mut tr = Trainer {
            dims,
            grads: vec![0.0; layout.len],
            adam: Adam::new(&cfg.optim, layout.len),
            ws: Workspace::new(dims),
            layout,
            params,
            splits,
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
            metrics: Metrics::default(),
            switches: Vec::new(),
            probes: Vec::new(),
            attention: AttentionLog { stride: 1, ..Default::default() },
            snapshots: Vec::new(),
            snapshot_epochs: Vec::new(),
            status: Status::Running,
            cfg,
        };
        let split = &tr.splits[0];
        let train = tr.ws.evaluate(&tr.params, &split.train.tokens, &split.train.targets);
        let test = tr.ws.evaluate(&tr.params, &split.test.tokens, &split.test.targets);
        tr.metrics.push(0, 0, (train.loss as f32, train.accuracy() as f32), (test.loss as f32, test.accuracy() as f32));
        tr.snapshot();
        Ok(tr)
    }

    pub fn config(&self) -> &Config {
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
    pub fn split(&self, phase: usize) -> &Split {
        &self.splits[phase]
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
        self.attention = AttentionLog { stride: 1, ..Default::default() };
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
        self.snapshots.extend_from_slice(&self.params);
        self.snapshot_epochs.push(self.epoch as f32);
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
            let train = &self.splits[self.phase].train;
            for (slot, &i) in self.order[self.pos..self.pos + b].iter().enumerate() {
                let i = i as usize;
                self.batch_x[slot * t..(slot + 1) * t].copy_from_slice(train.sequence(i));
                self.batch_y[slot] = train.targets[i];
            }
        }
        let stats = self.ws.loss_and_grad(&self.params, &self.batch_x[..b * t], &self.batch_y[..b], &mut self.grads);
        if !stats.loss.is_finite() || !self.grads.iter().all(|g| g.is_finite()) {
            self.status = Status::Diverged {
                epoch: self.epoch,
                step: self.step,
                message: format!(
                    "training diverged at step {} (epoch {}): the loss or a gradient is not finite; \
                     lower the learning rate (now {}) and restart",
                    self.step + 1,
                    self.epoch + 1,
                    self.cfg.optim.lr
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
        let every = self.cfg.schedule.snapshot_every;
        if phase_done || (every > 0 && self.epoch % every == 0) {
            self.snapshot();
        }
        if phase_done {
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
            }
        }
    }

    fn evaluate_current_test(&mut self) -> crate::model::BatchStats {
        let test = &self.splits[self.phase].test;
        self.ws.evaluate(&self.params, &test.tokens, &test.targets)
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

    /// Loss and accuracy of any parameter vector on the train and test sets of a phase.
    pub fn evaluate_params(
        &mut self,
        params: &[f32],
        phase: usize,
    ) -> (crate::model::BatchStats, crate::model::BatchStats) {
        let split = &self.splits[phase];
        let train = self.ws.evaluate(params, &split.train.tokens, &split.train.targets);
        let test = self.ws.evaluate(params, &split.test.tokens, &split.test.targets);
        (train, test)
    }

    /// z_A (n, d) of the current phase's test set and each sequence's count x_1 + .. + x_k.
    pub fn za_test(&mut self, za: &mut Vec<f32>, counts: &mut Vec<u32>) {
        let test = &self.splits[self.phase].test;
        let n = test.len();
        za.resize(n * self.dims.d, 0.0);
        counts.clear();
        counts.extend((0..n).map(|i| test.count(i)));
        self.ws.forward_with(&self.params, &test.tokens, &test.targets, &mut [], za, &mut []);
    }
}
