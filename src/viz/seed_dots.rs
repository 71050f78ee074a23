//! Seed statistics: one dot per run (seed) of each group (an arm and a setting), at its final test
//! accuracy, with the success line and each group's success rate and 95% Wilson interval.
//!
//! The paper shows one run per figure; this chart shows how many seeds do what the figure shows.
//! Groups stand side by side, each in its own column, coloured as in the curves chart
//! ([`run_style`]): the curriculum first, then its scratch twin. A dot is filled when the run
//! succeeded (final test accuracy above [`SeedDotsData::threshold`]) and hollow when it did not, so
//! the count under each column can be checked by eye. Runs of nearly the same accuracy are set
//! side by side within their column (a dot plot), never on top of each other. A run whose final
//! accuracy is not a number (diverged) is drawn as a cross on the 0 line and counts as a failure.
//!
//! Each column is labelled with its success count, counted here from the dots, and the 95%
//! interval the caller gives for it.
//!
//! The chart returns where it put every dot ([`DotGeometry`], CSS pixels), so the page can open
//! the run under a click and tests can check the dots without reading pixels back.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::common::{
    bold_style, caption, draw_line_kind, draw_marker, draw_message, draw_text_at, fmt_tick, text_style, text_width,
    themed_mesh, title, DrawResult, LineKind,
};
use super::theme::{run_style, MarkerShape, Theme, CHANCE_LINE, PHASE_SWITCH, SEED_SELECTED};

const TITLE: &str = "Final test accuracy of every seed";

/// One column of the chart: the runs of one arm (and setting).
#[derive(Clone, Copy, Debug)]
pub struct SeedGroup<'a> {
    /// The column's name, e.g. "curriculum" or "scratch".
    pub name: &'a str,
    /// Final test accuracy of each run, in [0, 1]; NaN for a run that diverged.
    pub values: &'a [f32],
    /// The 95% interval (low, high) of the column's success rate, as the caller's statistics give
    /// it for the successes counted here (`crate::sweep::wilson`); the chart counts, the caller
    /// does the statistics.
    pub interval: (f64, f64),
}

/// What the seed dot plot draws.
#[derive(Clone, Copy, Debug)]
pub struct SeedDotsData<'a> {
    pub groups: &'a [SeedGroup<'a>],
    /// A run succeeded when its final test accuracy is above this (0.95 in the results files).
    pub threshold: f64,
    /// Chance accuracy (1/p of the last phase), drawn as a dotted line; NaN for none.
    pub chance: f64,
    /// A line under the title (where the runs come from).
    pub caption: &'a str,
    /// The dot to ring: (group, index), e.g. the run open in the playground.
    pub selected: Option<(usize, usize)>,
}

/// Where a dot was drawn (CSS pixels of the drawing area) and which run it is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DotGeometry {
    pub group: usize,
    pub index: usize,
    pub x: i32,
    pub y: i32,
    pub r: i32,
    /// Whether the run counts as a success (filled dot).
    pub success: bool,
}

/// Dot radius (pixels) for a column of `n` runs: smaller when there are many.
pub fn dot_radius(n: usize) -> i32 {
    match n {
        0..=48 => 6,
        49..=200 => 4,
        _ => 3,
    }
}

/// Horizontal offsets (pixels, from the column's centre) of dots at pixel heights `ys`, so that
/// dots closer than a diameter in height sit side by side: each dot takes the first of the slots
/// 0, +s, -s, +2s, -2s .. not yet taken by a dot it would overlap. `half_width` bounds the spread:
/// beyond it the step shrinks, and the dots overlap rather than leave their column.
pub fn spread(ys: &[i32], r: i32, half_width: i32) -> Vec<i32> {
    let step = 2 * r + 1;
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by_key(|&i| (ys[i], i));
    let mut placed: Vec<(i32, i32)> = Vec::with_capacity(ys.len());
    let mut slot_of = vec![0i32; ys.len()];
    for &i in &order {
        let near: Vec<i32> = placed.iter().filter(|(y, _)| (ys[i] - y).abs() < step).map(|&(_, s)| s).collect();
        // Slots in the order 0, 1, -1, 2, -2, ..: the first free one (there are more slots than dots).
        let slot = (0..=2 * ys.len() as i32)
            .map(|j| if j % 2 == 1 { (j + 1) / 2 } else { -(j / 2) })
            .find(|s| !near.contains(s))
            .unwrap_or(0);
        slot_of[i] = slot;
        placed.push((ys[i], slot));
    }
    let widest = slot_of.iter().map(|s| s.abs()).max().unwrap_or(0);
    let room = (half_width - r).max(0);
    let step = if widest > 0 && widest * step > room { room as f64 / widest as f64 } else { step as f64 };
    slot_of.iter().map(|&s| (s as f64 * step).round() as i32).collect()
}

/// Draws the seed dot plot and returns where each dot is. No group, or no run, draws a message.
pub fn draw_seed_dots<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &SeedDotsData,
    theme: &Theme,
) -> DrawResult<Vec<DotGeometry>, DB> {
    if data.groups.iter().all(|g| g.values.is_empty()) {
        draw_message(area, TITLE, "No finished run yet.", theme)?;
        return Ok(Vec::new());
    }
    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;
    let body = if data.caption.is_empty() { body } else { caption(&body, data.caption, theme)? };

    let groups = data.groups.len();
    // The success and chance lines are named in the right margin, clear of the dots.
    let note = text_style(theme, theme.tick_size, theme.muted, HPos::Left, VPos::Center);
    let mut levels: Vec<(f64, RGBColor, LineKind, String)> = Vec::new();
    if data.threshold.is_finite() {
        levels.push((
            data.threshold,
            PHASE_SWITCH,
            LineKind::Dashed,
            format!("success > {}", fmt_tick(data.threshold)),
        ));
    }
    if data.chance.is_finite() {
        levels.push((data.chance, CHANCE_LINE, LineKind::Dotted, format!("chance {}", fmt_tick(data.chance))));
    }
    let label_w = levels.iter().map(|l| text_width(&body, &l.3, &note)).max().unwrap_or(0);
    // Under each column: its name, then its rate and interval (two lines of text).
    let line_h = (theme.tick_size * 1.35).ceil() as i32;
    let mut builder = ChartBuilder::on(&body);
    builder
        .margin(10)
        .margin_right((label_w + 16) as u32)
        .x_label_area_size((3 * line_h + 8) as u32)
        .y_label_area_size((theme.label_size * 4.2) as u32);
    let mut chart = builder.build_cartesian_2d(0f64..groups as f64, -0.04f64..1.04f64)?;
    let yfmt = |v: &f64| fmt_tick(*v);
    themed_mesh(&mut chart, theme, 6)
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&yfmt)
        .y_desc("final test accuracy")
        .draw()?;

    let plot = chart.plotting_area();
    let (xs, _) = plot.get_pixel_range();
    let screen = plot.use_screen_coord();
    for (y, color, kind, label) in &levels {
        draw_line_kind(plot, vec![(0.0, *y), (groups as f64, *y)], *color, 1, *kind)?;
        let (px, py) = chart.backend_coord(&(groups as f64, *y));
        draw_text_at(area, label, &note, (px + 6, py))?;
    }

    let col_w = (xs.end - xs.start) / groups.max(1) as i32;
    let name_style = bold_style(theme, theme.tick_size, theme.text, HPos::Center, VPos::Top);
    let rate_style = text_style(theme, theme.tick_size, theme.text, HPos::Center, VPos::Top);
    let (_, y_bottom) = chart.backend_coord(&(0.0, -0.04));
    let mut dots = Vec::new();
    for (gi, g) in data.groups.iter().enumerate() {
        let color = run_style(gi).test;
        let (cx, _) = chart.backend_coord(&(gi as f64 + 0.5, 0.0));
        let r = dot_radius(g.values.len());
        let ys: Vec<i32> = g
            .values
            .iter()
            .map(|&v| if v.is_finite() { v.clamp(0.0, 1.0) as f64 } else { 0.0 })
            .map(|v| chart.backend_coord(&(0.0, v)).1)
            .collect();
        let dx = spread(&ys, r, col_w / 2 - 4);
        let mut k = 0;
        for (i, (&v, (&y, &d))) in g.values.iter().zip(ys.iter().zip(&dx)).enumerate() {
            let success = v.is_finite() && v as f64 > data.threshold;
            k += success as usize;
            let at = (cx + d, y);
            let shape = if v.is_finite() { MarkerShape::Circle } else { MarkerShape::Cross };
            if data.selected == Some((gi, i)) {
                draw_marker(&screen, at, MarkerShape::Circle, r + 4, SEED_SELECTED, false)?;
            }
            draw_marker(&screen, at, shape, r, color, success)?;
            dots.push(DotGeometry { group: gi, index: i, x: cx + d, y, r, success });
        }
        let n = g.values.len();
        let pct = |x: f64| format!("{:.0}%", 100.0 * x);
        let lines = [
            (g.name.to_string(), &name_style),
            (format!("{k} of {n} succeeded"), &rate_style),
            (format!("95%: {} to {}", pct(g.interval.0), pct(g.interval.1)), &rate_style),
        ];
        for (li, (text, style)) in lines.iter().enumerate() {
            draw_text_at(area, text, style, (cx, y_bottom + 6 + li as i32 * line_h))?;
        }
    }
    Ok(dots)
}
