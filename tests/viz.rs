//! Native tests of the charts: each chart draws on plotters' SVGBackend into a String, and the
//! tests read the marks back from the SVG (stroke and fill colours, widths, positions). Every
//! render is also written to `out/viz/<name>.svg` (gitignored) so a person can look at it.

#![allow(clippy::needless_range_loop)] // index loops over parallel arrays read best here

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use pathscope::viz::attention_graph::{
    draw_attention_graph, edge_width, AttentionGraphData, EdgeChange, ATTN_CHANGE_EPS, MIN_EDGE_WIDTH,
};
use pathscope::viz::attention_heatmap::{draw_attention_heatmap, row_at_pixel, AttentionHeatmapData, HeatmapGeometry};
use pathscope::viz::curves::{draw_curves, thin, CurvesData, PhaseSwitch, RunCurves};
use pathscope::viz::loss_barrier::{barrier, draw_loss_barrier, LossBarrierData};
use pathscope::viz::theme::{
    count_color, count_marker, heat_color, hex, interpolate, run_style, MarkerShape, Theme, EDGE_GREW, EDGE_SHRANK,
    EDGE_UNCHANGED, HEATMAP_HIGHLIGHT, HEATMAP_K_LINE, HEAT_STOPS, PHASE_SWITCH, RELEVANT_BAND, VIRIDIS_STOPS,
};
use pathscope::viz::trajectory::{draw_trajectory, TrajectoryData, TrajectoryRun};
use pathscope::viz::za_scatter::{draw_za_scatter, ZaAxes, ZaScatterData};

// ---------------------------------------------------------------------------------------------
// Rendering and reading SVG back
// ---------------------------------------------------------------------------------------------

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn render<R>(name: &str, size: (u32, u32), f: impl FnOnce(&Area) -> R) -> (String, R) {
    let mut s = String::new();
    let r;
    {
        let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
        r = f(&root);
        root.present().unwrap();
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out").join("viz");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.svg")), &s);
    (s, r)
}

/// One SVG element: its tag, attributes and (for <text>) its content.
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: HashMap<String, String>,
    text: String,
}

impl Tag {
    fn attr(&self, k: &str) -> &str {
        self.attrs.get(k).map(String::as_str).unwrap_or("")
    }
    fn num(&self, k: &str) -> f64 {
        self.attr(k).parse().unwrap_or(f64::NAN)
    }
    fn points(&self) -> Vec<(i32, i32)> {
        self.attr("points")
            .split_whitespace()
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect()
    }
}

fn parse_svg(svg: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('/') || rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find('>').unwrap();
        let head = &rest[..end];
        let name: String = head.chars().take_while(|c| c.is_alphanumeric()).collect();
        let mut attrs = HashMap::new();
        let mut h = &head[name.len()..];
        while let Some(eq) = h.find("=\"") {
            let key = h[..eq].trim().to_string();
            let after = &h[eq + 2..];
            let close = after.find('"').unwrap();
            attrs.insert(key, unescape(&after[..close]));
            h = &after[close + 1..];
        }
        let mut text = String::new();
        if name == "text" {
            let body = &rest[end + 1..];
            let stop = body.find("</text>").unwrap_or(0);
            text = unescape(body[..stop].trim());
        }
        out.push(Tag { name, attrs, text });
        rest = &rest[end + 1..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn texts(tags: &[Tag]) -> Vec<&str> {
    tags.iter().filter(|t| t.name == "text").map(|t| t.text.as_str()).collect()
}

fn has_text(tags: &[Tag], needle: &str) -> bool {
    texts(tags).iter().any(|t| t.contains(needle))
}

fn lines_of(tags: &[Tag], color: RGBColor) -> Vec<&Tag> {
    let c = hex(color);
    tags.iter().filter(|t| t.name == "polyline" && t.attr("stroke") == c).collect()
}

fn fills_of<'a>(tags: &'a [Tag], name: &str, color: RGBColor) -> Vec<&'a Tag> {
    let c = hex(color);
    tags.iter().filter(|t| t.name == name && t.attr("fill") == c).collect()
}

/// Relative luminance proxy of "#RRGGBB".
fn lum(hexs: &str) -> f64 {
    let v = u32::from_str_radix(hexs.trim_start_matches('#'), 16).unwrap_or(0);
    let (r, g, b) = ((v >> 16) & 255, (v >> 8) & 255, v & 255);
    0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64
}
/// Seeded test data from the crate's own portable stream.
struct Mix(pathscope::rng::Stream);
impl Mix {
    fn new(seed: u64) -> Self {
        Mix(pathscope::rng::Stream::new(seed, pathscope::rng::Purpose::Probe))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn gauss(&mut self) -> f32 {
        self.0.normal()
    }
}

// ---------------------------------------------------------------------------------------------
// Theme
// ---------------------------------------------------------------------------------------------

#[test]
fn scales_hit_their_stops_and_stay_ordered() {
    assert_eq!(heat_color(0.0, 0.5), HEAT_STOPS[0]);
    assert_eq!(heat_color(0.5, 0.5), HEAT_STOPS[8]);
    assert_eq!(heat_color(f64::NAN, 1.0), HEAT_STOPS[0]);
    assert_eq!(heat_color(2.0, 1.0), HEAT_STOPS[8]);
    // Darkness increases with attention: luminance strictly decreases along the scale.
    let l: Vec<f64> = (0..=20).map(|i| lum(&hex(heat_color(i as f64 / 20.0, 1.0)))).collect();
    assert!(l.windows(2).all(|w| w[1] < w[0]), "{l:?}");
    assert_eq!(interpolate(&VIRIDIS_STOPS, 0.0), VIRIDIS_STOPS[0]);
    // Counts 0..15 get 16 distinct colours, and neighbours differ in shape too.
    let cols: std::collections::HashSet<String> = (0..16).map(|s| hex(count_color(s, 15))).collect();
    assert_eq!(cols.len(), 16);
    assert!((0..15).all(|s| count_marker(s) != count_marker(s + 1)));
}

// ---------------------------------------------------------------------------------------------
// Figure 2: attention graph
// ---------------------------------------------------------------------------------------------

const PROBE: [u8; 8] = [1, 0, 0, 1, 0, 0, 0, 0];
/// REFERENCE.md's final attention for this probe, with a previous step that differs.
const ATTN: [f32; 8] = [0.28, 0.11, 0.10, 0.32, 0.09, 0.04, 0.03, 0.03];
const PREV: [f32; 8] = [0.25, 0.12, 0.10, 0.30, 0.10, 0.05, 0.04, 0.04];

fn on_segment(p: (i32, i32), a: (i32, i32), b: (i32, i32)) -> bool {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = dx.hypot(dy);
    let cross = ((p.0 - a.0) as f64 * dy - (p.1 - a.1) as f64 * dx).abs() / len;
    let t = ((p.0 - a.0) as f64 * dx + (p.1 - a.1) as f64 * dy) / (len * len);
    cross < 1.5 && (-0.02..=1.02).contains(&t)
}

#[test]
fn attention_graph_edges_follow_attention_and_change() {
    let theme = Theme::default();
    let data = AttentionGraphData {
        tokens: &PROBE,
        attn: &ATTN,
        prev_attn: Some(&PREV),
        k: 5,
        step_label: "epoch 12, step 760",
    };
    let (svg, geom) = render("attention_graph", (720, 420), |a| draw_attention_graph(a, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    assert_eq!(geom.edges.len(), 8);

    // Widths: ordered like the attention, equal for equal attention, and as documented.
    for i in 0..8 {
        assert_eq!(geom.edges[i].width, edge_width(ATTN[i], geom.max_width));
        assert_eq!(geom.edges[i].width, ((geom.max_width * ATTN[i] as f64).round() as u32).max(MIN_EDGE_WIDTH));
        for j in 0..8 {
            if ATTN[i] > ATTN[j] {
                assert!(geom.edges[i].width >= geom.edges[j].width, "edge {i} vs {j}");
            }
            if ATTN[i] == ATTN[j] {
                assert_eq!(geom.edges[i].width, geom.edges[j].width);
            }
        }
    }
    assert!(geom.edges[3].width > geom.edges[7].width * 5, "0.32 vs 0.03 must look very different");

    // Colours and line styles, read back from the SVG.
    for (i, e) in geom.edges.iter().enumerate() {
        let expect = if ATTN[i] > PREV[i] {
            EdgeChange::Grew
        } else if ATTN[i] < PREV[i] {
            EdgeChange::Shrank
        } else {
            EdgeChange::Unchanged
        };
        assert_eq!(e.change, expect, "edge {i}");
        let color = match expect {
            EdgeChange::Grew => EDGE_GREW,
            EdgeChange::Shrank => EDGE_SHRANK,
            EdgeChange::Unchanged => EDGE_UNCHANGED,
        };
        let pieces: Vec<&Tag> = lines_of(&tags, color)
            .into_iter()
            .filter(|t| {
                t.num("stroke-width") == e.width as f64 && t.points().iter().all(|&p| on_segment(p, e.from, e.to))
            })
            .collect();
        assert!(!pieces.is_empty(), "edge {i}: no {} line of width {}", hex(color), e.width);
        assert!(pieces.iter().any(|t| t.points()[0] == e.from), "edge {i} starts at its token");
        match expect {
            EdgeChange::Shrank => assert!(pieces.len() >= 2, "edge {i}: shrinking edges are dashed"),
            _ => assert_eq!(pieces.len(), 1, "edge {i}: solid"),
        }
    }
    // Unchanged edge 2 (0.10 -> 0.10) is grey.
    assert_eq!(geom.edges[2].change, EdgeChange::Unchanged);

    // The band behind the first k tokens covers tokens 1..5 and not 6.
    let band = fills_of(&tags, "rect", RELEVANT_BAND);
    assert_eq!(band.len(), 1);
    let (x0, w) = (band[0].num("x"), band[0].num("width"));
    assert!(geom.tokens[..5].iter().all(|&(x, _)| (x as f64) > x0 && (x as f64) < x0 + w));
    assert!((geom.tokens[5].0 as f64) > x0 + w);
    // Token values and positions are labelled.
    for t in 1..=8 {
        assert!(has_text(&tags, &format!("x{t}")));
    }
    assert!(has_text(&tags, "0.32") && has_text(&tags, "epoch 12, step 760"));
    assert_eq!(geom.token_at(geom.tokens[4].0, geom.tokens[4].1), Some(4));
}

#[test]
fn attention_graph_without_previous_step_is_grey_and_solid() {
    let theme = Theme::default();
    let uniform = [0.125f32; 8];
    let data = AttentionGraphData { tokens: &[3; 8], attn: &uniform, prev_attn: None, k: 5, step_label: "step 0" };
    let (svg, geom) =
        render("attention_graph_first", (375, 330), |a| draw_attention_graph(a, &data, &Theme::compact()).unwrap());
    let _ = theme;
    assert!(geom.edges.iter().all(|e| e.change == EdgeChange::Unchanged));
    assert!(geom.edges.iter().all(|e| e.width == geom.edges[0].width), "equal attention, equal widths");
    let tags = parse_svg(&svg);
    assert!(has_text(&tags, "no change to show"));
    // A change below the threshold is no change.
    assert_eq!(EdgeChange::of(0.5, Some(0.5 + ATTN_CHANGE_EPS / 2.0)), EdgeChange::Unchanged);
    assert_eq!(EdgeChange::of(0.5, Some(f32::NAN)), EdgeChange::Unchanged);
}

#[test]
fn attention_graph_odd_inputs_draw_messages() {
    let theme = Theme::default();
    let cases: [(&str, AttentionGraphData, &str); 4] = [
        ("empty", AttentionGraphData { tokens: &[], attn: &[], prev_attn: None, k: 5, step_label: "" }, "No probe"),
        (
            "mismatch",
            AttentionGraphData { tokens: &PROBE, attn: &ATTN[..5], prev_attn: None, k: 5, step_label: "" },
            "5 values for 8",
        ),
        (
            "nan",
            AttentionGraphData { tokens: &PROBE, attn: &[f32::NAN; 8], prev_attn: None, k: 5, step_label: "" },
            "not finite",
        ),
        (
            "prev",
            AttentionGraphData { tokens: &PROBE, attn: &ATTN, prev_attn: Some(&PREV[..3]), k: 99, step_label: "" },
            "another length",
        ),
    ];
    for (name, data, needle) in cases {
        let (svg, _) =
            render(&format!("attention_graph_{name}"), (400, 300), |a| draw_attention_graph(a, &data, &theme).unwrap());
        assert!(has_text(&parse_svg(&svg), needle), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Figure 3: attention heatmap
// ---------------------------------------------------------------------------------------------

/// A fake run: attention starts uniform and moves onto the first k positions, most onto
/// position 3 (index 2).
fn fake_heat(rows: usize, cols: usize, k: usize) -> (Vec<f32>, Vec<u64>) {
    let mut a = Vec::new();
    for r in 0..rows {
        let f = r as f32 / rows.max(1) as f32;
        let mut row: Vec<f32> = (0..cols)
            .map(|c| {
                if c == 2 {
                    1.0 + 12.0 * f
                } else if c < k {
                    1.0 + 4.0 * f
                } else {
                    1.0 - 0.9 * f
                }
            })
            .collect();
        let s: f32 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= s);
        a.extend(row);
    }
    (a, (0..rows as u64).map(|r| r * 32).collect())
}

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
    let data = AttentionHeatmapData { attn: &a, cols, steps: &steps, k, highlight: Some(7), vmax: None };
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
    let data = AttentionHeatmapData { attn: &a, cols, steps: &steps, k: 5, highlight: Some(1234), vmax: Some(1.0) };
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
            AttentionHeatmapData { attn: &[], cols: 8, steps: &[], k: 5, highlight: None, vmax: None },
            Some("No attention"),
        ),
        (
            "ragged",
            AttentionHeatmapData { attn: &[0.1; 7], cols: 2, steps: &[], k: 5, highlight: None, vmax: None },
            Some("do not make rows"),
        ),
        (
            "steps",
            AttentionHeatmapData { attn: &[0.1; 8], cols: 2, steps: &[1, 2], k: 1, highlight: None, vmax: None },
            Some("4 rows"),
        ),
        (
            "nan",
            AttentionHeatmapData { attn: &nan, cols: 8, steps: &[], k: 50, highlight: Some(99), vmax: Some(f32::NAN) },
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

// ---------------------------------------------------------------------------------------------
// Figure 5: curves
// ---------------------------------------------------------------------------------------------

struct FakeRun {
    epochs: Vec<f32>,
    train_acc: Vec<f32>,
    test_acc: Vec<f32>,
    train_loss: Vec<f32>,
    test_loss: Vec<f32>,
}

impl FakeRun {
    fn curves<'a>(&'a self, name: &'a str) -> RunCurves<'a> {
        RunCurves {
            name,
            epochs: &self.epochs,
            train_acc: &self.train_acc,
            test_acc: &self.test_acc,
            train_loss: &self.train_loss,
            test_loss: &self.test_loss,
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Shapes like REFERENCE.md's figure 5: scratch memorizes; the curriculum generalizes after the
/// switch, with a loss spike and an exact-zero loss (for the log floor).
fn fake_runs() -> (FakeRun, FakeRun) {
    let epochs: Vec<f32> = (0..=10000).step_by(5).map(|e| e as f32).collect();
    let empty = || FakeRun {
        epochs: epochs.clone(),
        train_acc: vec![],
        test_acc: vec![],
        train_loss: vec![],
        test_loss: vec![],
    };
    let (mut s, mut c) = (empty(), empty());
    for &e in &epochs {
        s.train_acc.push(0.25 + 0.75 * sigmoid((e - 1200.0) / 200.0));
        s.test_acc.push(0.25 + 0.01 * (e / 37.0).sin());
        s.train_loss.push(1.4 * (-e / 300.0).exp() + 1e-4);
        s.test_loss.push(1.4 + 17.0 * sigmoid((e - 1500.0) / 400.0));
        if e < 3000.0 {
            c.train_acc.push(0.5 + 0.5 * sigmoid((e - 600.0) / 100.0));
            c.test_acc.push(0.5 + 0.5 * sigmoid((e - 900.0) / 100.0));
            c.train_loss.push(0.7 * (-e / 300.0).exp() + 1e-5);
            c.test_loss.push(0.7 * (-e / 350.0).exp() + 2e-5);
        } else {
            let f = e - 3000.0;
            c.train_acc.push(0.5 + 0.5 * sigmoid((f - 500.0) / 150.0));
            c.test_acc.push(0.5 + 0.5 * sigmoid((f - 1200.0) / 150.0));
            c.train_loss.push(if (e - 6000.0).abs() < 3.0 { 3.0 } else { 5.0 * (-f / 400.0).exp() + 1e-6 });
            c.test_loss.push(if f == 0.0 { 0.0 } else { 6.0 * (-f / 600.0).exp() + 1e-5 });
        }
    }
    (s, c)
}

/// x of the tick labels with this text, left to right.
fn tick_x(tags: &[Tag], label: &str) -> Vec<f64> {
    let mut v: Vec<f64> = tags.iter().filter(|t| t.name == "text" && t.text == label).map(|t| t.num("x")).collect();
    v.sort_by(f64::total_cmp);
    v
}

#[test]
fn curves_mark_the_switch_and_draw_every_series() {
    let (s, c) = fake_runs();
    let runs = [s.curves("scratch p=4"), c.curves("curriculum p=2->4")];
    let switches = [PhaseSwitch { epoch: 3000.0, label: "p = 2 -> 4" }];
    let data = CurvesData { runs: &runs, switches: &switches, chance: Some(0.25) };
    let (svg, _) = render("curves_wide", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    render("curves_narrow", (375, 640), |a| draw_curves(a, &data, &Theme::compact()).unwrap());
    let tags = parse_svg(&svg);

    // The switch: dashed vertical pieces at one x per panel, half-way between the 2000 and 4000
    // ticks of that panel.
    let mut xs: Vec<i32> = lines_of(&tags, PHASE_SWITCH)
        .iter()
        .filter_map(|t| {
            let p = t.points();
            (p.len() == 2 && p[0].0 == p[1].0).then_some(p[0].0)
        })
        .collect();
    let pieces = xs.len();
    xs.sort();
    xs.dedup();
    assert_eq!(xs.len(), 2, "one switch line per panel: {xs:?}");
    assert!(pieces >= 6, "dashed: several pieces per line");
    let (t2, t4) = (tick_x(&tags, "2000"), tick_x(&tags, "4000"));
    assert_eq!((t2.len(), t4.len()), (2, 2));
    for p in 0..2 {
        let mid = (t2[p] + t4[p]) / 2.0;
        assert!((xs[p] as f64 - mid).abs() <= 2.0, "switch at {} vs {mid}", xs[p]);
    }
    assert!(has_text(&tags, "p = 2 -> 4"));

    // Each run's train and test lines are there, in their colours, in both panels.
    for run in 0..2 {
        let st = run_style(run);
        for color in [st.train, st.test] {
            assert!(lines_of(&tags, color).len() >= 2, "run {run} colour {}", hex(color));
        }
    }
    // Runs differ by line style: run 2 is dashed (many pieces), run 1 solid (one path per panel
    // and series, plus legend samples).
    assert!(lines_of(&tags, run_style(1).test).len() > 20);
    assert!(lines_of(&tags, run_style(0).test).len() <= 4);
    // Zero loss went to the floor, and the chart says so; the chance line is labelled.
    assert!(has_text(&tags, "drawn at 1e-7"));
    assert!(has_text(&tags, "chance 0.25"));
    assert!(has_text(&tags, "scratch p=4 test") && has_text(&tags, "curriculum p=2->4 train"));
}

#[test]
fn curves_survive_odd_series() {
    let theme = Theme::default();
    let one = [1.0f32];
    let half = [0.5f32];
    let nan = [f32::NAN, 1.0, f32::INFINITY, -2.0];
    let e4 = [0.0f32, 1.0, 2.0, 3.0];
    let acc4 = [0.1f32, f32::NAN, 0.3, 0.4];
    let cases: Vec<(&str, Vec<RunCurves>, Option<&str>)> = vec![
        ("none", vec![], Some("No curves yet")),
        ("empty", vec![RunCurves { name: "a", ..Default::default() }], Some("No curves yet")),
        (
            "one_point",
            vec![RunCurves {
                name: "a",
                epochs: &one,
                train_acc: &half,
                test_acc: &half,
                train_loss: &half,
                test_loss: &half,
            }],
            None,
        ),
        (
            "nan",
            vec![RunCurves {
                name: "a",
                epochs: &e4,
                train_acc: &acc4,
                test_acc: &acc4,
                train_loss: &nan,
                test_loss: &nan,
            }],
            Some("non-finite"),
        ),
        (
            "mismatch",
            vec![RunCurves { name: "a", epochs: &e4, train_acc: &one, ..Default::default() }],
            Some("1 values for 4 epochs"),
        ),
    ];
    for (name, runs, needle) in cases {
        let sw = [PhaseSwitch { epoch: f32::NAN, label: "bad" }, PhaseSwitch { epoch: 2.0, label: "" }];
        let data = CurvesData { runs: &runs, switches: &sw, chance: Some(f32::NAN) };
        let (svg, _) = render(&format!("curves_{name}"), (700, 400), |a| draw_curves(a, &data, &theme).unwrap());
        let tags = parse_svg(&svg);
        if let Some(n) = needle {
            assert!(has_text(&tags, n), "{name}: {:?}", texts(&tags));
        }
        if name == "one_point" {
            // A lone point still shows, as a marker.
            assert!(!fills_of(&tags, "circle", run_style(0).test).is_empty());
        }
    }
}

/// The data lines (not the two-point legend samples) of a colour, each as its points.
fn data_lines(tags: &[Tag], color: RGBColor) -> Vec<Vec<(i32, i32)>> {
    lines_of(tags, color).iter().map(|t| t.points()).filter(|p| p.len() > 2).collect()
}

#[test]
fn curves_join_unevaluated_epochs_and_end_at_the_last_evaluation() {
    // As the trainer records them: train every epoch, test every 5th epoch with NaN between (loss
    // and accuracy both), and the latest 3 epochs not evaluated yet.
    let epochs: Vec<f32> = (0..=43).map(|e| e as f32).collect();
    let eval = |e: f32, v: f32| if e as usize % 5 == 0 { v } else { f32::NAN };
    let run = FakeRun {
        train_acc: epochs.iter().map(|&e| e / 43.0).collect(),
        test_acc: epochs.iter().map(|&e| eval(e, 0.5 * e / 43.0)).collect(),
        train_loss: epochs.iter().map(|&e| 2.0 / (e + 1.0)).collect(),
        test_loss: epochs.iter().map(|&e| eval(e, 3.0 / (e + 1.0))).collect(),
        epochs,
    };
    let runs = [run.curves("every 5")];
    let data = CurvesData { runs: &runs, switches: &[], chance: None };
    let (svg, _) = render("curves_eval_every", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    let tags = parse_svg(&svg);
    let st = run_style(0);
    // One unbroken test line per panel through the 9 evaluations (epochs 0, 5, .., 40), evenly
    // spaced in x: nothing drawn between two evaluations but the segment joining them.
    let test = data_lines(&tags, st.test);
    assert_eq!(test.len(), 2, "one test line per panel, not broken at the NaNs: {test:?}");
    let train = data_lines(&tags, st.train);
    assert_eq!(train.len(), 2, "one train line per panel");
    for (t, tr) in test.iter().zip(&train) {
        assert_eq!(t.len(), 9, "the evaluated epochs only: {t:?}");
        let dx: Vec<i32> = t.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(dx.iter().all(|d| (d - dx[0]).abs() <= 1), "evenly spaced: {dx:?}");
        assert_eq!(tr.len(), 44, "train: every epoch");
        assert_eq!(t[0].0, tr[0].0, "both start at epoch 0");
        // The test line ends at epoch 40, the train line at 43.
        let per_epoch = (tr[43].0 - tr[0].0) as f64 / 43.0;
        assert!(((tr[43].0 - t[8].0) as f64 - 3.0 * per_epoch).abs() <= 1.5, "test ends 3 epochs before train");
    }
    // Not evaluated is not news: no note about non-finite values.
    assert!(!has_text(&tags, "finite"), "{:?}", texts(&tags));
}

#[test]
fn curves_count_measured_non_finite_values_and_name_where_a_run_stops() {
    // The train loss is infinite at epoch 7 (a measured value off every scale) and NaN from epoch
    // 15 on while the accuracy beside it is still measured: the run diverged there.
    let epochs: Vec<f32> = (0..=20).map(|e| e as f32).collect();
    let run = FakeRun {
        train_acc: vec![0.25; 21],
        test_acc: vec![],
        train_loss: epochs
            .iter()
            .map(|&e| {
                if e == 7.0 {
                    f32::INFINITY
                } else if e >= 15.0 {
                    f32::NAN
                } else {
                    1.0 / (e + 1.0)
                }
            })
            .collect(),
        test_loss: vec![],
        epochs,
    };
    let runs = [run.curves("diverging")];
    let data = CurvesData { runs: &runs, switches: &[], chance: None };
    let (svg, _) = render("curves_diverged", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    let tags = parse_svg(&svg);
    assert!(has_text(&tags, "1 non-finite values not drawn (lines join across them)"), "{:?}", texts(&tags));
    assert!(has_text(&tags, "\"diverging\": not finite from epoch 15 on"), "{:?}", texts(&tags));
    let mut lines = data_lines(&tags, run_style(0).train);
    lines.sort_by_key(|l| l.len());
    assert_eq!(lines.len(), 2, "accuracy and loss, each one line: {lines:?}");
    assert_eq!(lines[0].len(), 14, "loss: epochs 0 to 14 but 7, joined across 7");
    assert_eq!(lines[1].len(), 21, "accuracy: every epoch");
}

#[test]
fn thinning_keeps_extremes_in_order() {
    let pts: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, if i == 501 { 100.0 } else { (i % 7) as f64 })).collect();
    let t = thin(&pts, 0.0, 50.0);
    assert!(t.len() < 100);
    assert!(t.contains(&(501.0, 100.0)), "the spike survives");
    assert!(t.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(t.first(), pts.first());
    assert_eq!(t.last(), pts.last());
}

// ---------------------------------------------------------------------------------------------
// Figure 4: z_A scatter
// ---------------------------------------------------------------------------------------------

/// Clusters of z_A on a curve, one per count s = x_1 + .. + x_5, like figure 4.
fn fake_za(n: usize, p: u32, k: usize, spread: f32, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let mut g = Mix::new(seed);
    let (mut pts, mut counts) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let s: u32 = (0..k).map(|_| (g.next() % p as u64) as u32).sum();
        let t = s as f32 / (k as f32 * (p - 1) as f32);
        pts.push(-2.0 + 4.0 * t + spread * g.gauss());
        pts.push(1.5 * (3.0 * t).sin() + spread * g.gauss());
        counts.push(s);
    }
    (pts, counts)
}

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

// ---------------------------------------------------------------------------------------------
// Figure 6: loss barrier
// ---------------------------------------------------------------------------------------------

/// REFERENCE.md, figure 6, seed 0: train loss at t = 0, 0.05, .., 1.
const REF_TRAIN: [f32; 21] = [
    0.0002, 2.59, 8.46, 13.7, 17.7, 20.7, 22.8, 23.9, 24.4, 24.4, 23.9, 23.2, 22.4, 21.4, 20.0, 17.8, 14.3, 9.29, 3.30,
    0.158, 0.00002,
];

#[test]
fn loss_barrier_height_and_annotation() {
    let theme = Theme::default();
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    let test: Vec<f32> =
        t.iter().map(|&t| 19.0 * (1.0 - t) + 25.0 * (std::f32::consts::PI * t).sin() * (1.0 - t) + 1e-3).collect();
    let b = barrier(&t, &REF_TRAIN).unwrap();
    assert!((b.height - (24.4 - 0.0002)).abs() < 1e-3, "{b:?}");
    assert!((b.t_peak - 0.40).abs() < 1e-6, "the first of two equal peaks (REFERENCE: t = 0.40)");
    let bt = barrier(&t, &test).unwrap();
    assert!((bt.endpoint - 19.001).abs() < 1e-3 && bt.height > 0.0);
    for log_y in [false, true] {
        let name = if log_y { "loss_barrier_log" } else { "loss_barrier" };
        let data = LossBarrierData {
            t: &t,
            train_loss: &REF_TRAIN,
            test_loss: &test,
            name_a: "scratch p=4",
            name_b: "curriculum p=2->4",
            log_y,
        };
        let (svg, _) = render(name, (720, 440), |a| draw_loss_barrier(a, &data, &theme).unwrap());
        let tags = parse_svg(&svg);
        assert!(has_text(&tags, "train loss: barrier 24.4 at t = 0.40"), "{:?}", texts(&tags));
        assert!(has_text(&tags, "A = scratch p=4") && has_text(&tags, "B = curriculum p=2->4"));
        assert!(has_text(&tags, "24.4"));
    }
    // No barrier without endpoints, or with mismatched lengths.
    assert!(barrier(&[], &[]).is_none());
    assert!(barrier(&[0.0, 1.0], &[1.0]).is_none());
    assert!(barrier(&[0.0, 0.5, 1.0], &[f32::NAN, 3.0, 1.0]).is_none());
    // Endpoints on a straight line: no barrier.
    assert_eq!(barrier(&[0.0, 0.5, 1.0], &[2.0, 1.5, 1.0]).unwrap().height, 0.0);
}

#[test]
fn loss_barrier_odd_inputs() {
    let theme = Theme::default();
    let t = [0.0f32, 0.5, 1.0];
    let cases: [(&str, LossBarrierData, Option<&str>); 4] = [
        (
            "empty",
            LossBarrierData { t: &[], train_loss: &[], test_loss: &[], name_a: "a", name_b: "b", log_y: false },
            Some("No interpolation"),
        ),
        (
            "mismatch",
            LossBarrierData { t: &t, train_loss: &[1.0], test_loss: &[], name_a: "a", name_b: "b", log_y: true },
            Some("3 values of t"),
        ),
        (
            "nan",
            LossBarrierData {
                t: &t,
                train_loss: &[f32::NAN; 3],
                test_loss: &[],
                name_a: "a",
                name_b: "b",
                log_y: true,
            },
            Some("non-finite"),
        ),
        (
            "zeros_log",
            LossBarrierData {
                t: &t,
                train_loss: &[0.0, 0.0, 0.0],
                test_loss: &[-1.0, 2.0, 0.0],
                name_a: "a",
                name_b: "b",
                log_y: true,
            },
            None,
        ),
    ];
    for (name, data, needle) in cases {
        let (svg, _) =
            render(&format!("loss_barrier_{name}"), (500, 340), |a| draw_loss_barrier(a, &data, &theme).unwrap());
        if let Some(n) = needle {
            assert!(has_text(&parse_svg(&svg), n), "{name}");
        }
    }
}

#[test]
fn loss_barrier_zero_labels_stay_inside_the_plot() {
    // Losses monotone along the line: both barriers are 0, the train one at t = 0 (on the y
    // axis), the test one at t = 1 (the right edge). Their "0" labels go inside the plot.
    let theme = Theme::default();
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    let train: Vec<f32> = t.iter().map(|&t| 2.0 - 1.5 * t).collect();
    let test: Vec<f32> = t.iter().map(|&t| 1.0 + 1.8 * t).collect();
    for log_y in [false, true] {
        let data = LossBarrierData { t: &t, train_loss: &train, test_loss: &test, name_a: "a", name_b: "b", log_y };
        let name = if log_y { "loss_barrier_zero_log" } else { "loss_barrier_zero" };
        let (svg, _) = render(name, (500, 340), |a| draw_loss_barrier(a, &data, &theme).unwrap());
        let tags = parse_svg(&svg);
        assert!(
            has_text(&tags, "train loss: barrier 0 at t = 0.00") && has_text(&tags, "test loss: barrier 0 at t = 1.00")
        );
        // The plot's left and right edges: the x of the t axis' "0" and "1" tick labels (centred
        // on them, unlike the loss axis' labels).
        let t_tick = |label: &str| {
            let x = tags
                .iter()
                .find(|t| t.name == "text" && t.text == label && t.attr("text-anchor") == "middle")
                .map(|t| t.num("x"));
            x.unwrap_or_else(|| panic!("no t tick {label}"))
        };
        let (x0, x1) = (t_tick("0"), t_tick("1"));
        let labels: Vec<&Tag> =
            tags.iter().filter(|t| t.name == "text" && t.attr("font-weight") == "bold" && t.text == "0").collect();
        assert_eq!(labels.len(), 2, "one label per barrier");
        for l in labels {
            // A "0" is at most 0.7 em wide.
            let (x, w) = (l.num("x"), 0.7 * l.num("font-size"));
            let (a, b) = match l.attr("text-anchor") {
                "end" => (x - w, x),
                "middle" => (x - w / 2.0, x + w / 2.0),
                _ => (x, x + w),
            };
            assert!(a > x0 + 2.0 && b < x1 - 2.0, "label at {a}..{b} outside the plot {x0}..{x1}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Figure 7: trajectories
// ---------------------------------------------------------------------------------------------

fn fake_paths() -> (Vec<f32>, Vec<f32>) {
    let mut g = Mix::new(7);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..101 {
        let t = i as f32 / 100.0;
        a.push(-10.0 + 20.0 * t + 0.3 * g.gauss());
        a.push(5.0 * (3.0 * t).sin() + 0.3 * g.gauss());
        b.push(-10.0 + 8.0 * t + 0.3 * g.gauss());
        b.push(-5.0 * t + if i >= 30 { -6.0 * (t - 0.3) } else { 0.0 } + 0.3 * g.gauss());
    }
    (a, b)
}

#[test]
fn trajectory_marks_start_switch_and_end() {
    let theme = Theme::default();
    let (a, b) = fake_paths();
    let runs = [
        TrajectoryRun { name: "scratch p=4", points: &a, switches: &[] },
        TrajectoryRun { name: "curriculum p=2->4", points: &b, switches: &[30] },
    ];
    let data = TrajectoryData { runs: &runs, method_label: "t-SNE of 2 x 101 snapshots (perplexity 30)" };
    let (svg, _) = render("trajectory", (640, 520), |ar| draw_trajectory(ar, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    for (i, run) in runs.iter().enumerate() {
        let c = run_style(i).test;
        assert_eq!(fills_of(&tags, "circle", c).len(), 1, "run {i}: one start");
        let polys = fills_of(&tags, "polygon", c);
        assert_eq!(polys.iter().filter(|t| t.points().len() == 10).count(), 1, "run {i}: one end star");
        assert_eq!(polys.iter().filter(|t| t.points().len() == 3).count(), run.switches.len(), "run {i}: switches");
        assert!(!lines_of(&tags, c).is_empty());
    }
    assert!(has_text(&tags, "t-SNE of 2 x 101"));

    let bad = [1.0f32, 2.0, 3.0];
    let runs = [TrajectoryRun { name: "odd", points: &bad, switches: &[] }];
    let (svg, _) = render("trajectory_odd", (400, 300), |ar| {
        draw_trajectory(ar, &TrajectoryData { runs: &runs, method_label: "" }, &theme).unwrap()
    });
    assert!(has_text(&parse_svg(&svg), "do not make 2-D points"));
    let nan = [f32::NAN, 1.0, 2.0, f32::INFINITY];
    let runs = [TrajectoryRun { name: "nan", points: &nan, switches: &[7] }];
    let (svg, _) = render("trajectory_nan", (400, 300), |ar| {
        draw_trajectory(ar, &TrajectoryData { runs: &runs, method_label: "" }, &theme).unwrap()
    });
    assert!(has_text(&parse_svg(&svg), "No parameter snapshots"));
    let (svg, _) = render("trajectory_empty", (400, 300), |ar| {
        draw_trajectory(ar, &TrajectoryData { runs: &[], method_label: "" }, &theme).unwrap()
    });
    assert!(has_text(&parse_svg(&svg), "No parameter snapshots"));
}

// ---------------------------------------------------------------------------------------------
// Every chart on tiny canvases: an error is allowed, a panic is not.
// ---------------------------------------------------------------------------------------------

#[test]
fn charts_do_not_panic_on_tiny_canvases() {
    let theme = Theme::default();
    let (heat, steps) = fake_heat(50, 8, 5);
    let (s, c) = fake_runs();
    let runs = [s.curves("a"), c.curves("b")];
    let (pts, counts) = fake_za(100, 2, 5, 0.05, 3);
    let (pa, pb) = fake_paths();
    let truns = [
        TrajectoryRun { name: "a", points: &pa, switches: &[3] },
        TrajectoryRun { name: "b", points: &pb, switches: &[] },
    ];
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    for size in [(1, 1), (30, 20), (120, 80)] {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let _ = draw_attention_graph(
            &root,
            &AttentionGraphData { tokens: &PROBE, attn: &ATTN, prev_attn: Some(&PREV), k: 5, step_label: "s" },
            &theme,
        );
        let _ = draw_attention_heatmap(
            &root,
            &AttentionHeatmapData { attn: &heat, cols: 8, steps: &steps, k: 5, highlight: Some(3), vmax: None },
            &theme,
        );
        let _ = draw_curves(
            &root,
            &CurvesData { runs: &runs, switches: &[PhaseSwitch { epoch: 3000.0, label: "x" }], chance: Some(0.25) },
            &theme,
        );
        let _ = draw_za_scatter(
            &root,
            &ZaScatterData { points: &pts, counts: &counts, max_count: 5, projection_label: "p", axes: ZaAxes::Pca },
            &theme,
        );
        let _ = draw_loss_barrier(
            &root,
            &LossBarrierData { t: &t, train_loss: &REF_TRAIN, test_loss: &[], name_a: "a", name_b: "b", log_y: true },
            &theme,
        );
        let _ = draw_trajectory(&root, &TrajectoryData { runs: &truns, method_label: "m" }, &theme);
    }
}

// ---------------------------------------------------------------------------------------------
// Phone width: every chart at 375 CSS pixels with the compact theme (rendered for looking at;
// the assertion is only that nothing fails).
// ---------------------------------------------------------------------------------------------

#[test]
fn charts_render_at_phone_width() {
    // plotters' SVG writes font-size = size / 1.24 while the canvas backend uses the size itself:
    // the second pass scales the fonts up so the SVG shows the text as large as a canvas would.
    let compact = Theme::compact();
    let as_canvas = Theme {
        title_size: compact.title_size * 1.24,
        label_size: compact.label_size * 1.24,
        tick_size: compact.tick_size * 1.24,
        note_size: compact.note_size * 1.24,
        ..compact.clone()
    };
    for (suffix, theme) in [("", compact), ("_canvas_fonts", as_canvas)] {
        phone_pass(suffix, &theme);
    }
}

fn phone_pass(suffix: &str, theme: &Theme) {
    let theme = theme.clone();
    let tokens: Vec<u8> = (0..12).map(|i| (i * 7 % 4) as u8).collect();
    let attn: Vec<f32> = (0..12).map(|i| if i < 5 { 0.17 } else { 0.15 / 7.0 }).collect();
    let prev: Vec<f32> = (0..12).map(|_| 1.0 / 12.0).collect();
    render(&format!("phone_attention_graph{suffix}"), (375, 320), |a| {
        draw_attention_graph(
            a,
            &AttentionGraphData {
                tokens: &tokens,
                attn: &attn,
                prev_attn: Some(&prev),
                k: 5,
                step_label: "epoch 40, step 2560",
            },
            &theme,
        )
        .unwrap()
    });
    let (heat, steps) = fake_heat(600, 12, 5);
    render(&format!("phone_attention_heatmap{suffix}"), (375, 360), |a| {
        draw_attention_heatmap(
            a,
            &AttentionHeatmapData { attn: &heat, cols: 12, steps: &steps, k: 5, highlight: Some(200), vmax: None },
            &theme,
        )
        .unwrap()
    });
    let (s, _) = fake_runs();
    let runs = [s.curves("scratch p=4")];
    render(&format!("phone_curves_one_run{suffix}"), (375, 560), |a| {
        draw_curves(a, &CurvesData { runs: &runs, switches: &[], chance: Some(0.25) }, &theme).unwrap()
    });
    let (pts, counts) = fake_za(2048, 4, 5, 0.06, 2);
    render(&format!("phone_za_scatter{suffix}"), (375, 420), |a| {
        draw_za_scatter(
            a,
            &ZaScatterData {
                points: &pts,
                counts: &counts,
                max_count: 15,
                projection_label: "PCA of z_A (d = 32): PC1 41%, PC2 12%",
                axes: ZaAxes::Pca,
            },
            &theme,
        )
        .unwrap()
    });
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    render(&format!("phone_loss_barrier{suffix}"), (375, 360), |a| {
        draw_loss_barrier(
            a,
            &LossBarrierData {
                t: &t,
                train_loss: &REF_TRAIN,
                test_loss: &[],
                name_a: "scratch p=4",
                name_b: "curriculum p=2->4",
                log_y: false,
            },
            &theme,
        )
        .unwrap()
    });
    let (pa, pb) = fake_paths();
    let truns = [
        TrajectoryRun { name: "scratch p=4", points: &pa, switches: &[] },
        TrajectoryRun { name: "curriculum p=2->4", points: &pb, switches: &[30] },
    ];
    render(&format!("phone_trajectory{suffix}"), (375, 420), |a| {
        draw_trajectory(
            a,
            &TrajectoryData { runs: &truns, method_label: "PCA of the parameters: PC1 60%, PC2 15%" },
            &theme,
        )
        .unwrap()
    });
}
