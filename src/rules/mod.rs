//! Rules: what a user can read and edit to say what is boilerplate.
//!
//! Rules are data in TOML files (see `README.md` for the format). They are read
//! by [`RuleBook::load`], which checks every file and reports every problem as
//! `file:line:col: message` before any page is touched, then compiles each
//! effective rule set once: phrases into Aho-Corasick automata (ASCII
//! case-insensitive; a trie for phrases anchored at a block's start, a DFA
//! behind a SIMD searcher for phrases found anywhere), each pattern into its
//! own `Regex`, behind gates that rule most blocks out for all patterns at
//! once (see `gate.rs`). A compiled [`RuleSet`] is immutable and shared by
//! all worker threads; it is made of four matchers, a file each under
//! `set/` (head phrases, contains phrases, patterns, selectors). A checked
//! [`Rule`] carries its regexes and selectors parsed ([`RuleRegex`],
//! [`RuleSelector`]), so compiling parses nothing again.
//!
//! This stage only answers "which rule, if any, matches this block"; deciding
//! what to remove from a page is the cleaner's job.

mod book;
mod checked;
mod factors;
mod file;
pub mod ftr;
mod gate;
mod prefilter;
mod set;
mod xpath;

pub use book::{RuleBook, RuleDir, SiteTestCase, normalize_host};
pub use checked::{RuleRegex, RuleSelector};
pub use file::{RuleFile, SiteTest, parse_rule_file};
pub use set::{CompileError, RuleMatch, RuleRef, RuleSet};

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A host written as the start of a rule id (`example.com` stays,
/// other characters become `-`).
pub fn id_prefix(host: &str) -> String {
    host.replace(
        |c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'),
        "-",
    )
}

/// What kind of boilerplate a rule (or detector) removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Category {
    /// Share buttons, social-network names, embedded social posts.
    Share,
    /// Newsletter and subscription prompts, sign-up and log-in calls.
    Subscribe,
    /// Cookie, consent and privacy notices.
    Consent,
    /// Reference lists, bibliographies, source lists.
    References,
    /// Teasers for other stories: related, recommended, "more from", read-more links.
    Teasers,
    /// Comment sections and comment prompts.
    Comments,
    /// Rating and feedback prompts: "Was this article helpful?", star ratings.
    Feedback,
    /// Advertising labels and sponsored blocks.
    Ads,
    /// Menus, breadcrumbs, skip links, footers.
    Navigation,
    /// Image captions and credits.
    Captions,
    /// Legal and corporate small print.
    Legal,
    /// Bylines, datelines and timestamps of the article.
    Byline,
    /// A headline printed again.
    Title,
    /// Tables, left out on request (`--no-tables`).
    Tables,
    /// Elements a reader never sees (HTML styled `display: none`).
    Hidden,
    /// Text outside the main content that no rule named (decided by a detector).
    Outside,
    /// Blocks that keep rules protect (never removed).
    Keep,
}

impl Category {
    /// Every category, in the order summaries print them.
    pub const ALL: [Category; 17] = [
        Category::Share,
        Category::Subscribe,
        Category::Consent,
        Category::References,
        Category::Teasers,
        Category::Comments,
        Category::Feedback,
        Category::Ads,
        Category::Navigation,
        Category::Captions,
        Category::Legal,
        Category::Byline,
        Category::Title,
        Category::Tables,
        Category::Hidden,
        Category::Outside,
        Category::Keep,
    ];

    /// The name used in rule files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Category::Share => "share",
            Category::Subscribe => "subscribe",
            Category::Consent => "consent",
            Category::References => "references",
            Category::Teasers => "teasers",
            Category::Comments => "comments",
            Category::Feedback => "feedback",
            Category::Ads => "ads",
            Category::Navigation => "navigation",
            Category::Captions => "captions",
            Category::Legal => "legal",
            Category::Byline => "byline",
            Category::Title => "title",
            Category::Tables => "tables",
            Category::Hidden => "hidden",
            Category::Outside => "outside",
            Category::Keep => "keep",
        }
    }

    /// Parses a category name as written in rule files.
    pub fn from_name(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a matching rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Remove the matching block.
    Drop,
    /// Remove the matching block and the blocks under it, up to the next heading.
    DropSection,
    /// Remove the matching block and everything after it. Only honoured once the
    /// article has started, so a share row above the article cannot empty a page.
    DropToEnd,
    /// Never remove the matching block.
    Keep,
}

impl Action {
    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::DropSection => "drop-section",
            Action::DropToEnd => "drop-to-end",
            Action::Keep => "keep",
        }
    }

    fn from_name(s: &str) -> Option<Action> {
        [
            Action::Drop,
            Action::DropSection,
            Action::DropToEnd,
            Action::Keep,
        ]
        .into_iter()
        .find(|a| a.name() == s)
    }
}

/// How a rule's phrases are compared with a block (after list markers and
/// surrounding whitespace are stripped; ASCII letters compared case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    /// The whole block is the phrase, optionally followed by punctuation
    /// (`Share this post`, `Subscribing...`).
    Line,
    /// The block starts with the phrase (`Read more:`).
    Prefix,
    /// The phrase occurs anywhere in the block (`pic.twitter.com/`).
    Contains,
}

impl MatchMode {
    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            MatchMode::Line => "line",
            MatchMode::Prefix => "prefix",
            MatchMode::Contains => "contains",
        }
    }

    fn from_name(s: &str) -> Option<MatchMode> {
        [MatchMode::Line, MatchMode::Prefix, MatchMode::Contains]
            .into_iter()
            .find(|m| m.name() == s)
    }
}

/// Where a rule was written: the file and the line of its `[[rule]]` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The rule file, as given (shipped files as `rules/default/<name>.toml`).
    pub file: Arc<str>,
    /// 1-based line of the rule's table header.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One checked rule, as written in a rule file.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id; site files override or disable default rules by it.
    pub id: String,
    /// The kind of boilerplate it removes.
    pub category: Category,
    /// What the rule is for, in a person's words.
    pub description: String,
    /// Literal phrases, compared according to `mode`.
    pub phrases: Vec<String>,
    /// How phrases are compared.
    pub mode: MatchMode,
    /// Regular expressions, matched against the block with list markers
    /// stripped; each read as written and checked.
    pub regex: Vec<RuleRegex>,
    /// CSS selectors (HTML pages only): every block inside a matching
    /// element; each read as written and parsed.
    pub selectors: Vec<RuleSelector>,
    /// The rule only applies to blocks of at most this many words.
    pub max_words: Option<u32>,
    /// What happens to a matching block.
    pub action: Action,
    /// Where the rule was written.
    pub origin: Origin,
}

/// One problem found in a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Errors of the rules stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// A rule file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// One or more rule files are invalid; every problem is listed.
    #[error("{} problem(s) in rule files:\n{}", .0.len(), .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RuleProblem>),
    /// Every file was valid, but a rule set could not be built from them
    /// (a resource limit of the automata over many rules).
    #[error("cannot compile {set} ({count} rules): {source}")]
    Compile {
        /// Which set: the default rules, or a site's.
        set: String,
        /// How many rules it has.
        count: usize,
        /// The cause: the limit an automaton ran into.
        source: CompileError,
    },
}
