//! Browser tests of the page's facade (`src/wasm/`): the training session as JavaScript sees it
//! (views of wasm memory, errors as JS errors, bit-exact reset) and every chart drawn on a real
//! `<canvas>` through plotters-canvas, checked by the colours of its pixels. Run by
//! `wasm-pack test --headless --firefox` and `--chrome` (`make test`).
#![cfg(target_arch = "wasm32")]

mod common;

use common::canvas::{new_canvas, rgba, Pixels};
use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array, WebAssembly};
use pathscope::config::Config;
use pathscope::viz::theme::{
    count_color, heat_color, run_style, BARRIER_TEST, BARRIER_TRAIN, EDGE_GREW, EDGE_SHRANK, EDGE_UNCHANGED,
    HEATMAP_HIGHLIGHT, HEATMAP_K_LINE, PHASE_SWITCH,
};
use pathscope::wasm::canvas::MeasuredCanvas;
use pathscope::wasm::charts::{
    draw_attention_graph, draw_attention_heatmap, draw_curves, draw_loss_barrier, draw_trajectory, draw_za_scatter,
    heatmap_row_at,
};
use pathscope::wasm::{check_config, metric_columns, scratch_twin, Session};
use plotters::prelude::{DrawingBackend, FontDesc, FontFamily, FontStyle, TextStyle};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ==== Helpers ====================================================================================

/// A small, fast run: the quick preset cut down to n = 64 sequences, d = 8.
fn small_config() -> Config {
    let mut c = Config::preset("quick").unwrap();
    c.data.n = 64;
    c.model.dim = 8;
    c.model.hidden = 16;
    c.schedule.batch_size = 16;
    c
}

fn json(c: &Config) -> String {
    serde_json::to_string(c).unwrap()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}
fn num(obj: &JsValue, key: &str) -> f64 {
    get(obj, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

/// The message of a JsError, as JavaScript would read `error.message`.
fn js_message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    v.dyn_into::<js_sys::Error>().expect("a JS Error").message().into()
}

/// The buffer `path` of `session.buffers()` (e.g. `["metrics", "epoch"]`), read as the worker
/// reads it: `new Float32Array(memory.buffer, ptr, len)`.
fn buffer(s: &Session, path: &[&str]) -> Float32Array {
    let mut d = s.buffers();
    for key in path {
        d = get(&d, key);
    }
    let memory: WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    Float32Array::new_with_byte_offset_and_length(&memory.buffer(), num(&d, "ptr") as u32, num(&d, "len") as u32)
}

fn buffer_u32(s: &Session, key: &str) -> Vec<u32> {
    let d = get(&s.buffers(), key);
    let memory: WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    Uint32Array::new_with_byte_offset_and_length(&memory.buffer(), num(&d, "ptr") as u32, num(&d, "len") as u32)
        .to_vec()
}

fn string(obj: &JsValue, key: &str) -> String {
    get(obj, key).as_string().unwrap_or_else(|| panic!("{key} is not a string"))
}

// ==== Facade: the training session ===============================================================

#[wasm_bindgen_test]
fn session_steps_and_its_views_read_the_trainer() {
    let cfg = small_config();
    let mut s = Session::new(&json(&cfg)).expect("a valid config");
    assert_eq!(buffer(&s, &["metrics", "epoch"]).length(), 1, "row 0: the initial model");
    let t = cfg.model.seq_len;
    s.set_probe(&vec![1u8; t]).unwrap();
    assert_eq!(buffer(&s, &["attention_steps"]).length(), 1);

    assert!(s.step());
    assert!(s.step());
    let steps = buffer(&s, &["attention_steps"]).to_vec();
    assert_eq!(steps, vec![0.0, 1.0, 2.0], "one attention row per step");
    let attn = buffer(&s, &["attention"]).to_vec();
    assert_eq!(attn.len(), 3 * t);
    for row in attn.chunks(t) {
        let sum: f32 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "attention rows sum to 1, got {sum}");
    }
    assert_ne!(attn[..t], attn[2 * t..], "attention moved after two steps");

    // One epoch is n / B = 4 steps: the metrics get a row when it ends.
    assert!(s.step_epoch());
    let summary = s.summary();
    assert_eq!(num(&summary, "metrics_len"), 2.0);
    assert_eq!(num(&summary, "epoch"), 1.0);
    assert_eq!(num(&summary, "step"), 4.0);
    assert_eq!(string(&get(&summary, "status"), "state"), "running");
    // Every column the core names is in the descriptor, as long as the others.
    let names: Vec<String> = metric_columns();
    assert_eq!(names, ["epoch", "phase", "train_loss", "train_acc", "test_loss", "test_acc"]);
    for name in &names {
        let v = buffer(&s, &["metrics", name]).to_vec();
        assert_eq!(v.len(), 2, "{name}");
        match name.as_str() {
            "epoch" => assert_eq!(v, vec![0.0, 1.0], "the epoch column"),
            "train_acc" => assert!(v.iter().all(|a| (0.0..=1.0).contains(a)), "train accuracies: {v:?}"),
            "test_acc" => {
                assert!((0.0..=1.0).contains(&v[0]), "test accuracy of the initial model: {v:?}");
                assert!(v[1].is_nan(), "epoch 1 is not a test epoch (eval_every = 2): {v:?}");
            }
            _ => {}
        }
    }
    let params = cfg.model.vocab * cfg.model.dim; // at least the embedding
    assert!(buffer(&s, &["params"]).length() as usize > params);
}

#[wasm_bindgen_test]
fn run_for_ms_stops_at_a_phase_switch() {
    let mut cfg = small_config();
    cfg.schedule.phases = vec![pathscope::config::Phase::new(2, 1), pathscope::config::Phase::new(4, 1)];
    let mut s = Session::new(&json(&cfg)).unwrap();
    assert_eq!(s.run_for_ms(1e6, 100), 4, "one epoch of 4 steps, then the switch");
    assert_eq!(s.phase(), 1);
    assert_eq!(num(&s.summary(), "phase_ends"), 1.0, "z_A of the model at the switch is kept");
    assert_eq!(s.run_for_ms(1e6, 100), 4, "the second phase to the end");
    assert!(!s.is_running());
}

#[wasm_bindgen_test]
fn run_for_ms_respects_its_step_limit_and_the_run_end() {
    let mut cfg = small_config();
    cfg.schedule.phases = vec![pathscope::config::Phase::new(2, 1)];
    let mut s = Session::new(&json(&cfg)).unwrap();
    assert_eq!(s.run_for_ms(1e6, 3), 3, "stops at max_steps");
    assert_eq!(s.run_steps(100), 1, "one epoch is 4 steps: the run ends after the 4th");
    assert!(!s.is_running());
    assert_eq!(string(&get(&s.summary(), "status"), "state"), "finished");
    assert!(!s.step(), "a finished run takes no step");
}

#[wasm_bindgen_test]
fn reset_replays_the_same_run_bit_for_bit() {
    let cfg = small_config();
    let mut s = Session::new(&json(&cfg)).unwrap();
    s.set_probe(&vec![0u8; cfg.model.seq_len]).unwrap();
    let record = |s: &mut Session| {
        s.run_steps(9);
        let attn = buffer(s, &["attention"]).to_vec();
        let params = buffer(s, &["params"]).to_vec();
        let loss = buffer(s, &["metrics", "train_loss"]).to_vec();
        (attn, params, loss)
    };
    let first = record(&mut s);
    s.reset().unwrap();
    assert_eq!(buffer(&s, &["metrics", "epoch"]).length(), 1);
    let second = record(&mut s);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&first.0), bits(&second.0), "attention history");
    assert_eq!(bits(&first.1), bits(&second.1), "parameters");
    assert_eq!(bits(&first.2), bits(&second.2), "train loss");
}

#[wasm_bindgen_test]
fn bad_configs_become_js_errors_naming_the_setting() {
    let mut cfg = small_config();
    cfg.model.seq_len = 0;
    let message = js_message(Session::new(&json(&cfg)).err().expect("T = 0 is refused"));
    assert!(message.contains("sequence length T = 0"), "{message}");

    let mut cfg = small_config();
    cfg.optim.lr = 20.0;
    let message = js_message(Session::new(&json(&cfg)).err().expect("lr = 20 is refused"));
    assert!(message.contains("learning rate lr = 20") && message.contains("at most 10"), "{message}");

    let message = js_message(Session::new("{\"model\": 3}").err().expect("not a config"));
    assert!(message.starts_with("config:"), "{message}");

    // checkConfig: null when valid, else the field, its label and the sentence.
    assert!(check_config(&json(&small_config())).is_null());
    let mut cfg = small_config();
    cfg.schedule.batch_size = 65;
    let problem = check_config(&json(&cfg));
    assert_eq!(string(&problem, "field"), "schedule.batch_size");
    assert_eq!(string(&problem, "label"), "batch size B");
    assert!(string(&problem, "message").contains("from 1 to the training sequences n = 64"));
    // A type error names the field serde was reading.
    let problem = check_config(&json(&small_config()).replace("\"n\":64", "\"n\":\"x\""));
    assert_eq!((string(&problem, "field"), string(&problem, "json_field")), ("json".into(), "data.n".into()));

    // Probes are checked too.
    let mut s = Session::new(&json(&small_config())).unwrap();
    let message = js_message(s.set_probe(&[9, 9, 9]).err().unwrap());
    assert!(message.contains("probe"), "{message}");
}

#[wasm_bindgen_test]
fn the_scratch_twin_trains_the_last_p_for_all_epochs() {
    let cfg = Config::preset("fig5").unwrap();
    let twin: Config = serde_json::from_str(&scratch_twin(&json(&cfg)).unwrap()).unwrap();
    assert_eq!(twin, Config::preset("fig5-scratch").unwrap());
    assert_eq!(twin, cfg.scratch_twin(), "the facade's twin is the core's");
}

#[wasm_bindgen_test]
fn z_a_is_projected_to_two_dimensions_with_its_counts() {
    let cfg = small_config();
    let mut s = Session::new(&json(&cfg)).unwrap();
    let info = s.compute_za(-1, "test").unwrap();
    assert_eq!(string(&info, "axes"), "pca");
    assert_eq!(string(&info, "set"), "test");
    assert!(string(&info, "caption").starts_with("PCA of z_A (d = 8)"), "{info:?}");
    assert_eq!(buffer(&s, &["za_points"]).length() as usize, 2 * cfg.data.n);
    assert_eq!(buffer_u32(&s, "za_counts").len(), cfg.data.n);
    assert_eq!(num(&info, "max_count"), 5.0, "k (p - 1) for p = 2");
    // The next phase's test set (p = 4) can be looked at too: counts up to 15.
    let info = s.compute_za(1, "test").unwrap();
    assert_eq!(num(&info, "max_count"), 15.0);
    let counts = buffer_u32(&s, "za_counts");
    assert!(counts.iter().any(|&c| c > 5) && counts.iter().all(|&c| c <= 15), "p = 4 counts");
    assert!(s.compute_za(2, "test").is_err(), "there is no third phase");
    assert!(s.phase_end_za(0, "patterns").is_err(), "no phase has ended yet");
    assert!(s.compute_za(0, "random").is_err(), "an unknown set is refused");
    // The authors' hand-built patterns: 2^5 for p = 2, 4^5 for p = 4, with the cluster count.
    let info = s.compute_za(0, "patterns").unwrap();
    assert_eq!(buffer_u32(&s, "za_counts").len(), 32);
    let clusters = get(&info, "clusters");
    assert_eq!(num(&clusters, "classes"), 6.0, "counts 0..5");
    assert!((0.0..=6.0).contains(&num(&clusters, "formed")));
    s.compute_za(1, "patterns").unwrap();
    assert_eq!(buffer_u32(&s, "za_counts").len(), 1024);
}

#[wasm_bindgen_test]
fn z_a_axes_are_a_tagged_value_the_chart_reads() {
    for (dim, axes) in [(2, "plane"), (1, "line"), (8, "pca")] {
        let mut cfg = small_config();
        cfg.model.dim = dim;
        let mut s = Session::new(&json(&cfg)).unwrap();
        let info = s.compute_za(-1, "test").unwrap();
        assert_eq!(string(&info, "axes"), axes, "d = {dim}");
        // The chart takes that value as it comes; anything else is refused with a message.
        let canvas = new_canvas(400, 300);
        let points = buffer(&s, &["za_points"]).to_vec();
        let counts = buffer_u32(&s, "za_counts");
        draw_za_scatter(&canvas, 1.0, &points, &counts, 5, &get(&info, "axes"), "caption").unwrap();
    }
    let canvas = new_canvas(400, 300);
    let err = draw_za_scatter(&canvas, 1.0, &[0.0, 0.0], &[0], 5, &JsValue::from_str("plane itself"), "").unwrap_err();
    assert!(js_message(err).contains("z_A axes"));
}

#[wasm_bindgen_test]
fn the_loss_line_carries_the_cores_barrier() {
    let cfg = small_config();
    let mut s = Session::new(&json(&cfg)).unwrap();
    let start = buffer(&s, &["params"]).to_vec();
    s.run_steps(12);
    let end = buffer(&s, &["params"]).to_vec();
    let line = s.loss_line(&start, &end, 1).unwrap();
    let series = |k: &str| Float32Array::new(&get(&line, k)).to_vec();
    let (t, train) = (series("t"), series("train_loss"));
    assert_eq!(t.len(), pathscope::experiments::barrier::LINE_POINTS);
    let core = pathscope::experiments::barrier::barrier(&t, &train).unwrap();
    assert_eq!(num(&get(&line, "train_barrier"), "height"), core.height, "one barrier, computed once");
    let message = js_message(s.loss_line(&start, &end[1..], 0).unwrap_err());
    assert!(message.contains("parameters"), "{message}");
    assert!(s.loss_line(&start, &end, 2).is_err(), "no phase 2");
}

// ==== Charts on a canvas ========================================================================

#[wasm_bindgen_test]
fn attention_graph_colours_edges_by_their_change() {
    let canvas = new_canvas(600, 320);
    let tokens = [3u8, 1, 2, 0];
    let attn = [0.7f32, 0.1, 0.1, 0.1];
    let prev = [0.4f32, 0.3, 0.2, 0.1];
    let hits = draw_attention_graph(&canvas, 1.0, &tokens, &attn, &prev, 2, "step 7", false).unwrap();
    let px = Pixels::read(&canvas);
    let tokens_at = get(&hits, "tokens");
    let node = |i: u32| {
        let p: js_sys::Array = js_sys::Array::from(&js_sys::Array::from(&tokens_at).get(i));
        (p.get(0).as_f64().unwrap() as i32, p.get(1).as_f64().unwrap() as i32)
    };
    let r = num(&hits, "token_radius") as i32;
    let out = get(&hits, "output");
    let out = js_sys::Array::from(&out);
    let (ox, oy) = (out.get(0).as_f64().unwrap() as i32, out.get(1).as_f64().unwrap() as i32);
    // A point a quarter of the way from a token node's top towards the output node.
    let along = |i: u32, f: f64| {
        let (x, y) = node(i);
        let (x0, y0) = (x as f64, (y - r) as f64);
        ((x0 + f * (ox as f64 - x0)).round() as i32, (y0 + f * (oy as f64 - y0)).round() as i32)
    };
    assert!(px.count_near(EDGE_GREW, along(0, 0.25), 3) > 20, "token 1's thick edge grew: red");
    let blue: usize = (1..8).map(|j| px.count_near(EDGE_SHRANK, along(1, 0.1 * j as f64), 2)).sum();
    assert!(blue > 5, "token 2's edge shrank: blue (dashed)");
    assert!(px.count_near(EDGE_UNCHANGED, along(3, 0.25), 2) > 0, "token 4's edge did not change: grey");
    assert_eq!(px.count_near(EDGE_GREW, along(3, 0.25), 2), 0, "no red on an unchanged edge");
}

#[wasm_bindgen_test]
fn attention_heatmap_cells_line_and_highlight_are_where_the_geometry_says() {
    let canvas = new_canvas(500, 400);
    let (rows, cols) = (6usize, 4usize);
    // Column 0 carries all the attention in every row, column 3 none.
    let mut attn = vec![0.0f32; rows * cols];
    for r in 0..rows {
        attn[r * cols] = 0.6;
        attn[r * cols + 1] = 0.3;
        attn[r * cols + 2] = 0.1;
    }
    let steps: Vec<f32> = (0..rows).map(|r| (10 * r) as f32).collect();
    let g = draw_attention_heatmap(&canvas, 1.0, &attn, cols, 1, &steps, 2, 4, f32::NAN).unwrap();
    let (left, top, width, height) =
        (num(&g, "left") as i32, num(&g, "top") as i32, num(&g, "width") as i32, num(&g, "height") as i32);
    assert_eq!(num(&g, "rows") as usize, rows);
    let px = Pixels::read(&canvas);
    let cell = |r: usize, c: usize| {
        (
            left + ((c as f64 + 0.5) * width as f64 / cols as f64) as i32,
            top + ((r as f64 + 0.5) * height as f64 / rows as f64) as i32,
        )
    };
    let (x, y) = cell(1, 0);
    assert_eq!(px.at(x, y), rgba(heat_color(0.6, 0.6)), "darkest cell: the largest attention");
    let (x, y) = cell(1, 3);
    assert_eq!(px.at(x, y), rgba(heat_color(0.0, 0.6)), "lightest cell: no attention");
    let (x, y) = cell(1, 1);
    assert_eq!(px.at(x, y), rgba(heat_color(0.3, 0.6)));
    // The red line after position k = 2, over the whole height.
    let line_x = left + width * 2 / cols as i32;
    assert!(px.count_near(HEATMAP_K_LINE, (line_x, top + height / 2), 2) > 0, "the k line");
    // The highlighted row 4 is outlined.
    let (_, y4) = cell(4, 0);
    assert!(px.count_near(HEATMAP_HIGHLIGHT, (left + width / 2, y4), height / rows as i32) > 0, "row 4 outlined");
    // The page maps a pointer to the same rows.
    assert_eq!(heatmap_row_at(cell(4, 0).1, top, height, rows), 4);
    assert_eq!(heatmap_row_at(top - 1, top, height, rows), -1);
}

#[wasm_bindgen_test]
fn charts_draw_sharp_at_twice_the_pixel_density() {
    // A 250 x 200 CSS-pixel canvas on a 2x screen: 500 x 400 bitmap, geometry in CSS pixels.
    let canvas = new_canvas(500, 400);
    let attn = [0.5f32, 0.5, 0.0, 0.0, 0.5, 0.5, 0.0, 0.0];
    let g = draw_attention_heatmap(&canvas, 2.0, &attn, 4, 1, &[0.0, 1.0], 2, -1, f32::NAN).unwrap();
    let (left, top, width, height) = (num(&g, "left"), num(&g, "top"), num(&g, "width"), num(&g, "height"));
    assert!(left + width <= 250.0 && top + height <= 200.0, "geometry in CSS pixels: {left} {top} {width} {height}");
    let px = Pixels::read(&canvas);
    let x = (2.0 * (left + 0.5 * width / 4.0)) as i32;
    let y = (2.0 * (top + 0.25 * height)) as i32;
    assert_eq!(px.at(x, y), rgba(heat_color(0.5, 0.5)), "cell (0, 0) at twice its CSS position");
}

/// One run for drawCurves, as the page builds it: `{ name, columns: { epoch: Float32Array, .. } }`,
/// epochs 0..n, test evaluated every other epoch (NaN between).
fn run_columns(name: &str, n: usize, acc: impl Fn(usize) -> f32) -> JsValue {
    let col = |f: &dyn Fn(usize) -> f32| Float32Array::from(&(0..n).map(f).collect::<Vec<f32>>()[..]);
    let test = |e: usize| if e % 2 == 0 { acc(e) } else { f32::NAN };
    let columns = Object::new();
    let set = |o: &Object, k: &str, v: &JsValue| {
        Reflect::set(o, &JsValue::from_str(k), v).unwrap();
    };
    set(&columns, "epoch", &col(&|e| e as f32));
    set(&columns, "phase", &col(&|_| 0.0));
    set(&columns, "train_loss", &col(&|e| 1.0 / (e as f32 + 1.0)));
    set(&columns, "train_acc", &col(&acc));
    set(&columns, "test_loss", &col(&|e| if e % 2 == 0 { 2.0 / (e as f32 + 1.0) } else { f32::NAN }));
    set(&columns, "test_acc", &col(&test));
    let run = Object::new();
    set(&run, "name", &JsValue::from_str(name));
    set(&run, "columns", &columns);
    run.into()
}

fn js_array(items: &[JsValue]) -> JsValue {
    items.iter().collect::<Array>().into()
}

#[wasm_bindgen_test]
fn curves_draw_both_runs_the_switch_and_bridge_unevaluated_epochs() {
    let canvas = new_canvas(900, 400);
    let a = run_columns("curriculum", 41, |e| (e as f32 / 40.0).min(1.0));
    let b = run_columns("scratch", 41, |_| 0.25);
    let switch = Object::new();
    Reflect::set(&switch, &"epoch".into(), &20.0.into()).unwrap();
    Reflect::set(&switch, &"label".into(), &"p = 2 → 4".into()).unwrap();
    let chance = Object::new();
    Reflect::set(&chance, &"from".into(), &0.0.into()).unwrap();
    Reflect::set(&chance, &"to".into(), &40.0.into()).unwrap();
    Reflect::set(&chance, &"value".into(), &0.25.into()).unwrap();
    draw_curves(&canvas, 1.0, &js_array(&[a, b]), &js_array(&[switch.into()]), &js_array(&[chance.into()])).unwrap();
    let px = Pixels::read(&canvas);
    let (s0, s1) = (run_style(0), run_style(1));
    // Test lines are drawn although every other test value is NaN (the gaps are bridged).
    assert!(px.count(s0.test) > 200, "curriculum test curve: {} pixels", px.count(s0.test));
    assert!(px.count(s1.test) > 100, "scratch test curve: {} pixels", px.count(s1.test));
    assert!(px.count(s0.train) > 100, "curriculum train curve");
    assert!(px.count(PHASE_SWITCH) > 50, "the phase switch line");
    // Malformed input is a message, not a crash.
    assert!(
        draw_curves(&canvas, 1.0, &JsValue::from_str("curriculum\nscratch"), &js_array(&[]), &js_array(&[])).is_err()
    );
}

#[wasm_bindgen_test]
fn z_a_scatter_colours_points_by_count() {
    let canvas = new_canvas(500, 420);
    // Two tight clusters: count 0 at (-1, 0), count 5 at (1, 0).
    let mut points = Vec::new();
    let mut counts = Vec::new();
    for i in 0..40 {
        let j = (i % 5) as f32 * 0.01;
        points.extend_from_slice(&[-1.0 + j, j]);
        counts.push(0);
        points.extend_from_slice(&[1.0 + j, j]);
        counts.push(5);
    }
    draw_za_scatter(&canvas, 1.0, &points, &counts, 5, &JsValue::from_str("plane"), "z_A plane (d = 2)").unwrap();
    let px = Pixels::read(&canvas);
    assert!(px.count(count_color(0, 5)) > 20, "count 0 points");
    assert!(px.count(count_color(5, 5)) > 20, "count 5 points");
}

/// The x range of the dark (text) pixels in rows `y0..y1`, or None.
fn ink_columns(px: &Pixels, (y0, y1): (i32, i32)) -> Option<(i32, i32)> {
    let dark = |p: [u8; 4]| p[3] > 0 && (p[0] as u32 + p[1] as u32 + p[2] as u32) < 3 * 140;
    let cols: Vec<i32> = (0..px.width).filter(|&x| (y0..y1.min(px.height)).any(|y| dark(px.at(x, y)))).collect();
    Some((*cols.first()?, *cols.last()?))
}

#[wasm_bindgen_test]
fn bold_text_is_measured_as_drawn() {
    // plotters' own browser estimate styles a <span> `font-style: bold` (invalid CSS) and so
    // measures bold text in the normal weight; the facade's backend asks the canvas.
    let backend = MeasuredCanvas::new(new_canvas(400, 100)).unwrap();
    let text = "Attention outputs z_A, coloured by x1 + .. + xk (fig. 4)";
    let style = |s: FontStyle| TextStyle::from(FontDesc::new(FontFamily::SansSerif, 15.0, s));
    let (bold, _) = backend.estimate_text_size(text, &style(FontStyle::Bold)).unwrap();
    let (normal, h) = backend.estimate_text_size(text, &style(FontStyle::Normal)).unwrap();
    assert!(bold as f64 > 1.05 * normal as f64, "bold {bold} px vs normal {normal} px");
    assert!((12..=24).contains(&h), "a 15 px font is about 15 to 20 px tall: {h}");
    // Drawn bold, the text's ink is as wide as measured (within anti-aliasing and side bearings).
    let canvas = new_canvas(600, 40);
    let mut backend = MeasuredCanvas::new(canvas.clone()).unwrap();
    backend.draw_text(text, &style(FontStyle::Bold).pos(Pos::new(HPos::Left, VPos::Top)), (10, 10)).unwrap();
    let (l, r) = ink_columns(&Pixels::read(&canvas), (0, 40)).expect("the text is drawn");
    let ink = r - l + 1;
    assert!((ink - bold as i32).abs() <= 4, "ink {ink} px, measured {bold} px");
}

#[wasm_bindgen_test]
fn titles_fit_phone_wide_canvases() {
    // The z_A panel at 375 px: its canvas is about 335 CSS pixels wide, and phones have 2 or 3
    // device pixels per CSS pixel. The bold title (and the caption under it) stay inside.
    let mut points = Vec::new();
    let mut counts = Vec::new();
    for i in 0..40u32 {
        points.extend_from_slice(&[(i % 7) as f32, (i % 5) as f32]);
        counts.push(i % 6);
    }
    let label = "curriculum, epoch 138, p = 4 test set; PCA of z_A (d = 32): PC1 81%, PC2 11% of the variance";
    for (css_w, scale) in [(335u32, 1.0), (335, 2.0), (375, 3.0), (300, 1.0)] {
        let w = (css_w as f64 * scale) as u32;
        let canvas = new_canvas(w, (420.0 * scale) as u32);
        draw_za_scatter(&canvas, scale, &points, &counts, 5, &JsValue::from_str("pca"), label).unwrap();
        let px = Pixels::read(&canvas);
        // Title and caption: the top 70 CSS pixels.
        let (l, r) = ink_columns(&px, (0, (70.0 * scale) as i32)).expect("a title");
        let edge = (2.0 * scale) as i32;
        assert!(l >= edge && r < w as i32 - edge, "{css_w} px at {scale}x: text from {l} to {r} of {w}");
    }
}

#[wasm_bindgen_test]
fn loss_barrier_draws_train_and_test_lines() {
    let canvas = new_canvas(600, 360);
    let t: Vec<f32> = (0..=20).map(|i| i as f32 / 20.0).collect();
    let train: Vec<f32> = t.iter().map(|t| 20.0 * t * (1.0 - t) + 0.01).collect();
    let test: Vec<f32> = t.iter().map(|t| 8.0 * t * (1.0 - t) + 1.0).collect();
    draw_loss_barrier(&canvas, 1.0, &t, &train, &test, "scratch", "curriculum", false).unwrap();
    let px = Pixels::read(&canvas);
    assert!(px.count(BARRIER_TRAIN) > 100, "train line: {}", px.count(BARRIER_TRAIN));
    assert!(px.count(BARRIER_TEST) > 50, "test line: {}", px.count(BARRIER_TEST));
}

#[wasm_bindgen_test]
fn trajectory_draws_both_paths() {
    let canvas = new_canvas(600, 420);
    let a: Vec<f32> = (0..20).flat_map(|i| [i as f32, (i as f32 * 0.3).sin()]).collect();
    let b: Vec<f32> = (0..20).flat_map(|i| [i as f32, 3.0 + (i as f32 * 0.3).cos()]).collect();
    let path = |name: &str, points: &[f32], switches: &[u32]| -> JsValue {
        let o = Object::new();
        Reflect::set(&o, &"name".into(), &name.into()).unwrap();
        Reflect::set(&o, &"points".into(), &Float32Array::from(points)).unwrap();
        Reflect::set(&o, &"switches".into(), &Uint32Array::from(switches)).unwrap();
        o.into()
    };
    let runs = js_array(&[path("curriculum", &a, &[10]), path("scratch", &b, &[])]);
    draw_trajectory(&canvas, 1.0, &runs, "PCA").unwrap();
    let px = Pixels::read(&canvas);
    assert!(px.count(run_style(0).test) > 100, "curriculum path");
    assert!(px.count(run_style(1).test) > 50, "scratch path");
}

#[wasm_bindgen_test]
fn seed_dots_are_drawn_where_their_geometry_says() {
    let canvas = new_canvas(640, 420);
    let group = |name: &str, values: &[f32]| -> JsValue {
        let o = Object::new();
        Reflect::set(&o, &"name".into(), &name.into()).unwrap();
        Reflect::set(&o, &"values".into(), &Float32Array::from(values)).unwrap();
        o.into()
    };
    let groups = js_array(&[group("curriculum", &[1.0, 0.99, 0.49]), group("scratch", &[0.25, 0.26, 0.999])]);
    let dots = pathscope::wasm::seeds::draw_seed_dots(&canvas, 1.0, &groups, 0.25, "3 seeds", -1, -1).unwrap();
    let dots = Array::from(&dots);
    assert_eq!(dots.length(), 6, "one dot per run");
    let px = Pixels::read(&canvas);
    for d in dots.iter() {
        let (x, y, r) = (num(&d, "x") as i32, num(&d, "y") as i32, num(&d, "r") as i32);
        let colour = run_style(num(&d, "group") as usize).test;
        let success = get(&d, "success").as_bool().unwrap();
        // A filled dot has its colour at the centre; a hollow one only on its ring.
        assert_eq!(px.at(x, y) == rgba(colour), success, "centre of the dot at ({x}, {y})");
        assert!(px.count_near(colour, (x, y), r + 1) >= 6, "the dot at ({x}, {y}) is drawn in its colour");
    }
    let wins: Vec<bool> = dots.iter().map(|d| get(&d, "success").as_bool().unwrap()).collect();
    assert_eq!(wins, vec![true, true, false, false, false, true]);
}
