//! `pathscope sweep`: plan, run (on all cores, or one shard of a Slurm array), check and collect
//! a sweep (`pathscope::sweep` holds the logic; this file does files, threads and clocks).
//!
//! A sweep's folder holds `sweep.toml` (or `sweep.json`: the file the plan came from),
//! `runs/<id>.json` (one results line per finished run, written atomically), `runs/<id>.running`
//! (while a run trains: host, pid, start time) and, after `collect`, `results.jsonl` and
//! `summary.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use pathscope::plan::{fmt_bytes, Estimate, ValidConfig};
use pathscope::sweep::{summarize, summary_markdown, PlannedRun, ResultLine, Sweep};
use pathscope::train::Trainer;

use super::{cpu_model, read_capped, write_atomic, Args, CmdResult, Usage};

/// Largest sweep file read.
const MAX_SWEEP_BYTES: u64 = 1 << 20;

pub fn sweep_cmd(mut args: Args) -> CmdResult {
    let what = if args.rest.is_empty() { String::new() } else { args.rest.remove(0) };
    match what.as_str() {
        "plan" => plan_cmd(args),
        "run" => run_cmd(args),
        "status" => status_cmd(args),
        "collect" => collect_cmd(args),
        "summary" => summary_cmd(args),
        "slurm" => slurm_cmd(args),
        other => Err(Usage(format!("sweep knows plan, run, status, collect, summary and slurm, not '{other}'"))),
    }
}

fn positional(args: &mut Args, what: &str) -> Result<String, Usage> {
    match args.rest.first() {
        Some(a) if !a.starts_with("--") => Ok(args.rest.remove(0)),
        _ => Err(Usage(format!("sweep needs {what}"))),
    }
}

fn load(path: &str) -> Result<(Sweep, Vec<PlannedRun>, String), Usage> {
    let text = read_capped(path, MAX_SWEEP_BYTES)?;
    let sweep = Sweep::parse(&text).map_err(|e| Usage(format!("{path}: {e}")))?;
    let plan = sweep.plan().map_err(|e| Usage(format!("{path}: {e}")))?;
    Ok((sweep, plan, text))
}

/// Seconds and bytes one run of `cfg` takes, from a short measured run: a few epochs (about 1%,
/// at least 2), timed and scaled to the whole run; the memory from the estimate.
fn measure(cfg: &pathscope::config::Config) -> (f64, u64) {
    let valid = ValidConfig::new(cfg.clone()).expect("planned configs are valid");
    let bytes = Estimate::of(&valid).bytes;
    let epochs = valid.total_epochs();
    let trial = (epochs / 100).clamp(2, epochs.max(2));
    let start = Instant::now();
    let mut tr = Trainer::new(valid);
    tr.run_epochs(trial);
    let per_epoch = start.elapsed().as_secs_f64() / trial.min(epochs).max(1) as f64;
    (per_epoch * epochs as f64, bytes)
}

fn plan_cmd(mut args: Args) -> CmdResult {
    let file = positional(&mut args, "a sweep FILE")?;
    args.finish()?;
    let (sweep, plan, _) = load(&file)?;
    // One measured run per distinct (arm, setting): seeds do not change the cost.
    let mut costs: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    println!("{:<60} {:>8} {:>10} {:>9}", "id", "epochs", "est_s", "est_mem");
    let (mut total_s, mut peak) = (0.0, 0u64);
    for run in &plan {
        let key = format!("{}/{:?}", run.arm, run.setting);
        let (secs, bytes) = *costs.entry(key).or_insert_with(|| measure(&run.config));
        total_s += secs;
        peak = peak.max(bytes);
        println!("{:<60} {:>8} {:>10.1} {:>9}", run.id, run.config.total_epochs(), secs, fmt_bytes(bytes));
    }
    println!(
        "sweep {}: {} runs, about {:.0} s of one core in all ({:.1} h), at most {} per run (estimates from a \
         short measured run on this machine)",
        sweep.file.name,
        plan.len(),
        total_s,
        total_s / 3600.0,
        fmt_bytes(peak)
    );
    Ok(ExitCode::SUCCESS)
}

/// `--shard I/N` or `--task I --tasks N` (Slurm's array index): which share of the plan to run.
fn shard(args: &mut Args) -> Result<(usize, usize), Usage> {
    let shard = args.value("--shard")?;
    let task: Option<usize> = args.parsed("--task", "a whole number")?;
    let tasks: Option<usize> = args.parsed("--tasks", "a whole number")?;
    let (i, n) = match (shard, task, tasks) {
        (None, None, None) => (0, 1),
        (Some(s), None, None) => {
            let bad = || Usage(format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4"));
            let (i, n) = s.split_once('/').ok_or_else(bad)?;
            (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?)
        }
        (None, Some(i), Some(n)) => (i, n),
        _ => return Err(Usage("give --shard I/N, or --task I with --tasks N, not both".into())),
    };
    if n == 0 || i >= n {
        return Err(Usage(format!("shard {i} of {n}: expected 0 <= I < N")));
    }
    Ok((i, n))
}

fn runs_dir(out: &Path) -> PathBuf {
    out.join("runs")
}

fn result_path(out: &Path, run: &PlannedRun) -> PathBuf {
    runs_dir(out).join(format!("{}.json", run.file_stem()))
}

fn marker_path(out: &Path, run: &PlannedRun) -> PathBuf {
    runs_dir(out).join(format!("{}.running", run.file_stem()))
}

/// A finished run's line, if its file holds one for this id.
fn finished(out: &Path, run: &PlannedRun) -> Option<ResultLine> {
    let text = std::fs::read_to_string(result_path(out, run)).ok()?;
    ResultLine::parse(text.trim()).ok().filter(|l| l.id == run.id)
}

/// Keeps the sweep file beside its results, so `status` and `collect` know the plan; refuses a
/// folder that holds another sweep's.
fn keep_sweep_file(out: &Path, file: &str, text: &str) -> Result<(), Usage> {
    let ext = if text.trim_start().starts_with('{') { "json" } else { "toml" };
    let kept = out.join(format!("sweep.{ext}"));
    match std::fs::read_to_string(&kept) {
        Ok(old) if old == text => Ok(()),
        Ok(_) => Err(Usage(format!(
            "{} holds another sweep's file ({}): give another --out folder, or remove it",
            out.display(),
            kept.display()
        ))),
        Err(_) => write_atomic(kept.to_str().unwrap_or_default(), |w| w.write_all(text.as_bytes()))
            .map_err(|e| Usage(format!("cannot write into {}: {e} (from {file})", out.display()))),
    }
}

fn made_by() -> BTreeMap<String, String> {
    let commit = std::env::var("PATHSCOPE_COMMIT").ok().or_else(|| {
        let o = std::process::Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().ok()?;
        o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
    });
    let mut m = BTreeMap::new();
    m.insert("program".into(), format!("pathscope {}", env!("CARGO_PKG_VERSION")));
    m.insert("commit".into(), commit.unwrap_or_else(|| "unknown".into()));
    m.insert("machine".into(), cpu_model());
    m.insert("date".into(), today());
    m
}

/// Today's date (UTC), as YYYY-MM-DD, from the system clock (civil-from-days, H. Hinnant).
fn today() -> String {
    let days = std::time::UNIX_EPOCH.elapsed().map(|d| d.as_secs() / 86_400).unwrap_or(0) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

fn run_cmd(mut args: Args) -> CmdResult {
    let file = positional(&mut args, "a sweep FILE")?;
    let out = PathBuf::from(args.value("--out")?.ok_or_else(|| Usage("sweep run needs --out DIR".into()))?);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let jobs: usize = args.parsed("--jobs", "a whole number of threads")?.unwrap_or(cores);
    let (index, count) = shard(&mut args)?;
    args.finish()?;
    if jobs == 0 {
        return Err(Usage("--jobs 0: give at least one thread".into()));
    }
    let (_, plan, text) = load(&file)?;
    std::fs::create_dir_all(runs_dir(&out)).map_err(|e| Usage(format!("cannot create {}: {e}", out.display())))?;
    keep_sweep_file(&out, &file, &text)?;
    let mine: Vec<&PlannedRun> = plan.iter().enumerate().filter(|(i, _)| i % count == index).map(|(_, r)| r).collect();
    let todo: Vec<&PlannedRun> = mine.iter().copied().filter(|r| finished(&out, r).is_none()).collect();
    println!(
        "sweep: {} runs in the plan, {} in shard {index}/{count}, {} already finished, {} to run on {jobs} thread(s)",
        plan.len(),
        mine.len(),
        mine.len() - todo.len(),
        todo.len()
    );
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default().trim().to_string();
    let made = made_by();
    std::thread::scope(|s| {
        for _ in 0..jobs.min(todo.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(run) = todo.get(i) else { break };
                let marker = marker_path(&out, run);
                let _ =
                    std::fs::write(&marker, format!("host={host} pid={} started={}\n", std::process::id(), today()));
                let clock = Instant::now();
                let line = pathscope::sweep::run(run, || clock.elapsed().as_secs_f64(), made.clone());
                let path = result_path(&out, run);
                let written = write_atomic(path.to_str().unwrap_or_default(), |w| writeln!(w, "{}", line.to_json()));
                let _ = std::fs::remove_file(&marker);
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                match written {
                    Ok(()) => println!(
                        "[{k}/{}] {}: {} epochs, train acc {:.3}, test acc {:.3}, {:.1} s",
                        todo.len(),
                        line.id,
                        line.epochs,
                        line.final_.train_acc,
                        line.final_.test_acc,
                        line.wall_seconds
                    ),
                    Err(e) => failures.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{}: {e}", run.id)),
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    for f in &failures {
        eprintln!("error: cannot write the result of {f}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The plan of the sweep kept in `out`.
fn kept_plan(out: &Path) -> Result<Vec<PlannedRun>, Usage> {
    for ext in ["toml", "json"] {
        let f = out.join(format!("sweep.{ext}"));
        if f.exists() {
            return Ok(load(f.to_str().unwrap_or_default())?.1);
        }
    }
    Err(Usage(format!("{} holds no sweep file: run 'pathscope sweep run FILE --out DIR' first", out.display())))
}

fn status_cmd(mut args: Args) -> CmdResult {
    let out = PathBuf::from(positional(&mut args, "the sweep's DIR")?);
    args.finish()?;
    let plan = kept_plan(&out)?;
    let (mut done, mut running, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for run in &plan {
        if finished(&out, run).is_some() {
            done.push(run);
        } else if let Ok(m) = std::fs::read_to_string(marker_path(&out, run)) {
            running.push((run, m.trim().to_string()));
        } else {
            missing.push(run);
        }
    }
    println!(
        "{}: {} runs: {} done, {} running, {} missing",
        out.display(),
        plan.len(),
        done.len(),
        running.len(),
        missing.len()
    );
    for (r, m) in &running {
        println!("running  {} ({m})", r.id);
    }
    for r in &missing {
        println!("missing  {}", r.id);
    }
    Ok(ExitCode::SUCCESS)
}

/// `pathscope sweep slurm FILE --out DIR`: an sbatch script for a Slurm job array whose task I
/// runs shard I of N (`sweep run --task I --tasks N`), with time and memory from the estimates.
fn slurm_cmd(mut args: Args) -> CmdResult {
    let file = positional(&mut args, "a sweep FILE")?;
    let out = PathBuf::from(args.value("--out")?.ok_or_else(|| Usage("sweep slurm needs --out DIR".into()))?);
    let tasks: Option<usize> = args.parsed("--tasks", "a whole number of array tasks")?;
    let parallel: usize = args.parsed("--max-parallel", "a whole number")?.unwrap_or(16);
    let factor: f64 = args.parsed("--time-factor", "a number")?.unwrap_or(3.0);
    let partition = args.value("--partition")?;
    args.finish()?;
    let (sweep, plan, text) = load(&file)?;
    let tasks = tasks.unwrap_or(plan.len()).clamp(1, plan.len().max(1));
    if parallel == 0 || !(factor.is_finite() && factor >= 1.0) {
        return Err(Usage("--max-parallel must be at least 1 and --time-factor at least 1".into()));
    }
    std::fs::create_dir_all(out.join("slurm/logs"))
        .map_err(|e| Usage(format!("cannot create {}: {e}", out.join("slurm/logs").display())))?;
    keep_sweep_file(&out, &file, &text)?;
    // The longest task's share of the estimates, and the largest run's memory.
    let mut costs: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    let mut task_seconds = vec![0.0f64; tasks];
    let mut peak = 0u64;
    for (i, run) in plan.iter().enumerate() {
        let key = format!("{}/{:?}", run.arm, run.setting);
        let (secs, bytes) = *costs.entry(key).or_insert_with(|| measure(&run.config));
        task_seconds[i % tasks] += secs;
        peak = peak.max(bytes);
    }
    let longest = task_seconds.iter().copied().fold(0.0, f64::max);
    let minutes = ((longest * factor) / 60.0).ceil().max(1.0) as u64;
    let mem_mb = (peak >> 20) + 256; // the estimate plus the program itself
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let out_abs = abs(&out);
    let kept = out_abs.join(if text.trim_start().starts_with('{') { "sweep.json" } else { "sweep.toml" });
    let binary = std::env::current_exe().map(|p| abs(&p)).unwrap_or_else(|_| PathBuf::from("pathscope"));
    let quote = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
    let mut script = format!(
        "#!/bin/bash\n\
         # pathscope sweep '{name}': {runs} runs in {tasks} array tasks (task I runs every run whose index\n\
         # is I modulo {tasks}). Made by 'pathscope sweep slurm {file}' on {date}. Time: the longest task's\n\
         # estimate ({longest:.0} s, from a short measured run) times {factor}; memory: the largest run's\n\
         # estimate plus 256 MB. A requeued or restarted task skips the runs it already finished.\n\
         #SBATCH --job-name=pathscope-{name}\n\
         #SBATCH --array=0-{last}%{parallel}\n\
         #SBATCH --time={minutes}\n\
         #SBATCH --mem={mem_mb}M\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --ntasks=1\n\
         #SBATCH --requeue\n\
         #SBATCH --open-mode=append\n\
         #SBATCH --output={logs}/%A_%a.out\n",
        name = sweep.file.name,
        runs = plan.len(),
        date = today(),
        last = tasks - 1,
        logs = out_abs.join("slurm/logs").display(),
    );
    if let Some(p) = partition {
        script.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    script.push_str(&format!(
        "set -euo pipefail\nexec {} sweep run {} --out {} --jobs 1 --task \"$SLURM_ARRAY_TASK_ID\" --tasks {tasks}\n",
        quote(&binary),
        quote(&kept),
        quote(&out_abs)
    ));
    let path = out.join("slurm/sweep.sbatch");
    write_atomic(path.to_str().unwrap_or_default(), |w| w.write_all(script.as_bytes()))
        .map_err(|e| Usage(format!("cannot write {}: {e}", path.display())))?;
    println!(
        "wrote {}: {} runs in {tasks} array tasks, at most {parallel} at once, {minutes} min and {mem_mb} MB each\n\
         submit it with:   sbatch {}\n\
         then follow it:   pathscope sweep status {}   (and squeue; logs in {}/slurm/logs)\n\
         and at the end:   pathscope sweep collect {}",
        path.display(),
        plan.len(),
        path.display(),
        out.display(),
        out.display(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `pathscope sweep summary FILE.jsonl..`: the rates of any results files (a sweep's, the PyTorch
/// reference's), as the Markdown tables of docs/reproduction.md.
fn summary_cmd(args: Args) -> CmdResult {
    if args.rest.is_empty() || args.rest.iter().any(|a| a.starts_with("--")) {
        return Err(Usage("sweep summary needs one or more results FILEs (.jsonl)".into()));
    }
    let mut lines = Vec::new();
    let mut made = std::collections::BTreeSet::new();
    for path in &args.rest {
        let text = read_capped(path, 256 << 20)?;
        let (ls, errors) = pathscope::sweep::parse_results(&text);
        if let Some(e) = errors.first() {
            return Err(Usage(format!("{path}: {e}")));
        }
        for l in &ls {
            let get = |k: &str| l.made_by.get(k).cloned().unwrap_or_default();
            made.insert(format!("{} (commit {})", get("date"), get("commit")));
        }
        lines.extend(ls);
    }
    println!(
        "Generated by `pathscope sweep summary {}` on {}; the runs were made on {}. Rates with 95% Wilson intervals.\n",
        args.rest.join(" "),
        today(),
        made.into_iter().collect::<Vec<_>>().join(", ")
    );
    print!("{}", summary_markdown(&summarize(&lines)));
    let clusters = pathscope::sweep::cluster_rates(&lines);
    if !clusters.is_empty() {
        println!("\n| source | sweep | phase end | count classes | runs where every class formed its own cluster |\n|---|---|---|---|---|");
        for c in clusters {
            let r = c.rate;
            println!(
                "| {} | {} | phase {} (p = {}) | {} | {}/{} = {:.2} [{:.2}, {:.2}] |",
                c.source,
                c.sweep,
                c.phase + 1,
                c.p,
                c.classes,
                r.k,
                r.n,
                r.k as f64 / r.n.max(1) as f64,
                r.low,
                r.high
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn collect_cmd(mut args: Args) -> CmdResult {
    let out = PathBuf::from(positional(&mut args, "the sweep's DIR")?);
    args.finish()?;
    let plan = kept_plan(&out)?;
    let lines: Vec<ResultLine> = plan.iter().filter_map(|r| finished(&out, r)).collect();
    let jsonl: String = lines.iter().map(|l| l.to_json() + "\n").collect();
    let results = out.join("results.jsonl");
    write_atomic(results.to_str().unwrap_or_default(), |w| w.write_all(jsonl.as_bytes()))
        .map_err(|e| Usage(format!("cannot write {}: {e}", results.display())))?;
    let table = summary_markdown(&summarize(&lines));
    let summary = out.join("summary.md");
    let header = format!(
        "Rates over the finished runs of {} ({} of {} planned); 95% Wilson intervals.\n\n",
        out.display(),
        lines.len(),
        plan.len()
    );
    write_atomic(summary.to_str().unwrap_or_default(), |w| w.write_all((header.clone() + &table).as_bytes()))
        .map_err(|e| Usage(format!("cannot write {}: {e}", summary.display())))?;
    print!("{header}{table}");
    println!("wrote {} and {}", results.display(), summary.display());
    Ok(ExitCode::SUCCESS)
}
