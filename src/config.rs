//! Every knob of a run (model, data, optimizer, schedule), and the rules each field obeys.
//!
//! A [`Config`] is what a URL, a JSON file or a preset describes: plain data, possibly wrong.
//! [`Config::check_fields`] checks every field against its rule and says, for the first bad one,
//! which setting it is, the value given and what is accepted ([`ConfigError`]), so a user can act
//! on the message. The budgets (memory, work) depend on what the trainer holds, so they are checked
//! next to it: a config becomes a [`crate::plan::ValidConfig`] (fields and budgets both checked,
//! once) before a [`crate::train::Trainer`] can be built from it.
//!
//! This module imports nothing from the rest of the crate.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Tokens are stored as bytes.
pub const MAX_VOCAB: usize = 256;
pub const MAX_SEQ_LEN: usize = 512;
pub const MAX_DIM: usize = 1024;
pub const MAX_HIDDEN: usize = 4096;
/// Largest train set (and test set) of a phase.
pub const MAX_N: usize = 1 << 20;
/// Phases of a curriculum.
pub const MAX_PHASES: usize = 16;
/// Epochs of a whole run, over all its phases (so the scratch twin of a valid curriculum, which
/// trains all of them in one phase, is valid too).
pub const MAX_EPOCHS: usize = 1_000_000;
/// Learning rates up to this are accepted: large enough to watch a run diverge.
pub const MAX_LR: f64 = 10.0;

/// How the parameters are drawn at the start of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// PyTorch's default initialization (docs/model.md, "The model").
    Pytorch,
    /// The authors' visualization initialization of the MLP (docs/model.md, "The visualization initialization"):
    /// a uniform table U in [-1, 1] of shape rows x (2d + 2), W_1 = U[:, 0:d] / sqrt(d),
    /// b_1 = U[:, 2d] / sqrt(d), W_2 = U[:, d:2d]^T / sqrt(h), b_2 = U[0:d, 2d + 1] / sqrt(h).
    Visualization,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// V: number of token embeddings (`nb_emb`); fixed for a run, p <= V in every phase.
    pub vocab: usize,
    /// T: sequence length.
    pub seq_len: usize,
    /// d: embedding width.
    pub dim: usize,
    /// h: MLP hidden width (the paper: 4 d).
    pub hidden: usize,
    pub init: Init,
}

/// How a phase's test set is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestSet {
    /// Uniform sequences that are not in the training set, so test accuracy measures
    /// generalization. Where the space of sequences is too small to hold any, the test set is
    /// drawn as `Independent` and the run reports the share of unseen test sequences (0).
    #[default]
    Unseen,
    /// Uniform sequences drawn independently of the training set, as the authors do: a test
    /// sequence may also be a training sequence (all of them are at p = 2, T = 8).
    Independent,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// y = (x_1 + .. + x_k) mod p: only the first k tokens matter.
    pub k: usize,
    /// Sequences in the train set, and again in the test set.
    pub n: usize,
    pub seed: u64,
    /// How test sets are drawn (default: sequences not in the training set).
    #[serde(default)]
    pub test_set: TestSet,
}

/// Adam, with torch.optim.Adam semantics. Values are kept as given (f64), so a message echoes
/// what the user typed; the optimizer computes in f32 ([`crate::optim::Adam`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// Start each new phase with fresh Adam moments (the authors' procedure, docs/model.md).
    pub reset_at_switch: bool,
}

/// One stage of the curriculum: train on data with modulus `p` for `epochs` epochs, at the
/// learning rate `lr` if given (else `optim.lr`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub p: usize,
    pub epochs: usize,
    /// This phase's learning rate (the authors' notebook finetunes p = 4 at 1e-2 after p = 2 at
    /// 1e-3); `None`: `optim.lr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
}

impl Phase {
    pub fn new(p: usize, epochs: usize) -> Phase {
        Phase { p, epochs, lr: None }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Minibatch size B; B = n is full batch (one optimizer step per epoch).
    pub batch_size: usize,
    pub phases: Vec<Phase>,
    /// Evaluate the test set every this many epochs (and at every phase end).
    pub eval_every: usize,
    /// Keep a flat copy of the parameters every this many epochs (0: only start, switches, end).
    pub snapshot_every: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub model: ModelConfig,
    pub data: DataConfig,
    pub optim: OptimConfig,
    pub schedule: Schedule,
}

/// Why a config cannot run.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// The text is not a config: malformed JSON, a value of the wrong type, a missing or an unknown
    /// field. `field` is the dotted path serde was reading when it failed (empty at the top).
    Json { field: String, message: String, line: usize, column: usize },
    /// One field outside its rule.
    Field { field: String, value: String, accepted: String },
    /// The whole run would hold or do more than a budget allows (`field` is `"memory"` or
    /// `"work"`); `estimate` and `limit` are in the budget's unit, written out.
    Budget { field: &'static str, estimate: String, limit: String, advice: String },
}

impl ConfigError {
    /// Which setting is wrong: a config path such as `optim.lr`, `"json"` for text that is not a
    /// config (then [`ConfigError::json_field`] says where), or the budget's name.
    pub fn field(&self) -> &str {
        match self {
            ConfigError::Json { .. } => "json",
            ConfigError::Field { field, .. } => field,
            ConfigError::Budget { field, .. } => field,
        }
    }
    /// The value given (as text), or the estimate for a budget.
    pub fn value(&self) -> &str {
        match self {
            ConfigError::Json { .. } => "",
            ConfigError::Field { value, .. } => value,
            ConfigError::Budget { estimate, .. } => estimate,
        }
    }
    /// What would be accepted.
    pub fn accepted(&self) -> String {
        match self {
            ConfigError::Json { .. } => "a JSON object with the fields of a pathscope config".into(),
            ConfigError::Field { accepted, .. } => accepted.clone(),
            ConfigError::Budget { limit, advice, .. } => format!("at most {limit}: {advice}"),
        }
    }
    /// For malformed JSON, the path of the field being read when it failed (may be empty).
    pub fn json_field(&self) -> Option<&str> {
        match self {
            ConfigError::Json { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// The name a person knows a config field by, with the short symbol the page and the paper use.
pub fn field_label(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("schedule.phases[") {
        if let Some((i, what)) = rest.split_once("].") {
            let n = i.parse::<usize>().map(|i| (i + 1).to_string()).unwrap_or_else(|_| i.to_string());
            let what = match what {
                "p" => "modulus p",
                "epochs" => "epochs",
                "lr" => "learning rate lr",
                other => other,
            };
            return format!("phase {n}: {what}");
        }
    }
    let label = match field {
        "model.vocab" => "vocabulary size V",
        "model.seq_len" => "sequence length T",
        "model.dim" => "width d",
        "model.hidden" => "MLP width h",
        "model.init" => "initialization",
        "data.k" => "relevant tokens k",
        "data.n" => "training sequences n",
        "data.seed" => "seed",
        "data.test_set" => "test set",
        "optim.lr" => "learning rate lr",
        "optim.beta1" => "Adam beta1",
        "optim.beta2" => "Adam beta2",
        "optim.eps" => "Adam eps",
        "optim.reset_at_switch" => "Adam at the switch",
        "schedule.batch_size" => "batch size B",
        "schedule.phases" => "phases",
        "schedule.eval_every" => "test every (epochs)",
        "schedule.snapshot_every" => "snapshot every (epochs)",
        "memory" => "memory",
        "work" => "work",
        other => other,
    };
    label.to_string()
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Json { field, message, .. } if field.is_empty() => write!(f, "config: {message}"),
            ConfigError::Json { field, message, .. } => write!(f, "config: in {}: {message}", field_label(field)),
            ConfigError::Field { field, value, accepted } => {
                write!(f, "{} = {value} is not accepted: {accepted}", field_label(field))
            }
            ConfigError::Budget { field, estimate, limit, advice } => {
                write!(f, "this run needs {estimate} of {field}, over the limit of {limit}: {advice}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

fn bad(field: impl Into<String>, value: impl fmt::Display, accepted: impl Into<String>) -> ConfigError {
    ConfigError::Field { field: field.into(), value: value.to_string(), accepted: accepted.into() }
}

fn in_range(field: &str, value: usize, lo: usize, hi: usize) -> Result<(), ConfigError> {
    if value < lo || value > hi {
        return Err(bad(field, value, format!("a whole number from {lo} to {hi}")));
    }
    Ok(())
}

/// Names of the presets, in the order the page lists them.
pub const PRESETS: &[&str] = &["class", "quick", "fig2", "fig3", "fig4", "fig4-notebook", "fig5", "fig5-scratch"];

impl Config {
    /// The paper's figure-5 curriculum (p = 2 for 3,000 epochs, then p = 4 for 7,000, a fresh Adam
    /// at the switch).
    pub fn fig5() -> Self {
        Config {
            model: ModelConfig { vocab: 4, seq_len: 12, dim: 32, hidden: 128, init: Init::Pytorch },
            data: DataConfig { k: 5, n: 2048, seed: 0, test_set: TestSet::Unseen },
            // A fresh Adam at the switch: the authors' procedure (docs/model.md, "The curriculum").
            optim: OptimConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: true },
            schedule: Schedule {
                batch_size: 2048,
                phases: vec![Phase::new(2, 3000), Phase::new(4, 7000)],
                eval_every: 10,
                snapshot_every: 50,
            },
        }
    }

    /// A named preset; `None` for an unknown name (see [`PRESETS`]).
    pub fn preset(name: &str) -> Option<Self> {
        let mut c = Config::fig5();
        match name {
            "fig5" => {}
            "fig5-scratch" => c = c.scratch_twin(),
            // Figure 2 in the authors' notebooks/graph.ipynb: p = 4 (vocabulary 4), T = 8, k = 5,
            // n = 2048, minibatches of 32 (64 steps per epoch), lr 1e-3, 1,000 epochs.
            "fig2" => {
                c.model.seq_len = 8;
                c.schedule.batch_size = 32;
                c.schedule.phases = vec![Phase::new(4, 1000)];
                c.schedule.eval_every = 5;
                c.schedule.snapshot_every = 10;
            }
            // Figure 3 in the authors' notebooks/factorization.ipynb: the T = 12, full-batch p = 2
            // run (figure 5's first phase); the heatmap shows its first 2,000 iterations.
            "fig3" => {
                c.schedule.phases = vec![Phase::new(2, 2000)];
                c.schedule.snapshot_every = 50;
            }
            // Figure 4 with the authors' visualization settings (docs/model.md).
            "fig4" => {
                c.model.dim = 2;
                c.model.hidden = 32;
                c.model.init = Init::Visualization;
                c.optim.lr = 3e-3;
                c.optim.reset_at_switch = true;
                c.schedule.batch_size = 32;
                c.schedule.phases = vec![Phase::new(2, 1000), Phase::new(4, 1000)];
                c.schedule.eval_every = 5;
                c.schedule.snapshot_every = 10;
            }
            // Figure 4 in the authors' notebooks/factorization.ipynb: d = 2, h = 32, T = 12, full
            // batch, PyTorch's init, p = 2 at lr 1e-3 then p = 4 at 1e-2 with a new Adam. The
            // notebook's epoch counts are not in our reference: figure 5's 3,000 + 7,000 are used.
            "fig4-notebook" => {
                c.model.dim = 2;
                c.model.hidden = 32;
                c.schedule.phases = vec![Phase::new(2, 3000), Phase { p: 4, epochs: 7000, lr: Some(1e-2) }];
            }
            // Figure 5 shortened for a class: the same task, model, data and optimizer, p = 2 for
            // 2,000 epochs then p = 4 for 2,000 (not 3,000 + 7,000), so both arms end within a
            // minute in the page. Scratch memorizes and the curriculum generalizes on most seeds
            // (examples/sweep-class.toml; docs/reproduction.md has the measured rates).
            "class" => {
                c.schedule.phases = vec![Phase::new(2, 2000), Phase::new(4, 2000)];
            }
            // Generalization within seconds: T = 8, minibatches of 32, p = 2 for 100 epochs then
            // p = 4 for 300. At T = 8 training from scratch on p = 4 generalizes too: the
            // curriculum's decisive advantage is a figure-5 (T = 12, full batch) effect, which the
            // page says (docs/reproduction.md has the measured rates).
            "quick" => {
                c.model.seq_len = 8;
                c.schedule.batch_size = 32;
                c.schedule.phases = vec![Phase::new(2, 100), Phase::new(4, 300)];
                c.schedule.eval_every = 2;
                c.schedule.snapshot_every = 5;
            }
            _ => return None,
        }
        Some(c)
    }

    /// The scratch twin of a curriculum (docs/model.md, "The curriculum"): the same model, data
    /// seed, optimizer and schedule settings, trained in one phase on the last phase's p for the
    /// total number of epochs. A single-phase config is its own twin.
    pub fn scratch_twin(&self) -> Config {
        let mut twin = self.clone();
        if let Some(last) = self.schedule.phases.last() {
            twin.schedule.phases = vec![Phase::new(last.p, self.total_epochs())];
        }
        twin
    }

    /// The config with the fields that cannot change its run set to one value: with a single
    /// phase there is no switch, so whether Adam is reset at it does not matter. Two configs with
    /// equal canonical forms train the same run.
    pub fn canonical(&self) -> Config {
        let mut c = self.clone();
        if c.schedule.phases.len() < 2 {
            c.optim.reset_at_switch = false;
        }
        c
    }

    /// Total epochs over all phases (saturating: an absurd config is refused, not wrapped).
    pub fn total_epochs(&self) -> usize {
        self.schedule.phases.iter().fold(0usize, |sum, ph| sum.saturating_add(ph.epochs))
    }

    /// Optimizer steps per epoch (the last minibatch may be smaller, as in PyTorch's DataLoader).
    pub fn steps_per_epoch(&self) -> usize {
        self.data.n.div_ceil(self.schedule.batch_size.max(1))
    }

    /// Optimizer steps of the whole run, in 64-bit arithmetic (saturating).
    pub fn total_steps(&self) -> u64 {
        (self.total_epochs() as u64).saturating_mul(self.steps_per_epoch() as u64)
    }

    /// Checks every field against its rule; the error names the first bad one. The budgets are
    /// checked by [`crate::plan::ValidConfig::new`], which calls this first.
    pub fn check_fields(&self) -> Result<(), ConfigError> {
        let m = &self.model;
        in_range("model.vocab", m.vocab, 2, MAX_VOCAB)?;
        in_range("model.seq_len", m.seq_len, 1, MAX_SEQ_LEN)?;
        in_range("model.dim", m.dim, 1, MAX_DIM)?;
        in_range("model.hidden", m.hidden, 1, MAX_HIDDEN)?;

        let dt = &self.data;
        if dt.k == 0 || dt.k > m.seq_len {
            let accepted = format!("a whole number from 1 to the sequence length T = {}", m.seq_len);
            return Err(bad("data.k", dt.k, accepted));
        }
        in_range("data.n", dt.n, 1, MAX_N)?;

        let o = &self.optim;
        if !o.lr.is_finite() || o.lr <= 0.0 || o.lr > MAX_LR {
            return Err(bad("optim.lr", o.lr, format!("a number above 0 and at most {MAX_LR}")));
        }
        for (name, beta) in [("optim.beta1", o.beta1), ("optim.beta2", o.beta2)] {
            // The optimizer computes in f32: a beta that rounds to 1 there would divide by zero.
            if !(0.0..1.0).contains(&beta) || beta as f32 >= 1.0 {
                return Err(bad(name, beta, "a number from 0 up to, not including, 1 (at most 0.99999994)"));
            }
        }
        if !o.eps.is_finite() || o.eps <= 0.0 || o.eps as f32 <= 0.0 || !(o.eps as f32).is_finite() {
            return Err(bad("optim.eps", o.eps, "a positive number, at least 1e-45 and finite in single precision"));
        }

        let s = &self.schedule;
        if s.batch_size == 0 || s.batch_size > dt.n {
            let accepted = format!("a whole number from 1 to the training sequences n = {}", dt.n);
            return Err(bad("schedule.batch_size", s.batch_size, accepted));
        }
        if s.phases.is_empty() {
            return Err(bad("schedule.phases", "none", "at least one phase (p, epochs)"));
        }
        if s.phases.len() > MAX_PHASES {
            return Err(bad("schedule.phases", format!("{} phases", s.phases.len()), format!("at most {MAX_PHASES}")));
        }
        for (i, ph) in s.phases.iter().enumerate() {
            if ph.p < 2 || ph.p > m.vocab {
                let accepted = format!("a whole number from 2 to the vocabulary size V = {}", m.vocab);
                return Err(bad(format!("schedule.phases[{i}].p"), ph.p, accepted));
            }
            in_range(&format!("schedule.phases[{i}].epochs"), ph.epochs, 1, MAX_EPOCHS)?;
            if let Some(lr) = ph.lr {
                if !lr.is_finite() || lr <= 0.0 || lr > MAX_LR {
                    return Err(bad(
                        format!("schedule.phases[{i}].lr"),
                        lr,
                        format!("a number above 0 and at most {MAX_LR}"),
                    ));
                }
            }
        }
        let total = self.total_epochs();
        if total > MAX_EPOCHS {
            let value = format!("{total} epochs in all");
            return Err(bad("schedule.phases", value, format!("at most {MAX_EPOCHS} epochs over all phases")));
        }
        in_range("schedule.eval_every", s.eval_every, 1, MAX_EPOCHS)?;
        in_range("schedule.snapshot_every", s.snapshot_every, 0, MAX_EPOCHS)?;
        Ok(())
    }

    /// Parses a config from JSON, without checking its values. A syntax or type error names the
    /// field being read ([`ConfigError::Json`]).
    pub fn parse_json(text: &str) -> Result<Config, ConfigError> {
        check_objects(text)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let cfg = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            let field = if field == "." { String::new() } else { field };
            ConfigError::Json { field, message: inner.to_string(), line: inner.line(), column: inner.column() }
        })?;
        de.end().map_err(|e| ConfigError::Json {
            field: String::new(),
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        Ok(cfg)
    }

    /// The config as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a config of plain numbers and strings serializes")
    }
}

/// serde also reads a struct from a positional array (`[{..}, {..}, ..]`), which no one writes on
/// purpose and which hides a mistake; a config and each of its parts must be JSON objects.
///
/// The text is walked, not built into a `serde_json::Value`: a tree of many small objects takes
/// up to a hundred times its text in memory (a list of `{"":0}` found by tests/fuzz.rs), and this
/// check only needs to know which values are objects.
fn check_objects(text: &str) -> Result<(), ConfigError> {
    let not_object = |field: &str| ConfigError::Json {
        field: field.to_string(),
        message: "expected a JSON object with named fields, found a list or a value".into(),
        line: 0,
        column: 0,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    // A syntax error: the typed parse names it, with its line.
    match de::DeserializeSeed::deserialize(Shape::Config, &mut de) {
        Ok(Some(field)) => Err(not_object(&field)),
        _ => Ok(()),
    }
}

/// Where [`check_objects`] is in the text; each value visited says the first field that should be
/// an object and is not (`Some("")` for the config itself), or `None`.
#[derive(Clone, Copy)]
enum Shape {
    /// The config: must be an object; its parts are checked.
    Config,
    /// `model`, `data`, `optim`: must be objects.
    Part(&'static str),
    /// `schedule`: must be an object; its `phases`, if a list, must hold objects.
    Schedule,
    /// `schedule.phases`: each entry must be an object.
    Phases,
    /// Entry `i` of the phases: must be an object.
    Phase(usize),
    /// Anything else: skipped.
    Any,
}

mod de {
    pub use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
}

impl Shape {
    fn field(self) -> Option<String> {
        match self {
            Shape::Config => Some(String::new()),
            Shape::Part(name) => Some(name.to_string()),
            Shape::Schedule => Some("schedule".to_string()),
            Shape::Phase(i) => Some(format!("schedule.phases[{i}]")),
            Shape::Phases | Shape::Any => None,
        }
    }
}

impl<'de> de::DeserializeSeed<'de> for Shape {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        match self {
            Shape::Any => d.deserialize_ignored_any(de::IgnoredAny).map(|_| None),
            _ => d.deserialize_any(self),
        }
    }
}

impl<'de> de::Visitor<'de> for Shape {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Key>()? {
            let inner = match (self, key.0) {
                (Shape::Config, Some(part @ ("model" | "data" | "optim"))) => Shape::Part(part),
                (Shape::Config, Some("schedule")) => Shape::Schedule,
                (Shape::Schedule, Some("phases")) => Shape::Phases,
                _ => Shape::Any,
            };
            let bad = map.next_value_seed(inner)?;
            found = found.or(bad);
        }
        Ok(found)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
        let mut found = None;
        let mut i = 0;
        loop {
            let entry = if matches!(self, Shape::Phases) { Shape::Phase(i) } else { Shape::Any };
            match seq.next_element_seed(entry)? {
                Some(bad) => found = found.or(bad),
                None => break,
            }
            i += 1;
        }
        Ok(if matches!(self, Shape::Phases) { found } else { self.field() })
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<String>, E> {
        Ok(self.field())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<String>, E> {
        Ok(self.field())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<String>, E> {
        Ok(self.field())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<String>, E> {
        Ok(self.field())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Option<String>, E> {
        Ok(self.field())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(self.field())
    }
}

/// A map key: only the few names [`check_objects`] looks for are kept, nothing is allocated.
struct Key(Option<&'static str>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                let known = ["model", "data", "optim", "schedule", "phases"];
                Ok(Key(known.iter().find(|k| **k == s).copied()))
            }
        }
        d.deserialize_str(V)
    }
}
