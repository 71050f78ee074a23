//! Colours, font sizes and colour scales shared by every chart.
//!
//! Every colour that a chart uses for a data mark is a `pub const` here, so that tests (native SVG
//! tests in `tests/viz.rs`, browser pixel tests in `tests/web.rs`) can look for the exact RGB value.
//! Marks that tests look for are drawn opaque (no alpha), so a canvas pixel in the middle of a
//! mark has exactly the constant's value; edges of marks are anti-aliased by the browser.
//!
//! The categorical palette is Okabe and Ito's ("Color Universal Design", 2008), which stays
//! distinguishable under the common colour-vision deficiencies. Charts never rely on colour
//! alone: each colour is paired with a line style or a marker shape (see each chart's docs).

use plotters::style::RGBColor;

// ---------------------------------------------------------------------------------------------
// Okabe-Ito palette
// ---------------------------------------------------------------------------------------------

/// Okabe-Ito black `#000000`.
pub const OI_BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Okabe-Ito orange `#E69F00`.
pub const OI_ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe-Ito sky blue `#56B4E9`.
pub const OI_SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe-Ito bluish green `#009E73`.
pub const OI_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe-Ito yellow `#F0E442`.
pub const OI_YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe-Ito blue `#0072B2`.
pub const OI_BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe-Ito vermillion `#D55E00` (the palette's red).
pub const OI_VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe-Ito reddish purple `#CC79A7`.
pub const OI_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// Neutral grey for "no change" and for reference lines `#8C8C8C`.
pub const NEUTRAL_GREY: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);

// ---------------------------------------------------------------------------------------------
// Attention graph (figure 2)
// ---------------------------------------------------------------------------------------------

/// Edge whose attention grew since the previous step: red, solid line.
pub const EDGE_GREW: RGBColor = OI_VERMILLION;
/// Edge whose attention shrank since the previous step: blue, dashed line.
pub const EDGE_SHRANK: RGBColor = OI_BLUE;
/// Edge whose attention did not change (or no previous step is known): grey, solid line.
pub const EDGE_UNCHANGED: RGBColor = NEUTRAL_GREY;
/// Fill of the band behind the first k tokens (the tokens the target depends on) `#FCEFD6`.
pub const RELEVANT_BAND: RGBColor = RGBColor(0xFC, 0xEF, 0xD6);
/// Fill of token and output nodes `#FFFFFF` (outlined with the theme's text colour).
pub const NODE_FILL: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

// ---------------------------------------------------------------------------------------------
// Attention heatmap (figure 3)
// ---------------------------------------------------------------------------------------------

/// The vertical line after position k: red, as in the paper.
pub const HEATMAP_K_LINE: RGBColor = OI_VERMILLION;
/// Outline of the highlighted (selected or hovered) row.
pub const HEATMAP_HIGHLIGHT: RGBColor = OI_ORANGE;

/// ColorBrewer "Blues" (9 classes), a perceptually ordered single-hue scale: index 0 is attention
/// 0 (lightest), index 8 is the top of the scale (darkest). Cells interpolate linearly in sRGB
/// between these stops, see [`heat_color`].
pub const HEAT_STOPS: [RGBColor; 9] = [
    RGBColor(0xF7, 0xFB, 0xFF),
    RGBColor(0xDE, 0xEB, 0xF7),
    RGBColor(0xC6, 0xDB, 0xEF),
    RGBColor(0x9E, 0xCA, 0xE1),
    RGBColor(0x6B, 0xAE, 0xD6),
    RGBColor(0x42, 0x92, 0xC6),
    RGBColor(0x21, 0x71, 0xB5),
    RGBColor(0x08, 0x51, 0x9C),
    RGBColor(0x08, 0x30, 0x6B),
];

// ---------------------------------------------------------------------------------------------
// z_A scatter (figure 4)
// ---------------------------------------------------------------------------------------------

/// Viridis (matplotlib, van der Walt and Smith) sampled at t = 0, 1/8, .., 1. Sequential,
/// perceptually uniform and readable under colour-vision deficiencies; used for the count
/// s = x_1 + .. + x_k, which is ordered. See [`count_color`].
pub const VIRIDIS_STOPS: [RGBColor; 9] = [
    RGBColor(0x44, 0x01, 0x54),
    RGBColor(0x47, 0x2C, 0x7A),
    RGBColor(0x3B, 0x52, 0x8B),
    RGBColor(0x2C, 0x72, 0x8E),
    RGBColor(0x21, 0x91, 0x8C),
    RGBColor(0x28, 0xAE, 0x80),
    RGBColor(0x5E, 0xC9, 0x62),
    RGBColor(0xAD, 0xDC, 0x30),
    RGBColor(0xFD, 0xE7, 0x25),
];

/// The scatter uses viridis on [0, COUNT_SCALE_MAX] only: the last stretch of viridis (bright
/// yellow) is hard to see on a white background.
pub const COUNT_SCALE_MAX: f64 = 0.9;

// ---------------------------------------------------------------------------------------------
// Runs (curves, figure 5; trajectories, figure 7)
// ---------------------------------------------------------------------------------------------

/// How one run is drawn: two shades of one hue (train lighter, test darker), a line style and a
/// marker shape, so runs differ by colour, dash and marker, and train differs from test by shade,
/// marker fill (train hollow, test filled) and line width (train thinner).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunStyle {
    /// Colour of the test curve, and of the run's path in the trajectory chart.
    pub test: RGBColor,
    /// Colour of the train curve.
    pub train: RGBColor,
    /// Dashed (true) or solid (false) lines.
    pub dashed: bool,
    /// Marker drawn at sparse points along the run's lines.
    pub marker: MarkerShape,
}

/// Styles of the first runs, in the order the caller passes them; further runs cycle.
pub const RUN_STYLES: [RunStyle; 4] = [
    RunStyle { test: OI_BLUE, train: OI_SKY_BLUE, dashed: false, marker: MarkerShape::Circle },
    RunStyle { test: OI_VERMILLION, train: OI_ORANGE, dashed: true, marker: MarkerShape::Triangle },
    RunStyle { test: OI_GREEN, train: OI_YELLOW, dashed: false, marker: MarkerShape::Square },
    RunStyle { test: OI_PURPLE, train: OI_PURPLE, dashed: true, marker: MarkerShape::Diamond },
];

/// The style of run number `i` (cycling through [`RUN_STYLES`]).
pub fn run_style(i: usize) -> RunStyle {
    RUN_STYLES[i % RUN_STYLES.len()]
}

/// Phase-switch lines (curves, trajectories): dark grey, dashed.
pub const PHASE_SWITCH: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Chance-level line of the accuracy panel: grey, dotted.
pub const CHANCE_LINE: RGBColor = NEUTRAL_GREY;

// ---------------------------------------------------------------------------------------------
// Loss barrier (figure 6)
// ---------------------------------------------------------------------------------------------

/// Train loss along the segment: bluish green, solid, circles.
pub const BARRIER_TRAIN: RGBColor = OI_GREEN;
/// Test loss along the segment: reddish purple, dashed, triangles.
pub const BARRIER_TEST: RGBColor = OI_PURPLE;
/// The barrier-height annotation (double arrow and its label).
pub const BARRIER_ANNOTATION: RGBColor = OI_BLACK;

// ---------------------------------------------------------------------------------------------
// Seed statistics
// ---------------------------------------------------------------------------------------------

/// Ring around the seed dot whose run is open in the playground.
pub const SEED_SELECTED: RGBColor = OI_BLACK;

// ---------------------------------------------------------------------------------------------
// Markers
// ---------------------------------------------------------------------------------------------

/// Marker shapes, drawn by [`crate::viz::common::draw_marker`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerShape {
    Circle,
    Triangle,
    Square,
    Diamond,
    Star,
    Cross,
}

// ---------------------------------------------------------------------------------------------
// Theme: the non-data colours and the fonts
// ---------------------------------------------------------------------------------------------

/// Colours of the chart furniture (background, text, grid) and font sizes in pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub background: RGBColor,
    /// Titles, axis labels, node outlines.
    pub text: RGBColor,
    /// Notes and secondary text.
    pub muted: RGBColor,
    /// Light grid lines.
    pub grid: RGBColor,
    /// CSS font family; the browser resolves it, SVG writes it as is.
    pub font: &'static str,
    pub title_size: f64,
    pub label_size: f64,
    pub tick_size: f64,
    pub note_size: f64,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            background: RGBColor(0xFF, 0xFF, 0xFF),
            text: RGBColor(0x22, 0x22, 0x22),
            muted: RGBColor(0x5A, 0x5A, 0x5A),
            grid: RGBColor(0xE4, 0xE4, 0xE4),
            font: "sans-serif",
            title_size: 17.0,
            label_size: 14.0,
            tick_size: 12.0,
            note_size: 12.0,
        }
    }
}

impl Theme {
    /// A smaller variant for narrow canvases (phones).
    pub fn compact() -> Self {
        Theme { title_size: 15.0, label_size: 12.0, tick_size: 11.0, note_size: 11.0, ..Theme::default() }
    }

    /// The projector view (a class at the back of a room): no text under 16 px, darker notes and
    /// grid for contrast. Lines are thickened where they are drawn (`crate::wasm::canvas`).
    pub fn projector() -> Self {
        Theme {
            text: RGBColor(0x00, 0x00, 0x00),
            muted: RGBColor(0x2E, 0x2E, 0x2E),
            grid: RGBColor(0xC8, 0xC8, 0xC8),
            title_size: 26.0,
            label_size: 21.0,
            tick_size: 18.0,
            note_size: 18.0,
            ..Theme::default()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scales
// ---------------------------------------------------------------------------------------------

/// Linear interpolation in sRGB between evenly spaced stops; `t` is clamped to [0, 1] and a
/// non-finite `t` gives the first stop.
pub fn interpolate(stops: &[RGBColor], t: f64) -> RGBColor {
    let n = stops.len();
    if n == 0 {
        return RGBColor(0, 0, 0);
    }
    if n == 1 || !t.is_finite() || t <= 0.0 {
        return stops[0];
    }
    if t >= 1.0 {
        return stops[n - 1];
    }
    let x = t * (n - 1) as f64;
    let i = (x.floor() as usize).min(n - 2);
    let f = x - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let mix = |u: u8, v: u8| -> u8 { (u as f64 + (v as f64 - u as f64) * f).round().clamp(0.0, 255.0) as u8 };
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Heatmap colour of `value` on the scale [0, vmax] ([`HEAT_STOPS`]); values outside are clamped,
/// non-finite values give the lightest colour.
pub fn heat_color(value: f64, vmax: f64) -> RGBColor {
    if !vmax.is_finite() || vmax <= 0.0 {
        return HEAT_STOPS[0];
    }
    interpolate(&HEAT_STOPS, value / vmax)
}

/// Scatter colour of the count `s` among `0..=max_count` (viridis on [0, COUNT_SCALE_MAX]).
pub fn count_color(s: u32, max_count: u32) -> RGBColor {
    if max_count == 0 {
        return interpolate(&VIRIDIS_STOPS, 0.0);
    }
    let t = (s.min(max_count) as f64 / max_count as f64) * COUNT_SCALE_MAX;
    interpolate(&VIRIDIS_STOPS, t)
}

/// Marker shape of the count `s` in the scatter: cycles circle, triangle, square so that
/// neighbouring counts differ in shape as well as in colour.
pub fn count_marker(s: u32) -> MarkerShape {
    match s % 3 {
        0 => MarkerShape::Circle,
        1 => MarkerShape::Triangle,
        _ => MarkerShape::Square,
    }
}

/// `#RRGGBB` of a colour, as SVG and CSS write it.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}
