//! Parity with PyTorch: every fixture in `tests/fixtures/` (computed by PyTorch in float64, see
//! tests/fixtures/README.md) must match to 1e-5 relative, tensor by tensor.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::gradcheck::{run, Fixture};
use std::path::PathBuf;

fn fixture_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn small_fixture_is_present() {
    let files = fixture_files();
    assert!(
        files.iter().any(|f| f.ends_with("grad_small.json")),
        "tests/fixtures/grad_small.json not found; found {files:?}"
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
    // The check can fail: perturb one gradient entry of grad_small.json by 1 %.
    let path = fixture_files().into_iter().find(|f| f.ends_with("grad_small.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let g = &mut json["grads"]["fc1_w"][0][0];
    *g = serde_json::json!(g.as_f64().unwrap() * 1.01 + 1e-3);
    let rows = run(&Fixture::parse(&json.to_string()).unwrap()).unwrap();
    let bad = rows.iter().find(|r| r.name == "grad.fc1_w").unwrap();
    assert!(bad.rel_err > 1e-5);
}
