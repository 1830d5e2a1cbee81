//! Properties that hold for any page, checked on generated ones.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

static CLEANER: LazyLock<Cleaner> =
    LazyLock::new(|| Cleaner::new(RuleBook::shipped().unwrap(), Config::default()));

/// Lines of the kinds whole-page dumps are made of.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        // body sentences
        "[A-Z][a-z]{2,9}( [a-z]{1,9}){8,30}[.!?]",
        // menu entries, labels, teaser headlines
        "(\\* |o |- )?[A-Z][a-z]{2,9}( [A-Za-z]{2,9}){0,6}",
        // chrome the rules know
        Just("Share this post".to_string()),
        Just("Subscribe".to_string()),
        Just("Related stories".to_string()),
        Just("Advertisement".to_string()),
        Just("3 responses to “A story”".to_string()),
        Just("References".to_string()),
        Just("- Someone. (n.d.). https://example.org/a".to_string()),
        // blank lines and anything at all
        Just(String::new()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// Cleaning only removes: every output line is a line of the input.
    #[test]
    fn cleaning_never_adds_text(lines in proptest::collection::vec(line(), 0..60)) {
        let page = lines.join("\n");
        let input_lines: std::collections::HashSet<&str> = page.lines().map(str::trim_end).collect();
        let cleaned = CLEANER.clean_text(&page, None);
        for out in cleaned.text.lines().filter(|l| !l.is_empty()) {
            prop_assert!(input_lines.contains(out), "{out:?} is not a line of the input");
        }
    }

    /// Any text as an ftr-site-config file: imported or reported, never a
    /// panic, and what it yields is a valid rule file.
    #[test]
    fn ftr_import_never_panics(lines in proptest::collection::vec(prop_oneof![
        "(strip|body|title|strip_id_or_class|test_url): //[a-z]{1,5}(\\[[@a-z='\" ()1,]{0,20}\\])?",
        any::<String>(),
    ], 0..20)) {
        let imported = boilerstrip::rules::ftr::import("x.example.txt", &lines.join("\n"));
        prop_assert!(boilerstrip::rules::parse_rule_file("x.toml", &imported.toml).is_ok(), "{}", imported.toml);
    }

    /// HTML pages never panic and never yield words that were not in the page
    /// (list items get a `* ` marker: markup, not words).
    #[test]
    fn html_cleaning_never_adds_words(words in proptest::collection::vec("[a-z]{1,8}", 0..200), tags in proptest::collection::vec(0usize..6, 0..200)) {
        let open = ["<p>", "<div>", "<li>", "<a href=x>", "<h2>", "<nav>"];
        let close = ["</p>", "</div>", "</li>", "</a>", "</h2>", "</nav>"];
        let mut html = String::from("<html><body>");
        for (i, w) in words.iter().enumerate() {
            let t = tags.get(i).copied().unwrap_or(0);
            html.push_str(open[t]);
            html.push_str(w);
            html.push(' ');
            if i % 3 == 0 {
                html.push_str(close[t]);
            }
        }
        let cleaned = CLEANER.clean_html(html.as_bytes(), None);
        for w in cleaned.text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            prop_assert!(words.iter().any(|x| x == w), "{w:?} was not in the page");
        }
    }
}

/// Every fixture's expected output is an already clean article: cleaning it
/// again changes nothing.
#[test]
fn clean_articles_come_through_unchanged() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/text");
    for case in std::fs::read_dir(&root).unwrap() {
        let case = case.unwrap().path();
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let again = CLEANER.clean_text(&expected, None).text;
        assert_eq!(again, expected, "{}", case.display());
    }
}
