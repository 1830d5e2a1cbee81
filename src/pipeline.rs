//! The batch pipeline: the one place that wires input → document → rules →
//! clean → output and fans pages out over rayon.
//!
//! Each page is read, cleaned and written inside one rayon task, so a worker
//! holds one page at a time and memory is bounded by the pages in flight.
//! Results do not depend on the number of workers: `jobs = 1` writes the same
//! bytes. A page that fails is reported and the batch goes on.

use crate::clean::Cleaner;
use crate::input::{Format, InputError, InputFile, site_from_path, text_of};
use crate::output::{OutputError, output_path, write_atomic};
use crate::rules::Category;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a batch does with each page.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// Directory that receives the outputs, mirroring the input tree.
    pub out_dir: PathBuf,
    /// Force a format instead of going by extension.
    pub format: Option<Format>,
    /// Force a site instead of taking it from each page's path.
    pub site: Option<String>,
    /// Worker threads (at least 1).
    pub jobs: usize,
}

/// A page that could not be cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The input.
    pub path: PathBuf,
    /// Why, in one line.
    pub reason: String,
}

/// Figures for a batch.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Pages cleaned and written.
    pub pages: usize,
    /// Bytes read from cleaned pages.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Blocks removed, per category.
    pub removed: BTreeMap<Category, u64>,
    /// Pages where no article region was found (cleaned by rules alone).
    pub fallbacks: usize,
    /// Pages that failed, in input order.
    pub failures: Vec<Failure>,
    /// Wall time.
    pub elapsed: Duration,
}

impl Summary {
    /// Input megabytes (10^6 bytes) per second of wall time.
    pub fn mb_per_s(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.bytes_in as f64 / 1e6 / s
        } else {
            0.0
        }
    }

    /// The summary as printed at the end of a run.
    pub fn report(&self) -> String {
        let removed: Vec<String> = self
            .removed
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        let mut s = format!(
            "{} page(s) cleaned, {} failed; {} bytes in, {} bytes out; {:.2}s, {:.1} MB/s\nremoved blocks: {}",
            self.pages,
            self.failures.len(),
            self.bytes_in,
            self.bytes_out,
            self.elapsed.as_secs_f64(),
            self.mb_per_s(),
            if removed.is_empty() {
                "none".to_string()
            } else {
                removed.join(", ")
            }
        );
        if self.fallbacks > 0 {
            s.push_str(&format!(
                "\n{} page(s) had no clear article and were cleaned by rules alone",
                self.fallbacks
            ));
        }
        s
    }
}

/// Errors that fail one page.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// Reading or decoding the page.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Writing its result.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// A page's content, by format.
pub enum Body {
    /// A text dump, checked to be UTF-8 text.
    Text(String),
    /// An HTML page's bytes (decoded by the HTML stage: never an error).
    Html(Vec<u8>),
}

/// A page read for cleaning.
pub struct InputPage {
    /// Its content.
    pub body: Body,
    /// Its site when given or found in its path (HTML pages may name theirs).
    pub site: Option<String>,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads one page and settles its format and, where the path tells, its site.
pub fn read_page(
    path: &Path,
    format: Option<Format>,
    site: Option<&str>,
) -> Result<InputPage, InputError> {
    let bytes = crate::input::read(path)?;
    let len = bytes.len() as u64;
    let body = match format.unwrap_or_else(|| Format::from_path(path)) {
        Format::Html => Body::Html(bytes),
        Format::Text => Body::Text(text_of(path, &bytes)?),
    };
    Ok(InputPage {
        body,
        site: site.map(str::to_string).or_else(|| site_from_path(path)),
        bytes: len,
    })
}

/// Cleans a page that has been read.
pub fn clean_page(cleaner: &Cleaner, page: &InputPage) -> crate::clean::Cleaned {
    match &page.body {
        Body::Text(text) => cleaner.clean_text(text, page.site.as_deref()),
        Body::Html(bytes) => cleaner.clean_html(bytes, page.site.as_deref()),
    }
}

/// Reads one page and cleans it; returns the cleaned page and the bytes read.
pub fn clean_file(
    cleaner: &Cleaner,
    path: &Path,
    format: Option<Format>,
    site: Option<&str>,
) -> Result<(crate::clean::Cleaned, u64), InputError> {
    let page = read_page(path, format, site)?;
    Ok((clean_page(cleaner, &page), page.bytes))
}

struct PageResult {
    bytes_in: u64,
    bytes_out: u64,
    removed: Vec<Category>,
    fallback: bool,
}

/// Cleans every page into `config.out_dir`. Never stops at a failed page.
pub fn run(cleaner: &Cleaner, files: &[InputFile], config: &BatchConfig) -> Summary {
    let start = Instant::now();
    // Two inputs that map to one output would overwrite each other: the later
    // one fails instead.
    let mut claimed: HashMap<PathBuf, &Path> = HashMap::new();
    let mut planned: Vec<Result<PathBuf, String>> = Vec::with_capacity(files.len());
    for f in files {
        planned.push(
            match output_path(
                &config.out_dir,
                &crate::input::uncompressed_name(&f.rel),
                cleaner.output_format().extension(),
            ) {
                Ok(p) => match claimed.get(&p) {
                    Some(first) => Err(format!(
                        "output {} is already the output of {}",
                        p.display(),
                        first.display()
                    )),
                    None => {
                        claimed.insert(p.clone(), &f.path);
                        Ok(p)
                    }
                },
                Err(e) => Err(e.to_string()),
            },
        );
    }
    let work = |(f, out): (&InputFile, &Result<PathBuf, String>)| -> Result<PageResult, String> {
        let out = out.as_ref().map_err(Clone::clone)?;
        let (cleaned, bytes_in) =
            clean_file(cleaner, &f.path, config.format, config.site.as_deref())
                .map_err(|e| PageError::from(e).to_string())?;
        write_atomic(out, cleaner.render(&cleaned).as_bytes(), Some(&f.path))
            .map_err(|e| PageError::from(e).to_string())?;
        Ok(PageResult {
            bytes_in,
            bytes_out: cleaned.text.len() as u64,
            removed: cleaned.removals.iter().map(|r| r.category).collect(),
            fallback: cleaned.fallback,
        })
    };
    let results: Vec<Result<PageResult, String>> = if config.jobs <= 1 {
        files.iter().zip(&planned).map(work).collect()
    } else {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(config.jobs)
            .build()
        {
            Ok(pool) => {
                pool.install(|| files.par_iter().zip(planned.par_iter()).map(work).collect())
            }
            Err(_) => files.iter().zip(&planned).map(work).collect(),
        }
    };
    let mut summary = Summary::default();
    for (f, r) in files.iter().zip(results) {
        match r {
            Ok(p) => {
                summary.pages += 1;
                summary.bytes_in += p.bytes_in;
                summary.bytes_out += p.bytes_out;
                summary.fallbacks += p.fallback as usize;
                for c in p.removed {
                    *summary.removed.entry(c).or_default() += 1;
                }
            }
            Err(reason) => summary.failures.push(Failure {
                path: f.path.clone(),
                reason,
            }),
        }
    }
    summary.elapsed = start.elapsed();
    summary
}
