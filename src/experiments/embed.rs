//! 2-D embeddings of high-dimensional points: PCA (for the z_A scatter at d > 2, figure 4, and for
//! parameter trajectories) and exact t-SNE (the parameter trajectories of figure 7).
//!
//! Both are pure, single-threaded and deterministic: the same input (and seed) gives the same
//! bits, natively and in wasm (transcendental functions come from `libm`, not the platform).
//! Inputs are `rows x cols` f32 matrices (`ndarray::ArrayView2`: the snapshot matrix of figure 7,
//! z_A of figure 4), whose shape the view itself guarantees; arithmetic is in f64.

use ndarray::ArrayView2;

use crate::rng::{Purpose, Stream};

/// The result of [`pca`].
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Number of components kept (the `k` asked for).
    pub k: usize,
    /// Scores of every row on each component, row-major `rows x k`.
    pub projected: Vec<f32>,
    /// Unit principal axes, row-major `k x cols`; a zero row where the data has no variance left.
    pub components: Vec<f32>,
    /// Variance along each component (`eigenvalue of the covariance`), length k.
    pub explained_variance: Vec<f32>,
    /// Share of the total variance along each component, length k; sums to at most 1.
    pub explained_variance_ratio: Vec<f32>,
    /// Column means that were subtracted, length cols.
    pub mean: Vec<f32>,
}

/// Principal component analysis of the rows of `data` (`rows x cols`, row-major).
///
/// ```text
/// X  = data - column means                          (rows x cols)
/// C  = X^T X / (rows - 1)                           covariance (cols x cols)
/// C v_i = lambda_i v_i,  lambda_1 >= lambda_2 >= ..  components v_i, variances lambda_i
/// projected[:, i] = X v_i
/// ratio_i = lambda_i / trace(C)
/// ```
/// When `cols > rows` (parameter vectors: ~10^4 dimensions, a few hundred snapshots) it
/// diagonalizes the Gram matrix instead, `G = X X^T = U S^2 U^T` (rows x rows), which has the same
/// non-zero eigenvalues: `lambda_i = s_i^2 / (rows - 1)`, `v_i = X^T u_i / s_i`,
/// `projected[:, i] = s_i u_i`.
///
/// Signs are fixed so that the largest-magnitude entry of each component is positive. Components
/// beyond the rank of the data (`k > min(rows - 1, cols)`, or zero variance) are zero with ratio 0.
/// Non-finite inputs are replaced by their column's mean (they contribute no variance).
pub fn pca(matrix: ArrayView2<f32>, k: usize) -> Pca {
    let (rows, cols) = matrix.dim();
    let values = row_major(&matrix);
    let data: &[f32] = &values;
    let mean = column_means(data, rows, cols);
    // Centred copy (f32, like the input; products accumulate in f64).
    let xc: Vec<f32> = data
        .iter()
        .enumerate()
        .map(|(idx, &v)| if v.is_finite() { (v as f64 - mean[idx % cols.max(1)]) as f32 } else { 0.0 })
        .collect();
    let xrow = |i: usize| &xc[i * cols..(i + 1) * cols];
    let x = |i: usize, j: usize| -> f64 { xc[i * cols + j] as f64 };
    let denom = (rows.max(2) - 1) as f64;
    let total = (0..rows).map(|i| dot32(xrow(i), xrow(i))).sum::<f64>() / denom;

    let mut components = vec![0.0f64; k * cols];
    let mut variance = vec![0.0f64; k];
    let mut projected = vec![0.0f64; rows * k];

    if rows > 0 && cols > 0 && k > 0 {
        if cols <= rows {
            // Covariance route.
            let mut c = vec![0.0f64; cols * cols];
            let mut row = vec![0.0f64; cols];
            for i in 0..rows {
                for (j, r) in row.iter_mut().enumerate() {
                    *r = x(i, j);
                }
                for a in 0..cols {
                    let ra = row[a];
                    if ra == 0.0 {
                        continue;
                    }
                    for b in a..cols {
                        c[a * cols + b] += ra * row[b];
                    }
                }
            }
            for a in 0..cols {
                for b in a..cols {
                    let v = c[a * cols + b] / denom;
                    c[a * cols + b] = v;
                    c[b * cols + a] = v;
                }
            }
            let (vals, vecs) = top_eigen(&c, cols, k.min(cols));
            for (i, (&lam, v)) in vals.iter().zip(&vecs).enumerate() {
                if lam.is_nan() || lam <= EIG_REL_TOL * vals[0].max(f64::MIN_POSITIVE) {
                    continue;
                }
                variance[i] = lam;
                components[i * cols..(i + 1) * cols].copy_from_slice(v);
            }
        } else {
            // Gram route.
            let mut g = vec![0.0f64; rows * rows];
            for a in 0..rows {
                for b in a..rows {
                    let s = dot32(xrow(a), xrow(b));
                    g[a * rows + b] = s;
                    g[b * rows + a] = s;
                }
            }
            let (vals, vecs) = top_eigen(&g, rows, k.min(rows));
            for (i, (&s2, u)) in vals.iter().zip(&vecs).enumerate() {
                if s2.is_nan() || s2 <= EIG_REL_TOL * vals[0].max(f64::MIN_POSITIVE) {
                    continue;
                }
                let s = s2.sqrt();
                variance[i] = s2 / denom;
                let comp = &mut components[i * cols..(i + 1) * cols];
                for (a, &ua) in u.iter().enumerate() {
                    if ua == 0.0 {
                        continue;
                    }
                    for (cj, &xj) in comp.iter_mut().zip(xrow(a)) {
                        *cj += xj as f64 * ua;
                    }
                }
                comp.iter_mut().for_each(|c| *c /= s);
            }
        }
        // Fix signs, then project.
        for i in 0..k {
            let comp = &mut components[i * cols..(i + 1) * cols];
            let mut big = 0usize;
            for j in 0..cols {
                if comp[j].abs() > comp[big].abs() {
                    big = j;
                }
            }
            if comp[big] < 0.0 {
                comp.iter_mut().for_each(|c| *c = -*c);
            }
        }
        for r in 0..rows {
            for i in 0..k {
                if variance[i] == 0.0 {
                    continue;
                }
                let comp = &components[i * cols..(i + 1) * cols];
                projected[r * k + i] = comp.iter().zip(xrow(r)).map(|(&c, &xj)| c * xj as f64).sum();
            }
        }
    }

    let ratio = variance.iter().map(|&v| if total > 0.0 { (v / total) as f32 } else { 0.0 }).collect();
    Pca {
        k,
        projected: projected.into_iter().map(|v| v as f32).collect(),
        components: components.into_iter().map(|v| v as f32).collect(),
        explained_variance: variance.into_iter().map(|v| v as f32).collect(),
        explained_variance_ratio: ratio,
        mean: mean.into_iter().map(|v| v as f32).collect(),
    }
}

/// Eigenvalues below this fraction of the largest count as zero.
const EIG_REL_TOL: f64 = 1e-10;

/// The matrix's values in row-major order: borrowed when they already are, else copied.
fn row_major<'a>(matrix: &'a ArrayView2<f32>) -> std::borrow::Cow<'a, [f32]> {
    match matrix.as_slice() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(matrix.iter().copied().collect()),
    }
}

fn column_means(data: &[f32], rows: usize, cols: usize) -> Vec<f64> {
    let mut sum = vec![0.0f64; cols];
    let mut n = vec![0usize; cols];
    for i in 0..rows {
        for j in 0..cols {
            let v = data[i * cols + j];
            if v.is_finite() {
                sum[j] += v as f64;
                n[j] += 1;
            }
        }
    }
    sum.iter().zip(&n).map(|(&s, &c)| if c > 0 { s / c as f64 } else { 0.0 }).collect()
}

// ---------------------------------------------------------------------------------------------
// Symmetric eigenproblems
// ---------------------------------------------------------------------------------------------

/// Matrices up to this size are diagonalized fully by Jacobi; larger ones by subspace iteration.
pub const JACOBI_MAX: usize = 200;

/// The `k` largest eigenvalues (descending) of the symmetric positive semi-definite `n x n` matrix
/// `a` (row-major; covariance and Gram matrices are), and
/// their unit eigenvectors. Dispatches to [`jacobi_eigen`] (exact, O(n^3) per sweep) for small
/// matrices and to [`subspace_eigen`] (O(n^2 k) per iteration) for large ones.
pub fn top_eigen(a: &[f64], n: usize, k: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = k.min(n);
    if n <= JACOBI_MAX {
        let (vals, vecs) = jacobi_eigen(a, n);
        (vals[..k].to_vec(), vecs[..k].to_vec())
    } else {
        subspace_eigen(a, n, k)
    }
}

/// All eigenpairs of the symmetric `n x n` matrix `a`, by cyclic Jacobi rotations (Golub and Van
/// Loan, "Matrix Computations", section 8.5), sorted by decreasing eigenvalue. The reference
/// implementation: simple and accurate.
///
/// ```text
/// for each (p, q) with |a_pq| not negligible:
///   theta = (a_qq - a_pp) / (2 a_pq),  t = sign(theta) / (|theta| + sqrt(theta^2 + 1))
///   c = 1 / sqrt(t^2 + 1), s = t c;   A <- J^T A J,  V <- V J
/// ```
pub fn jacobi_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        let mut diag = 0.0;
        for p in 0..n {
            diag += m[p * n + p] * m[p * n + p];
            for q in p + 1..n {
                off += m[p * n + q] * m[p * n + q];
            }
        }
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (m[p * n + p], m[q * n + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                // Rotate rows and columns p, q.
                for r in 0..n {
                    let (mrp, mrq) = (m[r * n + p], m[r * n + q]);
                    m[r * n + p] = c * mrp - s * mrq;
                    m[r * n + q] = s * mrp + c * mrq;
                }
                for r in 0..n {
                    let (mpr, mqr) = (m[p * n + r], m[q * n + r]);
                    m[p * n + r] = c * mpr - s * mqr;
                    m[q * n + r] = s * mpr + c * mqr;
                }
                for r in 0..n {
                    let (vrp, vrq) = (v[r * n + p], v[r * n + q]);
                    v[r * n + p] = c * vrp - s * vrq;
                    v[r * n + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]).then(i.cmp(&j)));
    let vals = order.iter().map(|&i| m[i * n + i]).collect();
    let vecs = order.iter().map(|&i| (0..n).map(|r| v[r * n + i]).collect()).collect();
    (vals, vecs)
}

/// The `k` largest eigenpairs of a symmetric positive semi-definite `n x n` matrix by subspace
/// (orthogonal) iteration with Rayleigh-Ritz (Saad, "Numerical Methods for Large Eigenvalue
/// Problems", chapter 5), on a block of `b = min(n, k + 8)` vectors:
///
/// ```text
/// Z = A Q;  H = Q^T Z (b x b);  H W = W Theta (Jacobi);  V = Q W (Ritz vectors), A V = Z W
/// stop when |A v_i - theta_i v_i| <= 1e-10 theta_1 for the top k;  else Q <- orth(Z W)
/// ```
/// The error shrinks like `(lambda_{b+1} / lambda_k)^iterations` (at most 5000 iterations). The
/// start block is fixed (a seeded `rng::Stream`), so the result is deterministic.
pub fn subspace_eigen(a: &[f64], n: usize, k: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = k.min(n);
    if k == 0 {
        return (Vec::new(), Vec::new());
    }
    let b = (k + 8).min(n);
    let mut rng = Stream::new(0x005E_ED0F_E16E, Purpose::Probe);
    // q: b vectors of length n.
    let mut q: Vec<Vec<f64>> = (0..b).map(|_| (0..n).map(|_| rng.normal() as f64).collect()).collect();
    orthonormalize(&mut q);
    let combine = |w: &[f64], basis: &[Vec<f64>]| -> Vec<f64> {
        let mut v = vec![0.0; n];
        for (j, &c) in w.iter().enumerate() {
            if c != 0.0 {
                axpy(&mut v, c, &basis[j]);
            }
        }
        v
    };
    let mut result = (Vec::new(), Vec::new());
    for _it in 0..5000 {
        let z: Vec<Vec<f64>> = q.iter().map(|qi| matvec(a, n, qi)).collect();
        let mut h = vec![0.0; b * b];
        for i in 0..b {
            for j in i..b {
                let s = 0.5 * (dot(&q[i], &z[j]) + dot(&q[j], &z[i]));
                h[i * b + j] = s;
                h[j * b + i] = s;
            }
        }
        let (theta, w) = jacobi_eigen(&h, b);
        let ritz: Vec<Vec<f64>> = w[..k].iter().map(|wi| combine(wi, &q)).collect();
        let az: Vec<Vec<f64>> = w.iter().map(|wi| combine(wi, &z)).collect();
        let scale = theta[0].abs().max(f64::MIN_POSITIVE);
        let converged = (0..k).all(|i| {
            let r: f64 = az[i].iter().zip(&ritz[i]).map(|(x, v)| (x - theta[i] * v).powi(2)).sum();
            r.sqrt() <= 1e-10 * scale
        });
        result = (theta[..k].to_vec(), ritz);
        if converged {
            break;
        }
        q = az;
        orthonormalize(&mut q);
    }
    // Ritz vectors are unit up to rounding; make them exactly so.
    for v in result.1.iter_mut() {
        let nv = dot(v, v).sqrt();
        if nv > 0.0 {
            v.iter_mut().for_each(|x| *x /= nv);
        }
    }
    result
}

/// Dot product of f32 vectors accumulated in f64, four lanes for speed.
fn dot32(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] as f64 * y[l] as f64;
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(&x, &y)| x as f64 * y as f64).sum();
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

/// Squared euclidean distance of f32 vectors accumulated in f64.
fn sq_dist32(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            let t = x[l] as f64 - y[l] as f64;
            acc[l] += t * t;
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum();
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

fn matvec(a: &[f64], n: usize, x: &[f64]) -> Vec<f64> {
    (0..n).map(|i| dot(&a[i * n..(i + 1) * n], x)).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Modified Gram-Schmidt, twice (for orthogonality to working precision). A vector that
/// vanishes is replaced by a unit basis vector orthogonalized against the others.
fn orthonormalize(q: &mut [Vec<f64>]) {
    let n = q.first().map_or(0, |v| v.len());
    for i in 0..q.len() {
        for _pass in 0..2 {
            for j in 0..i {
                let (head, tail) = q.split_at_mut(i);
                let c = dot(&head[j], &tail[0]);
                axpy(&mut tail[0], -c, &head[j]);
            }
        }
        let mut nv = dot(&q[i], &q[i]).sqrt();
        if nv.is_nan() || nv <= 1e-300 {
            // Deflated direction: try basis vectors until one survives.
            for e in 0..n {
                let mut v = vec![0.0; n];
                v[e] = 1.0;
                for qj in &q[..i] {
                    let c = dot(qj, &v);
                    axpy(&mut v, -c, qj);
                }
                let nn = dot(&v, &v).sqrt();
                if nn > 1e-8 {
                    q[i] = v;
                    nv = nn;
                    break;
                }
            }
        }
        if nv > 0.0 {
            q[i].iter_mut().for_each(|x| *x /= nv);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// t-SNE
// ---------------------------------------------------------------------------------------------

/// Early exaggeration factor (multiplies P during the first phase).
pub const TSNE_EXAGGERATION: f64 = 12.0;
/// Most rows t-SNE accepts: it holds two n x n matrices of f64 (144 MB at this size).
pub const MAX_TSNE_ROWS: usize = 3000;
/// Most iterations t-SNE accepts (the usual 1,000 converge; more only costs time).
pub const MAX_TSNE_ITERATIONS: usize = 5000;
/// Length of the early-exaggeration phase, at most (a quarter of the iterations when fewer).
pub const TSNE_EXAGGERATION_ITERS: usize = 250;

/// Exact t-SNE (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 2008) of the rows of
/// `data` (`rows x cols`) into 2-D; returns `rows x 2`, row-major. O(rows^2) memory and time per
/// iteration: meant for up to about a thousand points.
///
/// ```text
/// p_{j|i} = exp(-beta_i |x_i - x_j|^2) / sum_{l != i} exp(-beta_i |x_i - x_l|^2)
///           beta_i by binary search so that 2^{H(P_i)} = perplexity (H in bits; here in nats,
///           H = log(perplexity))
/// p_ij    = (p_{j|i} + p_{i|j}) / (2 N)
/// q_ij    = (1 + |y_i - y_j|^2)^-1 / sum_{l != m} (1 + |y_l - y_m|^2)^-1
/// dC/dy_i = 4 sum_j (p_ij - q_ij) (y_i - y_j) (1 + |y_i - y_j|^2)^-1        (C = KL(P || Q))
/// ```
/// Optimization as in the paper and its reference code: gradient descent with momentum (0.5, then
/// 0.8), per-coordinate adaptive gains (Jacobs 1988: +0.2 when the gradient changes sign, x0.8
/// otherwise, at least 0.01), early exaggeration (P x 12 for the first
/// min(250, iterations / 4) iterations); learning rate max(N / 12 / 4, 50) (Belkina et al. 2019,
/// as scikit-learn's "auto"). The start is a seeded gaussian of standard deviation 1e-4
/// (`rng::Stream`, the crate's portable generator), so the result is a deterministic function of the input and `seed`.
///
/// `perplexity` is clamped to `[1, (rows - 1) / 3]` (at least 1) so that the search has a
/// solution. Non-finite inputs count as 0.
pub fn tsne(matrix: ArrayView2<f32>, perplexity: f32, iterations: usize, seed: u64) -> Vec<f32> {
    let (rows, cols) = matrix.dim();
    let values = row_major(&matrix);
    let data: &[f32] = &values;
    let n = rows;
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![0.0, 0.0];
    }
    let clean: Vec<f32> = data.iter().map(|&v| if v.is_finite() { v } else { 0.0 }).collect();
    let row = |i: usize| &clean[i * cols..(i + 1) * cols];
    // Squared distances.
    let mut d = vec![0.0f64; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = sq_dist32(row(i), row(j));
            d[i * n + j] = s;
            d[j * n + i] = s;
        }
    }
    let perp = (perplexity as f64).clamp(1.0, (((n - 1) as f64) / 3.0).max(1.0));
    let p = joint_probabilities(&d, n, perp);

    // Optimization.
    let mut rng = Stream::new(seed, Purpose::Probe);
    let mut y: Vec<f64> = (0..2 * n).map(|_| 1e-4 * rng.normal() as f64).collect();
    let mut update = vec![0.0f64; 2 * n];
    let mut gains = vec![1.0f64; 2 * n];
    let mut grad = vec![0.0f64; 2 * n];
    let mut num = vec![0.0f64; n * n];
    let exag_iters = TSNE_EXAGGERATION_ITERS.min(iterations / 4);
    let lr = (n as f64 / TSNE_EXAGGERATION / 4.0).max(50.0);
    for it in 0..iterations {
        let exag = if it < exag_iters { TSNE_EXAGGERATION } else { 1.0 };
        let momentum = if it < exag_iters { 0.5 } else { 0.8 };
        // Student-t kernel and its sum.
        let mut z = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                let dx = y[2 * i] - y[2 * j];
                let dy = y[2 * i + 1] - y[2 * j + 1];
                let q = 1.0 / (1.0 + dx * dx + dy * dy);
                num[i * n + j] = q;
                num[j * n + i] = q;
                z += 2.0 * q;
            }
        }
        let z = z.max(f64::MIN_POSITIVE);
        grad.iter_mut().for_each(|g| *g = 0.0);
        for i in 0..n {
            let (mut gx, mut gy) = (0.0, 0.0);
            for j in 0..n {
                if i == j {
                    continue;
                }
                let q = num[i * n + j];
                let m = (exag * p[i * n + j] - q / z) * q;
                gx += m * (y[2 * i] - y[2 * j]);
                gy += m * (y[2 * i + 1] - y[2 * j + 1]);
            }
            grad[2 * i] = 4.0 * gx;
            grad[2 * i + 1] = 4.0 * gy;
        }
        for c in 0..2 * n {
            let same_sign = (grad[c] > 0.0) == (update[c] > 0.0);
            gains[c] = if same_sign { gains[c] * 0.8 } else { gains[c] + 0.2 };
            gains[c] = gains[c].max(0.01);
            update[c] = momentum * update[c] - lr * gains[c] * grad[c];
            y[c] += update[c];
        }
        // Keep the embedding centred.
        let (mx, my) = (0..n).fold((0.0, 0.0), |(a, b), i| (a + y[2 * i], b + y[2 * i + 1]));
        let (mx, my) = (mx / n as f64, my / n as f64);
        for i in 0..n {
            y[2 * i] -= mx;
            y[2 * i + 1] -= my;
        }
    }
    y.into_iter().map(|v| if v.is_finite() { v as f32 } else { 0.0 }).collect()
}

/// Symmetric t-SNE affinities `p_ij` (row-major n x n, zero diagonal, summing to 1) from squared
/// distances, with each row's precision found by bisection to match `perplexity`.
pub fn joint_probabilities(d: &[f64], n: usize, perplexity: f64) -> Vec<f64> {
    let target = libm::log(perplexity.max(1.0));
    let mut cond = vec![0.0f64; n * n];
    let mut row = vec![0.0f64; n];
    for i in 0..n {
        // Shift by the smallest off-diagonal distance: exp() cannot underflow for the nearest
        // neighbour, and the shift cancels in the normalization.
        let dmin = (0..n).filter(|&j| j != i).map(|j| d[i * n + j]).fold(f64::INFINITY, f64::min);
        let dmean = (0..n).filter(|&j| j != i).map(|j| d[i * n + j] - dmin).sum::<f64>() / (n - 1) as f64;
        let mut beta = if dmean > 0.0 { 1.0 / dmean } else { 1.0 };
        let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
        for _ in 0..200 {
            // Entropy H = log(sum) + beta * sum(d p) / sum, in nats.
            let mut sum = 0.0;
            let mut sdp = 0.0;
            for j in 0..n {
                if j == i {
                    row[j] = 0.0;
                    continue;
                }
                let dj = d[i * n + j] - dmin;
                let e = libm::exp(-beta * dj);
                row[j] = e;
                sum += e;
                sdp += dj * e;
            }
            let h = libm::log(sum) + beta * sdp / sum;
            let diff = h - target;
            if diff.abs() < 1e-5 {
                break;
            }
            if diff > 0.0 {
                // Too flat: sharpen.
                lo = beta;
                beta = if hi.is_finite() { (beta + hi) / 2.0 } else { beta * 2.0 };
            } else {
                hi = beta;
                beta = (beta + lo) / 2.0;
            }
        }
        let sum: f64 = row.iter().sum();
        for j in 0..n {
            cond[i * n + j] = if sum > 0.0 { row[j] / sum } else { 0.0 };
        }
    }
    let mut p = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                p[i * n + j] = ((cond[i * n + j] + cond[j * n + i]) / (2.0 * n as f64)).max(1e-12);
            }
        }
    }
    p
}
