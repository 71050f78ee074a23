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

fn refused(json: &serde_json::Value, needle: &str) {
    match Fixture::parse(&json.to_string()) {
        Ok(_) => panic!("accepted a fixture that should be refused for '{needle}'"),
        Err(e) => assert!(e.contains(needle), "the message lacks '{needle}': {e}"),
    }
}

#[test]
fn sizes_are_checked_against_the_limits_before_anything_is_read() {
    for (key, value, needle) in [
        ("nb_emb", serde_json::json!(1e12), "config.nb_emb = 1000000000000"),
        ("nb_emb", serde_json::json!(1_000_000_000_000u64), "config.nb_emb = 1000000000000"),
        ("nb_emb", serde_json::json!(257), "from 2 to 256"),
        ("T", serde_json::json!(u64::MAX), "config.T"),
        ("d", serde_json::json!(1025), "config.d = 1025"),
        ("h", serde_json::json!(1u64 << 40), "config.h"),
        ("batch", serde_json::json!(1 << 20), "config.batch"),
        ("batch", serde_json::json!(0), "config.batch = 0"),
        ("k", serde_json::json!(7), "config.k = 7"),
        ("p", serde_json::json!(5), "config.p = 5"),
        ("d", serde_json::json!(8.5), "config.d = 8.5 is not accepted: a whole number"),
        ("d", serde_json::json!(-8), "config.d = -8"),
        ("d", serde_json::json!("8"), "config.d"),
        ("d", serde_json::json!([8]), "config.d"),
    ] {
        let mut json = small();
        json["config"][key] = value;
        refused(&json, needle);
    }
    // Each size within its limit, but together over the memory budget: refused, naming the sizes.
    let mut json = small();
    json["config"] = serde_json::json!({"nb_emb": 256, "T": 512, "d": 1024, "h": 4096, "k": 1, "p": 2, "batch": 1});
    refused(&json, "of memory, over the limit of 512 MiB");
    let mut json = small();
    json["config"] = serde_json::json!({"nb_emb": 256, "T": 512, "d": 256, "h": 32, "k": 1, "p": 2, "batch": 65536});
    refused(&json, "batch=65536 needs");
    let mut json = small();
    json["config"].as_object_mut().unwrap().remove("h");
    refused(&json, "no integer field h");
}

#[test]
fn tensors_are_shape_checked_and_numbers_must_be_whole_where_they_index() {
    let mut json = small();
    json["weights"]["fc1_w"][3].as_array_mut().unwrap().push(serde_json::json!(0.5));
    refused(&json, "weights.fc1_w: expected [32][8]: a list of more than the 8 entries expected");
    let mut json = small();
    json["grads"]["value"].as_array_mut().unwrap().pop();
    refused(&json, "grads.value: expected [8][8]: a list of 7 entries");
    let mut json = small();
    json["after_adam_step"]["weights"]["fc2_b"] = serde_json::json!([vec![0.0; 8]]);
    refused(&json, "after_adam_step.weights.fc2_b: expected [8]");
    let mut json = small();
    json["after_5_adam_steps"]["weights"].as_object_mut().unwrap().remove("pos_emb");
    refused(&json, "no field after_5_adam_steps.weights.pos_emb");
    let mut json = small();
    json["intermediates"]["z_A"][0][0] = serde_json::json!("x");
    refused(&json, "intermediates.z_A");
    let mut json = small();
    json["inputs"][0][0] = serde_json::json!(1.5);
    refused(&json, "inputs: 1.5 is not a whole number in 0..4");
    let mut json = small();
    json["targets"][0] = serde_json::json!(4);
    refused(&json, "targets: 4 is not a whole number");
    let mut json = small();
    json["loss"] = serde_json::json!([1.0]);
    refused(&json, "loss: expected a number");
    refused(&serde_json::json!([1, 2]), "expected a JSON object");
    let mut json = small();
    json["config"] = serde_json::json!([4, 6, 8, 32, 3, 4, 5]);
    refused(&json, "in config: invalid type: sequence, expected a JSON object");
    assert!(Fixture::parse("{\"config\": {\"nb_emb\": 4,").unwrap_err().contains("not JSON"));
}

#[test]
fn the_tensors_are_two_dimensional_in_pytorch_order() {
    let json = small();
    let f = Fixture::parse(&json.to_string()).unwrap();
    let fc1 = f.weights.get("fc1_w").unwrap();
    assert_eq!(fc1.shape(), &[32, 8], "[out][in] = [h][d]");
    assert_eq!(fc1[[3, 5]], json["weights"]["fc1_w"][3][5].as_f64().unwrap());
    assert_eq!(f.grads.get("fc1_b").unwrap().shape(), &[1, 32], "a bias is one row");
    assert_eq!(f.attn.shape(), &[5, 6]);
    assert_eq!(f.logits[[4, 3]], json["intermediates"]["logits"][4][3].as_f64().unwrap());
    let flat = f.weights.flat();
    let layout = pathscope::model::Layout::new(f.dims);
    assert_eq!(flat.len(), layout.len);
    assert_eq!(flat[layout.fc1_w.start + 3 * 8 + 5], fc1[[3, 5]], "flat buffer is row-major");
}
