//! A compiled, immutable set of rules.

use super::gate::{Gates, Side};
use super::{Action, MatchMode, Rule};
use crate::document::strip_bullet;
use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, MatchKind};
use regex_automata::meta::Regex;
use regex_syntax::hir::Hir;
use std::sync::Arc;

/// Why a rule set did not compile: every rule was checked when its file
/// was read, so only an automaton built over many rules can fail, on a
/// resource limit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// An automaton built over many rules (a resource limit).
    #[error("{0}")]
    Automaton(String),
}

impl CompileError {
    fn automaton(e: impl std::fmt::Display) -> CompileError {
        CompileError::Automaton(e.to_string())
    }
}

/// Rules compiled for matching: built once, shared by every worker.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Line and prefix phrases: only ever matched at the start of a block.
    /// An anchored automaton walked byte by byte from the block's start:
    /// every phrase the block starts with is met on the way. A compact
    /// trie rather than a DFA: the DFA of the shipped phrases takes 1.9 MB,
    /// and a walk that leaves its first states mostly waits on memory.
    head: Option<aho_corasick::nfa::contiguous::NFA>,
    /// Each head pattern's rule, mode and length in bytes.
    head_patterns: Vec<(u32, MatchMode, usize)>,
    head_max_len: usize,
    /// The first bytes a block matching a head phrase can start with: most
    /// blocks are ruled out before the automaton takes a step.
    head_starts: Box<StartFilter>,
    /// Blocks with more words than this cannot match a line or prefix phrase.
    head_max_words: u32,
    /// Contains phrases, and the strings floating patterns need (see
    /// [`super::factors`]), lower-cased, in one automaton run once over
    /// the lower-cased page: case-sensitive, it steps through a byte at a
    /// time on a table of its own, where a case-insensitive one needs twice
    /// the states. What each of its strings stands for is in `targets`.
    lowered: Option<AhoCorasick>,
    targets: Vec<Target>,
    /// Blocks with more words than this cannot match a contains phrase.
    body_max_words: u32,
    /// Each pattern on its own: separate small automata with literal
    /// prefilters run far faster than one `RegexSet` over Unicode classes.
    regex: Vec<Pattern>,
    /// Blocks with more words than this cannot match any regex rule.
    regex_max_words: u32,
    /// The start- and end-anchored regexes in two automata run anchored
    /// from either end of a block: they rule out the block for every
    /// anchored pattern at once within a few bytes (most blocks match none).
    gates: Option<Arc<Gates>>,
    /// The literals every match of a floating pattern starts with, each
    /// looked for once in the whole page (a vector search), with the pattern
    /// (index in `regex`) it belongs to.
    floating_literals: Vec<(memchr::memmem::Finder<'static>, u32)>,
    /// For each first byte of a block: the largest word limit among the
    /// start-anchored patterns a block starting with it may match; the
    /// same for the wide ones.
    start_words: Box<[Option<u32>; 256]>,
    wide_words: Box<[Option<u32>; 256]>,
    /// The largest word limit among the end-anchored patterns.
    end_words: Option<u32>,
    /// The floating patterns (indices in `regex`).
    floating: Vec<usize>,
    /// How many floating patterns have a slot.
    slots: usize,
    /// Blocks with more words than this match no pattern with a slot.
    factor_max_words: u32,
    /// Which selectors an element may match, by tag and attribute texts
    /// (see [`super::prefilter`]); then each selector with its rule.
    prefilter: super::prefilter::Prefilter,
    selectors: Vec<(scraper::Selector, u32)>,
}

/// Contains phrases up to this many are searched with a DFA, more with a
/// compact NFA: a DFA is quicker to walk, but 100 000 phrases take 1 s and
/// 450 MB to build one (the shipped rules have 31).
const MAX_DFA_PHRASES: usize = 2_000;

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
    /// them (see [`RuleSet::floating_literals`]).
    has_literals: bool,
    /// For a floating pattern with required strings (see
    /// [`super::factors`]): its slot among them; it runs only on blocks
    /// holding one.
    slot: Option<u32>,
}

/// What a string of [`RuleSet::lowered`] stands for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A contains phrase of this rule.
    Phrase(u32),
    /// A string the floating pattern in this slot needs.
    Factor(u32),
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

/// Which blocks may start with one of a set of phrases, by their first
/// bytes (ASCII lower-cased): a bit for each first byte of a one-byte
/// phrase, each first two bytes of a two-byte phrase, and (hashed into
/// 65 536 bits) each first three bytes of a three-byte phrase and first
/// four of a longer one. A block is looked up four times, one per length.
#[derive(Debug, Clone)]
struct StartFilter {
    bits: [[u64; 1024]; 4],
}

impl Default for StartFilter {
    fn default() -> StartFilter {
        StartFilter {
            bits: [[0; 1024]; 4],
        }
    }
}

impl StartFilter {
    /// The slot of the first `n` bytes of `b` (lower-cased) in table `n - 1`.
    fn slot(b: &[u8], n: usize) -> usize {
        let mut key = 0u32;
        for &c in &b[..n] {
            key = key << 8 | c.to_ascii_lowercase() as u32;
        }
        if n <= 2 {
            key as usize
        } else {
            (key.wrapping_mul(0x9e37_79b1) >> 16) as usize
        }
    }

    fn add(&mut self, phrase: &[u8]) {
        let n = phrase.len().min(4);
        let slot = Self::slot(phrase, n);
        self.bits[n - 1][slot / 64] |= 1 << (slot % 64);
    }

    fn may_start(&self, b: &[u8]) -> bool {
        (1..=b.len().min(4)).any(|n| {
            let slot = Self::slot(b, n);
            self.bits[n - 1][slot / 64] & 1 << (slot % 64) != 0
        })
    }
}

thread_local! {
    /// Each worker's list of the selectors an element may match.
    static CANDIDATES: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Each worker's buffer for the lower-cased page.
    static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A rule that matched a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index of the rule in [`RuleSet::rules`].
    pub index: usize,
    /// The rule's action.
    pub action: Action,
}

/// A rule of a compiled set, with a handle of the set it belongs to: a
/// removal names its rule this way, so it can never be looked up in
/// another site's set (where the same index is another rule, or none).
#[derive(Debug, Clone)]
pub struct RuleRef {
    set: Arc<RuleSet>,
    index: usize,
}

impl RuleRef {
    /// The rule.
    pub fn rule(&self) -> &Rule {
        &self.set.rules[self.index]
    }

    /// The set it belongs to.
    pub fn set(&self) -> &Arc<RuleSet> {
        &self.set
    }
}

impl PartialEq for RuleRef {
    fn eq(&self, other: &RuleRef) -> bool {
        Arc::ptr_eq(&self.set, &other.set) && self.index == other.index
    }
}

impl RuleSet {
    /// The rule at `index` of this set, as a handle that keeps the set;
    /// `None` when the set has no such rule.
    pub fn rule_ref(self: &Arc<Self>, index: usize) -> Option<RuleRef> {
        (index < self.rules.len()).then(|| RuleRef {
            set: Arc::clone(self),
            index,
        })
    }

    /// Compiles rules. Every phrase and regex has been checked when the file
    /// was read, so compiling fails only on resource limits.
    pub fn compile(rules: Vec<Rule>) -> Result<RuleSet, CompileError> {
        let mut head_pats: Vec<String> = Vec::new();
        let mut head_patterns = Vec::new();
        let mut body_pats: Vec<String> = Vec::new();
        let mut body_patterns = Vec::new();
        let mut regex = Vec::new();
        let mut hirs: Vec<&Hir> = Vec::new();
        // The literals each pattern's gate looks for (see `gate::classify`).
        let mut gate_literals: Vec<Vec<Vec<u8>>> = Vec::new();
        // The strings each floating pattern needs (see `factors`).
        let mut factor_sets: Vec<Option<Vec<Vec<u8>>>> = Vec::new();
        let mut regex_max_words = 0u32;
        let (mut head_max_words, mut body_max_words) = (0u32, 0u32);
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            let max_words = rule.max_words.unwrap_or(u32::MAX);
            for phrase in &rule.phrases {
                match rule.mode {
                    MatchMode::Line => {
                        let words = crate::document::Features::of(phrase).words;
                        head_max_words = head_max_words.max(words.min(max_words));
                    }
                    MatchMode::Prefix => head_max_words = head_max_words.max(max_words),
                    MatchMode::Contains => body_max_words = body_max_words.max(max_words),
                }
                for variant in apostrophe_variants(phrase) {
                    match rule.mode {
                        MatchMode::Line | MatchMode::Prefix => {
                            head_patterns.push((i, rule.mode, variant.len()));
                            head_pats.push(variant);
                        }
                        MatchMode::Contains => {
                            body_pats.push(variant);
                            body_patterns.push(i);
                        }
                    }
                }
            }
            for re in &rule.regex {
                // Parsed when checked: every analysis below and the gates read it.
                let hir = re.hir();
                let first_bytes = first_bytes(hir);
                let (side, literals) = super::gate::classify(hir, first_bytes.as_deref());
                regex.push(Pattern {
                    re: re.compiled().clone(),
                    rule: i,
                    max_words,
                    first_bytes,
                    side,
                    has_literals: !literals.is_empty(),
                    slot: None,
                });
                let need = (side == Side::Floating)
                    .then(|| super::factors::required(hir))
                    .flatten();
                factor_sets.push(need);
                hirs.push(hir);
                gate_literals.push(literals);
                regex_max_words = regex_max_words.max(max_words);
            }
        }
        let mut selectors = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for sel in &rule.selectors {
                selectors.push((sel.selector().clone(), i as u32));
            }
        }
        let prefilter = super::prefilter::Prefilter::new(
            rules
                .iter()
                .flat_map(|r| r.selectors.iter().map(|s| s.as_str())),
        );
        let mut factor_strings: Vec<Vec<u8>> = Vec::new();
        let mut factor_owners = Vec::new();
        let mut slots = 0u32;
        let mut factor_max_words = 0u32;
        for (p, need) in regex.iter_mut().zip(factor_sets) {
            if let Some(need) = need {
                p.slot = Some(slots);
                factor_max_words = factor_max_words.max(p.max_words);
                for s in need {
                    factor_strings.push(s);
                    factor_owners.push(slots);
                }
                slots += 1;
            }
        }
        let mut floating_literals = Vec::new();
        let mut wide_literals: Vec<(usize, Vec<u8>)> = Vec::new();
        for (k, (p, literals)) in regex.iter().zip(gate_literals).enumerate() {
            if p.slot.is_some() {
                // Looked for block by block instead.
                continue;
            }
            for lit in literals {
                match p.side {
                    Side::Wide => wide_literals.push((k, lit)),
                    _ => {
                        let finder = memchr::memmem::Finder::new(&lit).into_owned();
                        floating_literals.push((finder, k as u32));
                    }
                }
            }
        }
        let mut start_words = Box::new([None; 256]);
        let mut wide_words = Box::new([None; 256]);
        let mut end_words = None;
        let mut floating = Vec::new();
        for (j, p) in regex.iter().enumerate() {
            let widen =
                |w: &mut Option<u32>| *w = Some(w.map_or(p.max_words, |m| m.max(p.max_words)));
            match p.side {
                Side::Start | Side::Wide => {
                    let words = if p.side == Side::Start {
                        &mut start_words
                    } else {
                        &mut wide_words
                    };
                    for (b, w) in words.iter_mut().enumerate() {
                        if p.first_bytes.as_ref().is_none_or(|set| set[b]) {
                            widen(w);
                        }
                    }
                }
                Side::End => widen(&mut end_words),
                Side::Floating => floating.push(j),
            }
        }
        let on = |side: Side| -> Vec<&Hir> {
            regex
                .iter()
                .zip(&hirs)
                .filter(|(p, _)| p.side == side)
                .map(|(_, hir)| *hir)
                .collect()
        };
        let gates = if regex.is_empty() {
            None
        } else {
            let wide: Vec<(&Hir, Vec<u8>)> = wide_literals
                .into_iter()
                .map(|(j, lit)| (hirs[j], lit))
                .collect();
            Some(Arc::new(
                Gates::new(&on(Side::Start), &wide, &on(Side::End))
                    .map_err(CompileError::automaton)?,
            ))
        };
        let head = if head_pats.is_empty() {
            None
        } else {
            Some(
                aho_corasick::nfa::contiguous::NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&head_pats)
                    .map_err(CompileError::automaton)?,
            )
        };
        // Contains phrases are searched in a lower-cased copy of the block
        // instead: case-sensitive, the automaton can skip ahead with its SIMD
        // prefilter, where a case-insensitive one steps through every byte.
        let lower: Vec<String> = body_pats.iter().map(|p| p.to_ascii_lowercase()).collect();
        let mut targets: Vec<Target> = body_patterns.iter().map(|&r| Target::Phrase(r)).collect();
        targets.extend(factor_owners.iter().map(|&slot| Target::Factor(slot)));
        let strings: Vec<&[u8]> = lower
            .iter()
            .map(|p| p.as_bytes())
            .chain(factor_strings.iter().map(Vec::as_slice))
            .collect();
        let lowered = if strings.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(if strings.len() <= MAX_DFA_PHRASES {
                        AhoCorasickKind::DFA
                    } else {
                        AhoCorasickKind::ContiguousNFA
                    }))
                    .build(&strings)
                    .map_err(CompileError::automaton)?,
            )
        };
        let head_max_len = head_pats.iter().map(|p| p.len()).max().unwrap_or(0);
        let mut head_starts = Box::new(StartFilter::default());
        for p in &head_pats {
            head_starts.add(p.as_bytes());
        }
        Ok(RuleSet {
            rules,
            head,
            head_patterns,
            head_max_len,
            head_starts,
            head_max_words,
            lowered,
            targets,
            body_max_words,
            regex,
            regex_max_words,
            gates,
            floating_literals,
            start_words,
            wide_words,
            end_words,
            floating,
            slots: slots as usize,
            factor_max_words,
            prefilter,
            selectors,
        })
    }

    /// The rules, in the order they were compiled.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule that decides a block, if any: a keep rule wins over any other;
    /// otherwise the first matching rule in file order.
    ///
    /// `words` is the block's word count (see [`crate::document::Features`]).
    /// For the blocks of a whole page, [`RuleSet::match_page`] does the
    /// same work faster.
    pub fn match_block(&self, text: &str, words: u32) -> Option<RuleMatch> {
        self.match_page("", &[(text, words)])[0]
    }

    /// [`RuleSet::match_block`] for every block of a page, given as
    /// `(text, words)`: contains phrases are found in one pass over the
    /// whole page, line and prefix phrases and patterns block by block.
    ///
    /// `page` is the text the blocks borrow from, if they do (blocks that
    /// do not are matched all the same): the literals of floating patterns
    /// are looked for once in it.
    pub fn match_page(&self, page: &str, blocks: &[(&str, u32)]) -> Vec<Option<RuleMatch>> {
        let stripped: Vec<&str> = blocks.iter().map(|&(t, _)| strip_bullet(t)).collect();
        let mut decisions = vec![Decision::default(); blocks.len()];
        let mut holds = vec![false; blocks.len() * self.slots];
        self.match_lowered(page, blocks, &stripped, &mut decisions, &mut holds);
        let mut caches = self.gates.as_ref().map(|g| g.caches());
        // Which floating patterns' literals the page holds.
        let mut on_page = PageLiterals {
            floating: vec![false; self.regex.len()],
            wide: self
                .gates
                .as_ref()
                .is_some_and(|g| g.holds_wide_literal(page.as_bytes())),
        };
        for (finder, owner) in &self.floating_literals {
            let owner = *owner as usize;
            if !on_page.floating[owner] && finder.find(page.as_bytes()).is_some() {
                on_page.floating[owner] = true;
            }
        }
        let page_range = page.as_bytes().as_ptr_range();
        for (k, (&(_, words), s)) in blocks.iter().zip(&stripped).enumerate() {
            self.match_head(s, words, &mut decisions[k]);
            if let (Some(gates), Some(caches)) = (&self.gates, caches.as_mut()) {
                let in_page = page_range.contains(&s.as_ptr()) || s.is_empty();
                let lits = in_page.then_some(&on_page);
                let holds = &holds[k * self.slots..(k + 1) * self.slots];
                self.match_patterns(gates, caches, (s, words), lits, holds, &mut decisions[k]);
            }
        }
        decisions
            .into_iter()
            .map(|d| {
                d.decide().map(|i| RuleMatch {
                    index: i as usize,
                    action: self.rules[i as usize].action,
                })
            })
            .collect()
    }

    /// Contains phrases and the strings floating patterns need: the page
    /// is lower-cased whole, with the blocks that do not borrow from it
    /// (Markdown taken out, wrapped lines joined) appended, a line each,
    /// and searched in one pass; each match is taken to the block around
    /// it.
    ///
    /// Marks in `holds` (a row of [`RuleSet::slots`] per block) which
    /// floating patterns each block may match.
    fn match_lowered(
        &self,
        page: &str,
        blocks: &[(&str, u32)],
        stripped: &[&str],
        decisions: &mut [Decision],
        holds: &mut [bool],
    ) {
        let Some(ac) = &self.lowered else {
            return;
        };
        let max_words = self.body_max_words.max(self.factor_max_words);
        let page_range = page.as_bytes().as_ptr_range();
        // (start, end) in the buffer of each block's stripped text, for the
        // blocks short enough for a contains rule or a floating pattern; in
        // buffer order.
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        LOWER.with_borrow_mut(|lower| {
            lower.clear();
            let mut outside = Vec::new();
            for (k, (&(_, words), s)) in blocks.iter().zip(stripped).enumerate() {
                if words > max_words || s.is_empty() {
                    continue;
                }
                if page_range.contains(&s.as_ptr()) {
                    let at = s.as_ptr() as usize - page_range.start as usize;
                    spans.push((at, at + s.len(), k));
                } else {
                    outside.push(k);
                }
            }
            if spans.is_empty() && outside.is_empty() {
                // No block is short enough for these rules: no copy of the
                // page (a 300 MB one-line page is one long block).
                return;
            }
            // Only the part of the page the spans cover.
            let (from, to) = spans
                .iter()
                .fold((usize::MAX, 0), |(a, b), &(s, e, _)| (a.min(s), b.max(e)));
            let from = from.min(to);
            lower.extend_from_slice(&page.as_bytes()[from..to]);
            for span in &mut spans {
                span.0 -= from;
                span.1 -= from;
            }
            let mut appended = Vec::with_capacity(outside.len());
            for k in outside {
                let s = stripped[k];
                lower.push(b'\n');
                appended.push((lower.len(), lower.len() + s.len(), k));
                lower.extend_from_slice(s.as_bytes());
            }
            lower.make_ascii_lowercase();
            // Blocks of a page come in reading order, so this sort finds the
            // spans sorted; a caller's blocks may come in any order.
            spans.extend(appended);
            spans.sort_unstable_by_key(|&(start, _, _)| start);
            let mut hit = |k: usize, m: aho_corasick::Match| {
                let words = blocks[k].1;
                match self.targets[m.pattern().as_usize()] {
                    Target::Phrase(rule) => {
                        // Lower-casing ASCII keeps every byte where it was.
                        let s = stripped[k];
                        if words <= self.body_max_words
                            && word_edge_before(s, m.start())
                            && word_edge_after(s, m.end())
                        {
                            decisions[k].add(&self.rules, rule, words);
                        }
                    }
                    Target::Factor(slot) => holds[k * self.slots + slot as usize] = true,
                }
            };
            if spans.windows(2).all(|w| w[0].1 <= w[1].0) {
                // One pass over the buffer; a match belongs to the block it
                // lies in, if any.
                for m in ac.find_overlapping_iter(&lower[..]) {
                    let i = spans.partition_point(|&(st, _, _)| st <= m.start());
                    if let Some(&(st, end, k)) = i.checked_sub(1).map(|i| &spans[i])
                        && m.end() <= end
                    {
                        hit(
                            k,
                            aho_corasick::Match::new(m.pattern(), m.start() - st..m.end() - st),
                        );
                    }
                }
            } else {
                // Blocks sharing text (a caller may pass a line twice): one
                // by one.
                for &(st, end, k) in &spans {
                    for m in ac.find_overlapping_iter(&lower[st..end]) {
                        hit(k, m);
                    }
                }
            }
        });
    }

    /// Line and prefix phrases: anchored at the block's start.
    fn match_head(&self, s: &str, words: u32, d: &mut Decision) {
        if let Some(dfa) = &self.head
            && words <= self.head_max_words
            && self.head_starts.may_start(s.as_bytes())
        {
            use aho_corasick::automaton::Automaton;
            let hay = &s.as_bytes()[..s.len().min(self.head_max_len)];
            let Ok(mut sid) = dfa.start_state(Anchored::Yes) else {
                return;
            };
            for (pos, &byte) in hay.iter().enumerate() {
                sid = dfa.next_state(Anchored::Yes, sid, byte);
                if dfa.is_dead(sid) {
                    break;
                }
                if !dfa.is_match(sid) {
                    continue;
                }
                for k in 0..dfa.match_len(sid) {
                    let (rule, mode, len) =
                        self.head_patterns[dfa.match_pattern(sid, k).as_usize()];
                    let end = pos + 1;
                    // Only phrases that start the block, ending on a
                    // character boundary.
                    if len != end || !s.is_char_boundary(end) {
                        continue;
                    }
                    let ok = match mode {
                        MatchMode::Line => s[end..].chars().all(|c| !c.is_alphanumeric()),
                        _ => word_edge_after(s, end),
                    };
                    if ok {
                        d.add(&self.rules, rule, words);
                    }
                }
            }
        }
    }

    /// Regex patterns: each one behind its gate, which runs at most once
    /// per block. `block` is the text and its words; `holds`, which
    /// floating patterns' required strings it holds (by slot).
    fn match_patterns(
        &self,
        gates: &Gates,
        caches: &mut super::gate::Caches,
        (s, words): (&str, u32),
        on_page: Option<&PageLiterals>,
        holds: &[bool],
        d: &mut Decision,
    ) {
        if words > self.regex_max_words {
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
            let p = &self.regex[j];
            words <= p.max_words
                && match p.slot {
                    Some(slot) => holds[slot as usize],
                    None => !p.has_literals || on_page.is_none_or(|l| l.floating[j]),
                }
        };
        if !start && !wide && !end && !self.floating.iter().any(|&j| may_float(j)) {
            return;
        }
        for (j, p) in self.regex.iter().enumerate() {
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
                d.add(&self.rules, p.rule, words);
            }
        }
    }
}

/// Which literals of the patterns the page holds: a block cut from the
/// page cannot match a pattern whose literals the page lacks.
struct PageLiterals {
    /// By pattern: the page holds a literal of this floating pattern.
    floating: Vec<bool>,
    /// The page holds a literal of a wide pattern.
    wide: bool,
}

/// The rules that matched one block so far: the first keep rule and the
/// first other rule, in file order.
#[derive(Debug, Clone, Copy, Default)]
struct Decision {
    keep: Option<u32>,
    drop: Option<u32>,
}

impl Decision {
    /// Counts rule `i` unless the block has more words than the rule allows.
    fn add(&mut self, rules: &[Rule], i: u32, words: u32) {
        if rules[i as usize].max_words.is_some_and(|m| words > m) {
            return;
        }
        let slot = if rules[i as usize].action == Action::Keep {
            &mut self.keep
        } else {
            &mut self.drop
        };
        *slot = Some(slot.map_or(i, |k| k.min(i)));
    }

    /// The deciding rule: a keep rule wins.
    fn decide(self) -> Option<u32> {
        self.keep.or(self.drop)
    }
}

impl RuleSet {
    /// The selector rule an HTML element matches, if any: a keep rule wins,
    /// otherwise the first in file order.
    pub fn select(&self, element: &scraper::ElementRef<'_>) -> Option<usize> {
        if self.selectors.is_empty() {
            return None;
        }
        CANDIDATES.with_borrow_mut(|candidates| {
            self.prefilter.candidates(element.value(), candidates);
            let (mut keep, mut drop) = (None::<usize>, None::<usize>);
            for &k in candidates.iter() {
                let (selector, rule) = &self.selectors[k as usize];
                let rule = *rule as usize;
                let best = if self.rules[rule].action == Action::Keep {
                    &mut keep
                } else {
                    &mut drop
                };
                if best.is_none_or(|b| rule < b) && selector.matches(element) {
                    *best = Some(rule);
                }
            }
            keep.or(drop)
        })
    }

    /// Whether any rule has selectors.
    pub fn has_selectors(&self) -> bool {
        !self.selectors.is_empty()
    }
}

/// A phrase written with a straight apostrophe also matches the typographic
/// one, and the other way round.
fn apostrophe_variants(phrase: &str) -> Vec<String> {
    let mut v = Vec::new();
    for cased in case_variants(phrase) {
        if cased.contains('\'') {
            v.push(cased.replace('\'', "’"));
        } else if cased.contains('’') {
            v.push(cased.replace('’', "'"));
        }
        v.push(cased);
    }
    v
}

/// The spellings of a phrase that differ in the case of its non-ASCII
/// letters (ASCII letters match in any case already): as written, all
/// lower, all upper, the first letter upper (a sentence), each word's first
/// letter upper (a title). `ähnliche beiträge` also matches `Ähnliche
/// Beiträge`, `Ähnliche beiträge` and `ÄHNLICHE BEITRÄGE`; other mixes of
/// case in non-ASCII letters do not.
fn case_variants(phrase: &str) -> Vec<String> {
    let cased = |c: char| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase());
    if !phrase.chars().any(cased) {
        return vec![phrase.to_string()];
    }
    // Non-ASCII letters changed; ASCII ones kept as written.
    let map = |upper: &dyn Fn(usize, bool) -> bool| -> String {
        let mut out = String::with_capacity(phrase.len() + 4);
        let mut word_start = true;
        for (i, c) in phrase.chars().enumerate() {
            if c.is_ascii() {
                out.push(c);
            } else if upper(i, word_start) {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            word_start = !c.is_alphanumeric();
        }
        out
    };
    let mut v = vec![
        phrase.to_string(),
        map(&|_, _| false),
        map(&|_, _| true),
        map(&|i, _| i == 0),
        map(&|_, start| start),
    ];
    let mut seen = std::collections::HashSet::new();
    v.retain(|p| seen.insert(p.clone()));
    v
}

/// True when the match does not end inside a word (`Share` must not match `Shareholders`).
fn word_edge_after(s: &str, end: usize) -> bool {
    let last = s[..end].chars().next_back();
    let next = s[end..].chars().next();
    match (last, next) {
        (Some(a), Some(b)) => !(a.is_alphanumeric() && b.is_alphanumeric()),
        _ => true,
    }
}

fn word_edge_before(s: &str, start: usize) -> bool {
    let prev = s[..start].chars().next_back();
    let first = s[start..].chars().next();
    match (prev, first) {
        (Some(a), Some(b)) => !(a.is_alphanumeric() && b.is_alphanumeric()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn set(src: &str) -> RuleSet {
        RuleSet::compile(parse_rule_file("t.toml", src).unwrap().rules).unwrap()
    }

    /// Pieces of blocks near what the shipped patterns look for (credits,
    /// reading times, bylines, counts), and plain words, ASCII and not.
    const PIECES: &[&str] = &[
        "Foto:",
        "foto",
        "Photo",
        "PHOTO:",
        "Źródło:",
        "źródło",
        "Quelle:",
        "Bild",
        "Fot.",
        "phot.",
        "©",
        "(c)",
        "(C)",
        "Pixabay",
        "dpa",
        "/",
        "|",
        "·",
        "•",
        "-",
        "–",
        ":",
        ".",
        ",",
        "(",
        ")",
        "5",
        "12",
        "2024",
        "min",
        "Min.",
        "minutes",
        "read",
        "Reading",
        "Lesedauer",
        "Lesezeit",
        "ca.",
        "czytania",
        "de lecture",
        "Share",
        "share",
        "Teilen",
        "Kommentare",
        "comments",
        "Straße",
        "ſource",
        "\u{212a}",
        "Äpfel",
        "über",
        "the",
        "und",
        "Der",
        "article",
        "by",
        "Von",
        "Anna",
        "Müller",
        "CC BY",
        "cc-by",
        "4.0",
        "(n.d.)",
        "Smith",
        "et al.",
        "words",
        "Follow",
        "us",
        "on",
        "Twitter",
        "Facebook",
        "Advertisement",
        "Anzeige",
        "Tags:",
        "•",
    ];

    /// Checks that `set` decides each of `texts` as `want` does, with the
    /// blocks cut from one page (a line each) and with them passed alone.
    fn decides_as(
        set: &RuleSet,
        texts: &[String],
        want: impl Fn(&str, u32) -> Option<usize>,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let page = texts.join("\n");
        let mut blocks = Vec::new();
        let mut at = 0;
        for t in texts {
            let words = t.split_whitespace().count() as u32;
            blocks.push((&page[at..at + t.len()], words));
            at += t.len() + 1;
        }
        let got = set.match_page(&page, &blocks);
        let alone = set.match_page("", &blocks);
        for (k, &(text, words)) in blocks.iter().enumerate() {
            let want = want(text, words);
            proptest::prop_assert_eq!(got[k].map(|m| m.index), want, "block {:?}", text);
            proptest::prop_assert_eq!(alone[k].map(|m| m.index), want, "block {:?} alone", text);
        }
        Ok(())
    }

    /// A rule with its patterns compiled by the `regex` crate.
    type Compiled = (Rule, Vec<regex::Regex>);

    /// The shipped rules `pick` keeps (as it rewrites them), each with its
    /// regexes compiled by the `regex` crate, and their set.
    fn shipped_rules(pick: impl Fn(&Rule) -> Option<Rule>) -> (Vec<Compiled>, RuleSet) {
        let book = crate::rules::RuleBook::shipped().unwrap();
        let rules: Vec<Rule> = book
            .for_site(None)
            .rules()
            .iter()
            .filter_map(pick)
            .collect();
        let set = RuleSet::compile(rules.clone()).unwrap();
        let compiled = rules
            .into_iter()
            .map(|r| {
                let res = r
                    .regex
                    .iter()
                    .map(|p| regex::Regex::new(p).unwrap())
                    .collect();
                (r, res)
            })
            .collect();
        (compiled, set)
    }

    /// The shipped regex rules alone (phrases and selectors taken out).
    static REGEX_RULES: std::sync::LazyLock<(Vec<Compiled>, RuleSet)> =
        std::sync::LazyLock::new(|| {
            shipped_rules(|r| {
                (!r.regex.is_empty()).then(|| Rule {
                    phrases: Vec::new(),
                    selectors: Vec::new(),
                    ..r.clone()
                })
            })
        });

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(300))]
        /// The shipped regex rules decide every block as the reference does,
        /// whether the blocks are cut from the page or passed on their own.
        #[test]
        fn regex_rules_match_as_a_plain_matcher_does(
            lines in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(PIECES), 1..10),
                1..8,
            ),
            spaced in proptest::bool::ANY,
        ) {
            let (rules, set) = &*REGEX_RULES;
            let sep = if spaced { " " } else { "" };
            let texts: Vec<String> = lines.iter().map(|l| l.join(sep)).collect();
            decides_as(set, &texts, |text, words| text_reference(rules, text, words))?;
        }
    }

    /// Whether `v` stands in `s` at byte `at`, ASCII letters compared
    /// case-insensitively.
    fn stands_at(s: &str, at: usize, v: &str) -> bool {
        s.is_char_boundary(at)
            && s.len() >= at + v.len()
            && s.is_char_boundary(at + v.len())
            && s[at..at + v.len()].eq_ignore_ascii_case(v)
    }

    /// A plain reference for a phrase rule: each spelling of each phrase
    /// compared at every place the mode allows, no automaton, filter or
    /// page search in the way.
    fn phrase_matches(rule: &Rule, s: &str) -> bool {
        rule.phrases
            .iter()
            .flat_map(|p| apostrophe_variants(p))
            .any(|v| match rule.mode {
                MatchMode::Line => {
                    stands_at(s, 0, &v) && s[v.len()..].chars().all(|c| !c.is_alphanumeric())
                }
                MatchMode::Prefix => stands_at(s, 0, &v) && word_edge_after(s, v.len()),
                MatchMode::Contains => (0..s.len()).any(|i| {
                    stands_at(s, i, &v) && word_edge_before(s, i) && word_edge_after(s, i + v.len())
                }),
            })
    }

    /// The shipped phrase and regex rules (selectors taken out), their set,
    /// and pieces for generated blocks: every phrase, as written, in
    /// capitals and capitalised, and some words around them.
    static TEXT_RULES: std::sync::LazyLock<(Vec<Compiled>, RuleSet, Vec<String>)> =
        std::sync::LazyLock::new(|| {
            let (rules, set) = shipped_rules(|r| {
                (!r.regex.is_empty() || !r.phrases.is_empty()).then(|| Rule {
                    selectors: Vec::new(),
                    ..r.clone()
                })
            });
            let mut pieces: Vec<String> = PIECES.iter().map(|p| p.to_string()).collect();
            for (r, _) in &rules {
                for p in &r.phrases {
                    let mut title = p.clone();
                    if let Some(c) = p.chars().next() {
                        title = c.to_uppercase().chain(p.chars().skip(1)).collect();
                    }
                    pieces.extend([p.clone(), p.to_uppercase(), title]);
                }
            }
            (rules, set, pieces)
        });

    /// The decision of the plain reference for phrase and regex rules.
    fn text_reference(rules: &[Compiled], text: &str, words: u32) -> Option<usize> {
        let s = strip_bullet(text);
        let hit = |(r, res): &Compiled| {
            r.max_words.is_none_or(|m| words <= m)
                && (phrase_matches(r, s) || res.iter().any(|re| re.is_match(s)))
        };
        let first = |keep: bool| {
            rules
                .iter()
                .position(|c| (c.0.action == Action::Keep) == keep && hit(c))
        };
        first(true).or(first(false))
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(200))]
        /// The shipped phrase and regex rules together decide every block as
        /// the plain reference does: the head trie and its start filter,
        /// the page-wide search of contains phrases and the regex gates lose
        /// no match and invent none.
        #[test]
        fn phrase_and_regex_rules_match_as_a_plain_matcher_does(
            lines in proptest::collection::vec(
                proptest::collection::vec(proptest::num::usize::ANY, 1..6),
                1..8,
            ),
            bullet in proptest::bool::ANY,
        ) {
            let (rules, set, pieces) = &*TEXT_RULES;
            let texts: Vec<String> = lines
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let words: Vec<&str> = l.iter().map(|&i| pieces[i % pieces.len()].as_str()).collect();
                    let line = words.join(" ");
                    if bullet && k % 2 == 0 { format!("* {line}") } else { line }
                })
                .collect();
            decides_as(set, &texts, |text, words| text_reference(rules, text, words))?;
        }
    }

    fn ids(set: &RuleSet, text: &str) -> Option<String> {
        let words = crate::document::Features::of(text).words;
        set.match_block(text, words)
            .map(|m| set.rules()[m.index].id.clone())
    }

    #[test]
    fn the_selector_prefilter_loses_no_match() {
        // Every element of the HTML fixtures, and of a page holding the
        // class words of every shipped selector, gets the rule that testing
        // each selector in turn gives.
        let book = crate::rules::RuleBook::shipped().unwrap();
        let set = book.for_site(None);
        let mut pages: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/html"))
                .unwrap()
                .map(|e| {
                    std::fs::read_to_string(e.unwrap().path().join("input.html"))
                        .unwrap_or_default()
                })
                // (not the 50 000 nested elements of the deep-nesting case)
                .filter(|p| p.len() < 200_000)
                .collect();
        pages.push(
            r#"<div class="Cookie-Bar"><p class="tags">t</p><aside class="x js-related-box">r</aside>
<section id="related-1"><nav role="navigation" class="post-tags"><a>x</a></nav></section>
<ins class="adsbygoogle"></ins><div id="div-gpt-ad-1"></div><div style="display: none">h</div>
<figcaption>c</figcaption><div class="author-box rating-stars newsletter-signup">b</div></div>"#
                .to_string(),
        );
        let mut checked = 0;
        for page in &pages {
            let html = scraper::Html::parse_document(page);
            for node in html.tree.nodes() {
                let Some(el) = scraper::ElementRef::wrap(node) else {
                    continue;
                };
                let naive = {
                    let matching = set
                        .selectors
                        .iter()
                        .filter(|(s, _)| s.matches(&el))
                        .map(|&(_, r)| r as usize);
                    let (keep, drop): (Vec<usize>, Vec<usize>) =
                        matching.partition(|&r| set.rules[r].action == Action::Keep);
                    keep.into_iter().min().or(drop.into_iter().min())
                };
                assert_eq!(
                    set.select(&el),
                    naive,
                    "{}",
                    el.html().chars().take(120).collect::<String>()
                );
                checked += naive.is_some() as usize;
            }
        }
        assert!(checked >= 10, "the pages hold selected elements: {checked}");
    }

    #[test]
    fn non_ascii_letters_match_as_lower_upper_sentence_or_title_case() {
        let set = set(concat!(
            "[[rule]]\nid = \"l\"\ncategory = \"teasers\"\nphrases = [\"ähnliche beiträge\"]\n",
            "[[rule]]\nid = \"p\"\ncategory = \"share\"\nphrases = [\"Artikel teilen über\"]\nmatch = \"prefix\"\n",
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"Utilizamos cookies para análisis\"]\nmatch = \"contains\"\n",
        ));
        for text in [
            "ähnliche beiträge",
            "Ähnliche Beiträge",
            "Ähnliche beiträge:",
            "ÄHNLICHE BEITRÄGE",
        ] {
            assert_eq!(ids(&set, text).as_deref(), Some("l"), "{text}");
        }
        assert_eq!(
            ids(&set, "äHNLICHE beiTRäge"),
            Some("l".into()),
            "ASCII letters in any case"
        );
        assert_eq!(
            ids(&set, "Ähnliche Beitrage"),
            None,
            "a letter is not its neighbour"
        );
        assert_eq!(
            ids(&set, "ARTIKEL TEILEN ÜBER Facebook").as_deref(),
            Some("p")
        );
        assert_eq!(
            ids(&set, "Utilizamos cookies para Análisis y publicidad.").as_deref(),
            Some("c")
        );
        assert_eq!(
            ids(&set, "UTILIZAMOS COOKIES PARA ANÁLISIS.").as_deref(),
            Some("c")
        );
    }

    #[test]
    fn contains_phrases_are_found_in_blocks_given_in_any_order_or_twice() {
        let set = set(
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"uses cookies\"]\nmatch = \"contains\"\n",
        );
        let page = "Home\nThis site uses cookies.\nThe council voted.\n";
        let line = |n: usize| page.lines().nth(n).unwrap();
        let found = |blocks: &[(&str, u32)]| -> Vec<bool> {
            set.match_page(page, blocks)
                .iter()
                .map(Option::is_some)
                .collect()
        };
        // Out of reading order.
        assert_eq!(
            found(&[(line(2), 3), (line(1), 4), (line(0), 1)]),
            [false, true, false]
        );
        // The same line twice.
        assert_eq!(found(&[(line(1), 4), (line(1), 4)]), [true, true]);
    }

    /// Table of (block, expected rule id) against one rule set.
    #[test]
    fn matching_table() {
        let s = set(r#"
[[rule]]
id = "share"
category = "share"
phrases = ["share this post", "share", "tweet"]

[[rule]]
id = "subscribed"
category = "subscribe"
phrases = ["you've been subscribed", "subscribing"]

[[rule]]
id = "read-more"
category = "teasers"
phrases = ["read more:", "related:"]
match = "prefix"

[[rule]]
id = "pic"
category = "share"
phrases = ["pic.twitter.com/"]
match = "contains"
max_words = 40

[[rule]]
id = "caption"
category = "captions"
regex = ['^\((?i:photo|image): [^)]*\)$']
max_words = 20

[[rule]]
id = "keep-share-price"
category = "keep"
phrases = ["share price"]
match = "prefix"
"#);
        let cases: &[(&str, Option<&str>)] = &[
            ("Share this post", Some("share")),
            ("  * SHARE  ", Some("share")),
            ("Share:", Some("share")),
            ("Shareholders were told on Monday.", None),
            ("Share this post with your friends and family today", None),
            ("Subscribing...", Some("subscribed")),
            ("You’ve been subscribed!", Some("subscribed")),
            (
                "Read more: Alibaba poised to launch record-breaking listing",
                Some("read-more"),
            ),
            ("Read more about the plan in our guide.", None),
            (
                "We discussed many aspects… pic.twitter.com/flmigxqtbl",
                Some("pic"),
            ),
            ("(Photo: Reuters)", Some("caption")),
            ("(Photo: Reuters) and more words", None),
            ("Share price rose.", Some("keep-share-price")),
            ("Tweets", None),
        ];
        for (text, want) in cases {
            assert_eq!(ids(&s, text).as_deref(), *want, "block {text:?}");
        }
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

    #[test]
    fn max_words_limits_a_rule() {
        let s = set(
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"cookies\"]\nmatch = \"contains\"\nmax_words = 5\n",
        );
        assert!(ids(&s, "We use cookies here.").is_some());
        assert!(
            ids(
                &s,
                "The bakery sold cookies to over a thousand customers on Sunday."
            )
            .is_none()
        );
    }
}
