//! The page's seed statistics (`www/seeds.js`): the dot plot of every seed's final test accuracy,
//! the success rate with its interval, and a results file read into the plot's groups. The rates
//! are the core's ([`crate::sweep::wilson`], [`crate::sweep::GENERALIZED`]), as in
//! `pathscope sweep collect`, so the page and the command line count alike.

use std::collections::BTreeMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::charts::{elements, f32_field, failed, field};
use super::to_js;
use crate::sweep::{group_key, parse_results, wilson, GENERALIZED};
use crate::viz::{draw_seed_dots as viz_seed_dots, SeedDotsData, SeedGroup};

/// Final test accuracy above which a run counts as a success (0.95, as in the results files).
#[wasm_bindgen(js_name = seedThreshold)]
pub fn seed_threshold() -> f64 {
    // As written (0.95), not the f32's widened value (0.949999988..): a run's accuracy, an f32,
    // compares alike with either.
    GENERALIZED.to_string().parse().unwrap_or(f64::NAN)
}

/// `k` successes of `n` runs with the 95% Wilson interval: `{ k, n, low, high }`.
#[wasm_bindgen(js_name = wilsonInterval)]
pub fn wilson_interval(k: usize, n: usize) -> JsValue {
    to_js(&wilson(k, n))
}

/// The seed dot plot. `groups` is an array of `{ name, values }` (`values`: each run's final test
/// accuracy, a Float32Array or an array; NaN for a run that diverged); `chance` is drawn dotted
/// (NaN: none); `selected_group` / `selected_index` ring one dot (negative: none). Returns where
/// every dot is, `[{ group, index, x, y, r, success }]` in CSS pixels, for hit-testing.
#[wasm_bindgen(js_name = drawSeedDots)]
pub fn draw_seed_dots(
    canvas: &HtmlCanvasElement,
    scale: f64,
    groups: &JsValue,
    chance: f64,
    caption: &str,
    selected_group: i32,
    selected_index: i32,
) -> Result<JsValue, JsError> {
    let read: Vec<(String, Vec<f32>)> = elements(groups, "seed groups")?
        .iter()
        .map(|g| (field(g, "name").as_string().unwrap_or_default(), f32_field(g, "values")))
        .collect();
    let threshold = seed_threshold();
    let groups: Vec<SeedGroup> = read
        .iter()
        .map(|(name, values)| {
            let k = values.iter().filter(|&&v| v as f64 > threshold).count();
            let rate = wilson(k, values.len());
            SeedGroup { name, values, interval: (rate.low, rate.high) }
        })
        .collect();
    let selected =
        (selected_group >= 0 && selected_index >= 0).then_some((selected_group as usize, selected_index as usize));
    let data = SeedDotsData { groups: &groups, threshold, chance, caption, selected };
    let dots = super::charts::draw_into!(canvas, scale, "seed dots", |area, theme| {
        viz_seed_dots(&area, &data, &theme).map_err(failed("seed dots"))?
    });
    Ok(to_js(&dots))
}

/// The runs of one group of a results file, in the file's order.
#[derive(Serialize, Default)]
struct FileGroup {
    source: String,
    sweep: String,
    arm: String,
    setting: String,
    seeds: Vec<u64>,
    test_acc: Vec<f32>,
    train_acc: Vec<f32>,
    status: Vec<String>,
    /// Each run's config, as JSON text (to open it in the playground).
    configs: Vec<String>,
}

/// A results file (`docs/results-format.md`) read for the dot plot: `{ groups: [{ source, sweep,
/// arm, setting, seeds, test_acc, train_acc, status, configs }], lines, errors }`, grouped as
/// `pathscope sweep collect` groups them (source, sweep, arm, setting); `errors` names each line
/// that could not be read and why.
#[wasm_bindgen(js_name = readResults)]
pub fn read_results(text: &str) -> JsValue {
    #[derive(Serialize)]
    struct Out {
        groups: Vec<FileGroup>,
        lines: usize,
        errors: Vec<String>,
    }
    let (lines, errors) = parse_results(text);
    let mut groups: BTreeMap<(String, String, String, String), FileGroup> = BTreeMap::new();
    for l in &lines {
        let key = group_key(l);
        let g = groups.entry(key.clone()).or_insert_with(|| FileGroup {
            source: key.0,
            sweep: key.1,
            arm: key.2,
            setting: key.3,
            ..FileGroup::default()
        });
        g.seeds.push(l.seed);
        g.test_acc.push(l.final_.test_acc);
        g.train_acc.push(l.final_.train_acc);
        g.status.push(l.status.clone());
        g.configs.push(l.config.to_json());
    }
    to_js(&Out { groups: groups.into_values().collect(), lines: lines.len(), errors })
}
