//! The core in the browser: the wasm simd128 build must compute what the native build computes,
//! bit for bit where the determinism promise says so, and match PyTorch like the native build.
//! Run by `wasm-pack test --headless --firefox` and `--chrome` (`make test`).
#![cfg(target_arch = "wasm32")]

use pathscope::config::Config;
use pathscope::gradcheck::{run, Fixture};
use pathscope::kernels::{gelu_forward, gelu_forward_scalar, gemm_acc, gemm_acc_scalar, Strided};
use pathscope::rng::{Purpose, Stream};
use pathscope::train::Trainer;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The same 200 steps as tests/determinism.rs, against the bits the native build pinned.
#[wasm_bindgen_test]
fn browser_run_has_the_native_bits() {
    let golden: serde_json::Value = serde_json::from_str(include_str!("golden/determinism.json")).unwrap();
    let cfg: Config = serde_json::from_value(golden["config"].clone()).unwrap();
    let pinned: Vec<u32> = serde_json::from_value(golden["loss_bits"].clone()).unwrap();
    let mut tr = Trainer::new(pathscope::plan::ValidConfig::new(cfg).unwrap());
    for (i, &bits) in pinned.iter().enumerate() {
        let loss = tr.step().loss;
        assert_eq!(loss.to_bits(), bits, "step {i}: browser loss {loss} vs native {}", f32::from_bits(bits));
    }
}

/// simd128 kernels against their scalar twins, bit for bit, on every shape class.
#[wasm_bindgen_test]
fn simd128_kernels_equal_their_scalar_twins() {
    let mut s = Stream::new(5, Purpose::Probe);
    for &(m, n, k) in &[(4, 8, 3), (5, 13, 7), (32, 128, 32), (9, 33, 17), (128, 32, 256)] {
        let a: Vec<f32> = (0..m * k).map(|_| s.normal()).collect();
        let b: Vec<f32> = (0..k * n).map(|_| s.normal()).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| s.normal()).collect();
        for op in [Strided::rows(&a, k), Strided::transposed(&a, m)] {
            let (mut fast, mut slow) = (c0.clone(), c0.clone());
            gemm_acc(m, n, k, op, &b, n, &mut fast, n);
            gemm_acc_scalar(m, n, k, op, &b, n, &mut slow, n);
            assert!(fast.iter().zip(&slow).all(|(x, y)| x.to_bits() == y.to_bits()), "gemm {m}x{n}x{k}");
        }
    }
    let x: Vec<f32> = (0..1001).map(|i| -12.0 + i as f32 * 0.024).collect();
    let (mut g1, mut d1, mut g2, mut d2) = (vec![0.0; 1001], vec![0.0; 1001], vec![0.0; 1001], vec![0.0; 1001]);
    gelu_forward(&mut g1, Some(&mut d1), &x);
    gelu_forward_scalar(&mut g2, Some(&mut d2), &x);
    for i in 0..x.len() {
        assert_eq!(g1[i].to_bits(), g2[i].to_bits(), "GELU({})", x[i]);
        assert_eq!(d1[i].to_bits(), d2[i].to_bits(), "GELU'({})", x[i]);
    }
}

/// PyTorch parity in the browser, on the fixtures kept in the repository.
#[wasm_bindgen_test]
fn browser_matches_pytorch_fixtures() {
    for (name, text) in [
        ("d4", include_str!("fixtures/grad_d4_v3_t5_k2_p3_b7_s1.json")),
        ("d32", include_str!("fixtures/grad_d32_v4_t12_k5_p4_b16_s2.json")),
        ("d2", include_str!("fixtures/grad_d2_v2_t8_k5_p2_b9_s3.json")),
    ] {
        let rows = run(&Fixture::parse(text).unwrap()).unwrap();
        for r in rows {
            assert!(r.rel_err <= 1e-5, "{name}: {} rel_err {:.3e}", r.name, r.rel_err);
        }
    }
}
