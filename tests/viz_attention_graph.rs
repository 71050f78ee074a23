//! Figure 2, the attention graph (`src/viz/attention_graph.rs`), drawn as SVG and read back.

#![allow(clippy::needless_range_loop)] // index loops over parallel arrays read best here

mod common;

use common::*;

use pathscope::viz::attention_graph::{
    draw_attention_graph, edge_width, AttentionGraphData, EdgeChange, ATTN_CHANGE_EPS, MIN_EDGE_WIDTH,
};
use pathscope::viz::theme::{hex, Theme, EDGE_GREW, EDGE_SHRANK, EDGE_UNCHANGED, RELEVANT_BAND};

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
