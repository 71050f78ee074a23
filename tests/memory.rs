//! The memory estimate against the memory a run really takes: a counting allocator measures the
//! peak heap of building a trainer and running it (with probes, z_A and a loss line, as the page
//! does), and the estimate must cover it without being wildly generous.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::atomic::Ordering;

use pathscope::config::{Config, Phase};
use pathscope::experiments::barrier::{loss_line, LINE_POINTS};
use pathscope::plan::{Estimate, ValidConfig};
use pathscope::train::Trainer;

mod counting_alloc;
use counting_alloc::{LIVE, ONE_AT_A_TIME, PEAK};

/// Peak bytes allocated while `f` runs, above what was live before it.
fn peak_of(f: impl FnOnce()) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - base
}

/// Builds and runs a whole run the way the page does: probes, z_A now and at each phase end, a
/// loss line between the start and the end.
fn exercise(cfg: &ValidConfig) {
    let mut tr = Trainer::new(cfg.clone());
    let t = cfg.model.seq_len;
    tr.set_probes(&vec![1u8; 4 * t]).unwrap();
    let start = tr.params().to_vec();
    tr.run_to_end(|_| {});
    let mut za = pathscope::train::ZaValues::default();
    tr.za(0, pathscope::train::ZaSet::Test, &mut za).unwrap();
    let _ = tr.za(0, pathscope::train::ZaSet::Patterns, &mut za);
    let end = tr.params().to_vec();
    let last = cfg.schedule.phases.len() - 1;
    let line = loss_line(&mut tr, &start, &end, LINE_POINTS, last).unwrap();
    assert!(line.train_barrier.is_some());
}

fn check(name: &str, cfg: Config) {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cfg = ValidConfig::new(cfg).unwrap();
    let estimate = Estimate::of(&cfg).bytes as usize;
    let peak = peak_of(|| exercise(&cfg));
    println!("{name}: measured peak {peak} bytes, estimate {estimate} bytes ({:.1}x)", estimate as f64 / peak as f64);
    assert!(peak <= estimate, "{name}: the run took {peak} bytes, more than the estimate {estimate}");
    // The attention history is reserved at its cap in the estimate (8 MiB) whatever the run; past
    // that, the estimate stays within a small factor of what is measured.
    let reserved = 8 << 20;
    assert!(estimate <= 3 * peak + reserved, "{name}: estimate {estimate} is far above the measured {peak}");
}

#[test]
fn estimate_covers_the_quick_preset() {
    let mut c = Config::preset("quick").unwrap();
    c.schedule.phases = vec![Phase::new(2, 3), Phase::new(4, 3)];
    check("quick, 6 epochs", c);
}

#[test]
fn estimate_covers_many_phases_of_one_p_and_big_data() {
    // The probe's case: many phases of the same p held one data set each; now they share one.
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 1 << 16;
    c.schedule.batch_size = 1 << 16;
    c.model.dim = 4;
    c.model.hidden = 8;
    c.schedule.phases = (0..16).map(|_| Phase::new(2, 1)).collect();
    check("16 phases of p = 2, n = 65536", c);
}

#[test]
fn estimate_covers_long_snapshot_histories() {
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 8;
    c.schedule.batch_size = 8;
    c.schedule.snapshot_every = 1;
    c.schedule.phases = vec![Phase::new(2, 6000)];
    check("6000 epochs, a snapshot every epoch", c);
}
