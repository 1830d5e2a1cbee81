//! Batches for boilerstrip: everything that reads many pages, runs threads
//! or touches the file system, around the core library `boilerstrip`.
//!
//! 1. [`input`] — finds pages (files, directory trees, stdin, `.gz`/`.zst`)
//!    and tells their format;
//! 2. [`records`] — what JSONL and WARC runs share (their configuration,
//!    failures and dead letters, the ordered parallel pipeline); [`jsonl`]
//!    and [`warc`] — JSONL pages in, JSONL out, in input order; WARC and
//!    ARC archives' HTML responses;
//! 3. [`pipeline`] — the batch of files: each page read, cleaned and written
//!    inside one rayon task, the lines a batch repeats counted first, every
//!    failure reported; and the run over several record inputs
//!    ([`pipeline::run_inputs`]);
//! 4. [`learn`] — a site's repeated blocks learned from many of its pages;
//! 5. [`output`] — atomic writes and the output tree; [`ruledir`] — rule
//!    directories: ftr-site-config files imported into one, every site
//!    file compiled to check it;
//! 6. [`eval`] — a directory of pages scored against expected texts (its
//!    inputs cleaned as a batch, or stored predictions); [`bench`](mod@bench) —
//!    single-threaded throughput over pages held in memory.
//!
//! The core library knows none of this: it cleans one page at a time, and
//! this crate calls it.
#![deny(missing_docs)]

pub mod bench;
pub mod eval;
pub mod input;
pub mod jsonl;
pub mod learn;
pub mod output;
pub mod pipeline;
pub mod records;
pub mod ruledir;
pub mod warc;
