//! A cheap test of which selector rules an HTML element may match, run on
//! every element before any selector is.
//!
//! Most elements of a page match no rule, and testing each of a hundred
//! selectors against each element costs more than parsing the page. So each
//! selector is read once, at compile time, for a condition every element it
//! matches must meet: its subject (the compound after the last combinator)
//! names a tag, or an id, class or attribute value that holds some text.
//! The conditions go into a table of tags and, per attribute, one
//! Aho-Corasick automaton of the texts; an element is tested against the
//! selectors whose condition it meets, and against the few selectors with
//! no condition. The conditions are necessary, never sufficient: the
//! selector itself still decides (a `[class*="tag"]` condition lets
//! `tag-list` through to `.tags`, which then says no). Text is compared
//! without regard to ASCII case, so quirks-mode pages, which match classes
//! that way, lose nothing.

use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;

/// What an element must have for one selector to match it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    /// This tag name (lower case).
    Tag(String),
    /// This attribute holding this text (lower case, not empty).
    Holds(String, String),
}

/// The prefilter of a rule set's selectors.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefilter {
    /// Selectors (indices) with no condition: tested on every element.
    always: Vec<u32>,
    /// Per tag name, the selectors that need it.
    by_tag: HashMap<String, Vec<u32>>,
    /// Per attribute: an automaton of the texts selectors need it to hold,
    /// and per text the selectors.
    by_attr: Vec<(String, AhoCorasick, Vec<Vec<u32>>)>,
}

impl Prefilter {
    /// Reads each selector's condition; `selectors[i]` is selector `i`'s
    /// source text (a comma-separated list of complex selectors).
    pub(crate) fn new<'s>(selectors: impl IntoIterator<Item = &'s str>) -> Prefilter {
        let mut p = Prefilter::default();
        let mut texts: HashMap<String, (Vec<String>, Vec<Vec<u32>>)> = HashMap::new();
        for (i, source) in selectors.into_iter().enumerate() {
            let i = i as u32;
            let conditions: Option<Vec<Condition>> =
                split_top(source, ',').into_iter().map(condition).collect();
            let Some(conditions) = conditions else {
                p.always.push(i);
                continue;
            };
            for c in conditions {
                match c {
                    Condition::Tag(t) => p.by_tag.entry(t).or_default().push(i),
                    Condition::Holds(attr, text) => {
                        let (needles, owners) = texts.entry(attr).or_default();
                        match needles.iter().position(|n| *n == text) {
                            Some(k) => owners[k].push(i),
                            None => {
                                needles.push(text);
                                owners.push(vec![i]);
                            }
                        }
                    }
                }
            }
        }
        let mut attrs: Vec<_> = texts.into_iter().collect();
        attrs.sort_by(|a, b| a.0.cmp(&b.0));
        for (attr, (needles, owners)) in attrs {
            let ac = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&needles)
                .expect("a few hundred short needles always build");
            p.by_attr.push((attr, ac, owners));
        }
        p
    }

    /// The selectors (indices, sorted, each once) an element may match.
    pub(crate) fn candidates(&self, el: &scraper::node::Element, out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(&self.always);
        if let Some(v) = self.by_tag.get(el.name()) {
            out.extend_from_slice(v);
        }
        for (attr, ac, owners) in &self.by_attr {
            if let Some(value) = el.attr(attr) {
                for m in ac.find_overlapping_iter(value) {
                    out.extend_from_slice(&owners[m.pattern().as_usize()]);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// Splits `s` at top-level occurrences of `sep` (not inside brackets,
/// parentheses or quotes).
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let (mut parts, mut depth, mut quote, mut start) = (Vec::new(), 0i32, None, 0);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, _) if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The condition of one complex selector: read from its subject, the last
/// compound. `None` when the subject names nothing to test cheaply.
fn condition(complex: &str) -> Option<Condition> {
    let subject = last_compound(complex.trim());
    let mut tag = None;
    let mut best: Option<Condition> = None;
    let b = subject.as_bytes();
    let mut i = 0;
    let name = |from: usize| {
        let len = subject[from..]
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(subject.len() - from);
        &subject[from..from + len]
    };
    while i < b.len() {
        match b[i] {
            b'.' | b'#' => {
                let n = name(i + 1);
                let attr = if b[i] == b'.' { "class" } else { "id" };
                if !n.is_empty() {
                    // An id is the most telling; else the first class.
                    if attr == "id" || best.is_none() {
                        best = Some(Condition::Holds(attr.into(), n.to_ascii_lowercase()));
                    }
                }
                i += 1 + n.len();
            }
            b'[' => {
                let end = matching(subject, i, b'[', b']')?;
                if let Some(c) = attribute_condition(&subject[i + 1..end])
                    && best.is_none()
                {
                    best = Some(c);
                }
                i = end + 1;
            }
            b':' => {
                // A pseudo-class: pass over it (and its argument) whole;
                // what is inside it is no condition of the subject.
                let n = name(i + 1 + (b.get(i + 1) == Some(&b':')) as usize);
                i += 1 + n.len();
                if b.get(i) == Some(&b':') {
                    i += 1;
                }
                if b.get(i) == Some(&b'(') {
                    i = matching(subject, i, b'(', b')')? + 1;
                }
            }
            b'*' => i += 1,
            _ if i == 0 => {
                let n = name(0);
                if n.is_empty() {
                    return None;
                }
                tag = Some(n.to_ascii_lowercase());
                i += n.len();
            }
            _ => return None,
        }
    }
    best.or(tag.map(Condition::Tag))
}

/// The last compound of a complex selector: what follows its last
/// top-level combinator.
fn last_compound(s: &str) -> &str {
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, ' ' | '>' | '+' | '~' | '\t' | '\n') if depth == 0 => start = i + 1,
            _ => {}
        }
    }
    s[start..].trim()
}

/// The index of the bracket closing the one at `open`, passing over quotes.
fn matching(s: &str, open: usize, o: u8, c: u8) -> Option<usize> {
    let b = s.as_bytes();
    let (mut depth, mut quote) = (0, None);
    for (i, &ch) in b.iter().enumerate().skip(open) {
        match (quote, ch) {
            (Some(q), _) if ch == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(ch),
            (None, _) if ch == o => depth += 1,
            (None, _) if ch == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `attr op "value"` (the inside of `[...]`): the attribute must hold the
/// value, for every operator that compares one (`=`, `~=`, `|=`, `^=`,
/// `$=`, `*=`). Presence alone (`[data-x]`) is no condition.
fn attribute_condition(inner: &str) -> Option<Condition> {
    let op = inner.find(['=', '~', '|', '^', '$', '*'])?;
    let attr = inner[..op].trim();
    let rest = inner[op..].trim_start_matches(['~', '|', '^', '$', '*']);
    let value = rest.strip_prefix('=')?.trim();
    // The value, quoted or not, less a trailing ` i` / ` s` flag.
    let value = match value.chars().next()? {
        q @ ('"' | '\'') => {
            let body = &value[1..];
            &body[..body.find(q)?]
        }
        _ => value.split_whitespace().next()?,
    };
    (!attr.is_empty() && !value.is_empty() && !attr.contains('|'))
        .then(|| Condition::Holds(attr.to_ascii_lowercase(), value.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(s: &str) -> Option<Condition> {
        condition(s)
    }

    fn holds(a: &str, v: &str) -> Option<Condition> {
        Some(Condition::Holds(a.into(), v.into()))
    }

    #[test]
    fn conditions_come_from_the_subject_of_a_selector() {
        assert_eq!(cond("nav"), Some(Condition::Tag("nav".into())));
        assert_eq!(cond("div.promo-rail"), holds("class", "promo-rail"));
        assert_eq!(cond("#more-stories"), holds("id", "more-stories"));
        assert_eq!(cond("section#comments.dark"), holds("id", "comments"));
        assert_eq!(cond(r#"[class*="cookie"]"#), holds("class", "cookie"));
        assert_eq!(cond(r#"[role="navigation"]"#), holds("role", "navigation"));
        assert_eq!(
            cond(r#"[style*="display: none" i]"#),
            holds("style", "display: none")
        );
        assert_eq!(cond(r#"[id^=div-gpt-ad]"#), holds("id", "div-gpt-ad"));
        assert_eq!(cond("ins.adsbygoogle"), holds("class", "adsbygoogle"));
        // The subject is the last compound.
        assert_eq!(
            cond("article > div.share a"),
            Some(Condition::Tag("a".into()))
        );
        assert_eq!(cond(r#"div[data-x="a b"] p.note"#), holds("class", "note"));
        // Nothing cheap to test: every element is a candidate.
        assert_eq!(cond("*"), None);
        assert_eq!(cond("[data-ad]"), None);
        assert_eq!(cond(":not(p)"), None);
        assert_eq!(cond("div:not(.x)"), Some(Condition::Tag("div".into())));
    }

    #[test]
    fn an_element_is_a_candidate_of_each_selector_whose_condition_it_meets() {
        let sources = [
            "nav",
            r#"[class*="cookie"]"#,
            ".tags",
            "article > p:first-child",
            "*",
            r#"#related, [class~="related"]"#,
        ];
        let p = Prefilter::new(sources);
        let html = scraper::Html::parse_fragment(
            r#"<nav id="x"></nav><div class="CookieBar tags-wide"></div><p></p><aside class="related"></aside>"#,
        );
        let mut found = Vec::new();
        let mut by_name = Vec::new();
        for node in html.tree.nodes() {
            if let Some(el) = node.value().as_element()
                && !matches!(el.name(), "html" | "body")
            {
                p.candidates(el, &mut found);
                by_name.push((el.name().to_string(), found.clone()));
            }
        }
        assert_eq!(
            by_name,
            [
                ("nav".to_string(), vec![0, 4]),
                ("div".to_string(), vec![1, 2, 4]),
                ("p".to_string(), vec![3, 4]),
                ("aside".to_string(), vec![4, 5]),
            ]
        );
    }
}
