//! The charts of `crate::viz`, drawn on a page's `<canvas>` (main thread only).
//!
//! Every function takes the canvas and `scale` (device pixels per CSS pixel: the page sizes the
//! canvas bitmap to its CSS box times `devicePixelRatio`), then plain numbers, typed arrays,
//! strings, and for the charts of several runs an array of plain objects (one per run) whose
//! numeric fields are typed arrays, each copied into wasm memory in one block.
//!
//! Charts draw in CSS pixels: the context is scaled by `scale` once, and the chart gets a drawing
//! area of the canvas's CSS size (`width / scale` x `height / scale`) at the top-left corner of
//! the bitmap. So marks and text are sharp on high-density screens, and the geometry a chart
//! returns is in CSS pixels, the coordinates of pointer events. Narrow canvases (under
//! [`COMPACT_BELOW`] CSS pixels) use the theme's compact fonts. In the projector view
//! ([`set_projector`]) every chart uses [`Theme::projector`] (no text under 16 px) and strokes
//! [`PROJECTOR_LINE_SCALE`] times as wide.

use js_sys::{Array, Float32Array, Reflect, Uint32Array};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::canvas::MeasuredCanvas;
use super::to_js;
use crate::viz::attention_graph::{sharpened, SHARPEN_TEMPERATURE};
use crate::viz::curves::Chance;
use crate::viz::{
    draw_attention_graph as viz_attention_graph, draw_attention_heatmap as viz_attention_heatmap,
    draw_curves as viz_curves, draw_loss_barrier as viz_loss_barrier, draw_trajectory as viz_trajectory,
    draw_za_scatter as viz_za_scatter, row_at_pixel, AttentionGraphData, AttentionHeatmapData, CurvesData,
    LossBarrierData, PhaseSwitch, RunCurves, Theme, TrajectoryData, TrajectoryRun, ZaAxes, ZaScatterData,
};

/// Canvases narrower than this (CSS pixels) get the compact theme.
pub const COMPACT_BELOW: u32 = 560;

/// Stroke widths are multiplied by this in the projector view.
pub const PROJECTOR_LINE_SCALE: f64 = 2.0;

thread_local! {
    /// Whether the charts are drawn for a projector (the page's projector view).
    static PROJECTOR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Draws every later chart for a projector (`true`: larger type, thicker lines, more contrast) or
/// for a screen (`false`, the default). The page redraws its panels after changing it.
#[wasm_bindgen(js_name = setProjector)]
pub fn set_projector(on: bool) {
    PROJECTOR.with(|p| p.set(on));
}

/// Whether charts are drawn for a projector ([`set_projector`]).
pub fn projector() -> bool {
    PROJECTOR.with(|p| p.get())
}

/// `obj[key]`, or undefined.
pub(super) fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as f32 values: a Float32Array (copied in one block), an array of numbers, or
/// nothing (undefined: an empty column, which the charts treat as not recorded).
pub(super) fn f32_field(obj: &JsValue, key: &str) -> Vec<f32> {
    let v = field(obj, key);
    match v.dyn_ref::<Float32Array>() {
        Some(a) => a.to_vec(),
        None if v.is_undefined() || v.is_null() => Vec::new(),
        None => Float32Array::new(&v).to_vec(),
    }
}

/// `obj[key]` as u32 values (a Uint32Array or an array of numbers).
fn u32_field(obj: &JsValue, key: &str) -> Vec<u32> {
    let v = field(obj, key);
    match v.dyn_ref::<Uint32Array>() {
        Some(a) => a.to_vec(),
        None if v.is_undefined() || v.is_null() => Vec::new(),
        None => Uint32Array::new(&v).to_vec(),
    }
}

/// The elements of a JavaScript array (anything else: an error naming `what`).
pub(super) fn elements(value: &JsValue, what: &str) -> Result<Vec<JsValue>, JsError> {
    if !Array::is_array(value) {
        return Err(JsError::new(&format!("{what}: expected an array")));
    }
    Ok(Array::from(value).iter().collect())
}

fn from_js<T: for<'de> Deserialize<'de>>(value: &JsValue, what: &str) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value.clone()).map_err(|e| JsError::new(&format!("{what}: {e}")))
}

pub(crate) type Area = DrawingArea<MeasuredCanvas, Shift>;

thread_local! {
    /// While set ([`capture_svg`]), charts draw into an SVG document instead of their canvas.
    static CAPTURE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The last chart drawn while capturing ([`take_svg`]).
    static CAPTURED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// While `on`, every chart function draws into an SVG document of its canvas's CSS size (read
/// it with `takeSvg`) and leaves the canvas as it is: the same chart code and the same data as the
/// canvas, through plotters' SVG backend, so an exported figure is the one on screen.
#[wasm_bindgen(js_name = captureSvg)]
pub fn capture_svg(on: bool) {
    CAPTURE.with(|c| c.set(on));
}

/// The SVG of the last chart drawn while capturing (undefined if none), handed over once.
#[wasm_bindgen(js_name = takeSvg)]
pub fn take_svg() -> Option<String> {
    CAPTURED.with(|c| c.borrow_mut().take())
}

/// The canvas's size in CSS pixels.
pub(crate) fn css_size(canvas: &HtmlCanvasElement, scale: f64) -> (u32, u32) {
    let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
    (((canvas.width() as f64 / scale).round() as u32).max(1), ((canvas.height() as f64 / scale).round() as u32).max(1))
}

/// Runs `$body` with `$area` (a drawing area) and `$theme`: on the canvas, or, while capturing,
/// on an SVG document of the canvas's CSS size. The body is written once and compiled for both
/// backends, so the two cannot drift apart.
macro_rules! draw_into {
    ($canvas:expr, $scale:expr, $name:expr, |$area:ident, $theme:ident| $body:block) => {{
        use plotters::prelude::IntoDrawingArea as _;
        use wasm_bindgen::JsCast as _;
        use $crate::wasm::charts;
        if charts::capturing() {
            let size = charts::css_size($canvas, $scale);
            let context: web_sys::CanvasRenderingContext2d = $canvas
                .get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into().ok())
                .ok_or_else(|| wasm_bindgen::JsError::new("canvas: no 2d context"))?;
            let mut svg = String::new();
            let out = {
                // Text measured by the canvas, as on screen (super::canvas).
                let backend = plotters::prelude::SVGBackend::with_string(&mut svg, size);
                let backend = $crate::wasm::canvas::Measured::with_context(backend, context);
                // The theme and line weight of the canvas (projector view, compact, default).
                let (backend, $theme) = if charts::projector() {
                    (backend.with_line_scale(charts::PROJECTOR_LINE_SCALE), $crate::viz::Theme::projector())
                } else if size.0 < charts::COMPACT_BELOW {
                    (backend, $crate::viz::Theme::compact())
                } else {
                    (backend, $crate::viz::Theme::default())
                };
                let $area = backend.into_drawing_area();
                $area.fill(&$theme.background).map_err(charts::failed($name))?;
                let out = $body;
                $area.present().map_err(charts::failed($name))?;
                out
            };
            charts::keep_svg(svg);
            out
        } else {
            let ($area, $theme) = charts::open($canvas, $scale)?;
            let out = $body;
            $area.present().map_err(charts::failed($name))?;
            out
        }
    }};
}
pub(crate) use draw_into;

/// Whether charts draw into SVG now ([`capture_svg`]).
pub(crate) fn capturing() -> bool {
    CAPTURE.with(|c| c.get())
}

/// Keeps the SVG of the chart just drawn for [`take_svg`].
pub(crate) fn keep_svg(svg: String) {
    CAPTURED.with(|c| *c.borrow_mut() = Some(svg));
}

/// The drawing area (CSS pixels) and theme for `canvas`, whose bitmap holds `scale` device pixels
/// per CSS pixel (a non-finite or non-positive scale counts as 1).
pub(crate) fn open(canvas: &HtmlCanvasElement, scale: f64) -> Result<(Area, Theme), JsError> {
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
    let (backend, theme) = if projector() {
        (backend.with_line_scale(PROJECTOR_LINE_SCALE), Theme::projector())
    } else if css.0 < COMPACT_BELOW {
        (backend, Theme::compact())
    } else {
        (backend, Theme::default())
    };
    let area = backend.into_drawing_area().shrink((0, 0), css);
    Ok((area, theme))
}

pub(crate) fn failed<E: std::fmt::Debug>(chart: &str) -> impl FnOnce(E) -> JsError + '_ {
    move |e| JsError::new(&format!("{chart} chart: {e:?}"))
}

/// A title and a centred message (e.g. "press Compute"), in the charts' style.
#[wasm_bindgen(js_name = drawMessage)]
pub fn draw_message(canvas: &HtmlCanvasElement, scale: f64, title: &str, message: &str) -> Result<(), JsError> {
    draw_into!(canvas, scale, "message", |area, theme| {
        crate::viz::common::draw_message(&area, title, message, &theme).map_err(failed("message"))?;
    });
    Ok(())
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
/// change since `prev` (empty: no previous step); `sharpen` draws the authors' sharpened view
/// (`exp(alpha / 0.2)` normalized), labelled as such. Returns `{ tokens: [[x, y]..], token_radius,
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
    sharpen: bool,
) -> Result<JsValue, JsError> {
    let g = draw_into!(canvas, scale, "attention graph", |area, theme| {
        // The sharpened view transforms both steps, so the colour still says which way an edge moved.
        let (attn, prev): (Vec<f32>, Vec<f32>) = if sharpen {
            (
                sharpened(attn, SHARPEN_TEMPERATURE),
                if prev.is_empty() { Vec::new() } else { sharpened(prev, SHARPEN_TEMPERATURE) },
            )
        } else {
            (attn.to_vec(), prev.to_vec())
        };
        let label = if sharpen {
            format!("{step_label}; sharpened for display: exp(attention / {SHARPEN_TEMPERATURE}), normalized")
        } else {
            step_label.to_string()
        };
        let data = AttentionGraphData {
            tokens,
            attn: &attn,
            prev_attn: (!prev.is_empty()).then_some(&prev[..]),
            k,
            step_label: &label,
        };
        viz_attention_graph(&area, &data, &theme).map_err(failed("attention graph"))?
    });
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

/// Figure 3: attention (`rows x cols`, row-major, one row per recorded step; `groups` probe
/// sequences side by side, `cols / groups` positions each) with a red line after position `k`; `steps` labels the rows, `highlight` outlines a row (negative: none), `vmax` tops
/// the colour scale (NaN: the data's maximum). Returns the cell geometry for [`heatmap_row_at`].
#[wasm_bindgen(js_name = drawAttentionHeatmap)]
pub fn draw_attention_heatmap(
    canvas: &HtmlCanvasElement,
    scale: f64,
    attn: &[f32],
    cols: usize,
    groups: usize,
    steps: &[f32],
    k: usize,
    highlight: i32,
    vmax: f32,
) -> Result<JsValue, JsError> {
    let g = draw_into!(canvas, scale, "attention heatmap", |area, theme| {
        let steps: Vec<u64> = steps.iter().map(|&s| if s.is_finite() && s >= 0.0 { s as u64 } else { 0 }).collect();
        let data = AttentionHeatmapData {
            attn,
            groups,
            cols,
            steps: &steps,
            k,
            highlight: usize::try_from(highlight).ok(),
            vmax: vmax.is_finite().then_some(vmax),
        };
        viz_attention_heatmap(&area, &data, &theme).map_err(failed("attention heatmap"))?
    });
    Ok(to_js(&HeatmapHits { left: g.left, top: g.top, width: g.width, height: g.height, rows: g.rows, cols: g.cols }))
}

/// The heatmap row drawn at CSS pixel row `y` (`crate::viz::row_at_pixel`), or -1 outside.
#[wasm_bindgen(js_name = heatmapRowAt)]
pub fn heatmap_row_at(y: i32, top: i32, height: i32, rows: usize) -> i32 {
    row_at_pixel(y, top, height, rows).map(|r| r as i32).unwrap_or(-1)
}

/// One run's metric columns, by name (`super::METRIC_COLUMNS`), as the trainer records them.
struct Columns {
    name: String,
    epoch: Vec<f32>,
    train_loss: Vec<f32>,
    train_acc: Vec<f32>,
    test_loss: Vec<f32>,
    test_acc: Vec<f32>,
}

impl Columns {
    /// `{ name, columns: { epoch, train_loss, .. } }`: the columns as the worker sends them, test
    /// values NaN where the test set was not evaluated (the chart joins the evaluated ones).
    fn read(run: &JsValue) -> Result<Columns, JsError> {
        let name = field(run, "name").as_string().unwrap_or_default();
        let cols = field(run, "columns");
        if !cols.is_object() {
            return Err(JsError::new(&format!("curves: run \"{name}\" has no columns object")));
        }
        Ok(Columns {
            epoch: f32_field(&cols, "epoch"),
            train_loss: f32_field(&cols, "train_loss"),
            train_acc: f32_field(&cols, "train_acc"),
            test_loss: f32_field(&cols, "test_loss"),
            test_acc: f32_field(&cols, "test_acc"),
            name,
        })
    }
}

#[derive(Deserialize)]
struct ChanceSpan {
    from: f32,
    to: f32,
    value: f32,
}

#[derive(Deserialize)]
struct Switch {
    epoch: f32,
    label: String,
}

/// Figure 5: accuracy and loss (log scale) of one or more runs against epochs. `runs` is an array
/// of `{ name, columns: { epoch, train_loss, train_acc, test_loss, test_acc } }` (Float32Arrays,
/// test values NaN where not evaluated); `switches` an array of `{ epoch, label }` marking phase
/// switches; `chance` an array of `{ from, to, value }`: chance accuracy over spans of epochs,
/// drawn dotted.
#[wasm_bindgen(js_name = drawCurves)]
pub fn draw_curves(
    canvas: &HtmlCanvasElement,
    scale: f64,
    runs: &JsValue,
    switches: &JsValue,
    chance: &JsValue,
) -> Result<(), JsError> {
    let cols: Vec<Columns> = elements(runs, "curves runs")?.iter().map(Columns::read).collect::<Result<_, _>>()?;
    let switches: Vec<Switch> = from_js(switches, "curves switches")?;
    let chance: Vec<ChanceSpan> = from_js(chance, "curves chance")?;
    let chance: Vec<Chance> = chance.iter().map(|c| Chance { from: c.from, to: c.to, value: c.value }).collect();
    draw_into!(canvas, scale, "curves", |area, theme| {
        let runs: Vec<RunCurves> = cols
            .iter()
            .map(|c| RunCurves {
                name: &c.name,
                epochs: &c.epoch,
                train_acc: &c.train_acc,
                test_acc: &c.test_acc,
                train_loss: &c.train_loss,
                test_loss: &c.test_loss,
            })
            .collect();
        let switches: Vec<PhaseSwitch> =
            switches.iter().map(|s| PhaseSwitch { epoch: s.epoch, label: &s.label }).collect();
        let data = CurvesData { runs: &runs, switches: &switches, chance: &chance };
        viz_curves(&area, &data, &theme).map_err(failed("curves"))?;
    });
    Ok(())
}

/// Figure 4: 2-D points (`x_0, y_0, x_1, y_1, ..`) coloured by their count in `0..=max_count`.
/// `axes` is what the session's `computeZa` said the coordinates are (`"plane"`, `"line"` or
/// `"pca"`: the axis titles); `caption` says how they were made.
#[wasm_bindgen(js_name = drawZaScatter)]
pub fn draw_za_scatter(
    canvas: &HtmlCanvasElement,
    scale: f64,
    points: &[f32],
    counts: &[u32],
    max_count: u32,
    axes: &JsValue,
    caption: &str,
) -> Result<(), JsError> {
    let axes: ZaAxes = from_js(axes, "z_A axes (\"plane\", \"line\" or \"pca\")")?;
    draw_into!(canvas, scale, "z_A scatter", |area, theme| {
        let data = ZaScatterData { points, counts, max_count, projection_label: caption, axes };
        viz_za_scatter(&area, &data, &theme).map_err(failed("z_A scatter"))?;
    });
    Ok(())
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
    draw_into!(canvas, scale, "loss barrier", |area, theme| {
        let data = LossBarrierData { t, train_loss, test_loss, name_a, name_b, log_y };
        viz_loss_barrier(&area, &data, &theme).map_err(failed("loss barrier"))?;
    });
    Ok(())
}

/// Figure 7: embedded parameter paths of one or more runs. `runs` is an array of `{ name,
/// points, switches }`: `points` interleaved `x_0, y_0, ..` (Float32Array), `switches` the
/// indices of the first point after each phase switch; `label` names the embedding.
#[wasm_bindgen(js_name = drawTrajectory)]
pub fn draw_trajectory(canvas: &HtmlCanvasElement, scale: f64, runs: &JsValue, label: &str) -> Result<(), JsError> {
    struct Path {
        name: String,
        points: Vec<f32>,
        switches: Vec<usize>,
    }
    let paths: Vec<Path> = elements(runs, "trajectory runs")?
        .iter()
        .map(|r| Path {
            name: field(r, "name").as_string().unwrap_or_default(),
            points: f32_field(r, "points"),
            switches: u32_field(r, "switches").into_iter().map(|s| s as usize).collect(),
        })
        .collect();
    draw_into!(canvas, scale, "trajectory", |area, theme| {
        let runs: Vec<TrajectoryRun> =
            paths.iter().map(|p| TrajectoryRun { name: &p.name, points: &p.points, switches: &p.switches }).collect();
        let data = TrajectoryData { runs: &runs, method_label: label };
        viz_trajectory(&area, &data, &theme).map_err(failed("trajectory"))?;
    });
    Ok(())
}
