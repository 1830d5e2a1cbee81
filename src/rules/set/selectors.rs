//! Selector rules: which rule an HTML element matches.

use crate::rules::prefilter::Prefilter;
use crate::rules::{Action, Rule};

thread_local! {
    /// Each worker's list of the selectors an element may match.
    static CANDIDATES: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The selectors of a rule set, behind a prefilter that tells, by tag and
/// attribute texts, which of them an element may match (see
/// [`crate::rules::prefilter`]).
#[derive(Debug, Clone)]
pub(super) struct Selectors {
    prefilter: Prefilter,
    /// Each selector, in rule order, with its rule.
    selectors: Vec<Selector>,
}

#[derive(Debug, Clone)]
struct Selector {
    parsed: scraper::Selector,
    rule: u32,
    /// Whether its rule is a keep rule (which wins over any other).
    keep: bool,
}

impl Selectors {
    /// The selectors of `rules`, parsed when their files were read.
    pub(super) fn new(rules: &[Rule]) -> Selectors {
        let mut selectors = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for sel in &rule.selectors {
                selectors.push(Selector {
                    parsed: sel.selector().clone(),
                    rule: i as u32,
                    keep: rule.action == Action::Keep,
                });
            }
        }
        let prefilter = Prefilter::new(
            rules
                .iter()
                .flat_map(|r| r.selectors.iter().map(|s| s.as_str())),
        );
        Selectors {
            prefilter,
            selectors,
        }
    }

    /// Whether there are any.
    pub(super) fn is_empty(&self) -> bool {
        self.selectors.is_empty()
    }

    /// The rule (index) of the selector an element matches, if any: a keep
    /// rule wins, otherwise the first in rule order.
    pub(super) fn select(&self, element: &scraper::ElementRef<'_>) -> Option<usize> {
        if self.selectors.is_empty() {
            return None;
        }
        CANDIDATES.with_borrow_mut(|candidates| {
            self.prefilter.candidates(element.value(), candidates);
            let (mut keep, mut drop) = (None::<usize>, None::<usize>);
            for &k in candidates.iter() {
                let sel = &self.selectors[k as usize];
                let rule = sel.rule as usize;
                let best = if sel.keep { &mut keep } else { &mut drop };
                if best.is_none_or(|b| rule < b) && sel.parsed.matches(element) {
                    *best = Some(rule);
                }
            }
            keep.or(drop)
        })
    }

    /// What testing every selector in turn gives: the reference the
    /// prefilter is held to.
    #[cfg(test)]
    fn select_naively(&self, element: &scraper::ElementRef<'_>) -> Option<usize> {
        let matching = self.selectors.iter().filter(|s| s.parsed.matches(element));
        let (keep, drop): (Vec<&Selector>, Vec<&Selector>) = matching.partition(|s| s.keep);
        let first = |v: Vec<&Selector>| v.iter().map(|s| s.rule as usize).min();
        first(keep).or(first(drop))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn selectors(src: &str) -> Selectors {
        Selectors::new(&parse_rule_file("t.toml", src).unwrap().rules)
    }

    /// The rule each element of `html` with an id gets, by id.
    fn selected(s: &Selectors, html: &str) -> Vec<(String, Option<usize>)> {
        let html = scraper::Html::parse_document(html);
        html.tree
            .nodes()
            .filter_map(scraper::ElementRef::wrap)
            .filter_map(|el| Some((el.value().id()?.to_string(), s.select(&el))))
            .collect()
    }

    const RULES: &str = concat!(
        "[[rule]]\nid = \"share\"\ncategory = \"share\"\nselectors = [\".share-buttons\", \"ul.social a\"]\n",
        "[[rule]]\nid = \"news\"\ncategory = \"subscribe\"\nselectors = ['[class*=\"newsletter\"]']\n",
        "[[rule]]\nid = \"keep-quote\"\ncategory = \"keep\"\nselectors = [\"blockquote.pull-quote\"]\n",
        "[[rule]]\nid = \"phrase\"\ncategory = \"share\"\nphrases = [\"Share\"]\n",
    );

    #[test]
    fn a_selector_on_a_class_names_its_rule() {
        let s = selectors(RULES);
        let got = selected(
            &s,
            r#"<!doctype html><div id="a" class="share-buttons"><a id="b" href="/x">x</a></div>
<ul id="c" class="social"><li id="d"><a id="e" href="/t">t</a></li></ul>
<p id="f" class="share">not the class</p>"#,
        );
        assert_eq!(
            got,
            [
                ("a".into(), Some(0)),
                ("b".into(), None),
                ("c".into(), None),
                ("d".into(), None),
                ("e".into(), Some(0)),
                ("f".into(), None),
            ]
        );
    }

    #[test]
    fn a_keep_rule_wins_and_otherwise_the_first_rule() {
        let s = selectors(RULES);
        let got = selected(
            &s,
            r#"<!doctype html><blockquote id="q" class="pull-quote share-buttons">q</blockquote>
<div id="n" class="share-buttons newsletter-box">n</div>"#,
        );
        assert_eq!(got, [("q".into(), Some(2)), ("n".into(), Some(0))]);
        assert!(!s.is_empty());
        assert!(
            selectors("[[rule]]\nid = \"p\"\ncategory = \"share\"\nphrases = [\"x\"]\n").is_empty()
        );
    }

    #[test]
    fn the_prefilter_loses_no_match() {
        // Every element of the HTML fixtures, and of a page holding the
        // class words of every shipped selector, gets the rule that testing
        // each selector in turn gives.
        let book = crate::rules::RuleBook::shipped().unwrap();
        let set = Selectors::new(book.for_site(None).rules());
        let mut pages: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/html"))
                .unwrap()
                .map(|e| {
                    std::fs::read_to_string(e.unwrap().path().join("input.html"))
                        .unwrap_or_default()
                })
                // (not the 50 000 nested elements of the deep-nesting case)
                .filter(|p| p.len() < 200_000)
                .collect();
        pages.push(
            r#"<div class="Cookie-Bar"><p class="tags">t</p><aside class="x js-related-box">r</aside>
<section id="related-1"><nav role="navigation" class="post-tags"><a>x</a></nav></section>
<ins class="adsbygoogle"></ins><div id="div-gpt-ad-1"></div><div style="display: none">h</div>
<figcaption>c</figcaption><div class="author-box rating-stars newsletter-signup">b</div></div>"#
                .to_string(),
        );
        let mut checked = 0;
        for page in &pages {
            let html = scraper::Html::parse_document(page);
            for el in html.tree.nodes().filter_map(scraper::ElementRef::wrap) {
                let naive = set.select_naively(&el);
                assert_eq!(
                    set.select(&el),
                    naive,
                    "{}",
                    el.html().chars().take(120).collect::<String>()
                );
                checked += naive.is_some() as usize;
            }
        }
        assert!(checked >= 10, "the pages hold selected elements: {checked}");
    }
}
