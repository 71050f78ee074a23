//! plotters-canvas's `CanvasBackend`, with text measured by the canvas itself.
//!
//! plotters measures text in the browser by putting a `<span>` into the page, styled
//! `font-style: bold` for bold text (invalid CSS: bold is a weight, so the span is measured in the
//! normal weight) and inheriting the page's own styles (its `line-height`, for one), while the
//! canvas draws `bold 15px sans-serif`. Bold titles were measured too narrow and spilled past the
//! edges of phone-sized canvases. [`MeasuredCanvas`] delegates all drawing to `CanvasBackend` and
//! answers `estimate_text_size` with the canvas's `measureText` in the very font string the canvas
//! draws with, so what a chart measures is what it gets; it also no longer adds an element to the
//! page and forces a layout for every measurement.
//!
//! It can also thicken every stroke by a factor ([`Measured::with_line_scale`]): the projector
//! view draws the same charts with heavier lines, without a change to any chart.
//!
//! The wrapper is generic: the SVG export draws through plotters' `SVGBackend` wrapped the same way
//! ([`Measured::with_context`]), so an exported figure is laid out exactly as the canvas one, and
//! nothing is added to the page (a styled `<span>` would also break the page's CSP).

use plotters::prelude::DrawingBackend;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A backend with text measured by a canvas context (see the module docs).
pub struct Measured<B> {
    inner: B,
    context: CanvasRenderingContext2d,
    /// Stroke widths are multiplied by this (1: as the chart asks).
    line_scale: f64,
}

/// `CanvasBackend` with text measured by the canvas it draws on.
pub type MeasuredCanvas = Measured<CanvasBackend>;

impl MeasuredCanvas {
    /// The backend for `canvas`, or None if it has no 2d context.
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        Some(Measured { inner: CanvasBackend::with_canvas_object(canvas)?, context, line_scale: 1.0 })
    }
}

impl<B: DrawingBackend> Measured<B> {
    /// `inner`, with text measured by `context` (which it does not draw on).
    pub fn with_context(inner: B, context: CanvasRenderingContext2d) -> Self {
        Measured { inner, context, line_scale: 1.0 }
    }

    /// The same backend drawing every stroke `scale` times as wide (rounded; at least 1 px; a
    /// zero width stays zero).
    /// Filled shapes and text are unchanged.
    pub fn with_line_scale(mut self, scale: f64) -> Self {
        self.line_scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
        self
    }

    fn thick<'a, S: BackendStyle>(&self, style: &'a S) -> Thick<'a, S> {
        Thick { style, scale: self.line_scale }
    }
}

/// A style whose stroke is `scale` times as wide.
struct Thick<'a, S> {
    style: &'a S,
    scale: f64,
}

impl<S: BackendStyle> BackendStyle for Thick<'_, S> {
    fn color(&self) -> BackendColor {
        self.style.color()
    }
    fn stroke_width(&self) -> u32 {
        match self.style.stroke_width() {
            0 => 0,
            w => ((w as f64 * self.scale).round() as u32).max(1),
        }
    }
}

/// The CSS font shorthand plotters-canvas draws `style` with.
pub fn canvas_font<S: BackendTextStyle>(style: &S) -> String {
    format!("{} {}px {}", style.style().as_str(), style.size(), style.family().as_str())
}

/// The wrapped backend's error type.
type CanvasError<B> = <B as DrawingBackend>::ErrorType;

impl<B: DrawingBackend> DrawingBackend for Measured<B> {
    type ErrorType = CanvasError<B>;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.draw_line(from, to, &self.thick(style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.draw_rect(upper_left, bottom_right, &self.thick(style), fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.draw_path(path, &self.thick(style))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.draw_circle(center, radius, &self.thick(style), fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.draw_text(text, style, pos)
    }

    /// Width from `measureText` in the font the text is drawn with; height from the font's ascent
    /// plus descent (its line box without leading), or 1.2 em where the browser does not say.
    /// Unrotated, like plotters' own estimate (which answers if `measureText` fails).
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError<B>>> {
        self.context.set_font(&canvas_font(style));
        let Ok(m) = self.context.measure_text(text) else {
            return self.inner.estimate_text_size(text, style);
        };
        let h = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        let h = if h.is_finite() && h > 0.0 { h } else { 1.2 * style.size() };
        Ok((m.width().max(0.0).ceil() as u32, h.ceil() as u32))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError<B>>> {
        self.inner.blit_bitmap(pos, size, src)
    }
}
