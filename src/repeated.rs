//! Lines a batch repeats: the chrome shared by pages of many sites at once.
//!
//! A line of three or more words that appears, verbatim, on three or more
//! pages of one batch is not article text: it is a footer, a sign-up box or
//! a menu the pages share (none of 5,927 such lines on one set of dumps is,
//! nor any of 579 on `textdumps-zyte`). `--learn` finds a site's repeated
//! blocks by share of the site's pages; this pass needs no site at all, so a
//! directory of dumps from many sites still loses the chrome of each.
//!
//! Copies of one article (a wire story syndicated, the same URL fetched
//! twice, a mirror) repeat their lines too, and there the lines *are* the
//! article. So a line counts once per group of near-duplicate pages: pages
//! are compared by a bottom-k sketch ([`SKETCH`] hashes) of their long lines,
//! and a page whose estimated Jaccard similarity to a page already counted
//! for a line is at least [`NEAR_DUPLICATE`] adds nothing to that line.
//!
//! Memory is bounded: a [`Counter`] keeps at most [`MAX_LINES`] distinct lines
//! (about 24 bytes each in the table, so some 40 MB with the table's slack)
//! and one sketch of at most 512 bytes per page; the batch pipeline counts
//! windows of [`WINDOW`] pages, so a batch of any size needs no more.
//!
//! The count is a pass of its own over the batch, before cleaning, and its
//! result depends only on the pages and their order, never on the number of
//! threads: pages are read in parallel but added to the count in input order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Words a line needs to be counted (shorter lines — "Share", "Home",
/// "Read more" — are the rules' business, and too common in articles to
/// judge by repetition).
pub const MIN_WORDS: u32 = 3;
/// Otherwise different pages a line must appear on to be chrome (the
/// issue's measurement: 3+ pages, no article text among thousands of lines).
pub const MIN_PAGES: u8 = 3;
/// Pages counted together by the batch pipeline: sites' pages are usually
/// neighbours in a tree walk, and the bound keeps memory fixed.
pub const WINDOW: usize = 4096;
/// Distinct lines a counter keeps; lines first seen once it is full are not
/// counted (they are kept in the output).
pub const MAX_LINES: usize = 1 << 20;
/// Hashes in a page's sketch (bottom-k): the estimate of a Jaccard
/// similarity of 0.5 is within ±0.1 for two pages in nine cases out of ten.
pub const SKETCH: usize = 64;
/// Estimated Jaccard similarity of two pages' long lines from which they
/// are copies of one text. Copies with a different header and footer stay
/// near 1 (their long lines are the article); two articles of one site share
/// at most a long disclaimer or two, far below.
pub const NEAR_DUPLICATE: f64 = 0.5;
/// Words that make a line long (prose, not chrome) for the sketch. A page
/// with fewer than [`MIN_LONG`] long lines is sketched from all its counted
/// lines.
pub const LONG_WORDS: u32 = 8;
/// Long lines a page needs for its sketch to be made of long lines only.
pub const MIN_LONG: usize = 3;

/// The key of a line: a hash of its words (whitespace collapsed; a list
/// bullet is a word like any other: verbatim means verbatim), or `None` for a line under [`MIN_WORDS`] words. Words
/// here are what whitespace separates: the count reads raw lines, without
/// the document model, and the cleaner asks with a block's raw text.
pub fn line_key(line: &str) -> Option<u64> {
    keyed(line).map(|(k, _)| k)
}

/// The key of a line and whether it is long ([`LONG_WORDS`] or more words).
fn keyed(line: &str) -> Option<(u64, bool)> {
    let t = line.as_bytes().trim_ascii();
    match scan(t) {
        Some((spaces, h)) if spaces + 1 >= MIN_WORDS => Some((h, spaces + 1 >= LONG_WORDS)),
        Some(_) => None,
        None => {
            // Tabs, runs of spaces: written with one space between words,
            // then hashed as a line that had them.
            let spaced = std::str::from_utf8(t)
                .unwrap_or_default()
                .split_ascii_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            match scan(spaced.as_bytes()) {
                Some((spaces, h)) if !spaced.is_empty() && spaces + 1 >= MIN_WORDS => {
                    Some((h, spaces + 1 >= LONG_WORDS))
                }
                _ => None,
            }
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// For a line with single spaces between words and no other whitespace or
/// control byte: its spaces and its hash, eight bytes at a time; `None`
/// for any other line. A byte-wise look was a third of the pass's time.
fn scan(t: &[u8]) -> Option<(u32, u64)> {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut h, mut spaces, mut bad, mut carry) = (t.len() as u64, 0u32, 0u64, 0u64);
    let mut chunks = t.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        let (space, control) = masks(w, HIGHS);
        bad |= control | (space & ((space << 8) | carry));
        carry = (space >> 63) << 7;
        // One bit per space, at its byte's top: summed by a multiply.
        spaces += ((space >> 7).wrapping_mul(ONES) >> 56) as u32;
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let w = rest
            .iter()
            .enumerate()
            .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
        // Only the bytes of the line are looked at; the padding zeros are not.
        let (space, control) = masks(w, HIGHS & (u64::MAX >> (64 - 8 * rest.len())));
        bad |= control | (space & ((space << 8) | carry));
        spaces += ((space >> 7).wrapping_mul(ONES) >> 56) as u32;
        h = (h.rotate_left(23) ^ w).wrapping_mul(K);
    }
    if bad != 0 {
        return None;
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    Some((spaces, h))
}

/// The spaces of eight bytes (exactly: the top bit of each byte that is
/// 0x20) and whether one is below 0x20 (a tab, a carriage return, a control
/// byte), among the bytes `live` marks.
#[inline(always)]
fn masks(w: u64, live: u64) -> (u64, u64) {
    let x = w ^ (ONES * 0x20);
    let space = !(((x & !HIGHS) + !HIGHS) | x) & live;
    let control = w.wrapping_sub(ONES * 0x20) & !w & live;
    (space, control)
}

/// Keys are hashes already: the table uses them as they are.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// What the count needs of one page: its distinct line keys and its sketch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageLines {
    /// Distinct keys of the page's counted lines, sorted.
    keys: Vec<u64>,
    /// The [`SKETCH`] smallest keys of its long lines (or of all its counted
    /// lines, for a page with few long ones), sorted.
    sketch: Vec<u64>,
}

impl PageLines {
    /// The lines of a plain-text dump (a line of the dump is a block of the
    /// cleaner's, and the key reads its raw text).
    pub fn of_text(text: &str) -> PageLines {
        let mut keys = Vec::new();
        let mut long = Vec::new();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
        for end in ends {
            // A line without its break (and its `\r`, trimmed as whitespace).
            let line = &text[start..end];
            start = end + 1;
            if let Some((k, is_long)) = keyed(line) {
                keys.push(k);
                if is_long {
                    long.push(k);
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        long.sort_unstable();
        long.dedup();
        let mut sketch = if long.len() >= MIN_LONG {
            long
        } else {
            keys.clone()
        };
        sketch.truncate(SKETCH);
        PageLines { keys, sketch }
    }

    /// Whether the page has no counted line.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The estimated Jaccard similarity of two pages from their bottom-k
/// sketches: of the k smallest hashes of the union, the share in both.
fn similarity(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut union, mut both) = (0, 0, 0usize, 0usize);
    while union < SKETCH && (i < a.len() || j < b.len()) {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                both += 1;
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        union += 1;
    }
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

/// How one line has been seen so far.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// The first pages, each unlike the others, that counted for it.
    counted: [u32; 2],
    /// Otherwise different pages it appeared on, up to [`MIN_PAGES`].
    distinct: u8,
    /// Pages it appeared on, all told.
    pages: u32,
}

/// Counts the lines of a batch's pages, added in input order.
#[derive(Debug, Default)]
pub struct Counter {
    sketches: Vec<Vec<u64>>,
    lines: KeyMap<Seen>,
}

impl Counter {
    /// Adds one page.
    pub fn add(&mut self, page: PageLines) {
        let me = self.sketches.len() as u32;
        self.sketches.push(page.sketch);
        // Whether this page is a copy of an earlier one, asked once per page.
        let mut copy_of: KeyMap<bool> = KeyMap::default();
        for key in page.keys {
            let full = self.lines.len() >= MAX_LINES;
            let seen = match self.lines.get_mut(&key) {
                Some(s) => s,
                None if full => continue,
                None => {
                    self.lines.insert(
                        key,
                        Seen {
                            counted: [me, 0],
                            distinct: 1,
                            pages: 1,
                        },
                    );
                    continue;
                }
            };
            seen.pages += 1;
            if seen.distinct >= MIN_PAGES {
                continue;
            }
            let sketches = &self.sketches;
            let mine = &sketches[me as usize];
            let earlier = &seen.counted[..seen.distinct as usize];
            let copy = earlier.iter().any(|&p| {
                *copy_of
                    .entry(u64::from(p))
                    .or_insert_with(|| similarity(mine, &sketches[p as usize]) >= NEAR_DUPLICATE)
            });
            if !copy {
                if (seen.distinct as usize) < seen.counted.len() {
                    seen.counted[seen.distinct as usize] = me;
                }
                seen.distinct += 1;
            }
        }
    }

    /// Pages added.
    pub fn pages(&self) -> usize {
        self.sketches.len()
    }

    /// The lines that are chrome: on [`MIN_PAGES`] or more pages unlike
    /// each other.
    pub fn finish(self) -> RepeatedLines {
        RepeatedLines {
            lines: self
                .lines
                .into_iter()
                .filter(|(_, s)| s.distinct >= MIN_PAGES)
                .map(|(k, s)| (k, s.pages))
                .collect(),
        }
    }
}

/// The lines a batch repeats, for the cleaner to remove (see the module).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepeatedLines {
    lines: KeyMap<u32>,
}

impl RepeatedLines {
    /// The repeated lines of some plain-text pages, counted as one batch.
    pub fn of_texts<'a>(pages: impl IntoIterator<Item = &'a str>) -> RepeatedLines {
        let mut counter = Counter::default();
        for p in pages {
            counter.add(PageLines::of_text(p));
        }
        counter.finish()
    }

    /// On how many pages of the batch a line appears, if it is chrome.
    pub fn pages_of(&self, line: &str) -> Option<u32> {
        if self.lines.is_empty() {
            return None;
        }
        line_key(line).and_then(|k| self.lines.get(&k).copied())
    }

    /// Distinct repeated lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line repeats.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(topic: &str, paragraphs: usize) -> String {
        (0..paragraphs)
            .map(|i| {
                format!(
                    "Paragraph {i} about {topic} says what the council decided and why the vote mattered to the town.\n\n"
                )
            })
            .collect()
    }

    const HEADER: &str = "Riverside Gazette, the paper of the valley\n\n";
    const FOOTER: &str = "Riverside Gazette is published by Valley Media Group in Millbrook\n\n";

    #[test]
    fn a_line_on_three_different_pages_is_chrome() {
        let pages: Vec<String> = ["bridges", "schools", "parks"]
            .iter()
            .map(|t| format!("{HEADER}{}{FOOTER}", article(t, 5)))
            .collect();
        let r = RepeatedLines::of_texts(pages.iter().map(String::as_str));
        assert_eq!(
            r.pages_of("Riverside Gazette, the paper of the valley"),
            Some(3)
        );
        assert!(
            r.pages_of("Riverside Gazette is published by Valley Media Group in Millbrook")
                .is_some()
        );
        // Two pages are not enough.
        let r = RepeatedLines::of_texts(pages[..2].iter().map(String::as_str));
        assert!(r.is_empty());
    }

    #[test]
    fn copies_of_one_article_count_once() {
        let story = article("bridges", 6);
        let mut pages = vec![format!("{HEADER}{story}{FOOTER}"); 3];
        // A fourth copy from a mirror with its own header and footer.
        pages.push(format!(
            "Mirror of the valley news\n\n{story}Mirrored with permission of the owners\n\n"
        ));
        let r = RepeatedLines::of_texts(pages.iter().map(String::as_str));
        assert!(r.is_empty(), "{} lines counted as chrome", r.len());
        // With two other pages of the site, the shared header is chrome
        // and the article's lines still are not.
        pages.push(format!("{HEADER}{}{FOOTER}", article("schools", 5)));
        pages.push(format!("{HEADER}{}{FOOTER}", article("parks", 5)));
        let r = RepeatedLines::of_texts(pages.iter().map(String::as_str));
        assert!(
            r.pages_of("Riverside Gazette, the paper of the valley")
                .is_some()
        );
        let first = story.lines().next().unwrap();
        assert_eq!(r.pages_of(first), None);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn lines_are_compared_by_their_words() {
        assert_eq!(
            line_key(" * Sign up for the  weekly\tletter  "),
            line_key("* Sign up for the weekly letter")
        );
        assert_ne!(
            line_key("* Sign up for the weekly letter"),
            line_key("Sign up for the weekly letter")
        );
        assert_ne!(
            line_key("Sign up for the weekly letter"),
            line_key("sign up for the weekly letter")
        );
        assert_ne!(
            line_key("Sign up for the week"),
            line_key("Sign up for theweek")
        );
        assert_eq!(line_key("Read more"), None);
        assert_eq!(line_key("* *"), None);
    }

    #[test]
    fn the_eight_byte_scan_agrees_with_a_plain_one() {
        // Words split at every place of a chunk, runs of spaces, tabs and
        // carriage returns, non-ASCII letters.
        let lines = [
            "Sign up for the weekly letter",
            "ab cd ef gh ij kl mn op qr st",
            "abcdefg hijklmno pqrstuvw xyz",
            "abcdefgh  ijklmnop qrstuvwx",
            "abcdefg  hijklmnop",
            "Straße über Öl und Äpfel für alle",
            "one\ttwo three",
            "one two three\r",
            "a b",
            "x",
            "",
        ];
        for line in lines {
            let plain = line.split_ascii_whitespace().collect::<Vec<_>>();
            let normal = plain.join(" ");
            let key = keyed(line);
            assert_eq!(key, keyed(&normal), "{line:?}");
            assert_eq!(key.is_some(), plain.len() >= MIN_WORDS as usize, "{line:?}");
            if let Some((_, long)) = key {
                assert_eq!(long, plain.len() >= LONG_WORDS as usize, "{line:?}");
            }
            // A single-spaced line is scanned as it is, with its spaces.
            if line == normal && !line.is_empty() {
                assert_eq!(
                    scan(line.as_bytes()).map(|s| s.0),
                    Some(plain.len() as u32 - 1)
                );
            } else if !line.is_empty() {
                assert_eq!(
                    scan(line.trim_ascii().as_bytes()).is_none(),
                    line.trim_ascii() != normal
                );
            }
        }
    }

    proptest::proptest! {
        /// Any line of letters, spaces, tabs, carriage returns and
        /// non-ASCII letters has the key of its single-spaced form, and the
        /// eight-byte scan counts a single-spaced line's spaces exactly.
        #[test]
        fn any_line_is_keyed_by_its_words(line in "[a é\t\r]{0,40}") {
            let plain = line.split_ascii_whitespace().collect::<Vec<_>>();
            let normal = plain.join(" ");
            proptest::prop_assert_eq!(keyed(&line), keyed(&normal));
            proptest::prop_assert_eq!(keyed(&line).is_some(), plain.len() >= MIN_WORDS as usize);
            if !normal.is_empty() {
                proptest::prop_assert_eq!(scan(normal.as_bytes()).map(|s| s.0), Some(plain.len() as u32 - 1));
            }
        }
    }

    #[test]
    fn similarity_is_exact_for_small_sets_and_bounded() {
        assert_eq!(similarity(&[1, 2, 3, 4], &[1, 2, 3, 4]), 1.0);
        assert_eq!(similarity(&[1, 2], &[3, 4]), 0.0);
        assert_eq!(similarity(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(similarity(&[], &[]), 0.0);
    }

    #[test]
    fn the_table_stops_growing_when_full() {
        let mut c = Counter::default();
        let keys: Vec<u64> = (0..(MAX_LINES as u64 + 10)).collect();
        c.add(PageLines {
            sketch: keys[..SKETCH].to_vec(),
            keys,
        });
        assert_eq!(c.lines.len(), MAX_LINES);
    }
}
