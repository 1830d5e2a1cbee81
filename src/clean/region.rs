//! The main-content detector for text: the densest run of article-like blocks.
//!
//! Each block gets a value: sentence-like blocks count for the article in
//! proportion to their words, short labels and menu entries count against it,
//! and blocks that a rule removed count strongly against it. The article is the
//! run of consecutive blocks with the largest total (a maximum-sum subarray), so
//! a sub-heading or a caption between paragraphs stays inside, while menus,
//! teaser lists and footers around the article fall outside.

use super::{Mark, Page, is_paragraph};
use crate::rules::Category;
use regex::Regex;
use std::sync::LazyLock;

/// Weight of a short (under four words) non-sentence block.
const SHORT_PENALTY: f32 = 8.0;
/// Weight of a longer non-sentence block (a teaser headline, a menu line).
const LINE_PENALTY: f32 = 12.0;
/// Above this share of link text an HTML block is not body text.
const LINK_DENSITY_MAX: f32 = 0.7;
/// Weight of a block that a rule removed.
const RULE_PENALTY: f32 = 12.0;

/// The value of block `i` for the article: positive for body text.
pub(crate) fn value(page: &Page<'_, '_>, i: usize) -> f32 {
    let f = &page.blocks[i].features;
    match page.marks[i] {
        Mark::Protected => return (f.words as f32).max(10.0),
        Mark::Removed(Category::Outside, _) | Mark::Open => {}
        Mark::Removed(..) => return -RULE_PENALTY,
    }
    let words = f.words as f32;
    // In an HTML page, text that is mostly link text is navigation or teasers.
    let links = page.blocks[i]
        .html
        .map_or(0.0, |h| h.link_chars as f32 / f.chars.max(1) as f32);
    if links > LINK_DENSITY_MAX {
        return if f.words < 4 {
            -SHORT_PENALTY
        } else {
            -LINE_PENALTY
        };
    }
    if f.words >= 8 && f.ends_sentence && !f.bullet {
        words
    } else if f.words >= 25 {
        // Long but unfinished: body text cut short, or a long caption.
        0.5 * words
    } else if f.words < 4 {
        -SHORT_PENALTY
    } else {
        -LINE_PENALTY
    }
}

/// The article's blocks as a half-open range, or `None` when no block reads
/// as body text.
pub(crate) fn find(page: &Page<'_, '_>) -> Option<(usize, usize)> {
    let mut best = 0.0f32;
    let mut best_range = None;
    let mut sum = 0.0f32;
    let mut start = 0;
    for i in 0..page.blocks.len() {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += value(page, i);
        if sum > best {
            best = sum;
            best_range = Some((start, i + 1));
        }
    }
    // A paragraph that ends with a colon introduces the list under it; in an
    // HTML page, a list of plain text (not of links) right under the article
    // belongs to it too.
    if let Some((s, mut e)) = best_range {
        let colon =
            page.blocks[e - 1].visible.trim_end().ends_with(':') && page.marks[e - 1] == Mark::Open;
        while e < page.blocks.len()
            && page.marks[e] == Mark::Open
            && is_list_item(&page.blocks[e])
            && (colon || is_prose_item(&page.blocks[e]))
        {
            e += 1;
        }
        best_range = Some((s, e));
    }
    // A dump cut off mid-sentence ends with an unfinished paragraph.
    if let Some((s, e)) = best_range
        && e + 1 == page.blocks.len()
        && page.marks[e] == Mark::Open
        && page.blocks[e].features.words >= 12
        && !page.blocks[e].features.bullet
        && !page.blocks[e].features.has_url
    {
        best_range = Some((s, e + 1));
    }
    best_range
}

/// Fewest words of body text that make a page's own article markup credible.
const MARKED_MIN_WORDS: u32 = 30;

/// The lines of an HTML page inside the element it marks as its article's
/// body (`itemprop="articleBody"`), first to last, when they hold some body
/// text that no rule removed.
pub(crate) fn marked_body(page: &Page<'_, '_>) -> Option<(usize, usize)> {
    let marked = |i: &usize| page.blocks[*i].html.is_some_and(|h| h.marked_body);
    let first = (0..page.blocks.len()).find(marked)?;
    let last = (0..page.blocks.len()).rev().find(marked)?;
    let words: u32 = (first..=last)
        .filter(|i| marked(i) && !page.marks[*i].is_removed())
        .map(|i| page.blocks[i].features.words)
        .sum();
    (words >= MARKED_MIN_WORDS).then_some((first, last + 1))
}

/// Whether a page's article markup can be believed next to the region the
/// text itself points to: unless the region's body text is mostly outside
/// the marked element (a page that marks only its lead, say). On the dev
/// set the marked element always holds at least 39% of the region's body
/// text; a quarter is the floor, checked when the region holds 100 words of
/// body text or more.
pub(crate) fn markup_credible(page: &Page<'_, '_>, region: Option<(usize, usize)>) -> bool {
    let Some((start, end)) = region else {
        return true;
    };
    let (mut inside, mut total) = (0u32, 0u32);
    for i in start..end {
        let b = &page.blocks[i];
        if is_paragraph(b) && !page.marks[i].is_removed() {
            total += b.features.words;
            if b.html.is_some_and(|h| h.marked_body) {
                inside += b.features.words;
            }
        }
    }
    total < 100 || inside * 4 >= total
}

/// In an HTML page, the element that holds the article: the smallest block
/// element that holds nine tenths of the region's body text.
pub(crate) fn container(page: &Page<'_, '_>, start: usize, end: usize) -> Option<u32> {
    use std::collections::HashMap;
    let mut weight: HashMap<u32, f32> = HashMap::new();
    let mut total = 0.0;
    for i in start..end {
        let h = page.blocks[i].html?;
        let v = value(page, i);
        if v > 0.0 {
            total += v;
            for &id in h.containers[1..].iter().filter(|&&id| id != 0) {
                *weight.entry(id).or_default() += v;
            }
        }
    }
    let size = |id: u32| {
        (0..page.blocks.len())
            .filter(|&i| in_container(page, i, id))
            .count()
    };
    weight
        .iter()
        .filter(|&(_, &w)| w >= CONTAINER_SHARE * total)
        .map(|(&id, _)| (size(id), id))
        .min()
        .map(|(_, id)| id)
}

/// Whether block `i` of an HTML page is mostly link text.
pub(crate) fn link_dense(page: &Page<'_, '_>, i: usize) -> bool {
    let b = &page.blocks[i];
    b.html
        .is_some_and(|h| h.link_chars as f32 > LINK_DENSITY_MAX * b.features.chars.max(1) as f32)
}

/// Whether block `i` lies inside the block element `id`.
pub(crate) fn in_container(page: &Page<'_, '_>, i: usize, id: u32) -> bool {
    page.blocks[i]
        .html
        .is_some_and(|h| h.containers.contains(&id))
}

/// Share of the region's body text the article's element must hold.
const CONTAINER_SHARE: f32 = 0.9;

/// A list item: a bulleted or numbered line, or a bare link under one.
fn is_list_item(b: &crate::document::Block<'_>) -> bool {
    let t = b.visible.as_ref();
    b.features.bullet
        || LIST_NUMBER.is_match(t)
        || (b.features.has_url && b.features.words <= 8 && !t.contains(' '))
}

/// An HTML list item of several words, mostly not link text.
fn is_prose_item(b: &crate::document::Block<'_>) -> bool {
    b.html.is_some_and(|h| h.link_chars * 2 < b.features.chars) && b.features.words >= 4
}

static LIST_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}[.)]\s").expect("valid regex"));

/// The headline just above the article: the nearest heading-like block above
/// `start`, passing over blocks that rules removed (a share row), blocks with
/// no words (an image) and at most two bylines or date lines.
pub(crate) fn title_above(page: &Page<'_, '_>, start: usize) -> Option<usize> {
    let mut others = 0;
    for i in (0..start).rev() {
        let by_rule = matches!(page.marks[i], Mark::Removed(c, _) if c != Category::Outside);
        if by_rule || page.blocks[i].features.words == 0 {
            continue;
        }
        let b = &page.blocks[i];
        if b.features.words > 20 {
            // Body text, not a headline or a byline.
            return None;
        }
        let byline = BYLINE.is_match(b.visible.as_ref());
        if b.features.is_heading_like() && b.features.words >= 4 && !byline {
            return Some(i);
        }
        others += 1;
        if others > 2 || !byline {
            return None;
        }
    }
    None
}

/// Bylines, datelines and timestamps: not headlines.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // ASCII word boundaries: the Unicode ones make the regex engine
        // leave its fast automaton.
        r"(?i)^(?:by|posted|updated|published|written by|last updated)(?-u:\b)",
        r"|[0-9]{1,2}:[0-9]{2}",
        r"|[0-9]{1,4}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}",
        r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? [0-9]{1,2}(?-u:\b)",
        r"|(?-u:\b)[0-9]{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?-u:\b)",
        r"|@[A-Za-z0-9_]",
    ))
    .expect("valid regex")
});
