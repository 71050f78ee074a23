//! Figure 1 of the paper: the center-tapped full-wave rectifier as a two-layer ReLU network,
//! `y = ReLU(x) + ReLU(-x) = |x|`, drawn on a `<canvas>` with the same plotters code and theme as
//! the other panels (the projector view included).
//!
//! Left, the network: the input x, two hidden ReLU units with input weights +1 (red) and -1
//! (blue), output weights +1 (each drawn in its path's colour), and the biases (zero) in light
//! blue, from a bias node between the hidden units, as the paper colours them. The path that carries the current for this x is drawn thick in
//! full colour; the other is thin and faded. Right, the input and the output over time: the
//! output is red where the positive path carried it and blue where the negative one did.
//!
//! The page (`www/figure1.js`) calls [`draw_rectifier`] for every frame of its sine wave or slider.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::charts::failed;
use super::to_js;
use crate::viz::common::{bold_style, split_top, text_style, themed_mesh, title, DrawResult};
use crate::viz::theme::{Theme, NEUTRAL_GREY, OI_BLUE, OI_SKY_BLUE, OI_VERMILLION};

/// The positive path (input weight +1): red, as in the paper.
pub const POSITIVE: RGBColor = OI_VERMILLION;
/// The negative path (input weight -1): blue.
pub const NEGATIVE: RGBColor = OI_BLUE;
/// The biases (all zero): light blue.
pub const BIAS: RGBColor = OI_SKY_BLUE;
/// The bias note's text: the bias colour, darkened to read on white.
const BIAS_TEXT: RGBColor = RGBColor(0x1F, 0x6F, 0x9F);
/// Stroke width of the path carrying the current, and of the idle one (CSS pixels).
pub const ACTIVE_WIDTH: u32 = 7;
pub const IDLE_WIDTH: u32 = 2;

/// A colour faded three quarters of the way to white: the idle path.
pub fn faded(c: RGBColor) -> RGBColor {
    let f = |v: u8| (v as f64 + 0.75 * (255.0 - v as f64)).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

/// ReLU.
fn relu(x: f64) -> f64 {
    x.max(0.0)
}

/// Where the network was drawn (CSS pixels): node centres, and the midpoints of the two input
/// edges (the pixels a test or a pointer looks at); and the trace's plot, as its left and right
/// edges and the heights of the values +1 and -1 (the page maps a drag on it to an input).
#[derive(Serialize, Clone, Copy, Debug, Default)]
pub struct RectifierGeometry {
    pub input: (i32, i32),
    pub positive: (i32, i32),
    pub negative: (i32, i32),
    pub output: (i32, i32),
    pub positive_edge: (i32, i32),
    pub negative_edge: (i32, i32),
    pub radius: i32,
    pub trace_left: i32,
    pub trace_right: i32,
    pub trace_plus: i32,
    pub trace_minus: i32,
}

/// Draws figure 1 for the input `x` (clamped to [-1, 1]) and the recent inputs `trace` (oldest
/// first, each in [-1, 1]; the output of each is computed here). Returns the geometry.
pub fn draw_rectifier_on<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: f64,
    trace: &[f32],
    theme: &Theme,
) -> DrawResult<RectifierGeometry, DB> {
    let x = if x.is_finite() { x.clamp(-1.0, 1.0) } else { 0.0 };
    area.fill(&theme.background)?;
    let body =
        title(area, "Figure 1: a full-wave rectifier is a two-layer ReLU network, y = ReLU(x) + ReLU(−x)", theme)?;
    let (w, h) = body.dim_in_pixel();
    // Side by side when there is room, else the network above the trace.
    let (net, trace_area) = if w >= 640 {
        let (a, b) = body.split_horizontally(w * 11 / 20);
        (a, b)
    } else {
        let (a, b) = body.split_vertically(h * 11 / 20);
        (a, b)
    };
    let g = draw_network(&net, x, theme)?;
    // The trace's corners come in backend pixels: the canvas's, when `area` is the whole canvas.
    let (ax, ay) = area.get_base_pixel();
    let ((left, plus), (right, minus)) = draw_trace(&trace_area, trace, theme)?;
    // The network's area may sit below the title: report page coordinates of the whole canvas.
    let (bx, by) = net.get_base_pixel();
    let shift = |p: (i32, i32)| (p.0 + bx - ax, p.1 + by - ay);
    Ok(RectifierGeometry {
        trace_left: left - ax,
        trace_right: right - ax,
        trace_plus: plus - ay,
        trace_minus: minus - ay,
        input: shift(g.input),
        positive: shift(g.positive),
        negative: shift(g.negative),
        output: shift(g.output),
        positive_edge: shift(g.positive_edge),
        negative_edge: shift(g.negative_edge),
        radius: g.radius,
    })
}

fn mid(a: (i32, i32), b: (i32, i32)) -> (i32, i32) {
    ((a.0 + b.0) / 2, (a.1 + b.1) / 2)
}

fn draw_network<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: f64,
    theme: &Theme,
) -> DrawResult<RectifierGeometry, DB> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let r = (h.min(w) / 11).clamp(12, 40);
    let label_h = (theme.tick_size * 1.4) as i32;
    // Room above the highest node and below the lowest for their labels.
    let top = r + label_h + 8;
    let bottom = h - r - 2 * label_h - 6;
    let mid_y = (top + bottom) / 2;
    // At least two radii apart, so the bias node fits between the hidden units.
    let dy = ((bottom - top) / 2).max(2 * r + 6);
    let input = (r + 10 + theme.label_size as i32, mid_y);
    let output = (w - r - 10 - theme.label_size as i32, mid_y);
    let hx = (input.0 + output.0) / 2;
    let positive = (hx, mid_y - dy);
    let negative = (hx, mid_y + dy);
    // The bias node between the two hidden units: its edges cross no other edge.
    let bias = (hx, mid_y);

    let (hp, hn) = (relu(x), relu(-x));
    let y = hp + hn;
    // The path that carries the current; at x = 0 neither does.
    let (pos_on, neg_on) = (x > 0.0, x < 0.0);
    let style = |c: RGBColor, on: bool| {
        if on {
            ShapeStyle { color: c.to_rgba(), filled: false, stroke_width: ACTIVE_WIDTH }
        } else {
            ShapeStyle { color: faded(c).to_rgba(), filled: false, stroke_width: IDLE_WIDTH }
        }
    };
    let line = |a: (i32, i32), b: (i32, i32), s: ShapeStyle| area.draw(&PathElement::new(vec![a, b], s));

    // Biases first (underneath): thin light-blue edges from the bias node to every unit.
    let bias_style = ShapeStyle { color: BIAS.to_rgba(), filled: false, stroke_width: 2 };
    for to in [positive, negative, output] {
        line(bias, to, bias_style)?;
    }
    // The idle path under the active one, so the active one is never covered.
    let paths = [(positive, POSITIVE, pos_on), (negative, NEGATIVE, neg_on)];
    for &(unit, colour, on) in paths.iter().filter(|p| !p.2).chain(paths.iter().filter(|p| p.2)) {
        line(input, unit, style(colour, on))?;
        // Output weights are +1: red on both paths would hide which path is which, so each
        // output edge keeps its path's colour; the weight is written beside it.
        line(unit, output, style(colour, on))?;
    }

    // Weight labels beside the edges.
    let wl = |text: &str, at: (i32, i32), c: RGBColor, v: VPos| {
        area.draw(&Text::new(text.to_string(), at, bold_style(theme, theme.label_size, c, HPos::Center, v)))
    };
    let off = (theme.label_size * 0.6) as i32;
    let m = mid(input, positive);
    wl("+1", (m.0 - off, m.1 - off), POSITIVE, VPos::Bottom)?;
    let m = mid(input, negative);
    wl("−1", (m.0 - off, m.1 + off), NEGATIVE, VPos::Top)?;
    let m = mid(positive, output);
    wl("+1", (m.0 + off, m.1 - off), POSITIVE, VPos::Bottom)?;
    let m = mid(negative, output);
    wl("+1", (m.0 + off, m.1 + off), NEGATIVE, VPos::Top)?;

    // Nodes: white with a dark outline; a unit that carries current is filled with its colour.
    let node = |at: (i32, i32), fill: RGBColor, outline: RGBColor| -> DrawResult<(), DB> {
        area.draw(&Circle::new(at, r as u32, fill.filled()))?;
        area.draw(&Circle::new(at, r as u32, ShapeStyle { color: outline.to_rgba(), filled: false, stroke_width: 2 }))
    };
    let white = theme.background;
    node(input, white, theme.text)?;
    node(output, white, theme.text)?;
    node(positive, if pos_on { faded(POSITIVE) } else { white }, if pos_on { POSITIVE } else { theme.muted })?;
    node(negative, if neg_on { faded(NEGATIVE) } else { white }, if neg_on { NEGATIVE } else { theme.muted })?;
    node(bias, white, BIAS)?;

    let inside = |text: &str, at: (i32, i32)| {
        area.draw(&Text::new(
            text.to_string(),
            at,
            bold_style(theme, theme.label_size, theme.text, HPos::Center, VPos::Center),
        ))
    };
    inside("x", input)?;
    inside("y", output)?;
    inside("1", bias)?;
    let relu_size = (r as f64 * 0.75).clamp(theme.tick_size, theme.label_size);
    for at in [positive, negative] {
        area.draw(&Text::new("ReLU", at, text_style(theme, relu_size, theme.text, HPos::Center, VPos::Center)))?;
    }

    // Values under the nodes (the bias note above its node).
    let value = |text: String, at: (i32, i32), c: RGBColor| {
        area.draw(&Text::new(
            text,
            (at.0, at.1 + r + 4),
            text_style(theme, theme.tick_size, c, HPos::Center, VPos::Top),
        ))
    };
    value(format!("x = {x:+.2}"), input, theme.text)?;
    value(format!("y = {y:.2}"), output, theme.text)?;
    // Above the upper unit: below it runs the bias edge.
    area.draw(&Text::new(
        format!("ReLU(x) = {hp:.2}"),
        (positive.0, positive.1 - r - 4),
        text_style(theme, theme.tick_size, if pos_on { POSITIVE } else { theme.muted }, HPos::Center, VPos::Bottom),
    ))?;
    value(format!("ReLU(−x) = {hn:.2}"), negative, if neg_on { NEGATIVE } else { theme.muted })?;
    area.draw(&Text::new(
        "biases 0",
        (bias.0 - r - 6, bias.1),
        text_style(theme, theme.tick_size, BIAS_TEXT, HPos::Right, VPos::Center),
    ))?;

    Ok(RectifierGeometry {
        input,
        positive,
        negative,
        output,
        positive_edge: mid(input, positive),
        negative_edge: mid(input, negative),
        radius: r,
        ..Default::default()
    })
}

/// Two points of a chart, in backend pixels.
type Corners = ((i32, i32), (i32, i32));

/// Draws the input and output over time; returns, in backend pixels, the plot's point of the
/// first sample at +1 and of the last sample at -1 (its left and right edges, and the heights of
/// +1 and -1).
fn draw_trace<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    trace: &[f32],
    theme: &Theme,
) -> DrawResult<Corners, DB> {
    let note = "output y over time: red while the +1 path carries it, blue while the −1 path does; dashed: the input x";
    let note_style = text_style(theme, theme.note_size, theme.muted, HPos::Left, VPos::Top);
    let used = crate::viz::common::draw_wrapped(area, note, &note_style, (6, 2), HPos::Left)?;
    let (_, plot) = split_top(area, used + 6);
    let n = trace.len().max(2);
    let mut chart = ChartBuilder::on(&plot)
        .margin_right(12)
        .margin_top(4)
        .x_label_area_size((theme.label_size * 2.6) as u32)
        .y_label_area_size((theme.label_size * 3.0) as u32)
        .build_cartesian_2d(0f64..(n - 1) as f64, -1.1f64..1.1f64)?;
    themed_mesh(&mut chart, theme, 5).x_desc("time").y_desc("volts").x_label_formatter(&|_| String::new()).draw()?;
    let vals: Vec<f64> = trace.iter().map(|&v| if v.is_finite() { (v as f64).clamp(-1.0, 1.0) } else { 0.0 }).collect();
    // The input, dashed grey.
    let input = ShapeStyle { color: NEUTRAL_GREY.to_rgba(), filled: false, stroke_width: 2 };
    for (i, pair) in vals.windows(2).enumerate() {
        if i % 2 == 0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(i as f64, pair[0]), ((i + 1) as f64, pair[1])],
                input,
            )))?;
        }
    }
    // The output, one segment at a time in the colour of the path that carried it.
    for (i, pair) in vals.windows(2).enumerate() {
        let colour = if pair[0] + pair[1] >= 0.0 { POSITIVE } else { NEGATIVE };
        let s = ShapeStyle { color: colour.to_rgba(), filled: false, stroke_width: 3 };
        let pts = vec![(i as f64, pair[0].abs()), ((i + 1) as f64, pair[1].abs())];
        chart.draw_series(std::iter::once(PathElement::new(pts, s)))?;
    }
    Ok((chart.backend_coord(&(0.0, 1.0)), chart.backend_coord(&((n - 1) as f64, -1.0))))
}

/// Figure 1 on a page's canvas: the rectifier network at input `x` with the output trace of the
/// recent inputs `trace` (Float32Array, oldest first). Returns `{ input, positive, negative,
/// output, positive_edge, negative_edge, radius, trace_left, trace_right, trace_plus,
/// trace_minus }` in CSS pixels.
#[wasm_bindgen(js_name = drawRectifier)]
pub fn draw_rectifier(canvas: &HtmlCanvasElement, scale: f64, x: f64, trace: &[f32]) -> Result<JsValue, JsError> {
    let g = super::charts::draw_into!(canvas, scale, "figure 1", |area, theme| {
        draw_rectifier_on(&area, x, trace, &theme).map_err(failed("figure 1"))?
    });
    Ok(to_js(&g))
}
