//! The trainer: epochs, curriculum switches, metrics cadence, attention history, snapshots,
//! divergence.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::{Config, Phase};
use pathscope::train::{Status, Trainer, ATTENTION_LOG_CAP};

fn small(phases: Vec<Phase>) -> Config {
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 96;
    c.schedule.batch_size = 32;
    c.model.dim = 8;
    c.model.hidden = 16;
    c.schedule.phases = phases;
    c.schedule.eval_every = 2;
    c.schedule.snapshot_every = 3;
    c
}

#[test]
fn epochs_steps_and_metrics_rows() {
    let mut tr = Trainer::new(small(vec![Phase { p: 2, epochs: 5 }])).unwrap();
    assert_eq!(tr.metrics().len(), 1, "row 0 is the initial model");
    assert!(!tr.metrics().test_acc[0].is_nan());
    tr.run_to_end(|_| {});
    assert_eq!(*tr.status(), Status::Finished);
    assert_eq!(tr.epoch(), 5);
    assert_eq!(tr.step_count(), 5 * 3, "96 / 32 = 3 steps per epoch");
    let m = tr.metrics();
    assert_eq!(m.epoch, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    // Test evaluated every 2 epochs and at the phase end; NaN elsewhere.
    let evaluated: Vec<bool> = m.test_acc.iter().map(|a| !a.is_nan()).collect();
    assert_eq!(evaluated, vec![true, false, true, false, true, true]);
    assert!(m.train_loss.iter().all(|l| l.is_finite()));
    // A finished run does not step.
    assert!(!tr.step().stepped);
}

#[test]
fn a_partial_last_minibatch_is_trained_on() {
    let mut c = small(vec![Phase { p: 2, epochs: 2 }]);
    c.data.n = 100; // 32 + 32 + 32 + 4
    let mut tr = Trainer::new(c).unwrap();
    tr.run_to_end(|_| {});
    assert_eq!(tr.step_count(), 8);
}

#[test]
fn curriculum_switch_keeps_parameters_and_adam_state_unless_asked() {
    for reset in [false, true] {
        let mut c = small(vec![Phase { p: 2, epochs: 2 }, Phase { p: 4, epochs: 2 }]);
        c.optim.reset_at_switch = reset;
        let mut tr = Trainer::new(c).unwrap();
        tr.run_epochs(1);
        assert_eq!(tr.phase(), 0);
        tr.step();
        tr.step();
        let params_before = tr.params().to_vec();
        let m_before = tr.adam().m.clone();
        let r = tr.step(); // last step of epoch 2: the switch
        assert!(r.epoch_ended && r.phase_switched);
        assert_eq!(tr.phase(), 1);
        assert_eq!(tr.p(), 4);
        assert_eq!(tr.switches(), &[2]);
        // Parameters changed by that one step only, not re-initialized.
        let moved = tr.params().iter().zip(&params_before).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        // Adam moves a weight by at most lr (1 - beta1) / sqrt(1 - beta2) ~ 3.2 lr per step.
        assert!(moved > 0.0 && moved <= 3.2e-3, "one Adam step, not a re-initialization: {moved}");
        if reset {
            assert_eq!(tr.adam().t, 0);
            assert!(tr.adam().m.iter().all(|&x| x == 0.0));
        } else {
            assert_eq!(tr.adam().t, 6);
            assert_ne!(tr.adam().m, m_before);
        }
        // The new phase trains on p = 4 data.
        assert!(tr.split(1).train.tokens.iter().any(|&x| x >= 2));
        assert!(tr.split(0).train.tokens.iter().all(|&x| x < 2));
        tr.run_to_end(|_| {});
        assert_eq!(tr.metrics().phase.last(), Some(&1.0));
    }
}

#[test]
fn same_seed_same_run_and_scratch_shares_the_p4_data() {
    let c = small(vec![Phase { p: 2, epochs: 2 }, Phase { p: 4, epochs: 2 }]);
    let mut a = Trainer::new(c.clone()).unwrap();
    let mut b = Trainer::new(c.clone()).unwrap();
    a.run_to_end(|_| {});
    b.run_to_end(|_| {});
    assert_eq!(a.params(), b.params());
    let bits = |t: &Trainer| -> Vec<u32> {
        let m = t.metrics();
        [&m.epoch, &m.phase, &m.train_loss, &m.train_acc, &m.test_loss, &m.test_acc]
            .iter()
            .flat_map(|c| c.iter().map(|x| x.to_bits()))
            .collect()
    };
    assert_eq!(bits(&a), bits(&b), "metrics, NaN rows included, bit for bit");
    let mut scratch = c.clone();
    scratch.schedule.phases = vec![Phase { p: 4, epochs: 4 }];
    let s = Trainer::new(scratch).unwrap();
    assert_eq!(s.split(0), a.split(1), "both arms of a seed see the same p = 4 data");
    assert_eq!(Trainer::new(c).unwrap().params(), s.params(), "and start from the same weights");
}

#[test]
fn snapshots_at_start_cadence_switch_and_end() {
    let mut tr = Trainer::new(small(vec![Phase { p: 2, epochs: 4 }, Phase { p: 4, epochs: 3 }])).unwrap();
    tr.run_to_end(|_| {});
    let (flat, epochs) = tr.snapshots();
    assert_eq!(epochs, &[0.0, 3.0, 4.0, 6.0, 7.0]);
    let len = tr.params().len();
    assert_eq!(flat.len(), epochs.len() * len);
    assert_eq!(&flat[flat.len() - len..], tr.params(), "the last snapshot is the final model");
}

#[test]
fn attention_history_records_every_step_then_thins() {
    let mut tr = Trainer::new(small(vec![Phase { p: 2, epochs: 3 }])).unwrap();
    let t = tr.config().model.seq_len;
    let probe: Vec<u8> = (0..t).map(|i| (i % 2) as u8).collect();
    assert!(tr.set_probes(&[1, 2]).is_err(), "wrong length");
    let mut bad = probe.clone();
    bad[0] = 9;
    assert!(tr.set_probes(&bad).unwrap_err().contains("probe token 9"));
    tr.set_probes(&probe).unwrap();
    tr.run_to_end(|_| {});
    let log = tr.attention_log().clone();
    assert_eq!(log.steps, (0..=9).map(|s| s as f32).collect::<Vec<_>>());
    assert_eq!(log.rows.len(), 10 * t);
    for row in log.rows.chunks(t) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5, "a row is a distribution");
    }
    // The last row is the attention of the final model.
    let mut now = vec![0.0; t];
    tr.attention_of(&probe, &mut now);
    assert_eq!(&log.rows[9 * t..], &now[..]);

    // Past the cap, every other row is dropped and the stride doubles: the span is kept.
    let mut c = small(vec![Phase { p: 2, epochs: 400 }]);
    c.schedule.batch_size = 1;
    c.data.n = 8;
    c.model.seq_len = 512;
    let mut long = Trainer::new(c).unwrap();
    let probe: Vec<u8> = vec![1; 512];
    long.set_probes(&probe).unwrap();
    long.run_to_end(|_| {});
    let log = long.attention_log();
    assert!(log.rows.len() <= ATTENTION_LOG_CAP);
    assert!(log.stride >= 2);
    assert_eq!(log.steps[0], 0.0);
    assert!(*log.steps.last().unwrap() as u64 >= long.step_count() - log.stride);
    assert!(log.steps.windows(2).all(|w| w[1] - w[0] == log.stride as f32), "evenly spaced after thinning");
}

#[test]
fn a_diverging_step_is_not_applied_and_stops_the_run() {
    let mut tr = Trainer::new(small(vec![Phase { p: 2, epochs: 3 }])).unwrap();
    tr.step();
    let mut params = tr.params().to_vec();
    params[tr.layout().fc2_b.start] = f32::INFINITY;
    tr.set_params(&params);
    let r = tr.step();
    assert!(!r.stepped);
    match tr.status() {
        Status::Diverged { step, message, .. } => {
            assert_eq!(*step, 1);
            assert!(message.contains("not finite") && message.contains("lower the learning rate"), "{message}");
        }
        s => panic!("expected Diverged, got {s:?}"),
    }
    assert_eq!(tr.params(), &params[..], "the bad step was not applied");
    assert!(!tr.step().stepped, "a diverged run stays stopped");
}

#[test]
fn za_of_the_test_set_with_counts() {
    let mut tr = Trainer::new(small(vec![Phase { p: 2, epochs: 1 }])).unwrap();
    let (mut za, mut counts) = (Vec::new(), Vec::new());
    tr.za_test(&mut za, &mut counts);
    let n = tr.config().data.n;
    assert_eq!(za.len(), n * tr.config().model.dim);
    assert_eq!(counts.len(), n);
    let test = &tr.split(0).test;
    assert_eq!(counts[5], test.sequence(5)[..5].iter().map(|&x| x as u32).sum::<u32>());
    assert!(za.iter().all(|v| v.is_finite()));
}
