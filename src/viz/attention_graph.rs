//! Figure 2: the attention of the output on each token of a probe sequence, as a bipartite graph.
//!
//! Tokens `x_1 .. x_T` sit in a row at the bottom (the token value inside the node, the position
//! and the attention below it); each is joined to the output node at the top.
//!
//! ```text
//! edge width (px) = max(MIN_EDGE_WIDTH, round(max_width * alpha_t))
//! max_width       = edge_max_width(plot width, T)   (at most MAX_EDGE_WIDTH)
//! ```
//! so equal attention gives equal widths and the widths add up like the attention does, up to
//! rounding to whole pixels (plotters' stroke widths are integers). The chart writes `max_width`
//! in its note.
//!
//! Edge colour and line style pair up, so the change reads without colour:
//! - grew since the previous step (`alpha_t - prev_t > ATTN_CHANGE_EPS`): [`EDGE_GREW`], solid;
//! - shrank (`prev_t - alpha_t > ATTN_CHANGE_EPS`): [`EDGE_SHRANK`], dashed;
//! - otherwise, or with no previous step: [`EDGE_UNCHANGED`], solid.
//!
//! The first `k` tokens, the only ones the target `y = (x_1 + .. + x_k) mod p` depends on, sit on a
//! shaded band ([`RELEVANT_BAND`]) with a note under it.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    caption, draw_legend, draw_line_kind, draw_message, draw_wrapped, legend_height, split_bottom, text_style, title,
    wrapped_height, DrawResult, LegendEntry, LineKind,
};
use super::theme::{Theme, EDGE_GREW, EDGE_SHRANK, EDGE_UNCHANGED, NODE_FILL, RELEVANT_BAND};

/// Change below which an edge counts as unchanged (absolute, in attention units).
pub const ATTN_CHANGE_EPS: f32 = 1e-6;
/// Thinnest edge drawn, so that an edge with almost no attention stays visible.
pub const MIN_EDGE_WIDTH: u32 = 1;
/// Widest edge (attention 1), for wide canvases.
pub const MAX_EDGE_WIDTH: f64 = 40.0;

const TITLE: &str = "Attention of the output on each token (fig. 2)";

/// What the attention graph draws.
#[derive(Clone, Copy, Debug)]
pub struct AttentionGraphData<'a> {
    /// The probe sequence `x_1 .. x_T`.
    pub tokens: &'a [u8],
    /// Attention `alpha_t` of the output on each token (sums to 1), length T.
    pub attn: &'a [f32],
    /// Attention at the previous recorded step, length T, to colour the change; None at the first.
    pub prev_attn: Option<&'a [f32]>,
    /// Number of leading tokens the target depends on.
    pub k: usize,
    /// Which step this is, e.g. "epoch 3, step 171".
    pub step_label: &'a str,
}

/// Temperature of the authors' sharpened display of attention ([`sharpened`]).
pub const SHARPEN_TEMPERATURE: f32 = 0.2;

/// The authors' display transform for their figure-2 animation: `exp(alpha_t / tau)` normalized
/// to sum to 1 (tau = [`SHARPEN_TEMPERATURE`]). It exaggerates differences; the caption's
/// definition of the edges is the raw attention, so the page labels this view as sharpened.
pub fn sharpened(attn: &[f32], temperature: f32) -> Vec<f32> {
    let max = attn.iter().copied().filter(|a| a.is_finite()).fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = attn.iter().map(|&a| ((a - max) / temperature).exp()).collect();
    let sum: f32 = e.iter().filter(|x| x.is_finite()).sum();
    e.iter().map(|x| x / sum).collect()
}

/// How an edge changed since the previous step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeChange {
    Grew,
    Shrank,
    Unchanged,
}

impl EdgeChange {
    /// The change of one edge; non-finite values count as unchanged.
    pub fn of(alpha: f32, prev: Option<f32>) -> EdgeChange {
        match prev {
            Some(p) if p.is_finite() && alpha.is_finite() => {
                let d = alpha - p;
                if d > ATTN_CHANGE_EPS {
                    EdgeChange::Grew
                } else if d < -ATTN_CHANGE_EPS {
                    EdgeChange::Shrank
                } else {
                    EdgeChange::Unchanged
                }
            }
            _ => EdgeChange::Unchanged,
        }
    }

    /// Colour of an edge with this change.
    pub fn color(self) -> RGBColor {
        match self {
            EdgeChange::Grew => EDGE_GREW,
            EdgeChange::Shrank => EDGE_SHRANK,
            EdgeChange::Unchanged => EDGE_UNCHANGED,
        }
    }

    /// Line style of an edge with this change.
    pub fn line(self) -> LineKind {
        match self {
            EdgeChange::Shrank => LineKind::Dashed,
            _ => LineKind::Solid,
        }
    }
}

/// Where one edge was drawn, in backend pixels (canvas pixels in the browser).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeGeometry {
    /// End at the token node (top of the node).
    pub from: (i32, i32),
    /// End at the output node (bottom of the node).
    pub to: (i32, i32),
    pub width: u32,
    pub change: EdgeChange,
}

/// Where the graph was drawn, in backend pixels, so that the page can hit-test tokens (e.g. to
/// edit the probe) and tests can look for edge pixels. Empty when a message was drawn instead.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphGeometry {
    /// Centre of each token node, in order.
    pub tokens: Vec<(i32, i32)>,
    pub token_radius: i32,
    pub output: (i32, i32),
    pub output_radius: i32,
    /// One edge per token, in token order.
    pub edges: Vec<EdgeGeometry>,
    /// Widest possible edge (attention 1), in pixels.
    pub max_width: f64,
}

impl GraphGeometry {
    /// The token whose node contains backend pixel (x, y).
    pub fn token_at(&self, x: i32, y: i32) -> Option<usize> {
        let r2 = (self.token_radius as i64 + 2).pow(2);
        self.tokens.iter().position(|&(cx, cy)| ((x - cx) as i64).pow(2) + ((y - cy) as i64).pow(2) <= r2)
    }
}

/// Width in pixels of the widest possible edge (attention 1) for a plot `width` pixels wide with
/// `tokens` tokens: 90% of the spacing between tokens, at most [`MAX_EDGE_WIDTH`].
pub fn edge_max_width(width: u32, tokens: usize) -> f64 {
    let spacing = width as f64 / tokens.max(1) as f64;
    (0.9 * spacing).clamp(4.0, MAX_EDGE_WIDTH)
}

/// Width in pixels of an edge with attention `alpha`: `max(MIN_EDGE_WIDTH, round(max_width * alpha))`.
pub fn edge_width(alpha: f32, max_width: f64) -> u32 {
    let a = if alpha.is_finite() { alpha.clamp(0.0, 1.0) as f64 } else { 0.0 };
    ((max_width * a).round() as u32).max(MIN_EDGE_WIDTH)
}

/// Draws figure 2 for one step and returns where the nodes and edges are. Inconsistent input (no
/// tokens, lengths that differ, non-finite attention) draws a message instead and returns an
/// empty geometry.
pub fn draw_attention_graph<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &AttentionGraphData,
    theme: &Theme,
) -> DrawResult<GraphGeometry, DB> {
    let t_len = data.tokens.len();
    let message = |msg: &str| draw_message(area, TITLE, msg, theme).map(|_| GraphGeometry::default());
    if t_len == 0 {
        return message("No probe sequence yet.");
    }
    if data.attn.len() != t_len {
        return message(&format!(
            "Attention has {} values for {} tokens:\nnothing to draw for this step.",
            data.attn.len(),
            t_len
        ));
    }
    if data.attn.iter().any(|a| !a.is_finite()) {
        return message("Attention is not finite (NaN or infinite):\nthe run has diverged.");
    }
    let mut notes: Vec<String> = Vec::new();
    let prev = match data.prev_attn {
        Some(p) if p.len() == t_len => Some(p),
        Some(_) => {
            notes.push("previous step has another length: change not shown".into());
            None
        }
        None => None,
    };
    let k = data.k.min(t_len);

    area.fill(&theme.background)?;
    let body = title(area, TITLE, theme)?;
    let step = if data.step_label.is_empty() { "current step".to_string() } else { data.step_label.to_string() };
    let change =
        if prev.is_some() { "colour = change since the previous step" } else { "first step: no change to show yet" };
    let body = caption(&body, &format!("{step} - {change}"), theme)?;

    let legend = [
        LegendEntry::line("grew", EDGE_GREW, LineKind::Solid, 4),
        LegendEntry::line("shrank", EDGE_SHRANK, LineKind::Dashed, 4),
        LegendEntry::line("unchanged", EDGE_UNCHANGED, LineKind::Solid, 4),
    ];
    let lh = legend_height(&body, &legend, theme);
    let (w, _) = body.dim_in_pixel();
    let margin = 8;
    let spacing = (w as i32 - 2 * margin) as f64 / t_len as f64;
    let max_w = edge_max_width((w as i32 - 2 * margin).max(1) as u32, t_len);
    let show_alpha = spacing >= 26.0;

    // The note (width mapping and any problem), then the legend, at the bottom.
    let mut note = format!("edge width = {:.0} px x attention (min {} px)", max_w, MIN_EDGE_WIDTH);
    if show_alpha {
        note.push_str("; numbers: attention");
    }
    for n in &notes {
        note.push_str("; ");
        note.push_str(n);
    }
    let note_style = text_style(theme, theme.note_size, theme.muted, HPos::Left, VPos::Top);
    let note_h = wrapped_height(&body, &note, &note_style, 6, HPos::Left) + 4;
    let (body, foot) = split_bottom(&body, lh + note_h);
    let (note_area, legend_area) = foot.split_vertically(note_h);
    draw_wrapped(&note_area, &note, &note_style, (6, 2), HPos::Left)?;
    draw_legend(&legend_area, &legend, theme)?;

    let (w, h) = body.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let r = (spacing * 0.32).clamp(5.0, 16.0) as i32;
    let r_out = (r + 4).min(22);
    let label_gap = (theme.tick_size * 1.3) as i32;
    let y_out = r_out + 4;
    // Below the token row: position label, attention value, then the bracket note for the first k.
    let below = r + 4 + label_gap * if show_alpha { 2 } else { 1 } + (theme.note_size * 1.6) as i32;
    let y_tok = (h - below).max(y_out + r_out + 20);
    let x_of = |t: usize| margin + ((t as f64 + 0.5) * spacing).round() as i32;
    let x_out = w / 2;

    // Shaded band behind the first k tokens, and its note.
    if k > 0 {
        let x0 = x_of(0) - (spacing / 2.0) as i32 + 1;
        let x1 = x_of(k - 1) + (spacing / 2.0) as i32 - 1;
        let y0 = y_tok - r - 6;
        let y1 = y_tok + r + 4 + label_gap * if show_alpha { 2 } else { 1 };
        body.draw(&Rectangle::new([(x0, y0), (x1, y1)], RELEVANT_BAND.filled()))?;
        let bracket = ShapeStyle { color: theme.muted.to_rgba(), filled: false, stroke_width: 1 };
        body.draw(&PathElement::new(vec![(x0, y1 - 4), (x0, y1 + 2), (x1, y1 + 2), (x1, y1 - 4)], bracket))?;
        let note = if k == 1 {
            "y depends only on x1".to_string()
        } else {
            format!("y = (x1 + .. + x{k}) mod p: only these {k} matter")
        };
        let style = text_style(theme, theme.note_size, theme.muted, HPos::Left, VPos::Top);
        body.draw_text(&note, &style, (x0, y1 + 5))?;
    }

    // Edges (relative to `body`), from the top of each token node to the bottom of the output
    // node; their ends spread a little along the output node so they do not meet in one pixel.
    let edges: Vec<EdgeGeometry> = (0..t_len)
        .map(|t| {
            let xt = x_of(t);
            let xe = x_out + ((xt - x_out) as f64 * 0.8 * r_out as f64 / (w as f64 / 2.0).max(1.0)).round() as i32;
            EdgeGeometry {
                from: (xt, y_tok - r),
                to: (xe, y_out + r_out),
                width: edge_width(data.attn[t], max_w),
                change: EdgeChange::of(data.attn[t], prev.map(|p| p[t])),
            }
        })
        .collect();
    // Thickest first, so thin edges stay visible on top of thick ones.
    let mut order: Vec<usize> = (0..t_len).collect();
    order.sort_by(|&a, &b| data.attn[b].partial_cmp(&data.attn[a]).unwrap_or(std::cmp::Ordering::Equal));
    for &t in &order {
        let e = &edges[t];
        draw_line_kind(&body, vec![e.from, e.to], e.change.color(), e.width, e.change.line())?;
    }
    let (bx, by) = body.get_base_pixel();
    let abs = |(x, y): (i32, i32)| (x + bx, y + by);
    let geom = GraphGeometry {
        tokens: (0..t_len).map(|t| abs((x_of(t), y_tok))).collect(),
        token_radius: r,
        output: abs((x_out, y_out)),
        output_radius: r_out,
        edges: edges.iter().map(|e| EdgeGeometry { from: abs(e.from), to: abs(e.to), ..*e }).collect(),
        max_width: max_w,
    };

    // Nodes.
    let outline = ShapeStyle { color: theme.text.to_rgba(), filled: false, stroke_width: 2 };
    body.draw(&Circle::new((x_out, y_out), r_out, NODE_FILL.filled()))?;
    body.draw(&Circle::new((x_out, y_out), r_out, outline))?;
    let big = text_style(theme, theme.label_size, theme.text, HPos::Center, VPos::Center);
    body.draw_text("y", &big, (x_out, y_out))?;
    let side = text_style(theme, theme.tick_size, theme.muted, HPos::Left, VPos::Center);
    body.draw_text("output", &side, (x_out + r_out + 6, y_out))?;

    let pos_style = text_style(theme, theme.tick_size, theme.text, HPos::Center, VPos::Top);
    let alpha_style = text_style(theme, theme.tick_size, theme.muted, HPos::Center, VPos::Top);
    let node_font =
        text_style(theme, (r as f64 * 1.2).clamp(9.0, theme.label_size), theme.text, HPos::Center, VPos::Center);
    let label_every = ((28.0 / spacing).ceil() as usize).max(1);
    for (t, &tok) in data.tokens.iter().enumerate() {
        let x = x_of(t);
        body.draw(&Circle::new((x, y_tok), r, NODE_FILL.filled()))?;
        body.draw(&Circle::new((x, y_tok), r, outline))?;
        body.draw_text(&tok.to_string(), &node_font, (x, y_tok))?;
        if t % label_every == 0 || t + 1 == t_len {
            body.draw_text(&format!("x{}", t + 1), &pos_style, (x, y_tok + r + 4))?;
        }
        if show_alpha {
            body.draw_text(&format!("{:.2}", data.attn[t]), &alpha_style, (x, y_tok + r + 4 + label_gap))?;
        }
    }

    Ok(geom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharpening_is_a_softmax_at_temperature_tau() {
        let a = [0.5f32, 0.3, 0.2];
        let s = sharpened(&a, 0.2);
        let e: Vec<f64> = a.iter().map(|&x| (x as f64 / 0.2).exp()).collect();
        let z: f64 = e.iter().sum();
        for (got, want) in s.iter().zip(e.iter().map(|x| x / z)) {
            assert!((*got as f64 - want).abs() < 1e-6, "{s:?}");
        }
        assert!(s[0] > a[0] && s[2] < a[2], "the largest grows, the smallest shrinks");
        assert_eq!(sharpened(&[0.25; 4], 0.2), vec![0.25; 4], "uniform stays uniform");
    }
}
