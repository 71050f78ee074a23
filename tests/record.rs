//! Run records (`src/record.rs`, docs/record-format.md): a record written mid-run and read back
//! continues exactly as the run that never stopped, the format round-trips byte for byte, and
//! every damaged or hostile record is refused with the field at fault.
#![cfg(not(target_arch = "wasm32"))]

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use pathscope::config::{Config, Phase};
use pathscope::plan::ValidConfig;
use pathscope::record::{self, RecordError, RunInfo};
use pathscope::train::{Status, Trainer, ZaSet, ZaValues};
use serde_json::{json, Value};

/// A curriculum (p = 2 then p = 4) with minibatches (3 steps per epoch, the last one smaller),
/// test evaluations every 2 epochs, snapshots every 3 epochs, and Adam reset at the switch.
fn curriculum(reset: bool) -> ValidConfig {
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 80;
    c.schedule.batch_size = 32;
    c.model.dim = 8;
    c.model.hidden = 16;
    c.schedule.phases = vec![Phase::new(2, 5), Phase::new(4, 6)];
    c.schedule.eval_every = 2;
    c.schedule.snapshot_every = 3;
    c.optim.reset_at_switch = reset;
    ValidConfig::new(c).unwrap()
}

fn with_probes(mut tr: Trainer) -> Trainer {
    let t = tr.config().model.seq_len;
    let probes: Vec<u8> = (0..2 * t).map(|i| (i % 3) as u8).collect();
    tr.set_probes(&probes).unwrap();
    tr
}

fn text(tr: &Trainer) -> String {
    record::to_string(tr, &RunInfo::default())
}

fn bits(xs: &[f32]) -> Vec<u32> {
    xs.iter().map(|x| x.to_bits()).collect()
}

/// Everything a run shows, compared bit for bit.
fn assert_same_run(a: &mut Trainer, b: &mut Trainer, what: &str) {
    assert_eq!(a.status(), b.status(), "{what}: status");
    assert_eq!((a.epoch(), a.step_count(), a.phase()), (b.epoch(), b.step_count(), b.phase()), "{what}: position");
    for ((name, x), (_, y)) in a.metrics().columns().into_iter().zip(b.metrics().columns()) {
        assert_eq!(bits(x), bits(y), "{what}: metrics column {name}");
    }
    assert_eq!(bits(a.params()), bits(b.params()), "{what}: parameters");
    assert_eq!(bits(&a.adam().m), bits(&b.adam().m), "{what}: Adam m");
    assert_eq!(bits(&a.adam().v), bits(&b.adam().v), "{what}: Adam v");
    assert_eq!(a.adam().t, b.adam().t, "{what}: Adam t");
    let (sa, ea) = a.snapshots();
    let (sb, eb) = b.snapshots();
    assert_eq!((bits(sa), bits(ea)), (bits(sb), bits(eb)), "{what}: snapshots");
    assert_eq!(a.switches(), b.switches(), "{what}: switches");
    assert_eq!(a.attention_log(), b.attention_log(), "{what}: attention history");
    assert_eq!(a.phase_za(), b.phase_za(), "{what}: z_A at the phase ends");
    assert_eq!(a.unstable_at(), b.unstable_at(), "{what}: unstable flag");
    let (mut za, mut zb) = (ZaValues::default(), ZaValues::default());
    a.za(0, ZaSet::Test, &mut za).unwrap();
    b.za(0, ZaSet::Test, &mut zb).unwrap();
    assert_eq!(bits(&za.za), bits(&zb.za), "{what}: z_A now");
}

/// Stopped anywhere (step 0, mid-epoch, at an epoch's end, just before and after the switch,
/// mid-epoch after it) and resumed from its record, the run ends exactly as the one that never
/// stopped: every metric, parameter, moment, snapshot and attention row, bit for bit.
#[test]
fn resume_equals_uninterrupted_run() {
    for reset in [true, false] {
        let mut whole = with_probes(Trainer::new(curriculum(reset)));
        whole.run_to_end(|_| {});
        assert_eq!(*whole.status(), Status::Finished);
        // 3 steps per epoch; the switch is after step 15.
        for stop_at in [0u64, 1, 2, 3, 7, 14, 15, 16, 17, 25] {
            let mut first = with_probes(Trainer::new(curriculum(reset)));
            while first.step_count() < stop_at {
                first.step();
            }
            let saved = text(&first);
            let (mut resumed, _) = record::read(&saved).unwrap_or_else(|e| panic!("stop at {stop_at}: {e}"));
            assert_same_run(&mut first, &mut resumed, &format!("reset={reset}, just read at step {stop_at}"));
            resumed.run_to_end(|_| {});
            assert_same_run(&mut whole, &mut resumed, &format!("reset={reset}, resumed at step {stop_at}"));
        }
    }
}

/// Write, read, write: the same bytes (so no value drifts through a round trip, f32 metrics
/// included), for a running, a finished and a diverged run.
#[test]
fn record_round_trips_byte_for_byte() {
    let mut tr = with_probes(Trainer::new(curriculum(true)));
    tr.run_epochs(7);
    tr.step();
    let info = RunInfo { seconds: Some(1.25), interrupted: true };
    let a = record::to_string(&tr, &info);
    let (back, info_back) = record::read(&a).unwrap();
    assert_eq!(info_back, info);
    assert_eq!(record::to_string(&back, &info_back), a);

    tr.run_to_end(|_| {});
    let finished = text(&tr);
    assert_eq!(text(&record::read(&finished).unwrap().0), finished);
    let v: Value = serde_json::from_str(&finished).unwrap();
    assert_eq!(v["format"], "pathscope-run");
    assert_eq!(v["version"], record::VERSION);
    assert_eq!(v["status"]["state"], "finished");
    assert_eq!(v["metrics"]["test_acc"].as_array().unwrap().len(), 12, "11 epochs + the initial row");
}

/// Many random f32 values through the metrics' JSON numbers and back: each comes back as the
/// same bits (the format relies on it for the metrics, which are written as decimal text).
#[test]
fn f32_metrics_survive_json_exactly() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let f = f32::from_bits(x as u32);
        if !f.is_finite() {
            continue;
        }
        let back: f32 = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back.to_bits(), f.to_bits(), "{f:e}");
    }
}

fn f32_b64(xs: &[f32]) -> String {
    B64.encode(xs.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>())
}

fn refused(text: &str) -> RecordError {
    match record::read(text) {
        Ok(_) => panic!("accepted a bad record: {}", &text[..text.len().min(300)]),
        Err(e) => e,
    }
}

/// Each damage, and the field the message must name.
#[test]
fn damaged_and_hostile_records_are_refused_naming_the_field() {
    let mut tr = with_probes(Trainer::new(curriculum(true)));
    tr.run_epochs(6);
    tr.step();
    let good = text(&tr);
    let v: Value = serde_json::from_str(&good).unwrap();
    let len = tr.params().len();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut w = v.clone();
        f(&mut w);
        w.to_string()
    };
    let mut nan_params = tr.params().to_vec();
    nan_params[3] = f32::NAN;
    let mut inf_m = tr.adam().m.clone();
    inf_m[0] = f32::INFINITY;
    let cases: Vec<(&str, String)> = vec![
        ("", good[..good.len() / 2].to_string()),
        ("", "[1, 2, 3]".into()),
        ("", "<script>alert(1)</script>".into()),
        ("format", edit(&|w| w["format"] = json!("<img src=x onerror=alert(1)>"))),
        ("format", edit(&|w| drop(w.as_object_mut().unwrap().remove("format")))),
        ("version", edit(&|w| w["version"] = json!(2))),
        ("version", edit(&|w| w["version"] = json!("1"))),
        ("config", edit(&|w| w["config"]["model"]["dim"] = json!(-3))),
        ("config", edit(&|w| w["config"]["data"]["n"] = json!("<b>many</b>"))),
        ("config", edit(&|w| w["config"]["schedule"]["phases"][0]["p"] = json!(1e300))),
        ("params", edit(&|w| w["params"] = json!(f32_b64(&nan_params)))),
        ("params", edit(&|w| w["params"] = json!(f32_b64(&tr.params()[..len - 1])))),
        ("params", edit(&|w| w["params"] = json!("not base64!"))),
        ("params", edit(&|w| w["params"] = json!([1.0, 2.0]))),
        ("adam.m", edit(&|w| w["adam"]["m"] = json!(f32_b64(&inf_m)))),
        ("adam.t", edit(&|w| w["adam"]["t"] = json!(999))),
        ("order", edit(&|w| w["order"] = json!(B64.encode(vec![0u8; 80 * 4])))),
        ("position.step", edit(&|w| w["position"]["step"] = json!(5))),
        ("position.pos", edit(&|w| w["position"]["pos"] = json!(33))),
        ("position.phase", edit(&|w| w["position"]["phase"] = json!(7))),
        ("position.epoch", edit(&|w| w["position"]["epoch"] = json!(4))),
        ("position.epoch_loss", edit(&|w| w["position"]["epoch_loss"] = json!(-1.0))),
        ("status", edit(&|w| w["status"] = json!({"state": "finished"}))),
        ("status", edit(&|w| w["status"] = json!({"state": "<svg onload=alert(1)>"}))),
        ("switch_epochs", edit(&|w| w["switch_epochs"] = json!([3]))),
        ("metrics.test_acc", edit(&|w| w["metrics"]["test_acc"] = json!([0.5]))),
        ("metrics.epoch", edit(&|w| w["metrics"]["epoch"][2] = json!(9))),
        ("metrics.train_acc", edit(&|w| w["metrics"]["train_acc"][1] = json!(7.0))),
        ("metrics.<script>", edit(&|w| w["metrics"]["<script>"] = json!([]))),
        ("snapshots", edit(&|w| w["snapshots"]["epochs"] = json!([0.0]))),
        ("snapshots.epochs", edit(&|w| w["snapshots"]["epochs"][1] = json!(99.0))),
        ("probes", edit(&|w| w["probes"][0] = json!(200))),
        ("attention.steps", edit(&|w| w["attention"]["steps"][1] = json!(1e9))),
        ("attention.rows", edit(&|w| w["attention"]["rows"] = json!(f32_b64(&[f32::NAN; 4])))),
        ("phase_ends", edit(&|w| w["phase_ends"] = json!([{"phase": 0, "epoch": 2, "step": 6}]))),
        ("unstable_at_epoch", edit(&|w| w["unstable_at_epoch"] = json!(1000))),
    ];
    for (field, bad) in &cases {
        let e = refused(bad);
        assert!(e.field.starts_with(field), "expected the field `{field}`, got `{}`: {e}", e.field);
        let msg = e.to_string();
        assert!(msg.starts_with("not a usable run record"), "{msg}");
    }
    // Oversized: refused by its length, before parsing.
    let huge =
        format!("{{\"format\":\"pathscope-run\",\"pad\":\"{}\"}}", "x".repeat(record::MAX_RECORD_BYTES as usize));
    assert!(refused(&huge).message.contains("larger than"));
    // The untouched record still reads (the cases above changed copies only).
    record::read(&good).unwrap();
}

/// A diverged run's record keeps its last good step and reads back as diverged (nothing to resume).
#[test]
fn diverged_record_reads_back_as_diverged() {
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 32;
    c.schedule.batch_size = 32;
    c.model.dim = 8;
    c.model.hidden = 16;
    c.schedule.phases = vec![Phase::new(2, 20)];
    let mut tr = Trainer::new(ValidConfig::new(c).unwrap());
    tr.run_epochs(3);
    // Poison one parameter so the next step's loss is not finite.
    let mut p = tr.params().to_vec();
    p[0] = f32::NAN;
    tr.set_params(&p);
    tr.step();
    assert!(matches!(tr.status(), Status::Diverged { step: 4, .. }), "{:?}", tr.status());
    // The record refuses the NaN parameter: a diverged run's record holds its last good step
    // only when the trainer kept it (as it does when the step itself fails); here it did not.
    assert_eq!(refused(&text(&tr)).field, "params");
    tr.set_params(&p.iter().map(|&x| if x.is_nan() { 0.5 } else { x }).collect::<Vec<_>>());
    let (back, _) = record::read(&text(&tr)).unwrap();
    assert!(matches!(back.status(), Status::Diverged { step: 4, .. }));
    assert!(!back.is_running());
}

/// The page's export stops at a cap (the largest record a reader takes): a record that fits is
/// the same text as the uncapped one; one byte over, the error counts the snapshots that fill it
/// and says what to do, and nothing beyond the cap was written.
#[test]
fn capped_export_refuses_a_record_no_reader_would_take() {
    let mut tr = with_probes(Trainer::new(curriculum(true)));
    tr.run_to_end(|_| {});
    let full = text(&tr);
    let len = full.len() as u64;
    assert_eq!(record::to_string_capped(&tr, &RunInfo::default(), len).unwrap(), full);
    assert_eq!(record::to_string_capped(&tr, &RunInfo::default(), record::MAX_RECORD_BYTES).unwrap(), full);
    let e = record::to_string_capped(&tr, &RunInfo::default(), len - 1).unwrap_err();
    let (snapshots, _) = tr.snapshots();
    let params = tr.layout().len;
    let count = snapshots.len() / params;
    assert!(count >= 4, "start, a cadence snapshot, the switch and the end: {count}");
    assert!(
        e.message.contains(&format!("it holds {count} parameter snapshots of {params} parameters")),
        "{}",
        e.message
    );
    assert!(e.message.contains("larger than the") && e.message.contains("snapshot less often"), "{}", e.message);
    // The reader refuses what the writer would not write: one over MAX_RECORD_BYTES.
    let over = " ".repeat(record::MAX_RECORD_BYTES as usize + 1);
    let refused = record::read(&over).err().expect("a record over the cap is refused");
    assert!(refused.message.contains("larger than the 256 MiB a record may be"), "{}", refused.message);
}
