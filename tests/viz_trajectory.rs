//! Figure 7, the parameter trajectories (`src/viz/trajectory.rs`), drawn as SVG and read back.

mod common;

use common::*;

use pathscope::viz::theme::{run_style, Theme};
use pathscope::viz::trajectory::{draw_trajectory, TrajectoryData, TrajectoryRun};

#[test]
fn trajectory_marks_start_switch_and_end() {
    let theme = Theme::default();
    let (a, b) = fake_paths();
    let runs = [
        TrajectoryRun { name: "scratch p=4", points: &a, switches: &[] },
        TrajectoryRun { name: "curriculum p=2->4", points: &b, switches: &[30] },
    ];
    let data = TrajectoryData { runs: &runs, method_label: "t-SNE of 2 x 101 snapshots (perplexity 30)" };
    let (svg, _) = render("trajectory", (640, 520), |ar| draw_trajectory(ar, &data, &theme).unwrap());
    let tags = parse_svg(&svg);
    for (i, run) in runs.iter().enumerate() {
        let c = run_style(i).test;
        assert_eq!(fills_of(&tags, "circle", c).len(), 1, "run {i}: one start");
        let polys = fills_of(&tags, "polygon", c);
        assert_eq!(polys.iter().filter(|t| t.points().len() == 10).count(), 1, "run {i}: one end star");
        assert_eq!(polys.iter().filter(|t| t.points().len() == 3).count(), run.switches.len(), "run {i}: switches");
        assert!(!lines_of(&tags, c).is_empty());
    }
    assert!(has_text(&tags, "t-SNE of 2 x 101"));

    let bad = [1.0f32, 2.0, 3.0];
    let runs = [TrajectoryRun { name: "odd", points: &bad, switches: &[] }];
    let (svg, _) = render("trajectory_odd", (400, 300), |ar| {
        draw_trajectory(ar, &TrajectoryData { runs: &runs, method_label: "" }, &theme).unwrap()
    });
    assert!(has_text(&parse_svg(&svg), "do not make 2-D points"));
    let nan = [f32::NAN, 1.0, 2.0, f32::INFINITY];
    let runs = [TrajectoryRun { name: "nan", points: &nan, switches: &[7] }];
    let (svg, _) = render("trajectory_nan", (400, 300), |ar| {
        draw_trajectory(ar, &TrajectoryData { runs: &runs, method_label: "" }, &theme).unwrap()
    });
    assert!(has_text(&parse_svg(&svg), "No parameter snapshots"));
    let (svg, _) = render("trajectory_empty", (400, 300), |ar| {
        draw_trajectory(ar, &TrajectoryData { runs: &[], method_label: "" }, &theme).unwrap()
    });
    assert!(has_text(&parse_svg(&svg), "No parameter snapshots"));
}
