//! The `boilerstrip` command: raw arguments here, checked configuration in the
//! library. Exit codes: 0 all pages cleaned, 1 some pages failed, 2 usage or
//! rule-file errors (nothing was cleaned).

use anyhow::{Context, Result, bail};
use boilerstrip::clean::{Cleaner, Config, Favor, OutputFormat};
use boilerstrip::eval;
use boilerstrip::rules::{RuleBook, RuleDir};
use boilerstrip::site::{Site, SiteSource};
use boilerstrip_batch::input::{self, Format};
use boilerstrip_batch::pipeline::RecordFormat;
use boilerstrip_batch::pipeline::{self, BatchConfig};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "boilerstrip",
    version,
    about = "Turns scraped pages into clean article bodies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Clean pages: files, directory trees, or `-` for stdin.
    Clean(CleanArgs),
    /// Score predictions (or cleaned inputs, with --clean) against expected texts.
    Eval(EvalArgs),
    /// Show a page's blocks, each kept or removed, with the rule or detector that decided it.
    Explain(ExplainArgs),
    /// Measure single-threaded cleaning throughput over pages held in memory
    /// (text and HTML pages reported apart).
    Bench(BenchArgs),
    /// Check rule files, or list the rules in force for a site.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Propose a site file from many pages of one site: the blocks that repeat,
    /// word for word, on a large share of them.
    Learn(LearnArgs),
}

#[derive(clap::Args)]
struct LearnArgs {
    /// Pages of the site (files or directories).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The site (selects rules already in force; names the proposed rule): a
    /// host with a registrable domain, or a URL.
    #[arg(long)]
    site: Site,
    /// Share of the pages a block must appear on.
    #[arg(long, default_value_t = 0.5)]
    min_share: f64,
    /// Pages a block must appear on, at least.
    #[arg(long, default_value_t = 3)]
    min_pages: usize,
    /// A directory of rule files added on top of the shipped rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Check rule directories without touching pages: every problem as
    /// file:line:col: message; exit 1 on any.
    Check {
        /// Rule directories (as for --rules); the shipped rules are always checked.
        dirs: Vec<PathBuf>,
    },
    /// Run the test cases of the site files in a rule directory: each stored
    /// page is cleaned with its site's rules and checked for the text that must
    /// and must not remain. Exit 1 on any failure.
    Test {
        /// The rule directory (default: `rules`); page paths are relative to
        /// the folder that holds it.
        dir: Option<PathBuf>,
    },
    /// Translate FiveFilters ftr-site-config files into site files; every line
    /// that is not translated is reported as FILE:LINE.
    ImportFtr {
        /// ftr-site-config files (`example.com.txt`, `.example.com.txt`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write `DIR/sites/<host>.toml` instead of printing.
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// The rules in force for a site after defaults, site files and
    /// switched-off ids, in the order they are tried.
    List {
        /// A directory of rule files added on top of the shipped rules (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// The site (default: none, the default rules): a host with a
        /// registrable domain, or a URL.
        #[arg(long)]
        site: Option<Site>,
    },
}

#[derive(clap::Args)]
struct RuleArgs {
    /// A directory of rule files added on top of the shipped rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// The site whose rules apply, for every page: a host with a registrable
    /// domain, or a URL (default: each page's record URL, else an HTML page's
    /// canonical URL, og:url or <base>, else a directory named as a host).
    #[arg(long)]
    site: Option<Site>,
    /// Treat inputs as this format instead of going by extension.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write kept blocks as a reader sees them: Markdown links reduced to their
    /// text, images and emphasis marks dropped, wrapped paragraphs joined.
    #[arg(long)]
    plain: bool,
    /// Print the page's headline (HTML metadata) on top of the body.
    #[arg(long)]
    title: bool,
    /// Write the body as text, Markdown (headings, lists, quotes, emphasis,
    /// code, tables), JSON (title, text, metadata and every removal with
    /// its rule) or minimal HTML (structural tags only).
    #[arg(long = "output", value_enum, default_value = "text")]
    output_format: OutputArg,
    /// Markdown and HTML output: keep links as [text](url), their URLs made
    /// absolute against the page's <base>, URL or canonical URL.
    #[arg(long)]
    links: bool,
    /// Markdown and HTML output: keep the article's images as ![alt](src).
    #[arg(long)]
    images: bool,
    /// Leave tables out.
    #[arg(long)]
    no_tables: bool,
    /// Keep the comment section, apart from the body: JSON `comments`, or
    /// after the body below a `---` line.
    #[arg(long)]
    comments: bool,
    /// Put the page's metadata (author, date, description, …) on top as a
    /// front matter (Markdown, text) or a list (HTML); JSON always has it.
    #[arg(long)]
    with_metadata: bool,
    /// Lean the content detector towards precision (less boilerplate) or
    /// recall (more of the article) where it is unsure.
    #[arg(long, value_enum)]
    favor: Option<FavorArg>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FavorArg {
    Precision,
    Recall,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputArg {
    Text,
    Markdown,
    Json,
    Html,
}

#[derive(clap::Args)]
struct CleanArgs {
    /// Files or directories (walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Write outputs under this directory, mirroring the input tree (with
    /// --jsonl or stdin: the output file).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    output: Option<PathBuf>,
    /// Worker threads (default: all cores). `--jobs 1` gives the same bytes.
    #[arg(short, long)]
    jobs: Option<usize>,
    /// Follow symbolic links while walking directories.
    #[arg(long)]
    follow_links: bool,
    /// Largest page, decompressed, in bytes (suffixes K, M, G: powers of
    /// 1024); a larger one is that page's failure. Memory stays within
    /// jobs × this.
    #[arg(long, default_value = "256M", value_parser = parse_size, value_name = "BYTES")]
    max_page_bytes: u64,
    /// Print no summary and no progress bar.
    #[arg(short, long)]
    quiet: bool,
    /// Skip pages whose output already exists: re-running an interrupted
    /// batch finishes it without redoing work.
    #[arg(long)]
    resume: bool,
    /// Learn each site's repeated blocks from its pages in this batch first
    /// (as `boilerstrip learn` does) and remove them too.
    #[arg(long)]
    learn: bool,
    /// Exit 0 even when some pages or records failed (they are still
    /// reported): for Spark or Hadoop, where a non-zero exit fails the task.
    #[arg(long)]
    allow_failures: bool,
    /// With --jsonl or --warc: write each failed input record whole to
    /// FILE, for reprocessing: JSONL records as they came, with a
    /// `boilerstrip_failure` field (input, line, offset, reason); WARC
    /// records as a WARC file, each with a `WARC-Boilerstrip-Failure`
    /// header. Written only when a record failed.
    #[arg(long, value_name = "FILE")]
    failures: Option<PathBuf>,
    /// Keep the lines the batch's text dumps repeat (3+ words, verbatim on 3+
    /// pages that are not copies of each other), which are removed by default.
    #[arg(long)]
    no_repeated: bool,
    /// With --learn: share of a site's pages a block must appear on.
    #[arg(long, default_value_t = 0.5)]
    learn_share: f64,
    /// With --learn: pages a block must appear on, at least.
    #[arg(long, default_value_t = 3)]
    learn_pages: usize,
    /// Inputs are JSONL files (or `-`), one page per record; the output is
    /// JSONL (to -o FILE, else stdout), records in input order.
    #[arg(long)]
    jsonl: bool,
    /// Inputs are WARC archives (`.warc`, `.warc.gz`, or `-`): HTML responses
    /// are cleaned into JSONL records {id, url, title, text}.
    #[arg(long, conflicts_with = "jsonl")]
    warc: bool,
    /// JSONL: field holding a record's id.
    #[arg(long, default_value = "id")]
    id_field: String,
    /// JSONL: field holding the page's URL (its host selects site rules).
    #[arg(long, default_value = "url")]
    url_field: String,
    /// JSONL: field holding HTML.
    #[arg(long, default_value = "html")]
    html_field: String,
    /// JSONL: field holding a text dump, and the field the clean text goes to.
    #[arg(long, default_value = "text")]
    text_field: String,
    /// JSONL: field holding the page's content type (its charset decides
    /// how HTML is read when the page is not valid UTF-8).
    #[arg(long, default_value = "content_type")]
    content_type_field: String,
    /// WARC/ARC: the HTTP statuses to clean (`2xx`, `200-399`, `404`, `all`,
    /// comma-separated); other responses are counted as passed over.
    #[arg(long, default_value = "2xx", value_name = "LIST")]
    status: String,
    /// JSONL and WARC: add `removed`, blocks removed per category, to each record.
    #[arg(long)]
    stats: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// JSON file: id → expected text (or id → {articleBody: text}); scored
    /// with the bag-of-4-grams body metric.
    #[arg(
        long,
        required_unless_present = "snippets",
        conflicts_with = "snippets"
    )]
    truth: Option<PathBuf>,
    /// JSON file: id → {"with": [...], "without": [...]}, passages that must
    /// and must not be in the output; scored with the snippet metric.
    #[arg(long, value_name = "FILE")]
    snippets: Option<PathBuf>,
    /// Directory holding `<id>.txt` predictions (or, with --clean, inputs).
    dir: PathBuf,
    /// Clean `<id>.*` inputs in DIR first, then score the results.
    #[arg(long)]
    clean: bool,
    /// Field holding the text when truth values are objects.
    #[arg(long, default_value = "articleBody")]
    field: String,
    /// Write per-page scores as TSV to this file.
    #[arg(long, value_name = "FILE")]
    per_page: Option<PathBuf>,
    /// With --clean: keep the lines the text dumps repeat, as `clean
    /// --no-repeated` does.
    #[arg(long)]
    no_repeated: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// The page.
    page: PathBuf,
    /// JSON lines, for tools: first `{"site", "site_source"}`, then one
    /// object per block.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Files or directories of pages.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Passes over the pages.
    #[arg(long, default_value_t = 5)]
    iterations: usize,
    /// Leave out the count of the lines the text dumps repeat (by default a
    /// pass counts them, as `clean` does, and its time is in the figure).
    #[arg(long)]
    no_repeated: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Text,
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Html => Format::Html,
        }
    }
}

/// A size in bytes: a number, optionally followed by K, M or G (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
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

/// A usage or configuration error: exit code 2.
#[derive(Debug)]
struct Usage(String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Clean(a) => clean(a),
        Command::Eval(a) => eval_cmd(a),
        Command::Explain(a) => explain(a),
        Command::Learn(a) => learn(a),
        Command::Rules(RulesCommand::Check { dirs }) => rules_check(&dirs),
        Command::Rules(RulesCommand::Test { dir }) => rules_test(dir),
        Command::Rules(RulesCommand::ImportFtr { files, out }) => {
            import_ftr(&files, out.as_deref())
        }
        Command::Rules(RulesCommand::List { rules, site }) => {
            rules_list(&rules, site.as_ref().map(Site::host))
        }
        Command::Bench(a) => bench(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("boilerstrip: {e:#}");
            if e.downcast_ref::<Usage>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The shipped rules and the given rule directories, or a usage error
/// listing every problem.
fn load_rules(dirs: &[PathBuf]) -> Result<RuleBook> {
    let dirs: Vec<RuleDir> = dirs.iter().cloned().map(RuleDir).collect();
    Ok(RuleBook::load(&dirs).map_err(|e| Usage(e.to_string()))?)
}

fn cleaner(args: &RuleArgs) -> Result<Cleaner> {
    let output = match args.output_format {
        OutputArg::Text => OutputFormat::Text,
        OutputArg::Markdown => OutputFormat::Markdown,
        OutputArg::Json => OutputFormat::Json,
        OutputArg::Html => OutputFormat::Html,
    };
    if (args.links || args.images) && !output.is_rich() {
        return Err(Usage(format!(
            "--{} keeps links and images in Markdown and HTML output: add --output markdown or --output html",
            if args.links { "links" } else { "images" }
        ))
        .into());
    }
    let book = load_rules(&args.rules)?;
    Ok(Cleaner::new(
        book,
        Config::default()
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
            }),
    ))
}

fn clean(args: CleanArgs) -> Result<ExitCode> {
    if args.failures.is_some() && !(args.jsonl || args.warc) {
        bail!(Usage(
            "--failures is for --jsonl and --warc (a batch of files writes failures.jsonl in the output directory)".into()
        ));
    }
    let cleaner = cleaner(&args.rules)?;
    if args.jsonl || args.warc {
        return clean_records(&cleaner, &args);
    }
    let format = args.rules.format.map(Format::from);
    let site = args.rules.site.as_ref();
    let stdin_input = args.inputs.iter().any(|p| p == Path::new("-"));
    if stdin_input {
        if args.inputs.len() > 1 {
            return Err(Usage("`-` (stdin) cannot be mixed with other inputs".into()).into());
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
        let cleaned = pipeline::clean_bytes(
            &cleaner,
            Path::new("<stdin>"),
            &bytes,
            format.unwrap_or(Format::Text),
            site,
            None,
            None,
        )?;
        return emit(&args.output, cleaner.render(&cleaned).as_bytes());
    }
    if let Some(out) = &args.output
        && out.exists()
        && !out.is_dir()
    {
        return Err(Usage(format!("-o: not a directory: {}", out.display())).into());
    }
    let walked = input::walk(&args.inputs, args.follow_links, args.output.as_deref());
    let (files, walk_errors) = (walked.files, walked.errors);
    let Some(out_dir) = args.output else {
        let single = args.inputs.len() == 1 && files.len() == 1 && !args.inputs[0].is_dir();
        if !walk_errors.is_empty() && files.is_empty() {
            return Err(Usage(walk_errors[0].to_string()).into());
        }
        if !single {
            return Err(Usage(format!(
                "{} pages found: several inputs need an output directory (-o DIR); only one file can go to stdout",
                files.len()
            ))
            .into());
        }
        let page = pipeline::read_page_capped(&files[0].path, format, site, args.max_page_bytes)?;
        let cleaned = pipeline::clean_page(&cleaner, &page);
        drop(page);
        return emit(&None, cleaner.render_owned(cleaned).as_bytes());
    };
    let jobs = jobs(args.jobs)?;
    let config = BatchConfig {
        out_dir,
        format,
        site: args.rules.site.clone(),
        jobs,
        resume: args.resume,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        max_page_bytes: args.max_page_bytes,
        repeated: !args.no_repeated,
    };
    for dir in &walked.excluded {
        eprintln!(
            "note: {} passed over: it is an output tree (the output directory, or one holding a failures.jsonl of a run)",
            dir.display()
        );
    }
    let stale = boilerstrip_batch::output::remove_stale_temps(&config.out_dir);
    if stale > 0 && !args.quiet {
        eprintln!(
            "note: removed {stale} temporary file(s) an interrupted run left in {}",
            config.out_dir.display()
        );
    }
    let summary = if args.learn {
        let learn = pipeline::LearnConfig {
            min_share: args.learn_share,
            min_pages: args.learn_pages,
        };
        pipeline::run_learning(&cleaner, &files, &config, learn)
    } else {
        pipeline::run(&cleaner, &files, &config)
    };
    // Inputs that could not be read or walked are failures like any page.
    let mut summary = summary;
    summary.links_skipped = walked.links_skipped;
    let mut all_failures: Vec<pipeline::Failure> = walk_errors
        .iter()
        .map(|e| pipeline::Failure {
            path: e.path().to_path_buf(),
            reason: e.to_string(),
        })
        .collect();
    all_failures.extend(summary.failures);
    summary.failures = all_failures;
    for f in &summary.failures {
        eprintln!("failed: {}", f.reason);
    }
    pipeline::write_failures(&config.out_dir, &summary.failures)?;
    if !args.quiet {
        eprintln!("{}", summary.report());
    }
    Ok(if summary.failures.is_empty() || args.allow_failures {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn emit(output: &Option<PathBuf>, bytes: &[u8]) -> Result<ExitCode> {
    match output {
        Some(p) if p.is_dir() => Err(Usage(format!(
            "{}: is a directory; stdin output goes to a file path",
            p.display()
        ))
        .into()),
        Some(p) => {
            boilerstrip_batch::output::write_atomic(p, bytes, None)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn eval_cmd(args: EvalArgs) -> Result<ExitCode> {
    enum Truth {
        Bodies(Vec<(String, String)>),
        Snippets(Vec<(String, eval::Snippets)>),
    }
    let truth = match (&args.truth, &args.snippets) {
        (Some(p), _) => {
            let json = std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read truth file", p.display()))?;
            let t = eval::load_truth(&json, &args.field)
                .map_err(|e| Usage(format!("{}: {e}", p.display())))?;
            Truth::Bodies(t)
        }
        (None, Some(p)) => {
            let json = std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read snippet file", p.display()))?;
            let t =
                eval::load_snippets(&json).map_err(|e| Usage(format!("{}: {e}", p.display())))?;
            Truth::Snippets(t)
        }
        (None, None) => return Err(Usage("--truth or --snippets is needed".into()).into()),
    };
    if !args.dir.is_dir() {
        return Err(Usage(format!("{}: not a directory", args.dir.display())).into());
    }
    let started = Instant::now();
    // A page's prediction: its input cleaned (--clean), else `<id>.txt`.
    let mut failed = 0;
    type Predict<'a> = Box<dyn FnMut(&str) -> Option<String> + 'a>;
    let mut predict: Predict = if args.clean {
        let cleaner = cleaner(&args.rules)?;
        let format = args.rules.format.map(Format::from);
        let site = args.rules.site.clone();
        let (files, _) = input::collect(std::slice::from_ref(&args.dir), false);
        // As `clean` does: the lines the dumps repeat are counted window by
        // window first.
        let window = boilerstrip::repeated::WINDOW;
        let cleaners: Vec<Cleaner> = if args.no_repeated {
            vec![cleaner]
        } else {
            files
                .chunks(window)
                .map(|w| {
                    let lines = pipeline::count_repeated(w, format, site.as_ref(), u64::MAX, None);
                    cleaner.with_repeated(std::sync::Arc::new(lines))
                })
                .collect()
        };
        let by_id: std::collections::HashMap<String, (PathBuf, usize)> = files
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let stem = f.path.file_stem()?.to_str()?.to_string();
                Some((stem, (f.path, (i / window).min(cleaners.len() - 1))))
            })
            .collect();
        let failed = &mut failed;
        Box::new(move |id| {
            let (path, w) = by_id.get(id)?;
            match pipeline::clean_file(&cleaners[*w], path, format, site.as_ref()) {
                Ok((c, _)) => Some(c.text),
                Err(e) => {
                    eprintln!("failed: {e}");
                    *failed += 1;
                    None
                }
            }
        })
    } else {
        let dir = args.dir.clone();
        Box::new(move |id| {
            std::fs::read(dir.join(format!("{id}.txt")))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        })
    };
    let tsv = match &truth {
        Truth::Bodies(truth) => {
            let scores = eval::score(
                truth.iter().map(|(a, b)| (a.as_str(), b.as_str())),
                &mut predict,
            );
            println!(
                "pages {}  F1 {:.3}  precision {:.3}  recall {:.3}  accuracy {:.3}  pageF1 {:.3}  empty {}  missing {}",
                scores.pages.len(),
                scores.f1,
                scores.precision,
                scores.recall,
                scores.accuracy,
                scores.page_f1,
                scores.empty,
                scores.missing
            );
            let mut tsv = String::from("id\tprecision\trecall\tf1\ttrue_tokens\tpred_tokens\n");
            for p in &scores.pages {
                tsv.push_str(&format!(
                    "{}\t{:.4}\t{:.4}\t{:.4}\t{}\t{}\n",
                    p.id, p.precision, p.recall, p.f1, p.true_tokens, p.pred_tokens
                ));
            }
            tsv
        }
        Truth::Snippets(truth) => {
            let s = eval::score_snippets(truth.iter().map(|(a, b)| (a.as_str(), b)), &mut predict);
            println!(
                "pages {}  F1 {:.3}  precision {:.3}  recall {:.3}  accuracy {:.3}  tp {}  fp {}  fn {}  tn {}  empty {}  missing {}",
                s.pages.len(),
                s.f1,
                s.precision,
                s.recall,
                s.accuracy,
                s.tp,
                s.fp,
                s.fn_,
                s.tn,
                s.empty,
                s.missing
            );
            let mut tsv = String::from("id\ttp\tfp\tfn\ttn\n");
            for p in &s.pages {
                tsv.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    p.id, p.tp, p.fp, p.fn_, p.tn
                ));
            }
            tsv
        }
    };
    drop(predict);
    if failed > 0 {
        eprintln!("{failed} page(s) failed and were scored as empty");
    }
    if args.clean {
        eprintln!("({:.2}s)", started.elapsed().as_secs_f64());
    }
    if let Some(path) = &args.per_page {
        boilerstrip_batch::output::write_atomic(path, tsv.as_bytes(), None)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(args: BenchArgs) -> Result<ExitCode> {
    let cleaner = cleaner(&args.rules)?;
    let format = args.rules.format.map(Format::from);
    let (files, errors) = input::collect(&args.inputs, false);
    if let Some(e) = errors.first() {
        return Err(Usage(e.to_string()).into());
    }
    let mut pages = Vec::new();
    for f in &files {
        pages.push(pipeline::read_page(
            &f.path,
            format,
            args.rules.site.as_ref(),
        )?);
    }
    for (name, want_html) in [("text", false), ("html", true)] {
        let set: Vec<&pipeline::InputPage> = pages
            .iter()
            .filter(|p| matches!(p.body, pipeline::Body::Html(_)) == want_html)
            .collect();
        if set.is_empty() {
            continue;
        }
        let bytes: u64 = set.iter().map(|p| p.bytes).sum();
        let mut best = f64::MAX;
        let mut out = 0usize;
        for _ in 0..args.iterations.max(1) {
            let t = Instant::now();
            // Text dumps: the count of repeated lines is part of the work.
            let counted = (!want_html && !args.no_repeated).then(|| {
                let texts = set.iter().filter_map(|p| match &p.body {
                    pipeline::Body::Text(t) => Some(t.as_str()),
                    pipeline::Body::Html(_) => None,
                });
                let lines = boilerstrip::repeated::RepeatedLines::of_texts(texts);
                cleaner.with_repeated(std::sync::Arc::new(lines))
            });
            let cleaner = counted.as_ref().unwrap_or(&cleaner);
            out = set
                .iter()
                .map(|p| pipeline::clean_page(cleaner, p).text.len())
                .sum();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name}: {} pages, {:.2} MB, best of {} passes {:.3}s: {:.1} MB/s single-threaded ({out} bytes out)",
            set.len(),
            bytes as f64 / 1e6,
            args.iterations.max(1),
            best,
            bytes as f64 / 1e6 / best,
        );
    }
    if pages.is_empty() {
        bail!(Usage("no pages to measure".into()));
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let cleaner = cleaner(&args.rules)?;
    let format = args.rules.format.map(Format::from);
    let page = pipeline::read_page(&args.page, format, args.rules.site.as_ref())?;
    let explained = match &page.body {
        pipeline::Body::Text(text) => cleaner.explain_text(text, page.site.as_ref()),
        pipeline::Body::Html(bytes) => cleaner.explain_html(bytes, page.site.as_ref()),
    };
    let cleaned = &explained.cleaned;
    let colour = !args.json && std::io::stdout().is_terminal();
    let (red, green, dim, reset) = if colour {
        ("\x1b[31m", "\x1b[32m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut removals = cleaned.removals.iter().peekable();
    let mut out = std::io::stdout().lock();
    // First the page's site and where it came from, then its blocks.
    let (host, source) = match &cleaned.site {
        Some(s) => (Some(s.host()), Some(s.source().name())),
        None => (None, None),
    };
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({"site": host, "site_source": source})
        )?;
    } else {
        match (host, source) {
            (Some(h), Some(src)) => writeln!(out, "{dim}site: {h} (from {src}){reset}")?,
            _ => writeln!(out, "{dim}site: none{reset}")?,
        }
    }
    for (line, text) in &explained.blocks {
        let removal = removals.next_if(|r| r.line == *line);
        if args.json {
            let v = match removal {
                Some(r) => {
                    let mut v = cleaned.removal_json(r);
                    v["kept"] = false.into();
                    v["text"] = text.as_str().into();
                    v
                }
                None => serde_json::json!({"line": line, "text": text, "kept": true}),
            };
            writeln!(out, "{v}")?;
            continue;
        }
        match removal {
            Some(r) => writeln!(
                out,
                "{red}{:>5} - {:<10} {:<40}{reset} {dim}{}{reset}",
                line,
                r.category.name(),
                cleaned.describe(r),
                text
            )?,
            None => writeln!(
                out,
                "{green}{:>5} + {:<10} {:<40} {}{reset}",
                line, "", "", text
            )?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rules_check(dirs: &[PathBuf]) -> Result<ExitCode> {
    let dirs: Vec<RuleDir> = dirs.iter().cloned().map(RuleDir).collect();
    match RuleBook::load(&dirs) {
        Ok(book) => {
            let sites = book.site_hosts().count();
            println!(
                "ok: {} default rules, {} site(s) with rules of their own",
                book.for_site(None).rules().len(),
                sites
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(boilerstrip::rules::RulesError::Invalid(problems)) => {
            for p in &problems {
                println!("{p}");
            }
            eprintln!("{} problem(s)", problems.len());
            Ok(ExitCode::from(1))
        }
        Err(e) => {
            println!("{e}");
            Ok(ExitCode::from(1))
        }
    }
}

fn rules_list(dirs: &[PathBuf], site: Option<&str>) -> Result<ExitCode> {
    let book = load_rules(dirs)?;
    let mut out = std::io::stdout().lock();
    for r in book.for_site(site).rules() {
        let mut matchers = Vec::new();
        if !r.phrases.is_empty() {
            matchers.push(format!(
                "{} phrase(s), match {}",
                r.phrases.len(),
                r.mode.name()
            ));
        }
        if !r.regex.is_empty() {
            matchers.push(format!("{} regex", r.regex.len()));
        }
        if !r.selectors.is_empty() {
            matchers.push(format!("{} selector(s)", r.selectors.len()));
        }
        if let Some(m) = r.max_words {
            matchers.push(format!("max {m} words"));
        }
        writeln!(
            out,
            "{:<32} {:<11} {:<12} {:<40} {}{}",
            r.id,
            r.category.name(),
            r.action.name(),
            r.origin.to_string(),
            matchers.join(", "),
            if r.description.is_empty() {
                String::new()
            } else {
                format!(" — {}", r.description)
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--jobs`, checked: all cores by default, never 0.
fn jobs(given: Option<usize>) -> Result<usize> {
    let jobs = given.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(Usage("--jobs must be at least 1".into()).into());
    }
    Ok(jobs)
}

fn clean_records(cleaner: &Cleaner, args: &CleanArgs) -> Result<ExitCode> {
    let jobs = jobs(args.jobs)?;
    let config = boilerstrip_batch::jsonl::JsonlConfig {
        id_field: args.id_field.clone(),
        url_field: args.url_field.clone(),
        html_field: args.html_field.clone(),
        text_field: args.text_field.clone(),
        content_type_field: args.content_type_field.clone(),
        site: args.rules.site.clone(),
        stats: args.stats,
        window: 256 * jobs,
        jobs,
    };
    // The output: a temporary file renamed into place at the end, or stdout.
    let mut file_out = match &args.output {
        Some(p) if p.is_dir() => {
            return Err(Usage(format!(
                "{}: with --jsonl, -o names the output file",
                p.display()
            ))
            .into());
        }
        Some(p) => {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
            Some(boilerstrip_batch::output::temp_builder().tempfile_in(dir)?)
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out: Box<dyn Write> = match &mut file_out {
        Some(f) => Box::new(std::io::BufWriter::new(f.as_file_mut())),
        None => Box::new(std::io::BufWriter::new(stdout.lock())),
    };
    let format = if args.warc {
        RecordFormat::Warc(boilerstrip_batch::warc::Statuses::parse(&args.status).map_err(Usage)?)
    } else {
        RecordFormat::Jsonl
    };
    let started = Instant::now();
    let summary = boilerstrip_batch::pipeline::run_inputs(
        cleaner,
        &args.inputs,
        &format,
        &mut out,
        &config,
        args.failures.is_some(),
    )?;
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
    for f in &summary.failures {
        eprintln!("failed: {f}");
    }
    let (records, failures, bytes_in) = (summary.records, summary.failures.len(), summary.bytes_in);
    let (passed_over, dead_letters) = (summary.passed_over, summary.dead_letters);
    out.flush()?;
    drop(out);
    if let Some(path) = args.failures.as_ref().filter(|_| !dead_letters.is_empty()) {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = boilerstrip_batch::output::temp_builder()
            .tempfile_in(dir)
            .with_context(|| path.display().to_string())?;
        tmp.write_all(&dead_letters)
            .with_context(|| path.display().to_string())?;
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| path.display().to_string())?;
    }
    if let (Some(tmp), Some(path)) = (file_out, &args.output) {
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| path.display().to_string())?;
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        let skipped: usize = passed_over.values().sum();
        let why: Vec<String> = passed_over
            .iter()
            .map(|(w, n)| format!("{n} {w}"))
            .collect();
        eprintln!(
            "{records} record(s) cleaned, {failures} failed, {skipped} passed over{}; {bytes_in} bytes of pages; {secs:.2}s, {:.1} MB/s",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join(", "))
            },
            bytes_in as f64 / 1e6 / secs.max(1e-9)
        );
    }
    Ok(if failures == 0 || args.allow_failures {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn rules_test(dir: Option<PathBuf>) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("rules"));
    let book = load_rules(std::slice::from_ref(&dir))?;
    let cleaner = Cleaner::new(book, Config::default());
    let base = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (mut passed, mut failed) = (0usize, 0usize);
    for outcome in pipeline::run_site_tests(&cleaner, base) {
        let (case, t) = (outcome.case, &outcome.case.test);
        if outcome.problems.is_empty() {
            passed += 1;
            println!("ok    {:<24} {} ({} checks)", case.host, t.page, t.checks());
        } else {
            failed += 1;
            println!(
                "FAIL  {:<24} {} ({}:{})",
                case.host, t.page, case.file, t.line
            );
            for p in outcome.problems {
                println!("      {p}");
            }
        }
    }
    if passed + failed == 0 {
        return Err(Usage(format!("{}: no site file has a [[test]]", dir.display())).into());
    }
    println!("rules test: {passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn learn(args: LearnArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.min_share) {
        return Err(Usage("--min-share is a share of pages, from 0 to 1".into()).into());
    }
    let book = load_rules(&args.rules)?;
    let cleaner = Cleaner::new(book, Config::default());
    let (files, errors) = input::collect(&args.inputs, false);
    for e in &errors {
        eprintln!("failed: {e}");
    }
    let mut learner = boilerstrip_batch::learn::Learner::default();
    let mut failed = errors.len();
    for f in &files {
        match pipeline::read_page(&f.path, None, Some(&args.site)) {
            Ok(page) => learner.add(&cleaner, &page),
            Err(e) => {
                eprintln!("failed: {e}");
                failed += 1;
            }
        }
    }
    if learner.pages() == 0 {
        return Err(Usage("no pages to learn from".into()).into());
    }
    let learned = learner.repeated(args.min_share, args.min_pages);
    print!(
        "{}",
        boilerstrip_batch::learn::propose(args.site.host(), learner.pages(), &learned)
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn import_ftr(files: &[PathBuf], out: Option<&Path>) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    for file in files {
        let text = std::fs::read_to_string(file).with_context(|| file.display().to_string())?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let imported = boilerstrip::rules::ftr::import(&name, &text);
        if let Err(e) = Site::parse(&imported.host, SiteSource::Flag) {
            eprintln!("{}: not translated: the file's name {e}", file.display());
            continue;
        }
        for u in &imported.untranslated {
            eprintln!(
                "{}:{}: not translated: {}",
                file.display(),
                u.line,
                u.reason
            );
        }
        match out {
            Some(dir) => {
                let path = dir.join("sites").join(format!("{}.toml", imported.host));
                boilerstrip_batch::output::write_atomic(
                    &path,
                    imported.toml.as_bytes(),
                    Some(file),
                )?;
                eprintln!("{} -> {}", file.display(), path.display());
            }
            None => {
                if files.len() > 1 {
                    writeln!(stdout, "# ===== sites/{}.toml", imported.host)?;
                }
                stdout.write_all(imported.toml.as_bytes())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
