//! The trainer: epochs, curriculum switches, metrics cadence, attention history, snapshots,
//! divergence.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::{Config, Phase};
use pathscope::plan::ValidConfig;
use pathscope::train::{Status, Trainer, ZaSet, ZaValues, ATTENTION_LOG_CAP};

fn trainer(c: Config) -> Trainer {
    Trainer::new(ValidConfig::new(c).unwrap())
}

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
    let mut tr = trainer(small(vec![Phase::new(2, 5)]));
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
    let mut c = small(vec![Phase::new(2, 2)]);
    c.data.n = 100; // 32 + 32 + 32 + 4
    let mut tr = trainer(c);
    tr.run_to_end(|_| {});
    assert_eq!(tr.step_count(), 8);
}

#[test]
fn curriculum_switch_keeps_parameters_and_adam_state_unless_asked() {
    for reset in [false, true] {
        let mut c = small(vec![Phase::new(2, 2), Phase::new(4, 2)]);
        c.optim.reset_at_switch = reset;
        let mut tr = trainer(c);
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
        assert!(tr.split(1).unwrap().train.tokens.iter().any(|&x| x >= 2));
        assert!(tr.split(0).unwrap().train.tokens.iter().all(|&x| x < 2));
        tr.run_to_end(|_| {});
        assert_eq!(tr.metrics().phase.last(), Some(&1.0));
    }
}

#[test]
fn same_seed_same_run_and_scratch_shares_the_p4_data() {
    let c = small(vec![Phase::new(2, 2), Phase::new(4, 2)]);
    let mut a = trainer(c.clone());
    let mut b = trainer(c.clone());
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
    scratch.schedule.phases = vec![Phase::new(4, 4)];
    let s = trainer(scratch);
    assert_eq!(s.split(0).unwrap(), a.split(1).unwrap(), "both arms of a seed see the same p = 4 data");
    assert_eq!(trainer(c).params(), s.params(), "and start from the same weights");
}

#[test]
fn snapshots_at_start_cadence_switch_and_end() {
    let mut tr = trainer(small(vec![Phase::new(2, 4), Phase::new(4, 3)]));
    tr.run_to_end(|_| {});
    let (flat, epochs) = tr.snapshots();
    assert_eq!(epochs, &[0.0, 3.0, 4.0, 6.0, 7.0]);
    let len = tr.params().len();
    assert_eq!(flat.len(), epochs.len() * len);
    assert_eq!(&flat[flat.len() - len..], tr.params(), "the last snapshot is the final model");
}

#[test]
fn attention_history_records_every_step_then_thins() {
    let mut tr = trainer(small(vec![Phase::new(2, 3)]));
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
    let mut c = small(vec![Phase::new(2, 400)]);
    c.schedule.batch_size = 1;
    c.data.n = 8;
    c.model.seq_len = 512;
    let mut long = trainer(c);
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
    let mut tr = trainer(small(vec![Phase::new(2, 3)]));
    tr.step();
    let mut params = tr.params().to_vec();
    params[tr.layout().fc2_b.start] = f32::INFINITY;
    tr.set_params(&params);
    let r = tr.step();
    assert!(!r.stepped);
    match tr.status() {
        Status::Diverged { step, message, .. } => {
            assert_eq!(*step, 2, "the second step failed (steps count from 1)");
            assert!(message.contains("diverged") && message.contains("learning rate"), "{message}");
        }
        s => panic!("expected Diverged, got {s:?}"),
    }
    assert_eq!(tr.params(), &params[..], "the bad step was not applied");
    assert!(!tr.step().stepped, "a diverged run stays stopped");
}

#[test]
fn za_of_the_test_set_with_counts() {
    let mut tr = trainer(small(vec![Phase::new(2, 1)]));
    let mut v = ZaValues::default();
    tr.za(0, ZaSet::Test, &mut v).unwrap();
    assert!(tr.za(1, ZaSet::Test, &mut v).is_err(), "no phase 1");
    let ZaValues { za, counts } = v;
    let n = tr.config().data.n;
    assert_eq!(za.len(), n * tr.config().model.dim);
    assert_eq!(counts.len(), n);
    let test = &tr.split(0).unwrap().test;
    assert_eq!(counts[5], test.sequence(5)[..5].iter().map(|&x| x as u32).sum::<u32>());
    assert!(za.iter().all(|v| v.is_finite()));
}

#[test]
fn za_is_kept_at_each_phase_end_and_phases_of_one_p_share_data() {
    let mut tr = trainer(small(vec![Phase::new(2, 2), Phase::new(4, 1), Phase::new(2, 1)]));
    assert!(tr.phase_za().is_empty());
    tr.run_epochs(2);
    let kept = tr.phase_za().to_vec();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].phase, kept[0].epoch, kept[0].step), (0, 2, 6));
    // It is z_A of phase 0's test set and patterns under the model at the switch.
    for set in [ZaSet::Test, ZaSet::Patterns] {
        let mut now = ZaValues::default();
        tr.za(0, set, &mut now).unwrap();
        assert_eq!(kept[0].of(set), Some(&now), "{set:?}");
    }
    assert_eq!(kept[0].patterns.as_ref().unwrap().counts.len(), 32, "2^5 patterns of the first k = 5 tokens");
    tr.run_to_end(|_| {});
    let ends: Vec<(usize, usize)> = tr.phase_za().iter().map(|z| (z.phase, z.epoch)).collect();
    assert_eq!(ends, vec![(0, 2), (1, 3), (2, 4)], "one per phase, the last at the run's end");
    assert_eq!(tr.split(0).unwrap(), tr.split(2).unwrap(), "both p = 2 phases train on one data set");
    assert!(tr.split(3).is_err());
}

#[test]
fn a_rising_loss_is_flagged_unstable_and_the_run_goes_on() {
    let mut c = small(vec![Phase::new(4, 30)]);
    c.model.vocab = 4;
    c.optim.lr = 3.0;
    let mut tr = trainer(c);
    tr.run_to_end(|_| {});
    let m = tr.metrics();
    let first_high = (1..m.len()).find(|&i| m.train_loss[i] > 10.0 * m.train_loss[0]).map(|i| m.epoch[i] as usize);
    assert!(first_high.is_some(), "lr = 3 should blow the loss up: {:?}", m.train_loss);
    assert_eq!(tr.unstable_at(), first_high);
    // Calm runs are never flagged.
    let mut calm = trainer(small(vec![Phase::new(2, 5)]));
    calm.run_to_end(|_| {});
    assert_eq!(calm.unstable_at(), None);
}

#[test]
fn snapshots_are_thinned_past_the_cap_keeping_start_and_switches() {
    use pathscope::plan::SNAPSHOT_CAP;
    let mut c = small(vec![Phase::new(2, 3000), Phase::new(4, 2000)]);
    c.data.n = 4;
    c.schedule.batch_size = 4;
    c.model.dim = 2;
    c.model.hidden = 2;
    c.schedule.snapshot_every = 1;
    let mut tr = trainer(c);
    tr.run_to_end(|_| {});
    let (flat, epochs) = tr.snapshots();
    assert!(epochs.len() <= SNAPSHOT_CAP + 2, "{} snapshots", epochs.len());
    assert_eq!(flat.len(), epochs.len() * tr.params().len());
    assert_eq!(epochs[0], 0.0);
    assert!(epochs.contains(&3000.0), "the switch is kept");
    assert_eq!(*epochs.last().unwrap(), 5000.0);
    assert!(epochs.windows(2).all(|w| w[0] < w[1]));
    // Evenly spaced (but for the kept switch and end): one stride between neighbours.
    let gaps: std::collections::BTreeSet<u32> = epochs.windows(2).map(|w| (w[1] - w[0]) as u32).collect();
    assert!(gaps.len() <= 3, "{gaps:?}");
    assert!(epochs.len() >= SNAPSHOT_CAP / 2, "thinned to about the cap, not far below: {}", epochs.len());
    assert_eq!(&flat[flat.len() - tr.params().len()..], tr.params());
}

#[test]
fn a_phase_may_set_its_own_learning_rate() {
    let mut c = small(vec![Phase::new(2, 1), Phase { p: 4, epochs: 1, lr: Some(1e-2) }]);
    c.optim.lr = 1e-3;
    let mut tr = trainer(c);
    assert_eq!(tr.adam().lr, 1e-3);
    tr.run_epochs(1);
    assert_eq!(tr.phase(), 1);
    assert_eq!(tr.adam().lr, 1e-2, "the finetune phase's own rate, as in the authors' notebook");
    // The preset that uses it: the notebook's figure-4 setting.
    let nb = Config::preset("fig4-notebook").unwrap();
    assert_eq!(nb.schedule.phases[1].lr, Some(1e-2));
    assert!(nb.optim.reset_at_switch && nb.model.dim == 2 && nb.schedule.batch_size == nb.data.n);
}

/// Issue 13: at large learning rates GELU's far tail, near-certain probabilities and the tiny
/// gradients behind them used to fill the buffers with subnormal floats (a quarter of the MLP's
/// pre-activation gradients at lr = 0.1 within 20 epochs), which x86 computes ~100 times slower.
/// None may appear now, in any buffer (parameters, gradients, Adam's moments, activations),
/// after any epoch of full-batch figure-5 training at lr = 0.1 or 1.
#[test]
fn large_learning_rates_leave_no_subnormal_in_any_buffer() {
    for lr in [0.1, 1.0] {
        let mut c = Config::fig5();
        c.optim.lr = lr;
        c.schedule.phases = vec![Phase::new(2, 40)];
        let mut tr = trainer(c);
        while tr.is_running() {
            tr.epoch_step();
            let found: Vec<_> = tr.subnormals().into_iter().filter(|&(_, n)| n > 0).collect();
            assert!(found.is_empty(), "lr {lr}, epoch {}: subnormals in {found:?}", tr.epoch());
        }
        assert_eq!(*tr.status(), Status::Finished, "lr {lr}");
    }
}
