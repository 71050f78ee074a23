//! PCA against closed forms; the fast eigen-solver against the simple one; t-SNE separates
//! well-separated clusters and is a deterministic function of its seed.

use pathscope::experiments::embed::{jacobi_eigen, pca, subspace_eigen, top_eigen, tsne, JACOBI_MAX};
use pathscope::rng::{Purpose, Stream};

/// The rows x cols matrix of row-major values, as the embeddings take it.
fn view(data: &[f32], rows: usize, cols: usize) -> ndarray::ArrayView2<'_, f32> {
    ndarray::ArrayView2::from_shape((rows, cols), data).expect("values make rows x cols")
}
/// Seeded gaussian test data from the crate's own portable stream.
struct Rng(Stream);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(Stream::new(seed, Purpose::Probe))
    }
    fn gauss(&mut self) -> f64 {
        self.0.normal() as f64
    }
}

/// A random orthonormal basis of R^d (Gram-Schmidt on gaussian vectors), as rows.
fn random_basis(d: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    let mut q: Vec<Vec<f64>> = Vec::new();
    while q.len() < d {
        let mut v: Vec<f64> = (0..d).map(|_| rng.gauss()).collect();
        for u in &q {
            let c: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
            v.iter_mut().zip(u).for_each(|(x, y)| *x -= c * y);
        }
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-6 {
            q.push(v.into_iter().map(|x| x / n).collect());
        }
    }
    q
}

/// Data `x_i = mean + sum_a c_ia sigma_a u_a` with exactly centred, exactly uncorrelated
/// coefficients c (a +-1 design), so its covariance is exactly `sum_a sigma_a^2 u_a u_a^T` up to
/// rounding: principal axes u_a, variances sigma_a^2.
fn designed_data(rows: usize, basis: &[Vec<f64>], sigmas: &[f64], mean: &[f64]) -> Vec<f32> {
    let d = basis[0].len();
    let mut out = Vec::with_capacity(rows * d);
    for i in 0..rows {
        let mut x = mean.to_vec();
        for (a, (u, s)) in basis.iter().zip(sigmas).enumerate() {
            // Walsh-like +-1 patterns: column a uses bit a of the row index; centred and orthogonal
            // when rows is a multiple of 2^(number of axes).
            let c = if (i >> a) & 1 == 0 { 1.0 } else { -1.0 };
            x.iter_mut().zip(u).for_each(|(xi, ui)| *xi += c * s * ui);
        }
        out.extend(x.into_iter().map(|v| v as f32));
    }
    out
}

fn cos(a: &[f32], b: &[f64]) -> f64 {
    let d: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * y).sum();
    let na = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    d / (na * nb)
}

fn check_pca_closed_form(rows: usize, dim: usize, seed: u64) {
    let mut rng = Rng::new(seed);
    let basis = random_basis(dim, &mut rng);
    let sigmas = [3.0, 2.0, 1.0, 0.5];
    let mean: Vec<f64> = (0..dim).map(|j| j as f64 * 0.1 - 1.0).collect();
    let data = designed_data(rows, &basis[..4], &sigmas, &mean);
    let out = pca(view(&data, rows, dim), 3);
    assert_eq!(out.projected.len(), rows * 3);
    assert_eq!(out.components.len(), 3 * dim);
    // Variances: c_ia = +-1, so var_a = sigma_a^2 * rows / (rows - 1).
    let total: f64 = sigmas.iter().map(|s| s * s).sum();
    for a in 0..3 {
        let expect = sigmas[a] * sigmas[a] * rows as f64 / (rows - 1) as f64;
        let got = out.explained_variance[a] as f64;
        assert!((got - expect).abs() < 1e-4 * expect, "variance {a}: {got} vs {expect}");
        let ratio = out.explained_variance_ratio[a] as f64;
        assert!((ratio - sigmas[a] * sigmas[a] / total).abs() < 1e-5, "ratio {a}: {ratio}");
        let c = cos(&out.components[a * dim..(a + 1) * dim], &basis[a]).abs();
        assert!(c > 0.99999, "axis {a}: |cos| = {c}");
    }
    let s: f32 = out.explained_variance_ratio.iter().sum();
    assert!(s <= 1.0 + 1e-6 && (s as f64 - (9.0 + 4.0 + 1.0) / total).abs() < 1e-5, "sum of ratios {s}");
    // Projections are the coordinates along the axes: variance of column a = explained variance.
    for a in 0..3 {
        let col: Vec<f64> = (0..rows).map(|i| out.projected[i * 3 + a] as f64).collect();
        let m = col.iter().sum::<f64>() / rows as f64;
        let v = col.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (rows - 1) as f64;
        assert!(
            m.abs() < 1e-4 && (v - out.explained_variance[a] as f64).abs() < 1e-3 * v,
            "projected column {a}: mean {m}, var {v}"
        );
    }
    // Mean recovered.
    for (got, want) in out.mean.iter().zip(&mean) {
        assert!((*got as f64 - want).abs() < 1e-5);
    }
}

#[test]
fn pca_recovers_known_axes_through_the_covariance() {
    // cols <= rows: covariance route.
    check_pca_closed_form(64, 6, 1);
}

#[test]
fn pca_recovers_known_axes_through_the_gram_matrix() {
    // cols > rows: Gram route (parameter vectors: many dimensions, few snapshots).
    check_pca_closed_form(32, 500, 2);
}

#[test]
fn pca_recovers_known_axes_with_many_snapshots() {
    // More rows than JACOBI_MAX and more columns than rows: the Gram route with subspace iteration.
    check_pca_closed_form(256, 300, 9);
}

#[test]
fn pca_routes_agree() {
    // The same data through both routes (transposition trick vs covariance) give the same answer.
    let mut rng = Rng::new(3);
    let (rows, cols) = (40, 30);
    let data: Vec<f32> = (0..rows * cols).map(|i| (rng.gauss() * (1.0 + (i % cols) as f64 * 0.2)) as f32).collect();
    let a = pca(view(&data, rows, cols), 4);
    // Pad with zero columns past rows to force the Gram route without changing the geometry.
    let wide_cols = rows + 5;
    let mut wide = vec![0.0f32; rows * wide_cols];
    for i in 0..rows {
        wide[i * wide_cols..i * wide_cols + cols].copy_from_slice(&data[i * cols..(i + 1) * cols]);
    }
    let b = pca(view(&wide, rows, wide_cols), 4);
    for c in 0..4 {
        assert!((a.explained_variance[c] - b.explained_variance[c]).abs() < 1e-3 * a.explained_variance[c]);
        let ca = &a.components[c * cols..(c + 1) * cols];
        let cb = &b.components[c * wide_cols..c * wide_cols + cols];
        let d: f32 = ca.iter().zip(cb).map(|(x, y)| x * y).sum();
        assert!(d > 0.9999, "component {c}: dot {d} (signs are fixed, so they must agree)");
    }
}

#[test]
fn pca_handles_degenerate_input() {
    // Constant data: no variance, no panic, zero components.
    let out = pca(view(&[1.0; 12], 4, 3), 2);
    assert!(out.explained_variance_ratio.iter().all(|&r| r == 0.0));
    assert!(out.projected.iter().all(|&v| v == 0.0));
    // k larger than the rank: extra components are zero.
    let out = pca(view(&[0.0, 0.0, 1.0, 1.0], 2, 2), 2);
    assert!(out.explained_variance_ratio[0] > 0.999 && out.explained_variance_ratio[1] == 0.0);
    // Empty, one row, NaN.
    let out = pca(view(&[], 0, 3), 2);
    assert_eq!(out.projected.len(), 0);
    let out = pca(view(&[1.0, 2.0, 3.0], 1, 3), 2);
    assert!(out.projected.iter().all(|&v| v == 0.0));
    let out = pca(view(&[1.0, f32::NAN, 2.0, 1.0, 3.0, 0.5], 3, 2), 1);
    assert!(out.projected.iter().all(|v| v.is_finite()));
}

#[test]
fn subspace_iteration_agrees_with_jacobi() {
    // The fast solver used above JACOBI_MAX against the reference, on a PSD matrix with a known
    // decaying spectrum.
    let n = 120;
    let mut rng = Rng::new(4);
    let basis = random_basis(n, &mut rng);
    let lambdas: Vec<f64> = (0..n).map(|i| 10.0 * 0.8f64.powi(i as i32)).collect();
    let mut a = vec![0.0; n * n];
    for (u, l) in basis.iter().zip(&lambdas) {
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] += l * u[i] * u[j];
            }
        }
    }
    let (vj, ej) = jacobi_eigen(&a, n);
    let (vs, es) = subspace_eigen(&a, n, 4);
    for i in 0..4 {
        assert!((vj[i] - lambdas[i]).abs() < 1e-9, "jacobi {i}: {} vs {}", vj[i], lambdas[i]);
        assert!((vs[i] - lambdas[i]).abs() < 1e-9, "subspace {i}: {} vs {}", vs[i], lambdas[i]);
        let d: f64 = ej[i].iter().zip(&es[i]).map(|(x, y)| x * y).sum();
        assert!(d.abs() > 1.0 - 1e-9, "vector {i}: |dot| = {}", d.abs());
    }
    // top_eigen dispatches on size; a slowly decaying spectrum (gap ratio 290/299) still converges.
    const { assert!(JACOBI_MAX < 300) };
    let big = 300;
    let b: Vec<f64> = (0..big * big).map(|k| if k / big == k % big { 1.0 + (k / big) as f64 } else { 0.0 }).collect();
    let (v, e) = top_eigen(&b, big, 2);
    assert!((v[0] - 300.0).abs() < 1e-7 && (v[1] - 299.0).abs() < 1e-7, "{v:?}");
    assert!(e[0][big - 1].abs() > 1.0 - 1e-8 && e[1][big - 2].abs() > 1.0 - 1e-8);
}

/// Three gaussian clusters in 20-D, far apart; labels 0, 1, 2.
fn clusters(per: usize, seed: u64) -> (Vec<f32>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let dim = 20;
    let centres: Vec<Vec<f64>> = (0..3).map(|_| (0..dim).map(|_| 10.0 * rng.gauss()).collect()).collect();
    let (mut data, mut labels) = (Vec::new(), Vec::new());
    for i in 0..3 * per {
        let c = i % 3;
        data.extend(centres[c].iter().map(|m| (m + rng.gauss()) as f32));
        labels.push(c);
    }
    (data, labels)
}

fn nn_agreement(y: &[f32], labels: &[usize]) -> f64 {
    let n = labels.len();
    let mut agree = 0;
    for i in 0..n {
        let mut best = (f32::INFINITY, 0);
        for j in 0..n {
            if i != j {
                let d = (y[2 * i] - y[2 * j]).powi(2) + (y[2 * i + 1] - y[2 * j + 1]).powi(2);
                if d < best.0 {
                    best = (d, j);
                }
            }
        }
        agree += (labels[best.1] == labels[i]) as usize;
    }
    agree as f64 / n as f64
}

#[test]
fn tsne_separates_clusters() {
    let (data, labels) = clusters(30, 5);
    let n = labels.len();
    let y = tsne(view(&data, n, 20), 15.0, 500, 42);
    assert_eq!(y.len(), 2 * n);
    assert!(y.iter().all(|v| v.is_finite()));
    let a = nn_agreement(&y, &labels);
    assert!(a >= 0.99, "nearest-neighbour label agreement {a}");
    // Clusters are separated, not merely neighbours: every point is closer to its own centroid.
    let mut cent = [[0.0f32; 2]; 3];
    for i in 0..n {
        cent[labels[i]][0] += y[2 * i] / 30.0;
        cent[labels[i]][1] += y[2 * i + 1] / 30.0;
    }
    for i in 0..n {
        let d = |c: &[f32; 2]| (y[2 * i] - c[0]).powi(2) + (y[2 * i + 1] - c[1]).powi(2);
        let own = d(&cent[labels[i]]);
        assert!((0..3).all(|c| c == labels[i] || d(&cent[c]) > own), "point {i} is nearer another cluster");
    }
}

#[test]
fn tsne_is_deterministic_for_a_seed() {
    let (data, labels) = clusters(10, 6);
    let n = labels.len();
    let a = tsne(view(&data, n, 20), 5.0, 200, 7);
    let b = tsne(view(&data, n, 20), 5.0, 200, 7);
    let c = tsne(view(&data, n, 20), 5.0, 200, 8);
    assert_eq!(a, b, "same seed, same bits");
    assert_ne!(a, c, "another seed, another start");
}

#[test]
fn tsne_handles_tiny_and_odd_inputs() {
    assert!(tsne(view(&[], 0, 3), 30.0, 100, 0).is_empty());
    assert_eq!(tsne(view(&[1.0, 2.0], 1, 2), 30.0, 100, 0), vec![0.0, 0.0]);
    let y = tsne(view(&[0.0, 0.0, 1.0, 1.0, 5.0, 5.0], 3, 2), 30.0, 100, 0);
    assert!(y.len() == 6 && y.iter().all(|v| v.is_finite()));
    // Duplicate points and NaN do not poison the result.
    let y = tsne(view(&[1.0, 1.0, 1.0, 1.0, f32::NAN, 2.0, 3.0, 3.0], 4, 2), 2.0, 100, 0);
    assert!(y.iter().all(|v| v.is_finite()));
}
