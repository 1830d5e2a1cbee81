//! Accuracy, measured the way our benchmarks measure it.
//!
//! Each text becomes a bag of word 4-grams (words are maximal runs of letters,
//! digits and `_`, case kept; a text of one to three words is one gram). Per
//! page, precision and recall compare the predicted bag with the expected one;
//! a page where both bags are equal scores 1. Mean precision averages over pages
//! whose prediction has any gram, mean recall over pages whose expected text
//! has any; F1 is the harmonic mean of the two means. This is the metric of
//! `shared/evaldata/score.py`, which the test suite checks it against.
//!
//! Snippet truth ([`score_snippets`]) is the other metric: per page, passages
//! that must be in the output ("with") and passages that must not
//! ("without"), found by plain substring search after whitespace is
//! normalised; micro precision, recall and F1 over all snippets. This is the
//! metric of `shared/evaldata/snippets_score.py`.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{L}\p{N}_]+").unwrap());

/// Scores of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageScore {
    /// Page id.
    pub id: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Words in the expected text.
    pub true_tokens: usize,
    /// Words in the prediction.
    pub pred_tokens: usize,
    /// Whether the prediction was missing.
    pub missing: bool,
    /// Whether the word sequences are equal.
    pub exact: bool,
}

/// Scores of a set.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Mean precision over pages with a non-empty prediction.
    pub precision: f64,
    /// Mean recall over pages with a non-empty expected text.
    pub recall: f64,
    /// Harmonic mean of mean precision and mean recall.
    pub f1: f64,
    /// Share of pages whose word sequence is exactly the expected one.
    pub accuracy: f64,
    /// Mean of per-page F1.
    pub page_f1: f64,
    /// Pages with an empty prediction.
    pub empty: usize,
    /// Pages with no prediction at all.
    pub missing: usize,
    /// Per page, sorted by id.
    pub pages: Vec<PageScore>,
}

fn tokens(text: &str) -> Vec<&str> {
    WORD.find_iter(text).map(|m| m.as_str()).collect()
}

fn shingles<'s, 't>(toks: &'s [&'t str]) -> HashMap<&'s [&'t str], u32> {
    let mut bag = HashMap::new();
    if toks.is_empty() {
        return bag;
    }
    if toks.len() < 4 {
        bag.insert(toks, 1);
        return bag;
    }
    for w in toks.windows(4) {
        *bag.entry(w).or_insert(0) += 1;
    }
    bag
}

/// Scores one page: `(precision, recall, has_pred_grams, has_true_grams)`.
fn page(truth: &str, pred: &str, id: &str, missing: bool) -> (PageScore, bool, bool) {
    let (tt, pt) = (tokens(truth), tokens(pred));
    let (tb, pb) = (shingles(&tt), shingles(&pt));
    let tp: u64 = pb
        .iter()
        .map(|(k, &n)| n.min(tb.get(k).copied().unwrap_or(0)) as u64)
        .sum();
    let p_total: u64 = pb.values().map(|&n| n as u64).sum();
    let t_total: u64 = tb.values().map(|&n| n as u64).sum();
    let (fp, fn_) = (p_total - tp, t_total - tp);
    let (precision, recall) = if fp == 0 && fn_ == 0 {
        (1.0, 1.0)
    } else {
        let p = if p_total > 0 {
            tp as f64 / p_total as f64
        } else {
            0.0
        };
        let r = if t_total > 0 {
            tp as f64 / t_total as f64
        } else {
            0.0
        };
        (p, r)
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let score = PageScore {
        id: id.to_string(),
        precision,
        recall,
        f1,
        true_tokens: tt.len(),
        pred_tokens: pt.len(),
        missing,
        exact: tt == pt,
    };
    (score, p_total > 0, t_total > 0)
}

/// Scores predictions against expected texts. `pred` gives a page's predicted
/// text, or `None` when it is missing (scored as empty).
pub fn score<'a>(
    truth: impl IntoIterator<Item = (&'a str, &'a str)>,
    mut pred: impl FnMut(&str) -> Option<String>,
) -> Scores {
    let mut truth: Vec<(&str, &str)> = truth.into_iter().collect();
    truth.sort();
    let (mut ps, mut rs, mut pages) = (Vec::new(), Vec::new(), Vec::new());
    for (id, t) in truth {
        let p = pred(id);
        let missing = p.is_none();
        let (s, has_p, has_t) = page(t, p.as_deref().unwrap_or(""), id, missing);
        if has_p {
            ps.push(s.precision);
        }
        if has_t {
            rs.push(s.recall);
        }
        pages.push(s);
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (precision, recall) = (mean(&ps), mean(&rs));
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let n = pages.len().max(1) as f64;
    Scores {
        precision,
        recall,
        f1,
        accuracy: pages.iter().filter(|p| p.exact).count() as f64 / n,
        page_f1: pages.iter().map(|p| p.f1).sum::<f64>() / n,
        empty: pages.iter().filter(|p| p.pred_tokens == 0).count(),
        missing: pages.iter().filter(|p| p.missing).count(),
        pages,
    }
}

/// Reads a truth file: a JSON object of id → text, or id → object with the
/// text in `field` (so the benchmark's own `ground-truth.json` works as is).
pub fn load_truth(json: &str, field: &str) -> Result<Vec<(String, String)>, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let obj = v
        .as_object()
        .ok_or("the truth file must hold a JSON object (id → text)")?;
    Ok(obj
        .iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(o) => o
                    .get(field)
                    .and_then(|t| t.as_str())
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            };
            (k.clone(), text)
        })
        .collect())
}

/// Snippet truth of one page: passages that must be in its output and
/// passages that must not.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct Snippets {
    /// Passages of the main text.
    #[serde(default)]
    pub with: Vec<String>,
    /// Passages of boilerplate.
    #[serde(default)]
    pub without: Vec<String>,
}

/// Snippet counts of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnippetPage {
    /// Page id.
    pub id: String,
    /// "with" snippets found.
    pub tp: usize,
    /// "without" snippets found.
    pub fp: usize,
    /// "with" snippets missing.
    pub fn_: usize,
    /// "without" snippets missing.
    pub tn: usize,
    /// Whether the prediction was missing.
    pub missing: bool,
    /// Whether the prediction was empty (or missing).
    pub empty: bool,
}

/// Snippet scores of a set: micro averages over every snippet of every page.
#[derive(Debug, Clone, PartialEq)]
pub struct SnippetScores {
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// 2 TP / (2 TP + FP + FN).
    pub f1: f64,
    /// (TP + TN) / all snippets.
    pub accuracy: f64,
    /// Totals over the pages.
    pub tp: usize,
    /// Totals over the pages.
    pub fp: usize,
    /// Totals over the pages.
    pub fn_: usize,
    /// Totals over the pages.
    pub tn: usize,
    /// Pages with an empty (or missing) prediction.
    pub empty: usize,
    /// Pages with no prediction at all.
    pub missing: usize,
    /// Per page, sorted by id.
    pub pages: Vec<SnippetPage>,
}

/// Whitespace as `snippets_score.py` sees it: Python's `\s` on text, which
/// also takes the four ASCII separators U+001C–U+001F.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Every run of whitespace one space, the ends stripped.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Scores predictions against snippet truth. `pred` gives a page's predicted
/// text, or `None` when it is missing; a missing or empty prediction finds no
/// snippet.
pub fn score_snippets<'a>(
    truth: impl IntoIterator<Item = (&'a str, &'a Snippets)>,
    mut pred: impl FnMut(&str) -> Option<String>,
) -> SnippetScores {
    let mut truth: Vec<(&str, &Snippets)> = truth.into_iter().collect();
    truth.sort_by(|a, b| a.0.cmp(b.0));
    let mut pages = Vec::with_capacity(truth.len());
    for (id, s) in truth {
        let p = pred(id);
        let missing = p.is_none();
        let text = p.unwrap_or_default();
        let empty = text.trim_matches(is_space).is_empty();
        let mut page = SnippetPage {
            id: id.to_string(),
            missing,
            empty,
            ..SnippetPage::default()
        };
        // An empty text finds nothing (even an empty snippet).
        let out = (!text.is_empty()).then(|| normalise(&text));
        let found = |snippet: &str| {
            out.as_ref()
                .is_some_and(|o| o.contains(&normalise(snippet)))
        };
        page.tp = s.with.iter().filter(|w| found(w)).count();
        page.fn_ = s.with.len() - page.tp;
        page.fp = s.without.iter().filter(|w| found(w)).count();
        page.tn = s.without.len() - page.fp;
        pages.push(page);
    }
    let sum = |f: fn(&SnippetPage) -> usize| pages.iter().map(f).sum::<usize>();
    let (tp, fp, fn_, tn) = (sum(|p| p.tp), sum(|p| p.fp), sum(|p| p.fn_), sum(|p| p.tn));
    let div = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    SnippetScores {
        precision: div(tp, tp + fp),
        recall: div(tp, tp + fn_),
        f1: div(2 * tp, 2 * tp + fp + fn_),
        accuracy: div(tp + tn, tp + tn + fp + fn_),
        tp,
        fp,
        fn_,
        tn,
        empty: pages.iter().filter(|p| p.empty).count(),
        missing: pages.iter().filter(|p| p.missing).count(),
        pages,
    }
}

/// Reads a snippet file: a JSON object of id → `{"with": [...], "without": [...]}`.
pub fn load_snippets(json: &str) -> Result<Vec<(String, Snippets)>, String> {
    let map: std::collections::BTreeMap<String, Snippets> =
        serde_json::from_str(json).map_err(|e| e.to_string())?;
    Ok(map.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(truth: &str, pred: &str) -> PageScore {
        page(truth, pred, "x", false).0
    }

    #[test]
    fn identical_texts_score_one() {
        let s = one("The quick brown fox jumps.", "The quick, brown fox jumps!");
        assert_eq!((s.precision, s.recall), (1.0, 1.0));
        assert!(s.exact);
    }

    #[test]
    fn extra_text_lowers_precision_only() {
        // truth: 5 words → 2 grams; prediction adds 2 words → 4 grams, 2 shared.
        let s = one("a b c d e", "a b c d e f g");
        assert_eq!((s.precision, s.recall), (0.5, 1.0));
    }

    #[test]
    fn short_texts_are_one_gram_and_case_is_kept() {
        assert_eq!(one("Hello world", "hello world").precision, 0.0);
        assert_eq!(one("Hello world", "Hello world").precision, 1.0);
    }

    #[test]
    fn means_skip_empty_sides() {
        let truth = [
            ("a", "one two three four five"),
            ("b", "six seven eight nine"),
        ];
        let s = score(truth.iter().map(|(a, b)| (*a, *b)), |id| {
            (id == "a").then(|| "one two three four five".to_string())
        });
        assert_eq!(
            s.precision, 1.0,
            "the missing page is left out of precision"
        );
        assert_eq!(s.recall, 0.5);
        assert_eq!(s.missing, 1);
        assert_eq!(s.empty, 1);
    }

    #[test]
    fn snippets_are_found_after_whitespace_is_normalised() {
        let truth = [(
            "a".to_string(),
            Snippets {
                with: vec!["The bridge  opens\nin May.".into(), "Tolls are free".into()],
                without: vec!["Share this".into(), "Sign up".into()],
            },
        )];
        let s = score_snippets(truth.iter().map(|(a, b)| (a.as_str(), b)), |_| {
            Some("The bridge opens in May.\tTolls are\u{a0}free until June.\nSign up\n".into())
        });
        assert_eq!((s.tp, s.fn_, s.fp, s.tn), (2, 0, 1, 1));
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.recall, 1.0);
        assert!((s.f1 - 0.8).abs() < 1e-9);
    }

    #[test]
    fn a_missing_or_empty_prediction_finds_no_snippet() {
        let truth = [
            (
                "a".to_string(),
                Snippets {
                    with: vec!["x y".into()],
                    without: vec!["z".into()],
                },
            ),
            (
                "b".to_string(),
                Snippets {
                    with: vec!["x y".into()],
                    without: vec![],
                },
            ),
        ];
        let s = score_snippets(truth.iter().map(|(a, b)| (a.as_str(), b)), |id| {
            (id == "a").then(|| " \n".to_string())
        });
        assert_eq!((s.tp, s.fn_, s.fp, s.tn), (0, 2, 0, 1));
        assert_eq!((s.empty, s.missing), (2, 1));
        assert_eq!(s.f1, 0.0);
    }
}
