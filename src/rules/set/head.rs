//! Line and prefix phrases: the phrases only ever matched at the start of
//! a block.

use super::{CompileError, apostrophe_variants, word_edge_after};
use crate::rules::{MatchMode, Rule};
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

/// The line and prefix phrases of a rule set, in an anchored automaton
/// walked byte by byte from the block's start: every phrase the block
/// starts with is met on the way.
#[derive(Debug, Clone)]
pub(super) struct HeadPhrases {
    /// A compact trie rather than a DFA: the DFA of the shipped phrases
    /// takes 1.9 MB, and a walk that leaves its first states mostly waits
    /// on memory.
    trie: Option<NFA>,
    /// Each phrase's rule, mode and length in bytes.
    phrases: Vec<(u32, MatchMode, usize)>,
    max_len: usize,
    /// The first bytes a block matching a phrase can start with: most
    /// blocks are ruled out before the automaton takes a step.
    starts: Box<StartFilter>,
    /// Blocks with more words than this cannot match a line or prefix phrase.
    max_words: u32,
}

impl HeadPhrases {
    /// The line and prefix phrases of `rules`, each in every spelling it
    /// matches (see [`apostrophe_variants`]).
    pub(super) fn new(rules: &[Rule]) -> Result<HeadPhrases, CompileError> {
        let mut spellings: Vec<String> = Vec::new();
        let mut phrases = Vec::new();
        let mut max_words = 0u32;
        for (i, rule) in rules.iter().enumerate() {
            if rule.mode == MatchMode::Contains {
                continue;
            }
            let limit = rule.max_words.unwrap_or(u32::MAX);
            for phrase in &rule.phrases {
                max_words = max_words.max(match rule.mode {
                    MatchMode::Line => crate::document::Features::of(phrase).words.min(limit),
                    _ => limit,
                });
                for variant in apostrophe_variants(phrase) {
                    phrases.push((i as u32, rule.mode, variant.len()));
                    spellings.push(variant);
                }
            }
        }
        let trie = if spellings.is_empty() {
            None
        } else {
            Some(
                NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&spellings)
                    .map_err(CompileError::automaton)?,
            )
        };
        let mut starts = Box::new(StartFilter::default());
        for p in &spellings {
            starts.add(p.as_bytes());
        }
        Ok(HeadPhrases {
            trie,
            phrases,
            max_len: spellings.iter().map(String::len).max().unwrap_or(0),
            starts,
            max_words,
        })
    }

    /// Calls `found` with the rule of each phrase `s` (a block of `words`
    /// words, list marker stripped) starts with as its mode requires: the
    /// whole block but trailing punctuation for a line phrase, up to a word's
    /// edge for a prefix.
    pub(super) fn find(&self, s: &str, words: u32, mut found: impl FnMut(u32)) {
        use aho_corasick::automaton::Automaton;
        let Some(trie) = &self.trie else {
            return;
        };
        if words > self.max_words || !self.starts.may_start(s.as_bytes()) {
            return;
        }
        let hay = &s.as_bytes()[..s.len().min(self.max_len)];
        let Ok(mut sid) = trie.start_state(Anchored::Yes) else {
            return;
        };
        for (pos, &byte) in hay.iter().enumerate() {
            sid = trie.next_state(Anchored::Yes, sid, byte);
            if trie.is_dead(sid) {
                break;
            }
            if !trie.is_match(sid) {
                continue;
            }
            for k in 0..trie.match_len(sid) {
                let (rule, mode, len) = self.phrases[trie.match_pattern(sid, k).as_usize()];
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
                    found(rule);
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rule_file;

    fn head(src: &str) -> HeadPhrases {
        HeadPhrases::new(&parse_rule_file("t.toml", src).unwrap().rules).unwrap()
    }

    fn found(head: &HeadPhrases, s: &str) -> Vec<u32> {
        let words = crate::document::Features::of(s).words;
        let mut rules = Vec::new();
        head.find(s, words, |r| rules.push(r));
        rules
    }

    #[test]
    fn a_share_button_line_is_the_whole_block_but_punctuation() {
        let h = head(
            "[[rule]]\nid = \"share\"\ncategory = \"share\"\nphrases = [\"Share this article\", \"Share\"]\n",
        );
        assert_eq!(found(&h, "Share this article"), [0]);
        assert_eq!(found(&h, "SHARE THIS ARTICLE:"), [0]);
        assert_eq!(found(&h, "Share…"), [0]);
        assert_eq!(
            found(&h, "Share this article with a friend"),
            [] as [u32; 0]
        );
        assert_eq!(found(&h, "Shareholders met"), [] as [u32; 0]);
    }

    #[test]
    fn a_prefix_ends_at_a_word_edge() {
        let h = head(concat!(
            "[[rule]]\nid = \"sub\"\ncategory = \"subscribe\"\nphrases = [\"Subscribe to our newsletter\"]\nmatch = \"prefix\"\n",
            "[[rule]]\nid = \"c\"\ncategory = \"share\"\nphrases = [\"cookies\"]\nmatch = \"contains\"\n",
        ));
        assert_eq!(
            found(&h, "Subscribe to our newsletter for the week's top stories"),
            [0]
        );
        assert_eq!(found(&h, "Subscribe to our newsletters"), [] as [u32; 0]);
        // Contains phrases are not this matcher's.
        assert_eq!(found(&h, "cookies"), [] as [u32; 0]);
    }

    #[test]
    fn a_non_ascii_phrase_matches_in_its_cases_and_apostrophes() {
        let h = head(concat!(
            "[[rule]]\nid = \"l\"\ncategory = \"teasers\"\nphrases = [\"Ähnliche Beiträge\"]\n",
            "[[rule]]\nid = \"s\"\ncategory = \"subscribe\"\nphrases = [\"You've been subscribed\"]\n",
        ));
        assert_eq!(found(&h, "ÄHNLICHE BEITRÄGE"), [0]);
        assert_eq!(found(&h, "ähnliche beiträge"), [0]);
        assert_eq!(found(&h, "Ähnliche Beitrage"), [] as [u32; 0]);
        assert_eq!(found(&h, "You’ve been subscribed!"), [1]);
    }

    #[test]
    fn a_line_phrase_reaches_no_longer_block_than_its_words() {
        let h = head("[[rule]]\nid = \"t\"\ncategory = \"share\"\nphrases = [\"Tweet\"]\n");
        assert_eq!(h.max_words, 1);
        let mut any = false;
        h.find("Tweet", 2, |_| any = true);
        assert!(!any, "a two-word block cannot be a one-word line");
    }
}
