//! Fuzzing of the two readers of untrusted text: the config parser and validator
//! ([`ValidConfig::from_json`], what the page's address, `--config` and `check` feed) and the
//! gradcheck fixture reader ([`Fixture::parse`] with its size checks, then [`run`]). Both are read
//! through [`read_capped`], as the command line does, so bytes that are not UTF-8 are fuzzed too.
//!
//! Inputs come from a structured mutator on stable Rust (no cargo-fuzz, which needs nightly): it
//! starts from the valid files of `tests/fuzz/corpus/<target>/` (and, for fixtures, two of
//! `tests/fixtures/`), changes their JSON tree (values replaced by boundary and absurd numbers,
//! changed types, keys deleted, renamed or added, lists emptied, grown or cut, long strings,
//! nesting), then often their text (a cut, a flipped or inserted byte, invalid UTF-8, a
//! duplicated key, deep nesting, a splice of another file). Every corpus file is also run as it is
//! first: a `regress-*` file is an input that once broke a reader.
//!
//! For every input: no panic (caught and counted, the input saved to `out/fuzz/`); no hang (a
//! watchdog aborts the run, saving the input, past [`HANG_SECS`]; each input's time is measured);
//! the heap held while reading it stays within the target's budget (a counting global allocator,
//! as in tests/memory.rs); and a refusal names a field. `cargo test --test fuzz` runs a few
//! seconds' worth; `make fuzz` (scripts/fuzz.sh) a million inputs per target, with
//! `PATHSCOPE_FUZZ_INPUTS` (and `PATHSCOPE_FUZZ_SEED`) set.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pathscope::config::{field_label, ConfigError, PRESETS};
use pathscope::gradcheck::{check_bytes, run, Fixture, MAX_FIXTURE_BYTES};
use pathscope::plan::{fmt_bytes, read_capped, ValidConfig};
use serde_json::{json, Map, Value};

mod counting_alloc;
use counting_alloc::{LIVE, ONE_AT_A_TIME, PEAK};

/// An input still running after this long is a hang: the watchdog saves it and aborts.
const HANG_SECS: u64 = 10;
/// Largest config text the command line reads (`MAX_CONFIG_BYTES` in src/bin/pathscope.rs).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The heap a config of `len` bytes may take to read and validate: the text (twice over while
/// `read_capped` grows its buffer), the typed config (a phase takes 16 bytes and at least 18 of
/// text) and the message, which may quote a long unknown key several times over (the field path,
/// serde's sentence, ours: about 11 times the key). No JSON tree is built (a tree of small
/// objects once took 50 to 100 times its text: `regress-objects-tree.json`).
fn config_budget(len: usize) -> usize {
    16 * len + (64 << 10)
}

/// The heap a fixture of `len` bytes may take to read (the text, then every number it lists as an
/// f64, each taking at least 2 bytes of text, twice over while a list grows), plus, when it is
/// accepted, what [`run`] holds for its sizes ([`check_bytes`], checked before anything is read).
fn fixture_budget(len: usize) -> usize {
    12 * len + (64 << 10)
}

// ---- a small random generator (splitmix64): the harness depends on nothing of the crate's ----

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ---- the mutator ---------------------------------------------------------------------------

/// Numbers at and around every limit the readers know, and absurd ones.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "4",
    "5",
    "8",
    "12",
    "255",
    "256",
    "257",
    "511",
    "512",
    "513",
    "1023",
    "1024",
    "1025",
    "4095",
    "4096",
    "4097",
    "65535",
    "65536",
    "65537",
    "1048576",
    "1048577",
    "999999",
    "1000000",
    "1000001",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "1e12",
    "1e308",
    "-1e308",
    "1e309",
    "0.5",
    "1.5",
    "-0.0",
    "1e-45",
    "1e-46",
    "5e-324",
    "0.99999994",
    "0.99999997",
    "1.0",
    "10",
    "10.000001",
    "3.4028235e38",
    "3.5e38",
    "2.0",
    "1e1",
    "1E2",
    "0e0",
];

const KEYS: &[&str] = &[
    "model",
    "data",
    "optim",
    "schedule",
    "vocab",
    "seq_len",
    "dim",
    "hidden",
    "init",
    "k",
    "n",
    "seed",
    "lr",
    "beta1",
    "beta2",
    "eps",
    "reset_at_switch",
    "batch_size",
    "phases",
    "p",
    "epochs",
    "eval_every",
    "snapshot_every",
    "config",
    "nb_emb",
    "T",
    "d",
    "h",
    "batch",
    "inputs",
    "targets",
    "weights",
    "grads",
    "loss",
    "intermediates",
    "attn",
    "z_A",
    "logits",
    "after_adam_step",
    "after_5_adam_steps",
    "loss_after",
    "losses_after_each_step_from_0",
    "token_emb",
    "pos_emb",
    "query",
    "value",
    "fc1_w",
    "fc1_b",
    "fc2_w",
    "fc2_b",
    "",
    "__proto__",
    "\u{0}",
    "é",
];

fn random_scalar(r: &mut Rng) -> Value {
    match r.below(8) {
        0 => Value::Null,
        1 => Value::Bool(r.chance(2)),
        2 => Value::String((*r.pick(KEYS)).to_string()),
        3 => Value::String("x".repeat(r.below(1 << 16))),
        4 => Value::String(r.pick(&["pytorch", "visualization", "PyTorch", "erf", "1", "nan", "Infinity"]).to_string()),
        _ => serde_json::from_str::<Value>(r.pick::<&str>(NUMBERS)).unwrap_or(Value::Null),
    }
}

/// Every path to a node of the tree, as (key or index) steps.
fn paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(Step::Key(k.clone()));
                paths(x, at, out);
                at.pop();
            }
        }
        // Long lists (tensors): a few of their entries, not all.
        Value::Array(xs) => {
            let step = (xs.len() / 8).max(1);
            for i in (0..xs.len()).step_by(step) {
                at.push(Step::Index(i));
                paths(&xs[i], at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn node<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// One change of the JSON tree at a random node.
fn mutate_tree(r: &mut Rng, v: &mut Value) {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = r.pick(&all).clone();
    let n = node(v, &path);
    match r.below(12) {
        // A number at a boundary, or near the one there.
        0..=3 => {
            *n = match n.as_f64() {
                Some(x) if r.chance(2) => {
                    let y = match r.below(6) {
                        0 => x + 1.0,
                        1 => x - 1.0,
                        2 => x * 2.0,
                        3 => -x,
                        4 => x / 3.0,
                        _ => x * 1e6,
                    };
                    serde_json::Number::from_f64(y).map(Value::Number).unwrap_or(Value::Null)
                }
                _ => serde_json::from_str::<Value>(r.pick::<&str>(NUMBERS)).unwrap_or(Value::Null),
            }
        }
        // Another type.
        4 => *n = random_scalar(r),
        5 => *n = if r.chance(2) { json!([]) } else { json!({}) },
        6 => *n = json!([n.clone()]),
        // Keys: delete, add, rename.
        7 => {
            if let Value::Object(m) = n {
                if !m.is_empty() {
                    let k = m.keys().nth(r.below(m.len())).cloned().unwrap_or_default();
                    let x = m.remove(&k).unwrap_or(Value::Null);
                    if r.chance(2) {
                        m.insert(r.pick(KEYS).to_string(), x);
                    }
                }
            } else {
                *n = Value::Object(Map::from_iter([(r.pick(KEYS).to_string(), n.clone())]));
            }
        }
        8 => {
            if let Value::Object(m) = n {
                m.insert(r.pick(KEYS).to_string(), random_scalar(r));
            }
        }
        // Lists: cut, grow, empty, made huge.
        9 => {
            if let Value::Array(xs) = n {
                match r.below(4) {
                    0 => xs.truncate(r.below(xs.len() + 1)),
                    1 if !xs.is_empty() => {
                        let x = xs[r.below(xs.len())].clone();
                        for _ in 0..1 + r.below(3) {
                            xs.push(x.clone());
                        }
                    }
                    2 => xs.clear(),
                    _ => {
                        let x = xs.first().cloned().unwrap_or(json!(0));
                        if x.is_number() || x.is_object() && x.to_string().len() < 64 {
                            xs.resize(r.below(20_000), x);
                        }
                    }
                }
            }
        }
        // Swap a subtree with another one of the same file.
        10 => {
            let other = node(&mut v.clone(), &r.pick(&all).clone()).clone();
            *node(v, &path) = other;
        }
        _ => *n = json!({ "": n.clone(), "extra": random_scalar(r) }),
    }
}

/// One change of the text (bytes: the result need not be UTF-8).
fn mutate_text(r: &mut Rng, text: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let at = r.below(text.len() + 1);
    match r.below(10) {
        0 => text.truncate(at),
        1 if !text.is_empty() => {
            let i = r.below(text.len());
            text[i] ^= 1 << r.below(8);
        }
        2 => {
            let bytes: &[&[u8]] =
                &[b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\"", b"\\", b",", b"}", b"]", b"{", b"[", b"\\u0000"];
            let b = r.pick(bytes);
            text.splice(at..at, b.iter().copied());
        }
        3 => {
            // Deep nesting, past serde_json's recursion limit or just under it.
            let depth = *r.pick(&[127usize, 128, 129, 500, 10_000]);
            let mut s = "[".repeat(depth).into_bytes();
            s.extend(r.pick(NUMBERS).as_bytes());
            if r.chance(2) {
                s.extend("]".repeat(depth).bytes());
            }
            text.splice(at..at, s);
        }
        4 => {
            // A duplicated key: the text of one `"key": value` pair again after it.
            let s = String::from_utf8_lossy(text).into_owned();
            let keys: Vec<usize> = s.match_indices("\":").map(|(i, _)| i).collect();
            if let Some(&colon) = keys.get(r.below(keys.len().max(1))) {
                if let Some(start) = s[..colon].rfind('"') {
                    let end = s[colon..].find([',', '}']).map(|e| colon + e).unwrap_or(s.len());
                    let pair = format!(",{}", &s[start..end]);
                    let insert = end.min(text.len());
                    text.splice(insert..insert, pair.into_bytes());
                }
            }
        }
        5 if !text.is_empty() => {
            let end = (at + r.below(64)).min(text.len());
            text.drain(at.min(end)..end);
        }
        6 => {
            let other = r.pick(corpus);
            let from = r.below(other.len() + 1);
            let to = (from + r.below(256)).min(other.len());
            text.splice(at..at, other[from..to].iter().copied());
        }
        7 => {
            let ws = *r.pick::<&str>(&[" ", "\n", "\t", "\u{feff}", "\u{a0}"]);
            text.splice(at..at, ws.bytes());
        }
        8 => {
            // A long string of escapes where a value was.
            let s = format!("\"{}\"", "\\u00e9".repeat(r.below(4096)));
            text.splice(at..at, s.into_bytes());
        }
        _ => {
            let n = *r.pick(NUMBERS);
            text.splice(at..at, n.bytes());
        }
    }
}

/// The next input: a corpus file, its tree changed one to four times, then its text or not.
fn next_input(r: &mut Rng, trees: &[Value], texts: &[Vec<u8>]) -> Vec<u8> {
    let mut tree = r.pick(trees).clone();
    for _ in 0..1 + r.below(4) {
        mutate_tree(r, &mut tree);
    }
    let mut text = tree.to_string().into_bytes();
    if r.chance(2) {
        for _ in 0..1 + r.below(3) {
            mutate_text(r, &mut text, texts);
        }
    }
    text
}

// ---- the driver ----------------------------------------------------------------------------

/// What one input did.
enum Outcome {
    Accepted,
    Rejected,
}

/// The figures of one target's run.
#[derive(Default)]
struct Report {
    inputs: u64,
    accepted: u64,
    rejected: u64,
    panics: Vec<String>,
    violations: Vec<String>,
    max_input_ms: f64,
    max_input_len: usize,
    peak_bytes: usize,
    /// Largest heap / budget ratio of any input.
    worst_budget_use: f64,
    seconds: f64,
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("out/fuzz");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn save(name: &str, input: &[u8]) -> String {
    let path = out_dir().join(name);
    let _ = std::fs::write(&path, input);
    path.display().to_string()
}

fn inputs_wanted(default: u64) -> u64 {
    std::env::var("PATHSCOPE_FUZZ_INPUTS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn corpus(target: &str, extra: &[&str]) -> (Vec<(String, Vec<u8>)>, Vec<Value>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(extra.iter().map(|p| root.join(p)));
    files.sort();
    let named: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(p).unwrap()))
        .collect();
    let trees: Vec<Value> = named
        .iter()
        .filter(|(name, _)| !name.starts_with("regress-"))
        .map(|(name, b)| serde_json::from_slice(b).unwrap_or_else(|e| panic!("corpus file {name}: {e}")))
        .collect();
    assert!(!trees.is_empty(), "no valid seed in {}", dir.display());
    (named, trees)
}

/// Runs `check` on each corpus file, then on `wanted` mutated inputs; `check` returns the outcome
/// and the heap budget of that input, or a violation of a promise (a message with no field...).
fn fuzz(
    target: &'static str,
    wanted: u64,
    extra_seeds: &[&str],
    check: impl Fn(&[u8]) -> Result<(Outcome, usize), String>,
) -> Report {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (named, trees) = corpus(target, extra_seeds);
    let texts: Vec<Vec<u8>> = named.iter().map(|(_, b)| b.clone()).collect();
    let seed = std::env::var("PATHSCOPE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    let mut rng = Rng(seed ^ target.len() as u64);

    // The watchdog: an input running past HANG_SECS is saved and the run aborted.
    let current: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
    let started = Arc::new(AtomicU64::new(0)); // ms since `epoch`, 0 = between inputs
    let done = Arc::new(AtomicBool::new(false));
    let epoch = Instant::now();
    let watchdog = {
        let (current, started, done) = (current.clone(), started.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let s = started.load(Ordering::Relaxed);
                if s > 0 && epoch.elapsed().as_millis() as u64 > s + HANG_SECS * 1000 {
                    let input = current.lock().map(|c| c.clone()).unwrap_or_default();
                    let path = save(&format!("hang-{target}.bin"), &input);
                    eprintln!("fuzz {target}: an input ran over {HANG_SECS} s (a hang); saved to {path}");
                    std::process::abort();
                }
            }
        })
    };

    let mut report = Report::default();
    let start = Instant::now();
    let total = named.len() as u64 + wanted;
    for i in 0..total {
        let input = match named.get(i as usize) {
            Some((_, bytes)) => bytes.clone(),
            None => next_input(&mut rng, &trees, &texts),
        };
        if let Ok(mut c) = current.lock() {
            c.clone_from(&input);
        }
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        started.store(epoch.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| check(&input)));
        let ms = t.elapsed().as_secs_f64() * 1e3;
        started.store(0, Ordering::Relaxed);
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        report.inputs += 1;
        report.peak_bytes = report.peak_bytes.max(peak);
        if ms > report.max_input_ms {
            report.max_input_ms = ms;
            report.max_input_len = input.len();
        }
        let label = named.get(i as usize).map(|(n, _)| n.clone()).unwrap_or_else(|| format!("input {i}"));
        match result {
            Err(_) => {
                let path = save(&format!("panic-{target}-{}.bin", report.panics.len()), &input);
                report.panics.push(format!("{label} panicked (saved to {path})"));
            }
            Ok(Err(violation)) => {
                if report.violations.len() < 10 {
                    let path = save(&format!("violation-{target}-{}.bin", report.violations.len()), &input);
                    report.violations.push(format!("{label}: {violation} (saved to {path})"));
                }
                report.rejected += 1;
            }
            Ok(Ok((outcome, budget))) => {
                match outcome {
                    Outcome::Accepted => report.accepted += 1,
                    Outcome::Rejected => report.rejected += 1,
                }
                report.worst_budget_use = report.worst_budget_use.max(peak as f64 / budget as f64);
                if peak > budget && report.violations.len() < 10 {
                    let path = save(&format!("memory-{target}-{}.bin", report.violations.len()), &input);
                    report.violations.push(format!(
                        "{label} ({} bytes) held {peak} bytes, over its budget of {budget} (saved to {path})",
                        input.len()
                    ));
                }
            }
        }
        if report.panics.len() >= 10 {
            break;
        }
        if named.get(i as usize).is_some_and(|(n, _)| n.starts_with("valid-")) && report.accepted == 0 {
            report.violations.push(format!("corpus seed {label} is not accepted"));
        }
    }
    done.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    report.seconds = start.elapsed().as_secs_f64();
    println!(
        "fuzz {target}: {} inputs ({} corpus files), {} accepted, {} rejected, {} panics, 0 hangs, {} violations, \
         max {:.2} ms per input ({} bytes), peak heap {} ({:.0}% of that input's budget at most), {:.1} s",
        report.inputs,
        named.len(),
        report.accepted,
        report.rejected,
        report.panics.len(),
        report.violations.len(),
        report.max_input_ms,
        report.max_input_len,
        fmt_bytes(report.peak_bytes as u64),
        100.0 * report.worst_budget_use,
        report.seconds
    );
    report
}

fn assert_clean(target: &str, r: &Report) {
    assert!(r.panics.is_empty(), "fuzz {target}: panics:\n{}", r.panics.join("\n"));
    assert!(r.violations.is_empty(), "fuzz {target}: violations:\n{}", r.violations.join("\n"));
    assert!(r.max_input_ms < (HANG_SECS * 1000) as f64, "fuzz {target}: an input took {:.0} ms", r.max_input_ms);
}

/// A config refusal must say which setting: a field, and its label in the sentence. Text that is
/// not a config at all says where (the field serde was reading, if any, else line and column).
fn names_a_field(e: &ConfigError) -> Result<(), String> {
    let message = e.to_string();
    let field = e.field();
    if field.is_empty() {
        return Err(format!("an error with no field: {message}"));
    }
    match e.json_field() {
        Some("") => {
            if !message.starts_with("config: ") {
                return Err(format!("malformed JSON without 'config:': {message}"));
            }
        }
        Some(path) => {
            if !message.contains(&field_label(path)) {
                return Err(format!("message lacks the label of {path}: {message}"));
            }
        }
        None => {
            if !message.contains(&field_label(field)) {
                return Err(format!("message lacks the label of {field}: {message}"));
            }
        }
    }
    Ok(())
}

fn check_config(input: &[u8]) -> Result<(Outcome, usize), String> {
    let budget = config_budget(input.len());
    let text = match read_capped(input, MAX_CONFIG_BYTES) {
        Ok(t) => t,
        Err(e) if e.contains("not UTF-8") || e.contains("larger than") => return Ok((Outcome::Rejected, budget)),
        Err(e) => return Err(format!("read_capped: {e}")),
    };
    match ValidConfig::from_json(&text) {
        Err(e) => names_a_field(&e).map(|()| (Outcome::Rejected, budget)),
        Ok(cfg) => {
            // What is accepted round-trips, and its scratch twin is valid too (plan.rs's promise).
            match ValidConfig::from_json(&cfg.to_json()) {
                Ok(again) if again == cfg => {}
                other => return Err(format!("does not round-trip: {other:?}")),
            }
            cfg.scratch_twin().map_err(|e| format!("valid, but its scratch twin is not: {e}"))?;
            Ok((Outcome::Accepted, budget))
        }
    }
}

/// The fields a fixture refusal may name.
const FIXTURE_FIELDS: &[&str] = &[
    "config",
    "inputs",
    "targets",
    "weights",
    "grads",
    "loss",
    "intermediates",
    "after_adam_step",
    "after_5_adam_steps",
];

fn check_fixture(input: &[u8]) -> Result<(Outcome, usize), String> {
    let mut budget = fixture_budget(input.len());
    let text = match read_capped(input, MAX_FIXTURE_BYTES) {
        Ok(t) => t,
        Err(e) if e.contains("not UTF-8") => return Ok((Outcome::Rejected, budget)),
        Err(e) => return Err(format!("read_capped: {e}")),
    };
    match Fixture::parse(&text) {
        Err(e) => {
            let syntax = e.starts_with("fixture is not JSON:") || e.contains("at line");
            if !syntax && !FIXTURE_FIELDS.iter().any(|f| e.contains(f)) {
                return Err(format!("the message names no field: {e}"));
            }
            Ok((Outcome::Rejected, budget))
        }
        Ok(f) => {
            budget += check_bytes(f.dims, f.targets.len()) as usize;
            // The whole check, as the command line runs it, while it is small enough to be quick.
            if check_bytes(f.dims, f.targets.len()) <= 16 << 20 {
                let rows = run(&f).map_err(|e| format!("run refused an accepted fixture: {e}"))?;
                if rows.len() != 31 {
                    return Err(format!("{} comparisons, not 31", rows.len()));
                }
            }
            Ok((Outcome::Accepted, budget))
        }
    }
}

#[test]
fn fuzz_config_parser_and_validator() {
    let r = fuzz("config", inputs_wanted(10_000), &[], check_config);
    assert_clean("config", &r);
    assert!(r.accepted > 0 && r.rejected > 0, "the mutator should make both kinds");
}

#[test]
fn fuzz_gradcheck_fixture_reader() {
    let seeds = ["tests/fixtures/grad_d2_v2_t8_k5_p2_b9_s3.json", "tests/fixtures/grad_d4_v3_t5_k2_p3_b7_s1.json"];
    let r = fuzz("fixture", inputs_wanted(2_000), &seeds, check_fixture);
    assert_clean("fixture", &r);
    assert!(r.accepted > 0 && r.rejected > 0, "the mutator should make both kinds");
}

#[test]
fn the_url_fuzzer_presets_are_the_cores() {
    // e2e/tests/fuzz-url.test.mjs fuzzes the page's address parser without wasm, so it reads
    // the presets from the corpus: they must be the core's, or the fuzz tests another page.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/url/presets.json");
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let page = PRESETS;
    for &name in page {
        let core = serde_json::to_value(ValidConfig::preset(name).unwrap()).unwrap();
        assert_eq!(stored[name], core, "{}: preset {name} differs from the core's; regenerate it", path.display());
    }
    assert_eq!(stored.as_object().unwrap().len(), page.len());
}

#[test]
fn numbers_read_back_bit_for_bit() {
    // Found by this fuzzer: without serde_json's float_roundtrip feature, "1e-45" parsed one
    // unit in the last place away from the nearest double, so an accepted config did not read
    // back from its own JSON as the same config (nor a record's config as the run it describes).
    for x in ["1e-45", "1.0000000000000001e-45", "0.001", "3e-3", "1e-300", "0.99999994", "2.2250738585072014e-308"] {
        let parsed: f64 = serde_json::from_str(x).unwrap();
        assert_eq!(parsed.to_bits(), x.parse::<f64>().unwrap().to_bits(), "{x}");
        let again: f64 = serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
        assert_eq!(again.to_bits(), parsed.to_bits(), "{x}");
    }
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus/config/regress-eps-roundtrip.json"),
    )
    .unwrap();
    let cfg = ValidConfig::from_json(&text).unwrap();
    assert_eq!(ValidConfig::from_json(&cfg.to_json()).unwrap(), cfg);
}
