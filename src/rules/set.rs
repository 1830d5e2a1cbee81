//! A compiled, immutable set of rules.

use super::{Action, MatchMode, Rule};
use crate::document::strip_bullet;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;

/// Rules compiled for matching: built once, shared by every worker.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Line and prefix phrases: only ever matched at the start of a block.
    head: Option<AhoCorasick>,
    head_patterns: Vec<(u32, MatchMode)>,
    head_max_len: usize,
    /// Contains phrases: matched anywhere.
    body: Option<AhoCorasick>,
    body_patterns: Vec<u32>,
    /// Each pattern on its own: separate small automata with literal
    /// prefilters run far faster than one `RegexSet` over Unicode classes.
    regex: Vec<Regex>,
    regex_patterns: Vec<u32>,
    /// Blocks with more words than this cannot match any regex rule.
    regex_max_words: u32,
}

/// A rule that matched a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index of the rule in [`RuleSet::rules`].
    pub index: usize,
    /// The rule's action.
    pub action: Action,
}

impl RuleSet {
    /// Compiles rules. Every phrase and regex has been checked when the file
    /// was read, so compiling fails only on resource limits.
    pub fn compile(rules: Vec<Rule>) -> Result<RuleSet, String> {
        let mut head_pats: Vec<String> = Vec::new();
        let mut head_patterns = Vec::new();
        let mut body_pats: Vec<String> = Vec::new();
        let mut body_patterns = Vec::new();
        let mut regex_pats: Vec<&str> = Vec::new();
        let mut regex_patterns = Vec::new();
        let mut regex_max_words = 0u32;
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            for phrase in &rule.phrases {
                for variant in apostrophe_variants(phrase) {
                    match rule.mode {
                        MatchMode::Line | MatchMode::Prefix => {
                            head_pats.push(variant);
                            head_patterns.push((i, rule.mode));
                        }
                        MatchMode::Contains => {
                            body_pats.push(variant);
                            body_patterns.push(i);
                        }
                    }
                }
            }
            for re in &rule.regex {
                regex_pats.push(re);
                regex_patterns.push(i);
                regex_max_words = regex_max_words.max(rule.max_words.unwrap_or(u32::MAX));
            }
        }
        let build = |pats: &[String]| -> Result<Option<AhoCorasick>, String> {
            if pats.is_empty() {
                return Ok(None);
            }
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(pats)
                .map(Some)
                .map_err(|e| e.to_string())
        };
        let head = build(&head_pats)?;
        let body = build(&body_pats)?;
        let head_max_len = head_pats.iter().map(|p| p.len()).max().unwrap_or(0);
        let regex = regex_pats
            .iter()
            .map(|p| Regex::new(p).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RuleSet {
            rules,
            head,
            head_patterns,
            head_max_len,
            body,
            body_patterns,
            regex,
            regex_patterns,
            regex_max_words,
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
    pub fn match_block(&self, text: &str, words: u32) -> Option<RuleMatch> {
        let s = strip_bullet(text);
        let mut best: Option<u32> = None;
        let mut keep: Option<u32> = None;
        let mut consider = |i: u32| {
            let rule = &self.rules[i as usize];
            if rule.max_words.is_some_and(|m| words > m) {
                return;
            }
            if rule.action == Action::Keep {
                keep = Some(keep.map_or(i, |k| k.min(i)));
            } else {
                best = Some(best.map_or(i, |b| b.min(i)));
            }
        };
        if let Some(ac) = &self.head {
            let hay = &s[..floor_char_boundary(s, self.head_max_len)];
            for m in ac.find_overlapping_iter(hay) {
                if m.start() != 0 {
                    continue;
                }
                let (rule, mode) = self.head_patterns[m.pattern().as_usize()];
                let rest = &s[m.end()..];
                let ok = match mode {
                    MatchMode::Line => rest.chars().all(|c| !c.is_alphanumeric()),
                    _ => word_edge_after(s, m.end()),
                };
                if ok {
                    consider(rule);
                }
            }
        }
        if let Some(ac) = &self.body {
            for m in ac.find_overlapping_iter(s) {
                if word_edge_before(s, m.start()) && word_edge_after(s, m.end()) {
                    consider(self.body_patterns[m.pattern().as_usize()]);
                }
            }
        }
        if words <= self.regex_max_words {
            for (re, &rule) in self.regex.iter().zip(&self.regex_patterns) {
                if self.rules[rule as usize]
                    .max_words
                    .is_none_or(|m| words <= m)
                    && re.is_match(s)
                {
                    consider(rule);
                }
            }
        }
        keep.or(best).map(|i| RuleMatch {
            index: i as usize,
            action: self.rules[i as usize].action,
        })
    }
}

/// A phrase written with a straight apostrophe also matches the typographic
/// one, and the other way round.
fn apostrophe_variants(phrase: &str) -> Vec<String> {
    let mut v = vec![phrase.to_string()];
    if phrase.contains('\'') {
        v.push(phrase.replace('\'', "’"));
    } else if phrase.contains('’') {
        v.push(phrase.replace('’', "'"));
    }
    v
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
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
    use crate::rules::parse_rule_file;

    fn set(src: &str) -> RuleSet {
        RuleSet::compile(parse_rule_file("t.toml", src).unwrap().rules).unwrap()
    }

    fn ids(set: &RuleSet, text: &str) -> Option<String> {
        let words = crate::document::Features::of(text).words;
        set.match_block(text, words)
            .map(|m| set.rules()[m.index].id.clone())
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
