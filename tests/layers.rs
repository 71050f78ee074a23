//! The layers of docs/architecture.md, checked: each module of the core may use only the modules
//! below it. A use of a higher layer (outside comments and the module's own tests) fails here,
//! with the file and the line.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

/// Module -> the crate modules it may use (the table in docs/architecture.md).
const ALLOWED: &[(&str, &[&str])] = &[
    ("rng", &[]),
    ("config", &[]),
    ("kernels", &["rng"]),
    ("model", &["config", "rng", "kernels"]),
    ("data", &["config", "rng"]),
    ("optim", &["config", "kernels"]),
    ("plan", &["config", "data", "model"]),
    ("train", &["config", "plan", "data", "model", "optim", "rng"]),
    ("experiments", &["config", "plan", "data", "model", "train", "rng"]),
    ("sweep", &["config", "plan", "train", "experiments"]),
    ("viz", &["experiments"]),
    ("gradcheck", &["config", "plan", "model", "optim"]),
    ("bench", &["config", "plan", "train", "data", "model", "optim", "kernels", "rng"]),
];

/// The crate modules a line of code uses (`crate::name`), ignoring comments.
fn uses(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let name: String = rest[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        out.push(name);
        rest = &rest[i + 7..];
    }
    out
}

fn check_dir(root: &Path, module: &str, allowed: &[&str], errors: &mut Vec<String>) {
    let path = root.join(format!("src/{module}.rs"));
    let files: Vec<std::path::PathBuf> = if path.exists() {
        vec![path]
    } else {
        std::fs::read_dir(root.join(format!("src/{module}")))
            .unwrap_or_else(|e| panic!("src/{module}: {e}"))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect()
    };
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // A module's own tests (its `#[cfg(test)]` part, at the end) may use anything.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            for used in uses(line) {
                if used != module && !allowed.contains(&used.as_str()) {
                    errors.push(format!("{}:{}: {module} uses crate::{used}", file.display(), n + 1));
                }
            }
        }
    }
}

#[test]
fn each_layer_uses_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut errors = Vec::new();
    for (module, allowed) in ALLOWED {
        check_dir(root, module, allowed, &mut errors);
    }
    assert!(errors.is_empty(), "imports against docs/architecture.md:\n{}", errors.join("\n"));
}

#[test]
fn the_check_sees_a_use_and_skips_comments() {
    assert_eq!(uses("use crate::train::Trainer; // crate::viz"), vec!["train"]);
    assert!(uses("/// see [`crate::plan::ValidConfig`]").is_empty());
    assert_eq!(uses("let x = crate::data::patterns(2, 8, 5);"), vec!["data"]);
}
