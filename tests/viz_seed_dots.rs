//! Seed statistics, the dot plot of every seed's final test accuracy (`src/viz/seed_dots.rs`),
//! drawn as SVG and read back.

mod common;

use common::*;

use pathscope::sweep::wilson;
use pathscope::viz::seed_dots::{draw_seed_dots, spread, SeedDotsData, SeedGroup};
use pathscope::viz::theme::{run_style, Theme};

#[test]
fn one_dot_per_seed_filled_when_it_succeeded_and_at_its_accuracy() {
    let theme = Theme::default();
    let curriculum = [1.0f32, 0.99, 0.49, 1.0, 0.25];
    let scratch = [0.25f32, 0.26, 0.24, 0.999, 0.25];
    let interval = |k| (wilson(k, 5).low, wilson(k, 5).high);
    let groups = [
        SeedGroup { name: "curriculum", values: &curriculum, interval: interval(3) },
        SeedGroup { name: "scratch", values: &scratch, interval: interval(1) },
    ];
    let data = SeedDotsData { groups: &groups, threshold: 0.95, chance: 0.25, caption: "5 seeds", selected: None };
    let (svg, dots) = render("seed_dots", (640, 420), |ar| draw_seed_dots(ar, &data, &theme).unwrap());
    let tags = parse_svg(&svg);

    assert_eq!(dots.len(), 10, "one dot per run");
    for (gi, g) in groups.iter().enumerate() {
        let color = run_style(gi).test;
        let filled = fills_of(&tags, "circle", color);
        let wins = g.values.iter().filter(|&&v| v > 0.95).count();
        assert_eq!(filled.len(), wins, "{}: a filled dot per success", g.name);
        // Every dot of the geometry is a circle of its colour at that place (filled or outlined).
        let circles: Vec<&Tag> = tags
            .iter()
            .filter(|t| t.name == "circle" && (t.attr("fill") == hex_of(color) || t.attr("stroke") == hex_of(color)))
            .collect();
        for d in dots.iter().filter(|d| d.group == gi) {
            assert!(
                circles.iter().any(|c| (c.num("cx") as i32 - d.x).abs() <= 1 && (c.num("cy") as i32 - d.y).abs() <= 1),
                "{} run {}: a circle at ({}, {})",
                g.name,
                d.index,
                d.x,
                d.y
            );
            assert_eq!(d.success, g.values[d.index] > 0.95);
        }
    }
    // Higher accuracy is higher on the chart; equal accuracies sit side by side, not on each other.
    let at = |g: usize, i: usize| dots.iter().find(|d| d.group == g && d.index == i).unwrap();
    assert!(at(0, 0).y < at(0, 2).y && at(0, 2).y < at(0, 4).y);
    assert_eq!(at(0, 0).y, at(0, 3).y);
    assert!((at(0, 0).x - at(0, 3).x).abs() > 2 * at(0, 0).r, "two seeds at 1.0 do not overlap");
    // The curriculum's column is left of the scratch column.
    assert!(dots.iter().filter(|d| d.group == 0).all(|d| dots.iter().filter(|e| e.group == 1).all(|e| d.x < e.x)));
    // Each column says its rate and the Wilson interval (3 of 5: 23% to 88%; 1 of 5: 4% to 62%).
    assert!(has_text(&tags, "3 of 5 succeeded"));
    assert!(has_text(&tags, "95%: 23% to 88%"));
    assert!(has_text(&tags, "1 of 5 succeeded"));
    assert!(has_text(&tags, "95%: 4% to 62%"));
    assert!(has_text(&tags, "success > 0.95"));
    assert!(has_text(&tags, "chance 0.25"));
}

#[test]
fn empty_and_diverged_runs() {
    let theme = Theme::default();
    let data = SeedDotsData { groups: &[], threshold: 0.95, chance: f64::NAN, caption: "", selected: None };
    let (svg, dots) = render("seed_dots_empty", (400, 300), |ar| draw_seed_dots(ar, &data, &theme).unwrap());
    assert!(dots.is_empty());
    assert!(has_text(&parse_svg(&svg), "No finished run yet"));

    // A diverged run (NaN) is a cross on the 0 line, counted as a failure.
    let values = [f32::NAN, 1.0];
    let groups = [SeedGroup { name: "curriculum", values: &values, interval: (0.09, 0.91) }];
    let data = SeedDotsData { groups: &groups, threshold: 0.95, chance: f64::NAN, caption: "", selected: Some((0, 1)) };
    let (svg, dots) = render("seed_dots_nan", (400, 300), |ar| draw_seed_dots(ar, &data, &theme).unwrap());
    assert_eq!(dots.len(), 2);
    assert!(!dots[0].success && dots[1].success);
    assert!(dots[0].y > dots[1].y);
    assert!(has_text(&parse_svg(&svg), "1 of 2 succeeded"));
}

#[test]
fn spread_keeps_dots_apart_and_in_their_column() {
    // Five dots at one height: slots 0, +1, -1, +2, -2 of a 13-pixel step (radius 6).
    let dx = spread(&[100; 5], 6, 100);
    let mut sorted = dx.clone();
    sorted.sort();
    assert_eq!(sorted, vec![-26, -13, 0, 13, 26]);
    // Dots a diameter apart in height need no offset.
    assert_eq!(spread(&[100, 113, 126], 6, 100), vec![0, 0, 0]);
    // Too many for the column: the step shrinks so the outermost stays within it.
    let dx = spread(&[50; 41], 6, 60);
    assert!(dx.iter().all(|&d| d.abs() <= 60 - 6), "{dx:?}");
}

fn hex_of(c: plotters::style::RGBColor) -> String {
    pathscope::viz::theme::hex(c)
}
