//! boilerstrip turns scraped pages into clean article bodies.
//!
//! The crate reads as its pipeline, a module per stage:
//!
//! 1. [`input`] — finds pages (files, directory trees, stdin) and tells
//!    their format; [`site`] says which site a page belongs to (the host
//!    whose site files apply) and where that came from;
//! 2. [`document`] — turns a page into ordered blocks with cheap features;
//! 3. [`rules`] — loads and checks rule files, compiles them once per site;
//! 4. [`clean`] — decides block by block what is article and what is
//!    boilerplate, recording the rule or detector behind every removal;
//! 5. [`output`] — writes results atomically;
//!
//! with [`pipeline`] as the one place that wires them and fans a batch out over
//! rayon, and [`eval`] to measure accuracy the way our benchmarks do.
//!
//! ```
//! use boilerstrip::{clean::{Cleaner, Config}, rules::RuleBook};
//! let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
//! let page = "Home\nNews\n\nThe council voted on Tuesday to rebuild the old bridge, ending a decade of delays.\n\
//!             Work starts in March and should take two years, the mayor said after the vote.\n\nShare this post\n";
//! let cleaned = cleaner.clean_text(page, None);
//! assert!(cleaned.text.starts_with("The council voted"));
//! assert!(!cleaned.text.contains("Share this post"));
//! ```
#![deny(missing_docs)]

pub mod charset;
pub mod clean;
pub mod document;
pub mod eval;
pub mod format;
pub mod input;
pub mod jsonl;
pub mod learn;
pub mod output;
pub mod pipeline;
pub mod repeated;
pub mod rules;
pub mod site;
pub mod warc;
