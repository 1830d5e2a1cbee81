//! The formatted outputs of a cleaned page: Markdown and minimal HTML.
//!
//! Both are written from the page's kept blocks, in order. For an HTML page
//! the renderer's inline formatting ([`Rich`]) is used: emphasis, code,
//! fenced `<pre>`, tables as tables, and links and images when asked for,
//! their URLs made absolute against the page's base (a link or image whose
//! URL cannot be made absolute, or whose scheme is not `http`, `https` or
//! `mailto`, is written as its text alone, or left out). A text dump has no
//! such markup: its blocks are written as they are.
//!
//! Stripped of its markup, the Markdown of an HTML page reads word for word
//! as the text output: markers go around words, never into them.

use crate::document::Block;
use crate::document::metadata::Metadata;
use crate::document::rich::{Image, Rich, RichLine, Span, Style};

/// The blocks of a page to write, with which of them are kept.
pub struct Body<'a, 'b> {
    /// The page's blocks.
    pub blocks: &'b [Block<'a>],
    /// Per block: whether it is written.
    pub kept: &'b [bool],
    /// The page's inline formatting (HTML pages rendered for it).
    pub rich: Option<&'b Rich>,
    /// Write each block's visible text (text dumps, `--plain`).
    pub plain: bool,
}

/// How many removed blocks just above a kept block pass their images on
/// to it.
const IMAGE_CARRY: usize = 2;

/// A unit of output: one block, or a run of blocks written together.
enum Unit<'r> {
    /// A block of text: paragraph, heading, list item or quote line.
    Line(usize, Option<&'r RichLine>),
    /// The lines of one `<pre>`.
    Pre(Vec<usize>),
    /// The rows of one table.
    Table(Vec<usize>),
}

impl<'a, 'b> Body<'a, 'b> {
    fn rich_line(&self, i: usize) -> Option<&'b RichLine> {
        let rich = self.rich?;
        self.blocks[i]
            .html
            .and_then(|_| rich.lines.get(self.blocks[i].line - 1))
    }

    /// The kept blocks grouped into units, each with whether a blank line
    /// goes before it (as the text output puts them).
    fn units(&self) -> Vec<(bool, Unit<'b>)> {
        let mut units: Vec<(bool, Unit<'b>)> = Vec::new();
        let mut pending_blank = false;
        // (pre, table) of the last kept block: a table or `<pre>` goes on
        // past a line of it that was removed.
        let mut last: Option<(u32, u32)> = None;
        for (i, b) in self.blocks.iter().enumerate() {
            if !self.kept[i] {
                pending_blank |= b.blank_before;
                continue;
            }
            let blank = !units.is_empty() && (pending_blank || b.blank_before);
            pending_blank = false;
            let rl = self.rich_line(i);
            let (pre, table) = rl.map_or((0, 0), |l| (l.pre, l.table));
            match (last, units.last_mut()) {
                (Some((p, _)), Some((_, Unit::Pre(v)))) if pre != 0 && p == pre => v.push(i),
                (Some((_, t)), Some((_, Unit::Table(v)))) if table != 0 && t == table => v.push(i),
                _ => units.push((
                    blank,
                    if pre != 0 {
                        Unit::Pre(vec![i])
                    } else if table != 0 {
                        Unit::Table(vec![i])
                    } else {
                        Unit::Line(i, rl)
                    },
                )),
            }
            last = Some((pre, table));
        }
        units
    }

    /// The images to write above kept block `i`: its own, and those of
    /// removed blocks just before it (a figure's caption the rules took,
    /// the byline under which the lead image stood), up to
    /// [`IMAGE_CARRY`] blocks back.
    fn images_before(&self, i: usize) -> Vec<&'b Image> {
        let mut out = Vec::new();
        let mut k = i;
        while k > 0 && i - (k - 1) <= IMAGE_CARRY && !self.kept[k - 1] {
            k -= 1;
        }
        for j in k..=i {
            if let Some(rl) = self.rich_line(j) {
                out.extend(rl.images_before.iter());
            }
        }
        out
    }

    fn base(&self) -> Option<&url::Url> {
        self.rich.and_then(|r| r.base.as_ref())
    }

    /// The body as Markdown: headings as `##` and below (the headline is
    /// metadata), list items as `*`, quotes as `>`, `**strong**`, `*em*`,
    /// `` `code` ``, fenced `<pre>`, tables as pipe tables, and
    /// `[text](url)`, `![alt](src)` when the page was rendered with them.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for (blank, unit) in self.units() {
            if blank {
                out.push('\n');
            }
            match unit {
                Unit::Line(i, rl) => {
                    let b = &self.blocks[i];
                    let Some(rl) = rl else {
                        out.push_str(if self.plain { &b.visible } else { b.text });
                        out.push('\n');
                        continue;
                    };
                    for image in self.images_before(i) {
                        if let Some(md) = md_image(image, self.base()) {
                            out.push_str(&md);
                            out.push_str("\n\n");
                        }
                    }
                    let h = b.html.expect("a rich line is an HTML line");
                    if h.quote {
                        out.push_str("> ");
                    }
                    if h.heading > 0 {
                        out.push_str(&"#".repeat(h.heading.max(2) as usize));
                        out.push(' ');
                    }
                    if rl.item {
                        out.push_str("* ");
                    }
                    out.push_str(inline_md(&rl.spans, self.base()).trim());
                    out.push('\n');
                }
                Unit::Pre(lines) => {
                    let first = self.rich_line(lines[0]).expect("a pre line is rich");
                    let code = pre_text(lines.iter().filter_map(|&i| self.rich_line(i)));
                    let longest = longest_run(&code, '`');
                    let fence = "`".repeat(longest.max(2) + 1);
                    out.push_str(&fence);
                    out.push_str(first.pre_lang.as_deref().unwrap_or(""));
                    out.push('\n');
                    out.push_str(&code);
                    out.push('\n');
                    out.push_str(&fence);
                    out.push('\n');
                }
                Unit::Table(lines) => {
                    let rows = self.rows(&lines, &|spans| {
                        inline_md(spans, self.base()).trim().replace('|', "\\|")
                    });
                    write_md_table(&mut out, &rows);
                }
            }
        }
        out
    }

    /// The rows of a table, each a list of cells written by `cell`; the
    /// lines of one row (a row whose cells hold paragraphs) are one row.
    fn rows(&self, lines: &[usize], cell: &dyn Fn(&[Span]) -> String) -> Vec<(bool, Vec<String>)> {
        let mut rows: Vec<(u32, bool, Vec<Vec<Span>>)> = Vec::new();
        for &i in lines {
            let Some(rl) = self.rich_line(i) else {
                continue;
            };
            if rows.last().is_none_or(|r| r.0 != rl.row) {
                rows.push((rl.row, true, Vec::new()));
            }
            let row = rows.last_mut().expect("pushed");
            for s in &rl.spans {
                match s {
                    Span::Cell { header } => {
                        row.1 &= *header;
                        row.2.push(Vec::new());
                    }
                    s => {
                        if row.2.is_empty() {
                            row.2.push(Vec::new());
                        }
                        let c = row.2.last_mut().expect("pushed");
                        c.push(s.clone());
                    }
                }
            }
            // The next line of the row goes on in the same cell, a word apart.
            if let Some(c) = row.2.last_mut() {
                c.push(Span::Text(" ".into()));
            }
        }
        rows.into_iter()
            .map(|(_, header, cells)| (header, cells.iter().map(|c| cell(c)).collect()))
            .collect()
    }

    /// The body as minimal HTML: `<h2>`–`<h6>`, `<p>`, `<ul><li>`,
    /// `<blockquote>`, `<pre><code>`, `<table>`, `<strong>`, `<em>`,
    /// `<code>`, `<a href>`, `<img src alt>`; no other tag or attribute.
    pub fn html(&self) -> String {
        let mut w = HtmlWriter::default();
        for (_, unit) in self.units() {
            match unit {
                Unit::Line(i, rl) => {
                    if rl.is_some() {
                        for image in self.images_before(i) {
                            if let Some(img) = html_image(image, self.base()) {
                                w.close();
                                w.out.push_str(&format!("<p>{img}</p>\n"));
                            }
                        }
                    }
                    w.line(self.html_line(i, rl));
                }
                Unit::Pre(lines) => {
                    let code = pre_text(lines.iter().filter_map(|&i| self.rich_line(i)));
                    w.close();
                    w.out
                        .push_str(&format!("<pre><code>{}</code></pre>\n", escape(&code)));
                }
                Unit::Table(lines) => {
                    let rows = self.rows(&lines, &|spans| {
                        inline_html(spans, self.base()).trim().to_string()
                    });
                    w.table(rows);
                }
            }
        }
        w.close();
        w.out
    }

    /// One kept line as HTML: whether it is a list item, a quote line,
    /// its heading level (0: none) and its escaped inline content.
    fn html_line(&self, i: usize, rl: Option<&RichLine>) -> HtmlLine {
        let b = &self.blocks[i];
        match rl {
            Some(rl) => {
                let h = b.html.expect("a rich line is an HTML line");
                HtmlLine {
                    item: rl.item,
                    quote: h.quote,
                    heading: h.heading,
                    inner: inline_html(&rl.spans, self.base()).trim().to_string(),
                }
            }
            None => {
                let t = if self.plain { &b.visible } else { b.text };
                let item = b.features.bullet;
                let t = if item {
                    crate::document::strip_bullet(t)
                } else {
                    t.trim()
                };
                HtmlLine {
                    item,
                    quote: false,
                    heading: 0,
                    inner: escape(t),
                }
            }
        }
    }
}

/// A kept line on its way to HTML (see [`Body::html_line`]).
struct HtmlLine {
    item: bool,
    quote: bool,
    heading: u8,
    inner: String,
}

/// The HTML being written, with the list and quote it has open.
#[derive(Default)]
struct HtmlWriter {
    out: String,
    in_list: bool,
    in_quote: bool,
}

impl HtmlWriter {
    /// Closes the open list and quote.
    fn close(&mut self) {
        if self.in_list {
            self.out.push_str("</ul>\n");
            self.in_list = false;
        }
        if self.in_quote {
            self.out.push_str("</blockquote>\n");
            self.in_quote = false;
        }
    }

    /// A paragraph, heading or list item, opening or closing the list and
    /// quote around it as it needs.
    fn line(&mut self, l: HtmlLine) {
        if self.in_list && !l.item || self.in_quote && !l.quote {
            self.close();
        }
        if l.quote && !self.in_quote {
            self.out.push_str("<blockquote>\n");
            self.in_quote = true;
        }
        if l.item && !self.in_list {
            self.out.push_str("<ul>\n");
            self.in_list = true;
        }
        let inner = l.inner;
        if l.item {
            self.out.push_str(&format!("<li>{inner}</li>\n"));
        } else if l.heading > 0 {
            let n = l.heading.max(2);
            self.out.push_str(&format!("<h{n}>{inner}</h{n}>\n"));
        } else {
            self.out.push_str(&format!("<p>{inner}</p>\n"));
        }
    }

    /// A table: header rows in `<th>`, the others in `<td>`.
    fn table(&mut self, rows: Vec<(bool, Vec<String>)>) {
        self.close();
        self.out.push_str("<table>\n");
        for (header, cells) in rows {
            let tag = if header { "th" } else { "td" };
            self.out.push_str("<tr>");
            for c in cells {
                self.out.push_str(&format!("<{tag}>{c}</{tag}>"));
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</table>\n");
    }
}

/// The text of a `<pre>`'s lines as written, blank lines at either end
/// taken off.
fn pre_text<'r>(lines: impl Iterator<Item = &'r RichLine>) -> String {
    let pieces: Vec<String> = lines
        .map(|l| {
            l.spans
                .iter()
                .filter_map(|s| match s {
                    Span::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let joined = pieces.join("\n");
    let t = joined.trim_end();
    let start = t
        .char_indices()
        .take_while(|(_, c)| c.is_whitespace())
        .filter(|(_, c)| *c == '\n')
        .last()
        .map_or(0, |(k, _)| k + 1);
    t[start..].to_string()
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

fn write_md_table(out: &mut String, rows: &[(bool, Vec<String>)]) {
    let cols = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(1);
    let write_row = |out: &mut String, cells: &[String]| {
        out.push('|');
        for k in 0..cols {
            let c = cells.get(k).map_or("", String::as_str);
            out.push(' ');
            out.push_str(c);
            out.push_str(" |");
        }
        out.push('\n');
    };
    for (k, (_, cells)) in rows.iter().enumerate() {
        write_row(out, cells);
        if k == 0 {
            out.push('|');
            for _ in 0..cols {
                out.push_str(" --- |");
            }
            out.push('\n');
        }
    }
}

/// A link's or image's URL made absolute against `base`; `None` when it
/// cannot be, or its scheme is not `http`, `https` or `mailto`.
pub fn absolute(base: Option<&url::Url>, href: &str) -> Option<String> {
    let u = match base {
        Some(b) => b.join(href).ok()?,
        None => url::Url::parse(href).ok()?,
    };
    matches!(u.scheme(), "http" | "https" | "mailto").then(|| u.to_string())
}

/// A URL as a Markdown link destination: parentheses escaped.
fn md_url(u: &str) -> String {
    u.replace('(', "\\(").replace(')', "\\)")
}

/// Text for Markdown: the characters that would start emphasis or code
/// (`*`, `` ` ``, `_` at a word's edge) and backslashes escaped with a
/// backslash; a reader of the Markdown sees the text as written.
fn md_escape(t: &str) -> std::borrow::Cow<'_, str> {
    if !t.contains(['*', '`', '_', '\\']) {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len() + 8);
    let chars: Vec<char> = t.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let edge = |j: Option<&char>| j.is_none_or(|c| !c.is_alphanumeric());
        let escape = match c {
            '*' | '`' | '\\' => true,
            '_' => edge(k.checked_sub(1).and_then(|j| chars.get(j))) || edge(chars.get(k + 1)),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Link text and alt text: brackets escaped.
fn md_label(t: &str) -> String {
    t.replace('[', "\\[").replace(']', "\\]")
}

fn md_image(i: &Image, base: Option<&url::Url>) -> Option<String> {
    let src = absolute(base, &i.src)?;
    Some(format!("![{}]({})", md_label(&i.alt), md_url(&src)))
}

fn html_image(i: &Image, base: Option<&url::Url>) -> Option<String> {
    let src = absolute(base, &i.src)?;
    Some(format!(
        "<img src=\"{}\" alt=\"{}\">",
        escape(&src),
        escape(&i.alt)
    ))
}

/// The inline spans of a line as Markdown.
fn inline_md(spans: &[Span], base: Option<&url::Url>) -> String {
    let mut out = String::new();
    // Per open run: what closes it (`None`: written as text alone).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut links = 0usize;
    let mut k = 0;
    while k < spans.len() {
        match &spans[k] {
            Span::Text(t) if links > 0 => out.push_str(&md_label(&md_escape(t))),
            Span::Text(t) => out.push_str(&md_escape(t)),
            Span::Start(Style::Strong) => {
                out.push_str("**");
                stack.push(Some("**".into()));
            }
            Span::Start(Style::Em) => {
                out.push('*');
                stack.push(Some("*".into()));
            }
            Span::Start(Style::Code) => {
                let (code, end) = code_text(spans, k);
                k = end;
                out.push_str(&md_code(&code));
            }
            Span::Start(Style::Link(href)) => match absolute(base, href) {
                Some(u) if links == 0 => {
                    out.push('[');
                    links += 1;
                    stack.push(Some(format!("]({})", md_url(&u))));
                }
                _ => stack.push(None),
            },
            Span::End => {
                if let Some(Some(close)) = stack.pop() {
                    if goes_on(spans.get(k + 1), &close, base) {
                        stack.push(Some(close));
                        k += 2;
                        continue;
                    }
                    if close.starts_with(']') {
                        links -= 1;
                    }
                    out.push_str(&close);
                }
            }
            Span::Image(i) => {
                if let Some(md) = md_image(i, base) {
                    out.push_str(&md);
                }
            }
            Span::Cell { .. } => {}
        }
        k += 1;
    }
    out
}

/// The text of the code run that starts at `spans[start]`, and the index
/// of the span that ends it (or the last span).
fn code_text(spans: &[Span], start: usize) -> (String, usize) {
    let mut depth = 1;
    let mut code = String::new();
    let mut k = start + 1;
    while k < spans.len() {
        match &spans[k] {
            Span::Start(_) => depth += 1,
            Span::End => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Span::Text(t) => code.push_str(t),
            _ => {}
        }
        k += 1;
    }
    (code, k)
}

/// Code as one Markdown code span: fenced by one backtick more than its
/// longest run, padded when it starts or ends with one.
fn md_code(code: &str) -> String {
    let ticks = "`".repeat(longest_run(code, '`') + 1);
    let pad = if code.starts_with('`') || code.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{code}{pad}{ticks}")
}

/// Whether the run that `close` ends goes on in the span after it: a run
/// that ends where one set the same way starts (`<b>Game D</b><b>ay</b>`)
/// is written as one.
fn goes_on(next: Option<&Span>, close: &str, base: Option<&url::Url>) -> bool {
    match next {
        Some(Span::Start(Style::Strong)) => close == "**",
        Some(Span::Start(Style::Em)) => close == "*",
        Some(Span::Start(Style::Link(h))) => {
            absolute(base, h).is_some_and(|u| close == format!("]({})", md_url(&u)))
        }
        _ => false,
    }
}

/// The inline spans of a line as HTML.
fn inline_html(spans: &[Span], base: Option<&url::Url>) -> String {
    let mut out = String::new();
    let mut stack: Vec<Option<&'static str>> = Vec::new();
    for s in spans {
        match s {
            Span::Text(t) => out.push_str(&escape(t)),
            Span::Start(Style::Strong) => {
                out.push_str("<strong>");
                stack.push(Some("</strong>"));
            }
            Span::Start(Style::Em) => {
                out.push_str("<em>");
                stack.push(Some("</em>"));
            }
            Span::Start(Style::Code) => {
                out.push_str("<code>");
                stack.push(Some("</code>"));
            }
            Span::Start(Style::Link(href)) => match absolute(base, href) {
                Some(u) => {
                    out.push_str(&format!("<a href=\"{}\">", escape(&u)));
                    stack.push(Some("</a>"));
                }
                None => stack.push(None),
            },
            Span::End => {
                if let Some(Some(close)) = stack.pop() {
                    out.push_str(close);
                }
            }
            Span::Image(i) => {
                if let Some(img) = html_image(i, base) {
                    out.push_str(&img);
                }
            }
            Span::Cell { .. } => {}
        }
    }
    out
}

/// Text for HTML: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's metadata as a front matter block (`---` lines around
/// `key: value` lines, values as JSON strings and lists: valid YAML), for
/// text and Markdown output with metadata asked for.
/// `page` holds the fields that come first: (name, value) of the title,
/// URL, site and language, as far as known.
pub fn front_matter(page: &[(&'static str, Option<&str>)], meta: &Metadata) -> String {
    let mut fields: Vec<(&str, serde_json::Value)> = Vec::new();
    for &(k, v) in page {
        if let Some(v) = v {
            fields.push((k, v.into()));
        }
    }
    fields.extend(meta.fields());
    let mut out = String::from("---\n");
    for (k, v) in fields {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push_str("---\n\n");
    out
}

/// A cleaned page as a minimal HTML document: `<title>` in the head (and
/// `<meta charset="utf-8">`, so browsers read the file right), the body in
/// an `<article>`, under an `<h1>` headline when asked, with a `<dl>` of
/// the metadata when asked; the comments, when kept, in a `<section>`
/// after it.
pub fn html_document(
    title: Option<&str>,
    title_on_top: bool,
    meta: Option<&Metadata>,
    body: &str,
    comments: Option<&str>,
) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n");
    if let Some(t) = title {
        out.push_str(&format!("<title>{}</title>\n", escape(t)));
    }
    out.push_str("</head>\n<body>\n<article>\n");
    if let (Some(t), true) = (title, title_on_top) {
        out.push_str(&format!("<h1>{}</h1>\n", escape(t)));
    }
    if let Some(m) = meta {
        let fields = m.fields();
        if !fields.is_empty() {
            out.push_str("<dl>\n");
            for (k, v) in fields {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Array(a) => a
                        .iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                out.push_str(&format!("<dt>{k}</dt><dd>{}</dd>\n", escape(&v)));
            }
            out.push_str("</dl>\n");
        }
    }
    out.push_str(body);
    out.push_str("</article>\n");
    if let Some(c) = comments {
        out.push_str("<section>\n");
        for line in c.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!("<p>{}</p>\n", escape(line.trim())));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
