//! Cleaning: deciding, block by block, what is article and what is boilerplate.
//!
//! The text cleaner runs these stages over a [`Document`]:
//!
//! 1. **rules** — every block is matched once against the site's compiled
//!    [`RuleSet`]; `drop` rules remove the block, `keep` rules protect it.
//! 2. **embeds** — embedded social posts (the post text, its `pic.twitter.com`
//!    link and the `— Name (@handle) date` line) are removed together.
//! 3. **main content** — every block gets a value (sentence-like text counts
//!    for it, short chrome and rule-matched blocks against it) and the densest
//!    run of blocks is taken as the article (`region`); the headline just
//!    above it is kept.
//! 4. **sections** — `drop-section` and `drop-to-end` rules take the blocks under
//!    them; teaser cards and segments unrelated to the article are removed
//!    (`teasers`); a headline printed twice is kept once.
//!
//! Every removed block records what removed it: a rule (with its file and line)
//! or a detector (with its name and score). Cleaning never rewrites the text of a
//! kept block.

mod embeds;
mod region;
mod teasers;
mod tuning;

pub use tuning::Tuning;

use crate::document::html::{self, Rendered};
use crate::document::metadata::Metadata;
use crate::document::rich::RichOptions;
use crate::document::{Block, Document};
use crate::repeated::RepeatedLines;
use crate::rules::{Action, Category, RuleBook, RuleMatch, RuleRef, RuleSet};
use crate::site::Site;
use std::sync::Arc;

/// Settings of the cleaner. `Default` gives what the CLI uses; each setting
/// has a setter of its name, so new ones can come without breaking callers:
/// `Config::default().plain(true).favor(Favor::Precision)`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Keep the headline found just above the article (text mode).
    pub keep_title: bool,
    /// Write each kept block as a reader sees it (Markdown link targets,
    /// images and emphasis marks taken out, wrapped paragraphs on one line)
    /// instead of verbatim.
    pub plain: bool,
    /// [`Cleaner::render`] puts the page's headline (HTML metadata) on top.
    pub title_on_top: bool,
    /// What [`Cleaner::render`] writes.
    pub output: OutputFormat,
    /// Markdown and HTML output keep links, their URLs made absolute.
    pub links: bool,
    /// Markdown and HTML output keep the article's images.
    pub images: bool,
    /// Leave tables out (data tables of HTML pages, pipe tables of dumps).
    pub no_tables: bool,
    /// Keep the comment section, apart from the body ([`Cleaned::comments`]).
    pub comments: bool,
    /// Read the page's metadata ([`Cleaned::metadata`]); JSON output
    /// always does.
    pub metadata: bool,
    /// Which way the content detector leans where it is unsure.
    pub favor: Favor,
    /// The detectors' thresholds (as tuned by default).
    pub tuning: Tuning,
}

/// Which way the content detector leans (`--favor`). Its two shifts are
/// here, [`Favor::penalty_scale`] and `Favor::element_text`, each
/// measured on the dev sets (the README has the figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Favor {
    /// The thresholds as tuned.
    #[default]
    Balanced,
    /// Less boilerplate, at the cost of some article text.
    Precision,
    /// More of the article, at the cost of some boilerplate.
    Recall,
}

/// What of the article's element an HTML page keeps besides the region's
/// body text (`region::bound_by_container`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElementText {
    /// Its plain text between the first and last kept blocks, and after
    /// the last up to the first chrome or heading (as tuned).
    Tuned,
    /// Only between the first and last kept blocks (`--favor precision`).
    UpToLast,
    /// All its plain text, first block to last (`--favor recall`).
    Whole,
}

impl Favor {
    /// The factor on what a short line, or a longer line that is not a
    /// sentence, costs the article region (`region::value`). Heavier, the
    /// region breaks at a label or menu line between paragraphs and keeps
    /// less around the body; lighter, it runs on over them. For text
    /// dumps: [`Tuning::precision_scale`] and [`Tuning::recall_scale`]
    /// (here as tuned: [`Favor::penalty_scale_in`] takes a [`Tuning`]).
    /// For HTML pages
    /// heavier penalties cost precision too (zyte at 2.0, when chosen: P
    /// 0.961 → 0.958, R 0.978 → 0.973; the element bounds the article
    /// there), so
    /// precision leaves them and recall lightens them.
    pub fn penalty_scale(self, html: bool) -> f32 {
        self.penalty_scale_in(html, &Tuning::DEFAULT)
    }

    /// [`Favor::penalty_scale`] with the scales of `tuning`.
    pub fn penalty_scale_in(self, html: bool, tuning: &Tuning) -> f32 {
        match (self, html) {
            (Favor::Balanced, false) => tuning.text_scale,
            (Favor::Balanced, true) | (Favor::Precision, true) => 1.0,
            (Favor::Precision, false) => tuning.precision_scale,
            (Favor::Recall, _) => tuning.recall_scale,
        }
    }

    /// What of the article's element an HTML page keeps beyond the body
    /// text of the region.
    pub(crate) fn element_text(self) -> ElementText {
        match self {
            Favor::Balanced => ElementText::Tuned,
            Favor::Precision => ElementText::UpToLast,
            Favor::Recall => ElementText::Whole,
        }
    }
}

/// What a cleaned page is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// The body as text.
    #[default]
    Text,
    /// The body as Markdown: HTML headings as `#`, list items as `*`, quotes
    /// as `>`; the headline (with `--title`) as `# …`.
    Markdown,
    /// `{title, url, site, lang, text, fallback, removed: [{line, category,
    /// rule|detector, origin|score, text}]}`.
    Json,
    /// The body as a minimal, safe HTML document: structural tags only, no
    /// attributes but `href`, `src` and `alt`.
    Html,
}

impl OutputFormat {
    /// The extension of files written in this format.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Text => "txt",
            OutputFormat::Markdown => "md",
            OutputFormat::Json => "json",
            OutputFormat::Html => "html",
        }
    }

    /// Whether the format is written from the page's inline formatting.
    pub fn is_rich(self) -> bool {
        matches!(self, OutputFormat::Markdown | OutputFormat::Html)
    }
}

impl Config {
    /// Keep the headline found just above the article (text mode).
    pub fn keep_title(mut self, on: bool) -> Config {
        self.keep_title = on;
        self
    }
    /// Write kept blocks as a reader sees them.
    pub fn plain(mut self, on: bool) -> Config {
        self.plain = on;
        self
    }
    /// Put the page's headline on top.
    pub fn title_on_top(mut self, on: bool) -> Config {
        self.title_on_top = on;
        self
    }
    /// What [`Cleaner::render`] writes.
    pub fn output(mut self, output: OutputFormat) -> Config {
        self.output = output;
        self
    }
    /// Keep links in Markdown and HTML output.
    pub fn links(mut self, on: bool) -> Config {
        self.links = on;
        self
    }
    /// Keep images in Markdown and HTML output.
    pub fn images(mut self, on: bool) -> Config {
        self.images = on;
        self
    }
    /// Leave tables out.
    pub fn no_tables(mut self, on: bool) -> Config {
        self.no_tables = on;
        self
    }
    /// Keep the comment section apart from the body.
    pub fn comments(mut self, on: bool) -> Config {
        self.comments = on;
        self
    }
    /// Read the page's metadata.
    pub fn metadata(mut self, on: bool) -> Config {
        self.metadata = on;
        self
    }
    /// Which way the content detector leans.
    pub fn favor(mut self, favor: Favor) -> Config {
        self.favor = favor;
        self
    }
    /// The detectors' thresholds.
    pub fn tuning(mut self, tuning: Tuning) -> Config {
        self.tuning = tuning;
        self
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            keep_title: true,
            plain: false,
            title_on_top: false,
            output: OutputFormat::Text,
            links: false,
            images: false,
            no_tables: false,
            comments: false,
            metadata: false,
            favor: Favor::Balanced,
            tuning: Tuning::DEFAULT,
        }
    }
}

/// An HTML page rendered for cleaning: its lines, its site, and the rule
/// set whose selectors marked them (see [`Cleaner::render_html`]).
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// The rendered lines and metadata.
    pub rendered: Rendered,
    /// The page's site (see [`Site::choose`]).
    pub site: Option<Site>,
    /// The rule set the page was rendered with.
    pub rules: Arc<RuleSet>,
}

/// Cleans pages with one rule book; cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Cleaner {
    book: RuleBook,
    config: Config,
    /// The lines the batch repeats (text dumps), if a batch was counted.
    repeated: Option<Arc<RepeatedLines>>,
}

/// What removed a block.
#[derive(Debug, Clone, PartialEq)]
pub enum RemovedBy {
    /// A rule, with a handle of the set it came from.
    Rule(RuleRef),
    /// A detector, with a score that says how sure it was (its meaning is the
    /// detector's: documented on each).
    Detector {
        /// The detector's name, e.g. `content-region`.
        name: &'static str,
        /// The detector's score for this block.
        score: f32,
    },
}

/// A page explained: its cleaned result and every block it was made of, as
/// (line, text), in page order; [`Cleaned::removals`] says which of them
/// went and why (by line).
#[derive(Debug, Clone)]
pub struct Explained {
    /// The page cleaned, exactly as the clean methods clean it.
    pub cleaned: Cleaned,
    /// Every block of the page: its line and its text.
    pub blocks: Vec<(usize, String)>,
}

fn blocks_of(doc: &Document<'_>) -> Vec<(usize, String)> {
    doc.blocks
        .iter()
        .map(|b| (b.line, b.text.to_string()))
        .collect()
}

/// Why a page fell back from the usual cleaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// No block reads as body text: the page was cleaned by its rules alone.
    NoRegion,
    /// The detectors would have left fewer than 10 words
    /// ([`Tuning::emptied_words`]) of a page whose region holds body
    /// text: the region's paragraphs that no rule removed were kept.
    Emptied,
    /// The page's visible text came to fewer than 10 words, and its `<noscript>` elements held more: the page was
    /// cleaned with them as visible text (pages that print the article
    /// only for readers without scripts).
    Noscript,
}

impl Fallback {
    /// The name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Fallback::NoRegion => "no-region",
            Fallback::Emptied => "emptied",
            Fallback::Noscript => "noscript",
        }
    }
}

/// One removed block.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// 1-based line of the block in the input.
    pub line: usize,
    /// Where the block's text lies in [`Cleaned::removed_text`] (see
    /// [`Cleaned::text_of`]): one buffer for every removal, not a string each.
    pub span: std::ops::Range<usize>,
    /// The kind of boilerplate.
    pub category: Category,
    /// The rule or detector that decided it.
    pub by: RemovedBy,
}

/// The result of cleaning one page.
#[derive(Debug, Clone)]
pub struct Cleaned {
    /// The article body: kept blocks, one per line, a blank line where the
    /// input had one; ends with a newline unless empty.
    pub text: String,
    /// Removed blocks, in document order.
    pub removals: Vec<Removal>,
    /// The removed blocks' texts, one after another.
    pub removed_text: String,
    /// Number of blocks in the page.
    pub blocks: usize,
    /// True when the content detector did not decide the page as usual: no
    /// article region was found (the page was cleaned by rules alone), or the
    /// detectors left next to nothing of a page with body text (its region's
    /// paragraphs were kept). [`Cleaned::fallback_reason`] says which.
    pub fallback: bool,
    /// Why [`Cleaned::fallback`] is set.
    pub fallback_reason: Option<Fallback>,
    /// The rule set that was applied.
    pub rules: Arc<RuleSet>,
    /// The page's headline, when known (HTML: `og:title`, `<title>`, `<h1>`).
    pub title: Option<String>,
    /// The page's canonical URL, when known.
    pub url: Option<String>,
    /// The page's language, when declared.
    pub lang: Option<String>,
    /// The site whose rules applied, and where it came from.
    pub site: Option<Site>,
    /// The body in the output's format, for Markdown and HTML output.
    pub formatted: Option<String>,
    /// The comment section's text, when [`Config::comments`] asks for it
    /// and the page has one.
    pub comments: Option<String>,
    /// What the page says of itself (author, date, …), when
    /// [`Config::metadata`] asks for it or the output is JSON.
    pub metadata: Option<Box<Metadata>>,
}

impl Cleaned {
    /// The text of a removed block.
    pub fn text_of(&self, r: &Removal) -> &str {
        &self.removed_text[r.span.clone()]
    }

    /// `rule-id (file:line)` or `detector name (score)` for a removal.
    pub fn describe(&self, r: &Removal) -> String {
        match &r.by {
            RemovedBy::Rule(r) => {
                let rule = r.rule();
                format!("{} ({})", rule.id, rule.origin)
            }
            RemovedBy::Detector { name, score } => format!("{name} (score {score:.2})"),
        }
    }

    /// A removal as JSON: `{line, category, text}` and either `{rule,
    /// origin}` or `{detector, score}`.
    pub fn removal_json(&self, r: &Removal) -> serde_json::Value {
        let mut v = serde_json::json!({"line": r.line, "category": r.category.name(), "text": self.text_of(r)});
        match &r.by {
            RemovedBy::Rule(r) => {
                let rule = r.rule();
                v["rule"] = rule.id.clone().into();
                v["origin"] = rule.origin.to_string().into();
            }
            RemovedBy::Detector { name, score } => {
                v["detector"] = (*name).into();
                v["score"] = (*score as f64).into();
            }
        }
        v
    }

    /// Blocks removed per category, as a JSON object.
    pub fn removed_counts(&self) -> serde_json::Value {
        let mut counts: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
        for r in &self.removals {
            *counts.entry(r.category.name()).or_default() += 1;
        }
        serde_json::json!(counts)
    }

    /// The rule id or detector name of a removal.
    pub fn reason_id<'r>(&self, r: &'r Removal) -> &'r str {
        match &r.by {
            RemovedBy::Rule(r) => &r.rule().id,
            RemovedBy::Detector { name, .. } => name,
        }
    }
}

/// Per-block decision while cleaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mark {
    /// Undecided.
    Open,
    /// A keep rule protects it.
    Protected,
    /// Removed.
    Removed(Category, By),
}

/// A compact form of [`RemovedBy`] used while cleaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum By {
    Rule(usize),
    Detector(&'static str, f32),
}

impl Mark {
    pub(crate) fn is_removed(self) -> bool {
        matches!(self, Mark::Removed(..))
    }
}

/// The working state of one page.
pub(crate) struct Page<'d, 'a> {
    pub blocks: &'d [Block<'a>],
    pub marks: Vec<Mark>,
    /// The rule each block matched, if any (also for protected blocks).
    pub matched: Vec<Option<RuleMatch>>,
    /// The rules those indices point into.
    pub rules: &'d RuleSet,
    /// Which way the content detector leans.
    pub favor: Favor,
    /// The detectors' thresholds.
    pub tuning: &'d Tuning,
    /// Each block's value as text alone (`region::text_values`), filled
    /// once the rules have run.
    pub text_values: Vec<f32>,
}

impl Page<'_, '_> {
    /// Removes a block unless a keep rule protects it or it is already removed.
    pub fn remove(&mut self, i: usize, category: Category, by: By) {
        if self.marks[i] == Mark::Open {
            self.marks[i] = Mark::Removed(category, by);
        }
    }

    /// Like [`Page::remove`], but also names the real reason for a block that
    /// was only removed for lying outside the article.
    pub fn reclassify(&mut self, i: usize, category: Category, by: By) {
        if matches!(self.marks[i], Mark::Removed(Category::Outside, _)) {
            self.marks[i] = Mark::Open;
        }
        self.remove(i, category, by);
    }
}

impl Cleaner {
    /// A cleaner over a loaded rule book.
    pub fn new(book: RuleBook, config: Config) -> Cleaner {
        Cleaner {
            book,
            config,
            repeated: None,
        }
    }

    /// The same configuration over another rule book.
    pub fn with_book(&self, book: RuleBook) -> Cleaner {
        Cleaner {
            book,
            config: self.config.clone(),
            repeated: self.repeated.clone(),
        }
    }

    /// The same cleaner, removing from text dumps the lines of a batch's
    /// chrome (see [`crate::repeated`]); each such removal is the detector
    /// `batch-repeated`, its score the pages the line is on.
    pub fn with_repeated(&self, repeated: Arc<RepeatedLines>) -> Cleaner {
        Cleaner {
            book: self.book.clone(),
            config: self.config.clone(),
            repeated: (!repeated.is_empty()).then_some(repeated),
        }
    }

    /// What [`Cleaner::render`] writes.
    pub fn output_format(&self) -> OutputFormat {
        self.config.output
    }

    /// The rule book.
    pub fn book(&self) -> &RuleBook {
        &self.book
    }

    /// Cleans a plain-text dump of a page. `site` selects site rules (a
    /// text dump names no URL of its own: the site is the one given).
    pub fn clean_text(&self, src: &str, site: Option<&Site>) -> Cleaned {
        self.clean_text_at(src, site, None)
    }

    /// [`Cleaner::clean_text`] for a page whose URL is known (a record's):
    /// with metadata asked for, a date in the URL's path is the date of last
    /// resort (`date_source` `url`).
    pub fn clean_text_at(&self, src: &str, site: Option<&Site>, page_url: Option<&str>) -> Cleaned {
        let doc = Document::from_text_with(src, &self.config.tuning.wrap);
        let mut cleaned = self.clean_document(&doc, site);
        if let Some(m) = cleaned.metadata.as_mut() {
            m.add_url_date(page_url);
        }
        cleaned
    }

    /// Whether pages are read for their metadata.
    fn wants_metadata(&self) -> bool {
        self.config.metadata || self.config.output == OutputFormat::Json
    }

    /// Renders an HTML page with the selector rules of its site; the site
    /// is `site` when it wins over the page's own URL (`--site`, a record's
    /// URL), else the one the page names (canonical, `og:url`, `<base>`),
    /// else `site` (a guess from the path): see [`Site::choose`]. The
    /// rendered page keeps the rule set its selectors came from, and is
    /// cleaned with that same set ([`Cleaner::clean_rendered`]).
    pub fn render_html(&self, bytes: &[u8], site: Option<&Site>) -> RenderedPage {
        self.render_page(bytes, site, None, None).0
    }

    /// Renders a page once for everything asked of it: its lines, their
    /// formatting for Markdown and HTML output (links resolved against the
    /// page's base: `<base href>`, else `page_url`, else its canonical URL
    /// or `og:url`), and its metadata when asked for. `content_type` is the
    /// transport's (an HTTP or record `Content-Type`: see
    /// [`crate::charset`]).
    fn render_page(
        &self,
        bytes: &[u8],
        site: Option<&Site>,
        page_url: Option<&str>,
        content_type: Option<&str>,
    ) -> (RenderedPage, Option<Metadata>) {
        let tld = site.and_then(|s| s.host().rsplit('.').next());
        let html = crate::charset::decode(bytes, content_type, tld);
        let doc = html::parse(&html);
        let site = Site::choose(site, || Site::of_page(&doc));
        let rules = Arc::clone(self.book.for_site(site.as_ref().map(Site::host)));
        let options = html::RenderOptions {
            rich: self.config.output.is_rich().then_some(RichOptions {
                links: self.config.links,
                images: self.config.images,
            }),
            container_depth: self.config.tuning.container_depth,
        };
        let mut rendered =
            html::render_parsed_with(&doc, &|e| rules.select_with_action(e), options);
        if let Some(rich) = rendered.rich.as_mut() {
            rich.base = base_url(rich.base_href.as_deref(), page_url, rendered.url.as_deref());
        }
        let meta = self
            .wants_metadata()
            .then(|| crate::document::metadata::of_page(&html, &doc));
        (
            RenderedPage {
                rendered,
                site,
                rules,
            },
            meta,
        )
    }

    /// Cleans an HTML page: the body text, with the page's title, URL and
    /// language as metadata.
    pub fn clean_html(&self, bytes: &[u8], site: Option<&Site>) -> Cleaned {
        self.clean_html_at(bytes, site, None)
    }

    /// [`Cleaner::clean_html`] for a page whose URL is known (a record's
    /// URL): relative links resolve against it when the page has no
    /// `<base>`, and a date in its path is the date of last resort.
    pub fn clean_html_at(
        &self,
        bytes: &[u8],
        site: Option<&Site>,
        page_url: Option<&str>,
    ) -> Cleaned {
        self.clean_http(bytes, site, page_url, None)
    }

    /// [`Cleaner::clean_html_at`] for a page that came with a transport
    /// charset (an HTTP or record `Content-Type`).
    pub fn clean_http(
        &self,
        bytes: &[u8],
        site: Option<&Site>,
        page_url: Option<&str>,
        content_type: Option<&str>,
    ) -> Cleaned {
        self.clean_http_blocks(bytes, site, page_url, content_type, false)
            .0
    }

    /// Explains a text dump: the cleaned page and every block it was made
    /// of, each with its line, for showing what was kept and why
    /// (`boilerstrip explain`).
    pub fn explain_text(&self, src: &str, site: Option<&Site>) -> Explained {
        let doc = Document::from_text_with(src, &self.config.tuning.wrap);
        let cleaned = self.clean_document(&doc, site);
        Explained {
            blocks: blocks_of(&doc),
            cleaned,
        }
    }

    /// Explains an HTML page as [`Cleaner::clean_html`] cleans it (the
    /// `<noscript>` retry included: the blocks are those of the page the
    /// result came from).
    pub fn explain_html(&self, bytes: &[u8], site: Option<&Site>) -> Explained {
        let (cleaned, blocks) = self.clean_http_blocks(bytes, site, None, None, true);
        Explained {
            cleaned,
            blocks: blocks.unwrap_or_default(),
        }
    }

    /// [`Cleaner::clean_http`], and with `explain` the blocks of the
    /// document the result came from.
    fn clean_http_blocks(
        &self,
        bytes: &[u8],
        site: Option<&Site>,
        page_url: Option<&str>,
        content_type: Option<&str>,
        explain: bool,
    ) -> (Cleaned, Option<Vec<(usize, String)>>) {
        let (mut page, mut meta) = self.render_page(bytes, site, page_url, content_type);
        let doc = Document::from_rendered(&page.rendered);
        let mut cleaned = self.clean_rendered(&doc, &page);
        let mut blocks = explain.then(|| blocks_of(&doc));
        drop(doc);
        if words(&cleaned.text) < self.config.tuning.emptied_words
            && let Some(unwrapped) = noscript_shown(bytes)
        {
            let (page2, meta2) = self.render_page(&unwrapped, site, page_url, content_type);
            let doc = Document::from_rendered(&page2.rendered);
            let again = self.clean_rendered(&doc, &page2);
            if words(&again.text) > words(&cleaned.text) {
                cleaned = again;
                cleaned.fallback = true;
                cleaned.fallback_reason = Some(Fallback::Noscript);
                blocks = explain.then(|| blocks_of(&doc));
                drop(doc);
                (page, meta) = (page2, meta2);
            }
        }
        cleaned.title = page.rendered.title;
        cleaned.url = page.rendered.url;
        cleaned.lang = page.rendered.lang;
        if let Some(mut meta) = meta {
            // What the page declares first; then the byline and date lines
            // the cleaner took out of the body.
            if let Some(lines) = cleaned.metadata.take() {
                meta.agree_with_byline(&lines);
                meta.fill_from(*lines);
            }
            meta.add_url_date(page_url.or(cleaned.url.as_deref()));
            cleaned.metadata = Some(Box::new(meta));
        }
        (cleaned, blocks)
    }

    /// [`Cleaner::render`] of a page no longer needed: the body moves into
    /// the result when nothing goes above it (no copy of a huge page).
    pub fn render_owned(&self, cleaned: Cleaned) -> String {
        let body_alone = self.config.output == OutputFormat::Text
            && !(cleaned.title.is_some() && self.config.title_on_top)
            && !(cleaned.metadata.is_some() && self.config.metadata)
            && cleaned.comments.is_none();
        if body_alone {
            cleaned.text
        } else {
            self.render(&cleaned)
        }
    }

    /// The text to write for a cleaned page: the body, under the headline when
    /// the configuration asks for it and the page has one; with metadata
    /// asked for, a front matter above; with comments asked for, the
    /// comment section below, after a `---` line.
    pub fn render(&self, cleaned: &Cleaned) -> String {
        self.render_as(cleaned, false)
    }

    /// [`Cleaner::render`] for a record's text field: no front matter and
    /// no comments (a record has fields for those).
    pub fn render_record_text(&self, cleaned: &Cleaned) -> String {
        self.render_as(cleaned, true)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn render_as(&self, cleaned: &Cleaned, record: bool) -> String {
        let title = cleaned
            .title
            .as_deref()
            .filter(|_| self.config.title_on_top);
        let meta = cleaned
            .metadata
            .as_deref()
            .filter(|_| self.config.metadata && !record);
        let comments = cleaned.comments.as_deref().filter(|_| !record);
        match self.config.output {
            OutputFormat::Json => {
                let removed: Vec<serde_json::Value> = cleaned
                    .removals
                    .iter()
                    .map(|r| cleaned.removal_json(r))
                    .collect();
                let mut v = serde_json::json!({
                    "title": cleaned.title,
                    "url": cleaned.url,
                    "site": cleaned.site.as_ref().map(Site::host),
                    "site_source": cleaned.site.as_ref().map(|s| s.source().name()),
                    "lang": cleaned.lang,
                });
                let fields = cleaned.metadata.as_deref().cloned().unwrap_or_default();
                if let serde_json::Value::Object(m) = fields.to_json() {
                    v.as_object_mut().expect("an object").extend(m);
                }
                v["text"] = cleaned.text.clone().into();
                if self.config.comments {
                    v["comments"] = cleaned.comments.clone().into();
                }
                v["fallback"] = cleaned.fallback.into();
                v["fallback_reason"] = cleaned.fallback_reason.map(Fallback::name).into();
                v["removed"] = removed.into();
                format!("{v}\n")
            }
            OutputFormat::Html => crate::format::html_document(
                cleaned.title.as_deref(),
                title.is_some(),
                meta,
                cleaned.formatted.as_deref().unwrap_or(""),
                comments,
            ),
            format => {
                let markdown = format == OutputFormat::Markdown;
                let body = match &cleaned.formatted {
                    Some(f) if markdown => f,
                    _ => &cleaned.text,
                };
                let mut out = String::new();
                if let Some(m) = meta {
                    let page = [
                        ("title", cleaned.title.as_deref()),
                        ("url", cleaned.url.as_deref()),
                        ("site", cleaned.site.as_ref().map(Site::host)),
                        ("lang", cleaned.lang.as_deref()),
                    ];
                    out.push_str(&crate::format::front_matter(&page, m));
                }
                if let Some(title) = title {
                    out.push_str(if markdown { "# " } else { "" });
                    out.push_str(title);
                    out.push('\n');
                    if !body.is_empty() {
                        out.push('\n');
                    }
                }
                out.push_str(body);
                if let Some(c) = comments {
                    if !out.is_empty() {
                        out.push_str("\n---\n\n");
                    }
                    out.push_str(c);
                }
                out
            }
        }
    }

    /// Cleans a document with the rules of `site`: a named list of passes
    /// over its blocks, each deciding some blocks and recording why.
    /// Selector rules apply only to a rendered page cleaned with
    /// [`Cleaner::clean_rendered`]: the lines of a document name their
    /// selector rules by index in the set that rendered it, and here no set
    /// did.
    pub fn clean_document(&self, doc: &Document<'_>, site: Option<&Site>) -> Cleaned {
        self.clean_with(doc, self.book.for_site(site.map(Site::host)), site, false)
    }

    /// Cleans `doc`, made from `page.rendered`, with the rule set that
    /// rendered it (its selector rules included).
    pub fn clean_rendered(&self, doc: &Document<'_>, page: &RenderedPage) -> Cleaned {
        self.clean_with(doc, &page.rules, page.site.as_ref(), true)
    }

    /// Cleans a document with one rule set; `selected` says the blocks'
    /// selector rules are indices in `rules`. It reads as its passes,
    /// numbered in order, each deciding some blocks and recording why.
    fn clean_with(
        &self,
        doc: &Document<'_>,
        rules: &Arc<RuleSet>,
        site: Option<&Site>,
        selected: bool,
    ) -> Cleaned {
        let mut page = self.page(doc, rules);
        let is_html = page.blocks.first().is_some_and(|b| b.html.is_some());
        // 1. rules: selector rules first (HTML), then phrases and patterns
        self.rules_pass(&mut page, doc.source, selected, is_html);
        // 2. embedded posts (text dumps)
        embeds_pass(&mut page, is_html);
        // 3. main content: where the page marks it, else where the text is;
        // in HTML bounded by the article's element
        let article = region::find_article(&mut page, is_html, self.config.keep_title);
        let after_region = page.marks.clone();
        // 4. sections, teasers, repeated titles, bylines, comments
        sections_pass(&mut page, article.range, is_html);
        // 5. an article cut to nothing falls back to the region's paragraphs
        let fallback = article
            .fallback
            .or_else(|| region::fall_back_if_empty(&mut page, &after_region, article.range));
        // 6. tables left out on request
        if self.config.no_tables {
            remove_tables(&mut page);
        }
        let mut cleaned = finish(&page, rules.clone(), fallback, &self.config);
        cleaned.site = site.cloned();
        self.add_outputs(&mut cleaned, &page, doc);
        cleaned
    }

    /// The working state of a page no pass has looked at yet.
    fn page<'d, 'a>(&'d self, doc: &'d Document<'a>, rules: &'d RuleSet) -> Page<'d, 'a> {
        let blocks = &doc.blocks[..];
        Page {
            blocks,
            marks: vec![Mark::Open; blocks.len()],
            matched: Vec::with_capacity(blocks.len()),
            rules,
            favor: self.config.favor,
            tuning: &self.config.tuning,
            text_values: Vec::new(),
        }
    }

    /// Pass 1: the rules (and in a text dump the lines the batch repeats);
    /// then each block's value as text, which the later passes read.
    fn rules_pass(&self, page: &mut Page<'_, '_>, source: &str, selected: bool, is_html: bool) {
        apply_rules(page, source, selected);
        if !is_html && let Some(repeated) = &self.repeated {
            remove_repeated(page, repeated);
        }
        page.text_values = region::text_values(page);
    }

    /// What the cleaned page carries besides its text, as asked: the
    /// formatted body, the comment section, the byline lines for metadata.
    fn add_outputs(&self, cleaned: &mut Cleaned, page: &Page<'_, '_>, doc: &Document<'_>) {
        if self.config.output.is_rich() {
            let kept: Vec<bool> = page.marks.iter().map(|m| !m.is_removed()).collect();
            let body = crate::format::Body {
                blocks: page.blocks,
                kept: &kept,
                rich: doc.rich,
                plain: self.config.plain,
            };
            cleaned.formatted = Some(match self.config.output {
                OutputFormat::Html => body.html(),
                _ => body.markdown(),
            });
        }
        if self.config.comments {
            cleaned.comments = comment_section(page);
        }
        if self.wants_metadata() {
            let mut meta = Metadata::default();
            meta.add_bylines(&byline_lines(page));
            cleaned.metadata = Some(Box::new(meta));
        }
    }
}

/// Pass 2: embedded posts. In HTML the post is its own element, and pages
/// keep its text as part of the story; the walk back over lines is for
/// text dumps.
fn embeds_pass(page: &mut Page<'_, '_>, is_html: bool) {
    if !is_html {
        embeds::remove_embedded_posts(page);
    }
}

/// Pass 4, once the article is found (`start..end`): section rules, teaser
/// cards and lists of them (HTML), segments unrelated to the article,
/// repeated titles, bylines; in a text dump dated cards and what follows
/// a comment prompt.
fn sections_pass(page: &mut Page<'_, '_>, (start, end): (usize, usize), is_html: bool) {
    apply_section_rules(page, start, end);
    teasers::remove_cards(page, start);
    if is_html {
        teasers::remove_card_lists(page);
    }
    teasers::remove_unrelated(page, start, end);
    teasers::remove_repeated_titles(page);
    region::remove_bylines(page);
    if !is_html {
        teasers::remove_dated_cards(page, start);
        cut_at_comments(page, start);
    }
}

/// The URL a page's relative links are resolved against: `<base href>`
/// (itself resolved against the page's URL), else the page's URL (a
/// record's), else its canonical URL or `og:url`. Only `http(s)` URLs.
fn base_url(
    base_href: Option<&str>,
    page_url: Option<&str>,
    canonical: Option<&str>,
) -> Option<url::Url> {
    let web = |u: url::Url| matches!(u.scheme(), "http" | "https").then_some(u);
    let page = page_url
        .and_then(|u| url::Url::parse(u.trim()).ok())
        .and_then(web)
        .or_else(|| {
            canonical
                .and_then(|u| url::Url::parse(u.trim()).ok())
                .and_then(web)
        });
    let base = base_href.and_then(|h| match &page {
        Some(p) => p.join(h.trim()).ok(),
        None => url::Url::parse(h.trim()).ok(),
    });
    base.and_then(web).or(page)
}

/// `--no-tables`: every line of a data table (HTML), every pipe-table row
/// (`| a | b |`, text dumps), unless a keep rule protects it.
fn remove_tables(page: &mut Page<'_, '_>) {
    for i in 0..page.blocks.len() {
        let b = &page.blocks[i];
        let table = match b.html {
            Some(h) => h.data_table != 0,
            None => {
                let t = b.visible.trim();
                t.len() > 2 && t.starts_with('|') && t.ends_with('|')
            }
        };
        if table {
            page.remove(i, Category::Tables, By::Detector("no-tables", 1.0));
        }
    }
}

/// The comment section: the blocks a comments rule took (the thread under
/// `3 responses to …`, the blocks of a `#comments` element), less the
/// thread's heading (the first block a `drop-to-end` rule matched), blocks
/// other rules matched themselves (reply and log-in prompts, the comment
/// form's labels, share rows) and mostly-link lines; `None` when there are
/// none.
fn comment_section(page: &Page<'_, '_>) -> Option<String> {
    let mut out = String::new();
    let mut pending_blank = false;
    let mut heading_seen = false;
    for (i, b) in page.blocks.iter().enumerate() {
        let by_comments = matches!(
            page.marks[i],
            Mark::Removed(Category::Comments, By::Rule(_))
        );
        let own = page.matched[i].map(|m| m.action);
        let heading = by_comments && own == Some(Action::DropToEnd) && !heading_seen;
        heading_seen |= heading;
        let taken = by_comments
            && !heading
            && matches!(own, None | Some(Action::DropToEnd))
            && !region::link_dense(page, i);
        if !taken {
            pending_blank |= b.blank_before;
            continue;
        }
        if !out.is_empty() && (pending_blank || b.blank_before) {
            out.push('\n');
        }
        pending_blank = false;
        out.push_str(crate::document::trim(b.text));
        out.push('\n');
    }
    (!out.is_empty()).then_some(out)
}

/// Lines that may name the article's author and date: those removed as
/// bylines, then those removed near the article's start (from a few blocks
/// above its first kept block to its first paragraph) that are short.
fn byline_lines<'p>(page: &'p Page<'_, '_>) -> Vec<&'p str> {
    let n = page.blocks.len();
    let removed = |i: usize| page.marks[i].is_removed();
    let first = (0..n).find(|&i| !removed(i)).unwrap_or(n);
    let para = (first..n)
        .find(|&i| !removed(i) && page.tuning.is_paragraph(&page.blocks[i]))
        .unwrap_or(n);
    let lookback = page.tuning.byline_lookback;
    let window = first.saturating_sub(lookback)..para.min(first + 2 * lookback);
    let mut lines: Vec<&str> = (0..n)
        .filter(|&i| matches!(page.marks[i], Mark::Removed(Category::Byline, _)))
        .map(|i| page.blocks[i].visible.as_ref())
        .collect();
    for i in window {
        if matches!(page.marks[i], Mark::Removed(Category::Outside, _))
            && page.blocks[i].features.words <= page.tuning.byline_line_max_words
        {
            lines.push(page.blocks[i].visible.as_ref());
        }
    }
    lines
}

/// Matches every block against the rule set once and marks what the rules
/// decide: selector rules first (HTML), then phrases and patterns; a keep
/// rule protects its block from everything after.
fn apply_rules(page: &mut Page<'_, '_>, source: &str, selected: bool) {
    let rules = page.rules;
    let blocks = page.blocks;
    let texts: Vec<(&str, u32)> = blocks
        .iter()
        .map(|b| (&*b.visible, b.features.words))
        .collect();
    let matches = rules.match_page(source, &texts);
    for (i, (b, &m)) in blocks.iter().zip(&matches).enumerate() {
        if let Some(rule) = b.html.and_then(|h| h.selected).filter(|_| selected) {
            let r = &rules.rules()[rule];
            if r.action == Action::Keep {
                page.marks[i] = Mark::Protected;
            } else {
                page.remove(i, r.category, By::Rule(rule));
            }
        }
        page.matched.push(m);
        if let Some(m) = m {
            let category = rules.rules()[m.index].category;
            if m.action == Action::Keep {
                page.marks[i] = Mark::Protected;
            } else {
                page.remove(i, category, By::Rule(m.index));
            }
        }
    }
}

/// Removes the lines the batch repeats on pages unlike each other (the
/// chrome of its sites), unless a keep rule protects them.
fn remove_repeated(page: &mut Page<'_, '_>, repeated: &RepeatedLines) {
    let blocks = page.blocks;
    for (i, b) in blocks.iter().enumerate() {
        if page.marks[i] != Mark::Open {
            continue;
        }
        if let Some(pages) = repeated.pages_of(b.text) {
            page.remove(
                i,
                Category::Navigation,
                By::Detector("batch-repeated", pages as f32),
            );
        }
    }
}

/// Words of a cleaned text.
fn words(text: &str) -> u32 {
    text.split_whitespace().count() as u32
}

/// The page with its `<noscript>` elements turned into plain `<div>`s, if
/// it has any: parsed with scripting on, as browsers do, their content is
/// one piece of raw text; as divs it is markup like the rest of the page.
fn noscript_shown(bytes: &[u8]) -> Option<Vec<u8>> {
    let finder = memchr::memmem::Finder::new(b"noscript");
    let lower = bytes.to_ascii_lowercase();
    finder.find(&lower)?;
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for i in finder.find_iter(&lower) {
        // Only tag names: `<noscript` and `</noscript`.
        let open = i >= 1 && lower[i - 1] == b'<';
        let close = i >= 2 && lower[i - 1] == b'/' && lower[i - 2] == b'<';
        let ends = lower
            .get(i + 8)
            .is_none_or(|&b| b == b'>' || b.is_ascii_whitespace() || b == b'/');
        if (open || close) && ends {
            out.extend_from_slice(&bytes[at..i]);
            out.extend_from_slice(b"div     ");
            at = i + 8;
        }
    }
    if at == 0 {
        return None;
    }
    out.extend_from_slice(&bytes[at..]);
    Some(out)
}

/// In a text dump, once the article has [`Tuning::comments_cut_words`] of body
/// text, the first comment prompt ends it: what follows that the other
/// detectors left is the comment section (in HTML the comment section is
/// an element of its own, which rules take whole).
fn cut_at_comments(page: &mut Page<'_, '_>, start: usize) {
    let mut seen = 0u32;
    for i in start..page.blocks.len() {
        let b = &page.blocks[i];
        if !page.marks[i].is_removed() && page.tuning.is_paragraph(b) {
            seen += b.features.words;
        }
        if seen >= page.tuning.comments_cut_words
            && let Mark::Removed(Category::Comments, By::Rule(rule)) = page.marks[i]
        {
            for j in i + 1..page.blocks.len() {
                page.reclassify(j, Category::Comments, By::Rule(rule));
            }
            return;
        }
    }
}

/// `drop-section` takes the blocks under a heading until the next paragraph
/// (or a heading that introduces one); `drop-to-end` takes everything after
/// it, once the article has started.
fn apply_section_rules(page: &mut Page<'_, '_>, start: usize, end: usize) {
    let n = page.blocks.len();
    let mut seen_paragraph = false;
    let mut i = 0;
    while i < n {
        let b = &page.blocks[i];
        if i >= start && i < end && !page.marks[i].is_removed() && page.tuning.is_paragraph(b) {
            seen_paragraph = true;
        }
        let Some(RuleMatch {
            index: rule,
            action,
        }) = page.matched[i]
        else {
            i += 1;
            continue;
        };
        let category = page.rules.rules()[rule].category;
        match action {
            Action::DropSection => {
                let mut j = i + 1;
                while j < n && !starts_body(page.blocks, j, page.tuning) {
                    page.reclassify(j, category, By::Rule(rule));
                    j += 1;
                }
                i = j;
            }
            Action::DropToEnd if seen_paragraph => {
                for j in i + 1..n {
                    page.reclassify(j, category, By::Rule(rule));
                }
                return;
            }
            _ => i += 1,
        }
    }
}

/// True when block `j` is body text, or a heading whose next block is.
fn starts_body(blocks: &[Block<'_>], j: usize, t: &Tuning) -> bool {
    t.is_paragraph(&blocks[j])
        || (t.is_heading_like(&blocks[j].features)
            && blocks.get(j + 1).is_some_and(|b| t.is_paragraph(b)))
}

fn finish(
    page: &Page<'_, '_>,
    rules: Arc<RuleSet>,
    fallback: Option<Fallback>,
    config: &Config,
) -> Cleaned {
    // Sized once: the kept and the removed text together are about the page.
    let (mut kept_len, mut removed_len, mut removed_n) = (0, 0, 0);
    for (b, mark) in page.blocks.iter().zip(&page.marks) {
        if mark.is_removed() {
            removed_len += b.text.len();
            removed_n += 1;
        } else {
            kept_len += b.text.len() + 2;
        }
    }
    let mut text = String::with_capacity(kept_len);
    let mut removals = Vec::with_capacity(removed_n);
    let mut removed_text = String::with_capacity(removed_len);
    let mut pending_blank = false;
    for (b, mark) in page.blocks.iter().zip(&page.marks) {
        match *mark {
            Mark::Removed(category, by) => {
                pending_blank |= b.blank_before;
                let start = removed_text.len();
                removed_text.push_str(crate::document::trim(b.text));
                removals.push(Removal {
                    line: b.line,
                    span: start..removed_text.len(),
                    category,
                    by: match by {
                        By::Rule(i) => RemovedBy::Rule(
                            rules
                                .rule_ref(i)
                                .expect("a page's rule indices are its set's"),
                        ),
                        By::Detector(name, score) => RemovedBy::Detector { name, score },
                    },
                });
            }
            Mark::Open | Mark::Protected => {
                if !text.is_empty() && (pending_blank || b.blank_before) {
                    text.push('\n');
                }
                pending_blank = false;
                text.push_str(if config.plain { &b.visible } else { b.text });
                text.push('\n');
            }
        }
    }
    Cleaned {
        text,
        removals,
        removed_text,
        blocks: page.blocks.len(),
        fallback: fallback.is_some(),
        fallback_reason: fallback,
        rules,
        title: None,
        url: None,
        lang: None,
        site: None,
        formatted: None,
        comments: None,
        metadata: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaner() -> Cleaner {
        Cleaner::new(RuleBook::shipped().unwrap(), Config::default())
    }

    const P1: &str = "The regional rail operator said on Monday that it would add forty trains a day to the coastal line from next spring.";
    const P2: &str = "Passenger numbers on the line have grown every year since 2015, and trains at peak hours often leave people on the platform.";
    const P3: &str = "The operator plans to pay for the new services with fares and a grant from the transport ministry, its chief executive said.";

    const P4: &str = "Unions welcomed the plan but asked for more staff on the busiest stations before the first new trains start running.";

    fn reasons(c: &Cleaned) -> Vec<(&str, &str)> {
        c.removals
            .iter()
            .map(|r| (c.text_of(r), c.reason_id(r)))
            .collect()
    }

    #[test]
    fn region_drops_menus_around_the_article_and_keeps_subheadings_inside() {
        let page = format!(
            "* Home\n* World\n* Sports\nLatest headlines today\n\n{P1}\n\nWhat riders say\n\n{P2}\n{P3}\n\n* About\n* Jobs\nWeather\n"
        );
        let c = cleaner().clean_text(&page, None);
        assert_eq!(c.text, format!("{P1}\n\nWhat riders say\n\n{P2}\n{P3}\n"));
        assert!(!c.fallback);
        assert!(reasons(&c).contains(&("Weather", "content-region")));
    }

    #[test]
    fn a_page_with_no_body_text_falls_back_to_rules_alone() {
        let c = cleaner().clean_text(
            "Home\nShare\nPhoto gallery of the week\nMore pictures\n",
            None,
        );
        assert!(c.fallback);
        assert_eq!(c.text, "Photo gallery of the week\nMore pictures\n");
    }

    #[test]
    fn headline_above_the_article_is_kept_past_a_byline() {
        let page = format!(
            "Menu\nRail operator adds forty trains a day\nBy Sam Lee | Nov. 19, 2019 8:03 am\nShare\n{P1}\n{P2}\n"
        );
        let c = cleaner().clean_text(&page, None);
        assert_eq!(
            c.text,
            format!("Rail operator adds forty trains a day\n{P1}\n{P2}\n")
        );
    }

    #[test]
    fn drop_section_takes_the_list_under_a_heading_until_body_text() {
        let page = format!(
            "{P1}\n{P2}\nRelated stories\n* Trains late again on Monday\n* Fares to rise in January\n{P3}\n{P4}\n"
        );
        let c = cleaner().clean_text(&page, None);
        assert_eq!(c.text, format!("{P1}\n{P2}\n{P3}\n{P4}\n"));
        let r = reasons(&c);
        assert_eq!(r[1], ("* Trains late again on Monday", "teasers.headings"));
    }

    #[test]
    fn drop_to_end_waits_for_the_article_to_start() {
        // A comment-thread header above the article must not empty the page.
        let page = format!(
            "12 responses to “Trains”\n{P1}\n{P2}\n3 responses to “Forty more trains”\n{P3}\n"
        );
        let c = cleaner().clean_text(&page, None);
        assert_eq!(c.text, format!("{P1}\n{P2}\n"));
        assert_eq!(reasons(&c).last().unwrap().1, "comments.thread-start");
    }

    #[test]
    fn keep_rules_protect_blocks_from_detectors() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("keep.toml"),
            "[[rule]]\nid = \"keep.dateline\"\ncategory = \"keep\"\nphrases = [\"Filed from\"]\nmatch = \"prefix\"\n",
        )
        .unwrap();
        let book = RuleBook::load(&[crate::rules::RuleDir(tmp.path().into())]).unwrap();
        let c = Cleaner::new(book, Config::default()).clean_text(
            &format!("Filed from Lisbon\nHome\nMenu\nSearch\n{P1}\n{P2}\n"),
            None,
        );
        assert_eq!(c.text, format!("Filed from Lisbon\n{P1}\n{P2}\n"));
    }

    #[test]
    fn teaser_cards_and_unrelated_segments_go_related_ones_stay() {
        let page = format!(
            "{P1}\n{P2}\nShare this post\n{P3}\nSign up\nStar chef opens rooftop restaurant\nStar chef opens rooftop restaurant\nThe famous chef's new restaurant serves a seasonal tasting menu with a view over the harbour.\nB P\n"
        );
        let c = cleaner().clean_text(&page, None);
        assert_eq!(
            c.text,
            format!("{P1}\n{P2}\n{P3}\n"),
            "P3 is about the same story"
        );
        let r = reasons(&c);
        assert_eq!(
            r.iter().filter(|(_, id)| *id == "teaser-card").count(),
            4,
            "{r:?}"
        );
    }

    /// An HTML page whose article is followed by a list of cards, each a
    /// linked title, a byline link, a date and a blurb.
    fn page_with_cards(card_blurb: &str) -> String {
        let card = |n: u32| {
            format!(
                r#"<li class="card"><div class="img"><a href="/s{n}"><img src="/i{n}.jpg"></a></div>
<div class="info"><h5><a href="/s{n}">Harbour ferry number {n} returns after a long winter refit</a></h5>
<div class="by"><a href="/a{n}">Ann Smith</a></div><time>Tuesday November 19, 2019</time>
<div class="blurb">{card_blurb}</div></div></li>"#
            )
        };
        format!(
            r#"<html><body><nav><a href="/">Home</a></nav><article><h1>Rail operator adds trains</h1>
<p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p></article>
<section><h4>Across the region</h4><ul class="cards">{}{}{}{}</ul></section></body></html>"#,
            card(1),
            card(2),
            card(3),
            card(4)
        )
    }

    #[test]
    fn lists_of_teaser_cards_go_whole_with_their_heading() {
        let html = page_with_cards(
            "The ferry carried more passengers than ever last summer, the operator said.",
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert_eq!(c.text, format!("{P1}\n\n{P2}\n\n{P3}\n\n{P4}\n"));
        let r = reasons(&c);
        assert!(r.contains(&("Across the region", "card-list")), "{r:?}");
        assert!(r.contains(&("Ann Smith", "card-list")), "{r:?}");
    }

    #[test]
    fn linked_sections_with_long_text_are_not_cards() {
        // The same list, but every item holds several paragraphs' worth of
        // text: an article's own sections, not teasers.
        let long = [P1, P2, P3, P4, P1, P2].join(" ");
        let html = page_with_cards(&long);
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert!(
            !reasons(&c).iter().any(|(_, id)| *id == "card-list"),
            "{:?}",
            reasons(&c)
        );
    }

    #[test]
    fn the_pages_own_article_markup_bounds_the_article() {
        // A calendar with no sentence in it: only the page's microdata says
        // it is the article, while a comment notice below is the only prose.
        let html = r#"<html><body><div class="menu"><a href="/">Home</a> <a href="/f1">F1</a></div>
<div itemscope itemtype="http://schema.org/NewsArticle"><div itemprop="articleBody">
<h1>Stock Car calendar 2018</h1>
<p>Stock Car calendar 2018</p><p>Round 1: 10 March – Interlagos</p><p>Round 2: 8 April – Curitiba</p>
<p>Round 3: 22 April – Velopark</p><p>Round 4: 6 May – Londrina</p><p>Round 5: 20 May – Santa Cruz do Sul</p>
<p>Round 6: 5 August – the Million Race</p><p>Share this on WhatsApp</p></div></div>
<div class="note"><p>Please note: comments that are unintelligible or disrespectful to other readers will not be approved by the moderator.</p></div>
</body></html>"#;
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert!(!c.fallback);
        assert!(
            c.text
                .starts_with("Stock Car calendar 2018\n\nRound 1: 10 March"),
            "{}",
            c.text
        );
        assert!(c.text.contains("Round 6: 5 August – the Million Race"));
        assert!(!c.text.contains("moderator"), "{}", c.text);
        assert!(!c.text.contains("WhatsApp"));
        let r = reasons(&c);
        assert!(
            r.contains(&("Stock Car calendar 2018", "article-markup")),
            "headline is metadata: {r:?}"
        );
        assert!(r.contains(&("Home F1", "article-markup")), "{r:?}");
    }

    #[test]
    fn markup_around_the_lead_alone_does_not_cut_the_article() {
        // The page marks only its first paragraph; the story goes on below.
        let p5 = "Engineers expect the first of the new trains to run in April, once the signalling upgrade on the northern section has been tested.";
        let p6 = "Commuter groups said the timetable should also add late evening services, which have been cut twice since the pandemic began.";
        let p7 = "The ministry will review the plan in the spring and could approve the grant before the summer holidays, officials told reporters.";
        let p8 = "Ticket prices on the coastal line rose by four percent this year, the largest increase since the line was opened to the public.";
        let p9 = "Two stations on the route will get longer platforms so that the new trains, which have eight carriages instead of six, can stop there.";
        let p10 = "The operator said it would publish the full timetable in January and invited passengers to comment on it online until the end of February.";
        let html = format!(
            r#"<html><body><div class="story"><div itemprop="articleBody"><p>{P1}</p><p>{P2}</p></div>
<p>{P3}</p><p>{P4}</p><p>{p5}</p><p>{p6}</p><p>{p7}</p><p>{p8}</p><p>{p9}</p><p>{p10}</p></div></body></html>"#
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        for p in [P1, P2, P3, P4, p5, p6, p7, p8, p9, p10] {
            assert!(c.text.contains(p), "lost {p:?}:\n{}", c.text);
        }
    }

    #[test]
    fn the_lead_between_headline_and_body_is_kept_bylines_are_not() {
        let html = format!(
            r#"<html><body><nav><a href="/">Start</a> <a href="/news">News</a></nav>
<article><header><h1>Mehr Züge für die Küstenlinie</h1>
<p class="article__intro">Der Betreiber will ab dem Frühjahr vierzig Züge am Tag zusätzlich fahren lassen.</p>
<p class="byline">Von Anna Berg, 12. März 2024</p></header>
<div class="article__body"><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>{P4}</p></div></article>
<footer><p>Impressum</p></footer></body></html>"#
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert_eq!(
            c.text,
            format!(
                "Der Betreiber will ab dem Frühjahr vierzig Züge am Tag zusätzlich fahren lassen.\n\n{P1}\n\n{P2}\n\n{P3}\n\n{P4}\n"
            )
        );
    }

    #[test]
    fn a_recipes_ingredient_list_above_its_steps_is_kept() {
        let html = r#"<html><body><div class="menu"><ul><li><a href="/">Home</a></li><li><a href="/r">Recipes</a></li></ul></div>
<div class="recipe"><h1>Apple crumble</h1><h2>Ingredients</h2><ul>
<li>4 apples</li><li>100 g flour</li><li>80 g butter</li><li>60 g sugar</li></ul>
<h2>Method</h2>
<p>Peel and slice the apples, then spread them in a buttered dish and sprinkle them with a spoon of the sugar.</p>
<p>Rub the flour, butter and the rest of the sugar together until the mixture looks like coarse crumbs.</p>
<p>Scatter the crumbs over the apples and bake for forty minutes until the top is golden and the fruit bubbles.</p></div>
<div class="footer"><p>Copyright 2024 Example Kitchen</p></div></body></html>"#;
        let c = cleaner().clean_html(html.as_bytes(), None);
        for line in [
            "* 4 apples",
            "* 100 g flour",
            "* 60 g sugar",
            "Peel and slice",
        ] {
            assert!(c.text.contains(line), "{line:?} missing:\n{}", c.text);
        }
        assert!(!c.text.contains("Recipes"), "{}", c.text);
    }

    #[test]
    fn a_page_the_detectors_would_empty_keeps_its_paragraphs() {
        // The article's paragraphs sit in three sibling "cards" with linked
        // titles, as a post between its previous and next links does.
        let card = |t: &str, p: &str| {
            format!(r#"<div class="item"><h3><a href="/x">{t}</a></h3><p>{p}</p></div>"#)
        };
        let html = format!(
            r#"<html><body><div class="list">{}{}{}</div></body></html>"#,
            card("Previous post about the harbour ferry", P1),
            card("Rail operator adds forty trains a day", P2),
            card("Next post about the new timetable", P3),
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert!(c.text.contains(P2), "{}", c.text);
        assert!(c.fallback);
        assert_eq!(c.fallback_reason, Some(Fallback::Emptied));
    }

    #[test]
    fn a_dump_loses_the_dated_cards_after_its_article_but_keeps_a_chronology() {
        let cards = "\
+ Conservatives boycotting the chicken chain are silly
Kimberly Ross
Tuesday November 19, 2019
Monday's news that the beloved fast-food restaurant would no longer donate to organizations critical of its new policy was met with anger online, and some of its most loyal customers said they would now take their business somewhere else for good.
+ A foundation embraces creative disruption
Quin Hillyer
Tuesday November 19, 2019
Jimmy sounds a whole lot like his eloquent father, the late official and idea man who spent decades arguing for lower taxes, and this is good news for the foundation he runs and for the people it hopes to reach this year.
+ The kind of legislation conservatives should support
Brad Polumbo
Monday November 18, 2019
Religious liberty and conscience rights are certainly worth defending against an increasing onslaught, and a new bill in the state house would do both while still protecting people from being fired or evicted for who they are.
";
        let page = format!("Forty more trains\n\n{P1}\n\n{P2}\n\n{P3}\n\n{cards}");
        let c = cleaner().clean_text(&page, None);
        assert!(c.text.contains(P3), "{}", c.text);
        for gone in [
            "Kimberly Ross",
            "Religious liberty",
            "A foundation embraces",
        ] {
            assert!(!c.text.contains(gone), "{gone:?} kept:\n{}", c.text);
        }
        // A timeline: date lines between paragraphs, no title above them.
        let chronology = format!(
            "How the line was built\n\n{P1}\n\nMarch 3, 2019\n\n{P2}\n\nApril 5, 2019\n\n{P3}\n\nMay 9, 2019\n\n{P1}\n\nJune 1, 2019\n\n{P2}\n"
        );
        let c = cleaner().clean_text(&chronology, None);
        // (The first two date lines read as the article's byline.)
        assert!(
            c.text.contains("May 9, 2019") && c.text.contains("June 1, 2019"),
            "{}",
            c.text
        );
    }

    #[test]
    fn a_page_whose_article_is_only_in_noscript_is_cleaned_from_it() {
        // A script-rendered page: an empty app shell, the article printed
        // for readers without scripts only.
        let html = format!(
            r#"<html><head><title>Rail news</title><script src="/app.js"></script></head>
<body><div id="app"></div><NOSCRIPT><article><h1>Forty more trains</h1><p>{P1}</p><p>{P2}</p>
<p>{P3}</p></article><ul class="menu"><li><a href="/a">Home</a></li></ul></NOSCRIPT></body></html>"#
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert!(c.text.contains(P1) && c.text.contains(P3), "{}", c.text);
        assert!(!c.text.contains("Home"), "{}", c.text);
        assert_eq!(c.fallback_reason, Some(Fallback::Noscript));
        // Explaining it shows the blocks of the page the result came from,
        // and the same result.
        let e = cleaner().explain_html(html.as_bytes(), None);
        assert_eq!(e.cleaned.text, c.text);
        assert!(e.blocks.iter().any(|(_, t)| t == P1), "{:?}", e.blocks);
        let home = e.blocks.iter().find(|(_, t)| t.contains("Home")).unwrap();
        assert!(e.cleaned.removals.iter().any(|r| r.line == home.0));
        // A page with its own text keeps ignoring its noscript banner.
        let html = format!(
            r#"<html><body><noscript><p>Please enable JavaScript to use this site and all of its many features.</p></noscript>
<article><p>{P1}</p><p>{P2}</p></article></body></html>"#
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        assert!(!c.text.contains("JavaScript"), "{}", c.text);
        assert_eq!(c.fallback_reason, None);
    }

    #[test]
    fn an_article_cut_by_a_list_of_short_lines_is_joined_again() {
        // A text dump: the story, a box of eight short lines, the rest of the
        // story; then, far below, another story.
        let rest = "The operator said the new island ferry boats would run every hour from the spring and cut the crossing time.";
        let rest2 = "Passengers on the island ferry line have waited for the new boats for years, the operator said on Monday.";
        let other = "The city council approved a new budget for the public library on Tuesday, adding two mobile libraries for the villages.";
        let other2 = "Librarians said the mobile libraries would visit every village in the district twice a month from the spring.";
        let boxed = "Timetable\nMonday\nTuesday\nWednesday\nThursday\nFriday\nSaturday\nSunday\n";
        let filler: String = (0..20).map(|k| format!("Menu item {k}\n")).collect();
        let page = format!(
            "{P1}\nThe island ferry will run every hour, the operator said on Monday, and its boats will be replaced.\n{boxed}{rest}\n{rest2}\n{filler}{other}\n{other2}\n"
        );
        let c = cleaner().clean_text(&page, None);
        assert!(
            c.text.contains(rest) && c.text.contains(rest2),
            "{}",
            c.text
        );
        assert!(!c.text.contains(other), "another story joined:\n{}", c.text);
    }

    #[test]
    fn a_thin_article_widens_to_the_card_around_it() {
        // A recipe card: one sentence, then ingredients and steps as short
        // lines in plain divs; the site's menu and footer are links.
        let lines: String = [
            "Ergibt: 40 Stück",
            "Zutaten:",
            "300 g Mehl",
            "1 TL Backpulver",
            "100 g gemahlene Mandeln",
            "200 g Margarine",
            "200 g Zucker",
            "1 Prise Salz",
            "1 Ei",
            "Zubereitung:",
            "Alle Zutaten verkneten",
            "Kugeln formen und flach drücken",
            "Bei 180 Grad backen",
        ]
        .iter()
        .map(|l| format!("<div>{l}</div>"))
        .collect();
        let menu: String = (1..12)
            .map(|k| format!(r#"<li><a href="/c{k}">Kategorie {k}</a></li>"#))
            .collect();
        let html = format!(
            r#"<html><body><ul class="menu">{menu}</ul><div class="recipe"><h1>Mandelplätzchen</h1>
<div class="card">{lines}</div><div class="note"><p>Diese Plätzchen backe ich jedes Jahr in der Adventszeit mit meinen Kindern, sie sind schnell gemacht.</p></div></div>
<ul class="footer">{menu}</ul></body></html>"#
        );
        let c = cleaner().clean_html(html.as_bytes(), None);
        for want in [
            "300 g Mehl",
            "200 g Zucker",
            "Bei 180 Grad backen",
            "Diese Plätzchen",
        ] {
            assert!(c.text.contains(want), "{want:?} missing:\n{}", c.text);
        }
        assert!(!c.text.contains("Kategorie"), "{}", c.text);
    }
}
