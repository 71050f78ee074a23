//! What the page does when a run fails: go back to a parameter snapshot after a divergence
//! (`rewindTo`), and the documented test hooks that make a run fail on purpose (`debugFault`),
//! so that the failure paths are tested end to end (www/debug.js, e2e/tests/failures.test.mjs).

use wasm_bindgen::prelude::*;

use super::Session;
use crate::train::DebugFault;

#[wasm_bindgen]
impl Session {
    /// Back to the parameter snapshot taken at `epoch`, with a fresh Adam and the histories cut
    /// there (see `crate::train::Trainer::rewind_to` for what is and is not restored).
    #[wasm_bindgen(js_name = rewindTo)]
    pub fn rewind_to(&mut self, epoch: usize) -> Result<(), JsError> {
        self.trainer.rewind_to(epoch).map_err(|e| JsError::new(&e))?;
        self.step_loss = f32::NAN;
        Ok(())
    }

    /// Test hook: step `step` (counted from 1) fails: `"nan"` gives its gradient a NaN (the run
    /// diverges there), `"panic"` panics (the wasm instance traps, as any bug would).
    #[wasm_bindgen(js_name = debugFault)]
    pub fn debug_fault(&mut self, kind: &str, step: f64) -> Result<(), JsError> {
        let fault = match kind {
            "nan" => DebugFault::NonFiniteGradient,
            "panic" => DebugFault::Panic,
            _ => return Err(JsError::new(&format!("debug fault {kind:?} is not accepted: nan or panic"))),
        };
        if !(1.0..=u32::MAX as f64).contains(&step) || step.fract() != 0.0 {
            return Err(JsError::new(&format!("debug fault step {step} is not accepted: a whole number from 1")));
        }
        self.trainer.debug_fault_at(step as u64, fault);
        Ok(())
    }
}
