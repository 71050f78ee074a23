//! Going back to a parameter snapshot: what the page offers after a run diverged ("go back to
//! the last good snapshot").
//!
//! Only the parameters are kept in a snapshot, so the run cannot be resumed exactly as it was at
//! that epoch: Adam's moments are not saved (the optimizer starts fresh, as at a phase switch with
//! `reset_at_switch`), and the minibatch order continues from the shuffle stream's current state,
//! not the one the original run drew after that epoch. Everything the run recorded after the
//! snapshot (metrics, attention rows, snapshots, phase ends, switches, the unstable flag) is
//! dropped, so the histories read as if the run had stopped there.

use super::{Status, Trainer};

impl Trainer {
    /// Back to the snapshot taken at `epoch` (one of [`Trainer::snapshots`]' epochs, before the
    /// end of the schedule): its parameters, a fresh Adam at that phase's learning rate, the
    /// histories cut at that epoch, and the run running again (paused, as after any call).
    pub fn rewind_to(&mut self, epoch: usize) -> Result<(), String> {
        let total = self.cfg.total_epochs();
        let Some(row) = self.snapshot_epochs.iter().position(|&e| e as usize == epoch) else {
            return Err(format!("no parameter snapshot at epoch {epoch}"));
        };
        if epoch >= total {
            return Err(format!("epoch {epoch} is the end of the run: there is nothing left to train from it"));
        }
        let len = self.layout.len;
        self.params.copy_from_slice(&self.snapshots[row * len..(row + 1) * len]);
        self.snapshots.truncate((row + 1) * len);
        self.snapshot_epochs.truncate(row + 1);

        // The phase that epoch is in: a phase that ends at `epoch` has already switched to the next.
        let mut start = 0;
        for (i, ph) in self.cfg.schedule.phases.iter().enumerate() {
            if epoch < start + ph.epochs {
                self.phase = i;
                self.phase_epoch = epoch - start;
                break;
            }
            start += ph.epochs;
        }
        self.epoch = epoch;
        self.step = epoch as u64 * self.cfg.steps_per_epoch() as u64;
        self.pos = 0;
        self.epoch_loss = 0.0;
        self.epoch_correct = 0;
        self.epoch_count = 0;

        let m = &mut self.metrics;
        for col in [&mut m.epoch, &mut m.phase, &mut m.train_loss, &mut m.train_acc, &mut m.test_loss, &mut m.test_acc]
        {
            col.truncate(epoch + 1);
        }
        self.switches.retain(|&e| e <= epoch);
        self.phase_za.retain(|z| z.epoch <= epoch);
        if self.unstable_at.is_some_and(|e| e > epoch) {
            self.unstable_at = None;
        }
        let step = self.step as f32;
        let rows = self.attention.steps.iter().take_while(|&&s| s <= step).count();
        self.attention.steps.truncate(rows);
        self.attention.rows.truncate(rows * self.probes.len());

        self.adam.reset();
        let phase = &self.cfg.schedule.phases[self.phase];
        self.adam.lr = phase.lr.unwrap_or(self.cfg.optim.lr) as f32;
        self.status = Status::Running;
        Ok(())
    }
}
