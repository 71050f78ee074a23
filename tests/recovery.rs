//! After a failure: the divergence test hook, going back to a parameter snapshot (the page's
//! "back to the last good snapshot"), and the unstable flag at a learning rate a link can ask for.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::{Config, Phase};
use pathscope::plan::ValidConfig;
use pathscope::train::{DebugFault, Status, Trainer};

fn small(phases: Vec<Phase>) -> ValidConfig {
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 96;
    c.schedule.batch_size = 32; // 3 steps per epoch
    c.model.dim = 8;
    c.model.hidden = 16;
    c.schedule.phases = phases;
    c.schedule.eval_every = 2;
    c.schedule.snapshot_every = 3;
    ValidConfig::new(c).unwrap()
}

#[test]
fn the_nan_hook_diverges_at_its_step_and_keeps_the_last_good_parameters() {
    let cfg = small(vec![Phase::new(2, 10)]);
    let mut tr = Trainer::new(cfg.clone());
    tr.debug_fault_at(20, DebugFault::NonFiniteGradient);
    tr.run_to_end(|_| {});
    match tr.status() {
        Status::Diverged { step, epoch, message } => {
            assert_eq!((*step, *epoch), (20, 7), "step 20 is in epoch 7 (3 steps per epoch)");
            assert!(message.contains("diverged at step 20"), "{message}");
        }
        s => panic!("expected Diverged, got {s:?}"),
    }
    let mut good = Trainer::new(cfg);
    for _ in 0..19 {
        assert!(good.step().stepped);
    }
    assert_eq!(tr.params(), good.params(), "the parameters are those after step 19");
    assert_eq!(tr.metrics().len(), 7, "epochs 0 to 6 are recorded, nothing of the failed epoch");
}

#[test]
fn rewinding_to_a_snapshot_restores_its_parameters_and_cuts_the_histories() {
    let cfg = small(vec![Phase::new(2, 4), Phase::new(4, 8)]);
    let mut tr = Trainer::new(cfg.clone());
    tr.set_probes(&[1; 8]).unwrap();
    tr.debug_fault_at(3 * 10 + 2, DebugFault::NonFiniteGradient);
    tr.run_to_end(|_| {});
    assert!(matches!(tr.status(), Status::Diverged { step: 32, .. }), "{:?}", tr.status());
    // Snapshots: epoch 0, every 3 epochs, and the phase end at 4.
    assert_eq!(tr.snapshots().1, &[0.0, 3.0, 4.0, 6.0, 9.0]);

    // The same run, stopped at epoch 4 (the phase end): what a rewind to 4 must look like.
    let mut at4 = Trainer::new(cfg);
    at4.set_probes(&[1; 8]).unwrap();
    at4.run_epochs(4);

    assert!(tr.rewind_to(5).unwrap_err().contains("no parameter snapshot at epoch 5"));
    tr.rewind_to(4).unwrap();
    assert_eq!(*tr.status(), Status::Running);
    assert_eq!(tr.params(), at4.params());
    assert_eq!((tr.epoch(), tr.step_count(), tr.phase()), (4, 12, 1), "epoch 4 is the first of phase 2");
    let bits = |t: &Trainer| t.metrics().columns().map(|(_, c)| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    assert_eq!(bits(&tr), bits(&at4), "the metrics of epochs 0 to 4, bit for bit (NaN where not tested)");
    assert_eq!(tr.switches(), &[4]);
    assert_eq!(tr.phase_za().len(), 1, "the end of phase 1 is kept");
    assert_eq!(tr.snapshots().1, &[0.0, 3.0, 4.0]);
    assert_eq!(tr.attention_log().steps, at4.attention_log().steps);
    assert_eq!(tr.attention_log().rows, at4.attention_log().rows);
    assert_eq!(tr.adam().t, 0, "a fresh Adam: the moments are not in a snapshot");
    assert_eq!(tr.adam().lr, 1e-3);

    // It trains on from there to the end: the hook fires once.
    tr.run_to_end(|_| {});
    assert_eq!(*tr.status(), Status::Finished);
    assert_eq!(tr.metrics().len(), 13);
    assert!(tr.metrics().train_loss.iter().all(|x| x.is_finite()));
}

#[test]
fn a_finished_run_cannot_rewind_to_its_end() {
    let mut tr = Trainer::new(small(vec![Phase::new(2, 3)]));
    tr.run_to_end(|_| {});
    assert!(tr.rewind_to(3).unwrap_err().contains("end of the run"));
    tr.rewind_to(0).unwrap();
    assert_eq!((tr.epoch(), tr.metrics().len(), tr.status().clone()), (0, 1, Status::Running));
}

#[test]
#[should_panic(expected = "debug hook: a forced panic at step 5")]
fn the_panic_hook_panics_at_its_step() {
    let mut tr = Trainer::new(small(vec![Phase::new(2, 3)]));
    tr.debug_fault_at(5, DebugFault::Panic);
    tr.run_to_end(|_| {});
}

/// The page's `#preset=quick&lr=10` (lr = 10 is the largest accepted): the loss soars at once
/// and the run is flagged unstable in its first epoch, keeps training, and never diverges.
#[test]
fn lr_10_on_the_quick_setting_is_unstable_but_finite() {
    let mut c = Config::preset("quick").unwrap();
    c.optim.lr = 10.0;
    c.schedule.phases = vec![Phase::new(2, 3), Phase::new(4, 3)];
    let mut tr = Trainer::new(ValidConfig::new(c).unwrap());
    tr.run_to_end(|_| {});
    assert_eq!(tr.unstable_at(), Some(1));
    assert_eq!(*tr.status(), Status::Finished);
    assert!(tr.metrics().train_loss.iter().all(|x| x.is_finite()));
}
