//! boilerstrip turns scraped pages into clean article bodies.
//!
//! This crate is the core: it cleans one page at a time and holds no threads,
//! files or command line of its own (the `boilerstrip-batch` crate runs
//! batches, `boilerstrip-cli` is the command). It reads as its pipeline, a
//! module per stage:
//!
//! 1. [`site`] — which site a page belongs to (the host whose site files
//!    apply) and where that came from; `charset` — how a page's bytes
//!    become text;
//! 2. `document` — turns a page into ordered blocks with cheap features;
//! 3. [`rules`] — loads and checks rule files, compiles them once per site;
//! 4. [`clean`] — decides block by block what is article and what is
//!    boilerplate, recording the rule or detector behind every removal;
//!    [`repeated`] — the lines a batch repeats, counted by the caller and
//!    handed to the cleaner;
//! 5. `format` — the kept blocks as Markdown or minimal HTML;
//!
//! and `eval` to measure accuracy the way our benchmarks do.
//!
//! The stages a caller drives are public: [`clean`] (the [`Cleaner`] and
//! its [`Config`]), [`rules`] (rule books, rule directories, the
//! ftr-site-config translation), [`site`] and [`repeated`]. `charset`,
//! `document`, `format` and `eval` are the cleaner's own steps, public for
//! the batch crate and the Python bindings only and hidden from these
//! docs: their API may change in any release.
//!
//! ```
//! use boilerstrip::{Cleaner, Config, RuleBook};
//! let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
//! let page = "Home\nNews\n\nThe council voted on Tuesday to rebuild the old bridge, ending a decade of delays.\n\
//!             Work starts in March and should take two years, the mayor said after the vote.\n\nShare this post\n";
//! let cleaned = cleaner.clean_text(page, None);
//! assert!(cleaned.text.starts_with("The council voted"));
//! assert!(!cleaned.text.contains("Share this post"));
//! ```
//!
//! An HTML page is bytes (its charset is found as a browser finds it):
//!
//! ```
//! use boilerstrip::{Cleaner, Config, RuleBook};
//! let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
//! let page = b"<html><body><nav><a href=/>Home</a> <a href=/news>News</a></nav><article><h1>Bridge</h1>\
//!              <p>The council voted on Tuesday to rebuild the old bridge, ending a decade of delays.</p>\
//!              <p>Work starts in March and should take two years, the mayor said after the vote.</p></article>\
//!              <footer><p>Share this post</p></footer></body></html>";
//! let cleaned = cleaner.clean_html(page, None);
//! assert!(cleaned.text.contains("The council voted"));
//! assert!(!cleaned.text.contains("Share this post") && !cleaned.text.contains("Home"));
//! ```
#![deny(missing_docs)]

// What most users need, at the root: `boilerstrip::Cleaner` and the rest.
pub use clean::{
    Cleaned, Cleaner, Config, Explained, Favor, OutputFormat, Removal, RemovedBy, Tuning,
};
pub use rules::{Category, RuleBook, RulesError};
pub use site::Site;

#[doc(hidden)]
pub mod charset;
pub mod clean;
#[doc(hidden)]
pub mod document;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod format;
pub mod repeated;
pub mod rules;
pub mod site;
