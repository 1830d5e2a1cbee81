//! `fixtures/warc/payloads.warc`: a small WARC/1.1 archive written by the
//! generator below, one record per way an HTTP payload arrives (identity,
//! gzip, deflate as zlib and raw, br, zstd, chunked, gzip and chunked with
//! chunk extensions, two codings stacked), pages whose charset only the HTTP
//! header names (windows-1251, iso-8859-1), a 304, a 404, a revisit, an
//! XHTML and an upper-case `TEXT/HTML` response, and records that are no
//! pages. Each record's outcome is checked, from the file as committed and
//! from the same records gzipped one per member.
//!
//! The file is what the generator writes: `the_committed_fixture_is_what_the_generator_writes`
//! fails otherwise; `BOILERSTRIP_WRITE_FIXTURES=1 cargo test --test
//! warc_fixture` writes it again.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use boilerstrip_batch::jsonl::{JsonlConfig, JsonlSummary};
use boilerstrip_batch::warc::Statuses;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("fixtures/warc/payloads.warc")
}

/// A news page: a menu, the headline, the article's paragraphs, a footer.
/// `meta` is a `<meta charset>` to put in the head, if any.
fn page(lang: &str, meta: Option<&str>, title: &str, paras: &[&str]) -> String {
    let meta = meta.map_or(String::new(), |m| format!("<meta charset=\"{m}\">"));
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head>{meta}<title>{title}</title></head>\n<body>\
<header><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/local/\">Local</a></li>\
<li><a href=\"/sport/\">Sport</a></li></ul></nav></header>\n<main><article><h1>{title}</h1>\n{body}</article></main>\n\
<footer><a href=\"/about\">About us</a> <a href=\"/privacy\">Privacy policy</a></footer></body></html>\n"
    )
}

const FERRY: [&str; 2] = [
    "The harbour ferry will run every hour from May, the city council decided on Tuesday after a debate that lasted most of the evening.",
    "Tickets will cost two euros, and children under twelve will travel free on every crossing of the bay.",
];
const MARKET: [&str; 2] = [
    "The covered market on Station Road will reopen in March after a two-year rebuild that cost the town eleven million pounds.",
    "Traders who left during the works have been offered their old stalls back at the rents they paid before the closure.",
];
const BRIDGE: [&str; 2] = [
    "Engineers closed the old river bridge to lorries on Monday after an inspection found cracks in two of its stone arches.",
    "Buses and cars may still cross it, the county said, while a repair plan is drawn up over the coming weeks.",
];
const LIBRARY: [&str; 2] = [
    "The central library will stay open until ten at night during the exam season, the university announced on Friday.",
    "Students asked for the longer hours in a petition signed by more than four thousand people last term.",
];
const TRAMS: [&str; 2] = [
    "Night trams will run on the two busiest lines at weekends from the start of next month, the transport authority said.",
    "The trial will last six months, and the authority will decide in the autumn whether to keep the service.",
];
const SCHOOL: [&str; 2] = [
    "A new primary school for four hundred pupils will open in the north of the town in September, the education board said.",
    "Parents can apply for places from next week, and the board expects the first year to be full within days.",
];
const PARK: [&str; 2] = [
    "The riverside park will get a playground, a cafe and new paths under plans approved by the planning committee.",
    "Work is due to start in the spring and should be finished before the summer holidays, a council spokesman said.",
];
const CLINIC: [&str; 2] = [
    "The health clinic on Mill Street will open on Saturdays from next month to cut waiting times for appointments.",
    "Doctors said the extra day would let them see about two hundred more patients every week during the winter.",
];
const STADIUM: [&str; 2] = [
    "The football club has asked the council for permission to add two thousand seats to the east stand of its stadium.",
    "Neighbours will be able to comment on the plans at a public meeting in the town hall at the end of the month.",
];
const FESTIVAL: [&str; 2] = [
    "The summer music festival will move to the old airfield this year because the park it used can no longer hold the crowds.",
    "Organisers expect twenty thousand visitors over the three days and will run extra buses from the station.",
];
const XHTML: [&str; 2] = [
    "The water company will replace the main pipe under the high street in October, closing the road for three weeks.",
    "Shops will stay open during the works, and a footpath will be kept clear on both sides of the street.",
];
const UPPER: [&str; 2] = [
    "The town museum has been given a collection of old maps that show the harbour before the railway was built.",
    "They will go on show in a new room on the first floor from the middle of next year, the curator said.",
];
const RUSSIAN: [&str; 2] = [
    "Городской совет решил во вторник продлить линию трамвая до нового жилого района на северном берегу реки.",
    "Строительство начнётся весной и займёт около двух лет, сообщил журналистам глава транспортного департамента.",
];
const FRENCH: [&str; 2] = [
    "Le conseil municipal a voté mardi la rénovation complète du marché couvert, fermé depuis l'été dernier à cause de fissures.",
    "Les travaux dureront dix-huit mois et les commerçants pourront s'installer sur la place de l'église en attendant.",
];

/// One record of the fixture: what it is and what must become of it.
struct Case {
    kind: &'static str,
    uri: &'static str,
    /// The HTTP message (or the block, for records that are not responses).
    block: Vec<u8>,
    /// The article it must give, or the reason it is passed over.
    outcome: Outcome,
}

enum Outcome {
    Text(&'static [&'static str]),
    Skipped(&'static str),
}

fn http(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut m = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        m.push_str(&format!("{k}: {v}\r\n"));
    }
    m.push_str("\r\n");
    let mut m = m.into_bytes();
    m.extend_from_slice(body);
    m
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn br(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
    out
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// Chunked transfer-encoding in chunks of `size`, each size line with
/// `ext` after it (`;name=value`), and a trailer field.
fn chunked(data: &[u8], size: usize, ext: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in data.chunks(size) {
        out.extend_from_slice(format!("{:x}{ext}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\nX-Trailer: done\r\n\r\n");
    out
}

const HTML_UTF8: (&str, &str) = ("Content-Type", "text/html; charset=utf-8");

/// The fixture's records, one case each with what it must give: long because it is the table of cases.
fn cases() -> Vec<Case> {
    let en = |title: &str, paras: &[&str]| page("en", Some("utf-8"), title, paras).into_bytes();
    let ferry = en("Hourly ferry from May", &FERRY);
    let response = |uri, block, text: &'static [&'static str]| Case {
        kind: "response",
        uri,
        block,
        outcome: Outcome::Text(text),
    };
    let skipped = |kind, uri, block, why| Case {
        kind,
        uri,
        block,
        outcome: Outcome::Skipped(why),
    };
    vec![
        skipped(
            "request",
            "https://news.example.org/ferry",
            b"GET /ferry HTTP/1.1\r\nHost: news.example.org\r\nAccept-Encoding: gzip, br, zstd\r\n\r\n".to_vec(),
            "request",
        ),
        response(
            "https://news.example.org/ferry",
            http("200 OK", &[HTML_UTF8], &ferry),
            &FERRY,
        ),
        response(
            "https://news.example.org/market",
            http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "gzip")],
                &gzip(&en("Market reopens in March", &MARKET)),
            ),
            &MARKET,
        ),
        response(
            "https://news.example.org/bridge",
            http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "deflate")],
                &zlib(&en("Bridge closed to lorries", &BRIDGE)),
            ),
            &BRIDGE,
        ),
        response(
            "https://news.example.org/library",
            http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "deflate")],
                &raw_deflate(&en("Library opens late for exams", &LIBRARY)),
            ),
            &LIBRARY,
        ),
        response(
            "https://news.example.org/trams",
            http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "br")],
                &br(&en("Night trams at weekends", &TRAMS)),
            ),
            &TRAMS,
        ),
        response(
            "https://news.example.org/school",
            http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "zstd")],
                &zstd(&en("New primary school", &SCHOOL)),
            ),
            &SCHOOL,
        ),
        response(
            "https://news.example.org/park",
            http(
                "200 OK",
                &[HTML_UTF8, ("Transfer-Encoding", "chunked")],
                &chunked(&en("Plans for the riverside park", &PARK), 300, ""),
            ),
            &PARK,
        ),
        response(
            "https://news.example.org/clinic",
            http(
                "200 OK",
                &[
                    HTML_UTF8,
                    ("Content-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                ],
                &chunked(&gzip(&en("Clinic opens on Saturdays", &CLINIC)), 97, ";src=\"cache\""),
            ),
            &CLINIC,
        ),
        response(
            "https://news.example.org/stadium",
            // Applied in the order listed: gzip first, then br.
            http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "gzip, br")],
                &br(&gzip(&en("More seats for the stadium", &STADIUM))),
            ),
            &STADIUM,
        ),
        response(
            "https://novosti.example.ru/tramvai",
            http(
                "200 OK",
                &[("Content-Type", "text/html; charset=windows-1251")],
                &encoding_rs::WINDOWS_1251
                    .encode(&page("ru", None, "Трамвай на северный берег", &RUSSIAN))
                    .0,
            ),
            &RUSSIAN,
        ),
        response(
            "https://journal.example.fr/marche",
            http(
                "200 OK",
                &[("Content-Type", "text/html; charset=iso-8859-1")],
                &encoding_rs::WINDOWS_1252
                    .encode(&page("fr", None, "Le marché couvert rénové", &FRENCH))
                    .0,
            ),
            &FRENCH,
        ),
        skipped(
            "response",
            "https://news.example.org/ferry",
            http("304 Not Modified", &[("ETag", "\"f3rry\"")], b""),
            "status 304",
        ),
        skipped(
            "response",
            "https://news.example.org/no-such-story",
            http(
                "404 Not Found",
                &[HTML_UTF8],
                &en("Page not found", &["Sorry, the page you asked for does not exist or has been moved to another address on this site."]),
            ),
            "status 404",
        ),
        skipped(
            "revisit",
            "https://news.example.org/ferry",
            http("200 OK", &[HTML_UTF8], b""),
            "revisit",
        ),
        response(
            "https://news.example.org/pipes",
            http(
                "200 OK",
                &[("Content-Type", "application/xhtml+xml; charset=utf-8")],
                page("en", None, "Main pipe to be replaced", &XHTML)
                    .replace("<!DOCTYPE html>\n<html", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"")
                    .as_bytes(),
            ),
            &XHTML,
        ),
        response(
            "https://news.example.org/maps",
            http(
                "200 OK",
                &[("CONTENT-TYPE", "TEXT/HTML; CHARSET=UTF-8")],
                &en("Old maps for the museum", &UPPER),
            ),
            &UPPER,
        ),
        response(
            "https://news.example.org/festival",
            http("200 OK", &[HTML_UTF8], &en("Festival moves to the airfield", &FESTIVAL)),
            &FESTIVAL,
        ),
        skipped(
            "response",
            "https://news.example.org/ferry.png",
            http(
                "200 OK",
                &[("Content-Type", "image/png")],
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            ),
            "not HTML",
        ),
        skipped(
            "metadata",
            "https://news.example.org/ferry",
            b"via: https://news.example.org/\r\nfetchTimeMs: 112\r\n".to_vec(),
            "metadata",
        ),
    ]
}

/// The records as WARC/1.1 records, each as bytes.
fn records() -> Vec<Vec<u8>> {
    let info = b"software: boilerstrip tests/warc_fixture.rs\r\nformat: WARC File Format 1.1\r\n";
    let mut out = vec![record("warcinfo", None, 0, "application/warc-fields", info)];
    for (n, c) in cases().iter().enumerate() {
        let ct = match c.kind {
            "request" => "application/http; msgtype=request",
            "metadata" => "application/warc-fields",
            _ => "application/http; msgtype=response",
        };
        out.push(record(c.kind, Some(c.uri), n + 1, ct, &c.block));
    }
    out
}

fn record(kind: &str, uri: Option<&str>, n: usize, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Date: 2026-11-30T12:00:{:02}Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-{n:012}>\r\n",
        n % 60
    );
    if let Some(u) = uri {
        head.push_str(&format!("WARC-Target-URI: {u}\r\n"));
    }
    if kind == "revisit" {
        head.push_str("WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest\r\nWARC-Refers-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n");
    }
    head.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    ));
    let mut r = head.into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn clean(bytes: &[u8]) -> (Vec<Value>, JsonlSummary) {
    let cleaner = Cleaner::new(RuleBook::shipped().unwrap(), Config::default());
    let mut out = Vec::new();
    let summary = boilerstrip_batch::warc::run(
        &cleaner,
        bytes,
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

#[test]
fn the_committed_fixture_is_what_the_generator_writes() {
    let bytes = records().concat();
    if std::env::var("BOILERSTRIP_WRITE_FIXTURES").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(fixture().parent().unwrap()).unwrap();
        std::fs::write(fixture(), &bytes).unwrap();
    }
    let committed = std::fs::read(fixture()).unwrap();
    assert!(
        committed == bytes,
        "{} differs from what tests/warc_fixture.rs writes: BOILERSTRIP_WRITE_FIXTURES=1 cargo test --test warc_fixture",
        fixture().display()
    );
}

#[test]
fn every_record_of_the_fixture_has_its_outcome() {
    let committed = std::fs::read(fixture()).unwrap();
    // The same records gzipped one per member, as Common Crawl writes them.
    let members: Vec<u8> = records().iter().flat_map(|r| gzip(r)).collect();
    for (what, bytes) in [("payloads.warc", committed), ("per-record gzip", members)] {
        let (got, summary) = clean(&bytes);
        assert!(
            summary.failures.is_empty(),
            "{what}: {:?}",
            summary.failures
        );
        assert!(
            summary.warnings.is_empty(),
            "{what}: {:?}",
            summary.warnings
        );
        let cases = cases();
        let want: Vec<(String, &[&str])> = cases
            .iter()
            .enumerate()
            .filter_map(|(n, c)| match c.outcome {
                Outcome::Text(t) => Some((
                    format!("<urn:uuid:00000000-0000-4000-8000-{:012}>", n + 1),
                    t,
                )),
                Outcome::Skipped(_) => None,
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{what}: {got:?}");
        for (r, (id, paras)) in got.iter().zip(&want) {
            assert_eq!(r["id"], id.as_str(), "{what}");
            let text = paras.join("\n\n") + "\n";
            assert_eq!(r["text"].as_str().unwrap(), text, "{what}: record {id}");
            assert_eq!(r["status"], 200);
        }
        let mut skipped: std::collections::BTreeMap<String, usize> = Default::default();
        *skipped.entry("warcinfo".into()).or_default() += 1;
        for c in &cases {
            if let Outcome::Skipped(why) = c.outcome {
                *skipped.entry(why.into()).or_default() += 1;
            }
        }
        assert_eq!(summary.passed_over, skipped, "{what}");
    }
}

#[test]
fn a_payload_that_does_not_decode_is_that_records_failure() {
    let page = page("en", Some("utf-8"), "Hourly ferry from May", &FERRY).into_bytes();
    let mut bad = gzip(&page);
    bad.truncate(bad.len() / 2);
    let archive = [
        record(
            "response",
            Some("https://news.example.org/a"),
            1,
            "application/http; msgtype=response",
            &http("200 OK", &[HTML_UTF8, ("Content-Encoding", "gzip")], &bad),
        ),
        record(
            "response",
            Some("https://news.example.org/b"),
            2,
            "application/http; msgtype=response",
            &http(
                "200 OK",
                &[HTML_UTF8, ("Content-Encoding", "compress")],
                &page,
            ),
        ),
        record(
            "response",
            Some("https://news.example.org/c"),
            3,
            "application/http; msgtype=response",
            &http("200 OK", &[HTML_UTF8], &page),
        ),
    ]
    .concat();
    let (got, summary) = clean(&archive);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["url"], "https://news.example.org/c");
    let reasons: Vec<&str> = summary.failures.iter().map(|f| f.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("gzip payload does not decode"),
        "{reasons:?}"
    );
    assert_eq!(reasons[1], "unknown content-encoding \"compress\"");
    assert_eq!(
        summary.failures[0].id.as_deref(),
        Some("<urn:uuid:00000000-0000-4000-8000-000000000001>")
    );
}
