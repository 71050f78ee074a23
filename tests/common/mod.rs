//! Helpers shared by the test files, one module compiled into each that says `mod common;`.
//!
//! - SVG: render a chart on plotters' `SVGBackend` into a string (also written to
//!   `out/viz/<name>.svg`, gitignored, for a person to look at) and read its marks back
//!   ([`parse_svg`], [`Tag`], and finders by text, stroke or fill colour).
//! - Fake data shaped like the paper's figures, shared by a chart's own tests and the tests that
//!   draw every chart ([`fake_runs`], [`fake_heat`], [`fake_za`], [`fake_paths`], ...).
//! - [`canvas`], in the browser only: a real `<canvas>` and its pixels read back.
// Each test file uses only some of these helpers.
#![allow(dead_code)]

#[cfg(target_arch = "wasm32")]
pub mod canvas;

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use pathscope::viz::curves::RunCurves;
use pathscope::viz::theme::hex;

// ---------------------------------------------------------------------------------------------
// Rendering and reading SVG back
// ---------------------------------------------------------------------------------------------

pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

pub fn render<R>(name: &str, size: (u32, u32), f: impl FnOnce(&Area) -> R) -> (String, R) {
    let mut s = String::new();
    let r;
    {
        let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
        r = f(&root);
        root.present().unwrap();
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out").join("viz");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.svg")), &s);
    (s, r)
}

/// One SVG element: its tag, attributes and (for <text>) its content.
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: HashMap<String, String>,
    pub text: String,
}

impl Tag {
    pub fn attr(&self, k: &str) -> &str {
        self.attrs.get(k).map(String::as_str).unwrap_or("")
    }
    pub fn num(&self, k: &str) -> f64 {
        self.attr(k).parse().unwrap_or(f64::NAN)
    }
    pub fn points(&self) -> Vec<(i32, i32)> {
        self.attr("points")
            .split_whitespace()
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect()
    }
}

pub fn parse_svg(svg: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('/') || rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find('>').unwrap();
        let head = &rest[..end];
        let name: String = head.chars().take_while(|c| c.is_alphanumeric()).collect();
        let mut attrs = HashMap::new();
        let mut h = &head[name.len()..];
        while let Some(eq) = h.find("=\"") {
            let key = h[..eq].trim().to_string();
            let after = &h[eq + 2..];
            let close = after.find('"').unwrap();
            attrs.insert(key, unescape(&after[..close]));
            h = &after[close + 1..];
        }
        let mut text = String::new();
        if name == "text" {
            let body = &rest[end + 1..];
            let stop = body.find("</text>").unwrap_or(0);
            text = unescape(body[..stop].trim());
        }
        out.push(Tag { name, attrs, text });
        rest = &rest[end + 1..];
    }
    out
}

pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

pub fn texts(tags: &[Tag]) -> Vec<&str> {
    tags.iter().filter(|t| t.name == "text").map(|t| t.text.as_str()).collect()
}

pub fn has_text(tags: &[Tag], needle: &str) -> bool {
    texts(tags).iter().any(|t| t.contains(needle))
}

pub fn lines_of(tags: &[Tag], color: RGBColor) -> Vec<&Tag> {
    let c = hex(color);
    tags.iter().filter(|t| t.name == "polyline" && t.attr("stroke") == c).collect()
}

pub fn fills_of<'a>(tags: &'a [Tag], name: &str, color: RGBColor) -> Vec<&'a Tag> {
    let c = hex(color);
    tags.iter().filter(|t| t.name == name && t.attr("fill") == c).collect()
}

/// Relative luminance proxy of "#RRGGBB".
pub fn lum(hexs: &str) -> f64 {
    let v = u32::from_str_radix(hexs.trim_start_matches('#'), 16).unwrap_or(0);
    let (r, g, b) = ((v >> 16) & 255, (v >> 8) & 255, v & 255);
    0.2126 * r as f64 + 0.7152 * g as f64 + 0.0722 * b as f64
}
/// Seeded test data from the crate's own portable stream.
pub struct Mix(pub pathscope::rng::Stream);
impl Mix {
    pub fn new(seed: u64) -> Self {
        Mix(pathscope::rng::Stream::new(seed, pathscope::rng::Purpose::Probe))
    }
    pub fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    pub fn gauss(&mut self) -> f32 {
        self.0.normal()
    }
}

// ---------------------------------------------------------------------------------------------
// Fake data shaped like the figures
// ---------------------------------------------------------------------------------------------

pub const PROBE: [u8; 8] = [1, 0, 0, 1, 0, 0, 0, 0];
/// The reference's final attention for this probe (docs/reproduction.md, figures 2 and 3), with a previous step that differs.
pub const ATTN: [f32; 8] = [0.28, 0.11, 0.10, 0.32, 0.09, 0.04, 0.03, 0.03];
pub const PREV: [f32; 8] = [0.25, 0.12, 0.10, 0.30, 0.10, 0.05, 0.04, 0.04];

/// A fake run: attention starts uniform and moves onto the first k positions, most onto
/// position 3 (index 2).
pub fn fake_heat(rows: usize, cols: usize, k: usize) -> (Vec<f32>, Vec<u64>) {
    let mut a = Vec::new();
    for r in 0..rows {
        let f = r as f32 / rows.max(1) as f32;
        let mut row: Vec<f32> = (0..cols)
            .map(|c| {
                if c == 2 {
                    1.0 + 12.0 * f
                } else if c < k {
                    1.0 + 4.0 * f
                } else {
                    1.0 - 0.9 * f
                }
            })
            .collect();
        let s: f32 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= s);
        a.extend(row);
    }
    (a, (0..rows as u64).map(|r| r * 32).collect())
}

pub struct FakeRun {
    pub epochs: Vec<f32>,
    pub train_acc: Vec<f32>,
    pub test_acc: Vec<f32>,
    pub train_loss: Vec<f32>,
    pub test_loss: Vec<f32>,
}

impl FakeRun {
    pub fn curves<'a>(&'a self, name: &'a str) -> RunCurves<'a> {
        RunCurves {
            name,
            epochs: &self.epochs,
            train_acc: &self.train_acc,
            test_acc: &self.test_acc,
            train_loss: &self.train_loss,
            test_loss: &self.test_loss,
        }
    }
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Shapes like the reference's figure 5 (docs/reproduction.md): scratch memorizes; the curriculum generalizes after the
/// switch, with a loss spike and an exact-zero loss (for the log floor).
pub fn fake_runs() -> (FakeRun, FakeRun) {
    let epochs: Vec<f32> = (0..=10000).step_by(5).map(|e| e as f32).collect();
    let empty = || FakeRun {
        epochs: epochs.clone(),
        train_acc: vec![],
        test_acc: vec![],
        train_loss: vec![],
        test_loss: vec![],
    };
    let (mut s, mut c) = (empty(), empty());
    for &e in &epochs {
        s.train_acc.push(0.25 + 0.75 * sigmoid((e - 1200.0) / 200.0));
        s.test_acc.push(0.25 + 0.01 * (e / 37.0).sin());
        s.train_loss.push(1.4 * (-e / 300.0).exp() + 1e-4);
        s.test_loss.push(1.4 + 17.0 * sigmoid((e - 1500.0) / 400.0));
        if e < 3000.0 {
            c.train_acc.push(0.5 + 0.5 * sigmoid((e - 600.0) / 100.0));
            c.test_acc.push(0.5 + 0.5 * sigmoid((e - 900.0) / 100.0));
            c.train_loss.push(0.7 * (-e / 300.0).exp() + 1e-5);
            c.test_loss.push(0.7 * (-e / 350.0).exp() + 2e-5);
        } else {
            let f = e - 3000.0;
            c.train_acc.push(0.5 + 0.5 * sigmoid((f - 500.0) / 150.0));
            c.test_acc.push(0.5 + 0.5 * sigmoid((f - 1200.0) / 150.0));
            c.train_loss.push(if (e - 6000.0).abs() < 3.0 { 3.0 } else { 5.0 * (-f / 400.0).exp() + 1e-6 });
            c.test_loss.push(if f == 0.0 { 0.0 } else { 6.0 * (-f / 600.0).exp() + 1e-5 });
        }
    }
    (s, c)
}

/// Clusters of z_A on a curve, one per count s = x_1 + .. + x_5, like figure 4.
pub fn fake_za(n: usize, p: u32, k: usize, spread: f32, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let mut g = Mix::new(seed);
    let (mut pts, mut counts) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let s: u32 = (0..k).map(|_| (g.next() % p as u64) as u32).sum();
        let t = s as f32 / (k as f32 * (p - 1) as f32);
        pts.push(-2.0 + 4.0 * t + spread * g.gauss());
        pts.push(1.5 * (3.0 * t).sin() + spread * g.gauss());
        counts.push(s);
    }
    (pts, counts)
}

/// The reference's figure 6, seed 0 (docs/reproduction.md): train loss at t = 0, 0.05, .., 1.
pub const REF_TRAIN: [f32; 21] = [
    0.0002, 2.59, 8.46, 13.7, 17.7, 20.7, 22.8, 23.9, 24.4, 24.4, 23.9, 23.2, 22.4, 21.4, 20.0, 17.8, 14.3, 9.29, 3.30,
    0.158, 0.00002,
];

pub fn fake_paths() -> (Vec<f32>, Vec<f32>) {
    let mut g = Mix::new(7);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..101 {
        let t = i as f32 / 100.0;
        a.push(-10.0 + 20.0 * t + 0.3 * g.gauss());
        a.push(5.0 * (3.0 * t).sin() + 0.3 * g.gauss());
        b.push(-10.0 + 8.0 * t + 0.3 * g.gauss());
        b.push(-5.0 * t + if i >= 30 { -6.0 * (t - 0.3) } else { 0.0 } + 0.3 * g.gauss());
    }
    (a, b)
}
