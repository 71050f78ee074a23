//! Pieces every chart uses: text styles, a marker element, a legend drawn outside the plot (so it
//! never hides data), the "no data yet" message, and range helpers that never hand plotters a
//! NaN or an empty range (plotters asserts on NaN ranges).

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::theme::{MarkerShape, Theme};

/// The error type every chart returns.
pub type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/// A text style in the theme's font.
pub fn text_style<'a>(theme: &'a Theme, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'a> {
    TextStyle {
        font: FontDesc::new(FontFamily::from(theme.font), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Bold variant (titles).
pub fn bold_style<'a>(theme: &'a Theme, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'a> {
    TextStyle {
        font: FontDesc::new(FontFamily::from(theme.font), size, FontStyle::Bold),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// A vertical (bottom-to-top) text style, for y-axis titles drawn by hand.
pub fn vertical_style<'a>(theme: &'a Theme, size: f64, color: RGBColor) -> TextStyle<'a> {
    TextStyle {
        font: FontDesc::new(FontFamily::from(theme.font), size, FontStyle::Normal).transform(FontTransform::Rotate270),
        color: color.to_backend_color(),
        pos: Pos::new(HPos::Center, VPos::Center),
    }
}

/// Draws text at an absolute backend pixel (as given by `ChartContext::backend_coord`) on any
/// drawing area. (`DrawingArea::draw_text` adds the area's offset even to screen-coordinate
/// areas, so absolute positions must be made relative first.)
pub fn draw_text_at<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    text: &str,
    style: &TextStyle,
    abs: (i32, i32),
) -> DrawResult<(), DB> {
    let (bx, by) = area.get_base_pixel();
    area.strip_coord_spec().draw_text(text, style, (abs.0 - bx, abs.1 - by))
}

/// Width in pixels of `text` in `style` on `area` (a rough estimate if the backend cannot say).
pub fn text_width<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    text: &str,
    style: &TextStyle,
) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or_else(|_| (text.chars().count() as f64 * style.font.get_size() * 0.55) as i32)
}

/// Splits `text` into lines no wider than `max_w` pixels, breaking between words (a word longer
/// than the line stays whole). Explicit newlines are kept.
pub fn wrap_text<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if !line.is_empty() && text_width(area, &candidate, style) > max_w {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

/// Draws `text` wrapped to the width of `area`, lines starting at `(x, y)` (top of the first
/// line), and returns the height used. `h` chooses left or centre alignment.
pub fn draw_wrapped<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    (x, y): (i32, i32),
    h: HPos,
) -> DrawResult<i32, DB> {
    let (w, _) = area.dim_in_pixel();
    let max_w = match h {
        HPos::Center => w as i32 - 8,
        _ => w as i32 - x - 4,
    };
    let lines = wrap_text(area, text, style, max_w.max(20));
    let lh = (style.font.get_size() * 1.3).ceil() as i32;
    let st = style.pos(Pos::new(h, VPos::Top));
    for (i, line) in lines.iter().enumerate() {
        area.draw_text(line, &st, (x, y + lh * i as i32))?;
    }
    Ok(lh * lines.len() as i32)
}

/// The height [`draw_wrapped`] will use for `text` on `area` starting at x.
pub fn wrapped_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    x: i32,
    h: HPos,
) -> i32 {
    let (w, _) = area.dim_in_pixel();
    let max_w = match h {
        HPos::Center => w as i32 - 8,
        _ => w as i32 - x - 4,
    };
    let lh = (style.font.get_size() * 1.3).ceil() as i32;
    lh * wrap_text(area, text, style, max_w.max(20)).len() as i32
}

/// Draws the chart title centred at the top of `area` and returns the area below it. A title too
/// wide for the area is set smaller (down to 75%), then wrapped.
pub fn title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    theme: &Theme,
) -> DrawResult<DrawingArea<DB, Shift>, DB> {
    let (w, _) = area.dim_in_pixel();
    let mut size = theme.title_size;
    let full = text_width(area, text, &bold_style(theme, size, theme.text, HPos::Center, VPos::Top));
    let room = w as i32 - 8;
    if full > room && full > 0 {
        size = (size * room as f64 / full as f64).max(theme.title_size * 0.75);
    }
    let style = bold_style(theme, size, theme.text, HPos::Center, VPos::Top);
    let used = draw_wrapped(area, text, &style, (w as i32 / 2, 4), HPos::Center)?;
    Ok(split_top(area, used + 8).1)
}

/// Draws a caption centred under the title, wrapped to the area's width, and returns the area
/// below it.
pub fn caption<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    theme: &Theme,
) -> DrawResult<DrawingArea<DB, Shift>, DB> {
    let (w, _) = area.dim_in_pixel();
    let style = text_style(theme, theme.label_size, theme.muted, HPos::Center, VPos::Top);
    let used = draw_wrapped(area, text, &style, (w as i32 / 2, 0), HPos::Center)?;
    Ok(split_top(area, used + 4).1)
}

/// Splits `area` at `h` pixels from its top, clamped to the area (plotters' own split panics on
/// nothing, but a negative or oversized split gives degenerate areas, which we avoid).
pub fn split_top<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: i32,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (_, ah) = area.dim_in_pixel();
    let h = h.clamp(0, ah as i32);
    area.split_vertically(h)
}

/// Splits `area` at `h` pixels from its bottom.
pub fn split_bottom<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: i32,
) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
    let (_, ah) = area.dim_in_pixel();
    let h = h.clamp(0, ah as i32);
    area.split_vertically(ah as i32 - h)
}

/// Fills `area` with the background, writes `title` and a centred `message`. Charts call this for
/// empty or invalid input instead of failing, so a panel always says what is going on.
pub fn draw_message<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title_text: &str,
    message: &str,
    theme: &Theme,
) -> DrawResult<(), DB> {
    area.fill(&theme.background)?;
    let body = title(area, title_text, theme)?;
    let (w, h) = body.dim_in_pixel();
    let style = text_style(theme, theme.label_size, theme.muted, HPos::Center, VPos::Center);
    let lines: Vec<&str> = message.lines().collect();
    let lh = (theme.label_size * 1.4) as i32;
    let y0 = h as i32 / 2 - lh * (lines.len() as i32 - 1) / 2;
    for (i, line) in lines.iter().enumerate() {
        body.draw_text(line, &style, (w as i32 / 2, y0 + lh * i as i32))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Markers
// ---------------------------------------------------------------------------------------------

/// The vertices of a marker's outline around (x, y), in pixels (empty for circle and cross).
pub fn marker_outline(shape: MarkerShape, (x, y): (i32, i32), r: i32) -> Vec<(i32, i32)> {
    let rf = r as f64;
    let p = |dx: f64, dy: f64| (x + dx.round() as i32, y + dy.round() as i32);
    match shape {
        MarkerShape::Circle | MarkerShape::Cross => Vec::new(),
        MarkerShape::Triangle => vec![p(0.0, -1.15 * rf), p(rf, 0.6 * rf), p(-rf, 0.6 * rf)],
        MarkerShape::Square => {
            let s = 0.85 * rf;
            vec![p(-s, -s), p(s, -s), p(s, s), p(-s, s)]
        }
        MarkerShape::Diamond => vec![p(0.0, -1.2 * rf), p(rf, 0.0), p(0.0, 1.2 * rf), p(-rf, 0.0)],
        MarkerShape::Star => (0..10)
            .map(|i| {
                let a = std::f64::consts::PI * (i as f64) / 5.0 - std::f64::consts::FRAC_PI_2;
                let rr = if i % 2 == 0 { 1.3 * rf } else { 0.55 * rf };
                p(rr * a.cos(), rr * a.sin())
            })
            .collect(),
    }
}

/// Draws a marker `r` pixels in radius centred on pixel `at` of `area` (pixel coordinates of the
/// area; use `use_screen_coord()` and `ChartContext::backend_coord` for chart points). Filled
/// markers are one opaque colour; hollow ones are outlined 2 pixels wide.
pub fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shape: MarkerShape,
    r: i32,
    color: RGBColor,
    filled: bool,
) -> DrawResult<(), DB> {
    let r = r.max(1);
    let style = ShapeStyle { color: color.to_rgba(), filled, stroke_width: 2 };
    match shape {
        MarkerShape::Circle => area.draw(&Circle::new(at, r, style)),
        MarkerShape::Cross => {
            let (x, y) = at;
            area.draw(&PathElement::new(vec![(x - r, y - r), (x + r, y + r)], style))?;
            area.draw(&PathElement::new(vec![(x - r, y + r), (x + r, y - r)], style))
        }
        shape => {
            let pts = marker_outline(shape, at, r);
            if filled {
                area.draw(&Polygon::new(pts, style))
            } else {
                let mut closed = pts.clone();
                closed.push(pts[0]);
                area.draw(&PathElement::new(closed, style))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lines in pixel space
// ---------------------------------------------------------------------------------------------

/// How a line is drawn. Dashes are made of separate solid segments (plotters has no dash style),
/// so they look the same on every backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Solid,
    Dashed,
    Dotted,
}

impl LineKind {
    /// (dash length, gap length) in pixels for a line `width` pixels wide.
    pub fn pattern(self, width: u32) -> (f64, f64) {
        let w = width.max(1) as f64;
        match self {
            LineKind::Solid => (0.0, 0.0),
            LineKind::Dashed => (6.0 + 2.0 * w, 3.0 + 1.5 * w),
            LineKind::Dotted => (w.max(2.0), 2.0 + 1.5 * w),
        }
    }
}

/// Draws a polyline of backend-or-chart coordinates in the given kind, on any drawing area.
pub fn draw_line_kind<DB, CT, C>(
    area: &DrawingArea<DB, CT>,
    points: Vec<C>,
    color: RGBColor,
    width: u32,
    kind: LineKind,
) -> DrawResult<(), DB>
where
    DB: DrawingBackend,
    CT: plotters::coord::CoordTranslate<From = C>,
    C: Clone + 'static,
{
    if points.len() < 2 {
        return Ok(());
    }
    let style = ShapeStyle { color: color.to_rgba(), filled: false, stroke_width: width.max(1) };
    match kind {
        LineKind::Solid => area.draw(&PathElement::new(points, style)),
        k => {
            let (dash, gap) = k.pattern(width);
            area.draw(&DashedPathElement::new(points, dash, gap, style))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Legend
// ---------------------------------------------------------------------------------------------

/// One legend entry: a short line sample (if `line` is set) with an optional marker, then a label.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
    pub line: Option<LineKind>,
    pub width: u32,
    pub marker: Option<(MarkerShape, bool)>,
}

impl LegendEntry {
    pub fn line(label: impl Into<String>, color: RGBColor, kind: LineKind, width: u32) -> Self {
        LegendEntry { label: label.into(), color, line: Some(kind), width, marker: None }
    }
    pub fn marker(label: impl Into<String>, color: RGBColor, shape: MarkerShape, filled: bool) -> Self {
        LegendEntry { label: label.into(), color, line: None, width: 2, marker: Some((shape, filled)) }
    }
    pub fn with_marker(mut self, shape: MarkerShape, filled: bool) -> Self {
        self.marker = Some((shape, filled));
        self
    }
}

const SAMPLE_W: i32 = 30;

fn entry_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, e: &LegendEntry, theme: &Theme) -> i32 {
    let style = text_style(theme, theme.tick_size, theme.text, HPos::Left, VPos::Center);
    let tw = area.estimate_text_size(&e.label, &style).map(|(w, _)| w as i32).unwrap_or(e.label.len() as i32 * 7);
    let sample = if e.line.is_some() { SAMPLE_W } else { 14 };
    sample + 6 + tw + 16
}

/// Positions (x, y of the row centre) of the entries laid out left to right, wrapping at the
/// area's width, and the total height used.
fn layout_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    theme: &Theme,
) -> (Vec<(i32, i32)>, i32) {
    let (w, _) = area.dim_in_pixel();
    let row_h = (theme.tick_size * 1.6).ceil() as i32;
    let (mut x, mut row) = (4, 0);
    let mut pos = Vec::with_capacity(entries.len());
    for e in entries {
        let ew = entry_width(area, e, theme);
        if x > 4 && x + ew > w as i32 {
            x = 4;
            row += 1;
        }
        pos.push((x, row * row_h + row_h / 2));
        x += ew;
    }
    let rows = if entries.is_empty() { 0 } else { row + 1 };
    (pos, rows * row_h + 4)
}

/// The height a legend of these entries needs on `area`.
pub fn legend_height<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry], theme: &Theme) -> i32 {
    layout_legend(area, entries, theme).1
}

/// Draws the legend into `area` (typically a strip below or above the plot).
pub fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    theme: &Theme,
) -> DrawResult<(), DB> {
    let (pos, _) = layout_legend(area, entries, theme);
    let style = text_style(theme, theme.tick_size, theme.text, HPos::Left, VPos::Center);
    for (e, &(x, y)) in entries.iter().zip(&pos) {
        let mut tx = x;
        if let Some(kind) = e.line {
            draw_line_kind(area, vec![(x, y), (x + SAMPLE_W, y)], e.color, e.width, kind)?;
            if let Some((shape, filled)) = e.marker {
                draw_marker(area, (x + SAMPLE_W / 2, y), shape, 4, e.color, filled)?;
            }
            tx += SAMPLE_W + 6;
        } else if let Some((shape, filled)) = e.marker {
            draw_marker(area, (x + 6, y), shape, 5, e.color, filled)?;
            tx += 14 + 6;
        }
        area.draw_text(&e.label, &style, (tx, y))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// (min, max) of the finite values, or None if there are none.
pub fn finite_min_max(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// A non-empty, finite range around [lo, hi] with `pad` (fraction of the span) added each side;
/// a single value gets a unit-sized range around it.
pub fn padded_range(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = hi - lo;
    if span <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
        let half = (lo.abs() * 0.1).max(0.5);
        return (lo - half, hi + half);
    }
    (lo - pad * span, hi + pad * span)
}

/// Short human format of a number for labels: about 3 significant digits, trailing zeros
/// dropped, scientific when tiny or huge.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a == 0.0 {
        return "0".to_string();
    }
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let s = if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Axis tick label: the shortest of up to 4 decimals that shows the value (ticks are round
/// numbers), scientific when tiny or huge.
pub fn fmt_tick(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.abs() < 1e-12 {
        return "0".to_string();
    }
    if v.abs() >= 1e6 || v.abs() < 1e-4 {
        return format!("{v:.0e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Log-axis tick label: decades only ("1e-3", "0.1", "1", "10", "100"), nothing between.
pub fn fmt_decade(v: f64) -> String {
    if !v.is_finite() || v <= 0.0 {
        return String::new();
    }
    let e = v.log10();
    if (e - e.round()).abs() > 1e-6 {
        return String::new();
    }
    match e.round() as i32 {
        -1 => "0.1".to_string(),
        0 => "1".to_string(),
        1 => "10".to_string(),
        2 => "100".to_string(),
        e => format!("1e{e}"),
    }
}

/// Widens the shorter of two ranges so that one data unit spans as many pixels across (`pw` pixels
/// wide) as up (`ph` pixels tall): distances in the plane then read true.
pub fn equal_aspect(x: (f64, f64), y: (f64, f64), pw: f64, ph: f64) -> ((f64, f64), (f64, f64)) {
    let (pw, ph) = (pw.max(1.0), ph.max(1.0));
    let (ux, uy) = ((x.1 - x.0) / pw, (y.1 - y.0) / ph);
    if !(ux.is_finite() && uy.is_finite()) {
        return (x, y);
    }
    if ux > uy {
        let c = (y.0 + y.1) / 2.0;
        (x, (c - ux * ph / 2.0, c + ux * ph / 2.0))
    } else {
        let c = (x.0 + x.1) / 2.0;
        ((c - uy * pw / 2.0, c + uy * pw / 2.0), y)
    }
}

/// The mesh every chart draws: the theme's grid, six x labels and `y_labels` y labels, the
/// theme's tick and axis-title fonts, muted axes. Callers add formatters and axis titles, then
/// `draw()`.
pub fn themed_mesh<'a, 'b, DB, XT, YT, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    theme: &'b Theme,
    y_labels: usize,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let label_font = (theme.font, theme.tick_size).into_font().color(&theme.text);
    let desc_font = (theme.font, theme.label_size).into_font().color(&theme.text);
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(theme.background)
        .bold_line_style(theme.grid)
        .x_labels(6)
        .y_labels(y_labels)
        .label_style(label_font)
        .axis_desc_style(desc_font)
        .axis_style(theme.muted);
    mesh
}
