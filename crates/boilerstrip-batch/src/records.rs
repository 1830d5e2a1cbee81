//! Records, JSONL and WARC alike: what a run of records is told (field
//! names, window, threads), how a record that fails is reported (and kept
//! whole, as a dead letter), and the ordered pipeline both formats share:
//! records read on a thread of their own, cleaned in parallel window by
//! window, written in input order.

use boilerstrip::clean::Cleaner;
use boilerstrip::site::Site;
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::io::Write;

/// Field names and options of a JSONL run.
#[derive(Debug, Clone)]
pub struct JsonlConfig {
    /// Field holding a record's id (used in failure reports).
    pub id_field: String,
    /// Field holding the page's URL (its host selects site rules).
    pub url_field: String,
    /// Field holding HTML.
    pub html_field: String,
    /// Field holding a text dump (used when there is no HTML field); also the
    /// field the clean text is written to.
    pub text_field: String,
    /// Field holding the page's content type (`text/html; charset=…`):
    /// the transport charset of its HTML (see [`boilerstrip::charset`]).
    pub content_type_field: String,
    /// The site of every record (`--site`), instead of its URL's host.
    pub site: Option<Site>,
    /// Add `removed`: blocks removed per category.
    pub stats: bool,
    /// Records cleaned at once (the window); at least 1.
    pub window: usize,
    /// Worker threads; at least 1.
    pub jobs: usize,
}

impl Default for JsonlConfig {
    fn default() -> JsonlConfig {
        JsonlConfig {
            id_field: "id".into(),
            url_field: "url".into(),
            html_field: "html".into(),
            text_field: "text".into(),
            content_type_field: "content_type".into(),
            site: None,
            stats: false,
            window: 1024,
            jobs: 1,
        }
    }
}

/// A record that could not be cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// 1-based line in the input (JSONL), or record number (WARC, ARC).
    pub line: usize,
    /// Byte offset in the input file where the line or record starts (for
    /// a compressed WARC, the offset of its gzip member).
    pub offset: u64,
    /// The record's id, when it had one.
    pub id: Option<String>,
    /// Why.
    pub reason: String,
    /// The input record as read, when it was read whole (a JSONL line
    /// without its line end; an archive record rebuilt from its headers and
    /// block): what `--failures` writes for reprocessing.
    pub record: Option<Vec<u8>>,
}

impl RecordFailure {
    /// The failed record as a dead-letter file holds it, for reprocessing
    /// (`clean --failures`): a JSONL record as it came, with a
    /// `boilerstrip_failure` field (`input`, `line`, `offset`, `id`,
    /// `reason`; a line that is not a JSON object goes in a `raw` field);
    /// an archive record whole, as a WARC record with a
    /// `WARC-Boilerstrip-Failure` header (nothing when it could not be read
    /// whole).
    pub fn dead_letter(&self, input: &str, archive: bool) -> Vec<u8> {
        let about = serde_json::json!({
            "input": input,
            "line": self.line,
            "offset": self.offset,
            "id": self.id,
            "reason": self.reason,
        });
        if archive {
            // A record read whole, with the reason as a header of its own;
            // one the reader could not read whole is only reported.
            let Some(record) = &self.record else {
                return Vec::new();
            };
            let first = record.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
            let reason = self.reason.replace(['\r', '\n'], " ");
            let mut out = record[..first].to_vec();
            out.extend_from_slice(format!("WARC-Boilerstrip-Failure: {reason}\r\n").as_bytes());
            out.extend_from_slice(&record[first..]);
            return out;
        }
        let mut line = match self
            .record
            .as_deref()
            .and_then(|r| serde_json::from_slice::<serde_json::Value>(r).ok())
        {
            Some(serde_json::Value::Object(mut record)) => {
                record.insert("boilerstrip_failure".into(), about);
                serde_json::Value::Object(record).to_string()
            }
            // Not a JSON object (or not read): the line as text beside the reason.
            _ => serde_json::json!({
                "boilerstrip_failure": about,
                "raw": self.record.as_deref().map(String::from_utf8_lossy),
            })
            .to_string(),
        };
        line.push('\n');
        line.into_bytes()
    }

    /// The failure as printed after the file name: `:LINE (id ID): line at
    /// byte OFFSET: reason` for JSONL, `#N (id ID): record at byte OFFSET:
    /// reason` for archives.
    pub fn locate(&self, archive: bool) -> String {
        let id = self
            .id
            .as_ref()
            .map(|i| format!(" (id {i})"))
            .unwrap_or_default();
        let (at, what) = if archive {
            ("#", "record")
        } else {
            (":", "line")
        };
        format!(
            "{at}{}{id}: {what} at byte {}: {}",
            self.line, self.offset, self.reason
        )
    }
}

/// Figures for a JSONL run.
#[derive(Debug, Clone, Default)]
pub struct JsonlSummary {
    /// Records cleaned and written.
    pub records: usize,
    /// Bytes of page content read.
    pub bytes_in: u64,
    /// Bytes of clean text written.
    pub bytes_out: u64,
    /// Records that failed.
    pub failures: Vec<RecordFailure>,
    /// Records passed over (WARC: not HTML responses).
    pub skipped: usize,
    /// Records passed over, by reason (`request`, `status 404`, `not
    /// HTML`, …): they add up to `skipped`.
    pub passed_over: std::collections::BTreeMap<String, usize>,
    /// Records read, but leniently (WARC: a sloppy archiver's block ends).
    pub warnings: Vec<RecordFailure>,
}

/// One cleaned record: its JSON line, page bytes in, text bytes out.
pub(crate) type Cleaned = (String, u64, u64);

/// The pipeline shared by record formats: items are taken in windows of
/// `config.window`, cleaned in parallel on `config.jobs` threads, and written
/// in input order. An item that is already a failure (it could not be read)
/// is reported in its place. Stops only on an I/O error.
pub(crate) fn run_ordered<T: Send>(
    items: impl Iterator<Item = std::io::Result<Result<T, RecordFailure>>> + Send,
    output: &mut impl Write,
    config: &JsonlConfig,
    clean: impl Fn(T) -> Result<Cleaned, RecordFailure> + Sync,
) -> std::io::Result<JsonlSummary> {
    let mut summary = JsonlSummary::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs.max(1))
        .build()
        .map_err(std::io::Error::other)?;
    let size = config.window.max(1);
    // Records are read (and, for an archive, decompressed) on a thread of
    // their own while the workers clean: reading a `.warc.gz` is serial,
    // and would otherwise leave the workers idle. A window is what has
    // arrived, up to `size`: full when input is plentiful (the reader runs
    // ahead, up to a window), one record when it trickles in, so a
    // long-lived process answers each record as soon as it is cleaned.
    std::thread::scope(|scope| {
        let (tx, items_rx) = std::sync::mpsc::sync_channel::<std::io::Result<_>>(size);
        scope.spawn(move || {
            for item in items {
                let stop = item.is_err();
                // The receiver is gone (the output failed), or the input
                // broke: stop reading.
                if tx.send(item).is_err() || stop {
                    return;
                }
            }
        });
        let windows = std::iter::from_fn(|| next_window(&items_rx, size));
        for (window, broken) in windows {
            let results: Vec<Result<Cleaned, RecordFailure>> = pool.install(|| {
                window
                    .into_par_iter()
                    .map(|item| item.and_then(&clean))
                    .collect()
            });
            write_window(results, output, &mut summary)?;
            if let Some(e) = broken {
                return Err(e);
            }
        }
        output.flush()
    })?;
    Ok(summary)
}

/// An item as the reader sends it: an I/O error stops the run.
type Item<T> = std::io::Result<Result<T, RecordFailure>>;

/// A window of [`run_ordered`]'s items, with the error that ended the input.
type Window<T> = (Vec<Result<T, RecordFailure>>, Option<std::io::Error>);

/// The next window of [`run_ordered`]: the first item is waited for, the
/// rest (up to `size`) taken only if they are already here; with the error
/// that ended the input, if one came (what was read before it is written
/// first). `None` once the reader is done.
fn next_window<T>(items: &std::sync::mpsc::Receiver<Item<T>>, size: usize) -> Option<Window<T>> {
    let first = items.recv().ok()?;
    let mut window: Vec<Result<T, RecordFailure>> = Vec::with_capacity(size);
    let mut broken = None;
    let mut take = |window: &mut Vec<_>, item: Item<T>| match item {
        Ok(item) => {
            window.push(item);
            true
        }
        Err(e) => {
            broken = Some(e);
            false
        }
    };
    if take(&mut window, first) {
        while window.len() < size {
            let Ok(item) = items.try_recv() else {
                break;
            };
            if !take(&mut window, item) {
                break;
            }
        }
    }
    Some((window, broken))
}

/// Writes one window's records in input order (failures are counted in
/// their place) and flushes: a reader waiting for the answers (a pipeline
/// serving one record at a time) gets them now.
fn write_window(
    results: Vec<Result<Cleaned, RecordFailure>>,
    output: &mut impl Write,
    summary: &mut JsonlSummary,
) -> std::io::Result<()> {
    for r in results {
        match r {
            Ok((json, bytes_in, bytes_out)) => {
                output.write_all(json.as_bytes())?;
                output.write_all(b"\n")?;
                summary.records += 1;
                summary.bytes_in += bytes_in;
                summary.bytes_out += bytes_out;
            }
            Err(f) => summary.failures.push(f),
        }
    }
    output.flush()
}

/// Puts a cleaned page into an output record: the rendered text in
/// `text_field`, and with `--output json` the page's metadata and removals as
/// fields of the record (not as a JSON string inside it).
pub(crate) fn insert_output(
    cleaner: &Cleaner,
    cleaned: &boilerstrip::clean::Cleaned,
    record: &mut Map<String, Value>,
    text_field: &str,
) {
    if cleaner.output_format() == boilerstrip::clean::OutputFormat::Json {
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&cleaner.render(cleaned)) {
            for (k, v) in fields {
                match k.as_str() {
                    "text" => {
                        record.insert(text_field.to_string(), v);
                    }
                    "url" if record.contains_key("url") => {}
                    _ => {
                        record.insert(k, v);
                    }
                }
            }
        }
    } else {
        // The metadata and the comments as fields of their own, not in the
        // text.
        record.insert(
            text_field.to_string(),
            Value::String(cleaner.render_record_text(cleaned)),
        );
        if let Some(m) = cleaned
            .metadata
            .as_deref()
            .filter(|_| cleaner.config().metadata)
            && let Value::Object(fields) = m.to_json()
        {
            record.extend(fields);
        }
        if cleaner.config().comments {
            record.insert("comments".into(), cleaned.comments.clone().into());
        }
    }
}
