//! The literals a floating pattern cannot match without: for a pattern
//! that may match anywhere in a block (`(?i)… Foto: …`, `\d+ min read`),
//! a short set of strings one of which every match contains, lower-cased.
//!
//! The rule set looks for them once in the lower-cased page, and runs the
//! pattern only on the blocks that hold one. Case-insensitive patterns are
//! why this is not `regex-syntax`'s literal extractor: `(?i)photo` is 32
//! literals to it (and the alternations of the shipped rules are thousands,
//! so it gives up), but one here, since the page is searched lower-cased.
//!
//! The analysis is exact in one direction only, the one that matters: a
//! block without any of the strings cannot match. Every string is compared
//! with the block's text ASCII-lower-cased (non-ASCII bytes as they are),
//! so a class such as `(?i)k`, which also matches the Kelvin sign, gives
//! both `k` and the sign's bytes.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The most strings a set may hold before it stops being worth a search.
const MAX_SET: usize = 64;

/// The most characters a class may stand for and still be spelled out.
const MAX_CLASS: usize = 6;

/// The strings one of which every match of `hir` contains (ASCII
/// lower-cased), when there is such a set worth searching for: at most
/// [`MAX_SET`] strings, each at least two bytes long.
pub(crate) fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let f = analyze(hir);
    let need = f
        .need
        .or_else(|| f.exact.filter(|s| !s.iter().any(Vec::is_empty)))?;
    (need.iter().all(|s| s.len() >= 2) && need.len() <= MAX_SET).then_some(need)
}

/// What is known of a piece of a pattern.
struct Factors {
    /// Every string it matches, when they are few.
    exact: Option<Vec<Vec<u8>>>,
    /// Strings one of which every match contains (none empty).
    need: Option<Vec<Vec<u8>>>,
}

fn lower(b: &[u8]) -> Vec<u8> {
    b.to_ascii_lowercase()
}

fn dedup(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Every string of `a` followed by every string of `b`, if not too many.
fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            out.push(s);
        }
    }
    Some(dedup(out))
}

/// How good a set is to search for: its shortest string (up to four
/// bytes, past which length hardly makes a string rarer), then fewer
/// strings.
fn score(set: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
    (shortest.min(4), std::cmp::Reverse(set.len()))
}

/// A set usable as a need: not empty, no empty string, not too many.
fn usable(set: &[Vec<u8>]) -> bool {
    !set.is_empty() && set.len() <= MAX_SET && set.iter().all(|s| !s.is_empty())
}

fn better(a: Option<Vec<Vec<u8>>>, b: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if score(&b) > score(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// What is known of `hir`: a piece at a time, from the leaves up.
fn analyze(hir: &Hir) -> Factors {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Factors {
            exact: Some(vec![Vec::new()]),
            need: None,
        },
        HirKind::Literal(lit) => {
            let s = lower(&lit.0);
            let need = (!s.is_empty()).then(|| vec![s.clone()]);
            Factors {
                exact: Some(vec![s]),
                need,
            }
        }
        HirKind::Class(class) => {
            let exact = class_strings(class);
            let need = exact.clone().filter(|s| usable(s));
            Factors { exact, need }
        }
        HirKind::Capture(cap) => analyze(&cap.sub),
        HirKind::Repetition(rep) => analyze_repetition(rep),
        HirKind::Alternation(subs) => analyze_alternation(subs),
        HirKind::Concat(subs) => analyze_concat(subs),
    }
}

/// A repetition: exact when it is optional or once; needs what its piece
/// needs when it occurs at least once.
fn analyze_repetition(rep: &regex_syntax::hir::Repetition) -> Factors {
    let sub = analyze(&rep.sub);
    let exact = match (rep.min, rep.max, &sub.exact) {
        (0, Some(1), Some(e)) if e.len() < MAX_SET => {
            let mut v = e.clone();
            v.push(Vec::new());
            Some(dedup(v))
        }
        (1, Some(1), Some(e)) => Some(e.clone()),
        _ => None,
    };
    let need = if rep.min >= 1 {
        better(sub.need, sub.exact.filter(|s| usable(s)))
    } else {
        None
    };
    Factors { exact, need }
}

/// An alternation: exact when every branch is; needs something only when
/// every branch does.
fn analyze_alternation(subs: &[Hir]) -> Factors {
    let parts: Vec<Factors> = subs.iter().map(analyze).collect();
    let exact = parts
        .iter()
        .map(|p| p.exact.clone())
        .collect::<Option<Vec<_>>>()
        .map(|v| dedup(v.concat()))
        .filter(|v| v.len() <= MAX_SET);
    // Each branch must bring a set of its own.
    let need = parts
        .into_iter()
        .map(|p| better(p.need, p.exact.filter(|s| usable(s))))
        .collect::<Option<Vec<_>>>()
        .map(|v| dedup(v.concat()))
        .filter(|v| usable(v));
    Factors { exact, need }
}

/// A concatenation: the exact pieces met in a row are joined into runs;
/// the best of the runs and of the pieces' own needs is needed.
fn analyze_concat(subs: &[Hir]) -> Factors {
    let mut need: Option<Vec<Vec<u8>>> = None;
    // The strings of the exact pieces met in a row so far.
    let mut run: Option<Vec<Vec<u8>>> = Some(vec![Vec::new()]);
    let mut all_exact = true;
    let close = |run: &Option<Vec<Vec<u8>>>, need: &mut Option<Vec<Vec<u8>>>| {
        if let Some(r) = run.as_ref().filter(|r| usable(r)) {
            *need = better(need.take(), Some(r.clone()));
        }
    };
    for sub in subs {
        let f = analyze(sub);
        need = better(need, f.need);
        match (&run, f.exact) {
            (Some(r), Some(e)) => match cross(r, &e) {
                Some(joined) => run = Some(joined),
                None => {
                    close(&run, &mut need);
                    all_exact = false;
                    run = Some(e);
                }
            },
            (None, Some(e)) => run = Some(e),
            (_, None) => {
                close(&run, &mut need);
                all_exact = false;
                run = None;
            }
        }
    }
    close(&run, &mut need);
    Factors {
        exact: if all_exact { run } else { None },
        need,
    }
}

/// The strings a class matches, lower-cased, when it matches few characters.
fn class_strings(class: &Class) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    match class {
        Class::Unicode(c) => {
            let count: u64 = c
                .ranges()
                .iter()
                .map(|r| u64::from(r.end()) - u64::from(r.start()) + 1)
                .sum();
            if count > MAX_CLASS as u64 {
                return None;
            }
            for r in c.ranges() {
                for ch in r.start()..=r.end() {
                    let mut buf = [0; 4];
                    out.push(lower(ch.encode_utf8(&mut buf).as_bytes()));
                }
            }
        }
        Class::Bytes(c) => {
            let count: usize = c
                .ranges()
                .iter()
                .map(|r| usize::from(r.end()) - usize::from(r.start()) + 1)
                .sum();
            if count > MAX_CLASS {
                return None;
            }
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    out.push(lower(&[b]));
                }
            }
        }
    }
    Some(dedup(out))
}

#[cfg(test)]
mod tests {
    use super::required;

    fn req(pattern: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::parse(pattern).unwrap();
        required(&hir).map(|v| {
            v.into_iter()
                .map(|s| String::from_utf8(s).unwrap())
                .collect()
        })
    }

    fn strs(v: &[&str]) -> Option<Vec<String>> {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        v.sort();
        Some(v)
    }

    #[test]
    fn case_insensitive_words_are_one_lower_case_string() {
        assert_eq!(
            req(r"(?i)(?:^|\s)(?:foto|photo)\s*:\s*\S"),
            strs(&["foto", "photo"])
        );
        assert_eq!(
            req(r"(?i)(?:fot|phot)\.\s+\p{Lu}"),
            strs(&["fot.", "phot."])
        );
    }

    #[test]
    fn optional_pieces_and_the_best_run_are_chosen() {
        // `minutes?` holds `minute` either way; `\d+` needs nothing.
        assert_eq!(req(r"\d+\s*minutes?\s+read"), strs(&["minute"]));
        assert_eq!(req(r"\d+\s*(?:min|minutes?)\s+read"), strs(&["read"]));
        assert_eq!(req(r"(?i)cc[ -]by\s*$"), strs(&["cc by", "cc-by"]));
        assert_eq!(req(r"(?:^|\s)©\s*\p{L}[^©]*$"), strs(&["©"]));
    }

    #[test]
    fn folding_beyond_ascii_is_kept() {
        // (?i)k matches the Kelvin sign too: both are needed.
        assert_eq!(
            req(r"(?i)kk"),
            strs(&["kk", "k\u{212a}", "\u{212a}k", "\u{212a}\u{212a}"])
        );
    }

    #[test]
    fn patterns_that_need_no_literal_give_none() {
        assert_eq!(req(r"\d+\s*\w+"), None);
        assert_eq!(req(r"(?:abc)?\d"), None);
        // One branch without a literal: nothing is required.
        assert_eq!(req(r"(?:photo|\d+)x"), None);
        // Single letters are too common to be worth a search.
        assert_eq!(req(r"a\d"), None);
    }
}
