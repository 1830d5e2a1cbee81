//! One pass over a whole page that splits it into lines and counts the words
//! of every plain-ASCII line.
//!
//! Most lines of a dump are short (a menu entry, a byline), so work done per
//! line costs more than work done per byte. This pass looks at the page 64
//! bytes at a time: vector compares turn each chunk into three bit masks
//! (letters and digits, line breaks, bytes that need a closer look), a word
//! starts wherever a letter or digit follows something else, and the words of
//! a line are the set bits between two line breaks. The common non-ASCII
//! characters (Latin letters, curly quotes, dashes, no-break spaces) are
//! classified from their lead byte; lines holding others (unspaced scripts,
//! some punctuation) or what may be a URL are flagged for the exact count of
//! [`super::Features::of`].

/// A line of the page, without its `\n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// Byte offset of the line's first byte.
    pub start: usize,
    /// Byte offset just past its last byte (before the `\n`).
    pub end: usize,
    /// Words of the line (as [`super::Features::of`] counts them); exact
    /// only when `special` is false.
    pub words: u32,
    /// UTF-8 continuation bytes in the line.
    pub cont: u32,
    /// The line holds characters the pass does not count words in (see
    /// [`Masks::special`]), or what may be a URL.
    pub special: bool,
}

/// Bit masks of a 64-byte chunk: bit `j` stands for byte `j`.
#[derive(Default)]
struct Masks {
    /// ASCII letters and digits, and lead bytes of characters that are
    /// letters whatever follows (Latin-1 letters, Latin extensions, Greek,
    /// Cyrillic, Hebrew, Arabic, …).
    word: u64,
    /// UTF-8 continuation bytes.
    cont: u64,
    newline: u64,
    /// Bytes after which a line needs the exact count: lead bytes of ranges
    /// holding unspaced scripts or mixed punctuation (U+0800–U+0FFF,
    /// U+3000–U+9FFF, U+F000–U+FFFF, U+10000–U+3FFFF), `:` before `/`.
    special: u64,
    /// `E2` and `C3` lead bytes, the continuation bytes `B0`–`BF` and
    /// `97`/`B7`: `E2 B0`–`E2 BF` (U+2C00–U+2FFF) are letters where other
    /// `E2` characters separate; `C3 97` and `C3 B7` (×, ÷) separate where
    /// other `C3` characters are letters. Both are left to the exact count.
    e2: u64,
    c3: u64,
    b0_bf: u64,
    x97_b7: u64,
    colon: u64,
    slash: u64,
}

/// The bit masks of a chunk with one width of x86 vector instructions:
/// `64 / $bytes` loads of `$bytes` bytes, each compared into masks. Written
/// once for both widths ([`masks`] with SSE2, [`masks_avx2`]).
#[cfg(target_arch = "x86_64")]
macro_rules! vector_masks {
    ($chunk:expr, $bytes:literal, $vec:ty, $load:ident, $set1:ident, $cmpeq:ident,
     $min:ident, $sub:ident, $or:ident, $movemask:ident, $mask:ty) => {{
        let mut m = Masks::default();
        for k in 0..64 / $bytes {
            // SAFETY: the load reads `$bytes` bytes inside the 64-byte chunk
            // (k < 64 / $bytes), unaligned loads being allowed; the
            // instructions are there (SSE2 is in the x86_64 baseline, and
            // AVX2 is checked before `masks_avx2` is called).
            unsafe {
                let v = $load($chunk.as_ptr().add($bytes * k).cast());
                let bits = |x: $vec| ($movemask(x) as $mask as u64) << ($bytes * k);
                let eq = |b: u8| $cmpeq(v, $set1(b as i8));
                // Bytes in lo..=hi: v - lo, unsigned, at most hi - lo.
                let within = |lo: u8, hi: u8| {
                    let x = $sub(v, $set1(lo as i8));
                    $cmpeq($min(x, $set1((hi - lo) as i8)), x)
                };
                let lower = $or(v, $set1(0x20));
                let letter = {
                    let x = $sub(lower, $set1(b'a' as i8));
                    $cmpeq($min(x, $set1(25)), x)
                };
                let alnum = $or(letter, within(b'0', b'9'));
                m.newline |= bits(eq(b'\n'));
                m.colon |= bits(eq(b':'));
                m.slash |= bits(eq(b'/'));
                if $movemask(v) == 0 {
                    m.word |= bits(alnum);
                    continue;
                }
                let word_lead = $or(
                    $or(within(0xC3, 0xDF), eq(0xE1)),
                    $or(within(0xEA, 0xEE), within(0xF1, 0xF4)),
                );
                m.word |= bits($or(alnum, word_lead));
                m.cont |= bits(within(0x80, 0xBF));
                m.special |= bits($or(
                    $or(eq(0xE0), within(0xE3, 0xE9)),
                    $or(eq(0xEF), eq(0xF0)),
                ));
                m.e2 |= bits(eq(0xE2));
                m.c3 |= bits(eq(0xC3));
                m.b0_bf |= bits(within(0xB0, 0xBF));
                m.x97_b7 |= bits($or(eq(0x97), eq(0xB7)));
            }
        }
        m
    }};
}

/// [`masks`] with AVX2: 32 bytes a compare.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn masks_avx2(chunk: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    vector_masks!(
        chunk,
        32,
        __m256i,
        _mm256_loadu_si256,
        _mm256_set1_epi8,
        _mm256_cmpeq_epi8,
        _mm256_min_epu8,
        _mm256_sub_epi8,
        _mm256_or_si256,
        _mm256_movemask_epi8,
        u32
    )
}

/// The bit masks of a chunk, with SSE2 (part of the x86_64 baseline).
#[cfg(target_arch = "x86_64")]
fn masks(chunk: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    vector_masks!(
        chunk,
        16,
        __m128i,
        _mm_loadu_si128,
        _mm_set1_epi8,
        _mm_cmpeq_epi8,
        _mm_min_epu8,
        _mm_sub_epi8,
        _mm_or_si128,
        _mm_movemask_epi8,
        u16
    )
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(chunk: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (j, &c) in chunk.iter().enumerate() {
        let bit = |on: bool| (on as u64) << j;
        m.word |= bit(c.is_ascii_alphanumeric()
            || matches!(c, 0xC3..=0xDF | 0xE1 | 0xEA..=0xEE | 0xF1..=0xF4));
        m.cont |= bit((0x80..=0xBF).contains(&c));
        m.newline |= bit(c == b'\n');
        m.special |= bit(matches!(c, 0xE0 | 0xE3..=0xE9 | 0xEF | 0xF0));
        m.e2 |= bit(c == 0xE2);
        m.c3 |= bit(c == 0xC3);
        m.b0_bf |= bit((0xB0..=0xBF).contains(&c));
        m.x97_b7 |= bit(c == 0x97 || c == 0xB7);
        m.colon |= bit(c == b':');
        m.slash |= bit(c == b'/');
    }
    m
}

/// Splits `src` into lines (as `str::split('\n')` does: a final line after
/// the last `\n`, empty or not, is always there), counting words and
/// continuation bytes on the way.
pub(crate) fn lines(src: &[u8]) -> Vec<Line> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { lines_avx2(src) };
    }
    lines_by(src, masks)
}

/// [`lines`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn lines_avx2(src: &[u8]) -> Vec<Line> {
    lines_by(src, |chunk| masks_avx2(chunk))
}

/// [`lines`], with `masks` giving the bit masks of a chunk.
#[inline(always)]
fn lines_by(src: &[u8], masks: impl Fn(&[u8; 64]) -> Masks) -> Vec<Line> {
    let mut out = Vec::with_capacity(src.len() / 32 + 1);
    let mut line = Line {
        start: 0,
        end: 0,
        words: 0,
        cont: 0,
        special: false,
    };
    // The last byte of the previous chunk: in a word; `E2`; `C3`.
    let (mut carry_word, mut carry_e2, mut carry_c3) = (0u64, 0u64, 0u64);
    let mut base = 0;
    let mut tail = [0u8; 64];
    while base < src.len() {
        let chunk: &[u8; 64] = match src.get(base..base + 64) {
            Some(c) => c.try_into().expect("64 bytes"),
            None => {
                // The last bytes, padded with NULs (neither words nor breaks).
                let rest = &src[base..];
                tail[..rest.len()].copy_from_slice(rest);
                tail[rest.len()..].fill(0);
                &tail
            }
        };
        let m = masks(chunk);
        // A continuation byte is in a word when its lead byte is: carried
        // over the (at most three) continuation bytes of a character.
        let mut word = m.word;
        if m.cont != 0 {
            for _ in 0..3 {
                word |= m.cont & ((word << 1) | carry_word);
            }
        }
        let starts = word & !((word << 1) | carry_word);
        let mut special = m.special
            | ((m.e2 << 1 | carry_e2) & m.b0_bf)
            | ((m.c3 << 1 | carry_c3) & m.x97_b7)
            // `:/` may start a URL; a `:` ending the chunk may too.
            | (m.colon & ((m.slash >> 1) | 1 << 63));
        (carry_word, carry_e2, carry_c3) = (word >> 63, m.e2 >> 63, m.c3 >> 63);
        let (mut starts, mut cont, mut breaks) = (starts, m.cont, m.newline);
        while breaks != 0 {
            let p = breaks.trailing_zeros();
            let upto = u64::MAX >> (63 - p);
            line.words += (starts & upto).count_ones();
            line.cont += (cont & upto).count_ones();
            line.special |= special & upto != 0;
            line.end = base + p as usize;
            out.push(line);
            line = Line {
                start: line.end + 1,
                end: 0,
                words: 0,
                cont: 0,
                special: false,
            };
            starts &= !upto;
            cont &= !upto;
            special &= !upto;
            breaks &= breaks - 1;
        }
        line.words += starts.count_ones();
        line.cont += cont.count_ones();
        line.special |= special != 0;
        base += 64;
    }
    line.end = src.len();
    out.push(line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the pass against the exact counts of `count_words`: every
    /// line the plain split finds, in place, with the exact counts unless
    /// flagged, and flagged when it holds what the pass cannot count.
    fn check(src: &str) {
        let got = lines(src.as_bytes());
        // Whichever vector code ran, the baseline code gives the same.
        assert_eq!(got, lines_by(src.as_bytes(), masks), "{src:?}");
        let want: Vec<&str> = src.split('\n').collect();
        assert_eq!(got.len(), want.len(), "{src:?}");
        let mut start = 0;
        for (l, w) in got.iter().zip(want) {
            assert_eq!((l.start, l.end), (start, start + w.len()), "{src:?}");
            start += w.len() + 1;
            let b = w.as_bytes();
            let cont = b.iter().filter(|&&c| c & 0xC0 == 0x80).count() as u32;
            assert_eq!(l.cont, cont, "{w:?}");
            let hard = w.chars().any(|c| {
                let c = c as u32;
                (0x800..=0xFFF).contains(&c)
                    || (0x2C00..=0x2FFF).contains(&c)
                    || (0x3000..=0x9FFF).contains(&c)
                    || (0xF000..=0x3FFFF).contains(&c)
                    || c == 0xD7
                    || c == 0xF7
            }) || w.contains(":/");
            if hard {
                assert!(l.special, "{w:?} holds what the pass cannot count");
            }
            if !l.special {
                let (words, _, _, _) =
                    crate::document::words::count_words(w, &crate::document::words::CLASS);
                assert_eq!(l.words, words, "{w:?}");
            }
        }
    }

    #[test]
    fn lines_and_words_across_chunk_edges() {
        let long = "word ".repeat(30);
        for page in [
            String::new(),
            "\n".into(),
            "one line no break".into(),
            format!("{long}\n\nShort\n{long}tail:x\n“Quoted” text\n"),
            format!("{}abc\ndef{}", "x".repeat(61), "y".repeat(70)),
            format!("{}ab{}", "-".repeat(63), "\n".repeat(64)),
        ] {
            check(&page);
        }
    }

    proptest::proptest! {
        #[test]
        fn lines_agree_with_the_plain_split(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Word", " ", "\n", "\n\n", "\r\n", "12", "-", ":", "é", "’", "www.x", "\t",
                "a very long stretch of ordinary words that crosses a chunk edge ", "“", "”", "—",
                "\u{a0}", "×", "÷", "Ünal", "東京", "ไทย", "ⰰ", "ﬁ", "😀", "Привет", "ạ", "http://x",
                ":/", "…", "«", "Ω",
            ]), 0..80)
        ) {
            let page: String = parts.concat();
            check(&page);
        }
    }
}
