//! A compiled, immutable set of rules: four matchers, each on its own
//! part of the rules, and the decision over what they find.
//!
//! - [`head::HeadPhrases`]: line and prefix phrases, matched at a block's
//!   start (an anchored trie behind a filter of first bytes);
//! - [`phrases::ContainsPhrases`]: contains phrases, and the strings
//!   floating patterns need, found in one search of the lower-cased page;
//! - [`patterns::Patterns`]: regex patterns, behind gates that rule most
//!   blocks out for all of them at once;
//! - [`selectors::Selectors`]: CSS selectors, behind a prefilter of tags
//!   and attribute texts.

mod head;
mod patterns;
mod phrases;
mod selectors;

use super::{Action, Rule};
use crate::document::strip_bullet;
use std::sync::Arc;

/// Why a rule set did not compile: every rule was checked when its file
/// was read, so only an automaton built over many rules can fail, on a
/// resource limit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// An automaton built over many rules (a resource limit).
    #[error("{0}")]
    Automaton(String),
}

impl CompileError {
    fn automaton(e: impl std::fmt::Display) -> CompileError {
        CompileError::Automaton(e.to_string())
    }
}

/// Rules compiled for matching: built once, shared by every worker.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// The text matchers, shared with the defaults' set by a site's set that
    /// adds selector rules alone (see [`RuleSet::with_selector_rules`]).
    head: Arc<head::HeadPhrases>,
    contains: Arc<phrases::ContainsPhrases>,
    patterns: Arc<patterns::Patterns>,
    selectors: selectors::Selectors,
}

/// A rule that matched a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index of the rule in [`RuleSet::rules`].
    pub index: usize,
    /// The rule's action.
    pub action: Action,
}

/// A rule of a compiled set, with a handle of the set it belongs to: a
/// removal names its rule this way, so it can never be looked up in
/// another site's set (where the same index is another rule, or none).
#[derive(Debug, Clone)]
pub struct RuleRef {
    set: Arc<RuleSet>,
    index: usize,
}

impl RuleRef {
    /// The rule.
    pub fn rule(&self) -> &Rule {
        &self.set.rules[self.index]
    }

    /// The set it belongs to.
    pub fn set(&self) -> &Arc<RuleSet> {
        &self.set
    }
}

impl PartialEq for RuleRef {
    fn eq(&self, other: &RuleRef) -> bool {
        Arc::ptr_eq(&self.set, &other.set) && self.index == other.index
    }
}

impl RuleSet {
    /// The rule at `index` of this set, as a handle that keeps the set;
    /// `None` when the set has no such rule.
    pub fn rule_ref(self: &Arc<Self>, index: usize) -> Option<RuleRef> {
        (index < self.rules.len()).then(|| RuleRef {
            set: Arc::clone(self),
            index,
        })
    }

    /// Compiles rules. Every phrase, regex and selector has been checked
    /// (and parsed) when the file was read, so compiling fails only on
    /// resource limits of the automata over many rules.
    pub fn compile(rules: Vec<Rule>) -> Result<RuleSet, CompileError> {
        let (patterns, needs) = patterns::Patterns::new(&rules)?;
        let head = head::HeadPhrases::new(&rules)?;
        let contains = phrases::ContainsPhrases::new(&rules, &needs)?;
        let selectors = selectors::Selectors::new(&rules);
        // The rows of `holds` are as wide for the search as for the patterns.
        debug_assert_eq!(contains.slots(), patterns.slots());
        Ok(RuleSet {
            rules,
            head: Arc::new(head),
            contains: Arc::new(contains),
            patterns: Arc::new(patterns),
            selectors,
        })
    }

    /// This set with `extra` rules after its own, when every one of them has
    /// selectors alone (no phrases, no regexes): the phrase and pattern
    /// matchers are this set's, shared, and only the selectors are built
    /// again. A site's layer of imported selector rules (ftr-site-config's
    /// files are nothing else) costs its selectors, not a copy of the
    /// defaults' automata. `None` when a rule has phrases or regexes.
    pub fn with_selector_rules(&self, extra: Vec<Rule>) -> Option<RuleSet> {
        if extra
            .iter()
            .any(|r| !r.phrases.is_empty() || !r.regex.is_empty())
        {
            return None;
        }
        let mut rules = self.rules.clone();
        rules.extend(extra);
        Some(RuleSet {
            selectors: selectors::Selectors::new(&rules),
            rules,
            head: Arc::clone(&self.head),
            contains: Arc::clone(&self.contains),
            patterns: Arc::clone(&self.patterns),
        })
    }

    /// The rules, in the order they were compiled.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule that decides a block, if any: a keep rule wins over any other;
    /// otherwise the first matching rule in file order.
    ///
    /// `words` is the block's word count (see [`crate::document::Features`]).
    /// For the blocks of a whole page, [`RuleSet::match_page`] does the
    /// same work faster.
    pub fn match_block(&self, text: &str, words: u32) -> Option<RuleMatch> {
        self.match_page("", &[(text, words)])[0]
    }

    /// [`RuleSet::match_block`] for every block of a page, given as
    /// `(text, words)`: contains phrases are found in one pass over the
    /// whole page, line and prefix phrases and patterns block by block.
    ///
    /// `page` is the text the blocks borrow from, if they do (blocks that
    /// do not are matched all the same): the literals of floating patterns
    /// are looked for once in it.
    pub fn match_page(&self, page: &str, blocks: &[(&str, u32)]) -> Vec<Option<RuleMatch>> {
        let stripped: Vec<&str> = blocks.iter().map(|&(t, _)| strip_bullet(t)).collect();
        let mut decisions = vec![Decision::default(); blocks.len()];
        let rules = &self.rules;
        let mut add = |k: usize, rule: u32| decisions[k].add(rules, rule, blocks[k].1);
        // Which floating patterns (by slot) each block may match.
        let mut holds = vec![false; blocks.len() * self.patterns.slots()];
        self.contains
            .find(page, blocks, &stripped, &mut add, &mut holds);
        for (k, (&(_, words), s)) in blocks.iter().zip(&stripped).enumerate() {
            self.head.find(s, words, |rule| add(k, rule));
        }
        self.patterns
            .find(page, blocks, &stripped, &holds, &mut add);
        decisions
            .into_iter()
            .map(|d| {
                d.decide().map(|i| RuleMatch {
                    index: i as usize,
                    action: self.rules[i as usize].action,
                })
            })
            .collect()
    }

    /// The selector rule an HTML element matches, if any: a keep rule wins,
    /// otherwise the first in file order.
    pub fn select(&self, element: &scraper::ElementRef<'_>) -> Option<usize> {
        self.selectors.select(element)
    }

    /// [`RuleSet::select`], with whether the rule keeps (what the HTML
    /// renderer needs: a keep rule selects any element).
    pub fn select_with_action(&self, element: &scraper::ElementRef<'_>) -> Option<(usize, bool)> {
        self.select(element)
            .map(|i| (i, self.rules[i].action == Action::Keep))
    }

    /// Whether any rule has selectors.
    pub fn has_selectors(&self) -> bool {
        !self.selectors.is_empty()
    }
}

/// The rules that matched one block so far: the first keep rule and the
/// first other rule, in file order.
#[derive(Debug, Clone, Copy, Default)]
struct Decision {
    keep: Option<u32>,
    drop: Option<u32>,
}

impl Decision {
    /// Counts rule `i` unless the block has more words than the rule allows.
    fn add(&mut self, rules: &[Rule], i: u32, words: u32) {
        if rules[i as usize].max_words.is_some_and(|m| words > m) {
            return;
        }
        let slot = if rules[i as usize].action == Action::Keep {
            &mut self.keep
        } else {
            &mut self.drop
        };
        *slot = Some(slot.map_or(i, |k| k.min(i)));
    }

    /// The deciding rule: a keep rule wins.
    fn decide(self) -> Option<u32> {
        self.keep.or(self.drop)
    }
}

/// A phrase written with a straight apostrophe also matches the typographic
/// one, and the other way round.
fn apostrophe_variants(phrase: &str) -> Vec<String> {
    let mut v = Vec::new();
    for cased in case_variants(phrase) {
        if cased.contains('\'') {
            v.push(cased.replace('\'', "’"));
        } else if cased.contains('’') {
            v.push(cased.replace('’', "'"));
        }
        v.push(cased);
    }
    v
}

/// The spellings of a phrase that differ in the case of its non-ASCII
/// letters (ASCII letters match in any case already): as written, all
/// lower, all upper, the first letter upper (a sentence), each word's first
/// letter upper (a title). `ähnliche beiträge` also matches `Ähnliche
/// Beiträge`, `Ähnliche beiträge` and `ÄHNLICHE BEITRÄGE`; other mixes of
/// case in non-ASCII letters do not.
fn case_variants(phrase: &str) -> Vec<String> {
    let cased = |c: char| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase());
    if !phrase.chars().any(cased) {
        return vec![phrase.to_string()];
    }
    // Non-ASCII letters changed; ASCII ones kept as written.
    let map = |upper: &dyn Fn(usize, bool) -> bool| -> String {
        let mut out = String::with_capacity(phrase.len() + 4);
        let mut word_start = true;
        for (i, c) in phrase.chars().enumerate() {
            if c.is_ascii() {
                out.push(c);
            } else if upper(i, word_start) {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            word_start = !c.is_alphanumeric();
        }
        out
    };
    let mut v = vec![
        phrase.to_string(),
        map(&|_, _| false),
        map(&|_, _| true),
        map(&|i, _| i == 0),
        map(&|_, start| start),
    ];
    let mut seen = std::collections::HashSet::new();
    v.retain(|p| seen.insert(p.clone()));
    v
}

/// True when the match does not end inside a word (`Share` must not match `Shareholders`).
fn word_edge_after(s: &str, end: usize) -> bool {
    let last = s[..end].chars().next_back();
    let next = s[end..].chars().next();
    match (last, next) {
        (Some(a), Some(b)) => !(a.is_alphanumeric() && b.is_alphanumeric()),
        _ => true,
    }
}

fn word_edge_before(s: &str, start: usize) -> bool {
    let prev = s[..start].chars().next_back();
    let first = s[start..].chars().next();
    match (prev, first) {
        (Some(a), Some(b)) => !(a.is_alphanumeric() && b.is_alphanumeric()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{MatchMode, parse_rule_file};

    fn set(src: &str) -> RuleSet {
        RuleSet::compile(parse_rule_file("t.toml", src).unwrap().rules).unwrap()
    }

    /// Pieces of blocks near what the shipped patterns look for (credits,
    /// reading times, bylines, counts), and plain words, ASCII and not.
    const PIECES: &[&str] = &[
        "Foto:",
        "foto",
        "Photo",
        "PHOTO:",
        "Źródło:",
        "źródło",
        "Quelle:",
        "Bild",
        "Fot.",
        "phot.",
        "©",
        "(c)",
        "(C)",
        "Pixabay",
        "dpa",
        "/",
        "|",
        "·",
        "•",
        "-",
        "–",
        ":",
        ".",
        ",",
        "(",
        ")",
        "5",
        "12",
        "2024",
        "min",
        "Min.",
        "minutes",
        "read",
        "Reading",
        "Lesedauer",
        "Lesezeit",
        "ca.",
        "czytania",
        "de lecture",
        "Share",
        "share",
        "Teilen",
        "Kommentare",
        "comments",
        "Straße",
        "ſource",
        "\u{212a}",
        "Äpfel",
        "über",
        "the",
        "und",
        "Der",
        "article",
        "by",
        "Von",
        "Anna",
        "Müller",
        "CC BY",
        "cc-by",
        "4.0",
        "(n.d.)",
        "Smith",
        "et al.",
        "words",
        "Follow",
        "us",
        "on",
        "Twitter",
        "Facebook",
        "Advertisement",
        "Anzeige",
        "Tags:",
        "•",
    ];

    /// Checks that `set` decides each of `texts` as `want` does, with the
    /// blocks cut from one page (a line each) and with them passed alone.
    fn decides_as(
        set: &RuleSet,
        texts: &[String],
        want: impl Fn(&str, u32) -> Option<usize>,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let page = texts.join("\n");
        let mut blocks = Vec::new();
        let mut at = 0;
        for t in texts {
            let words = t.split_whitespace().count() as u32;
            blocks.push((&page[at..at + t.len()], words));
            at += t.len() + 1;
        }
        let got = set.match_page(&page, &blocks);
        let alone = set.match_page("", &blocks);
        for (k, &(text, words)) in blocks.iter().enumerate() {
            let want = want(text, words);
            proptest::prop_assert_eq!(got[k].map(|m| m.index), want, "block {:?}", text);
            proptest::prop_assert_eq!(alone[k].map(|m| m.index), want, "block {:?} alone", text);
        }
        Ok(())
    }

    /// A rule with its patterns compiled by the `regex` crate.
    type Compiled = (Rule, Vec<regex::Regex>);

    /// The shipped rules `pick` keeps (as it rewrites them), each with its
    /// regexes compiled by the `regex` crate, and their set.
    fn shipped_rules(pick: impl Fn(&Rule) -> Option<Rule>) -> (Vec<Compiled>, RuleSet) {
        let book = crate::rules::RuleBook::shipped().unwrap();
        let rules: Vec<Rule> = book
            .for_site(None)
            .rules()
            .iter()
            .filter_map(pick)
            .collect();
        let set = RuleSet::compile(rules.clone()).unwrap();
        let compiled = rules
            .into_iter()
            .map(|r| {
                let res = r
                    .regex
                    .iter()
                    .map(|p| regex::Regex::new(p).unwrap())
                    .collect();
                (r, res)
            })
            .collect();
        (compiled, set)
    }

    /// The shipped regex rules alone (phrases and selectors taken out).
    static REGEX_RULES: std::sync::LazyLock<(Vec<Compiled>, RuleSet)> =
        std::sync::LazyLock::new(|| {
            shipped_rules(|r| {
                (!r.regex.is_empty()).then(|| Rule {
                    phrases: Vec::new(),
                    selectors: Vec::new(),
                    ..r.clone()
                })
            })
        });

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(300))]
        /// The shipped regex rules decide every block as the reference does,
        /// whether the blocks are cut from the page or passed on their own.
        #[test]
        fn regex_rules_match_as_a_plain_matcher_does(
            lines in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(PIECES), 1..10),
                1..8,
            ),
            spaced in proptest::bool::ANY,
        ) {
            let (rules, set) = &*REGEX_RULES;
            let sep = if spaced { " " } else { "" };
            let texts: Vec<String> = lines.iter().map(|l| l.join(sep)).collect();
            decides_as(set, &texts, |text, words| text_reference(rules, text, words))?;
        }
    }

    /// Whether `v` stands in `s` at byte `at`, ASCII letters compared
    /// case-insensitively.
    fn stands_at(s: &str, at: usize, v: &str) -> bool {
        s.is_char_boundary(at)
            && s.len() >= at + v.len()
            && s.is_char_boundary(at + v.len())
            && s[at..at + v.len()].eq_ignore_ascii_case(v)
    }

    /// A plain reference for a phrase rule: each spelling of each phrase
    /// compared at every place the mode allows, no automaton, filter or
    /// page search in the way.
    fn phrase_matches(rule: &Rule, s: &str) -> bool {
        rule.phrases
            .iter()
            .flat_map(|p| apostrophe_variants(p))
            .any(|v| match rule.mode {
                MatchMode::Line => {
                    stands_at(s, 0, &v) && s[v.len()..].chars().all(|c| !c.is_alphanumeric())
                }
                MatchMode::Prefix => stands_at(s, 0, &v) && word_edge_after(s, v.len()),
                MatchMode::Contains => (0..s.len()).any(|i| {
                    stands_at(s, i, &v) && word_edge_before(s, i) && word_edge_after(s, i + v.len())
                }),
            })
    }

    /// The shipped phrase and regex rules (selectors taken out), their set,
    /// and pieces for generated blocks: every phrase, as written, in
    /// capitals and capitalised, and some words around them.
    static TEXT_RULES: std::sync::LazyLock<(Vec<Compiled>, RuleSet, Vec<String>)> =
        std::sync::LazyLock::new(|| {
            let (rules, set) = shipped_rules(|r| {
                (!r.regex.is_empty() || !r.phrases.is_empty()).then(|| Rule {
                    selectors: Vec::new(),
                    ..r.clone()
                })
            });
            let mut pieces: Vec<String> = PIECES.iter().map(|p| p.to_string()).collect();
            for (r, _) in &rules {
                for p in &r.phrases {
                    let mut title = p.clone();
                    if let Some(c) = p.chars().next() {
                        title = c.to_uppercase().chain(p.chars().skip(1)).collect();
                    }
                    pieces.extend([p.clone(), p.to_uppercase(), title]);
                }
            }
            (rules, set, pieces)
        });

    /// The decision of the plain reference for phrase and regex rules.
    fn text_reference(rules: &[Compiled], text: &str, words: u32) -> Option<usize> {
        let s = strip_bullet(text);
        let hit = |(r, res): &Compiled| {
            r.max_words.is_none_or(|m| words <= m)
                && (phrase_matches(r, s) || res.iter().any(|re| re.is_match(s)))
        };
        let first = |keep: bool| {
            rules
                .iter()
                .position(|c| (c.0.action == Action::Keep) == keep && hit(c))
        };
        first(true).or(first(false))
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(200))]
        /// The shipped phrase and regex rules together decide every block as
        /// the plain reference does: the head trie and its start filter,
        /// the page-wide search of contains phrases and the regex gates lose
        /// no match and invent none.
        #[test]
        fn phrase_and_regex_rules_match_as_a_plain_matcher_does(
            lines in proptest::collection::vec(
                proptest::collection::vec(proptest::num::usize::ANY, 1..6),
                1..8,
            ),
            bullet in proptest::bool::ANY,
        ) {
            let (rules, set, pieces) = &*TEXT_RULES;
            let texts: Vec<String> = lines
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let words: Vec<&str> = l.iter().map(|&i| pieces[i % pieces.len()].as_str()).collect();
                    let line = words.join(" ");
                    if bullet && k % 2 == 0 { format!("* {line}") } else { line }
                })
                .collect();
            decides_as(set, &texts, |text, words| text_reference(rules, text, words))?;
        }
    }

    fn ids(set: &RuleSet, text: &str) -> Option<String> {
        let words = crate::document::Features::of(text).words;
        set.match_block(text, words)
            .map(|m| set.rules()[m.index].id.clone())
    }

    #[test]
    fn non_ascii_letters_match_as_lower_upper_sentence_or_title_case() {
        let set = set(concat!(
            "[[rule]]\nid = \"l\"\ncategory = \"teasers\"\nphrases = [\"ähnliche beiträge\"]\n",
            "[[rule]]\nid = \"p\"\ncategory = \"share\"\nphrases = [\"Artikel teilen über\"]\nmatch = \"prefix\"\n",
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"Utilizamos cookies para análisis\"]\nmatch = \"contains\"\n",
        ));
        for text in [
            "ähnliche beiträge",
            "Ähnliche Beiträge",
            "Ähnliche beiträge:",
            "ÄHNLICHE BEITRÄGE",
        ] {
            assert_eq!(ids(&set, text).as_deref(), Some("l"), "{text}");
        }
        assert_eq!(
            ids(&set, "äHNLICHE beiTRäge"),
            Some("l".into()),
            "ASCII letters in any case"
        );
        assert_eq!(
            ids(&set, "Ähnliche Beitrage"),
            None,
            "a letter is not its neighbour"
        );
        assert_eq!(
            ids(&set, "ARTIKEL TEILEN ÜBER Facebook").as_deref(),
            Some("p")
        );
        assert_eq!(
            ids(&set, "Utilizamos cookies para Análisis y publicidad.").as_deref(),
            Some("c")
        );
        assert_eq!(
            ids(&set, "UTILIZAMOS COOKIES PARA ANÁLISIS.").as_deref(),
            Some("c")
        );
    }

    #[test]
    fn contains_phrases_are_found_in_blocks_given_in_any_order_or_twice() {
        let set = set(
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"uses cookies\"]\nmatch = \"contains\"\n",
        );
        let page = "Home\nThis site uses cookies.\nThe council voted.\n";
        let line = |n: usize| page.lines().nth(n).unwrap();
        let found = |blocks: &[(&str, u32)]| -> Vec<bool> {
            set.match_page(page, blocks)
                .iter()
                .map(Option::is_some)
                .collect()
        };
        // Out of reading order.
        assert_eq!(
            found(&[(line(2), 3), (line(1), 4), (line(0), 1)]),
            [false, true, false]
        );
        // The same line twice.
        assert_eq!(found(&[(line(1), 4), (line(1), 4)]), [true, true]);
    }

    /// Table of (block, expected rule id) against one rule set.
    #[test]
    fn matching_table() {
        let s = set(r#"
[[rule]]
id = "share"
category = "share"
phrases = ["share this post", "share", "tweet"]

[[rule]]
id = "subscribed"
category = "subscribe"
phrases = ["you've been subscribed", "subscribing"]

[[rule]]
id = "read-more"
category = "teasers"
phrases = ["read more:", "related:"]
match = "prefix"

[[rule]]
id = "pic"
category = "share"
phrases = ["pic.twitter.com/"]
match = "contains"
max_words = 40

[[rule]]
id = "caption"
category = "captions"
regex = ['^\((?i:photo|image): [^)]*\)$']
max_words = 20

[[rule]]
id = "keep-share-price"
category = "keep"
phrases = ["share price"]
match = "prefix"
"#);
        let cases: &[(&str, Option<&str>)] = &[
            ("Share this post", Some("share")),
            ("  * SHARE  ", Some("share")),
            ("Share:", Some("share")),
            ("Shareholders were told on Monday.", None),
            ("Share this post with your friends and family today", None),
            ("Subscribing...", Some("subscribed")),
            ("You’ve been subscribed!", Some("subscribed")),
            (
                "Read more: Alibaba poised to launch record-breaking listing",
                Some("read-more"),
            ),
            ("Read more about the plan in our guide.", None),
            (
                "We discussed many aspects… pic.twitter.com/flmigxqtbl",
                Some("pic"),
            ),
            ("(Photo: Reuters)", Some("caption")),
            ("(Photo: Reuters) and more words", None),
            ("Share price rose.", Some("keep-share-price")),
            ("Tweets", None),
        ];
        for (text, want) in cases {
            assert_eq!(ids(&s, text).as_deref(), *want, "block {text:?}");
        }
    }

    #[test]
    fn max_words_limits_a_rule() {
        let s = set(
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"cookies\"]\nmatch = \"contains\"\nmax_words = 5\n",
        );
        assert!(ids(&s, "We use cookies here.").is_some());
        assert!(
            ids(
                &s,
                "The bakery sold cookies to over a thousand customers on Sunday."
            )
            .is_none()
        );
    }
}
