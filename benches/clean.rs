//! End-to-end cleaning speed, single-threaded, from page bytes to clean text.
//!
//! `cargo bench` measures the dev sets in `../shared/evaldata` (text dumps and
//! HTML pages) when they sit beside the repository, else the bundled fixtures,
//! and reports throughput in bytes per second. Rules are compiled once,
//! outside the measured loop, as in a batch run.

use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// Every file under `dir`, in a stable order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// A page held in memory: a text dump's text or an HTML page's bytes.
enum Page {
    Text(String),
    Html(Vec<u8>),
}

impl Page {
    fn bytes(&self) -> u64 {
        match self {
            Page::Text(t) => t.len() as u64,
            Page::Html(b) => b.len() as u64,
        }
    }
}

/// The pages of one set: the dev set when present, else the fixtures' inputs.
fn pages(shared: &str, fixtures: &str, ext: &str) -> (String, Vec<Page>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dev = root.join("../shared/evaldata").join(shared);
    let (name, dir) = if dev.is_dir() {
        (shared.to_string(), dev)
    } else {
        (
            format!("fixtures/{fixtures}"),
            root.join("fixtures").join(fixtures),
        )
    };
    let pages = files(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .filter(|p| !p.ends_with("expected.txt"))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("bench input reads");
            if ext == "html" {
                Page::Html(bytes)
            } else {
                Page::Text(String::from_utf8(bytes).expect("text dumps are UTF-8"))
            }
        })
        .collect();
    (name, pages)
}

fn bench(c: &mut Criterion) {
    let cleaner = Cleaner::new(
        RuleBook::shipped().expect("shipped rules"),
        Config::default(),
    );
    for (shared, fixtures, ext) in [
        ("textdumps-zyte/input", "text", "txt"),
        ("zyte/html", "html", "html"),
    ] {
        let (name, set) = pages(shared, fixtures, ext);
        let bytes: u64 = set.iter().map(Page::bytes).sum();
        let mut group = c.benchmark_group("clean");
        group.throughput(Throughput::Bytes(bytes));
        group.sample_size(20);
        group.bench_function(name, |b| {
            b.iter(|| {
                set.iter()
                    .map(|p| match black_box(p) {
                        Page::Text(t) => cleaner.clean_text(t, None).text.len(),
                        Page::Html(b) => cleaner.clean_html(b, None).text.len(),
                    })
                    .sum::<usize>()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
