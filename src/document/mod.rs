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
mod markdown;
pub mod metadata;
pub mod rich;
mod scan;
mod words;
mod wrap;

pub use markdown::visible_text;
pub use wrap::Wrapping;

use markdown::may_have_markup;
use words::{WWW, continuation_bytes};
use wrap::{continues_wrapped_line, wrap_width};

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
        let scanned = scan_page(src.as_bytes());
        let lines = trimmed_lines(src, &scanned);
        let reader = TextReader {
            src,
            scanned: &scanned,
            // Most dumps hold no Markdown at all: one look at the whole page
            // spares a look at every block.
            markup: may_have_markup(src.as_bytes()),
        };
        let blocks = reader.blocks(&lines, wrap_width(&lines, wrap), wrap.slack);
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

/// The lines of a page with their words counted ([`scan::lines`]); a line
/// holding `www.` (a URL, in an ASCII line too) is left to the slow count.
fn scan_page(bytes: &[u8]) -> Vec<scan::Line> {
    let mut scanned = scan::lines(bytes);
    for at in WWW.find_iter(bytes) {
        let k = scanned.partition_point(|l| l.start <= at) - 1;
        scanned[k].special = true;
    }
    scanned
}

/// (byte offset, trimmed line, its length in characters) of every line.
fn trimmed_lines<'a>(src: &'a str, scanned: &[scan::Line]) -> Vec<(usize, &'a str, usize)> {
    let bytes = src.as_bytes();
    scanned
        .iter()
        .map(|l| {
            let t = trim_end(&src[l.start..l.end]);
            let trailing = &bytes[l.start + t.len()..l.end];
            let cont = l.cont as usize - continuation_bytes(trailing) as usize;
            (l.start, t, t.len() - cont)
        })
        .collect()
}

/// What [`Document::from_text_with`] reads a dump's blocks with.
struct TextReader<'a, 's> {
    src: &'a str,
    /// The page's lines as [`scan_page`] counted them.
    scanned: &'s [scan::Line],
    /// Whether the page may hold Markdown ([`may_have_markup`]).
    markup: bool,
}

impl<'a> TextReader<'a, '_> {
    /// The blocks of the page's `lines`: one per non-blank line, or, with
    /// a wrap `width`, one per wrapped paragraph.
    fn blocks(
        &self,
        lines: &[(usize, &'a str, usize)],
        width: Option<usize>,
        slack: usize,
    ) -> Vec<Block<'a>> {
        let src = self.src;
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
                && continues_wrapped_line(prev, text, width, slack)
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
                self.settle(&mut block, &self.scanned[i]);
            } else {
                first_line.push(i as u32);
            }
            blocks.push(block);
            blank_before = false;
            last_line = Some(text);
        }
        if width.is_some() {
            for (b, &first) in blocks.iter_mut().zip(&first_line) {
                self.settle(b, &self.scanned[first as usize]);
            }
        }
        blocks
    }

    /// A block's visible text and features, once it has all its lines
    /// (`line` is its first).
    fn settle(&self, b: &mut Block<'a>, line: &scan::Line) {
        let bytes = self.src.as_bytes();
        let one_line = b.text.len() <= line.end - line.start;
        b.visible = if self.markup || !one_line {
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
    }
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
        let counted = words::count(t);
        Features {
            words: counted.words,
            chars: counted.chars,
            bullet: starts_with_bullet(t),
            ends_sentence: ends_like_sentence(t),
            has_url: counted.has_url,
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

    #[test]
    fn strip_bullet_removes_list_markers_only() {
        assert_eq!(strip_bullet("  * Share  "), "Share");
        assert_eq!(strip_bullet("o Contact CT Post"), "Contact CT Post");
        assert_eq!(strip_bullet("Obama said"), "Obama said");
    }
}
