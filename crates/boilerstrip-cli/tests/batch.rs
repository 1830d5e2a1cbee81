//! The batch-level pass over text dumps: lines repeated verbatim on three or
//! more otherwise different pages of one batch are removed, copies of one
//! article are not mistaken for chrome, and the result does not depend on
//! the number of workers.

mod common;
use common::{run, stderr};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Every output file under `dir`, by its path relative to `dir`.
fn outputs(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// Cleans `input` as one batch into a fresh directory; its outputs.
fn clean_batch(input: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "clean",
        input.to_str().unwrap(),
        "-o",
        out.path().to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    outputs(out.path())
}

const SHARED_FOOTER: &str = "fixtures/batch/shared-footer";

fn expected_shared_footer() -> BTreeMap<String, String> {
    outputs(&root().join(SHARED_FOOTER).join("expected"))
}

#[test]
fn five_dumps_of_one_site_lose_their_shared_footer() {
    let input = root().join(SHARED_FOOTER).join("input");
    let expected = expected_shared_footer();
    assert_eq!(expected.len(), 5);
    let one = clean_batch(&input, &["--jobs", "1"]);
    let two = clean_batch(&input, &["--jobs", "2"]);
    assert_eq!(one, expected);
    assert_eq!(two, one, "--jobs 2 wrote other bytes than --jobs 1");
    // The footer goes because the batch repeats it: page by page, or with
    // the pass turned off, the detectors keep it.
    let kept = clean_batch(&input, &["--no-repeated"]);
    for (name, text) in &kept {
        assert!(
            text.contains("Newsroom hours are Monday to Friday"),
            "{name}: the footer was removed without the batch pass"
        );
    }
    let alone = common::run(&["clean", input.join("harbour-wall.txt").to_str().unwrap()]);
    assert!(common::stdout(&alone).contains("Newsroom hours are Monday to Friday"));
}

#[test]
fn four_copies_of_one_article_keep_the_whole_article() {
    let src = root().join(SHARED_FOOTER).join("input");
    let expected = expected_shared_footer();
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let story = std::fs::read_to_string(src.join("ferry-timetable.txt")).unwrap();
    // Three more copies as fetched again, and a mirror's copy with its own
    // header and footer around the same article.
    for k in 1..=3 {
        std::fs::write(dir.path().join(format!("ferry-again-{k}.txt")), &story).unwrap();
    }
    let body: String = story
        .lines()
        .skip_while(|l| !l.starts_with("New winter ferry"))
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let mirror = format!(
        "Coast News Mirror\nHome\nArchive\n\n{body}\nMirrored from the Chronicle with the permission of its editors.\nCoast News Mirror keeps copies of local papers for the county archive.\n"
    );
    std::fs::write(dir.path().join("ferry-mirror.txt"), mirror).unwrap();
    let got = clean_batch(dir.path(), &["--jobs", "2"]);
    assert_eq!(got.len(), 9);
    let article = &expected["ferry-timetable.txt"];
    for k in 1..=3 {
        assert_eq!(&got[&format!("ferry-again-{k}.txt")], article, "copy {k}");
    }
    assert_eq!(&got["ferry-timetable.txt"], article);
    let mirrored = &got["ferry-mirror.txt"];
    for line in article.lines() {
        assert!(
            mirrored.contains(line),
            "the mirror's copy lost {line:?}:\n{mirrored}"
        );
    }
    // The site's footer is still chrome: the copies count as one page and
    // the four other articles make five.
    for (name, text) in &expected {
        assert_eq!(&got[name], text, "{name}");
    }
}

/// The seed fixtures' inputs, by name.
fn seeds() -> Vec<(String, String, String)> {
    let mut seeds: Vec<_> = std::fs::read_dir(root().join("fixtures/text"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("seed-")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_str().unwrap().to_string(),
                std::fs::read_to_string(p.join("input.txt")).unwrap(),
                std::fs::read_to_string(p.join("expected.txt")).unwrap(),
            )
        })
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5);
    seeds
}

#[test]
fn the_seeds_cleaned_together_and_tripled_come_out_as_their_fixtures() {
    let seeds = seeds();
    let together = tempfile::tempdir().unwrap();
    let tripled = tempfile::tempdir().unwrap();
    for (name, input, _) in &seeds {
        std::fs::write(together.path().join(format!("{name}.txt")), input).unwrap();
        for k in 0..3 {
            std::fs::write(tripled.path().join(format!("{name}-{k}.txt")), input).unwrap();
        }
    }
    let got = clean_batch(together.path(), &[]);
    for (name, _, expected) in &seeds {
        assert_eq!(
            &got[&format!("{name}.txt")],
            expected,
            "{name} in the batch of five"
        );
    }
    let got = clean_batch(tripled.path(), &["--jobs", "2"]);
    assert_eq!(got.len(), 15);
    for (name, _, expected) in &seeds {
        for k in 0..3 {
            assert_eq!(
                &got[&format!("{name}-{k}.txt")],
                expected,
                "{name}, copy {k}"
            );
        }
    }
}

/// Every text fixture cleaned as one batch of many sites comes out as it
/// does alone: the pass takes nothing from an article.
#[test]
fn the_text_fixtures_as_one_batch_come_out_as_alone() {
    let fixtures = root().join("fixtures/text");
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for e in std::fs::read_dir(&fixtures).unwrap() {
        let case = e.unwrap().file_name().to_str().unwrap().to_string();
        std::fs::copy(
            fixtures.join(&case).join("input.txt"),
            dir.path().join(format!("{case}.txt")),
        )
        .unwrap();
        cases.push(case);
    }
    assert!(cases.len() >= 14, "{} fixtures", cases.len());
    let got = clean_batch(dir.path(), &[]);
    for case in &cases {
        let expected = std::fs::read_to_string(fixtures.join(case).join("expected.txt")).unwrap();
        assert_eq!(got[&format!("{case}.txt")], expected, "{case}");
    }
}

/// `eval --clean` cleans its inputs as `clean` cleans a batch: the lines the
/// dumps repeat are counted first (a page cap of "none" once wrapped to 0
/// and the count saw empty pages), so the shared footer goes.
#[test]
fn eval_clean_counts_the_lines_the_batch_repeats() {
    let input = root().join(SHARED_FOOTER).join("input");
    let truth: serde_json::Map<String, serde_json::Value> = expected_shared_footer()
        .into_iter()
        .map(|(name, text)| (name.trim_end_matches(".txt").to_string(), text.into()))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let truth_file = tmp.path().join("truth.json");
    std::fs::write(&truth_file, serde_json::Value::Object(truth).to_string()).unwrap();
    let scores = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--clean",
            "--truth",
            truth_file.to_str().unwrap(),
            input.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        common::stdout(&o)
    };
    let counted = scores(&[]);
    // Each page as `clean` writes it (fixtures/batch/shared-footer/expected).
    assert!(counted.contains("precision 1.000"), "{counted}");
    assert!(counted.contains("accuracy 1.000"), "{counted}");
    let kept = scores(&["--no-repeated"]);
    assert!(!kept.contains("precision 1.000"), "{kept}");
}
