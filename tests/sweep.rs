//! Sweeps through the command line: stable plans, shards that cover the plan once, results that do
//! not depend on the shard or the thread count, atomic records that survive a kill, and rates that
//! match hand-computed ones.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pathscope::plan::ValidConfig;
use pathscope::sweep::{summarize, wilson, ResultLine, Sweep};
use pathscope::train::Trainer;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathscope")).args(args).output().expect("run pathscope")
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn scratch_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pathscope-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A tiny sweep: 3 seeds x 2 arms x 2 Adam settings (the scratch arm collapses to 3 runs).
const TINY: &str = r#"
name = "tiny"
preset = "quick"
seeds = "0-2"
arms = ["curriculum", "scratch"]
[set]
"data.n" = 64
"model.dim" = 8
"model.hidden" = 16
"schedule.phases" = [{ p = 2, epochs = 3 }, { p = 4, epochs = 3 }]
[grid]
"optim.reset_at_switch" = [true, false]
"#;

fn write_sweep(dir: &Path) -> String {
    let f = dir.join("tiny.toml");
    std::fs::write(&f, TINY).unwrap();
    f.to_str().unwrap().to_string()
}

fn results(dir: &Path) -> Vec<ResultLine> {
    let text = std::fs::read_to_string(dir.join("results.jsonl")).unwrap();
    text.lines().map(|l| ResultLine::parse(l).unwrap()).collect()
}

/// The part of a results line that the run itself determines (not its clock or machine).
fn outcome(l: &ResultLine) -> String {
    let mut l = l.clone();
    l.wall_seconds = 0.0;
    l.made_by.clear();
    l.to_json()
}

#[test]
fn shards_cover_the_plan_once_and_results_do_not_depend_on_shard_or_threads() {
    let dir = scratch_dir("shards");
    let file = write_sweep(&dir);
    let plan = Sweep::parse(TINY).unwrap().plan().unwrap();
    assert_eq!(plan.len(), 6 + 3);
    // The whole plan on 2 threads in one process ...
    let whole = dir.join("whole");
    ok(&["sweep", "run", &file, "--out", whole.to_str().unwrap(), "--jobs", "2"]);
    ok(&["sweep", "collect", whole.to_str().unwrap()]);
    // ... and in three shards on one thread each (one of them as a Slurm array task).
    let sharded = dir.join("sharded");
    let s = sharded.to_str().unwrap();
    let mut seen = BTreeSet::new();
    for (i, extra) in
        [(0, vec!["--shard", "0/3"]), (1, vec!["--task", "1", "--tasks", "3"]), (2, vec!["--shard", "2/3"])]
    {
        let before: BTreeSet<String> = list_results(&sharded);
        let mut args = vec!["sweep", "run", file.as_str(), "--out", s, "--jobs", "1"];
        args.extend(extra);
        ok(&args);
        let after = list_results(&sharded);
        let new: BTreeSet<String> = after.difference(&before).cloned().collect();
        assert_eq!(new.len(), 3, "shard {i} runs its third of the plan");
        assert!(new.is_disjoint(&seen), "no run in two shards");
        seen.extend(new);
    }
    assert_eq!(seen.len(), plan.len(), "the shards' union is the plan");
    ok(&["sweep", "collect", s]);
    let (a, b) = (results(&whole), results(&sharded));
    assert_eq!(a.len(), plan.len());
    let ids: Vec<&str> = a.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, plan.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), "in the plan's order");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(outcome(x), outcome(y), "{}: the same result, bit for bit", x.id);
    }
    // And the same as a single run made without the sweep machinery.
    let first = &plan[0];
    let mut tr = Trainer::new(ValidConfig::new(first.config.clone()).unwrap());
    tr.run_to_end(|_| {});
    let m = tr.metrics();
    assert_eq!(a[0].final_.train_loss.to_bits(), m.train_loss[m.len() - 1].to_bits());
    assert_eq!(a[0].final_.test_acc.to_bits(), m.last_test().unwrap().2.to_bits());
    // A rerun finds everything done.
    assert!(ok(&["sweep", "run", &file, "--out", s]).contains("9 already finished, 0 to run"));
}

fn list_results(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir.join("runs"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn a_killed_sweep_leaves_no_half_record_and_a_rerun_completes_it() {
    let dir = scratch_dir("kill");
    // Runs long enough to kill mid-way: 4 seeds of 400 epochs.
    let f = dir.join("slow.toml");
    std::fs::write(
        &f,
        "name = \"slow\"\npreset = \"quick\"\nseeds = \"0-3\"\n[set]\n\"data.n\" = 256\n\"schedule.phases\" = [{ p = 2, epochs = 400 }]\n",
    )
    .unwrap();
    let out = dir.join("out");
    let (file, o) = (f.to_str().unwrap(), out.to_str().unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_pathscope"))
        .args(["sweep", "run", file, "--out", o, "--jobs", "1"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until a run is under way, then kill the process hard.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !std::fs::read_dir(out.join("runs"))
        .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".running")))
        .unwrap_or(false)
    {
        assert!(std::time::Instant::now() < deadline, "no run started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    // Every record present parses whole; nothing half-written is left under a record's name.
    for name in list_results(&out) {
        let text = std::fs::read_to_string(out.join("runs").join(&name)).unwrap();
        ResultLine::parse(text.trim()).unwrap_or_else(|e| panic!("{name} is not a whole record: {e}"));
    }
    let done_before = list_results(&out).len();
    assert!(done_before < 4, "killed before the end");
    let status = ok(&["sweep", "status", o]);
    assert!(status.contains(&format!("{done_before} done")), "{status}");
    // The rerun redoes what was unfinished and keeps what was done.
    let rerun = ok(&["sweep", "run", file, "--out", o, "--jobs", "2"]);
    assert!(rerun.contains(&format!("{done_before} already finished")), "{rerun}");
    assert_eq!(list_results(&out).len(), 4);
    assert!(ok(&["sweep", "status", o]).contains("4 done, 0 running, 0 missing"));
}

#[test]
fn collect_rates_equal_hand_computed_ones() {
    // tests/fixtures/results/rates.jsonl: 5 curriculum lines (test acc 1.0, 0.99, 0.6, 0.49,
    // 0.25; train acc 1, 1, 1, 1, 0.9) and 3 scratch lines (0.25, 0.52, 0.97; train 1, 1, 1).
    let text = include_str!("fixtures/results/rates.jsonl");
    let lines: Vec<ResultLine> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| ResultLine::parse(l).unwrap()).collect();
    let rows = summarize(&lines);
    let cur = rows.iter().find(|r| r.arm == "curriculum").unwrap();
    let scr = rows.iter().find(|r| r.arm == "scratch").unwrap();
    let ks = |r: &pathscope::sweep::SummaryRow| r.rates.iter().map(|x| (x.k, x.n)).collect::<Vec<_>>();
    assert_eq!(ks(cur), vec![(2, 5), (3, 5), (4, 5)], "> 0.95: 1.0 and 0.99; > 0.5: and 0.6; train = 1: four");
    assert_eq!(ks(scr), vec![(1, 3), (2, 3), (3, 3)]);
    assert_eq!(cur.rates[0], wilson(2, 5));
    // 2 of 5 by hand: center (2 + 1.9207) / 8.8415 = 0.4434, half 1.96 sqrt(1.2 + 0.9604) / 8.8415.
    assert!(
        (cur.rates[0].low - 0.1176).abs() < 1e-3 && (cur.rates[0].high - 0.7693).abs() < 1e-3,
        "{:?}",
        cur.rates[0]
    );
}
