//! Figure 5, the accuracy and loss curves (`src/viz/curves.rs`), drawn as SVG and read back.

mod common;

use common::*;

use plotters::prelude::*;

use pathscope::viz::curves::{draw_curves, thin, Chance, CurvesData, PhaseSwitch, RunCurves};
use pathscope::viz::theme::{hex, run_style, Theme, CHANCE_LINE, PHASE_SWITCH};

/// x of the tick labels with this text, left to right.
fn tick_x(tags: &[Tag], label: &str) -> Vec<f64> {
    let mut v: Vec<f64> = tags.iter().filter(|t| t.name == "text" && t.text == label).map(|t| t.num("x")).collect();
    v.sort_by(f64::total_cmp);
    v
}

#[test]
fn curves_mark_the_switch_and_draw_every_series() {
    let (s, c) = fake_runs();
    let runs = [s.curves("scratch p=4"), c.curves("curriculum p=2->4")];
    let switches = [PhaseSwitch { epoch: 3000.0, label: "p = 2 -> 4" }];
    let data = CurvesData { runs: &runs, switches: &switches, chance: &[Chance::everywhere(0.25)] };
    let (svg, _) = render("curves_wide", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    render("curves_narrow", (375, 640), |a| draw_curves(a, &data, &Theme::compact()).unwrap());
    let tags = parse_svg(&svg);

    // The switch: dashed vertical pieces at one x per panel, half-way between the 2000 and 4000
    // ticks of that panel.
    let mut xs: Vec<i32> = lines_of(&tags, PHASE_SWITCH)
        .iter()
        .filter_map(|t| {
            let p = t.points();
            (p.len() == 2 && p[0].0 == p[1].0).then_some(p[0].0)
        })
        .collect();
    let pieces = xs.len();
    xs.sort();
    xs.dedup();
    assert_eq!(xs.len(), 2, "one switch line per panel: {xs:?}");
    assert!(pieces >= 6, "dashed: several pieces per line");
    let (t2, t4) = (tick_x(&tags, "2000"), tick_x(&tags, "4000"));
    assert_eq!((t2.len(), t4.len()), (2, 2));
    for p in 0..2 {
        let mid = (t2[p] + t4[p]) / 2.0;
        assert!((xs[p] as f64 - mid).abs() <= 2.0, "switch at {} vs {mid}", xs[p]);
    }
    assert!(has_text(&tags, "p = 2 -> 4"));

    // Each run's train and test lines are there, in their colours, in both panels.
    for run in 0..2 {
        let st = run_style(run);
        for color in [st.train, st.test] {
            assert!(lines_of(&tags, color).len() >= 2, "run {run} colour {}", hex(color));
        }
    }
    // Runs differ by line style: run 2 is dashed (many pieces), run 1 solid (one path per panel
    // and series, plus legend samples).
    assert!(lines_of(&tags, run_style(1).test).len() > 20);
    assert!(lines_of(&tags, run_style(0).test).len() <= 4);
    // Zero loss went to the floor, and the chart says so; the chance line is labelled.
    assert!(has_text(&tags, "drawn at 1e-7"));
    assert!(has_text(&tags, "chance 0.25"));
    assert!(has_text(&tags, "scratch p=4 test") && has_text(&tags, "curriculum p=2->4 train"));
}

#[test]
fn curves_survive_odd_series() {
    let theme = Theme::default();
    let one = [1.0f32];
    let half = [0.5f32];
    let nan = [f32::NAN, 1.0, f32::INFINITY, -2.0];
    let e4 = [0.0f32, 1.0, 2.0, 3.0];
    let acc4 = [0.1f32, f32::NAN, 0.3, 0.4];
    let cases: Vec<(&str, Vec<RunCurves>, Option<&str>)> = vec![
        ("none", vec![], Some("No curves yet")),
        ("empty", vec![RunCurves { name: "a", ..Default::default() }], Some("No curves yet")),
        (
            "one_point",
            vec![RunCurves {
                name: "a",
                epochs: &one,
                train_acc: &half,
                test_acc: &half,
                train_loss: &half,
                test_loss: &half,
            }],
            None,
        ),
        (
            "nan",
            vec![RunCurves {
                name: "a",
                epochs: &e4,
                train_acc: &acc4,
                test_acc: &acc4,
                train_loss: &nan,
                test_loss: &nan,
            }],
            Some("non-finite"),
        ),
        (
            "mismatch",
            vec![RunCurves { name: "a", epochs: &e4, train_acc: &one, ..Default::default() }],
            Some("1 values for 4 epochs"),
        ),
    ];
    for (name, runs, needle) in cases {
        let sw = [PhaseSwitch { epoch: f32::NAN, label: "bad" }, PhaseSwitch { epoch: 2.0, label: "" }];
        let data = CurvesData { runs: &runs, switches: &sw, chance: &[Chance::everywhere(f32::NAN)] };
        let (svg, _) = render(&format!("curves_{name}"), (700, 400), |a| draw_curves(a, &data, &theme).unwrap());
        let tags = parse_svg(&svg);
        if let Some(n) = needle {
            assert!(has_text(&tags, n), "{name}: {:?}", texts(&tags));
        }
        if name == "one_point" {
            // A lone point still shows, as a marker.
            assert!(!fills_of(&tags, "circle", run_style(0).test).is_empty());
        }
    }
}

/// The data lines (not the two-point legend samples) of a colour, each as its points.
fn data_lines(tags: &[Tag], color: RGBColor) -> Vec<Vec<(i32, i32)>> {
    lines_of(tags, color).iter().map(|t| t.points()).filter(|p| p.len() > 2).collect()
}

#[test]
fn curves_join_unevaluated_epochs_and_end_at_the_last_evaluation() {
    // As the trainer records them: train every epoch, test every 5th epoch with NaN between (loss
    // and accuracy both), and the latest 3 epochs not evaluated yet.
    let epochs: Vec<f32> = (0..=43).map(|e| e as f32).collect();
    let eval = |e: f32, v: f32| if e as usize % 5 == 0 { v } else { f32::NAN };
    let run = FakeRun {
        train_acc: epochs.iter().map(|&e| e / 43.0).collect(),
        test_acc: epochs.iter().map(|&e| eval(e, 0.5 * e / 43.0)).collect(),
        train_loss: epochs.iter().map(|&e| 2.0 / (e + 1.0)).collect(),
        test_loss: epochs.iter().map(|&e| eval(e, 3.0 / (e + 1.0))).collect(),
        epochs,
    };
    let runs = [run.curves("every 5")];
    let data = CurvesData { runs: &runs, switches: &[], chance: &[] };
    let (svg, _) = render("curves_eval_every", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    let tags = parse_svg(&svg);
    let st = run_style(0);
    // One unbroken test line per panel through the 9 evaluations (epochs 0, 5, .., 40), evenly
    // spaced in x: nothing drawn between two evaluations but the segment joining them.
    let test = data_lines(&tags, st.test);
    assert_eq!(test.len(), 2, "one test line per panel, not broken at the NaNs: {test:?}");
    let train = data_lines(&tags, st.train);
    assert_eq!(train.len(), 2, "one train line per panel");
    for (t, tr) in test.iter().zip(&train) {
        assert_eq!(t.len(), 9, "the evaluated epochs only: {t:?}");
        let dx: Vec<i32> = t.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(dx.iter().all(|d| (d - dx[0]).abs() <= 1), "evenly spaced: {dx:?}");
        assert_eq!(tr.len(), 44, "train: every epoch");
        assert_eq!(t[0].0, tr[0].0, "both start at epoch 0");
        // The test line ends at epoch 40, the train line at 43.
        let per_epoch = (tr[43].0 - tr[0].0) as f64 / 43.0;
        assert!(((tr[43].0 - t[8].0) as f64 - 3.0 * per_epoch).abs() <= 1.5, "test ends 3 epochs before train");
    }
    // Not evaluated is not news: no note about non-finite values.
    assert!(!has_text(&tags, "finite"), "{:?}", texts(&tags));
}

#[test]
fn curves_count_measured_non_finite_values_and_name_where_a_run_stops() {
    // The train loss is infinite at epoch 7 (a measured value off every scale) and NaN from epoch
    // 15 on while the accuracy beside it is still measured: the run diverged there.
    let epochs: Vec<f32> = (0..=20).map(|e| e as f32).collect();
    let run = FakeRun {
        train_acc: vec![0.25; 21],
        test_acc: vec![],
        train_loss: epochs
            .iter()
            .map(|&e| {
                if e == 7.0 {
                    f32::INFINITY
                } else if e >= 15.0 {
                    f32::NAN
                } else {
                    1.0 / (e + 1.0)
                }
            })
            .collect(),
        test_loss: vec![],
        epochs,
    };
    let runs = [run.curves("diverging")];
    let data = CurvesData { runs: &runs, switches: &[], chance: &[] };
    let (svg, _) = render("curves_diverged", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    let tags = parse_svg(&svg);
    assert!(has_text(&tags, "1 non-finite values not drawn (lines join across them)"), "{:?}", texts(&tags));
    assert!(has_text(&tags, "\"diverging\": not finite from epoch 15 on"), "{:?}", texts(&tags));
    let mut lines = data_lines(&tags, run_style(0).train);
    lines.sort_by_key(|l| l.len());
    assert_eq!(lines.len(), 2, "accuracy and loss, each one line: {lines:?}");
    assert_eq!(lines[0].len(), 14, "loss: epochs 0 to 14 but 7, joined across 7");
    assert_eq!(lines[1].len(), 21, "accuracy: every epoch");
}

#[test]
fn thinning_keeps_extremes_in_order() {
    let pts: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, if i == 501 { 100.0 } else { (i % 7) as f64 })).collect();
    let t = thin(&pts, 0.0, 50.0);
    assert!(t.len() < 100);
    assert!(t.contains(&(501.0, 100.0)), "the spike survives");
    assert!(t.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(t.first(), pts.first());
    assert_eq!(t.last(), pts.last());
}

#[test]
fn chance_follows_the_phase_being_tested() {
    // A curriculum tested on p = 2 for 3,000 epochs (chance 0.5), then on p = 4 (chance 0.25):
    // each level is drawn over its own epochs, not one level over the whole run.
    let (s, c) = fake_runs();
    let runs = [c.curves("curriculum")];
    let chance = [Chance { from: 0.0, to: 3000.0, value: 0.5 }, Chance { from: 3000.0, to: 10000.0, value: 0.25 }];
    let data =
        CurvesData { runs: &runs, switches: &[PhaseSwitch { epoch: 3000.0, label: "p = 2 -> 4" }], chance: &chance };
    let (svg, _) = render("curves_chance_by_phase", (1000, 440), |a| draw_curves(a, &data, &Theme::default()).unwrap());
    let tags = parse_svg(&svg);
    assert!(has_text(&tags, "chance 0.50") && has_text(&tags, "chance 0.25"));
    let (t2, t4) = (tick_x(&tags, "2000"), tick_x(&tags, "4000"));
    let switch_x = (t2[0] + t4[0]) / 2.0;
    // The dotted pieces of the 0.5 line all lie left of the switch, those of 0.25 right of it.
    let dotted: Vec<Vec<(i32, i32)>> =
        lines_of(&tags, CHANCE_LINE).iter().map(|t| t.points()).filter(|p| p.len() == 2).collect();
    let ys: std::collections::BTreeSet<i32> = dotted.iter().map(|p| p[0].1).collect();
    assert!(ys.len() >= 2, "two levels: {ys:?}");
    let (high, low) = (*ys.iter().next().unwrap(), *ys.iter().last().unwrap());
    let in_plot = |p: &Vec<(i32, i32)>| p[0].0 as f64 <= t4[0] + 400.0; // the accuracy panel (left)
    assert!(dotted.iter().filter(|p| p[0].1 == high && in_plot(p)).all(|p| p[1].0 as f64 <= switch_x + 2.0));
    assert!(dotted.iter().filter(|p| p[0].1 == low && in_plot(p)).any(|p| p[0].0 as f64 >= switch_x - 2.0));
    let _ = s;
}
