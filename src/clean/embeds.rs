//! Embedded social posts in text dumps.
//!
//! An embedded post shows up as its text, often cut short and ending with a
//! `pic.twitter.com/…` link, then an attribution line `— Name (@handle) Month D,
//! YYYY`. The attribution line is the anchor; the lines above it belong to the
//! post while they fit in a post's length (280 characters, links counted as 23,
//! with room for the "…" cut) and do not read as the article quoting someone.

use super::{By, Mark, Page, Tuning};
use crate::rules::Category;
use regex::Regex;
use std::sync::LazyLock;

static ATTRIBUTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[—–-]\s*.+\(@\w+\)\s+[A-Z][a-z]+\.? \d{1,2}, \d{4}$").unwrap());
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\S*(?:https?://|pic\.twitter\.com/|www\.)\S*").unwrap());
static REPORTED_SPEECH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[”"],?\s+(?:\w+\s+){0,3}(?:said|says|wrote|writes|added|told|tweeted|posted)\b"#)
        .unwrap()
});

/// The name of this detector in reports.
pub(crate) const NAME: &str = "embedded-post";

/// Whether a block is an embedded post's attribution line.
pub(crate) fn is_attribution(b: &crate::document::Block<'_>, tuning: &Tuning) -> bool {
    let t = b.visible.as_ref();
    b.features.words <= tuning.attribution_max_words
        && t.starts_with(['—', '–', '-'])
        && ATTRIBUTION.is_match(t)
}

pub(crate) fn remove_embedded_posts(page: &mut Page<'_, '_>) {
    for i in 0..page.blocks.len() {
        if !is_attribution(&page.blocks[i], page.tuning) {
            continue;
        }
        page.remove(i, Category::Share, By::Detector(NAME, 1.0));
        let post_budget = page.tuning.post_budget;
        let mut budget = post_budget;
        for j in (0..i).rev() {
            let text = page.blocks[j].visible.as_ref();
            let len = post_length(text);
            if matches!(page.marks[j], Mark::Protected)
                || len > budget
                || (j + 1 < i && REPORTED_SPEECH.is_match(text))
            {
                break;
            }
            budget -= len;
            let score = 1.0 - budget as f32 / post_budget as f32;
            page.remove(j, Category::Share, By::Detector(NAME, score));
            // A post is one paragraph: a blank line above its first line
            // ends it (above it is the article's lead-in, "See tweets:").
            if page.blocks[j].blank_before {
                break;
            }
        }
    }
}

/// Length of a post's text as the network counts it: every link is 23.
fn post_length(text: &str) -> usize {
    let mut len = text.chars().count();
    for m in LINK.find_iter(text) {
        len = len - m.as_str().chars().count() + 23;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_lines() {
        assert!(ATTRIBUTION.is_match(
            "— Volodymyr Zelenskyy / Володимир Зеленський (@ZelenskyyUa) February 12, 2025"
        ));
        assert!(ATTRIBUTION.is_match("— NWS Boston (@NWSBoston) Nov. 19, 2019"));
        assert!(!ATTRIBUTION.is_match("— and then he left, on February 12, 2025."));
    }

    #[test]
    fn a_post_ends_at_the_blank_line_above_it() {
        let page = "The senate met again on Tuesday after its recess, the clerk said in a statement.\n\n\
                    The details of the session were shared on the senate's account.\n\n\
                    See tweets:\n\n\
                    Senate resolves to:\n\
                    Observe a minute silence in honour of the departed.\n\n\
                    — The Senate (@Senate) October 9, 2018\n";
        let cleaner = crate::clean::Cleaner::new(
            crate::rules::RuleBook::shipped().unwrap(),
            crate::clean::Config::default(),
        );
        let cleaned = cleaner.clean_text(page, None);
        let by_post: Vec<&str> = cleaned
            .removals
            .iter()
            .filter(|r| matches!(&r.by, crate::clean::RemovedBy::Detector { name, .. } if *name == NAME))
            .map(|r| cleaned.text_of(r))
            .collect();
        assert_eq!(
            by_post,
            [
                "Senate resolves to:",
                "Observe a minute silence in honour of the departed."
            ]
        );
        // The attribution goes too (a rule names it).
        assert!(!cleaned.text.contains("@Senate"), "{}", cleaned.text);
    }

    #[test]
    fn links_count_as_23() {
        assert_eq!(post_length("see pic.twitter.com/flmigxqtbl"), 4 + 23);
    }
}
