//! The gradient check itself: a NaN anywhere fails it, and the fixture reader refuses what it
//! cannot hold before allocating it, with a message naming the field.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::gradcheck::{compare, run, Fixture};
use std::path::PathBuf;

fn small() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grad_small.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_non_finite_value_on_either_side_makes_the_error_infinite() {
    let torch = [1.0, 2.0, 3.0];
    assert!(compare("ok", &[1.0, 2.0, 3.0], &torch).rel_err == 0.0);
    for ours in [[f32::NAN, 2.0, 3.0], [1.0, 2.0, f32::NAN], [f32::NAN; 3], [1.0, f32::INFINITY, 3.0]] {
        let c = compare("ours", &ours, &torch);
        assert!(c.rel_err == f64::INFINITY, "{ours:?}: rel_err {}", c.rel_err);
        assert!(c.non_finite > 0);
    }
    for torch in [[f64::NAN, 2.0, 3.0], [1.0, f64::NEG_INFINITY, 3.0]] {
        let c = compare("torch", &[1.0, 2.0, 3.0], &torch);
        assert!(c.rel_err == f64::INFINITY, "{torch:?}: rel_err {}", c.rel_err);
    }
    // An all-NaN side with an all-zero other side: still infinite (not 0 / 0 nor max(0, NaN) = 0).
    assert!(compare("zeros", &[f32::NAN; 2], &[0.0; 2]).rel_err == f64::INFINITY);
}

/// A fixture that JSON can hold but that makes pathscope's loss NaN: a query weight of 1e308
/// is infinite in f32, so every attention score is +-inf or NaN and everything after is NaN.
/// PyTorch's gradient of that entry is set to 1e308 too, so that the ill-conditioning mask and
/// the Adam-alone comparison (inf / inf = NaN) would otherwise let the NaN through unseen.
fn nan_fixture() -> String {
    let mut json = small();
    json["weights"]["query"][0][0] = serde_json::json!(1e308);
    json["grads"]["query"][0][0] = serde_json::json!(1e308);
    json.to_string()
}

#[test]
fn a_fixture_that_makes_the_loss_nan_fails_every_tensor_it_touches() {
    let rows = run(&Fixture::parse(&nan_fixture()).unwrap()).unwrap();
    for name in ["loss", "grad.token_emb", "grad.query", "attn", "logits", "adam1.query", "adam5.losses"] {
        let r = rows.iter().find(|r| r.name == name).unwrap();
        assert!(r.rel_err == f64::INFINITY, "{name}: rel_err {} with NaN values", r.rel_err);
    }
}
