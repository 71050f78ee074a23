//! The hand-written backward against central finite differences of an independent f64 forward
//! (model/reference.rs, a literal transcription of docs/model.md), on random small configurations.
#![cfg(not(target_arch = "wasm32"))]

use pathscope::config::{Init, ModelConfig};
use pathscope::model::{init_params, reference, Dims, Layout, Workspace, CHUNK};
use pathscope::rng::{Purpose, Stream};

struct Case {
    layout: Layout,
    params: Vec<f32>,
    tokens: Vec<u8>,
    targets: Vec<u8>,
}

fn random_case(seed: u64, batch: Option<usize>) -> Case {
    let mut r = Stream::new(seed, Purpose::Probe);
    let dims = Dims {
        v: 2 + r.below(4) as usize,
        t: 1 + r.below(6) as usize,
        d: 1 + r.below(7) as usize,
        h: 1 + r.below(9) as usize,
    };
    let b = batch.unwrap_or(1 + r.below(7) as usize);
    let init = if seed % 2 == 0 { Init::Pytorch } else { Init::Visualization };
    let model = ModelConfig { vocab: dims.v, seq_len: dims.t, dim: dims.d, hidden: dims.h, init };
    let params = init_params(&model, seed);
    let tokens: Vec<u8> = (0..b * dims.t).map(|_| r.below(dims.v as u32) as u8).collect();
    let targets: Vec<u8> = (0..b).map(|_| r.below(dims.v as u32) as u8).collect();
    Case { layout: Layout::new(dims), params, tokens, targets }
}

fn check(case: &Case, label: &str) {
    let Case { layout, params, tokens, targets } = case;
    let mut ws = Workspace::new(layout.dims);
    let mut grads = vec![0.0f32; layout.len];
    let stats = ws.loss_and_grad(params, tokens, targets, &mut grads);
    let p64: Vec<f64> = params.iter().map(|&x| x as f64).collect();
    let loss64 = reference::loss(layout, &p64, tokens, targets);
    assert!((stats.loss - loss64).abs() <= 1e-5 * (1.0 + loss64.abs()), "{label}: loss {} vs {loss64}", stats.loss);
    for (name, range, _) in layout.tensors() {
        let mut fd = Vec::with_capacity(range.len());
        for i in range.clone() {
            let h = 1e-6;
            let mut p = p64.clone();
            p[i] += h;
            let up = reference::loss(layout, &p, tokens, targets);
            p[i] -= 2.0 * h;
            let down = reference::loss(layout, &p, tokens, targets);
            fd.push((up - down) / (2.0 * h));
        }
        // Relative to the tensor's largest gradient, floored at 1e-2: f32 arithmetic on a loss of
        // order 1 resolves gradients to about 1e-7 absolute (at d = 1 the norm's backward is
        // an exact cancellation, c dy (1 - c r), whose f32 value is that noise).
        let scale = fd.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-2);
        for (j, i) in range.clone().enumerate() {
            let err = (grads[i] as f64 - fd[j]).abs() / scale;
            assert!(
                err < 1e-4,
                "{label}: d{name}[{j}] = {} but finite differences give {} (rel {err:.2e})",
                grads[i],
                fd[j]
            );
        }
    }
}

#[test]
fn backward_matches_finite_differences_on_random_configs() {
    for seed in 0..24 {
        let case = random_case(seed, None);
        check(&case, &format!("seed {seed} dims {:?}", case.layout.dims));
    }
}

#[test]
fn backward_is_right_across_chunk_boundaries() {
    // More sequences than one chunk: the gradient accumulates over chunks.
    let case = random_case(101, Some(CHUNK + 37));
    check(&case, "multi-chunk");
}

#[test]
fn fast_forward_matches_literal_forward() {
    for seed in 0..8 {
        let Case { layout, params, tokens, targets } = random_case(1000 + seed, None);
        let Dims { v, t, d, .. } = layout.dims;
        let b = targets.len();
        let mut ws = Workspace::new(layout.dims);
        let (mut attn, mut za, mut logits) = (vec![0.0; b * t], vec![0.0; b * d], vec![0.0; b * v]);
        ws.forward_with(&params, &tokens, &targets, &mut attn, &mut za, &mut logits);
        let p64: Vec<f64> = params.iter().map(|&x| x as f64).collect();
        for s in 0..b {
            let f = reference::forward_one(&layout, &p64, &tokens[s * t..(s + 1) * t], targets[s] as usize);
            for (ours, truth) in [
                (&attn[s * t..(s + 1) * t], &f.attn),
                (&za[s * d..(s + 1) * d], &f.za),
                (&logits[s * v..(s + 1) * v], &f.logits),
            ] {
                for (a, b) in ours.iter().zip(truth.iter()) {
                    assert!((*a as f64 - b).abs() < 1e-5 * (1.0 + b.abs()), "seed {seed}: {a} vs {b}");
                }
            }
        }
    }
}
