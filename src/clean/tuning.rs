//! Every detection threshold of the document model and the cleaner, in one
//! place: [`Tuning`].
//!
//! The defaults are the values as tuned on the dev sets (zyte HTML, its text
//! dumps, web-mixed HTML and its text dumps). A field's `Sweep:` line gives
//! the four sets' F1 with that field alone moved down and up from its value,
//! as zyte-html/zyte-text/web-html/web-text (as tuned:
//! 0.971/0.932/0.940/0.884); "flat" means all four read as tuned, to three
//! decimals. Figures in prose are those the change that chose the value
//! measured.
//! A [`Tuning`] reaches the cleaner through [`Config::tuning`]; its
//! [`Tuning::wrap`] part reaches the text reader through
//! [`Document::from_text_with`].
//!
//! [`Config::tuning`]: super::Config::tuning
//! [`Document::from_text_with`]: crate::document::Document::from_text_with

use crate::document::{Block, Features, Wrapping};

/// The thresholds the detectors decide by. `Default` (and
/// [`Tuning::DEFAULT`]) gives the values as tuned. New fields may come
/// (the struct is `#[non_exhaustive]`), so change fields of a default one:
///
/// ```
/// use boilerstrip::{Config, Tuning};
/// let mut tuning = Tuning::default();
/// tuning.paragraph_words = 10;
/// let config = Config::default().tuning(tuning);
/// assert_eq!(config.tuning.paragraph_words, 10);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Tuning {
    // --- What a block reads as ---
    /// Fewest words of a block that reads as body text (with a sentence
    /// ending and no URL): the paragraphs every later pass counts.
    /// Sweep: 10: 0.971/0.931/0.940/0.884; 14: as tuned.
    pub paragraph_words: u32,
    /// Most words of a heading-like block (no sentence ending, no list
    /// marker, no URL): headings, labels, menu entries, bylines.
    /// Sweep: 12: 0.971/0.932/0.941/0.884; 13: as tuned; 16:
    /// 0.971/0.931/0.940/0.884.
    pub heading_max_words: u32,

    // --- The value of a block for the article region (`region::value`) ---
    /// Fewest words of a sentence (with no list marker) that counts for the
    /// article in full, its value its words.
    /// Sweep: 6: as tuned; 10: 0.971/0.932/0.940/0.881.
    pub sentence_words: u32,
    /// Under this many words a line that is not a sentence is short and
    /// costs [`Tuning::short_penalty`]; from it on, [`Tuning::line_penalty`].
    /// Sweep: 3: 0.971/0.931/0.940/0.883; 5: 0.971/0.931/0.940/0.884.
    pub short_words: u32,
    /// In a text dump, a sentence of this many words (and under
    /// [`Tuning::sentence_words`]) counts neither for nor against the
    /// article: a dump's short sentences are the article's as often as not
    /// (textdumps-zyte +0.001, web-mixed dumps +6 snippets; in HTML, where
    /// links and elements tell more, it cost 0.002).
    pub short_sentence_words: u32,
    /// Fewest words of an unfinished line (no sentence ending) that counts
    /// for the article at [`Tuning::long_line_weight`]: body text cut short,
    /// or a long caption.
    /// Sweep: 20: 0.972/0.931/0.939/0.884; 27: 0.971/0.932/0.940/0.885;
    /// 30: 0.972/0.932/0.940/0.885 (up on two sets, none down: a candidate
    /// for a change of its own); 35: 0.972/0.932/0.940/0.883; 40:
    /// 0.971/0.932/0.939/0.883.
    pub long_line_words: u32,
    /// Weight of a short (under [`Tuning::short_words`]) non-sentence
    /// block.
    /// Sweep: 6: 0.971/0.930/0.940/0.881; 10: 0.971/0.929/0.940/0.882.
    pub short_penalty: f32,
    /// Weight of a longer non-sentence block (a teaser headline, a menu
    /// line).
    /// Sweep: 10: 0.971/0.930/0.940/0.886; 14: 0.971/0.932/0.940/0.880.
    pub line_penalty: f32,
    /// Weight of a block that a rule removed.
    /// Sweep: 10: 0.971/0.929/0.941/0.883; 14: 0.971/0.927/0.940/0.883.
    pub rule_penalty: f32,
    /// Least value of a block a keep rule protects (its words count when
    /// more).
    /// Sweep: 5 and 15 flat (every set as tuned).
    pub protected_value: f32,
    /// Share of its words a sentence written as a list item counts for (in
    /// a text dump): body text a quarter of the time.
    /// Sweep: 0.25: as tuned; 0.75: 0.971/0.931/0.940/0.884.
    pub bullet_sentence_weight: f32,
    /// Share of its words a long unfinished line counts for.
    /// Sweep: 0.25: 0.971/0.934/0.939/0.883; 0.75: 0.972/0.919/0.938/0.879.
    pub long_line_weight: f32,
    /// Above this share of link text an HTML block is not body text.
    /// Sweep: 0.6: 0.971/0.932/0.941/0.884; 0.8: 0.971/0.932/0.939/0.884.
    pub link_density_max: f32,
    /// [`Favor::penalty_scale`](super::Favor::penalty_scale) of text dumps
    /// as tuned: their chrome lines cost less than an HTML page's, whose
    /// element and links tell more (web-mixed dumps: 1.0 F1 0.872, 0.8
    /// 0.878, 0.75 0.878, 0.7 0.880, 0.6 0.879; textdumps-zyte 0.918, 0.914,
    /// 0.918, 0.916, 0.913).
    pub text_scale: f32,
    /// The penalty scale of text dumps for `--favor precision`:
    /// textdumps-zyte P 0.894 → 0.906 (R 0.941 → 0.885) at 2.0; when chosen,
    /// 3.0 gained 0.006 more precision for 0.034 of recall.
    pub precision_scale: f32,
    /// The penalty scale for `--favor recall`: textdumps-zyte R 0.941 →
    /// 0.948 (P 0.894 → 0.873) at 0.5; when chosen, 0.25 gained 0.004 more
    /// recall for 0.014 of precision.
    pub recall_scale: f32,
    /// Fewest of the bytes `(){}[]=;<>` that make a line bracket-dense (code,
    /// or a list of counts flattened into a line: an archive's month menu,
    /// a tag cloud), which then counts neither for nor against.
    /// Sweep: 1 and 3 flat (every set as tuned).
    pub bracket_min_symbols: usize,
    /// A line is bracket-dense when one byte in this many (or more) is one
    /// of those symbols.
    /// Sweep: 20: 0.971/0.931/0.940/0.884; 30: as tuned.
    pub bracket_bytes_per_symbol: usize,
    /// Longest line (in bytes) looked through for brackets (a flattened menu
    /// runs to a few kilobytes; a page of one huge line is not read again
    /// for every look at its value).
    /// Sweep: 10000 and 40000 flat (every set as tuned).
    pub dense_line_max_bytes: usize,
    /// Longest line (in bytes) taken for a line of program code, which in a
    /// dump counts neither for nor against (web-mixed dumps +7 snippets, 4
    /// boilerplate).
    /// Sweep: 150 and 250 flat (every set as tuned).
    pub code_line_max_bytes: usize,

    // --- The region's edges (`region::find`) ---
    /// Fewest words of an unfinished last block of a dump (cut off
    /// mid-sentence) that joins a region ending right above it.
    /// Sweep: 8 and 16 flat (every set as tuned).
    pub unfinished_end_words: u32,
    /// Most words of a bare link that reads as a list item under the
    /// region.
    /// Sweep: 6 and 10 flat (every set as tuned).
    pub bare_link_max_words: u32,
    /// Fewest words of an HTML list item of prose that joins the region
    /// above it.
    /// Sweep: 3 and 5 flat (every set as tuned).
    pub prose_item_min_words: u32,
    /// Below this share of link text an HTML list item is prose.
    /// Sweep: 0.4 and 0.6 flat (every set as tuned).
    pub prose_item_link_share: f32,

    // --- The page's own article markup ---
    /// Fewest words of body text that make a page's own article markup
    /// (`itemprop="articleBody"`) worth taking.
    /// Sweep: 20 and 40 flat (every set as tuned).
    pub marked_min_words: u32,
    /// Words of body text in the region from which the marked element's
    /// share of it is checked.
    /// Sweep: 50 and 150 flat (every set as tuned).
    pub markup_check_words: u32,
    /// Least share of the region's body text the marked element must hold
    /// to be believed. On the dev set the marked element always holds at
    /// least 39% of the region's body text; a quarter is the floor.
    /// Sweep: 0.15 and 0.35 flat (every set as tuned).
    pub markup_min_share: f32,

    // --- The article's element (HTML) ---
    /// Share of the region's body text the article's element must hold
    /// (the smallest such element is the article's).
    /// Sweep: 0.85: 0.971/0.932/0.939/0.884; 0.95: 0.971/0.932/0.939/0.884.
    pub container_share: f32,
    /// How many enclosing block elements a line remembers (at most
    /// [`CONTAINER_DEPTH`](crate::document::html::CONTAINER_DEPTH)). A
    /// table adds four (`table`, `tbody`, `tr`, `td`), so ten still reach
    /// the article's element from a cell of a table nested in a layout
    /// table (zyte F1: 6 levels 0.958, 8–9 0.960, 10 0.964, 11–12
    /// 0.960–0.961, 16 0.957).
    /// Sweep: 8: 0.970/0.932/0.938/0.884.
    pub container_depth: usize,
    /// Fewest items of a list above the article (in the element around the
    /// article's own: a recipe's ingredients beside its method) that joins
    /// it.
    /// Sweep: 1 and 3 flat (every set as tuned).
    pub list_above_min_items: usize,
    /// Share of sentences in such a list from which it is the story's
    /// summary (which news sites print apart) and stays out.
    /// Sweep: 0.4 and 0.6 flat (every set as tuned).
    pub list_above_sentence_share: f32,

    // --- Runs of body text elsewhere on the page ---
    /// Runs of body text elsewhere on the page that weigh at least this
    /// share of the article's and share its words join it (web-mixed HTML
    /// +3 snippets, text dumps +12; zyte unchanged; 0.05 took teasers in on
    /// zyte).
    pub related_run_mass: f32,
    /// Share of a run's distinct words found in the article that makes it
    /// the article's (0.3 took comments in on zyte, 0.5 lost half the
    /// gain).
    pub related_run_share: f32,
    /// Most blocks between the article and a run that joins it: the rest of
    /// an article split by a box or a list lies close; beyond, related text
    /// is another story's (with no limit zyte lost 0.0014 in HTML, 0.0024
    /// in text).
    pub related_run_gap: usize,
    /// Runs looked at on either side of the article.
    /// Sweep: 3 and 5 flat (every set as tuned).
    pub related_run_tries: usize,
    /// Fewest distinct words a run must have to be judged.
    /// Sweep: 3 and 7 flat (every set as tuned).
    pub related_run_min_words: usize,

    // --- Thin HTML articles ---
    /// An HTML article with fewer words than this is thin: a recipe, a data
    /// sheet or a product page whose text is lists and short lines, where
    /// the densest run is one sentence (web-mixed +5 snippets, 1
    /// boilerplate; zyte unchanged; 80 and 100 took deks in on zyte,
    /// -0.0015).
    pub thin_article_words: u32,
    /// Most link text and rule-removed text, as a share of its plain text,
    /// an element may hold to be the thin article's (0.15 found too few,
    /// 0.5 took in boxes of links).
    pub thin_linked_share: f32,
    /// How many times the thin article's words the element it widens to
    /// must hold (more than).
    /// Sweep: 1: 0.971/0.932/0.939/0.884; 3: as tuned.
    pub thin_widen_factor: u32,

    // --- The lead of an HTML article ---
    /// Blocks looked at above the article's first block for its headline.
    /// Sweep: 8: 0.971/0.932/0.939/0.884; 16: 0.971/0.932/0.941/0.884.
    pub lead_window: usize,
    /// Fewest words of a lead (standfirst) paragraph.
    /// Sweep: 6 and 10 flat (every set as tuned).
    pub lead_min_words: u32,
    /// Fewest words of a lead that does not end like a sentence (German
    /// standfirsts often go without the full stop). web-mixed: +3 snippets,
    /// no boilerplate; zyte F1 +0.0002.
    pub lead_unfinished_words: u32,
    /// Up to this many words, a line that reads as a byline is no lead.
    /// Sweep: 15 and 25 flat (every set as tuned).
    pub lead_byline_max_words: u32,

    // --- Lists of quantities (ingredients) ---
    /// Fewest quantity lines (`200 g Zucker`, `* 1 tablespoon ground
    /// cinnamon`) of a list kept beside the article.
    /// Sweep: 3: 0.971/0.931/0.940/0.884; 5: as tuned.
    pub quantity_list_min: usize,
    /// Least share of quantity lines in such a list: ingredient lists put a
    /// name and its amount on lines of their own, or sub-headings (`Belag:`)
    /// between the amounts.
    /// Sweep: 0.4 and 0.6 flat (every set as tuned).
    pub quantity_list_share: f32,
    /// Most lines of other kinds in a row inside such a list.
    /// Sweep: 1 and 3 flat (every set as tuned).
    pub quantity_list_break: usize,
    /// Most blocks between the list and the article's nearest kept block
    /// (headings, times, a nutrition box between the amounts and the
    /// steps). web-mixed HTML: 8 blocks +2 snippets, 12 +5, 16 no more; no
    /// snippet that must go came in at any of them.
    pub quantity_list_gap: usize,
    /// Most words of a line in such a list.
    /// Sweep: 12: 0.971/0.932/0.940/0.883; 18: as tuned.
    pub quantity_line_max_words: u32,

    // --- Emptied pages ---
    /// Fewer words than this left of a page with body text is an emptied
    /// page: the region's paragraphs come back; and an HTML page whose
    /// visible text is this short is tried again with its `<noscript>`
    /// elements shown.
    /// Sweep: 5 and 15 flat (every set as tuned).
    pub emptied_words: u32,

    // --- The headline above a dump's article ---
    /// Above this many words a block over the article is body text, and no
    /// headline is looked for above it.
    /// Sweep: 16 and 24 flat (every set as tuned).
    pub title_max_words: u32,
    /// Fewest words of a heading-like block taken for the headline.
    /// Sweep: 3: 0.971/0.931/0.940/0.883; 5: 0.971/0.932/0.940/0.885.
    pub title_min_words: u32,
    /// Most bylines or date lines passed over between the headline and the
    /// article.
    /// Sweep: 1: as tuned; 3: 0.971/0.931/0.940/0.884.
    pub title_max_skipped: usize,

    // --- Bylines ---
    /// Most words of a byline or date line.
    /// Sweep: 12: 0.971/0.931/0.940/0.884; 18: as tuned.
    pub byline_max_words: u32,
    /// Most words of a line that holds a date but does not open with one
    /// (or with a byline word) and still reads as a date line.
    /// Sweep: 6 and 10 flat (every set as tuned).
    pub date_line_max_words: u32,
    /// Blocks looked at above the article's first paragraph for bylines.
    /// Sweep: 4: 0.971/0.932/0.941/0.884; 8: as tuned.
    pub byline_window: usize,
    /// Most byline and date lines an article opens with (more is a list of
    /// dates: a calendar, a timetable).
    /// Sweep: 1: 0.971/0.931/0.940/0.884; 3: as tuned.
    pub byline_max_lines: usize,
    /// Blocks above the article's first kept block looked at for its
    /// byline (metadata only: the F1 figures cannot move with it).
    pub byline_lookback: usize,
    /// Most words of a line near the article's start read for its byline
    /// (metadata only, like [`Tuning::byline_lookback`]).
    pub byline_line_max_words: u32,

    // --- Comments ---
    /// Words of body text a dump's article must have before a comment
    /// prompt ends it (the figure of issue 18; textdumps-zyte +0.001,
    /// web-mixed dumps FP -6 for TP -2).
    pub comments_cut_words: u32,

    // --- Embedded posts (text dumps) ---
    /// Longest text an embedded post shows, in characters (280, links
    /// counted as 23, with room for the "…" cut).
    /// Sweep: 280 and 360 flat (every set as tuned).
    pub post_budget: usize,
    /// Most words of an embedded post's attribution line.
    /// Sweep: 20 and 40 flat (every set as tuned).
    pub attribution_max_words: u32,

    // --- Teasers and unrelated segments ---
    /// Below this share of its distinct words found in the article, a
    /// trailing segment is unrelated.
    /// Sweep: 0.15: 0.971/0.931/0.940/0.884; 0.25: as tuned.
    pub related_min: f32,
    /// Separator blocks in a row that end a segment.
    /// Sweep: 1: 0.971/0.932/0.939/0.882; 3: 0.971/0.930/0.940/0.884.
    pub separator_run: usize,
    /// Segments with fewer distinct words than this are too small to judge.
    /// Sweep: 3 and 7 flat (every set as tuned).
    pub min_words_to_judge: usize,
    /// Least share of the largest segment's words the article's segment
    /// has (the first such: a rail of teasers after the story can outweigh
    /// it).
    /// Sweep: 0.4 and 0.6 flat (every set as tuned).
    pub core_segment_share: f32,
    /// Fewest characters of a word that counts as one of a text's distinct
    /// words (relatedness of runs and segments).
    /// Sweep: 3: 0.971/0.932/0.941/0.884; 5: 0.971/0.932/0.940/0.885.
    pub distinct_word_min_chars: usize,
    /// A block printed twice in a row is a repeated headline when it is
    /// this short.
    /// Sweep: 20: 0.971/0.931/0.940/0.884; 40: as tuned.
    pub max_title_words: u32,
    /// Fewest words of a headline printed twice that opens a teaser card.
    /// Sweep: 1: 0.971/0.931/0.940/0.884; 3: as tuned.
    pub card_title_min_words: u32,
    /// Most blocks under a card's headline taken with it.
    /// Sweep: 2: 0.971/0.932/0.941/0.884; 4: as tuned.
    pub card_max_lines: usize,
    /// A block under a card's headline is the card's when it is body text,
    /// has at most this many words…
    /// Sweep: 3: 0.971/0.932/0.941/0.884; 5: as tuned.
    pub card_short_line_words: u32,
    /// …or at least this many characters.
    /// Sweep: 60 and 100 flat (every set as tuned).
    pub card_long_line_chars: u32,

    // --- Dated cards (text dumps) ---
    /// Fewest dated cards in a row that make a list of them.
    /// Sweep: 2 and 4 flat (every set as tuned).
    pub min_dated_cards: usize,
    /// Most blocks from one card's date line to the next one's.
    /// Sweep: 5 and 7 flat (every set as tuned).
    pub max_card_span: usize,
    /// Most words of a card's title or name line.
    /// Sweep: 12: 0.971/0.931/0.940/0.884; 18: as tuned.
    pub card_line_max_words: u32,
    /// Most words of a card's date line.
    /// Sweep: 6 and 10 flat (every set as tuned).
    pub card_date_max_words: u32,
    /// Most words of a block between two dated cards (more is a paragraph
    /// of the article's size).
    /// Sweep: 100 and 140 flat (every set as tuned).
    pub dated_card_max_words: u32,

    // --- Lists of linked teaser cards (HTML) ---
    /// Fewest linked titles that make a list of teaser cards.
    /// Sweep: 2: 0.968/0.932/0.940/0.884; 4: 0.971/0.932/0.941/0.884.
    pub min_cards: usize,
    /// Most words a card may hold besides its title (a byline, a date, a
    /// blurb).
    /// Sweep: 100: 0.969/0.932/0.940/0.884; 140: 0.971/0.932/0.938/0.884.
    pub max_card_words: u32,
    /// Fewest words of a card's linked title.
    /// Sweep: 2: 0.971/0.932/0.938/0.884; 4: 0.971/0.932/0.941/0.884.
    pub linked_title_min_words: u32,
    /// Most words of a card's linked title.
    /// Sweep: 25 and 35 flat (every set as tuned).
    pub linked_title_max_words: u32,
    /// Least share, in percent, of a linked title's characters that are
    /// link text (its words counted as link text too, for the spaces).
    /// Sweep: 85: as tuned; 95: 0.971/0.932/0.941/0.884.
    pub linked_title_link_percent: u32,
    /// Most words of the heading just above a card list that goes with it.
    /// Sweep: 4: as tuned; 8: 0.971/0.932/0.941/0.884.
    pub card_list_heading_max_words: u32,

    // --- Wrapped text dumps ---
    /// How a text dump wrapped at a fixed width is told and joined again
    /// ([`Document::from_text_with`](crate::document::Document::from_text_with)
    /// takes these; the document model comes before the cleaner, so they
    /// are its own).
    pub wrap: Wrapping,
}

impl Tuning {
    /// The values as tuned (what `Default` gives).
    pub const DEFAULT: Tuning = Tuning {
        paragraph_words: 12,
        heading_max_words: 14,
        sentence_words: 8,
        short_words: 4,
        short_sentence_words: 4,
        long_line_words: 25,
        short_penalty: 8.0,
        line_penalty: 12.0,
        rule_penalty: 12.0,
        protected_value: 10.0,
        bullet_sentence_weight: 0.5,
        long_line_weight: 0.5,
        link_density_max: 0.7,
        text_scale: 0.7,
        precision_scale: 2.0,
        recall_scale: 0.5,
        bracket_min_symbols: 2,
        bracket_bytes_per_symbol: 25,
        dense_line_max_bytes: 20_000,
        code_line_max_bytes: 200,
        unfinished_end_words: 12,
        bare_link_max_words: 8,
        prose_item_min_words: 4,
        prose_item_link_share: 0.5,
        marked_min_words: 30,
        markup_check_words: 100,
        markup_min_share: 0.25,
        container_share: 0.9,
        container_depth: crate::document::html::CONTAINER_DEPTH,
        list_above_min_items: 2,
        list_above_sentence_share: 0.5,
        related_run_mass: 0.1,
        related_run_share: 0.4,
        related_run_gap: 15,
        related_run_tries: 4,
        related_run_min_words: 5,
        thin_article_words: 60,
        thin_linked_share: 0.3,
        thin_widen_factor: 2,
        lead_window: 12,
        lead_min_words: 8,
        lead_unfinished_words: 12,
        lead_byline_max_words: 20,
        quantity_list_min: 4,
        quantity_list_share: 0.5,
        quantity_list_break: 2,
        quantity_list_gap: 12,
        quantity_line_max_words: 15,
        emptied_words: 10,
        title_max_words: 20,
        title_min_words: 4,
        title_max_skipped: 2,
        byline_max_words: 15,
        date_line_max_words: 8,
        byline_window: 6,
        byline_max_lines: 2,
        byline_lookback: 6,
        byline_line_max_words: 15,
        comments_cut_words: 80,
        post_budget: 320,
        attribution_max_words: 30,
        related_min: 0.2,
        separator_run: 2,
        min_words_to_judge: 5,
        core_segment_share: 0.5,
        distinct_word_min_chars: 4,
        max_title_words: 30,
        card_title_min_words: 2,
        card_max_lines: 3,
        card_short_line_words: 4,
        card_long_line_chars: 80,
        min_dated_cards: 3,
        max_card_span: 6,
        card_line_max_words: 15,
        card_date_max_words: 8,
        dated_card_max_words: 120,
        min_cards: 3,
        max_card_words: 120,
        linked_title_min_words: 3,
        linked_title_max_words: 30,
        linked_title_link_percent: 90,
        card_list_heading_max_words: 6,
        wrap: Wrapping::DEFAULT,
    };

    /// A block that reads as body text: a sentence of at least
    /// [`Tuning::paragraph_words`] words, with no URL.
    pub fn is_paragraph(&self, b: &Block<'_>) -> bool {
        let f = &b.features;
        f.words >= self.paragraph_words && f.ends_sentence && !f.has_url
    }

    /// A short line with no sentence ending and no list marker (at most
    /// [`Tuning::heading_max_words`] words): a heading, a label, a menu
    /// entry or a byline.
    pub fn is_heading_like(&self, f: &Features) -> bool {
        f.is_heading_like(self.heading_max_words)
    }
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning::DEFAULT
    }
}
