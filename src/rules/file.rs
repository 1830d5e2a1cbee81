//! Reading one rule file: TOML → checked [`Rule`]s, with every problem located.

use super::{Action, Category, MatchMode, Origin, Rule, RuleProblem, RuleRegex, RuleSelector};
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

/// The checked content of one rule file.
#[derive(Debug, Clone, Default)]
pub struct RuleFile {
    /// Rules the file defines (or overrides, in a site file).
    pub rules: Vec<Rule>,
    /// Ids of rules the file switches off, with the line each was named on.
    pub disable: Vec<(String, usize)>,
    /// Test cases (site files): a stored page and text that must and must not
    /// survive cleaning.
    pub tests: Vec<SiteTest>,
    /// `subdomains = false` (site files): the file is for its host and
    /// `www.` under it only, as ftr-site-config's `example.com.txt` is;
    /// with the line it was written on. `None`: the host and its subdomains.
    pub subdomains: Option<(bool, usize)>,
}

/// A site file's test case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteTest {
    /// The stored page, as written (relative to the folder holding the rule
    /// directory, e.g. `fixtures/sites/example.com/story.html`).
    pub page: String,
    /// Text the clean page must contain.
    pub contains: Vec<String>,
    /// Text the clean page must not contain.
    pub not_contains: Vec<String>,
    /// 1-based line of the test's `[[test]]` header.
    pub line: usize,
}

impl SiteTest {
    /// What a cleaned page's text gets wrong against this test: each
    /// passage missing, each passage still there; empty when it passes.
    pub fn problems(&self, text: &str) -> Vec<String> {
        let mut problems = Vec::new();
        for want in &self.contains {
            if !text.contains(want.as_str()) {
                problems.push(format!("missing {want:?}"));
            }
        }
        for unwanted in &self.not_contains {
            if text.contains(unwanted.as_str()) {
                problems.push(format!("still there: {unwanted:?}"));
            }
        }
        problems
    }

    /// Passages the test checks.
    pub fn checks(&self) -> usize {
        self.contains.len() + self.not_contains.len()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    subdomains: Option<Spanned<bool>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    test: Vec<Spanned<RawTest>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    page: Spanned<String>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    not_contains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    category: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default, rename = "match")]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    regex: Vec<Spanned<String>>,
    #[serde(default)]
    selectors: Vec<Spanned<String>>,
    #[serde(default)]
    max_words: Option<Spanned<i64>>,
    #[serde(default)]
    action: Option<Spanned<String>>,
}

/// Maps byte offsets in a file to 1-based line and column.
struct Locator<'a> {
    src: &'a str,
    name: &'a str,
    /// Byte offset of the start of each line: a position is found by binary
    /// search, so a file of 50 000 rules is not rescanned once per rule.
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    fn new(src: &'a str, name: &'a str) -> Locator<'a> {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1))
            .collect();
        Locator {
            src,
            name,
            line_starts,
        }
    }

    fn at(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        // The number of line starts at or before the offset is its line.
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let line_start = self.line_starts[line - 1];
        let col = self.src[line_start..offset].chars().count() + 1;
        (line, col)
    }

    fn problem(&self, offset: usize, message: impl Into<String>) -> RuleProblem {
        let (line, col) = self.at(offset);
        RuleProblem {
            file: self.name.to_string(),
            line,
            col,
            message: message.into(),
        }
    }

    /// The line of the `[[rule]]` header that opens the table at `offset`.
    fn header_line(&self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        let before = &self.src[..offset];
        match before.rfind("[[") {
            Some(i) => self.at(i).0,
            None => self.at(offset).0,
        }
    }
}

/// What is wrong with a selector, in words: the parser's error kind (its
/// own message for some kinds asks to report a bug).
fn selector_problem(e: &scraper::error::SelectorErrorKind) -> &'static str {
    use scraper::error::SelectorErrorKind as K;
    use selectors::parser::SelectorParseErrorKind as S;
    match e {
        K::UnexpectedToken => "a character or token that cannot stand there",
        K::EndOfLine => "it ends too early (an unclosed `[` or `(`, or nothing after `:` or `.`)",
        K::InvalidAtRule | K::InvalidAtRuleBody | K::QualRuleInvalid => "not a selector",
        K::TooManyNestedBlocks => "brackets nested too deeply",
        K::ExpectedColonOnPseudoElement => "a pseudo-element is written with `::`",
        K::ExpectedIdentityOnPseudoElement => "a name must follow `::`",
        K::UnexpectedSelectorParseError(kind) => match kind {
            S::EmptySelector => "an empty selector (nothing, or nothing between two commas)",
            S::DanglingCombinator => "a combinator (`>`, `+`, `~`) with nothing after it",
            S::NonCompoundSelector => "a simple selector (tag, `.class`, `#id`) is needed here",
            S::NoQualifiedNameInAttributeSelector | S::InvalidQualNameInAttr => {
                "`[...]` needs an attribute name"
            }
            S::UnexpectedTokenInAttributeSelector | S::ExpectedBarInAttr => {
                "`[...]` holds something other than `name`, `name=value` or `name~=value` and the like"
            }
            S::BadValueInAttr => "the value in `[name=value]` must be a word or a quoted string",
            S::NoIdentForPseudo => "a name must follow `:`",
            S::UnsupportedPseudoClassOrElement => {
                "a pseudo-class or pseudo-element this matcher does not know (structural ones such as `:first-child`, `:not()`, `:is()` work)"
            }
            S::ClassNeedsIdent => "a class name must follow `.`",
            S::ExpectedNamespace | S::ExplicitNamespaceUnexpectedToken => {
                "a namespace prefix (`ns|name`), which HTML selectors do not use"
            }
            S::UnexpectedIdent => "a name that cannot stand there",
            S::PseudoElementExpectedColon => "a pseudo-element is written with `::`",
            S::PseudoElementExpectedIdent => "a name must follow `::`",
            _ => "a pseudo-element or pseudo-class used where it cannot be",
        },
    }
}

/// Parses and checks one rule file.
///
/// `name` is how the file is named in messages and in each rule's origin.
/// Every problem found is returned, not only the first; a TOML syntax error or
/// an unknown key stops the reading of that file (the rest cannot be trusted).
pub fn parse_rule_file(name: &str, src: &str) -> Result<RuleFile, Vec<RuleProblem>> {
    let loc = Locator::new(src, name);
    let raw: RawFile = toml::from_str(src).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let message = e.message().trim().replace('\n', " ");
        vec![loc.problem(offset, message)]
    })?;
    let file: Arc<str> = Arc::from(name);
    let mut check = Checker {
        loc: &loc,
        problems: Vec::new(),
    };
    let rules: Vec<Rule> = raw
        .rule
        .into_iter()
        .filter_map(|r| check.rule(r, &file))
        .collect();
    check.duplicate_ids(&rules);
    let disable = raw
        .disable
        .iter()
        .map(|d| (d.get_ref().clone(), loc.at(d.span().start).0))
        .collect();
    let tests = raw.test.into_iter().map(|t| check.test(t)).collect();
    let subdomains = raw
        .subdomains
        .map(|s| (*s.get_ref(), loc.at(s.span().start).0));
    if check.problems.is_empty() {
        Ok(RuleFile {
            rules,
            disable,
            tests,
            subdomains,
        })
    } else {
        Err(check.problems)
    }
}

/// The checks of one file's tables, each adding what it finds wrong to
/// `problems`, in the order the file's readers expect them.
struct Checker<'a> {
    loc: &'a Locator<'a>,
    problems: Vec<RuleProblem>,
}

impl Checker<'_> {
    fn report(&mut self, offset: usize, message: impl Into<String>) {
        self.problems.push(self.loc.problem(offset, message));
    }

    /// One `[[rule]]` table, checked: the rule, when nothing in it is wrong.
    fn rule(&mut self, spanned: Spanned<RawRule>, file: &Arc<str>) -> Option<Rule> {
        let start = spanned.span().start;
        let r = spanned.into_inner();
        let before = self.problems.len();
        let id = self.id(&r.id);
        let category = self.category(&r.category);
        let mode = self.mode(r.mode.as_ref());
        let action = self.action(r.action.as_ref(), category);
        if (action == Action::Keep) != (category == Category::Keep) && self.problems.len() == before
        {
            let at = r
                .action
                .as_ref()
                .map_or(r.category.span().start, |a| a.span().start);
            self.report(
                at,
                "keep rules take category \"keep\" and action \"keep\" together",
            );
        }
        let max_words = self.max_words(r.max_words.as_ref());
        if r.phrases.is_empty() && r.regex.is_empty() && r.selectors.is_empty() {
            self.report(
                start,
                format!("rule {id:?} has no phrases, regex or selectors: it would match nothing"),
            );
        }
        let selectors = self.selectors(&r.selectors);
        let phrases = self.phrases(&r.phrases);
        let regex = self.regexes(&r.regex);
        (self.problems.len() == before).then(|| Rule {
            id,
            category,
            description: r.description,
            phrases,
            mode,
            regex,
            selectors,
            max_words,
            action,
            origin: Origin {
                file: file.clone(),
                line: self.loc.header_line(r.id.span().start),
            },
        })
    }

    fn id(&mut self, id: &Spanned<String>) -> String {
        let trimmed = id.get_ref().trim().to_string();
        if trimmed.is_empty()
            || !trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            self.report(
                id.span().start,
                format!(
                    "rule id {:?} must be non-empty ASCII letters, digits, '-', '_' or '.'",
                    id.get_ref()
                ),
            );
        }
        trimmed
    }

    fn category(&mut self, category: &Spanned<String>) -> Category {
        match Category::from_name(category.get_ref()) {
            Some(Category::Outside) | None => {
                let names: Vec<_> = Category::ALL
                    .iter()
                    .filter(|c| **c != Category::Outside)
                    .map(|c| c.name())
                    .collect();
                self.report(
                    category.span().start,
                    format!(
                        "unknown category {:?} (expected one of: {})",
                        category.get_ref(),
                        names.join(", ")
                    ),
                );
                Category::Keep
            }
            Some(c) => c,
        }
    }

    fn mode(&mut self, mode: Option<&Spanned<String>>) -> MatchMode {
        let Some(m) = mode else {
            return MatchMode::Line;
        };
        MatchMode::from_name(m.get_ref()).unwrap_or_else(|| {
            self.report(
                m.span().start,
                format!(
                    "unknown match mode {:?} (expected line, prefix or contains)",
                    m.get_ref()
                ),
            );
            MatchMode::Line
        })
    }

    /// The action as written; when none is, `keep` for a keep rule and
    /// `drop` for any other.
    fn action(&mut self, action: Option<&Spanned<String>>, category: Category) -> Action {
        match action {
            None if category == Category::Keep => Action::Keep,
            None => Action::Drop,
            Some(a) => Action::from_name(a.get_ref()).unwrap_or_else(|| {
                self.report(
                    a.span().start,
                    format!(
                        "unknown action {:?} (expected drop, drop-section, drop-to-end or keep)",
                        a.get_ref()
                    ),
                );
                Action::Drop
            }),
        }
    }

    fn max_words(&mut self, max_words: Option<&Spanned<i64>>) -> Option<u32> {
        let m = max_words?;
        match u32::try_from(*m.get_ref()) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                self.report(m.span().start, "max_words must be a positive whole number");
                None
            }
        }
    }

    fn selectors(&mut self, selectors: &[Spanned<String>]) -> Vec<RuleSelector> {
        let mut out = Vec::with_capacity(selectors.len());
        for sel in selectors {
            match RuleSelector::parse(sel.get_ref()) {
                Ok(parsed) => out.push(parsed),
                Err(e) => self.report(
                    sel.span().start,
                    format!(
                        "bad CSS selector {:?}: {}",
                        sel.get_ref(),
                        selector_problem(&e)
                    ),
                ),
            }
        }
        out
    }

    /// The phrases, trimmed.
    fn phrases(&mut self, phrases: &[Spanned<String>]) -> Vec<String> {
        let mut out = Vec::with_capacity(phrases.len());
        for p in phrases {
            let t = p.get_ref().trim();
            if t.is_empty() {
                self.report(p.span().start, "empty phrase");
            } else {
                out.push(t.to_string());
            }
        }
        out
    }

    fn regexes(&mut self, regexes: &[Spanned<String>]) -> Vec<RuleRegex> {
        let mut out = Vec::with_capacity(regexes.len());
        for p in regexes {
            match RuleRegex::parse(p.get_ref()) {
                Ok(checked) => out.push(checked),
                Err(msg) => self.report(p.span().start, format!("bad regex: {msg}")),
            }
        }
        out
    }

    /// A rule id defined twice in the file, at its second definition.
    fn duplicate_ids(&mut self, rules: &[Rule]) {
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for r in rules {
            if let Some(first) = seen.insert(r.id.as_str(), r.origin.line) {
                self.problems.push(RuleProblem {
                    file: self.loc.name.to_string(),
                    line: r.origin.line,
                    col: 1,
                    message: format!(
                        "duplicate rule id {:?} (first defined on line {first})",
                        r.id
                    ),
                });
            }
        }
    }

    /// One `[[test]]` table; a test that checks nothing is a problem.
    fn test(&mut self, t: Spanned<RawTest>) -> SiteTest {
        let t = t.into_inner();
        let line = self.loc.header_line(t.page.span().start);
        if t.contains.is_empty() && t.not_contains.is_empty() {
            self.report(
                t.page.span().start,
                "test checks nothing: give `contains` or `not_contains`",
            );
        }
        SiteTest {
            page: t.page.into_inner(),
            contains: t.contains,
            not_contains: t.not_contains,
            line,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_site_test_names_what_is_missing_and_what_is_still_there() {
        let t = SiteTest {
            page: "fixtures/sites/example.com/story.html".into(),
            contains: vec!["The council voted".into(), "the mayor said".into()],
            not_contains: vec!["Share this post".into()],
            line: 3,
        };
        assert!(
            t.problems("The council voted. Then the mayor said so.")
                .is_empty()
        );
        assert_eq!(
            t.problems("The council voted. Share this post"),
            [
                "missing \"the mayor said\"",
                "still there: \"Share this post\""
            ]
        );
        assert_eq!(t.checks(), 3);
    }

    use super::*;

    fn errors(src: &str) -> Vec<String> {
        match parse_rule_file("t.toml", src) {
            Ok(_) => vec![],
            Err(p) => p.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn a_valid_file_gives_rules_with_origins() {
        let src = r#"
# share rows
[[rule]]
id = "share-this"
category = "share"
description = "share buttons"
phrases = ["Share this post", "Share"]

[[rule]]
id = "refs"
category = "references"
phrases = ["References"]
action = "drop-section"
"#;
        let f = parse_rule_file("share.toml", src).unwrap();
        assert_eq!(f.rules.len(), 2);
        assert_eq!(f.rules[0].origin.to_string(), "share.toml:3");
        assert_eq!(f.rules[0].mode, MatchMode::Line);
        assert_eq!(f.rules[1].origin.line, 9);
        assert_eq!(f.rules[1].action, Action::DropSection);
    }

    #[test]
    fn unknown_key_is_located() {
        let e = errors("[[rule]]\nid = \"x\"\ncategory = \"share\"\nphrase = [\"a\"]\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("t.toml:4:1: unknown field `phrase`"),
            "{e:?}"
        );
    }

    #[test]
    fn syntax_error_is_located() {
        let e = errors("[[rule]]\nid = \"x\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("t.toml:2:"), "{e:?}");
    }

    #[test]
    fn every_semantic_problem_is_listed() {
        let src = r#"[[rule]]
id = "a"
category = "sharing"
phrases = ["x"]

[[rule]]
id = "b"
category = "share"
regex = ["(unclosed"]

[[rule]]
id = "c"
category = "share"
phrases = ["x"]
match = "fuzzy"
action = "zap"

[[rule]]
id = "d"
category = "share"
phrases = ["y"]

[[rule]]
id = "d"
category = "share"
phrases = ["z"]
"#;
        let e = errors(src);
        assert_eq!(e.len(), 5, "{e:#?}");
        assert!(e[0].starts_with("t.toml:3:12: unknown category \"sharing\""));
        assert!(e[1].starts_with("t.toml:9:10: bad regex"));
        assert!(e[2].starts_with("t.toml:15:9: unknown match mode \"fuzzy\""));
        assert!(e[3].starts_with("t.toml:16:10: unknown action \"zap\""));
        assert!(
            e[4].starts_with("t.toml:23:1: duplicate rule id \"d\" (first defined on line 18)")
        );
    }

    #[test]
    fn a_rule_that_matches_nothing_is_an_error() {
        let e = errors("[[rule]]\nid = \"x\"\ncategory = \"share\"\n");
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("no phrases, regex or selectors"), "{e:?}");
    }

    #[test]
    fn bad_selectors_are_located() {
        let e = errors(
            "[[rule]]\nid = \"x\"\ncategory = \"share\"\nselectors = [\".share\", \"div[\"]\n",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("t.toml:4:24: bad CSS selector"), "{e:?}");
    }

    #[test]
    fn a_bad_selector_says_what_is_wrong_in_words() {
        // scraper's own message for these asks to report a bug.
        for (sel, want) in [
            (
                "div > ",
                "a combinator (`>`, `+`, `~`) with nothing after it",
            ),
            (
                "p:hover-ish",
                "a pseudo-class or pseudo-element this matcher does not know",
            ),
            ("div, , p", "an empty selector"),
            (".", "it ends too early"),
        ] {
            let e = errors(&format!(
                "[[rule]]\nid = \"x\"\ncategory = \"share\"\nselectors = [{sel:?}]\n"
            ));
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(
                e[0].starts_with(&format!("t.toml:4:14: bad CSS selector {sel:?}: {want}")),
                "{e:?}"
            );
            assert!(!e[0].contains("report this"), "{e:?}");
        }
    }

    #[test]
    fn keep_rules_need_keep_action() {
        let e = errors(
            "[[rule]]\nid = \"k\"\ncategory = \"share\"\nphrases = [\"x\"]\naction = \"keep\"\n",
        );
        assert_eq!(e.len(), 1);
        assert!(e[0].contains("keep rules"), "{e:?}");
        let ok = parse_rule_file(
            "k.toml",
            "[[rule]]\nid = \"k\"\ncategory = \"keep\"\nphrases = [\"x\"]\n",
        )
        .unwrap();
        assert_eq!(ok.rules[0].action, Action::Keep);
    }

    #[test]
    fn disable_list_is_read() {
        let f = parse_rule_file(
            "s.toml",
            "disable = [\"share.tweet\", \"subscribe.sign-up\"]\n",
        )
        .unwrap();
        assert_eq!(
            f.disable,
            vec![("share.tweet".into(), 1), ("subscribe.sign-up".into(), 1)]
        );
    }
}
