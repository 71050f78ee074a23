//! Seeded random streams that give the same numbers on every platform.
//!
//! The determinism promise of pathscope (the same seed gives the same run, bit for bit, natively
//! and in the browser) rests on this module: PCG-XSL-RR 128/64 (`rand_pcg::Pcg64`, whose output is
//! specified, not an implementation detail) and samplers written here with explicit arithmetic
//! (no platform libm: `libm` is pure Rust). Each purpose (initialization, data of a given p,
//! shuffling) draws from its own stream, so changing the schedule never changes the initial
//! weights, and the scratch and curriculum arms of one seed share their p = 4 data.

use rand::Rng;
use rand_pcg::Pcg64;

/// What a stream is used for; the PCG stream selector, so streams never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Model parameters at initialization.
    Init,
    /// Train and test sequences of the phase with this modulus p (and the run's T, k, n).
    Data { p: u32 },
    /// Minibatch order of every epoch.
    Shuffle,
    /// Anything the page draws for itself (a random probe sequence).
    Probe,
}

impl Purpose {
    fn stream_id(self) -> u128 {
        match self {
            Purpose::Init => 1,
            Purpose::Shuffle => 2,
            Purpose::Probe => 3,
            Purpose::Data { p } => 0x1_0000 + p as u128,
        }
    }
}

/// One seeded random stream with the few samplers the project needs.
#[derive(Clone, Debug)]
pub struct Stream {
    pcg: Pcg64,
    /// 64-bit outputs drawn so far: where the stream stands, so that a run record can take it up
    /// again ([`Stream::resumed`]) without storing PCG's internal state.
    draws: u64,
}

/// splitmix64: spreads a small user seed (0, 1, 2, ...) over the 128-bit PCG state.
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Stream {
    pub fn new(seed: u64, purpose: Purpose) -> Self {
        let mut s = seed;
        let state = ((splitmix64(&mut s) as u128) << 64) | splitmix64(&mut s) as u128;
        Stream { pcg: Pcg64::new(state, purpose.stream_id()), draws: 0 }
    }

    /// The stream of `(seed, purpose)` after `draws` outputs: PCG jumps ahead in O(log draws)
    /// steps, so this is the same stream, at the same place, as one that drew them.
    pub fn resumed(seed: u64, purpose: Purpose, draws: u64) -> Self {
        let mut s = Stream::new(seed, purpose);
        s.pcg.advance(draws as u128);
        s.draws = draws;
        s
    }

    /// Outputs drawn so far (each `next_u32` or `next_u64` is one LCG step of PCG).
    pub fn draws(&self) -> u64 {
        self.draws
    }

    pub fn next_u32(&mut self) -> u32 {
        self.draws += 1;
        self.pcg.next_u32()
    }

    pub fn next_u64(&mut self) -> u64 {
        self.draws += 1;
        self.pcg.next_u64()
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire's widening multiply with rejection).
    pub fn below(&mut self, n: u32) -> u32 {
        assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = self.next_u32() as u64 * n as u64;
            if (m as u32) >= threshold {
                return (m >> 32) as u32;
            }
        }
    }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable in f32).
    pub fn unit_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit_f32()
    }

    /// Standard normal by Box-Muller, computed in f64 with `libm` so every platform agrees.
    pub fn normal(&mut self) -> f32 {
        // u1 in (0, 1]: never log(0).
        let u1 = ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
        let u2 = (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        (libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)) as f32
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i as u32 + 1) as usize;
            xs.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut s = Stream::new(7, Purpose::Init);
                move |_| s.next_u64()
            })
            .collect();
        let mut s = Stream::new(7, Purpose::Init);
        let b: Vec<u64> = (0..4).map(|_| s.next_u64()).collect();
        assert_eq!(a, b);
        let mut other = Stream::new(7, Purpose::Shuffle);
        assert_ne!(a[0], other.next_u64());
        let mut seed8 = Stream::new(8, Purpose::Init);
        assert_ne!(a[0], seed8.next_u64());
    }

    /// A resumed stream continues exactly where the one that drew the outputs stands, whatever
    /// mix of 32- and 64-bit draws (and rejections in `below`) got it there.
    #[test]
    fn resumed_stream_continues_the_same_numbers() {
        let mut s = Stream::new(11, Purpose::Shuffle);
        let mut order: Vec<u32> = (0..1000).collect();
        s.shuffle(&mut order);
        s.next_u64();
        s.below(7);
        let mut r = Stream::resumed(11, Purpose::Shuffle, s.draws());
        assert_eq!(r.draws(), s.draws());
        let a: Vec<u64> = (0..64).map(|_| s.next_u64()).collect();
        let b: Vec<u64> = (0..64).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
        assert_ne!(Stream::resumed(11, Purpose::Shuffle, 0).next_u64(), a[0]);
    }

    #[test]
    fn below_is_uniform_enough() {
        let mut s = Stream::new(1, Purpose::Probe);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            counts[s.below(3) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut s = Stream::new(2, Purpose::Init);
        let xs: Vec<f64> = (0..100_000).map(|_| s.normal() as f64).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
    }
}
