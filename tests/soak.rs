//! A long session: a million optimizer steps of a tiny model, with probes recorded at every step,
//! a snapshot every epoch and the test set evaluated every epoch, as the page would leave it
//! running for hours. The memory it holds (measured by the counting allocator) must stay flat:
//! the histories are reserved once and thinned at their caps, never grown.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::Ordering;

use pathscope::config::{Config, Phase};
use pathscope::plan::{ValidConfig, SNAPSHOT_CAP};
use pathscope::train::{Trainer, ATTENTION_LOG_CAP};

mod counting_alloc;
use counting_alloc::{LIVE, ONE_AT_A_TIME};

#[test]
fn a_million_steps_hold_flat_memory() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = Config::preset("quick").unwrap();
    c.model.vocab = 2;
    c.model.seq_len = 2;
    c.model.dim = 2;
    c.model.hidden = 2;
    c.data.k = 1;
    c.data.n = 100;
    c.schedule.batch_size = 1; // 100 steps per epoch
    c.schedule.phases = vec![Phase::new(2, 5_000), Phase::new(2, 5_000)];
    c.schedule.eval_every = 1;
    c.schedule.snapshot_every = 1; // 10,000 snapshots asked for: thinned at the cap
    let cfg = ValidConfig::new(c).unwrap();
    assert_eq!(cfg.total_steps(), 1_000_000);

    let base = LIVE.load(Ordering::Relaxed);
    let mut tr = Trainer::new(cfg);
    tr.set_probes(&[1, 0, 0, 1]).unwrap();
    let start = LIVE.load(Ordering::Relaxed) - base;
    let mut at_100k = 0;
    let mut steps = 0u64;
    while tr.is_running() {
        tr.epoch_step();
        steps = tr.step_count();
        if steps == 100_000 {
            at_100k = LIVE.load(Ordering::Relaxed) - base;
        }
    }
    let end = LIVE.load(Ordering::Relaxed) - base;
    println!(
        "soak: {steps} steps; memory held {start} bytes at the start, {at_100k} at step 100,000, {end} at step \
         {steps} ({:+.2}% from step 100,000); {} snapshots, {} attention rows (stride {}), {} metric rows",
        100.0 * (end as f64 - at_100k as f64) / at_100k as f64,
        tr.snapshots().1.len(),
        tr.attention_log().steps.len(),
        tr.attention_log().stride,
        tr.metrics().len()
    );
    assert_eq!(steps, 1_000_000);
    assert!(at_100k > 0);
    assert!(
        (end as f64) <= 1.1 * at_100k as f64 && (end as f64) >= 0.9 * at_100k as f64,
        "memory grew: {at_100k} -> {end}"
    );
    // The histories were thinned at their caps, and still span the whole run.
    assert!(tr.snapshots().1.len() <= SNAPSHOT_CAP + 4);
    assert_eq!(*tr.snapshots().1.last().unwrap(), 10_000.0);
    assert!(tr.attention_log().rows.len() <= ATTENTION_LOG_CAP && tr.attention_log().stride >= 2);
    assert_eq!(tr.metrics().len(), 10_001);
}
