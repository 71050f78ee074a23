//! Browser tests of figure 1 (`src/wasm/figure1.rs`): the rectifier network drawn on a real
//! `<canvas>`, checked by its pixels. For x > 0 the positive (red, +1) path lights up and the
//! negative one is faded; for x < 0 the other way round. Run by `wasm-pack test --headless
//! --firefox` and `--chrome` (`make test`).
#![cfg(target_arch = "wasm32")]

mod common;

use common::canvas::{new_canvas, rgba, Pixels};
use js_sys::Reflect;
use pathscope::wasm::charts::set_projector;
use pathscope::wasm::figure1::{draw_rectifier, faded, NEGATIVE, POSITIVE};
use plotters::style::RGBColor;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `[x, y]` of the geometry's field `key`.
fn point(g: &JsValue, key: &str) -> (i32, i32) {
    let v = js_sys::Array::from(&Reflect::get(g, &JsValue::from_str(key)).unwrap());
    (v.get(0).as_f64().unwrap() as i32, v.get(1).as_f64().unwrap() as i32)
}

/// Points at fractions `ts` of the way from `a` to `b` (the edge's line, away from the nodes).
fn along(a: (i32, i32), b: (i32, i32), ts: &[f64]) -> Points {
    ts.iter()
        .map(|t| {
            let x = a.0 as f64 + t * (b.0 - a.0) as f64;
            let y = a.1 as f64 + t * (b.1 - a.1) as f64;
            (x.round() as i32, y.round() as i32)
        })
        .collect()
}

/// Squared distance between two colours (RGB).
fn dist2(p: [u8; 4], c: RGBColor) -> i32 {
    let d = |a: u8, b: u8| (a as i32 - b as i32).pow(2);
    d(p[0], c.0) + d(p[1], c.1) + d(p[2], c.2)
}

/// A sine wave's samples, as the page's trace holds them.
fn sine(n: usize) -> Vec<f32> {
    (0..n).map(|i| (i as f32 * 0.1).sin()).collect()
}

/// Pixels along an edge.
type Points = Vec<(i32, i32)>;

/// Draws figure 1 at `x` on a 900 x 420 canvas; returns the pixels and the two input edges'
/// sample points (positive, negative), computed from the node centres the chart returned.
fn draw(x: f64) -> (Pixels, Points, Points) {
    let canvas = new_canvas(900, 420);
    let g = draw_rectifier(&canvas, 1.0, x, &sine(120)).expect("figure 1 draws");
    let (input, pos, neg) = (point(&g, "input"), point(&g, "positive"), point(&g, "negative"));
    // The layout the test relies on: input left of the hidden units, the positive unit above.
    assert!(input.0 < pos.0 && pos.0 == neg.0 && pos.1 < input.1 && input.1 < neg.1, "{input:?} {pos:?} {neg:?}");
    let ts = [0.35, 0.5, 0.65];
    (Pixels::read(&canvas), along(input, pos, &ts), along(input, neg, &ts))
}

#[wasm_bindgen_test]
fn a_positive_input_lights_the_positive_path() {
    let (px, pos, neg) = draw(0.7);
    for p in pos {
        assert_eq!(px.at(p.0, p.1), rgba(POSITIVE), "the +1 edge at {p:?} is not lit for x = 0.7");
    }
    for p in neg {
        let got = px.at(p.0, p.1);
        assert_ne!(got, rgba(NEGATIVE), "the -1 edge at {p:?} is lit for x = 0.7");
        assert!(dist2(got, faded(NEGATIVE)) < dist2(got, NEGATIVE), "the -1 edge at {p:?} is not faded: {got:?}");
    }
}

#[wasm_bindgen_test]
fn a_negative_input_lights_the_negative_path() {
    let (px, pos, neg) = draw(-0.7);
    for p in neg {
        assert_eq!(px.at(p.0, p.1), rgba(NEGATIVE), "the -1 edge at {p:?} is not lit for x = -0.7");
    }
    for p in pos {
        let got = px.at(p.0, p.1);
        assert_ne!(got, rgba(POSITIVE), "the +1 edge at {p:?} is lit for x = -0.7");
        assert!(dist2(got, faded(POSITIVE)) < dist2(got, POSITIVE), "the +1 edge at {p:?} is not faded: {got:?}");
    }
}

#[wasm_bindgen_test]
fn the_projector_view_draws_thicker_paths() {
    let count = |projector: bool| {
        set_projector(projector);
        let canvas = new_canvas(900, 420);
        draw_rectifier(&canvas, 1.0, 0.7, &sine(120)).expect("figure 1 draws");
        Pixels::read(&canvas).count(POSITIVE)
    };
    let (screen, projector) = (count(false), count(true));
    set_projector(false);
    assert!(
        projector as f64 > 1.5 * screen as f64,
        "red pixels: {screen} on screen, {projector} in the projector view"
    );
}

/// `key` of the geometry, a number.
fn number(g: &JsValue, key: &str) -> i32 {
    Reflect::get(g, &JsValue::from_str(key)).unwrap().as_f64().unwrap_or_else(|| panic!("{key} is not a number")) as i32
}

#[wasm_bindgen_test]
fn the_trace_geometry_is_where_the_output_is_drawn() {
    // The page maps a drag on the trace through `trace_plus` and `trace_minus`: check them
    // against the pixels. Inputs held at +1 draw the output as a red line at the height of +1;
    // at -1, as a blue line at the same height (|x| = 1), and nothing at the height of -1.
    for (held, colour) in [(1.0f32, POSITIVE), (-1.0, NEGATIVE)] {
        let canvas = new_canvas(900, 420);
        let g = draw_rectifier(&canvas, 1.0, held as f64, &[held; 60]).expect("figure 1 draws");
        let (left, right) = (number(&g, "trace_left"), number(&g, "trace_right"));
        let (plus, minus) = (number(&g, "trace_plus"), number(&g, "trace_minus"));
        assert!(point(&g, "output").0 < left && left + 100 < right, "trace {left}..{right}");
        assert!(plus + 100 < minus && minus < 420, "+1 at {plus}, -1 at {minus}");
        let px = Pixels::read(&canvas);
        let near = |x: i32, y: i32| (-2..=2).any(|dy| px.at(x, y + dy) == rgba(colour));
        let xs = [left + (right - left) / 4, (left + right) / 2, right - (right - left) / 4];
        for x in xs {
            assert!(near(x, plus), "held at {held}: no output line at ({x}, {plus})");
            assert!(!near(x, minus), "held at {held}: an output line at ({x}, {minus}), the height of -1");
        }
    }
}
