//! The batch pipeline: the one place that wires input → document → rules →
//! clean → output and fans pages out over rayon.
//!
//! Each page is read, cleaned and written inside one rayon task, so a worker
//! holds one page at a time and memory is bounded by the pages in flight.
//! Results do not depend on the number of workers: `jobs = 1` writes the same
//! bytes. A page that fails is reported and the batch goes on.

pub use crate::input::{Body, InputPage, read_page, read_page_capped};
use crate::input::{Format, InputError, InputFile};
use crate::output::{OutputError, output_path, write_atomic};
use boilerstrip::clean::Cleaner;
use boilerstrip::rules::Category;
use boilerstrip::site::Site;
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
    /// The site of every page (`--site`), instead of each page's own.
    pub site: Option<Site>,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Skip pages whose output already exists (an interrupted batch finishes
    /// without redoing work).
    pub resume: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Largest page, decompressed (bytes): a larger one is its failure.
    pub max_page_bytes: u64,
    /// Count the lines the batch's text dumps repeat, window by window,
    /// before cleaning them, and remove that chrome ([`boilerstrip::repeated`]).
    pub repeated: bool,
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
    /// Pages skipped because their output existed (`resume`).
    pub skipped: usize,
    /// Pages that failed, in input order.
    pub failures: Vec<Failure>,
    /// Symbolic links the walk did not follow.
    pub links_skipped: usize,
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
        if self.skipped > 0 {
            s.push_str(&format!(
                "\n{} page(s) skipped: output already written (--resume)",
                self.skipped
            ));
        }
        if self.links_skipped > 0 {
            s.push_str(&format!(
                "\n{} symbolic link(s) not followed (--follow-links follows them)",
                self.links_skipped
            ));
        }
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

/// Cleans a page that has been read.
pub fn clean_page(cleaner: &Cleaner, page: &InputPage) -> boilerstrip::clean::Cleaned {
    match &page.body {
        Body::Text(text) => cleaner.clean_text(text, page.site.as_ref()),
        Body::Html(bytes) => cleaner.clean_html(bytes, page.site.as_ref()),
    }
}

/// Reads one page and cleans it; returns the cleaned page and the bytes read.
pub fn clean_file(
    cleaner: &Cleaner,
    path: &Path,
    format: Option<Format>,
    site: Option<&Site>,
) -> Result<(boilerstrip::clean::Cleaned, u64), InputError> {
    let page = read_page(path, format, site)?;
    Ok((clean_page(cleaner, &page), page.bytes))
}

/// Cleans one page held in memory (stdin, a binding's argument) as a file
/// of that format is cleaned: HTML bytes are decoded by [`boilerstrip::charset`]
/// (`content_type` the transport's charset, if any); a text dump must be
/// text ([`crate::input::text_of`], errors naming the page `name`). The
/// site is `site` when given, else the one `url` names, as for a record;
/// `url` is also the page's own URL (relative links, a date in its path).
pub fn clean_bytes(
    cleaner: &Cleaner,
    name: &Path,
    bytes: &[u8],
    format: Format,
    site: Option<&Site>,
    url: Option<&str>,
    content_type: Option<&str>,
) -> Result<boilerstrip::clean::Cleaned, InputError> {
    let from_url = url.and_then(|u| Site::new(u, boilerstrip::site::SiteSource::Url));
    let site = site.or(from_url.as_ref());
    Ok(match format {
        Format::Html => cleaner.clean_http(bytes, site, url, content_type),
        Format::Text => cleaner.clean_text_at(&crate::input::text_of(name, bytes)?, site, url),
    })
}

/// What one page contributes to the summary: small, so a batch of millions
/// of pages holds nothing per page.
#[derive(Default)]
struct Tally {
    pages: usize,
    skipped: usize,
    fallbacks: usize,
    bytes_in: u64,
    bytes_out: u64,
    removed: [u64; Category::ALL.len()],
    /// (input index, failure), sorted at the end.
    failures: Vec<(usize, Failure)>,
}

impl Tally {
    /// The batch's summary: failures in input order.
    fn into_summary(self, elapsed: Duration) -> Summary {
        let mut failures = self.failures;
        failures.sort_by_key(|(i, _)| *i);
        Summary {
            pages: self.pages,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            removed: Category::ALL
                .iter()
                .zip(self.removed)
                .filter(|(_, n)| *n > 0)
                .map(|(c, n)| (*c, n))
                .collect(),
            fallbacks: self.fallbacks,
            skipped: self.skipped,
            failures: failures.into_iter().map(|(_, f)| f).collect(),
            links_skipped: 0,
            elapsed,
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        self.pages += other.pages;
        self.skipped += other.skipped;
        self.fallbacks += other.fallbacks;
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        for (a, b) in self.removed.iter_mut().zip(other.removed) {
            *a += b;
        }
        self.failures.extend(other.failures);
        self
    }
}

/// Cleans every page into `config.out_dir`. Never stops at a failed page: a
/// page that cannot be read, cleaned (even a panic) or written is a failure in
/// the summary, in input order.
pub fn run(cleaner: &Cleaner, files: &[InputFile], config: &BatchConfig) -> Summary {
    let start = Instant::now();
    let planned = plan_outputs(cleaner, files, config);
    let bar = config.progress.then(|| progress_bar(files.len()));
    let bytes_done = std::sync::atomic::AtomicU64::new(0);
    let pool = (config.jobs > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(config.jobs)
                .build()
                .ok()
        })
        .flatten();
    // Without the count of repeated lines the batch is one window.
    let window = if config.repeated {
        boilerstrip::repeated::WINDOW
    } else {
        files.len().max(1)
    };
    let mut tally = Tally::default();
    for (w, (files, planned)) in files.chunks(window).zip(planned.chunks(window)).enumerate() {
        let counted;
        let cleaner = if config.repeated {
            counted = cleaner.with_repeated(std::sync::Arc::new(count_repeated(
                files,
                config.format,
                config.site.as_ref(),
                config.max_page_bytes,
                pool.as_ref(),
            )));
            &counted
        } else {
            cleaner
        };
        let first = w * window;
        let t = clean_window(
            cleaner,
            files,
            planned,
            first,
            config,
            pool.as_ref(),
            &|t| {
                if let Some(bar) = &bar {
                    let done = bytes_done
                        .fetch_add(t.bytes_in, std::sync::atomic::Ordering::Relaxed)
                        + t.bytes_in;
                    let secs = start.elapsed().as_secs_f64().max(1e-3);
                    bar.set_message(format!("{:.1} MB/s", done as f64 / 1e6 / secs));
                    bar.inc(1);
                }
            },
        );
        tally = Tally::merge(tally, t);
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    tally.into_summary(start.elapsed())
}

/// Each page's output file, in input order. Two inputs that map to one
/// output would overwrite each other: the later one fails instead.
fn plan_outputs(
    cleaner: &Cleaner,
    files: &[InputFile],
    config: &BatchConfig,
) -> Vec<Result<PathBuf, String>> {
    let mut claimed: HashMap<PathBuf, &Path> = HashMap::new();
    let mut planned: Vec<Result<PathBuf, String>> = Vec::with_capacity(files.len());
    for f in files {
        let out = output_path(
            &config.out_dir,
            &crate::input::uncompressed_name(&f.rel),
            cleaner.output_format().extension(),
        );
        planned.push(match out {
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
        });
    }
    planned
}

/// The progress bar of a batch of `pages` pages.
fn progress_bar(pages: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(pages as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} pages  {per_sec}  {msg}  ETA {eta}",
        )
        .expect("valid template"),
    );
    bar
}

/// The repeated lines of one window's text dumps: read in parallel, counted
/// in input order (so the result does not depend on the threads). A page that
/// cannot be read is left out here and fails when it is cleaned.
pub fn count_repeated(
    files: &[InputFile],
    format: Option<Format>,
    site: Option<&Site>,
    max_page_bytes: u64,
    pool: Option<&rayon::ThreadPool>,
) -> boilerstrip::repeated::RepeatedLines {
    let lines_of = |f: &InputFile| -> Option<boilerstrip::repeated::PageLines> {
        // HTML pages are not counted: they are not read twice either.
        if format.unwrap_or_else(|| Format::from_path(&f.path)) == Format::Html {
            return None;
        }
        let page = read_page_capped(&f.path, format, site, max_page_bytes).ok()?;
        match &page.body {
            Body::Text(t) => Some(boilerstrip::repeated::PageLines::of_text(t)),
            Body::Html(_) => None,
        }
    };
    let pages: Vec<Option<boilerstrip::repeated::PageLines>> = match pool {
        Some(pool) => pool.install(|| files.par_iter().map(lines_of).collect()),
        None => files.iter().map(lines_of).collect(),
    };
    let mut counter = boilerstrip::repeated::Counter::default();
    for p in pages.into_iter().flatten() {
        counter.add(p);
    }
    counter.finish()
}

/// Cleans one window of the batch; `first` is the index of its first page
/// in the batch (failures are sorted by it), `done` is called per page.
fn clean_window(
    cleaner: &Cleaner,
    files: &[InputFile],
    planned: &[Result<PathBuf, String>],
    first: usize,
    config: &BatchConfig,
    pool: Option<&rayon::ThreadPool>,
    done: &(dyn Fn(&Tally) + Sync),
) -> Tally {
    let work = |(index, (f, out)): (usize, (&InputFile, &Result<PathBuf, String>))| -> Tally {
        let index = first + index;
        let mut t = Tally::default();
        let result = match out {
            Ok(out) if config.resume && out.exists() => {
                t.skipped = 1;
                Ok(())
            }
            Ok(out) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                clean_one(cleaner, f, out, config, &mut t)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(format!(
                    "{}: panic while cleaning: {what}",
                    f.path.display()
                ))
            }),
            Err(e) => Err(e.clone()),
        };
        if let Err(reason) = result {
            t.failures.push((
                index,
                Failure {
                    path: f.path.clone(),
                    reason,
                },
            ));
        }
        done(&t);
        t
    };
    match pool {
        Some(pool) => pool.install(|| {
            files
                .par_iter()
                .zip(planned.par_iter())
                .enumerate()
                .map(work)
                .reduce(Tally::default, Tally::merge)
        }),
        None => files
            .iter()
            .zip(planned)
            .enumerate()
            .map(work)
            .fold(Tally::default(), Tally::merge),
    }
}

fn clean_one(
    cleaner: &Cleaner,
    f: &InputFile,
    out: &Path,
    config: &BatchConfig,
    t: &mut Tally,
) -> Result<(), String> {
    let page = read_page_capped(
        &f.path,
        config.format,
        config.site.as_ref(),
        config.max_page_bytes,
    )
    .map_err(|e| PageError::from(e).to_string())?;
    let cleaned = clean_page(cleaner, &page);
    let bytes_in = page.bytes;
    drop(page);
    let mut removed = [0u64; Category::ALL.len()];
    for r in &cleaned.removals {
        if let Some(k) = Category::ALL.iter().position(|c| *c == r.category) {
            removed[k] += 1;
        }
    }
    let fallback = cleaned.fallback;
    // The clean text moves into the output: a huge page is not copied again.
    let rendered = cleaner.render_owned(cleaned);
    write_atomic(out, rendered.as_bytes(), Some(&f.path))
        .map_err(|e| PageError::from(e).to_string())?;
    t.pages = 1;
    t.bytes_in = bytes_in;
    t.bytes_out = rendered.len() as u64;
    t.fallbacks = fallback as usize;
    t.removed = removed;
    Ok(())
}

/// Writes the failures of a batch to `DIR/failures.jsonl` (one
/// `{"path", "reason"}` per line), or removes a stale one when there are none.
pub fn write_failures(out_dir: &Path, failures: &[Failure]) -> Result<(), OutputError> {
    let path = out_dir.join("failures.jsonl");
    if failures.is_empty() {
        if path.exists() {
            std::fs::remove_file(&path).map_err(|source| OutputError::Io { path, source })?;
        }
        return Ok(());
    }
    let mut text = String::new();
    for f in failures {
        let line = serde_json::json!({"path": f.path.display().to_string(), "reason": f.reason});
        text.push_str(&line.to_string());
        text.push('\n');
    }
    write_atomic(&path, text.as_bytes(), None)
}

/// How `--learn` learns within a batch.
#[derive(Debug, Clone, Copy)]
pub struct LearnConfig {
    /// Share of a site's pages a block must appear on.
    pub min_share: f64,
    /// Pages it must appear on, at least.
    pub min_pages: usize,
}

/// The site a page will be cleaned as, decided as cleaning decides it: the
/// given site, else for HTML the page's own URL (only its head is parsed),
/// else the guess from its path.
fn site_of(path: &Path, config: &BatchConfig) -> Option<Site> {
    let guess = config.site.clone().or_else(|| Site::from_path(path));
    let html = config.format.unwrap_or_else(|| Format::from_path(path)) == Format::Html;
    Site::choose(guess.as_ref(), || {
        if !html {
            return None;
        }
        let bytes = crate::input::read(path).ok()?;
        Site::of_html(&boilerstrip::document::html::decode(&bytes))
    })
}

/// Like [`run`], but site by site: the pages of each site are read once to
/// learn the blocks they repeat (a bounded count per site), then cleaned with
/// those blocks as an extra site rule. Pages without a site form one group.
pub fn run_learning(
    cleaner: &Cleaner,
    files: &[InputFile],
    config: &BatchConfig,
    learn: LearnConfig,
) -> Summary {
    let start = Instant::now();
    let mut groups: Vec<(Option<String>, Vec<InputFile>)> = Vec::new();
    let mut index: HashMap<Option<String>, usize> = HashMap::new();
    for f in files {
        let site = site_of(&f.path, config).map(|s| s.host().to_string());
        let k = *index.entry(site.clone()).or_insert_with(|| {
            groups.push((site, Vec::new()));
            groups.len() - 1
        });
        groups[k].1.push(f.clone());
    }
    let mut total = Summary::default();
    for (site, group) in groups {
        let mut learner = crate::learn::Learner::default();
        for f in &group {
            if let Ok(page) = read_page_capped(
                &f.path,
                config.format,
                config.site.as_ref(),
                config.max_page_bytes,
            ) {
                learner.add(cleaner, &page);
            }
        }
        let learned = learner.repeated(learn.min_share, learn.min_pages);
        let holders = learner.repeated_holders(&learned, learn.min_share, learn.min_pages);
        let host = site.clone().unwrap_or_else(|| "unknown-site".into());
        let site_cleaner =
            if (learned.iter().any(|l| !l.covered) || !holders.is_empty()) && site.is_some() {
                let toml =
                    crate::learn::propose_with_holders(&host, learner.pages(), &learned, &holders);
                match cleaner
                    .book()
                    .with_site_file(&host, &format!("(learned for {host})"), &toml)
                {
                    Ok(book) => Some(cleaner.with_book(book)),
                    Err(_) => None,
                }
            } else {
                None
            };
        drop(learner);
        let s = run(site_cleaner.as_ref().unwrap_or(cleaner), &group, config);
        total.pages += s.pages;
        total.bytes_in += s.bytes_in;
        total.bytes_out += s.bytes_out;
        total.fallbacks += s.fallbacks;
        total.skipped += s.skipped;
        total.failures.extend(s.failures);
        for (c, n) in s.removed {
            *total.removed.entry(c).or_default() += n;
        }
    }
    total.elapsed = start.elapsed();
    total
}

/// A batch over walked inputs: [`run`], or [`run_learning`] with `learn`;
/// the inputs that could not be walked or read are failures like any page
/// (first, in walk order), and the links not followed are counted.
pub fn run_walked(
    cleaner: &Cleaner,
    walked: &crate::input::Walked,
    config: &BatchConfig,
    learn: Option<LearnConfig>,
) -> Summary {
    let mut summary = match learn {
        Some(learn) => run_learning(cleaner, &walked.files, config, learn),
        None => run(cleaner, &walked.files, config),
    };
    summary.links_skipped = walked.links_skipped;
    let mut failures: Vec<Failure> = walked
        .errors
        .iter()
        .map(|e| Failure {
            path: e.path().to_path_buf(),
            reason: e.to_string(),
        })
        .collect();
    failures.append(&mut summary.failures);
    summary.failures = failures;
    summary
}

/// The outcome of one `[[test]]` case of a site file.
#[derive(Debug)]
pub struct SiteTestOutcome<'b> {
    /// The case (its site, file and test).
    pub case: &'b boilerstrip::rules::SiteTestCase,
    /// What went wrong: the page could not be read, a passage missing or
    /// still there; empty when it passed.
    pub problems: Vec<String>,
}

/// Runs the `[[test]]` cases of the cleaner's site files: each case's page
/// (its path relative to `base`, the folder holding the rule directory) is
/// read and cleaned as its site, and checked.
pub fn run_site_tests<'b>(cleaner: &'b Cleaner, base: &Path) -> Vec<SiteTestOutcome<'b>> {
    cleaner
        .book()
        .site_tests()
        .iter()
        .map(|case| {
            let site = Site::new(&case.host, boilerstrip::site::SiteSource::Flag);
            let problems = match read_page(&base.join(&case.test.page), None, site.as_ref()) {
                Err(e) => vec![e.to_string()],
                Ok(page) => case.test.problems(&clean_page(cleaner, &page).text),
            };
            SiteTestOutcome { case, problems }
        })
        .collect()
}

/// Which record format a run reads.
#[derive(Debug, Clone)]
pub enum RecordFormat {
    /// JSONL: one page per line.
    Jsonl,
    /// WARC or ARC archives: the responses whose HTTP status is in the list
    /// are cleaned.
    Warc(crate::warc::Statuses),
}

/// What a run over several record inputs did, input by input.
#[derive(Debug, Default)]
pub struct InputsSummary {
    /// Records cleaned and written.
    pub records: usize,
    /// Bytes of pages read.
    pub bytes_in: u64,
    /// Every failure, each line naming its input (`name:line: …`): inputs
    /// that could not be opened, and records that failed.
    pub failures: Vec<String>,
    /// Records read leniently, each line naming its input.
    pub warnings: Vec<String>,
    /// Records passed over, by reason.
    pub passed_over: std::collections::BTreeMap<String, usize>,
    /// The failed records whole, for reprocessing (when asked for): JSONL
    /// lines or WARC records, as [`crate::records::RecordFailure::dead_letter`] writes them.
    pub dead_letters: Vec<u8>,
}

/// Cleans every record of every input (`-` is stdin) into `output`, in
/// input order. An input that cannot be opened is a failure and the others
/// go on; only an I/O error on the output (or reading an input further)
/// stops the run, naming the input.
pub fn run_inputs(
    cleaner: &Cleaner,
    inputs: &[std::path::PathBuf],
    format: &RecordFormat,
    output: &mut impl std::io::Write,
    config: &crate::records::JsonlConfig,
    keep_dead_letters: bool,
) -> std::io::Result<InputsSummary> {
    use std::path::Path;
    let archive = matches!(format, RecordFormat::Warc(_));
    let mut all = InputsSummary::default();
    for input in inputs {
        let name = input.display().to_string();
        // An archive's gzip members are read one by one by the WARC reader
        // (it resynchronises after a broken one), so it gets the raw bytes.
        let opened: Result<Box<dyn std::io::BufRead + Send>, String> = if input == Path::new("-") {
            Ok(Box::new(std::io::BufReader::new(std::io::stdin())))
        } else if archive && crate::input::Compression::of(input) == crate::input::Compression::Gzip
        {
            std::fs::File::open(input)
                .map(|f| Box::new(std::io::BufReader::new(f)) as Box<dyn std::io::BufRead + Send>)
                .map_err(|e| format!("{name}: {e}"))
        } else {
            crate::input::open(input).map_err(|e| e.to_string())
        };
        let reader = match opened {
            Ok(r) => r,
            Err(e) => {
                all.failures.push(e);
                continue;
            }
        };
        let summary = match format {
            RecordFormat::Warc(statuses) => {
                crate::warc::run(cleaner, reader, &mut *output, config, statuses)
            }
            RecordFormat::Jsonl => crate::jsonl::run(cleaner, reader, &mut *output, config),
        }
        .map_err(|e| std::io::Error::new(e.kind(), format!("{name}: {e}")))?;
        all.warnings.extend(
            summary
                .warnings
                .iter()
                .map(|w| format!("{name}{}", w.locate(archive))),
        );
        all.failures.extend(
            summary
                .failures
                .iter()
                .map(|f| format!("{name}{}", f.locate(archive))),
        );
        if keep_dead_letters {
            for f in &summary.failures {
                all.dead_letters.extend(f.dead_letter(&name, archive));
            }
        }
        for (why, n) in summary.passed_over {
            *all.passed_over.entry(why).or_default() += n;
        }
        all.records += summary.records;
        all.bytes_in += summary.bytes_in;
    }
    Ok(all)
}

/// An I/O error of a record run's output, naming the file where it has one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordOutputError {
    /// Creating, writing or renaming `path`.
    #[error("{}", path.display())]
    At {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other I/O error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn at(path: &Path) -> impl FnOnce(std::io::Error) -> RecordOutputError + '_ {
    move |source| RecordOutputError::At {
        path: path.to_path_buf(),
        source,
    }
}

/// The folder a file named `path` goes to (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Where a record run writes: a file, through a temporary file in its
/// folder renamed into place at the end ([`RecordOutput::finish`]), or stdout.
#[derive(Debug)]
pub struct RecordOutput {
    file: Option<(tempfile::NamedTempFile, PathBuf)>,
}

impl RecordOutput {
    /// The output `path` (its folder created), or stdout.
    pub fn create(path: Option<&Path>) -> Result<RecordOutput, RecordOutputError> {
        let file = match path {
            Some(p) => {
                let dir = folder_of(p);
                std::fs::create_dir_all(dir).map_err(at(dir))?;
                let tmp = crate::output::temp_builder().tempfile_in(dir)?;
                Some((tmp, p.to_path_buf()))
            }
            None => None,
        };
        Ok(RecordOutput { file })
    }

    /// A buffered writer to the output (flush it before [`RecordOutput::finish`]).
    pub fn writer(&mut self) -> Box<dyn std::io::Write + '_> {
        match &mut self.file {
            Some((f, _)) => Box::new(std::io::BufWriter::new(f.as_file_mut())),
            None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        }
    }

    /// Renames a file output into place.
    pub fn finish(self) -> Result<(), RecordOutputError> {
        if let Some((tmp, path)) = self.file {
            tmp.persist(&path).map_err(|e| e.error).map_err(at(&path))?;
        }
        Ok(())
    }
}

/// Writes a run's failed records whole ([`InputsSummary::dead_letters`]) to
/// `path`, atomically.
pub fn write_dead_letters(path: &Path, bytes: &[u8]) -> Result<(), RecordOutputError> {
    use std::io::Write;
    let mut tmp = crate::output::temp_builder()
        .tempfile_in(folder_of(path))
        .map_err(at(path))?;
    tmp.write_all(bytes).map_err(at(path))?;
    tmp.persist(path).map_err(|e| e.error).map_err(at(path))?;
    Ok(())
}

#[cfg(test)]
mod record_tests {
    use super::*;
    use crate::records::JsonlConfig;

    fn cleaner() -> Cleaner {
        Cleaner::new(
            boilerstrip::rules::RuleBook::shipped().unwrap(),
            boilerstrip::clean::Config::default(),
        )
    }

    #[test]
    fn an_input_that_cannot_be_opened_is_a_failure_and_the_others_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.jsonl");
        std::fs::write(
            &good,
            "{\"id\": \"a\", \"text\": \"The council voted on Tuesday to rebuild the old bridge, ending a decade of delays.\"}\n\
             not json\n",
        )
        .unwrap();
        let missing = dir.path().join("missing.jsonl");
        let mut out = Vec::new();
        let config = JsonlConfig::default();
        let s = run_inputs(
            &cleaner(),
            &[missing.clone(), good.clone()],
            &RecordFormat::Jsonl,
            &mut out,
            &config,
            true,
        )
        .unwrap();
        assert_eq!(s.records, 1);
        assert_eq!(s.failures.len(), 2, "{:?}", s.failures);
        assert!(s.failures[0].contains("missing.jsonl"), "{:?}", s.failures);
        assert!(
            s.failures[1].starts_with(&good.display().to_string()),
            "{:?}",
            s.failures
        );
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("rebuild the old bridge"), "{out}");
        // The bad line is kept whole for reprocessing.
        let dead = String::from_utf8(s.dead_letters).unwrap();
        assert!(dead.contains("not json"), "{dead}");
    }
}
