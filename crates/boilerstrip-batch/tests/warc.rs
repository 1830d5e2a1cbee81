//! WARC and ARC files as archivers write them: every file of
//! `../shared/warc-samples/` (warcio's and jwarc's test data) must yield the
//! records listed here, and each HTML response's text must be what cleaning
//! its payload, decoded here on its own, gives as an HTML file.
//!
//! A user's clone has no `../shared`: these tests then skip with a message.
//! Under CI (`CI=true`) its absence is a failure.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use boilerstrip_batch::jsonl::{JsonlConfig, JsonlSummary};
use boilerstrip_batch::warc::{Reader, Statuses};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

fn samples() -> Option<PathBuf> {
    let dir =
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("../shared/warc-samples");
    if dir.join("example.warc").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is missing: CI must have ../shared beside the repo",
            dir.display()
        );
    }
    eprintln!(
        "skipping: {} not found (clone ../shared beside the repo to run)",
        dir.display()
    );
    None
}

/// What one file must give.
struct Expect {
    file: &'static str,
    /// The HTML responses cleaned, in order: (WARC-Record-ID, URI).
    records: &'static [(Option<&'static str>, &'static str)],
    failures: usize,
    passed_over: &'static [(&'static str, usize)],
}

const EXAMPLE: &str = "http://example.com/";
const EXAMPLE_ID: Option<&str> = Some("<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>");

/// Checked against warcio 1.7's reading of the same files: the records it
/// reads, with their ids, URIs and statuses. Where warcio gives up (the
/// whole-file gzip `example-bad*.warc.gz`, `example-wrong-chunks.warc.gz`,
/// `standard-torture-validate-field.warc` at its `WARC/invalid` line) this
/// reader goes on; where it reads junk as records (`bad.arc`: lengths `-1`
/// and `abc`), these are failures.
const EXPECT: &[Expect] = &[
    Expect {
        file: "bad.arc",
        records: &[],
        failures: 3,
        passed_over: &[("not HTTP (text/plain)", 1)],
    },
    Expect {
        file: "example-bad-non-chunked.warc.gz",
        records: &[(EXAMPLE_ID, EXAMPLE)],
        failures: 0,
        passed_over: &[("request", 2), ("revisit", 1), ("warcinfo", 2)],
    },
    Expect {
        file: "example-bad.warc.gz",
        records: &[(
            Some("<urn:uuid:6d058047-ede2-4a13-be79-90c17c631dd4>"),
            "http://example.com?example=1",
        )],
        failures: 0,
        passed_over: &[
            ("request", 2),
            ("revisit", 1),
            ("status 302", 1),
            ("warcinfo", 1),
        ],
    },
    Expect {
        file: "example-digest.warc",
        records: &[],
        failures: 0,
        passed_over: &[("request", 4)],
    },
    Expect {
        file: "example-iana.org-chunked.warc",
        records: &[(
            Some("<urn:uuid:a96ae1a5-931d-4c45-96f3-98576d155f8b>"),
            "http://www.iana.org/",
        )],
        failures: 0,
        passed_over: &[("request", 1), ("warcinfo", 1)],
    },
    Expect {
        file: "example-resource.warc.gz",
        records: &[(
            Some("<urn:uuid:6e7f60da-2c7b-11e7-aaf7-0242ac120007>"),
            EXAMPLE,
        )],
        failures: 0,
        passed_over: &[("warcinfo", 2)],
    },
    Expect {
        file: "example-space-in-target-uri.warc.gz",
        records: &[],
        failures: 0,
        passed_over: &[("not HTML", 1), ("warcinfo", 1)],
    },
    Expect {
        file: "example-space-in-url.arc",
        records: &[(
            None,
            "http://example.com/index.cfm?FuseAction=Email&EmailTitle=Examples From The Live Web&IsPopUp=False",
        )],
        failures: 0,
        passed_over: &[("warcinfo", 1)],
    },
    Expect {
        file: "example-trunc.warc",
        records: &[(EXAMPLE_ID, EXAMPLE)],
        failures: 0,
        passed_over: &[("request", 1), ("warcinfo", 2)],
    },
    Expect {
        file: "example-wget-bad-target-uri.warc.gz",
        records: &[(
            Some("<urn:uuid:FD8A6D04-AF8A-4A36-A889-8094487CDF2D>"),
            EXAMPLE,
        )],
        failures: 0,
        passed_over: &[
            ("metadata", 1),
            ("not HTML", 2),
            ("request", 1),
            ("warcinfo", 1),
        ],
    },
    Expect {
        file: "example-wrong-chunks.warc.gz",
        records: &[(
            Some("<urn:uuid:80d63307-60af-43e0-903f-574b2f432b7e>"),
            EXAMPLE,
        )],
        failures: 0,
        passed_over: &[("request", 1)],
    },
    Expect {
        file: "example.arc",
        records: &[(None, EXAMPLE)],
        failures: 0,
        passed_over: &[("warcinfo", 1)],
    },
    Expect {
        file: "example.arc.gz",
        records: &[(None, EXAMPLE)],
        failures: 0,
        passed_over: &[("warcinfo", 1)],
    },
    Expect {
        file: "example.warc",
        records: &[(EXAMPLE_ID, EXAMPLE)],
        failures: 0,
        passed_over: &[("request", 2), ("revisit", 1), ("warcinfo", 2)],
    },
    Expect {
        file: "example.warc.gz",
        records: &[(EXAMPLE_ID, EXAMPLE)],
        failures: 0,
        passed_over: &[("request", 2), ("revisit", 1), ("warcinfo", 2)],
    },
    Expect {
        file: "jwarc-cc.warc.gz",
        records: &[(
            Some("<urn:uuid:ececb7b0-ed4d-4d27-9ae8-2676df51cf7d>"),
            "http://commoncrawl.org/",
        )],
        failures: 0,
        passed_over: &[],
    },
    Expect {
        file: "jwarc-gzip_extra_sl.warc.gz",
        records: &[],
        failures: 0,
        passed_over: &[("warcinfo", 1)],
    },
    Expect {
        file: "post-test.warc.gz",
        records: &[],
        failures: 0,
        passed_over: &[("not HTML", 3), ("request", 3)],
    },
    Expect {
        file: "space-in-url.arc",
        records: &[(
            None,
            "http://www.wyomingdemocrats.com/index.php?display=CommitteeDetails&id=24100",
        )],
        failures: 0,
        passed_over: &[("status 400", 1), ("warcinfo", 1)],
    },
    Expect {
        file: "standard-torture-missing.warc",
        records: &[],
        failures: 0,
        passed_over: &[("warcinfo", 1)],
    },
    Expect {
        file: "standard-torture-validate-field.warc",
        records: &[],
        failures: 1,
        passed_over: &[("does-not-exist", 1), ("invalid", 1), ("request", 1)],
    },
    Expect {
        file: "standard-torture-validate-record.warc",
        records: &[],
        failures: 0,
        passed_over: &[
            ("continuation", 2),
            ("conversion", 1),
            ("metadata", 2),
            ("not HTML", 3),
            ("not HTTP (text/plain)", 1),
            ("request", 2),
            ("revisit", 3),
            ("warcinfo", 3),
        ],
    },
];

fn cleaner() -> Cleaner {
    Cleaner::new(RuleBook::shipped().unwrap(), Config::default())
}

fn clean(cleaner: &Cleaner, path: &Path) -> (Vec<Value>, JsonlSummary) {
    let input = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut out = Vec::new();
    let summary = boilerstrip_batch::warc::run(
        cleaner,
        input,
        &mut out,
        &JsonlConfig::default(),
        &Statuses::default(),
    )
    .unwrap();
    let records = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (records, summary)
}

/// The HTML payload of an HTTP message, decoded here on its own terms:
/// chunks joined, gzip undone (what these files use).
fn payload(block: &[u8]) -> Vec<u8> {
    if !block.starts_with(b"HTTP/") {
        return block.to_vec();
    }
    let (head_end, sep) = match block.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(i) => (i, 4),
        None => (block.windows(2).position(|w| w == b"\n\n").unwrap(), 2),
    };
    let head = String::from_utf8_lossy(&block[..head_end]).to_ascii_lowercase();
    let mut body = block[head_end + sep..].to_vec();
    let has = |name: &str, value: &str| {
        head.lines()
            .any(|l| l.starts_with(name) && l.contains(value))
    };
    if has("transfer-encoding:", "chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let line = std::str::from_utf8(&rest[..eol]).unwrap();
            let size = usize::from_str_radix(line.split(';').next().unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    if has("content-encoding:", "gzip") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&body[..])
            .read_to_end(&mut out)
            .unwrap();
        body = out;
    }
    body
}

#[test]
fn every_sample_file_gives_its_records_and_their_clean_text() {
    let Some(dir) = samples() else { return };
    let cleaner = cleaner();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    files.sort();
    let listed: Vec<&str> = EXPECT.iter().map(|e| e.file).collect();
    assert_eq!(files, listed, "every sample file has its expectations here");
    let tmp = tempfile::tempdir().unwrap();
    for e in EXPECT {
        let path = dir.join(e.file);
        let (records, summary) = clean(&cleaner, &path);
        let got: Vec<(Option<&str>, &str)> = records
            .iter()
            .map(|r| (r["id"].as_str(), r["url"].as_str().unwrap()))
            .collect();
        assert_eq!(got, e.records, "{}", e.file);
        assert_eq!(
            summary.failures.len(),
            e.failures,
            "{}: {:?}",
            e.file,
            summary.failures
        );
        let passed: BTreeMap<&str, usize> = e.passed_over.iter().copied().collect();
        let got_passed: BTreeMap<&str, usize> = summary
            .passed_over
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(got_passed, passed, "{}", e.file);
        // Each HTML record's text is its payload cleaned as an HTML file.
        let blocks: Vec<(Option<String>, Option<String>, Vec<u8>)> =
            Reader::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()))
                .unwrap()
                .filter_map(|r| r.unwrap().ok())
                .map(|r| {
                    (
                        r.header("WARC-Record-ID").map(str::to_string),
                        // wget writes the URI in angle brackets.
                        r.header("WARC-Target-URI")
                            .map(|u| u.trim_matches(['<', '>']).to_string()),
                        r.body,
                    )
                })
                .collect();
        for r in &records {
            let (_, _, block) = blocks
                .iter()
                .find(|(id, uri, _)| {
                    id.as_deref() == r["id"].as_str() && uri.as_deref() == r["url"].as_str()
                })
                .unwrap_or_else(|| panic!("{}: no block for {r}", e.file));
            let file = tmp.path().join("page.html");
            std::fs::write(&file, payload(block)).unwrap();
            let page = boilerstrip_batch::pipeline::read_page(&file, None, None).unwrap();
            let want = boilerstrip_batch::pipeline::clean_page(&cleaner, &page);
            assert!(!want.text.is_empty(), "{}: an empty page", e.file);
            assert_eq!(r["text"].as_str().unwrap(), want.text, "{}", e.file);
        }
    }
}

#[test]
fn the_lenient_reads_are_warnings_and_named() {
    let Some(dir) = samples() else { return };
    let cleaner = cleaner();
    let (_, summary) = clean(&cleaner, &dir.join("example-trunc.warc"));
    let w: Vec<String> = summary.warnings.iter().map(|w| w.locate(true)).collect();
    assert_eq!(
        w,
        [
            "#3 (id <urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>): record at byte 1197: Content-Length 973 is 2 byte(s) short of the next record"
        ]
    );
    let (_, summary) = clean(&cleaner, &dir.join("space-in-url.arc"));
    assert_eq!(summary.warnings.len(), 1);
    assert!(
        summary.warnings[0]
            .reason
            .contains("the file ends 8 byte(s) before"),
        "{:?}",
        summary.warnings
    );
}
