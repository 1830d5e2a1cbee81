//! The document model: a page as an ordered list of blocks.
//!
//! A text dump becomes one block per non-blank line; blank lines are not blocks
//! but are remembered on the following block (`blank_before`) so the output can
//! keep paragraph breaks. Blocks borrow from the page's text: building a
//! document allocates only the block list.
//!
//! This stage decides nothing about what is boilerplate; it only gives every
//! later stage the same view of the page and cheap per-block features.

pub mod html;
pub mod metadata;
pub mod rich;
mod scan;

use std::borrow::Cow;

/// One visible block of a page (for text dumps: one non-blank line).
#[derive(Debug, Clone)]
pub struct Block<'a> {
    /// The block's text, without the line break and without trailing whitespace.
    /// This is what the output keeps.
    pub text: &'a str,
    /// The text a reader sees: `text` with Markdown link and image syntax,
    /// emphasis and heading marks taken out (dumps made by html2text and the
    /// like), and no whitespace around it. Rules and features read this; it
    /// borrows `text` when there is no Markdown in it.
    pub visible: Cow<'a, str>,
    /// 1-based line number in the input.
    pub line: usize,
    /// Whether one or more blank lines stood between this block and the previous one.
    pub blank_before: bool,
    /// Cheap features of the text, computed once.
    pub features: Features,
    /// What the HTML renderer knew of the block (links, selector rule), for
    /// blocks of HTML pages.
    pub html: Option<&'a html::LineInfo>,
}

/// Features of a block's text that detectors and rules share.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Features {
    /// Number of words (maximal runs of alphanumeric characters; a URL counts
    /// as one).
    pub words: u32,
    /// Number of characters (not bytes).
    pub chars: u32,
    /// The block starts with a list marker (`* `, `o `, `- `, `+ `, `• `).
    pub bullet: bool,
    /// The block ends like a sentence (`.`, `!`, `?`, `…`, or a closing quote or
    /// bracket after one of them, or `:`).
    pub ends_sentence: bool,
    /// The block holds a URL (`://` or `www.`).
    pub has_url: bool,
}

/// A page as ordered blocks.
#[derive(Debug, Clone, Default)]
pub struct Document<'a> {
    /// The blocks in reading order.
    pub blocks: Vec<Block<'a>>,
    /// The text the blocks borrow from: the dump, or the rendered page.
    pub source: &'a str,
    /// The inline formatting of an HTML page's lines, when it was rendered
    /// with it (block `line` − 1 indexes its lines).
    pub rich: Option<&'a rich::Rich>,
}

impl<'a> Document<'a> {
    /// Splits a plain-text dump into blocks: one per non-blank line, except in
    /// a dump wrapped at a fixed width (as lynx, w3m or html2text write them),
    /// where the lines of one wrapped paragraph form one block.
    ///
    /// A leading byte-order mark is skipped, `\r\n` line ends are accepted, and
    /// trailing whitespace is trimmed from each block.
    pub fn from_text(src: &'a str) -> Document<'a> {
        Document::from_text_with(src, &Wrapping::DEFAULT)
    }

    /// [`Document::from_text`] with the wrap detection's thresholds of
    /// `wrap`.
    pub fn from_text_with(src: &'a str, wrap: &Wrapping) -> Document<'a> {
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        let bytes = src.as_bytes();
        let mut scanned = scan::lines(bytes);
        // `www.` makes a URL of an ASCII line: its words are counted the
        // slow way too.
        for at in WWW.find_iter(bytes) {
            let k = scanned.partition_point(|l| l.start <= at) - 1;
            scanned[k].special = true;
        }
        // (byte offset, trimmed line, its length in characters) of every line.
        let lines: Vec<(usize, &'a str, usize)> = scanned
            .iter()
            .map(|l| {
                let t = trim_end(&src[l.start..l.end]);
                let trailing = &bytes[l.start + t.len()..l.end];
                let cont = l.cont as usize - continuation_bytes(trailing) as usize;
                (l.start, t, t.len() - cont)
            })
            .collect();
        let width = wrap_width(&lines, wrap);
        // Most dumps hold no Markdown at all: one look at the whole page
        // spares a look at every block.
        let markup = may_have_markup(bytes);
        // A block's visible text and features, once it has all its lines.
        let settle = |b: &mut Block<'a>, line: &scan::Line| {
            let one_line = b.text.len() <= line.end - line.start;
            b.visible = if markup || !one_line {
                visible_text(b.text)
            } else {
                Cow::Borrowed(trim(b.text))
            };
            b.features = match &b.visible {
                // A line the page scan counted: its words are those of the
                // visible text (whitespace is no word), its characters less
                // those of the whitespace trimmed off.
                Cow::Borrowed(v) if one_line && !line.special => {
                    let at = v.as_ptr() as usize - bytes.as_ptr() as usize;
                    let trimmed = continuation_bytes(&bytes[line.start..at])
                        + continuation_bytes(&bytes[at + v.len()..line.end]);
                    Features {
                        words: line.words,
                        chars: v.len() as u32 - (line.cont - trimmed),
                        bullet: starts_with_bullet(v),
                        ends_sentence: ends_like_sentence(v),
                        has_url: false,
                    }
                }
                v => Features::of(v),
            };
        };
        let mut blocks: Vec<Block<'a>> = Vec::with_capacity(lines.len());
        // In a wrapped dump, the line each block starts on: its block is
        // settled once all its lines are in.
        let mut first_line: Vec<u32> = Vec::new();
        let mut blank_before = false;
        // Whether the last line added to the last block filled the wrap width.
        let mut last_line: Option<&str> = None;
        for (i, &(start, text, _)) in lines.iter().enumerate() {
            // Trimmed at the end, a line of whitespace is empty.
            if text.is_empty() {
                blank_before = !blocks.is_empty();
                last_line = None;
                continue;
            }
            if let (Some(width), Some(prev), Some(block)) = (width, last_line, blocks.last_mut())
                && continues_wrapped_line(prev, text, width, wrap.slack)
            {
                let block_start = block.text.as_ptr() as usize - src.as_ptr() as usize;
                block.text = &src[block_start..start + text.len()];
                last_line = Some(text);
                continue;
            }
            let mut block = Block {
                text,
                visible: Cow::Borrowed(text),
                line: i + 1,
                blank_before,
                features: Features::default(),
                html: None,
            };
            if width.is_none() {
                settle(&mut block, &scanned[i]);
            } else {
                first_line.push(i as u32);
            }
            blocks.push(block);
            blank_before = false;
            last_line = Some(text);
        }
        if width.is_some() {
            for (b, &first) in blocks.iter_mut().zip(&first_line) {
                settle(b, &scanned[first as usize]);
            }
        }
        Document {
            blocks,
            source: src,
            rich: None,
        }
    }

    /// The blocks of a rendered HTML page: one per line, with what the
    /// renderer knew of each.
    pub fn from_rendered(r: &'a html::Rendered) -> Document<'a> {
        let blocks = r
            .text
            .lines()
            .zip(&r.lines)
            .enumerate()
            .map(|(i, (text, info))| {
                let visible = visible_text(text);
                let features = Features::of(&visible);
                Block {
                    text,
                    visible,
                    line: i + 1,
                    blank_before: false,
                    features,
                    html: Some(info),
                }
            })
            .collect::<Vec<_>>();
        // Paragraphs apart, the items of one list together.
        let mut blocks = blocks;
        for i in 1..blocks.len() {
            blocks[i].blank_before = !(blocks[i].features.bullet && blocks[i - 1].features.bullet);
        }
        Document {
            blocks,
            source: &r.text,
            rich: r.rich.as_deref(),
        }
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Whether the document has no blocks.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// Finds `www.`, which makes a URL of the run it starts.
static WWW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"www."));

/// UTF-8 continuation bytes in `b`: its length in bytes less its length in
/// characters, for a slice on character boundaries.
fn continuation_bytes(b: &[u8]) -> u32 {
    b.iter().filter(|&&c| c & 0xC0 == 0x80).count() as u32
}

const C_SEPARATOR: u8 = 0;
const C_WORD: u8 = 1;
const C_CONTINUATION: u8 = 2;
const C_COLON: u8 = 3;
const C_W: u8 = 4;
const C_CHECK: u8 = 5;

/// What each byte of UTF-8 text is for word counting: ASCII letters and
/// digits are word bytes; `:` may start a URL; other ASCII (whitespace
/// included) separates; continuation bytes are skipped; lead bytes of
/// ranges holding separators or unspaced scripts (U+0080–U+00FF, Thai,
/// U+2000–U+9FFF, U+F900–U+FFFF, U+1xxxx) are decoded; other lead bytes
/// (Latin extensions, Greek, Cyrillic, Arabic, Hangul, …) start letters.
static CLASS: [u8; 256] = class_table(false);
/// [`CLASS`] for a block holding `www.`: there `w` may start a URL.
static CLASS_WWW: [u8; 256] = class_table(true);

const fn class_table(www: bool) -> [u8; 256] {
    let mut t = [C_SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'w' if www => C_W,
            b':' => C_COLON,
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => C_WORD,
            0x00..=0x7F => C_SEPARATOR,
            0x80..=0xBF => C_CONTINUATION,
            0xC2 | 0xC3 | 0xE0 | 0xE2..=0xE9 | 0xEF | 0xF0 => C_CHECK,
            _ => C_WORD,
        };
        b += 1;
    }
    t
}

/// ASCII with no `:`: no URL can start in it and no byte needs decoding.
/// Written to compile to vector code.
fn is_plain_ascii(b: &[u8]) -> bool {
    b.iter()
        .fold(0u8, |acc, &c| acc | (c & 0x80) | (c == b':') as u8)
        == 0
}

/// Words in plain ASCII: the letters and digits that follow something
/// else. Written to compile to vector code.
fn count_ascii_words(b: &[u8]) -> u32 {
    let alnum = |c: u8| ((c | 0x20).wrapping_sub(b'a') < 26) | (c.wrapping_sub(b'0') < 10);
    let mut words = b.first().is_some_and(|&c| alnum(c)) as u32;
    // Word starts counted in bytes, 255 positions at a time.
    let mut start = 1;
    while start < b.len() {
        let end = (start + 255).min(b.len());
        let (cur, prev) = (&b[start..end], &b[start - 1..end - 1]);
        let n = cur.iter().zip(prev).fold(0u8, |n, (&c, &p)| {
            n.wrapping_add((alnum(c) & !alnum(p)) as u8)
        });
        words += n as u32;
        start = end;
    }
    words
}

/// The length of the run of plain ASCII (no `:`) that `b` starts with:
/// sixteen bytes at a time, in vector code, then byte by byte.
fn plain_ascii_run(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 16) {
        if !is_plain_ascii(chunk) {
            break;
        }
        i += 16;
    }
    while i < b.len() && b[i] < 0x80 && b[i] != b':' {
        i += 1;
    }
    i
}

/// [`count_words`] for text with no `www.`: runs of plain ASCII are counted
/// with vector code ([`count_ascii_words`]), and only the characters between
/// them (non-ASCII, `:`) one by one.
fn count_words_by_runs(t: &str) -> (u32, u32, u32, bool) {
    let bytes = t.as_bytes();
    let alnum = |c: u8| c.is_ascii_alphanumeric() as u32;
    let (mut words, mut in_word, mut continuation, mut unspaced) = (0u32, 0u32, 0u32, 0u32);
    let mut i = 0;
    while i < bytes.len() {
        let run = plain_ascii_run(&bytes[i..]);
        if run > 0 {
            let seg = &bytes[i..i + run];
            // A word running on from before the run was counted there.
            words += count_ascii_words(seg) - (in_word & alnum(seg[0]));
            in_word = alnum(seg[run - 1]);
            i += run;
            continue;
        }
        let b = bytes[i];
        if b == b':' {
            if bytes[i + 1..].starts_with(b"//") {
                // A URL: counted the slow way, as one word with what led to it.
                let (w, u, c, _) = count_words(t, &CLASS);
                return (w, u, c, true);
            }
            in_word = 0;
            i += 1;
            continue;
        }
        // A non-ASCII character.
        let c = t[i..].chars().next().expect("i is on a char boundary");
        let len = c.len_utf8();
        continuation += len as u32 - 1;
        if CLASS[b as usize] == C_WORD {
            words += 1 - in_word;
            in_word = 1;
        } else {
            count_char(c, &mut words, &mut in_word, &mut unspaced);
        }
        i += len;
    }
    (words, unspaced, continuation, false)
}

/// Counts a non-ASCII character that may separate words, belong to an
/// unspaced script (counted apart) or be a letter.
fn count_char(c: char, words: &mut u32, in_word: &mut u32, unspaced: &mut u32) {
    if is_unspaced_script(c) {
        *unspaced += 1;
        *in_word = 0;
    } else {
        let w = !is_non_ascii_separator(c) as u32;
        *words += w & !*in_word;
        *in_word = w;
    }
}

/// Counts words (maximal runs of word characters, a URL being one), the
/// characters of unspaced scripts, and continuation bytes in `t`; and
/// whether it holds a URL.
fn count_words(t: &str, table: &[u8; 256]) -> (u32, u32, u32, bool) {
    let bytes = t.as_bytes();
    let n = bytes.len();
    let (mut words, mut in_word, mut continuation, mut unspaced) = (0u32, 0u32, 0u32, 0u32);
    let mut has_url = false;
    let mut i = 0;
    while i < n {
        let class = table[bytes[i] as usize];
        if class <= C_WORD {
            // 1 for a word byte, 0 for a separator.
            let w = class as u32;
            words += w & !in_word;
            in_word = w;
            i += 1;
            continue;
        }
        match class {
            C_CONTINUATION => continuation += 1,
            C_COLON | C_W => {
                let url = if class == C_COLON {
                    bytes[i + 1..].starts_with(b"//")
                } else {
                    in_word == 0 && bytes[i..].starts_with(b"www.")
                };
                if url {
                    // The whole whitespace-delimited run is one word: take
                    // back what its start counted.
                    let run = bytes[..i]
                        .iter()
                        .rposition(u8::is_ascii_whitespace)
                        .map_or(0, |p| p + 1);
                    let (w0, u0, _, _) = count_words(&t[run..i], table);
                    words = words - w0 + 1;
                    unspaced -= u0;
                    has_url = true;
                    in_word = 0;
                    while i < n && !bytes[i].is_ascii_whitespace() {
                        continuation += (bytes[i] & 0xC0 == 0x80) as u32;
                        i += 1;
                    }
                    continue;
                }
                let w = (class == C_W) as u32;
                words += w & !in_word;
                in_word = w;
            }
            _ => {
                // A lead byte that may start a separator or an unspaced script.
                let c = t[i..].chars().next().expect("i is on a char boundary");
                count_char(c, &mut words, &mut in_word, &mut unspaced);
            }
        }
        i += 1;
    }
    (words, unspaced, continuation, has_url)
}

/// The text of a block as a reader sees it: Markdown images dropped, links
/// reduced to their text, lynx link numbers (`[12]`), `**`/`__` emphasis and
/// leading `#` heading marks removed, line breaks of a wrapped paragraph made
/// spaces. Borrows when the block has none of these.
pub fn visible_text(text: &str) -> Cow<'_, str> {
    let t = trim(text);
    if !has_markup(t) && memchr::memchr(b'\n', t.as_bytes()).is_none() {
        return Cow::Borrowed(t);
    }
    let t = t.trim_start_matches('#').trim_start();
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(open) = rest.find('[') {
        // lynx numbers its links: `[12]Home` reads as `Home`.
        let digits = rest[open + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if digits > 0 && rest[open + 1 + digits..].starts_with(']') {
            out.push_str(&rest[..open]);
            rest = &rest[open + digits + 2..];
            continue;
        }
        let image = rest[..open].ends_with('!');
        let close = match find_link_end(&rest[open..]) {
            Some(c) => c,
            None => {
                out.push_str(&rest[..open + 1]);
                rest = &rest[open + 1..];
                continue;
            }
        };
        out.push_str(&rest[..open - image as usize]);
        let (label, after) = (&rest[open + 1..open + close.0], &rest[open + close.1..]);
        if !image {
            out.push_str(label);
        }
        rest = after;
    }
    out.push_str(rest);
    let out = out.replace("**", "").replace("__", "").replace('\n', " ");
    Cow::Owned(out.trim().to_string())
}

/// Whether any line of a page may hold Markdown that [`has_markup`] finds:
/// `](`, `**`, `__`, a `[` before a digit, or a `#` after nothing but
/// whitespace on its line. A few vector scans over the whole page.
fn may_have_markup(b: &[u8]) -> bool {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static FINDERS: LazyLock<[Finder<'static>; 3]> =
        LazyLock::new(|| [Finder::new(b"]("), Finder::new(b"**"), Finder::new(b"__")]);
    FINDERS.iter().any(|f| f.find(b).is_some())
        || memchr::memchr_iter(b'[', b).any(|i| b.get(i + 1).is_some_and(u8::is_ascii_digit))
        || memchr::memchr_iter(b'#', b).any(|i| {
            b[..i]
                .iter()
                .rev()
                .take_while(|&&c| c != b'\n')
                .all(u8::is_ascii_whitespace)
        })
}

/// Whether `t` holds Markdown a reader does not see: a leading `#`, a
/// link's `](`, `**` or `__` emphasis, or a lynx link number such as `[12]`.
/// One scan over the bytes that can start them.
fn has_markup(t: &str) -> bool {
    let b = t.as_bytes();
    b.first() == Some(&b'#')
        || memchr::memchr3_iter(b']', b'*', b'_', b).any(|i| match b[i] {
            b']' => {
                b.get(i + 1) == Some(&b'(') || {
                    // `[12]`: digits back to a `[`.
                    let d = b[..i]
                        .iter()
                        .rev()
                        .take_while(|c| c.is_ascii_digit())
                        .count();
                    d > 0 && i > d && b[i - d - 1] == b'['
                }
            }
            c => b.get(i + 1) == Some(&c),
        })
}

/// For `[label](target)` at the start of `s`: the offset of `]` and the
/// offset just past `)`.
fn find_link_end(s: &str) -> Option<(usize, usize)> {
    let close = s.find("](")?;
    if s[1..close].contains('[') {
        return None;
    }
    let mut depth = 0;
    for (i, c) in s[close + 2..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some((close, close + 2 + i + 1)),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The thresholds that tell a text dump wrapped at a fixed width (as lynx,
/// w3m or html2text write them) and join its paragraphs again (the reader's
/// `wrap_width` says how a width is found). `Default` gives them as tuned.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Wrapping {
    /// The widest a wrapped dump may be.
    pub max_width: usize,
    /// The narrowest a wrapped dump may be.
    pub min_width: usize,
    /// Fewest line breaks a width must explain.
    pub min_breaks: i32,
    /// Least share, in percent, of the breaks after lines longer than half
    /// the width that the width must explain: in a wrapped dump nearly
    /// every such break is a wrap, while lines that merely happen to fit
    /// are rarely that regular.
    pub long_break_percent: i32,
    /// Columns of slack for wrappers that count differently: a line
    /// continues the one above it when that one had no room (give or take
    /// this many columns) for its first word.
    pub slack: usize,
}

impl Wrapping {
    /// The values as tuned (what `Default` gives).
    pub const DEFAULT: Wrapping = Wrapping {
        max_width: 150,
        min_width: 40,
        min_breaks: 5,
        long_break_percent: 60,
        slack: 2,
    };
}

impl Default for Wrapping {
    fn default() -> Wrapping {
        Wrapping::DEFAULT
    }
}

/// The width a dump was wrapped at, if it was.
///
/// Every pair of consecutive lines votes: a width `W` *explains* the break
/// between them when the first line fits in `W` and the second line's first
/// word would not have (give or take [`Wrapping::slack`] columns). The width
/// that explains the most breaks wins (from [`Wrapping::min_width`] to
/// [`Wrapping::max_width`]), if it explains at least
/// [`Wrapping::min_breaks`], and [`Wrapping::long_break_percent`] of the
/// breaks after lines longer than half of it: in a wrapped dump nearly every
/// such break is a wrap, while lines that merely happen to fit are rarely
/// that regular. A dump with one block per line (long lines, short menu
/// entries one under another) has no such width.
///
/// `lines` are (offset, line trimmed at the end, its length in characters).
fn wrap_width(lines: &[(usize, &str, usize)], wrap: &Wrapping) -> Option<usize> {
    let max = wrap.max_width;
    let mut explained = vec![0i32; max + 2];
    // How many breaks follow a line of each length.
    let mut by_len = vec![0i32; max + 2];
    for pair in lines.windows(2) {
        // Lines are trimmed at the end: a blank one is empty.
        let (a, len) = (pair[0].1, pair[0].2);
        if a.is_empty() || len > max {
            continue;
        }
        let b = trim(pair[1].1);
        if b.is_empty() || starts_list_item(b) {
            continue;
        }
        by_len[len] += 1;
        let first_word = b
            .bytes()
            .take_while(|&c| c != b' ')
            .filter(|&c| c & 0xC0 != 0x80)
            .count();
        explained[len] += 1;
        explained[(len + 1 + wrap.slack + first_word).min(max + 1)] -= 1;
    }
    let mut e = 0i32;
    let mut best: Option<(usize, i32)> = None;
    for (w, delta) in explained.iter().enumerate().take(max + 1) {
        e += delta;
        if w >= wrap.min_width && best.is_none_or(|(_, be)| e > be) {
            best = Some((w, e));
        }
    }
    let (width, e) = best?;
    let long_breaks: i32 = by_len[width / 2..=width].iter().sum();
    let enough = e >= wrap.min_breaks
        && i64::from(e) * 100 >= i64::from(long_breaks) * i64::from(wrap.long_break_percent);
    enough.then_some(width)
}

/// A line that starts a list item: a bullet or a number.
fn starts_list_item(t: &str) -> bool {
    starts_with_bullet(t) || starts_numbered_item(t)
}

/// True when `next` continues the paragraph of `prev` in a dump wrapped at
/// `width`: `prev` had no room left for `next`'s first word (give or take
/// `slack` columns, for wrappers that count differently), and `next` does
/// not start a list item.
fn continues_wrapped_line(prev: &str, next: &str, width: usize, slack: usize) -> bool {
    let next_trim = trim(next);
    if starts_list_item(next_trim) {
        return false;
    }
    let first_word = next_trim.split(' ').next().unwrap_or("").chars().count();
    prev.chars().count() + 1 + first_word + slack > width
}

fn starts_numbered_item(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && digits <= 3 && matches!(t.as_bytes().get(digits), Some(b'.' | b')'))
}

/// `s.trim()`, without decoding characters when both ends are ASCII.
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    match b.get(start) {
        Some(&c) if c >= 0x80 || c == 0x0B => s.trim(),
        _ => trim_end(&s[start..]),
    }
}

/// `s.trim_end()`, without decoding characters when the line ends in ASCII.
fn trim_end(s: &str) -> &str {
    let b = s.as_bytes();
    let ascii_end = b.len()
        - b.iter()
            .rev()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
    match b[..ascii_end].last() {
        Some(&c) if c >= 0x80 || c == 0x0B => s[..ascii_end].trim_end(),
        _ => &s[..ascii_end],
    }
}

/// List markers that whole-page text converters put before list items.
const BULLETS: [&str; 7] = ["* ", "o ", "- ", "+ ", "• ", "· ", "– "];

/// Strips a leading list marker, if any, and surrounding whitespace.
pub fn strip_bullet(text: &str) -> &str {
    let t = trim(text);
    if !starts_with_bullet(t) {
        return t;
    }
    for b in BULLETS {
        if let Some(rest) = t.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    t
}

impl Features {
    /// Computes the features of one block of text.
    ///
    /// One pass over the bytes, table-driven and branch-free for ASCII
    /// letters, digits, spaces and punctuation; only `:` (which may start a
    /// URL), non-ASCII bytes and, in a block holding `www.`, the letter `w`
    /// take a branch.
    pub fn of(text: &str) -> Features {
        let t = trim(text);
        let bytes = t.as_bytes();
        let www = WWW.find(bytes).is_some();
        let (words, unspaced, continuation, has_url) = if www {
            count_words(t, &CLASS_WWW)
        } else if is_plain_ascii(bytes) {
            (count_ascii_words(bytes), 0, 0, false)
        } else {
            count_words_by_runs(t)
        };
        Features {
            words: words + unspaced.div_ceil(2),
            chars: bytes.len() as u32 - continuation,
            bullet: starts_with_bullet(t),
            ends_sentence: ends_like_sentence(t),
            has_url,
        }
    }

    /// A short line (at most `max_words` words: the cleaner's
    /// `Tuning::heading_max_words`) with no sentence ending and no list
    /// marker: a heading, a label, a menu entry or a byline.
    pub fn is_heading_like(&self, max_words: u32) -> bool {
        self.words >= 1
            && self.words <= max_words
            && !self.ends_sentence
            && !self.bullet
            && !self.has_url
    }
}

/// Non-ASCII characters that separate words: Latin-1 punctuation and symbols
/// (no-break space, ©, «), general punctuation, symbols and arrows, CJK and
/// full-width punctuation. Every other non-ASCII character counts as part of a
/// word: a table-free stand-in for `char::is_alphanumeric`, close enough for
/// counting words and far cheaper on the hot path.
fn is_non_ascii_separator(c: char) -> bool {
    matches!(c as u32,
        0x80..=0xBF | 0xD7 | 0xF7 | 0x2000..=0x2BFF | 0x3000..=0x303F | 0xFE30..=0xFE4F
        | 0xFEFF | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// Han, kana and Thai characters: scripts written without spaces between words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x0E00..=0x0E7F | 0x20000..=0x2FA1F)
}

/// Whether the text starts with one of [`BULLETS`].
fn starts_with_bullet(t: &str) -> bool {
    matches!(
        t.as_bytes().first(),
        Some(b'*' | b'o' | b'-' | b'+' | 0xC2 | 0xE2)
    ) && BULLETS.iter().any(|b| t.starts_with(b))
}

/// Whether the text ends like a sentence, past closing quotes and brackets.
fn ends_like_sentence(t: &str) -> bool {
    let mut b = t.as_bytes();
    loop {
        match b {
            [rest @ .., b'"' | b'\'' | b')' | b']' | b'*'] => b = rest,
            // ” ’ and the German closing “ ‘
            [rest @ .., 0xE2, 0x80, 0x9D | 0x99 | 0x9C | 0x98] => b = rest,
            // » and «, which close a quote in German and Polish
            [rest @ .., 0xC2, 0xBB | 0xAB] => b = rest,
            _ => break,
        }
    }
    matches!(
        b,
        [.., b'.' | b'!' | b'?' | b':' | b';']
            // … 。 ！ ？
            | [.., 0xE2, 0x80, 0xA6]
            | [.., 0xE3, 0x80, 0x82]
            | [.., 0xEF, 0xBC, 0x81 | 0x9F]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_line_numbers_and_paragraph_breaks() {
        let doc = Document::from_text("\u{feff}Title\r\n\r\n\r\nFirst para.\nSecond para.\n\n");
        let got: Vec<_> = doc
            .blocks
            .iter()
            .map(|b| (b.text, b.line, b.blank_before))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Title", 1, false),
                ("First para.", 4, true),
                ("Second para.", 5, false)
            ]
        );
    }

    #[test]
    fn wrapped_paragraphs_become_one_block() {
        let wrapped = "Home\n\nCity council approves bridge\n\n\
The Millbrook city council voted 7-2 on Tuesday night to approve a new\n\
pedestrian bridge over the river, ending nearly a decade of debate about\n\
how to connect the banks.\n\n\
Opponents questioned the cost of the project and warned about parking on\n\
the riverside.\n\n\
  * Related story one about the river and its long history of floods\n\
  * Related story two\n\n\
Supporters said the new bridge would cut commuting times for hundreds of\n\
residents who now drive several miles to the nearest river crossing.\n\n\
Construction could begin next spring if the state grant arrives on time, the\n\
finance director said, and the bridge would open two years after that.\n";
        let doc = Document::from_text(wrapped);
        let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text).collect();
        assert_eq!(texts.len(), 8, "{texts:#?}");
        assert!(texts[2].starts_with("The Millbrook") && texts[2].ends_with("the banks."));
        assert_eq!(doc.blocks[2].line, 5);
        assert!(doc.blocks[2].features.ends_sentence);
        assert_eq!(
            texts[4],
            "* Related story one about the river and its long history of floods"
        );
        assert_eq!(texts[5], "* Related story two");
    }

    #[test]
    fn markdown_is_read_as_a_reader_sees_it() {
        assert_eq!(visible_text("  * [Health](/health/)"), "* Health");
        assert_eq!(
            visible_text(
                "#### [Guide to Turkey Trots in CT ](/living/article/Guide-\nto-Trots-1236.php)"
            ),
            "Guide to Turkey Trots in CT"
        );
        assert_eq!(visible_text("![print header logo](/img/logo.png)"), "");
        assert_eq!(
            visible_text(
                "The **council** voted, [the mayor said](https://x.org/a_(b)) on Tuesday."
            ),
            "The council voted, the mayor said on Tuesday."
        );
        assert!(matches!(
            visible_text("Plain [bracketed] text."),
            Cow::Borrowed(_)
        ));
        let doc = Document::from_text("* [Home](/)\n# Rail operator adds trains\n");
        assert_eq!(doc.blocks[0].visible, "* Home");
        assert!(doc.blocks[1].features.is_heading_like(14));
    }

    #[test]
    fn unwrapped_dumps_keep_one_block_per_line() {
        let long =
            "A sentence that runs on for quite a while, as paragraphs in whole-page dumps do. "
                .repeat(4);
        let page = format!(
            "Home\nNews\n{long}\n{long}\nShort line\nAnother short line\n{long}\nx\ny\nz\n"
        );
        assert_eq!(Document::from_text(&page).len(), 10);
    }

    #[test]
    fn features_of_typical_lines() {
        let f = Features::of("“I just want to see people stop being killed.”");
        assert_eq!(f.words, 9);
        assert!(f.ends_sentence && !f.bullet && !f.has_url);
        let f = Features::of("* Subscribe");
        assert!(f.bullet && !f.ends_sentence && !f.is_heading_like(14));
        let f = Features::of("Trump and Defense Secretary Question Ukraine’s NATO Prospects");
        assert!(f.is_heading_like(14));
        let f = Features::of("- Explorepedia. (n.d.-a). https://www.explorepedia.org/explore/x");
        assert!(f.has_url && f.bullet);
        assert_eq!(Features::of("Володимир Зеленський").words, 2);
        let f =
            Features::of("12. https://www.example.org/news/2019/11/a-long-story-slug.html (n.d.)");
        assert_eq!(f.words, 4, "the number, the URL, n, d");
        assert!(f.has_url);
        assert_eq!(Features::of("See www.example.org/a-b-c now").words, 3);
        // Long plain-ASCII blocks are counted in chunks.
        assert_eq!(Features::of(&"ab1, ".repeat(300)).words, 300);
        assert_eq!(Features::of(&format!("{}x", "-".repeat(254))).words, 1);
        let f = Features::of("今回はそのKindleデスクトップアプリに関する話。");
        assert_eq!(f.words, 1 + 10);
        assert!(f.ends_sentence);
    }

    /// Features counted in the one pass over the page are what
    /// [`Features::of`] gives for each block's visible text.
    fn assert_features_agree(page: &str) {
        for b in Document::from_text(page).blocks {
            assert_eq!(b.features, Features::of(&b.visible), "{:?}", b.text);
        }
    }

    #[test]
    fn page_scan_features_agree_on_the_fixtures() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/text");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let input = entry.unwrap().path().join("input.txt");
            if let Ok(page) = std::fs::read_to_string(&input) {
                assert_features_agree(&page);
                seen += 1;
            }
        }
        assert!(seen >= 5, "fixtures read: {seen}");
    }

    proptest::proptest! {
        #[test]
        fn page_scan_features_agree_on_generated_pages(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "Home", "\n", "\n\n", "\r\n", " ", "  * ", "- ", "The council voted.", "“Quoted.”",
                "www.example.org", "https://x.org/a", "10:30", "[Link](/a)", "**bold**", "# Head",
                "café", "東京", "\u{a0}", "\t", "…", "Read more", "x",
                "A paragraph long enough to cross the sixty-four byte chunks of the scan, on and on.",
            ]), 0..60)
        ) {
            assert_features_agree(&parts.concat());
        }
    }

    proptest::proptest! {
        /// Counting by runs of ASCII gives what counting byte by byte gives,
        /// on text mixing ASCII, URLs, Latin, punctuation, CJK and Thai.
        #[test]
        fn counting_by_runs_agrees_with_byte_by_byte(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "word", " ", "  ", "U.S.", "don’t", "“Quoted”", " — ", "café", "naïve", "×", "é",
                ":", "10:30", "http://x.org/a", " https://example.com/a-b ", "::", "//", "Привет",
                "東京", "の", "ไทย", "«", "»", "\u{a0}", "…", "Ünal", "x", "1", "-", "\u{feff}",
                "ﬁ", "𠀀", "😀", "a:b", "ab1, ",
            ]), 0..40)
        ) {
            let t: String = parts.concat();
            proptest::prop_assert_eq!(count_words_by_runs(&t), count_words(&t, &CLASS), "{:?}", t);
        }
    }

    #[test]
    fn strip_bullet_removes_list_markers_only() {
        assert_eq!(strip_bullet("  * Share  "), "Share");
        assert_eq!(strip_bullet("o Contact CT Post"), "Contact CT Post");
        assert_eq!(strip_bullet("Obama said"), "Obama said");
    }
}
