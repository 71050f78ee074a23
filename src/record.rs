//! The run record: one JSON file that holds a run completely (its config, where it stands in the
//! schedule, its metrics, its parameters, Adam's state, its snapshots and its probes' attention),
//! so that it can be looked at, compared, and continued bit for bit where it stopped.
//!
//! The format is documented in `docs/record-format.md`. The page and the command line read and
//! write it through this module only: [`write`] streams a trainer into a writer, [`read`] checks a
//! record and rebuilds the trainer, refusing (with the field and the reason) anything that does
//! not describe a run this config could have produced.
//!
//! Float buffers (parameters, moments, snapshots, attention rows) are base64 of little-endian
//! `f32`: bit-exact, NaN-proof and about a third the size of decimal text. Metrics stay JSON
//! numbers (`null` where the test set was not evaluated) so that any tool can read them.

use std::collections::BTreeMap;
use std::io::Write;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Serialize, Serializer};

use crate::config::Config;
use crate::plan::{fmt_bytes, snapshot_count, ValidConfig, ATTENTION_LOG_CAP};
use crate::rng::{Purpose, Stream};
use crate::train::{Metrics, PhaseZa, Status, Trainer, ZaSet, ZaValues};

/// The `format` field of every run record.
pub const FORMAT: &str = "pathscope-run";
/// The version this build writes and reads. A change to the format that an older reader would
/// misread gets a new number.
pub const VERSION: u32 = 1;
/// The largest record read (the page and the CLI alike): a record is refused above it before it
/// is parsed.
pub const MAX_RECORD_BYTES: u64 = 256 << 20;

/// What the writer adds about the run that the trainer does not hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Wall-clock seconds spent training (by the writer; informative only).
    #[serde(default)]
    pub seconds: Option<f64>,
    /// True when the run was stopped (Ctrl-C, a pause) before the end of its schedule.
    #[serde(default)]
    pub interrupted: bool,
}

/// A record that cannot be used: the field at fault and why, in words a user can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "not a usable run record: {}", self.message)
        } else {
            write!(f, "not a usable run record: `{}`: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for RecordError {}

fn bad(field: &str, message: impl Into<String>) -> RecordError {
    RecordError { field: field.into(), message: message.into() }
}

// --- Writing --------------------------------------------------------------------------------

/// An `f32` buffer as base64 of its little-endian bytes.
struct F32s<'a>(&'a [f32]);

impl Serialize for F32s<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = self.0.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_str(&B64.encode(bytes))
    }
}

struct U32s<'a>(&'a [u32]);

impl Serialize for U32s<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = self.0.iter().flat_map(|x| x.to_le_bytes()).collect();
        s.serialize_str(&B64.encode(bytes))
    }
}

/// Snapshots as one base64 string each, so the writer never holds more than one encoded.
struct Snapshots<'a> {
    params: &'a [f32],
    len: usize,
}

impl Serialize for Snapshots<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.params.len() / self.len.max(1)))?;
        for snap in self.params.chunks(self.len.max(1)) {
            seq.serialize_element(&F32s(snap))?;
        }
        seq.end()
    }
}

#[derive(Serialize, Deserialize)]
struct MadeBy {
    pathscope: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Position {
    /// Epochs completed, over all phases.
    epoch: usize,
    /// Index of the current phase in the schedule.
    phase: usize,
    /// Epochs completed in the current phase.
    phase_epoch: usize,
    /// Optimizer steps taken.
    step: u64,
    /// Training sequences already used in the current epoch.
    pos: usize,
    /// The current epoch's running sums (sum of minibatch loss x size, correct, seen).
    epoch_loss: f64,
    epoch_correct: usize,
    epoch_count: usize,
    /// 64-bit outputs drawn from the shuffling stream.
    shuffle_draws: u64,
}

#[derive(Serialize)]
struct AdamOut<'a> {
    t: u64,
    m: F32s<'a>,
    v: F32s<'a>,
}

#[derive(Serialize)]
struct SnapshotsOut<'a> {
    stride: usize,
    epochs: &'a [f32],
    params: Snapshots<'a>,
}

#[derive(Serialize)]
struct AttentionOut<'a> {
    stride: u64,
    steps: &'a [f32],
    rows: F32s<'a>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseEnd {
    phase: usize,
    epoch: usize,
    step: u64,
}

#[derive(Serialize)]
struct RecordOut<'a> {
    format: &'static str,
    version: u32,
    made_by: MadeBy,
    config: &'a ValidConfig,
    status: &'a Status,
    #[serde(flatten)]
    info: &'a RunInfo,
    unstable_at_epoch: Option<usize>,
    switch_epochs: &'a [usize],
    phase_ends: Vec<PhaseEnd>,
    metrics: BTreeMap<&'static str, &'a [f32]>,
    position: Position,
    params: F32s<'a>,
    adam: AdamOut<'a>,
    order: U32s<'a>,
    snapshots: SnapshotsOut<'a>,
    probes: &'a [u8],
    attention: AttentionOut<'a>,
}

/// Streams the record of `tr` into `w` (one encoded buffer at a time; nothing else copied).
pub fn write(w: impl Write, tr: &Trainer, info: &RunInfo) -> std::io::Result<()> {
    let (snapshots, snapshot_epochs) = tr.snapshots();
    let record = RecordOut {
        format: FORMAT,
        version: VERSION,
        made_by: MadeBy { pathscope: env!("CARGO_PKG_VERSION").into() },
        config: tr.config(),
        status: tr.status(),
        info,
        unstable_at_epoch: tr.unstable_at(),
        switch_epochs: tr.switches(),
        phase_ends: tr.phase_za().iter().map(|z| PhaseEnd { phase: z.phase, epoch: z.epoch, step: z.step }).collect(),
        metrics: tr.metrics().columns().into_iter().collect(),
        position: Position {
            epoch: tr.epoch,
            phase: tr.phase,
            phase_epoch: tr.phase_epoch,
            step: tr.step,
            pos: tr.pos,
            epoch_loss: tr.epoch_loss,
            epoch_correct: tr.epoch_correct,
            epoch_count: tr.epoch_count,
            shuffle_draws: tr.shuffle.draws(),
        },
        params: F32s(tr.params()),
        adam: AdamOut { t: tr.adam.t, m: F32s(&tr.adam.m), v: F32s(&tr.adam.v) },
        order: U32s(&tr.order),
        snapshots: SnapshotsOut {
            stride: tr.snapshot_stride,
            epochs: snapshot_epochs,
            params: Snapshots { params: snapshots, len: tr.layout().len },
        },
        probes: tr.probes(),
        attention: AttentionOut {
            stride: tr.attention.stride,
            steps: &tr.attention.steps,
            rows: F32s(&tr.attention.rows),
        },
    };
    serde_json::to_writer(w, &record).map_err(std::io::Error::other)
}

/// The record of `tr` as a string, whatever its size.
pub fn to_string(tr: &Trainer, info: &RunInfo) -> String {
    to_string_capped(tr, info, u64::MAX).expect("writing to memory with no cap does not fail")
}

/// A writer into memory that refuses to hold more than `cap` bytes.
struct Capped {
    out: Vec<u8>,
    cap: usize,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.cap {
            return Err(std::io::Error::other("the record is over its cap"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The record of `tr` as a string of at most `cap` bytes (the page's export, with
/// [`MAX_RECORD_BYTES`]: a larger record could be saved but never read back, by the page or the
/// command line). Past the cap, writing stops there and the error says what fills the record.
pub fn to_string_capped(tr: &Trainer, info: &RunInfo, cap: u64) -> Result<String, RecordError> {
    let mut out = Capped { out: Vec::new(), cap: usize::try_from(cap).unwrap_or(usize::MAX) };
    if write(&mut out, tr, info).is_err() {
        let (snapshots, _) = tr.snapshots();
        let params = tr.layout().len;
        return Err(bad(
            "",
            format!(
                "this run's record would be larger than the {} a record may be (the page and the command line \
                 read no larger): it holds {} parameter snapshots of {} parameters ({} as text). Save its \
                 metrics instead, or snapshot less often (a larger \"snapshot every\") in the next run",
                fmt_bytes(cap),
                snapshots.len() / params.max(1),
                params,
                fmt_bytes((snapshots.len() as u64 * 4).div_ceil(3) * 4),
            ),
        ));
    }
    Ok(String::from_utf8(out.out).expect("JSON is UTF-8"))
}

// --- Reading --------------------------------------------------------------------------------

#[derive(Deserialize)]
struct AdamIn {
    t: u64,
    m: String,
    v: String,
}

#[derive(Deserialize)]
struct SnapshotsIn {
    stride: usize,
    epochs: Vec<f32>,
    params: Vec<String>,
}

#[derive(Deserialize)]
struct AttentionIn {
    stride: u64,
    steps: Vec<f32>,
    rows: String,
}

#[derive(Deserialize)]
struct RecordIn {
    config: serde_json::Value,
    status: Status,
    #[serde(flatten)]
    info: RunInfo,
    unstable_at_epoch: Option<usize>,
    switch_epochs: Vec<usize>,
    phase_ends: Vec<PhaseEnd>,
    metrics: BTreeMap<String, Vec<Option<f32>>>,
    position: Position,
    params: String,
    adam: AdamIn,
    order: String,
    snapshots: SnapshotsIn,
    probes: Vec<u8>,
    attention: AttentionIn,
}

fn decode(field: &str, text: &str, len: usize) -> Result<Vec<u8>, RecordError> {
    let bytes = B64.decode(text).map_err(|e| bad(field, format!("is not base64 ({e})")))?;
    if bytes.len() != len {
        return Err(bad(field, format!("holds {} bytes where this config needs {len}", bytes.len())));
    }
    Ok(bytes)
}

/// A base64 `f32` buffer of exactly `count` values, all finite.
fn floats(field: &str, text: &str, count: usize) -> Result<Vec<f32>, RecordError> {
    let bytes = decode(field, text, count.checked_mul(4).ok_or_else(|| bad(field, "is too large"))?)?;
    let xs: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    if let Some(i) = xs.iter().position(|x| !x.is_finite()) {
        return Err(bad(field, format!("value {i} is {}, not a finite number", xs[i])));
    }
    Ok(xs)
}

/// Whether `text` claims to be a run record rather than a config: it names the record's format
/// (no config holds that string). A cheap test, before any parsing; [`read`] does the checking.
pub fn looks_like_record(text: &str) -> bool {
    text.contains(&format!("\"{FORMAT}\""))
}

/// Reads the first fields alone, so that a record of another format or version is named as such
/// rather than as a missing field.
fn check_header(value: &serde_json::Value) -> Result<(), RecordError> {
    let obj = value.as_object().ok_or_else(|| bad("", "the file is JSON but not an object"))?;
    match obj.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(_) | None => {
            return Err(bad("format", format!("expected \"{FORMAT}\": this file is not a pathscope run record")));
        }
    }
    match obj.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == VERSION as u64 => Ok(()),
        Some(v) => {
            Err(bad("version", format!("version {v} is not readable by this pathscope, which reads version {VERSION}")))
        }
        None => Err(bad("version", "missing or not a whole number")),
    }
}

/// Checks a record and rebuilds its trainer, ready to continue. Nothing is trusted: every length
/// is checked against the config, every float must be finite, every counter must agree with the
/// schedule and with the others.
pub fn read(text: &str) -> Result<(Trainer, RunInfo), RecordError> {
    if text.len() as u64 > MAX_RECORD_BYTES {
        return Err(bad(
            "",
            format!(
                "it is {}, larger than the {} a record may be",
                fmt_bytes(text.len() as u64),
                fmt_bytes(MAX_RECORD_BYTES)
            ),
        ));
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| bad("", format!("it is not valid JSON (line {}, column {}): {e}", e.line(), e.column())))?;
    check_header(&value)?;
    let rec: RecordIn = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        bad(&path, e.into_inner().to_string())
    })?;
    let cfg = Config::parse_json(&rec.config.to_string()).map_err(|e| bad("config", e.to_string()))?;
    let cfg = ValidConfig::new(cfg).map_err(|e| bad("config", e.to_string()))?;
    let mut tr = Trainer::new(cfg);
    restore(&mut tr, &rec)?;
    Ok((tr, rec.info))
}

fn restore(tr: &mut Trainer, rec: &RecordIn) -> Result<(), RecordError> {
    let pos = &rec.position;
    let cfg = tr.cfg.clone();
    let phases = &cfg.schedule.phases;
    let len = tr.layout.len;
    let n = cfg.data.n;
    let b = cfg.schedule.batch_size;

    // Where the run stands.
    if pos.phase >= phases.len() {
        return Err(bad(
            "position.phase",
            format!("phase {} is not in this schedule of {} phases", pos.phase, phases.len()),
        ));
    }
    if pos.phase_epoch > phases[pos.phase].epochs {
        return Err(bad("position.phase_epoch", "is past the end of its phase"));
    }
    let before: usize = phases[..pos.phase].iter().map(|p| p.epochs).sum();
    if pos.epoch != before + pos.phase_epoch {
        return Err(bad("position.epoch", "does not agree with the phase and the epochs into it"));
    }
    let finished = pos.phase + 1 == phases.len() && pos.phase_epoch == phases[pos.phase].epochs;
    if pos.phase_epoch == phases[pos.phase].epochs && !finished {
        return Err(bad("position.phase_epoch", "a phase that ended must be followed by the next one"));
    }
    if pos.pos >= n || pos.pos % b != 0 {
        return Err(bad("position.pos", format!("must be a multiple of the batch size {b} below n = {n}")));
    }
    let steps = (pos.epoch as u64).checked_mul(cfg.steps_per_epoch() as u64).map(|s| s + (pos.pos / b) as u64);
    if steps != Some(pos.step) {
        return Err(bad("position.step", "does not agree with the epochs and the position in the epoch"));
    }
    if pos.epoch_count != pos.pos || pos.epoch_correct > pos.epoch_count {
        return Err(bad("position.epoch_count", "does not agree with the position in the epoch"));
    }
    if !(pos.epoch_loss.is_finite() && pos.epoch_loss >= 0.0) || (pos.pos == 0 && pos.epoch_loss != 0.0) {
        return Err(bad("position.epoch_loss", "must be a finite sum of losses, 0 at the start of an epoch"));
    }
    match (&rec.status, finished) {
        (Status::Finished, true) | (Status::Running, false) => {}
        (Status::Diverged { epoch, step, .. }, false) if *epoch == pos.epoch + 1 && *step == pos.step + 1 => {}
        (Status::Diverged { .. }, _) => return Err(bad("status", "names another step than the record's position")),
        _ => return Err(bad("status", "does not agree with the position in the schedule")),
    }
    let mut switches = Vec::with_capacity(pos.phase);
    let mut at = 0;
    for ph in &phases[..pos.phase] {
        at += ph.epochs;
        switches.push(at);
    }
    if rec.switch_epochs != switches {
        return Err(bad("switch_epochs", format!("must be {switches:?}, where this schedule's phases began")));
    }
    if let Some(e) = rec.unstable_at_epoch.filter(|&e| e == 0 || e > pos.epoch) {
        return Err(bad("unstable_at_epoch", format!("epoch {e} is not one of the {} trained", pos.epoch)));
    }

    // Metrics: every column, one row per epoch so far.
    let mut metrics = Metrics::with_capacity(cfg.total_epochs() + 1);
    let columns: [&mut Vec<f32>; 6] = [
        &mut metrics.epoch,
        &mut metrics.phase,
        &mut metrics.train_loss,
        &mut metrics.train_acc,
        &mut metrics.test_loss,
        &mut metrics.test_acc,
    ];
    if let Some(extra) = rec.metrics.keys().find(|k| !Metrics::COLUMNS.contains(&k.as_str())) {
        return Err(bad(
            &format!("metrics.{extra}"),
            format!("is not a metric; the columns are {:?}", Metrics::COLUMNS),
        ));
    }
    for (name, col) in Metrics::COLUMNS.iter().zip(columns) {
        let field = format!("metrics.{name}");
        let values = rec.metrics.get(*name).ok_or_else(|| bad(&field, "is missing"))?;
        if values.len() != pos.epoch + 1 {
            return Err(bad(
                &field,
                format!("has {} rows where {} epochs need {}", values.len(), pos.epoch, pos.epoch + 1),
            ));
        }
        col.extend(values.iter().map(|v| v.unwrap_or(f32::NAN)));
    }
    for i in 0..=pos.epoch {
        let phase = switches.iter().filter(|&&s| s < i).count();
        if metrics.epoch[i] != i as f32 || metrics.phase[i] != phase as f32 {
            return Err(bad("metrics.epoch", format!("row {i} is not epoch {i} of phase {phase}")));
        }
        if metrics.train_loss[i].is_nan() || metrics.train_acc[i].is_nan() {
            return Err(bad("metrics.train_loss", format!("row {i} has no train loss or accuracy")));
        }
    }
    let in_unit = |x: f32| x.is_nan() || (0.0..=1.0).contains(&x);
    if !metrics.train_acc.iter().chain(&metrics.test_acc).all(|&x| in_unit(x)) {
        return Err(bad("metrics.train_acc", "accuracies must lie in [0, 1]"));
    }
    if metrics.train_loss.iter().chain(&metrics.test_loss).any(|x| x.is_infinite() || *x < 0.0) {
        return Err(bad("metrics.train_loss", "losses must be finite and non-negative"));
    }

    // Parameters and optimizer.
    let params = floats("params", &rec.params, len)?;
    let m = floats("adam.m", &rec.adam.m, len)?;
    let v = floats("adam.v", &rec.adam.v, len)?;
    if v.iter().any(|&x| x < 0.0) {
        return Err(bad("adam.v", "a second moment is negative"));
    }
    let steps_in_phase = pos.step - (before as u64) * cfg.steps_per_epoch() as u64;
    let t_ok = if cfg.optim.reset_at_switch { rec.adam.t == steps_in_phase } else { rec.adam.t == pos.step };
    if !t_ok {
        return Err(bad("adam.t", "does not agree with the steps taken (and the reset at each switch)"));
    }

    // Minibatch order: a permutation of the training set.
    let order_bytes = decode("order", &rec.order, n * 4)?;
    let order: Vec<u32> = order_bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let mut seen = vec![false; n];
    for &i in &order {
        if (i as usize) >= n || std::mem::replace(&mut seen[i as usize], true) {
            return Err(bad("order", format!("is not an order of the {n} training sequences")));
        }
    }

    // Snapshots.
    let snaps = &rec.snapshots;
    let cap = snapshot_count(&cfg);
    if snaps.epochs.len() != snaps.params.len() || snaps.epochs.is_empty() || snaps.epochs.len() > cap {
        return Err(bad("snapshots", format!("needs 1 to {cap} snapshots, each with its epoch")));
    }
    if snaps.stride == 0 || !snaps.stride.is_power_of_two() {
        return Err(bad("snapshots.stride", "must be a power of two"));
    }
    if snaps.epochs[0] != 0.0
        || snaps.epochs.windows(2).any(|w| w[1] <= w[0])
        || snaps.epochs.iter().any(|&e| e > pos.epoch as f32 || e.fract() != 0.0)
    {
        return Err(bad("snapshots.epochs", "must be whole epochs, increasing from 0, none after the record's"));
    }
    let mut snapshot_params = Vec::with_capacity(cap * len);
    for (i, s) in snaps.params.iter().enumerate() {
        snapshot_params.extend(floats(&format!("snapshots.params[{i}]"), s, len)?);
    }

    // Probes and their attention.
    let t = tr.dims.t;
    let att = &rec.attention;
    let probe_len = rec.probes.len();
    if rec.probes.iter().any(|&x| x as usize >= tr.dims.v) || probe_len % t != 0 {
        return Err(bad("probes", format!("must be sequences of T = {t} tokens below V = {}", tr.dims.v)));
    }
    let rows = att.steps.len();
    if (probe_len == 0 && rows != 0) || rows.saturating_mul(probe_len) > ATTENTION_LOG_CAP || att.stride == 0 {
        return Err(bad("attention", "does not fit its probes or the history's cap"));
    }
    if att.steps.iter().any(|&s| s.fract() != 0.0 || s < 0.0 || s > pos.step as f32)
        || att.steps.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(bad("attention.steps", "must be increasing optimizer steps, none after the record's"));
    }
    let attention_rows = floats("attention.rows", &att.rows, rows * probe_len)?;

    // Phase ends: z_A is recomputed from the snapshot taken at each.
    let mut expected_ends = switches.clone();
    if finished {
        expected_ends.push(pos.epoch);
    }
    if rec.phase_ends.len() != expected_ends.len()
        || rec.phase_ends.iter().enumerate().any(|(i, e)| e.phase != i || e.epoch != expected_ends[i])
        || rec.phase_ends.iter().any(|e| e.step != e.epoch as u64 * cfg.steps_per_epoch() as u64)
    {
        return Err(bad("phase_ends", "must list every phase that ended, at the epoch and step it ended"));
    }

    // Everything checked: move it in.
    tr.params = params;
    tr.adam.m = m;
    tr.adam.v = v;
    tr.adam.t = rec.adam.t;
    tr.adam.lr = phases[pos.phase].lr.unwrap_or(cfg.optim.lr) as f32;
    tr.phase = pos.phase;
    tr.phase_epoch = pos.phase_epoch;
    tr.epoch = pos.epoch;
    tr.step = pos.step;
    tr.pos = pos.pos;
    tr.order = order;
    tr.shuffle = Stream::resumed(cfg.data.seed, Purpose::Shuffle, pos.shuffle_draws);
    tr.epoch_loss = pos.epoch_loss;
    tr.epoch_correct = pos.epoch_correct;
    tr.epoch_count = pos.epoch_count;
    tr.metrics = metrics;
    tr.switches = switches;
    tr.unstable_at = rec.unstable_at_epoch;
    tr.status = rec.status.clone();
    tr.snapshots.clear();
    tr.snapshots.extend_from_slice(&snapshot_params);
    tr.snapshot_epochs.clear();
    tr.snapshot_epochs.extend_from_slice(&snaps.epochs);
    tr.snapshot_stride = snaps.stride;
    if probe_len > 0 {
        tr.set_probes(&rec.probes).map_err(|e| bad("probes", e))?;
        tr.attention.steps.clear();
        tr.attention.steps.extend_from_slice(&att.steps);
        tr.attention.rows.clear();
        tr.attention.rows.extend_from_slice(&attention_rows);
        tr.attention.stride = att.stride;
    }
    tr.phase_za.clear();
    for end in &rec.phase_ends {
        let i = tr
            .snapshot_epochs
            .iter()
            .position(|&e| e == end.epoch as f32)
            .ok_or_else(|| bad("snapshots.epochs", format!("has no snapshot at the end of phase {}", end.phase)))?;
        let at = tr.snapshots[i * len..(i + 1) * len].to_vec();
        let mut test = ZaValues::default();
        tr.za_of(&at, end.phase, ZaSet::Test, &mut test).map_err(|e| bad("phase_ends", e.to_string()))?;
        let mut patterns = ZaValues::default();
        let patterns = tr.za_of(&at, end.phase, ZaSet::Patterns, &mut patterns).ok().map(|_| patterns);
        tr.phase_za.push(PhaseZa { phase: end.phase, epoch: end.epoch, step: end.step, test, patterns });
    }
    Ok(())
}
