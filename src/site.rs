//! The site a page belongs to: the host whose site files apply, and where
//! that host was learned.
//!
//! A site is a host name with a registrable domain under the public suffix
//! list (the `psl` crate compiles the list in: nothing is fetched at run
//! time). `news.bbc.co.uk` is one (registrable domain `bbc.co.uk`);
//! `co.uk`, `com`, `localhost` and IP addresses are not. A leading `www.`
//! is dropped when what is left is still a site (`www.example.com` →
//! `example.com`, but `www.gov.uk` stays). Site files are matched on the
//! host, then on each parent domain down to the registrable domain and
//! never further: `news.bbc.co.uk`, then `bbc.co.uk`, never `co.uk`.
//!
//! A page's site comes from the first of these that names one
//! ([`SiteSource`], in order): `--site`, the record's URL (JSONL `url`,
//! WARC `WARC-Target-URI`), for HTML the page's own URL (`<link
//! rel=canonical>`, then `og:url`, then `<base href>`), and last a guess
//! from the page's path: the nearest directory above the page whose name is
//! a host ending in a suffix the list knows (`dumps/www.example.com/x.txt`
//! → `example.com`; `my.project/` or `tmp.abcdefgh/` are not hosts). A URL
//! or a `--site` may end in a top-level domain the list does not know
//! (`harbor.example`, `wiki.internal`): the list's default rule then takes
//! the last label as the suffix. A path is only a guess, so there the
//! suffix must be one the list knows.

use scraper::{Html, Node};
use std::path::{Component, Path};

/// Where a page's site came from, in order of precedence: a source earlier
/// in this list wins over every later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteSource {
    /// Given by the caller: `--site`, a site file's `[[test]]`, a library
    /// caller's choice. Named `flag`.
    Flag,
    /// The record's URL: a JSONL record's URL field or a WARC record's
    /// `WARC-Target-URI`. Named `url`.
    Url,
    /// The HTML page's `<link rel=canonical href>`. Named `canonical`.
    Canonical,
    /// The HTML page's `<meta property=og:url content>`. Named `og:url`.
    OgUrl,
    /// The HTML page's `<base href>`. Named `base`.
    Base,
    /// A directory above the page whose name is a host. Named `path`.
    Path,
}

impl SiteSource {
    /// The name used in JSON output and `explain` (`site_source`).
    pub fn name(self) -> &'static str {
        match self {
            SiteSource::Flag => "flag",
            SiteSource::Url => "url",
            SiteSource::Canonical => "canonical",
            SiteSource::OgUrl => "og:url",
            SiteSource::Base => "base",
            SiteSource::Path => "path",
        }
    }

    /// Whether a site from this source wins over the page's own URL.
    pub fn beats_page(self) -> bool {
        self < SiteSource::Canonical
    }
}

/// A page's site: a host with a registrable domain, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    host: String,
    source: SiteSource,
}

/// A name that is not a site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a site: {reason}")]
pub struct SiteError {
    /// The name as given.
    pub name: String,
    /// Why not.
    pub reason: &'static str,
}

impl Site {
    /// The site a host name or a URL names (`news.example.com`,
    /// `https://www.example.com/a`), or why it names none.
    pub fn parse(name: &str, source: SiteSource) -> Result<Site, SiteError> {
        let host = host_of_url(name).and_then(|h| site_host(h, false));
        host.map(|host| Site { host, source })
            .map_err(|reason| SiteError {
                name: name.to_string(),
                reason,
            })
    }

    /// [`Site::parse`], when the name is a site.
    pub fn new(name: &str, source: SiteSource) -> Option<Site> {
        Site::parse(name, source).ok()
    }

    /// The site an absolute URL a page gives for itself names (`http:`,
    /// `https:` or scheme-relative `//`; a relative URL names none).
    pub fn of_page_url(url: &str, source: SiteSource) -> Option<Site> {
        let u = url.trim();
        let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
        let absolute =
            lower.starts_with("http://") || lower.starts_with("https://") || u.starts_with("//");
        if absolute { Site::new(u, source) } else { None }
    }

    /// The guess from a page's path: the nearest directory above it whose
    /// name is a host ending in a public suffix the list knows.
    pub fn from_path(path: &Path) -> Option<Site> {
        let parent = path.parent()?;
        parent.components().rev().find_map(|c| match c {
            Component::Normal(name) => {
                let host = site_host(name.to_str()?, true).ok()?;
                Some(Site {
                    host,
                    source: SiteSource::Path,
                })
            }
            _ => None,
        })
    }

    /// The site an HTML page names for itself in its `<head>`: the host of
    /// `<link rel=canonical>`, else of `og:url`, else of `<base href>`
    /// (the first of each; a relative or non-site URL is passed over).
    pub fn of_page(doc: &Html) -> Option<Site> {
        let head = doc
            .root_element()
            .children()
            .find(|n| n.value().as_element().is_some_and(|e| e.name() == "head"))?;
        let (mut canonical, mut og, mut base) = (None, None, None);
        for node in head.descendants() {
            let Node::Element(el) = node.value() else {
                continue;
            };
            let found = match el.name() {
                "link"
                    if canonical.is_none()
                        && el.attr("rel").is_some_and(|r| {
                            r.split_ascii_whitespace()
                                .any(|t| t.eq_ignore_ascii_case("canonical"))
                        }) =>
                {
                    (&mut canonical, el.attr("href"), SiteSource::Canonical)
                }
                "meta"
                    if og.is_none()
                        && el
                            .attr("property")
                            .or_else(|| el.attr("name"))
                            .is_some_and(|p| p.eq_ignore_ascii_case("og:url")) =>
                {
                    (&mut og, el.attr("content"), SiteSource::OgUrl)
                }
                "base" if base.is_none() => (&mut base, el.attr("href"), SiteSource::Base),
                _ => continue,
            };
            let (slot, url, source) = found;
            *slot = url.and_then(|u| Site::of_page_url(u, source));
        }
        canonical.or(og).or(base)
    }

    /// [`Site::of_page`] for a page not parsed yet: only its head (the text
    /// before `<body`) is parsed.
    pub fn of_html(html: &str) -> Option<Site> {
        let capped = crate::document::html::cap_depth(html);
        let end = find_ascii_ci(capped.as_bytes(), b"<body").unwrap_or(capped.len());
        Site::of_page(&Html::parse_document(&capped[..end]))
    }

    /// The site a page is cleaned as: `given` when it wins over the page's
    /// own URL (`--site`, a record's URL), else the page's own (`page`,
    /// asked only then), else `given` (a guess from the path).
    pub fn choose(given: Option<&Site>, page: impl FnOnce() -> Option<Site>) -> Option<Site> {
        match given {
            Some(s) if s.source.beats_page() => Some(s.clone()),
            _ => page().or_else(|| given.cloned()),
        }
    }

    /// The host, lower-cased, without `www.` (unless that is needed).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Where the site came from.
    pub fn source(&self) -> SiteSource {
        self.source
    }

    /// The names site files are looked up under, most specific first: the
    /// host, then its parent domains down to its registrable domain.
    pub fn lookup(&self) -> Lookup<'_> {
        lookup(&self.host)
    }
}

impl std::str::FromStr for Site {
    type Err = SiteError;

    /// A site given by the caller (`--site`): a host name or a URL.
    fn from_str(s: &str) -> Result<Site, SiteError> {
        Site::parse(s, SiteSource::Flag)
    }
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.host)
    }
}

/// The names site files for `host` are looked up under: `host`, then each
/// parent domain down to the registrable domain. Nothing when `host` has no
/// registrable domain (`co.uk`, `localhost`).
pub fn lookup(host: &str) -> Lookup<'_> {
    let floor = registrable_len(host);
    Lookup {
        rest: if floor == 0 { None } else { Some(host) },
        floor,
    }
}

/// Iterator of [`lookup`].
#[derive(Debug, Clone)]
pub struct Lookup<'a> {
    rest: Option<&'a str>,
    floor: usize,
}

impl<'a> Iterator for Lookup<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let name = self.rest?;
        self.rest = name
            .split_once('.')
            .map(|(_, parent)| parent)
            .filter(|p| p.len() >= self.floor);
        Some(name)
    }
}

/// Length of `host`'s registrable domain (a suffix of `host`), 0 when it has
/// none. The host must be lower case, without a trailing dot.
fn registrable_len(host: &str) -> usize {
    psl::domain(host.as_bytes()).map_or(0, |d| d.as_bytes().len())
}

/// The host part of a URL or of a bare host name with maybe a port or path
/// (`https://user@www.Example.com:8080/a?b` → `www.Example.com`).
fn host_of_url(s: &str) -> Result<&str, &'static str> {
    let s = s.trim().trim_start_matches('<').trim_end_matches('>');
    let s = match s.find("://") {
        Some(i)
            if s[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
        {
            &s[i + 3..]
        }
        _ => s.strip_prefix("//").unwrap_or(s),
    };
    let authority = s.split(['/', '?', '#', '\\']).next().unwrap_or(s);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return Err("an IP address");
    }
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return Err("not a host name"),
        None => host,
    };
    Ok(host)
}

/// The site a host name stands for: lower-cased, trailing dot and (where
/// what is left is still a site) `www.` dropped. `strict`: the public suffix
/// must be one the list knows, and only letters, digits and `-` are allowed
/// (a guess from a directory name).
fn site_host(name: &str, strict: bool) -> Result<String, &'static str> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err("not a host name");
    }
    let host = name.to_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || (c == '_' && !strict))
    };
    let labels: Vec<&str> = host.split('.').collect();
    if !labels.iter().all(|l| label_ok(l)) {
        return Err("not a host name");
    }
    let tld = labels[labels.len() - 1];
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an IP address");
    }
    if labels.len() < 2 {
        return Err("a single label, not a domain");
    }
    let Some(suffix) = psl::suffix(host.as_bytes()) else {
        return Err("not a host name");
    };
    if strict && !suffix.is_known() {
        return Err("its last label is not a public suffix");
    }
    if registrable_len(&host) == 0 {
        return Err("a public suffix, not a domain anyone registers");
    }
    match host.strip_prefix("www.") {
        Some(rest) if registrable_len(rest) > 0 => Ok(rest.to_string()),
        _ => Ok(host),
    }
}

/// Position of `needle` (lower-case ASCII) in `hay`, ASCII case ignored.
fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_site(p: &str) -> Option<String> {
        Site::from_path(Path::new(p)).map(|s| s.host)
    }

    fn host(name: &str) -> Option<String> {
        Site::new(name, SiteSource::Flag).map(|s| s.host)
    }

    #[test]
    fn a_directory_is_a_site_only_when_it_ends_in_a_known_public_suffix() {
        assert_eq!(
            path_site("dumps/www.Example.com/2024/x.txt").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            path_site("a/news.bbc.co.uk/b.txt").as_deref(),
            Some("news.bbc.co.uk")
        );
        for p in [
            "../shared/seeds/001.txt",
            "v1.2/page.txt",
            "example.com.txt",
            "/home/me/my.project/dumps/story.html",
            "data.backup/x.txt",
            "notes.old/x.txt",
            "/tmp/tmp.abcdefgh/repo/fixtures/x.html",
            "co.uk/x.txt",
            "192.168.0.1/x.txt",
            "harbor.example/x.txt",
            "my_site.com/x.txt",
        ] {
            assert_eq!(path_site(p), None, "{p}");
        }
        // The nearest host wins, a non-host in between is passed over.
        assert_eq!(
            path_site("/tmp/news.example.co.uk/tmp.abcdefgh/example.org/data.backup/x.txt")
                .as_deref(),
            Some("example.org")
        );
    }

    #[test]
    fn urls_and_flags_name_hosts_with_a_registrable_domain() {
        assert_eq!(
            host("https://user@www.Example.com:8080/a?b=c").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("news.bbc.co.uk").as_deref(), Some("news.bbc.co.uk"));
        assert_eq!(host("www.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
        assert_eq!(host("example.com.").as_deref(), Some("example.com"));
        assert_eq!(
            host("<http://example.org/x>").as_deref(),
            Some("example.org")
        );
        // Not in the list: the default rule makes the last label the suffix.
        assert_eq!(
            host("https://harborgazette.example/story").as_deref(),
            Some("harborgazette.example")
        );
        // `www.` stays where dropping it would leave a public suffix.
        assert_eq!(host("www.gov.uk").as_deref(), Some("www.gov.uk"));
        let reason = |n: &str| Site::parse(n, SiteSource::Flag).unwrap_err().reason;
        assert_eq!(
            reason("co.uk"),
            "a public suffix, not a domain anyone registers"
        );
        assert_eq!(
            reason("github.io"),
            "a public suffix, not a domain anyone registers"
        );
        assert_eq!(reason("localhost"), "a single label, not a domain");
        assert_eq!(reason("http://192.168.0.1/"), "an IP address");
        assert_eq!(reason("http://[::1]:80/"), "an IP address");
        assert_eq!(reason("exa mple.com"), "not a host name");
        assert_eq!(reason(""), "not a host name");
        assert_eq!(
            "co.uk".parse::<Site>().unwrap_err().to_string(),
            "\"co.uk\" is not a site: a public suffix, not a domain anyone registers"
        );
    }

    #[test]
    fn site_files_are_looked_up_down_to_the_registrable_domain() {
        fn chain(h: &str) -> Vec<&str> {
            lookup(h).collect()
        }
        assert_eq!(chain("news.bbc.co.uk"), ["news.bbc.co.uk", "bbc.co.uk"]);
        assert_eq!(
            chain("a.b.example.com"),
            ["a.b.example.com", "b.example.com", "example.com"]
        );
        assert_eq!(chain("example.com"), ["example.com"]);
        assert_eq!(chain("alice.github.io"), ["alice.github.io"]);
        assert_eq!(chain("co.uk"), Vec::<&str>::new());
        assert_eq!(chain("localhost"), Vec::<&str>::new());
    }

    #[test]
    fn a_page_names_its_site_by_canonical_then_og_url_then_base() {
        let page = |head: &str| {
            Site::of_html(&format!(
                "<html><head>{head}</head><body><p>Text</p></body></html>"
            ))
            .map(|s| (s.host, s.source.name()))
        };
        let all = r#"<base href="https://base.example.org/"><meta property="og:url" content="https://og.example.org/a"><link rel="canonical" href="https://www.canonical.example.org/a">"#;
        assert_eq!(
            page(all),
            Some(("canonical.example.org".into(), "canonical"))
        );
        let no_canonical = r#"<link rel="canonical" href="/relative/a"><meta property="og:url" content="//og.example.org/a"><base href="https://base.example.org/">"#;
        assert_eq!(
            page(no_canonical),
            Some(("og.example.org".into(), "og:url"))
        );
        assert_eq!(
            page(
                r#"<base href="https://base.example.org/"><meta property="og:url" content="http://localhost/a">"#
            ),
            Some(("base.example.org".into(), "base"))
        );
        assert_eq!(
            page(r#"<link rel="stylesheet" href="https://cdn.example.com/s.css">"#),
            None
        );
        // A canonical link in the body, or a `<body>` mentioned in a script,
        // does not count / does not cut the head short.
        assert_eq!(
            page(
                r#"<script>document.write("<body>")</script><link rel="Canonical" href="https://example.net/a">"#
            ),
            Some(("example.net".into(), "canonical"))
        );
        assert_eq!(
            Site::of_html(r#"<p>Text</p><link rel="canonical" href="https://example.net/a">"#),
            None
        );
    }

    #[test]
    fn the_flag_and_the_record_url_beat_the_page_and_the_page_beats_the_path() {
        let s = |h: &str, src| Site::new(h, src);
        let page = || s("harborgazette.example", SiteSource::Canonical);
        let flag = s("example.com", SiteSource::Flag);
        let url = s("example.org", SiteSource::Url);
        let path = s("example.net", SiteSource::Path);
        assert_eq!(Site::choose(flag.as_ref(), page), flag);
        assert_eq!(Site::choose(url.as_ref(), page), url);
        assert_eq!(Site::choose(path.as_ref(), page), page());
        assert_eq!(Site::choose(path.as_ref(), || None), path);
        assert_eq!(Site::choose(None, page), page());
        assert_eq!(Site::choose(None, || None), None);
    }
}
