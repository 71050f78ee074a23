//! Run records in the page (docs/record-format.md): a session exported as one JSON file, and a
//! session rebuilt from one, through the same `crate::record` as the command line.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js_error, to_js, Session};
use crate::record::{self, RunInfo};
use crate::train::Status;

/// What the page learns from a record it was given, before it changes anything.
#[derive(Serialize, Default)]
struct RecordCheck {
    ok: bool,
    /// The record's config as JSON text.
    config: Option<String>,
    epoch: usize,
    total_epochs: usize,
    step: f64,
    /// running, finished or diverged
    state: &'static str,
    /// Tokens of the record's probe sequences (0: it has none).
    probes: usize,
    /// Where a refused record is at fault, and the whole sentence to show.
    field: Option<String>,
    message: Option<String>,
}

/// Checks a run record completely (the same checks as `Session.fromRecord` and `pathscope
/// check`): `{ ok: true, config, epoch, total_epochs, step, state }` or `{ ok: false, field,
/// message }`, whose message names the field at fault.
#[wasm_bindgen(js_name = checkRecord)]
pub fn check_record(text: &str) -> JsValue {
    to_js(&match record::read(text) {
        Ok((tr, _)) => RecordCheck {
            ok: true,
            config: Some(tr.config().to_json()),
            epoch: tr.epoch(),
            total_epochs: tr.config().total_epochs(),
            step: tr.step_count() as f64,
            state: match tr.status() {
                Status::Running => "running",
                Status::Finished => "finished",
                Status::Diverged { .. } => "diverged",
            },
            probes: tr.probes().len(),
            ..Default::default()
        },
        Err(e) => RecordCheck { field: Some(e.field.clone()), message: Some(e.to_string()), ..Default::default() },
    })
}

#[wasm_bindgen]
impl Session {
    /// The run a record holds, ready to continue exactly where it stopped; a record that is not
    /// usable throws an Error naming the field.
    #[wasm_bindgen(js_name = fromRecord)]
    pub fn from_record(text: &str) -> Result<Session, JsError> {
        let (trainer, _) = record::read(text).map_err(js_error)?;
        Ok(Session { trainer, step_loss: f32::NAN, za_points: Vec::new(), za_counts: Vec::new() })
    }

    /// The run as a record (JSON text). `seconds`: time spent training, as the page measured it;
    /// `interrupted`: exported before the end of its schedule. A record larger than a record may
    /// be (`record::MAX_RECORD_BYTES`: no reader would take it back) throws an Error saying what
    /// fills it, before it is ever a JavaScript string.
    #[wasm_bindgen(js_name = exportRecord)]
    pub fn export_record(&self, seconds: f64, interrupted: bool) -> Result<String, JsError> {
        let seconds = seconds.is_finite().then_some(seconds);
        let info = RunInfo { seconds, interrupted: interrupted && self.trainer.is_running() };
        record::to_string_capped(&self.trainer, &info, record::MAX_RECORD_BYTES).map_err(js_error)
    }
}
