//! A run that may start: a [`Config`] whose fields obey their rules and whose memory and work fit
//! the budgets, checked once, before anything is allocated.
//!
//! Parse, don't validate: [`ValidConfig::new`] is the only way to make a [`ValidConfig`], and
//! [`crate::train::Trainer::new`] takes nothing else, so a trainer never sees a config that was not
//! checked, and nothing checks it twice. The page (through the wasm facade) and the command line
//! use this same function, so they accept and refuse the same configs with the same sentence.
//!
//! The estimate ([`Estimate`]) adds up everything a run holds, from the sizes each part reports of
//! itself ([`Dims::param_count`], [`Workspace::floats`], [`Split::bytes`]), in saturating 64-bit
//! arithmetic: the same numbers on wasm32 and natively, and an absurd config saturates and is
//! refused instead of wrapping around to a small number.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ops::Deref;

use crate::config::{Config, ConfigError};
use crate::data::Split;
use crate::model::{Dims, Workspace};

/// Most memory one run may hold (parameters, optimizer state, data, workspaces, metrics,
/// snapshots, attention history, z_A at each phase end). Browsers commonly allow a wasm
/// instance a few GiB; two runs side by side (the figure-5 comparison) must fit comfortably.
pub const MEMORY_BUDGET_BYTES: u64 = 512 << 20;
/// Most floating-point operations one run may take: about 80 times the figure-5 run, hours on
/// one core. Past this a run would not finish in a class or a browser tab.
pub const WORK_BUDGET_FLOPS: u64 = 100_000_000_000_000;
/// Most optimizer steps one run may take.
pub const MAX_STEPS: u64 = 1_000_000_000;
/// Most attention values kept for the probes' history; past it, every other row is dropped and
/// only every second step is recorded from then on, so a long run keeps its whole span in a
/// fixed amount of memory ([`crate::train::AttentionLog`]).
pub const ATTENTION_LOG_CAP: usize = 1 << 20;
/// Snapshots of the parameters kept at most; past it, every other one is dropped (the first,
/// the phase ends and the last are always kept), so long runs hold a bounded history.
pub const SNAPSHOT_CAP: usize = 4096;

/// What a run will hold and do, estimated from its config alone.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Bytes held at the peak, and the parts they add up from.
    pub bytes: u64,
    pub parts: Vec<(&'static str, u64)>,
    /// Optimizer steps of the whole run.
    pub steps: u64,
    /// Floating-point operations of the whole run (training and evaluations).
    pub flops: u64,
}

impl Estimate {
    /// Estimates a config's memory and work. Meaningful for configs whose fields passed
    /// [`Config::check_fields`]; never panics or wraps on any config.
    pub fn of(cfg: &Config) -> Estimate {
        let dims = Dims::of(&cfg.model);
        let params = dims.param_count();
        let f = |floats: u64| floats.saturating_mul(4);
        let phases = cfg.schedule.phases.len() as u64;
        let epochs = cfg.total_epochs() as u64;
        let (n, t, d, b) =
            (cfg.data.n as u64, cfg.model.seq_len as u64, cfg.model.dim as u64, cfg.schedule.batch_size as u64);
        let distinct_p = {
            let mut ps: Vec<usize> = cfg.schedule.phases.iter().map(|ph| ph.p).collect();
            ps.sort_unstable();
            ps.dedup();
            ps.len() as u64
        };
        let snapshots = snapshot_count(cfg) as u64;
        // The hand-built figure-4 sequences of the largest p: p^k of them, if built at all.
        let patterns = cfg
            .schedule
            .phases
            .iter()
            .filter_map(|ph| ph.p.checked_pow(cfg.data.k as u32).filter(|&c| c <= crate::data::MAX_PATTERNS))
            .max()
            .unwrap_or(0) as u64;
        let parts = vec![
            // Parameters, gradients and Adam's two moments.
            ("parameters and optimizer", f(params.saturating_mul(4))),
            // The trainer's workspace and one for analyses (loss line, z_A of other phases).
            ("workspaces", f(Workspace::floats(dims).saturating_mul(2))),
            ("data", Split::bytes(cfg.data.n, cfg.model.seq_len).saturating_mul(distinct_p)),
            // The shuffled order (u32) and one minibatch.
            ("minibatch", n.saturating_mul(4).saturating_add(b.saturating_mul(t + 1))),
            ("metrics", f(epochs.saturating_add(1).saturating_mul(6))),
            ("snapshots", f(params.saturating_mul(snapshots)).saturating_add(f(snapshots))),
            ("attention history", f(ATTENTION_LOG_CAP as u64).saturating_mul(2)),
            // z_A (n x d) and counts of the test set and the hand-built patterns at each phase end,
            // and one more of each for the latest model.
            ("z_A", f(n.saturating_add(patterns).saturating_mul(d + 1)).saturating_mul(phases + 1)),
            ("patterns", patterns.saturating_mul(t + 1).saturating_mul(distinct_p)),
        ];
        let bytes = parts.iter().fold(0u64, |s, &(_, x)| s.saturating_add(x));
        let steps = cfg.total_steps();
        // Each epoch: forward and backward (3 forwards) over the train set, and at most one
        // evaluation of the test set.
        let per_epoch = n.saturating_mul(dims.forward_flops()).saturating_mul(4);
        let flops = epochs.saturating_mul(per_epoch);
        Estimate { bytes, parts, steps, flops }
    }

    /// Seconds per epoch at `gflops` billion operations per second.
    pub fn seconds_per_epoch(&self, epochs: usize, gflops: f64) -> f64 {
        self.flops as f64 / epochs.max(1) as f64 / (gflops * 1e9)
    }
}

/// Most snapshots a run holds at once: its cadence's count, up to [`SNAPSHOT_CAP`], plus the
/// start, the phase ends and the end. The trainer reserves exactly this many up front.
pub fn snapshot_count(cfg: &Config) -> usize {
    let fixed = cfg.schedule.phases.len() + 2;
    match cfg.schedule.snapshot_every {
        0 => fixed,
        every => (cfg.total_epochs() / every).min(SNAPSHOT_CAP).saturating_add(fixed),
    }
}

/// Bytes in a short human form: "512 MiB", "3.1 GiB", "48 KiB".
pub fn fmt_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else if bytes >= 1 << 20 {
        format!("{:.0} MiB", (b / (1u64 << 20) as f64).ceil())
    } else {
        format!("{:.0} KiB", (b / 1024.0).ceil())
    }
}

/// A config that passed every rule and fits every budget. Derefs to the [`Config`].
#[derive(Clone, Debug, PartialEq)]
pub struct ValidConfig {
    cfg: Config,
    estimate: Estimate,
}

impl ValidConfig {
    /// Checks the fields, then the budgets; the error names the first thing wrong.
    pub fn new(cfg: Config) -> Result<ValidConfig, ConfigError> {
        cfg.check_fields()?;
        let estimate = Estimate::of(&cfg);
        if estimate.bytes > MEMORY_BUDGET_BYTES {
            let biggest = estimate.parts.iter().max_by_key(|(_, b)| *b).map(|(name, _)| *name).unwrap_or("");
            return Err(ConfigError::Budget {
                field: "memory",
                estimate: fmt_bytes(estimate.bytes),
                limit: fmt_bytes(MEMORY_BUDGET_BYTES),
                advice: format!(
                    "the largest part is the {biggest}; lower n, T, d or h, the epochs, or snapshot more rarely"
                ),
            });
        }
        if estimate.steps > MAX_STEPS {
            return Err(ConfigError::Budget {
                field: "work",
                estimate: format!("{} optimizer steps", estimate.steps),
                limit: format!("{MAX_STEPS} steps"),
                advice: "use fewer epochs or larger minibatches".into(),
            });
        }
        if estimate.flops > WORK_BUDGET_FLOPS {
            return Err(ConfigError::Budget {
                field: "work",
                estimate: format!("{:.1e} floating-point operations", estimate.flops as f64),
                limit: format!("{:.0e}", WORK_BUDGET_FLOPS as f64),
                advice: "use fewer epochs, fewer sequences n, or a smaller model".into(),
            });
        }
        Ok(ValidConfig { cfg, estimate })
    }

    /// Parses JSON and checks it; the error says what is wrong either way.
    pub fn from_json(text: &str) -> Result<ValidConfig, ConfigError> {
        ValidConfig::new(Config::parse_json(text)?)
    }

    /// A named preset (see [`crate::config::PRESETS`]).
    pub fn preset(name: &str) -> Option<ValidConfig> {
        Config::preset(name).map(|c| ValidConfig::new(c).expect("every preset is valid (tests/config.rs)"))
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn estimate(&self) -> &Estimate {
        &self.estimate
    }

    pub fn into_config(self) -> Config {
        self.cfg
    }

    /// The scratch twin ([`Config::scratch_twin`]). It holds no more than the curriculum (one
    /// phase's data, the same epochs and steps) and obeys the same rules (the epoch limit is on
    /// the total), so it is valid whenever the curriculum is; `tests/config.rs` checks this on
    /// random configs. Still a `Result`, so a future rule cannot turn it into a panic.
    pub fn scratch_twin(&self) -> Result<ValidConfig, ConfigError> {
        ValidConfig::new(self.cfg.scratch_twin())
    }

    /// The same run with another seed (a seed is never invalid).
    pub fn with_seed(&self, seed: u64) -> ValidConfig {
        let mut v = self.clone();
        v.cfg.data.seed = seed;
        v
    }
}

impl Deref for ValidConfig {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.cfg
    }
}

impl Serialize for ValidConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.cfg.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ValidConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let cfg = Config::deserialize(d)?;
        ValidConfig::new(cfg).map_err(serde::de::Error::custom)
    }
}

/// Reads UTF-8 text of at most `limit` bytes from `reader`, never reading (or holding) more than
/// `limit + 1` bytes: a larger input, even an endless one such as `/dev/zero`, is refused with a
/// message saying the limit. The command line reads configs and fixtures through this.
pub fn read_capped(reader: impl std::io::Read, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("it is larger than {}: not a pathscope file", fmt_bytes(limit)));
    }
    String::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}
