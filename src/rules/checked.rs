//! The checked forms of a rule's regexes and selectors: each keeps the
//! text as written (what rule listings and messages print) and what the
//! check made of it (the parsed pattern and its compiled regex, the parsed
//! selector), so a rule set is compiled from them without parsing again.

use regex_automata::meta::Regex;
use regex_syntax::hir::Hir;
use std::fmt;
use std::sync::Arc;

/// The most memory one rule's pattern may compile to (its automaton).
pub(crate) const MAX_REGEX_BYTES: usize = 4 << 20;

/// A rule's regular expression, checked: it parses and compiles within
/// `MAX_REGEX_BYTES` (4 MiB). Cloning it is cheap (a rule set per site shares
/// the compiled forms of the default rules).
#[derive(Clone)]
pub struct RuleRegex(Arc<RegexForms>);

struct RegexForms {
    source: String,
    hir: Hir,
    compiled: Regex,
}

impl RuleRegex {
    /// Checks a pattern; the error is a message for a person, on one line.
    pub fn parse(source: &str) -> Result<RuleRegex, String> {
        let flat = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let hir = regex_syntax::parse(source).map_err(|e| flat(e.to_string()))?;
        let compiled = pattern_regex(&hir).map_err(|e| match e.size_limit() {
            Some(limit) => format!(
                "the pattern compiles to more than {limit} bytes (the limit for one pattern); \
             split it or use fewer repetitions of large classes"
            ),
            None => flat(e.to_string()),
        })?;
        Ok(RuleRegex(Arc::new(RegexForms {
            source: source.to_string(),
            hir,
            compiled,
        })))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0.source
    }

    /// The parsed pattern, which the rule set's analyses read.
    pub(crate) fn hir(&self) -> &Hir {
        &self.0.hir
    }

    /// The pattern compiled for `is_match` (see `pattern_regex`).
    pub(crate) fn compiled(&self) -> &Regex {
        &self.0.compiled
    }
}

/// A rule's pattern compiled from its parsed form, for `is_match` alone: no
/// capture groups (they are never read), so no one-pass DFA or backtracker
/// is built for it. The `regex` crate's default builds them: 5 000 patterns
/// with `\w` took 3 GB and 5 s that way.
pub(crate) fn pattern_regex(hir: &Hir) -> Result<Regex, Box<regex_automata::meta::BuildError>> {
    use regex_automata::{meta, nfa::thompson::WhichCaptures};
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .which_captures(WhichCaptures::None)
                .onepass(false)
                .backtrack(false)
                .nfa_size_limit(Some(MAX_REGEX_BYTES)),
        )
        .build_from_hir(hir)
        .map_err(Box::new)
}

/// A rule's CSS selector, checked: it parses.
#[derive(Clone)]
pub struct RuleSelector {
    source: String,
    parsed: scraper::Selector,
}

impl RuleSelector {
    /// Parses a selector; the error is the parser's kind of problem.
    pub fn parse(source: &str) -> Result<RuleSelector, scraper::error::SelectorErrorKind> {
        Ok(RuleSelector {
            source: source.to_string(),
            parsed: scraper::Selector::parse(source)?,
        })
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The parsed selector.
    pub fn selector(&self) -> &scraper::Selector {
        &self.parsed
    }
}

/// Both forms read, print, compare and hash as the text they were written
/// as: a rule's `Debug` shows its patterns as strings, as before they were
/// checked forms.
macro_rules! reads_as_source {
    ($t:ty) => {
        impl std::ops::Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl PartialEq for $t {
            fn eq(&self, other: &$t) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $t {}

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other.as_str()
            }
        }
    };
}

reads_as_source!(RuleRegex);
reads_as_source!(RuleSelector);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regex_keeps_its_text_and_matches_as_written() {
        let re = RuleRegex::parse(r"^\((?i:photo|foto): [^)]*\)$").unwrap();
        assert_eq!(re.as_str(), r"^\((?i:photo|foto): [^)]*\)$");
        assert_eq!(format!("{re:?}"), format!("{:?}", re.as_str()));
        assert!(re.compiled().is_match("(Foto: Reuters)"));
        assert!(!re.compiled().is_match("(Foto: Reuters) and more"));
        assert!(
            re.hir()
                .properties()
                .look_set_prefix()
                .contains(regex_syntax::hir::Look::Start)
        );
    }

    #[test]
    fn a_bad_regex_is_one_line_of_words() {
        let e = RuleRegex::parse("(unclosed").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("unclosed group"), "{e}");
        let e = RuleRegex::parse(r"(?:\w{100}){100}").unwrap_err();
        assert!(e.starts_with("the pattern compiles to more than"), "{e}");
    }

    #[test]
    fn a_selector_on_a_class_keeps_its_text() {
        let sel = RuleSelector::parse("div.share-buttons, .social-share").unwrap();
        assert_eq!(sel, "div.share-buttons, .social-share");
        assert_eq!(sel.to_string(), "div.share-buttons, .social-share");
        let html = scraper::Html::parse_fragment(r#"<div class="share-buttons">Share</div>"#);
        assert_eq!(html.select(sel.selector()).count(), 1);
        assert!(RuleSelector::parse("div[").is_err());
    }
}
