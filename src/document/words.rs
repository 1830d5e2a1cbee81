//! Word counting: the words, characters and URLs of a block's text, as
//! [`Features::of`](super::Features::of) reports them.
//!
//! One pass over the bytes, table-driven and branch-free for ASCII letters,
//! digits, spaces and punctuation; runs of plain ASCII are counted with
//! vector code, and only `:` (which may start a URL), non-ASCII bytes and,
//! in a block holding `www.`, the letter `w` take a branch. (The page-wide
//! count of plain lines is `scan`'s.)

/// Words, characters and whether there is a URL, of a trimmed text.
pub(super) struct Counted {
    /// Words (maximal runs of word characters, a URL being one; two
    /// characters of an unspaced script count as one).
    pub words: u32,
    /// Characters (not bytes).
    pub chars: u32,
    /// The text holds a URL (`://` or `www.`).
    pub has_url: bool,
}

/// Counts the words and characters of `t`.
pub(super) fn count(t: &str) -> Counted {
    let bytes = t.as_bytes();
    let www = WWW.find(bytes).is_some();
    let (words, unspaced, continuation, has_url) = if www {
        count_words(t, &CLASS_WWW)
    } else if is_plain_ascii(bytes) {
        (count_ascii_words(bytes), 0, 0, false)
    } else {
        count_words_by_runs(t)
    };
    Counted {
        words: words + unspaced.div_ceil(2),
        chars: bytes.len() as u32 - continuation,
        has_url,
    }
}

/// Finds `www.`, which makes a URL of the run it starts.
pub(super) static WWW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"www."));

/// UTF-8 continuation bytes in `b`: its length in bytes less its length in
/// characters, for a slice on character boundaries.
pub(super) fn continuation_bytes(b: &[u8]) -> u32 {
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
pub(super) static CLASS: [u8; 256] = class_table(false);
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
pub(super) fn count_words(t: &str, table: &[u8; 256]) -> (u32, u32, u32, bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
