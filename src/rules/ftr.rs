//! Importing FiveFilters ftr-site-config files (`example.com.txt`, or
//! `.example.com.txt` for a domain and its subdomains) into boilerstrip site
//! files.
//!
//! `strip:` and `strip_id_or_class:` become selector rules that drop,
//! `body:` becomes a keep rule (its blocks are protected), `test_url:` and
//! `test_contains:` become a commented `[[test]]` to complete with a stored
//! page. XPath is translated to CSS where it maps (`//tag`, `[@attr='x']`,
//! `contains(@class,'x')`, the `concat(' ',normalize-space(@class),' ')` idiom,
//! `and`, `|`, `/` and `//` steps); every line that is not translated is
//! reported with its number, never dropped silently.

use std::fmt::Write as _;

/// A line of the ftr file that was not translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslated {
    /// 1-based line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// The result of importing one ftr file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The site the file is for (from its name).
    pub host: String,
    /// The boilerstrip site file.
    pub toml: String,
    /// Lines not translated.
    pub untranslated: Vec<Untranslated>,
}

/// The host an ftr file name stands for (`.www.example.com.txt` →
/// `example.com`), named as a site is ([`crate::site::Site`]). An ftr file
/// serves its host and `www.` under it, so a name that is itself a public
/// suffix stands for its `www.` host (`gov.uk.txt` → `www.gov.uk`); a name
/// that is no site either way (`global.txt`) is returned lower-cased, and
/// `rules import-ftr` reports it instead of writing a site file.
pub fn host_of_file_name(name: &str) -> String {
    use crate::site::{Site, SiteSource};
    let stem = name.strip_suffix(".txt").unwrap_or(name);
    let stem = stem.trim_start_matches('.');
    Site::new(stem, SiteSource::Flag)
        .or_else(|| {
            // A suffix of two labels or more; a bare top-level domain is no
            // one's site (`global.txt` holds ftr's rules for every site).
            let www = format!("www.{stem}");
            stem.contains('.')
                .then(|| Site::new(&www, SiteSource::Flag))
                .flatten()
        })
        .map_or_else(|| stem.to_lowercase(), |s| s.host().to_string())
}

/// Translates an ftr-site-config file.
pub fn import(file_name: &str, text: &str) -> Imported {
    let host = host_of_file_name(file_name);
    let mut strip: Vec<(String, usize)> = Vec::new();
    let mut body: Vec<(String, usize)> = Vec::new();
    let mut tests: Vec<String> = Vec::new();
    let mut contains: Vec<String> = Vec::new();
    let mut untranslated = Vec::new();
    let mut skip = |line: usize, reason: String| untranslated.push(Untranslated { line, reason });
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((directive, value)) = t.split_once(':') else {
            skip(line, format!("not a `directive: value` line: {t:?}"));
            continue;
        };
        let (directive, value) = (directive.trim(), value.trim());
        match directive {
            "strip" | "body" => match xpath_to_css(value) {
                Some(css) if scraper::Selector::parse(&css).is_ok() => {
                    if directive == "strip" {
                        strip.push((css, line));
                    } else {
                        body.push((css, line));
                    }
                }
                _ => skip(
                    line,
                    format!("{directive}: XPath {value:?} has no CSS equivalent here"),
                ),
            },
            "strip_id_or_class" => {
                let word = value.trim_matches(['"', '\'']);
                if word.is_empty() || word.contains(['"', ']', '\\']) {
                    skip(line, format!("strip_id_or_class: unusable value {value:?}"));
                } else {
                    strip.push((format!("[class*=\"{word}\"], [id*=\"{word}\"]"), line));
                }
            }
            "test_url" => tests.push(value.to_string()),
            "test_contains" => contains.push(value.to_string()),
            "title" | "author" | "date" => skip(
                line,
                format!(
                    "{directive}: boilerstrip reads page metadata itself (og:title, <title>, <h1>)"
                ),
            ),
            other => skip(line, format!("{other}: no boilerstrip equivalent")),
        }
    }
    let mut toml = format!(
        "# Imported from the ftr-site-config file {file_name} by `boilerstrip rules import-ftr`.\n"
    );
    if !untranslated.is_empty() {
        let _ = writeln!(
            toml,
            "# {} line(s) were not translated; see the import's report.",
            untranslated.len()
        );
    }
    let id_host = crate::rules::id_prefix(&host);
    push_selector_rule(
        &mut toml,
        &format!("{id_host}.ftr-strip"),
        "navigation",
        "Elements the ftr-site-config file strips",
        &strip,
    );
    push_selector_rule(
        &mut toml,
        &format!("{id_host}.ftr-body"),
        "keep",
        "The article body the ftr-site-config file names: protected",
        &body,
    );
    for url in &tests {
        let _ = write!(
            toml,
            "\n# ftr test_url: {url}\n# Store that page under fixtures/sites/{host}/ and complete:\n# [[test]]\n# page = \"fixtures/sites/{host}/PAGE.html\"\n# contains = [{}]\n",
            contains
                .iter()
                .map(|c| toml::Value::String(c.clone()).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Imported {
        host,
        toml,
        untranslated,
    }
}

/// Appends a selector rule (if there are selectors), each selector with the
/// ftr line it came from.
fn push_selector_rule(
    toml: &mut String,
    id: &str,
    category: &str,
    description: &str,
    selectors: &[(String, usize)],
) {
    if selectors.is_empty() {
        return;
    }
    let _ = write!(
        toml,
        "\n[[rule]]\nid = \"{id}\"\ncategory = \"{category}\"\ndescription = \"{description}\"\nselectors = [\n"
    );
    for (css, line) in selectors {
        let _ = writeln!(
            toml,
            "  {},  # ftr line {line}",
            toml::Value::String(css.clone())
        );
    }
    toml.push_str("]\n");
}

/// Translates the XPath forms sites use into CSS; `None` when it has no
/// equivalent (positions, text(), axes, functions other than contains).
pub fn xpath_to_css(xpath: &str) -> Option<String> {
    let alternatives: Vec<String> = split_top(xpath, '|')
        .iter()
        .map(|alt| path_to_css(alt.trim()))
        .collect::<Option<_>>()?;
    Some(alternatives.join(", "))
}

/// The characters of `s` outside quotes, each with the bracket and
/// parenthesis depth before it.
fn outside_quotes(s: &str) -> impl Iterator<Item = (usize, char, i32)> + '_ {
    let (mut depth, mut quote) = (0i32, None);
    s.char_indices().filter_map(move |(i, c)| match (quote, c) {
        (Some(q), c) if c == q => {
            quote = None;
            None
        }
        (Some(_), _) => None,
        (None, '\'' | '"') => {
            quote = Some(c);
            None
        }
        (None, c) => {
            let before = depth;
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ => {}
            }
            Some((i, c, before))
        }
    })
}

/// Splits on `sep` outside brackets, parentheses and quotes.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c, depth) in outside_quotes(s) {
        if c == sep && depth == 0 {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

fn path_to_css(path: &str) -> Option<String> {
    let mut css = String::new();
    let mut rest = path;
    // A path starts at the root (`/`) or anywhere (`//`).
    let mut first = true;
    while !rest.is_empty() {
        let descendant = if let Some(r) = rest.strip_prefix("//") {
            rest = r;
            true
        } else if let Some(r) = rest.strip_prefix('/') {
            rest = r;
            false
        } else if first {
            true
        } else {
            return None;
        };
        // The step runs to the next `/` outside brackets.
        let end = step_end(rest);
        let step = &rest[..end];
        rest = &rest[end..];
        if !first {
            css.push_str(if descendant { " " } else { " > " });
        } else if !descendant && step != "html" {
            // An absolute path from the root: keep the element's own test.
        }
        first = false;
        css.push_str(&step_to_css(step)?);
    }
    (!css.is_empty()).then_some(css)
}

fn step_end(s: &str) -> usize {
    outside_quotes(s)
        .find(|&(_, c, depth)| c == '/' && depth == 0)
        .map_or(s.len(), |(i, _, _)| i)
}

fn step_to_css(step: &str) -> Option<String> {
    let (name, mut preds) = match step.find('[') {
        Some(i) => (&step[..i], &step[i..]),
        None => (step, ""),
    };
    let valid_name = name == "*"
        || (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !valid_name {
        return None;
    }
    let mut css = if name == "*" {
        String::new()
    } else {
        name.to_ascii_lowercase()
    };
    while let Some(p) = preds.strip_prefix('[') {
        let end = closing_bracket(p)?;
        let inner = &p[..end];
        preds = &p[end + 1..];
        for cond in split_and(inner) {
            css.push_str(&condition_to_css(cond.trim())?);
        }
    }
    if !preds.is_empty() {
        return None;
    }
    if css.is_empty() {
        css.push('*');
    }
    Some(css)
}

/// The offset of the `]` that closes a predicate whose `[` was just passed.
fn closing_bracket(s: &str) -> Option<usize> {
    outside_quotes(s)
        .find(|&(_, c, depth)| c == ']' && depth == 0)
        .map(|(i, _, _)| i)
}

fn split_and(s: &str) -> Vec<&str> {
    // ` and ` outside quotes and parentheses.
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c, depth) in outside_quotes(s) {
        if c == ' ' && depth == 0 && i >= start && s[i..].starts_with(" and ") {
            parts.push(&s[start..i]);
            start = i + " and ".len();
        }
    }
    parts.push(&s[start..]);
    parts
}

fn literal(s: &str) -> Option<&str> {
    let s = s.trim();
    let v = s
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|r| r.strip_suffix('"')))?;
    (!v.contains(['"', '\\'])).then_some(v)
}

fn condition_to_css(cond: &str) -> Option<String> {
    // @attr='value'
    if let Some(rest) = cond.strip_prefix('@')
        && let Some((attr, value)) = rest.split_once('=')
    {
        let attr = attr.trim();
        if !attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        return Some(format!("[{attr}=\"{}\"]", literal(value)?));
    }
    // @attr (presence)
    if let Some(attr) = cond.strip_prefix('@')
        && attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Some(format!("[{attr}]"));
    }
    // contains(@attr, 'value'), and the whole-class idiom
    let args = cond.strip_prefix("contains(")?.strip_suffix(')')?;
    let parts = split_top(args, ',');
    if parts.len() != 2 {
        return None;
    }
    let (target, value) = (parts[0].trim(), literal(parts[1])?);
    if let Some(attr) = target.strip_prefix('@')
        && attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Some(format!("[{attr}*=\"{value}\"]"));
    }
    let compact: String = target.chars().filter(|c| !c.is_whitespace()).collect();
    let word = value.trim();
    if compact == "concat('',normalize-space(@class),'')" && !word.is_empty() && !word.contains(' ')
    {
        return Some(format!("[class~=\"{word}\"]"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_forms_that_map() {
        let cases = [
            ("//div", "div"),
            ("//div[@class='share']", "div[class=\"share\"]"),
            ("//*[@id='comments']", "[id=\"comments\"]"),
            (
                "//div[contains(@class, 'related')]",
                "div[class*=\"related\"]",
            ),
            (
                "//div[contains(concat(' ',normalize-space(@class),' '),' promo ')]",
                "div[class~=\"promo\"]",
            ),
            ("//div[@id='main']//p", "div[id=\"main\"] p"),
            ("//article/header", "article > header"),
            ("//aside | //footer", "aside, footer"),
            (
                "//section[@class='x' and @data-role='y']",
                "section[class=\"x\"][data-role=\"y\"]",
            ),
        ];
        for (xpath, css) in cases {
            assert_eq!(xpath_to_css(xpath).as_deref(), Some(css), "{xpath}");
            assert!(scraper::Selector::parse(css).is_ok(), "{css}");
        }
    }

    #[test]
    fn xpath_forms_that_do_not_map() {
        for xpath in [
            "//div[1]",
            "//p[text()='Share']",
            "//div/following-sibling::p",
            "//div[last()]",
            "(//p)[2]",
        ] {
            assert_eq!(xpath_to_css(xpath), None, "{xpath}");
        }
    }

    #[test]
    fn file_names_stand_for_sites() {
        assert_eq!(host_of_file_name(".www.Example.com.txt"), "example.com");
        assert_eq!(host_of_file_name("bbc.co.uk.txt"), "bbc.co.uk");
        assert_eq!(host_of_file_name("gov.uk.txt"), "www.gov.uk");
        assert_eq!(host_of_file_name("global.txt"), "global");
    }

    #[test]
    fn a_file_is_imported_and_what_does_not_map_is_reported() {
        let ftr = "\
# Example Harbor News
title: //h1[@class='headline']
body: //div[@class='story-body']
strip: //div[contains(@class, 'promo-rail')]
strip: //p[last()]
strip_id_or_class: newsletter
prune: no
test_url: https://www.example.com/news/night-ferry
test_contains: A night ferry will cross the bay
";
        let imported = import(".example.com.txt", ftr);
        assert_eq!(imported.host, "example.com");
        let lines: Vec<usize> = imported.untranslated.iter().map(|u| u.line).collect();
        assert_eq!(lines, vec![2, 5, 7], "{:#?}", imported.untranslated);
        let file = crate::rules::parse_rule_file("imported.toml", &imported.toml).unwrap();
        assert_eq!(file.rules.len(), 2, "{}", imported.toml);
        assert_eq!(
            file.rules[0].selectors,
            vec![
                "div[class*=\"promo-rail\"]".to_string(),
                "[class*=\"newsletter\"], [id*=\"newsletter\"]".to_string(),
            ]
        );
        assert_eq!(file.rules[1].action, crate::rules::Action::Keep);
        assert!(
            imported
                .toml
                .contains("# ftr test_url: https://www.example.com/news/night-ferry")
        );
        assert!(
            imported
                .toml
                .contains("# contains = [\"A night ferry will cross the bay\"]")
        );
    }
}
