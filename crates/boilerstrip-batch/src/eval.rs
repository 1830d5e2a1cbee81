//! Scoring a directory of pages against expected texts: the truth file
//! read, each page's prediction found (a stored `<id>.txt`, or its input
//! cleaned as `clean` cleans a batch), and the per-page scores as TSV.
//!
//! The metrics themselves are the core library's ([`boilerstrip::eval`]).

use crate::input::{Format, InputError};
use boilerstrip::clean::Cleaner;
use boilerstrip::eval::{self, Scores, SnippetScores, Snippets};
use boilerstrip::site::Site;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What pages are scored against.
#[derive(Debug, Clone)]
pub enum Truth {
    /// Id → expected text (the bag-of-4-grams body metric).
    Bodies(Vec<(String, String)>),
    /// Id → passages that must and must not be in the output.
    Snippets(Vec<(String, Snippets)>),
}

/// A truth or snippet file that could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TruthError {
    /// The file could not be read.
    #[error("{}: cannot read {kind} file", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// `truth` or `snippet`.
        kind: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a truth (or snippet) file.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl Truth {
    /// Reads a truth file: id → text, or id → object with the text in `field`.
    pub fn bodies(path: &Path, field: &str) -> Result<Truth, TruthError> {
        let json = read(path, "truth")?;
        eval::load_truth(&json, field)
            .map(Truth::Bodies)
            .map_err(|message| parse_error(path, message))
    }

    /// Reads a snippet file: id → `{"with": [...], "without": [...]}`.
    pub fn snippets(path: &Path) -> Result<Truth, TruthError> {
        let json = read(path, "snippet")?;
        eval::load_snippets(&json)
            .map(Truth::Snippets)
            .map_err(|message| parse_error(path, message))
    }
}

fn read(path: &Path, kind: &'static str) -> Result<String, TruthError> {
    std::fs::read_to_string(path).map_err(|source| TruthError::Read {
        path: path.to_path_buf(),
        kind,
        source,
    })
}

fn parse_error(path: &Path, message: String) -> TruthError {
    TruthError::Parse {
        path: path.to_path_buf(),
        message,
    }
}

/// A page's stored prediction, `DIR/<id>.txt` (invalid UTF-8 replaced), or
/// `None` when there is none.
pub fn stored_prediction(dir: &Path, id: &str) -> Option<String> {
    std::fs::read(dir.join(format!("{id}.txt")))
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The inputs of a directory, by id (a file's stem), cleaned on demand as
/// `clean` cleans a batch: the lines the text dumps repeat are counted window
/// by window first (unless switched off), each page cleaned with its window's
/// count.
pub struct CleanedDir {
    cleaners: Vec<Cleaner>,
    by_id: HashMap<String, (PathBuf, usize)>,
    format: Option<Format>,
    site: Option<Site>,
}

impl CleanedDir {
    /// Finds the inputs under `dir` (and, with `repeated`, counts their
    /// repeated lines); nothing is cleaned yet.
    pub fn new(
        cleaner: Cleaner,
        dir: &Path,
        format: Option<Format>,
        site: Option<Site>,
        repeated: bool,
    ) -> CleanedDir {
        let (files, _) = crate::input::collect(&[dir.to_path_buf()], false);
        let window = boilerstrip::repeated::WINDOW;
        let cleaners: Vec<Cleaner> = if repeated {
            files
                .chunks(window)
                .map(|w| {
                    let lines =
                        crate::pipeline::count_repeated(w, format, site.as_ref(), u64::MAX, None);
                    cleaner.with_repeated(std::sync::Arc::new(lines))
                })
                .collect()
        } else {
            vec![cleaner]
        };
        let by_id = files
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let stem = f.path.file_stem()?.to_str()?.to_string();
                Some((stem, (f.path, (i / window).min(cleaners.len() - 1))))
            })
            .collect();
        CleanedDir {
            cleaners,
            by_id,
            format,
            site,
        }
    }

    /// The clean text of the input `id`: `None` when there is no such input,
    /// an error when it could not be read.
    pub fn predict(&self, id: &str) -> Option<Result<String, InputError>> {
        let (path, w) = self.by_id.get(id)?;
        Some(
            crate::pipeline::clean_file(&self.cleaners[*w], path, self.format, self.site.as_ref())
                .map(|(c, _)| c.text),
        )
    }
}

/// Per-page body scores as TSV, one header line first.
pub fn bodies_tsv(scores: &Scores) -> String {
    let mut tsv = String::from("id\tprecision\trecall\tf1\ttrue_tokens\tpred_tokens\n");
    for p in &scores.pages {
        tsv.push_str(&format!(
            "{}\t{:.4}\t{:.4}\t{:.4}\t{}\t{}\n",
            p.id, p.precision, p.recall, p.f1, p.true_tokens, p.pred_tokens
        ));
    }
    tsv
}

/// Per-page snippet counts as TSV, one header line first.
pub fn snippets_tsv(scores: &SnippetScores) -> String {
    let mut tsv = String::from("id\ttp\tfp\tfn\ttn\n");
    for p in &scores.pages {
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            p.id, p.tp, p.fp, p.fn_, p.tn
        ));
    }
    tsv
}
