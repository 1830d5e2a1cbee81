//! Rule directories on disk: ftr-site-config files imported into one, and
//! every site file of a loaded book compiled to check it.
//!
//! The translation itself is the core's ([`boilerstrip::rules::ftr`]); this
//! module reads the files, decides what may be written where, and writes
//! atomically. A file already on disk is never written over without
//! `force`, and files of one run that stand for one output are merged into
//! it (the core says which), so nothing is overwritten silently.

use boilerstrip::RuleBook;
use boilerstrip::rules::ftr::{self, Untranslated};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What an import did, for its caller to report.
#[derive(Debug, Default)]
pub struct FtrImport {
    /// Lines not translated, with their file.
    pub untranslated: Vec<(PathBuf, Untranslated)>,
    /// Input files that are no site config, with the reason.
    pub not_sites: Vec<(PathBuf, String)>,
    /// Outputs made from two or more inputs: the output's path in the rule
    /// directory and the inputs.
    pub merged: Vec<(String, Vec<PathBuf>)>,
    /// Each output: its path in the rule directory, the inputs it came
    /// from, and its text.
    pub outputs: Vec<(String, Vec<PathBuf>, String)>,
    /// Outputs written (with an output directory).
    pub written: Vec<PathBuf>,
    /// Outputs not written because the file exists (no `force`).
    pub kept: Vec<PathBuf>,
}

/// An import that could not go on: a file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct ImportError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Imports ftr-site-config `files`: with `out`, each translation is written
/// to its place under it (`sites/<host>.toml`, `sites/.<host>.toml`,
/// `global.toml`), an existing file only with `force`; without, nothing is
/// written and the caller prints [`FtrImport::outputs`].
pub fn import_ftr(
    files: &[PathBuf],
    out: Option<&Path>,
    force: bool,
) -> Result<FtrImport, ImportError> {
    let mut texts = Vec::with_capacity(files.len());
    for path in files {
        let bytes = std::fs::read(path).map_err(|source| ImportError {
            path: path.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        texts.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    let collection = ftr::import_all(&texts);
    let mut report = FtrImport::default();
    for (i, why) in collection.not_sites {
        report.not_sites.push((files[i].clone(), why));
    }
    for o in collection.outputs {
        let sources: Vec<PathBuf> = o.sources.iter().map(|&i| files[i].clone()).collect();
        report.untranslated.extend(
            o.untranslated
                .into_iter()
                .map(|(i, u)| (files[i].clone(), u)),
        );
        if sources.len() > 1 {
            report.merged.push((o.path.clone(), sources.clone()));
        }
        if let Some(dir) = out {
            let path = dir.join(&o.path);
            if path.exists() && !force {
                report.kept.push(path);
            } else {
                boilerstrip_write(&path, &o.toml, &sources[0])?;
                report.written.push(path);
            }
        }
        report.outputs.push((o.path, sources, o.toml));
    }
    report
        .untranslated
        .sort_by(|a, b| (&a.0, a.1.line).cmp(&(&b.0, b.1.line)));
    Ok(report)
}

/// Writes one translation atomically (never over the ftr file it came from).
fn boilerstrip_write(path: &Path, toml: &str, source: &Path) -> Result<(), ImportError> {
    crate::output::write_atomic(path, toml.as_bytes(), Some(source)).map_err(|e| ImportError {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// Compiles every site file of `book` on its own, and every site set a
/// page may need (the defaults with a site's files on top), in parallel:
/// the problems a page meeting the site would otherwise find first (a book
/// checks every file's rules when it loads, but compiles a site's set only
/// when a page of the site asks for it). Each problem as a message.
pub fn check_site_files(book: &RuleBook) -> Vec<String> {
    let files = (0..book.site_file_count())
        .into_par_iter()
        .filter_map(|i| book.check_site_file(i).err().map(|e| e.to_string()));
    let sets = (0..book.slot_count())
        .into_par_iter()
        .filter_map(|i| book.check_slot(i).err());
    files.chain(sets).collect()
}
