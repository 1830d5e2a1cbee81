//! WARC archives (Common Crawl style): response records with HTML payloads
//! are cleaned into JSONL keyed by `WARC-Record-ID` and `WARC-Target-URI`.
//!
//! The reader is written here rather than taken from a crate because a crawl
//! must survive a broken record: after a record whose header or length is
//! wrong, reading resumes at the next line that starts a record (`WARC/1.`),
//! and the broken one is reported with its byte offset. `.warc.gz` files
//! (one gzip member per record) are decompressed by the input stage.

use crate::clean::Cleaner;
use crate::jsonl::{JsonlConfig, JsonlSummary, RecordFailure, run_ordered};
use serde_json::Value;
use std::io::{BufRead, Read, Write};

/// Largest record body read; a larger one is skipped and reported.
pub const MAX_RECORD: u64 = 64 << 20;

/// One WARC record.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based number of the record in the file.
    pub number: usize,
    /// Byte offset of the record's `WARC/` line in the (decompressed) stream.
    pub offset: u64,
    /// Header fields, names as written.
    pub headers: Vec<(String, String)>,
    /// The record block (for a response: the HTTP message).
    pub body: Vec<u8>,
}

impl Record {
    /// A header's value (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads records one after another, resynchronising after a broken one.
pub struct Reader<R> {
    input: R,
    offset: u64,
    number: usize,
    /// A `WARC/` line read while looking for the next record.
    pending: Option<Vec<u8>>,
    done: bool,
}

impl<R: BufRead> Reader<R> {
    /// A reader over a decompressed WARC stream.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input,
            offset: 0,
            number: 0,
            pending: None,
            done: false,
        }
    }

    fn line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        if let Some(l) = self.pending.take() {
            return Ok(Some(l));
        }
        let mut buf = Vec::new();
        let n = self.input.read_until(b'\n', &mut buf)?;
        self.offset += n as u64;
        Ok((n > 0).then_some(buf))
    }

    /// Skips to the next line that starts a record.
    fn resync(&mut self) -> std::io::Result<()> {
        while let Some(l) = self.line()? {
            if l.starts_with(b"WARC/1.") {
                self.offset -= l.len() as u64;
                self.pending = Some(l);
                return Ok(());
            }
        }
        self.done = true;
        Ok(())
    }

    fn read_record(&mut self) -> std::io::Result<Option<Result<Record, RecordFailure>>> {
        // The version line, after any blank lines.
        let (version, offset) = loop {
            let start = self.offset - self.pending.as_ref().map_or(0, |p| p.len() as u64);
            match self.line()? {
                None => return Ok(None),
                Some(l) if l.iter().all(u8::is_ascii_whitespace) => continue,
                Some(l) => break (l, start),
            }
        };
        self.number += 1;
        let number = self.number;
        let fail = |reason: String| RecordFailure {
            line: number,
            id: None,
            reason: format!("record at byte {offset}: {reason}"),
        };
        if !version.starts_with(b"WARC/") {
            self.resync()?;
            return Ok(Some(Err(fail(
                "does not start with a WARC/ version line".into(),
            ))));
        }
        let mut headers = Vec::new();
        loop {
            let Some(l) = self.line()? else {
                self.done = true;
                return Ok(Some(Err(fail("headers end with the file".into()))));
            };
            let l = String::from_utf8_lossy(&l);
            let l = l.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                break;
            }
            match l.split_once(':') {
                Some((name, value)) => {
                    headers.push((name.trim().to_string(), value.trim().to_string()))
                }
                None => {
                    self.resync()?;
                    return Ok(Some(Err(fail(format!("bad header line {l:?}")))));
                }
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.parse::<u64>().ok());
        let Some(length) = length else {
            self.resync()?;
            return Ok(Some(Err(fail("no valid Content-Length".into()))));
        };
        if length > MAX_RECORD {
            std::io::copy(&mut (&mut self.input).take(length), &mut std::io::sink())?;
            self.offset += length;
            self.resync()?;
            return Ok(Some(Err(fail(format!(
                "{length} bytes: over the {MAX_RECORD}-byte cap"
            )))));
        }
        let mut body = Vec::with_capacity(length as usize);
        let got = (&mut self.input).take(length).read_to_end(&mut body)?;
        self.offset += got as u64;
        if (got as u64) < length {
            self.done = true;
            return Ok(Some(Err(fail(format!(
                "truncated: {got} of {length} bytes"
            )))));
        }
        // The block is followed by two line ends; anything else means the
        // length was wrong.
        let mut end = Vec::new();
        for _ in 0..2 {
            match self.line()? {
                Some(l) if l.iter().all(u8::is_ascii_whitespace) => {}
                Some(l) => {
                    end = l;
                    break;
                }
                None => break,
            }
        }
        if !end.is_empty() {
            if end.starts_with(b"WARC/1.") {
                self.offset -= end.len() as u64;
                self.pending = Some(end);
            } else {
                self.resync()?;
            }
            return Ok(Some(Err(fail(
                "block does not end where Content-Length says".into(),
            ))));
        }
        Ok(Some(Ok(Record {
            number,
            offset,
            headers,
            body,
        })))
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = std::io::Result<Result<Record, RecordFailure>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.read_record().transpose()
    }
}

/// HTTP header fields, names lower-cased.
type HttpHeaders = Vec<(String, String)>;

/// Splits an HTTP response into its headers and body.
fn http_payload(block: &[u8]) -> Option<(HttpHeaders, &[u8])> {
    let end = memchr::memmem::find(block, b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| memchr::memmem::find(block, b"\n\n").map(|i| (i, i + 2)))?;
    let head = String::from_utf8_lossy(&block[..end.0]);
    let mut lines = head.lines();
    let status = lines.next()?;
    if !status.starts_with("HTTP/") {
        return None;
    }
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some((headers, &block[end.1..]))
}

/// Cleans the HTML responses of a WARC stream into JSONL records
/// `{id, url, text}` (plus `title` when the page has one, and `removed` with
/// `config.stats`). Records of other types, and responses that are not HTML,
/// are passed over (counted in `skipped`); broken records are failures.
pub fn run(
    cleaner: &Cleaner,
    input: impl BufRead,
    output: &mut impl Write,
    config: &JsonlConfig,
) -> std::io::Result<JsonlSummary> {
    // Requests, metadata, and responses that are not HTML (images, PDFs,
    // feeds) are passed over and counted, not reported.
    let skipped = std::cell::Cell::new(0usize);
    let responses = Reader::new(input).filter(|r| {
        let keep = match r {
            Ok(Ok(rec)) => {
                rec.header("WARC-Type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("response"))
                    && http_payload(&rec.body).is_none_or(|(headers, _)| {
                        headers
                            .iter()
                            .find(|(n, _)| n == "content-type")
                            .is_none_or(|(_, v)| v.to_ascii_lowercase().contains("html"))
                    })
            }
            _ => true,
        };
        skipped.set(skipped.get() + !keep as usize);
        keep
    });
    let mut summary = run_ordered(responses, output, config, |rec: Record| {
        clean_response(cleaner, rec, config)
    })?;
    summary.skipped = skipped.get();
    Ok(summary)
}

fn clean_response(
    cleaner: &Cleaner,
    rec: Record,
    config: &JsonlConfig,
) -> Result<(String, u64, u64), RecordFailure> {
    let id = rec.header("WARC-Record-ID").map(str::to_string);
    let url = rec.header("WARC-Target-URI").map(str::to_string);
    let fail = |reason: String| RecordFailure {
        line: rec.number,
        id: id.clone(),
        reason: format!("record at byte {}: {reason}", rec.offset),
    };
    let (_, body) = http_payload(&rec.body).ok_or_else(|| fail("not an HTTP response".into()))?;
    let site = config.site.clone().or_else(|| {
        url.as_deref()
            .and_then(|u| crate::site::Site::new(u, crate::site::SiteSource::Url))
    });
    let cleaned = cleaner.clean_html_at(body, site.as_ref(), url.as_deref());
    let bytes_out = cleaned.text.len() as u64;
    let mut out = serde_json::Map::new();
    out.insert(
        config.id_field.clone(),
        id.clone().map_or(Value::Null, Value::String),
    );
    out.insert(
        config.url_field.clone(),
        url.map_or(Value::Null, Value::String),
    );
    if let Some(t) = &cleaned.title {
        out.insert("title".into(), Value::String(t.clone()));
    }
    crate::jsonl::insert_output(cleaner, &cleaned, &mut out, &config.text_field);
    if config.stats {
        out.insert("removed".into(), cleaned.removed_counts());
    }
    Ok((Value::Object(out).to_string(), body.len() as u64, bytes_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::Config;
    use crate::rules::RuleBook;

    const PARA: &str = "The regional rail operator said on Monday that it would add forty trains a day to the coastal line from next spring.";

    fn record(kind: &str, id: &str, uri: &str, block: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Target-URI: {uri}\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        )
    }

    fn response(html: &str) -> String {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}")
    }

    #[test]
    fn responses_are_cleaned_and_a_broken_record_is_skipped() {
        let good = response(&format!(
            "<html><head><title>Trains</title></head><body><nav>Home</nav><p>{PARA}</p></body></html>"
        ));
        let mut warc = record("warcinfo", "0", "", "software: test\r\n");
        warc += &record(
            "request",
            "1",
            "https://example.com/a",
            "GET /a HTTP/1.1\r\n\r\n",
        );
        warc += &record("response", "2", "https://example.com/a", &good);
        // A record whose length is wrong, then one with a header that is not one.
        warc += "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nway more than five bytes\r\n\r\n";
        warc += "WARC/1.0\r\nthis is not a header\r\n\r\n";
        warc += &record(
            "response",
            "3",
            "https://example.com/img.png",
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\u{1}PNG",
        );
        warc += &record("response", "4", "https://example.com/b", &good);
        let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
        let mut out = Vec::new();
        let summary = run(&cleaner, warc.as_bytes(), &mut out, &JsonlConfig::default()).unwrap();
        let records: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), 2, "{records:?} {:?}", summary.failures);
        assert_eq!(records[0]["id"], "<urn:uuid:2>");
        assert_eq!(records[0]["url"], "https://example.com/a");
        assert_eq!(records[0]["title"], "Trains");
        assert_eq!(records[0]["text"], format!("{PARA}\n"));
        assert_eq!(records[1]["id"], "<urn:uuid:4>");
        let reasons: Vec<&str> = summary.failures.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].contains("does not end where Content-Length says"));
        assert!(reasons[1].contains("bad header line"));
        assert_eq!(summary.skipped, 3, "warcinfo, request and the image");
    }

    #[test]
    fn a_truncated_archive_ends_with_a_failure() {
        let warc = record(
            "response",
            "1",
            "https://example.com/a",
            &response("<p>x</p>"),
        );
        let cut = &warc[..warc.len() - 10];
        let items: Vec<_> = Reader::new(cut.as_bytes()).map(|r| r.unwrap()).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].as_ref().unwrap_err().reason.contains("truncated"));
    }
}
