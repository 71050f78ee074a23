//! The loss barrier between two solutions (figure 6 of the paper, docs/model.md):
//!
//! ```text
//! theta(t) = (1 - t) theta_A + t theta_B,   t in [0, 1]
//! barrier  = max_t loss(theta(t)) - max(loss(theta_A), loss(theta_B))
//! ```
//!
//! [`barrier`] is the one definition of the height: the chart, the page's status line and the
//! command line all read it from here, in f64, so one screen never shows two numbers for it.

use serde::Serialize;

use crate::train::{NoSuchPhase, Trainer};

/// Points on the line, as the authors sample it (t = 0, 0.01, .., 1).
pub const LINE_POINTS: usize = 101;
/// Most points a caller may ask for.
pub const MAX_LINE_POINTS: usize = 1001;

/// Train and test loss (and accuracy) along the segment from `a` to `b`, and the barrier of each.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LossLine {
    pub t: Vec<f32>,
    pub train_loss: Vec<f32>,
    pub test_loss: Vec<f32>,
    pub train_acc: Vec<f32>,
    pub test_acc: Vec<f32>,
    pub train_barrier: Option<Barrier>,
    pub test_barrier: Option<Barrier>,
}

/// A barrier: its height, and where the line peaks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Barrier {
    /// `max loss on the line - max(endpoint losses)`; 0 or more (the endpoints lie on the line).
    pub height: f64,
    /// t of the highest loss.
    pub t_peak: f64,
    /// The highest loss on the line.
    pub peak: f64,
    /// The larger of the two endpoint losses.
    pub endpoint: f64,
}

/// The barrier of losses `loss` sampled at `t` (endpoints: the smallest and the largest t).
/// Non-finite samples are ignored; None if an endpoint is missing or non-finite.
pub fn barrier(t: &[f32], loss: &[f32]) -> Option<Barrier> {
    let pts: Vec<(f64, f64)> = t
        .iter()
        .zip(loss)
        .map(|(&a, &b)| (a as f64, b as f64))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    if pts.is_empty() || t.len() != loss.len() {
        return None;
    }
    let first = pts.iter().copied().min_by(|a, b| a.0.total_cmp(&b.0))?;
    let last = pts.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0))?;
    // An endpoint that was sampled but is not finite makes the barrier undefined.
    let t_min = t.iter().copied().filter(|v| v.is_finite()).fold(f32::INFINITY, f32::min) as f64;
    let t_max = t.iter().copied().filter(|v| v.is_finite()).fold(f32::NEG_INFINITY, f32::max) as f64;
    if first.0 != t_min || last.0 != t_max {
        return None;
    }
    // The first highest sample (ties keep the smallest t).
    let peak = pts.iter().copied().fold(pts[0], |m, p| if p.1 > m.1 { p } else { m });
    let endpoint = first.1.max(last.1);
    Some(Barrier { height: (peak.1 - endpoint).max(0.0), t_peak: peak.0, peak: peak.1, endpoint })
}

/// Evaluates `points` (at least 2, at most [`MAX_LINE_POINTS`]) evenly spaced models between `a`
/// (t = 0) and `b` (t = 1) on the train and test sets of `phase` of `trainer`'s run. Both
/// parameter vectors must have the run's layout. The trainer's own parameters are untouched.
pub fn loss_line(
    trainer: &mut Trainer,
    a: &[f32],
    b: &[f32],
    points: usize,
    phase: usize,
) -> Result<LossLine, LineError> {
    let len = trainer.params().len();
    if a.len() != len || b.len() != len {
        return Err(LineError::Layout { a: a.len(), b: b.len(), want: len });
    }
    trainer.check_phase(phase).map_err(LineError::Phase)?;
    let points = points.clamp(2, MAX_LINE_POINTS);
    let mut line = LossLine::default();
    let mut theta = vec![0.0f32; len];
    for i in 0..points {
        let t = i as f32 / (points - 1) as f32;
        for ((s, &x), &y) in theta.iter_mut().zip(a).zip(b) {
            *s = (1.0 - t) * x + t * y;
        }
        let (tr, te) = trainer.evaluate_params(&theta, phase).map_err(LineError::Phase)?;
        line.t.push(t);
        line.train_loss.push(tr.loss as f32);
        line.test_loss.push(te.loss as f32);
        line.train_acc.push(tr.accuracy() as f32);
        line.test_acc.push(te.accuracy() as f32);
    }
    line.train_barrier = barrier(&line.t, &line.train_loss);
    line.test_barrier = barrier(&line.t, &line.test_loss);
    Ok(line)
}

/// Why a loss line cannot be computed.
#[derive(Clone, Debug, PartialEq)]
pub enum LineError {
    /// The two models do not have the run's layout.
    Layout {
        a: usize,
        b: usize,
        want: usize,
    },
    Phase(NoSuchPhase),
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineError::Layout { a, b, want } => write!(
                f,
                "the two models have {a} and {b} parameters; this run's model has {want}: both ends must be models of \
                 the same size"
            ),
            LineError::Phase(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LineError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ValidConfig;

    #[test]
    fn barrier_is_peak_minus_larger_end() {
        let t = [0.0, 0.5, 1.0];
        let b = barrier(&t, &[1.0, 5.0, 2.0]).unwrap();
        assert_eq!((b.height, b.t_peak, b.peak, b.endpoint), (3.0, 0.5, 5.0, 2.0));
        assert_eq!(barrier(&t, &[1.0, 0.5, 2.0]).unwrap().height, 0.0);
        assert!(barrier(&[], &[]).is_none());
    }

    #[test]
    fn endpoints_are_the_two_models() {
        let mut c = crate::config::Config::preset("quick").unwrap();
        c.data.n = 64;
        c.schedule.batch_size = 64;
        c.model.dim = 8;
        c.model.hidden = 16;
        let mut a = Trainer::new(ValidConfig::new(c.clone()).unwrap());
        a.run_epochs(3);
        c.data.seed = 1;
        let b = Trainer::new(ValidConfig::new(c).unwrap());
        let (pa, pb) = (a.params().to_vec(), b.params().to_vec());
        let line = loss_line(&mut a, &pa, &pb, 5, 0).unwrap();
        assert_eq!(line.t, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let (ea, _) = a.evaluate_params(&pa, 0).unwrap();
        let (eb, _) = a.evaluate_params(&pb, 0).unwrap();
        assert_eq!(line.train_loss[0], ea.loss as f32);
        assert_eq!(line.train_loss[4], eb.loss as f32);
        assert_eq!(line.train_barrier, barrier(&line.t, &line.train_loss));
        assert_eq!(a.params(), &pa[..], "the trainer's own parameters are untouched");
        assert!(matches!(loss_line(&mut a, &pa, &pb[1..], 5, 0), Err(LineError::Layout { .. })));
        assert!(matches!(loss_line(&mut a, &pa, &pb, 5, 2), Err(LineError::Phase(_))));
    }
}
