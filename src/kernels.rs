//! The matrix product every layer uses, as a SIMD kernel and its plain scalar twin.
//!
//! ```text
//! C (m x n) += A (m x k) B (k x n)
//! ```
//! A is read through two strides, so the same kernel computes `X W^T` and `dY^T X` without a
//! transposed copy. The kernel vectorizes across output columns only: every element of C is
//! summed over k in one sequential order, `c = c + a_k * b_k`, whatever the vector width. With no
//! fused multiply-add (Rust never contracts `a * b + c`) the SIMD kernel, its scalar twin, the
//! native build and the wasm simd128 build therefore agree bit for bit; `tests` checks it.
//!
//! The SIMD path uses `wide::f32x4`, which compiles to SSE natively and to simd128 in wasm.

use wide::f32x4;

/// Row-major matrix operand with arbitrary strides: element (i, j) is `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub rs: usize,
    pub cs: usize,
}

impl<'a> Strided<'a> {
    /// A row-major (rows x cols) matrix.
    pub fn rows(data: &'a [f32], cols: usize) -> Self {
        Strided { data, rs: cols, cs: 1 }
    }
    /// The transpose of a row-major (rows x cols) matrix: a (cols x rows) operand.
    pub fn transposed(data: &'a [f32], cols: usize) -> Self {
        Strided { data, rs: 1, cs: cols }
    }
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.rs + j * self.cs]
    }
}

fn check_bounds(m: usize, n: usize, k: usize, a: &Strided, b: &[f32], ldb: usize, c: &[f32], ldc: usize) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(n <= ldb && n <= ldc, "gemm: row strides shorter than n");
    assert!((m - 1) * a.rs + (k - 1) * a.cs < a.data.len(), "gemm: A out of bounds");
    assert!((k - 1) * ldb + n <= b.len(), "gemm: B out of bounds");
    assert!((m - 1) * ldc + n <= c.len(), "gemm: C out of bounds");
}

/// Scalar twin of [`gemm_acc`]: the reference its SIMD version must equal bit for bit.
pub fn gemm_acc_scalar(m: usize, n: usize, k: usize, a: Strided, b: &[f32], ldb: usize, c: &mut [f32], ldc: usize) {
    check_bounds(m, n, k, &a, b, ldb, c, ldc);
    for i in 0..m {
        for j in 0..n {
            let mut acc = c[i * ldc + j];
            for kk in 0..k {
                acc = acc + a.at(i, kk) * b[kk * ldb + j];
            }
            c[i * ldc + j] = acc;
        }
    }
}

#[inline(always)]
unsafe fn load4(p: *const f32) -> f32x4 {
    f32x4::from(core::ptr::read_unaligned(p as *const [f32; 4]))
}

#[inline(always)]
unsafe fn store4(p: *mut f32, v: f32x4) {
    core::ptr::write_unaligned(p as *mut [f32; 4], v.to_array())
}

/// C (m x n, row stride ldc) += A (m x k, strided) B (k x n, row stride ldb).
///
/// Blocks of 4 rows x 8 columns live in eight f32x4 registers while k streams through; the
/// column tail is done 4 wide, then scalar, the row tail one row at a time, all with the same
/// per-element summation order as [`gemm_acc_scalar`].
pub fn gemm_acc(m: usize, n: usize, k: usize, a: Strided, b: &[f32], ldb: usize, c: &mut [f32], ldc: usize) {
    check_bounds(m, n, k, &a, b, ldb, c, ldc);
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let (ap, rs, cs) = (a.data.as_ptr(), a.rs, a.cs);
    let bp = b.as_ptr();
    let cp = c.as_mut_ptr();
    // SAFETY: check_bounds proved the whole m x n x k problem is inside the slices.
    unsafe {
        #[cfg(target_arch = "x86_64")]
        if avx::available() {
            avx::gemm(m, n, k, ap, rs, cs, bp, ldb, cp, ldc);
            return;
        }
        gemm_f32x4(m, n, k, ap, rs, cs, bp, ldb, cp, ldc);
    }
}

/// Which matrix kernel `gemm_acc` runs on this machine: "avx" (8 lanes), "sse" (f32x4
/// natively) or "simd128" (f32x4 in wasm). All give the same bits.
pub fn vector_path() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if avx::available() {
        return "avx";
    }
    if cfg!(target_arch = "wasm32") {
        "simd128"
    } else {
        "sse"
    }
}

/// The f32x4 kernel on raw parts; callers guarantee the bounds.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_f32x4(
    m: usize,
    n: usize,
    k: usize,
    ap: *const f32,
    rs: usize,
    cs: usize,
    bp: *const f32,
    ldb: usize,
    cp: *mut f32,
    ldc: usize,
) {
    let n8 = n - n % 8;
    let n4 = n - n % 4;
    let m4 = m - m % 4;
    // SAFETY: the caller guarantees rows i < m, columns j < n and kk < k are in bounds.
    {
        let mut i = 0;
        while i < m4 {
            let a_row = [ap.add(i * rs), ap.add((i + 1) * rs), ap.add((i + 2) * rs), ap.add((i + 3) * rs)];
            let c_row = [cp.add(i * ldc), cp.add((i + 1) * ldc), cp.add((i + 2) * ldc), cp.add((i + 3) * ldc)];
            let mut j = 0;
            while j < n8 {
                let mut c00 = load4(c_row[0].add(j));
                let mut c01 = load4(c_row[0].add(j + 4));
                let mut c10 = load4(c_row[1].add(j));
                let mut c11 = load4(c_row[1].add(j + 4));
                let mut c20 = load4(c_row[2].add(j));
                let mut c21 = load4(c_row[2].add(j + 4));
                let mut c30 = load4(c_row[3].add(j));
                let mut c31 = load4(c_row[3].add(j + 4));
                for kk in 0..k {
                    let brow = bp.add(kk * ldb + j);
                    let b0 = load4(brow);
                    let b1 = load4(brow.add(4));
                    let off = kk * cs;
                    let a0 = f32x4::splat(*a_row[0].add(off));
                    c00 = c00 + a0 * b0;
                    c01 = c01 + a0 * b1;
                    let a1 = f32x4::splat(*a_row[1].add(off));
                    c10 = c10 + a1 * b0;
                    c11 = c11 + a1 * b1;
                    let a2 = f32x4::splat(*a_row[2].add(off));
                    c20 = c20 + a2 * b0;
                    c21 = c21 + a2 * b1;
                    let a3 = f32x4::splat(*a_row[3].add(off));
                    c30 = c30 + a3 * b0;
                    c31 = c31 + a3 * b1;
                }
                store4(c_row[0].add(j), c00);
                store4(c_row[0].add(j + 4), c01);
                store4(c_row[1].add(j), c10);
                store4(c_row[1].add(j + 4), c11);
                store4(c_row[2].add(j), c20);
                store4(c_row[2].add(j + 4), c21);
                store4(c_row[3].add(j), c30);
                store4(c_row[3].add(j + 4), c31);
                j += 8;
            }
            while j < n4 {
                let mut acc =
                    [load4(c_row[0].add(j)), load4(c_row[1].add(j)), load4(c_row[2].add(j)), load4(c_row[3].add(j))];
                for kk in 0..k {
                    let b0 = load4(bp.add(kk * ldb + j));
                    for r in 0..4 {
                        acc[r] = acc[r] + f32x4::splat(*a_row[r].add(kk * cs)) * b0;
                    }
                }
                for r in 0..4 {
                    store4(c_row[r].add(j), acc[r]);
                }
                j += 4;
            }
            for jj in n4..n {
                for r in 0..4 {
                    let mut s = *c_row[r].add(jj);
                    for kk in 0..k {
                        s = s + *a_row[r].add(kk * cs) * *bp.add(kk * ldb + jj);
                    }
                    *c_row[r].add(jj) = s;
                }
            }
            i += 4;
        }
        while i < m {
            let a_row = ap.add(i * rs);
            let c_row = cp.add(i * ldc);
            let mut j = 0;
            while j < n8 {
                let mut c0 = load4(c_row.add(j));
                let mut c1 = load4(c_row.add(j + 4));
                for kk in 0..k {
                    let a0 = f32x4::splat(*a_row.add(kk * cs));
                    let brow = bp.add(kk * ldb + j);
                    c0 = c0 + a0 * load4(brow);
                    c1 = c1 + a0 * load4(brow.add(4));
                }
                store4(c_row.add(j), c0);
                store4(c_row.add(j + 4), c1);
                j += 8;
            }
            while j < n4 {
                let mut c0 = load4(c_row.add(j));
                for kk in 0..k {
                    c0 = c0 + f32x4::splat(*a_row.add(kk * cs)) * load4(bp.add(kk * ldb + j));
                }
                store4(c_row.add(j), c0);
                j += 4;
            }
            for jj in n4..n {
                let mut s = *c_row.add(jj);
                for kk in 0..k {
                    s = s + *a_row.add(kk * cs) * *bp.add(kk * ldb + jj);
                }
                *c_row.add(jj) = s;
            }
            i += 1;
        }
    }
}

/// Native x86_64 with AVX (checked at run time): the same kernel eight lanes wide. Vectorizing
/// across output columns keeps each element's sum in the order of the scalar twin, so results
/// are bit-identical to the f32x4 and wasm builds; no FMA is used (it would change them).
#[cfg(target_arch = "x86_64")]
mod avx {
    use core::arch::x86_64::*;
    use std::sync::atomic::{AtomicU8, Ordering};

    static STATE: AtomicU8 = AtomicU8::new(0); // 0 unknown, 1 no, 2 yes

    /// AVX present and not disabled by `PATHSCOPE_NO_AVX` (to compare with the f32x4 path).
    pub fn available() -> bool {
        match STATE.load(Ordering::Relaxed) {
            0 => {
                let yes = std::is_x86_feature_detected!("avx") && std::env::var_os("PATHSCOPE_NO_AVX").is_none();
                STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
                yes
            }
            s => s == 2,
        }
    }

    /// Blocks of 4 rows x 16 columns in eight ymm accumulators; the remaining columns and rows
    /// go to the f32x4 kernel, each element computed once, in the same order.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx")]
    pub unsafe fn gemm(
        m: usize,
        n: usize,
        k: usize,
        ap: *const f32,
        rs: usize,
        cs: usize,
        bp: *const f32,
        ldb: usize,
        cp: *mut f32,
        ldc: usize,
    ) {
        let n16 = n - n % 16;
        let m4 = m - m % 4;
        let mut i = 0;
        while i < m4 {
            let a0 = ap.add(i * rs);
            let a1 = ap.add((i + 1) * rs);
            let a2 = ap.add((i + 2) * rs);
            let a3 = ap.add((i + 3) * rs);
            let c0 = cp.add(i * ldc);
            let c1 = cp.add((i + 1) * ldc);
            let c2 = cp.add((i + 2) * ldc);
            let c3 = cp.add((i + 3) * ldc);
            let mut j = 0;
            while j < n16 {
                let mut x00 = _mm256_loadu_ps(c0.add(j));
                let mut x01 = _mm256_loadu_ps(c0.add(j + 8));
                let mut x10 = _mm256_loadu_ps(c1.add(j));
                let mut x11 = _mm256_loadu_ps(c1.add(j + 8));
                let mut x20 = _mm256_loadu_ps(c2.add(j));
                let mut x21 = _mm256_loadu_ps(c2.add(j + 8));
                let mut x30 = _mm256_loadu_ps(c3.add(j));
                let mut x31 = _mm256_loadu_ps(c3.add(j + 8));
                for kk in 0..k {
                    let brow = bp.add(kk * ldb + j);
                    let b0 = _mm256_loadu_ps(brow);
                    let b1 = _mm256_loadu_ps(brow.add(8));
                    let off = kk * cs;
                    let s = _mm256_set1_ps(*a0.add(off));
                    x00 = _mm256_add_ps(x00, _mm256_mul_ps(s, b0));
                    x01 = _mm256_add_ps(x01, _mm256_mul_ps(s, b1));
                    let s = _mm256_set1_ps(*a1.add(off));
                    x10 = _mm256_add_ps(x10, _mm256_mul_ps(s, b0));
                    x11 = _mm256_add_ps(x11, _mm256_mul_ps(s, b1));
                    let s = _mm256_set1_ps(*a2.add(off));
                    x20 = _mm256_add_ps(x20, _mm256_mul_ps(s, b0));
                    x21 = _mm256_add_ps(x21, _mm256_mul_ps(s, b1));
                    let s = _mm256_set1_ps(*a3.add(off));
                    x30 = _mm256_add_ps(x30, _mm256_mul_ps(s, b0));
                    x31 = _mm256_add_ps(x31, _mm256_mul_ps(s, b1));
                }
                _mm256_storeu_ps(c0.add(j), x00);
                _mm256_storeu_ps(c0.add(j + 8), x01);
                _mm256_storeu_ps(c1.add(j), x10);
                _mm256_storeu_ps(c1.add(j + 8), x11);
                _mm256_storeu_ps(c2.add(j), x20);
                _mm256_storeu_ps(c2.add(j + 8), x21);
                _mm256_storeu_ps(c3.add(j), x30);
                _mm256_storeu_ps(c3.add(j + 8), x31);
                j += 16;
            }
            i += 4;
        }
        if n16 < n {
            super::gemm_f32x4(m4, n - n16, k, ap, rs, cs, bp.add(n16), ldb, cp.add(n16), ldc);
        }
        if m4 < m {
            super::gemm_f32x4(m - m4, n, k, ap.add(m4 * rs), rs, cs, bp, ldb, cp.add(m4 * ldc), ldc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream};

    fn random(len: usize, s: &mut Stream) -> Vec<f32> {
        (0..len).map(|_| s.normal()).collect()
    }

    /// Every shape class (block, 4-wide tail, scalar tail, row tail) and both A layouts:
    /// the SIMD kernel equals its scalar twin bit for bit.
    #[test]
    fn simd_equals_scalar_bit_for_bit() {
        let mut s = Stream::new(11, Purpose::Probe);
        for &(m, n, k) in &[(1, 1, 1), (4, 8, 3), (5, 13, 7), (7, 4, 2), (32, 128, 32), (9, 33, 17), (3, 2, 40)] {
            for transposed in [false, true] {
                let a = random(m * k, &mut s);
                let b = random(k * n, &mut s);
                let c0 = random(m * n, &mut s);
                let op = if transposed { Strided::transposed(&a, m) } else { Strided::rows(&a, k) };
                let mut fast = c0.clone();
                let mut slow = c0.clone();
                gemm_acc(m, n, k, op, &b, n, &mut fast, n);
                gemm_acc_scalar(m, n, k, op, &b, n, &mut slow, n);
                let same = fast.iter().zip(&slow).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "m={m} n={n} k={k} transposed={transposed}");
                // And both are the product (within f32 rounding) computed in f64.
                for i in 0..m {
                    for j in 0..n {
                        let mut exact = c0[i * n + j] as f64;
                        for kk in 0..k {
                            exact += op.at(i, kk) as f64 * b[kk * n + j] as f64;
                        }
                        assert!((slow[i * n + j] as f64 - exact).abs() < 1e-4 * (1.0 + exact.abs()));
                    }
                }
            }
        }
    }

    #[test]
    fn respects_leading_dimensions() {
        // C is the left 2 columns of a 2 x 5 buffer; the rest must stay untouched.
        let a = [1.0, 2.0, 3.0, 4.0]; // 2 x 2
        let b = [1.0, 0.0, 9.0, 0.0, 1.0, 9.0]; // 2 x 2 inside a row stride of 3
        let mut c = [0.5f32; 10];
        gemm_acc(2, 2, 2, Strided::rows(&a, 2), &b, 3, &mut c, 5);
        assert_eq!(c, [1.5, 2.5, 0.5, 0.5, 0.5, 3.5, 4.5, 0.5, 0.5, 0.5]);
    }
}

/// The operations the element-wise kernels need, for one f32 or four: each kernel is written
/// once, generic over `Lane`, so its scalar twin is the same sequence of IEEE operations and
/// agrees with the SIMD version bit for bit (tested below).
pub trait Lane:
    Copy
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::Mul<Output = Self>
    + core::ops::Div<Output = Self>
{
    fn splat(x: f32) -> Self;
    fn max(self, other: Self) -> Self;
    /// The smaller of the two; a NaN `self` gives `other` (as `f32::min` and `wide`'s `min` do).
    fn min(self, other: Self) -> Self;
    /// +0 where `a < b`, else `self` (so a NaN `a` or `b` keeps `self`).
    fn zero_where_lt(self, a: Self, b: Self) -> Self;
    /// The correctly rounded square root (IEEE, so the same bits in every lane width).
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    /// 0.5 with the sign of `self` (so `0.5 + x.half_sign()` is 1 for x >= +0 and 0 for x <= -0).
    fn half_sign(self) -> Self;
    /// 2^k for an integer-valued `k` in [-126, 127].
    fn pow2i(self) -> Self;
}

impl Lane for f32 {
    #[inline(always)]
    fn splat(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f32::max(self, other)
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        f32::min(self, other)
    }
    #[inline(always)]
    fn zero_where_lt(self, a: Self, b: Self) -> Self {
        if a < b {
            0.0
        } else {
            self
        }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        libm::sqrtf(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32::abs(self)
    }
    #[inline(always)]
    fn half_sign(self) -> Self {
        f32::copysign(0.5, self)
    }
    #[inline(always)]
    fn pow2i(self) -> Self {
        f32::from_bits(((self as i32 + 127) as u32) << 23)
    }
}

/// `Lane` for the wide vector types: one f32x4 (SSE / simd128 register) and groups of them,
/// which the element-wise kernels use to keep several independent dependency chains in flight.
macro_rules! wide_lane {
    ($t:ty, $i:ty) => {
        impl Lane for $t {
            #[inline(always)]
            fn splat(x: f32) -> Self {
                <$t>::splat(x)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                <$t>::min(self, other)
            }
            #[inline(always)]
            fn zero_where_lt(self, a: Self, b: Self) -> Self {
                a.simd_lt(b).select(<$t>::splat(0.0), self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn half_sign(self) -> Self {
                (self & <$t>::splat(-0.0)) | <$t>::splat(0.5)
            }
            #[inline(always)]
            fn pow2i(self) -> Self {
                let bits = (self.trunc_int() + <$i>::splat(127)) << 23;
                wide::bytemuck::cast(bits)
            }
        }
    };
}
wide_lane!(f32x4, wide::i32x4);
wide_lane!(wide::f32x16, wide::i32x16);

// Polynomial coefficients below are written as published (Cephes, Numerical Recipes), digits
// that f32 rounds away included, so they can be checked against the source.

/// e^x for x <= 88 (below -87 the result is clamped to e^-87, ~1.6e-38): Cody-Waite reduction
/// x = k ln 2 + r, |r| <= ln2 / 2, and Cephes' degree-5 polynomial for e^r (relative error
/// about 1e-7). Rounding k uses the 1.5 * 2^23 trick, identical in every lane width.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn exp_lane<L: Lane>(x: L) -> L {
    const MAGIC: f32 = 12_582_912.0;
    let x = x.max(L::splat(-87.0));
    let k = (x * L::splat(core::f32::consts::LOG2_E) + L::splat(MAGIC)) - L::splat(MAGIC);
    let r = (x - k * L::splat(0.693_359_4)) - k * L::splat(-2.121_944_4e-4);
    let mut p = L::splat(1.987_569_1e-4);
    p = p * r + L::splat(1.398_199_9e-3);
    p = p * r + L::splat(8.333_452e-3);
    p = p * r + L::splat(4.166_579_6e-2);
    p = p * r + L::splat(1.666_666_5e-1);
    p = p * r + L::splat(5.000_000_1e-1);
    let y = p * (r * r) + r + L::splat(1.0);
    y * k.pow2i()
}

/// Below this input GELU and GELU' are returned as exactly 0: there |GELU(x)| < 7.7e-23
/// (2^-73) and |GELU'(x)| < 7.7e-22, too small to move z_O (a sum with z_A, of order 1) or,
/// through the backward pass, any Adam step (whose denominator is at least eps = 1e-8).
/// Computing them took subnormal floats, which x86 handles ~100 times slower than normal ones:
/// inside the kernel (`e^{-z^2}` reaches 1e-38 at x = -13.2, below which the old kernel's clamp
/// of exp even returned wrong values near 1e-37), and after it, where `dL/da = dL/dg GELU'(a)`
/// and the products of `g` in the MLP's matrix kernels underflowed. Large learning rates push
/// many pre-activations there (issue 13: most of them at lr = 1, training ~15 times slower); the
/// figure-5 preset reaches it after ~2,000 epochs. At -10 rather than near the subnormal boundary
/// (-13) because the gradients GELU' and GELU meet are small too at large learning rates (1e-10
/// at lr = 1): with a cut at -12 their products still underflowed often enough to leave lr = 1
/// 1.7 times slower than with hardware flush-to-zero, at -10 about 1.2 times.
pub const GELU_ZERO_BELOW: f32 = -10.0;

/// GELU and its derivative for one lane:
/// ```text
/// z = |x| / sqrt 2,   E = erfc(z)   (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7)
/// Phi(x) = 1 - E / 2  (x >= 0)   or   E / 2  (x < 0)        GELU(x) = x Phi(x)
/// GELU'(x) = Phi(x) + x phi(x),  phi(x) = exp(-z^2) / sqrt(2 pi)
/// ```
/// Working from |x| keeps the relative accuracy of the negative tail, where GELU is tiny: the
/// relative error is below 2e-6 + 2e-7 z^2, the z^2 term from rounding z^2 inside exp(-z^2)
/// (about 4e-6 at x = -10, where GELU is 1e-22). Below [`GELU_ZERO_BELOW`] both are exactly 0
/// (+0.0). z is capped at `|GELU_ZERO_BELOW| / sqrt 2`, so that no intermediate is ever subnormal:
/// for |x| <= 10 the cap changes no bit; above 10 the results are GELU(x) = x and GELU'(x) = 1
/// (Phi(x) rounds to 1 there and the x phi(x) term is dropped), and below -10 they are replaced
/// by 0.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn gelu_lane<L: Lane>(x: L) -> (L, L) {
    const Z_CAP: f32 = -GELU_ZERO_BELOW * core::f32::consts::FRAC_1_SQRT_2;
    let z_raw = x.abs() * L::splat(core::f32::consts::FRAC_1_SQRT_2);
    let z = z_raw.min(L::splat(Z_CAP));
    let z2 = z * z;
    let t = L::splat(1.0) / (L::splat(1.0) + L::splat(0.5) * z);
    let mut p = L::splat(0.170_872_77);
    p = p * t + L::splat(-0.822_152_23);
    p = p * t + L::splat(1.488_515_9);
    p = p * t + L::splat(-1.135_203_98);
    p = p * t + L::splat(0.278_868_07);
    p = p * t + L::splat(-0.186_288_06);
    p = p * t + L::splat(0.096_784_18);
    p = p * t + L::splat(0.374_091_96);
    p = p * t + L::splat(1.000_023_68);
    p = p * t + L::splat(-1.265_512_23);
    let e = t * exp_lane(p - z2);
    let h = L::splat(0.5) + x.half_sign(); // 1 for x >= 0, 0 for x < 0, exactly
    let half_e = L::splat(0.5) * e;
    let phi_cdf = h * (L::splat(1.0) - half_e) + (L::splat(1.0) - h) * half_e;
    let pdf = L::splat(0.398_942_3) * exp_lane(L::splat(0.0) - z2);
    // Where z was capped, x phi(x) of a large positive x is 0, not x phi(10).
    let x_pdf = (x * pdf).zero_where_lt(L::splat(Z_CAP), z_raw);
    let below = L::splat(GELU_ZERO_BELOW);
    ((x * phi_cdf).zero_where_lt(x, below), (phi_cdf + x_pdf).zero_where_lt(x, below))
}

/// `g = GELU(a)` and, if given, `gp = GELU'(a)`, sixteen lanes (four f32x4 chains) at a time:
/// GELU is a long chain of dependent operations, so independent vectors hide its latency.
pub fn gelu_forward(g: &mut [f32], mut gp: Option<&mut [f32]>, a: &[f32]) {
    use wide::f32x16;
    let n = a.len();
    let n16 = n - n % 16;
    let mut i = 0;
    while i < n16 {
        let x = f32x16::from(<[f32; 16]>::try_from(&a[i..i + 16]).unwrap());
        let (y, dy) = gelu_lane(x);
        g[i..i + 16].copy_from_slice(&y.to_array());
        if let Some(gp) = gp.as_deref_mut() {
            gp[i..i + 16].copy_from_slice(&dy.to_array());
        }
        i += 16;
    }
    for j in n16..n {
        let (y, dy) = gelu_lane(a[j]);
        g[j] = y;
        if let Some(gp) = gp.as_deref_mut() {
            gp[j] = dy;
        }
    }
}

/// Scalar twin of [`gelu_forward`].
pub fn gelu_forward_scalar(g: &mut [f32], mut gp: Option<&mut [f32]>, a: &[f32]) {
    for (j, &x) in a.iter().enumerate() {
        let (y, dy) = gelu_lane(x);
        g[j] = y;
        if let Some(gp) = gp.as_deref_mut() {
            gp[j] = dy;
        }
    }
}

#[cfg(test)]
mod lane_tests {
    use super::*;

    fn gelu64(x: f64) -> (f64, f64) {
        let cdf = 0.5 * libm::erfc(-x / 2f64.sqrt());
        let pdf = (-0.5 * x * x).exp() / (2.0 * core::f64::consts::PI).sqrt();
        (x * cdf, cdf + x * pdf)
    }

    #[test]
    fn gelu_simd_equals_scalar_and_is_accurate() {
        // From GELU_ZERO_BELOW (-10) to 12; below -10 see gelu_tail_is_zero_and_never_subnormal.
        let a: Vec<f32> = (0..3670).map(|i| -10.0 + i as f32 * 0.006).collect();
        let (mut g1, mut d1, mut g2, mut d2) =
            (vec![0.0; a.len()], vec![0.0; a.len()], vec![0.0; a.len()], vec![0.0; a.len()]);
        gelu_forward(&mut g1, Some(&mut d1), &a);
        gelu_forward_scalar(&mut g2, Some(&mut d2), &a);
        for i in 0..a.len() {
            assert_eq!(g1[i].to_bits(), g2[i].to_bits(), "GELU({})", a[i]);
            assert_eq!(d1[i].to_bits(), d2[i].to_bits(), "GELU'({})", a[i]);
            let (y, dy) = gelu64(a[i] as f64);
            // Relative accuracy, including the tiny negative tail (see gelu_lane's bound).
            let z2 = (a[i] as f64).powi(2) / 2.0;
            let rel = 2e-6 + 2e-7 * z2;
            assert!((g1[i] as f64 - y).abs() <= rel * y.abs() + 1e-38, "GELU({}) = {} vs {y}", a[i], g1[i]);
            assert!((d1[i] as f64 - dy).abs() <= rel * dy.abs() + 1e-7, "GELU'({}) = {} vs {dy}", a[i], d1[i]);
        }
    }

    /// An f32 whose every operation checks that its result is not subnormal.
    #[derive(Clone, Copy, Debug)]
    struct Checked(f32);

    fn checked(x: f32) -> Checked {
        assert!(!x.is_subnormal(), "subnormal intermediate {x:e}");
        Checked(x)
    }
    macro_rules! checked_op {
        ($tr:ident, $f:ident, $op:tt) => {
            impl core::ops::$tr for Checked {
                type Output = Checked;
                fn $f(self, o: Checked) -> Checked {
                    checked(self.0 $op o.0)
                }
            }
        };
    }
    checked_op!(Add, add, +);
    checked_op!(Sub, sub, -);
    checked_op!(Mul, mul, *);
    checked_op!(Div, div, /);
    impl Lane for Checked {
        fn splat(x: f32) -> Self {
            checked(x)
        }
        fn max(self, o: Self) -> Self {
            checked(self.0.max(o.0))
        }
        fn min(self, o: Self) -> Self {
            checked(self.0.min(o.0))
        }
        fn zero_where_lt(self, a: Self, b: Self) -> Self {
            checked(self.0.zero_where_lt(a.0, b.0))
        }
        fn sqrt(self) -> Self {
            checked(libm::sqrtf(self.0))
        }
        fn abs(self) -> Self {
            checked(self.0.abs())
        }
        fn half_sign(self) -> Self {
            checked(self.0.half_sign())
        }
        fn pow2i(self) -> Self {
            checked(self.0.pow2i())
        }
    }

    /// Below GELU_ZERO_BELOW both outputs are exactly 0, above 10 they are (x, 1), SIMD equals
    /// scalar everywhere, and for every input from 1e-9 to 1e30 in magnitude (and 0) no operation
    /// of the kernel, intermediate or final, gives a subnormal (issue 13). Closer to 0, squares
    /// such as z^2 underflow inside the kernel, harmlessly: pre-activations are never that small
    /// but by a 1e-10 chance.
    #[test]
    fn gelu_tail_is_zero_and_never_subnormal() {
        let mut a: Vec<f32> = (0..8001).map(|i| -40.0 + i as f32 * 0.01).collect();
        for e in -9..=30 {
            for m in [1.0f32, 2.5, 7.0] {
                let x = m * 10f32.powi(e);
                a.extend([x, -x]);
            }
        }
        a.extend([0.0, -0.0, GELU_ZERO_BELOW, -GELU_ZERO_BELOW, f32::MAX, f32::MIN]);
        let (mut g1, mut d1, mut g2, mut d2) =
            (vec![0.0; a.len()], vec![0.0; a.len()], vec![0.0; a.len()], vec![0.0; a.len()]);
        gelu_forward(&mut g1, Some(&mut d1), &a);
        gelu_forward_scalar(&mut g2, Some(&mut d2), &a);
        for (i, &x) in a.iter().enumerate() {
            assert_eq!((g1[i].to_bits(), d1[i].to_bits()), (g2[i].to_bits(), d2[i].to_bits()), "x = {x}");
            let (y, dy) = gelu_lane(checked(x));
            assert_eq!((y.0.to_bits(), dy.0.to_bits()), (g2[i].to_bits(), d2[i].to_bits()), "x = {x}");
            if x < GELU_ZERO_BELOW {
                assert!(g1[i] == 0.0 && d1[i] == 0.0, "GELU({x}) = {}, GELU' = {}", g1[i], d1[i]);
            } else if x > -GELU_ZERO_BELOW {
                assert_eq!((g1[i], d1[i]), (x, 1.0), "x = {x}");
            }
        }
        // Tiny inputs: the same bits in SIMD and scalar, and GELU(x) = x / 2 to the last bit.
        let tiny: Vec<f32> = (-37..-9).flat_map(|e| [10f32.powi(e), -(10f32.powi(e))]).collect();
        let (mut t1, mut t2) = (vec![0.0; tiny.len()], vec![0.0; tiny.len()]);
        gelu_forward(&mut t1, None, &tiny);
        gelu_forward_scalar(&mut t2, None, &tiny);
        for i in 0..tiny.len() {
            assert_eq!(t1[i].to_bits(), t2[i].to_bits());
            assert_eq!(t1[i], tiny[i] / 2.0);
        }
        // NaN stays NaN.
        let (y, dy) = gelu_lane(f32::NAN);
        assert!(y.is_nan() && dy.is_nan());
        let mut n = [f32::NAN; 16];
        gelu_forward(&mut n.clone(), Some(&mut n), &[f32::NAN; 16]);
        assert!(n.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn exp_is_accurate() {
        for i in 0..2000 {
            let x = -87.0 + i as f32 * 0.0875;
            let e = exp_lane(x) as f64;
            let truth = (x as f64).exp();
            assert!((e - truth).abs() <= 3e-7 * truth, "exp({x}) = {e} vs {truth}");
        }
    }
}
