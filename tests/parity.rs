//! Parity with PyTorch: every fixture in `shared/fixtures/` and `tests/fixtures/` (computed by
//! PyTorch in float64, see tests/fixtures/README.md) must match to 1e-5 relative, tensor by tensor.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::gradcheck::{run, Fixture};
use std::path::PathBuf;

fn fixture_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::var_os("PATHSCOPE_SHARED").map(PathBuf::from).unwrap_or_else(|| root.join("../shared"));
    let mut files = Vec::new();
    for dir in [shared.join("fixtures"), root.join("tests/fixtures")] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn shared_fixture_is_present() {
    let files = fixture_files();
    assert!(
        files.iter().any(|f| f.ends_with("grad_small.json")),
        "shared/fixtures/grad_small.json not found (set PATHSCOPE_SHARED to the shared folder); found {files:?}"
    );
}

#[test]
fn every_fixture_matches_pytorch() {
    let files = fixture_files();
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture = Fixture::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rows = run(&fixture).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Every tensor of the format is compared: loss, 8 grads, 3 intermediates, Adam alone
        // from PyTorch's gradients, 8 + 1 after one Adam step, the 6 losses and 8 weights after five.
        assert_eq!(rows.len(), 1 + 8 + 3 + 1 + 9 + 1 + 8, "{}", path.display());
        for r in rows {
            assert!(r.rel_err <= 1e-5, "{}: {} rel_err {:.3e}", path.display(), r.name, r.rel_err);
        }
    }
}

#[test]
fn a_corrupted_fixture_fails_parity() {
    // The check can fail: perturb one gradient entry of the shared fixture by 1 %.
    let path = fixture_files().into_iter().find(|f| f.ends_with("grad_small.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let g = &mut json["grads"]["fc1_w"][0][0];
    *g = serde_json::json!(g.as_f64().unwrap() * 1.01 + 1e-3);
    let rows = run(&Fixture::parse(&json.to_string()).unwrap()).unwrap();
    let bad = rows.iter().find(|r| r.name == "grad.fc1_w").unwrap();
    assert!(bad.rel_err > 1e-5);
}
