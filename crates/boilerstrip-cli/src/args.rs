//! The command's raw arguments, as clap reads them: no check across flags
//! and no default that depends on another flag (those are in
//! [`crate::settings`]).

use boilerstrip::site::Site;
use boilerstrip_batch::input::Format;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "boilerstrip",
    version,
    about = "Turns scraped pages into clean article bodies"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
pub struct LearnArgs {
    /// Pages of the site (files or directories).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The site (selects rules already in force; names the proposed rule): a
    /// host with a registrable domain, or a URL.
    #[arg(long)]
    pub site: Site,
    /// Share of the pages a block must appear on.
    #[arg(long, default_value_t = 0.5)]
    pub min_share: f64,
    /// Pages a block must appear on, at least.
    #[arg(long, default_value_t = 3)]
    pub min_pages: usize,
    /// A directory of rule files added on top of the shipped rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum RulesCommand {
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
        /// Write `DIR/sites/<host>.toml` (`DIR/sites/.<host>.toml` for a
        /// wildcard file, `DIR/global.toml` for `global.txt`) instead of
        /// printing.
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write over site files that already exist under DIR (without it,
        /// each is reported and kept, and the exit code is 1).
        #[arg(long)]
        force: bool,
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
pub struct RuleArgs {
    /// A directory of rule files added on top of the shipped rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// The site whose rules apply, for every page: a host with a registrable
    /// domain, or a URL (default: each page's record URL, else an HTML page's
    /// canonical URL, og:url or <base>, else a directory named as a host).
    #[arg(long)]
    pub site: Option<Site>,
    /// Treat inputs as this format instead of going by extension.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write kept blocks as a reader sees them: Markdown links reduced to their
    /// text, images and emphasis marks dropped, wrapped paragraphs joined.
    #[arg(long)]
    pub plain: bool,
    /// Print the page's headline (HTML metadata) on top of the body.
    #[arg(long)]
    pub title: bool,
    /// Write the body as text, Markdown (headings, lists, quotes, emphasis,
    /// code, tables), JSON (title, text, metadata and every removal with
    /// its rule) or minimal HTML (structural tags only).
    #[arg(long = "output", value_enum, default_value = "text")]
    pub output_format: OutputArg,
    /// Markdown and HTML output: keep links as [text](url), their URLs made
    /// absolute against the page's <base>, URL or canonical URL.
    #[arg(long)]
    pub links: bool,
    /// Markdown and HTML output: keep the article's images as ![alt](src).
    #[arg(long)]
    pub images: bool,
    /// Leave tables out.
    #[arg(long)]
    pub no_tables: bool,
    /// Keep the comment section, apart from the body: JSON `comments`, or
    /// after the body below a `---` line.
    #[arg(long)]
    pub comments: bool,
    /// Put the page's metadata (author, date, description, …) on top as a
    /// front matter (Markdown, text) or a list (HTML); JSON always has it.
    #[arg(long)]
    pub with_metadata: bool,
    /// Lean the content detector towards precision (less boilerplate) or
    /// recall (more of the article) where it is unsure.
    #[arg(long, value_enum)]
    pub favor: Option<FavorArg>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FavorArg {
    Precision,
    Recall,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    Text,
    Markdown,
    Json,
    Html,
}

#[derive(clap::Args)]
pub struct CleanArgs {
    /// Files or directories (walked recursively); `-` reads stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write outputs under this directory, mirroring the input tree (with
    /// --jsonl or stdin: the output file).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores). `--jobs 1` gives the same bytes.
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Follow symbolic links while walking directories.
    #[arg(long)]
    pub follow_links: bool,
    /// Largest page, decompressed, in bytes (suffixes K, M, G: powers of
    /// 1024); a larger one is that page's failure. Memory stays within
    /// jobs × this.
    #[arg(long, default_value = "256M", value_parser = crate::settings::parse_size, value_name = "BYTES")]
    pub max_page_bytes: u64,
    /// Print no summary and no progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Skip pages whose output already exists: re-running an interrupted
    /// batch finishes it without redoing work.
    #[arg(long)]
    pub resume: bool,
    /// Learn each site's repeated blocks from its pages in this batch first
    /// (as `boilerstrip learn` does) and remove them too.
    #[arg(long)]
    pub learn: bool,
    /// Exit 0 even when some pages or records failed (they are still
    /// reported): for Spark or Hadoop, where a non-zero exit fails the task.
    #[arg(long)]
    pub allow_failures: bool,
    /// With --jsonl or --warc: write each failed input record whole to
    /// FILE, for reprocessing: JSONL records as they came, with a
    /// `boilerstrip_failure` field (input, line, offset, reason); WARC
    /// records as a WARC file, each with a `WARC-Boilerstrip-Failure`
    /// header. Written only when a record failed.
    #[arg(long, value_name = "FILE")]
    pub failures: Option<PathBuf>,
    /// Keep the lines the batch's text dumps repeat (3+ words, verbatim on 3+
    /// pages that are not copies of each other), which are removed by default.
    #[arg(long)]
    pub no_repeated: bool,
    /// With --learn: share of a site's pages a block must appear on.
    #[arg(long, default_value_t = 0.5)]
    pub learn_share: f64,
    /// With --learn: pages a block must appear on, at least.
    #[arg(long, default_value_t = 3)]
    pub learn_pages: usize,
    /// Inputs are JSONL files (or `-`), one page per record; the output is
    /// JSONL (to -o FILE, else stdout), records in input order.
    #[arg(long)]
    pub jsonl: bool,
    /// Inputs are WARC archives (`.warc`, `.warc.gz`, or `-`): HTML responses
    /// are cleaned into JSONL records {id, url, title, text}.
    #[arg(long, conflicts_with = "jsonl")]
    pub warc: bool,
    /// JSONL: field holding a record's id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSONL: field holding the page's URL (its host selects site rules).
    #[arg(long, default_value = "url")]
    pub url_field: String,
    /// JSONL: field holding HTML.
    #[arg(long, default_value = "html")]
    pub html_field: String,
    /// JSONL: field holding a text dump, and the field the clean text goes to.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSONL: field holding the page's content type (its charset decides
    /// how HTML is read when the page is not valid UTF-8).
    #[arg(long, default_value = "content_type")]
    pub content_type_field: String,
    /// WARC/ARC: the HTTP statuses to clean (`2xx`, `200-399`, `404`, `all`,
    /// comma-separated); other responses are counted as passed over.
    #[arg(long, default_value = "2xx", value_name = "LIST")]
    pub status: String,
    /// JSONL and WARC: add `removed`, blocks removed per category, to each record.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// JSON file: id → expected text (or id → {articleBody: text}); scored
    /// with the bag-of-4-grams body metric.
    #[arg(
        long,
        required_unless_present = "snippets",
        conflicts_with = "snippets"
    )]
    pub truth: Option<PathBuf>,
    /// JSON file: id → {"with": [...], "without": [...]}, passages that must
    /// and must not be in the output; scored with the snippet metric.
    #[arg(long, value_name = "FILE")]
    pub snippets: Option<PathBuf>,
    /// Directory holding `<id>.txt` predictions (or, with --clean, inputs).
    pub dir: PathBuf,
    /// Clean `<id>.*` inputs in DIR first, then score the results.
    #[arg(long)]
    pub clean: bool,
    /// Field holding the text when truth values are objects.
    #[arg(long, default_value = "articleBody")]
    pub field: String,
    /// Write per-page scores as TSV to this file.
    #[arg(long, value_name = "FILE")]
    pub per_page: Option<PathBuf>,
    /// With --clean: keep the lines the text dumps repeat, as `clean
    /// --no-repeated` does.
    #[arg(long)]
    pub no_repeated: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The page.
    pub page: PathBuf,
    /// JSON lines, for tools: first `{"site", "site_source"}`, then one
    /// object per block.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Files or directories of pages.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Passes over the pages.
    #[arg(long, default_value_t = 5)]
    pub iterations: usize,
    /// Leave out the count of the lines the text dumps repeat (by default a
    /// pass counts them, as `clean` does, and its time is in the figure).
    #[arg(long)]
    pub no_repeated: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
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
