//! Every knob of a run (model, data, optimizer, schedule), validated in one place.
//!
//! A `Config` is what a URL, a JSON file or a preset describes. `validate` checks every field and
//! says, for the first bad one, which field it is, the value given and what is accepted, so a user
//! can act on the message. The memory a run would need is estimated here too and capped by
//! [`MEMORY_BUDGET_BYTES`], so a typo like `n = 20000000` is refused instead of freezing a tab.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Upper bound on the memory one run may use (parameters, optimizer state, data, workspace,
/// snapshots, attention history). Browsers commonly allow a wasm instance a few GiB; two runs
/// side by side (the figure-5 comparison) must fit comfortably.
pub const MEMORY_BUDGET_BYTES: usize = 512 << 20;
/// Tokens are stored as bytes.
pub const MAX_VOCAB: usize = 256;
pub const MAX_SEQ_LEN: usize = 512;
pub const MAX_DIM: usize = 1024;
pub const MAX_HIDDEN: usize = 4096;

/// How the parameters are drawn at the start of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// PyTorch's default initialization (docs/model.md, parameter table).
    Pytorch,
    /// The authors' visualization initialization of the MLP (docs/model.md, figure 4): a uniform
    /// table U in [-1, 1] of shape rows x (2d + 2), W_1 = U[:, 0:d] / sqrt(d),
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// y = (x_1 + .. + x_k) mod p: only the first k tokens matter.
    pub k: usize,
    /// Sequences in the train set, and again in the test set.
    pub n: usize,
    pub seed: u64,
}

/// Adam, with torch.optim.Adam semantics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimConfig {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Start each new phase with fresh Adam moments (docs/reproduction.md: "fresh Adam at the switch").
    pub reset_at_switch: bool,
}

/// One stage of the curriculum: train on data with modulus `p` for `epochs` epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub p: usize,
    pub epochs: usize,
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

/// A bad configuration value: which field, what was given, what is accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    pub field: String,
    pub value: String,
    pub accepted: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {} is not accepted: {}", self.field, self.value, self.accepted)
    }
}

impl std::error::Error for ConfigError {}

fn bad(field: impl Into<String>, value: impl fmt::Display, accepted: impl Into<String>) -> ConfigError {
    ConfigError { field: field.into(), value: value.to_string(), accepted: accepted.into() }
}

fn in_range(field: &str, value: usize, lo: usize, hi: usize) -> Result<(), ConfigError> {
    if value < lo || value > hi {
        return Err(bad(field, value, format!("an integer from {lo} to {hi}")));
    }
    Ok(())
}

/// Names of the presets, in the order the page lists them.
pub const PRESETS: &[&str] = &["quick", "fig2", "fig4", "fig5", "fig5-scratch"];

impl Config {
    /// The paper's figure-5 curriculum (p = 2 for 3,000 epochs, then p = 4 for 7,000).
    pub fn fig5() -> Self {
        Config {
            model: ModelConfig { vocab: 4, seq_len: 12, dim: 32, hidden: 128, init: Init::Pytorch },
            data: DataConfig { k: 5, n: 2048, seed: 0 },
            optim: OptimConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: false },
            schedule: Schedule {
                batch_size: 2048,
                phases: vec![Phase { p: 2, epochs: 3000 }, Phase { p: 4, epochs: 7000 }],
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
            "fig5-scratch" => c.schedule.phases = vec![Phase { p: 4, epochs: 10_000 }],
            // Figures 2 and 3: T = 8, p = 2, minibatches of 32 (64 steps per epoch), 200 epochs.
            "fig2" => {
                c.model.seq_len = 8;
                c.schedule.batch_size = 32;
                c.schedule.phases = vec![Phase { p: 2, epochs: 200 }];
                c.schedule.eval_every = 1;
                c.schedule.snapshot_every = 5;
            }
            // Figure 4 with the authors' visualization settings (docs/model.md).
            "fig4" => {
                c.model.dim = 2;
                c.model.hidden = 32;
                c.model.init = Init::Visualization;
                c.optim.lr = 3e-3;
                c.optim.reset_at_switch = true;
                c.schedule.batch_size = 32;
                c.schedule.phases = vec![Phase { p: 2, epochs: 1000 }, Phase { p: 4, epochs: 1000 }];
                c.schedule.eval_every = 5;
                c.schedule.snapshot_every = 10;
            }
            // Generalization within seconds: T = 8, minibatches of 32, p = 2 for 100 epochs then
            // p = 4 for 300. Measured natively (seeds 0-3): p = 2 test accuracy passes 0.9 at
            // epochs 26-78, p = 4 at epochs 124-170. At T = 8 training from scratch on p = 4
            // generalizes too (epochs 74-262): the curriculum's decisive advantage is a
            // figure-5 (T = 12, full batch) effect, which the page says.
            "quick" => {
                c.model.seq_len = 8;
                c.schedule.batch_size = 32;
                c.schedule.phases = vec![Phase { p: 2, epochs: 100 }, Phase { p: 4, epochs: 300 }];
                c.schedule.eval_every = 2;
                c.schedule.snapshot_every = 5;
            }
            _ => return None,
        }
        Some(c)
    }

    /// Total epochs over all phases.
    pub fn total_epochs(&self) -> usize {
        self.schedule.phases.iter().map(|ph| ph.epochs).sum()
    }

    /// Optimizer steps per epoch (the last minibatch may be smaller, as in PyTorch's DataLoader).
    pub fn steps_per_epoch(&self) -> usize {
        self.data.n.div_ceil(self.schedule.batch_size.max(1))
    }

    /// Number of f32 parameters: E (V x d), P (T x d), q (d), W_V (d x d), W_1, b_1, W_2, b_2.
    pub fn param_count(&self) -> usize {
        let (v, t, d, h) = (self.model.vocab, self.model.seq_len, self.model.dim, self.model.hidden);
        v * d + t * d + d + d * d + h * d + h + d * h + d
    }

    /// A generous estimate of the bytes one run holds, checked against [`MEMORY_BUDGET_BYTES`].
    pub fn memory_estimate(&self) -> usize {
        let (v, t, d, h) = (self.model.vocab, self.model.seq_len, self.model.dim, self.model.hidden);
        let n = self.data.n;
        let params = self.param_count();
        let distinct_p = {
            let mut ps: Vec<usize> = self.schedule.phases.iter().map(|ph| ph.p).collect();
            ps.sort_unstable();
            ps.dedup();
            ps.len()
        };
        let state = 4 * params * 4;
        let data = distinct_p * 2 * n * (t + 1);
        let chunk = crate::model::CHUNK;
        let workspace = 4 * (chunk * (12 * d + 4 * h + 3 * v + 2 * t) + 4 * v * t * d + 3 * d * h);
        let epochs = self.total_epochs();
        let snapshot_count =
            epochs.checked_div(self.schedule.snapshot_every).unwrap_or(0) + 2 + self.schedule.phases.len();
        let snapshots = 4 * params * snapshot_count;
        let metrics = 4 * 6 * epochs;
        let attention = 4 * crate::train::ATTENTION_LOG_CAP;
        let za = 4 * n * d;
        state + data + workspace + snapshots + metrics + attention + za
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let m = &self.model;
        in_range("model.vocab", m.vocab, 2, MAX_VOCAB)?;
        in_range("model.seq_len", m.seq_len, 1, MAX_SEQ_LEN)?;
        in_range("model.dim", m.dim, 1, MAX_DIM)?;
        in_range("model.hidden", m.hidden, 1, MAX_HIDDEN)?;

        let dt = &self.data;
        if dt.k == 0 || dt.k > m.seq_len {
            return Err(bad("data.k", dt.k, format!("an integer from 1 to T (model.seq_len = {})", m.seq_len)));
        }
        in_range("data.n", dt.n, 1, 1 << 20)?;

        let o = &self.optim;
        if !o.lr.is_finite() || o.lr <= 0.0 || o.lr > 1.0 {
            return Err(bad("optim.lr", o.lr, "a number in (0, 1]"));
        }
        for (name, beta) in [("optim.beta1", o.beta1), ("optim.beta2", o.beta2)] {
            if !(0.0..1.0).contains(&beta) {
                return Err(bad(name, beta, "a number in [0, 1)"));
            }
        }
        if !o.eps.is_finite() || o.eps <= 0.0 {
            return Err(bad("optim.eps", o.eps, "a positive finite number"));
        }

        let s = &self.schedule;
        if s.batch_size == 0 || s.batch_size > dt.n {
            return Err(bad(
                "schedule.batch_size",
                s.batch_size,
                format!("an integer from 1 to n (data.n = {})", dt.n),
            ));
        }
        if s.phases.is_empty() {
            return Err(bad("schedule.phases", "[]", "at least one phase (p, epochs)"));
        }
        if s.phases.len() > 16 {
            return Err(bad("schedule.phases", format!("{} phases", s.phases.len()), "at most 16 phases"));
        }
        for (i, ph) in s.phases.iter().enumerate() {
            if ph.p < 2 || ph.p > m.vocab {
                return Err(bad(
                    format!("schedule.phases[{i}].p"),
                    ph.p,
                    format!("an integer from 2 to V (model.vocab = {})", m.vocab),
                ));
            }
            in_range(&format!("schedule.phases[{i}].epochs"), ph.epochs, 1, 1_000_000)?;
        }
        in_range("schedule.eval_every", s.eval_every, 1, 1_000_000)?;
        in_range("schedule.snapshot_every", s.snapshot_every, 0, 1_000_000)?;

        let bytes = self.memory_estimate();
        if bytes > MEMORY_BUDGET_BYTES {
            return Err(bad(
                "size",
                format!("{} MiB", bytes >> 20),
                format!(
                    "at most {} MiB in all: lower n, d, h, T, the epochs or raise snapshot_every",
                    MEMORY_BUDGET_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }

    /// Parses JSON and validates; the message says what is wrong either way.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let cfg: Config = serde_json::from_str(text).map_err(|e| format!("config: {e}"))?;
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }
}
