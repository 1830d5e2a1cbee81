//! The document model: a page as an ordered list of blocks.
//!
//! A text dump becomes one block per non-blank line; blank lines are not blocks
//! but are remembered on the following block (`blank_before`) so the output can
//! keep paragraph breaks. Blocks borrow from the page's text: building a
//! document allocates only the block list.
//!
//! This stage decides nothing about what is boilerplate; it only gives every
//! later stage the same view of the page and cheap per-block features.

use memchr::memmem::Finder;
use std::sync::LazyLock;

/// One visible block of a page (for text dumps: one non-blank line).
#[derive(Debug, Clone)]
pub struct Block<'a> {
    /// The block's text, without the line break and without trailing whitespace.
    pub text: &'a str,
    /// 1-based line number in the input.
    pub line: usize,
    /// Whether one or more blank lines stood between this block and the previous one.
    pub blank_before: bool,
    /// Cheap features of the text, computed once.
    pub features: Features,
}

/// Features of a block's text that detectors and rules share.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Features {
    /// Number of words (maximal runs of alphanumeric characters).
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
}

impl<'a> Document<'a> {
    /// Splits a plain-text dump into blocks: one per non-blank line.
    ///
    /// A leading byte-order mark is skipped, `\r\n` line ends are accepted, and
    /// trailing whitespace is trimmed from each block.
    pub fn from_text(src: &'a str) -> Document<'a> {
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        let mut blocks = Vec::with_capacity(memchr::memchr_iter(b'\n', src.as_bytes()).count() + 1);
        let mut blank_before = false;
        for (i, raw) in src.split('\n').enumerate() {
            let text = raw.trim_end();
            if text.trim_start().is_empty() {
                blank_before = !blocks.is_empty();
                continue;
            }
            blocks.push(Block {
                text,
                line: i + 1,
                blank_before,
                features: Features::of(text),
            });
            blank_before = false;
        }
        Document { blocks }
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

static WWW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("www."));

const SEPARATOR: u8 = 0;
const WORD: u8 = 1;
const CONTINUATION: u8 = 2;
const CHECK: u8 = 3;

/// What each byte of UTF-8 text is for word counting: ASCII letters and
/// digits are word bytes; other ASCII is a separator; continuation bytes are
/// skipped; lead bytes of ranges holding separators or unspaced scripts
/// (U+0080–U+00FF, Thai, U+2000–U+9FFF, U+F900–U+FFFF, U+1xxxx) are checked;
/// other lead bytes (Latin extensions, Greek, Cyrillic, Arabic, Hangul, …)
/// start letters.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => WORD,
            0x00..=0x7F => SEPARATOR,
            0x80..=0xBF => CONTINUATION,
            0xC2 | 0xC3 | 0xE0 | 0xE2..=0xE9 | 0xEF | 0xF0 => CHECK,
            _ => WORD,
        };
        b += 1;
    }
    t
};

/// List markers that whole-page text converters put before list items.
const BULLETS: [&str; 7] = ["* ", "o ", "- ", "+ ", "• ", "· ", "– "];

/// Strips a leading list marker, if any, and surrounding whitespace.
pub fn strip_bullet(text: &str) -> &str {
    let t = text.trim();
    for b in BULLETS {
        if let Some(rest) = t.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    t
}

impl Features {
    /// Computes the features of one block of text.
    pub fn of(text: &str) -> Features {
        let t = text.trim();
        let bytes = t.as_bytes();
        let mut words = 0u32;
        let mut continuation = 0u32;
        let mut in_word = false;
        // Scripts written without spaces count one word per two characters.
        let mut unspaced = 0u32;
        for (i, &b) in bytes.iter().enumerate() {
            let w = match BYTE_CLASS[b as usize] {
                SEPARATOR => false,
                WORD => true,
                CONTINUATION => {
                    continuation += 1;
                    continue;
                }
                _ => {
                    // A lead byte that may start a separator or an unspaced script.
                    let c = t[i..].chars().next().expect("i is on a char boundary");
                    if is_unspaced_script(c) {
                        unspaced += 1;
                        in_word = false;
                        continue;
                    }
                    !is_non_ascii_separator(c)
                }
            };
            words += (w && !in_word) as u32;
            in_word = w;
        }
        words += unspaced.div_ceil(2);
        let has_url = memchr::memchr_iter(b':', bytes).any(|i| bytes[i + 1..].starts_with(b"//"))
            || WWW.find(bytes).is_some();
        Features {
            words,
            chars: bytes.len() as u32 - continuation,
            bullet: BULLETS.iter().any(|b| t.starts_with(b)),
            ends_sentence: ends_like_sentence(t),
            has_url,
        }
    }

    /// A short line with no sentence ending and no list marker: a heading,
    /// a label, a menu entry or a byline.
    pub fn is_heading_like(&self) -> bool {
        self.words >= 1 && self.words <= 14 && !self.ends_sentence && !self.bullet && !self.has_url
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

fn ends_like_sentence(t: &str) -> bool {
    let trimmed = t.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', '*']);
    match trimmed.chars().next_back() {
        Some(c) => matches!(c, '.' | '!' | '?' | '…' | ':' | ';' | '。' | '！' | '？'),
        None => false,
    }
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
    fn features_of_typical_lines() {
        let f = Features::of("“I just want to see people stop being killed.”");
        assert_eq!(f.words, 9);
        assert!(f.ends_sentence && !f.bullet && !f.has_url);
        let f = Features::of("* Subscribe");
        assert!(f.bullet && !f.ends_sentence && !f.is_heading_like());
        let f = Features::of("Trump and Defense Secretary Question Ukraine’s NATO Prospects");
        assert!(f.is_heading_like());
        let f = Features::of("- Explorepedia. (n.d.-a). https://www.explorepedia.org/explore/x");
        assert!(f.has_url && f.bullet);
        assert_eq!(Features::of("Володимир Зеленський").words, 2);
        let f = Features::of("今回はそのKindleデスクトップアプリに関する話。");
        assert_eq!(f.words, 1 + 10);
        assert!(f.ends_sentence);
    }

    #[test]
    fn strip_bullet_removes_list_markers_only() {
        assert_eq!(strip_bullet("  * Share  "), "Share");
        assert_eq!(strip_bullet("o Contact CT Post"), "Contact CT Post");
        assert_eq!(strip_bullet("Obama said"), "Obama said");
    }
}
