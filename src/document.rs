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
        let mut blocks = Vec::new();
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

static SCHEME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("://"));
static WWW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("www."));

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
        let mut words = 0u32;
        let mut chars = 0u32;
        let mut in_word = false;
        // Scripts written without spaces count one word per two characters.
        let mut unspaced = 0u32;
        let bytes = t.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            chars += 1;
            if b < 0x80 {
                let w = b.is_ascii_alphanumeric();
                if w && !in_word {
                    words += 1;
                }
                in_word = w;
                i += 1;
                continue;
            }
            let c = t[i..].chars().next().expect("i is on a char boundary");
            i += c.len_utf8();
            if is_unspaced_script(c) {
                unspaced += 1;
                in_word = false;
                continue;
            }
            let w = c.is_alphanumeric();
            if w && !in_word {
                words += 1;
            }
            in_word = w;
        }
        words += unspaced.div_ceil(2);
        let bullet = BULLETS.iter().any(|b| t.starts_with(b));
        let ends_sentence = ends_like_sentence(t);
        let has_url = SCHEME.find(t.as_bytes()).is_some() || WWW.find(t.as_bytes()).is_some();
        Features {
            words,
            chars,
            bullet,
            ends_sentence,
            has_url,
        }
    }

    /// A short line with no sentence ending and no list marker: a heading,
    /// a label, a menu entry or a byline.
    pub fn is_heading_like(&self) -> bool {
        self.words >= 1 && self.words <= 14 && !self.ends_sentence && !self.bullet && !self.has_url
    }
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
