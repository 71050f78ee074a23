//! Figure 4's points: z_A of many sequences, put in a plane the chart can draw.
//!
//! For d = 2 the plane is z_A itself, for d = 1 a line (z_A[0], 0), and for d > 2 the first two
//! principal components ([`super::embed::pca`]). Which one it is travels with the points as a
//! [`ZaAxes`] value (crossing to JavaScript as the string `"plane"`, `"line"` or `"pca"`), so the
//! chart titles its axes from it, never from a caption.

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::embed::pca;
use crate::rng::{Purpose, Stream};

/// What the two coordinates of the points are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZaAxes {
    /// The z_A plane itself (d = 2): the points are `(z_A[0], z_A[1])`.
    Plane,
    /// z_A on a line (d = 1): the points are `(z_A[0], 0)`.
    Line,
    /// The first two principal components of z_A (d > 2).
    #[default]
    Pca,
}

impl ZaAxes {
    /// The titles of the x and y axes.
    pub fn titles(self) -> (&'static str, &'static str) {
        match self {
            ZaAxes::Plane => ("z_A[0]", "z_A[1]"),
            ZaAxes::Line => ("z_A[0]", ""),
            ZaAxes::Pca => ("PC1", "PC2"),
        }
    }
}

/// z_A in 2-D: `points` interleaved `x_0, y_0, x_1, y_1, ..` (n x 2), what the axes are, and a
/// caption that says how the plane was made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Projected {
    pub points: Vec<f32>,
    pub axes: ZaAxes,
    pub caption: String,
}

/// Projects z_A (`n x d`, row-major) to 2-D.
pub fn project(za: &[f32], n: usize, d: usize) -> Projected {
    assert_eq!(za.len(), n * d, "z_A has {} values, not n x d = {n} x {d}", za.len());
    match d {
        2 => Projected { points: za.to_vec(), axes: ZaAxes::Plane, caption: "the z_A plane itself (d = 2)".into() },
        1 => Projected {
            points: za.iter().flat_map(|&z| [z, 0.0]).collect(),
            axes: ZaAxes::Line,
            caption: "z_A on a line (d = 1)".into(),
        },
        _ => {
            let pc = pca(ArrayView2::from_shape((n, d), za).expect("z_A is n x d"), 2);
            let pct = |i: usize| {
                pc.explained_variance_ratio.get(i).map(|r| format!("{:.0}%", 100.0 * r)).unwrap_or_else(|| "-".into())
            };
            Projected {
                points: pc.projected,
                axes: ZaAxes::Pca,
                caption: format!("PCA of z_A (d = {d}): PC1 {}, PC2 {} of the variance", pct(0), pct(1)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plane_the_line_and_a_pca() {
        let p = project(&[1.0, 2.0, 3.0, 4.0], 2, 2);
        assert_eq!((p.points, p.axes), (vec![1.0, 2.0, 3.0, 4.0], ZaAxes::Plane));
        let l = project(&[1.0, 2.0], 2, 1);
        assert_eq!((l.points, l.axes), (vec![1.0, 0.0, 2.0, 0.0], ZaAxes::Line));
        // Points on a line in 3-D: PC1 carries all the variance.
        let q = project(&[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0], 3, 3);
        assert_eq!((q.points.len(), q.axes), (6, ZaAxes::Pca));
        assert!(q.caption.contains("PC1 100%"), "{}", q.caption);
        assert_eq!(serde_json::to_string(&ZaAxes::Pca).unwrap(), "\"pca\"");
    }
}

/// How well z_A separates the count classes (figure 4's claim: 6 clusters after p = 2, 16 after
/// p = 4), as numbers: k-means with as many clusters as there are count classes, compared with
/// the counts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// Count classes present (6 for the p = 2 patterns, 16 for p = 4).
    pub classes: usize,
    /// Classes that form a cluster of their own: some k-means cluster holds at least
    /// [`OWN_CLUSTER`] of the class's points, and the class is at least that share of the
    /// cluster.
    pub formed: usize,
    /// Adjusted Rand index of the k-means clusters against the counts (1: the same partition;
    /// about 0: no better than chance).
    pub ari: f64,
}

/// The share (of a class and of its cluster) for a class to count as a cluster of its own.
pub const OWN_CLUSTER: f64 = 0.9;
/// k-means restarts; the best (least within-cluster sum of squares) is kept.
const KMEANS_RESTARTS: usize = 8;
const KMEANS_ITERATIONS: usize = 100;

/// k-means (k-means++ seeding from `seed`, Lloyd's iterations, [`KMEANS_RESTARTS`] restarts) of the
/// rows of `points`; returns each row's cluster. Deterministic for a seed.
// Index loops: each index addresses a row of `points` and the same slot of parallel arrays.
#[allow(clippy::needless_range_loop)]
pub fn kmeans(points: ArrayView2<f32>, k: usize, seed: u64) -> Vec<usize> {
    let n = points.nrows();
    if n == 0 || k == 0 {
        return vec![0; n];
    }
    let k = k.min(n);
    let dist2 = |a: ArrayView1<f32>, b: ArrayView1<f64>| -> f64 {
        a.iter().zip(b.iter()).map(|(&x, &y)| (x as f64 - y) * (x as f64 - y)).sum()
    };
    let mut rng = Stream::new(seed, Purpose::Probe);
    let mut best: Option<(f64, Vec<usize>)> = None;
    for _ in 0..KMEANS_RESTARTS {
        // k-means++: the first centre uniform, each next one with probability ~ squared distance.
        let mut centres = Array2::<f64>::zeros((k, points.ncols()));
        let first = rng.below(n as u32) as usize;
        centres.row_mut(0).assign(&points.row(first).mapv(|x| x as f64));
        let mut d2: Vec<f64> = (0..n).map(|i| dist2(points.row(i), centres.row(0))).collect();
        for c in 1..k {
            let total: f64 = d2.iter().sum();
            let pick = if total > 0.0 {
                let target = rng.unit_f32() as f64 * total;
                let mut acc = 0.0;
                (0..n)
                    .find(|&i| {
                        acc += d2[i];
                        acc > target
                    })
                    .unwrap_or(n - 1)
            } else {
                rng.below(n as u32) as usize
            };
            centres.row_mut(c).assign(&points.row(pick).mapv(|x| x as f64));
            for i in 0..n {
                d2[i] = d2[i].min(dist2(points.row(i), centres.row(c)));
            }
        }
        let mut assign = vec![usize::MAX; n];
        for _ in 0..KMEANS_ITERATIONS {
            let mut changed = false;
            for i in 0..n {
                let nearest = (0..k)
                    .min_by(|&a, &b| {
                        dist2(points.row(i), centres.row(a)).total_cmp(&dist2(points.row(i), centres.row(b)))
                    })
                    .unwrap_or(0);
                if assign[i] != nearest {
                    assign[i] = nearest;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
            let mut sums = Array2::<f64>::zeros((k, points.ncols()));
            let mut sizes = vec![0usize; k];
            for i in 0..n {
                let mut row = sums.row_mut(assign[i]);
                row += &points.row(i).mapv(|x| x as f64);
                sizes[assign[i]] += 1;
            }
            for c in 0..k {
                if sizes[c] > 0 {
                    centres.row_mut(c).assign(&(&sums.row(c) / sizes[c] as f64));
                }
            }
        }
        let inertia: f64 = (0..n).map(|i| dist2(points.row(i), centres.row(assign[i]))).sum();
        if best.as_ref().is_none_or(|(b, _)| inertia < *b) {
            best = Some((inertia, assign));
        }
    }
    best.map(|(_, a)| a).unwrap_or_default()
}

/// Adjusted Rand index of two labellings of the same points (Hubert and Arabie 1985).
///
/// ```text
/// index = sum_ij C(n_ij, 2),  a = sum_i C(a_i, 2),  b = sum_j C(b_j, 2)
/// ARI   = (index - a b / C(n, 2)) / ((a + b) / 2 - a b / C(n, 2))
/// ```
pub fn adjusted_rand(x: &[usize], y: &[usize]) -> f64 {
    assert_eq!(x.len(), y.len(), "two labellings of the same points");
    let n = x.len();
    let c2 = |m: usize| (m as f64) * (m as f64 - 1.0) / 2.0;
    let mut table: std::collections::BTreeMap<(usize, usize), usize> = Default::default();
    let (mut rows, mut cols): (std::collections::BTreeMap<usize, usize>, std::collections::BTreeMap<usize, usize>) =
        Default::default();
    for (&a, &b) in x.iter().zip(y) {
        *table.entry((a, b)).or_default() += 1;
        *rows.entry(a).or_default() += 1;
        *cols.entry(b).or_default() += 1;
    }
    let index: f64 = table.values().map(|&m| c2(m)).sum();
    let a: f64 = rows.values().map(|&m| c2(m)).sum();
    let b: f64 = cols.values().map(|&m| c2(m)).sum();
    let expected = a * b / c2(n).max(1.0);
    let max = (a + b) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return if (index - expected).abs() < 1e-12 { 1.0 } else { 0.0 };
    }
    (index - expected) / (max - expected)
}

/// k-means of z_A (`n x d`, row-major) with one cluster per count class, against the counts.
pub fn clusters(za: &[f32], n: usize, d: usize, counts: &[u32], seed: u64) -> ClusterReport {
    let points = ArrayView2::from_shape((n, d), za).expect("z_A is n x d");
    let classes: std::collections::BTreeSet<u32> = counts.iter().copied().collect();
    let k = classes.len();
    let assign = kmeans(points, k, seed);
    let labels: Vec<usize> = counts.iter().map(|&c| c as usize).collect();
    let mut formed = 0;
    for &class in &classes {
        let members: Vec<usize> = (0..n).filter(|&i| counts[i] == class).collect();
        let mut by_cluster: std::collections::BTreeMap<usize, usize> = Default::default();
        for &i in &members {
            *by_cluster.entry(assign[i]).or_default() += 1;
        }
        if let Some((&cluster, &inside)) = by_cluster.iter().max_by_key(|(_, &m)| m) {
            let size = assign.iter().filter(|&&a| a == cluster).count();
            if inside as f64 >= OWN_CLUSTER * members.len() as f64 && inside as f64 >= OWN_CLUSTER * size as f64 {
                formed += 1;
            }
        }
    }
    ClusterReport { classes: k, formed, ari: adjusted_rand(&assign, &labels) }
}

#[cfg(test)]
mod cluster_tests {
    use super::*;

    #[test]
    fn adjusted_rand_closed_forms() {
        assert_eq!(adjusted_rand(&[0, 0, 1, 1], &[5, 5, 7, 7]), 1.0, "the same partition, other names");
        // The textbook example: x = [0,0,0,1,1,1], y = [0,0,1,1,2,2]: index 2, a 6, b 3,
        // expected 6 * 3 / 15 = 1.2, ARI = (2 - 1.2) / (4.5 - 1.2) = 0.2424.
        let ari = adjusted_rand(&[0, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2]);
        assert!((ari - 0.8 / 3.3).abs() < 1e-12, "{ari}");
    }

    #[test]
    fn six_separated_blobs_are_six_clusters_and_merged_ones_are_not() {
        // Six classes on a line, tight: all six form their own cluster.
        let mut za = Vec::new();
        let mut counts = Vec::new();
        for c in 0..6u32 {
            for j in 0..8 {
                za.extend_from_slice(&[c as f32 * 10.0 + 0.01 * j as f32, 0.02 * j as f32]);
                counts.push(c);
            }
        }
        let r = clusters(&za, 48, 2, &counts, 0);
        assert_eq!((r.classes, r.formed), (6, 6));
        assert!((r.ari - 1.0).abs() < 1e-12);
        // Classes 2 and 3 on top of each other: at most four classes stand alone.
        let mut merged = za.clone();
        for i in 0..48 {
            if counts[i] == 3 {
                merged[2 * i] -= 10.0;
            }
        }
        let r = clusters(&merged, 48, 2, &counts, 0);
        assert!(r.formed <= 4 && r.ari < 1.0, "{r:?}");
        assert_eq!(clusters(&za, 48, 2, &counts, 0), clusters(&za, 48, 2, &counts, 0), "deterministic");
    }
}
