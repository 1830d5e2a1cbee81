//! The workspace's dependencies point one way (ARCHITECTURE.md): the core
//! library needs no command line, progress bar, error-boxing or thread-pool
//! crate and no crate of the workspace; the batch crate needs the core only;
//! nothing depends on the command.

use std::path::Path;

fn dependencies(manifest: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc.get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_core_depends_on_no_shell() {
    let core = dependencies("Cargo.toml");
    assert!(core.contains(&"regex".to_string()), "{core:?}");
    for banned in [
        "clap",
        "indicatif",
        "anyhow",
        "rayon",
        "walkdir",
        "boilerstrip-batch",
        "boilerstrip-cli",
        "boilerstrip-py",
    ] {
        assert!(
            !core.iter().any(|d| d == banned),
            "the core library depends on {banned}"
        );
    }
}

#[test]
fn the_batch_crate_depends_on_the_core_only() {
    let batch = dependencies("crates/boilerstrip-batch/Cargo.toml");
    assert!(batch.contains(&"boilerstrip".to_string()), "{batch:?}");
    for banned in ["clap", "anyhow", "boilerstrip-cli", "boilerstrip-py"] {
        assert!(
            !batch.iter().any(|d| d == banned),
            "boilerstrip-batch depends on {banned}"
        );
    }
}

#[test]
fn nothing_depends_on_the_command() {
    for manifest in [
        "Cargo.toml",
        "crates/boilerstrip-batch/Cargo.toml",
        "crates/boilerstrip-py/Cargo.toml",
    ] {
        assert!(
            !dependencies(manifest)
                .iter()
                .any(|d| d == "boilerstrip-cli"),
            "{manifest} depends on the command"
        );
    }
}

/// The top-level modules a crate's sources under `dir` name (`crate::x`),
/// module by module, leaving out their test modules.
fn module_uses(dir: &str) -> Vec<(String, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let mut used: Vec<String> = code
            .match_indices("crate::")
            .map(|(at, _)| {
                code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| !m.is_empty() && *m != top)
            .collect();
        used.sort();
        used.dedup();
        match out.iter_mut().find(|(m, _)| *m == top) {
            Some((_, u)) => {
                u.extend(used);
                u.sort();
                u.dedup();
            }
            None => out.push((top, used)),
        }
    }
    out
}

/// Each module names only modules before it in `order`: the stages point
/// one way, with no cycle.
fn check_order(dir: &str, order: &[&str]) {
    let mut wrong = Vec::new();
    for (module, used) in module_uses(dir) {
        if module == "lib" {
            continue;
        }
        let Some(at) = order.iter().position(|m| *m == module) else {
            wrong.push(format!("{dir}: module {module} has no place in the order"));
            continue;
        };
        for u in used {
            match order.iter().position(|m| *m == u) {
                Some(k) if k < at => {}
                _ => wrong.push(format!("{dir}: {module} uses {u}, which comes after it")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_core_modules_point_down_the_pipeline() {
    check_order(
        "src",
        &[
            "charset", "document", "site", "rules", "format", "repeated", "clean", "eval",
        ],
    );
}

#[test]
fn the_batch_modules_point_down_the_pipeline() {
    check_order(
        "crates/boilerstrip-batch/src",
        &[
            "input", "output", "ruledir", "records", "jsonl", "warc", "learn", "pipeline", "eval",
            "bench",
        ],
    );
}
