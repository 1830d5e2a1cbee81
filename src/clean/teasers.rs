//! Teasers for other stories, found by structure and by relatedness.
//!
//! * **Cards**: after the article has started, a headline printed twice in a row
//!   opens a teaser card (the card's title link and its heading); the card's
//!   blurb and byline follow it.
//! * **Unrelated segments**: the article region is cut into segments at
//!   end-of-article chrome (share rows, subscription prompts, comment prompts).
//!   The segment with the most words is the article; a later
//!   segment that shares few of its words with the article is a teaser for
//!   another story (an Oscars blurb under a story about Ukraine).
//! * **Repeated titles**: a headline printed twice is kept once.

use super::{By, Mark, Page, is_paragraph};
use crate::rules::Category;

/// Below this share of its distinct words found in the article, a trailing
/// segment is unrelated.
const RELATED_MIN: f32 = 0.2;
/// Separator blocks in a row that end a segment.
const SEPARATOR_RUN: usize = 2;
/// Segments with fewer distinct words than this are too small to judge.
const MIN_WORDS_TO_JUDGE: usize = 5;
/// A block printed twice in a row is a repeated headline when it is this short.
const MAX_TITLE_WORDS: u32 = 30;

fn first_paragraph(page: &Page<'_, '_>, start: usize, end: usize) -> Option<usize> {
    (start..end).find(|&i| page.marks[i] == Mark::Open && is_paragraph(&page.blocks[i]))
}

/// Finds teaser cards anywhere after the article's first paragraph, inside
/// the article region or below it.
pub(crate) fn remove_cards(page: &mut Page<'_, '_>, start: usize) {
    let end = page.blocks.len();
    let Some(p0) = first_paragraph(page, start, end) else {
        return;
    };
    let is_card_start = |page: &Page<'_, '_>, i: usize| {
        i + 1 < end
            && page.blocks[i].features.is_heading_like()
            && page.blocks[i].features.words >= 2
            && page.blocks[i].visible.trim() == page.blocks[i + 1].visible.trim()
    };
    let mut i = p0 + 1;
    while i < end {
        if !is_card_start(page, i) {
            i += 1;
            continue;
        }
        page.reclassify(i, Category::Teasers, By::Detector("teaser-card", 1.0));
        page.reclassify(i + 1, Category::Teasers, By::Detector("teaser-card", 1.0));
        let mut k = i + 2;
        let mut taken = 0;
        while k < end && taken < 3 && !is_card_start(page, k) {
            let f = page.blocks[k].features;
            if is_paragraph(&page.blocks[k]) || f.words <= 4 || f.chars >= 80 {
                page.reclassify(k, Category::Teasers, By::Detector("teaser-card", 0.8));
                taken += 1;
                k += 1;
            } else {
                break;
            }
        }
        i = k;
    }
}

/// Blocks that end an article's text: share rows, subscription and comment
/// prompts. (Not teaser headings: a related-stories box often sits in the
/// middle of an article, and the article goes on under it.)
fn is_separator(mark: Mark) -> bool {
    matches!(
        mark,
        Mark::Removed(
            Category::Share | Category::Subscribe | Category::Comments,
            _
        )
    )
}

/// Distinct words of four or more characters, lower-cased, as sorted hashes
/// (no allocation per word).
fn distinct_words(page: &Page<'_, '_>, blocks: &[usize]) -> Vec<u64> {
    let mut set = Vec::new();
    for &i in blocks {
        for w in page.blocks[i].visible.split(|c: char| !c.is_alphanumeric()) {
            if w.len() < 4 || w.chars().count() < 4 {
                continue;
            }
            let h = w
                .chars()
                .flat_map(char::to_lowercase)
                .fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
                    (h ^ c as u64).wrapping_mul(0x0100_0000_01b3)
                });
            set.push(h);
        }
    }
    set.sort_unstable();
    set.dedup();
    set
}

pub(crate) fn remove_unrelated(page: &mut Page<'_, '_>, start: usize, end: usize) {
    let mut segments: Vec<Vec<usize>> = vec![Vec::new()];
    // A lone share line inside a story (an embedded post's attribution) does
    // not end it: chrome that ends an article comes in runs.
    let mut run = 0;
    for i in start..end {
        match page.marks[i] {
            m if is_separator(m) => run += 1,
            Mark::Removed(..) => {}
            _ => {
                if run >= SEPARATOR_RUN && !segments.last().is_some_and(|s| s.is_empty()) {
                    segments.push(Vec::new());
                }
                run = 0;
                segments.last_mut().expect("never empty").push(i);
            }
        }
    }
    if segments.len() < 2 {
        return;
    }
    let words = |s: &Vec<usize>| -> u32 { s.iter().map(|&i| page.blocks[i].features.words).sum() };
    let core = (0..segments.len())
        .max_by_key(|&k| words(&segments[k]))
        .expect("at least two segments");
    let vocab = distinct_words(page, &segments[core]);
    for seg in &segments[core + 1..] {
        let own = distinct_words(page, seg);
        if own.len() < MIN_WORDS_TO_JUDGE {
            continue;
        }
        let shared = own
            .iter()
            .filter(|w| vocab.binary_search(w).is_ok())
            .count();
        let related = shared as f32 / own.len() as f32;
        if related < RELATED_MIN {
            for &i in seg {
                page.remove(
                    i,
                    Category::Teasers,
                    By::Detector("unrelated-segment", related),
                );
            }
        }
    }
}

pub(crate) fn remove_repeated_titles(page: &mut Page<'_, '_>) {
    for i in 1..page.blocks.len() {
        let (a, b) = (
            page.blocks[i - 1].visible.trim(),
            page.blocks[i].visible.trim(),
        );
        if a != b
            || page.blocks[i].features.words > MAX_TITLE_WORDS
            || page.blocks[i].features.bullet
        {
            continue;
        }
        let by = By::Detector("repeated-title", 1.0);
        match (page.marks[i - 1], page.marks[i]) {
            (Mark::Open, Mark::Open) => page.marks[i] = Mark::Removed(Category::Title, by),
            (Mark::Removed(Category::Outside, _), Mark::Open) => {
                page.marks[i - 1] = Mark::Removed(Category::Title, by)
            }
            (Mark::Open, Mark::Removed(Category::Outside, _)) => {
                page.marks[i] = Mark::Removed(Category::Title, by)
            }
            _ => {}
        }
    }
}
