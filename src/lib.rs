//! pathscope: the transformer of "Easing Optimization Paths: a Circuit Perspective"
//! (Odonnat, Bouaziz, Cabannes, ICASSP 2025), trained step by step, natively and in the browser.
//!
//! The core (config, data, model, optim, train, experiments, viz) never touches JavaScript;
//! `wasm` is the only module that does.

// `acc = acc + a * b` spells out the summation order the determinism promise rests on.
#![allow(clippy::assign_op_pattern)]
// Matrix kernels take (m, n, k, A, strides, B, ldb, C, ldc): BLAS's shape, kept on purpose.
#![allow(clippy::too_many_arguments)]

pub mod bench;
pub mod config;
pub mod data;
pub mod experiments;
pub mod gradcheck;
pub mod kernels;
pub mod model;
pub mod optim;
pub mod plan;
pub mod record;
pub mod rng;
pub mod sweep;
pub mod train;
pub mod viz;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
