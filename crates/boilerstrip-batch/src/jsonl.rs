//! JSONL in, JSONL out: one page per record, for pipelines (Spark's
//! `RDD.pipe`, Hadoop streaming, GNU parallel, shell pipes).
//!
//! Records are read in windows of a bounded size, cleaned in parallel, and
//! written in input order, so memory is bounded by the window and the output
//! lines up with the input. Each output record keeps the input's fields, with
//! the page field (`html` or `text`) replaced by the clean text. A line that
//! is not a JSON object, or has no page field, is reported with its line
//! number and the batch goes on.

use boilerstrip::clean::Cleaner;
use boilerstrip::site::{Site, SiteSource};
use serde_json::Value;
use std::io::{BufRead, Write};

pub use crate::records::{JsonlConfig, JsonlSummary, RecordFailure};
use crate::records::{insert_output, run_ordered};

/// Cleans every record of `input` into `output`. Stops only on an I/O error
/// writing the output; a bad record (not JSON, not UTF-8, no page field) is
/// a failure in the summary, and so is an input that cannot be read to its
/// end (a truncated `.gz`): the records before it are kept.
pub fn run(
    cleaner: &Cleaner,
    input: impl BufRead + Send,
    output: &mut impl Write,
    config: &JsonlConfig,
) -> std::io::Result<JsonlSummary> {
    let lines = Lines {
        input,
        line: 0,
        offset: 0,
        done: false,
    };
    run_ordered(lines.map(Ok), output, config, |l: Line| {
        clean_record(cleaner, l, config)
    })
}

/// One line of a JSONL input, as bytes: a line that is not UTF-8 is that
/// record's failure, not the file's.
struct Line {
    number: usize,
    offset: u64,
    bytes: Vec<u8>,
}

/// The non-blank lines of an input; a read error ends it with a failure.
struct Lines<R> {
    input: R,
    line: usize,
    offset: u64,
    done: bool,
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<Line, RecordFailure>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let mut bytes = Vec::new();
            let start = self.offset;
            match self.input.read_until(b'\n', &mut bytes) {
                Ok(0) => self.done = true,
                Ok(n) => {
                    self.line += 1;
                    self.offset += n as u64;
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(Ok(Line {
                        number: self.line,
                        offset: start,
                        bytes,
                    }));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // What was read of the broken line is lost with it.
                    self.done = true;
                    return Some(Err(RecordFailure {
                        line: self.line + 1,
                        offset: start,
                        id: None,
                        reason: format!("input cannot be read further: {e}"),
                        record: None,
                    }));
                }
            }
        }
        None
    }
}

fn clean_record(
    cleaner: &Cleaner,
    line: Line,
    config: &JsonlConfig,
) -> Result<(String, u64, u64), RecordFailure> {
    let fail = |id: Option<String>, reason: String| RecordFailure {
        line: line.number,
        offset: line.offset,
        id,
        reason,
        record: Some(line.bytes.trim_ascii_end().to_vec()),
    };
    let text = std::str::from_utf8(&line.bytes).map_err(|e| {
        fail(
            None,
            format!(
                "invalid UTF-8 at byte {}",
                line.offset + e.valid_up_to() as u64
            ),
        )
    })?;
    let text = text.trim_end_matches(['\n', '\r']);
    let value: Value =
        serde_json::from_str(text).map_err(|e| fail(None, format!("not JSON: {e}")))?;
    let Value::Object(mut record) = value else {
        return Err(fail(None, "not a JSON object".into()));
    };
    let id = record.get(&config.id_field).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let site = config.site.clone().or_else(|| {
        record
            .get(&config.url_field)
            .and_then(Value::as_str)
            .and_then(|u| Site::new(u, SiteSource::Url))
    });
    // The record's URL: relative links resolve against it, and a date in
    // its path is the date of last resort.
    let page_url = record.get(&config.url_field).and_then(Value::as_str);
    let (cleaned, bytes_in) = match (
        record.get(&config.html_field),
        record.get(&config.text_field),
    ) {
        (Some(Value::String(html)), _) => {
            let content_type = record
                .get(&config.content_type_field)
                .and_then(Value::as_str);
            (
                cleaner.clean_http(html.as_bytes(), site.as_ref(), page_url, content_type),
                html.len(),
            )
        }
        (_, Some(Value::String(t))) => (cleaner.clean_text_at(t, site.as_ref(), page_url), t.len()),
        _ => {
            return Err(fail(
                id,
                format!(
                    "no string field `{}` or `{}` to clean",
                    config.html_field, config.text_field
                ),
            ));
        }
    };
    let bytes_out = cleaned.text.len() as u64;
    record.remove(&config.html_field);
    insert_output(cleaner, &cleaned, &mut record, &config.text_field);
    if config.stats {
        record.insert("removed".into(), cleaned.removed_counts());
    }
    Ok((
        Value::Object(record).to_string(),
        bytes_in as u64,
        bytes_out,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use boilerstrip::clean::Config;
    use boilerstrip::rules::RuleBook;

    fn cleaner() -> Cleaner {
        Cleaner::new(RuleBook::shipped().unwrap(), Config::default())
    }

    const PARA: &str = "The regional rail operator said on Monday that it would add forty trains a day to the coastal line from next spring.";

    #[test]
    fn records_keep_their_fields_and_order_and_bad_lines_are_reported() {
        let input = format!(
            "{}\nnot json\n{}\n\n{}\n{}\n",
            serde_json::json!({"id": "a", "url": "https://www.example.com/x", "text": format!("Home\nShare\n{PARA}\n"), "lang": "en"}),
            serde_json::json!({"id": 2, "html": format!("<nav>Menu</nav><p>{PARA}</p>")}),
            serde_json::json!({"id": "c", "body": "no page here"}),
            serde_json::json!(["an", "array"]),
        );
        let mut out = Vec::new();
        let config = JsonlConfig {
            stats: true,
            window: 2,
            jobs: 2,
            ..JsonlConfig::default()
        };
        let summary = run(&cleaner(), input.as_bytes(), &mut out, &config).unwrap();
        let records: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0]["id"], "a");
        assert_eq!(records[0]["lang"], "en");
        assert_eq!(records[0]["text"], format!("{PARA}\n"));
        assert_eq!(records[0]["removed"]["share"], 1);
        assert_eq!(records[1]["id"], 2);
        assert!(records[1].get("html").is_none());
        assert_eq!(records[1]["text"], format!("{PARA}\n"));
        let failed: Vec<(usize, Option<&str>)> = summary
            .failures
            .iter()
            .map(|f| (f.line, f.id.as_deref()))
            .collect();
        assert_eq!(failed, vec![(2, None), (5, Some("c")), (6, None)]);
        assert!(summary.failures[0].reason.starts_with("not JSON"));
    }

    #[test]
    fn a_line_that_is_not_utf8_fails_alone() {
        let good = |i: usize| {
            serde_json::json!({"id": i, "text": format!("{PARA} Number {i}.\n")}).to_string()
        };
        let mut input = Vec::new();
        for i in 0..600 {
            input.extend_from_slice(good(i).as_bytes());
            input.push(b'\n');
        }
        let bad_at = input.len();
        input.extend_from_slice(b"{\"id\": \"latin1\", \"text\": \"caf\xe9\"}\n");
        input.extend_from_slice(good(600).as_bytes());
        input.push(b'\n');
        let mut out = Vec::new();
        let summary = run(&cleaner(), &input[..], &mut out, &JsonlConfig::default()).unwrap();
        assert_eq!(summary.records, 601);
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 601);
        assert_eq!(summary.failures.len(), 1);
        let f = &summary.failures[0];
        assert_eq!((f.line, f.offset), (601, bad_at as u64));
        assert_eq!(f.reason, format!("invalid UTF-8 at byte {}", bad_at + 29));
        assert_eq!(
            f.locate(false),
            format!(
                ":601: line at byte {bad_at}: invalid UTF-8 at byte {}",
                bad_at + 29
            )
        );
    }
}
