//! The native command line: parity checks, training runs and the paper's experiments.
//!
//! Exit codes: 0 success, 1 a check failed (gradcheck above tolerance), 2 bad arguments or input.

use pathscope::config::{Config, PRESETS};
use pathscope::experiments::barrier::{loss_line, LINE_POINTS};
use pathscope::gradcheck::{self, Fixture};
use pathscope::plan::{fmt_bytes, ValidConfig};
use pathscope::train::{Status, Trainer};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

#[path = "cli/sweep.rs"]
mod sweep_cmd;

const USAGE: &str = "\
pathscope: train the transformer of 'Easing Optimization Paths: a Circuit Perspective'

usage:
  pathscope gradcheck --fixture FILE [--tol 1e-5]
  pathscope train (--preset NAME | --config FILE) [--seed S] [--json OUT]
  pathscope resume RECORD [--json OUT]
  pathscope barrier RECORD_A RECORD_B [--phase I] [--json OUT]
  pathscope check FILE
  pathscope sweep plan FILE
  pathscope sweep run FILE --out DIR [--jobs N] [--shard I/N | --task I --tasks N]
  pathscope sweep status DIR
  pathscope sweep collect DIR
  pathscope sweep summary FILE.jsonl..
  pathscope sweep slurm FILE --out DIR [--tasks N] [--max-parallel M] [--time-factor F] [--partition P]
  pathscope reproduce fig5 [--seed S] [--keep-adam] [--epochs-scale F]
  pathscope bench [--quick]
  pathscope bench --lr-sweep [--epochs N]
  pathscope presets

presets: class, quick, fig2, fig3, fig4, fig4-notebook, fig5, fig5-scratch";

/// A usage error: printed with the usage, exit code 2.
struct Usage(String);

type CmdResult = Result<ExitCode, Usage>;

/// Flags of the form `--name value` or `--name`.
struct Args {
    rest: Vec<String>,
}

impl Args {
    fn value(&mut self, name: &str) -> Result<Option<String>, Usage> {
        if let Some(i) = self.rest.iter().position(|a| a == name) {
            if i + 1 >= self.rest.len() || self.rest[i + 1].starts_with("--") {
                return Err(Usage(format!("{name} needs a value")));
            }
            let v = self.rest.remove(i + 1);
            self.rest.remove(i);
            return Ok(Some(v));
        }
        Ok(None)
    }
    fn flag(&mut self, name: &str) -> bool {
        if let Some(i) = self.rest.iter().position(|a| a == name) {
            self.rest.remove(i);
            return true;
        }
        false
    }
    fn parsed<T: std::str::FromStr>(&mut self, name: &str, what: &str) -> Result<Option<T>, Usage> {
        match self.value(name)? {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| Usage(format!("{name} {v}: expected {what}"))),
        }
    }
    fn finish(self) -> Result<(), Usage> {
        match self.rest.first() {
            None => Ok(()),
            Some(a) => Err(Usage(format!("unexpected argument '{a}'"))),
        }
    }
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`pathscope bench | head`) would panic;
    // the default action ends the process quietly, as command-line tools do.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition at startup, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let mut argv: Vec<String> = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(a) => argv.push(a),
            Err(raw) => {
                eprintln!("error: the argument {raw:?} is not valid UTF-8 text; pathscope takes UTF-8 arguments only");
                return ExitCode::from(2);
            }
        }
    }
    if argv.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    if argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help" {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let cmd = argv.remove(0);
    let args = Args { rest: argv };
    let result = match cmd.as_str() {
        "gradcheck" => gradcheck_cmd(args),
        "train" => train_cmd(args),
        "check" => check_cmd(args),
        "resume" => resume_cmd(args),
        "barrier" => barrier_cmd(args),
        "sweep" => sweep_cmd::sweep_cmd(args),
        "reproduce" => reproduce_cmd(args),
        "bench" => pathscope_bench(args),
        "presets" => {
            if let Err(e) = args.finish() {
                return usage_error(e);
            }
            for name in PRESETS {
                let c = Config::preset(name).expect("listed preset");
                println!("{name}: {}", serde_json::to_string(&c).expect("config serializes"));
            }
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Usage(format!("unknown command '{other}'"))),
    };
    match result {
        Ok(code) => code,
        Err(e) => usage_error(e),
    }
}

fn usage_error(Usage(msg): Usage) -> ExitCode {
    eprintln!("error: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn gradcheck_cmd(mut args: Args) -> CmdResult {
    let path = args.value("--fixture")?.ok_or_else(|| Usage("gradcheck needs --fixture FILE".into()))?;
    let tol: f64 = args.parsed("--tol", "a number")?.unwrap_or(1e-5);
    args.finish()?;
    if !(tol.is_finite() && tol > 0.0) {
        return Err(Usage(format!("--tol {tol}: expected a positive finite number, such as 1e-5")));
    }
    let text = read_capped(&path, gradcheck::MAX_FIXTURE_BYTES)?;
    let fixture = Fixture::parse(&text).map_err(|e| Usage(format!("{path}: {e}")))?;
    let d = fixture.dims;
    println!(
        "fixture {path}: V={} T={} d={} h={} k={} p={} batch={}",
        d.v,
        d.t,
        d.d,
        d.h,
        fixture.k,
        fixture.p,
        fixture.targets.len()
    );
    let rows = gradcheck::run(&fixture).map_err(|e| Usage(format!("{path}: {e}")))?;
    // NaN-propagating: a NaN error must fail the check, never be skipped by the maximum.
    let mut worst = 0.0f64;
    let mut non_finite = Vec::new();
    for r in &rows {
        let mark = if r.rel_err.is_nan() || r.rel_err > tol { "  FAIL" } else { "" };
        if r.non_finite > 0 {
            non_finite.push(r.name.as_str());
        }
        let nan = if r.non_finite > 0 {
            format!("  [{} values not finite (NaN or infinite)]", r.non_finite)
        } else {
            String::new()
        };
        let masked = if r.masked > 0 {
            format!("  [{} ill-conditioned entries checked only against |step| <= lr]", r.masked)
        } else {
            String::new()
        };
        println!("{:<22} rel_err={:.3e}  (max|torch|={:.3e}){mark}{nan}{masked}", r.name, r.rel_err, r.max_abs_torch);
        worst = gradcheck::nan_max(worst, r.rel_err);
    }
    if !non_finite.is_empty() {
        eprintln!("gradcheck: values not finite (NaN or infinite) in {}", non_finite.join(", "));
    }
    println!("max_rel_err={worst:.3e}");
    Ok(if worst <= tol { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Largest config file read (a config is a few hundred bytes).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads a text file of at most `limit` bytes, without reading further than that
/// ([`pathscope::plan::read_capped`]).
fn read_capped(path: &str, limit: u64) -> Result<String, Usage> {
    let file = std::fs::File::open(path).map_err(|e| Usage(format!("cannot read {path}: {e}")))?;
    pathscope::plan::read_capped(file, limit).map_err(|e| Usage(format!("cannot read {path}: {e}")))
}

/// The config given by `--preset NAME` or `--config FILE` (and `--seed`), checked.
fn load_config(args: &mut Args) -> Result<(ValidConfig, Option<String>), Usage> {
    let preset = args.value("--preset")?;
    let file = args.value("--config")?;
    let cfg = match (preset, &file) {
        (Some(name), None) => ValidConfig::preset(&name)
            .ok_or_else(|| Usage(format!("unknown preset '{name}': one of {}", PRESETS.join(", "))))?,
        (None, Some(path)) => {
            let text = read_capped(path, MAX_CONFIG_BYTES)?;
            ValidConfig::from_json(&text).map_err(|e| Usage(format!("{path}: {e}")))?
        }
        _ => return Err(Usage("give exactly one of --preset NAME or --config FILE".into())),
    };
    let cfg = match args.parsed("--seed", "a non-negative whole number")? {
        Some(seed) => cfg.with_seed(seed),
        None => cfg,
    };
    Ok((cfg, file))
}

/// `pathscope check FILE`: is this config valid, and what would it cost?
fn check_cmd(mut args: Args) -> CmdResult {
    let path = match args.rest.first() {
        Some(a) if !a.starts_with("--") => args.rest.remove(0),
        _ => return Err(Usage("check needs a config FILE or a run RECORD".into())),
    };
    args.finish()?;
    let text = read_capped(&path, pathscope::record::MAX_RECORD_BYTES)?;
    if pathscope::record::looks_like_record(&text) {
        return Ok(match pathscope::record::read(&text) {
            Ok((tr, _)) => {
                let state = match tr.status() {
                    Status::Running => "running",
                    Status::Finished => "finished",
                    Status::Diverged { .. } => "diverged",
                };
                println!(
                    "{path}: a valid run record: {state} at epoch {} of {}, step {}, {} parameters",
                    tr.epoch(),
                    tr.config().total_epochs(),
                    tr.step_count(),
                    tr.params().len()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                ExitCode::from(2)
            }
        });
    }
    if text.len() as u64 > MAX_CONFIG_BYTES {
        eprintln!("{path}: it is larger than {}: not a pathscope config", fmt_bytes(MAX_CONFIG_BYTES));
        return Ok(ExitCode::from(2));
    }
    match ValidConfig::from_json(&text) {
        Ok(cfg) => {
            let est = cfg.estimate();
            println!(
                "{path}: valid: {} parameters, {} phase(s), {} epochs of {} steps, about {} of memory and \
                 {:.2} s per epoch at 2 GFLOP/s",
                pathscope::model::Dims::of(&cfg.model).param_count(),
                cfg.schedule.phases.len(),
                cfg.total_epochs(),
                cfg.steps_per_epoch(),
                fmt_bytes(est.bytes),
                est.seconds_per_epoch(cfg.total_epochs(), 2.0)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// A one-line progress bar on a terminal, nothing otherwise.
struct Progress {
    tty: bool,
    total: usize,
    last: Instant,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress { tty: std::io::stderr().is_terminal(), total, last: Instant::now() }
    }
    fn show(&mut self, tr: &Trainer) {
        if !self.tty || (self.last.elapsed().as_millis() < 100 && tr.is_running()) {
            return;
        }
        self.last = Instant::now();
        let e = tr.epoch();
        let filled = 30 * e / self.total.max(1);
        let test = tr.metrics().last_test().map(|(_, _, a)| format!("{a:.3}")).unwrap_or_default();
        let m = tr.metrics();
        let i = m.len() - 1;
        eprint!(
            "\r[{}{}] epoch {e}/{} phase {} p={} train loss {:.4} acc {:.3} test acc {test}  ",
            "#".repeat(filled),
            " ".repeat(30 - filled),
            self.total,
            tr.phase() + 1,
            tr.p(),
            m.train_loss[i],
            m.train_acc[i]
        );
        if !tr.is_running() {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    }
}

/// Checks, before a run starts, that `path` can be written: its folder exists and takes a new
/// file, and it is not the run's input.
fn check_output(path: &str, input: Option<&str>) -> Result<(), Usage> {
    let out = std::path::Path::new(path);
    if let Some(input) = input {
        let same = match (std::fs::canonicalize(input), std::fs::canonicalize(out)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(Usage(format!("--json {path} is the config file itself: choose another output file")));
        }
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let probe = tempfile_in(&dir).map_err(|e| Usage(format!("cannot write {path}: {e}")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Creates an empty temporary file in `dir` (for an atomic write, or to test that `dir` takes one).
fn tempfile_in(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let name = format!(
        ".pathscope-{}-{}.tmp",
        std::process::id(),
        std::time::UNIX_EPOCH.elapsed().map(|d| d.as_nanos()).unwrap_or(0)
    );
    let path = dir.join(name);
    std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok(path)
}

/// Writes `path` atomically: the text goes to a temporary file beside it, which then replaces
/// `path` in one rename, so a crash or a full disk never leaves a half-written file where a good
/// one was.
fn write_atomic(path: &str, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let target = std::path::Path::new(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = tempfile_in(&dir)?;
    let result = (|| {
        let file = std::fs::OpenOptions::new().write(true).truncate(true).open(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn train_cmd(mut args: Args) -> CmdResult {
    let (cfg, input) = load_config(&mut args)?;
    let json_out = args.value("--json")?;
    args.finish()?;
    if let Some(path) = &json_out {
        check_output(path, input.as_deref())?;
    }
    train_to_end(Trainer::new(cfg), json_out, 0.0)
}

/// `pathscope resume RECORD [--json OUT]`: continues a run record to the end of its schedule,
/// exactly as the run would have gone on had it never stopped.
fn resume_cmd(mut args: Args) -> CmdResult {
    let path = positional(&mut args, "resume needs a run RECORD (written by train --json)")?;
    let json_out = args.value("--json")?;
    args.finish()?;
    if let Some(out) = &json_out {
        check_output(out, None)?;
    }
    let (tr, info) = load_record(&path)?;
    if !tr.is_running() {
        println!(
            "{path}: the run has {}; nothing to resume",
            if matches!(tr.status(), Status::Finished) { "finished" } else { "diverged" }
        );
    } else {
        println!(
            "{path}: resuming at epoch {} of {} (step {})",
            tr.epoch(),
            tr.config().total_epochs(),
            tr.step_count()
        );
    }
    train_to_end(tr, json_out, info.seconds.unwrap_or(0.0))
}

/// A run record file, checked and rebuilt ([`pathscope::record::read`]).
fn load_record(path: &str) -> Result<(Trainer, pathscope::record::RunInfo), Usage> {
    let text = read_capped(path, pathscope::record::MAX_RECORD_BYTES)?;
    pathscope::record::read(&text).map_err(|e| Usage(format!("{path}: {e}")))
}

/// The first positional argument, or a usage error saying what was expected.
fn positional(args: &mut Args, missing: &str) -> Result<String, Usage> {
    match args.rest.first() {
        Some(a) if !a.starts_with("--") => Ok(args.rest.remove(0)),
        _ => Err(Usage(missing.into())),
    }
}

/// Trains `tr` to the end of its schedule (or Ctrl-C, or divergence), prints the outcome, and
/// writes the run record to `json_out` if given. `seconds_before`: time spent before a resume.
fn train_to_end(mut tr: Trainer, json_out: Option<String>, seconds_before: f64) -> CmdResult {
    let total = tr.config().total_epochs();
    let start = Instant::now();
    let mut bar = Progress::new(total);
    // Ctrl-C stops at the end of the current epoch and keeps what was done (record, summary).
    let interrupted = on_interrupt();
    while tr.is_running() && !interrupted.load(std::sync::atomic::Ordering::Relaxed) {
        tr.epoch_step();
        bar.show(&tr);
    }
    let stopped_early = tr.is_running();
    if stopped_early {
        eprintln!("\ninterrupted at epoch {} of {total}: keeping what was trained so far", tr.epoch());
    }
    let secs = start.elapsed().as_secs_f64();
    let m = tr.metrics();
    let i = m.len() - 1;
    if let Status::Diverged { message, .. } = tr.status() {
        eprintln!("diverged: {message}");
    }
    if let Some(epoch) = tr.unstable_at() {
        eprintln!(
            "unstable: the mean train loss rose above {} times its initial value at epoch {epoch}",
            pathscope::train::UNSTABLE_FACTOR
        );
    }
    println!(
        "epochs {} steps {} in {secs:.1} s: train loss {:.4} acc {:.3}",
        tr.epoch(),
        tr.step_count(),
        m.train_loss[i],
        m.train_acc[i]
    );
    if let Some((e, loss, acc)) = m.last_test() {
        println!("test (epoch {e}): loss {loss:.4} acc {acc:.3}");
    }
    if let Some(path) = json_out {
        // Streamed straight into the file (one encoded buffer at a time), through a temporary
        // file and a rename.
        let info = pathscope::record::RunInfo { seconds: Some(seconds_before + secs), interrupted: stopped_early };
        if let Err(e) = write_atomic(&path, |w| pathscope::record::write(w, &tr, &info)) {
            eprintln!("error: cannot write {path}: {e}");
            return Ok(ExitCode::from(1));
        }
        println!("record written to {path}");
        // Written whole (it holds the run's metrics), but said when no reader takes it back.
        let written = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if written > pathscope::record::MAX_RECORD_BYTES {
            eprintln!(
                "warning: {path} is {}, larger than the {} that `resume`, `barrier` and the page read: its \
                 metrics are there, but the run cannot be continued from it; snapshot less often \
                 (schedule.snapshot_every) to keep a record that can",
                pathscope::plan::fmt_bytes(written),
                pathscope::plan::fmt_bytes(pathscope::record::MAX_RECORD_BYTES)
            );
        }
    }
    Ok(match tr.status() {
        Status::Diverged { .. } => ExitCode::from(1),
        _ if stopped_early => ExitCode::from(130),
        _ => ExitCode::SUCCESS,
    })
}

/// `pathscope barrier A B`: the loss barrier between the current models of two run records, on
/// the data of A's phase `--phase` (default: the phase A is in), as the page computes it.
fn barrier_cmd(mut args: Args) -> CmdResult {
    let a_path = positional(&mut args, "barrier needs two run RECORDs")?;
    let b_path = positional(&mut args, "barrier needs two run RECORDs")?;
    let phase: Option<usize> = args.parsed("--phase", "a phase index (0 is the first phase)")?;
    let json_out = args.value("--json")?;
    args.finish()?;
    if let Some(out) = &json_out {
        check_output(out, None)?;
    }
    let (mut a, _) = load_record(&a_path)?;
    let (b, _) = load_record(&b_path)?;
    if a.config().model != b.config().model {
        return Err(Usage(format!(
            "{a_path} and {b_path} are runs of different models: no line joins their parameters"
        )));
    }
    let phase = phase.unwrap_or(a.phase());
    let b_params = b.params().to_vec();
    let a_params = a.params().to_vec();
    let line = loss_line(&mut a, &a_params, &b_params, LINE_POINTS, phase).map_err(|e| Usage(e.to_string()))?;
    let p = a.config().schedule.phases[phase].p;
    let height = |b: Option<pathscope::experiments::barrier::Barrier>| {
        b.map(|b| format!("{:.6} (peak {:.6} at t = {:.2})", b.height, b.peak, b.t_peak))
            .unwrap_or_else(|| "undefined".into())
    };
    println!(
        "loss barrier {a_path} -> {b_path} on {a_path}'s phase {} data (p = {p}), {LINE_POINTS} points:",
        phase + 1
    );
    println!("  train {}", height(line.train_barrier));
    println!("  test  {}", height(line.test_barrier));
    if let Some(path) = json_out {
        if let Err(e) = write_atomic(&path, |w| serde_json::to_writer(w, &line).map_err(std::io::Error::other)) {
            eprintln!("error: cannot write {path}: {e}");
            return Ok(ExitCode::from(1));
        }
        println!("line written to {path}");
    }
    Ok(ExitCode::SUCCESS)
}

/// A flag that SIGINT (Ctrl-C) sets, instead of killing the process.
fn on_interrupt() -> &'static std::sync::atomic::AtomicBool {
    static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    #[cfg(unix)]
    {
        extern "C" fn handler(_: libc::c_int) {
            INTERRUPTED.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(libc::SIGINT, handler as *const () as libc::sighandler_t);
        }
    }
    &INTERRUPTED
}

struct ArmResult {
    name: &'static str,
    train_loss: f32,
    train_acc: f32,
    test_loss: f32,
    test_acc: f32,
    first_over_09: Option<usize>,
    seconds: f64,
    status: Status,
    /// Final parameters and the trainer (for the loss barrier on its last phase's data).
    trainer: Trainer,
}

fn run_arm(name: &'static str, cfg: ValidConfig) -> ArmResult {
    let start = Instant::now();
    let mut tr = Trainer::new(cfg);
    tr.run_to_end(|_| {});
    let m = tr.metrics();
    // The first epoch of the last phase (p = 4 in both arms) where test accuracy passed 0.9.
    let last_phase = (tr.config().schedule.phases.len() - 1) as f32;
    let first_over_09 =
        (0..m.len()).find(|&i| m.phase[i] == last_phase && m.test_acc[i] > 0.9).map(|i| m.epoch[i] as usize);
    let i = m.len() - 1;
    let (_, test_loss, test_acc) = m.last_test().unwrap_or((0, f32::NAN, f32::NAN));
    ArmResult {
        name,
        train_loss: m.train_loss[i],
        train_acc: m.train_acc[i],
        test_loss,
        test_acc,
        first_over_09,
        seconds: start.elapsed().as_secs_f64(),
        status: tr.status().clone(),
        trainer: tr,
    }
}

fn reproduce_cmd(mut args: Args) -> CmdResult {
    let what =
        if args.rest.first().is_some_and(|a| !a.starts_with("--")) { args.rest.remove(0) } else { String::new() };
    if what != "fig5" {
        return Err(Usage(format!("reproduce knows 'fig5', not '{what}'")));
    }
    let seed: u64 = args.parsed("--seed", "a non-negative integer")?.unwrap_or(0);
    // A fresh Adam at the switch is the authors' procedure and the default; --fresh-adam is
    // accepted for scripts written before it was.
    let keep = args.flag("--keep-adam");
    if keep && args.flag("--fresh-adam") {
        return Err(Usage("give at most one of --keep-adam and --fresh-adam".into()));
    }
    let fresh = !keep;
    let scale: f64 = args.parsed("--epochs-scale", "a number in (0, 1]")?.unwrap_or(1.0);
    args.finish()?;
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(Usage(format!("--epochs-scale {scale}: expected a number in (0, 1]")));
    }
    let mut fig5 = Config::fig5();
    fig5.data.seed = seed;
    fig5.optim.reset_at_switch = fresh;
    for ph in &mut fig5.schedule.phases {
        ph.epochs = ((ph.epochs as f64 * scale).round() as usize).max(1);
    }
    let curriculum = ValidConfig::new(fig5).map_err(|e| Usage(e.to_string()))?;
    let scratch = curriculum.scratch_twin().map_err(|e| Usage(e.to_string()))?;
    println!(
        "figure 5, seed {seed}: scratch p=4 for {} epochs vs curriculum p=2 for {} then p=4 for {} \
         (T=12, k=5, n=2048, d=32, lr=1e-3, full batch{}), two threads",
        scratch.total_epochs(),
        curriculum.schedule.phases[0].epochs,
        curriculum.schedule.phases[1].epochs,
        if fresh { ", a fresh Adam at the switch (the authors')" } else { ", Adam state kept at the switch" }
    );
    let start = Instant::now();
    let (a, b) = std::thread::scope(|s| {
        let h1 = s.spawn(|| run_arm("scratch", scratch));
        let h2 = s.spawn(|| run_arm("curriculum", curriculum));
        (h1.join().expect("scratch arm"), h2.join().expect("curriculum arm"))
    });
    println!(
        "{:<11} {:>10} {:>9} {:>10} {:>9} {:>14} {:>8}",
        "arm", "train_loss", "train_acc", "test_loss", "test_acc", "first_test>0.9", "wall_s"
    );
    for r in [&a, &b] {
        let first = r.first_over_09.map(|e| e.to_string()).unwrap_or_else(|| "never".into());
        println!(
            "{:<11} {:>10.4} {:>9.3} {:>10.4} {:>9.3} {:>14} {:>8.1}",
            r.name, r.train_loss, r.train_acc, r.test_loss, r.test_acc, first, r.seconds
        );
        if let Status::Diverged { message, .. } = &r.status {
            println!("  {}: {message}", r.name);
        }
    }
    // Figure 6: the loss along the line from the scratch solution to the curriculum one, on the
    // last phase's data (p = 4; both arms draw it from the same (seed, p) stream: the same data).
    let (scratch_params, curriculum_params) = (a.trainer.params().to_vec(), b.trainer.params().to_vec());
    let mut curriculum_trainer = b.trainer;
    let last = curriculum_trainer.config().schedule.phases.len() - 1;
    let line = loss_line(&mut curriculum_trainer, &scratch_params, &curriculum_params, LINE_POINTS, last)
        .map_err(|e| Usage(e.to_string()))?;
    let height = |b: Option<pathscope::experiments::barrier::Barrier>| {
        b.map(|b| format!("{:.2} (at t = {:.2})", b.height, b.t_peak)).unwrap_or_else(|| "undefined".into())
    };
    println!(
        "loss barrier scratch -> curriculum (p=4 data, {LINE_POINTS} points): train {}, test {}",
        height(line.train_barrier),
        height(line.test_barrier)
    );
    println!(
        "train loss along the line: {}",
        line.train_loss.iter().map(|l| format!("{l:.3}")).collect::<Vec<_>>().join(" ")
    );
    println!("total wall time {:.1} s", start.elapsed().as_secs_f64());
    println!("scratch_test_acc={:.4} curriculum_test_acc={:.4}", a.test_acc, b.test_acc);
    Ok(ExitCode::SUCCESS)
}

/// Median milliseconds of `f` over repetitions filling about `budget_ms` (at least `min_reps`),
/// after one warm-up call.
fn time_ms(budget_ms: f64, min_reps: usize, mut f: impl FnMut() -> f64) -> (f64, f64) {
    let mut sink = f();
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < min_reps || start.elapsed().as_secs_f64() * 1e3 < budget_ms {
        let t = Instant::now();
        sink += f();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    std::hint::black_box(sink);
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (times[times.len() / 2], times[0])
}

fn pathscope_bench(mut args: Args) -> CmdResult {
    use pathscope::bench::{peak_flops, peak_kernel, MlpKernels, Workload};
    let quick = args.flag("--quick");
    let lr_sweep = args.flag("--lr-sweep");
    let epochs: Option<usize> = args.parsed("--epochs", "a positive whole number")?;
    if epochs == Some(0) {
        return Err(Usage("--epochs 0: expected a positive whole number".into()));
    }
    if epochs.is_some() && !lr_sweep {
        return Err(Usage("--epochs goes with --lr-sweep".into()));
    }
    args.finish()?;
    if lr_sweep {
        return lr_sweep_bench(epochs.unwrap_or(200));
    }
    let budget = if quick { 300.0 } else { 2000.0 };
    let mut w = Workload::fig5();
    println!("pathscope bench: figure-5 setting (T=12, k=5, d=32, h=128, V=4, n=2048, p=4), one thread");
    println!(
        "machine: {} ({} logical cores), {}, matrix kernel: {} (PATHSCOPE_NO_AVX=1 forces f32x4)",
        cpu_model(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        std::env::consts::ARCH,
        pathscope::kernels::vector_path()
    );
    let (epoch_ms, epoch_min) = time_ms(budget, 10, || w.epoch());
    let (eval_ms, eval_min) = time_ms(budget / 2.0, 10, || w.eval());
    let (step_ms, step_min) = time_ms(budget / 2.0, 50, || w.step32());
    let mut mlp = MlpKernels::fig5();
    let (mlp_ms, _) = time_ms(budget / 2.0, 10, || mlp.run() as f64);
    let iters = 2_000_000;
    let (peak_ms, _) = time_ms(budget / 2.0, 5, || peak_kernel(iters) as f64);
    let gflops = w.flops_per_epoch() / (epoch_ms * 1e6);
    let mlp_gflops = mlp.flops() / (mlp_ms * 1e6);
    let peak = peak_flops(iters) / (peak_ms * 1e6);
    println!("training epoch (forward, backward, Adam; 2048 seqs): median {epoch_ms:.3} ms (min {epoch_min:.3}), {gflops:.2} GFLOP/s of {:.1} MFLOP", w.flops_per_epoch() / 1e6);
    println!("test evaluation (2048 seqs):                         median {eval_ms:.3} ms (min {eval_min:.3})");
    println!("minibatch step (32 seqs):                            median {step_ms:.3} ms (min {step_min:.3})");
    println!(
        "MLP kernels alone (6 products per epoch):            {mlp_ms:.3} ms, {mlp_gflops:.2} GFLOP/s = {:.0}% of peak",
        100.0 * mlp_gflops / peak
    );
    println!("f32x4 peak (8 accumulators, acc += x * m):           {peak:.2} GFLOP/s");
    println!(
        "native epoch_ms={epoch_ms:.3} eval_ms={eval_ms:.3} step32_ms={step_ms:.4} gflops={gflops:.2} peak_gflops={peak:.2} mlp_gflops={mlp_gflops:.2}"
    );
    Ok(ExitCode::SUCCESS)
}

/// `pathscope bench --lr-sweep`: seconds per 100 full-batch epochs of the figure-5 preset at each
/// learning rate of `LR_SWEEP`, and the subnormal values left in the run's buffers (issue 13).
fn lr_sweep_bench(epochs: usize) -> CmdResult {
    use pathscope::bench::{fig5_trainer, LR_SWEEP};
    println!(
        "pathscope bench --lr-sweep: figure-5 preset (full batch of 2048, phase p=2), {epochs} epochs per learning rate, one thread"
    );
    println!("machine: {}, matrix kernel: {}", cpu_model(), pathscope::kernels::vector_path());
    let mut base = None;
    for lr in LR_SWEEP {
        let mut tr = fig5_trainer(lr);
        let start = Instant::now();
        tr.run_epochs(epochs);
        let per100 = start.elapsed().as_secs_f64() * 100.0 / tr.epoch().max(1) as f64;
        let base_s = *base.get_or_insert(per100);
        let loss = tr.metrics().train_loss.last().copied().unwrap_or(f32::NAN);
        let subnormals: Vec<String> =
            tr.subnormals().into_iter().filter(|&(_, n)| n > 0).map(|(name, n)| format!("{name} {n}")).collect();
        let total: usize = tr.subnormals().iter().map(|&(_, n)| n).sum();
        let state = if tr.is_running() || *tr.status() == Status::Finished { "" } else { " (diverged)" };
        println!(
            "lr {lr:<6} {per100:7.3} s per 100 epochs ({:5.1}x lr {}), train loss {loss:.4} after epoch {}{state}; subnormals in the buffers: {}",
            per100 / base_s,
            LR_SWEEP[0],
            tr.epoch(),
            if subnormals.is_empty() { "none".to_string() } else { subnormals.join(", ") }
        );
        println!("native lr={lr} s_per_100_epochs={per100:.4} epochs={} subnormals={total}", tr.epoch());
    }
    Ok(ExitCode::SUCCESS)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
