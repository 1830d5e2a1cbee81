//! What a page says of itself: author, dates, description, site name, lead
//! image, tags, categories and licence.
//!
//! Read from the page already parsed (the JSON-LD scripts, whose bodies the
//! parser is spared, from the decoded page), in order of trust, each field
//! from the first source that gives it:
//!
//! 1. JSON-LD: the schema.org `Article` (`NewsArticle`, `BlogPosting`, …)
//!    node, inside `@graph` too, its `author` and `publisher` followed by
//!    `@id` to their nodes; else a node with a `datePublished`;
//! 2. OpenGraph and `article:*` properties (`article:published_time`,
//!    `article:author` unless it is a profile URL, `og:site_name`, …);
//! 3. `<meta name>`: `author`, `date`, `pubdate`, `dc.date.issued`,
//!    `citation_publication_date`, `description`, `keywords`, …;
//! 4. microdata (`itemprop="author"`, `datePublished`, …) and `<time
//!    datetime>` (`pubdate`, or the first inside `<article>`);
//! 5. the byline and date lines the cleaner takes out of the body
//!    ([`Metadata::add_bylines`]): for a text dump, all there is;
//! 6. last, a date in the page's URL (`/2019/11/19/`), said so by
//!    `date_source: "url"`.
//!
//! Dates are ISO 8601: `2019-11-19`, with the time and offset when the
//! source gives them (`2019-11-19T08:03:00-05:00`).

use ego_tree::NodeRef;
use scraper::node::Element;
use scraper::{Html, Node};
use serde_json::Value;

/// Where a field was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A JSON-LD script.
    JsonLd,
    /// OpenGraph or `article:*` properties.
    OpenGraph,
    /// `<meta name>`.
    Meta,
    /// schema.org microdata (`itemprop`).
    Microdata,
    /// A `<time datetime>` element.
    Time,
    /// A byline or date line of the page's text.
    Byline,
    /// The page's URL (a date in its path).
    Url,
}

impl Source {
    /// The name used in JSON output (`date_source`, `author_source`).
    pub fn name(self) -> &'static str {
        match self {
            Source::JsonLd => "json-ld",
            Source::OpenGraph => "opengraph",
            Source::Meta => "meta",
            Source::Microdata => "microdata",
            Source::Time => "time",
            Source::Byline => "byline",
            Source::Url => "url",
        }
    }
}

/// What a page says of itself. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// The author or authors, `; ` between names.
    pub author: Option<String>,
    /// Where `author` was read.
    pub author_source: Option<Source>,
    /// Published, ISO 8601.
    pub date: Option<String>,
    /// Where `date` was read.
    pub date_source: Option<Source>,
    /// Last modified, ISO 8601, where the page gives it.
    pub modified: Option<String>,
    /// The page's summary of itself.
    pub description: Option<String>,
    /// The site's or publisher's name.
    pub sitename: Option<String>,
    /// The lead image's URL.
    pub image: Option<String>,
    /// Tags and keywords.
    pub tags: Vec<String>,
    /// Sections and categories.
    pub categories: Vec<String>,
    /// The licence (a URL or a name).
    pub license: Option<String>,
}

/// Reads the metadata of an HTML page: `html` is the decoded page (for its
/// JSON-LD scripts), `doc` its parsed tree.
pub fn of_page(html: &str, doc: &Html) -> Metadata {
    let mut m = Metadata::default();
    for script in json_ld_scripts(html) {
        if let Some(v) = parse_json_ld(&script) {
            m.read_json_ld(&v);
        }
    }
    m.read_tree(doc);
    m
}

impl Metadata {
    fn set_author(&mut self, name: Option<String>, source: Source) {
        if self.author.is_none()
            && let Some(a) = name.and_then(|n| clean_author(&n))
        {
            self.author = Some(a);
            self.author_source = Some(source);
        }
    }

    fn set_date(&mut self, date: Option<&str>, source: Source) {
        if self.date.is_none()
            && let Some(d) = date.and_then(normalize_date)
        {
            self.date = Some(d);
            self.date_source = Some(source);
        }
    }

    fn set_modified(&mut self, date: Option<&str>) {
        if self.modified.is_none() {
            self.modified = date.and_then(normalize_date);
        }
    }

    /// Fills the fields still empty from `other` (read from a less trusted
    /// source).
    pub fn fill_from(&mut self, other: Metadata) {
        if self.author.is_none() {
            self.author = other.author;
            self.author_source = other.author_source;
        }
        if self.date.is_none() {
            self.date = other.date;
            self.date_source = other.date_source;
        }
        let take = |a: &mut Option<String>, b: Option<String>| {
            if a.is_none() {
                *a = b;
            }
        };
        take(&mut self.modified, other.modified);
        take(&mut self.description, other.description);
        take(&mut self.sitename, other.sitename);
        take(&mut self.image, other.image);
        take(&mut self.license, other.license);
        if self.tags.is_empty() {
            self.tags = other.tags;
        }
        if self.categories.is_empty() {
            self.categories = other.categories;
        }
    }

    /// Author and date from byline and date lines (`By Ann Smith | Nov.
    /// 19, 2019`, `Von Anna Berg, 12. März 2024`, `2019-11-19`): the first
    /// line that names an author after a byline word, and its date; else
    /// the first line that holds a date (a quoted statement's date above
    /// the byline is not the article's).
    pub fn add_bylines(&mut self, lines: &[&str]) {
        for line in lines {
            if let Some(author) = byline_author(line) {
                if self.author.is_none() {
                    self.set_author(Some(author), Source::Byline);
                }
                if self.date.is_none()
                    && let Some(d) = find_date(line)
                {
                    self.date = Some(d);
                    self.date_source = Some(Source::Byline);
                }
                break;
            }
        }
        for line in lines {
            if self.date.is_none()
                && let Some(d) = find_date(line)
            {
                self.date = Some(d);
                self.date_source = Some(Source::Byline);
            }
        }
    }

    /// Where the page's metadata name only the publisher as the author
    /// (`"author": "Example News"`, the site's name) or pad the name
    /// (`Ann Smith. Example News`), the byline the cleaner took out of the
    /// body (`byline`, read by [`Metadata::add_bylines`]) names the author.
    pub fn agree_with_byline(&mut self, byline: &Metadata) {
        let (Some(b), Some(a)) = (&byline.author, &self.author) else {
            return;
        };
        if byline.author_source != Some(Source::Byline) || a == b {
            return;
        }
        let padded = a.len() > b.len() && a.starts_with(b.as_str());
        let publisher = self
            .sitename
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(a));
        if padded || publisher {
            self.author = Some(b.clone());
            self.author_source = Some(Source::Byline);
        }
    }

    /// When no date was found, a date in the URL's path (`/2019/11/19/`,
    /// `/2019-11-19-slug`), with `date_source` `url`.
    pub fn add_url_date(&mut self, url: Option<&str>) {
        if self.date.is_none()
            && let Some(d) = url.and_then(date_in_url)
        {
            self.date = Some(d);
            self.date_source = Some(Source::Url);
        }
    }

    /// The fields as a JSON object (absent ones `null`, lists `[]`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "author": self.author,
            "author_source": self.author_source.map(Source::name),
            "date": self.date,
            "date_source": self.date_source.map(Source::name),
            "modified": self.modified,
            "description": self.description,
            "sitename": self.sitename,
            "image": self.image,
            "tags": self.tags,
            "categories": self.categories,
            "license": self.license,
        })
    }

    /// The fields that have a value, in order, as (name, value) pairs;
    /// lists as JSON arrays.
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        let mut out = Vec::new();
        let mut put = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                out.push((k, Value::String(v.clone())));
            }
        };
        put("author", &self.author);
        put("date", &self.date);
        put(
            "date_source",
            &self.date_source.map(|s| s.name().to_string()),
        );
        put("modified", &self.modified);
        put("sitename", &self.sitename);
        put("description", &self.description);
        put("image", &self.image);
        put("license", &self.license);
        if !self.tags.is_empty() {
            out.push(("tags", serde_json::json!(self.tags)));
        }
        if !self.categories.is_empty() {
            out.push(("categories", serde_json::json!(self.categories)));
        }
        out
    }

    fn read_json_ld(&mut self, v: &Value) {
        let mut nodes = Vec::new();
        collect_nodes(v, &mut nodes);
        let by_id = |id: &str| {
            nodes
                .iter()
                .copied()
                .find(|n| n.get("@id").and_then(Value::as_str) == Some(id) && n.len() > 1)
        };
        // A reference `{"@id": …}` to another node of the graph.
        let deref = |v: &'_ Value| -> Option<Value> {
            match v {
                Value::Object(o) if o.len() == 1 && o.contains_key("@id") => o
                    .get("@id")
                    .and_then(Value::as_str)
                    .and_then(by_id)
                    .map(|n| Value::Object(n.clone())),
                other => Some(other.clone()),
            }
        };
        let article = nodes
            .iter()
            .copied()
            .find(|n| has_type(n, is_article_type))
            .or_else(|| {
                nodes
                    .iter()
                    .copied()
                    .find(|n| n.contains_key("datePublished"))
            });
        if let Some(a) = article {
            if let Some(author) = a.get("author") {
                let names = names_of(author, &deref);
                self.set_author(
                    (!names.is_empty()).then(|| names.join("; ")),
                    Source::JsonLd,
                );
            }
            let date = a
                .get("datePublished")
                .or_else(|| a.get("dateCreated"))
                .and_then(first_str);
            self.set_date(date, Source::JsonLd);
            self.set_modified(a.get("dateModified").and_then(first_str));
            if self.description.is_none() {
                self.description = a
                    .get("description")
                    .and_then(first_str)
                    .and_then(clean_text);
            }
            if self.sitename.is_none() {
                self.sitename = a
                    .get("publisher")
                    .and_then(deref)
                    .and_then(|p| names_of(&p, &deref).into_iter().next());
            }
            if self.image.is_none() {
                self.image = a.get("image").and_then(|i| url_of(i, &deref));
            }
            if self.tags.is_empty() {
                self.tags = a.get("keywords").map(list_of).unwrap_or_default();
            }
            if self.categories.is_empty() {
                self.categories = a.get("articleSection").map(list_of).unwrap_or_default();
            }
            if self.license.is_none() {
                self.license = a.get("license").and_then(|l| {
                    url_of(l, &deref).or_else(|| names_of(l, &deref).into_iter().next())
                });
            }
        }
        if self.sitename.is_none() {
            self.sitename = nodes
                .iter()
                .find(|n| has_type(n, |t| t == "WebSite"))
                .and_then(|n| n.get("name"))
                .and_then(first_str)
                .and_then(clean_text);
        }
    }

    /// What the tree's tags say of the page, read in one walk: OpenGraph
    /// and other `<meta>` tags, microdata, `<time>` and license links,
    /// each kept apart and merged by rank (see [`TreeReading::finish`]).
    fn read_tree(&mut self, doc: &Html) {
        use ego_tree::iter::Edge;
        let mut r = TreeReading::default();
        for edge in doc.tree.root().traverse() {
            let node = match edge {
                Edge::Open(n) => n,
                Edge::Close(n) => {
                    if n.value()
                        .as_element()
                        .is_some_and(|e| e.name() == "article")
                    {
                        r.article_depth = r.article_depth.saturating_sub(1);
                    }
                    continue;
                }
            };
            let Node::Element(el) = node.value() else {
                continue;
            };
            if el.name() == "article" {
                r.article_depth += 1;
            }
            if let Some(prop) = el.attr("itemprop") {
                r.microdata(node, el, prop);
            }
            match el.name() {
                "meta" => r.meta_tag(el),
                "link" | "a" => r.license_link(el),
                "time" => r.time(el),
                _ => {}
            }
        }
        r.finish(self);
    }
}

/// The metadata a walk over the tree found, kept by where it was found.
#[derive(Default)]
struct TreeReading {
    og: Metadata,
    meta: Metadata,
    micro: Metadata,
    og_tags: Vec<String>,
    time_pub: Option<String>,
    time_article: Option<String>,
    license: Option<String>,
    /// How many `<article>` elements the walk is in.
    article_depth: usize,
}

impl TreeReading {
    /// An element with `itemprop`: microdata.
    fn microdata(&mut self, node: NodeRef<'_, Node>, el: &Element, prop: &str) {
        let micro = &mut self.micro;
        let text = || element_text(node);
        let value = || {
            el.attr("content")
                .or_else(|| el.attr("datetime"))
                .map(str::to_string)
                .unwrap_or_else(text)
        };
        for p in prop.split_ascii_whitespace() {
            match p {
                "author" | "creator" if micro.author.is_none() => {
                    // The author's name, or the element's text.
                    let named = node.descendants().find_map(|d| {
                        let e = d.value().as_element()?;
                        (e.attr("itemprop") == Some("name")).then(|| {
                            e.attr("content")
                                .map(str::to_string)
                                .unwrap_or_else(|| element_text(d))
                        })
                    });
                    micro.set_author(named.or_else(|| Some(value())), Source::Microdata);
                }
                "datePublished" => micro.set_date(Some(&value()), Source::Microdata),
                "dateModified" => micro.set_modified(Some(&value())),
                "description" if micro.description.is_none() => {
                    micro.description = clean_text(&value())
                }
                "keywords" if micro.tags.is_empty() => micro.tags = split_list(&value()),
                "articleSection" if micro.categories.is_empty() => {
                    micro.categories = split_list(&value())
                }
                _ => {}
            }
        }
    }

    /// A `<meta property|name content>` tag: OpenGraph and article
    /// properties, or the names other conventions use.
    fn meta_tag(&mut self, el: &Element) {
        let Some(key) = el.attr("property").or_else(|| el.attr("name")) else {
            return;
        };
        let Some(content) = el.attr("content").map(str::trim).filter(|c| !c.is_empty()) else {
            return;
        };
        let key = key.trim().to_ascii_lowercase();
        match key.as_str() {
            "article:author" | "og:article:author" if !is_url(content) => {
                self.og.set_author(Some(content.into()), Source::OpenGraph)
            }
            "article:published_time" | "og:article:published_time" | "og:published_time" => {
                self.og.set_date(Some(content), Source::OpenGraph)
            }
            "article:modified_time" | "og:article:modified_time" | "og:updated_time" => {
                self.og.set_modified(Some(content))
            }
            "og:description" if self.og.description.is_none() => {
                self.og.description = clean_text(content)
            }
            "og:site_name" if self.og.sitename.is_none() => self.og.sitename = clean_text(content),
            "og:image" | "og:image:url" | "og:image:secure_url" if self.og.image.is_none() => {
                self.og.image = Some(content.to_string())
            }
            "article:tag" | "og:article:tag" => self.og_tags.extend(split_list(content)),
            "article:section" | "og:article:section" if self.og.categories.is_empty() => {
                self.og.categories = split_list(content)
            }
            "author" | "dc.creator" | "dcterms.creator" | "byl" | "parsely-author"
            | "sailthru.author" | "citation_author"
                if !is_url(content) =>
            {
                self.meta.set_author(Some(content.into()), Source::Meta)
            }
            "date"
            | "pubdate"
            | "publishdate"
            | "publish-date"
            | "publish_date"
            | "published-date"
            | "article.published"
            | "dc.date"
            | "dc.date.issued"
            | "dcterms.date"
            | "dcterms.issued"
            | "dcterms.created"
            | "citation_publication_date"
            | "citation_date"
            | "parsely-pub-date"
            | "sailthru.date"
            | "date.available" => self.meta.set_date(Some(content), Source::Meta),
            "last-modified" | "dcterms.modified" | "dc.date.modified" | "article.updated" => {
                self.meta.set_modified(Some(content))
            }
            "description" | "twitter:description" | "dc.description"
                if self.meta.description.is_none() =>
            {
                self.meta.description = clean_text(content)
            }
            "application-name" if self.meta.sitename.is_none() => {
                self.meta.sitename = clean_text(content)
            }
            "twitter:image" | "twitter:image:src" if self.meta.image.is_none() => {
                self.meta.image = Some(content.to_string())
            }
            "keywords" | "news_keywords" if self.meta.tags.is_empty() => {
                self.meta.tags = split_list(content)
            }
            "dc.rights" | "dcterms.license" | "license" if self.meta.license.is_none() => {
                self.meta.license = clean_text(content)
            }
            _ => {}
        }
    }

    /// A `<link rel=license>` or `<a rel=license>`: the first one's href.
    fn license_link(&mut self, el: &Element) {
        if self.license.is_none()
            && el.attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("license"))
            })
        {
            self.license = el.attr("href").map(str::to_string);
        }
    }

    /// A `<time datetime>`: a publication date when it says so (`pubdate`,
    /// a class naming publishing or posting), else the first inside an
    /// `<article>`.
    fn time(&mut self, el: &Element) {
        let Some(dt) = el.attr("datetime") else {
            return;
        };
        let published = el.attr("pubdate").is_some()
            || el.classes().any(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("publish") || c.contains("posted")
            });
        if published && self.time_pub.is_none() {
            self.time_pub = Some(dt.to_string());
        }
        if self.article_depth > 0 && self.time_article.is_none() {
            self.time_article = Some(dt.to_string());
        }
    }

    /// Merges what was found into `out`, the lowest rank winning per
    /// field: OpenGraph, then `<meta name>`, then microdata, then `<time>`.
    fn finish(mut self, out: &mut Metadata) {
        if self.og.tags.is_empty() {
            self.og.tags = dedup(self.og_tags);
        }
        self.meta.license = self.meta.license.or(self.license);
        out.fill_from(self.og);
        out.fill_from(self.meta);
        out.fill_from(self.micro);
        out.set_date(self.time_pub.or(self.time_article).as_deref(), Source::Time);
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(v.len());
    for s in v {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
    }
    out
}

/// An element's text, whitespace collapsed.
fn element_text(node: ego_tree::NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            s.push_str(t);
            s.push(' ');
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_url(s: &str) -> bool {
    let s = s.trim_start();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("//")
        || s.starts_with("www.")
}

/// Whitespace collapsed; `None` when empty.
fn clean_text(s: &str) -> Option<String> {
    let t = decode_entities(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!t.is_empty()).then_some(t)
}

/// A comma-separated list (keywords), or one value.
fn split_list(s: &str) -> Vec<String> {
    dedup(s.split([',', ';']).filter_map(clean_text).collect())
}

/// `&amp;`, `&quot;`, `&#39;`, `&lt;`, `&gt;`, `&nbsp;` and numeric
/// references, as JSON-LD strings sometimes carry them.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.as_bytes()[..rest.len().min(10)]
            .iter()
            .position(|&c| c == b';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The bodies of the page's `<script type="application/ld+json">` elements:
/// each `ld+json` (any case) inside a `<script` tag, one vector search over
/// the page for it, then the body up to `</script`.
fn json_ld_scripts(html: &str) -> Vec<String> {
    use memchr::memmem;
    static LD: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b"ld+json"));
    static LD_UPPER: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b"LD+JSON"));
    let b = html.as_bytes();
    let mut hits: Vec<usize> = LD.find_iter(b).chain(LD_UPPER.find_iter(b)).collect();
    hits.sort_unstable();
    let mut out = Vec::new();
    let mut done = 0;
    for at in hits {
        if at < done {
            continue;
        }
        // The tag around the hit: `<script` before it, `>` after it, no
        // other tag between.
        let Some(open) = memchr::memrchr(b'<', &b[..at]) else {
            continue;
        };
        let is_script = b[open + 1..]
            .get(..6)
            .is_some_and(|n| n.eq_ignore_ascii_case(b"script"));
        let Some(close) = memchr::memchr(b'>', &b[at..]).map(|k| at + k) else {
            break;
        };
        if !is_script {
            continue;
        }
        let body = close + 1;
        let mut end = b.len();
        let mut k = body;
        while let Some(p) = memmem::find(&b[k..], b"</") {
            let t = k + p;
            if b[t + 2..]
                .get(..6)
                .is_some_and(|n| n.eq_ignore_ascii_case(b"script"))
            {
                end = t;
                break;
            }
            k = t + 2;
        }
        if let Some(text) = html.get(body..end) {
            out.push(text.to_string());
        }
        done = end;
    }
    out
}

/// A JSON-LD script as JSON: HTML comment and CDATA wrappers taken off.
fn parse_json_ld(s: &str) -> Option<Value> {
    let mut t = s.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(inner) = t.strip_prefix(open) {
            t = inner.trim();
            t = t.strip_suffix(close).unwrap_or(t).trim();
        }
    }
    serde_json::from_str(t).ok()
}

/// Every object of a JSON-LD document: top-level arrays and `@graph` lists
/// walked into, and the nodes named inside them (`mainEntity`).
fn collect_nodes<'v>(v: &'v Value, out: &mut Vec<&'v serde_json::Map<String, Value>>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_nodes(x, out)),
        Value::Object(o) => {
            out.push(o);
            if let Some(g) = o.get("@graph") {
                collect_nodes(g, out);
            }
            if let Some(m) = o.get("mainEntity").or_else(|| o.get("mainEntityOfPage"))
                && m.get("@type").is_some()
            {
                collect_nodes(m, out);
            }
        }
        _ => {}
    }
}

fn has_type(n: &serde_json::Map<String, Value>, test: impl Fn(&str) -> bool) -> bool {
    match n.get("@type") {
        Some(Value::String(t)) => test(t.rsplit('/').next().unwrap_or(t)),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .any(|t| test(t.rsplit('/').next().unwrap_or(t))),
        _ => false,
    }
}

/// schema.org's article types.
fn is_article_type(t: &str) -> bool {
    matches!(
        t,
        "Article"
            | "NewsArticle"
            | "BlogPosting"
            | "Blog"
            | "ReportageNewsArticle"
            | "AnalysisNewsArticle"
            | "OpinionNewsArticle"
            | "ReviewNewsArticle"
            | "BackgroundNewsArticle"
            | "AdvertiserContentArticle"
            | "SatiricalArticle"
            | "TechArticle"
            | "ScholarlyArticle"
            | "MedicalScholarlyArticle"
            | "SocialMediaPosting"
            | "LiveBlogPosting"
            | "DiscussionForumPosting"
            | "Report"
            | "Review"
            | "Recipe"
            | "HowTo"
    )
}

fn first_str(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Array(a) => a.iter().find_map(first_str),
        _ => None,
    }
}

/// Names of people or organisations: strings, `{name}` objects (maybe
/// references), lists of either.
fn names_of(v: &Value, deref: &dyn Fn(&Value) -> Option<Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut one = |v: &Value| match deref(v) {
        Some(Value::String(s)) => out.extend(clean_text(&s)),
        Some(Value::Object(o)) => {
            if let Some(n) = o.get("name").and_then(first_str).and_then(clean_text) {
                out.push(n);
            }
        }
        _ => {}
    };
    match v {
        Value::Array(a) => a.iter().for_each(&mut one),
        v => one(v),
    }
    dedup(out.into_iter().filter(|n| !is_url(n)).collect())
}

/// A URL: a string, a `{url}` or `{contentUrl}` object, the first of a list.
fn url_of(v: &Value, deref: &dyn Fn(&Value) -> Option<Value>) -> Option<String> {
    match deref(v)? {
        Value::String(s) => clean_text(&s),
        Value::Object(o) => o
            .get("url")
            .or_else(|| o.get("contentUrl"))
            .or_else(|| o.get("@id"))
            .and_then(first_str)
            .and_then(clean_text),
        Value::Array(a) => a.iter().find_map(|x| url_of(x, deref)),
        _ => None,
    }
}

/// Keywords or sections: a comma-separated string or a list.
fn list_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => split_list(s),
        Value::Array(a) => dedup(
            a.iter()
                .filter_map(Value::as_str)
                .flat_map(split_list)
                .collect(),
        ),
        _ => Vec::new(),
    }
}

/// An author's name as written, tidied: a byline word (`By`, `Von`, …)
/// and what follows the name (`| Staff writer`, an e-mail address) taken
/// off, several names joined by `; `. `None` for a URL or nothing left.
fn clean_author(s: &str) -> Option<String> {
    let t = clean_text(s)?;
    if is_url(&t) {
        return None;
    }
    // `By JANE DOE`, as some pages write their author metadata.
    let t = ["by ", "By ", "BY ", "von ", "Von "]
        .iter()
        .find_map(|w| t.strip_prefix(w))
        .unwrap_or(&t);
    let t = t.split(['|', '•', '·', '\n']).next().unwrap_or(t).trim();
    let names: Vec<String> = t
        .split(" and ")
        .flat_map(|p| p.split(" & "))
        .flat_map(|p| p.split(" und "))
        .flat_map(|p| p.split(" et "))
        .flat_map(|p| p.split(" y "))
        .flat_map(|p| p.split(" e "))
        .flat_map(|p| p.split(';'))
        .flat_map(|p| p.split(" en "))
        .flat_map(|p| p.split(" i "))
        .map(|p| p.trim().trim_matches(|c: char| c == ',' || c == '.').trim())
        .filter(|p| !p.is_empty() && !p.contains('@') && !is_placeholder(p))
        // A name, not an author box's biography.
        .filter(|p| p.split_whitespace().count() <= MAX_NAME_WORDS)
        .map(str::to_string)
        .collect();
    (!names.is_empty()).then(|| dedup(names).join("; "))
}

/// The names blog software gives an account nobody renamed: not an
/// author anyone would cite.
fn is_placeholder(name: &str) -> bool {
    [
        "admin",
        "administrator",
        "webmaster",
        "root",
        "wordpress",
        "user",
        "guest",
    ]
    .iter()
    .any(|p| name.eq_ignore_ascii_case(p))
}

/// Most words of one author's name (an organisation's included).
const MAX_NAME_WORDS: usize = 8;

/// Words that open a byline, in the languages the shipped rules cover.
const BY_WORDS: &[&str] = &[
    "written by",
    "posted by",
    "published by",
    "words by",
    "story by",
    "text by",
    "by",
    "author:",
    "authors:",
    "autor:",
    "autorin:",
    "auteur :",
    "auteur:",
    "text:",
    "von",
    "par",
    "por",
    "di",
    "door",
    "przez",
    "geschrieben von",
    "publié par",
    "publicado por",
];

/// The rest of a line after a byline word, if it opens with one.
fn strip_by_word(line: &str) -> Option<&str> {
    let lower = line.to_lowercase();
    for w in BY_WORDS {
        if lower.starts_with(w) && lower.len() == line.len() {
            let Some(rest) = line.get(w.len()..) else {
                continue;
            };
            if w.ends_with(':') || rest.starts_with(char::is_whitespace) {
                let rest = rest.trim_start();
                if rest.starts_with(|c: char| c.is_uppercase()) {
                    return Some(rest);
                }
            }
        }
    }
    None
}

/// The author a byline names: the words after its byline word, up to a
/// separator, a date or a time; one to five capitalised words per name.
fn byline_author(line: &str) -> Option<String> {
    let line = line.trim().trim_start_matches(['*', '-', '•']).trim();
    let rest = strip_by_word(line)?;
    let mut end = rest.len();
    for sep in [
        "|",
        " - ",
        " – ",
        " — ",
        "•",
        "·",
        ",",
        " on ",
        " am ",
        " le ",
        " el ",
        " il ",
        " updated",
        " published",
        " posted",
        " aktualisiert",
        " publiziert",
        " erschienen",
        " publié",
        " mis à jour",
        " publicado",
        " actualizado",
        " pubblicato",
        " aggiornato",
        " opublikowano",
        " gepubliceerd",
        " bijgewerkt",
        " veröffentlicht",
        "(",
    ] {
        if let Some(p) = rest.to_lowercase().find(sep)
            && p < end
            && rest.is_char_boundary(p)
        {
            end = p;
        }
    }
    // A digit starts a date or a time.
    if let Some(p) = rest.find(|c: char| c.is_ascii_digit())
        && p < end
    {
        end = p;
    }
    let name = rest[..end].trim().trim_end_matches([',', '.', ':']).trim();
    let names = clean_author(name)?;
    let plausible = names.split("; ").all(|n| {
        let words: Vec<&str> = n.split_whitespace().collect();
        (1..=5).contains(&words.len())
            && words
                .iter()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .all(|w| {
                    w.starts_with(|c: char| c.is_uppercase())
                        || matches!(
                            *w,
                            "de" | "van"
                                | "von"
                                | "der"
                                | "den"
                                | "da"
                                | "di"
                                | "del"
                                | "la"
                                | "le"
                                | "du"
                                | "dos"
                                | "das"
                        )
                })
    });
    plausible.then_some(names)
}

/// Month names and their unambiguous abbreviations in English, German,
/// French, Spanish, Italian, Portuguese, Dutch and Polish (Polish also in
/// the genitive, as dates write it).
const MONTHS: [&[&str]; 12] = [
    &[
        "january", "januar", "janvier", "enero", "gennaio", "janeiro", "januari", "styczeń",
        "stycznia", "jänner",
    ],
    &[
        "february",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
        "februari",
        "luty",
        "lutego",
    ],
    &[
        "march", "märz", "maerz", "mars", "marzo", "março", "marco", "maart", "marzec", "marca",
    ],
    &["april", "avril", "abril", "aprile", "kwiecień", "kwietnia"],
    &["may", "mai", "mayo", "maggio", "maio", "mei", "maj", "maja"],
    &[
        "june", "juni", "juin", "junio", "giugno", "junho", "czerwiec", "czerwca",
    ],
    &[
        "july", "juli", "juillet", "julio", "luglio", "julho", "lipiec", "lipca",
    ],
    &[
        "august",
        "août",
        "aout",
        "agosto",
        "augustus",
        "sierpień",
        "sierpnia",
    ],
    &[
        "september",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "setembro",
        "wrzesień",
        "września",
    ],
    &[
        "october",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "październik",
        "października",
    ],
    &[
        "november",
        "novembre",
        "noviembre",
        "novembro",
        "listopad",
        "listopada",
    ],
    &[
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "grudzień",
        "grudnia",
    ],
];

/// The month a word names (1–12): a full name, or a prefix of three letters
/// or more that only one month's names start with (`Nov.`, `Sept`, `Okt`).
fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.chars().count() < 3 || !w.chars().all(char::is_alphabetic) {
        return None;
    }
    let mut found = None;
    for (m, names) in MONTHS.iter().enumerate() {
        if names.iter().any(|n| *n == w) {
            return Some(m as u32 + 1);
        }
        if names.iter().any(|n| n.starts_with(&w)) {
            if found.is_some_and(|f| f != m) {
                return None;
            }
            found = Some(m);
        }
    }
    found.map(|m| m as u32 + 1)
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// `YYYY-MM-DD` when the parts make a real date between 1900 and 2099.
fn ymd(y: i32, m: u32, d: u32) -> Option<String> {
    ((1900..2100).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in(y, m))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A date as ISO 8601: an ISO date or date-time (its time and offset kept,
/// fractions of a second dropped), else a date written out in words or
/// figures ([`find_date`]).
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let date = ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        let rest = &s[10..];
        let Some(time) = rest.strip_prefix(['T', ' ']) else {
            return rest
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_digit())
                .then_some(date);
        };
        let tb = time.as_bytes();
        let tnum = |r: std::ops::Range<usize>| -> Option<u32> {
            let t = time.get(r)?;
            t.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| t.parse().ok())?
        };
        let (Some(h), Some(mi)) = (tnum(0..2), tnum(3..5)) else {
            return Some(date);
        };
        if tb.get(2) != Some(&b':') || h > 23 || mi > 59 {
            return Some(date);
        }
        let mut at = 5;
        let mut out = format!("{date}T{h:02}:{mi:02}");
        if tb.get(5) == Some(&b':')
            && let Some(sec) = tnum(6..8)
            && sec <= 60
        {
            out.push_str(&format!(":{sec:02}"));
            at = 8;
            if tb.get(8) == Some(&b'.') {
                at = 9 + time[9..].bytes().take_while(u8::is_ascii_digit).count();
            }
        }
        let zone = time[at..].trim();
        if zone == "Z" || zone == "z" {
            out.push('Z');
        } else if let Some(sign) = zone.chars().next().filter(|c| *c == '+' || *c == '-') {
            let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() == 4 || digits.len() == 2 {
                let (zh, zm) = (&digits[..2], digits.get(2..4).unwrap_or("00"));
                out.push_str(&format!("{sign}{zh}:{zm}"));
            }
        }
        return Some(out);
    }
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return ymd(num(0..4)? as i32, num(4..6)?, num(6..8)?);
    }
    find_date(s)
}

/// The first date written in a line: `2019-11-19`, `19.11.2019`,
/// `11/19/2019` (month first when the first number can be one, as US pages
/// write it; `19/11/2019` is day first), `Nov. 19, 2019`, `19 November
/// 2019`, `12. März 2024`, `22 de outubro de 2010`, `5 maja 2023`.
pub fn find_date(line: &str) -> Option<String> {
    // Words and numbers with what follows each.
    let tokens: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    for (k, t) in tokens.iter().enumerate() {
        let t = t.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '|'));
        // Figures: Y-M-D, D.M.Y, M/D/Y or D/M/Y.
        if t.bytes().next().is_some_and(|c| c.is_ascii_digit()) {
            if let Some(d) = numeric_date(t) {
                return Some(d);
            }
            // Day, month name, year.
            let day = t.trim_end_matches('.');
            if let Ok(d) = day.parse::<u32>()
                && day.len() <= 2
            {
                let mut j = k + 1;
                if tokens.get(j).is_some_and(|w| *w == "de") {
                    j += 1;
                }
                if let Some(m) = tokens.get(j).and_then(|w| month_of(w)) {
                    j += 1;
                    if tokens.get(j).is_some_and(|w| *w == "de") {
                        j += 1;
                    }
                    if let Some(y) = tokens.get(j).and_then(|w| year_of(w))
                        && let Some(date) = ymd(y, m, d)
                    {
                        return Some(date);
                    }
                }
            }
            continue;
        }
        // Month name, day, year.
        if let Some(m) = month_of(t)
            && let Some(d) = tokens
                .get(k + 1)
                .map(|w| w.trim_end_matches(['.', ',']))
                .map(|w| w.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
                .filter(|w| w.len() <= 2)
                .and_then(|w| w.parse::<u32>().ok())
            && let Some(y) = tokens.get(k + 2).and_then(|w| year_of(w))
            && let Some(date) = ymd(y, m, d)
        {
            return Some(date);
        }
    }
    None
}

/// A four-digit year token (`2019`, `2019,`, `2019.`).
fn year_of(w: &str) -> Option<i32> {
    let w = w.trim_end_matches(|c: char| !c.is_ascii_digit());
    (w.len() == 4 && w.bytes().all(|c| c.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

/// A date in figures: `2019-11-19`, `2019/11/19`, `19.11.2019`,
/// `11/19/2019`, `19/11/2019`, `19-11-2019` (a time after it, as in
/// `2019-11-19T08:03`, is left off).
fn numeric_date(t: &str) -> Option<String> {
    let t = t.split(['T', 'a', 'p']).next()?;
    let sep = t.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = t.trim_end_matches('.').split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    if parts[0].len() == 4 {
        return ymd(n[0] as i32, n[1], n[2]);
    }
    if parts[2].len() != 4 {
        return None;
    }
    let y = n[2] as i32;
    if sep == '/' && n[0] <= 12 {
        ymd(y, n[0], n[1]).or_else(|| ymd(y, n[1], n[0]))
    } else {
        ymd(y, n[1], n[0])
    }
}

/// A date in a URL's path: `/2019/11/19/`, `/2019-11-19`, `/20191119/`.
fn date_in_url(url: &str) -> Option<String> {
    let path = url::Url::parse(url).ok()?.path().to_string();
    let segs: Vec<&str> = path.split('/').collect();
    for w in segs.windows(3) {
        if w[0].len() == 4
            && (1..=2).contains(&w[1].len())
            && w[2].len() <= 2
            && !w[2].is_empty()
            && let (Ok(y), Ok(m), Ok(d)) = (w[0].parse(), w[1].parse(), w[2].parse())
            && let Some(date) = ymd(y, m, d)
        {
            return Some(date);
        }
    }
    for s in &segs {
        let b = s.as_bytes();
        if b.len() >= 10
            && b[4] == b'-'
            && b[7] == b'-'
            && (b.len() == 10 || !b[10].is_ascii_digit())
            && let Some(d) = s.get(..10).and_then(normalize_date)
        {
            return Some(d);
        }
        if b.len() == 8
            && b.iter().all(u8::is_ascii_digit)
            && let Some(d) = normalize_date(s)
        {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words_and_figures() {
        for (line, want) in [
            ("By Sam Lee | Nov. 19, 2019 8:03 am", Some("2019-11-19")),
            ("Von Anna Berg, 12. März 2024", Some("2024-03-12")),
            ("Publié le 3 mars 2021 à 10h", Some("2021-03-03")),
            ("22 de outubro de 2010", Some("2010-10-22")),
            ("Opublikowano 5 maja 2023", Some("2023-05-05")),
            ("Updated: 2020-02-29T10:00:00Z", Some("2020-02-29")),
            ("Posted 11/19/2019", Some("2019-11-19")),
            ("Posted 19/11/2019", Some("2019-11-19")),
            ("am 19.11.2019 um 10:00", Some("2019-11-19")),
            ("Tuesday, September 3rd, 2019", Some("2019-09-03")),
            ("It may 5 times 2019 votes", None),
            ("February 30, 2019", None),
            ("Share this article", None),
        ] {
            assert_eq!(find_date(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn entities_next_to_other_characters_decode() {
        assert_eq!(
            clean_text("&quot;You’re going&quot; &amp; more &#8217;").as_deref(),
            Some("\"You’re going\" & more ’")
        );
        assert_eq!(clean_text("AT&T’s").as_deref(), Some("AT&T’s"));
    }

    #[test]
    fn iso_dates_keep_time_and_offset() {
        assert_eq!(
            normalize_date("2019-11-19T08:03:00.000-05:00").as_deref(),
            Some("2019-11-19T08:03:00-05:00")
        );
        assert_eq!(
            normalize_date("2019-11-19T08:03Z").as_deref(),
            Some("2019-11-19T08:03Z")
        );
        assert_eq!(normalize_date("2019-11-19").as_deref(), Some("2019-11-19"));
        assert_eq!(
            normalize_date("2019-11-19 08:03:00 +0100").as_deref(),
            Some("2019-11-19T08:03:00+01:00")
        );
        assert_eq!(normalize_date("2019-13-01"), None);
        assert_eq!(normalize_date("yesterday"), None);
    }

    #[test]
    fn bylines_name_their_authors() {
        for (line, want) in [
            ("By Sam Lee | Nov. 19, 2019 8:03 am", Some("Sam Lee")),
            (
                "By Ann Smith and Bob Jones, Staff Writers",
                Some("Ann Smith; Bob Jones"),
            ),
            ("Von Anna Berg, 12. März 2024", Some("Anna Berg")),
            (
                "Par Jean de la Fontaine le 3 mars",
                Some("Jean de la Fontaine"),
            ),
            (
                "Von Moritz Bachmann publiziert am 25. September 2018",
                Some("Moritz Bachmann"),
            ),
            ("By admin - 2018-09-16", None),
            ("by the way, this is a sentence", None),
            ("Ann Smith | Nov. 19, 2019", None),
        ] {
            assert_eq!(byline_author(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn the_bylines_date_wins_over_an_earlier_date_line() {
        let mut m = Metadata::default();
        m.add_bylines(&[
            "— A. Senator on Sunday, October 13th, 2019 in a local newspaper",
            "By Matthew Digby on Monday, November 18th, 2019 at 11:08 a.m.",
        ]);
        assert_eq!(m.author.as_deref(), Some("Matthew Digby"));
        assert_eq!(m.date.as_deref(), Some("2019-11-18"));
        let mut m = Metadata::default();
        m.add_bylines(&["Share", "November 15, 2019"]);
        assert_eq!(m.date.as_deref(), Some("2019-11-15"));
        assert_eq!(m.author, None);
    }

    #[test]
    fn url_dates_are_read_from_the_path_only() {
        assert_eq!(
            date_in_url("https://example.com/2019/11/19/story-slug/").as_deref(),
            Some("2019-11-19")
        );
        assert_eq!(
            date_in_url("https://example.com/news/2021-03-04-bridge").as_deref(),
            Some("2021-03-04")
        );
        assert_eq!(date_in_url("https://example.com/2019/11/story"), None);
        assert_eq!(date_in_url("https://example.com/story?id=20191119"), None);
    }
}
