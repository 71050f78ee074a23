//! Figure 4: the attention outputs z_A of many sequences, in 2-D, coloured by the count
//! `s = x_1 + .. + x_k` (not reduced mod p).
//!
//! The caller projects: for d = 2 the z_A plane itself, for d > 2 a PCA
//! ([`crate::experiments::embed::pca`]), and says which in [`ZaScatterData::axes`]: the axes are
//! titled `z_A[0]` and `z_A[1]` for the plane, `PC1` and `PC2` for a PCA ([`ZaAxes`]). The label
//! it passes (e.g. "z_A plane (d = 2)" or "PCA of z_A (d = 32): PC1 41%, PC2 12%") is the chart's
//! caption. Both axes use the same scale (a unit is as long across as up), so distances between
//! clusters read true.
//!
//! Counts are ordered, so colour is sequential ([`super::theme::VIRIDIS_STOPS`], see
//! [`count_color`]); the marker shape also cycles with `s mod 3` (circle, triangle, square,
//! [`count_marker`]) so that neighbouring counts differ in shape too.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    caption, draw_legend, draw_marker, draw_message, draw_wrapped, equal_aspect, fmt_tick, legend_height, padded_range,
    split_bottom, text_style, themed_mesh, title, wrapped_height, DrawResult, LegendEntry,
};
use super::theme::{count_color, count_marker, Theme};

const TITLE: &str = "Attention outputs z_A, coloured by x1 + .. + xk (fig. 4)";

/// Legends list every count up to this many; beyond, they list a subset.
pub const MAX_LEGEND_COUNTS: u32 = 20;

/// What the two coordinates are: decided by the core's projection ([`crate::experiments::za`]).
pub use crate::experiments::za::ZaAxes;

/// What the scatter draws.
#[derive(Clone, Copy, Debug)]
pub struct ZaScatterData<'a> {
    /// Projected points, interleaved: `x_0, y_0, x_1, y_1, ..` (n x 2, row-major).
    pub points: &'a [f32],
    /// The count `s = x_1 + .. + x_k` of each point (n values).
    pub counts: &'a [u32],
    /// Largest possible count, `k (p - 1)`: fixes the colour scale and the legend.
    pub max_count: u32,
    /// What the axes are, shown as the caption.
    pub projection_label: &'a str,
    /// What the axes are, for their titles.
    pub axes: ZaAxes,
}

/// Marker radius in pixels for `n` points: smaller when there are many.
pub fn point_radius(n: usize) -> i32 {
    if n > 4000 {
        2
    } else if n > 600 {
        3
    } else {
        4
    }
}

/// Draws figure 4. Empty input, an odd number of coordinates or a count per point missing draws a
/// message; non-finite points are skipped and counted in a note.
pub fn draw_za_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ZaScatterData,
    theme: &Theme,
) -> DrawResult<(), DB> {
    if data.points.is_empty() {
        return draw_message(area, TITLE, "No attention outputs yet.", theme);
    }
    if data.points.len() % 2 != 0 {
        let msg = format!("{} coordinates do not make 2-D points.", data.points.len());
        return draw_message(area, TITLE, &msg, theme);
    }
    let n = data.points.len() / 2;
    if data.counts.len() != n {
        let msg = format!("{} points but {} counts.", n, data.counts.len());
        return draw_message(area, TITLE, &msg, theme);
    }
    let finite: Vec<usize> =
        (0..n).filter(|&i| data.points[2 * i].is_finite() && data.points[2 * i + 1].is_finite()).collect();
    if finite.is_empty() {
        return draw_message(area, TITLE, "Every z_A is non-finite: the run has diverged.", theme);
    }
    let max_count = data.max_count.max(data.counts.iter().copied().max().unwrap_or(0));

    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;
    let cap = if data.projection_label.is_empty() {
        format!("{n} sequences")
    } else {
        format!("{}; {} sequences", data.projection_label, n)
    };
    let body = caption(&body, &cap, theme)?;

    // Legend: one entry per count (or a subset when there are many), marker shape and colour.
    let step = (max_count / MAX_LEGEND_COUNTS + 1).max(1);
    let mut legend = Vec::new();
    let mut s = 0;
    while s <= max_count {
        let label = if s == 0 { "s = 0".to_string() } else { format!("{s}") };
        legend.push(LegendEntry::marker(label, count_color(s, max_count), count_marker(s), true));
        if s == max_count {
            break;
        }
        s = (s + step).min(max_count);
    }
    let dropped = n - finite.len();
    let note = format!("{dropped} non-finite points not drawn");
    let note_style = text_style(theme, theme.note_size, theme.muted, HPos::Left, VPos::Top);
    let note_h = if dropped > 0 { wrapped_height(&body, &note, &note_style, 6, HPos::Left) + 4 } else { 0 };
    let lh = legend_height(&body, &legend, theme);
    let (plot_area, foot) = split_bottom(&body, lh + note_h);
    let (legend_area, note_area) = foot.split_vertically(lh);
    draw_legend(&legend_area, &legend, theme)?;
    if dropped > 0 {
        draw_wrapped(&note_area, &note, &note_style, (6, 2), HPos::Left)?;
    }

    // Equal scale on both axes: widen the range that is short for its pixel size.
    let xs = finite.iter().map(|&i| data.points[2 * i] as f64);
    let ys = finite.iter().map(|&i| data.points[2 * i + 1] as f64);
    let (x_lo, x_hi) = super::common::finite_min_max(xs).unwrap_or((0.0, 1.0));
    let (y_lo, y_hi) = super::common::finite_min_max(ys).unwrap_or((0.0, 1.0));
    let (x_lo, x_hi) = padded_range(x_lo, x_hi, 0.05);
    let (y_lo, y_hi) = padded_range(y_lo, y_hi, 0.05);
    let margin = 10;
    let xla = (theme.label_size * 2.8) as i32;
    let yla = (theme.label_size * 4.2) as i32;
    let (aw, ah) = plot_area.dim_in_pixel();
    let pw = (aw as i32 - 2 * margin - yla).max(10) as f64;
    let ph = (ah as i32 - 2 * margin - xla).max(10) as f64;
    let ((x_lo, x_hi), (y_lo, y_hi)) = equal_aspect((x_lo, x_hi), (y_lo, y_hi), pw, ph);

    let mut chart = ChartBuilder::on(&plot_area)
        .margin(margin)
        .x_label_area_size(xla as u32)
        .y_label_area_size(yla as u32)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
    let fmt = |v: &f64| fmt_tick(*v);
    let (x_title, y_title) = data.axes.titles();
    themed_mesh(&mut chart, theme, 6)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .x_desc(x_title)
        .y_desc(y_title)
        .draw()?;

    let screen = chart.plotting_area().use_screen_coord();
    let r = point_radius(finite.len());
    for &i in &finite {
        let s = data.counts[i];
        let p = chart.backend_coord(&(data.points[2 * i] as f64, data.points[2 * i + 1] as f64));
        draw_marker(&screen, p, count_marker(s), r, count_color(s, max_count), true)?;
    }
    Ok(())
}
