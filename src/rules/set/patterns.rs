//! Regex patterns: each compiled on its own, behind cheap tests that rule
//! most blocks out for all of them at once.

use super::CompileError;
use crate::rules::Rule;
use crate::rules::gate::{self, Gates, Side};
use regex_automata::meta::Regex;
use regex_syntax::hir::Hir;
use std::sync::Arc;

/// The regex patterns of a rule set. Each pattern on its own: separate
/// small automata with literal prefilters run far faster than one
/// `RegexSet` over Unicode classes.
#[derive(Debug, Clone)]
pub(super) struct Patterns {
    patterns: Vec<Pattern>,
    /// Blocks with more words than this cannot match any pattern.
    max_words: u32,
    /// The start- and end-anchored patterns in two automata run anchored
    /// from either end of a block: they rule out the block for every
    /// anchored pattern at once within a few bytes (most blocks match none).
    gates: Option<Arc<Gates>>,
    /// The literals every match of a floating pattern starts with, each
    /// looked for once in the whole page (a vector search), with the pattern
    /// (index in `patterns`) it belongs to.
    floating_literals: Vec<(memchr::memmem::Finder<'static>, u32)>,
    /// For each first byte of a block: the largest word limit among the
    /// start-anchored patterns a block starting with it may match; the
    /// same for the wide ones.
    start_words: Box<[Option<u32>; 256]>,
    wide_words: Box<[Option<u32>; 256]>,
    /// The largest word limit among the end-anchored patterns.
    end_words: Option<u32>,
    /// The floating patterns (indices in `patterns`).
    floating: Vec<usize>,
    /// How many floating patterns have a slot.
    slots: usize,
}

/// One compiled regex of a rule, with cheap tests that rule a block out
/// before the regex runs.
#[derive(Debug, Clone)]
struct Pattern {
    re: Regex,
    rule: u32,
    max_words: u32,
    /// For a pattern anchored at the start with a known set of first bytes:
    /// which bytes a matching block can start with.
    first_bytes: Option<Box<[bool; 256]>>,
    /// Which gate the pattern is behind.
    side: Side,
    /// Whether its gate looks for literals (see `gate::classify`): a
    /// floating pattern with literals cannot match a page holding none of
    /// them (see [`Patterns::floating_literals`]).
    has_literals: bool,
    /// For a floating pattern with required strings (see
    /// [`crate::rules::factors`]): its slot among them; it runs only on
    /// blocks holding one.
    slot: Option<u32>,
}

/// What the analyses of one pattern give, while the set is built.
struct Analysed<'r> {
    pattern: Pattern,
    hir: &'r Hir,
    /// The literals its gate looks for (see `gate::classify`).
    literals: Vec<Vec<u8>>,
    /// The strings it needs, for a floating pattern (see `factors`).
    need: Option<Vec<Vec<u8>>>,
}

/// The strings a floating pattern needs, one of which a block must hold
/// for the pattern to run on it (lower-cased; found by
/// [`super::phrases::ContainsPhrases`]), and the pattern's word limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SlotNeed {
    pub(super) strings: Vec<Vec<u8>>,
    pub(super) max_words: u32,
}

/// Which literals of the patterns the page holds: a block cut from the
/// page cannot match a pattern whose literals the page lacks.
struct PageLiterals {
    /// By pattern: the page holds a literal of this floating pattern.
    floating: Vec<bool>,
    /// The page holds a literal of a wide pattern.
    wide: bool,
}

impl Patterns {
    /// The patterns of `rules`, analysed and put behind their gates; with
    /// the strings each slot needs, in slot order.
    pub(super) fn new(rules: &[Rule]) -> Result<(Patterns, Vec<SlotNeed>), CompileError> {
        let mut analysed: Vec<Analysed> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let max_words = rule.max_words.unwrap_or(u32::MAX);
            for re in &rule.regex {
                analysed.push(analyse(re, i as u32, max_words));
            }
        }
        let needs = assign_slots(&mut analysed);
        let gates = gates(&analysed)?;
        let floating_literals = floating_literals(&analysed);
        let patterns: Vec<Pattern> = analysed.into_iter().map(|a| a.pattern).collect();
        let mut set = Patterns {
            max_words: patterns.iter().map(|p| p.max_words).max().unwrap_or(0),
            gates,
            floating_literals,
            start_words: Box::new([None; 256]),
            wide_words: Box::new([None; 256]),
            end_words: None,
            floating: Vec::new(),
            slots: needs.len(),
            patterns,
        };
        set.sort_by_side();
        Ok((set, needs))
    }

    /// How many floating patterns have a slot.
    pub(super) fn slots(&self) -> usize {
        self.slots
    }

    /// Fills the word limits by side and first byte, and the list of
    /// floating patterns.
    fn sort_by_side(&mut self) {
        for (j, p) in self.patterns.iter().enumerate() {
            let widen =
                |w: &mut Option<u32>| *w = Some(w.map_or(p.max_words, |m| m.max(p.max_words)));
            match p.side {
                Side::Start | Side::Wide => {
                    let words = if p.side == Side::Start {
                        &mut self.start_words
                    } else {
                        &mut self.wide_words
                    };
                    for (b, w) in words.iter_mut().enumerate() {
                        if p.first_bytes.as_ref().is_none_or(|set| set[b]) {
                            widen(w);
                        }
                    }
                }
                Side::End => widen(&mut self.end_words),
                Side::Floating => self.floating.push(j),
            }
        }
    }

    /// Calls `found(block, rule)` for each pattern each block of a page
    /// matches. `blocks` are `(text, words)`, `stripped` their texts with
    /// list markers taken off, `holds` a row of [`Patterns::slots`] per
    /// block (see [`super::phrases::ContainsPhrases::find`]).
    ///
    /// `page` is the text the blocks borrow from, if they do: the literals
    /// of floating patterns are looked for once in it.
    pub(super) fn find(
        &self,
        page: &str,
        blocks: &[(&str, u32)],
        stripped: &[&str],
        holds: &[bool],
        mut found: impl FnMut(usize, u32),
    ) {
        let Some(gates) = &self.gates else {
            return;
        };
        let mut caches = gates.caches();
        let on_page = self.page_literals(gates, page);
        let page_range = page.as_bytes().as_ptr_range();
        for (k, (&(_, words), s)) in blocks.iter().zip(stripped).enumerate() {
            let in_page = page_range.contains(&s.as_ptr()) || s.is_empty();
            let lits = in_page.then_some(&on_page);
            let holds = &holds[k * self.slots..(k + 1) * self.slots];
            self.find_in_block(gates, &mut caches, (s, words), lits, holds, |rule| {
                found(k, rule)
            });
        }
    }

    /// Which floating patterns' literals the page holds.
    fn page_literals(&self, gates: &Gates, page: &str) -> PageLiterals {
        let mut on_page = PageLiterals {
            floating: vec![false; self.patterns.len()],
            wide: gates.holds_wide_literal(page.as_bytes()),
        };
        for (finder, owner) in &self.floating_literals {
            let owner = *owner as usize;
            if !on_page.floating[owner] && finder.find(page.as_bytes()).is_some() {
                on_page.floating[owner] = true;
            }
        }
        on_page
    }

    /// Each pattern behind its gate, which runs at most once per block.
    /// `block` is the text and its words; `on_page`, the literals of the
    /// page it was cut from, if it was; `holds`, which floating patterns'
    /// required strings it holds (by slot).
    fn find_in_block(
        &self,
        gates: &Gates,
        caches: &mut gate::Caches,
        (s, words): (&str, u32),
        on_page: Option<&PageLiterals>,
        holds: &[bool],
        mut found: impl FnMut(u32),
    ) {
        if words > self.max_words {
            return;
        }
        let first = s.as_bytes().first().copied().unwrap_or(0) as usize;
        // Each gate once, and only where one of its patterns could match:
        // most blocks stop here.
        let start =
            self.start_words[first].is_some_and(|m| words <= m) && gates.may_match_start(caches, s);
        let wide = on_page.is_none_or(|l| l.wide)
            && self.wide_words[first].is_some_and(|m| words <= m)
            && gates.may_match_wide(caches, s);
        let end = self.end_words.is_some_and(|m| words <= m) && gates.may_match_end(caches, s);
        let may_float = |j: usize| {
            let p = &self.patterns[j];
            words <= p.max_words
                && match p.slot {
                    Some(slot) => holds[slot as usize],
                    None => !p.has_literals || on_page.is_none_or(|l| l.floating[j]),
                }
        };
        if !start && !wide && !end && !self.floating.iter().any(|&j| may_float(j)) {
            return;
        }
        for (j, p) in self.patterns.iter().enumerate() {
            if words > p.max_words {
                continue;
            }
            let may = match p.side {
                Side::Start => start && p.first_bytes.as_ref().is_none_or(|set| set[first]),
                Side::Wide => wide && p.first_bytes.as_ref().is_none_or(|set| set[first]),
                Side::End => end,
                Side::Floating => may_float(j),
            };
            if may && p.re.is_match(s) {
                found(p.rule);
            }
        }
    }
}

/// One pattern of rule `rule`, with what its parsed form tells: its first
/// bytes, its gate and the literals the gate looks for, and for a floating
/// pattern the strings it needs.
fn analyse(re: &crate::rules::RuleRegex, rule: u32, max_words: u32) -> Analysed<'_> {
    let hir = re.hir();
    let first_bytes = first_bytes(hir);
    let (side, literals) = gate::classify(hir, first_bytes.as_deref());
    let need = (side == Side::Floating)
        .then(|| crate::rules::factors::required(hir))
        .flatten();
    Analysed {
        pattern: Pattern {
            re: re.compiled().clone(),
            rule,
            max_words,
            first_bytes,
            side,
            has_literals: !literals.is_empty(),
            slot: None,
        },
        hir,
        literals,
        need,
    }
}

/// Gives each pattern that needs strings its slot, in order; returns what
/// each slot needs.
fn assign_slots(analysed: &mut [Analysed]) -> Vec<SlotNeed> {
    let mut needs = Vec::new();
    for a in analysed {
        if let Some(strings) = a.need.take() {
            a.pattern.slot = Some(needs.len() as u32);
            needs.push(SlotNeed {
                strings,
                max_words: a.pattern.max_words,
            });
        }
    }
    needs
}

/// The literals of the patterns without a slot (those with one are looked
/// for block by block instead), each looked for in the whole page: the
/// wide patterns' go to their gate, the others' here.
fn floating_literals(analysed: &[Analysed]) -> Vec<(memchr::memmem::Finder<'static>, u32)> {
    let mut out = Vec::new();
    for (k, a) in analysed.iter().enumerate() {
        if a.pattern.slot.is_some() || a.pattern.side == Side::Wide {
            continue;
        }
        for lit in &a.literals {
            out.push((memchr::memmem::Finder::new(lit).into_owned(), k as u32));
        }
    }
    out
}

/// The gates of the anchored and wide patterns; none when there are no
/// patterns at all.
fn gates(analysed: &[Analysed]) -> Result<Option<Arc<Gates>>, CompileError> {
    if analysed.is_empty() {
        return Ok(None);
    }
    let on = |side: Side| -> Vec<&Hir> {
        analysed
            .iter()
            .filter(|a| a.pattern.side == side)
            .map(|a| a.hir)
            .collect()
    };
    let wide: Vec<(&Hir, Vec<u8>)> = analysed
        .iter()
        .filter(|a| a.pattern.slot.is_none() && a.pattern.side == Side::Wide)
        .flat_map(|a| a.literals.iter().map(|lit| (a.hir, lit.clone())))
        .collect();
    let gates =
        Gates::new(&on(Side::Start), &wide, &on(Side::End)).map_err(CompileError::automaton)?;
    Ok(Some(Arc::new(gates)))
}

/// The bytes a match of a pattern can start with, when the pattern is
/// anchored at the start of the block and cannot match the empty string there.
fn first_bytes(hir: &Hir) -> Option<Box<[bool; 256]>> {
    use regex_syntax::hir::Look;
    if !hir.properties().look_set_prefix().contains(Look::Start) {
        return None;
    }
    let mut set = Box::new([false; 256]);
    let may_be_empty = collect_first_bytes(hir, &mut set);
    (!may_be_empty).then_some(set)
}

/// Adds to `set` the first bytes of what `hir` can match; returns whether it
/// can also match the empty string (then what follows it counts too).
fn collect_first_bytes(hir: &Hir, set: &mut [bool; 256]) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    // UTF-8 lead bytes grow with the code point, so a range of code points
    // starts with a contiguous range of lead bytes.
    let lead = |c: char| {
        let mut buf = [0u8; 4];
        c.encode_utf8(&mut buf).as_bytes()[0]
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => match lit.0.first() {
            Some(&b) => {
                set[b as usize] = true;
                false
            }
            None => true,
        },
        HirKind::Class(Class::Unicode(cls)) => {
            for r in cls.ranges() {
                set[lead(r.start()) as usize..=lead(r.end()) as usize].fill(true);
            }
            false
        }
        HirKind::Class(Class::Bytes(cls)) => {
            for r in cls.ranges() {
                set[r.start() as usize..=r.end() as usize].fill(true);
            }
            false
        }
        HirKind::Repetition(rep) => collect_first_bytes(&rep.sub, set) || rep.min == 0,
        HirKind::Capture(cap) => collect_first_bytes(&cap.sub, set),
        HirKind::Concat(subs) => subs.iter().all(|sub| collect_first_bytes(sub, set)),
        HirKind::Alternation(subs) => {
            // Every branch adds its bytes: no short-circuit.
            let mut empty = false;
            for sub in subs {
                empty |= collect_first_bytes(sub, set);
            }
            empty
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn patterns(src: &str) -> (Patterns, Vec<SlotNeed>) {
        Patterns::new(&parse_rule_file("t.toml", src).unwrap().rules).unwrap()
    }

    /// The rules matching each line of `page`, the blocks cut from it, with
    /// every slot's strings taken as held.
    fn find(p: &Patterns, page: &str) -> Vec<Vec<u32>> {
        let blocks: Vec<(&str, u32)> = page
            .lines()
            .map(|l| (l, l.split_whitespace().count() as u32))
            .collect();
        let stripped: Vec<&str> = blocks.iter().map(|b| b.0).collect();
        let holds = vec![true; blocks.len() * p.slots()];
        let mut got = vec![Vec::new(); blocks.len()];
        p.find(page, &blocks, &stripped, &holds, |k, r| got[k].push(r));
        got
    }

    #[test]
    fn a_photo_credit_is_matched_behind_its_gate() {
        let (p, needs) = patterns(
            "[[rule]]\nid = \"credit\"\ncategory = \"captions\"\nregex = ['^\\((?i:photo|foto): [^)]*\\)$']\nmax_words = 8\n",
        );
        assert!(needs.is_empty(), "anchored: no slot");
        assert_eq!(
            find(
                &p,
                "(Photo: Reuters)\n(Foto: dpa) und mehr\nThe council voted.\n"
            ),
            [vec![0], vec![], vec![]]
        );
    }

    #[test]
    fn a_floating_pattern_takes_a_slot_for_the_strings_it_needs() {
        let (p, needs) = patterns(concat!(
            "[[rule]]\nid = \"share\"\ncategory = \"share\"\nphrases = [\"Share\"]\n",
            "[[rule]]\nid = \"time\"\ncategory = \"byline\"\nregex = ['\\d+\\s*minutes?\\s+read']\nmax_words = 12\n",
        ));
        assert_eq!(
            needs,
            [SlotNeed {
                strings: vec![b"minute".to_vec()],
                max_words: 12
            }]
        );
        assert_eq!(
            find(&p, "By Anna Müller · 5 minutes read\nShare\n"),
            [vec![1], vec![]]
        );
        // A block without its strings is not tried.
        let blocks = [("5 minutes read", 3)];
        let mut any = false;
        p.find("", &blocks, &["5 minutes read"], &[false], |_, _| {
            any = true
        });
        assert!(!any);
    }

    #[test]
    fn an_end_anchored_pattern_and_the_word_limit() {
        let (p, _) = patterns(
            "[[rule]]\nid = \"count\"\ncategory = \"comments\"\nregex = ['\\d+\\s+comments?$']\nmax_words = 3\n",
        );
        assert_eq!(
            find(&p, "12 comments\nWe read all 12 comments\n"),
            [vec![0], vec![]]
        );
    }

    #[test]
    fn anchored_patterns_know_their_first_bytes() {
        let first_bytes = |p: &str| first_bytes(&regex_syntax::parse(p).unwrap());
        let set = first_bytes(r"^(?i)retrieved (?:from|on)\s").unwrap();
        assert!(set[b'r' as usize] && set[b'R' as usize] && !set[b'x' as usize]);
        let set = first_bytes("^[—–-]\\s*x").unwrap();
        assert!(set[b'-' as usize] && set[0xE2] && !set[b'a' as usize]);
        assert!(first_bytes(r"\(n\.d\.").is_none(), "not anchored");
        let set = first_bytes(r"^\d+\s+comments?$").unwrap();
        assert!(set[b'7' as usize] && !set[b'C' as usize]);
        assert!(
            first_bytes(r"^(?:\d+)?x").unwrap()[b'x' as usize],
            "optional parts let what follows start"
        );
        assert!(first_bytes(r"^x?").is_none(), "can match empty");
    }
}
