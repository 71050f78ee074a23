//! Figure 3: attention per position over training, as a heatmap.
//!
//! One row per recorded step (training step increasing downward, as in the paper), one column per
//! position; the darker the cell, the more attention ([`super::theme::HEAT_STOPS`], ColorBrewer "Blues", with a
//! colour bar). A red vertical line ([`HEATMAP_K_LINE`]) separates the first k positions, the ones
//! the target depends on, from the rest. Several probe sequences can be shown side by side (the
//! authors' figure 3 shows four): each is a group of T columns with its own red line, and a dark
//! line separates the groups.
//!
//! Rows map to pixel rows of the plot by one rule, shared by the drawing and by [`row_at_pixel`]:
//! ```text
//! row(py) = floor(py * rows / H)      py = 0 .. H-1 pixels from the top of the plot
//! ```
//! With more rows than pixels, a pixel row shows the mean of the rows `row(py) .. row(py + 1)`;
//! with fewer, a row spans every pixel that maps to it. So clicking pixel `py` selects `row(py)`,
//! the first row drawn in that pixel.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{caption, draw_message, fmt_num, fmt_tick, text_style, title, vertical_style, DrawResult};
use super::theme::{heat_color, Theme, HEATMAP_HIGHLIGHT, HEATMAP_K_LINE, NEUTRAL_GREY};

const TITLE: &str = "Attention over training (fig. 3)";

/// What the heatmap draws.
#[derive(Clone, Copy, Debug)]
pub struct AttentionHeatmapData<'a> {
    /// Attention, row-major: `rows x cols`, one row per recorded step; with several probes,
    /// each row is the probes' attentions one after the other (`cols = groups x T`).
    pub attn: &'a [f32],
    /// Probe sequences side by side in each row (0 or 1: one).
    pub groups: usize,
    /// Number of positions T.
    pub cols: usize,
    /// The training step of each row (`rows` values), or empty to label rows by their index.
    pub steps: &'a [u64],
    /// The red line goes after position k.
    pub k: usize,
    /// Row to outline (the one selected or hovered), if any.
    pub highlight: Option<usize>,
    /// Top of the colour scale; None: the largest value in the data.
    pub vmax: Option<f32>,
}

/// Where the cells were drawn, in backend pixels (canvas pixels in the browser), so the page can
/// map a pointer position to a row with [`HeatmapGeometry::row_at`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeatmapGeometry {
    pub left: i32,
    pub top: i32,
    pub width: i32,
    pub height: i32,
    pub rows: usize,
    pub cols: usize,
}

impl HeatmapGeometry {
    /// The row under backend pixel (x, y), or None outside the cells.
    pub fn row_at(&self, x: i32, y: i32) -> Option<usize> {
        if x < self.left || x >= self.left + self.width {
            return None;
        }
        row_at_pixel(y, self.top, self.height, self.rows)
    }

    /// The row under backend pixel row `y`, ignoring x (for scrubbing along the whole width).
    pub fn row_at_y(&self, y: i32) -> Option<usize> {
        row_at_pixel(y, self.top, self.height, self.rows)
    }

    /// The column (position index, 0-based) under backend pixel column `x`.
    pub fn col_at(&self, x: i32) -> Option<usize> {
        row_at_pixel(x, self.left, self.width, self.cols)
    }
}

/// The row drawn at pixel `y` of a plot whose cells span `top .. top + height` with `rows` rows:
/// `floor((y - top) * rows / height)`, or None outside the plot or when there is nothing drawn.
pub fn row_at_pixel(y: i32, top: i32, height: i32, rows: usize) -> Option<usize> {
    if rows == 0 || height <= 0 || y < top || y >= top + height {
        return None;
    }
    Some(((y - top) as u64 * rows as u64 / height as u64) as usize)
}

/// Draws figure 3 and returns where the cells are. Empty or inconsistent input draws a message
/// and returns a geometry with `rows = 0` (every pointer position maps to no row).
pub fn draw_attention_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &AttentionHeatmapData,
    theme: &Theme,
) -> DrawResult<HeatmapGeometry, DB> {
    let none = HeatmapGeometry::default();
    let cols = data.cols;
    if cols == 0 || data.attn.is_empty() {
        draw_message(area, TITLE, "No attention recorded yet:\nstart training to fill one row per step.", theme)?;
        return Ok(none);
    }
    if data.attn.len() % cols != 0 {
        let msg = format!("{} attention values do not make rows of {} positions.", data.attn.len(), cols);
        draw_message(area, TITLE, &msg, theme)?;
        return Ok(none);
    }
    let rows = data.attn.len() / cols;
    if !data.steps.is_empty() && data.steps.len() != rows {
        let msg = format!("{} rows of attention but {} step numbers.", rows, data.steps.len());
        draw_message(area, TITLE, &msg, theme)?;
        return Ok(none);
    }
    let data_max = data.attn.iter().copied().filter(|v| v.is_finite()).fold(0.0f32, f32::max);
    let vmax = match data.vmax {
        Some(v) if v.is_finite() && v > 0.0 => v as f64,
        _ if data_max > 0.0 => data_max as f64,
        _ => 1.0,
    };
    let groups = data.groups.max(1);
    if cols % groups != 0 {
        let msg = format!("{cols} positions do not split into {groups} probe sequences.");
        draw_message(area, TITLE, &msg, theme)?;
        return Ok(none);
    }
    let t = cols / groups;
    let k = data.k.min(t);
    let step_of = |r: usize| -> u64 { data.steps.get(r).copied().unwrap_or(r as u64) };

    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;
    let mut cap = if k > 0 && k < t {
        format!("darker = more attention; red line after position k = {}", data.k)
    } else {
        format!("darker = more attention; k = {} leaves no position after it", data.k)
    };
    if groups > 1 {
        cap.push_str(&format!("; {groups} probe sequences side by side"));
    }
    if let Some(r) = data.highlight.filter(|&r| r < rows) {
        cap.push_str(&format!("; outlined: step {}", step_of(r)));
    }
    let body = caption(&body, &cap, theme)?;

    let (w, _) = body.dim_in_pixel();
    // Wide enough for the tick labels and the axis title at the theme's size (projector: larger).
    let bar_w = 78.max((26.0 + 4.35 * theme.tick_size) as i32).min(w as i32 / 4);
    let (main, bar) = body.split_horizontally(w as i32 - bar_w);

    // Axes: x = position, cells centred on 1..T; y = row index, 0 at the top, labelled by step.
    let y_fmt = |v: &f64| -> String {
        let r = v.round().max(0.0) as usize;
        if r < rows && (v - v.round()).abs() < 1e-6 {
            fmt_tick(step_of(r) as f64)
        } else {
            String::new()
        }
    };
    let x_fmt = |v: &f64| -> String {
        // With several probes, only each probe's first position and position k are labelled,
        // so the labels read 1, k, 1, k, .. from left to right.
        let pos = (v.round() as usize).saturating_sub(1) % t.max(1) + 1;
        if (v - v.round()).abs() < 1e-6 && *v >= 1.0 && *v <= cols as f64 && (groups == 1 || pos == 1 || pos == k) {
            format!("{pos}")
        } else {
            String::new()
        }
    };
    let step_label = if data.steps.is_empty() { "recorded row" } else { "training step" };
    let label_font = (theme.font, theme.tick_size).into_font().color(&theme.text);
    let desc_font = (theme.font, theme.label_size).into_font().color(&theme.text);
    let mut chart = ChartBuilder::on(&main)
        .margin(6)
        .margin_right(10)
        .x_label_area_size((theme.label_size * 3.0) as u32)
        .y_label_area_size((theme.label_size * 5.0) as u32)
        .build_cartesian_2d(0.5f64..(cols as f64 + 0.5), (rows as f64)..0.0f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(if groups > 1 { cols } else { cols.min(16) })
        .y_labels(8)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc("position t")
        .y_desc(step_label)
        .label_style(label_font)
        .axis_desc_style(desc_font)
        .axis_style(theme.muted)
        .draw()?;

    let plot = chart.plotting_area();
    let (xr, yr) = plot.get_pixel_range();
    let geom = HeatmapGeometry {
        left: xr.start,
        top: yr.start,
        width: xr.end - xr.start,
        height: yr.end - yr.start,
        rows,
        cols,
    };
    let screen = plot.use_screen_coord();
    let (pw, ph) = (geom.width.max(1), geom.height.max(1));
    // Column c spans the pixels x with floor((x - left) * cols / width) = c, as col_at says.
    let col_px = |c: usize| geom.left + ((c as i64 * pw as i64 + cols as i64 - 1) / cols as i64) as i32;
    let row_of = |py: i32| (py as i64 * rows as i64 / ph as i64) as usize;

    // Cells, merging pixel rows that show the same rows.
    let mut any_nan = false;
    let mut py = 0;
    while py < ph {
        let r0 = row_of(py);
        let mut end = py + 1;
        while end < ph && row_of(end) == r0 {
            end += 1;
        }
        let r1 = if end >= ph { rows } else { row_of(end) }.max(r0 + 1).min(rows);
        for c in 0..cols {
            let (mut sum, mut n) = (0.0f64, 0usize);
            for r in r0..r1 {
                let v = data.attn[r * cols + c];
                if v.is_finite() {
                    sum += v as f64;
                    n += 1;
                }
            }
            let color = if n == 0 {
                any_nan = true;
                NEUTRAL_GREY
            } else {
                heat_color(sum / n as f64, vmax)
            };
            screen
                .draw(&Rectangle::new([(col_px(c), geom.top + py), (col_px(c + 1), geom.top + end)], color.filled()))?;
        }
        py = end;
    }

    // The red line after position k of each probe, and a dark line between probes.
    for g in 0..groups {
        if k > 0 && k < t {
            let x = col_px(g * t + k);
            let style = ShapeStyle { color: HEATMAP_K_LINE.to_rgba(), filled: false, stroke_width: 3 };
            screen.draw(&PathElement::new(vec![(x, geom.top), (x, geom.top + ph)], style))?;
        }
        if g > 0 {
            let x = col_px(g * t);
            let style = ShapeStyle { color: theme.text.to_rgba(), filled: false, stroke_width: 2 };
            screen.draw(&PathElement::new(vec![(x, geom.top - 4), (x, geom.top + ph + 4)], style))?;
        }
    }

    // Highlighted row: an outline across the full width, at least 3 pixels tall.
    if let Some(r) = data.highlight.filter(|&r| r < rows) {
        let shows = |p: i32| {
            let a = row_of(p);
            let b = if p + 1 >= ph { rows } else { row_of(p + 1) }.max(a + 1);
            a <= r && r < b
        };
        let first = (0..ph).find(|&p| shows(p)).unwrap_or(0);
        let last = (0..ph).rev().find(|&p| shows(p)).unwrap_or(first);
        let (y0, y1) = (geom.top + first - 2, geom.top + last + 3);
        let style = ShapeStyle { color: HEATMAP_HIGHLIGHT.to_rgba(), filled: false, stroke_width: 3 };
        screen.draw(&Rectangle::new([(geom.left - 1, y0), (geom.left + pw, y1)], style))?;
        let ym = (y0 + y1) / 2;
        let tri = vec![(geom.left - 9, ym - 6), (geom.left - 2, ym), (geom.left - 9, ym + 6)];
        area.use_screen_coord().draw(&Polygon::new(tri, HEATMAP_HIGHLIGHT.filled()))?;
    }

    draw_colour_bar(&bar, vmax, any_nan, theme)?;
    Ok(geom)
}

/// The colour bar: 0 at the bottom, `vmax` at the top, five labelled ticks.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    vmax: f64,
    any_nan: bool,
    theme: &Theme,
) -> DrawResult<(), DB> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = 10;
    let bottom = h - (theme.label_size * 3.0) as i32 - 6;
    if bottom - top < 20 || w < 30 {
        return Ok(());
    }
    let x0 = 8;
    let x1 = x0 + 14;
    let n = (bottom - top).max(1);
    for i in 0..n {
        // i = 0 is the top pixel (vmax).
        let v = vmax * (1.0 - (i as f64 + 0.5) / n as f64);
        area.draw(&Rectangle::new([(x0, top + i), (x1, top + i + 1)], heat_color(v, vmax).filled()))?;
    }
    let frame = ShapeStyle { color: theme.muted.to_rgba(), filled: false, stroke_width: 1 };
    area.draw(&Rectangle::new([(x0, top), (x1, bottom)], frame))?;
    let style = text_style(theme, theme.tick_size, theme.text, HPos::Left, VPos::Center);
    for j in 0..=4 {
        let f = j as f64 / 4.0;
        let y = bottom - ((bottom - top) as f64 * f).round() as i32;
        area.draw(&PathElement::new(vec![(x1, y), (x1 + 3, y)], frame))?;
        area.draw_text(&fmt_num(vmax * f), &style, (x1 + 5, y))?;
    }
    let vs = vertical_style(theme, theme.tick_size, theme.muted);
    area.draw_text("attention", &vs, (w - 8, (top + bottom) / 2))?;
    if any_nan {
        let s = text_style(theme, theme.note_size, theme.muted, HPos::Left, VPos::Top);
        area.draw(&Rectangle::new([(x0, bottom + 8), (x1, bottom + 18)], NEUTRAL_GREY.filled()))?;
        area.draw_text("NaN", &s, (x1 + 4, bottom + 7))?;
    }
    Ok(())
}
