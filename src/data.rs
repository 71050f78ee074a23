//! Sparse modular addition (docs/model.md, "The task"), seeded.
//!
//! ```text
//! x = (x_1 .. x_T), x_t uniform in {0 .. p-1}
//! y = (x_1 + .. + x_k) mod p
//! ```
//! The train set is drawn first and the test set after it, from one stream keyed by (seed, p):
//! every phase with the same p sees the same sets, so the scratch and curriculum arms of a seed
//! train and test on the same p = 4 data.

use std::collections::HashSet;

use crate::config::TestSet;
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

/// Most sequences [`patterns`] makes (p^k for p = 4, k = 5 is 1,024).
pub const MAX_PATTERNS: usize = 1 << 16;

/// The authors' hand-built sequences for figure 4: every pattern of the first k tokens (p^k of
/// them, in base-p order, the first token most significant) with the other T - k tokens set to 0:
/// 32 sequences for p = 2, k = 5, and 1,024 for p = 4. `None` if there would be more than
/// [`MAX_PATTERNS`].
pub fn patterns(p: usize, t: usize, k: usize) -> Option<Dataset> {
    let count = p.checked_pow(k as u32).filter(|&c| c <= MAX_PATTERNS)?;
    let mut tokens = vec![0u8; count * t];
    let mut targets = Vec::with_capacity(count);
    for (i, row) in tokens.chunks_mut(t).enumerate() {
        let mut rest = i;
        for slot in row[..k].iter_mut().rev() {
            *slot = (rest % p) as u8;
            rest /= p;
        }
        targets.push(target(row, k, p));
    }
    Some(Dataset { p, t, k, tokens, targets })
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
    /// The share of test sequences that are not in the train set: 1 for a clean test set, 0
    /// where every test sequence was trained on (test accuracy then measures memory).
    pub unseen_share: f32,
}

impl Split {
    /// Bytes a split of `n` sequences of length `t` holds (tokens and a target per sequence, train
    /// and test), in 64-bit arithmetic (saturating).
    pub fn bytes(n: usize, t: usize) -> u64 {
        (n as u64).saturating_mul(t as u64 + 1).saturating_mul(2)
    }
}

/// Train set then test set, `n` sequences each, from the stream of (seed, p). The train set is
/// the same whatever `test_set` says (it is drawn first).
///
/// `TestSet::Unseen` draws each test sequence uniformly among the sequences not in the train set:
/// by rejection where the space is large, and from the list of unseen sequences where the space
/// (p^T) is small enough to enumerate. If no sequence is unseen (p = 2, T = 8 with n = 2048:
/// all 256 are trained on), the test set is drawn independently and [`Split::unseen_share`] says
/// so. `TestSet::Independent` is the authors' draw.
pub fn generate(seed: u64, p: usize, t: usize, k: usize, n: usize, test_set: TestSet) -> Split {
    let mut stream = Stream::new(seed, Purpose::Data { p: p as u32 });
    let train = Dataset::draw(&mut stream, p, t, k, n);
    let seen: HashSet<&[u8]> = train.tokens.chunks(t).collect();
    let test = match test_set {
        TestSet::Independent => Dataset::draw(&mut stream, p, t, k, n),
        TestSet::Unseen => draw_unseen(&mut stream, &seen, p, t, k, n),
    };
    let unseen = (0..test.len()).filter(|&i| !seen.contains(test.sequence(i))).count();
    let unseen_share = if test.is_empty() { 0.0 } else { unseen as f32 / test.len() as f32 };
    Split { train, test, unseen_share }
}

/// Spaces of at most this many sequences are enumerated to find the unseen ones.
const ENUMERATE_UP_TO: u64 = 1 << 22;

/// `n` test sequences uniform among those not in `seen` (see [`generate`]).
fn draw_unseen(stream: &mut Stream, seen: &HashSet<&[u8]>, p: usize, t: usize, k: usize, n: usize) -> Dataset {
    let space = (p as u64).checked_pow(t as u32).unwrap_or(u64::MAX);
    if space <= ENUMERATE_UP_TO {
        // Every sequence as its base-p digits, first token most significant.
        let decode = |mut index: u64, out: &mut [u8]| {
            for slot in out.iter_mut().rev() {
                *slot = (index % p as u64) as u8;
                index /= p as u64;
            }
        };
        let mut seq = vec![0u8; t];
        let unseen: Vec<u64> = (0..space)
            .filter(|&i| {
                decode(i, &mut seq);
                !seen.contains(&seq[..])
            })
            .collect();
        if unseen.is_empty() {
            return Dataset::draw(stream, p, t, k, n);
        }
        let mut tokens = vec![0u8; n * t];
        let mut targets = Vec::with_capacity(n);
        for row in tokens.chunks_mut(t) {
            let pick = unseen[stream.below(unseen.len() as u32) as usize];
            decode(pick, row);
            targets.push(target(row, k, p));
        }
        return Dataset { p, t, k, tokens, targets };
    }
    // A large space: almost every draw is unseen (n train sequences among more than 4 million).
    let mut tokens = Vec::with_capacity(n * t);
    let mut targets = Vec::with_capacity(n);
    let mut seq = vec![0u8; t];
    while targets.len() < n {
        for slot in seq.iter_mut() {
            *slot = stream.below(p as u32) as u8;
        }
        if !seen.contains(&seq[..]) {
            tokens.extend_from_slice(&seq);
            targets.push(target(&seq, k, p));
        }
    }
    Dataset { p, t, k, tokens, targets }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_sums_mod_p_and_tokens_in_range() {
        let s = generate(3, 4, 12, 5, 500, TestSet::Unseen);
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
        let g = |seed, p| generate(seed, p, 8, 5, 64, TestSet::Unseen);
        assert_eq!(g(1, 2), g(1, 2));
        assert_ne!(g(1, 2), g(2, 2));
        assert_ne!(g(1, 2).train.tokens, g(1, 3).train.tokens);
    }

    #[test]
    fn patterns_are_every_first_k_tokens_with_zeros_after() {
        let d = patterns(2, 12, 5).unwrap();
        assert_eq!(d.len(), 32);
        assert_eq!(d.sequence(0), &[0; 12]);
        assert_eq!(d.sequence(31), &[1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(d.sequence(1)[..5], [0, 0, 0, 0, 1]);
        let counts: std::collections::BTreeSet<u32> = (0..32).map(|i| d.count(i)).collect();
        assert_eq!(counts.len(), 6, "counts 0..5: six classes");
        let d4 = patterns(4, 12, 5).unwrap();
        assert_eq!(d4.len(), 1024);
        let counts: std::collections::BTreeSet<u32> = (0..1024).map(|i| d4.count(i)).collect();
        assert_eq!(counts.len(), 16, "counts 0..15: sixteen classes");
        assert!((0..1024).all(|i| d4.sequence(i)[5..].iter().all(|&x| x == 0)));
        let distinct: HashSet<&[u8]> = d4.tokens.chunks(12).collect();
        assert_eq!(distinct.len(), 1024);
        assert!(patterns(256, 512, 5).is_none(), "too many to build");
    }

    #[test]
    fn unseen_test_sets_hold_no_training_sequence_and_say_so() {
        for (p, t, n) in [(4, 12, 2048), (4, 8, 2048), (2, 12, 2048), (3, 5, 100)] {
            let s = generate(7, p, t, 5.min(t), n, TestSet::Unseen);
            let seen: HashSet<&[u8]> = s.train.tokens.chunks(t).collect();
            assert_eq!(s.test.len(), n);
            assert!((0..n).all(|i| !seen.contains(s.test.sequence(i))), "p = {p}, T = {t}");
            assert_eq!(s.unseen_share, 1.0);
            assert!(s.test.tokens.iter().all(|&x| (x as usize) < p));
            for i in 0..n {
                assert_eq!(s.test.targets[i], target(s.test.sequence(i), 5.min(t), p));
            }
            // The train set does not depend on how the test set is drawn.
            assert_eq!(s.train, generate(7, p, t, 5.min(t), n, TestSet::Independent).train);
        }
        // p = 2, T = 8: 2048 draws cover all 256 sequences; nothing is unseen, and it is said.
        let small = generate(0, 2, 8, 5, 2048, TestSet::Unseen);
        assert_eq!(small.unseen_share, 0.0);
        let indep = generate(0, 2, 8, 5, 2048, TestSet::Independent);
        assert_eq!(indep.unseen_share, 0.0);
        // The authors' independent draw at p = 4, T = 12: overlap is rare but measured.
        let fig5 = generate(0, 4, 12, 5, 2048, TestSet::Independent);
        assert!(fig5.unseen_share > 0.99);
    }
}
