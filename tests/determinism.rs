//! Determinism: the same seed gives bit-identical runs, and the bits are pinned in
//! tests/golden/determinism.json so that the browser build (tests/web_core.rs) can prove it computes
//! exactly the same run as the native build. Regenerate after an intended change of the
//! arithmetic with `PATHSCOPE_BLESS=1 cargo test --test determinism`.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::Config;
use pathscope::train::Trainer;

fn losses(cfg: &Config, steps: usize) -> Vec<u32> {
    let mut tr = Trainer::new(pathscope::plan::ValidConfig::new(cfg.clone()).unwrap());
    (0..steps).map(|_| tr.step().loss.to_bits()).collect()
}

#[test]
fn same_seed_same_bits_other_seed_other_bits() {
    let golden: serde_json::Value = serde_json::from_str(include_str!("golden/determinism.json")).unwrap();
    let cfg: Config = serde_json::from_value(golden["config"].clone()).unwrap();
    let steps = golden["steps"].as_u64().unwrap() as usize;
    let a = losses(&cfg, steps);
    let b = losses(&cfg, steps);
    assert_eq!(a, b, "two runs of one seed differ");
    assert!(a.iter().all(|&bits| f32::from_bits(bits).is_finite()));
    let mut other = cfg.clone();
    other.data.seed += 1;
    assert_ne!(losses(&other, steps), a, "another seed gave the same run");
    if std::env::var_os("PATHSCOPE_BLESS").is_some() {
        let mut g = golden.clone();
        g["loss_bits"] = serde_json::json!(a);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/determinism.json");
        std::fs::write(path, serde_json::to_string_pretty(&g).unwrap() + "\n").unwrap();
        return;
    }
    let pinned: Vec<u32> = serde_json::from_value(golden["loss_bits"].clone()).unwrap();
    assert_eq!(a.len(), pinned.len());
    if let Some(i) = (0..a.len()).find(|&i| a[i] != pinned[i]) {
        panic!(
            "step {i}: loss {} but tests/golden/determinism.json pins {}: the arithmetic changed \
             (see the header of this file)",
            f32::from_bits(a[i]),
            f32::from_bits(pinned[i])
        );
    }
}
