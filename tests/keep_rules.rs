//! A keep rule wins over any other, whatever element it selects: the
//! page's `<html>`, `<body>`, `<main>` and `<article>` as much as a `<div>`
//! (a rule that drops never takes those, so the frame of a page is safe
//! from a class that merely mentions "promo").

use boilerstrip::rules::RuleDir;
use boilerstrip::{Cleaner, Config, RuleBook};

/// A page whose story is in `<{tag} class="story">`, with a promo box
/// inside it that a site rule strips, and a share line the shipped share
/// rule removes.
fn page(tag: &str) -> String {
    let story = "<h1>Harbour ferry returns</h1>\
        <p>The night ferry across the bay returned to service on Monday after four months in dry dock, its owners said.</p>\
        <div class=\"promo-box\"><p>Ferry timetables for the whole coast, updated daily and free to download.</p></div>\
        <p>Share this article</p>\
        <p>Passengers queued from early evening, and the first crossing left the harbour a few minutes after nine.</p>";
    let (open, close) = match tag {
        "html" => ("<html class=\"story\"><body>", "</body></html>"),
        "body" => ("<html><body class=\"story\">", "</body></html>"),
        _ => ("<html><body>", "</body></html>"),
    };
    let inner = match tag {
        "html" | "body" => story.to_string(),
        _ => format!("<{tag} class=\"story\">{story}</{tag}>"),
    };
    format!("{open}<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>{inner}{close}")
}

fn book(rules: &str) -> (tempfile::TempDir, RuleBook) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("sites")).unwrap();
    std::fs::write(tmp.path().join("sites/harbour.example.toml"), rules).unwrap();
    let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
    (tmp, book)
}

fn site() -> boilerstrip::Site {
    "harbour.example".parse().unwrap()
}

const STRIP: &str =
    "[[rule]]\nid = \"harbour.promo\"\ncategory = \"ads\"\nselectors = [\".promo-box\"]\n";

#[test]
fn a_keep_rule_protects_its_element_of_every_kind() {
    for tag in ["div", "section", "main", "article", "body", "html"] {
        let keep = format!(
            "{STRIP}\n[[rule]]\nid = \"harbour.story\"\ncategory = \"keep\"\nselectors = [\"{tag}.story\"]\n"
        );
        let (_tmp, book) = book(&keep);
        let cleaner = Cleaner::new(book, Config::default());
        let cleaned = cleaner.clean_html(page(tag).as_bytes(), Some(&site()));
        for kept in [
            "The night ferry across the bay",
            "Ferry timetables for the whole coast",
            "Share this article",
            "Passengers queued from early evening",
        ] {
            assert!(
                cleaned.text.contains(kept),
                "<{tag}>: {kept:?} lost\n{}",
                cleaned.text
            );
        }
    }
}

#[test]
fn without_the_keep_rule_the_strip_and_share_rules_remove_their_blocks() {
    for tag in ["div", "section", "main", "article", "body", "html"] {
        let (_tmp, book) = book(STRIP);
        let cleaner = Cleaner::new(book, Config::default());
        let cleaned = cleaner.clean_html(page(tag).as_bytes(), Some(&site()));
        assert!(
            cleaned.text.contains("The night ferry across the bay"),
            "<{tag}>"
        );
        assert!(cleaned.text.contains("Passengers queued"), "<{tag}>");
        assert!(
            !cleaned.text.contains("Ferry timetables"),
            "<{tag}>: {}",
            cleaned.text
        );
        assert!(!cleaned.text.contains("Share this article"), "<{tag}>");
    }
}

#[test]
fn a_rule_that_drops_never_takes_the_frame_of_the_page() {
    for tag in ["main", "article", "body", "html"] {
        let drop = format!(
            "[[rule]]\nid = \"harbour.story\"\ncategory = \"ads\"\nselectors = [\"{tag}.story\"]\n"
        );
        let (_tmp, book) = book(&drop);
        let cleaner = Cleaner::new(book, Config::default());
        let cleaned = cleaner.clean_html(page(tag).as_bytes(), Some(&site()));
        assert!(
            cleaned.text.contains("The night ferry across the bay"),
            "<{tag}>: {}",
            cleaned.text
        );
    }
}
