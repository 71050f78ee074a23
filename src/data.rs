//! Sparse modular addition (docs/model.md, "The task"), seeded.
//!
//! ```text
//! x = (x_1 .. x_T), x_t uniform in {0 .. p-1}
//! y = (x_1 + .. + x_k) mod p
//! ```
//! The train set is drawn first and the test set after it, from one stream keyed by (seed, p):
//! every phase with the same p sees the same sets, so the scratch and curriculum arms of a seed
//! train and test on the same p = 4 data.

use crate::rng::{Purpose, Stream};

/// `n` sequences of length `t`, tokens row-major (n x t), and their targets.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub p: usize,
    pub t: usize,
    pub k: usize,
    /// (n, t)
    pub tokens: Vec<u8>,
    /// (n)
    pub targets: Vec<u8>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    pub fn sequence(&self, i: usize) -> &[u8] {
        &self.tokens[i * self.t..(i + 1) * self.t]
    }

    /// x_1 + .. + x_k, not reduced: the colour of figure 4.
    pub fn count(&self, i: usize) -> u32 {
        self.sequence(i)[..self.k].iter().map(|&x| x as u32).sum()
    }

    fn draw(stream: &mut Stream, p: usize, t: usize, k: usize, n: usize) -> Dataset {
        let mut tokens = Vec::with_capacity(n * t);
        let mut targets = Vec::with_capacity(n);
        for _ in 0..n {
            let start = tokens.len();
            for _ in 0..t {
                tokens.push(stream.below(p as u32) as u8);
            }
            targets.push(target(&tokens[start..], k, p));
        }
        Dataset { p, t, k, tokens, targets }
    }
}

/// y = (x_1 + .. + x_k) mod p.
pub fn target(seq: &[u8], k: usize, p: usize) -> u8 {
    (seq[..k].iter().map(|&x| x as usize).sum::<usize>() % p) as u8
}

/// The train and test sets of one modulus.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub train: Dataset,
    pub test: Dataset,
}

impl Split {
    /// Bytes a split of `n` sequences of length `t` holds (tokens and a target per sequence, train
    /// and test), in 64-bit arithmetic (saturating).
    pub fn bytes(n: usize, t: usize) -> u64 {
        (n as u64).saturating_mul(t as u64 + 1).saturating_mul(2)
    }
}

/// Train set then test set, `n` sequences each, from the stream of (seed, p).
pub fn generate(seed: u64, p: usize, t: usize, k: usize, n: usize) -> Split {
    let mut stream = Stream::new(seed, Purpose::Data { p: p as u32 });
    let train = Dataset::draw(&mut stream, p, t, k, n);
    let test = Dataset::draw(&mut stream, p, t, k, n);
    Split { train, test }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_sums_mod_p_and_tokens_in_range() {
        let s = generate(3, 4, 12, 5, 500);
        for d in [&s.train, &s.test] {
            assert_eq!(d.len(), 500);
            assert!(d.tokens.iter().all(|&x| x < 4));
            for i in 0..d.len() {
                let sum: u32 = d.sequence(i)[..5].iter().map(|&x| x as u32).sum();
                assert_eq!(d.targets[i] as u32, sum % 4);
                assert_eq!(d.count(i), sum);
            }
        }
        assert_ne!(s.train.tokens, s.test.tokens);
        // All four symbols and all targets appear.
        for v in 0..4u8 {
            assert!(s.train.tokens.contains(&v));
            assert!(s.train.targets.contains(&v));
        }
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        assert_eq!(generate(1, 2, 8, 5, 64), generate(1, 2, 8, 5, 64));
        assert_ne!(generate(1, 2, 8, 5, 64), generate(2, 2, 8, 5, 64));
        assert_ne!(generate(1, 2, 8, 5, 64).train.tokens, generate(1, 3, 8, 5, 64).train.tokens);
    }
}
