//! HTML pages into the same blocks as text dumps.
//!
//! The page is decoded (see [`crate::charset`]: never an error),
//! parsed once with html5ever (through `scraper`), and walked without recursion,
//! so 50 000 nested `<div>`s cannot overflow the stack. Block-level elements
//! start new lines; scripts, styles and other invisible elements are skipped;
//! list items get a `* ` marker as whole-page converters write them. Each line
//! records how much of its text sits inside links, and the selector rule (if
//! any) whose element holds it, so the cleaner can remove it and say why. A
//! selector never takes `<html>`, `<body>`, `<main>`, `<article>` or an element
//! holding two thirds of the page's text (script and style bodies are not
//! text: they are dropped before parsing).
//!
//! The page's headline, canonical URL and language are read on the way, as
//! metadata: the headline is not part of the body text.

use super::rich::{Builder, Rich, RichOptions};
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node};

/// A page rendered to lines of text, one per block.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The lines, each ending in `\n`.
    pub text: String,
    /// Per line of `text`, in order.
    pub lines: Vec<LineInfo>,
    /// `og:title`, else `<title>`, else the first `<h1>`.
    pub title: Option<String>,
    /// `<link rel=canonical>` or `og:url`.
    pub url: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// Selectors of block elements that hold lines (`div.newsletter`,
    /// `section#comments`), referred to by [`LineInfo::holder`].
    pub holders: Vec<String>,
    /// `<base href>`, as written.
    pub base_href: Option<String>,
    /// The lines' inline formatting, when [`RenderOptions::rich`] asked for it.
    pub rich: Option<Box<Rich>>,
}

/// What [`render_parsed_with`] collects beyond the plain lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Collect each line's inline formatting ([`Rendered::rich`]) for the
    /// formatted outputs, with links and images as asked.
    pub rich: Option<RichOptions>,
    /// How many enclosing block elements each line remembers in
    /// [`LineInfo::containers`] (at most [`CONTAINER_DEPTH`], which it is
    /// by default; the cleaner's `Tuning::container_depth`).
    pub container_depth: usize,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            rich: None,
            container_depth: CONTAINER_DEPTH,
        }
    }
}

/// What the renderer knows about one line beyond its text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineInfo {
    /// Characters of the line that are link text.
    pub link_chars: u32,
    /// The selector rule whose element holds the line, if any.
    pub selected: Option<usize>,
    /// The heading level (1 for `h1` … 6 for `h6`), 0 for other lines.
    pub heading: u8,
    /// The line is inside a `<blockquote>`.
    pub quote: bool,
    /// The line is (in) a table row.
    pub table: bool,
    /// The line is inside the element the page itself marks as the
    /// article's body (schema.org microdata, `itemprop="articleBody"`).
    pub marked_body: bool,
    /// The innermost block element around the line that has an id or a
    /// class, as a CSS selector: an index into [`Rendered::holders`].
    pub holder: Option<u32>,
    /// The block elements holding the line, innermost first (ids unique
    /// within the page, 0 where there are fewer): which lines share a
    /// container.
    pub containers: [u32; CONTAINER_DEPTH],
    /// The data table the line is in: an id for the innermost `<table>`
    /// around it when that table holds no other table and has a row of two
    /// cells or more (a table laid out for data, not for the page's
    /// layout); 0 for none.
    pub data_table: u32,
}

/// How many enclosing block elements a line can remember (the size of
/// [`LineInfo::containers`]); [`RenderOptions::container_depth`] says how
/// many it does, this many as tuned (the figures are on the cleaner's
/// `Tuning::container_depth`).
pub const CONTAINER_DEPTH: usize = 10;

/// Decodes page bytes that came without a transport charset (a file): see
/// [`crate::charset`] for the order (BOM, valid UTF-8, `<meta>`, detector).
pub fn decode(bytes: &[u8]) -> String {
    crate::charset::decode(bytes, None, None)
}

/// Appends a word as a reader sees it: soft hyphens (U+00AD, a hint where
/// a word may break) taken out, and in Unicode's composed form (NFC), so
/// `Wär\u{ad}me` reads `Wärme` and a decomposed `e\u{301}` is `é`, as in
/// the text a reader copies from the page.
fn push_visible(line: &mut String, word: &str) {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if word.is_ascii()
        || (!word.contains('\u{ad}') && is_nfc_quick(word.chars()) == IsNormalized::Yes)
    {
        line.push_str(word);
    } else {
        line.extend(word.chars().filter(|&c| c != '\u{ad}').nfc());
    }
}

/// Elements whose content is never visible text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "canvas"
            | "object"
            | "embed"
            | "select"
            | "textarea"
            | "video"
            | "audio"
            // ruby annotations: the reading printed over a word, not text
            // of the line (it would split the word it annotates)
            | "rt"
            | "rp"
    )
}

/// `tag#id`, else `tag.class` (the first class), for an element that has
/// either and whose names are plain enough to write as a selector.
fn holder_selector(name: &str, el: &scraper::node::Element) -> Option<String> {
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit())
    };
    if let Some(id) = el.attr("id").filter(|id| plain(id)) {
        return Some(format!("{name}#{id}"));
    }
    el.classes()
        .find(|c| plain(c))
        .map(|c| format!("{name}.{c}"))
}

/// The level of a heading element.
fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// Elements that start and end a block.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "option"
            | "menu"
    )
}

struct Renderer {
    out: Rendered,
    /// Open `<blockquote>` elements.
    quotes: usize,
    /// The line being collected holds a table cell.
    cell_line: bool,
    /// Open elements marked as the article's body.
    marked: usize,
    /// Ids of the open block elements, outermost first.
    open_blocks: Vec<u32>,
    /// How many of them a line remembers, innermost first.
    container_depth: usize,
    /// For each open block element, its selector's index in `out.holders`
    /// when it has an id or a class.
    open_holders: Vec<Option<u32>>,
    next_block_id: u32,
    line: String,
    link_chars: u32,
    heading: u8,
    /// Text is being collected after a space is owed.
    space: bool,
    /// Open `<table>` elements, innermost last, as indices into `tables`.
    open_tables: Vec<u32>,
    /// Per table met (index = id − 1): whether it holds a table, and the
    /// most cells of one of its rows.
    tables: Vec<TableStat>,
    /// Inline formatting, when asked for.
    rich: Option<Box<Builder>>,
}

#[derive(Debug, Clone, Copy, Default)]
struct TableStat {
    nested: bool,
    max_cells: u16,
    row_cells: u16,
}

impl Renderer {
    fn push_text(&mut self, s: &str, in_link: bool) {
        if s.starts_with(char::is_whitespace) {
            self.space = true;
        }
        if let Some(b) = self.rich.as_mut() {
            b.raw(s);
        }
        for word in s.split_whitespace() {
            if self.space && !self.line.is_empty() && !self.line.ends_with(' ') {
                self.line.push(' ');
                if let Some(b) = self.rich.as_mut() {
                    b.space();
                }
            }
            let at = self.line.len();
            push_visible(&mut self.line, word);
            if let Some(b) = self.rich.as_mut() {
                b.word(&self.line[at..]);
            }
            if in_link {
                self.link_chars += self.line[at..].chars().count() as u32;
            }
            self.space = true;
        }
        self.space = s.ends_with(char::is_whitespace) || (self.space && s.trim().is_empty());
    }

    /// Enters a block element or table cell: lines from here on lie in it.
    fn open_container(&mut self, name: &str, el: &scraper::node::Element) {
        self.open_blocks.push(self.next_block_id);
        self.next_block_id += 1;
        let holder = holder_selector(name, el).map(|sel| {
            self.out.holders.push(sel);
            (self.out.holders.len() - 1) as u32
        });
        self.open_holders.push(holder);
    }

    fn flush(&mut self, selected: Option<usize>) {
        let t = self.line.trim();
        let pushed = !t.is_empty() && t != "*";
        let table = self.open_tables.last().copied().unwrap_or(0);
        if let Some(b) = self.rich.as_mut() {
            b.flush(pushed, table);
        }
        if pushed {
            self.out.text.push_str(t);
            self.out.text.push('\n');
            self.out.lines.push(LineInfo {
                link_chars: self.link_chars,
                selected,
                heading: self.heading,
                quote: self.quotes > 0,
                table: self.cell_line,
                marked_body: self.marked > 0,
                holder: self.open_holders.iter().rev().find_map(|h| *h),
                containers: {
                    let mut c = [0u32; CONTAINER_DEPTH];
                    let open = self.open_blocks.iter().rev().take(self.container_depth);
                    for (slot, id) in c.iter_mut().zip(open) {
                        *slot = *id;
                    }
                    c
                },
                data_table: table,
            });
        }
        self.line.clear();
        self.cell_line = false;
        self.link_chars = 0;
        self.heading = 0;
        self.space = false;
    }
}

/// Deepest element nesting kept: html5ever's tree builder works in time
/// quadratic in depth (50 000 nested `<div>`s take seconds), so tags opened
/// deeper than this are dropped before parsing, with their closing tags;
/// their text stays, in the element around them. Real pages stay far below.
pub const MAX_DEPTH: usize = 1000;

/// Whether the page marks the element as the article's body.
fn is_marked_body(el: &scraper::node::Element) -> bool {
    el.attr("itemprop").is_some_and(|v| {
        v.split_ascii_whitespace()
            .any(|t| t.eq_ignore_ascii_case("articleBody"))
    })
}

/// Elements that need no closing tag.
fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
    )
}

/// Elements whose closing tag pages often leave out (their nesting does not
/// grow without bound).
fn closes_itself(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"li"
            | b"dt"
            | b"dd"
            | b"tr"
            | b"td"
            | b"th"
            | b"option"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"rb"
            | b"rt"
            | b"rp"
            | b"optgroup"
    )
}

/// The page as the parser needs it: tags nested deeper than [`MAX_DEPTH`]
/// taken out, and the contents of `<script>`, `<style>` and `<svg>` elements
/// (their tags stay). Borrows the page when there is nothing to take out.
pub fn cap_depth(html: &str) -> std::borrow::Cow<'_, str> {
    let b = html.as_bytes();
    // (start, end) of tags to drop.
    let mut drop: Vec<(usize, usize)> = Vec::new();
    let (mut depth, mut dropped) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let start = i + off;
        if b[start..].starts_with(b"<!--") {
            i = memchr::memmem::find(&b[start + 4..], b"-->")
                .map_or(b.len(), |e| start + 4 + e + 3);
            continue;
        }
        let Some(tag) = Tag::read(b, start) else {
            i = start + 1;
            continue;
        };
        let name = tag.name();
        if !is_void(name) && !closes_itself(name) && !tag.self_closing {
            if tag.closing {
                if dropped > 0 {
                    dropped -= 1;
                    drop.push((start, tag.end));
                } else {
                    depth = depth.saturating_sub(1);
                }
            } else if depth >= MAX_DEPTH {
                dropped += 1;
                drop.push((start, tag.end));
            } else {
                depth += 1;
            }
        }
        if !tag.closing
            && !tag.self_closing
            && matches!(name, b"script" | b"style" | b"textarea" | b"title" | b"svg")
        {
            i = raw_text_end(b, tag.end, name);
            // Scripts, styles and drawings are never text: the parser need
            // not read them (they are most of many pages' bytes).
            if matches!(name, b"script" | b"style" | b"svg") && i > tag.end {
                drop.push((tag.end, i));
            }
            continue;
        }
        i = tag.end;
    }
    without_ranges(html, &drop)
}

/// A tag as [`cap_depth`] reads it.
struct Tag {
    /// A closing tag (`</p>`).
    closing: bool,
    /// The name lower-cased; longer names are custom elements, none of the
    /// names [`cap_depth`] looks for, and read as `-`.
    buf: [u8; 16],
    len: usize,
    /// Just past the tag's `>` (or the page's end).
    end: usize,
    /// Written `<… />`.
    self_closing: bool,
}

impl Tag {
    /// The tag whose `<` is at `start`, unless no name follows it.
    fn read(b: &[u8], start: usize) -> Option<Tag> {
        let closing = b.get(start + 1) == Some(&b'/');
        let name_start = start + 1 + closing as usize;
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if name_len == 0 {
            return None;
        }
        let mut buf = [0u8; 16];
        let len = if name_len <= buf.len() {
            buf[..name_len].copy_from_slice(&b[name_start..name_start + name_len]);
            buf[..name_len].make_ascii_lowercase();
            name_len
        } else {
            buf[0] = b'-';
            1
        };
        let end = tag_end(b, name_start + name_len);
        Some(Tag {
            closing,
            buf,
            len,
            end,
            self_closing: b[..end].ends_with(b"/>"),
        })
    }

    fn name(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Just past the `>` that ends a tag whose attributes start at `from`,
/// passing over quoted attribute values; the page's end when none does.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut j = from;
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &b[j..]) {
        let at = j + p;
        if b[at] == b'>' {
            j = at;
            break;
        }
        match memchr::memchr(b[at], &b[at + 1..]) {
            Some(q) => j = at + 1 + q + 1,
            None => {
                j = b.len();
                break;
            }
        }
    }
    if j < b.len() && b[j] != b'>' {
        j = b.len();
    }
    (j + 1).min(b.len())
}

/// Where the raw text (or drawing) of element `name`, opened by a tag
/// ending at `from`, ends: at its closing tag, in any case, or the page's
/// end.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut k = from;
    loop {
        let Some(p) = memchr::memmem::find(&b[k..], b"</") else {
            return b.len();
        };
        let at = k + p;
        if b[at + 2..]
            .get(..name.len())
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
        {
            return at;
        }
        k = at + 2;
    }
}

/// `html` without the byte ranges of `drop` (in order, apart); borrowed
/// when there are none.
fn without_ranges<'h>(html: &'h str, drop: &[(usize, usize)]) -> std::borrow::Cow<'h, str> {
    if drop.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for &(s, e) in drop {
        out.push_str(&html[at..s]);
        at = e;
    }
    out.push_str(&html[at..]);
    std::borrow::Cow::Owned(out)
}

/// Renders a page. `select` names the selector rule, if any, that an element
/// matches; the lines inside the outermost matched element carry it.
pub fn render(html: &str, select: &dyn Fn(&ElementRef<'_>) -> Option<(usize, bool)>) -> Rendered {
    render_parsed(&parse(html), select)
}

/// Parses a page (tags nested too deep taken out first, see [`cap_depth`]),
/// for [`render_parsed`]: what the page says of itself in its head can then
/// be read before the rules to render it with are chosen.
pub fn parse(html: &str) -> Html {
    Html::parse_document(&cap_depth(html))
}

/// [`render`] for a page already [`parse`]d.
pub fn render_parsed(
    doc: &Html,
    select: &dyn Fn(&ElementRef<'_>) -> Option<(usize, bool)>,
) -> Rendered {
    render_parsed_with(doc, select, RenderOptions::default())
}

/// [`render_parsed`], collecting what `options` ask for: one walk over
/// the tree (`Walk`), then what only the whole page tells.
pub fn render_parsed_with(
    doc: &Html,
    select: &dyn Fn(&ElementRef<'_>) -> Option<(usize, bool)>,
    options: RenderOptions,
) -> Rendered {
    let mut w = Walk::new(doc, select, options);
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => w.open(node, el),
                Node::Text(t) => w.text(&t.text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    w.close(node, el);
                }
            }
        }
    }
    w.finish()
}

/// The walk over a parsed page: the renderer, and what it must know of the
/// elements open now.
struct Walk<'s> {
    r: Renderer,
    select: &'s dyn Fn(&ElementRef<'_>) -> Option<(usize, bool)>,
    /// Open elements whose content is not rendered (`<head>`, `<script>`, …).
    skip_depth: usize,
    /// Open `<a>` elements.
    link_depth: usize,
    /// (node, rule) of the outermost element a selector that drops
    /// selected, open now.
    selected: Option<(ego_tree::NodeId, usize)>,
    /// (node, rule) of the outermost element a keep selector selected, open
    /// now: its lines are that rule's, whatever drop selector holds them.
    kept: Option<(ego_tree::NodeId, usize)>,
    /// The text of the page's first `<h1>`, the title of last resort.
    first_h1: Option<String>,
    /// Inside the first `<h1>`.
    in_h1: bool,
    /// The page's text length. A selector never removes the page's main
    /// text: an element that holds two thirds of it or more is a wrapper
    /// whose class merely mentions "sidebar" or "newsletter" (the `<body>`
    /// of many pages does).
    page_text: usize,
}

impl<'s> Walk<'s> {
    fn new(
        doc: &Html,
        select: &'s dyn Fn(&ElementRef<'_>) -> Option<(usize, bool)>,
        options: RenderOptions,
    ) -> Walk<'s> {
        let r = Renderer {
            out: Rendered::default(),
            quotes: 0,
            cell_line: false,
            marked: 0,
            open_blocks: Vec::new(),
            container_depth: options.container_depth,
            open_holders: Vec::new(),
            next_block_id: 1,
            line: String::new(),
            link_chars: 0,
            heading: 0,
            space: false,
            open_tables: Vec::new(),
            tables: Vec::new(),
            rich: options.rich.map(|o| Box::new(Builder::new(o))),
        };
        Walk {
            r,
            select,
            skip_depth: 0,
            link_depth: 0,
            selected: None,
            kept: None,
            first_h1: None,
            in_h1: false,
            page_text: text_len(&doc.root_element()),
        }
    }

    /// The selector rule of the lines being collected, if any: a keep
    /// rule's wins.
    fn rule(&self) -> Option<usize> {
        self.kept.or(self.selected).map(|s| s.1)
    }

    /// Whether an element starts a selected region, and whose. A keep rule
    /// selects any element, `<article>` or `<body>` too, inside a dropped
    /// one or not; a rule that drops never takes the page's frame
    /// (`<html>`, `<body>`, `<main>`, `<article>`) or an element holding
    /// two thirds of its text, and the outermost one wins.
    fn select_at(&mut self, node: ego_tree::NodeRef<'_, Node>, name: &str) {
        if self.kept.is_some() {
            return;
        }
        let Some(er) = ElementRef::wrap(node) else {
            return;
        };
        let Some((rule, keep)) = (self.select)(&er) else {
            return;
        };
        if keep {
            self.r.flush(self.rule());
            self.kept = Some((node.id(), rule));
        } else if self.selected.is_none()
            && !matches!(name, "html" | "body" | "main" | "article")
            && text_len(&er) * 3 < self.page_text * 2
        {
            self.r.flush(None);
            self.selected = Some((node.id(), rule));
        }
    }

    /// An element opens.
    fn open(&mut self, node: ego_tree::NodeRef<'_, Node>, el: &scraper::node::Element) {
        let name = el.name();
        if self.skip_depth > 0 || is_skipped(name) {
            self.skip_depth += 1;
            if name == "head" {
                read_head(node, &mut self.r.out);
            }
            return;
        }
        if name == "html" {
            self.r.out.lang = el.attr("lang").map(str::to_string);
        }
        self.select_at(node, name);
        self.open_line(name, el);
        self.r.count_cells(name);
        if let Some(b) = self.r.rich.as_mut() {
            let has_text = name == "img" && {
                let t = self.r.line.trim();
                !t.is_empty() && t != "*"
            };
            if name == "li" {
                b.item();
            }
            b.open(node.id(), name, el, has_text);
        }
        self.r.marked += is_marked_body(el) as usize;
    }

    /// What an opening element does to the lines: a block element (or a
    /// `<br>`) ends the line before it, a cell spaces its row's line.
    fn open_line(&mut self, name: &str, el: &scraper::node::Element) {
        let rule = self.rule();
        let r = &mut self.r;
        match name {
            "br" => r.flush(rule),
            // A table row is one line; its cells are spaced
            // apart, each still a container of its own.
            "td" | "th" => {
                r.space = true;
                r.cell_line = true;
                r.open_container(name, el);
            }
            "a" => self.link_depth += 1,
            "img" => {}
            _ if is_block(name) => {
                r.flush(rule);
                r.open_container(name, el);
                if name == "li" {
                    r.line.push_str("* ");
                }
                r.quotes += (name == "blockquote") as usize;
                if let Some(level) = heading_level(name) {
                    r.heading = level;
                    self.in_h1 |= name == "h1" && self.first_h1.is_none();
                }
            }
            _ => {}
        }
    }

    /// A text node.
    fn text(&mut self, text: &str) {
        if self.skip_depth > 0 {
            return;
        }
        self.r.push_text(text, self.link_depth > 0);
        if self.in_h1 {
            self.first_h1.get_or_insert_with(String::new).push_str(text);
        }
    }

    /// An element closes.
    fn close(&mut self, node: ego_tree::NodeRef<'_, Node>, el: &scraper::node::Element) {
        let name = el.name();
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        let rule = self.rule();
        let r = &mut self.r;
        if name == "a" {
            self.link_depth = self.link_depth.saturating_sub(1);
        } else if matches!(name, "td" | "th") {
            r.space = true;
            r.open_blocks.pop();
            r.open_holders.pop();
        } else if is_block(name) {
            r.flush(rule);
            r.open_blocks.pop();
            r.open_holders.pop();
            r.quotes -= (name == "blockquote" && r.quotes > 0) as usize;
            self.in_h1 &= name != "h1";
        }
        if self.kept.is_some_and(|(id, _)| id == node.id()) {
            r.flush(rule);
            self.kept = None;
        }
        if self.selected.is_some_and(|(id, _)| id == node.id()) {
            r.flush(rule);
            self.selected = None;
        }
        if is_marked_body(el) {
            r.flush(self.kept.or(self.selected).map(|s| s.1));
            r.marked = r.marked.saturating_sub(1);
        }
        if name == "table" {
            r.open_tables.pop();
        }
        if let Some(b) = r.rich.as_mut() {
            b.close(node.id(), name);
        }
    }

    /// The last line, the title of last resort, which tables are data
    /// tables, and the inline formatting: what only the whole page tells.
    fn finish(mut self) -> Rendered {
        let rule = self.rule();
        let r = &mut self.r;
        r.flush(rule);
        if r.out.title.is_none() {
            r.out.title = self
                .first_h1
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        r.keep_data_tables();
        if let Some(b) = r.rich.take() {
            let mut rich = b.out;
            for (line, info) in rich.lines.iter_mut().zip(&r.out.lines) {
                line.table = info.data_table;
                if line.table == 0 {
                    line.row = 0;
                }
            }
            rich.base_href = r.out.base_href.clone();
            r.out.rich = Some(Box::new(rich));
        }
        self.r.out
    }
}

impl Renderer {
    /// Counts the cells of a table's rows as its elements open.
    fn count_cells(&mut self, name: &str) {
        match name {
            "table" => {
                if let Some(&outer) = self.open_tables.last() {
                    self.tables[outer as usize - 1].nested = true;
                }
                self.tables.push(TableStat::default());
                self.open_tables.push(self.tables.len() as u32);
            }
            "tr" => {
                if let Some(&t) = self.open_tables.last() {
                    self.tables[t as usize - 1].row_cells = 0;
                }
            }
            "td" | "th" => {
                if let Some(&t) = self.open_tables.last() {
                    let t = &mut self.tables[t as usize - 1];
                    t.row_cells = t.row_cells.saturating_add(1);
                    t.max_cells = t.max_cells.max(t.row_cells);
                }
            }
            _ => {}
        }
    }

    /// Only data tables are tables to the outputs: one holding another
    /// table, or with no row of two cells, lays out the page.
    fn keep_data_tables(&mut self) {
        if self.tables.is_empty() {
            return;
        }
        for line in &mut self.out.lines {
            if line.data_table != 0 {
                let t = self.tables[line.data_table as usize - 1];
                if t.nested || t.max_cells < 2 {
                    line.data_table = 0;
                }
            }
        }
    }
}

/// Characters of visible-ish text under an element (scripts included: a
/// cheap upper bound).
fn text_len(e: &ElementRef<'_>) -> usize {
    e.text().map(|t| t.trim().len()).sum()
}

/// Reads the title, canonical URL and `og:` metadata from `<head>`.
fn read_head(head: ego_tree::NodeRef<'_, Node>, out: &mut Rendered) {
    let mut title = None;
    let mut og_title = None;
    for node in head.descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        match el.name() {
            "title" if title.is_none() => {
                let t: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                title = Some(t.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            "base" if out.base_href.is_none() => {
                out.base_href = el.attr("href").map(str::to_string);
            }
            "meta" => match el.attr("property").or_else(|| el.attr("name")) {
                Some("og:title") => og_title = el.attr("content").map(str::to_string),
                Some("og:url") if out.url.is_none() => {
                    out.url = el.attr("content").map(str::to_string)
                }
                _ => {}
            },
            "link"
                if el
                    .attr("rel")
                    .is_some_and(|r| r.eq_ignore_ascii_case("canonical")) =>
            {
                out.url = el.attr("href").map(str::to_string).or(out.url.take());
            }
            _ => {}
        }
    }
    out.title = og_title.or(title).filter(|t| !t.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(html: &str) -> Rendered {
        render(html, &|_| None)
    }

    #[test]
    fn blocks_links_and_metadata() {
        let r = plain(
            r#"<html lang="en"><head><title>Bridge | Daily</title><link rel="canonical" href="https://www.example.com/a">
            <script>var x = "<p>not text</p>";</script><style>p{}</style></head>
            <body><nav><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li></ul></nav>
            <h1>Bridge approved</h1><p>The council <b>voted</b> 7-2,
            <a href="/x">the mayor</a> said.<br>Second line.</p></body></html>"#,
        );
        assert_eq!(
            r.text,
            "* Home\n* News\nBridge approved\nThe council voted 7-2, the mayor said.\nSecond line.\n"
        );
        assert_eq!(r.lines[0].link_chars, 4);
        assert_eq!(r.lines[3].link_chars, "themayor".len() as u32);
        assert_eq!(r.lines[2].heading, 1);
        assert_eq!(r.title.as_deref(), Some("Bridge | Daily"));
        assert_eq!(r.url.as_deref(), Some("https://www.example.com/a"));
        assert_eq!(r.lang.as_deref(), Some("en"));
    }

    #[test]
    fn table_rows_are_lines_and_cells_are_containers() {
        let r = plain(
            "<body><div id=story><p>Before the table.</p><table><thead><tr><th>Pos</th><th>Player</th><th>Plays</th></tr></thead>\
             <tbody><tr><td>DL</td><td><p>Larry Ogunjobi</p></td><td>63</td></tr><tr><td>LB</td><td>Joe Schobert</td><td>74</td></tr></tbody></table>\
             <p>After the table.</p></div></body>",
        );
        assert_eq!(
            r.text,
            "Before the table.\nPos Player Plays\nDL\nLarry Ogunjobi\n63\nLB Joe Schobert 74\nAfter the table.\n"
        );
        // Opening and closing cells keeps the element stack balanced: the
        // paragraphs on both sides of the table share their parent.
        let (before, after) = (r.lines[0].containers, r.lines[6].containers);
        assert_eq!(before[1], after[1]);
        assert!(r.lines[5].containers.contains(&before[1]));
    }

    #[test]
    fn selected_elements_mark_their_lines() {
        let doc = "<body><p>Keep me here.</p><div class=share><a>Share</a><p>Tweet</p></div><p>After.</p></body>";
        let sel = scraper::Selector::parse(".share").unwrap();
        let r = render(doc, &|e| sel.matches(e).then_some((7, false)));
        let marks: Vec<_> = r.lines.iter().map(|l| l.selected).collect();
        assert_eq!(r.text, "Keep me here.\nShare\nTweet\nAfter.\n");
        assert_eq!(marks, vec![None, Some(7), Some(7), None]);
    }

    /// The walk is iterative, so depth cannot overflow the stack. (html5ever's
    /// tree builder is quadratic in depth: 50 000 levels take seconds, so the
    /// test stays at 5 000; capping depth before parsing is left for later.)
    #[test]
    fn script_style_and_svg_bodies_are_dropped_before_parsing() {
        let page = "<p>a</p><script>var x = '<div>'; if (a</b) {}</script><STYLE>p{}</sTyLe><title>T</title><svg viewBox='0 0 9 9'><path d='M0'/></svg><svg/><p>b</p>";
        assert_eq!(
            cap_depth(page),
            "<p>a</p><script></script><STYLE></sTyLe><title>T</title><svg viewBox='0 0 9 9'></svg><svg/><p>b</p>"
        );
        assert!(matches!(
            cap_depth("<p>plain</p>"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!(
            "{}<p>Deep text.</p>{}",
            "<div>".repeat(5_000),
            "</div>".repeat(5_000)
        );
        assert!(plain(&html).text.contains("Deep text."));
    }

    #[test]
    fn charsets_are_honoured_and_bad_bytes_replaced() {
        let latin1 =
            b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p></body></html>";
        assert!(decode(latin1).contains("café"));
        let equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>\x93quoted\x94</p>";
        assert!(decode(equiv).contains("“quoted”"));
        let bom = b"\xef\xbb\xbf<p>na\xc3\xafve</p>";
        assert_eq!(decode(bom), "<p>naïve</p>");
        // Undeclared and not UTF-8: the detector reads it (as windows-1252
        // here), never a stream of U+FFFD; declared UTF-8 keeps U+FFFD.
        assert!(decode(b"<p>bad \xff byte</p>").contains("bad \u{ff} byte"));
        let declared = b"<head><meta charset=utf-8></head><p>bad \xff byte</p>";
        assert!(decode(declared).contains("bad \u{fffd} byte"));
    }

    #[test]
    fn text_reads_as_a_reader_sees_it() {
        // A soft hyphen is a hint where the word may break; decomposed
        // letters are composed; a ruby reading is not part of the line.
        let r = plain(
            "<p>Die W\u{e4}r\u{ad}me\u{ad}pum\u{ad}pe l\u{e4}uft.</p><p>Cafe\u{301} cr\u{e8}me</p>\
             <p><ruby>\u{6771}<rp>(</rp><rt>\u{3068}\u{3046}</rt><rp>)</rp>\u{4eac}<rt>\u{304d}\u{3087}\u{3046}</rt></ruby>\u{306b}\u{884c}\u{304f}</p>",
        );
        assert_eq!(
            r.text,
            "Die W\u{e4}rmepumpe l\u{e4}uft.\nCaf\u{e9} cr\u{e8}me\n\u{6771}\u{4eac}\u{306b}\u{884c}\u{304f}\n"
        );
    }

    #[test]
    fn table_rows_are_marked_as_such() {
        let r = plain(
            "<p>Prices this year:</p><table><tr><td>Bread</td><td>2.10</td></tr><tr><td>Milk</td><td>1.05</td></tr></table><p>After the table.</p>",
        );
        let flags: Vec<bool> = r.lines.iter().map(|l| l.table).collect();
        assert_eq!(
            r.text,
            "Prices this year:\nBread 2.10\nMilk 1.05\nAfter the table.\n"
        );
        assert_eq!(flags, [false, true, true, false]);
    }
}
