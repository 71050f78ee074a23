//! Config validation: every rule names the field, the value and what is accepted.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::{field_label, Config, ConfigError, Phase, MAX_EPOCHS, PRESETS};
use pathscope::plan::{Estimate, ValidConfig, MAX_STEPS, MEMORY_BUDGET_BYTES, WORK_BUDGET_FLOPS};
use pathscope::rng::{Purpose, Stream};

fn expect_err(cfg: &Config, field: &str, value: &str) {
    let err = ValidConfig::new(cfg.clone()).expect_err(&format!("{field} = {value} should be refused"));
    assert_eq!(err.field(), field, "{err}");
    assert_eq!(err.value(), value, "{err}");
    let msg = err.to_string();
    // The message speaks the user's language: the setting's name, not the code's path.
    assert!(msg.contains(&field_label(field)) && msg.contains(value) && !err.accepted().is_empty(), "{msg}");
    assert!(!msg.contains("optim.") && !msg.contains("schedule.") && !msg.contains("model."), "{msg}");
}

#[test]
fn presets_are_valid() {
    for name in PRESETS {
        ValidConfig::new(Config::preset(name).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(Config::preset("nope").is_none());
}

#[test]
fn every_rule_names_its_field() {
    let base = Config::fig5();
    let with = |f: &dyn Fn(&mut Config)| {
        let mut c = base.clone();
        f(&mut c);
        c
    };
    expect_err(&with(&|c| c.schedule.phases[0].p = 1), "schedule.phases[0].p", "1");
    expect_err(&with(&|c| c.schedule.phases[1].p = 5), "schedule.phases[1].p", "5");
    expect_err(&with(&|c| c.data.k = 0), "data.k", "0");
    expect_err(&with(&|c| c.data.k = 13), "data.k", "13");
    expect_err(&with(&|c| c.model.dim = 0), "model.dim", "0");
    expect_err(&with(&|c| c.model.hidden = 0), "model.hidden", "0");
    expect_err(&with(&|c| c.data.n = 0), "data.n", "0");
    expect_err(&with(&|c| c.schedule.batch_size = 0), "schedule.batch_size", "0");
    expect_err(&with(&|c| c.schedule.batch_size = 4096), "schedule.batch_size", "4096");
    expect_err(&with(&|c| c.optim.lr = f64::NAN), "optim.lr", "NaN");
    expect_err(&with(&|c| c.optim.lr = f64::INFINITY), "optim.lr", "inf");
    expect_err(&with(&|c| c.optim.lr = 10.5), "optim.lr", "10.5");
    // Values are echoed as given, not after rounding to f32: this beta2 rounds to 1 in f32.
    expect_err(&with(&|c| c.optim.beta2 = 0.99999999), "optim.beta2", "0.99999999");
    expect_err(&with(&|c| c.optim.lr = 0.0), "optim.lr", "0");
    expect_err(&with(&|c| c.optim.lr = -1e-3), "optim.lr", "-0.001");
    expect_err(&with(&|c| c.optim.beta1 = 1.0), "optim.beta1", "1");
    expect_err(&with(&|c| c.optim.beta2 = -0.1), "optim.beta2", "-0.1");
    expect_err(&with(&|c| c.optim.eps = 0.0), "optim.eps", "0");
    expect_err(&with(&|c| c.schedule.phases.clear()), "schedule.phases", "none");
    // The epoch limit holds for the whole run, so the scratch twin (all epochs in one phase)
    // of an accepted curriculum is accepted too.
    expect_err(
        &with(&|c| c.schedule.phases = vec![Phase::new(2, MAX_EPOCHS), Phase::new(4, 1)]),
        "schedule.phases",
        &format!("{} epochs in all", MAX_EPOCHS + 1),
    );
    expect_err(&with(&|c| c.schedule.phases[0].epochs = 0), "schedule.phases[0].epochs", "0");
    expect_err(&with(&|c| c.schedule.eval_every = 0), "schedule.eval_every", "0");
    expect_err(&with(&|c| c.model.vocab = 1), "model.vocab", "1");
    expect_err(&with(&|c| c.model.seq_len = 0), "model.seq_len", "0");
    // Sizes whose memory would exceed the budget: one big field, then snapshots of a long run.
    let huge = with(&|c| {
        c.data.n = 1 << 20;
        c.schedule.batch_size = 1 << 20;
        c.model.seq_len = 512;
        c.data.k = 5;
    });
    assert!(Estimate::of(&huge).bytes > MEMORY_BUDGET_BYTES);
    assert_eq!(ValidConfig::new(huge).unwrap_err().field(), "memory");
    let snapshots = with(&|c| {
        c.model.dim = 256;
        c.model.hidden = 1024;
        c.schedule.snapshot_every = 1;
        c.schedule.phases = vec![Phase::new(4, 100_000)];
    });
    assert_eq!(ValidConfig::new(snapshots).unwrap_err().field(), "memory");
}

/// The probe's link: V = 256, T = 512, n = B = 2^20 and sixteen phases. Its memory wrapped around
/// in 32-bit arithmetic; in 64-bit saturating arithmetic it is refused, with the estimate.
#[test]
fn budgets_do_not_wrap_and_count_every_phase() {
    let mut c = Config::preset("quick").unwrap();
    c.model.vocab = 256;
    c.model.seq_len = 512;
    c.data.n = 1 << 20;
    c.schedule.batch_size = 1 << 20;
    c.schedule.phases = (2..18).map(|p| Phase::new(p, 1)).collect();
    let est = Estimate::of(&c);
    assert!(est.bytes > 16 << 30, "about 17 GB of data alone: {}", est.bytes);
    let err = ValidConfig::new(c).unwrap_err();
    assert!(matches!(err, ConfigError::Budget { field: "memory", .. }), "{err}");
    assert!(err.to_string().contains("GiB") && err.to_string().contains("512 MiB"), "{err}");

    // Work: a million epochs of 65,536 one-sequence steps.
    let mut w = Config::preset("quick").unwrap();
    w.data.n = 1 << 16;
    w.schedule.batch_size = 1;
    w.schedule.phases = vec![Phase::new(2, MAX_EPOCHS)];
    w.schedule.snapshot_every = 0;
    assert!(w.total_steps() > MAX_STEPS);
    assert_eq!(ValidConfig::new(w.clone()).unwrap_err().field(), "work");
    // Fewer steps but too many operations.
    w.schedule.batch_size = 1 << 16;
    w.model.dim = 256;
    w.model.hidden = 1024;
    let est = Estimate::of(&w);
    assert!(est.flops > WORK_BUDGET_FLOPS && est.bytes < MEMORY_BUDGET_BYTES, "{est:?}");
    assert_eq!(ValidConfig::new(w).unwrap_err().field(), "work");
    // The paper's run is well inside both.
    let fig5 = ValidConfig::preset("fig5").unwrap();
    assert!(fig5.estimate().flops < WORK_BUDGET_FLOPS / 50 && fig5.estimate().bytes < 64 << 20);
}

#[test]
fn json_errors_name_the_field() {
    let text = Config::preset("fig5").unwrap().to_json();
    let wrong_type = text.replace("\"n\":2048", "\"n\":\"many\"");
    let err = Config::parse_json(&wrong_type).unwrap_err();
    assert_eq!((err.field(), err.json_field()), ("json", Some("data.n")), "{err}");
    assert!(err.to_string().contains("training sequences n"), "{err}");
    let err = Config::parse_json("{\"model\": ").unwrap_err();
    assert!(matches!(err, ConfigError::Json { line: 1, .. }), "{err}");
    // A struct given as a positional list is refused, though serde would read it.
    let c = Config::preset("fig5").unwrap();
    let m = &c.model;
    let positional = text.replacen(
        &serde_json::to_string(m).unwrap(),
        &format!("[{},{},{},{},\"pytorch\"]", m.vocab, m.seq_len, m.dim, m.hidden),
        1,
    );
    assert_ne!(positional, text);
    let err = Config::parse_json(&positional).unwrap_err();
    assert_eq!(err.json_field(), Some("model"), "{err}");
    assert!(Config::parse_json("[]").is_err());
}

#[test]
fn json_round_trip_and_unknown_fields() {
    let c = Config::preset("fig4").unwrap();
    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(*ValidConfig::from_json(&text).unwrap(), c);
    let typo = text.replace("\"lr\"", "\"learning_rate\"");
    let err = ValidConfig::from_json(&typo).unwrap_err().to_string();
    assert!(err.contains("learning_rate"), "{err}");
    let bad_value = text.replace("\"k\":5", "\"k\":50");
    let err = ValidConfig::from_json(&bad_value).unwrap_err();
    assert_eq!((err.field(), err.value()), ("data.k", "50"));
    assert!(err.to_string().contains("relevant tokens k = 50"), "{err}");
}

/// Property test: random configurations are accepted exactly when every rule holds; an
/// accepted one builds a trainer that can step; a refused one says which field.
#[test]
fn random_configs_are_accepted_iff_all_rules_hold() {
    let mut r = Stream::new(42, Purpose::Probe);
    let mut accepted = 0;
    for _ in 0..600 {
        // Each field is mostly drawn from its valid range, sometimes from just outside it.
        let mut pick = |good: &[f32], bad: &[f32]| -> f32 {
            if r.below(12) == 0 {
                bad[r.below(bad.len() as u32) as usize]
            } else {
                good[r.below(good.len() as u32) as usize]
            }
        };
        let mut c = Config::fig5();
        c.model.vocab = pick(&[2.0, 3.0, 4.0, 6.0], &[0.0, 1.0, 257.0]) as usize;
        c.model.seq_len = pick(&[1.0, 3.0, 8.0], &[0.0]) as usize;
        c.model.dim = pick(&[1.0, 2.0, 5.0], &[0.0]) as usize;
        c.model.hidden = pick(&[1.0, 4.0, 8.0], &[0.0]) as usize;
        c.data.k = pick(&[1.0, 2.0, 3.0], &[0.0, 9.0]) as usize;
        c.data.n = pick(&[8.0, 20.0, 37.0], &[0.0]) as usize;
        c.schedule.batch_size = pick(&[1.0, 5.0, 8.0], &[0.0, 38.0]) as usize;
        c.optim.lr = pick(&[1e-3, 0.5, 10.0], &[0.0, -1.0, f32::NAN, f32::INFINITY, 10.5]) as f64;
        c.optim.beta1 = pick(&[0.0, 0.9], &[1.0, -0.5]) as f64;
        c.optim.beta2 = pick(&[0.5, 0.999], &[1.0, 2.0]) as f64;
        c.optim.eps = pick(&[1e-8, 1.0], &[0.0, -1e-8, f32::NAN]) as f64;
        c.schedule.eval_every = pick(&[1.0, 3.0], &[0.0]) as usize;
        let phases = pick(&[1.0, 2.0, 3.0], &[0.0]) as usize;
        c.schedule.phases = (0..phases)
            .map(|_| Phase::new(pick(&[2.0, 3.0, 4.0], &[0.0, 1.0, 7.0]) as usize, pick(&[1.0, 2.0], &[0.0]) as usize))
            .collect();
        let m = &c.model;
        let ok = (2..=256).contains(&m.vocab)
            && m.seq_len >= 1
            && m.dim >= 1
            && m.hidden >= 1
            && c.data.k >= 1
            && c.data.k <= m.seq_len
            && c.data.n >= 1
            && c.schedule.batch_size >= 1
            && c.schedule.batch_size <= c.data.n
            && c.optim.lr > 0.0
            && c.optim.lr <= 10.0
            && (0.0..1.0).contains(&c.optim.beta1)
            && (0.0..1.0).contains(&c.optim.beta2)
            && c.optim.eps > 0.0
            && !c.schedule.phases.is_empty()
            && c.schedule.phases.iter().all(|ph| ph.p >= 2 && ph.p <= m.vocab && ph.epochs >= 1)
            && c.schedule.eval_every >= 1;
        match ValidConfig::new(c.clone()) {
            Ok(valid) => {
                assert!(ok, "accepted a bad config: {c:?}");
                accepted += 1;
                let twin = valid.scratch_twin().expect("the scratch twin of a valid config is valid");
                assert_eq!(twin.total_epochs(), valid.total_epochs());
                let mut tr = pathscope::train::Trainer::new(valid);
                tr.epoch_step();
                assert!(tr.metrics().train_loss.iter().all(|l| l.is_finite()) || c.optim.lr > 1.0);
            }
            Err(e) => {
                assert!(!ok, "refused a good config ({e}): {c:?}");
                assert!(!e.field().is_empty() && e.to_string().contains(&field_label(e.field())));
            }
        }
    }
    assert!(accepted > 50 && accepted < 550, "the generator should produce valid and invalid configs ({accepted})");
}

#[test]
fn class_is_figure_5_with_a_shorter_schedule() {
    // The page opens on class: the paper's figure-5 setup in every field but the epochs.
    let (class, fig5) = (Config::preset("class").unwrap(), Config::fig5());
    assert_eq!(class.schedule.phases, vec![Phase::new(2, 2000), Phase::new(4, 2000)]);
    let mut same = class.clone();
    same.schedule.phases = fig5.schedule.phases.clone();
    assert_eq!(same, fig5);
    assert_eq!(PRESETS[0], "class", "listed first, as the page's default");
}
