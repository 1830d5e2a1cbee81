//! Wrap detection: whether a text dump was wrapped at a fixed width (as
//! lynx, w3m or html2text write them), at which, and which lines continue
//! the paragraph above them.

use super::{starts_with_bullet, trim};

/// The thresholds that tell a text dump wrapped at a fixed width (as lynx,
/// w3m or html2text write them) and join its paragraphs again (the reader's
/// `wrap_width` says how a width is found). `Default` gives them as tuned.
/// A field's `Sweep:` line reads as those of the cleaner's `Tuning`: the
/// F1 of zyte-html/zyte-text/web-html/web-text with that field alone moved
/// (as tuned: 0.971/0.932/0.940/0.884).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Wrapping {
    /// The widest a wrapped dump may be.
    /// Sweep: 120 and 180 flat (every set as tuned).
    pub max_width: usize,
    /// The narrowest a wrapped dump may be.
    /// Sweep: 30: 0.971/0.926/0.940/0.881; 50: 0.971/0.929/0.940/0.886.
    pub min_width: usize,
    /// Fewest line breaks a width must explain.
    /// Sweep: 3: 0.971/0.932/0.940/0.883; 7: as tuned.
    pub min_breaks: i32,
    /// Least share, in percent, of the breaks after lines longer than half
    /// the width that the width must explain: in a wrapped dump nearly
    /// every such break is a wrap, while lines that merely happen to fit
    /// are rarely that regular.
    /// Sweep: 50: 0.971/0.929/0.940/0.883; 70: 0.971/0.931/0.940/0.884.
    pub long_break_percent: i32,
    /// Columns of slack for wrappers that count differently: a line
    /// continues the one above it when that one had no room (give or take
    /// this many columns) for its first word.
    /// Sweep: 1 and 3 flat (every set as tuned).
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
pub(super) fn wrap_width(lines: &[(usize, &str, usize)], wrap: &Wrapping) -> Option<usize> {
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
pub(super) fn continues_wrapped_line(prev: &str, next: &str, width: usize, slack: usize) -> bool {
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
