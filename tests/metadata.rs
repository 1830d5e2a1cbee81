//! Walks `fixtures/metadata/<case>/{input.html | input.txt,
//! expected-metadata.json}`: each page is cleaned with metadata asked for,
//! and its metadata must be the expected JSON, field for field. The author
//! is out of the body, and a byline the cleaner took out names them.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::{Category, RuleBook};
use std::path::Path;

#[test]
fn metadata_fixtures() {
    let cleaner = Cleaner::new(
        RuleBook::shipped().unwrap(),
        Config::default().metadata(true),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/metadata");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 7,
        "fixtures missing under {}",
        root.display()
    );
    let mut failures = String::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let cleaned = if case.join("input.html").is_file() {
            cleaner.clean_html(&std::fs::read(case.join("input.html")).unwrap(), None)
        } else {
            cleaner.clean_text(
                &std::fs::read_to_string(case.join("input.txt")).unwrap(),
                None,
            )
        };
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(case.join("expected-metadata.json")).unwrap(),
        )
        .unwrap();
        let got = cleaned
            .metadata
            .as_ref()
            .expect("metadata asked for")
            .to_json();
        if got != expected {
            failures.push_str(&format!("{name}:\n"));
            for (k, want) in expected.as_object().unwrap() {
                if got.get(k) != Some(want) {
                    failures.push_str(&format!("  {k}: expected {want}, got {}\n", got[k]));
                }
            }
        }
        // The byline is out of the body, and a byline the cleaner removed
        // names the metadata's author.
        let bylines: Vec<&str> = cleaned
            .removals
            .iter()
            .filter(|r| matches!(r.category, Category::Byline | Category::Outside))
            .map(|r| cleaned.text_of(r))
            .filter(|t| {
                ["By ", "Von ", "Written by ", "Posted by "]
                    .iter()
                    .any(|w| t.starts_with(w))
            })
            .collect();
        if let Some(author) = got["author"].as_str() {
            for n in author.split("; ") {
                if cleaned.text.contains(n) {
                    failures.push_str(&format!("{name}: the body still names {n:?}\n"));
                }
                if bylines.iter().any(|b| !b.contains(n)) {
                    failures.push_str(&format!(
                        "{name}: the removed bylines {bylines:?} do not name {n:?}\n"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}
