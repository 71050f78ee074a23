//! The transformer of the paper (docs/model.md, "The model"): parameters, initialization, and the
//! forward and backward passes.
//!
//! Dimension legend, used in every shape comment:
//! `V` token embeddings, `T` positions, `d` width, `h` MLP hidden width, `B` batch,
//! `C` sequences in one chunk of the batch (at most [`CHUNK`]).
//!
//! All parameters live in one flat `f32` buffer (see [`Layout`]); gradients and the Adam moments
//! use the same layout, so a snapshot is a copy of one slice and interpolation is one loop.
//! Linear weights keep PyTorch's `[out][in]` layout, so fixtures load as they are.

pub mod network;
pub mod ops;
pub mod reference;

use crate::config::{Init, ModelConfig};
use crate::rng::{Purpose, Stream};
use core::ops::Range;

pub use network::{BatchStats, Workspace};

/// Sequences processed together inside a step: activations of a chunk stay in cache, and the
/// gradient of a full batch is accumulated chunk after chunk in the same order as if unchunked.
pub const CHUNK: usize = 256;

/// eps of both RMS norms (added to the root, outside the square root).
pub const RMS_EPS: f32 = 1e-5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dims {
    pub v: usize,
    pub t: usize,
    pub d: usize,
    pub h: usize,
}

impl Dims {
    pub fn of(m: &ModelConfig) -> Self {
        Dims { v: m.vocab, t: m.seq_len, d: m.dim, h: m.hidden }
    }

    /// Number of f32 parameters, `V d + T d + d + d d + h d + h + d h + d` (the [`Layout`]), in
    /// 64-bit arithmetic (saturating), so that sizes can be checked before anything is allocated.
    pub fn param_count(self) -> u64 {
        let [v, t, d, h] = [self.v, self.t, self.d, self.h].map(|x| x as u64);
        let m = |a: u64, b: u64| a.saturating_mul(b);
        [m(v, d), m(t, d), d, m(d, d), m(h, d), h, m(d, h), d].iter().fold(0u64, |s, &x| s.saturating_add(x))
    }

    /// Floating-point operations of one sequence's forward pass, counting a multiply-add as two:
    /// the attention-weighted sum over T positions, W_V (d x d, applied after the sum), the MLP
    /// (2 d h) and the tied unembedding (V d). The backward pass costs about twice the forward.
    pub fn forward_flops(self) -> u64 {
        let [v, t, d, h] = [self.v, self.t, self.d, self.h].map(|x| x as u64);
        let m = |a: u64, b: u64| a.saturating_mul(b);
        2u64.saturating_mul(m(t, d).saturating_add(m(d, d)).saturating_add(m(2 * d, h)).saturating_add(m(v, d)))
    }
}

/// The eight tensors, in their order in the flat buffer, with PyTorch's names (the fixtures').
pub const TENSOR_NAMES: [&str; 8] = ["token_emb", "pos_emb", "query", "value", "fc1_w", "fc1_b", "fc2_w", "fc2_b"];

/// Where each tensor lives in the flat parameter buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub dims: Dims,
    /// E: (V, d), also the unembedding (tied)
    pub token_emb: Range<usize>,
    /// P: (T, d)
    pub pos_emb: Range<usize>,
    /// q: (1, d)
    pub query: Range<usize>,
    /// W_V: (d, d), `[out][in]`
    pub value: Range<usize>,
    /// W_1: (h, d)
    pub fc1_w: Range<usize>,
    /// b_1: (h)
    pub fc1_b: Range<usize>,
    /// W_2: (d, h)
    pub fc2_w: Range<usize>,
    /// b_2: (d)
    pub fc2_b: Range<usize>,
    pub len: usize,
}

impl Layout {
    pub fn new(dims: Dims) -> Self {
        let Dims { v, t, d, h } = dims;
        let mut at = 0;
        let mut take = |n: usize| {
            let r = at..at + n;
            at += n;
            r
        };
        let token_emb = take(v * d);
        let pos_emb = take(t * d);
        let query = take(d);
        let value = take(d * d);
        let fc1_w = take(h * d);
        let fc1_b = take(h);
        let fc2_w = take(d * h);
        let fc2_b = take(d);
        Layout { dims, token_emb, pos_emb, query, value, fc1_w, fc1_b, fc2_w, fc2_b, len: at }
    }

    /// (name, range, shape [rows, cols]) of each tensor, in buffer order.
    pub fn tensors(&self) -> [(&'static str, Range<usize>, [usize; 2]); 8] {
        let Dims { v, t, d, h } = self.dims;
        [
            ("token_emb", self.token_emb.clone(), [v, d]),
            ("pos_emb", self.pos_emb.clone(), [t, d]),
            ("query", self.query.clone(), [1, d]),
            ("value", self.value.clone(), [d, d]),
            ("fc1_w", self.fc1_w.clone(), [h, d]),
            ("fc1_b", self.fc1_b.clone(), [1, h]),
            ("fc2_w", self.fc2_w.clone(), [d, h]),
            ("fc2_b", self.fc2_b.clone(), [1, d]),
        ]
    }
}

/// Initial parameters for a run (docs/model.md's table and its visualization initialization).
///
/// PyTorch's defaults: `nn.Embedding` N(0, 1); `nn.Linear(in, out)` weights and biases
/// U(-1/sqrt(in), 1/sqrt(in)). The distributions are PyTorch's; the random stream is ours.
pub fn init_params(model: &ModelConfig, seed: u64) -> Vec<f32> {
    let dims = Dims::of(model);
    let layout = Layout::new(dims);
    let Dims { d, h, .. } = dims;
    let mut rng = Stream::new(seed, Purpose::Init);
    // The authors draw their MLP table right after seeding, before building the model.
    let table = match model.init {
        Init::Visualization => {
            let rows = h.max(d);
            Some((0..rows * (2 * d + 2)).map(|_| rng.uniform(-1.0, 1.0)).collect::<Vec<f32>>())
        }
        Init::Pytorch => None,
    };
    let mut p = vec![0.0f32; layout.len];
    let bound_d = 1.0 / (d as f32).sqrt();
    let bound_h = 1.0 / (h as f32).sqrt();
    for x in &mut p[layout.token_emb.clone()] {
        *x = rng.normal();
    }
    for x in &mut p[layout.pos_emb.clone()] {
        *x = rng.normal();
    }
    for r in [layout.query.clone(), layout.value.clone(), layout.fc1_w.clone(), layout.fc1_b.clone()] {
        for x in &mut p[r] {
            *x = rng.uniform(-bound_d, bound_d);
        }
    }
    for r in [layout.fc2_w.clone(), layout.fc2_b.clone()] {
        for x in &mut p[r] {
            *x = rng.uniform(-bound_h, bound_h);
        }
    }
    if let Some(u) = table {
        let w = 2 * d + 2;
        for j in 0..h {
            for i in 0..d {
                p[layout.fc1_w.start + j * d + i] = u[j * w + i] / (d as f32).sqrt();
                p[layout.fc2_w.start + i * h + j] = u[j * w + d + i] / (h as f32).sqrt();
            }
            p[layout.fc1_b.start + j] = u[j * w + 2 * d] / (d as f32).sqrt();
        }
        for i in 0..d {
            p[layout.fc2_b.start + i] = u[i * w + 2 * d + 1] / (h as f32).sqrt();
        }
    }
    p
}
