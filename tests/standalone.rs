//! The repository stands alone: no tracked file may point outside it.
//!
//! Every file `git ls-files` lists is read (binary files, such as PNGs, are skipped) and scanned
//! line by line. A line fails if it names
//! - a folder of a particular machine: the absolute prefixes in [`MACHINE_PREFIXES`], or the
//!   repository's own parent folder as an absolute path (when that is at least two levels deep);
//! - a folder beside the repository through the parent's name (`<parent>/<sibling>`);
//! - a relative path whose `..` components, resolved against the directory of the file that
//!   holds it, climb above the repository root. A climb that stays inside (a page in `www/sub/`
//!   loading `../pkg/x.js`) is fine;
//! - a relative climb onto the name of a folder beside the repository (or onto `shared`, where
//!   the reference material used to live) that does not land in a folder of the repository: a
//!   path written for another base (a crate root, a script's folder) escapes all the same.
//!
//! Only `..` components joined to a `/` are read as paths, so Rust ranges (`0..n`, `[..]`) and
//! ellipses in prose are not. The patterns are assembled at run time, so this file passes its
//! own scan.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Absolute folders that exist only on some machine (a user's home, root's, the workspace).
const MACHINE_PREFIXES: [&str; 3] = ["work", "root", "home"];

/// What the scanner knows of the repository's surroundings.
struct Surroundings {
    /// The parent folder, absolute, with `/` separators (`/srv/ci`).
    parent_abs: String,
    /// Names that must not follow the parent's name or a climb out: the parent's other entries,
    /// the repository's own folder name, and `shared`.
    outside_names: BTreeSet<String>,
    /// Tracked files and every folder above them, relative to the root (`src`, `src/lib.rs`).
    inside: BTreeSet<String>,
}

impl Surroundings {
    fn parent_name(&self) -> &str {
        self.parent_abs.rsplit('/').next().unwrap_or("")
    }
}

/// One line that points outside the repository.
#[derive(Debug, PartialEq)]
struct Finding {
    line: usize,
    why: String,
}

/// Characters a path token is made of (anything else ends it: quotes, spaces, brackets, `$`).
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-/~+@%".contains(c)
}

/// Characters that may continue a name: a match of `name` must not be preceded or followed by one.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-.".contains(c)
}

/// Every occurrence of `needle` in `line` that is not glued to a longer name on its left.
fn starts_of(line: &str, needle: &str) -> Vec<usize> {
    line.match_indices(needle)
        .map(|(i, _)| i)
        .filter(|&i| !line[..i].chars().next_back().is_some_and(is_name_char))
        .collect()
}

/// Does `line` at byte `i` continue with `name` as a whole path component?
fn component_at(line: &str, i: usize, name: &str) -> bool {
    line[i..].starts_with(name) && !line[i + name.len()..].chars().next().is_some_and(is_name_char)
}

/// Resolves the relative path `token` against `dir` (relative to the root); `None` if it climbs
/// above the root, else the resolved path.
fn resolve(dir: &str, token: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for c in token.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join("/"))
}

/// The findings of one file's text; `path` is the file's path relative to the root.
fn scan(path: &str, text: &str, s: &Surroundings) -> Vec<Finding> {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let up = "..";
    let parent = s.parent_name();
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut why: Vec<String> = Vec::new();
        for prefix in MACHINE_PREFIXES {
            let abs = format!("/{prefix}/");
            if line.contains(&abs) {
                why.push(format!("names the machine folder {abs}"));
            }
        }
        if s.parent_abs.matches('/').count() >= 2 && line.contains(&format!("{}/", s.parent_abs)) {
            why.push(format!("names the repository's parent folder {}", s.parent_abs));
        }
        if !parent.is_empty() {
            for i in starts_of(line, &format!("{parent}/")) {
                let after = i + parent.len() + 1;
                if let Some(name) = s.outside_names.iter().find(|name| component_at(line, after, name)) {
                    why.push(format!("names {parent}/{name}, a folder beside the repository"));
                }
            }
        }
        for token in line.split(|c: char| !is_path_char(c)) {
            let parts: Vec<&str> = token.split('/').collect();
            if parts.len() < 2 || !parts.contains(&up) || token.starts_with('/') || token.starts_with('~') {
                continue;
            }
            let Some(target) = resolve(dir, token) else {
                let from = if dir.is_empty() { "the root".to_string() } else { format!("{dir}/") };
                why.push(format!("`{token}` climbs out of the repository from {from}"));
                continue;
            };
            // A climb onto a folder beside the repository, read from where the path was written
            // for (a crate root, a script's folder) rather than from this file, escapes too.
            let lands_outside = !s.inside.contains(target.split('/').next().unwrap_or(""));
            let sibling = parts
                .windows(2)
                .find(|w| w[0] == up && (w[1] == "shared" || lands_outside && s.outside_names.contains(w[1])));
            if let Some(w) = sibling {
                why.push(format!("`{token}` climbs to {up}/{}, a folder beside the repository", w[1]));
            }
        }
        why.dedup();
        found.extend(why.into_iter().map(|why| Finding { line: n + 1, why }));
    }
    found
}

fn git_ls_files(root: &Path) -> Vec<String> {
    let out =
        Command::new("git").args(["ls-files", "-z"]).current_dir(root).output().unwrap_or_else(|e| {
            panic!("this test lists the tracked files with `git ls-files` and needs git on PATH: {e}")
        });
    assert!(
        out.status.success(),
        "git ls-files failed in {}: {}",
        root.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("tracked file names are UTF-8")
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn surroundings(root: &Path, files: &[String]) -> Surroundings {
    let root = root.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let parent = root.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    let repo_name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut outside_names: BTreeSet<String> = std::fs::read_dir(&parent)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    outside_names.insert(repo_name.clone());
    outside_names.insert("shared".to_string());
    // Names that are also folders inside the repository are not evidence of a climb out.
    let mut inside = BTreeSet::new();
    for f in files {
        let mut at = String::new();
        for part in f.split('/') {
            if !at.is_empty() {
                at.push('/');
            }
            at.push_str(part);
            inside.insert(at.clone());
        }
    }
    outside_names.retain(|name| (!name.is_empty() && !inside.contains(name)) || name == &repo_name);
    Surroundings { parent_abs: parent.to_string_lossy().trim_end_matches('/').to_string(), outside_names, inside }
}

#[test]
fn no_tracked_file_points_outside_the_repository() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = git_ls_files(&root);
    assert!(files.len() > 10, "git ls-files listed only {files:?}");
    let s = surroundings(&root, &files);
    let mut report = Vec::new();
    let mut scanned = 0;
    for f in &files {
        let bytes = match std::fs::read(root.join(f)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue, // deleted, not yet committed
            Err(e) => panic!("{f}: {e}"),
        };
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        if text.contains('\0') {
            continue;
        }
        scanned += 1;
        for finding in scan(f, text, &s) {
            report.push(format!("{f}:{}: {}", finding.line, finding.why));
        }
    }
    assert!(scanned > 10, "only {scanned} text files scanned");
    assert!(
        report.is_empty(),
        "{} line(s) of tracked files point outside the repository; the repository must stand alone \
         (copy what is needed into it, e.g. tests/fixtures/ or docs/, and cite that):\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_scanner_flags_what_escapes_and_spares_what_stays() {
    let up = "..";
    let s = Surroundings {
        parent_abs: "/srv/ci".to_string(),
        outside_names: ["shared", "other", "pathscope"].into_iter().map(str::to_string).collect(),
        inside: ["www", "www/sub", "www/pkg", "www/sub/page.js", "src", "README.md", "e2e", "e2e/helpers.mjs"]
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    let flagged = |path: &str, line: String| {
        let f = scan(path, &line, &s);
        assert!(!f.is_empty(), "{path}: should be flagged: {line}");
        f
    };
    let clean = |path: &str, line: String| {
        let f = scan(path, &line, &s);
        assert!(f.is_empty(), "{path}: should pass: {line}: {f:?}");
    };

    // Machine folders, the parent folder, siblings.
    for prefix in MACHINE_PREFIXES {
        flagged("README.md", format!("see /{prefix}/someone/notes.md"));
    }
    flagged("README.md", "cloned at /srv/ci/pathscope".to_string());
    flagged("README.md", "the reference in ci/shared/SPEC.md".to_string());
    flagged("src/a.rs", format!("// as `{up}/shared/REFERENCE.md` says"));
    flagged("tests/a.rs", format!("root.join(\"{up}/other/x.json\")"));
    // Climbs out, resolved from the file's folder.
    flagged("README.md", format!("[x]({up}/x.md)"));
    flagged("www/sub/page.js", format!("import '{up}/{up}/{up}/elsewhere.js';"));
    flagged("src/a.rs", format!("include_str!(\"{up}/{up}/notes.txt\")"));
    let f = flagged("bench/x.py", format!("a\nb\nopen('bench/{up}/{up}/{up}/y')"));
    assert_eq!(f[0].line, 3, "{f:?}");

    // Climbs that stay inside, and things that only look like paths.
    clean("www/sub/page.js", format!("import init from '{up}/pkg/pathscope.js';"));
    clean("www/sub/page.js", format!("fetch('{up}/{up}/README.md')"));
    clean("e2e/tests/a.test.mjs", format!("import {{ startServer }} from '{up}/helpers.mjs';"));
    clean("src/a.rs", "for i in 0..n { x[..i].len(); } // a ... b, x_1 .. x_k".to_string());
    clean("src/a.rs", "let r = &v[1..];  let s = 2..=5;".to_string());
    clean("README.md", "a network/ folder, homework/, /usr/bin/chromium, ci/other-thing".to_string());
    clean("www/sub/page.js", format!("'{up}/other/x.js' lands in www/other, inside"));
    flagged("scripts/a.sh", format!("cat \"$ROOT/{up}/shared/SPEC.md\""));
    clean("scripts/a.sh", "ROOT=\"$(cd \"$(dirname \"$0\")/..\" && pwd)\"".to_string());
}
