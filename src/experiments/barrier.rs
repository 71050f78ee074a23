//! The loss barrier between two solutions (figure 6 of the paper, docs/reproduction.md):
//!
//! ```text
//! theta(t) = (1 - t) theta_A + t theta_B,   t in [0, 1]
//! barrier  = max_t loss(theta(t)) - max(loss(theta_A), loss(theta_B))
//! ```

use crate::data::Dataset;
use crate::model::Workspace;

/// Train and test loss (and accuracy) along the segment from `a` to `b`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LossLine {
    pub t: Vec<f32>,
    pub train_loss: Vec<f32>,
    pub test_loss: Vec<f32>,
    pub train_acc: Vec<f32>,
    pub test_acc: Vec<f32>,
}

/// Barrier height of a loss series along the line: the maximum minus the larger endpoint.
pub fn barrier_height(losses: &[f32]) -> f32 {
    match (losses.first(), losses.last()) {
        (Some(&first), Some(&last)) => {
            let peak = losses.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
            peak - first.max(last)
        }
        _ => f32::NAN,
    }
}

/// Evaluates `points >= 2` evenly spaced models between `a` (t = 0) and `b` (t = 1) on the
/// train and test sets. `scratch` is a buffer of the parameters' length (no allocation inside).
pub fn loss_along_line(
    ws: &mut Workspace,
    a: &[f32],
    b: &[f32],
    points: usize,
    train: &Dataset,
    test: &Dataset,
    scratch: &mut Vec<f32>,
) -> LossLine {
    assert_eq!(a.len(), b.len(), "the two parameter vectors must have one layout");
    let points = points.max(2);
    let mut line = LossLine::default();
    scratch.resize(a.len(), 0.0);
    for i in 0..points {
        let t = i as f32 / (points - 1) as f32;
        for ((s, &x), &y) in scratch.iter_mut().zip(a).zip(b) {
            *s = (1.0 - t) * x + t * y;
        }
        let tr = ws.evaluate(scratch, &train.tokens, &train.targets);
        let te = ws.evaluate(scratch, &test.tokens, &test.targets);
        line.t.push(t);
        line.train_loss.push(tr.loss as f32);
        line.test_loss.push(te.loss as f32);
        line.train_acc.push(tr.accuracy() as f32);
        line.test_acc.push(te.accuracy() as f32);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barrier_is_peak_minus_larger_end() {
        assert_eq!(barrier_height(&[1.0, 5.0, 2.0]), 3.0);
        assert_eq!(barrier_height(&[1.0, 0.5, 2.0]), 0.0);
        assert!(barrier_height(&[]).is_nan());
    }

    #[test]
    fn endpoints_are_the_two_models() {
        use crate::config::Config;
        use crate::train::Trainer;
        let mut c = Config::preset("quick").unwrap();
        c.data.n = 64;
        c.schedule.batch_size = 64;
        c.model.dim = 8;
        c.model.hidden = 16;
        let mut a = Trainer::new(c.clone()).unwrap();
        a.run_epochs(3);
        c.data.seed = 1;
        let b = Trainer::new(c).unwrap();
        let (pa, pb) = (a.params().to_vec(), b.params().to_vec());
        let split = a.split(0).clone();
        let mut ws = Workspace::new(crate::model::Dims::of(&a.config().model));
        let line = loss_along_line(&mut ws, &pa, &pb, 5, &split.train, &split.test, &mut Vec::new());
        assert_eq!(line.t, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let (ea, _) = a.evaluate_params(&pa, 0);
        let (eb, _) = a.evaluate_params(&pb, 0);
        assert_eq!(line.train_loss[0], ea.loss as f32);
        assert_eq!(line.train_loss[4], eb.loss as f32);
    }
}
