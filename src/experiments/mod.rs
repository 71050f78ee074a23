//! Experiments on top of the trainer, as pure functions from numbers to series: nothing here
//! draws or touches JavaScript.
//!
//! - [`barrier`]: loss along the straight line between two solutions (figure 6).
//! - [`embed`]: PCA and t-SNE, to put z_A (figure 4) and parameter trajectories (figure 7) in 2-D.
//! - [`za`]: z_A in the plane the figure-4 chart draws, and what its axes are.

pub mod barrier;
pub mod embed;
pub mod za;
