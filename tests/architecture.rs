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
