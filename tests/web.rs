//! Browser tests: run by `wasm-pack test --headless --firefox` and `--chrome` (`make test`).
//!
//! Only checks that need a real browser live here (canvas pixels, DOM, the wasm build itself).
//! Logic that is the same on both targets belongs in the native tests, marked
//! `#[wasm_bindgen_test(unsupported = test)]` so it runs in the browser too.
//!
//! Layout: one section per topic (`// ==== Section ====`). Add a test to the section it belongs
//! to, or add a section at the end. The canvas helpers (`new_canvas`, `Pixels`, `rgba`) are in
//! `tests/common/canvas.rs`, shared with `tests/web_page.rs`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::canvas::{new_canvas, rgba, Pixels};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ==== Build ======================================================================================

// The wasm32 build must enable simd128 (.cargo/config.toml rustflags). A constant, so it is checked
// when this file compiles: a build without SIMD fails the browser suites before any test runs.
const _: () = assert!(cfg!(target_feature = "simd128"), "the wasm32 build must enable simd128 (.cargo/config.toml)");

// ==== Charts: plotters-canvas draws real pixels ==================================================

/// Draws a small chart (white background, a filled red rectangle, a thick blue line) with
/// plotters on a canvas, then reads the pixels back: the colours must be where the chart's
/// coordinates put them, and an area left empty must stay background.
#[wasm_bindgen_test]
fn plotters_canvas_draws_expected_pixels() {
    const LINE_WIDTH: u32 = 8;
    let canvas = new_canvas(200, 150);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).expect("a CanvasBackend");
    let root = backend.into_drawing_area();
    root.fill(&WHITE).unwrap();

    let mut chart = ChartBuilder::on(&root).margin(10).build_cartesian_2d(0f64..100f64, 0f64..100f64).unwrap();
    chart.draw_series(std::iter::once(Rectangle::new([(10.0, 10.0), (40.0, 40.0)], RED.filled()))).unwrap();
    chart.draw_series(LineSeries::new([(50.0, 80.0), (90.0, 80.0)], BLUE.stroke_width(LINE_WIDTH))).unwrap();
    root.present().unwrap();

    // Where the chart's coordinates land on the canvas (y grows downwards on screen).
    let (rect_left, rect_top) = chart.backend_coord(&(10.0, 40.0));
    let (rect_right, rect_bottom) = chart.backend_coord(&(40.0, 10.0));
    let (line_left, line_y) = chart.backend_coord(&(50.0, 80.0));
    let (line_right, _) = chart.backend_coord(&(90.0, 80.0));
    let (blank_left, blank_top) = chart.backend_coord(&(55.0, 45.0));
    let (blank_right, blank_bottom) = chart.backend_coord(&(95.0, 5.0));
    assert!(rect_right - rect_left > 20 && rect_bottom - rect_top > 20, "rectangle too small to test");

    let pixels = Pixels::read(&canvas);
    let (red, blue, white) = (rgba(RED), rgba(BLUE), rgba(WHITE));

    // The rectangle: every pixel inside it (1px in from the edge) is exactly red ...
    for ((x, y), colour) in pixels.region((rect_left + 1, rect_right - 1), (rect_top + 1, rect_bottom - 1)) {
        assert_eq!(colour, red, "pixel ({x}, {y}) inside the rectangle");
    }
    // ... red is nowhere else (the count matches the rectangle's area within its border) ...
    let (w, h) = ((rect_right - rect_left + 1) as usize, (rect_bottom - rect_top + 1) as usize);
    let red_count = pixels.count(red);
    assert!(((w - 2) * (h - 2)..=w * h).contains(&red_count), "{red_count} red pixels, expected about {w}x{h}");
    // ... and just outside it the background shows.
    assert_eq!(pixels.at(rect_left - 3, (rect_top + rect_bottom) / 2), white, "left of the rectangle");
    assert_eq!(pixels.at((rect_left + rect_right) / 2, rect_top - 3), white, "above the rectangle");

    // The line: blue along its middle, as thick as asked, background beyond its width.
    let half = LINE_WIDTH as i32 / 2;
    for x in (line_left + half)..=(line_right - half) {
        for dy in -(half - 1)..=(half - 1) {
            assert_eq!(pixels.at(x, line_y + dy), blue, "pixel ({x}, {}) on the line", line_y + dy);
        }
        assert_eq!(pixels.at(x, line_y - half - 3), white, "above the line at x = {x}");
        assert_eq!(pixels.at(x, line_y + half + 3), white, "below the line at x = {x}");
    }

    // A region where nothing was drawn stays background.
    for ((x, y), colour) in pixels.region((blank_left, blank_right), (blank_top, blank_bottom)) {
        assert_eq!(colour, white, "pixel ({x}, {y}) in the empty region");
    }
}
