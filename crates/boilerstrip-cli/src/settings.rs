//! Raw arguments → a checked configuration: every check across flags and
//! every default that depends on another flag (`--jobs`, `--output` with
//! `--links`, `-o` with `--jsonl` or stdin, `--status`, page sizes, shares),
//! each a typed [`SettingsError`] (a usage error: exit code 2).
//!
//! Checks that depend on the file system (`-o` is a directory) are made
//! here too, in the order the command has always made them, so the first
//! problem found is the one reported.

use crate::args::{CleanArgs, EvalArgs, FavorArg, OutputArg, RuleArgs};
use boilerstrip::clean::{Cleaner, Config, Favor, OutputFormat};
use boilerstrip::rules::{RuleBook, RuleDir, RulesError};
use boilerstrip::site::Site;
use boilerstrip_batch::input::{Format, InputFile, Walked};
use boilerstrip_batch::pipeline::{BatchConfig, LearnConfig, RecordFormat};
use boilerstrip_batch::records::JsonlConfig;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// A usage or configuration error: nothing was cleaned, exit code 2.
#[derive(Debug)]
pub enum SettingsError {
    /// `--failures` without `--jsonl` or `--warc`.
    FailuresNeedRecords,
    /// `--links` or `--images` (the flag) with a plain output format.
    RichOnly(&'static str),
    /// The rule files have problems.
    Rules(RulesError),
    /// `--jobs 0`.
    NoJobs,
    /// `-o` names a directory where a record run writes one file.
    RecordOutputIsDir(PathBuf),
    /// `--status` is not a list of statuses.
    Status(String),
    /// `-` among other inputs.
    StdinMixed,
    /// `-o` names a directory where stdin's page is written to one file.
    StdinOutputIsDir(PathBuf),
    /// `-o` exists and is not a directory.
    OutputNotDir(PathBuf),
    /// Several pages and no `-o`.
    NoOutputDir {
        /// Pages found.
        pages: usize,
    },
    /// An input that could not be found or walked, where that leaves nothing
    /// to do.
    Input(String),
    /// `--min-share` out of 0..=1.
    MinShare,
    /// `eval` without `--truth` or `--snippets`.
    NoTruth,
    /// `eval`'s DIR is not a directory.
    NotADirectory(PathBuf),
    /// Nothing to measure or learn from (the message).
    NoPages(&'static str),
    /// `rules test` on a directory without test cases.
    NoSiteTests(PathBuf),
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingsError::FailuresNeedRecords => f.write_str(
                "--failures is for --jsonl and --warc (a batch of files writes failures.jsonl in the output directory)",
            ),
            SettingsError::RichOnly(flag) => write!(
                f,
                "--{flag} keeps links and images in Markdown and HTML output: add --output markdown or --output html"
            ),
            SettingsError::Rules(e) => write!(f, "{e}"),
            SettingsError::NoJobs => f.write_str("--jobs must be at least 1"),
            SettingsError::RecordOutputIsDir(p) => {
                write!(f, "{}: with --jsonl, -o names the output file", p.display())
            }
            SettingsError::Status(e) => f.write_str(e),
            SettingsError::StdinMixed => f.write_str("`-` (stdin) cannot be mixed with other inputs"),
            SettingsError::StdinOutputIsDir(p) => write!(
                f,
                "{}: is a directory; stdin output goes to a file path",
                p.display()
            ),
            SettingsError::OutputNotDir(p) => write!(f, "-o: not a directory: {}", p.display()),
            SettingsError::NoOutputDir { pages } => write!(
                f,
                "{pages} pages found: several inputs need an output directory (-o DIR); only one file can go to stdout"
            ),
            SettingsError::Input(e) => f.write_str(e),
            SettingsError::MinShare => f.write_str("--min-share is a share of pages, from 0 to 1"),
            SettingsError::NoTruth => f.write_str("--truth or --snippets is needed"),
            SettingsError::NotADirectory(p) => write!(f, "{}: not a directory", p.display()),
            SettingsError::NoPages(what) => f.write_str(what),
            SettingsError::NoSiteTests(dir) => {
                write!(f, "{}: no site file has a [[test]]", dir.display())
            }
        }
    }
}

// No source: the message already holds the cause's text, once.
impl std::error::Error for SettingsError {}

/// A size in bytes: a number, optionally followed by K, M or G (powers of
/// 1024); never 0. (clap's parser for `--max-page-bytes`.)
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mul) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s:?} is not a size (a number of bytes, or with K, M or G)"))
}

/// `--jobs`, checked: all cores by default, never 0.
pub fn jobs(given: Option<usize>) -> Result<usize, SettingsError> {
    let jobs = given.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(SettingsError::NoJobs);
    }
    Ok(jobs)
}

/// The shipped rules and the given rule directories.
pub fn load_rules(dirs: &[PathBuf]) -> Result<RuleBook, SettingsError> {
    let dirs: Vec<RuleDir> = dirs.iter().cloned().map(RuleDir).collect();
    RuleBook::load(&dirs).map_err(SettingsError::Rules)
}

/// The cleaning configuration the flags ask for; `--links` and `--images`
/// need a rich output format.
pub fn config(args: &RuleArgs) -> Result<Config, SettingsError> {
    let output = match args.output_format {
        OutputArg::Text => OutputFormat::Text,
        OutputArg::Markdown => OutputFormat::Markdown,
        OutputArg::Json => OutputFormat::Json,
        OutputArg::Html => OutputFormat::Html,
    };
    if (args.links || args.images) && !output.is_rich() {
        return Err(SettingsError::RichOnly(if args.links {
            "links"
        } else {
            "images"
        }));
    }
    Ok(Config::default()
        .plain(args.plain)
        .title_on_top(args.title)
        .output(output)
        .links(args.links)
        .images(args.images)
        .no_tables(args.no_tables)
        .comments(args.comments)
        .metadata(args.with_metadata)
        .favor(match args.favor {
            None => Favor::Balanced,
            Some(FavorArg::Precision) => Favor::Precision,
            Some(FavorArg::Recall) => Favor::Recall,
        }))
}

/// The cleaner the flags ask for: [`config`], then the rules.
pub fn cleaner(args: &RuleArgs) -> Result<Cleaner, SettingsError> {
    let config = config(args)?;
    Ok(Cleaner::new(load_rules(&args.rules)?, config))
}

/// The format every input is read as (`--format`), if given.
pub fn format(args: &RuleArgs) -> Option<Format> {
    args.format.map(Format::from)
}

/// A checked `clean`: the cleaner and what to run.
pub struct Clean {
    /// The cleaner, its rules loaded.
    pub cleaner: Cleaner,
    /// What to run.
    pub run: CleanRun,
    /// `--quiet`.
    pub quiet: bool,
    /// `--allow-failures`: exit 0 even when pages failed.
    pub allow_failures: bool,
}

/// The four ways `clean` runs.
pub enum CleanRun {
    /// `--jsonl` or `--warc`: record inputs into one JSONL output.
    Records {
        /// The inputs (`-` is stdin).
        inputs: Vec<PathBuf>,
        /// The output file (else stdout).
        output: Option<PathBuf>,
        /// JSONL or WARC, with the statuses to clean.
        format: RecordFormat,
        /// Fields, site, threads.
        config: JsonlConfig,
        /// `--failures FILE`.
        failures: Option<PathBuf>,
    },
    /// `-`: one page from stdin.
    Stdin {
        /// The output file (else stdout).
        output: Option<PathBuf>,
        /// Its format (text unless `--format`).
        format: Format,
        /// `--site`.
        site: Option<Site>,
    },
    /// No `-o`: one file to stdout (checked once walked: [`single_page`]).
    ToStdout {
        /// The inputs.
        inputs: Vec<PathBuf>,
        /// `--follow-links`.
        follow_links: bool,
        /// `--format`.
        format: Option<Format>,
        /// `--site`.
        site: Option<Site>,
        /// `--max-page-bytes`.
        max_page_bytes: u64,
    },
    /// A batch of files into an output tree.
    Batch {
        /// The inputs.
        inputs: Vec<PathBuf>,
        /// `--follow-links`.
        follow_links: bool,
        /// The batch (its output directory, threads, …).
        config: BatchConfig,
        /// `--learn`, with its share and pages.
        learn: Option<LearnConfig>,
    },
}

/// Checks `clean`'s flags, in this order: `--failures`, `--links` and
/// `--images`, the rules; then for records `--jobs`, `-o` and `--status`;
/// for stdin that `-` is alone; for files `-o` and (with `-o`) `--jobs`.
pub fn clean(args: CleanArgs) -> Result<Clean, SettingsError> {
    let records = args.jsonl || args.warc;
    if args.failures.is_some() && !records {
        return Err(SettingsError::FailuresNeedRecords);
    }
    let cleaner = cleaner(&args.rules)?;
    let (quiet, allow_failures) = (args.quiet, args.allow_failures);
    let run = if records {
        record_run(args)?
    } else if args.inputs.iter().any(|p| p == Path::new("-")) {
        if args.inputs.len() > 1 {
            return Err(SettingsError::StdinMixed);
        }
        CleanRun::Stdin {
            output: args.output,
            format: format(&args.rules).unwrap_or(Format::Text),
            site: args.rules.site,
        }
    } else {
        file_run(args)?
    };
    Ok(Clean {
        cleaner,
        run,
        quiet,
        allow_failures,
    })
}

/// `--jsonl` or `--warc`: `--jobs`, then `-o` (a file), then `--status`.
fn record_run(args: CleanArgs) -> Result<CleanRun, SettingsError> {
    let jobs = jobs(args.jobs)?;
    if let Some(p) = args.output.as_ref().filter(|p| p.is_dir()) {
        return Err(SettingsError::RecordOutputIsDir(p.clone()));
    }
    let format = if args.warc {
        let statuses = boilerstrip_batch::warc::Statuses::parse(&args.status)
            .map_err(SettingsError::Status)?;
        RecordFormat::Warc(statuses)
    } else {
        RecordFormat::Jsonl
    };
    Ok(CleanRun::Records {
        config: JsonlConfig {
            id_field: args.id_field,
            url_field: args.url_field,
            html_field: args.html_field,
            text_field: args.text_field,
            content_type_field: args.content_type_field,
            site: args.rules.site,
            stats: args.stats,
            window: 256 * jobs,
            jobs,
        },
        inputs: args.inputs,
        output: args.output,
        format,
        failures: args.failures,
    })
}

/// Files: `-o`, if it exists, is a directory; with it, `--jobs`.
fn file_run(args: CleanArgs) -> Result<CleanRun, SettingsError> {
    if let Some(out) = &args.output
        && out.exists()
        && !out.is_dir()
    {
        return Err(SettingsError::OutputNotDir(out.clone()));
    }
    let format = format(&args.rules);
    Ok(match args.output {
        None => CleanRun::ToStdout {
            inputs: args.inputs,
            follow_links: args.follow_links,
            format,
            site: args.rules.site,
            max_page_bytes: args.max_page_bytes,
        },
        Some(out_dir) => CleanRun::Batch {
            config: BatchConfig {
                out_dir,
                format,
                site: args.rules.site,
                jobs: jobs(args.jobs)?,
                resume: args.resume,
                progress: !args.quiet && std::io::stderr().is_terminal(),
                max_page_bytes: args.max_page_bytes,
                repeated: !args.no_repeated,
            },
            inputs: args.inputs,
            follow_links: args.follow_links,
            learn: args.learn.then_some(LearnConfig {
                min_share: args.learn_share,
                min_pages: args.learn_pages,
            }),
        },
    })
}

/// Without `-o`, the one page that goes to stdout: the inputs must be a
/// single file (not a directory), found.
pub fn single_page<'w>(
    inputs: &[PathBuf],
    walked: &'w Walked,
) -> Result<&'w InputFile, SettingsError> {
    let files = &walked.files;
    if let Some(e) = walked.errors.first()
        && files.is_empty()
    {
        return Err(SettingsError::Input(e.to_string()));
    }
    let single = inputs.len() == 1 && files.len() == 1 && !inputs[0].is_dir();
    if !single {
        return Err(SettingsError::NoOutputDir { pages: files.len() });
    }
    Ok(&files[0])
}

/// Stdin's page goes to a file, not into a directory.
pub fn stdin_output(output: Option<&Path>) -> Result<Option<&Path>, SettingsError> {
    match output {
        Some(p) if p.is_dir() => Err(SettingsError::StdinOutputIsDir(p.to_path_buf())),
        _ => Ok(output),
    }
}

/// With `eval --clean`: how its inputs are cleaned.
pub struct EvalClean {
    /// The cleaner, its rules loaded.
    pub cleaner: Cleaner,
    /// `--format`.
    pub format: Option<Format>,
    /// `--site`.
    pub site: Option<Site>,
    /// Count the lines the text dumps repeat (not `--no-repeated`).
    pub repeated: bool,
}

/// Checks `eval`'s DIR, then (with `--clean`) its cleaning flags and rules.
pub fn eval(args: &EvalArgs) -> Result<Option<EvalClean>, SettingsError> {
    if !args.dir.is_dir() {
        return Err(SettingsError::NotADirectory(args.dir.clone()));
    }
    if !args.clean {
        return Ok(None);
    }
    Ok(Some(EvalClean {
        cleaner: cleaner(&args.rules)?,
        format: format(&args.rules),
        site: args.rules.site.clone(),
        repeated: !args.no_repeated,
    }))
}

/// `learn --min-share`: a share of pages.
pub fn min_share(share: f64) -> Result<f64, SettingsError> {
    if !(0.0..=1.0).contains(&share) {
        return Err(SettingsError::MinShare);
    }
    Ok(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use clap::Parser;

    fn clean_args(flags: &[&str]) -> CleanArgs {
        let argv = ["boilerstrip", "clean"].iter().chain(flags);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Clean(a) => a,
            _ => unreachable!(),
        }
    }

    fn clean_error(flags: &[&str]) -> String {
        match clean(clean_args(flags)) {
            Ok(_) => panic!("{flags:?} passed the checks"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn sizes_take_k_m_g_and_refuse_zero_and_overflow() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size(" 4k "), Ok(4096));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        for bad in ["0", "", "K", "-1", "1.5M", "12T", "99999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn jobs_default_to_the_cores_and_are_never_zero() {
        assert!(jobs(None).unwrap() >= 1);
        assert_eq!(jobs(Some(3)).unwrap(), 3);
        assert!(matches!(jobs(Some(0)), Err(SettingsError::NoJobs)));
    }

    #[test]
    fn links_and_images_need_a_rich_output() {
        let e = clean_error(&["--links", "a.html"]);
        assert!(e.starts_with("--links keeps links"), "{e}");
        let e = clean_error(&["--images", "--output", "json", "a.html"]);
        assert!(e.starts_with("--images keeps links"), "{e}");
        for rich in ["markdown", "html"] {
            assert!(
                clean(clean_args(&[
                    "--links", "--images", "--output", rich, "a.html"
                ]))
                .is_ok()
            );
        }
    }

    #[test]
    fn failures_need_a_record_run_and_come_first() {
        let e = clean_error(&["--failures", "f.jsonl", "--links", "a.html"]);
        assert!(e.starts_with("--failures is for --jsonl"), "{e}");
        assert!(clean(clean_args(&["--jsonl", "--failures", "f", "a.jsonl"])).is_ok());
    }

    #[test]
    fn jobs_are_checked_only_where_they_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        assert_eq!(
            clean_error(&["--jobs", "0", "-o", out, "a.html"]),
            "--jobs must be at least 1"
        );
        assert_eq!(
            clean_error(&["--jsonl", "--jobs", "0", "a.jsonl"]),
            "--jobs must be at least 1"
        );
        // One page to stdout, or stdin: no threads.
        assert!(clean(clean_args(&["--jobs", "0", "a.html"])).is_ok());
        assert!(clean(clean_args(&["--jobs", "0", "-"])).is_ok());
    }

    #[test]
    fn a_record_run_gets_its_threads_window_and_fields() {
        let s = clean(clean_args(&[
            "--jsonl",
            "--jobs",
            "2",
            "--text-field",
            "body",
            "a.jsonl",
        ]))
        .unwrap();
        match s.run {
            CleanRun::Records { config, format, .. } => {
                assert_eq!((config.jobs, config.window), (2, 512));
                assert_eq!(config.text_field, "body");
                assert!(matches!(format, RecordFormat::Jsonl));
            }
            _ => panic!("not a record run"),
        }
    }

    #[test]
    fn outputs_are_checked_against_what_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let e = clean_error(&["--jsonl", "-o", out, "a.jsonl"]);
        assert!(
            e.ends_with(": with --jsonl, -o names the output file"),
            "{e}"
        );
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").unwrap();
        let e = clean_error(&["-o", file.to_str().unwrap(), "a.html"]);
        assert!(e.starts_with("-o: not a directory: "), "{e}");
        assert!(stdin_output(Some(dir.path())).is_err());
        assert!(stdin_output(Some(&file)).is_ok());
        assert!(stdin_output(None).is_ok());
    }

    #[test]
    fn statuses_are_checked_for_warc_only() {
        let e = clean_error(&["--warc", "--status", "nine", "a.warc"]);
        assert!(!e.is_empty());
        assert!(clean(clean_args(&["--jsonl", "--status", "nine", "a.jsonl"])).is_ok());
        assert!(clean(clean_args(&["--warc", "--status", "200-399,404", "a.warc"])).is_ok());
    }

    #[test]
    fn stdin_stands_alone() {
        assert_eq!(
            clean_error(&["-", "a.html"]),
            "`-` (stdin) cannot be mixed with other inputs"
        );
        match clean(clean_args(&["-"])).unwrap().run {
            CleanRun::Stdin { format, .. } => assert_eq!(format, Format::Text),
            _ => panic!("not stdin"),
        }
    }

    #[test]
    fn a_batch_gets_its_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let s = clean(clean_args(&[
            "-q",
            "--jobs",
            "3",
            "--learn",
            "--learn-pages",
            "5",
            "--no-repeated",
            "--max-page-bytes",
            "1K",
            "-o",
            out.to_str().unwrap(),
            "in",
        ]))
        .unwrap();
        assert!(s.quiet);
        match s.run {
            CleanRun::Batch { config, learn, .. } => {
                assert_eq!(config.jobs, 3);
                assert_eq!(config.max_page_bytes, 1024);
                assert!(!config.repeated && !config.progress);
                assert_eq!(learn.unwrap().min_pages, 5);
            }
            _ => panic!("not a batch"),
        }
    }

    #[test]
    fn without_an_output_directory_only_one_file_goes_to_stdout() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["a.txt", "b.txt"] {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        let one = vec![dir.path().join("a.txt")];
        let walked = boilerstrip_batch::input::walk(&one, false, None);
        assert_eq!(single_page(&one, &walked).unwrap().path, one[0]);
        let tree = vec![dir.path().to_path_buf()];
        let walked = boilerstrip_batch::input::walk(&tree, false, None);
        assert!(matches!(
            single_page(&tree, &walked),
            Err(SettingsError::NoOutputDir { pages: 2 })
        ));
        let missing = vec![dir.path().join("missing.txt")];
        let walked = boilerstrip_batch::input::walk(&missing, false, None);
        assert!(matches!(
            single_page(&missing, &walked),
            Err(SettingsError::Input(_))
        ));
    }

    #[test]
    fn shares_are_between_zero_and_one() {
        assert_eq!(min_share(0.5).unwrap(), 0.5);
        assert!(min_share(0.0).is_ok() && min_share(1.0).is_ok());
        assert!(matches!(min_share(1.5), Err(SettingsError::MinShare)));
        assert!(min_share(-0.1).is_err());
    }
}
