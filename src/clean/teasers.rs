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

use super::{By, Mark, Page, Tuning};
use crate::rules::Category;

fn first_paragraph(page: &Page<'_, '_>, start: usize, end: usize) -> Option<usize> {
    (start..end).find(|&i| page.marks[i] == Mark::Open && page.tuning.is_paragraph(&page.blocks[i]))
}

/// Finds teaser cards anywhere after the article's first paragraph, inside
/// the article region or below it.
pub(crate) fn remove_cards(page: &mut Page<'_, '_>, start: usize) {
    let t = page.tuning;
    let end = page.blocks.len();
    let Some(p0) = first_paragraph(page, start, end) else {
        return;
    };
    let is_card_start = |page: &Page<'_, '_>, i: usize| {
        i + 1 < end
            && t.is_heading_like(&page.blocks[i].features)
            && page.blocks[i].features.words >= t.card_title_min_words
            && page.blocks[i].visible == page.blocks[i + 1].visible
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
        while k < end && taken < t.card_max_lines && !is_card_start(page, k) {
            let f = page.blocks[k].features;
            if t.is_paragraph(&page.blocks[k])
                || f.words <= t.card_short_line_words
                || f.chars >= t.card_long_line_chars
            {
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

/// A short line that opens with a date, a weekday or a time
/// (`Tuesday November 19, 2019`, `2 days ago at 07:52 am` is not one, but
/// `18.11.2019, 19:11` is).
fn is_date_line(b: &crate::document::Block<'_>, t: &Tuning) -> bool {
    let f = b.features;
    f.words <= t.card_date_max_words
        && !f.ends_sentence
        && super::region::BYLINE_START.is_match(crate::document::strip_bullet(b.visible.as_ref()))
}

/// Text dumps: after the article's first paragraph, a run of at least
/// [`Tuning::min_dated_cards`] cards, each a short title line (and a name line)
/// over a date line and at most a blurb, is a list of other stories (or a
/// comment thread), not the article: `+ Title` / `Kimberly Ross` /
/// `Tuesday November 19, 2019` / blurb, again and again. Each date line
/// must have a short line right above it that is not the previous card's
/// blurb, so a chronology (date, paragraph, date, paragraph) stays.
pub(crate) fn remove_dated_cards(page: &mut Page<'_, '_>, start: usize) {
    let n = page.blocks.len();
    let Some(p0) = first_paragraph(page, start, n) else {
        return;
    };
    let blocks = page.blocks;
    let t = page.tuning;
    // A title may ask a question (`Did NASA 'Admit' …?`); what matters is
    // its size, and that it is not a date line itself.
    let short = |i: usize| {
        let f = blocks[i].features;
        f.words <= t.card_line_max_words && !is_date_line(&blocks[i], t)
    };
    // Date lines with a title line right above them.
    let dates: Vec<usize> = (p0 + 2..n)
        .filter(|&i| {
            page.marks[i] != Mark::Protected && is_date_line(&blocks[i], t) && short(i - 1)
        })
        .collect();
    let mut k = 0;
    while k < dates.len() {
        let mut m = k;
        while m + 1 < dates.len() && dates[m + 1] - dates[m] <= t.max_card_span {
            // Between two date lines: the first card's blurb, then the
            // next card's title; no paragraph of the article's size.
            let between = dates[m] + 1..dates[m + 1];
            let long = |i: usize| blocks[i].features.words > t.dated_card_max_words;
            if between.len() < 2 || between.clone().any(long) {
                break;
            }
            m += 1;
        }
        if m + 1 - k >= t.min_dated_cards {
            // From the first card's title lines to the last card's blurb.
            let mut first = dates[k] - 1;
            while first > p0 + 1 && dates[k] - first < 2 && short(first - 1) {
                first -= 1;
            }
            let last = (dates[m] + 1..n.min(dates[m] + 2))
                .take_while(|&i| !is_date_line(&blocks[i], t))
                .last()
                .unwrap_or(dates[m]);
            let by = By::Detector("dated-cards", (m + 1 - k) as f32);
            for i in first..=last {
                page.reclassify(i, Category::Teasers, by);
            }
        }
        k = m + 1;
    }
}

/// Blocks that end an article's text: share rows, subscription, comment and
/// rating prompts. (Not teaser headings: a related-stories box often sits in the
/// middle of an article, and the article goes on under it.)
fn is_separator(mark: Mark) -> bool {
    matches!(
        mark,
        Mark::Removed(
            Category::Share | Category::Subscribe | Category::Comments | Category::Feedback,
            _
        )
    )
}

/// Distinct words of four or more characters
/// ([`Tuning::distinct_word_min_chars`]), lower-cased, as sorted hashes (no
/// allocation per word).
pub(crate) fn distinct_words(page: &Page<'_, '_>, blocks: &[usize]) -> Vec<u64> {
    let mut set = Vec::new();
    let min_chars = page.tuning.distinct_word_min_chars;
    for &i in blocks {
        word_hashes(&page.blocks[i].visible, min_chars, &mut set);
    }
    set.sort_unstable();
    set.dedup();
    set
}

/// A hash of a word from its bytes, eight at a time, ASCII letters taken
/// lower-case (`| 0x20` lower-cases a letter and leaves a digit as it is).
fn word_hash(w: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (w.len() as u64).wrapping_mul(K);
    for chunk in w.chunks(8) {
        let mut buf = [0u8; 8];
        buf[..chunk.len()].copy_from_slice(chunk);
        let x = u64::from_le_bytes(buf) | 0x2020_2020_2020_2020;
        h = (h ^ x).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
}

/// Pushes the hash of every word of `min_chars` or more characters in
/// `text`. An ASCII text is split byte by byte; other text character by
/// character and lower-cased first, to the same hashes for the same words.
fn word_hashes(text: &str, min_chars: usize, set: &mut Vec<u64>) {
    let b = text.as_bytes();
    if text.is_ascii() {
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i - start >= min_chars {
                set.push(word_hash(&b[start..i]));
            }
        }
        return;
    }
    // The word so far, lower-cased, and its length in characters.
    let (mut word, mut chars) = (Vec::<u8>::new(), 0usize);
    let mut i = 0;
    while i <= b.len() {
        let (alnum, len) = match b.get(i) {
            Some(&c) if c < 0x80 => {
                if c.is_ascii_alphanumeric() {
                    word.push(c);
                }
                (c.is_ascii_alphanumeric(), 1)
            }
            Some(_) => {
                let c = text[i..].chars().next().expect("i is on a char boundary");
                if c.is_alphanumeric() {
                    let mut buf = [0u8; 4];
                    for l in c.to_lowercase() {
                        word.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
                    }
                }
                (c.is_alphanumeric(), c.len_utf8())
            }
            None => (false, 1),
        };
        if alnum {
            chars += 1;
        } else {
            if chars >= min_chars {
                set.push(word_hash(&word));
            }
            chars = 0;
            word.clear();
        }
        i += len;
    }
}

pub(crate) fn remove_unrelated(page: &mut Page<'_, '_>, start: usize, end: usize) {
    let t = page.tuning;
    let mut segments: Vec<Vec<usize>> = vec![Vec::new()];
    // A lone share line inside a story (an embedded post's attribution) does
    // not end it: chrome that ends an article comes in runs.
    let mut run = 0;
    for i in start..end {
        // Nor does an embedded post (its text and attribution are removed
        // as share lines): the story goes on under it.
        let post = matches!(page.marks[i], Mark::Removed(_, By::Detector(n, _)) if n == super::embeds::NAME)
            || super::embeds::is_attribution(&page.blocks[i], t);
        match page.marks[i] {
            m if is_separator(m) && !post => run += 1,
            Mark::Removed(..) => {}
            _ => {
                if run >= t.separator_run && !segments.last().is_some_and(|s| s.is_empty()) {
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
    // The article is the first segment that has at least half the words of
    // the largest: a rail of teasers after the story can outweigh it.
    let most = segments.iter().map(words).max().unwrap_or(0);
    let core = (0..segments.len())
        .find(|&k| {
            f64::from(words(&segments[k])) >= f64::from(t.core_segment_share) * f64::from(most)
        })
        .expect("at least two segments");
    // The article's words, hashed only if a segment after it is big
    // enough to judge.
    let mut vocab: Option<Vec<u64>> = None;
    for seg in &segments[core + 1..] {
        let own = distinct_words(page, seg);
        if own.len() < t.min_words_to_judge {
            continue;
        }
        let vocab = vocab.get_or_insert_with(|| distinct_words(page, &segments[core]));
        let shared = own
            .iter()
            .filter(|w| vocab.binary_search(w).is_ok())
            .count();
        let related = shared as f32 / own.len() as f32;
        if related < t.related_min {
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
            page.blocks[i - 1].visible.as_ref(),
            page.blocks[i].visible.as_ref(),
        );
        if a != b
            || page.blocks[i].features.words > page.tuning.max_title_words
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

/// A line that reads as a teaser's title: a few words, nearly all link text.
fn is_linked_title(b: &crate::document::Block<'_>, t: &Tuning) -> bool {
    let Some(h) = b.html else { return false };
    let f = b.features;
    let linked = u64::from(h.link_chars + f.words) * 100
        >= u64::from(f.chars) * u64::from(t.linked_title_link_percent);
    (t.linked_title_min_words..=t.linked_title_max_words).contains(&f.words) && !h.quote && linked
}

/// The nearest element that holds both lines (among the few each remembers).
fn shared_container(a: &crate::document::Block<'_>, b: &crate::document::Block<'_>) -> Option<u32> {
    let (a, b) = (a.html?.containers, b.html?.containers);
    a.into_iter().find(|&id| id != 0 && b.contains(&id))
}

/// The element of a card: the child of `list` that holds the title line.
fn card_of(b: &crate::document::Block<'_>, list: u32) -> Option<u32> {
    let c = b.html?.containers;
    let p = c.iter().position(|&id| id == list)?;
    (p > 0).then(|| c[p - 1])
}

/// HTML pages: a list of teaser cards (elements side by side in one list,
/// each a linked title with a byline, a date or a blurb) goes whole, with
/// the heading just above it. Every line from the first card to the last
/// must lie in a card: teasers woven between an article's paragraphs are
/// left to the other detectors. Cards are told apart from an article's
/// linked sub-headings by size: a card holds at most a blurb.
pub(crate) fn remove_card_lists(page: &mut Page<'_, '_>) {
    let blocks = page.blocks;
    let tuning = page.tuning;
    let titles: Vec<usize> = (0..blocks.len())
        .filter(|&i| page.marks[i] != Mark::Protected && is_linked_title(&blocks[i], tuning))
        .collect();
    let holds = |i: usize, el: u32| blocks[i].html.is_some_and(|h| h.containers.contains(&el));
    let mut t = 0;
    while t + 1 < titles.len() {
        let list = shared_container(&blocks[titles[t]], &blocks[titles[t + 1]]);
        let Some((list, card)) = list.and_then(|l| Some((l, card_of(&blocks[titles[t]], l)?)))
        else {
            t += 1;
            continue;
        };
        // (title line, card element) of each card. A second link inside a
        // card (a byline) belongs to it; anything between cards ends the run.
        let mut run = vec![(titles[t], card)];
        let mut u = t + 1;
        while u < titles.len() {
            let (last, last_card) = run[run.len() - 1];
            let Some(next_card) = card_of(&blocks[titles[u]], list) else {
                break;
            };
            if !(last + 1..titles[u]).all(|i| holds(i, last_card) || holds(i, next_card)) {
                break;
            }
            if next_card != last_card {
                run.push((titles[u], next_card));
            }
            u += 1;
        }
        if run.len() < tuning.min_cards {
            t += 1;
            continue;
        }
        let (t0, c0) = run[0];
        let first = (0..=t0)
            .rev()
            .take_while(|&i| holds(i, c0))
            .last()
            .unwrap_or(t0);
        let (tn, cn) = run[run.len() - 1];
        let last = (tn..blocks.len())
            .take_while(|&i| holds(i, cn))
            .last()
            .unwrap_or(tn);
        let small = run.iter().all(|&(_, card)| {
            let words: u32 = (first..=last)
                .filter(|&i| holds(i, card))
                .map(|i| blocks[i].features.words)
                .sum();
            words <= tuning.max_card_words
        });
        if small {
            let by = By::Detector("card-list", run.len() as f32);
            for i in first..=last {
                page.reclassify(i, Category::Teasers, by);
            }
            if first > 0
                && tuning.is_heading_like(&blocks[first - 1].features)
                && blocks[first - 1].features.words <= tuning.card_list_heading_max_words
            {
                page.reclassify(first - 1, Category::Teasers, by);
            }
        }
        t = u;
    }
}

#[cfg(test)]
mod tests {
    use super::word_hashes;

    #[test]
    fn ascii_and_unicode_words_hash_alike() {
        let (mut ascii, mut mixed) = (Vec::new(), Vec::new());
        word_hashes("Ukraine TALKS resume in Kyiv, 2019", 4, &mut ascii);
        // The same words beside a non-ASCII one take the other path.
        word_hashes("ukraine talks Resume in kyiv — 2019 café", 4, &mut mixed);
        assert_eq!(ascii.len(), 5, "words under four characters do not count");
        assert_eq!(&mixed[..5], &ascii[..]);
        assert_eq!(mixed.len(), 6, "café counts");
    }
}
