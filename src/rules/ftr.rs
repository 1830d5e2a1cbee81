//! Importing FiveFilters ftr-site-config files (`example.com.txt`, or
//! `.example.com.txt` for a domain and its subdomains) into boilerstrip site
//! files.
//!
//! `strip:` and `strip_id_or_class:` become selector rules that drop,
//! `body:` becomes a keep rule (its blocks are protected), `test_url:` and
//! `test_contains:` become a commented `[[test]]` to complete with a stored
//! page. XPath is translated to CSS where it maps ([`super::xpath`]); every
//! line that is not translated is reported with its number, never dropped
//! silently.

use std::fmt::Write as _;

use super::xpath::xpath_to_css;

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

#[cfg(test)]
mod tests {
    use super::*;

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
