//! Every chart of `src/viz/` at the edges of its drawing area: on tiny canvases (an error is
//! allowed, a panic is not) and at phone width with the compact theme.

mod common;

use common::*;

use plotters::prelude::*;

use pathscope::viz::attention_graph::{draw_attention_graph, AttentionGraphData};
use pathscope::viz::attention_heatmap::{draw_attention_heatmap, AttentionHeatmapData};
use pathscope::viz::curves::{draw_curves, Chance, CurvesData, PhaseSwitch};
use pathscope::viz::loss_barrier::{draw_loss_barrier, LossBarrierData};
use pathscope::viz::theme::Theme;
use pathscope::viz::trajectory::{draw_trajectory, TrajectoryData, TrajectoryRun};
use pathscope::viz::za_scatter::{draw_za_scatter, ZaAxes, ZaScatterData};

// ---------------------------------------------------------------------------------------------
// Every chart on tiny canvases: an error is allowed, a panic is not.
// ---------------------------------------------------------------------------------------------

#[test]
fn charts_do_not_panic_on_tiny_canvases() {
    let theme = Theme::default();
    let (heat, steps) = fake_heat(50, 8, 5);
    let (s, c) = fake_runs();
    let runs = [s.curves("a"), c.curves("b")];
    let (pts, counts) = fake_za(100, 2, 5, 0.05, 3);
    let (pa, pb) = fake_paths();
    let truns = [
        TrajectoryRun { name: "a", points: &pa, switches: &[3] },
        TrajectoryRun { name: "b", points: &pb, switches: &[] },
    ];
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    for size in [(1, 1), (30, 20), (120, 80)] {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let _ = draw_attention_graph(
            &root,
            &AttentionGraphData { tokens: &PROBE, attn: &ATTN, prev_attn: Some(&PREV), k: 5, step_label: "s" },
            &theme,
        );
        let _ = draw_attention_heatmap(
            &root,
            &AttentionHeatmapData {
                groups: 1,
                attn: &heat,
                cols: 8,
                steps: &steps,
                k: 5,
                highlight: Some(3),
                vmax: None,
            },
            &theme,
        );
        let _ = draw_curves(
            &root,
            &CurvesData {
                runs: &runs,
                switches: &[PhaseSwitch { epoch: 3000.0, label: "x" }],
                chance: &[Chance::everywhere(0.25)],
            },
            &theme,
        );
        let _ = draw_za_scatter(
            &root,
            &ZaScatterData { points: &pts, counts: &counts, max_count: 5, projection_label: "p", axes: ZaAxes::Pca },
            &theme,
        );
        let _ = draw_loss_barrier(
            &root,
            &LossBarrierData { t: &t, train_loss: &REF_TRAIN, test_loss: &[], name_a: "a", name_b: "b", log_y: true },
            &theme,
        );
        let _ = draw_trajectory(&root, &TrajectoryData { runs: &truns, method_label: "m" }, &theme);
    }
}

// ---------------------------------------------------------------------------------------------
// Phone width: every chart at 375 CSS pixels with the compact theme (rendered for looking at;
// the assertion is only that nothing fails).
// ---------------------------------------------------------------------------------------------

#[test]
fn charts_render_at_phone_width() {
    // plotters' SVG writes font-size = size / 1.24 while the canvas backend uses the size itself:
    // the second pass scales the fonts up so the SVG shows the text as large as a canvas would.
    let compact = Theme::compact();
    let as_canvas = Theme {
        title_size: compact.title_size * 1.24,
        label_size: compact.label_size * 1.24,
        tick_size: compact.tick_size * 1.24,
        note_size: compact.note_size * 1.24,
        ..compact.clone()
    };
    for (suffix, theme) in [("", compact), ("_canvas_fonts", as_canvas)] {
        phone_pass(suffix, &theme);
    }
}

fn phone_pass(suffix: &str, theme: &Theme) {
    let theme = theme.clone();
    let tokens: Vec<u8> = (0..12).map(|i| (i * 7 % 4) as u8).collect();
    let attn: Vec<f32> = (0..12).map(|i| if i < 5 { 0.17 } else { 0.15 / 7.0 }).collect();
    let prev: Vec<f32> = (0..12).map(|_| 1.0 / 12.0).collect();
    render(&format!("phone_attention_graph{suffix}"), (375, 320), |a| {
        draw_attention_graph(
            a,
            &AttentionGraphData {
                tokens: &tokens,
                attn: &attn,
                prev_attn: Some(&prev),
                k: 5,
                step_label: "epoch 40, step 2560",
            },
            &theme,
        )
        .unwrap()
    });
    let (heat, steps) = fake_heat(600, 12, 5);
    render(&format!("phone_attention_heatmap{suffix}"), (375, 360), |a| {
        draw_attention_heatmap(
            a,
            &AttentionHeatmapData {
                groups: 1,
                attn: &heat,
                cols: 12,
                steps: &steps,
                k: 5,
                highlight: Some(200),
                vmax: None,
            },
            &theme,
        )
        .unwrap()
    });
    let (s, _) = fake_runs();
    let runs = [s.curves("scratch p=4")];
    render(&format!("phone_curves_one_run{suffix}"), (375, 560), |a| {
        draw_curves(a, &CurvesData { runs: &runs, switches: &[], chance: &[Chance::everywhere(0.25)] }, &theme).unwrap()
    });
    let (pts, counts) = fake_za(2048, 4, 5, 0.06, 2);
    render(&format!("phone_za_scatter{suffix}"), (375, 420), |a| {
        draw_za_scatter(
            a,
            &ZaScatterData {
                points: &pts,
                counts: &counts,
                max_count: 15,
                projection_label: "PCA of z_A (d = 32): PC1 41%, PC2 12%",
                axes: ZaAxes::Pca,
            },
            &theme,
        )
        .unwrap()
    });
    let t: Vec<f32> = (0..21).map(|i| i as f32 / 20.0).collect();
    render(&format!("phone_loss_barrier{suffix}"), (375, 360), |a| {
        draw_loss_barrier(
            a,
            &LossBarrierData {
                t: &t,
                train_loss: &REF_TRAIN,
                test_loss: &[],
                name_a: "scratch p=4",
                name_b: "curriculum p=2->4",
                log_y: false,
            },
            &theme,
        )
        .unwrap()
    });
    let (pa, pb) = fake_paths();
    let truns = [
        TrajectoryRun { name: "scratch p=4", points: &pa, switches: &[] },
        TrajectoryRun { name: "curriculum p=2->4", points: &pb, switches: &[30] },
    ];
    render(&format!("phone_trajectory{suffix}"), (375, 420), |a| {
        draw_trajectory(
            a,
            &TrajectoryData { runs: &truns, method_label: "PCA of the parameters: PC1 60%, PC2 15%" },
            &theme,
        )
        .unwrap()
    });
}
