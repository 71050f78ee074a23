//! Figure 3, the attention heatmap (`src/viz/attention_heatmap.rs`), drawn as SVG and read back.

mod common;

use common::*;

use pathscope::viz::attention_heatmap::{draw_attention_heatmap, row_at_pixel, AttentionHeatmapData, HeatmapGeometry};
use pathscope::viz::theme::{heat_color, hex, Theme, HEATMAP_HIGHLIGHT, HEATMAP_K_LINE};

fn cells<'a>(tags: &'a [Tag], g: &HeatmapGeometry) -> Vec<&'a Tag> {
    tags.iter()
        .filter(|t| {
            t.name == "rect"
                && t.num("x") >= g.left as f64
                && t.num("x") < (g.left + g.width) as f64
                && t.num("y") >= g.top as f64
                && t.num("y") < (g.top + g.height) as f64
                && t.attr("fill").starts_with('#')
        })
        .collect()
}

#[test]
fn heatmap_cells_line_and_scrub_agree() {
    let theme = Theme::default();
    let (rows, cols, k) = (20, 8, 5);
    let (a, steps) = fake_heat(rows, cols, k);
    let data = AttentionHeatmapData { groups: 1, attn: &a, cols, steps: &steps, k, highlight: Some(7), vmax: None };
    let (svg, g) = render("attention_heatmap_few", (640, 480), |ar| draw_attention_heatmap(ar, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    assert_eq!((g.rows, g.cols), (rows, cols));
    let vmax = a.iter().cloned().fold(0.0f32, f32::max) as f64;

    // Every cell: its colour is the attention of the row that row_at_pixel gives for each of its
    // pixel rows, and of the column under it.
    let cs = cells(&tags, &g);
    assert_eq!(cs.len(), rows * cols);
    for c in &cs {
        let (x, y, h) = (c.num("x") as i32, c.num("y") as i32, c.num("height") as i32);
        let col = g.col_at(x).unwrap();
        let row = g.row_at_y(y).unwrap();
        assert!((y..y + h).all(|py| g.row_at_y(py) == Some(row)), "cell rows");
        assert_eq!(c.attr("fill"), hex(heat_color(a[row * cols + col] as f64, vmax)), "row {row} col {col}");
    }
    // The darkest cell is where the attention is largest: the last row, position 3.
    let darkest = cs.iter().min_by(|p, q| lum(p.attr("fill")).total_cmp(&lum(q.attr("fill")))).unwrap();
    assert_eq!(g.col_at(darkest.num("x") as i32), Some(2));
    assert_eq!(g.row_at_y(darkest.num("y") as i32), Some(rows - 1));

    // The red line sits after position k.
    let red = lines_of(&tags, HEATMAP_K_LINE);
    assert_eq!(red.len(), 1);
    let pts = red[0].points();
    let expect_x = g.left + (k * g.width as usize).div_ceil(cols) as i32;
    assert_eq!(g.col_at(expect_x), Some(k), "the line is the first pixel column of position k + 1");
    assert!(pts.iter().all(|p| p.0 == expect_x), "{pts:?} vs x = {expect_x}");
    assert_eq!((pts[0].1, pts[1].1), (g.top, g.top + g.height));

    // The highlighted row is outlined around that row.
    let hl: Vec<&Tag> =
        tags.iter().filter(|t| t.name == "rect" && t.attr("stroke") == hex(HEATMAP_HIGHLIGHT)).collect();
    assert_eq!(hl.len(), 1);
    let mid = (hl[0].num("y") + hl[0].num("height") / 2.0) as i32;
    assert_eq!(g.row_at_y(mid), Some(7));
    assert!(has_text(&tags, "outlined: step 224"));
}

#[test]
fn heatmap_downsamples_many_rows() {
    let theme = Theme::default();
    let (rows, cols) = (3000, 12);
    let (a, steps) = fake_heat(rows, cols, 5);
    let data =
        AttentionHeatmapData { groups: 1, attn: &a, cols, steps: &steps, k: 5, highlight: Some(1234), vmax: Some(1.0) };
    let (svg, g) = render("attention_heatmap", (640, 480), |ar| draw_attention_heatmap(ar, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    let cs = cells(&tags, &g);
    assert_eq!(cs.len(), g.height as usize * cols, "one cell per pixel row and column");
    assert_eq!(g.row_at_y(g.top), Some(0));
    let last = g.row_at_y(g.top + g.height - 1).unwrap();
    assert!(last >= rows - rows.div_ceil(g.height as usize) && last < rows);
    assert_eq!(g.row_at_y(g.top - 1), None);
    assert_eq!(g.row_at_y(g.top + g.height), None);
    assert_eq!(g.row_at(g.left - 1, g.top + 5), None);
}

#[test]
fn row_at_pixel_is_floor_of_the_proportion() {
    assert_eq!(row_at_pixel(10, 10, 100, 50), Some(0));
    assert_eq!(row_at_pixel(11, 10, 100, 50), Some(0));
    assert_eq!(row_at_pixel(12, 10, 100, 50), Some(1));
    assert_eq!(row_at_pixel(109, 10, 100, 50), Some(49));
    assert_eq!(row_at_pixel(110, 10, 100, 50), None);
    assert_eq!(row_at_pixel(9, 10, 100, 50), None);
    assert_eq!(row_at_pixel(50, 10, 100, 0), None);
    assert_eq!(row_at_pixel(50, 10, 0, 5), None);
    assert_eq!(row_at_pixel(10 + 99, 10, 100, 1000), Some(990));
}

#[test]
fn heatmap_odd_inputs_draw_messages() {
    let theme = Theme::default();
    let nan = [f32::NAN; 16];
    let cases: [(&str, AttentionHeatmapData, Option<&str>); 4] = [
        (
            "empty",
            AttentionHeatmapData { groups: 1, attn: &[], cols: 8, steps: &[], k: 5, highlight: None, vmax: None },
            Some("No attention"),
        ),
        (
            "ragged",
            AttentionHeatmapData { groups: 1, attn: &[0.1; 7], cols: 2, steps: &[], k: 5, highlight: None, vmax: None },
            Some("do not make rows"),
        ),
        (
            "steps",
            AttentionHeatmapData {
                groups: 1,
                attn: &[0.1; 8],
                cols: 2,
                steps: &[1, 2],
                k: 1,
                highlight: None,
                vmax: None,
            },
            Some("4 rows"),
        ),
        (
            "nan",
            AttentionHeatmapData {
                groups: 1,
                attn: &nan,
                cols: 8,
                steps: &[],
                k: 50,
                highlight: Some(99),
                vmax: Some(f32::NAN),
            },
            Some("NaN"),
        ),
    ];
    for (name, data, needle) in cases {
        let (svg, g) = render(&format!("attention_heatmap_{name}"), (400, 300), |a| {
            draw_attention_heatmap(a, &data, &theme).unwrap()
        });
        if let Some(n) = needle {
            assert!(has_text(&parse_svg(&svg), n), "{name}");
        }
        if name != "nan" {
            assert_eq!(g.rows, 0);
        }
    }
}

#[test]
fn several_probes_side_by_side_each_get_their_k_line() {
    // Figure 3 as the authors draw it: four probe sequences of T = 12 side by side.
    let theme = Theme::default();
    let (rows, t, k, groups) = (10, 12, 5, 4);
    let (a, steps) = fake_heat(rows, t * groups, k);
    let data =
        AttentionHeatmapData { groups, attn: &a, cols: t * groups, steps: &steps, k, highlight: None, vmax: None };
    let (svg, g) =
        render("attention_heatmap_groups", (900, 480), |ar| draw_attention_heatmap(ar, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    assert_eq!(g.cols, t * groups);
    let red = lines_of(&tags, HEATMAP_K_LINE);
    assert_eq!(red.len(), groups, "one red line per probe");
    for (i, line) in red.iter().enumerate() {
        let x = line.points()[0].0;
        assert_eq!(g.col_at(x), Some(i * t + k), "probe {i}: after its position k");
    }
    assert!(has_text(&tags, "4 probe sequences side by side"));
    // The x axis counts positions within each probe: 1 to T, never past T.
    assert!(!texts(&tags).iter().any(|s| *s == "13" || *s == "48"), "{:?}", texts(&tags));
    // Columns that do not split into the groups are a message, not a wrong picture.
    let bad = AttentionHeatmapData { groups: 5, ..data };
    let (svg, _) =
        render("attention_heatmap_groups_bad", (600, 300), |ar| draw_attention_heatmap(ar, &bad, &theme).unwrap());
    assert!(svg.contains("do not split into 5 probe sequences"));
}
