//! Inline formatting of a rendered HTML page, for the outputs that keep it
//! (Markdown, HTML): emphasis, code, links, images, preformatted text and
//! table cells, line by line beside the plain text of [`super::html::Rendered`].
//!
//! The renderer fills this only when an output asks for it
//! ([`super::html::RenderOptions::rich`]); the plain text and everything the
//! cleaner reads are the same either way. Each [`RichLine`] holds the words
//! of its text line, in the same order and with the same spaces, between
//! markers: stripped of its markers a rich line reads as its text line.

/// The formatted lines of a page, one per line of the rendered text.
#[derive(Debug, Clone, Default)]
pub struct Rich {
    /// Per line of [`super::html::Rendered::text`], in order.
    pub lines: Vec<RichLine>,
    /// The page's `<base href>`, as written.
    pub base_href: Option<String>,
    /// The URL relative links and images are resolved against, once known
    /// (set by the cleaner: `<base href>`, else the page's URL, else its
    /// canonical URL or `og:url`).
    pub base: Option<url::Url>,
}

/// One line of the page with its inline formatting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RichLine {
    /// The line's content.
    pub spans: Vec<Span>,
    /// Images that stood on their own (no text beside them) just before
    /// this line: written as their own paragraph above it.
    pub images_before: Vec<Image>,
    /// The line is a list item (its text starts with `* `; the spans do not).
    pub item: bool,
    /// The `<pre>` element the line is in (an id, 0 for none); its spans
    /// then hold the text as written, line breaks and spaces kept.
    pub pre: u32,
    /// The language a `<pre>`'s code names (`class="language-rust"`).
    pub pre_lang: Option<String>,
    /// The data table the line is in (an id, 0 for none): a table with no
    /// table inside it.
    pub table: u32,
    /// The table row the line is (part of), an id; lines of one row are
    /// one row of the output.
    pub row: u32,
}

/// A piece of a line.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// Text as the plain line has it (spaces included).
    Text(String),
    /// The start of a styled run, ended by the matching [`Span::End`].
    Start(Style),
    /// The end of the innermost open run.
    End,
    /// An image inside the line's text.
    Image(Image),
    /// A table cell starts here.
    Cell {
        /// The cell is a header cell (`<th>`).
        header: bool,
    },
}

/// How a run of text is set.
#[derive(Debug, Clone, PartialEq)]
pub enum Style {
    /// `<strong>`, `<b>`.
    Strong,
    /// `<em>`, `<i>`.
    Em,
    /// `<code>`, `<kbd>`, `<samp>` outside `<pre>`.
    Code,
    /// A link, with its `href` as written.
    Link(String),
}

/// An image: `src` as written (or the lazy-loading attribute that holds the
/// real one), and its `alt` text.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// The image's URL as written in the page.
    pub src: String,
    /// Its alternative text, whitespace collapsed.
    pub alt: String,
}

/// What the formatted outputs keep besides the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RichOptions {
    /// Keep links (`<a href>`).
    pub links: bool,
    /// Keep images (`<img>`).
    pub images: bool,
}

/// The renderer's state for rich lines.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    pub out: Rich,
    pub options: RichOptions,
    line: RichLine,
    /// Styles of the open elements (element id, style, started on this
    /// line), outermost first.
    active: Vec<(ego_tree::NodeId, Style, bool)>,
    /// Images waiting for the next line.
    carry: Vec<Image>,
    /// Open `<pre>` elements and the id of the outermost.
    pre_depth: usize,
    pre_id: u32,
    pre_lang: Option<String>,
    next_id: u32,
    /// Open table rows, innermost last.
    rows: Vec<u32>,
}

impl Builder {
    pub fn new(options: RichOptions) -> Builder {
        Builder {
            options,
            ..Builder::default()
        }
    }

    fn text_mut(&mut self) -> &mut String {
        if !matches!(self.line.spans.last(), Some(Span::Text(_))) {
            self.line.spans.push(Span::Text(String::new()));
        }
        match self.line.spans.last_mut() {
            Some(Span::Text(t)) => t,
            _ => unreachable!("a text span was just pushed"),
        }
    }

    /// A space the plain line got.
    pub fn space(&mut self) {
        if self.pre_depth == 0 {
            self.text_mut().push(' ');
        }
    }

    /// A word the plain line got, as it got it.
    pub fn word(&mut self, word: &str) {
        if self.pre_depth > 0 {
            return;
        }
        for (_, style, started) in self.active.iter_mut() {
            if !*started {
                *started = true;
                self.line.spans.push(Span::Start(style.clone()));
            }
        }
        self.text_mut().push_str(word);
    }

    /// Text inside `<pre>`, as written.
    pub fn raw(&mut self, s: &str) {
        if self.pre_depth > 0 {
            self.text_mut().push_str(s);
        }
    }

    /// An element opens (one the renderer does not skip).
    pub fn open(
        &mut self,
        node: ego_tree::NodeId,
        name: &str,
        el: &scraper::node::Element,
        line_has_text: bool,
    ) {
        let style = match name {
            "strong" | "b" => Some(Style::Strong),
            "em" | "i" => Some(Style::Em),
            "code" | "kbd" | "samp" if self.pre_depth == 0 => Some(Style::Code),
            "code" => {
                if self.pre_lang.is_none() {
                    self.pre_lang = code_language(el);
                }
                None
            }
            "a" if self.options.links => el
                .attr("href")
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| Style::Link(h.to_string())),
            "pre" => {
                if self.pre_depth == 0 {
                    self.next_id += 1;
                    self.pre_id = self.next_id;
                    self.pre_lang = code_language(el);
                }
                self.pre_depth += 1;
                None
            }
            "tr" => {
                self.next_id += 1;
                self.rows.push(self.next_id);
                None
            }
            "td" | "th" => {
                self.line.spans.push(Span::Cell {
                    header: name == "th",
                });
                None
            }
            "img" if self.options.images => {
                if let Some(image) = image_of(el) {
                    if line_has_text {
                        self.line.spans.push(Span::Image(image));
                    } else {
                        self.carry.push(image);
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(style) = style {
            // Code in code, a link in a link (the parser allows neither
            // from markup, but scripts can) are one run.
            if !self.active.iter().any(|(_, s, _)| same_kind(s, &style)) {
                self.active.push((node, style, false));
            }
        }
    }

    /// An element closes.
    pub fn close(&mut self, node: ego_tree::NodeId, name: &str) {
        if let Some(k) = self.active.iter().rposition(|(id, _, _)| *id == node) {
            // Runs opened inside it and still open end with it.
            while self.active.len() > k {
                let (_, _, started) = self.active.pop().expect("k < len");
                if started {
                    self.line.spans.push(Span::End);
                }
            }
        }
        match name {
            "pre" => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
                if self.pre_depth == 0 {
                    self.pre_id = 0;
                    self.pre_lang = None;
                }
            }
            "tr" => {
                self.rows.pop();
            }
            _ => {}
        }
    }

    /// The plain line was flushed: `pushed` when it became a line, with the
    /// data table it is in.
    pub fn flush(&mut self, pushed: bool, table: u32) {
        if !pushed {
            // An image with no text beside it waits for the next line.
            for s in self.line.spans.drain(..) {
                if let Span::Image(i) = s {
                    self.carry.push(i);
                }
            }
            return;
        }
        for (_, _, started) in self.active.iter_mut().rev() {
            if *started {
                *started = false;
                self.line.spans.push(Span::End);
            }
        }
        let mut line = std::mem::take(&mut self.line);
        line.images_before = std::mem::take(&mut self.carry);
        line.pre = self.pre_id;
        line.pre_lang = (self.pre_id != 0).then(|| self.pre_lang.clone()).flatten();
        line.table = table;
        line.row = if table != 0 {
            self.rows.last().copied().unwrap_or(0)
        } else {
            0
        };
        self.out.lines.push(line);
    }

    /// The line about to be collected is a list item.
    pub fn item(&mut self) {
        self.line.item = true;
    }
}

fn same_kind(a: &Style, b: &Style) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// `language-x` or `lang-x` among an element's classes.
fn code_language(el: &scraper::node::Element) -> Option<String> {
    el.classes().find_map(|c| {
        let lang = c
            .strip_prefix("language-")
            .or_else(|| c.strip_prefix("lang-"))?;
        (!lang.is_empty()
            && lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-_#".contains(c)))
        .then(|| lang.to_string())
    })
}

/// An `<img>` as an image worth keeping: its URL (`src`, or the attribute a
/// lazy-loading script reads when `src` is a placeholder) and alt text.
/// Tracking pixels (1×1) and inline `data:` images are passed over.
fn image_of(el: &scraper::node::Element) -> Option<Image> {
    let tiny = ["width", "height"]
        .iter()
        .any(|a| el.attr(a).is_some_and(|v| matches!(v.trim(), "0" | "1")));
    if tiny {
        return None;
    }
    let usable = |v: &&str| {
        let v = v.trim();
        !v.is_empty() && !v.starts_with("data:")
    };
    let src = ["src", "data-src", "data-lazy-src", "data-original"]
        .iter()
        .find_map(|a| el.attr(a).filter(usable))?;
    let alt = el
        .attr("alt")
        .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    Some(Image {
        src: src.trim().to_string(),
        alt,
    })
}
