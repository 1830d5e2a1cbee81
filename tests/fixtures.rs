//! Walks `fixtures/text/<case>/{input.txt, expected.txt}`, cleans each input
//! with the shipped rules and compares with the expected output, printing a
//! line diff of every failing case.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use boilerstrip::site::Site;
use std::path::Path;

fn line_diff(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut out = String::new();
    for l in &e {
        if !g.contains(l) {
            out.push_str(&format!("  - (missing) {l}\n"));
        }
    }
    for l in &g {
        if !e.contains(l) {
            out.push_str(&format!("  + (extra)   {l}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("  (same lines, different order or blank lines)\n");
    }
    out
}

/// Cleans every fixture's `input.txt` and compares it with `expected.txt`
/// (and, where present, the `--plain` output with `expected-plain.txt`).
/// The case folders under `fixtures/<kind>`, sorted; at least `min` of them.
fn cases(kind: &str, min: usize) -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(kind);
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= min,
        "fixtures missing under {}",
        root.display()
    );
    cases
}

#[test]
fn text_fixtures() {
    let verbatim = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
    let plain = Cleaner::new(RuleBook::shipped().unwrap(), Config::default().plain(true));
    let cases = cases("text", 15);
    let mut failures = String::new();
    for case in &cases {
        let input = std::fs::read_to_string(case.join("input.txt")).unwrap();
        let site = std::fs::read_to_string(case.join("site")).ok().map(|s| {
            s.trim()
                .parse::<Site>()
                .expect("the case's site file names a site")
        });
        for (cleaner, expected_file) in
            [(&verbatim, "expected.txt"), (&plain, "expected-plain.txt")]
        {
            let Ok(expected) = std::fs::read_to_string(case.join(expected_file)) else {
                assert_ne!(
                    expected_file,
                    "expected.txt",
                    "{} has no expected.txt",
                    case.display()
                );
                continue;
            };
            let got = cleaner.clean_text(&input, site.as_ref()).text;
            if got != expected {
                failures.push_str(&format!(
                    "{} ({expected_file}):\n{}",
                    case.file_name().unwrap().to_string_lossy(),
                    line_diff(&expected, &got)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "fixtures that differ:\n{failures}");
}

/// Walks `fixtures/html/<case>/{input.html, expected.txt}`.
#[test]
fn html_fixtures() {
    let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
    let cases = cases("html", 5);
    let mut failures = String::new();
    for case in &cases {
        let input = std::fs::read(case.join("input.html")).unwrap();
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let got = cleaner.clean_html(&input, None).text;
        if got != expected {
            failures.push_str(&format!(
                "{}:\n{}",
                case.file_name().unwrap().to_string_lossy(),
                line_diff(&expected, &got)
            ));
        }
    }
    assert!(failures.is_empty(), "fixtures that differ:\n{failures}");
}

/// Seeds 000 and 002 are clean articles: they must come out as they went in.
#[test]
fn clean_seeds_come_out_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/text");
    for name in ["seed-000_f381d3a825b32c3b", "seed-002_10bb93b6963f5f48"] {
        let input = std::fs::read_to_string(root.join(name).join("input.txt")).unwrap();
        let expected = std::fs::read_to_string(root.join(name).join("expected.txt")).unwrap();
        assert_eq!(expected.trim_end(), input.trim_end(), "{name}");
    }
}

/// Every removal in the seeds names its rule or detector, and the boilerplate
/// the seeds show is removed for the right reason.
#[test]
fn seed_removals_name_their_reasons() {
    let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/text");
    let read = |n: &str| std::fs::read_to_string(root.join(n).join("input.txt")).unwrap();
    let reasons = |n: &str| {
        let c = cleaner.clean_text(&read(n), None);
        c.removals
            .iter()
            .map(|r| {
                (
                    c.text_of(r).chars().take(24).collect::<String>(),
                    c.reason_id(r).to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let r = reasons("seed-001_8f48ba093bf513c2");
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0].1, "embedded-post");
    assert_eq!(r[1].1, "share.pic-link");
    assert_eq!(r[2].1, "share.embed-attribution");
    let r = reasons("seed-003_64706d191d4acd2b");
    assert_eq!(
        r[0],
        ("References".to_string(), "references.heading".to_string())
    );
    assert_eq!(r.len(), 9);
    let r = reasons("seed-004_8d04ff4db6813dcb");
    let count = |id: &str| r.iter().filter(|(_, i)| i == id).count();
    assert_eq!(count("repeated-title"), 1);
    assert_eq!(count("share.buttons"), 2);
    assert_eq!(count("teaser-card"), 16, "four cards of four blocks: {r:?}");
    assert!(count("subscribe.prompts") >= 4);
}

/// A page with no article (a gallery index) falls back to the page cleaned by
/// rules alone, and says so.
#[test]
fn a_page_without_an_article_falls_back_and_says_so() {
    let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
    let page = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/html/no-article/input.html"),
    )
    .unwrap();
    let cleaned = cleaner.clean_html(&page, None);
    assert!(cleaned.fallback);
    assert!(cleaned.text.contains("Storm damage on the north pier"));
    assert!(!cleaned.text.contains("Next") && !cleaned.text.contains("©"));
    let news = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/html/news-article/input.html"),
    )
    .unwrap();
    assert!(!cleaner.clean_html(&news, None).fallback);
}
