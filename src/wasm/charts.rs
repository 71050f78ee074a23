//! The charts of `crate::viz`, drawn on a page's `<canvas>` (main thread only).
//!
//! Every function takes the canvas and `scale` (device pixels per CSS pixel: the page sizes the
//! canvas bitmap to its CSS box times `devicePixelRatio`), then plain numbers, typed arrays and
//! strings; wasm-bindgen copies each typed array into wasm memory in one block.
//!
//! Charts draw in CSS pixels: the context is scaled by `scale` once, and the chart gets a drawing
//! area of the canvas's CSS size (`width / scale` x `height / scale`) at the top-left corner of
//! the bitmap. So marks and text are sharp on high-density screens, and the geometry a chart
//! returns is in CSS pixels, the coordinates of pointer events. Narrow canvases (under
//! [`COMPACT_BELOW`] CSS pixels) use the theme's compact fonts.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::canvas::MeasuredCanvas;
use super::to_js;
use crate::viz::{
    draw_attention_graph as viz_attention_graph, draw_attention_heatmap as viz_attention_heatmap,
    draw_curves as viz_curves, draw_loss_barrier as viz_loss_barrier, draw_trajectory as viz_trajectory,
    draw_za_scatter as viz_za_scatter, row_at_pixel, AttentionGraphData, AttentionHeatmapData, CurvesData,
    LossBarrierData, PhaseSwitch, RunCurves, Theme, TrajectoryData, TrajectoryRun, ZaAxes, ZaScatterData,
};

/// Canvases narrower than this (CSS pixels) get the compact theme.
pub const COMPACT_BELOW: u32 = 560;

/// Metric values per row in the interleaved arrays that [`draw_curves`] takes (the columns of
/// `super::METRIC_COLUMNS`, in that order).
pub const METRICS_PER_ROW: usize = 6;

type Area = DrawingArea<MeasuredCanvas, Shift>;

/// The drawing area (CSS pixels) and theme for `canvas`, whose bitmap holds `scale` device pixels
/// per CSS pixel (a non-finite or non-positive scale counts as 1).
fn open(canvas: &HtmlCanvasElement, scale: f64) -> Result<(Area, Theme), JsError> {
    let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| JsError::new("canvas: no 2d context"))?;
    let fail = |e: JsValue| JsError::new(&format!("canvas: {e:?}"));
    // The whole bitmap starts as the background: a chart covers whole CSS pixels, which may leave
    // a fraction of a device pixel at the edge that would otherwise keep earlier drawings.
    let theme_bg = Theme::default().background;
    context.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0).map_err(fail)?;
    context.set_fill_style_str(&format!("rgb({},{},{})", theme_bg.0, theme_bg.1, theme_bg.2));
    context.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    context.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0).map_err(fail)?;
    let css = (
        ((canvas.width() as f64 / scale).round() as u32).max(1),
        ((canvas.height() as f64 / scale).round() as u32).max(1),
    );
    // Text is measured by the canvas itself, in the font it draws with (see `super::canvas`).
    let backend = MeasuredCanvas::new(canvas.clone()).ok_or_else(|| JsError::new("canvas: no 2d context"))?;
    let area = backend.into_drawing_area().shrink((0, 0), css);
    let theme = if css.0 < COMPACT_BELOW { Theme::compact() } else { Theme::default() };
    Ok((area, theme))
}

fn failed<E: std::fmt::Debug>(chart: &str) -> impl FnOnce(E) -> JsError + '_ {
    move |e| JsError::new(&format!("{chart} chart: {e:?}"))
}

/// A title and a centred message (e.g. "press Compute"), in the charts' style.
#[wasm_bindgen(js_name = drawMessage)]
pub fn draw_message(canvas: &HtmlCanvasElement, scale: f64, title: &str, message: &str) -> Result<(), JsError> {
    let (area, theme) = open(canvas, scale)?;
    crate::viz::common::draw_message(&area, title, message, &theme).map_err(failed("message"))?;
    area.present().map_err(failed("message"))
}

/// Where the attention graph put its nodes (CSS pixels), for hit-testing.
#[derive(Serialize)]
struct GraphHits {
    tokens: Vec<(i32, i32)>,
    token_radius: i32,
    output: (i32, i32),
    max_width: f64,
}

/// Figure 2: the probe `tokens` joined to the output with edge width = `attn`, coloured by the
/// change since `prev` (empty: no previous step). Returns `{ tokens: [[x, y]..], token_radius,
/// output: [x, y], max_width }`.
#[wasm_bindgen(js_name = drawAttentionGraph)]
pub fn draw_attention_graph(
    canvas: &HtmlCanvasElement,
    scale: f64,
    tokens: &[u8],
    attn: &[f32],
    prev: &[f32],
    k: usize,
    step_label: &str,
) -> Result<JsValue, JsError> {
    let (area, theme) = open(canvas, scale)?;
    let data = AttentionGraphData { tokens, attn, prev_attn: (!prev.is_empty()).then_some(prev), k, step_label };
    let g = viz_attention_graph(&area, &data, &theme).map_err(failed("attention graph"))?;
    area.present().map_err(failed("attention graph"))?;
    Ok(to_js(&GraphHits { tokens: g.tokens, token_radius: g.token_radius, output: g.output, max_width: g.max_width }))
}

/// Where the heatmap cells are (CSS pixels): `{ left, top, width, height, rows, cols }`.
#[derive(Serialize)]
struct HeatmapHits {
    left: i32,
    top: i32,
    width: i32,
    height: i32,
    rows: usize,
    cols: usize,
}

/// Figure 3: attention (`rows x cols`, row-major, one row per recorded step) with a red line after
/// position `k`; `steps` labels the rows, `highlight` outlines a row (negative: none), `vmax` tops
/// the colour scale (NaN: the data's maximum). Returns the cell geometry for [`heatmap_row_at`].
#[wasm_bindgen(js_name = drawAttentionHeatmap)]
pub fn draw_attention_heatmap(
    canvas: &HtmlCanvasElement,
    scale: f64,
    attn: &[f32],
    cols: usize,
    steps: &[f32],
    k: usize,
    highlight: i32,
    vmax: f32,
) -> Result<JsValue, JsError> {
    let (area, theme) = open(canvas, scale)?;
    let steps: Vec<u64> = steps.iter().map(|&s| if s.is_finite() && s >= 0.0 { s as u64 } else { 0 }).collect();
    let data = AttentionHeatmapData {
        attn,
        cols,
        steps: &steps,
        k,
        highlight: usize::try_from(highlight).ok(),
        vmax: vmax.is_finite().then_some(vmax),
    };
    let g = viz_attention_heatmap(&area, &data, &theme).map_err(failed("attention heatmap"))?;
    area.present().map_err(failed("attention heatmap"))?;
    Ok(to_js(&HeatmapHits { left: g.left, top: g.top, width: g.width, height: g.height, rows: g.rows, cols: g.cols }))
}

/// The heatmap row drawn at CSS pixel row `y` (`crate::viz::row_at_pixel`), or -1 outside.
#[wasm_bindgen(js_name = heatmapRowAt)]
pub fn heatmap_row_at(y: i32, top: i32, height: i32, rows: usize) -> i32 {
    row_at_pixel(y, top, height, rows).map(|r| r as i32).unwrap_or(-1)
}

/// One run's columns, as the trainer records them.
struct Columns {
    epoch: Vec<f32>,
    train_loss: Vec<f32>,
    train_acc: Vec<f32>,
    test_loss: Vec<f32>,
    test_acc: Vec<f32>,
}

/// De-interleaves `rows` (row-major, [`METRICS_PER_ROW`] per row) into columns, unchanged: test
/// values stay NaN where the test set was not evaluated, and the curves chart draws each series
/// through its finite points (`crate::viz::curves`).
fn columns(rows: &[f32]) -> Columns {
    let n = rows.len() / METRICS_PER_ROW;
    let col = |c: usize| -> Vec<f32> { (0..n).map(|i| rows[i * METRICS_PER_ROW + c]).collect() };
    Columns { epoch: col(0), train_loss: col(2), train_acc: col(3), test_loss: col(4), test_acc: col(5) }
}

/// Figure 5: accuracy and loss (log scale) of one or two runs against epochs. `names` holds the
/// run names separated by a newline; `metrics_a` / `metrics_b` hold each run's metric rows,
/// interleaved ([`METRICS_PER_ROW`] values per row in the order of `super::METRIC_COLUMNS`; test
/// values NaN where not evaluated), `metrics_b` empty for a single run. `switch_epochs` and
/// `switch_labels` (newline separated) mark phase switches; `chance` draws a dotted chance line
/// (NaN: none).
#[wasm_bindgen(js_name = drawCurves)]
#[allow(clippy::too_many_arguments)]
pub fn draw_curves(
    canvas: &HtmlCanvasElement,
    scale: f64,
    names: &str,
    metrics_a: &[f32],
    metrics_b: &[f32],
    switch_epochs: &[f32],
    switch_labels: &str,
    chance: f32,
) -> Result<(), JsError> {
    let (area, theme) = open(canvas, scale)?;
    let names: Vec<&str> = names.split('\n').collect();
    let cols: Vec<Columns> = [metrics_a, metrics_b].iter().filter(|m| !m.is_empty()).map(|m| columns(m)).collect();
    let runs: Vec<RunCurves> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| RunCurves {
            name: names.get(i).copied().unwrap_or(""),
            epochs: &c.epoch,
            train_acc: &c.train_acc,
            test_acc: &c.test_acc,
            train_loss: &c.train_loss,
            test_loss: &c.test_loss,
        })
        .collect();
    let labels: Vec<&str> = switch_labels.split('\n').collect();
    let switches: Vec<PhaseSwitch> = switch_epochs
        .iter()
        .enumerate()
        .map(|(i, &epoch)| PhaseSwitch { epoch, label: labels.get(i).copied().unwrap_or("") })
        .collect();
    let data = CurvesData { runs: &runs, switches: &switches, chance: chance.is_finite().then_some(chance) };
    viz_curves(&area, &data, &theme).map_err(failed("curves"))?;
    area.present().map_err(failed("curves"))
}

/// The axes of z_A points captioned `label`: the page passes the caption that
/// `Session::computeZa` returned (after its own prefix), which names the projection.
pub fn za_axes(label: &str) -> ZaAxes {
    if label.contains(super::ZA_PLANE_LABEL) {
        ZaAxes::Plane
    } else if label.contains(super::ZA_LINE_LABEL) {
        ZaAxes::Line
    } else {
        ZaAxes::Pca
    }
}

/// Figure 4: 2-D points (`x_0, y_0, x_1, y_1, ..`) coloured by their count in `0..=max_count`,
/// captioned with `label` (what the axes are: the caption of `Session::computeZa`, which also
/// gives the axis titles, see [`za_axes`]).
#[wasm_bindgen(js_name = drawZaScatter)]
pub fn draw_za_scatter(
    canvas: &HtmlCanvasElement,
    scale: f64,
    points: &[f32],
    counts: &[u32],
    max_count: u32,
    label: &str,
) -> Result<(), JsError> {
    let (area, theme) = open(canvas, scale)?;
    let data = ZaScatterData { points, counts, max_count, projection_label: label, axes: za_axes(label) };
    viz_za_scatter(&area, &data, &theme).map_err(failed("z_A scatter"))?;
    area.present().map_err(failed("z_A scatter"))
}

/// Figure 6: train and test loss at `t` along the segment from model `name_a` (t = 0) to
/// `name_b` (t = 1), on a linear or log y axis.
#[wasm_bindgen(js_name = drawLossBarrier)]
#[allow(clippy::too_many_arguments)]
pub fn draw_loss_barrier(
    canvas: &HtmlCanvasElement,
    scale: f64,
    t: &[f32],
    train_loss: &[f32],
    test_loss: &[f32],
    name_a: &str,
    name_b: &str,
    log_y: bool,
) -> Result<(), JsError> {
    let (area, theme) = open(canvas, scale)?;
    let data = LossBarrierData { t, train_loss, test_loss, name_a, name_b, log_y };
    viz_loss_barrier(&area, &data, &theme).map_err(failed("loss barrier"))?;
    area.present().map_err(failed("loss barrier"))
}

/// Figure 7: embedded parameter paths of one or two runs (`points_b` empty for one), each
/// `x_0, y_0, ..` with the indices of the first snapshot after each phase switch; `names` holds
/// the run names separated by a newline; `label` names the embedding.
#[wasm_bindgen(js_name = drawTrajectory)]
#[allow(clippy::too_many_arguments)]
pub fn draw_trajectory(
    canvas: &HtmlCanvasElement,
    scale: f64,
    names: &str,
    points_a: &[f32],
    switches_a: &[u32],
    points_b: &[f32],
    switches_b: &[u32],
    label: &str,
) -> Result<(), JsError> {
    let (area, theme) = open(canvas, scale)?;
    let names: Vec<&str> = names.split('\n').collect();
    let sw_a: Vec<usize> = switches_a.iter().map(|&s| s as usize).collect();
    let sw_b: Vec<usize> = switches_b.iter().map(|&s| s as usize).collect();
    let mut runs =
        vec![TrajectoryRun { name: names.first().copied().unwrap_or(""), points: points_a, switches: &sw_a }];
    if !points_b.is_empty() {
        runs.push(TrajectoryRun { name: names.get(1).copied().unwrap_or(""), points: points_b, switches: &sw_b });
    }
    let data = TrajectoryData { runs: &runs, method_label: label };
    viz_trajectory(&area, &data, &theme).map_err(failed("trajectory"))?;
    area.present().map_err(failed("trajectory"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn row(epoch: f32, test: f32) -> [f32; 6] {
        [epoch, 0.0, 1.0, 0.5, test, test]
    }

    #[wasm_bindgen_test]
    fn columns_are_the_raw_metric_columns() {
        // Not-evaluated test values stay NaN (the chart joins the evaluated ones), and the rows
        // after the last evaluation are kept (train goes on).
        let rows: Vec<f32> =
            [row(0.0, 0.0), row(1.0, f32::NAN), row(2.0, f32::NAN), row(3.0, 3.0), row(4.0, f32::NAN)].concat();
        let c = columns(&rows);
        assert_eq!(c.epoch, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let nan = f32::NAN;
        assert_eq!(bits(&c.test_acc), bits(&[0.0, nan, nan, 3.0, nan]));
        assert_eq!(bits(&c.test_loss), bits(&[0.0, nan, nan, 3.0, nan]));
        assert_eq!(c.train_acc, vec![0.5; 5]);
        assert_eq!(c.train_loss, vec![1.0; 5]);
    }
}
