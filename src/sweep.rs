//! Sweeps: many runs of one setup over seeds and settings, each with a stable id, and the one
//! results line each run leaves (`docs/results-format.md`).
//!
//! A sweep file (TOML or JSON) names a base (`preset` or an inline `config`), the seeds, the arms
//! (`"single"`, or `"curriculum"` and `"scratch"`: the config and its scratch twin) and a grid
//! over any config fields by dotted path:
//!
//! ```toml
//! name = "fig5"
//! preset = "fig5"
//! seeds = "0-23"
//! arms = ["curriculum", "scratch"]
//! [set]                                  # fixed for every run, not part of the ids
//! "schedule.eval_every" = 10
//! [grid]
//! "optim.reset_at_switch" = [true, false]
//! ```
//!
//! [`Sweep::plan`] expands it, in a fixed order, into [`PlannedRun`]s whose ids depend only on
//! the file: `fig5/curriculum/optim.reset_at_switch=true/seed=3`. A grid key that cannot change
//! an arm's config (the Adam reset for the one-phase scratch arm) is left out of that arm's id and
//! setting, and the duplicate runs it would make are planned once. Running, sharding and writing
//! files are the command line's; everything here is pure and deterministic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Config;
use crate::plan::ValidConfig;
use crate::train::{Metrics, Status, Trainer};

/// The format tag of a results line.
pub const RESULT_FORMAT: &str = "pathscope-result/1";
/// Most runs one sweep may plan.
pub const MAX_RUNS: usize = 100_000;

/// A sweep file, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    pub name: String,
    /// A preset name, or ...
    #[serde(default)]
    pub preset: Option<String>,
    /// ... a whole config (exactly one of the two).
    #[serde(default)]
    pub config: Option<Config>,
    /// `"0-23"`, `"0,3,7"` or a list of numbers.
    pub seeds: Seeds,
    #[serde(default = "default_arms")]
    pub arms: Vec<String>,
    /// Fields set on the base for every run, by dotted path (not part of the ids).
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Dotted config path to the values it takes, each a list or `{ range = [start, stop, step] }`
    /// (stop included when the steps land on it).
    #[serde(default)]
    pub grid: BTreeMap<String, GridValues>,
}

fn default_arms() -> Vec<String> {
    vec!["single".into()]
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Seeds {
    List(Vec<u64>),
    Text(String),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum GridValues {
    List(Vec<Value>),
    Range { range: [f64; 3] },
}

/// One run of the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannedRun {
    pub id: String,
    pub sweep: String,
    pub arm: String,
    /// The grid values that matter for this arm, by path.
    pub setting: BTreeMap<String, Value>,
    pub seed: u64,
    pub config: Config,
}

impl PlannedRun {
    /// The run's file name: its id with `/` and anything unusual replaced.
    pub fn file_stem(&self) -> String {
        self.id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.=".contains(c) { c } else { '_' }).collect()
    }
}

fn parse_seeds(seeds: &Seeds) -> Result<Vec<u64>, String> {
    let list = match seeds {
        Seeds::List(v) => v.clone(),
        Seeds::Text(text) => {
            let mut out = Vec::new();
            for part in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match part.split_once('-') {
                    Some((a, b)) => {
                        let (a, b): (u64, u64) = (
                            a.trim().parse().map_err(|_| format!("seeds: '{part}' is not a range like 0-23"))?,
                            b.trim().parse().map_err(|_| format!("seeds: '{part}' is not a range like 0-23"))?,
                        );
                        if b < a || b - a >= MAX_RUNS as u64 {
                            return Err(format!("seeds: the range '{part}' is empty or longer than {MAX_RUNS}"));
                        }
                        out.extend(a..=b);
                    }
                    None => out.push(part.parse().map_err(|_| format!("seeds: '{part}' is not a whole number"))?),
                }
            }
            out
        }
    };
    if list.is_empty() {
        return Err("seeds: give at least one seed, e.g. \"0-23\"".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = list.iter().find(|s| !seen.insert(**s)) {
        return Err(format!("seeds: seed {dup} is listed twice"));
    }
    Ok(list)
}

fn expand(values: &GridValues, key: &str) -> Result<Vec<Value>, String> {
    match values {
        GridValues::List(v) if v.is_empty() => Err(format!("grid.{key}: give at least one value")),
        GridValues::List(v) => Ok(v.clone()),
        GridValues::Range { range: [start, stop, step] } => {
            if !(start.is_finite() && stop.is_finite() && step.is_finite()) || *step <= 0.0 || stop < start {
                return Err(format!("grid.{key}: range [start, stop, step] needs start <= stop and step > 0"));
            }
            let count = ((stop - start) / step + 1e-9).floor() as usize + 1;
            if count > MAX_RUNS {
                return Err(format!("grid.{key}: the range has more than {MAX_RUNS} values"));
            }
            let integral = start.fract() == 0.0 && step.fract() == 0.0;
            Ok((0..count)
                .map(|i| {
                    let x = start + i as f64 * step;
                    if integral {
                        Value::from(x as i64)
                    } else {
                        Value::from(x)
                    }
                })
                .collect())
        }
    }
}

/// Sets the field at a dotted path of a config (through its JSON form, so any field can be
/// swept); the result must still be a config.
fn with_field(cfg: &Config, path: &str, value: &Value) -> Result<Config, String> {
    let mut json = serde_json::to_value(cfg).expect("a config serializes");
    let mut slot = &mut json;
    for part in path.split('.') {
        let next = match slot {
            Value::Object(map) => map.get_mut(part),
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        slot = next.ok_or_else(|| format!("grid: '{path}' is not a field of the config"))?;
    }
    *slot = value.clone();
    serde_json::from_value(json).map_err(|e| format!("grid: {path} = {value}: {e}"))
}

/// A short, stable text for a grid value in an id.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_toml(text: &str) -> Result<SweepFile, String> {
    toml::from_str(text).map_err(|e| format!("sweep file: {e}"))
}

/// The browser build reads no sweep files (the page reads results files); JSON still works.
#[cfg(target_arch = "wasm32")]
fn parse_toml(_: &str) -> Result<SweepFile, String> {
    Err("sweep file: TOML sweep files are read by the command line; give JSON here".into())
}

/// A parsed sweep file.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub file: SweepFile,
    pub base: Config,
    pub seeds: Vec<u64>,
    pub grid: Vec<(String, Vec<Value>)>,
}

impl Sweep {
    /// Reads a sweep file: TOML, or JSON when the text starts with `{`.
    pub fn parse(text: &str) -> Result<Sweep, String> {
        let file: SweepFile = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| format!("sweep file: {e}"))?
        } else {
            parse_toml(text)?
        };
        if file.name.is_empty() || file.name.contains('/') {
            return Err("sweep file: name must be a non-empty word without '/'".into());
        }
        let mut base = match (&file.preset, &file.config) {
            (Some(p), None) => Config::preset(p).ok_or_else(|| format!("sweep file: unknown preset '{p}'"))?,
            (None, Some(c)) => c.clone(),
            _ => return Err("sweep file: give exactly one of preset = \"...\" or [config]".into()),
        };
        for (path, value) in &file.set {
            base = with_field(&base, path, value).map_err(|e| e.replacen("grid:", "set:", 1))?;
        }
        for arm in &file.arms {
            if !["single", "curriculum", "scratch"].contains(&arm.as_str()) {
                return Err(format!("sweep file: arm '{arm}' is not one of single, curriculum, scratch"));
            }
        }
        if file.arms.is_empty() {
            return Err("sweep file: arms is empty".into());
        }
        let seeds = parse_seeds(&file.seeds)?;
        let grid = file.grid.iter().map(|(k, v)| Ok((k.clone(), expand(v, k)?))).collect::<Result<Vec<_>, String>>()?;
        Ok(Sweep { file, base, seeds, grid })
    }

    /// Every run, in a fixed order: grid points (keys sorted, values in the order given), then
    /// arms as listed, then seeds as listed. Every config is checked here, so a plan that lists
    /// runs can run them.
    pub fn plan(&self) -> Result<Vec<PlannedRun>, String> {
        let points: usize = self.grid.iter().map(|(_, v)| v.len()).product();
        let total = points.saturating_mul(self.file.arms.len()).saturating_mul(self.seeds.len());
        if total > MAX_RUNS {
            return Err(format!("the sweep has {total} runs, more than {MAX_RUNS}"));
        }
        let mut runs = Vec::new();
        let mut ids = std::collections::BTreeSet::new();
        for point in 0..points {
            // The grid point's values, the last key varying fastest.
            let mut rest = point;
            let mut values = vec![Value::Null; self.grid.len()];
            for (i, (_, vs)) in self.grid.iter().enumerate().rev() {
                values[i] = vs[rest % vs.len()].clone();
                rest /= vs.len();
            }
            let mut cfg = self.base.clone();
            for ((key, _), v) in self.grid.iter().zip(&values) {
                cfg = with_field(&cfg, key, v)?;
            }
            for arm in &self.file.arms {
                let arm_cfg = if arm == "scratch" { cfg.scratch_twin() } else { cfg.clone() };
                let mut setting = BTreeMap::new();
                for (i, (key, vs)) in self.grid.iter().enumerate() {
                    if self.matters(arm, &cfg, i, vs)? {
                        setting.insert(key.clone(), values[i].clone());
                    }
                }
                let shown: Vec<String> = setting.iter().map(|(k, v)| format!("{k}={}", show(v))).collect();
                for &seed in &self.seeds {
                    let mut c = arm_cfg.clone();
                    c.data.seed = seed;
                    let mut parts = vec![self.file.name.clone(), arm.clone()];
                    parts.extend(shown.iter().cloned());
                    parts.push(format!("seed={seed}"));
                    let id = parts.join("/");
                    if !ids.insert(id.clone()) {
                        continue; // the same run from another grid point that does not matter here
                    }
                    ValidConfig::new(c.clone()).map_err(|e| format!("run {id}: {e}"))?;
                    runs.push(PlannedRun {
                        id,
                        sweep: self.file.name.clone(),
                        arm: arm.clone(),
                        setting: setting.clone(),
                        seed,
                        config: c,
                    });
                }
            }
        }
        Ok(runs)
    }

    /// Whether grid key `i` can change `arm`'s config around `cfg` (it always matters when it has
    /// one value only: it then names the setting).
    fn matters(&self, arm: &str, cfg: &Config, i: usize, values: &[Value]) -> Result<bool, String> {
        if arm != "scratch" || values.len() < 2 {
            return Ok(true);
        }
        let key = &self.grid[i].0;
        let first = with_field(cfg, key, &values[0])?.scratch_twin().canonical();
        for v in &values[1..] {
            if with_field(cfg, key, v)?.scratch_twin().canonical() != first {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The results line of a finished (or stopped) run, in the format of `docs/results-format.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultLine {
    pub format: String,
    pub source: String,
    pub sweep: String,
    pub id: String,
    pub arm: String,
    pub setting: BTreeMap<String, Value>,
    pub seed: u64,
    pub config: Config,
    pub status: String,
    pub epochs: usize,
    #[serde(rename = "final")]
    pub final_: Final,
    pub first_epoch: BTreeMap<String, Option<usize>>,
    pub unseen_test_share: Option<f32>,
    /// Figure 4 at each phase end: how z_A of the hand-built patterns clusters by count.
    #[serde(default)]
    pub phase_ends: Vec<PhaseEnd>,
    pub wall_seconds: f64,
    pub made_by: BTreeMap<String, String>,
}

/// What a run looked like at the end of one phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseEnd {
    pub phase: usize,
    pub p: usize,
    pub epoch: usize,
    /// k-means of z_A of the hand-built patterns, one cluster per count class (null where the
    /// patterns are too many to build).
    pub clusters: Option<crate::experiments::za::ClusterReport>,
}

/// The last metrics. JSON has no NaN: a value that is not finite is written as null and read
/// back as NaN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Final {
    #[serde(deserialize_with = "nan_if_null")]
    pub train_loss: f32,
    #[serde(deserialize_with = "nan_if_null")]
    pub train_acc: f32,
    #[serde(deserialize_with = "nan_if_null")]
    pub test_loss: f32,
    #[serde(deserialize_with = "nan_if_null")]
    pub test_acc: f32,
}

fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

/// The conditions whose first epoch a results line records.
pub const CONDITIONS: [&str; 4] = ["test_acc>0.5", "test_acc>0.9", "test_acc>0.95", "train_acc=1"];

/// First epoch (counted from the start of the run) at which each of [`CONDITIONS`] held on an
/// epoch of the last phase (`last_phase`): a curriculum's p = 2 phase passes every condition on
/// its own data, which says nothing about p = 4.
pub fn first_epochs(m: &Metrics, last_phase: usize) -> BTreeMap<String, Option<usize>> {
    let first = |f: &dyn Fn(usize) -> bool| {
        (0..m.len()).find(|&i| m.phase[i] as usize == last_phase && f(i)).map(|i| m.epoch[i] as usize)
    };
    let mut out = BTreeMap::new();
    out.insert(CONDITIONS[0].into(), first(&|i| m.test_acc[i] > 0.5));
    out.insert(CONDITIONS[1].into(), first(&|i| m.test_acc[i] > 0.9));
    out.insert(CONDITIONS[2].into(), first(&|i| m.test_acc[i] > 0.95));
    out.insert(CONDITIONS[3].into(), first(&|i| m.train_acc[i] >= 1.0));
    out
}

/// Trains a planned run to its end and describes it. `made_by` names the program, commit,
/// machine and date; wall time is measured by the caller's clock (`seconds`), so this stays pure.
pub fn run(planned: &PlannedRun, mut clock: impl FnMut() -> f64, made_by: BTreeMap<String, String>) -> ResultLine {
    let start = clock();
    let cfg = ValidConfig::new(planned.config.clone()).expect("the plan checked every config");
    let mut tr = Trainer::new(cfg);
    tr.run_to_end(|_| {});
    let m = tr.metrics();
    let last = m.len() - 1;
    let (_, test_loss, test_acc) = m.last_test().unwrap_or((0, f32::NAN, f32::NAN));
    let status = match tr.status() {
        Status::Finished => "finished",
        Status::Diverged { .. } => "diverged",
        Status::Running => "unfinished",
    };
    let last_phase = tr.config().schedule.phases.len() - 1;
    let d = tr.config().model.dim;
    let phase_ends = tr
        .phase_za()
        .iter()
        .map(|z| PhaseEnd {
            phase: z.phase,
            p: tr.config().schedule.phases[z.phase].p,
            epoch: z.epoch,
            clusters: z
                .patterns
                .as_ref()
                .map(|v| crate::experiments::za::clusters(&v.za, v.counts.len(), d, &v.counts, planned.seed)),
        })
        .collect();
    ResultLine {
        format: RESULT_FORMAT.into(),
        source: "pathscope".into(),
        sweep: planned.sweep.clone(),
        id: planned.id.clone(),
        arm: planned.arm.clone(),
        setting: planned.setting.clone(),
        seed: planned.seed,
        config: planned.config.clone(),
        status: status.into(),
        epochs: tr.epoch(),
        final_: Final { train_loss: m.train_loss[last], train_acc: m.train_acc[last], test_loss, test_acc },
        first_epoch: first_epochs(m, last_phase),
        unseen_test_share: tr.split(last_phase).ok().map(|s| s.unseen_share),
        phase_ends,
        wall_seconds: clock() - start,
        made_by,
    }
}

impl ResultLine {
    /// The line as JSON text, one line (non-finite numbers as null, as JSON has no NaN).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a results line serializes")
    }

    pub fn parse(text: &str) -> Result<ResultLine, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if v.get("format").and_then(Value::as_str) != Some(RESULT_FORMAT) {
            return Err(format!("not a results line of format {RESULT_FORMAT}"));
        }
        serde_json::from_value(v).map_err(|e| format!("results line: {e}"))
    }

    /// Whether the line meets a success condition: `"test>0.95"`, `"test>0.5"` or `"train=1"`.
    pub fn meets(&self, condition: &str) -> bool {
        match condition {
            "test>0.95" => self.final_.test_acc > GENERALIZED,
            "test>0.5" => self.final_.test_acc > 0.5,
            "train=1" => self.final_.train_acc >= 1.0,
            _ => false,
        }
    }
}

/// A run generalized when its final test accuracy is above this: the first of [`SUCCESS`], and
/// the page's seed statistics' success.
pub const GENERALIZED: f32 = 0.95;

/// The group a line is counted in: (source, sweep, arm, setting), the setting as `key=value`
/// pairs joined by `, ` (`optim.reset_at_switch=true`).
pub fn group_key(l: &ResultLine) -> (String, String, String, String) {
    let setting: Vec<String> = l.setting.iter().map(|(k, v)| format!("{k}={}", show(v))).collect();
    (l.source.clone(), l.sweep.clone(), l.arm.clone(), setting.join(", "))
}

/// The success conditions of a summary, in its column order.
pub const SUCCESS: [&str; 3] = ["test>0.95", "test>0.5", "train=1"];

/// A rate: `k` of `n`, with its 95% Wilson score interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rate {
    pub k: usize,
    pub n: usize,
    pub low: f64,
    pub high: f64,
}

/// The 95% Wilson score interval of `k` successes in `n` trials (Wilson 1927; z = 1.959964).
///
/// ```text
/// center = (k + z^2/2) / (n + z^2),  half = z sqrt(k (n - k) / n + z^2 / 4) / (n + z^2)
/// ```
pub fn wilson(k: usize, n: usize) -> Rate {
    if n == 0 {
        return Rate { k, n, low: 0.0, high: 1.0 };
    }
    let z = 1.959_963_984_540_054_f64;
    let (kf, nf) = (k as f64, n as f64);
    let center = (kf + z * z / 2.0) / (nf + z * z);
    let half = z * (kf * (nf - kf) / nf + z * z / 4.0).sqrt() / (nf + z * z);
    Rate { k, n, low: (center - half).max(0.0), high: (center + half).min(1.0) }
}

/// One row of a summary: a source, sweep, arm and setting, and its rate for each of [`SUCCESS`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryRow {
    pub source: String,
    pub sweep: String,
    pub arm: String,
    pub setting: String,
    pub rates: Vec<Rate>,
}

/// Groups lines by (source, sweep, arm, setting) and counts each success condition.
pub fn summarize(lines: &[ResultLine]) -> Vec<SummaryRow> {
    let mut groups: BTreeMap<(String, String, String, String), Vec<&ResultLine>> = BTreeMap::new();
    for l in lines {
        groups.entry(group_key(l)).or_default().push(l);
    }
    groups
        .into_iter()
        .map(|((source, sweep, arm, setting), ls)| SummaryRow {
            rates: SUCCESS.iter().map(|c| wilson(ls.iter().filter(|l| l.meets(c)).count(), ls.len())).collect(),
            source,
            sweep,
            arm,
            setting,
        })
        .collect()
}

/// How often z_A separated every count class into its own cluster at the end of a phase: one row
/// per (source, sweep, phase index, p), `rate` = runs where all classes formed, with its interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterRow {
    pub source: String,
    pub sweep: String,
    pub phase: usize,
    pub p: usize,
    pub classes: usize,
    pub rate: Rate,
}

/// Counts, per sweep and phase end, the runs in which every count class formed its own cluster.
pub fn cluster_rates(lines: &[ResultLine]) -> Vec<ClusterRow> {
    // (source, sweep, phase, p, classes) -> (runs where every class formed, runs)
    type Key = (String, String, usize, usize, usize);
    let mut groups: BTreeMap<Key, (usize, usize)> = BTreeMap::new();
    for l in lines {
        for e in &l.phase_ends {
            if let Some(c) = e.clusters {
                let g = groups.entry((l.source.clone(), l.sweep.clone(), e.phase, e.p, c.classes)).or_default();
                g.0 += (c.formed == c.classes) as usize;
                g.1 += 1;
            }
        }
    }
    groups
        .into_iter()
        .map(|((source, sweep, phase, p, classes), (k, n))| ClusterRow {
            source,
            sweep,
            phase,
            p,
            classes,
            rate: wilson(k, n),
        })
        .collect()
}

/// Reads a results file (JSON Lines): the lines it holds, and for each line it could not read,
/// its number and why. Blank lines are skipped.
pub fn parse_results(text: &str) -> (Vec<ResultLine>, Vec<String>) {
    let (mut lines, mut errors) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match ResultLine::parse(line) {
            Ok(l) => lines.push(l),
            Err(e) => errors.push(format!("line {}: {e}", i + 1)),
        }
    }
    (lines, errors)
}

/// A summary as a Markdown table.
pub fn summary_markdown(rows: &[SummaryRow]) -> String {
    let mut out = String::from(
        "| source | sweep | arm | setting | runs | test acc > 0.95 | test acc > 0.5 | train acc = 1 |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let cells: Vec<String> = r
            .rates
            .iter()
            .map(|x| format!("{}/{} = {:.2} [{:.2}, {:.2}]", x.k, x.n, x.k as f64 / x.n.max(1) as f64, x.low, x.high))
            .collect();
        let setting = if r.setting.is_empty() { "-" } else { &r.setting };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.source,
            r.sweep,
            r.arm,
            setting,
            r.rates.first().map(|x| x.n).unwrap_or(0),
            cells.join(" | ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIG5: &str = r#"
name = "fig5"
preset = "fig5"
seeds = "0-2"
arms = ["curriculum", "scratch"]
[grid]
"optim.reset_at_switch" = [true, false]
"#;

    #[test]
    fn plan_ids_are_stable_and_irrelevant_keys_collapse() {
        let plan = Sweep::parse(FIG5).unwrap().plan().unwrap();
        // 2 Adam settings x 3 seeds for the curriculum; the scratch arm has one phase, so the
        // Adam reset cannot change it: 3 runs, not 6.
        assert_eq!(plan.len(), 6 + 3);
        assert_eq!(plan[0].id, "fig5/curriculum/optim.reset_at_switch=true/seed=0");
        assert_eq!(plan[3].id, "fig5/scratch/seed=0");
        assert!(plan.iter().filter(|r| r.arm == "scratch").all(|r| r.setting.is_empty()));
        assert_eq!(Sweep::parse(FIG5).unwrap().plan().unwrap(), plan, "the same file, the same plan");
        assert!(!plan[4].config.optim.reset_at_switch || plan[4].arm == "scratch");
        assert_eq!(plan[5].config.data.seed, 2);
    }

    #[test]
    fn bad_sweep_files_are_named() {
        let e = |t: &str| Sweep::parse(t).and_then(|s| s.plan()).unwrap_err();
        assert!(e("name = \"a\"\nseeds = \"0-1\"").contains("exactly one of"));
        assert!(e("name = \"a\"\npreset = \"nope\"\nseeds = \"0\"").contains("unknown preset"));
        assert!(e("name = \"a\"\npreset = \"quick\"\nseeds = \"3-1\"").contains("empty"));
        assert!(e("name = \"a\"\npreset = \"quick\"\nseeds = \"1,1\"").contains("twice"));
        assert!(
            e("name = \"a\"\npreset = \"quick\"\nseeds = \"0\"\n[grid]\n\"optim.nope\" = [1]").contains("optim.nope")
        );
        assert!(e("name = \"a\"\npreset = \"quick\"\nseeds = \"0\"\n[grid]\n\"optim.lr\" = [20.0]")
            .contains("learning rate"));
        assert!(e("name = \"a\"\npreset = \"quick\"\nseeds = \"0-99999999\"").contains("longer than"));
        let ranged = Sweep::parse(
            "name = \"a\"\npreset = \"quick\"\nseeds = [5]\n[grid]\n\"data.n\" = { range = [64, 256, 64] }",
        );
        let plan = ranged.unwrap().plan().unwrap();
        let ns: Vec<usize> = plan.iter().map(|r| r.config.data.n).collect();
        assert_eq!(ns, vec![64, 128, 192, 256]);
    }

    #[test]
    fn a_results_line_round_trips_and_counts() {
        let plan = Sweep::parse("name = \"t\"\npreset = \"quick\"\nseeds = [1]").unwrap().plan().unwrap();
        let mut p = plan[0].clone();
        p.config.data.n = 32;
        p.config.model.dim = 4;
        p.config.model.hidden = 8;
        p.config.schedule.phases = vec![crate::config::Phase::new(2, 3)];
        let mut t = 0.0;
        let line = run(
            &p,
            || {
                t += 1.0;
                t
            },
            BTreeMap::new(),
        );
        assert_eq!((line.status.as_str(), line.epochs, line.wall_seconds), ("finished", 3, 1.0));
        let back = ResultLine::parse(&line.to_json()).unwrap();
        assert_eq!(back, line);
        assert!(line.to_json().contains("\"final\":{"));
        assert!(ResultLine::parse("{\"format\": \"other/1\"}").unwrap_err().contains("format"));
    }

    #[test]
    fn first_epochs_look_at_the_last_phase_only() {
        // A curriculum: p = 2 passes every condition at epoch 1; p = 4 passes > 0.95 at epoch 3.
        let m = Metrics {
            epoch: vec![0.0, 1.0, 2.0, 3.0],
            phase: vec![0.0, 0.0, 1.0, 1.0],
            train_loss: vec![1.0; 4],
            train_acc: vec![0.5, 1.0, 0.9, 1.0],
            test_loss: vec![1.0; 4],
            test_acc: vec![0.5, 1.0, 0.3, 0.96],
        };
        let f = first_epochs(&m, 1);
        assert_eq!(f["test_acc>0.95"], Some(3));
        assert_eq!(f["test_acc>0.5"], Some(3));
        assert_eq!(f["train_acc=1"], Some(3));
        assert_eq!(first_epochs(&m, 0)["test_acc>0.95"], Some(1));
    }

    #[test]
    fn wilson_matches_hand_computed_intervals() {
        // 3 of 5: center (3 + 1.92) / 8.84 = 0.5566, half 1.96 sqrt(1.2 + 0.96) / 8.84 = 0.3259.
        let r = wilson(3, 5);
        assert!((r.low - 0.2307).abs() < 1e-3 && (r.high - 0.8824).abs() < 1e-3, "{r:?}");
        let z = wilson(0, 13);
        assert_eq!(z.low, 0.0);
        assert!((z.high - 0.2281).abs() < 1e-3, "{z:?}");
        assert_eq!(wilson(12, 12).high, 1.0);
    }
}
