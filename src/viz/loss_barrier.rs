//! Figure 6: train and test loss along the straight line between two trained models,
//!
//! ```text
//! theta(t) = (1 - t) theta_A + t theta_B,   t in [0, 1]
//! barrier  = max_t loss(theta(t)) - max(loss(theta_A), loss(theta_B))
//! ```
//! (docs/reproduction.md, figure 6). The chart marks each barrier with a double arrow from the
//! higher endpoint's loss up to the highest loss on the line, labelled with its height, and names
//! the two endpoints in the caption. Train: [`BARRIER_TRAIN`], solid, circles; test: [`BARRIER_TEST`], dashed,
//! triangles. The y axis is linear or logarithmic, as the caller chooses.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    bold_style, caption, draw_legend, draw_line_kind, draw_marker, draw_message, draw_text_at, finite_min_max,
    fmt_decade, fmt_num, fmt_tick, legend_height, padded_range, split_bottom, themed_mesh, title, DrawResult,
    LegendEntry, LineKind,
};
use super::curves::LOSS_FLOOR;
use super::theme::{MarkerShape, Theme, BARRIER_ANNOTATION, BARRIER_TEST, BARRIER_TRAIN};

const TITLE: &str = "Loss on the line between two solutions (fig. 6)";
/// Pixels between a barrier's peak and its double arrow.
const ARROW_DX: i32 = 10;
/// Pixels between the double arrow and the barrier's label.
const LABEL_DX: i32 = 6;

/// What the loss-barrier chart draws.
#[derive(Clone, Copy, Debug)]
pub struct LossBarrierData<'a> {
    /// Interpolation coefficients, increasing, usually 0, 0.05, .., 1.
    pub t: &'a [f32],
    /// Train loss at each t.
    pub train_loss: &'a [f32],
    /// Test loss at each t, or empty.
    pub test_loss: &'a [f32],
    /// Name of the model at t = 0.
    pub name_a: &'a str,
    /// Name of the model at t = 1.
    pub name_b: &'a str,
    /// Logarithmic y axis (losses below [`LOSS_FLOOR`] drawn at the floor).
    pub log_y: bool,
}

/// The barrier is computed once, in the core, by the same function the page's status line and
/// the command line use.
pub use crate::experiments::barrier::{barrier, Barrier};

/// Draws figure 6. Empty or mismatched input draws a message.
pub fn draw_loss_barrier<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &LossBarrierData,
    theme: &Theme,
) -> DrawResult<(), DB> {
    if data.t.is_empty() || data.train_loss.is_empty() {
        return draw_message(area, TITLE, "No interpolation computed yet.", theme);
    }
    if data.train_loss.len() != data.t.len() || (!data.test_loss.is_empty() && data.test_loss.len() != data.t.len()) {
        let msg = format!(
            "{} values of t but {} train and {} test losses.",
            data.t.len(),
            data.train_loss.len(),
            data.test_loss.len()
        );
        return draw_message(area, TITLE, &msg, theme);
    }
    let mut series: Vec<(&str, &[f32], RGBColor, LineKind, MarkerShape)> =
        vec![("train", data.train_loss, BARRIER_TRAIN, LineKind::Solid, MarkerShape::Circle)];
    if !data.test_loss.is_empty() {
        series.push(("test", data.test_loss, BARRIER_TEST, LineKind::Dashed, MarkerShape::Triangle));
    }
    // NaN stays NaN (f64::max would turn it into the floor).
    let floor = |v: f64| if data.log_y && v.is_finite() { v.max(LOSS_FLOOR) } else { v };
    let ys = series.iter().flat_map(|s| s.1.iter().map(|&v| floor(v as f64)));
    let Some((y_min, y_max)) = finite_min_max(ys) else {
        return draw_message(area, TITLE, "Every loss on the line is non-finite.", theme);
    };

    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;
    let cap = format!("theta(t) = (1 - t) theta_A + t theta_B;  A = {},  B = {}", data.name_a, data.name_b);
    let body = caption(&body, &cap, theme)?;
    let legend: Vec<LegendEntry> = series
        .iter()
        .map(|s| {
            let label = match barrier(data.t, s.1) {
                Some(b) => format!("{} loss: barrier {} at t = {:.2}", s.0, fmt_num(b.height), b.t_peak),
                None => format!("{} loss", s.0),
            };
            LegendEntry::line(label, s.2, s.3, 3).with_marker(s.4, true)
        })
        .collect();
    let lh = legend_height(&body, &legend, theme);
    let (plot_area, legend_area) = split_bottom(&body, lh);
    draw_legend(&legend_area, &legend, theme)?;

    let (x_lo, x_hi) = finite_min_max(data.t.iter().map(|&v| v as f64)).unwrap_or((0.0, 1.0));
    let (x_lo, x_hi) = if x_hi > x_lo { (x_lo, x_hi) } else { padded_range(x_lo, x_hi, 0.0) };
    let mut builder = ChartBuilder::on(&plot_area);
    builder
        .margin(10)
        .margin_right(18)
        .x_label_area_size((theme.label_size * 2.8) as u32)
        .y_label_area_size((theme.label_size * 4.2) as u32);
    let xfmt = |v: &f64| fmt_tick(*v);

    // The same drawing for both axis kinds; only the y coordinate differs.
    macro_rules! draw_all {
        ($chart:ident, $yfmt:expr) => {{
            themed_mesh(&mut $chart, theme, if data.log_y { 12 } else { 6 })
                .x_label_formatter(&xfmt)
                .y_label_formatter($yfmt)
                .x_desc("t (0 = A, 1 = B)")
                .y_desc("loss")
                .draw()?;
            let screen = $chart.plotting_area().use_screen_coord();
            for (si, (_name, ys, color, kind, marker)) in series.iter().enumerate() {
                let pts: Vec<(f64, f64)> = data
                    .t
                    .iter()
                    .zip(ys.iter())
                    .map(|(&t, &y)| (t as f64, floor(y as f64)))
                    .filter(|(t, y)| t.is_finite() && y.is_finite())
                    .collect();
                draw_line_kind($chart.plotting_area(), pts.clone(), *color, 3, *kind)?;
                let every = (pts.len() / 21).max(1);
                for p in pts.iter().step_by(every) {
                    draw_marker(&screen, $chart.backend_coord(p), *marker, 4, *color, true)?;
                }
                if let Some(b) = barrier(data.t, ys) {
                    // Dotted level of the higher endpoint, then the double arrow up to the peak.
                    let lvl = floor(b.endpoint);
                    let peak = floor(b.peak);
                    draw_line_kind(
                        $chart.plotting_area(),
                        vec![(x_lo, lvl), (x_hi, lvl)],
                        *color,
                        1,
                        LineKind::Dotted,
                    )?;
                    let p0 = $chart.backend_coord(&(b.t_peak, lvl));
                    let p1 = $chart.backend_coord(&(b.t_peak, peak));
                    let ts = bold_style(theme, theme.tick_size, theme.text, HPos::Left, VPos::Center);
                    let label = fmt_num(b.height);
                    let (tw, th) = plot_area.estimate_text_size(&label, &ts)?;
                    let (tw, th) = (tw as i32, th as i32);
                    // The arrow goes ARROW_DX beside the peak and the label LABEL_DX beyond it: to
                    // the left for train, to the right for test, unless the plot ends on that side
                    // (a peak near t = 0 or 1, or a zero barrier at an endpoint): then the other.
                    let (px, _) = $chart.plotting_area().get_pixel_range();
                    let reach = ARROW_DX + LABEL_DX + tw + 2;
                    let fits = |side: i32| if side < 0 { p0.0 - reach >= px.start } else { p0.0 + reach <= px.end };
                    let preferred = if si == 0 { -1 } else { 1 };
                    let side = if fits(preferred) || !fits(-preferred) { preferred } else { -preferred };
                    let x = p0.0 + side * ARROW_DX;
                    let st = ShapeStyle { color: BARRIER_ANNOTATION.to_rgba(), filled: true, stroke_width: 2 };
                    if (p0.1 - p1.1).abs() > 12 {
                        screen.draw(&PathElement::new(vec![(x, p0.1), (x, p1.1)], st))?;
                        screen.draw(&Polygon::new(vec![(x, p1.1), (x - 5, p1.1 + 8), (x + 5, p1.1 + 8)], st))?;
                        screen.draw(&Polygon::new(vec![(x, p0.1), (x - 5, p0.1 - 8), (x + 5, p0.1 - 8)], st))?;
                    }
                    // The height, on a background box beside the arrow, never past the plot's edges.
                    let ymid = (p0.1 + p1.1) / 2;
                    let tx = if side < 0 { x - LABEL_DX - tw } else { x + LABEL_DX };
                    let tx = tx.clamp(px.start + 2, (px.end - tw - 2).max(px.start + 2));
                    let bg = ShapeStyle { color: theme.background.to_rgba(), filled: true, stroke_width: 0 };
                    screen
                        .draw(&Rectangle::new([(tx - 2, ymid - th / 2 - 2), (tx + tw + 2, ymid + th / 2 + 2)], bg))?;
                    draw_text_at(&plot_area, &label, &ts, (tx, ymid))?;
                }
            }
        }};
    }

    if data.log_y {
        let lo = 10f64.powf(y_min.max(LOSS_FLOOR).log10().floor());
        let mut hi = 10f64.powf(y_max.max(LOSS_FLOOR).log10().ceil());
        if hi <= lo * 1.0001 {
            hi = lo * 10.0;
        }
        let mut chart = builder.build_cartesian_2d(x_lo..x_hi, (lo..hi).log_scale())?;
        let decade = |v: &f64| fmt_decade(*v);
        draw_all!(chart, &decade);
    } else {
        let (lo, hi) = padded_range(y_min.min(0.0), y_max, 0.08);
        let mut chart = builder.build_cartesian_2d(x_lo..x_hi, lo..hi)?;
        let yfmt = |v: &f64| fmt_tick(*v);
        draw_all!(chart, &yfmt);
    }
    Ok(())
}
