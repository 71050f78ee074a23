//! Figure 7: the paths of training runs through parameter space, embedded in 2-D (t-SNE or PCA of
//! the flattened parameter snapshots, [`crate::experiments::embed`]).
//!
//! Each run is a line in its own colour and line style ([`super::theme::RUN_STYLES`]), from a
//! circle (first snapshot) to a star (last snapshot), with a triangle at each phase switch. The
//! marks are drawn in the run's colour with a dark outline, so the shape alone tells start, switch
//! and end apart. Both axes use the same scale. The caller names the embedding (caption).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::{
    caption, draw_legend, draw_line_kind, draw_marker, draw_message, equal_aspect, finite_min_max, fmt_tick,
    legend_height, padded_range, split_bottom, themed_mesh, title, DrawResult, LegendEntry, LineKind,
};
use super::theme::{run_style, MarkerShape, Theme};

const TITLE: &str = "Training paths in parameter space (fig. 7)";

/// Marker of the first snapshot.
pub const START_MARKER: MarkerShape = MarkerShape::Circle;
/// Marker of the last snapshot.
pub const END_MARKER: MarkerShape = MarkerShape::Star;
/// Marker of a phase switch.
pub const SWITCH_MARKER: MarkerShape = MarkerShape::Triangle;

/// One run's embedded path.
#[derive(Clone, Copy, Debug)]
pub struct TrajectoryRun<'a> {
    pub name: &'a str,
    /// Embedded snapshots in order, interleaved `x_0, y_0, x_1, y_1, ..` (n x 2).
    pub points: &'a [f32],
    /// Indices (into the n snapshots) of the first snapshot after each phase switch.
    pub switches: &'a [usize],
}

/// What the trajectory chart draws.
#[derive(Clone, Copy, Debug)]
pub struct TrajectoryData<'a> {
    pub runs: &'a [TrajectoryRun<'a>],
    /// The embedding, e.g. "t-SNE of 2 x 101 parameter snapshots (perplexity 30)".
    pub method_label: &'a str,
}

fn point(run: &TrajectoryRun, i: usize) -> Option<(f64, f64)> {
    let (x, y) = (*run.points.get(2 * i)? as f64, *run.points.get(2 * i + 1)? as f64);
    (x.is_finite() && y.is_finite()).then_some((x, y))
}

/// Draws figure 7. No runs or no points draws a message; an odd number of coordinates draws a
/// message naming the run; non-finite points are skipped (the line breaks there).
pub fn draw_trajectory<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &TrajectoryData,
    theme: &Theme,
) -> DrawResult<(), DB> {
    if let Some(run) = data.runs.iter().find(|r| r.points.len() % 2 != 0) {
        let msg = format!("Run \"{}\": {} coordinates do not make 2-D points.", run.name, run.points.len());
        return draw_message(area, TITLE, &msg, theme);
    }
    let all = data.runs.iter().flat_map(|r| (0..r.points.len() / 2).filter_map(move |i| point(r, i)));
    let xs: Vec<(f64, f64)> = all.collect();
    let (Some(xr), Some(yr)) = (finite_min_max(xs.iter().map(|p| p.0)), finite_min_max(xs.iter().map(|p| p.1))) else {
        return draw_message(area, TITLE, "No parameter snapshots embedded yet.", theme);
    };

    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;
    let body = if data.method_label.is_empty() { body } else { caption(&body, data.method_label, theme)? };

    let mut legend = Vec::new();
    for (i, run) in data.runs.iter().enumerate() {
        let st = run_style(i);
        let kind = if st.dashed { LineKind::Dashed } else { LineKind::Solid };
        legend.push(LegendEntry::line(run.name, st.test, kind, 3));
    }
    legend.push(LegendEntry::marker("start", theme.text, START_MARKER, false));
    if data.runs.iter().any(|r| !r.switches.is_empty()) {
        legend.push(LegendEntry::marker("phase switch", theme.text, SWITCH_MARKER, false));
    }
    legend.push(LegendEntry::marker("end", theme.text, END_MARKER, false));
    let lh = legend_height(&body, &legend, theme);
    let (plot_area, legend_area) = split_bottom(&body, lh);
    draw_legend(&legend_area, &legend, theme)?;

    let margin = 12;
    let xla = (theme.label_size * 2.8) as i32;
    let yla = (theme.label_size * 4.2) as i32;
    let (aw, ah) = plot_area.dim_in_pixel();
    let pw = (aw as i32 - 2 * margin - yla).max(10) as f64;
    let ph = (ah as i32 - 2 * margin - xla).max(10) as f64;
    let (xr, yr) = equal_aspect(padded_range(xr.0, xr.1, 0.06), padded_range(yr.0, yr.1, 0.06), pw, ph);

    let mut chart = ChartBuilder::on(&plot_area)
        .margin(margin)
        .x_label_area_size(xla as u32)
        .y_label_area_size(yla as u32)
        .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
    let fmt = |v: &f64| fmt_tick(*v);
    themed_mesh(&mut chart, theme, 6)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .x_desc("embedding dimension 1")
        .y_desc("embedding dimension 2")
        .draw()?;

    // Lines first (every run), then the marks on top.
    for (i, run) in data.runs.iter().enumerate() {
        let st = run_style(i);
        let kind = if st.dashed { LineKind::Dashed } else { LineKind::Solid };
        let mut seg = Vec::new();
        for j in 0..run.points.len() / 2 {
            match point(run, j) {
                Some(p) => seg.push(p),
                None => {
                    draw_line_kind(chart.plotting_area(), std::mem::take(&mut seg), st.test, 2, kind)?;
                }
            }
        }
        draw_line_kind(chart.plotting_area(), seg, st.test, 2, kind)?;
    }
    let screen = chart.plotting_area().use_screen_coord();
    for (i, run) in data.runs.iter().enumerate() {
        let st = run_style(i);
        let n = run.points.len() / 2;
        let mut marks: Vec<(usize, MarkerShape, i32)> = Vec::new();
        if let Some(first) = (0..n).find(|&j| point(run, j).is_some()) {
            marks.push((first, START_MARKER, 7));
        }
        for &s in run.switches {
            if s < n {
                marks.push((s, SWITCH_MARKER, 8));
            }
        }
        if let Some(last) = (0..n).rev().find(|&j| point(run, j).is_some()) {
            marks.push((last, END_MARKER, 8));
        }
        for (j, shape, r) in marks {
            if let Some(p) = point(run, j) {
                let px = chart.backend_coord(&p);
                draw_marker(&screen, px, shape, r, st.test, true)?;
                draw_marker(&screen, px, shape, r, theme.text, false)?;
            }
        }
    }
    Ok(())
}
