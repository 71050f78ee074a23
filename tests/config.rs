//! Config validation: every rule names the field, the value and what is accepted.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::{Config, Phase, MEMORY_BUDGET_BYTES, PRESETS};
use pathscope::rng::{Purpose, Stream};

fn expect_err(cfg: &Config, field: &str, value: &str) {
    let err = cfg.validate().expect_err(&format!("{field} = {value} should be refused"));
    assert_eq!(err.field, field, "{err}");
    assert_eq!(err.value, value, "{err}");
    let msg = err.to_string();
    assert!(msg.contains(field) && msg.contains(value) && !err.accepted.is_empty(), "{msg}");
}

#[test]
fn presets_are_valid() {
    for name in PRESETS {
        Config::preset(name).unwrap().validate().unwrap_or_else(|e| panic!("{name}: {e}"));
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
    expect_err(&with(&|c| c.optim.lr = f32::NAN), "optim.lr", "NaN");
    expect_err(&with(&|c| c.optim.lr = f32::INFINITY), "optim.lr", "inf");
    expect_err(&with(&|c| c.optim.lr = 0.0), "optim.lr", "0");
    expect_err(&with(&|c| c.optim.lr = -1e-3), "optim.lr", "-0.001");
    expect_err(&with(&|c| c.optim.beta1 = 1.0), "optim.beta1", "1");
    expect_err(&with(&|c| c.optim.beta2 = -0.1), "optim.beta2", "-0.1");
    expect_err(&with(&|c| c.optim.eps = 0.0), "optim.eps", "0");
    expect_err(&with(&|c| c.schedule.phases.clear()), "schedule.phases", "[]");
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
    assert!(huge.memory_estimate() > MEMORY_BUDGET_BYTES);
    expect_err(&huge, "size", &format!("{} MiB", huge.memory_estimate() >> 20));
    let snapshots = with(&|c| {
        c.model.dim = 256;
        c.model.hidden = 1024;
        c.schedule.snapshot_every = 1;
        c.schedule.phases = vec![Phase { p: 4, epochs: 100_000 }];
    });
    assert_eq!(snapshots.validate().unwrap_err().field, "size");
}

#[test]
fn json_round_trip_and_unknown_fields() {
    let c = Config::preset("fig4").unwrap();
    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(Config::from_json(&text).unwrap(), c);
    let typo = text.replace("\"lr\"", "\"learning_rate\"");
    let err = Config::from_json(&typo).unwrap_err();
    assert!(err.contains("learning_rate"), "{err}");
    let bad_value = text.replace("\"k\":5", "\"k\":50");
    assert!(Config::from_json(&bad_value).unwrap_err().contains("data.k = 50"));
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
        c.optim.lr = pick(&[1e-3, 0.5, 1.0], &[0.0, -1.0, f32::NAN, f32::INFINITY, 1.5]);
        c.optim.beta1 = pick(&[0.0, 0.9], &[1.0, -0.5]);
        c.optim.beta2 = pick(&[0.5, 0.999], &[1.0, 2.0]);
        c.optim.eps = pick(&[1e-8, 1.0], &[0.0, -1e-8, f32::NAN]);
        c.schedule.eval_every = pick(&[1.0, 3.0], &[0.0]) as usize;
        let phases = pick(&[1.0, 2.0, 3.0], &[0.0]) as usize;
        c.schedule.phases = (0..phases)
            .map(|_| Phase {
                p: pick(&[2.0, 3.0, 4.0], &[0.0, 1.0, 7.0]) as usize,
                epochs: pick(&[1.0, 2.0], &[0.0]) as usize,
            })
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
            && c.optim.lr <= 1.0
            && (0.0..1.0).contains(&c.optim.beta1)
            && (0.0..1.0).contains(&c.optim.beta2)
            && c.optim.eps > 0.0
            && !c.schedule.phases.is_empty()
            && c.schedule.phases.iter().all(|ph| ph.p >= 2 && ph.p <= m.vocab && ph.epochs >= 1)
            && c.schedule.eval_every >= 1;
        match c.validate() {
            Ok(()) => {
                assert!(ok, "accepted a bad config: {c:?}");
                accepted += 1;
                let mut tr = pathscope::train::Trainer::new(c).unwrap();
                tr.epoch_step();
                assert!(tr.metrics().train_loss.iter().all(|l| l.is_finite()));
            }
            Err(e) => {
                assert!(!ok, "refused a good config ({e}): {c:?}");
                assert!(!e.field.is_empty() && e.to_string().contains(&e.field));
            }
        }
    }
    assert!(accepted > 50 && accepted < 550, "the generator should produce valid and invalid configs ({accepted})");
}
