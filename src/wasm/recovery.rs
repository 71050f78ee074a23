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

thread_local! {
    /// The message of the last panic, kept by the hook [`keep_panics`] installs.
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Keeps the message of any later panic for [`last_panic`]: a panic traps the wasm instance
/// (`RuntimeError: unreachable`), and the worker reports what the panic said, not only that.
#[wasm_bindgen(js_name = keepPanics)]
pub fn keep_panics() {
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
    }));
}

/// What the last panic said (file, line and message), if one happened.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|last| last.borrow().clone())
}
