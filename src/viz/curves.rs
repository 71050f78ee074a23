//! Figure 5: train and test accuracy and loss against epochs, for one or more runs (e.g. "scratch
//! p=4" and "curriculum p=2->4"), with a dashed vertical line at each phase switch.
//!
//! Two panels, side by side on wide canvases and stacked on narrow ones: accuracy (linear, with an
//! optional dotted chance line at 1/p) and loss (log scale). Encodings, so nothing rests on colour
//! alone ([`super::theme::RUN_STYLES`]):
//! - run: hue, line style (run 1 solid, run 2 dashed, ...) and marker shape (circle, triangle, ..);
//! - train versus test: shade (train lighter), width (train thinner) and marker fill (train hollow).
//!
//! Loss on a log scale cannot show 0 or negative values: they are drawn at [`LOSS_FLOOR`], and the
//! chart says so. Long series are thinned to the pixel grid keeping each pixel column's first,
//! lowest, highest and last point, so spikes survive.
//!
//! Missing and non-finite values. Each series is drawn as one line through its finite points, in
//! the order given: whatever lies between two finite points is skipped and the line joins them
//! straight, so nothing is invented between two evaluations beyond that segment. What is skipped
//! is told apart by the series' partner, the other metric of the same split (accuracy for a loss,
//! loss for an accuracy), because both are measured together:
//! - a NaN whose partner is NaN too (or not given) was *not measured*: the test set is evaluated
//!   only every `eval_every` epochs and the rows between hold NaN. It is skipped silently, and a
//!   series whose latest values are not measured yet simply ends at its last evaluation;
//! - any other non-finite value (an infinity, or a NaN beside a finite partner) was measured and
//!   is not finite. It is not drawn either, and never silently: before the series' last finite
//!   point the note counts it ("N non-finite values not drawn"); after it, where a diverged run's
//!   values end up, the line ends at its last finite point and the note names the run and the
//!   epoch ("run: not finite from epoch E on"). The page also shows the diverged status itself.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    draw_legend, draw_line_kind, draw_marker, draw_message, draw_text_at, draw_wrapped, finite_min_max, fmt_decade,
    fmt_tick, legend_height, padded_range, split_bottom, text_style, themed_mesh, title, wrapped_height, DrawResult,
    LegendEntry, LineKind,
};
use super::theme::{run_style, MarkerShape, Theme, CHANCE_LINE, PHASE_SWITCH};

/// Smallest loss the log axis shows; smaller (or zero, or negative) losses are drawn here.
pub const LOSS_FLOOR: f64 = 1e-7;
/// Line width of train curves.
pub const TRAIN_WIDTH: u32 = 2;
/// Line width of test curves.
pub const TEST_WIDTH: u32 = 3;
/// Markers per line (spread evenly along the x range, staggered between runs).
pub const MARKERS_PER_LINE: usize = 6;

const TITLE: &str = "Accuracy and loss during training (fig. 5)";

/// One run's recorded metrics. `epochs` gives the x of every point; each metric either has the
/// same length or is empty (not recorded).
#[derive(Clone, Copy, Debug, Default)]
pub struct RunCurves<'a> {
    pub name: &'a str,
    pub epochs: &'a [f32],
    pub train_acc: &'a [f32],
    pub test_acc: &'a [f32],
    pub train_loss: &'a [f32],
    pub test_loss: &'a [f32],
}

/// A phase switch (e.g. p = 2 -> 4 of the curriculum), drawn as a dashed vertical line.
#[derive(Clone, Copy, Debug)]
pub struct PhaseSwitch<'a> {
    pub epoch: f32,
    pub label: &'a str,
}

/// What the curves chart draws.
#[derive(Clone, Copy, Debug, Default)]
pub struct CurvesData<'a> {
    pub runs: &'a [RunCurves<'a>],
    pub switches: &'a [PhaseSwitch<'a>],
    /// Chance accuracy over spans of epochs (1/p of the data each phase is tested on: 0.5 while a
    /// curriculum trains on p = 2, 0.25 after), each drawn as a dotted line over its span.
    pub chance: &'a [Chance],
}

/// Chance accuracy `value` from epoch `from` to epoch `to`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chance {
    pub from: f32,
    pub to: f32,
    pub value: f32,
}

impl Chance {
    /// One chance level over the whole x range.
    pub fn everywhere(value: f32) -> Chance {
        Chance { from: f32::NEG_INFINITY, to: f32::INFINITY, value }
    }
    fn drawable(&self) -> bool {
        self.value.is_finite() && self.value > 0.0 && self.value < 1.0 && self.from <= self.to
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Metric {
    Acc,
    Loss,
}

/// One series ready to draw: see the module docs for what counts as missing and as non-finite.
#[derive(Clone, Debug, Default, PartialEq)]
struct Series {
    /// The finite points, in the order given (losses clamped to [`LOSS_FLOOR`]).
    points: Vec<(f64, f64)>,
    /// Losses drawn at the floor.
    clamped: usize,
    /// Measured non-finite values before the last finite point (the line joins across them).
    hidden: usize,
    /// Epoch of the first measured non-finite value after the last finite point: the series
    /// diverged there (the x of the last finite point if that epoch is not finite itself).
    diverged_from: Option<f64>,
}

/// The [`Series`] of `y` against `x`; `partner` is the other metric of the same split (or empty).
fn series(x: &[f32], y: &[f32], partner: &[f32], metric: Metric) -> Series {
    let mut out = Series::default();
    // Measured non-finite values since the last finite point: (x, how many).
    let mut pending: Option<(f64, usize)> = None;
    for (i, (&xi, &yi)) in x.iter().zip(y).enumerate() {
        let (xi, mut yi) = (xi as f64, yi as f64);
        if xi.is_finite() && yi.is_finite() {
            if metric == Metric::Loss && yi < LOSS_FLOOR {
                yi = LOSS_FLOOR;
                out.clamped += 1;
            }
            out.points.push((xi, yi));
            out.hidden += pending.take().map_or(0, |(_, n)| n);
            continue;
        }
        let not_measured = yi.is_nan() && partner.get(i).is_none_or(|p| p.is_nan());
        if not_measured {
            continue;
        }
        let at = if xi.is_finite() { xi } else { out.points.last().map_or(f64::NAN, |p| p.0) };
        let p = pending.get_or_insert((at, 0));
        p.1 += 1;
    }
    out.diverged_from = pending.map(|(at, _)| at);
    out
}

/// Keeps, for each bucket of `x` values `bucket` wide, the first, lowest, highest and last point
/// in their original order: the drawn line then looks the same as with every point.
pub fn thin(points: &[(f64, f64)], x0: f64, bucket: f64) -> Vec<(f64, f64)> {
    if points.len() < 8 || !bucket.is_finite() || bucket <= 0.0 {
        return points.to_vec();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let b = ((points[i].0 - x0) / bucket).floor();
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && ((points[j].0 - x0) / bucket).floor() == b {
            if points[j].1 < points[lo].1 {
                lo = j;
            }
            if points[j].1 > points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let mut keep = vec![i, lo, hi, j - 1];
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|k| points[k]));
        i = j;
    }
    out
}

/// Draws figure 5. No runs, or no points yet, draws a message; a metric whose length differs from
/// its run's epochs draws a message naming it.
pub fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &CurvesData,
    theme: &Theme,
) -> DrawResult<(), DB> {
    for run in data.runs {
        for (name, s) in [
            ("train accuracy", run.train_acc),
            ("test accuracy", run.test_acc),
            ("train loss", run.train_loss),
            ("test loss", run.test_loss),
        ] {
            if !s.is_empty() && s.len() != run.epochs.len() {
                let msg =
                    format!("Run \"{}\": {} has {} values for {} epochs.", run.name, name, s.len(), run.epochs.len());
                return draw_message(area, TITLE, &msg, theme);
            }
        }
    }
    let has_points = data.runs.iter().any(|r| {
        !r.epochs.is_empty() && [r.train_acc, r.test_acc, r.train_loss, r.test_loss].iter().any(|s| !s.is_empty())
    });
    if !has_points {
        return draw_message(area, TITLE, "No curves yet: train to see accuracy and loss.", theme);
    }

    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;

    // Legend, below both panels.
    let mut legend = Vec::new();
    for (i, run) in data.runs.iter().enumerate() {
        let st = run_style(i);
        let kind = if st.dashed { LineKind::Dashed } else { LineKind::Solid };
        if !run.train_acc.is_empty() || !run.train_loss.is_empty() {
            legend.push(
                LegendEntry::line(format!("{} train", run.name), st.train, kind, TRAIN_WIDTH)
                    .with_marker(st.marker, false),
            );
        }
        if !run.test_acc.is_empty() || !run.test_loss.is_empty() {
            legend.push(
                LegendEntry::line(format!("{} test", run.name), st.test, kind, TEST_WIDTH).with_marker(st.marker, true),
            );
        }
    }
    if !data.switches.is_empty() {
        legend.push(LegendEntry::line("phase switch", PHASE_SWITCH, LineKind::Dashed, 2));
    }
    if data.chance.iter().any(Chance::drawable) {
        legend.push(LegendEntry::line("chance", CHANCE_LINE, LineKind::Dotted, 2));
    }
    // What the log scale and non-finite values hide, counted before drawing so the note has its
    // room. Values that were not measured (test between evaluations) are not news: no note.
    let (mut clamped, mut hidden) = (0, 0);
    let mut diverged = Vec::new();
    for (i, run) in data.runs.iter().enumerate() {
        let mut from: Option<f64> = None;
        for metric in [Metric::Acc, Metric::Loss] {
            for (ys, partner, _) in metric_series(run, metric) {
                let s = series(run.epochs, ys, partner, metric);
                clamped += s.clamped;
                hidden += s.hidden;
                if let Some(e) = s.diverged_from {
                    from = Some(from.map_or(e, |f: f64| if e.is_finite() { f.min(e) } else { f }));
                }
            }
        }
        if let Some(e) = from {
            let name = if run.name.is_empty() { format!("run {}", i + 1) } else { format!("\"{}\"", run.name) };
            let at = if e.is_finite() { format!("from epoch {} on", fmt_tick(e)) } else { "everywhere".to_string() };
            diverged.push(format!("{name}: not finite {at} (not drawn)"));
        }
    }
    let mut notes = Vec::new();
    if clamped > 0 {
        notes.push(format!("{} loss values below {:.0e} drawn at {:.0e} (log scale)", clamped, LOSS_FLOOR, LOSS_FLOOR));
    }
    if hidden > 0 {
        notes.push(format!("{} non-finite values not drawn (lines join across them)", hidden));
    }
    notes.extend(diverged);
    let note = notes.join("; ");
    let note_style = text_style(theme, theme.note_size, theme.muted, HPos::Left, VPos::Top);
    let note_h = if note.is_empty() { 0 } else { wrapped_height(&body, &note, &note_style, 6, HPos::Left) + 4 };
    let lh = legend_height(&body, &legend, theme);
    let (panels, foot) = split_bottom(&body, lh + note_h);
    let (legend_area, note_area) = foot.split_vertically(lh);
    draw_legend(&legend_area, &legend, theme)?;
    if !note.is_empty() {
        draw_wrapped(&note_area, &note, &note_style, (6, 2), HPos::Left)?;
    }

    // x range shared by both panels.
    let xs = data.runs.iter().flat_map(|r| r.epochs.iter().map(|&e| e as f64));
    let sw = data.switches.iter().map(|s| s.epoch as f64);
    let (x_lo, x_hi) = finite_min_max(xs.chain(sw)).unwrap_or((0.0, 1.0));
    let (x_lo, x_hi) = if x_hi > x_lo { (x_lo.min(0.0), x_hi) } else { padded_range(x_lo, x_hi, 0.0) };

    let (w, h) = panels.dim_in_pixel();
    let side_by_side = w >= 720 && h >= 200;
    let (acc_area, loss_area) =
        if side_by_side { panels.split_horizontally(w as i32 / 2) } else { panels.split_vertically(h as i32 / 2) };

    draw_panel(&acc_area, data, Metric::Acc, (x_lo, x_hi), theme)?;
    draw_panel(&loss_area, data, Metric::Loss, (x_lo, x_hi), theme)?;
    Ok(())
}

/// The run's train and test series of `metric`: (values, partner, is_test), the partner being the
/// other metric of the same split.
fn metric_series<'a>(run: &RunCurves<'a>, metric: Metric) -> [(&'a [f32], &'a [f32], bool); 2] {
    match metric {
        Metric::Acc => [(run.train_acc, run.train_loss, false), (run.test_acc, run.test_loss, true)],
        Metric::Loss => [(run.train_loss, run.train_acc, false), (run.test_loss, run.test_acc, true)],
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &CurvesData,
    metric: Metric,
    (x_lo, x_hi): (f64, f64),
    theme: &Theme,
) -> DrawResult<(), DB> {
    // Collect every series' points first: the loss range depends on them.
    let mut lines = Vec::new();
    for (i, run) in data.runs.iter().enumerate() {
        for (ys, partner, is_test) in metric_series(run, metric) {
            if ys.is_empty() {
                continue;
            }
            lines.push((i, is_test, series(run.epochs, ys, partner, metric).points));
        }
    }
    let sub = text_style(theme, theme.label_size, theme.text, HPos::Center, VPos::Top);
    let (w, _) = area.dim_in_pixel();
    let subtitle = if metric == Metric::Acc { "accuracy" } else { "loss (cross-entropy, log scale)" };
    area.draw_text(subtitle, &sub, (w as i32 / 2, 2))?;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .margin_top((theme.label_size * 1.6) as i32 + 4)
        .margin_right(16)
        .x_label_area_size((theme.label_size * 2.8) as u32)
        .y_label_area_size((theme.label_size * 4.2) as u32);

    if metric == Metric::Acc {
        let mut chart = builder.build_cartesian_2d(x_lo..x_hi, -0.02f64..1.02f64)?;
        let yfmt = |v: &f64| format!("{:.1}", v);
        let xfmt = |v: &f64| fmt_tick(*v);
        themed_mesh(&mut chart, theme, 6)
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .x_desc("epoch")
            .y_desc("accuracy")
            .draw()?;
        for span in data.chance.iter().filter(|s| s.drawable()) {
            let (a, b) = ((span.from as f64).max(x_lo), (span.to as f64).min(x_hi));
            if b <= a {
                continue;
            }
            let c = span.value as f64;
            draw_line_kind(chart.plotting_area(), vec![(a, c), (b, c)], CHANCE_LINE, 2, LineKind::Dotted)?;
            let p = chart.backend_coord(&(b, c));
            let st = text_style(theme, theme.note_size, theme.muted, HPos::Right, VPos::Bottom);
            draw_text_at(area, &format!("chance {:.2}", c), &st, (p.0 - 4, p.1 - 3))?;
        }
        draw_switches(&chart, data, (-0.02, 1.02), theme, false)?;
        let (px, _) = chart.plotting_area().get_pixel_range();
        let bucket = (x_hi - x_lo) / (px.end - px.start).max(1) as f64;
        for (i, is_test, points) in &lines {
            draw_series(&chart, *i, *is_test, points, (x_lo, x_hi), bucket)?;
        }
        draw_switches(&chart, data, (-0.02, 1.02), theme, true)?;
    } else {
        let ys = lines.iter().flat_map(|(_, _, s)| s.iter().map(|p| p.1));
        let (lo, hi) = finite_min_max(ys).unwrap_or((1e-3, 10.0));
        let mut lo = 10f64.powf(lo.max(LOSS_FLOOR).log10().floor());
        let mut hi = 10f64.powf(hi.max(LOSS_FLOOR).log10().ceil());
        if hi <= lo * 1.0001 {
            hi = lo * 10.0;
        }
        if lo < LOSS_FLOOR {
            lo = LOSS_FLOOR;
        }
        let mut chart = builder.build_cartesian_2d(x_lo..x_hi, (lo..hi).log_scale())?;
        let decade = |v: &f64| fmt_decade(*v);
        let xfmt = |v: &f64| fmt_tick(*v);
        themed_mesh(&mut chart, theme, 12)
            .x_label_formatter(&xfmt)
            .y_label_formatter(&decade)
            .x_desc("epoch")
            .y_desc("loss")
            .draw()?;
        draw_switches(&chart, data, (lo, hi), theme, false)?;
        let (px, _) = chart.plotting_area().get_pixel_range();
        let bucket = (x_hi - x_lo) / (px.end - px.start).max(1) as f64;
        for (i, is_test, points) in &lines {
            draw_series(&chart, *i, *is_test, points, (x_lo, x_hi), bucket)?;
        }
        draw_switches(&chart, data, (lo, hi), theme, true)?;
    }
    Ok(())
}

/// The dashed switch lines (before the series, so curves stay on top) or their labels (after the
/// series, on a background box so they stay readable).
fn draw_switches<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &ChartContext<DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    data: &CurvesData,
    (y_lo, y_hi): (f64, f64),
    theme: &Theme,
    labels: bool,
) -> DrawResult<(), DB> {
    let st = text_style(theme, theme.note_size, theme.text, HPos::Left, VPos::Top);
    let area = chart.plotting_area();
    for s in data.switches {
        let e = s.epoch as f64;
        if !e.is_finite() {
            continue;
        }
        if !labels {
            draw_line_kind(area, vec![(e, y_lo), (e, y_hi)], PHASE_SWITCH, 2, LineKind::Dashed)?;
        } else if !s.label.is_empty() {
            let p = chart.backend_coord(&(e, y_hi));
            let (tw, th) = area.estimate_text_size(s.label, &st)?;
            let (x0, y0) = (p.0 + 4, p.1 + 4);
            let bx = ShapeStyle { color: theme.background.to_rgba(), filled: true, stroke_width: 0 };
            area.use_screen_coord()
                .draw(&Rectangle::new([(x0 - 2, y0 - 2), (x0 + tw as i32 + 2, y0 + th as i32 + 2)], bx))?;
            draw_text_at(area, s.label, &st, (x0, y0))?;
        }
    }
    Ok(())
}

fn draw_series<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    chart: &ChartContext<DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    run: usize,
    is_test: bool,
    all: &[(f64, f64)],
    (x_lo, x_hi): (f64, f64),
    bucket: f64,
) -> DrawResult<(), DB> {
    let st = run_style(run);
    let (color, width) = if is_test { (st.test, TEST_WIDTH) } else { (st.train, TRAIN_WIDTH) };
    let kind = if st.dashed { LineKind::Dashed } else { LineKind::Solid };
    let screen = chart.plotting_area().use_screen_coord();
    if all.is_empty() {
        return Ok(());
    }
    if all.len() == 1 {
        // A single finite point has no line: a dot shows it.
        draw_marker(&screen, chart.backend_coord(&all[0]), MarkerShape::Circle, width as i32, color, true)?;
    }
    // One line through every finite point (see the module docs).
    draw_line_kind(chart.plotting_area(), thin(all, x_lo, bucket / 2.0), color, width, kind)?;
    // Sparse markers: at fixed fractions of the x range, staggered by run and by train/test, on
    // the nearest recorded point; a lone point always gets one.
    let mut targets: Vec<f64> = (0..MARKERS_PER_LINE)
        .map(|m| {
            let f =
                (m as f64 + 0.3 + 0.35 * (run % 3) as f64 + if is_test { 0.15 } else { 0.0 }) / MARKERS_PER_LINE as f64;
            x_lo + f * (x_hi - x_lo)
        })
        .collect();
    if all.len() == 1 {
        targets = vec![all[0].0];
    }
    let (first_x, last_x) = (all[0].0, all[all.len() - 1].0);
    for tx in targets {
        if tx < first_x - 1e-9 || tx > last_x + 1e-9 {
            continue;
        }
        let idx = all.partition_point(|p| p.0 < tx).min(all.len() - 1);
        let p = chart.backend_coord(&all[idx]);
        draw_marker(&screen, p, st.marker, if is_test { 5 } else { 4 }, color, is_test)?;
    }
    Ok(())
}
