//! Nothing lost, ever: the batch paths under hostile input. Every input (a
//! page, a JSONL line, a WARC record) ends as an output or as a reported
//! failure with its position, and the summary's counts add up. Each case
//! runs the binary in its own temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::*;

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const P1: &str = "The harbour ferry will run every hour from May, the city council said on Tuesday after a long debate.";
const P2: &str = "Tickets will cost two euros, and children under twelve will travel free on every crossing of the bay.";

/// A story page whose canonical link names one host and whose `og:url`
/// another: the site file of the first selects a promo box by CSS. (On the
/// code this was written against, rendering took the rules of one and
/// cleaning the rules of the other, and looked the selector rule's index
/// up in the wrong set: a panic, or the wrong rule named.)
fn page_with_two_urls() -> String {
    format!(
        r#"<html><head><title>Ferry</title>
<meta property="og:url" content="https://archive.example.net/ferry">
<link rel="canonical" href="https://example.org/ferry"></head>
<body><div class="promo"><p>Harbor Plus: every story, every morning, for one euro.</p></div>
<p>{P1}</p><p>{P2}</p></body></html>"#
    )
}

/// A rule directory with a site file for example.org: a selector rule
/// placed after every default rule, so its index is past the end of the
/// default set.
fn site_rules(dir: &Path) -> PathBuf {
    let rules = dir.join("rules");
    write(
        &rules.join("sites/example.org.toml"),
        "[[rule]]\nid = \"exorg.promo\"\ncategory = \"teasers\"\nselectors = [\"div.promo\"]\n",
    );
    rules
}

#[test]
fn a_site_selector_rule_is_named_from_its_own_set_on_every_path() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = site_rules(tmp.path());
    let rules = rules.to_str().unwrap();
    let page = tmp.path().join("pages/ferry.html");
    write(&page, page_with_two_urls());
    let page_s = page.to_str().unwrap();
    let want = format!("{P1}\n\n{P2}\n");

    // One file to stdout.
    let o = run(&["clean", "--rules", rules, page_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), want);

    // A file batch, JSON output: the removal names the site rule.
    let out = tmp.path().join("out");
    let o = run(&[
        "clean",
        "--rules",
        rules,
        "--output",
        "json",
        tmp.path().join("pages").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("ferry.json")).unwrap()).unwrap();
    assert_eq!(v["text"], want);
    let promo: Vec<&serde_json::Value> = v["removed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["text"].as_str().unwrap().starts_with("Harbor Plus"))
        .collect();
    assert_eq!(promo.len(), 1, "{v}");
    assert_eq!(promo[0]["rule"], "exorg.promo");
    assert!(
        promo[0]["origin"]
            .as_str()
            .unwrap()
            .ends_with("sites/example.org.toml:1"),
        "{v}"
    );

    // JSONL: the record has no URL, so the page's own says the site.
    let record = serde_json::json!({"id": "f1", "html": page_with_two_urls()}).to_string();
    let o = run_with_stdin(
        &[
            "clean", "--rules", rules, "--jsonl", "-", "--output", "json",
        ],
        format!("{record}\n").as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["text"], want);
    assert!(v.to_string().contains("\"rule\":\"exorg.promo\""), "{v}");

    // explain names the rule and its file.
    let o = run(&["explain", "--rules", rules, page_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = stdout(&o)
        .lines()
        .find(|l| l.contains("Harbor Plus"))
        .unwrap()
        .to_string();
    assert!(line.contains("exorg.promo ("), "{line}");
    assert!(line.contains("sites/example.org.toml:1)"), "{line}");
}

#[test]
fn a_canonical_url_in_capitals_picks_the_same_rules_for_rendering_and_cleaning() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = site_rules(tmp.path());
    let page = tmp.path().join("ferry.html");
    write(
        &page,
        format!(
            r#"<html><head><link rel="canonical" href="https://WWW.Example.org/ferry"></head>
<body><div class="promo"><p>Harbor Plus: every story, every morning.</p></div><p>{P1}</p><p>{P2}</p></body></html>"#
        ),
    );
    let o = run(&[
        "explain",
        "--rules",
        rules.to_str().unwrap(),
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("exorg.promo"), "{}", stdout(&o));
}

/// A page worth cleaning, numbered.
fn story(n: usize) -> String {
    format!("Home\nNews\n\n{P1} Story {n}.\n{P2}\n\nShare this post\n")
}

#[test]
fn an_output_directory_inside_the_input_is_passed_over() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    for n in 0..3 {
        write(&input.join(format!("p{n}.txt")), story(n));
    }
    let out = input.join("out");
    for round in 0..2 {
        let o = run(&[
            "clean",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("3 page(s) cleaned"),
            "round {round}: {}",
            stderr(&o)
        );
        if round == 1 {
            let e = stderr(&o);
            let notes: Vec<&str> = e.lines().filter(|l| l.starts_with("note:")).collect();
            assert_eq!(notes.len(), 1, "said once: {notes:?}");
            assert!(notes[0].contains("in/out passed over"), "{notes:?}");
        }
    }
    assert!(!out.join("out").exists(), "outputs are never cleaned again");
    // A tree holding our failures.jsonl is an output tree too.
    let other = input.join("old-run");
    write(&other.join("p9.txt"), story(9));
    write(
        &other.join("failures.jsonl"),
        "{\"path\":\"x.txt\",\"reason\":\"x.txt: binary file\"}\n",
    );
    let out2 = tmp.path().join("out2");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("old-run passed over"), "{}", stderr(&o));
    assert!(!out2.join("old-run").exists());
}

#[test]
fn temporary_files_of_a_killed_run_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("a/p.txt"), story(1));
    let out = tmp.path().join("out");
    // What `kill -9` leaves: a temporary file of ours beside the outputs,
    // and a file of the user's that only looks a little like one.
    write(&out.join("a/.boilerstrip-Xy12Ab.tmp"), "half a page");
    write(&out.join("a/.boilerstrip-notes.txt"), "mine");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("removed 1 temporary file(s)"),
        "{}",
        stderr(&o)
    );
    assert!(!out.join("a/.boilerstrip-Xy12Ab.tmp").exists());
    assert!(out.join("a/.boilerstrip-notes.txt").exists());
    assert!(out.join("a/p.txt").exists());
}

#[cfg(unix)]
#[test]
fn outputs_get_the_usual_mode_under_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("p.txt"), story(1));
    let out = tmp.path().join("out");
    let jsonl = tmp.path().join("clean.jsonl");
    let records = tmp.path().join("r.jsonl");
    write(
        &records,
        format!("{}\n", serde_json::json!({"id": 1, "text": story(1)})),
    );
    for (umask, want) in [("022", 0o644), ("027", 0o640)] {
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask} && \"$0\" clean -q \"$1\" -o \"$2\" && \"$0\" clean -q --jsonl \"$3\" -o \"$4\""
            ))
            .arg(env!("CARGO_BIN_EXE_boilerstrip"))
            .args([&input, &out, &records, &jsonl])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        for f in [out.join("p.txt"), jsonl.clone()] {
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, want, "{} under umask {umask}", f.display());
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn symbolic_links_passed_over_are_counted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("p.txt"), story(1));
    std::os::unix::fs::symlink(input.join("p.txt"), input.join("alias.txt")).unwrap();
    std::os::unix::fs::symlink(&input, input.join("loop")).unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("1 page(s) cleaned"), "{e}");
    assert_eq!(
        e.matches("2 symbolic link(s) not followed (--follow-links follows them)")
            .count(),
        1,
        "{e}"
    );
}

#[test]
fn a_missing_input_is_a_counted_failure_with_its_path() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("p.txt"), story(1));
    let missing = tmp.path().join("no-such-dir");
    let out = tmp.path().join("out");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        missing.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("1 page(s) cleaned, 1 failed"),
        "{}",
        stderr(&o)
    );
    let failures = std::fs::read_to_string(out.join("failures.jsonl")).unwrap();
    let v: serde_json::Value = serde_json::from_str(failures.trim()).unwrap();
    assert_eq!(v["path"], missing.to_str().unwrap());
}

#[test]
fn an_output_that_is_a_file_is_a_usage_error_said_once() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    for n in 0..3 {
        write(&input.join(format!("p{n}.txt")), story(n));
    }
    let file = tmp.path().join("out.txt");
    write(&file, "not a directory");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(
        e.trim(),
        format!("boilerstrip: -o: not a directory: {}", file.display())
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
}

#[test]
fn a_page_over_the_cap_fails_alone_without_buffering_it_whole() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    write(&input.join("ok.txt"), story(1));
    // 8 MiB of one byte packs into a few KiB: a small bomb.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b'a'; 8 << 20]).unwrap();
    write(&input.join("bomb.txt.gz"), gz.finish().unwrap());
    let out = tmp.path().join("out");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--max-page-bytes",
        "1M",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("bomb.txt.gz: more than 1048576 bytes (--max-page-bytes); refused"),
        "{e}"
    );
    assert!(e.contains("1 page(s) cleaned, 1 failed"), "{e}");
    let o = run(&[
        "clean",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--max-page-bytes",
        "lots",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_utf16_text_dump_with_a_bom_is_cleaned() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("p.txt");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(story(1).encode_utf16().flat_map(u16::to_le_bytes));
    write(&page, bytes);
    let o = run(&["clean", page.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{P1} Story 1.\n{P2}\n"));
}

#[test]
fn a_jsonl_line_that_is_not_utf8_fails_alone_and_the_file_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("crawl.jsonl");
    let mut bytes = Vec::new();
    for i in 0..600 {
        bytes.extend(
            serde_json::json!({"id": i, "text": story(i)})
                .to_string()
                .into_bytes(),
        );
        bytes.push(b'\n');
    }
    let bad_line_at = bytes.len();
    bytes.extend_from_slice(b"{\"id\": \"x\", \"text\": \"caf\xe9\"}\n");
    bytes.extend(
        serde_json::json!({"id": 600, "text": story(600)})
            .to_string()
            .into_bytes(),
    );
    bytes.push(b'\n');
    write(&input, &bytes);
    let out = tmp.path().join("clean.jsonl");
    let o = run(&[
        "clean",
        "--jsonl",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "failed: {}:601: line at byte {bad_line_at}: invalid UTF-8 at byte {}",
            input.display(),
            bad_line_at + 24
        )),
        "{e}"
    );
    assert!(e.contains("601 record(s) cleaned, 1 failed"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 601);
}

#[test]
fn a_batch_writes_every_output_format_whole() {
    // The body moves into a batch's output unless something goes around it
    // (a headline, front matter, an HTML document, comments).
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("in/www.example.org/ferry.html");
    write(&page, page_with_two_urls());
    for (args, ext, starts) in [
        (&["--output", "html"][..], "html", "<!DOCTYPE html>"),
        (&["--with-metadata"][..], "txt", "---\n"),
        (&["--title"][..], "txt", "Ferry\n\n"),
        (&[][..], "txt", "Harbor Plus"),
    ] {
        let out = tmp.path().join(format!("out-{ext}-{}", args.len()));
        let input = tmp.path().join("in");
        let out_s = out.to_str().unwrap().to_string();
        let mut a = vec!["clean", input.to_str().unwrap(), "-o", &out_s, "-q"];
        a.extend_from_slice(args);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let got =
            std::fs::read_to_string(out.join(format!("www.example.org/ferry.{ext}"))).unwrap();
        assert!(got.starts_with(starts), "{args:?}: {got}");
        assert!(got.contains(P2), "{args:?}: {got}");
    }
}

/// Keeps the compiler quiet about helpers only some tests use.
#[allow(dead_code)]
fn unused(dir: &Path) -> Output {
    run_in(dir, &[])
}
