//! Markdown in text dumps: the text of a block as a reader sees it, with
//! link and image syntax, emphasis, lynx link numbers and heading marks
//! taken out (dumps made by html2text and the like).

use super::trim;
use std::borrow::Cow;

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
pub(super) fn may_have_markup(b: &[u8]) -> bool {
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
