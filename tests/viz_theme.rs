//! The charts' theme (`src/viz/theme.rs`): colour scales and markers.

mod common;

use common::*;

use pathscope::viz::theme::{count_color, count_marker, heat_color, hex, interpolate, HEAT_STOPS, VIRIDIS_STOPS};

#[test]
fn scales_hit_their_stops_and_stay_ordered() {
    assert_eq!(heat_color(0.0, 0.5), HEAT_STOPS[0]);
    assert_eq!(heat_color(0.5, 0.5), HEAT_STOPS[8]);
    assert_eq!(heat_color(f64::NAN, 1.0), HEAT_STOPS[0]);
    assert_eq!(heat_color(2.0, 1.0), HEAT_STOPS[8]);
    // Darkness increases with attention: luminance strictly decreases along the scale.
    let l: Vec<f64> = (0..=20).map(|i| lum(&hex(heat_color(i as f64 / 20.0, 1.0)))).collect();
    assert!(l.windows(2).all(|w| w[1] < w[0]), "{l:?}");
    assert_eq!(interpolate(&VIRIDIS_STOPS, 0.0), VIRIDIS_STOPS[0]);
    // Counts 0..15 get 16 distinct colours, and neighbours differ in shape too.
    let cols: std::collections::HashSet<String> = (0..16).map(|s| hex(count_color(s, 15))).collect();
    assert_eq!(cols.len(), 16);
    assert!((0..15).all(|s| count_marker(s) != count_marker(s + 1)));
}
