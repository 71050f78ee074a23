//! Figure 6, the loss barrier (`src/viz/loss_barrier.rs`), drawn as SVG and read back.

mod common;

use common::*;

use pathscope::viz::loss_barrier::{barrier, draw_loss_barrier, LossBarrierData};
use pathscope::viz::theme::Theme;

#[test]
fn loss_barrier_height_and_annotation() {
    let theme = Theme::default();
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    let test: Vec<f32> =
        t.iter().map(|&t| 19.0 * (1.0 - t) + 25.0 * (std::f32::consts::PI * t).sin() * (1.0 - t) + 1e-3).collect();
    let b = barrier(&t, &REF_TRAIN).unwrap();
    assert!((b.height - (24.4 - 0.0002)).abs() < 1e-3, "{b:?}");
    assert!((b.t_peak - 0.40).abs() < 1e-6, "the first of two equal peaks (docs/reproduction.md: t = 0.40)");
    let bt = barrier(&t, &test).unwrap();
    assert!((bt.endpoint - 19.001).abs() < 1e-3 && bt.height > 0.0);
    for log_y in [false, true] {
        let name = if log_y { "loss_barrier_log" } else { "loss_barrier" };
        let data = LossBarrierData {
            t: &t,
            train_loss: &REF_TRAIN,
            test_loss: &test,
            name_a: "scratch p=4",
            name_b: "curriculum p=2->4",
            log_y,
        };
        let (svg, _) = render(name, (720, 440), |a| draw_loss_barrier(a, &data, &theme).unwrap());
        let tags = parse_svg(&svg);
        assert!(has_text(&tags, "train loss: barrier 24.4 at t = 0.40"), "{:?}", texts(&tags));
        assert!(has_text(&tags, "A = scratch p=4") && has_text(&tags, "B = curriculum p=2->4"));
        assert!(has_text(&tags, "24.4"));
    }
    // No barrier without endpoints, or with mismatched lengths.
    assert!(barrier(&[], &[]).is_none());
    assert!(barrier(&[0.0, 1.0], &[1.0]).is_none());
    assert!(barrier(&[0.0, 0.5, 1.0], &[f32::NAN, 3.0, 1.0]).is_none());
    // Endpoints on a straight line: no barrier.
    assert_eq!(barrier(&[0.0, 0.5, 1.0], &[2.0, 1.5, 1.0]).unwrap().height, 0.0);
}

#[test]
fn loss_barrier_odd_inputs() {
    let theme = Theme::default();
    let t = [0.0f32, 0.5, 1.0];
    let cases: [(&str, LossBarrierData, Option<&str>); 4] = [
        (
            "empty",
            LossBarrierData { t: &[], train_loss: &[], test_loss: &[], name_a: "a", name_b: "b", log_y: false },
            Some("No interpolation"),
        ),
        (
            "mismatch",
            LossBarrierData { t: &t, train_loss: &[1.0], test_loss: &[], name_a: "a", name_b: "b", log_y: true },
            Some("3 values of t"),
        ),
        (
            "nan",
            LossBarrierData {
                t: &t,
                train_loss: &[f32::NAN; 3],
                test_loss: &[],
                name_a: "a",
                name_b: "b",
                log_y: true,
            },
            Some("non-finite"),
        ),
        (
            "zeros_log",
            LossBarrierData {
                t: &t,
                train_loss: &[0.0, 0.0, 0.0],
                test_loss: &[-1.0, 2.0, 0.0],
                name_a: "a",
                name_b: "b",
                log_y: true,
            },
            None,
        ),
    ];
    for (name, data, needle) in cases {
        let (svg, _) =
            render(&format!("loss_barrier_{name}"), (500, 340), |a| draw_loss_barrier(a, &data, &theme).unwrap());
        if let Some(n) = needle {
            assert!(has_text(&parse_svg(&svg), n), "{name}");
        }
    }
}

#[test]
fn loss_barrier_zero_labels_stay_inside_the_plot() {
    // Losses monotone along the line: both barriers are 0, the train one at t = 0 (on the y
    // axis), the test one at t = 1 (the right edge). Their "0" labels go inside the plot.
    let theme = Theme::default();
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    let train: Vec<f32> = t.iter().map(|&t| 2.0 - 1.5 * t).collect();
    let test: Vec<f32> = t.iter().map(|&t| 1.0 + 1.8 * t).collect();
    for log_y in [false, true] {
        let data = LossBarrierData { t: &t, train_loss: &train, test_loss: &test, name_a: "a", name_b: "b", log_y };
        let name = if log_y { "loss_barrier_zero_log" } else { "loss_barrier_zero" };
        let (svg, _) = render(name, (500, 340), |a| draw_loss_barrier(a, &data, &theme).unwrap());
        let tags = parse_svg(&svg);
        assert!(
            has_text(&tags, "train loss: barrier 0 at t = 0.00") && has_text(&tags, "test loss: barrier 0 at t = 1.00")
        );
        // The plot's left and right edges: the x of the t axis' "0" and "1" tick labels (centred
        // on them, unlike the loss axis' labels).
        let t_tick = |label: &str| {
            let x = tags
                .iter()
                .find(|t| t.name == "text" && t.text == label && t.attr("text-anchor") == "middle")
                .map(|t| t.num("x"));
            x.unwrap_or_else(|| panic!("no t tick {label}"))
        };
        let (x0, x1) = (t_tick("0"), t_tick("1"));
        let labels: Vec<&Tag> =
            tags.iter().filter(|t| t.name == "text" && t.attr("font-weight") == "bold" && t.text == "0").collect();
        assert_eq!(labels.len(), 2, "one label per barrier");
        for l in labels {
            // A "0" is at most 0.7 em wide.
            let (x, w) = (l.num("x"), 0.7 * l.num("font-size"));
            let (a, b) = match l.attr("text-anchor") {
                "end" => (x - w, x),
                "middle" => (x - w / 2.0, x + w / 2.0),
                _ => (x, x + w),
            };
            assert!(a > x0 + 2.0 && b < x1 - 2.0, "label at {a}..{b} outside the plot {x0}..{x1}");
        }
    }
}
