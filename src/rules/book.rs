//! Loading rule files into per-site compiled rule sets.

use super::{Rule, RuleFile, RuleProblem, RuleSet, RulesError, parse_rule_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

/// Every rule set a run may need: the defaults, compiled once when the book
/// is built, and each site's rules, parsed and checked then but compiled the
/// first time a page of that site asks for them.
///
/// A site's set is the defaults with its site files on top (overrides by id,
/// switched-off ids, added rules). Building the book costs a parse of every
/// file and one compile, however many sites have files: with the 2,000-odd
/// files of an ftr-site-config import, a run that meets three sites compiles
/// four sets. A set is compiled once, however many threads meet the site at
/// once (the others wait for it), and shared by every clone of the book.
#[derive(Debug, Clone)]
pub struct RuleBook {
    base: Arc<RuleSet>,
    /// The default rules before compiling, for the sites' sets.
    base_rules: Arc<Vec<Rule>>,
    /// Every site file, parsed and checked, in load order.
    site_files: Arc<Vec<SiteFile>>,
    /// The sets sites may need, each compiled on first use.
    slots: Arc<Vec<Slot>>,
    /// For each host with a site file: the slot for a page of that host
    /// itself, and the slot for a page below it.
    keys: Arc<HashMap<String, [usize; 2]>>,
    tests: Vec<SiteTestCase>,
    /// The files it was built from, to build it again with one more site file.
    sources: Arc<Layers>,
}

/// A parsed site file and the pages it is for.
#[derive(Debug)]
struct SiteFile {
    /// The host, named as a site is.
    host: String,
    /// A wildcard file (`sites/.example.com.toml`): for the subdomains of
    /// `host` only, not for `host` and `www.host` themselves.
    wildcard: bool,
    /// A file that says `subdomains = false`: for `host` and `www.host`
    /// only, not for the subdomains.
    exact: bool,
    /// `host`, or `.host` for a wildcard file.
    label: String,
    /// Where it was read from.
    name: String,
    file: RuleFile,
}

/// A site's rule set: the site files it is made of (indices in
/// `site_files`, general first) and the set, once compiled.
#[derive(Debug)]
struct Slot {
    /// The host it was first made for, for messages.
    host: String,
    chain: Vec<usize>,
    set: OnceLock<Result<Arc<RuleSet>, String>>,
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
    /// are returned together. The sites' own sets are compiled when first
    /// asked for ([`RuleBook::for_site`]); [`RuleBook::check_site_file`]
    /// compiles one site file's rules alone, to check it without waiting for
    /// a page.
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
        RuleBook::build(defaults, sites, None)
    }

    /// This book with one more site file (given as text): how rules learned
    /// during a run are added. The file is checked like any other; the
    /// defaults' set is this book's, not compiled again.
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
        RuleBook::build(defaults, sites, Some(&self.base))
    }

    /// The book of these files; `base_set`, when given, is the defaults'
    /// set already compiled from the same default layers.
    fn build(
        defaults: Vec<Vec<Source>>,
        sites: Vec<(String, Source)>,
        base_set: Option<&Arc<RuleSet>>,
    ) -> Result<RuleBook, RulesError> {
        let sources = Arc::new((defaults.clone(), sites.clone()));
        let mut problems = Vec::new();
        let base = default_rules(defaults, &mut problems);
        let (site_files, tests) = site_files(sites, &mut problems);
        check_disabled(&base, &site_files, &mut problems);
        if !problems.is_empty() {
            return Err(RulesError::Invalid(problems));
        }
        let (slots, keys) = plan_slots(&site_files);
        let base_set = match base_set {
            Some(set) => Arc::clone(set),
            None => Arc::new(compile(base.clone(), None)?),
        };
        Ok(RuleBook {
            base: base_set,
            base_rules: Arc::new(base),
            site_files: Arc::new(site_files),
            slots: Arc::new(slots),
            keys: Arc::new(keys),
            tests,
            sources,
        })
    }

    /// The rule set for a site (a host name or URL; case, `www.` and ports
    /// are ignored, and parent domains are tried down to the registrable
    /// domain: `news.bbc.co.uk`, `bbc.co.uk`, never `co.uk`), or the defaults
    /// when no site file applies.
    ///
    /// The first call for a site compiles its set; should that fail (only
    /// an automaton grown past its limits can, as every file was checked
    /// when the book was built), the defaults serve the site and
    /// [`RuleBook::site_set`] says why.
    pub fn for_site(&self, site: Option<&str>) -> &Arc<RuleSet> {
        match self.slot_of(site) {
            Some(i) => self.slot_set(i).unwrap_or(&self.base),
            None => &self.base,
        }
    }

    /// [`RuleBook::for_site`], with the compile error of a site's set
    /// instead of the defaults.
    pub fn site_set(&self, site: Option<&str>) -> Result<&Arc<RuleSet>, String> {
        match self.slot_of(site) {
            Some(i) => self.slot_set(i).map_err(str::to_string),
            None => Ok(&self.base),
        }
    }

    /// The slot serving a site: the nearest host with a site file, and
    /// whether the page is that host or below it.
    fn slot_of(&self, site: Option<&str>) -> Option<usize> {
        use crate::site::{Site, SiteSource};
        let site = site.and_then(|s| Site::new(s, SiteSource::Flag))?;
        suffixes(site.host())
            .find_map(|name| {
                self.keys
                    .get(name)
                    .map(|slots| slots[usize::from(name != site.host())])
            })
            .filter(|&i| i != NO_SLOT)
    }

    /// A slot's set, compiled on first use.
    fn slot_set(&self, i: usize) -> Result<&Arc<RuleSet>, &str> {
        let slot = &self.slots[i];
        slot.set
            .get_or_init(|| self.compile_slot(slot))
            .as_ref()
            .map_err(String::as_str)
    }

    /// A site's set as the defaults' with the site's rules after them, when
    /// that is what its files make (they switch nothing off and override no
    /// default rule) and those rules are selectors alone: the defaults'
    /// phrase and pattern matchers are shared, not built again.
    fn selector_layer(&self, chain: &[usize]) -> Option<RuleSet> {
        let files = || chain.iter().map(|&i| &self.site_files[i].file);
        if files().any(|f| !f.disable.is_empty()) {
            return None;
        }
        let defaults: std::collections::HashSet<&str> =
            self.base_rules.iter().map(|r| r.id.as_str()).collect();
        if files().any(|f| f.rules.iter().any(|r| defaults.contains(r.id.as_str()))) {
            return None;
        }
        self.base
            .with_selector_rules(site_rules(&[], &self.site_files, chain))
    }

    /// How many sites' sets have been compiled so far.
    pub fn compiled_sites(&self) -> usize {
        self.slots.iter().filter(|s| s.set.get().is_some()).count()
    }

    /// How many site files the book holds ([`RuleBook::check_site_file`]
    /// takes 0 to this, less one).
    pub fn site_file_count(&self) -> usize {
        self.site_files.len()
    }

    /// Compiles site file `i`'s own rules alone (not on top of the
    /// defaults): what `rules check` does for every file, in parallel, so a
    /// file that could not be compiled is reported before a page meets it.
    pub fn check_site_file(&self, i: usize) -> Result<(), RulesError> {
        let f = &self.site_files[i];
        compile(f.file.rules.clone(), Some(&f.name)).map(drop)
    }

    /// How many distinct site sets there are ([`RuleBook::check_slot`]
    /// takes 0 to this, less one).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Compiles site set `i` (the defaults and a chain of site files, as a
    /// page of the site will need it) and lets it go: what `rules check`
    /// does for every set, so that a set a page would fail to compile is
    /// reported, not met at cleaning time (where the defaults would serve
    /// the page instead). Memory stays that of one set a thread.
    pub fn check_slot(&self, i: usize) -> Result<(), String> {
        if let Some(set) = self.slots[i].set.get() {
            return set.as_ref().map(drop).map_err(String::clone);
        }
        self.compile_slot(&self.slots[i]).map(drop)
    }

    /// A slot's set, compiled (not stored).
    fn compile_slot(&self, slot: &Slot) -> Result<Arc<RuleSet>, String> {
        if let Some(layer) = self.selector_layer(&slot.chain) {
            return Ok(Arc::new(layer));
        }
        let rules = site_rules(&self.base_rules, &self.site_files, &slot.chain);
        compile(rules, Some(&slot.host))
            .map(Arc::new)
            .map_err(|e| e.to_string())
    }

    /// The test cases of all site files, in file order.
    pub fn site_tests(&self) -> &[SiteTestCase] {
        &self.tests
    }

    /// Hosts that have site files (a wildcard file's as `.host`).
    pub fn site_hosts(&self) -> impl Iterator<Item = &str> {
        let mut seen = std::collections::HashSet::new();
        self.site_files
            .iter()
            .map(|f| f.label.as_str())
            .filter(move |h| seen.insert(*h))
    }
}

/// The default layers merged: within a layer ids are unique; a later layer
/// overrides an earlier one's rule of the same id, in its place.
fn default_rules(defaults: Vec<Vec<Source>>, problems: &mut Vec<RuleProblem>) -> Vec<Rule> {
    let mut base: Vec<Rule> = Vec::new();
    let mut base_at: HashMap<String, usize> = HashMap::new();
    for layer in defaults {
        let mut layer_ids: HashMap<String, String> = HashMap::new();
        for src in layer {
            let Some(file) = parse_into(&src, problems) else {
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
            if let Some((_, line)) = file.subdomains {
                problems.push(RuleProblem {
                    file: src.name.clone(),
                    line,
                    col: 1,
                    message: "`subdomains` belongs in a site file, not in default rules".into(),
                });
            }
            for rule in file.rules {
                if let Some(other) = layer_ids.insert(rule.id.clone(), rule.origin.to_string()) {
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
    base
}

/// The site files parsed, each with the pages it is for, and their test
/// cases. A file whose name is no site is a problem: it would never apply.
fn site_files(
    sites: Vec<(String, Source)>,
    problems: &mut Vec<RuleProblem>,
) -> (Vec<SiteFile>, Vec<SiteTestCase>) {
    let mut files = Vec::new();
    let mut tests = Vec::new();
    for (name, src) in sites {
        let (host, wildcard) = match name.strip_prefix('.') {
            Some(host) => (host.to_string(), true),
            None => (name, false),
        };
        // A wildcard file's pages are below its host, which may itself be
        // a public suffix (`sites/.blogspot.com.toml`: every blog there).
        let page = if wildcard {
            format!("a.{host}")
        } else {
            host.clone()
        };
        if let Err(e) = crate::site::Site::parse(&page, crate::site::SiteSource::Flag) {
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
        if let Some(file) = parse_into(&src, problems) {
            if let (true, Some((false, line))) = (wildcard, file.subdomains) {
                problems.push(RuleProblem {
                    file: src.name.clone(),
                    line,
                    col: 1,
                    message: "`subdomains = false` in a wildcard file (`.host.toml`, for the \
                              subdomains only) leaves it no page"
                        .into(),
                });
                continue;
            }
            if wildcard && let Some(t) = file.tests.first() {
                problems.push(RuleProblem {
                    file: src.name.clone(),
                    line: t.line,
                    col: 1,
                    message: "`[[test]]` in a wildcard file: it has no one host to clean the \
                              page as; put the test in the subdomain's own site file"
                        .into(),
                });
                continue;
            }
            tests.extend(file.tests.iter().map(|t| SiteTestCase {
                host: host.clone(),
                file: src.name.clone(),
                test: t.clone(),
            }));
            files.push(SiteFile {
                label: if wildcard {
                    format!(".{host}")
                } else {
                    host.clone()
                },
                host,
                wildcard,
                exact: file.subdomains.is_some_and(|(s, _)| !s),
                name: src.name,
                file,
            });
        }
    }
    (files, tests)
}

/// A disabled id must exist somewhere, or it is a typo.
fn check_disabled(base: &[Rule], site_files: &[SiteFile], problems: &mut Vec<RuleProblem>) {
    let known: std::collections::HashSet<&str> = base
        .iter()
        .chain(site_files.iter().flat_map(|f| f.file.rules.iter()))
        .map(|r| r.id.as_str())
        .collect();
    for f in site_files {
        for (id, line) in &f.file.disable {
            if !known.contains(id.as_str()) {
                problems.push(RuleProblem {
                    file: format!("sites/{}.toml", f.label),
                    line: *line,
                    col: 1,
                    message: format!("`disable` names unknown rule id {id:?}"),
                });
            }
        }
    }
}

/// The sets sites may need, none compiled yet: for every host with a site
/// file, one for a page of the host itself and one for a page below it
/// (they differ only where a wildcard file applies below), each made of
/// the files that apply, general first. Sets made of the same files are
/// one slot.
fn plan_slots(site_files: &[SiteFile]) -> (Vec<Slot>, HashMap<String, [usize; 2]>) {
    let mut by_host: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in site_files.iter().enumerate() {
        by_host.entry(f.host.as_str()).or_default().push(i);
    }
    let mut slots: Vec<Slot> = Vec::new();
    let mut by_chain: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut keys = HashMap::new();
    for f in site_files {
        if keys.contains_key(&f.host) {
            continue;
        }
        let mut pair = [0; 2];
        for (below, slot) in pair.iter_mut().enumerate() {
            // The files for the host and each parent domain that apply to
            // a page of the host itself, or to one below it.
            let mut chain: Vec<usize> = suffixes(&f.host)
                .filter_map(|name| by_host.get(name))
                .flatten()
                .copied()
                .filter(|&i| {
                    // The page is the file's host itself, or below it.
                    let g = &site_files[i];
                    if below == 0 && g.host == f.host {
                        !g.wildcard
                    } else {
                        !g.exact
                    }
                })
                .collect();
            chain.sort_unstable();
            chain.sort_by_key(|&i| (site_files[i].host.len(), site_files[i].wildcard));
            if chain.is_empty() {
                // No file applies (a page below an exact file's host): the
                // defaults.
                *slot = NO_SLOT;
                continue;
            }
            *slot = *by_chain.entry(chain.clone()).or_insert_with(|| {
                slots.push(Slot {
                    host: f.host.clone(),
                    chain,
                    set: OnceLock::new(),
                });
                slots.len() - 1
            });
        }
        keys.insert(f.host.clone(), pair);
    }
    (slots, keys)
}

/// `host` and each domain above it (`a.b.example.com`, `b.example.com`,
/// `example.com`, `com`). Site files exist for a site and its parents down to
/// the registrable domain, and wildcard files for anything with a name
/// below it (`.blogspot.com`), so the first of these with a file is the
/// page's nearest.
fn suffixes(host: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(host), |h| h.split_once('.').map(|(_, rest)| rest))
}

/// The slot of a page no site file applies to: the defaults serve it.
const NO_SLOT: usize = usize::MAX;

/// The defaults with a chain of site files on top: each file switches off
/// the ids it names, then overrides or adds its rules.
fn site_rules(base: &[Rule], site_files: &[SiteFile], chain: &[usize]) -> Vec<Rule> {
    let mut rules = base.to_vec();
    let mut at = index_of(&rules);
    for &i in chain {
        let f = &site_files[i].file;
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
    rules
}

/// Compiles a set, naming it in the error.
fn compile(rules: Vec<Rule>, site: Option<&str>) -> Result<RuleSet, RulesError> {
    let count = rules.len();
    RuleSet::compile(rules).map_err(|source| RulesError::Compile {
        set: match site {
            Some(host) => format!("the rules for {host}"),
            None => "the default rules".into(),
        },
        count,
        source,
    })
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
/// is, and `build` reports it. A wildcard file's leading dot is kept.
fn site_file_host(name: &str) -> String {
    if let Some(host) = name.strip_prefix('.') {
        // A wildcard is named as written: `.www.x.com` is for what is under
        // `www.x.com`, not under `x.com`.
        return format!(".{}", host.to_lowercase());
    }
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

    /// A rule directory of these files (path, text), loaded.
    fn site_book(files: &[(&str, String)]) -> (tempfile::TempDir, RuleBook) {
        let tmp = tempfile::tempdir().unwrap();
        for (path, text) in files {
            write(tmp.path(), path, text);
        }
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        (tmp, book)
    }

    /// A site file's rule that drops blocks reading `phrase`.
    fn teaser_rule(id: &str, phrase: &str) -> String {
        format!("[[rule]]\nid = \"{id}\"\ncategory = \"teasers\"\nphrases = [\"{phrase}\"]\n")
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
    fn a_wildcard_file_is_for_the_subdomains_only() {
        let (_tmp, book) = site_book(&[
            (
                "sites/example.com.toml",
                teaser_rule("example.plus", "Only on Example Plus"),
            ),
            (
                "sites/.example.com.toml",
                teaser_rule("example.sections", "Example sections desk picks"),
            ),
            (
                "sites/.blogs.example.org.toml",
                teaser_rule("blogs.more", "Jane blog ring picks"),
            ),
        ]);
        let site = |s: &str| book.for_site(Some(s));
        for page in ["example.com", "www.example.com"] {
            assert_eq!(
                matched(site(page), "Only on Example Plus").as_deref(),
                Some("example.plus")
            );
            assert_eq!(
                matched(site(page), "Example sections desk picks"),
                None,
                "{page}"
            );
        }
        for page in ["sport.example.com", "a.b.example.com"] {
            assert_eq!(
                matched(site(page), "Example sections desk picks").as_deref(),
                Some("example.sections"),
                "{page}"
            );
            assert_eq!(
                matched(site(page), "Only on Example Plus").as_deref(),
                Some("example.plus")
            );
        }
        assert_eq!(
            matched(site("blogs.example.org"), "Jane blog ring picks"),
            None
        );
        assert_eq!(
            matched(site("jane.blogs.example.org"), "Jane blog ring picks").as_deref(),
            Some("blogs.more")
        );
        let hosts: Vec<&str> = book.site_hosts().collect();
        assert_eq!(hosts, [".blogs.example.org", ".example.com", "example.com"]);
    }

    #[test]
    fn a_wildcard_over_a_public_suffix_serves_every_site_under_it() {
        let (tmp, book) = site_book(&[
            (
                "sites/.blogspot.com.toml",
                teaser_rule("blogspot.nav", "Blog archive picks of the week"),
            ),
            (
                "sites/jane.blogspot.com.toml",
                teaser_rule("jane.promo", "Jane bakes on Sundays"),
            ),
            (
                "sites/.www.example.com.toml",
                teaser_rule("www.sub", "Deep desk picks"),
            ),
        ]);
        let site = |s: &str| book.for_site(Some(s));
        let picks = "Blog archive picks of the week";
        assert_eq!(
            matched(site("tom.blogspot.com"), picks).as_deref(),
            Some("blogspot.nav")
        );
        let jane = site("jane.blogspot.com");
        assert_eq!(matched(jane, picks).as_deref(), Some("blogspot.nav"));
        assert_eq!(
            matched(jane, "Jane bakes on Sundays").as_deref(),
            Some("jane.promo")
        );
        // `.www.example.com` is for what is under www.example.com only.
        assert_eq!(matched(site("news.example.com"), "Deep desk picks"), None);
        assert_eq!(
            matched(site("a.www.example.com"), "Deep desk picks").as_deref(),
            Some("www.sub")
        );

        // A wildcard file has no one host to run a test as.
        write(
            tmp.path(),
            "sites/.example.org.toml",
            "[[test]]\npage = \"fixtures/sites/example.org/a.html\"\ncontains = [\"x\"]\n",
        );
        let err = RuleBook::load(&[RuleDir(tmp.path().into())])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(".example.org.toml:1:1: `[[test]]` in a wildcard file"),
            "{err}"
        );
    }

    #[test]
    fn an_exact_file_is_for_its_host_and_www_only() {
        let (tmp, book) = site_book(&[
            (
                "sites/example.com.toml",
                format!(
                    "subdomains = false\n{}",
                    teaser_rule("example.plus", "Only on Example Plus")
                ),
            ),
            (
                "sites/.example.com.toml",
                teaser_rule("example.sections", "Example sections desk picks"),
            ),
            (
                "sites/example.org.toml",
                format!(
                    "subdomains = false\n{}",
                    teaser_rule("org.plus", "Only on Org Plus")
                ),
            ),
        ]);
        let site = |s: &str| book.for_site(Some(s));
        for page in ["example.com", "www.example.com"] {
            assert_eq!(
                matched(site(page), "Only on Example Plus").as_deref(),
                Some("example.plus")
            );
            assert_eq!(matched(site(page), "Example sections desk picks"), None);
        }
        let sub = site("sport.example.com");
        assert_eq!(
            matched(sub, "Only on Example Plus"),
            None,
            "exact: not below"
        );
        assert_eq!(
            matched(sub, "Example sections desk picks").as_deref(),
            Some("example.sections")
        );
        assert_eq!(
            matched(site("example.org"), "Only on Org Plus").as_deref(),
            Some("org.plus")
        );
        assert!(Arc::ptr_eq(site("news.example.org"), book.for_site(None)));

        // In a default file, or a wildcard file, it is a problem.
        write(
            tmp.path(),
            "sites/.example.net.toml",
            "subdomains = false\n",
        );
        write(tmp.path(), "mine.toml", "subdomains = true\n");
        let err = RuleBook::load(&[RuleDir(tmp.path().into())])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml:1:1: `subdomains` belongs in a site file"),
            "{err}"
        );
        assert!(
            err.contains(".example.net.toml:1:1: `subdomains = false` in a wildcard"),
            "{err}"
        );
    }

    #[test]
    fn a_site_set_is_compiled_when_a_page_of_the_site_is_first_seen() {
        let tmp = tempfile::tempdir().unwrap();
        for i in 0..40 {
            write(
                tmp.path(),
                &format!("sites/site{i}.example.toml"),
                &format!(
                    "[[rule]]\nid = \"site{i}.promo\"\ncategory = \"teasers\"\nphrases = [\"Promo of site {i}\"]\n"
                ),
            );
        }
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        assert_eq!(book.compiled_sites(), 0);
        assert_eq!(book.site_file_count(), 40);
        let clone = book.clone();
        let set = book.for_site(Some("https://news.site7.example/a"));
        assert_eq!(
            matched(set, "Promo of site 7").as_deref(),
            Some("site7.promo")
        );
        assert_eq!(matched(set, "Promo of site 8"), None);
        // One set compiled, shared with the clone; no other site's.
        assert_eq!(book.compiled_sites(), 1);
        assert_eq!(clone.compiled_sites(), 1);
        assert!(Arc::ptr_eq(set, clone.for_site(Some("site7.example"))));
        assert_eq!(
            book.compiled_sites(),
            1,
            "the site itself and below share one set"
        );
        // Many threads meeting a new site at once compile it once.
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let set = book.for_site(Some("site9.example"));
                    assert_eq!(
                        matched(set, "Promo of site 9").as_deref(),
                        Some("site9.promo")
                    );
                });
            }
        });
        assert_eq!(book.compiled_sites(), 2);
        assert!(book.for_site(Some("unknown.org")).rules().len() > 10);
        assert_eq!(book.compiled_sites(), 2);
        for i in 0..book.site_file_count() {
            book.check_site_file(i).unwrap();
        }
        assert_eq!(
            book.compiled_sites(),
            2,
            "checking a file compiles it alone"
        );
    }

    #[test]
    fn a_layer_of_selector_rules_matches_as_a_full_compile_does() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "sites/example.com.toml",
            "[[rule]]\nid = \"example.rail\"\ncategory = \"teasers\"\nselectors = [\"div.promo-rail\"]\n\n[[rule]]\nid = \"example.story\"\ncategory = \"keep\"\nselectors = [\"div.story\"]\n",
        );
        let book = RuleBook::load(&[RuleDir(tmp.path().into())]).unwrap();
        let layered = book.for_site(Some("example.com"));
        let full = RuleSet::compile(site_rules(&book.base_rules, &book.site_files, &[0])).unwrap();
        let ids = |set: &RuleSet| set.rules().iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(layered), ids(&full));
        let html = scraper::Html::parse_document(
            "<body><div class=story><p>Text</p><div class=share-buttons>Share</div></div><div class=promo-rail>More</div><p>Share this article</p></body>",
        );
        for el in html
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            assert_eq!(layered.select(&el), full.select(&el), "{:?}", el.value());
        }
        for text in [
            "Share this article",
            "Share",
            "Only on Example Plus",
            "Text",
        ] {
            assert_eq!(matched(layered, text), matched(&full, text), "{text}");
        }
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
