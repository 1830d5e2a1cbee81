//! The ftr-site-config importer over the whole public collection
//! (`../shared/ftr-site-config`, 2,041 files): how much of it translates,
//! and that every translation is a site file that parses, with selectors
//! that parse. Skips without `../shared`, except under CI.

use std::path::{Path, PathBuf};

/// The share of `strip:` and `body:` lines translated, recorded in the
/// README's import section; a drop below these fails.
const STRIP_RATE: f64 = 0.81;
const BODY_RATE: f64 = 0.90;

fn collection() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/ftr-site-config");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is missing: CI must have ../shared beside the repo",
            dir.display()
        );
    }
    eprintln!(
        "skipping: {} not found (clone ../shared beside the repo to run)",
        dir.display()
    );
    None
}

#[test]
fn the_whole_collection_translates_into_site_files_that_parse() {
    let Some(dir) = collection() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 2000, "{} files", files.len());
    let (mut strip, mut strip_bad, mut body, mut body_bad) = (0usize, 0, 0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let imported = boilerstrip::rules::ftr::import(name, &text);
        for (i, line) in text.lines().enumerate() {
            let directive = line.trim().split(':').next().unwrap_or("").trim();
            let refused = imported.untranslated.iter().any(|u| u.line == i + 1);
            match directive {
                "strip" => {
                    strip += 1;
                    strip_bad += usize::from(refused);
                }
                "body" => {
                    body += 1;
                    body_bad += usize::from(refused);
                }
                _ => {}
            }
        }
        let file = boilerstrip::rules::parse_rule_file(name, &imported.toml)
            .unwrap_or_else(|e| panic!("{name}: {e:?}\n{}", imported.toml));
        for rule in &file.rules {
            for css in &rule.selectors {
                assert!(
                    scraper::Selector::parse(css).is_ok(),
                    "{name}: {css:?} does not parse"
                );
            }
        }
    }
    let rate = |n: usize, bad: usize| (n - bad) as f64 / n as f64;
    let (s, b) = (rate(strip, strip_bad), rate(body, body_bad));
    eprintln!(
        "translated: strip {:.1}% ({} of {strip}), body {:.1}% ({} of {body})",
        100.0 * s,
        strip - strip_bad,
        100.0 * b,
        body - body_bad
    );
    assert!(s >= STRIP_RATE, "strip: {s:.3} < {STRIP_RATE}");
    assert!(b >= BODY_RATE, "body: {b:.3} < {BODY_RATE}");
}
