//! Browser helpers: a real `<canvas>` made through web-sys, and its pixels read back with
//! `getImageData`, so a test asserts on what the browser drew, not on a call returning `Ok`.

use plotters::style::RGBColor;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A fresh off-screen `<canvas>` of `width` x `height` CSS pixels, created through web-sys.
pub fn new_canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let document = web_sys::window().expect("a window").document().expect("a document");
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .expect("create <canvas>")
        .dyn_into()
        .expect("<canvas> is an HtmlCanvasElement");
    canvas.set_width(width);
    canvas.set_height(height);
    canvas
}

/// An opaque colour as the canvas stores it: `[r, g, b, 255]`.
pub fn rgba(colour: RGBColor) -> [u8; 4] {
    [colour.0, colour.1, colour.2, 255]
}

/// A colour to look for among the pixels: plotters' `RGBColor` (opaque) or raw RGBA bytes.
pub trait Colour {
    fn to_rgba(&self) -> [u8; 4];
}

impl Colour for RGBColor {
    fn to_rgba(&self) -> [u8; 4] {
        rgba(*self)
    }
}

impl Colour for [u8; 4] {
    fn to_rgba(&self) -> [u8; 4] {
        *self
    }
}

/// The canvas's pixels as read back by `getImageData`: RGBA rows, top to bottom.
pub struct Pixels {
    pub width: i32,
    pub height: i32,
    pub rgba: Vec<u8>,
}

impl Pixels {
    pub fn read(canvas: &HtmlCanvasElement) -> Pixels {
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .expect("getContext")
            .expect("a 2d context")
            .dyn_into()
            .expect("a CanvasRenderingContext2d");
        let (width, height) = (canvas.width(), canvas.height());
        let image = context.get_image_data(0.0, 0.0, width as f64, height as f64).expect("getImageData");
        Pixels { width: width as i32, height: height as i32, rgba: image.data().0 }
    }

    pub fn at(&self, x: i32, y: i32) -> [u8; 4] {
        assert!(
            (0..self.width).contains(&x) && (0..self.height).contains(&y),
            "pixel ({x}, {y}) is outside the {}x{} canvas",
            self.width,
            self.height
        );
        let i = 4 * (y as usize * self.width as usize + x as usize);
        self.rgba[i..i + 4].try_into().unwrap()
    }

    /// Every pixel with x in `xs` and y in `ys` (inclusive bounds).
    pub fn region(&self, xs: (i32, i32), ys: (i32, i32)) -> impl Iterator<Item = ((i32, i32), [u8; 4])> + '_ {
        (ys.0..=ys.1).flat_map(move |y| (xs.0..=xs.1).map(move |x| ((x, y), self.at(x, y))))
    }

    /// Pixels of exactly this colour on the whole canvas.
    pub fn count(&self, colour: impl Colour) -> usize {
        let want = colour.to_rgba();
        self.rgba.chunks_exact(4).filter(|p| *p == want).count()
    }

    /// Pixels of exactly this colour within `r` pixels of (x, y) (a square, clipped to the canvas).
    pub fn count_near(&self, colour: impl Colour, (x, y): (i32, i32), r: i32) -> usize {
        let want = colour.to_rgba();
        let mut n = 0;
        for yy in (y - r).max(0)..=(y + r).min(self.height - 1) {
            for xx in (x - r).max(0)..=(x + r).min(self.width - 1) {
                n += (self.at(xx, yy) == want) as usize;
            }
        }
        n
    }
}
