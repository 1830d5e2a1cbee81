//! Start-up with thousands of site files: the time from a rule directory
//! on disk to one page cleaned, as a one-page `clean --rules DIR` spends it.
//!
//! With `../shared/ftr-site-config` beside the repository, the whole
//! collection is imported into a temporary rule directory first (not
//! measured); then each iteration loads the directory (every file read and
//! checked), compiles the one set the page's site needs, and cleans the
//! page. Without it, the shipped rules alone are measured, and said so.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::{RuleBook, RuleDir};
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;

/// A page of a site that has a file in the collection.
const PAGE: &str = r#"<html><head><link rel="canonical" href="https://www.bbc.com/news/articles/x1"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<article><h1>Harbour ferry returns after a winter away</h1>
<p>The night ferry across the bay returned to service on Monday after four months in dry dock, its owners said.</p>
<p>Passengers queued from early evening, and the first crossing left the harbour a few minutes after nine.</p></article>
<footer><p>Share this story</p></footer></body></html>"#;

/// The collection imported into `dir`; false when it is not beside the repo.
fn import_collection(dir: &Path) -> bool {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/ftr-site-config");
    let Ok(entries) = std::fs::read_dir(&src) else {
        return false;
    };
    let mut files: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (name, text)
        })
        .collect();
    files.sort();
    for out in boilerstrip::rules::ftr::import_all(&files).outputs {
        let path = dir.join(&out.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, out.toml).unwrap();
    }
    true
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dirs = if import_collection(tmp.path()) {
        vec![RuleDir(tmp.path().into())]
    } else {
        eprintln!("../shared/ftr-site-config not found: the shipped rules alone");
        Vec::new()
    };
    let name = if dirs.is_empty() {
        "shipped rules, one page"
    } else {
        "ftr-site-config imported, one page"
    };
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function(name, |b| {
        b.iter(|| {
            let book = RuleBook::load(&dirs).expect("rules load");
            let cleaner = Cleaner::new(book, Config::default());
            cleaner.clean_html(PAGE.as_bytes(), None).text.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
