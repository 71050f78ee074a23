//! Figure 4, the z_A scatter (`src/viz/za_scatter.rs`), drawn as SVG and read back.

mod common;

use common::*;

use plotters::prelude::*;

use pathscope::viz::theme::{count_color, count_marker, MarkerShape, Theme};
use pathscope::viz::za_scatter::{draw_za_scatter, ZaAxes, ZaScatterData};

fn marks_of(tags: &[Tag], shape: MarkerShape, color: RGBColor) -> usize {
    match shape {
        MarkerShape::Circle => fills_of(tags, "circle", color).len(),
        MarkerShape::Triangle => fills_of(tags, "polygon", color).iter().filter(|t| t.points().len() == 3).count(),
        MarkerShape::Square => fills_of(tags, "polygon", color).iter().filter(|t| t.points().len() == 4).count(),
        _ => unreachable!(),
    }
}

#[test]
fn za_scatter_draws_one_mark_per_point_in_its_count_colour() {
    let theme = Theme::default();
    let (mut pts, counts) = fake_za(600, 2, 5, 0.05, 1);
    pts[0] = f32::NAN; // one point that cannot be drawn
    let data = ZaScatterData {
        points: &pts,
        counts: &counts,
        max_count: 5,
        projection_label: "z_A plane (d = 2)",
        axes: ZaAxes::Plane,
    };
    let (svg, _) = render("za_scatter_p2", (640, 520), |a| draw_za_scatter(a, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    for s in 0..=5u32 {
        let n = counts.iter().skip(1).filter(|&&c| c == s).count();
        // One mark per drawn point, plus one in the legend.
        assert_eq!(marks_of(&tags, count_marker(s), count_color(s, 5)), n + 1, "count {s}");
    }
    assert!(has_text(&tags, "z_A plane (d = 2)") && has_text(&tags, "1 non-finite points not drawn"));
    // The plane's axes are z_A's own coordinates: x is z_A[0], y (the rotated title) z_A[1].
    let title = |text: &str| tags.iter().filter(|t| t.name == "text" && t.text == text).collect::<Vec<_>>();
    let (x_title, y_title) = (title("z_A[0]"), title("z_A[1]"));
    assert_eq!((x_title.len(), y_title.len()), (1, 1), "{:?}", texts(&tags));
    assert!(x_title[0].attr("transform").is_empty() && y_title[0].attr("transform").starts_with("rotate"));
    assert!(!has_text(&tags, "component") && !has_text(&tags, "PC1"));

    let (pts, counts) = fake_za(2048, 4, 5, 0.06, 2);
    let data = ZaScatterData {
        points: &pts,
        counts: &counts,
        max_count: 15,
        projection_label: "PCA of z_A (d = 32): PC1 41%, PC2 12%",
        axes: ZaAxes::Pca,
    };
    let (svg, _) = render("za_scatter_p4", (640, 520), |a| draw_za_scatter(a, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    let total: usize = (0..=15).map(|s| marks_of(&tags, count_marker(s), count_color(s, 15))).sum();
    assert_eq!(total, 2048 + 16);
    assert!(has_text(&tags, "PC1 41%"));
    // A PCA's axes are its components (the caption also starts with "PCA").
    let mut axis_titles: Vec<&str> =
        texts(&tags).into_iter().filter(|t| t.starts_with("PC") && !t.starts_with("PCA")).collect();
    axis_titles.sort();
    assert_eq!(axis_titles, ["PC1", "PC2"]);
    assert!(!has_text(&tags, "component"));
    // d = 1: the points are (z_A[0], 0), and only x has a title.
    let (pts, counts) = fake_za(200, 2, 5, 0.05, 3);
    let line: Vec<f32> = pts.chunks(2).flat_map(|p| [p[0], 0.0]).collect();
    let data = ZaScatterData {
        points: &line,
        counts: &counts,
        max_count: 5,
        projection_label: "z_A on a line (d = 1)",
        axes: ZaAxes::Line,
    };
    let (svg, _) = render("za_scatter_line", (640, 520), |a| draw_za_scatter(a, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    assert!(has_text(&tags, "z_A[0]") && !has_text(&tags, "z_A[1]") && !has_text(&tags, "PC1"));
}

#[test]
fn za_scatter_odd_inputs_draw_messages() {
    let theme = Theme::default();
    let cases: [(&str, ZaScatterData, &str); 4] = [
        (
            "empty",
            ZaScatterData { points: &[], counts: &[], max_count: 5, projection_label: "", axes: ZaAxes::Pca },
            "No attention outputs",
        ),
        (
            "odd",
            ZaScatterData {
                points: &[1.0, 2.0, 3.0],
                counts: &[1],
                max_count: 5,
                projection_label: "",
                axes: ZaAxes::Pca,
            },
            "do not make 2-D",
        ),
        (
            "counts",
            ZaScatterData { points: &[1.0, 2.0], counts: &[], max_count: 5, projection_label: "", axes: ZaAxes::Pca },
            "1 points but 0 counts",
        ),
        (
            "nan",
            ZaScatterData {
                points: &[f32::NAN, 1.0],
                counts: &[0],
                max_count: 0,
                projection_label: "",
                axes: ZaAxes::Pca,
            },
            "non-finite",
        ),
    ];
    for (name, data, needle) in cases {
        let (svg, _) =
            render(&format!("za_scatter_{name}"), (400, 300), |a| draw_za_scatter(a, &data, &theme).unwrap());
        assert!(has_text(&parse_svg(&svg), needle), "{name}");
    }
    // A single point, all points equal: a drawn chart, not a degenerate range.
    let data = ZaScatterData {
        points: &[1.0, 1.0, 1.0, 1.0],
        counts: &[3, 3],
        max_count: 5,
        projection_label: "one place",
        axes: ZaAxes::Plane,
    };
    render("za_scatter_same", (400, 300), |a| draw_za_scatter(a, &data, &theme).unwrap());
}
