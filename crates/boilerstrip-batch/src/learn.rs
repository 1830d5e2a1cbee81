//! Learning a site's boilerplate from many of its pages.
//!
//! A block that appears, word for word, on a large share of one site's pages
//! is not an article's text: it is the site's footer, sign-up box, share row
//! or teaser rail. `learn` counts on how many pages each short block appears
//! and proposes a site file with the phrases above a share, each annotated
//! with how often it was seen, for a person to review and edit.

use crate::input::{Body, InputPage};
use boilerstrip::clean::Cleaner;
use boilerstrip::document::Document;
use std::collections::HashMap;

/// Blocks longer than this are not considered (article paragraphs).
const MAX_WORDS: u32 = 40;
/// Distinct blocks a learner keeps: memory stays bounded on any site. Once
/// full, blocks not seen before are not counted.
pub const MAX_PHRASES: usize = 100_000;

/// A phrase that repeats across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    /// The block's text, whitespace collapsed.
    pub phrase: String,
    /// Pages it appears on.
    pub pages: usize,
    /// Whether a rule in force already removes it.
    pub covered: bool,
}

/// An HTML element (as a selector) that holds only repeated blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedHolder {
    /// `tag#id` or `tag.class`.
    pub selector: String,
    /// Pages it appears on.
    pub pages: usize,
}

/// Counts, page by page, the short blocks of one site.
#[derive(Debug, Default)]
pub struct Learner {
    pages: usize,
    counts: HashMap<String, (usize, bool)>,
    /// For HTML pages: per holder selector, the pages it was on and every
    /// block seen inside it (a holder is proposed only if all of them repeat).
    holders: HashMap<String, (usize, std::collections::HashSet<String>)>,
}

impl Learner {
    /// A learner over the pages of `inputs` (files or directories), each read
    /// as a page of `site`; with the inputs that could not be walked, then the
    /// pages that could not be read, in input order.
    pub fn from_inputs(
        cleaner: &Cleaner,
        inputs: &[std::path::PathBuf],
        site: &boilerstrip::site::Site,
    ) -> (Learner, Vec<crate::input::InputError>) {
        let (files, mut errors) = crate::input::collect(inputs, false);
        let mut learner = Learner::default();
        for f in &files {
            match crate::input::read_page(&f.path, None, Some(site)) {
                Ok(page) => learner.add(cleaner, &page),
                Err(e) => errors.push(e),
            }
        }
        (learner, errors)
    }

    /// Adds one page (its blocks are counted once each), read with its
    /// site as far as given or guessed ([`InputPage::site`]; an HTML page's
    /// own URL wins over a guess, as when it is cleaned).
    pub fn add(&mut self, cleaner: &Cleaner, page: &InputPage) {
        let (rendered, site) = match &page.body {
            Body::Html(bytes) => {
                let p = cleaner.render_html(bytes, page.site.as_ref());
                (p.rendered, p.site)
            }
            Body::Text(_) => (Default::default(), page.site.clone()),
        };
        let doc = match &page.body {
            Body::Text(t) => Document::from_text(t),
            Body::Html(_) => Document::from_rendered(&rendered),
        };
        let rules = cleaner.book().for_site(site.as_ref().map(|s| s.host()));
        let mut seen = std::collections::HashSet::new();
        let mut holders_here = std::collections::HashSet::new();
        for b in &doc.blocks {
            let phrase = b.visible.split_whitespace().collect::<Vec<_>>().join(" ");
            let phrase = phrase
                .trim_start_matches(['*', '-', '+', '•', ' '])
                .to_string();
            if let Some(h) = b.html.and_then(|h| h.holder) {
                let selector = &rendered.holders[h as usize];
                if self.holders.len() < MAX_PHRASES || self.holders.contains_key(selector) {
                    let entry = self.holders.entry(selector.clone()).or_default();
                    if holders_here.insert(selector.clone()) {
                        entry.0 += 1;
                    }
                    if entry.1.len() < 1000 {
                        entry.1.insert(phrase.clone());
                    }
                }
            }
            if b.features.words == 0 || b.features.words > MAX_WORDS {
                continue;
            }
            if phrase.is_empty() || !seen.insert(phrase.clone()) {
                continue;
            }
            let covered = b.html.is_some_and(|h| h.selected.is_some())
                || rules.match_block(&b.visible, b.features.words).is_some();
            if self.counts.len() >= MAX_PHRASES && !self.counts.contains_key(&phrase) {
                continue;
            }
            let entry = self.counts.entry(phrase).or_insert((0, covered));
            entry.0 += 1;
        }
        self.pages += 1;
    }

    /// Pages added.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Phrases on at least `min_share` of the pages and at least `min_pages`
    /// pages, most frequent first.
    pub fn repeated(&self, min_share: f64, min_pages: usize) -> Vec<Learned> {
        let need = ((self.pages as f64 * min_share).ceil() as usize).max(min_pages);
        let mut out: Vec<Learned> = self
            .counts
            .iter()
            .filter(|(_, (n, _))| *n >= need)
            .map(|(p, &(pages, covered))| Learned {
                phrase: p.clone(),
                pages,
                covered,
            })
            .collect();
        out.sort_by(|a, b| b.pages.cmp(&a.pages).then(a.phrase.cmp(&b.phrase)));
        out
    }
}

impl Learner {
    /// HTML elements on at least `min_share` of the pages (and `min_pages`)
    /// all of whose blocks are repeated phrases in `learned`: elements that
    /// hold nothing but site chrome.
    pub fn repeated_holders(
        &self,
        learned: &[Learned],
        min_share: f64,
        min_pages: usize,
    ) -> Vec<LearnedHolder> {
        let need = ((self.pages as f64 * min_share).ceil() as usize).max(min_pages);
        let repeated: std::collections::HashSet<&str> =
            learned.iter().map(|l| l.phrase.as_str()).collect();
        let mut out: Vec<LearnedHolder> = self
            .holders
            .iter()
            .filter(|(_, (n, phrases))| {
                *n >= need
                    && !phrases.is_empty()
                    && phrases
                        .iter()
                        .all(|p| p.is_empty() || repeated.contains(p.as_str()))
            })
            .map(|(s, (n, _))| LearnedHolder {
                selector: s.clone(),
                pages: *n,
            })
            .collect();
        out.sort_by(|a, b| b.pages.cmp(&a.pages).then(a.selector.cmp(&b.selector)));
        out
    }
}

/// A proposed site file for `host`: the learned phrases not already covered
/// by a rule, and (HTML) the elements that hold only repeated blocks, each
/// with the share of pages it was seen on.
pub fn propose_with_holders(
    host: &str,
    pages: usize,
    learned: &[Learned],
    holders: &[LearnedHolder],
) -> String {
    let mut s = propose(host, pages, learned);
    if holders.is_empty() {
        return s;
    }
    let items: Vec<(&str, usize)> = holders
        .iter()
        .map(|h| (h.selector.as_str(), h.pages))
        .collect();
    push_rule(
        &mut s,
        &format!("{}.learned-elements", boilerstrip::rules::id_prefix(host)),
        "Elements that hold nothing but repeated blocks (learned)",
        "selectors",
        &items,
        pages,
    );
    s
}

/// Appends a learned rule: its phrases or selectors, each with the number
/// and share of pages it was seen on.
fn push_rule(
    s: &mut String,
    id: &str,
    description: &str,
    key: &str,
    items: &[(&str, usize)],
    pages: usize,
) {
    s.push_str(&format!(
        "\n[[rule]]\nid = \"{id}\"\ncategory = \"navigation\"\ndescription = \"{description}\"\n{key} = [\n"
    ));
    for (item, n) in items {
        let share = 100.0 * *n as f64 / pages.max(1) as f64;
        let quoted = toml::Value::String(item.to_string()).to_string();
        s.push_str(&format!("  {quoted},  # {n}/{pages} pages ({share:.0}%)\n"));
    }
    s.push_str("]\n");
}

/// A proposed site file for `host` from learned phrases (those not already
/// covered by a rule), with the share of pages next to each phrase.
pub fn propose(host: &str, pages: usize, learned: &[Learned]) -> String {
    let fresh: Vec<&Learned> = learned.iter().filter(|l| !l.covered).collect();
    let mut s = format!(
        "# Proposed by `boilerstrip learn` from {pages} page(s) of {host}.\n\
         # Every phrase below stands, word for word, on the share of pages noted\n\
         # beside it. Review it: delete what is article text, set the category.\n\
         # {} repeated block(s) were already removed by rules in force.\n",
        learned.len() - fresh.len()
    );
    if fresh.is_empty() {
        s.push_str("# Nothing new to propose.\n");
        return s;
    }
    let items: Vec<(&str, usize)> = fresh.iter().map(|l| (l.phrase.as_str(), l.pages)).collect();
    push_rule(
        &mut s,
        &format!("{}.learned", boilerstrip::rules::id_prefix(host)),
        "Blocks repeated across the site's pages (learned)",
        "phrases",
        &items,
        pages,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use boilerstrip::clean::Config;
    use boilerstrip::rules::{RuleBook, parse_rule_file};

    fn text_page(body: &str) -> InputPage {
        InputPage {
            body: Body::Text(body.to_string()),
            site: None,
            bytes: body.len() as u64,
        }
    }

    #[test]
    fn html_elements_holding_only_repeated_blocks_are_proposed() {
        let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
        let mut learner = Learner::default();
        for i in 0..5 {
            let html = format!(
                "<body><div class=masthead>Harbor Gazette daily edition</div><div class=story><p>Story {i} tells of the ferry, the bridge and the weather on the bay this week.</p><p>Printed by Harbor Press</p></div><div class=colophon><p>Harbor Gazette is printed on recycled paper</p></div></body>"
            );
            let page = InputPage {
                body: Body::Html(html.clone().into_bytes()),
                site: None,
                bytes: html.len() as u64,
            };
            learner.add(&cleaner, &page);
        }
        let learned = learner.repeated(0.5, 3);
        let holders = learner.repeated_holders(&learned, 0.5, 3);
        let selectors: Vec<&str> = holders.iter().map(|h| h.selector.as_str()).collect();
        assert_eq!(
            selectors,
            vec!["div.colophon", "div.masthead"],
            "the story also holds its own text"
        );
        let toml = propose_with_holders("example.com", learner.pages(), &learned, &holders);
        let file = parse_rule_file("learned.toml", &toml).unwrap();
        assert_eq!(
            file.rules[1].selectors,
            vec!["div.colophon".to_string(), "div.masthead".to_string()]
        );
    }

    #[test]
    fn repeated_blocks_become_a_site_file_that_parses() {
        let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
        let mut learner = Learner::default();
        for i in 0..10 {
            let mut page = format!(
                "Harbor Gazette: \"all the news\"\nShare this post\nStory number {i} is about the ferry, the bridge and the weather this week.\n"
            );
            if i < 4 {
                page.push_str("Sponsored by the Harbor Bakery\n");
            }
            learner.add(&cleaner, &text_page(&page));
        }
        let learned = learner.repeated(0.5, 3);
        let phrases: Vec<(&str, usize, bool)> = learned
            .iter()
            .map(|l| (l.phrase.as_str(), l.pages, l.covered))
            .collect();
        assert_eq!(
            phrases,
            vec![
                ("Harbor Gazette: \"all the news\"", 10, false),
                ("Share this post", 10, true)
            ]
        );
        let toml = propose("example.com", learner.pages(), &learned);
        assert!(
            toml.contains("# 1 repeated block(s) were already removed"),
            "{toml}"
        );
        assert!(toml.contains("10/10 pages (100%)"), "{toml}");
        let file = parse_rule_file("learned.toml", &toml).unwrap();
        assert_eq!(file.rules[0].id, "example.com.learned");
        assert_eq!(
            file.rules[0].phrases,
            vec!["Harbor Gazette: \"all the news\"".to_string()]
        );
    }
}
