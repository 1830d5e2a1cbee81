//! The main-content detector for text: the densest run of article-like blocks.
//!
//! Each block gets a value: sentence-like blocks count for the article in
//! proportion to their words, short labels and menu entries count against it,
//! and blocks that a rule removed count strongly against it. The article is the
//! run of consecutive blocks with the largest total (a maximum-sum subarray), so
//! a sub-heading or a caption between paragraphs stays inside, while menus,
//! teaser lists and footers around the article fall outside.

use super::{By, ElementText, Fallback, Mark, Page, Tuning};
use crate::rules::Category;
use regex::Regex;
use std::sync::LazyLock;

/// The value of block `i` for the article: positive for body text.
pub(crate) fn value(page: &Page<'_, '_>, i: usize) -> f32 {
    let f = &page.blocks[i].features;
    match page.marks[i] {
        Mark::Protected => (f.words as f32).max(page.tuning.protected_value),
        Mark::Removed(Category::Outside, _) | Mark::Open => page.text_values[i],
        Mark::Removed(..) => -page.tuning.rule_penalty,
    }
}

/// Each block's value as text alone, before any rule or detector decided
/// it (see [`value`]); computed once per page.
pub(crate) fn text_values(page: &Page<'_, '_>) -> Vec<f32> {
    (0..page.blocks.len())
        .map(|i| text_value(page, i))
        .collect()
}

fn text_value(page: &Page<'_, '_>, i: usize) -> f32 {
    let t = page.tuning;
    let f = &page.blocks[i].features;
    let words = f.words as f32;
    let text = page.blocks[i].html.is_none();
    // In an HTML page, text that is mostly link text is navigation or teasers.
    let links = page.blocks[i]
        .html
        .map_or(0.0, |h| h.link_chars as f32 / f.chars.max(1) as f32);
    // `--favor` shifts what chrome lines cost (`Favor::penalty_scale`).
    let scale = page
        .favor
        .penalty_scale_in(page.blocks[i].html.is_some(), t);
    if links > t.link_density_max {
        return if f.words < t.short_words {
            -t.short_penalty * scale
        } else {
            -t.line_penalty * scale
        };
    }
    if f.words >= t.sentence_words && f.ends_sentence && !f.bullet {
        words
    } else if text && looks_like_code(page.blocks[i].visible.as_ref(), t) {
        // A dump's line of program code (a tech article's listing): neither
        // for nor against (web-mixed dumps +7 snippets, 4 boilerplate).
        0.0
    } else if text && f.words >= t.short_sentence_words && f.ends_sentence && !f.bullet {
        // A dump's short sentence: neither for nor against.
        0.0
    } else if text && f.words >= t.sentence_words && f.ends_sentence && f.bullet {
        // A sentence as a list item: body text a quarter of the time.
        t.bullet_sentence_weight * words
    } else if f.words >= t.long_line_words {
        // Long but unfinished: body text cut short, or a long caption; or a
        // list flattened into one line (an archive's month menu, a tag
        // cloud: "Mai 2019 (3) April 2019 (1) …"), which is not prose.
        if bracket_dense(page.blocks[i].visible.as_ref(), t) {
            0.0
        } else {
            t.long_line_weight * words
        }
    } else if f.words < t.short_words {
        -t.short_penalty * scale
    } else {
        -t.line_penalty * scale
    }
}

/// Whether brackets, operators and semicolons make at least a 25th of the
/// text ([`Tuning::bracket_bytes_per_symbol`](super::Tuning::bracket_bytes_per_symbol)):
/// code, or a list of counts flattened into a line.
fn bracket_dense(t: &str, tuning: &Tuning) -> bool {
    if t.len() > tuning.dense_line_max_bytes {
        return false;
    }
    let symbols = t.bytes().filter(|&b| CODE_SYMBOL[b as usize]).count();
    symbols >= tuning.bracket_min_symbols && symbols * tuning.bracket_bytes_per_symbol >= t.len()
}

/// The bytes [`bracket_dense`] counts: `(){}[]=;<>`.
static CODE_SYMBOL: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    while k < 10 {
        t[b"(){}[]=;<>"[k] as usize] = true;
        k += 1;
    }
    t
};

/// A line of program code: brackets, operators and semicolons where prose
/// has words, or a line that opens with a keyword of the common languages.
fn looks_like_code(t: &str, tuning: &Tuning) -> bool {
    // A line of code is short; a long line is never looked through.
    if t.len() > tuning.code_line_max_bytes {
        return false;
    }

    // Most lines start with a capital or a digit: the keywords need not be
    // tried.
    let lead = t.as_bytes().first().copied().unwrap_or(0);
    let opens = b"ifdcrvlpw#$>@".contains(&lead)
        && [
            "import ",
            "from ",
            "def ",
            "class ",
            "return ",
            "function ",
            "var ",
            "let ",
            "const ",
            "#include",
            "public ",
            "private ",
            "if (",
            "for (",
            "while (",
            "print(",
            "console.",
            "$ ",
            ">>> ",
            "@",
        ]
        .iter()
        .any(|k| t.starts_with(k));
    bracket_dense(t, tuning) || opens || t.ends_with(['{', ';', '}'])
}

/// The article's blocks as a half-open range, or `None` when no block reads
/// as body text.
pub(crate) fn find(page: &Page<'_, '_>) -> Option<(usize, usize)> {
    let mut best = 0.0f32;
    let mut best_range = None;
    let mut sum = 0.0f32;
    let mut start = 0;
    for i in 0..page.blocks.len() {
        // A run whose start sums to nothing is kept whole: a lead cut off
        // by a byline and a caption that weigh as much as it.
        if sum < 0.0 {
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
            && is_list_item(&page.blocks[e], page.tuning)
            && (colon || is_prose_item(&page.blocks[e], page.tuning))
        {
            e += 1;
        }
        best_range = Some((s, e));
    }
    // A dump cut off mid-sentence ends with an unfinished paragraph.
    if let Some((s, e)) = best_range
        && e + 1 == page.blocks.len()
        && page.marks[e] == Mark::Open
        && page.blocks[e].features.words >= page.tuning.unfinished_end_words
        && !page.blocks[e].features.bullet
        && !page.blocks[e].features.has_url
    {
        best_range = Some((s, e + 1));
    }
    best_range
}

/// Where the article lies, once found.
pub(crate) struct Article {
    /// The blocks from the article's first to its last, half open (the whole
    /// page when none was found).
    pub range: (usize, usize),
    /// Set when no block reads as body text.
    pub fallback: Option<Fallback>,
}

/// Finds the article and marks everything outside it: where the page marks
/// its article (schema.org `articleBody`) and the markup is credible, that
/// element; else the densest run of body text, in HTML bounded by the
/// element that holds it. Then the pieces a run misses are put back: in
/// HTML the lead above the first paragraph and the lists and tables of the
/// article's element; in text the headline above the run.
pub(crate) fn find_article(page: &mut Page<'_, '_>, is_html: bool, keep_title: bool) -> Article {
    let n = page.blocks.len();
    let found = find(page);
    let marked = marked_body(page).filter(|_| markup_credible(page, found));
    let fallback = marked.or(found).is_none().then_some(Fallback::NoRegion);
    let (mut start, end) = marked.or(found).unwrap_or((0, n));
    if marked.is_some() {
        for i in 0..n {
            match page.blocks[i].html {
                Some(h) if h.marked_body && h.heading == 1 => {
                    page.remove(i, Category::Title, By::Detector("article-markup", 1.0))
                }
                Some(h) if h.marked_body => {}
                _ => page.remove(i, Category::Outside, By::Detector("article-markup", 0.0)),
            }
        }
    } else {
        for i in (0..start).chain(end..n) {
            let score = value(page, i);
            page.remove(i, Category::Outside, By::Detector("content-region", score));
        }
        if let Some(id) = container(page, start, end) {
            bound_by_container(page, start, end, id);
        }
    }
    if is_html && fallback.is_none() {
        keep_lead(page);
    }
    if fallback.is_none() {
        join_related_runs(page);
    }
    if is_html && fallback.is_none() {
        widen_thin_article(page);
    }
    if fallback.is_none() {
        keep_quantity_lists(page);
    }
    // An HTML page's headline is metadata, not body text.
    if keep_title
        && !is_html
        && let Some(t) = title_above(page, start)
    {
        page.marks[t] = Mark::Open;
        start = t;
    }
    Article {
        range: (start, end),
        fallback,
    }
}

/// An HTML page's article sits in one element: what the region let in from
/// beside it goes, body text the region missed inside it comes back, and
/// between the article's first and last kept blocks so does plain text of
/// the element (a list of dates, a table of results); after the last one,
/// plain text goes on the article until the first chrome (a rule's match,
/// links) or heading (it opens a box of its own).
fn bound_by_container(page: &mut Page<'_, '_>, start: usize, end: usize, id: u32) {
    let n = page.blocks.len();
    for i in 0..n {
        let score = value(page, i);
        let inside = in_container(page, i, id);
        if !inside && (start..end).contains(&i) {
            page.remove(
                i,
                Category::Outside,
                By::Detector("content-container", score),
            );
        } else if inside && score > 0.0 && outside(page, i) {
            page.marks[i] = Mark::Open;
        }
    }
    let kept =
        |page: &Page<'_, '_>, i: usize| matches!(page.marks[i], Mark::Open | Mark::Protected);
    let first = (0..n).find(|&i| kept(page, i) && in_container(page, i, id));
    let last = (0..n)
        .rev()
        .find(|&i| kept(page, i) && in_container(page, i, id));
    let (Some(mut first), Some(mut last)) = (first, last) else {
        return;
    };
    // `--favor` (`Favor::element_text`): all of the element, or no more
    // after its last kept block.
    let fill = page.favor.element_text();
    if fill == ElementText::Whole {
        (first, last) = (0, n - 1);
    }
    for i in first..=last {
        if in_container(page, i, id) && !link_dense(page, i) && outside(page, i) {
            page.marks[i] = Mark::Open;
        }
    }
    for i in last + 1..n {
        if fill == ElementText::UpToLast
            || !in_container(page, i, id)
            || link_dense(page, i)
            || page.blocks[i].html.is_some_and(|h| h.heading > 0)
            || !outside(page, i)
        {
            break;
        }
        page.marks[i] = Mark::Open;
    }
    // Above the first kept block, what the element holds up to its
    // headline is the article's opening (a salutation, a sub-heading, a
    // short first sentence); chrome (a rule's match, links) ends it.
    for i in (0..first).rev() {
        let h = page.blocks[i].html.map_or(0, |h| h.heading);
        if !in_container(page, i, id) || h == 1 || link_dense(page, i) || !outside(page, i) {
            break;
        }
        page.marks[i] = Mark::Open;
    }
    // A list beside the element, in the element around it (a recipe's
    // ingredients next to its method), joins it too.
    if let Some(p) = parent_of(page, id) {
        let first = (0..n)
            .find(|&i| matches!(page.marks[i], Mark::Open | Mark::Protected))
            .unwrap_or(first);
        keep_lists_above(page, first, p);
    }
}

/// Above the article's first block, in the element around the article's
/// own, a list or table with the headings over it (a recipe's ingredients
/// beside its method) belongs to it.
fn keep_lists_above(page: &mut Page<'_, '_>, first: usize, p: u32) {
    let mut run = Vec::new();
    for i in (0..first).rev() {
        let b = &page.blocks[i];
        let h = b.html.map_or(0, |h| h.heading);
        let listed = b.features.bullet || b.html.is_some_and(|h| h.table);
        if !in_container(page, i, p)
            || !(listed || h > 1)
            || link_dense(page, i)
            || !outside(page, i)
        {
            break;
        }
        run.push(i);
    }
    // A heading on top opens the list only when a list follows it.
    while let Some(&top) = run.last() {
        let next = run.len().checked_sub(2).map(|k| run[k]);
        let heading = page.blocks[top].html.is_some_and(|h| h.heading > 0);
        if heading && next.is_none_or(|n| page.blocks[n].html.is_some_and(|h| h.heading > 0)) {
            run.pop();
        } else {
            break;
        }
    }
    let items: Vec<usize> = run
        .iter()
        .copied()
        .filter(|&i| page.blocks[i].html.is_some_and(|h| h.heading == 0))
        .collect();
    // Sentences in a list above the story are its summary, which news
    // sites print apart (zyte's truth leaves them out); ingredients,
    // specifications and data are short.
    let sentences = items
        .iter()
        .filter(|&&i| {
            let f = page.blocks[i].features;
            f.words >= page.tuning.sentence_words && f.ends_sentence
        })
        .count();
    let t = page.tuning;
    let summary = sentences as f64 >= f64::from(t.list_above_sentence_share) * items.len() as f64;
    if items.len() >= t.list_above_min_items && !summary {
        for i in run {
            page.marks[i] = Mark::Open;
        }
    }
}

/// The element around `id`, as the blocks inside `id` remember it.
fn parent_of(page: &Page<'_, '_>, id: u32) -> Option<u32> {
    page.blocks.iter().find_map(|b| {
        let c = b.html?.containers;
        let k = c.iter().position(|&x| x == id)?;
        c.get(k + 1).copied().filter(|&p| p != 0)
    })
}

/// The densest run of blocks within `lo..hi`, with its sum.
fn best_run(values: &[f32], lo: usize, hi: usize) -> Option<(usize, usize, f32)> {
    let (mut best, mut range, mut sum, mut start) = (0.0f32, None, 0.0f32, lo);
    for (i, &v) in values.iter().enumerate().take(hi).skip(lo) {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += v;
        if sum > best {
            best = sum;
            range = Some((start, i + 1, best));
        }
    }
    range
}

/// An article cut in parts (by a gallery, a list of short lines, a box of
/// links) is joined again: the densest runs of body text above and below
/// it, nearest first, join the article when they weigh enough, lie close
/// and share its words. The blocks between them stay as they were.
fn join_related_runs(page: &mut Page<'_, '_>) {
    let t = page.tuning;
    let n = page.blocks.len();
    let values: Vec<f32> = (0..n).map(|i| value(page, i)).collect();
    let kept: Vec<usize> = (0..n)
        .filter(|&i| matches!(page.marks[i], Mark::Open | Mark::Protected))
        .collect();
    let Some((&first, &last)) = kept.first().zip(kept.last()) else {
        return;
    };
    let mass: f32 = kept.iter().map(|&i| values[i].max(0.0)).sum();
    // The article's words, hashed only once a run is near enough to judge.
    let mut vocab: Option<Vec<u64>> = None;
    for above in [true, false] {
        let (mut lo, mut hi) = if above { (0, first) } else { (last + 1, n) };
        for _ in 0..t.related_run_tries {
            let Some((s, e, sum)) = best_run(&values, lo, hi) else {
                break;
            };
            let gap = if above { first - e } else { s - (last + 1) };
            if sum < t.related_run_mass * mass || gap > t.related_run_gap {
                break;
            }
            let body: Vec<usize> = (s..e)
                .filter(|&i| values[i] > 0.0 && outside(page, i))
                .collect();
            let own = super::teasers::distinct_words(page, &body);
            let shared = own
                .iter()
                .filter(|w| {
                    vocab
                        .get_or_insert_with(|| super::teasers::distinct_words(page, &kept))
                        .binary_search(w)
                        .is_ok()
                })
                .count();
            if own.len() >= t.related_run_min_words
                && shared as f32 >= t.related_run_share * own.len() as f32
            {
                for i in body {
                    page.marks[i] = Mark::Open;
                }
            }
            if above {
                hi = s;
            } else {
                lo = e;
            }
        }
    }
}

/// A thin article widens to the largest element around it whose text is
/// mostly plain (not links, not chrome a rule named) and more than twice
/// the article: the recipe card around its one sentence of introduction.
fn widen_thin_article(page: &mut Page<'_, '_>) {
    let t = page.tuning;
    let n = page.blocks.len();
    let kept: Vec<usize> = (0..n)
        .filter(|&i| matches!(page.marks[i], Mark::Open | Mark::Protected))
        .collect();
    let words: u32 = kept.iter().map(|&i| page.blocks[i].features.words).sum();
    let Some(h) = kept.first().and_then(|&i| page.blocks[i].html) else {
        return;
    };
    if words >= t.thin_article_words {
        return;
    }
    let mut best: Option<(u32, u32)> = None;
    for &id in h.containers.iter().filter(|&&id| id != 0) {
        let (mut plain, mut other) = (0u32, 0u32);
        for i in (0..n).filter(|&i| in_container(page, i, id)) {
            let w = page.blocks[i].features.words;
            let chrome = matches!(page.marks[i], Mark::Removed(c, _) if c != Category::Outside);
            if link_dense(page, i) || chrome {
                other += w;
            } else {
                plain += w;
            }
        }
        if other as f32 <= t.thin_linked_share * plain as f32 && best.is_none_or(|(_, p)| plain > p)
        {
            best = Some((id, plain));
        }
    }
    let Some((id, _)) = best.filter(|&(_, plain)| plain > t.thin_widen_factor * words) else {
        return;
    };
    for i in 0..n {
        if in_container(page, i, id) && outside(page, i) && !link_dense(page, i) {
            page.marks[i] = Mark::Open;
        }
    }
}

/// Whether block `i` was removed only for lying outside the article.
fn outside(page: &Page<'_, '_>, i: usize) -> bool {
    matches!(page.marks[i], Mark::Removed(Category::Outside, _))
}

/// The lead of an HTML article: the standfirst or intro printed between the
/// headline (`<h1>`) and the first paragraph, outside the element of the
/// body (`…__intro`, `.lead`, a `description` beside `articleBody`). Kept
/// when it reads as a sentence of some length, is not a byline or a date
/// line, not mostly links, and lies in the element that holds both the
/// headline and the body.
fn keep_lead(page: &mut Page<'_, '_>) {
    let t = page.tuning;
    let n = page.blocks.len();
    let Some(first) = (0..n).find(|&i| matches!(page.marks[i], Mark::Open | Mark::Protected))
    else {
        return;
    };
    let Some(h1) = (first.saturating_sub(t.lead_window)..first)
        .rev()
        .find(|&i| page.blocks[i].html.is_some_and(|h| h.heading == 1))
    else {
        return;
    };
    let (Some(a), Some(b)) = (page.blocks[h1].html, page.blocks[first].html) else {
        return;
    };
    let Some(article) = a
        .containers
        .iter()
        .copied()
        .find(|&id| id != 0 && b.containers.contains(&id))
    else {
        return;
    };
    for i in h1 + 1..first {
        let b = &page.blocks[i];
        let f = b.features;
        let lead = outside(page, i)
            && in_container(page, i, article)
            && f.words >= t.lead_min_words
            && (f.ends_sentence || f.words >= t.lead_unfinished_words)
            && !f.bullet
            && !link_dense(page, i)
            && b.html.is_some_and(|h| h.heading == 0)
            && !(f.words <= t.lead_byline_max_words && BYLINE.is_match(b.visible.as_ref()));
        if lead {
            page.marks[i] = Mark::Open;
        }
    }
}

/// A line that opens with an amount and a word: `2 Eier`, `1¼ teaspoon`,
/// `50 ml Milch`, `400 gramów`; not a price (`19,99 €`), a time (`10:00`)
/// or a bare number.
fn quantity_line(t: &str) -> bool {
    let t = crate::document::strip_bullet(t);
    let is_amount = |c: char| c.is_ascii_digit() || matches!(c, '½' | '¼' | '¾' | '⅓' | '⅔' | '⅛');
    if !t.chars().next().is_some_and(is_amount) {
        return false;
    }
    let rest =
        t.trim_start_matches(|c: char| is_amount(c) || matches!(c, ',' | '.' | '/' | '-' | '–'));
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    rest.chars().next().is_some_and(char::is_alphabetic)
}

/// A recipe's ingredients are a list of amounts beside the steps, short
/// lines the region leaves out: a run of at least
/// [`Tuning::quantity_list_min`] quantity lines, at least
/// [`Tuning::quantity_list_share`] of the run, within
/// [`Tuning::quantity_list_gap`] blocks of the article, comes back (what a
/// rule removed stays removed).
fn keep_quantity_lists(page: &mut Page<'_, '_>) {
    let t = page.tuning;
    let n = page.blocks.len();
    let kept =
        |page: &Page<'_, '_>, i: usize| matches!(page.marks[i], Mark::Open | Mark::Protected);
    let mut i = 0;
    while i < n {
        let short = |i: usize| page.blocks[i].features.words <= t.quantity_line_max_words;
        if !(short(i) && quantity_line(&page.blocks[i].visible)) {
            i += 1;
            continue;
        }
        // The run: quantity lines with at most a few other short lines
        // between them; it ends on a quantity line.
        let (start, mut end, mut count) = (i, i + 1, 1);
        let mut j = i + 1;
        while j < n && j - end < t.quantity_list_break + 1 && short(j) {
            if quantity_line(&page.blocks[j].visible) {
                count += 1;
                end = j + 1;
            }
            j += 1;
        }
        let share = count as f32 / (end - start) as f32;
        let near = (start.saturating_sub(t.quantity_list_gap)..start)
            .chain(end..(end + t.quantity_list_gap).min(n))
            .any(|k| kept(page, k));
        if count >= t.quantity_list_min && share >= t.quantity_list_share && near {
            for k in start..end {
                if outside(page, k) {
                    page.marks[k] = Mark::Open;
                }
            }
        }
        i = end;
    }
}

/// When the passes left fewer than [`Tuning::emptied_words`] words of a page whose
/// region holds body text, the region's paragraphs that no rule removed are
/// kept: a page is never emptied by the detectors' guesses.
pub(crate) fn fall_back_if_empty(
    page: &mut Page<'_, '_>,
    before: &[Mark],
    (start, end): (usize, usize),
) -> Option<Fallback> {
    let left: u32 = (0..page.blocks.len())
        .filter(|&i| !page.marks[i].is_removed())
        .map(|i| page.blocks[i].features.words)
        .sum();
    if left >= page.tuning.emptied_words {
        return None;
    }
    let body: Vec<usize> = (start..end)
        .filter(|&i| {
            page.tuning.is_paragraph(&page.blocks[i])
                && !matches!(before[i], Mark::Removed(_, By::Rule(_)))
        })
        .filter(|&i| !matches!(page.marks[i], Mark::Removed(_, By::Rule(_))))
        .collect();
    let words: u32 = body.iter().map(|&i| page.blocks[i].features.words).sum();
    if words < page.tuning.emptied_words {
        return None;
    }
    for i in body {
        page.marks[i] = Mark::Open;
    }
    Some(Fallback::Emptied)
}

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
    (words >= page.tuning.marked_min_words).then_some((first, last + 1))
}

/// Whether a page's article markup can be believed next to the region the
/// text itself points to: unless the region's body text is mostly outside
/// the marked element (a page that marks only its lead, say). On the dev
/// set the marked element always holds at least 39% of the region's body
/// text; a quarter is the floor ([`Tuning::markup_min_share`]), checked
/// when the region holds 100 words of body text or more
/// ([`Tuning::markup_check_words`]).
pub(crate) fn markup_credible(page: &Page<'_, '_>, region: Option<(usize, usize)>) -> bool {
    let Some((start, end)) = region else {
        return true;
    };
    let (mut inside, mut total) = (0u32, 0u32);
    for i in start..end {
        let b = &page.blocks[i];
        if page.tuning.is_paragraph(b) && !page.marks[i].is_removed() {
            total += b.features.words;
            if b.html.is_some_and(|h| h.marked_body) {
                inside += b.features.words;
            }
        }
    }
    let t = page.tuning;
    total < t.markup_check_words
        || f64::from(inside) >= f64::from(t.markup_min_share) * f64::from(total)
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
        .filter(|&(_, &w)| w >= page.tuning.container_share * total)
        .map(|(&id, _)| (size(id), id))
        .min()
        .map(|(_, id)| id)
}

/// Whether block `i` of an HTML page is mostly link text.
pub(crate) fn link_dense(page: &Page<'_, '_>, i: usize) -> bool {
    let b = &page.blocks[i];
    b.html.is_some_and(|h| {
        h.link_chars as f32 > page.tuning.link_density_max * b.features.chars.max(1) as f32
    })
}

/// Whether block `i` lies inside the block element `id`.
pub(crate) fn in_container(page: &Page<'_, '_>, i: usize, id: u32) -> bool {
    page.blocks[i]
        .html
        .is_some_and(|h| h.containers.contains(&id))
}

/// A list item: a bulleted or numbered line, or a bare link under one.
fn is_list_item(b: &crate::document::Block<'_>, tuning: &Tuning) -> bool {
    let t = b.visible.as_ref();
    b.features.bullet
        || LIST_NUMBER.is_match(t)
        || (b.features.has_url
            && b.features.words <= tuning.bare_link_max_words
            && !t.contains(' '))
}

/// An HTML list item of several words, mostly not link text.
fn is_prose_item(b: &crate::document::Block<'_>, t: &Tuning) -> bool {
    let share = f64::from(t.prose_item_link_share);
    b.html
        .is_some_and(|h| f64::from(h.link_chars) < share * f64::from(b.features.chars))
        && b.features.words >= t.prose_item_min_words
}

static LIST_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}[.)]\s").expect("valid regex"));

/// The headline just above the article: the nearest heading-like block above
/// `start`, passing over blocks that rules removed (a share row), blocks with
/// no words (an image) and at most two bylines or date lines.
pub(crate) fn title_above(page: &Page<'_, '_>, start: usize) -> Option<usize> {
    let t = page.tuning;
    let mut others = 0;
    for i in (0..start).rev() {
        let by_rule = matches!(page.marks[i], Mark::Removed(c, _) if c != Category::Outside);
        if by_rule || page.blocks[i].features.words == 0 {
            continue;
        }
        let b = &page.blocks[i];
        if b.features.words > t.title_max_words {
            // Body text, not a headline or a byline.
            return None;
        }
        let byline = BYLINE.is_match(b.visible.as_ref());
        if t.is_heading_like(&b.features) && b.features.words >= t.title_min_words && !byline {
            return Some(i);
        }
        others += 1;
        if others > t.title_max_skipped || !byline {
            return None;
        }
    }
    None
}

/// Bylines, datelines and timestamps: not headlines, not leads.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // ASCII word boundaries: the Unicode ones make the regex engine
        // leave its fast automaton.
        r"(?i)^(?:by|posted|updated|published|written by|last updated",
        r"|von|veröffentlicht|aktualisiert|geschrieben von|stand:",
        r"|par|publié|mis à jour|por|publicado|actualizado|di|pubblicato|aggiornato",
        r"|przez|opublikowano|door|geplaatst|gepubliceerd|bijgewerkt|atualizado)(?-u:\b)",
        r"|[0-9]{1,2}:[0-9]{2}",
        r"|[0-9]{1,4}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}",
        r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? [0-9]{1,2}(?-u:\b)",
        r"|(?-u:\b)[0-9]{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?-u:\b)",
        // day, month, year in the languages that write it so: 12. März
        // 2024, 12 mars 2024, 22 de outubro de 2010, 5 maja 2023
        r"|(?-u:\b)[0-9]{1,2}\.? (?:de )?\p{L}{3,12}\.?,? (?:de )?[0-9]{4}(?-u:\b)",
        r"|@[A-Za-z0-9_]",
    ))
    .expect("valid regex")
});

/// Bylines and date lines among the article's first blocks (`By Ann Smith
/// | Nov. 19, 2019`, `Von Anna Berg, 12. März 2024`, `* Updated: 18 Nov
/// 2019, 19:11`) are not body text. A byline opens with a byline word or a
/// date, or is a short line holding a date; it does not end like a
/// sentence unless it opens with a byline word (a short sentence that
/// mentions a date is text, and so is a list item or a dateline lead that
/// only ends with a date); and an article opens with at most
/// [`Tuning::byline_max_lines`] of them.
pub(crate) fn remove_bylines(page: &mut Page<'_, '_>) {
    let t = page.tuning;
    let first: Vec<usize> = (0..page.blocks.len())
        .filter(|&i| page.marks[i] == Mark::Open)
        .take(t.byline_window)
        .collect();
    let bylines: Vec<usize> = first
        .into_iter()
        .filter(|&i| {
            let b = &page.blocks[i];
            let f = b.features;
            let v = crate::document::strip_bullet(b.visible.as_ref());
            let opens = BYLINE_START.is_match(v);
            f.words <= t.byline_max_words
                && b.html.is_none_or(|h| h.heading == 0)
                && (opens || (f.words <= t.date_line_max_words && !f.bullet && BYLINE.is_match(v)))
                && (!f.ends_sentence || BY_WORD.is_match(v))
        })
        .collect();
    // More than a byline and a date line is a list of dates (a calendar,
    // a timetable): the article itself.
    if bylines.len() > t.byline_max_lines {
        return;
    }
    for i in bylines {
        page.remove(i, Category::Byline, By::Detector("byline", 1.0));
    }
}

/// A line that opens with a byline word followed by a name.
static BY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:by|von|par|por|di|przez|door)\s+\p{Lu}").expect("valid regex")
});

/// A line that opens like a byline or a date line: a byline word, a date
/// or a time.
pub(crate) static BYLINE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // a weekday first: Monday, November 18, 2019; sexta-feira, 22 de
        // outubro de 2010
        r"(?i)^(?:(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun",
        r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag",
        r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
        r"|lunes|martes|miércoles|jueves|viernes|sábado|domingo",
        r"|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica",
        r"|poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela",
        r"|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag",
        r"|(?:segunda|terça|quarta|quinta|sexta)-feira)\.?,?\s+)?",
        r"(?:(?:by|posted|updated|published|written by|last updated",
        r"|von|veröffentlicht|aktualisiert|geschrieben von|stand",
        r"|par|publié|mis à jour|por|publicado|actualizado|di|pubblicato|aggiornato",
        r"|przez|opublikowano|door|geplaatst|gepubliceerd|bijgewerkt|atualizado)(?-u:\b)",
        r"|[0-9]{1,2}:[0-9]{2}",
        r"|[0-9]{1,4}[/.\-][0-9]{1,2}[/.\-][0-9]{2,4}",
        r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? [0-9]{1,2}(?-u:\b)",
        r"|[0-9]{1,2}\.? (?:de )?\p{L}{3,12}\.?,? (?:de )?[0-9]{4}(?-u:\b))",
    ))
    .expect("valid regex")
});

#[cfg(test)]
mod tests {
    use super::{Tuning, looks_like_code, quantity_line};
    use crate::clean::{Cleaner, Config};
    use crate::rules::RuleBook;

    #[test]
    fn amounts_open_quantity_lines() {
        for line in [
            "200 g Zucker",
            "* 1¼ teaspoon ground black pepper",
            "½ cup milk",
            "2-3 Eier (Größe M)",
            "400 gramów",
            "1,5 l Wasser",
        ] {
            assert!(quantity_line(line), "{line}");
        }
        for line in [
            "19,99 € inkl. MwSt.",
            "10:00 Uhr Einlass",
            "2024",
            "Zutaten",
            "* 7",
        ] {
            assert!(!quantity_line(line), "{line}");
        }
    }

    #[test]
    fn a_recipe_dump_keeps_its_ingredients_beside_the_steps() {
        // A text dump of a recipe page: menu, the ingredient list, a box of
        // times and nutrition, then the steps as paragraphs, then teasers.
        let page = "\
Home
Rezepte
Backen
Login

Apfelkuchen vom Blech

Zutaten für 20 Stücke
Für den Teig:
250 g Butter
200 g Zucker
1 Pck. Vanillezucker
4 Eier (Größe M)
300 g Weizenmehl
Für den Belag:
1,5 kg säuerliche Äpfel
2 EL Zitronensaft

Zubereitungszeit 30 Minuten
Backzeit 40 Minuten
Nährwerte pro Stück
Energie 250 kcal

Die Butter mit dem Zucker und dem Vanillezucker in einer Schüssel cremig rühren, dann die Eier nacheinander unterrühren.
Das Mehl unterheben, den Teig auf einem gefetteten Backblech verstreichen und die Äpfel in Spalten darauf verteilen.
Den Kuchen im vorgeheizten Ofen bei 180 Grad etwa vierzig Minuten backen, bis er goldbraun ist, und auf dem Blech abkühlen lassen.

Das könnte Sie auch interessieren
Zwetschgenkuchen
Käsekuchen
Impressum
Datenschutz
";
        let c =
            Cleaner::new(RuleBook::shipped().unwrap(), Config::default()).clean_text(page, None);
        for want in [
            "250 g Butter",
            "Für den Belag:",
            "2 EL Zitronensaft",
            "Die Butter mit dem Zucker",
        ] {
            assert!(c.text.contains(want), "{want:?} missing:\n{}", c.text);
        }
        for unwanted in ["Login", "Käsekuchen", "Impressum"] {
            assert!(!c.text.contains(unwanted), "{unwanted:?} kept:\n{}", c.text);
        }
    }

    #[test]
    fn code_lines_are_told_from_prose() {
        for code in [
            "from django.conf import settings",
            "my_ggp <- ggplot(data, aes(x = Groups, y = Probability))",
            "cls.browser = webdriver.PhantomJS()",
            "for (int i = 0; i < n; i++) {",
            "set-option -s set-clipboard off;",
        ] {
            assert!(looks_like_code(code, &Tuning::DEFAULT), "{code}");
        }
        for prose in [
            "The council voted (after a long debate) to rebuild the old bridge.",
            "From Monday, trains will run every hour between the two cities.",
            "Ingredients: 200 g flour, 100 g sugar",
        ] {
            assert!(!looks_like_code(prose, &Tuning::DEFAULT), "{prose}");
        }
    }
}
