//! Parity with PyTorch: reads a fixture in the format of `tests/fixtures/` (any sizes, described
//! in its README), runs the same computations with pathscope's f32 model and reports, for every
//! tensor, the relative error `max |ours - torch| / max |torch|`.
//!
//! Masking. The loss, the gradients, the intermediates, the losses after one and five Adam steps
//! and `adam_from_torch_grads` (one Adam step applied to PyTorch's own gradients) are compared on
//! every entry. The weights after one and after five steps of our own Adam on our own gradients
//! are not: Adam moves a weight by about `lr * sign(g)` whatever the size of `g`, so where
//! PyTorch's gradient is nearly zero, a rounding difference between our f32 gradient and its f64
//! one can flip that sign and put the weight `2 lr` away from PyTorch's, which says nothing about
//! the model. So, per tensor, the entries whose |PyTorch gradient at the initial weights| is below
//! [`ADAM_MASK_REL`] times the tensor's largest |gradient| are left out of `rel_err` (their count
//! is [`Comparison::masked`]); each of them must instead have moved no more than `steps * lr`
//! (with 0.1% slack) from its initial value, or `rel_err` is infinite. The mask is chosen once,
//! from the initial gradients, for both the one-step and the five-step comparisons.
//!
//! Reading. A fixture is read in two passes over its text: first only the sizes of its `config`,
//! checked against the config limits (`MAX_VOCAB`, `MAX_SEQ_LEN`, `MAX_DIM`, `MAX_HIDDEN`,
//! [`MAX_FIXTURE_BATCH`]) and, all together, against [`FIXTURE_MEMORY_BUDGET`] ([`check_bytes`]);
//! then each tensor straight into a buffer of its shape (an [`Array2`] `[rows, cols]` from
//! [`Layout::tensors`], row-major as PyTorch's `[out][in]`), refused as soon as a list is longer
//! or shorter than the shape says. No generic JSON tree is built, so what is held is bounded by
//! the sizes, whatever the text holds. The command line reads at most [`MAX_FIXTURE_BYTES`].
//!
//! NaN. `f64::max` skips NaN, so a maximum taken with it would let a model that outputs NaN pass
//! with an error of 0. Every maximum here is [`nan_max`], and any non-finite value on either side
//! of a comparison makes its `rel_err` infinite ([`Comparison::non_finite`] counts them).

use crate::config::{Init, ModelConfig, OptimConfig, MAX_DIM, MAX_HIDDEN, MAX_SEQ_LEN, MAX_VOCAB};
use crate::model::{Dims, Layout, Workspace, TENSOR_NAMES};
use crate::optim::Adam;
use crate::plan::{fmt_bytes, MEMORY_BUDGET_BYTES};
use ndarray::Array2;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Entries whose |PyTorch gradient| is below this fraction of their tensor's largest are
/// ill-conditioned for the Adam weight comparisons (see the module documentation).
pub const ADAM_MASK_REL: f64 = 1e-5;

/// Largest fixture file the command line reads (the fixtures of `tests/fixtures/` are under 1 MB;
/// the paper's model size with a batch of 16 is 860 KB). Past it the file is refused unread.
pub const MAX_FIXTURE_BYTES: u64 = 64 << 20;

/// Largest batch a fixture may hold.
pub const MAX_FIXTURE_BATCH: usize = 1 << 16;

/// Most memory a gradient check may hold besides the fixture's text ([`check_bytes`]): the same
/// budget as one training run.
pub const FIXTURE_MEMORY_BUDGET: u64 = MEMORY_BUDGET_BYTES;

/// One compared quantity.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub name: String,
    pub rel_err: f64,
    pub max_abs_torch: f64,
    /// Entries left out of `rel_err` as ill-conditioned (see the module documentation).
    pub masked: usize,
    /// Entries that are NaN or infinite, in pathscope's values or PyTorch's: any makes `rel_err`
    /// infinite (a model that outputs NaN never passes).
    pub non_finite: usize,
}

/// The eight parameter tensors of one state of the model, in [`TENSOR_NAMES`] order, each with
/// its shape `[rows, cols]` from [`Layout::tensors`], row-major as PyTorch stores them (a `Linear`
/// weight is `[out][in]`; a bias, `[h]` or `[d]`, is one row).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub tensors: Vec<(&'static str, Array2<f64>)>,
}

impl Params {
    /// The tensor called `name` ([`TENSOR_NAMES`]).
    pub fn get(&self, name: &str) -> Option<&Array2<f64>> {
        self.tensors.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }

    /// One flat buffer in pathscope's layout (the tensors one after the other, row-major).
    pub fn flat(&self) -> Vec<f64> {
        self.tensors.iter().flat_map(|(_, a)| a.iter().copied()).collect()
    }
}

/// A parsed fixture (the format of `tests/fixtures/README.md`), its sizes checked.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub dims: Dims,
    pub k: usize,
    pub p: usize,
    /// `[B][T]`, row after row.
    pub tokens: Vec<u8>,
    pub targets: Vec<u8>,
    pub weights: Params,
    pub loss: f64,
    pub grads: Params,
    /// `[B, T]`, `[B, d]`, `[B, V]`.
    pub attn: Array2<f64>,
    pub z_a: Array2<f64>,
    pub logits: Array2<f64>,
    pub after_one: Params,
    pub loss_after_one: f64,
    /// The loss before any step, then after each of five.
    pub losses_five: Vec<f64>,
    pub after_five: Params,
}

/// Bytes a gradient check of these sizes holds at its peak, besides the fixture's text: the
/// parsed tensors (four states of the parameters in f64, the intermediates), the flat copies and
/// f32 buffers of [`run`], two Adam states and a [`Workspace`]. Saturating 64-bit arithmetic, so
/// absurd sizes are refused, not wrapped.
pub fn check_bytes(dims: Dims, batch: usize) -> u64 {
    let params = dims.param_count();
    let [b, t, d, v] = [batch, dims.t, dims.d, dims.v].map(|x| x as u64);
    // Per parameter: 4 parsed f64 tensors and their 4 flat f64 copies (64 bytes), f32 params,
    // grads, Adam-alone copy and f32 torch grads (16), two Adams' moments (16), the masked
    // picks of one tensor at a time (12), and slack for the vectors' growth.
    let per_param = 128u64;
    let per_seq = (t + 1).saturating_add(t.saturating_add(d).saturating_add(v).saturating_mul(8 + 4));
    params
        .saturating_mul(per_param)
        .saturating_add(Workspace::floats(dims).saturating_mul(4))
        .saturating_add(b.saturating_mul(per_seq))
        .saturating_add(64 << 10)
}

/// A size in the fixture's `config`: any JSON number; checked to be a whole number in range.
#[derive(Clone, Copy, Debug)]
enum Num {
    Int(u64),
    Other(f64),
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_u64<E>(self, x: u64) -> Result<Num, E> {
                Ok(Num::Int(x))
            }
            fn visit_i64<E>(self, x: i64) -> Result<Num, E> {
                Ok(Num::Other(x as f64))
            }
            fn visit_f64<E>(self, x: f64) -> Result<Num, E> {
                Ok(Num::Other(x))
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON object read as `T` (serde also reads a struct from a positional list, which no fixture
/// is and which would hide a mistake).
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Object<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData)).map(Object)
    }
}

/// The first pass: only the sizes, everything else skipped without being held.
#[derive(Deserialize)]
struct Head {
    config: Option<Object<HeadConfig>>,
}

#[derive(Deserialize)]
struct HeadConfig {
    nb_emb: Option<Num>,
    #[serde(rename = "T")]
    t: Option<Num>,
    d: Option<Num>,
    h: Option<Num>,
    k: Option<Num>,
    p: Option<Num>,
    batch: Option<Num>,
}

fn size(value: Option<Num>, key: &str, lo: usize, hi: usize, what: &str) -> Result<usize, String> {
    let value = value.ok_or_else(|| format!("fixture config has no integer field {key}"))?;
    let shown = match value {
        Num::Int(x) if (lo as u64..=hi as u64).contains(&x) => return Ok(x as usize),
        Num::Int(x) => x.to_string(),
        Num::Other(x) => x.to_string(),
    };
    Err(format!("fixture config.{key} = {shown} is not accepted: a whole number from {lo} to {hi} ({what})"))
}

/// Reads `shape.len()` levels of nested JSON lists of exactly `shape` lengths into `out`,
/// row-major, and stops at the first list longer than expected: never holds more than the shape.
struct Nested<'a> {
    shape: &'a [usize],
    out: &'a mut Vec<f64>,
}

impl<'de> DeserializeSeed<'de> for Nested<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.shape.is_empty() {
            let x = f64::deserialize(d)?;
            self.out.push(x);
            Ok(())
        } else {
            d.deserialize_seq(self)
        }
    }
}

impl<'de> Visitor<'de> for Nested<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of {} entries", self.shape[0])
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (n, rest) = (self.shape[0], &self.shape[1..]);
        for i in 0..n {
            if seq.next_element_seed(Nested { shape: rest, out: &mut *self.out })?.is_none() {
                return Err(de::Error::custom(format!("a list of {i} entries where {n} are expected")));
            }
        }
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(format!("a list of more than the {n} entries expected")));
        }
        Ok(())
    }
}

fn shape_text(shape: &[usize]) -> String {
    shape.iter().map(|n| format!("[{n}]")).collect()
}

/// One array of the given nesting `shape`, its values checked finite by JSON itself.
struct Array<'a> {
    path: &'a str,
    shape: &'a [usize],
}

impl<'de> DeserializeSeed<'de> for Array<'_> {
    type Value = Vec<f64>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<f64>, D::Error> {
        // Reserved up to a small size only: a short text that claims a large shape (within the
        // budget) then holds what it really lists, not what it claims.
        let len = self.shape.iter().product::<usize>();
        let mut out = Vec::with_capacity(len.min(4096));
        Nested { shape: self.shape, out: &mut out }
            .deserialize(d)
            .map_err(|e| de::Error::custom(format!("{}: expected {}: {e}", self.path, shape_text(self.shape))))?;
        Ok(out)
    }
}

/// The eight tensors of a `weights`-shaped object, each with its shape from the [`Layout`].
struct Tensors<'a> {
    path: &'a str,
    layout: &'a Layout,
}

impl<'de> DeserializeSeed<'de> for Tensors<'_> {
    type Value = Params;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Params, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tensors<'_> {
    type Value = Params;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: an object with the tensors {}", self.path, TENSOR_NAMES.join(", "))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let specs = self.layout.tensors();
        let mut found: Vec<Option<Array2<f64>>> = vec![None; specs.len()];
        while let Some(key) = map.next_key::<KeyText>()? {
            let Some(i) = specs.iter().position(|(name, _, _)| *name == key.0) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let (name, _, [rows, cols]) = &specs[i];
            let path = format!("{}.{name}", self.path);
            if found[i].is_some() {
                return Err(de::Error::custom(format!("{path} appears twice")));
            }
            // A one-row tensor may be written flat: PyTorch's biases are 1-D ([h], [d]).
            let shape = if *rows == 1 && *name != "query" { vec![*cols] } else { vec![*rows, *cols] };
            let data = map.next_value_seed(Array { path: &path, shape: &shape })?;
            let array =
                Array2::from_shape_vec((*rows, *cols), data).map_err(|e| de::Error::custom(format!("{path}: {e}")))?;
            found[i] = Some(array);
        }
        let mut tensors = Vec::with_capacity(specs.len());
        for ((name, _, _), t) in specs.iter().zip(found) {
            let t = t.ok_or_else(|| de::Error::custom(format!("fixture has no field {}.{name}", self.path)))?;
            tensors.push((*name, t));
        }
        Ok(Params { tensors })
    }
}

/// A map key, owned only when JSON escapes force it (keys are short; a long one is refused).
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<KeyText, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyText, E> {
                // Only known names matter; a long one is kept as a short stand-in.
                Ok(KeyText(if s.len() <= 64 { s.to_string() } else { String::new() }))
            }
        }
        d.deserialize_str(V)
    }
}

/// The fields of the fixture, read in one pass over the text once the sizes are known.
#[derive(Default)]
struct Body {
    inputs: Option<Vec<f64>>,
    targets: Option<Vec<f64>>,
    weights: Option<Params>,
    loss: Option<f64>,
    grads: Option<Params>,
    attn: Option<Vec<f64>>,
    z_a: Option<Vec<f64>>,
    logits: Option<Vec<f64>>,
    after_one: Option<Params>,
    loss_after_one: Option<f64>,
    losses_five: Option<Vec<f64>>,
    after_five: Option<Params>,
}

/// Which object the body reader is in: the top level or one of the nested ones.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Top,
    Intermediates,
    AfterOne,
    AfterFive,
}

struct BodyReader<'a> {
    layout: &'a Layout,
    batch: usize,
    level: Level,
    body: &'a mut Body,
}

impl<'de> DeserializeSeed<'de> for BodyReader<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

fn once<T, E: de::Error>(slot: &mut Option<T>, path: &str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom(format!("{path} appears twice")));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Visitor<'de> for BodyReader<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.level {
            Level::Top => "a JSON object (a pathscope gradient-check fixture)",
            Level::Intermediates => "intermediates: an object with attn, z_A and logits",
            Level::AfterOne => "after_adam_step: an object with weights and loss_after",
            Level::AfterFive => "after_5_adam_steps: an object with losses_after_each_step_from_0 and weights",
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Dims { v, t, d, .. } = self.layout.dims;
        let (b, layout) = (self.batch, self.layout);
        while let Some(key) = map.next_key::<KeyText>()? {
            let body = &mut *self.body;
            let array = |path: &'static str, shape: &[usize], map: &mut A| -> Result<Vec<f64>, A::Error> {
                map.next_value_seed(Array { path, shape })
            };
            let scalar = |path: &'static str, map: &mut A| -> Result<f64, A::Error> {
                map.next_value::<f64>().map_err(|e| de::Error::custom(format!("{path}: expected a number: {e}")))
            };
            let nested = |level: Level, map: &mut A, body: &mut Body| -> Result<(), A::Error> {
                map.next_value_seed(BodyReader { layout, batch: b, level, body })
            };
            let tensors = |path: &'static str, map: &mut A| map.next_value_seed(Tensors { path, layout });
            match (self.level, key.0.as_str()) {
                (Level::Top, "inputs") => once(&mut body.inputs, "inputs", array("inputs", &[b, t], &mut map)?)?,
                (Level::Top, "targets") => once(&mut body.targets, "targets", array("targets", &[b], &mut map)?)?,
                (Level::Top, "weights") => once(&mut body.weights, "weights", tensors("weights", &mut map)?)?,
                (Level::Top, "loss") => once(&mut body.loss, "loss", scalar("loss", &mut map)?)?,
                (Level::Top, "grads") => once(&mut body.grads, "grads", tensors("grads", &mut map)?)?,
                (Level::Top, "intermediates") => nested(Level::Intermediates, &mut map, body)?,
                (Level::Top, "after_adam_step") => nested(Level::AfterOne, &mut map, body)?,
                (Level::Top, "after_5_adam_steps") => nested(Level::AfterFive, &mut map, body)?,
                (Level::Intermediates, "attn") => {
                    once(&mut body.attn, "intermediates.attn", array("intermediates.attn", &[b, t], &mut map)?)?
                }
                (Level::Intermediates, "z_A") => {
                    once(&mut body.z_a, "intermediates.z_A", array("intermediates.z_A", &[b, d], &mut map)?)?
                }
                (Level::Intermediates, "logits") => {
                    once(&mut body.logits, "intermediates.logits", array("intermediates.logits", &[b, v], &mut map)?)?
                }
                (Level::AfterOne, "weights") => {
                    once(&mut body.after_one, "after_adam_step.weights", tensors("after_adam_step.weights", &mut map)?)?
                }
                (Level::AfterOne, "loss_after") => once(
                    &mut body.loss_after_one,
                    "after_adam_step.loss_after",
                    scalar("after_adam_step.loss_after", &mut map)?,
                )?,
                (Level::AfterFive, "weights") => once(
                    &mut body.after_five,
                    "after_5_adam_steps.weights",
                    tensors("after_5_adam_steps.weights", &mut map)?,
                )?,
                (Level::AfterFive, "losses_after_each_step_from_0") => {
                    let path = "after_5_adam_steps.losses_after_each_step_from_0";
                    once(&mut body.losses_five, path, array(path, &[6], &mut map)?)?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

fn required<T>(x: Option<T>, path: &str) -> Result<T, String> {
    x.ok_or_else(|| format!("fixture has no field {path}"))
}

/// Whole numbers in `0..below` (tokens and targets), or a message naming the field.
fn to_u8(xs: Vec<f64>, what: &str, below: usize) -> Result<Vec<u8>, String> {
    xs.into_iter()
        .map(|x| {
            if x >= 0.0 && x < below as f64 && x.fract() == 0.0 {
                Ok(x as u8)
            } else {
                Err(format!("{what}: {x} is not a whole number in 0..{below}"))
            }
        })
        .collect()
}

impl Fixture {
    /// Parses a fixture. The sizes in its `config` are read first (nothing else is held) and
    /// checked against the config limits and [`FIXTURE_MEMORY_BUDGET`]; only then are the
    /// tensors read, each into a buffer of exactly its shape, so no text, however large or
    /// hostile, makes this hold more than [`check_bytes`] of those sizes besides the text itself.
    /// Every refusal names the field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let Object(head): Object<Head> = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            format!("fixture is not JSON of the expected shape: in {path}: {}", e.into_inner())
        })?;
        de.end().map_err(|e| format!("fixture is not JSON: {e}"))?;
        let Object(c) = head.config.ok_or("fixture has no field config")?;
        let v = size(c.nb_emb, "nb_emb", 2, MAX_VOCAB, "the vocabulary size V")?;
        let t = size(c.t, "T", 1, MAX_SEQ_LEN, "the sequence length")?;
        let d = size(c.d, "d", 1, MAX_DIM, "the width")?;
        let h = size(c.h, "h", 1, MAX_HIDDEN, "the MLP width")?;
        let k = size(c.k, "k", 1, t, "tokens summed, at most T")?;
        let p = size(c.p, "p", 2, v, "the modulus, at most V")?;
        let batch = size(c.batch, "batch", 1, MAX_FIXTURE_BATCH, "sequences")?;
        let dims = Dims { v, t, d, h };
        let bytes = check_bytes(dims, batch);
        if bytes > FIXTURE_MEMORY_BUDGET {
            return Err(format!(
                "fixture config: V={v} T={t} d={d} h={h} batch={batch} needs {} of memory, over the limit of {}",
                fmt_bytes(bytes),
                fmt_bytes(FIXTURE_MEMORY_BUDGET)
            ));
        }

        let layout = Layout::new(dims);
        let mut body = Body::default();
        let mut de = serde_json::Deserializer::from_str(text);
        BodyReader { layout: &layout, batch, level: Level::Top, body: &mut body }
            .deserialize(&mut de)
            .map_err(|e| format!("fixture: {e}"))?;
        let tokens = to_u8(required(body.inputs, "inputs")?, "inputs", v)?;
        let targets = to_u8(required(body.targets, "targets")?, "targets", v)?;
        let rows = |x: Option<Vec<f64>>, path: &str, cols: usize| -> Result<Array2<f64>, String> {
            Array2::from_shape_vec((batch, cols), required(x, path)?).map_err(|e| format!("{path}: {e}"))
        };
        Ok(Fixture {
            dims,
            k,
            p,
            tokens,
            targets,
            weights: required(body.weights, "weights")?,
            loss: required(body.loss, "loss")?,
            grads: required(body.grads, "grads")?,
            attn: rows(body.attn, "intermediates.attn", t)?,
            z_a: rows(body.z_a, "intermediates.z_A", d)?,
            logits: rows(body.logits, "intermediates.logits", v)?,
            after_one: required(body.after_one, "after_adam_step.weights")?,
            loss_after_one: required(body.loss_after_one, "after_adam_step.loss_after")?,
            losses_five: required(body.losses_five, "after_5_adam_steps.losses_after_each_step_from_0")?,
            after_five: required(body.after_five, "after_5_adam_steps.weights")?,
        })
    }

    pub fn model_config(&self) -> ModelConfig {
        ModelConfig {
            vocab: self.dims.v,
            seq_len: self.dims.t,
            dim: self.dims.d,
            hidden: self.dims.h,
            init: Init::Pytorch,
        }
    }
}

/// The larger of two numbers, NaN if either is NaN (`f64::max` returns the other one).
pub fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Compares pathscope's values with PyTorch's: `rel_err = max |ours - torch| / max |torch|`
/// (the absolute error where PyTorch's values are all 0). Infinite when the lengths differ or any
/// value on either side is NaN or infinite.
pub fn compare(name: impl Into<String>, ours: &[f32], torch: &[f64]) -> Comparison {
    let non_finite = ours.iter().filter(|x| !x.is_finite()).count() + torch.iter().filter(|x| !x.is_finite()).count();
    let max_abs_torch = torch.iter().fold(0.0f64, |m, x| nan_max(m, x.abs()));
    let max_diff = ours.iter().zip(torch).fold(0.0f64, |m, (&a, &b)| nan_max(m, (a as f64 - b).abs()));
    let rel_err = if ours.len() != torch.len() || non_finite > 0 || max_diff.is_nan() {
        f64::INFINITY
    } else if max_abs_torch > 0.0 {
        max_diff / max_abs_torch
    } else {
        max_diff
    };
    Comparison { name: name.into(), rel_err, max_abs_torch, masked: 0, non_finite }
}

fn per_tensor(prefix: &str, layout: &Layout, ours: &[f32], torch: &[f64], out: &mut Vec<Comparison>) {
    for (name, range, _) in layout.tensors() {
        out.push(compare(format!("{prefix}.{name}"), &ours[range.clone()], &torch[range]));
    }
}

/// Weights after `steps` Adam steps: relative error over the well-conditioned entries; the
/// masked ones must have moved by at most `steps * lr` from `before` (else the error is infinite).
#[allow(clippy::too_many_arguments)]
fn per_tensor_adam(
    prefix: &str,
    layout: &Layout,
    ours: &[f32],
    torch: &[f64],
    before: &[f64],
    torch_grads: &[f64],
    bound: f64,
    out: &mut Vec<Comparison>,
) {
    for (name, range, _) in layout.tensors() {
        let g = &torch_grads[range.clone()];
        let gmax = g.iter().fold(0.0f64, |m, x| nan_max(m, x.abs()));
        let keep: Vec<bool> = g.iter().map(|x| x.abs() >= ADAM_MASK_REL * gmax).collect();
        let pick = |xs: &[f32]| -> Vec<f32> { xs.iter().zip(&keep).filter(|(_, &k)| k).map(|(&x, _)| x).collect() };
        let pick64 = |xs: &[f64]| -> Vec<f64> { xs.iter().zip(&keep).filter(|(_, &k)| k).map(|(&x, _)| x).collect() };
        let mut c = compare(format!("{prefix}.{name}"), &pick(&ours[range.clone()]), &pick64(&torch[range.clone()]));
        c.max_abs_torch = torch[range.clone()].iter().fold(0.0f64, |m, x| nan_max(m, x.abs()));
        for (i, k) in range.clone().zip(&keep) {
            if !*k {
                c.masked += 1;
                // Written so that NaN (on either side) fails.
                let moved = (ours[i] as f64 - before[i]).abs();
                if moved.is_nan() || moved > bound {
                    c.rel_err = f64::INFINITY;
                }
                if !ours[i].is_finite() || !torch[i].is_finite() {
                    c.non_finite += 1;
                }
            }
        }
        out.push(c);
    }
}

/// Every comparison the fixture allows: loss, gradients, intermediates, one Adam step, five.
pub fn run(fixture: &Fixture) -> Result<Vec<Comparison>, String> {
    let dims = fixture.dims;
    let layout = Layout::new(dims);
    let mut ws = Workspace::new(dims);
    let (x, y) = (&fixture.tokens, &fixture.targets);
    let b = y.len();
    let initial = fixture.weights.flat();
    let torch_grads = fixture.grads.flat();
    let mut params: Vec<f32> = initial.iter().map(|&v| v as f32).collect();
    let mut grads = vec![0.0f32; layout.len];
    let mut out = Vec::new();

    let stats = ws.loss_and_grad(&params, x, y, &mut grads);
    out.push(compare("loss", &[stats.loss as f32], &[fixture.loss]));
    per_tensor("grad", &layout, &grads, &torch_grads, &mut out);

    let (mut attn, mut za, mut logits) = (vec![0.0; b * dims.t], vec![0.0; b * dims.d], vec![0.0; b * dims.v]);
    ws.forward_with(&params, x, y, &mut attn, &mut za, &mut logits);
    out.push(compare("attn", &attn, &fixture.attn.iter().copied().collect::<Vec<_>>()));
    out.push(compare("z_A", &za, &fixture.z_a.iter().copied().collect::<Vec<_>>()));
    out.push(compare("logits", &logits, &fixture.logits.iter().copied().collect::<Vec<_>>()));

    let adam_cfg = OptimConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, reset_at_switch: false };
    let after_one = fixture.after_one.flat();
    // Adam alone, on every entry: one step from PyTorch's gradients.
    let mut alone = params.clone();
    let g32: Vec<f32> = torch_grads.iter().map(|&g| g as f32).collect();
    Adam::new(&adam_cfg, layout.len).step(&mut alone, &g32);
    out.push(compare("adam_from_torch_grads", &alone, &after_one));

    let lr = adam_cfg.lr * 1.001;
    let mut adam = Adam::new(&adam_cfg, layout.len);
    adam.step(&mut params, &grads);
    per_tensor_adam("adam1", &layout, &params, &after_one, &initial, &torch_grads, lr, &mut out);
    let after1 = ws.evaluate(&params, x, y);
    out.push(compare("adam1.loss_after", &[after1.loss as f32], &[fixture.loss_after_one]));

    let mut losses = vec![stats.loss as f32, after1.loss as f32];
    for _ in 2..=5 {
        ws.loss_and_grad(&params, x, y, &mut grads);
        adam.step(&mut params, &grads);
        losses.push(ws.evaluate(&params, x, y).loss as f32);
    }
    out.push(compare("adam5.losses", &losses, &fixture.losses_five));
    let after_five = fixture.after_five.flat();
    per_tensor_adam("adam5", &layout, &params, &after_five, &initial, &torch_grads, 5.0 * lr, &mut out);
    debug_assert_eq!(TENSOR_NAMES.len(), 8);
    Ok(out)
}
