//! Figure 4's points: z_A of many sequences, put in a plane the chart can draw.
//!
//! For d = 2 the plane is z_A itself, for d = 1 a line (z_A[0], 0), and for d > 2 the first two
//! principal components ([`super::embed::pca`]). Which one it is travels with the points as a
//! [`ZaAxes`] value (crossing to JavaScript as the string `"plane"`, `"line"` or `"pca"`), so the
//! chart titles its axes from it, never from a caption.

use serde::{Deserialize, Serialize};

use super::embed::pca;

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
            let pc = pca(za, n, d, 2);
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
