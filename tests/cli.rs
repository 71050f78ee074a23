//! The command line: bad input gets a message and exit code 2, never a panic; gradcheck's last
//! line and exit code are what scripts read.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathscope")).args(args).output().expect("run pathscope")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pathscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn expect_usage_error(args: &[&str], needle: &str) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(needle), "{args:?}: stderr lacks '{needle}': {e}");
    assert!(!e.contains("panicked"), "{args:?} panicked: {e}");
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    expect_usage_error(&[], "usage");
    expect_usage_error(&["frobnicate"], "unknown command 'frobnicate'");
    expect_usage_error(&["gradcheck"], "--fixture");
    expect_usage_error(&["gradcheck", "--fixture", "/nonexistent/x.json"], "cannot read /nonexistent/x.json");
    expect_usage_error(&["train", "--preset", "nope"], "unknown preset 'nope'");
    expect_usage_error(&["train", "--preset", "quick", "--seed", "abc"], "--seed abc");
    expect_usage_error(&["train", "--preset", "quick", "--config", "x.json"], "exactly one of");
    expect_usage_error(&["train", "--preset", "quick", "--bogus"], "unexpected argument '--bogus'");
    expect_usage_error(&["reproduce", "fig9"], "reproduce knows 'fig5'");
    expect_usage_error(&["reproduce", "fig5", "--epochs-scale", "3"], "--epochs-scale 3");
    let not_json = tmp("bad.json", "{ model: ");
    expect_usage_error(&["train", "--config", not_json.to_str().unwrap()], "config:");
    let not_fixture = tmp("notfixture.json", "{\"config\": {}}");
    expect_usage_error(&["gradcheck", "--fixture", not_fixture.to_str().unwrap()], "no integer field");
    let mut cfg: serde_json::Value = serde_json::to_value(pathscope::config::Config::preset("quick").unwrap()).unwrap();
    cfg["optim"]["lr"] = serde_json::json!(-1.0);
    let out_of_range = tmp("range.json", &cfg.to_string());
    expect_usage_error(&["train", "--config", out_of_range.to_str().unwrap()], "learning rate lr = -1 is not accepted");
    // Hostile arguments: refused with a message, never a panic.
    for tol in ["NaN", "inf", "-1", "0"] {
        expect_usage_error(&["gradcheck", "--fixture", "x.json", "--tol", tol], "--tol");
    }
    expect_usage_error(&["presets", "extra"], "unexpected argument 'extra'");
    let positional = tmp(
        "positional.json",
        "[[4,12,32,128,\"pytorch\"],[5,2048,0],[0.001,0.9,0.999,1e-8,false],[2048,[[2,3]],10,50]]",
    );
    expect_usage_error(&["train", "--config", positional.to_str().unwrap()], "named fields");
}

#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_refused_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let o = Command::new(env!("CARGO_BIN_EXE_pathscope"))
        .arg("train")
        .arg(std::ffi::OsStr::from_bytes(b"--preset\xff"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not valid UTF-8") && !stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn check_validates_without_training() {
    let good = tmp("good.json", &pathscope::config::Config::preset("fig5").unwrap().to_json());
    let o = run(&["check", good.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("valid") && out.contains("parameters") && out.contains("MiB"), "{out}");
    let mut big = pathscope::config::Config::preset("quick").unwrap();
    big.data.n = 1 << 20;
    big.schedule.batch_size = 1 << 20;
    big.model.seq_len = 512;
    big.model.vocab = 256;
    big.schedule.phases = (2..18).map(|p| pathscope::config::Phase::new(p, 1)).collect();
    let bad = tmp("big.json", &big.to_json());
    let o = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("memory") && stderr(&o).contains("GiB"), "{}", stderr(&o));
    let huge = tmp("huge.json", &" ".repeat(2 << 20));
    expect_usage_error(&["check", huge.to_str().unwrap()], "larger than");
}

#[test]
fn outputs_are_checked_before_the_run_and_never_clobber_the_input() {
    let cfg = tmp("in.json", &pathscope::config::Config::preset("quick").unwrap().to_json());
    let before = std::fs::read_to_string(&cfg).unwrap();
    let c = cfg.to_str().unwrap();
    let o = run(&["train", "--config", c, "--json", c]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is the config file itself"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&cfg).unwrap(), before, "the config is untouched");
    // An unwritable place is named at once, before a single epoch (this would train 400 epochs).
    let start = std::time::Instant::now();
    expect_usage_error(
        &["train", "--config", c, "--json", "/nonexistent-dir/r.json"],
        "cannot write /nonexistent-dir/r.json",
    );
    assert!(start.elapsed().as_secs_f64() < 5.0, "refused before training");
}

#[test]
fn a_diverging_run_exits_non_zero_and_an_unstable_one_says_so() {
    // lr = 10 on a tiny model: the loss explodes; whether it ends NaN (diverged) or huge but
    // finite (unstable), the command line must say which, and a diverged run exits 1.
    let mut cfg = pathscope::config::Config::preset("quick").unwrap();
    cfg.data.n = 64;
    cfg.optim.lr = 10.0;
    cfg.schedule.phases = vec![pathscope::config::Phase::new(4, 40)];
    let path = tmp("wild.json", &cfg.to_json());
    let o = run(&["train", "--config", path.to_str().unwrap()]);
    let e = stderr(&o);
    assert!(e.contains("unstable") || e.contains("diverged"), "{e}");
    if e.contains("diverged") {
        assert_eq!(o.status.code(), Some(1), "{e}");
    }
}

#[test]
fn gradcheck_passes_the_small_fixture_and_fails_a_corrupted_one() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grad_small.json");
    let o = run(&["gradcheck", "--fixture", fixture.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let last = out.lines().last().unwrap();
    let value: f64 = last.strip_prefix("max_rel_err=").expect(last).parse().unwrap();
    assert!(value < 1e-5);
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    json["loss"] = serde_json::json!(json["loss"].as_f64().unwrap() + 0.01);
    let bad = tmp("corrupt.json", &json.to_string());
    let o = run(&["gradcheck", "--fixture", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("loss") && String::from_utf8_lossy(&o.stdout).contains("FAIL"));
}

#[test]
fn gradcheck_fails_a_model_that_outputs_nan_and_names_the_tensor() {
    // Valid JSON, but a query weight of 1e308 is infinite in f32: the loss and every gradient are
    // NaN. f64::max skips NaN, so this once passed with max_rel_err near 0 (tests/gradcheck.rs).
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grad_small.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    json["weights"]["query"][0][0] = serde_json::json!(1e308);
    json["grads"]["query"][0][0] = serde_json::json!(1e308);
    let bad = tmp("nan.json", &json.to_string());
    let o = run(&["gradcheck", "--fixture", bad.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert_eq!(out.lines().last(), Some("max_rel_err=inf"), "{out}");
    let loss = out.lines().find(|l| l.starts_with("loss ")).unwrap();
    assert!(loss.contains("FAIL") && loss.contains("not finite"), "{loss}");
    assert!(stderr(&o).contains("not finite") && stderr(&o).contains("grad.fc1_w"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn gradcheck_reads_a_bounded_amount_and_checks_sizes_first() {
    // An endless file: read up to the cap (64 MiB) and refused, in well under the time a
    // read without bound would take to fill the memory.
    let start = std::time::Instant::now();
    expect_usage_error(&["gradcheck", "--fixture", "/dev/zero"], "larger than 64 MiB");
    assert!(start.elapsed().as_secs_f64() < 20.0, "took {:?}", start.elapsed());
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grad_small.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    json["config"]["nb_emb"] = serde_json::json!(1e12);
    let huge = tmp("huge-vocab.json", &json.to_string());
    expect_usage_error(&["gradcheck", "--fixture", huge.to_str().unwrap()], "config.nb_emb = 1000000000000");
    json["config"]["nb_emb"] = serde_json::json!(4.5);
    let frac = tmp("frac-vocab.json", &json.to_string());
    expect_usage_error(&["gradcheck", "--fixture", frac.to_str().unwrap()], "config.nb_emb = 4.5");
}

#[test]
fn train_writes_a_json_record() {
    let mut cfg = pathscope::config::Config::preset("quick").unwrap();
    cfg.data.n = 64;
    cfg.schedule.phases = vec![pathscope::config::Phase::new(2, 2), pathscope::config::Phase::new(4, 2)];
    let cfg_path = tmp("small.json", &serde_json::to_string(&cfg).unwrap());
    let out = std::env::temp_dir().join(format!("pathscope-cli-{}/record.json", std::process::id()));
    let o = run(&["train", "--config", cfg_path.to_str().unwrap(), "--seed", "3", "--json", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(rec["config"]["data"]["seed"], 3);
    assert_eq!(rec["metrics"]["epoch"].as_array().unwrap().len(), 5, "rows for epochs 0..=4");
    assert_eq!(rec["switch_epochs"], serde_json::json!([2]));
    assert_eq!(rec["status"]["state"], "finished", "the status is data, not debug text");
    // Written through a temporary file and a rename: nothing else is left beside it.
    let dir = out.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_what_was_trained() {
    let mut cfg = pathscope::config::Config::preset("quick").unwrap();
    cfg.schedule.phases = vec![pathscope::config::Phase::new(2, 100_000)];
    let path = tmp("long.json", &cfg.to_json());
    let out = std::env::temp_dir().join(format!("pathscope-cli-{}/interrupted.json", std::process::id()));
    let child = Command::new(env!("CARGO_BIN_EXE_pathscope"))
        .args(["train", "--config", path.to_str().unwrap(), "--json", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted at epoch"), "{}", stderr(&o));
    let rec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(rec["interrupted"], true);
    let epochs = rec["metrics"]["epoch"].as_array().unwrap().len();
    assert!(epochs > 1 && epochs < 100_001, "what was trained, and no more: {epochs} rows");
    assert_eq!(rec["status"]["state"], "running");
}

/// `train --json` writes the whole run record; `resume` continues a record written mid-run to the
/// very run `train` made in one go (metrics, parameters, Adam state: the same bytes); `check`
/// tells a valid record from a damaged one; `barrier` prints the height the library computes.
#[test]
fn resume_and_barrier_work_on_run_records() {
    use pathscope::config::{Config, Phase};
    let mut cfg = Config::preset("quick").unwrap();
    cfg.data.n = 64;
    cfg.schedule.batch_size = 16;
    cfg.schedule.phases = vec![Phase::new(2, 3), Phase::new(4, 3)];
    let cfg_path = tmp("resume-cfg.json", &cfg.to_json());
    let dir = std::env::temp_dir().join(format!("pathscope-cli-{}", std::process::id()));
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let o = run(&["train", "--config", cfg_path.to_str().unwrap(), "--json", &path("whole.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // Stopped after 2 epochs and 1 step (mid-epoch, before the switch), as Ctrl-C or the page's
    // export would leave it.
    let mut tr = pathscope::train::Trainer::new(pathscope::plan::ValidConfig::new(cfg.clone()).unwrap());
    tr.run_epochs(2);
    tr.step();
    std::fs::write(path("mid.json"), pathscope::record::to_string(&tr, &Default::default())).unwrap();
    let o = run(&["check", &path("mid.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("a valid run record: running at epoch 2 of 6, step 9"));

    let o = run(&["resume", &path("mid.json"), "--json", &path("resumed.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path(name)).unwrap()).unwrap()
    };
    let (whole, resumed) = (read("whole.json"), read("resumed.json"));
    for key in ["metrics", "params", "adam", "order", "position", "snapshots", "status", "phase_ends", "config"] {
        assert_eq!(whole[key], resumed[key], "{key} differs between the resumed and the uninterrupted run");
    }

    // A damaged record: check and resume refuse it with the field, exit 2.
    let mut bad = read("mid.json");
    bad["position"]["step"] = serde_json::json!(3);
    std::fs::write(path("bad.json"), bad.to_string()).unwrap();
    for args in [vec!["check", &path("bad.json")[..]], vec!["resume", &path("bad.json")[..]]] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("`position.step`"), "{}", stderr(&o));
    }

    // The barrier between the middle of the run and its end, on the end's current phase (p = 4).
    let o = run(&["barrier", &path("mid.json"), &path("whole.json"), "--phase", "1", "--json", &path("line.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (mut a, _) = pathscope::record::read(&std::fs::read_to_string(path("mid.json")).unwrap()).unwrap();
    let (b, _) = pathscope::record::read(&std::fs::read_to_string(path("whole.json")).unwrap()).unwrap();
    let (pa, pb) = (a.params().to_vec(), b.params().to_vec());
    let line = pathscope::experiments::barrier::loss_line(&mut a, &pa, &pb, 101, 1).unwrap();
    let want = line.train_barrier.unwrap().height;
    let printed = read("line.json")["train_barrier"]["height"].as_f64().unwrap();
    assert_eq!(printed, want);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("train {want:.6}")),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let o = run(&["barrier", &path("mid.json")]);
    assert_eq!(o.status.code(), Some(2));
}
