//! Loading rule files into per-site compiled rule sets.

use super::{Rule, RuleFile, RuleProblem, RuleSet, RulesError, parse_rule_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The shipped default rules, embedded so the binary works from any directory.
const SHIPPED: &[(&str, &str)] = &[
    (
        "rules/default/share.toml",
        include_str!("../../rules/default/share.toml"),
    ),
    (
        "rules/default/subscribe.toml",
        include_str!("../../rules/default/subscribe.toml"),
    ),
    (
        "rules/default/consent.toml",
        include_str!("../../rules/default/consent.toml"),
    ),
    (
        "rules/default/references.toml",
        include_str!("../../rules/default/references.toml"),
    ),
    (
        "rules/default/teasers.toml",
        include_str!("../../rules/default/teasers.toml"),
    ),
    (
        "rules/default/chrome.toml",
        include_str!("../../rules/default/chrome.toml"),
    ),
    (
        "rules/default/html.toml",
        include_str!("../../rules/default/html.toml"),
    ),
];

/// A user's rule directory: `*.toml` and `default/*.toml` add to (or override)
/// the default rules; `sites/<host>.toml` apply to one site and its subdomains.
#[derive(Debug, Clone)]
pub struct RuleDir(pub PathBuf);

/// Every rule set a run may need, compiled once: the defaults, and one set per
/// host that has site files.
#[derive(Debug, Clone)]
pub struct RuleBook {
    base: Arc<RuleSet>,
    sites: HashMap<String, Arc<RuleSet>>,
    tests: Vec<SiteTestCase>,
    /// The files it was built from, to build it again with one more site file.
    sources: Arc<Layers>,
}

/// Rule files by layer: the default layers in order, then the site files.
type Layers = (Vec<Vec<Source>>, Vec<(String, Source)>);

/// A test case of a site file, with where it was written.
#[derive(Debug, Clone)]
pub struct SiteTestCase {
    /// The site the file is for.
    pub host: String,
    /// The site file.
    pub file: String,
    /// The case.
    pub test: super::SiteTest,
}

/// A rule file's text with the name used in messages.
#[derive(Debug, Clone)]
struct Source {
    name: String,
    text: String,
}

impl RuleBook {
    /// The shipped default rules only.
    pub fn shipped() -> Result<RuleBook, RulesError> {
        RuleBook::load(&[])
    }

    /// The shipped defaults plus the given user directories, in order (a later
    /// directory's rule overrides an earlier one with the same id).
    ///
    /// Every file is read and checked before anything is compiled; all problems
    /// are returned together.
    pub fn load(dirs: &[RuleDir]) -> Result<RuleBook, RulesError> {
        let mut defaults: Vec<Vec<Source>> = vec![
            SHIPPED
                .iter()
                .map(|(n, t)| Source {
                    name: n.to_string(),
                    text: t.to_string(),
                })
                .collect(),
        ];
        let mut sites: Vec<(String, Source)> = Vec::new();
        for dir in dirs {
            let (d, s) = read_dir(&dir.0)?;
            defaults.push(d);
            sites.extend(s);
        }
        RuleBook::build(defaults, sites)
    }

    /// This book with one more site file (given as text): how rules learned
    /// during a run are added. The file is checked like any other.
    pub fn with_site_file(
        &self,
        host: &str,
        name: &str,
        text: &str,
    ) -> Result<RuleBook, RulesError> {
        let (defaults, mut sites) = (*self.sources).clone();
        sites.push((
            site_file_host(host),
            Source {
                name: name.to_string(),
                text: text.to_string(),
            },
        ));
        RuleBook::build(defaults, sites)
    }

    fn build(
        defaults: Vec<Vec<Source>>,
        sites: Vec<(String, Source)>,
    ) -> Result<RuleBook, RulesError> {
        let sources = Arc::new((defaults.clone(), sites.clone()));
        let mut problems = Vec::new();
        // Default layers: within a layer ids are unique; a later layer overrides.
        let mut base: Vec<Rule> = Vec::new();
        let mut base_at: HashMap<String, usize> = HashMap::new();
        for layer in defaults {
            let mut layer_ids: HashMap<String, String> = HashMap::new();
            for src in layer {
                let Some(file) = parse_into(&src, &mut problems) else {
                    continue;
                };
                for (id, line) in &file.disable {
                    problems.push(RuleProblem {
                        file: src.name.clone(),
                        line: *line,
                        col: 1,
                        message: format!(
                            "`disable` ({id:?}) belongs in a site file, not in default rules"
                        ),
                    });
                }
                for t in &file.tests {
                    problems.push(RuleProblem {
                        file: src.name.clone(),
                        line: t.line,
                        col: 1,
                        message: "`[[test]]` belongs in a site file, not in default rules".into(),
                    });
                }
                for rule in file.rules {
                    if let Some(other) = layer_ids.insert(rule.id.clone(), rule.origin.to_string())
                    {
                        problems.push(RuleProblem {
                            file: src.name.clone(),
                            line: rule.origin.line,
                            col: 1,
                            message: format!("duplicate rule id {:?} (also at {other})", rule.id),
                        });
                        continue;
                    }
                    upsert(&mut base, &mut base_at, rule);
                }
            }
        }
        let mut site_files: Vec<(String, RuleFile)> = Vec::new();
        let mut tests = Vec::new();
        for (host, src) in sites {
            if let Err(e) = crate::site::Site::parse(&host, crate::site::SiteSource::Flag) {
                problems.push(RuleProblem {
                    file: src.name.clone(),
                    line: 1,
                    col: 1,
                    message: format!(
                        "the file's name {e}: site files apply to a host and its parent domains \
                         down to the registrable domain, so this one would never apply"
                    ),
                });
                continue;
            }
            if let Some(file) = parse_into(&src, &mut problems) {
                tests.extend(file.tests.iter().map(|t| SiteTestCase {
                    host: host.clone(),
                    file: src.name.clone(),
                    test: t.clone(),
                }));
                site_files.push((host, file));
            }
        }
        // A disabled id must exist somewhere, or it is a typo.
        let known: std::collections::HashSet<&str> = base
            .iter()
            .chain(site_files.iter().flat_map(|(_, f)| f.rules.iter()))
            .map(|r| r.id.as_str())
            .collect();
        for (host, f) in &site_files {
            for (id, line) in &f.disable {
                if !known.contains(id.as_str()) {
                    problems.push(RuleProblem {
                        file: format!("sites/{host}.toml"),
                        line: *line,
                        col: 1,
                        message: format!("`disable` names unknown rule id {id:?}"),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(RulesError::Invalid(problems));
        }
        let compile = |rules: Vec<Rule>, site: Option<&str>| {
            let count = rules.len();
            RuleSet::compile(rules).map_err(|source| RulesError::Compile {
                set: match site {
                    Some(host) => format!("the rules for {host}"),
                    None => "the default rules".into(),
                },
                count,
                source,
            })
        };
        let mut compiled = HashMap::new();
        let hosts: Vec<&String> = site_files.iter().map(|(h, _)| h).collect();
        for host in &hosts {
            // Site files for this host and its parent domains down to the
            // registrable domain, general first.
            let mut chain: Vec<(usize, &RuleFile)> = site_files
                .iter()
                .filter(|(h, _)| crate::site::lookup(host).any(|name| name == h))
                .map(|(h, f)| (h.len(), f))
                .collect();
            chain.sort_by_key(|(len, _)| *len);
            let mut rules = base.clone();
            let mut at = base_at.clone();
            for (_, f) in chain {
                if !f.disable.is_empty() {
                    let off: std::collections::HashSet<&str> =
                        f.disable.iter().map(|(id, _)| id.as_str()).collect();
                    rules.retain(|r| !off.contains(r.id.as_str()));
                    at = index_of(&rules);
                }
                for rule in &f.rules {
                    upsert(&mut rules, &mut at, rule.clone());
                }
            }
            if !compiled.contains_key(host.as_str()) {
                compiled.insert(host.to_string(), Arc::new(compile(rules, Some(host))?));
            }
        }
        Ok(RuleBook {
            base: Arc::new(compile(base, None)?),
            sites: compiled,
            tests,
            sources,
        })
    }

    /// The rule set for a site (a host name or URL; case, `www.` and ports
    /// are ignored, and parent domains are tried down to the registrable
    /// domain: `news.bbc.co.uk`, `bbc.co.uk`, never `co.uk`), or the defaults
    /// when no site file applies.
    pub fn for_site(&self, site: Option<&str>) -> &Arc<RuleSet> {
        use crate::site::{Site, SiteSource};
        if let Some(site) = site.and_then(|s| Site::new(s, SiteSource::Flag)) {
            for name in site.lookup() {
                if let Some(set) = self.sites.get(name) {
                    return set;
                }
            }
        }
        &self.base
    }

    /// The test cases of all site files, in file order.
    pub fn site_tests(&self) -> &[SiteTestCase] {
        &self.tests
    }

    /// Hosts that have site files.
    pub fn site_hosts(&self) -> impl Iterator<Item = &str> {
        self.sites.keys().map(|s| s.as_str())
    }
}

/// Lower-cases nothing (hosts are expected in lower case), drops a scheme,
/// a leading `www.`, a port and anything after the host. Only a trim of the
/// string: whether a name is a site at all, and the names its site files
/// are looked up under, is [`crate::site::Site`]'s to say.
pub fn normalize_host(site: &str) -> &str {
    let s = site.trim();
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.split(['/', ':', '?', '#']).next().unwrap_or(s);
    s.strip_prefix("www.").unwrap_or(s)
}

/// The host a site file is for, named as a site is (lower case, `www.`
/// dropped where that leaves a site); a name that is no site is kept as it
/// is, and `build` reports it.
fn site_file_host(name: &str) -> String {
    crate::site::Site::new(name, crate::site::SiteSource::Flag)
        .map_or_else(|| name.to_lowercase(), |s| s.host().to_string())
}

/// Replaces the rule with `rule`'s id, else appends it; `at` maps each id
/// to its place in `rules` (a lookup, not a scan: 50 000 rules load in
/// linear time).
fn upsert(rules: &mut Vec<Rule>, at: &mut HashMap<String, usize>, rule: Rule) {
    match at.get(&rule.id) {
        Some(&i) => rules[i] = rule,
        None => {
            at.insert(rule.id.clone(), rules.len());
            rules.push(rule);
        }
    }
}

/// Each rule's id with its place in `rules`.
fn index_of(rules: &[Rule]) -> HashMap<String, usize> {
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect()
}

fn parse_into(src: &Source, problems: &mut Vec<RuleProblem>) -> Option<RuleFile> {
    match parse_rule_file(&src.name, &src.text) {
        Ok(f) => Some(f),
        Err(p) => {
            problems.extend(p);
            None
        }
    }
}

type DirContents = (Vec<Source>, Vec<(String, Source)>);

fn read_dir(root: &Path) -> Result<DirContents, RulesError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RulesError::Io { path, source }
    };
    let meta = std::fs::metadata(root).map_err(io(root))?;
    if !meta.is_dir() {
        return Err(RulesError::Io {
            path: root.to_path_buf(),
            source: std::io::Error::other("not a directory of rule files"),
        });
    }
    let mut defaults = Vec::new();
    let mut sites = Vec::new();
    for (sub, is_site) in [
        (root.to_path_buf(), false),
        (root.join("default"), false),
        (root.join("sites"), true),
    ] {
        if !sub.is_dir() {
            continue;
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&sub)
            .map_err(io(&sub))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
            .collect();
        entries.sort();
        for path in entries {
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            let src = Source {
                name: path.display().to_string(),
                text,
            };
            if is_site {
                let host = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                sites.push((site_file_host(&host), src));
            } else {
                defaults.push(src);
            }
        }
    }
    Ok((defaults, sites))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn matched(set: &RuleSet, text: &str) -> Option<String> {
        let w = crate::document::Features::of(text).words;
        set.match_block(text, w)
            .map(|m| set.rules()[m.index].id.clone())
    }

    #[test]
    fn shipped_rules_load() {
        let book = RuleBook::shipped().unwrap();
        assert!(book.for_site(None).rules().len() > 10);
    }

    #[test]
    fn site_files_add_override_and_disable() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "sites/example.com.toml",
            "disable = [\"share.buttons\"]\n[[rule]]\nid = \"example.promo\"\ncategory = \"teasers\"\nphrases = [\"Only on Example Plus\"]\n",
        );
        write(
            tmp.path(),
            "sites/news.example.com.toml",
            "[[rule]]\nid = \"news.byline\"\ncategory = \"navigation\"\nphrases = [\"B P\"]\n",
        );
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        let base = book.for_site(None);
        assert_eq!(matched(base, "Share").as_deref(), Some("share.buttons"));
        assert_eq!(matched(base, "Only on Example Plus"), None);
        let site = book.for_site(Some("https://www.example.com/a/b"));
        assert_eq!(matched(site, "Share"), None, "switched off for the site");
        assert_eq!(
            matched(site, "Only on Example Plus").as_deref(),
            Some("example.promo")
        );
        let sub = book.for_site(Some("news.example.com"));
        assert_eq!(
            matched(sub, "Only on Example Plus").as_deref(),
            Some("example.promo")
        );
        assert_eq!(matched(sub, "B P").as_deref(), Some("news.byline"));
        assert_eq!(matched(book.for_site(Some("other.org")), "B P"), None);
    }

    #[test]
    fn all_problems_across_files_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "a.toml",
            "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nphrases = [\"a\"]\n",
        );
        write(
            tmp.path(),
            "b.toml",
            "[[rule]]\nid = \"y\"\ncategory = \"share\"\nregex = [\"[\"]\n",
        );
        write(
            tmp.path(),
            "sites/s.org.toml",
            "disable = [\"no.such.rule\"]\n",
        );
        let err = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap_err();
        let RulesError::Invalid(problems) = err else {
            panic!("{err}")
        };
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:#?}");
        assert!(text[0].contains("a.toml:3:12: unknown category"));
        assert!(text[1].contains("b.toml:4:10: bad regex"));
        assert!(text[2].contains("s.org.toml:1:1: `disable` names unknown rule id"));
    }

    #[test]
    fn duplicate_ids_across_files_of_one_layer() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "a.toml",
            "[[rule]]\nid = \"x\"\ncategory = \"share\"\nphrases = [\"a\"]\n",
        );
        write(
            tmp.path(),
            "b.toml",
            "\n[[rule]]\nid = \"x\"\ncategory = \"share\"\nphrases = [\"b\"]\n",
        );
        let err = RuleBook::load(&[RuleDir(tmp.path().into())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("b.toml:2:1: duplicate rule id \"x\""), "{err}");
    }

    #[test]
    fn a_user_rule_overrides_a_shipped_one_by_id() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "mine.toml",
            "[[rule]]\nid = \"share.buttons\"\ncategory = \"share\"\nphrases = [\"Partager\"]\n",
        );
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        assert_eq!(
            matched(book.for_site(None), "Partager").as_deref(),
            Some("share.buttons")
        );
        assert_eq!(matched(book.for_site(None), "Share"), None);
    }

    /// A rule file of `n` rules, each made by `rule(i)`.
    fn many(n: usize, rule: impl Fn(usize) -> String) -> String {
        (0..n).map(rule).collect()
    }

    #[test]
    fn fifty_thousand_phrase_rules_load_and_the_last_one_matches() {
        // Loading used to rescan the file for each rule's line and each
        // rule set for each id: 50 000 rules took 98 s.
        let tmp = tempfile::tempdir().unwrap();
        let modes = ["line", "prefix", "contains"];
        write(
            tmp.path(),
            "many.toml",
            &many(50_000, |i| {
                format!(
                    "[[rule]]\nid = \"gen.r{i}\"\ncategory = \"ads\"\nphrases = [\"sponsored slot number {i}\"]\nmatch = \"{}\"\n\n",
                    modes[i % 3]
                )
            }),
        );
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        let set = book.for_site(None);
        assert_eq!(
            matched(set, "Sponsored slot number 49999").as_deref(),
            Some("gen.r49999")
        );
        assert_eq!(
            matched(set, "A sponsored slot number 49997 here").as_deref(),
            Some("gen.r49997"),
            "a contains phrase"
        );
        let r = &set.rules()[set.rules().len() - 1];
        assert_eq!(
            r.origin.to_string(),
            format!("{}:299995", tmp.path().join("many.toml").display())
        );
    }

    #[test]
    fn five_thousand_regex_rules_compile_and_match() {
        // Their gates need more lazy-DFA cache than the default 2 MiB; this
        // failed with "given cache capacity (2097152) is smaller than
        // minimum required" at a made-up `(rule set):1:1`.
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "many.toml",
            &many(5_000, |i| {
                format!(
                    "[[rule]]\nid = \"gen.x{i}\"\ncategory = \"ads\"\nregex = ['^Promo\\w* {i}\\b']\nmax_words = 20\n\n"
                )
            }),
        );
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        let set = book.for_site(None);
        assert_eq!(
            matched(set, "Promotion 4999 today").as_deref(),
            Some("gen.x4999")
        );
        assert_eq!(matched(set, "Promotion 5000 today"), None);
    }

    #[test]
    fn hosts_are_normalized() {
        assert_eq!(
            normalize_host("https://www.example.com:8080/x?y"),
            "example.com"
        );
        assert_eq!(normalize_host("news.example.com"), "news.example.com");
    }
}
