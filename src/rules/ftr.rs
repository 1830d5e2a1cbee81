//! Importing FiveFilters ftr-site-config files (`example.com.txt`, or
//! `.example.com.txt` for a domain and its subdomains) into boilerstrip site
//! files.
//!
//! `strip:` and `strip_id_or_class:` become selector rules that drop,
//! `body:` becomes a keep rule (its blocks are protected), each `test_url:`
//! with the `test_contains:` lines under it becomes a commented `[[test]]`
//! to complete with a stored page; `global.txt` becomes `global.toml`, for
//! every site. XPath is translated to CSS where it maps (the `xpath` module); every
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

/// What an ftr file is for, from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `example.com.txt`: that host (and `www.` under it).
    Host(String),
    /// `.example.com.txt`: the subdomains of the host, not the host itself.
    Subdomains(String),
    /// `global.txt`: every site.
    Global,
    /// A file of the collection that is no site config (`LICENSE.txt`), or
    /// a name that is no site: the reason.
    NotASite(String),
}

impl Target {
    /// The target of an ftr file name.
    pub fn of_file_name(name: &str) -> Target {
        let stem = name.strip_suffix(".txt").unwrap_or(name);
        if stem.eq_ignore_ascii_case("global") {
            return Target::Global;
        }
        if !stem.trim_start_matches('.').contains('.') {
            return Target::NotASite(format!("{name} is not a site config (its name is no host)"));
        }
        if let Some(wild) = stem.strip_prefix('.') {
            // The subdomains of `wild`, named as written (`.www.x.com` is
            // for what is under `www.x.com`; `.blogspot.com`, a public
            // suffix, for every blog under it).
            let host = wild.trim_start_matches('.').to_lowercase();
            let below = format!("a.{host}");
            return match crate::site::Site::parse(&below, crate::site::SiteSource::Flag) {
                Ok(_) => Target::Subdomains(host),
                Err(e) => Target::NotASite(format!("the file's name {e}")),
            };
        }
        let host = host_of_file_name(name);
        if let Err(e) = crate::site::Site::parse(&host, crate::site::SiteSource::Flag) {
            return Target::NotASite(format!("the file's name {e}"));
        }
        Target::Host(host)
    }

    /// Where the translation goes in a rule directory: `global.toml` (a
    /// default-layer file: every site), `sites/<host>.toml`, or
    /// `sites/.<host>.toml` for a wildcard file.
    pub fn path(&self) -> Option<String> {
        match self {
            Target::Host(h) => Some(format!("sites/{h}.toml")),
            Target::Subdomains(h) => Some(format!("sites/.{h}.toml")),
            Target::Global => Some("global.toml".into()),
            Target::NotASite(_) => None,
        }
    }
}

/// The result of importing one ftr file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The site the file is for (from its name).
    pub host: String,
    /// What the file is for, and so where its translation goes.
    pub target: Target,
    /// The boilerstrip site file.
    pub toml: String,
    /// Lines not translated.
    pub untranslated: Vec<Untranslated>,
}

/// The host an ftr file name stands for (`.www.example.com.txt` →
/// `example.com`), named as a site is ([`crate::site::Site`]). An ftr file
/// serves its host and `www.` under it, so a name that is itself a public
/// suffix stands for its `www.` host (`gov.uk.txt` → `www.gov.uk`); a name
/// that is no site either way (`global.txt`) is returned lower-cased.
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

/// What an ftr file says, translated line by line.
#[derive(Debug, Default)]
struct Parsed {
    /// CSS selectors with the ftr line each came from.
    strip: Vec<(String, usize)>,
    body: Vec<(String, usize)>,
    /// Each `test_url` with the `test_contains` lines under it.
    tests: Vec<(String, Vec<String>)>,
    untranslated: Vec<Untranslated>,
}

impl Parsed {
    fn of(text: &str) -> Parsed {
        let mut p = Parsed::default();
        for (i, raw) in text.lines().enumerate() {
            let t = raw.trim();
            if !(t.is_empty() || t.starts_with('#')) {
                p.line(i + 1, t);
            }
        }
        p
    }

    fn skip(&mut self, line: usize, reason: String) {
        self.untranslated.push(Untranslated { line, reason });
    }

    /// One `directive: value` line.
    fn line(&mut self, line: usize, t: &str) {
        let Some((directive, value)) = t.split_once(':') else {
            self.skip(line, format!("not a `directive: value` line: {t:?}"));
            return;
        };
        let (directive, value) = (directive.trim(), value.trim());
        match directive {
            "strip" | "body" => match xpath_to_css(value) {
                Some(css) if scraper::Selector::parse(&css).is_ok() => {
                    let to = if directive == "strip" {
                        &mut self.strip
                    } else {
                        &mut self.body
                    };
                    to.push((css, line));
                }
                _ => self.skip(
                    line,
                    format!("{directive}: XPath {value:?} has no CSS equivalent here"),
                ),
            },
            "strip_id_or_class" => {
                let word = value.trim_matches(['"', '\'']);
                if word.is_empty() || word.contains(['"', ']', '\\']) {
                    self.skip(line, format!("strip_id_or_class: unusable value {value:?}"));
                } else {
                    let css = format!("[class*=\"{word}\"], [id*=\"{word}\"]");
                    self.strip.push((css, line));
                }
            }
            "test_url" => self.tests.push((value.to_string(), Vec::new())),
            "test_contains" => match self.tests.last_mut() {
                Some((_, contains)) => contains.push(value.to_string()),
                None => self.skip(line, "test_contains: no test_url above it".into()),
            },
            "title" | "author" | "date" => self.skip(
                line,
                format!(
                    "{directive}: boilerstrip reads page metadata itself (og:title, <title>, <h1>)"
                ),
            ),
            other => self.skip(line, format!("{other}: no boilerstrip equivalent")),
        }
    }
}

/// The line that keeps a site file to its host (and `www.` under it).
const EXACT: &str = "subdomains = false";

/// Translates an ftr-site-config file.
pub fn import(file_name: &str, text: &str) -> Imported {
    translate(file_name, text, 1)
}

/// Translates an ftr file as part `part` of its output file: the first
/// part is a whole rule file; a later one (another ftr file standing for
/// the same output) only adds rules, under ids of their own (`ftr2-strip`).
fn translate(file_name: &str, text: &str, part: usize) -> Imported {
    let target = Target::of_file_name(file_name);
    let host = match &target {
        Target::Subdomains(h) => h.clone(),
        _ => host_of_file_name(file_name),
    };
    let parsed = Parsed::of(text);
    let mut toml = if part == 1 {
        format!(
            "# Imported from the ftr-site-config file {file_name} by `boilerstrip rules import-ftr`.\n"
        )
    } else {
        format!("\n# ----- merged: {file_name} stands for the same file\n")
    };
    match &target {
        Target::Subdomains(h) => {
            let _ = writeln!(
                toml,
                "# A wildcard file: for the subdomains of {h}, not for {h} itself."
            );
        }
        Target::Global => toml.push_str("# For every site.\n"),
        _ => {}
    }
    if let (Target::Host(h), 1) = (&target, part) {
        let _ = writeln!(
            toml,
            "# As ftr reads it: for {h} and www.{h}, not for other subdomains.\n{EXACT}"
        );
    }
    if !parsed.untranslated.is_empty() {
        let _ = writeln!(
            toml,
            "# {} line(s) were not translated; see the import's report.",
            parsed.untranslated.len()
        );
    }
    let id_host = match target {
        Target::Global => "ftr-global".to_string(),
        _ => crate::rules::id_prefix(&host),
    };
    let tag = if part == 1 {
        "ftr".to_string()
    } else {
        format!("ftr{part}")
    };
    write_rules(&mut toml, &format!("{id_host}.{tag}"), &parsed);
    if target != Target::Global {
        write_test_stubs(&mut toml, &host, &parsed.tests);
    }
    Imported {
        host,
        target,
        toml,
        untranslated: parsed.untranslated,
    }
}

/// The strip and body rules.
fn write_rules(toml: &mut String, id: &str, parsed: &Parsed) {
    push_selector_rule(
        toml,
        &format!("{id}-strip"),
        "navigation",
        "Elements the ftr-site-config file strips",
        &parsed.strip,
    );
    push_selector_rule(
        toml,
        &format!("{id}-body"),
        "keep",
        "The article body the ftr-site-config file names: protected",
        &parsed.body,
    );
}

/// A commented `[[test]]` for each `test_url`, with the `test_contains`
/// lines written under that url: the user stores the page and completes it.
fn write_test_stubs(toml: &mut String, host: &str, tests: &[(String, Vec<String>)]) {
    for (url, contains) in tests {
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
}

/// A whole collection imported: one translation per output file, the
/// files that stand for one output merged, and the files that are no site.
#[derive(Debug, Default)]
pub struct Collection {
    /// Each output file (its path in the rule directory, see
    /// [`Target::path`]), with the input files (indices) it came from and
    /// its text.
    pub outputs: Vec<Output>,
    /// Input files that are no site config, with the reason.
    pub not_sites: Vec<(usize, String)>,
}

/// One output file of a [`Collection`].
#[derive(Debug)]
pub struct Output {
    /// Path in the rule directory (`sites/example.com.toml`).
    pub path: String,
    /// The input files (indices, in input order) it was made from: more
    /// than one is a collision (`www.x.com.txt` and `x.com.txt` stand for
    /// one host), and each one's rules are in the file.
    pub sources: Vec<usize>,
    /// Each source's lines that were not translated.
    pub untranslated: Vec<(usize, Untranslated)>,
    /// The rule file.
    pub toml: String,
}

/// Imports a collection of ftr files (name, text): files standing for the
/// same output are merged into one, their rules one after the other (each
/// under ids of its own), never one silently written over another.
pub fn import_all(files: &[(String, String)]) -> Collection {
    let mut c = Collection::default();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, (name, text)) in files.iter().enumerate() {
        let Some(path) = Target::of_file_name(name).path() else {
            if let Target::NotASite(why) = Target::of_file_name(name) {
                c.not_sites.push((i, why));
            }
            continue;
        };
        let k = *at.entry(path.clone()).or_insert_with(|| {
            c.outputs.push(Output {
                path,
                sources: Vec::new(),
                untranslated: Vec::new(),
                toml: String::new(),
            });
            c.outputs.len() - 1
        });
        let out = &mut c.outputs[k];
        let imported = translate(name, text, out.sources.len() + 1);
        out.toml.push_str(&imported.toml);
        out.sources.push(i);
        out.untranslated
            .extend(imported.untranslated.into_iter().map(|u| (i, u)));
    }
    c
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
    fn file_names_say_host_subdomains_every_site_or_none() {
        assert_eq!(
            Target::of_file_name("www.example.com.txt"),
            Target::Host("example.com".into())
        );
        assert_eq!(
            Target::of_file_name(".example.com.txt"),
            Target::Subdomains("example.com".into())
        );
        assert_eq!(Target::of_file_name("global.txt"), Target::Global);
        assert!(matches!(
            Target::of_file_name("LICENSE.txt"),
            Target::NotASite(_)
        ));
        assert!(matches!(
            Target::of_file_name("com.txt"),
            Target::NotASite(_)
        ));
        assert_eq!(
            Target::of_file_name(".example.com.txt").path().as_deref(),
            Some("sites/.example.com.toml")
        );
        // A wildcard keeps its labels: a public suffix stays one (every blog
        // under it), `www.` stays.
        assert_eq!(
            Target::of_file_name(".blogspot.com.txt"),
            Target::Subdomains("blogspot.com".into())
        );
        assert_eq!(
            Target::of_file_name(".www.example.com.txt"),
            Target::Subdomains("www.example.com".into())
        );
        assert_eq!(Target::Global.path().as_deref(), Some("global.toml"));
    }

    #[test]
    fn each_test_stub_gets_the_contains_lines_under_its_own_url() {
        let ftr = "\
test_contains: before any url
test_url: https://example.com/first
test_contains: First story line
test_contains: Second line of the first
test_url: https://example.com/second
test_contains: Only the second story
";
        let imported = import("example.com.txt", ftr);
        let stubs: Vec<&str> = imported.toml.split("# ftr test_url: ").skip(1).collect();
        assert_eq!(stubs.len(), 2, "{}", imported.toml);
        assert!(
            stubs[0].contains("# contains = [\"First story line\", \"Second line of the first\"]")
        );
        assert!(!stubs[0].contains("Only the second"));
        assert!(stubs[1].contains("# contains = [\"Only the second story\"]"));
        assert_eq!(imported.untranslated.len(), 1);
        assert_eq!(imported.untranslated[0].line, 1);
    }

    #[test]
    fn a_collection_merges_files_for_one_host_and_keeps_wildcards_apart() {
        let files: Vec<(String, String)> = [
            ("example.com.txt", "strip: //div[@id='promo']\n"),
            (".example.com.txt", "strip: //div[@id='sub-promo']\n"),
            (
                "www.example.com.txt",
                "strip: //aside[@class='more']\nbody: //article\n",
            ),
            ("global.txt", "strip_id_or_class: sharedaddy\n"),
            ("LICENSE.txt", "Public domain.\n"),
        ]
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        let c = import_all(&files);
        let paths: Vec<(&str, &[usize])> = c
            .outputs
            .iter()
            .map(|o| (o.path.as_str(), o.sources.as_slice()))
            .collect();
        assert_eq!(
            paths,
            [
                ("sites/example.com.toml", &[0, 2][..]),
                ("sites/.example.com.toml", &[1][..]),
                ("global.toml", &[3][..]),
            ]
        );
        assert_eq!(c.not_sites.len(), 1);
        assert_eq!(c.not_sites[0].0, 4);
        // The merged file holds both files' rules, under ids of their own.
        let merged = &c.outputs[0].toml;
        let file = crate::rules::parse_rule_file("merged.toml", merged).unwrap();
        let ids: Vec<&str> = file.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "example.com.ftr-strip",
                "example.com.ftr2-strip",
                "example.com.ftr2-body"
            ],
            "{merged}"
        );
        let global = crate::rules::parse_rule_file("global.toml", &c.outputs[2].toml).unwrap();
        assert_eq!(global.rules[0].id, "ftr-global.ftr-strip");
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
        let exact = import("example.com.txt", ftr);
        let file = crate::rules::parse_rule_file("exact.toml", &exact.toml).unwrap();
        assert_eq!(file.subdomains.map(|s| s.0), Some(false), "{}", exact.toml);
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
