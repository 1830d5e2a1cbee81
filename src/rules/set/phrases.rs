//! Contains phrases, and the strings floating patterns need: one search of
//! the lower-cased page for both.

use super::patterns::SlotNeed;
use super::{CompileError, apostrophe_variants, word_edge_after, word_edge_before};
use crate::rules::{MatchMode, Rule};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Contains phrases up to this many are searched with a DFA, more with a
/// compact NFA: a DFA is quicker to walk, but 100 000 phrases take 1 s and
/// 450 MB to build one (the shipped rules have 31).
const MAX_DFA_PHRASES: usize = 2_000;

thread_local! {
    /// Each worker's buffer for the lower-cased page.
    static LOWER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Contains phrases and the strings floating patterns need (see
/// [`crate::rules::factors`]), lower-cased, in one automaton run once over
/// the lower-cased page: case-sensitive, it steps through a byte at a time
/// on a table of its own (or skips ahead with its SIMD prefilter), where a
/// case-insensitive one needs twice the states.
#[derive(Debug, Clone)]
pub(super) struct ContainsPhrases {
    automaton: Option<AhoCorasick>,
    /// What each string of the automaton stands for.
    targets: Vec<Target>,
    /// Blocks with more words than this cannot match a contains phrase.
    phrase_max_words: u32,
    /// Blocks with more words than this match no pattern with a slot.
    slot_max_words: u32,
    /// How many floating patterns have a slot.
    slots: usize,
}

/// What a string of [`ContainsPhrases::automaton`] stands for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A contains phrase of this rule.
    Phrase(u32),
    /// A string the floating pattern in this slot needs.
    Factor(u32),
}

/// A block's place in the lower-cased buffer: its start and end, and its
/// index among the page's blocks.
type Span = (usize, usize, usize);

impl ContainsPhrases {
    /// The contains phrases of `rules` (each in every spelling it
    /// matches), and the strings of each slot in `needs`.
    pub(super) fn new(rules: &[Rule], needs: &[SlotNeed]) -> Result<ContainsPhrases, CompileError> {
        let mut strings: Vec<Vec<u8>> = Vec::new();
        let mut targets = Vec::new();
        let mut phrase_max_words = 0u32;
        for (i, rule) in rules.iter().enumerate() {
            if rule.mode != MatchMode::Contains {
                continue;
            }
            for phrase in &rule.phrases {
                phrase_max_words = phrase_max_words.max(rule.max_words.unwrap_or(u32::MAX));
                for variant in apostrophe_variants(phrase) {
                    strings.push(variant.to_ascii_lowercase().into_bytes());
                    targets.push(Target::Phrase(i as u32));
                }
            }
        }
        for (slot, need) in needs.iter().enumerate() {
            for s in &need.strings {
                strings.push(s.clone());
                targets.push(Target::Factor(slot as u32));
            }
        }
        let automaton = if strings.is_empty() {
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
        Ok(ContainsPhrases {
            automaton,
            targets,
            phrase_max_words,
            slot_max_words: needs.iter().map(|n| n.max_words).max().unwrap_or(0),
            slots: needs.len(),
        })
    }

    /// How many floating patterns have a slot: the width of a row of
    /// `holds` in [`ContainsPhrases::find`].
    pub(super) fn slots(&self) -> usize {
        self.slots
    }

    /// Finds the contains phrases and needed strings in every block of a
    /// page: the page is lower-cased whole, with the blocks that do not
    /// borrow from it (Markdown taken out, wrapped lines joined) appended,
    /// a line each, and searched in one pass; each match is taken to the
    /// block around it.
    ///
    /// `blocks` are `(text, words)`, `stripped` their texts with list
    /// markers taken off. Calls `phrase(block, rule)` for each contains
    /// phrase a block holds, and marks in `holds` (a row of
    /// [`ContainsPhrases::slots`] per block) which floating patterns each
    /// block may match.
    pub(super) fn find(
        &self,
        page: &str,
        blocks: &[(&str, u32)],
        stripped: &[&str],
        mut phrase: impl FnMut(usize, u32),
        holds: &mut [bool],
    ) {
        let Some(ac) = &self.automaton else {
            return;
        };
        LOWER.with_borrow_mut(|lower| {
            let Some(spans) = self.lower_blocks(page, blocks, stripped, lower) else {
                return;
            };
            let mut hit = |k: usize, m: aho_corasick::Match| {
                let words = blocks[k].1;
                match self.targets[m.pattern().as_usize()] {
                    Target::Phrase(rule) => {
                        // Lower-casing ASCII keeps every byte where it was.
                        let s = stripped[k];
                        if words <= self.phrase_max_words
                            && word_edge_before(s, m.start())
                            && word_edge_after(s, m.end())
                        {
                            phrase(k, rule);
                        }
                    }
                    Target::Factor(slot) => holds[k * self.slots + slot as usize] = true,
                }
            };
            search(ac, lower, &spans, &mut hit);
        });
    }

    /// Fills `lower` with the lower-cased text of the blocks short enough
    /// for a contains phrase or a slot: the part of the page they cover,
    /// then each block that does not borrow from the page on a line of its
    /// own. Returns where each block is in it, in buffer order; `None` when
    /// no block is short enough (then there is no copy of the page: a
    /// 300 MB one-line page is one long block).
    fn lower_blocks(
        &self,
        page: &str,
        blocks: &[(&str, u32)],
        stripped: &[&str],
        lower: &mut Vec<u8>,
    ) -> Option<Vec<Span>> {
        let max_words = self.phrase_max_words.max(self.slot_max_words);
        let page_range = page.as_bytes().as_ptr_range();
        lower.clear();
        let mut spans: Vec<Span> = Vec::new();
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
            return None;
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
        for k in outside {
            let s = stripped[k];
            lower.push(b'\n');
            spans.push((lower.len(), lower.len() + s.len(), k));
            lower.extend_from_slice(s.as_bytes());
        }
        lower.make_ascii_lowercase();
        // Blocks of a page come in reading order, so this sort finds the
        // spans sorted; a caller's blocks may come in any order.
        spans.sort_unstable_by_key(|&(start, _, _)| start);
        Some(spans)
    }
}

/// Runs the automaton over the blocks' `spans` of `lower`, calling `hit`
/// with each match, placed in its block.
fn search(
    ac: &AhoCorasick,
    lower: &[u8],
    spans: &[Span],
    hit: &mut impl FnMut(usize, aho_corasick::Match),
) {
    if spans.windows(2).all(|w| w[0].1 <= w[1].0) {
        // One pass over the buffer; a match belongs to the block it lies
        // in, if any.
        for m in ac.find_overlapping_iter(lower) {
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
        // Blocks sharing text (a caller may pass a line twice): one by one.
        for &(st, end, k) in spans {
            for m in ac.find_overlapping_iter(&lower[st..end]) {
                hit(k, m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn phrases(src: &str, needs: &[SlotNeed]) -> ContainsPhrases {
        ContainsPhrases::new(&parse_rule_file("t.toml", src).unwrap().rules, needs).unwrap()
    }

    /// The rule each block's contains phrases give (the first, if more),
    /// and its row of `holds`, for blocks cut from `page` a line each.
    fn find(set: &ContainsPhrases, page: &str) -> Vec<(Option<u32>, Vec<bool>)> {
        let blocks: Vec<(&str, u32)> = page
            .lines()
            .map(|l| (l, l.split_whitespace().count() as u32))
            .collect();
        let stripped: Vec<&str> = blocks
            .iter()
            .map(|&(t, _)| crate::document::strip_bullet(t))
            .collect();
        let mut rules = vec![None; blocks.len()];
        let mut holds = vec![false; blocks.len() * set.slots()];
        set.find(
            page,
            &blocks,
            &stripped,
            |k, r| {
                rules[k].get_or_insert(r);
            },
            &mut holds,
        );
        let rows = holds.chunks(set.slots().max(1)).map(<[bool]>::to_vec);
        rules
            .into_iter()
            .zip(rows.chain(std::iter::repeat(Vec::new())))
            .collect()
    }

    #[test]
    fn a_subscription_prompt_is_found_inside_a_block_at_word_edges() {
        let set = phrases(
            "[[rule]]\nid = \"sub\"\ncategory = \"subscribe\"\nphrases = [\"sign up for our newsletter\"]\nmatch = \"contains\"\n",
            &[],
        );
        let got = find(
            &set,
            "The council voted.\n* Want more? Sign up for our Newsletter today.\nSign up for our newsletters\n",
        );
        let rules: Vec<Option<u32>> = got.iter().map(|g| g.0).collect();
        assert_eq!(rules, [None, Some(0), None]);
    }

    #[test]
    fn a_non_ascii_phrase_is_found_in_its_cases() {
        let set = phrases(
            "[[rule]]\nid = \"c\"\ncategory = \"consent\"\nphrases = [\"Wir verwenden Cookies für Statistiken\"]\nmatch = \"contains\"\n",
            &[],
        );
        let got = find(
            &set,
            "WIR VERWENDEN COOKIES FÜR STATISTIKEN.\nWir verwenden Cookies fur Statistiken.\n",
        );
        let rules: Vec<Option<u32>> = got.iter().map(|g| g.0).collect();
        assert_eq!(rules, [Some(0), None]);
    }

    #[test]
    fn needed_strings_mark_their_slot_in_the_blocks_that_hold_them() {
        let needs = [
            SlotNeed {
                strings: vec![b"foto".to_vec(), b"photo".to_vec()],
                max_words: 20,
            },
            SlotNeed {
                strings: vec![b"min read".to_vec()],
                max_words: 3,
            },
        ];
        let set = phrases(
            "[[rule]]\nid = \"x\"\ncategory = \"share\"\nphrases = [\"x\"]\n",
            &needs,
        );
        let got = find(
            &set,
            concat!(
                "A harbour at dawn. PHOTO: Anna Müller\n5 min read\n",
                "The ferry, 5 min read on the timetable, left late again this morning because ",
                "the harbour master said the fog was far too thick to sail\n",
            ),
        );
        let holds: Vec<Vec<bool>> = got.into_iter().map(|g| g.1).collect();
        assert_eq!(
            holds,
            [vec![true, false], vec![false, true], vec![false, false]]
        );
    }

    #[test]
    fn blocks_not_cut_from_the_page_are_searched_too() {
        let set = phrases(
            "[[rule]]\nid = \"pic\"\ncategory = \"share\"\nphrases = [\"pic.twitter.com/\"]\nmatch = \"contains\"\n",
            &[],
        );
        let blocks = [("See pic.twitter.com/abc", 2), ("Nothing here", 2)];
        let stripped = ["See pic.twitter.com/abc", "Nothing here"];
        let mut found = Vec::new();
        set.find("", &blocks, &stripped, |k, r| found.push((k, r)), &mut []);
        assert_eq!(found, [(0, 0)]);
    }
}
