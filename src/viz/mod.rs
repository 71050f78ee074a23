//! Charts, one per file, generic over the plotters backend.
//!
//! Every chart is a `draw_*` function taking a `&DrawingArea<DB, Shift>`, a plain data struct
//! (slices and numbers, nothing from the model) and a [`Theme`]. The same function draws on a
//! browser canvas (plotters-canvas, from `src/wasm/charts.rs`) and on `SVGBackend` in native tests.
//! Charts never panic on odd input: empty, non-finite or inconsistent data draws a message in the
//! panel saying what is missing.
//!
//! | chart | paper figure |
//! |---|---|
//! | [`attention_graph`] | 2: tokens joined to the output, edge width = attention |
//! | [`attention_heatmap`] | 3: attention per position over training |
//! | [`za_scatter`] | 4: attention outputs z_A coloured by x_1 + .. + x_k |
//! | [`curves`] | 5: accuracy and loss against epochs, phase switch marked |
//! | [`loss_barrier`] | 6: loss along the segment between two solutions |
//! | [`trajectory`] | 7: embedded parameter trajectories |
//! | [`seed_dots`] | 5, over seeds: final test accuracy of every seed, success rates |

pub mod attention_graph;
pub mod attention_heatmap;
pub mod common;
pub mod curves;
pub mod loss_barrier;
pub mod seed_dots;
pub mod theme;
pub mod trajectory;
pub mod za_scatter;

pub use attention_graph::{draw_attention_graph, AttentionGraphData, EdgeChange, GraphGeometry};
pub use attention_heatmap::{draw_attention_heatmap, row_at_pixel, AttentionHeatmapData, HeatmapGeometry};
pub use curves::{draw_curves, CurvesData, PhaseSwitch, RunCurves};
pub use loss_barrier::{barrier, draw_loss_barrier, Barrier, LossBarrierData};
pub use seed_dots::{draw_seed_dots, DotGeometry, SeedDotsData, SeedGroup};
pub use theme::Theme;
pub use trajectory::{draw_trajectory, TrajectoryData, TrajectoryRun};
pub use za_scatter::{draw_za_scatter, ZaAxes, ZaScatterData};
