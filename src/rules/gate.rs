//! Cheap tests that rule a block out for every regex rule at once.
//!
//! Most blocks match no pattern, so the question asked of nearly every block
//! is "could any pattern match here?". One automaton over all patterns
//! answers it, but a search that may start anywhere steps through every byte
//! of the block. Most rule patterns are anchored, though: at the start of the
//! block (`^Photo:`) or at its end (`… (@handle) May 3, 2024$`). Run anchored
//! from that end, the automaton dies within a few bytes on a block that
//! cannot match, whatever the block's length.
//!
//! So each pattern is put where it dies soonest: with the start-anchored
//! patterns (one forward automaton), with the end-anchored ones (one
//! automaton run backwards from the block's end), or, when neither end is
//! anchored or both run into `.*` at once, with the floating patterns, which
//! are tried one by one, and only on pages holding one of their literals.
//! A start-anchored pattern that any capitalised word can begin ([`Side::Wide`])
//! gets an automaton of its own, walked only for blocks holding a literal the
//! pattern requires.
//!
//! The automata are built from an ASCII superset of the patterns (see
//! [`ascii_superset`]), and a table of the first (last) two bytes each one
//! survives spares most blocks the walk.

use regex_automata::Anchored;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::start;
use regex_syntax::hir::{Hir, HirKind, Look};
use std::panic::{RefUnwindSafe, UnwindSafe};

/// Where a pattern is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Anchored at the block's start: the forward gate.
    Start,
    /// Anchored at the start, but a block starting with almost anything can
    /// keep its automaton alive for a while (`^[\p{Lu}][\p{L}\-]+, …`
    /// walks through the first word of every capitalised line); it holds a
    /// literal every match contains, though (see [`required_literal`]). A
    /// forward gate of its own, walked only for blocks holding one of the
    /// literals.
    Wide,
    /// Anchored at the block's end: the reverse gate.
    End,
    /// Neither: tested on its own.
    Floating,
}

/// How many bytes an anchored search is sure to look at, at least, before
/// the pattern can run into a repetition of "anything" (`.*`, `[^)]*`), from
/// the start (`reverse` false) or from the end, and whether it runs into one.
/// Past that point the automaton stays alive to the end of the block.
/// Capped at 64.
fn sure_bytes(hir: &Hir, reverse: bool) -> (usize, bool) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (0, false),
        HirKind::Literal(lit) => (lit.0.len(), false),
        HirKind::Class(_) => (1, false),
        HirKind::Capture(cap) => sure_bytes(&cap.sub, reverse),
        HirKind::Repetition(rep) => {
            if rep.max.is_none() && is_broad(&rep.sub) {
                return (0, true);
            }
            let (n, stopped) = sure_bytes(&rep.sub, reverse);
            if stopped {
                (if rep.min > 0 { n } else { 0 }, true)
            } else {
                ((n * rep.min as usize).min(64), false)
            }
        }
        HirKind::Concat(subs) => {
            let mut total = 0;
            let mut visit = |sub: &Hir| {
                let (n, stopped) = sure_bytes(sub, reverse);
                total = (total + n).min(64);
                stopped
            };
            let stopped = if reverse {
                subs.iter().rev().any(&mut visit)
            } else {
                subs.iter().any(&mut visit)
            };
            (total, stopped)
        }
        HirKind::Alternation(subs) => subs
            .iter()
            .map(|sub| sure_bytes(sub, reverse))
            .fold((64, false), |(n, s), (m, t)| (n.min(m), s || t)),
    }
}

/// Whether `hir` can match text of any kind: a class holding both a space
/// and a letter, or something built of one.
fn is_broad(hir: &Hir) -> bool {
    use regex_syntax::hir::Class;
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let has = |ch: char| c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
            has(' ') && has('a')
        }
        HirKind::Class(Class::Bytes(c)) => {
            let has = |b: u8| c.ranges().iter().any(|r| r.start() <= b && b <= r.end());
            has(b' ') && has(b'a')
        }
        HirKind::Capture(cap) => is_broad(&cap.sub),
        HirKind::Repetition(rep) => is_broad(&rep.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(is_broad),
        _ => false,
    }
}

/// Where a pattern is tested, and the literals its gate looks for: for a
/// floating pattern, those every match starts with (none when there is no
/// short list of them); for a wide one, one every match holds.
/// `first_bytes` are the bytes a match can start with, when known.
pub(crate) fn classify(hir: &Hir, first_bytes: Option<&[bool; 256]>) -> (Side, Vec<Vec<u8>>) {
    // A start-anchored pattern that may begin with twenty ASCII letters or
    // more can begin with any capitalised word.
    let broad = first_bytes.is_none_or(|set| {
        (0..=255u8)
            .filter(|b| b.is_ascii_alphabetic() && set[*b as usize])
            .count()
            >= 20
    });
    match side_of(hir) {
        Side::Floating => (Side::Floating, required_prefixes(hir).unwrap_or_default()),
        Side::Start if broad => match required_literal(hir) {
            Some(lit) => (Side::Wide, vec![lit]),
            None => (Side::Start, Vec::new()),
        },
        side => (side, Vec::new()),
    }
}

/// The side a pattern is tested from: the anchored end where a search dies
/// soonest, if it is sure to look at two bytes or more before it can run on.
fn side_of(hir: &Hir) -> Side {
    let props = hir.properties();
    let start = props
        .look_set_prefix()
        .contains(Look::Start)
        .then(|| sure_bytes(hir, false).0);
    let end = props
        .look_set_suffix()
        .contains(Look::End)
        .then(|| sure_bytes(hir, true).0);
    match (start, end) {
        (Some(s), e) if s >= 2 && e.is_none_or(|e| s >= e) => Side::Start,
        (_, Some(e)) if e >= 2 => Side::End,
        _ => Side::Floating,
    }
}

/// The literals every match of a pattern starts with, if there are a few
/// and none is empty.
fn required_prefixes(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let lits = seq.literals()?;
    (!lits.is_empty() && lits.len() <= 64 && lits.iter().all(|l| !l.as_bytes().is_empty()))
        .then(|| lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// A pattern that matches all `hir` matches and more, over bytes: each
/// Unicode class keeps its ASCII part and lets any run of non-ASCII bytes
/// stand for its other characters; Unicode word boundaries are dropped.
/// Its automaton needs a few dozen byte classes where the Unicode classes
/// of the patterns (`\w`, `\p{L}`, case folding) need hundreds, so the
/// gate's states stay few and small, in cache; and it never has to give up
/// on non-ASCII text.
fn ascii_superset(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Repetition};
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let ascii: Vec<ClassBytesRange> = c
                .ranges()
                .iter()
                .filter(|r| r.start() <= '\x7f')
                .map(|r| ClassBytesRange::new(r.start() as u8, r.end().min('\x7f') as u8))
                .collect();
            let ascii =
                (!ascii.is_empty()).then(|| Hir::class(Class::Bytes(ClassBytes::new(ascii))));
            let other = c.ranges().iter().any(|r| r.end() > '\x7f').then(|| {
                Hir::repetition(Repetition {
                    min: 1,
                    max: None,
                    greedy: true,
                    sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([
                        ClassBytesRange::new(0x80, 0xFF),
                    ])))),
                })
            });
            match (ascii, other) {
                (Some(a), Some(o)) => Hir::alternation(vec![a, o]),
                (Some(h), None) | (None, Some(h)) => h,
                (None, None) => Hir::fail(),
            }
        }
        HirKind::Look(
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode,
        ) => Hir::empty(),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(ascii_superset(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => ascii_superset(&c.sub),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_superset).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_superset).collect()),
        _ => hir.clone(),
    }
}

/// A literal of two bytes or more that every match of a pattern contains:
/// the longest literal among the parts the pattern is a sequence of (the
/// last of equals).
fn required_literal(mut hir: &Hir) -> Option<Vec<u8>> {
    while let HirKind::Capture(c) = hir.kind() {
        hir = &c.sub;
    }
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    parts
        .iter()
        .filter_map(|p| match p.kind() {
            HirKind::Literal(lit) if lit.0.len() >= 2 => Some(lit.0.to_vec()),
            _ => None,
        })
        .max_by_key(Vec::len)
}

type CacheFn = Box<dyn Fn() -> Caches + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// Each worker's scratch space for the three lazy automata.
pub(crate) struct Caches {
    forward: Option<Cache>,
    wide: Option<Cache>,
    reverse: Option<Cache>,
}

/// The forward, wide and reverse gates, built once and shared by every
/// worker.
pub(crate) struct Gates {
    forward: Option<DFA>,
    /// For the forward and the reverse automaton: which first two bytes
    /// (last two, backwards) it survives, a bit each. Most blocks die
    /// there, and are ruled out by one lookup instead of a walk.
    forward_pairs: Box<[u64; 1024]>,
    reverse_pairs: Box<[u64; 1024]>,
    /// The gate of the [`Side::Wide`] patterns, and their literals.
    wide: Option<DFA>,
    wide_literals: Vec<memchr::memmem::Finder<'static>>,
    reverse: Option<DFA>,
    caches: Pool<Caches, CacheFn>,
}

impl std::fmt::Debug for Gates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gates")
            .field("forward", &self.forward.is_some())
            .field("wide", &self.wide.is_some())
            .field("reverse", &self.reverse.is_some())
            .finish()
    }
}

impl Gates {
    /// Builds the gates for the start-anchored patterns, the wide ones (with
    /// their literals) and the end-anchored ones.
    pub(crate) fn new(
        start: &[&Hir],
        wide: &[(&Hir, Vec<u8>)],
        end: &[&Hir],
    ) -> Result<Gates, String> {
        let build = |patterns: &[&Hir], reverse: bool| -> Result<Option<DFA>, String> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let hirs: Vec<Hir> = patterns.iter().map(|h| ascii_superset(h)).collect();
            let nfa = thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .reverse(reverse)
                        .utf8(false)
                        .which_captures(thompson::WhichCaptures::None),
                )
                .build_many_from_hir(&hirs)
                .map_err(|e| e.to_string())?;
            // Thousands of patterns need more than the default 2 MiB of
            // cache: take the least that works rather than refusing them.
            DFA::builder()
                .configure(DFA::config().skip_cache_capacity_check(true))
                .build_from_nfa(nfa)
                .map(Some)
                .map_err(|e| e.to_string())
        };
        let forward = build(start, false)?;
        let wide_patterns: Vec<&Hir> = wide.iter().map(|(p, _)| *p).collect();
        let wide_dfa = build(&wide_patterns, false)?;
        let mut literals: Vec<&[u8]> = wide.iter().map(|(_, l)| &l[..]).collect();
        literals.sort_unstable();
        literals.dedup();
        let wide_literals = literals
            .into_iter()
            .map(|l| memchr::memmem::Finder::new(l).into_owned())
            .collect();
        let reverse = build(end, true)?;
        let forward_pairs = forward
            .as_ref()
            .map_or_else(|| Box::new([0; 1024]), survivors);
        let reverse_pairs = reverse
            .as_ref()
            .map_or_else(|| Box::new([0; 1024]), survivors);
        let (f, w, r) = (forward.clone(), wide_dfa.clone(), reverse.clone());
        let make: CacheFn = Box::new(move || Caches {
            forward: f.as_ref().map(DFA::create_cache),
            wide: w.as_ref().map(DFA::create_cache),
            reverse: r.as_ref().map(DFA::create_cache),
        });
        Ok(Gates {
            forward,
            forward_pairs,
            reverse_pairs,
            wide: wide_dfa,
            wide_literals,
            reverse,
            caches: Pool::new(make),
        })
    }

    /// One worker's caches, for the blocks of one page.
    pub(crate) fn caches(&self) -> PoolGuard<'_, Caches, CacheFn> {
        self.caches.get()
    }

    /// Whether a start-anchored pattern may match `s` (a search that gives up
    /// counts as maybe).
    pub(crate) fn may_match_start(&self, caches: &mut Caches, s: &str) -> bool {
        let (Some(dfa), Some(cache)) = (&self.forward, caches.forward.as_mut()) else {
            return false;
        };
        let first = s.as_bytes().first_chunk::<2>().copied();
        survives(&self.forward_pairs, first) && walk(dfa, cache, s.bytes())
    }

    /// Whether `text` holds a literal of a wide pattern (if it does not,
    /// no block cut from it does).
    pub(crate) fn holds_wide_literal(&self, text: &[u8]) -> bool {
        self.wide_literals.iter().any(|f| f.find(text).is_some())
    }

    /// Whether a wide pattern may match `s`: it holds one of their literals
    /// and their automaton survives its start.
    pub(crate) fn may_match_wide(&self, caches: &mut Caches, s: &str) -> bool {
        let (Some(dfa), Some(cache)) = (&self.wide, caches.wide.as_mut()) else {
            return false;
        };
        self.holds_wide_literal(s.as_bytes()) && walk(dfa, cache, s.bytes())
    }

    /// Whether an end-anchored pattern may match `s`: searched backwards
    /// from its end.
    pub(crate) fn may_match_end(&self, caches: &mut Caches, s: &str) -> bool {
        let (Some(dfa), Some(cache)) = (&self.reverse, caches.reverse.as_mut()) else {
            return false;
        };
        // Backwards, the last byte comes first.
        let last = s.as_bytes().last_chunk::<2>().map(|&[a, b]| [b, a]);
        survives(&self.reverse_pairs, last) && walk(dfa, cache, s.bytes().rev())
    }
}

/// Which pairs of first bytes an anchored automaton survives (is not dead
/// after, or has matched or given up by), a bit each.
fn survivors(dfa: &DFA) -> Box<[u64; 1024]> {
    let mut bits = Box::new([u64::MAX; 1024]);
    let mut cache = dfa.create_cache();
    let Ok(start) = dfa.start_state(&mut cache, &start::Config::new().anchored(Anchored::Yes))
    else {
        return bits;
    };
    for b0 in 0..=255u8 {
        let Ok(s1) = dfa.next_state(&mut cache, start, b0) else {
            continue;
        };
        if s1.is_match() || s1.is_quit() {
            continue;
        }
        for b1 in 0..=255u8 {
            let dead = s1.is_dead()
                || dfa
                    .next_state(&mut cache, s1, b1)
                    .is_ok_and(|s2| s2.is_dead());
            if dead {
                let pair = (b0 as usize) << 8 | b1 as usize;
                bits[pair / 64] &= !(1 << (pair % 64));
            }
        }
    }
    // A cache that filled up and was cleared on the way forgot the states
    // the table was built from: then every pair survives.
    if cache.clear_count() > 0 {
        bits.fill(u64::MAX);
    }
    bits
}

/// Whether an automaton survives the first two bytes it is fed; a block
/// of fewer bytes (`None`) is walked.
fn survives(bits: &[u64; 1024], pair: Option<[u8; 2]>) -> bool {
    let Some([b0, b1]) = pair else {
        return true;
    };
    let pair = (b0 as usize) << 8 | b1 as usize;
    bits[pair / 64] & 1 << (pair % 64) != 0
}

/// Whether an anchored automaton matches a prefix of `bytes` (a suffix, for
/// a reverse one fed the bytes backwards). Walked byte by byte: a search
/// call costs more than the few bytes most blocks take to die. A walk that
/// gives up (a cache that keeps filling) says maybe.
fn walk(dfa: &DFA, cache: &mut Cache, bytes: impl Iterator<Item = u8>) -> bool {
    let Ok(mut sid) = dfa.start_state(cache, &start::Config::new().anchored(Anchored::Yes)) else {
        return true;
    };
    for b in bytes {
        sid = match dfa.next_state(cache, sid, b) {
            Ok(next) => next,
            Err(_) => return true,
        };
        if sid.is_tagged() {
            // Matches show one byte late: reaching one is enough here.
            if sid.is_match() || sid.is_quit() {
                return true;
            }
            if sid.is_dead() {
                return false;
            }
        }
    }
    dfa.next_eoi_state(cache, sid)
        .map_or(true, |s| s.is_match())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side_of(pattern: &str) -> Side {
        super::side_of(&regex_syntax::parse(pattern).unwrap())
    }

    fn required_literal(pattern: &str) -> Option<Vec<u8>> {
        super::required_literal(&regex_syntax::parse(pattern).unwrap())
    }

    fn gates(start: &[&str], wide: &[(&str, Vec<u8>)], end: &[&str]) -> Gates {
        let parse = |p: &&str| regex_syntax::parse(p).unwrap();
        let (start, end): (Vec<Hir>, Vec<Hir>) = (
            start.iter().map(parse).collect(),
            end.iter().map(parse).collect(),
        );
        let wide: Vec<(Hir, Vec<u8>)> = wide.iter().map(|(p, l)| (parse(p), l.clone())).collect();
        let start: Vec<&Hir> = start.iter().collect();
        let end: Vec<&Hir> = end.iter().collect();
        let wide: Vec<(&Hir, Vec<u8>)> = wide.iter().map(|(h, l)| (h, l.clone())).collect();
        Gates::new(&start, &wide, &end).unwrap()
    }

    #[test]
    fn patterns_go_to_the_end_where_they_die_soonest() {
        assert_eq!(side_of(r"^(?i)photo credit:\s"), Side::Start);
        assert_eq!(side_of(r"(?i)(?:^|\s)getty images$"), Side::End);
        // `.*` right after the start: the end is the better side.
        assert_eq!(side_of(r"^\S.*\s(?:said|says|wrote):?$"), Side::End);
        assert_eq!(side_of(r"^[—–-]\s*.+\(@\w+\)\s+\d{4}$"), Side::End);
        assert_eq!(side_of(r"\(n\.d\.[^)]*\)"), Side::Floating);
        assert_eq!(side_of(r"^.*$"), Side::Floating);
        // Letters-only repetitions end at the first space: not "anything".
        assert_eq!(side_of(r"^[\p{Lu}][\p{L}\-]+, [A-Z]\."), Side::Start);
    }

    #[test]
    fn patterns_that_any_capitalised_word_can_begin_are_wide() {
        let classify = |p: &str| {
            let hir = regex_syntax::parse(p).unwrap();
            let mut first = [false; 256];
            first[b'A' as usize..=b'Z' as usize].fill(true);
            let upper = p.starts_with("^[A-Z]");
            classify(&hir, upper.then_some(&first)).0
        };
        assert_eq!(classify(r"^[A-Z][a-z]+, [A-Z]\. \(\d{4}\)"), Side::Wide);
        // No literal to look for: an ordinary start-anchored pattern.
        assert_eq!(classify(r"^[A-Z][a-z]+ [a-z]+s$"), Side::Start);
        assert_eq!(classify(r"^(?i)photo credit:\s"), Side::Start);
        assert_eq!(classify(r"\(n\.d\.[^)]*\)"), Side::Floating);
    }

    #[test]
    fn wide_patterns_are_walked_only_where_their_literal_is() {
        let cite = r"^[\p{Lu}][\p{L}\-]+, (?:[\p{Lu}]\.\s?)+\(\d{4}\)";
        assert_eq!(required_literal(cite), Some(b", ".to_vec()));
        assert_eq!(required_literal(r"^(?:photo|image):\s"), None);
        let gates = gates(&[], &[(cite, b", ".to_vec())], &[]);
        let mut caches = gates.caches();
        assert!(gates.may_match_wide(&mut caches, "Smith, J. (2019). A study."));
        assert!(!gates.may_match_wide(&mut caches, "Smith J. (2019) without the comma"));
        assert!(!gates.may_match_wide(&mut caches, "The council, on Tuesday, voted."));
    }

    #[test]
    fn gates_pass_what_their_patterns_match() {
        let start = [r"^(?i)photo:\s"];
        let end = [r"\(@\w+\) \d{4}$", r"(?i)\bafp$"];
        let gates = gates(&start, &[], &end);
        let mut caches = gates.caches();
        assert!(!gates.may_match_wide(&mut caches, "Photo: no wide patterns here"));
        assert!(gates.may_match_start(&mut caches, "Photo: the river at dawn"));
        assert!(!gates.may_match_start(&mut caches, "A photo: the river"));
        assert!(gates.may_match_end(&mut caches, "— Ann Lee (@annlee) 2024"));
        assert!(gates.may_match_end(&mut caches, "Smoke over the harbour. AFP"));
        assert!(!gates.may_match_end(&mut caches, "(@annlee) 2024 was the year"));
        // Whatever the text, a match gets through its gate (next to
        // non-ASCII text, a Unicode `\b` makes the gate give up: a maybe).
        let end_re = end.map(|p| regex::Regex::new(p).unwrap());
        for text in [
            "Rauch über dem Hafen. Ü afp",
            "Hafen Üafp",
            "Zürich — Ünal (@ünal) 2024",
            "Kraków (@kraków) 2024",
        ] {
            if end_re.iter().any(|re| re.is_match(text)) {
                assert!(gates.may_match_end(&mut caches, text), "{text}");
            }
        }
        assert!(gates.may_match_end(&mut caches, "Rauch über dem Hafen. Ü afp"));
        assert!(gates.may_match_end(&mut caches, "Kraków (@kraków) 2024"));
    }
}
