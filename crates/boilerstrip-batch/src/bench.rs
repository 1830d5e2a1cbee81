//! Measuring single-threaded cleaning throughput over pages held in memory,
//! text dumps and HTML pages apart.

use crate::input::{Body, Format, InputError, InputFile, InputPage};
use boilerstrip::clean::Cleaner;
use boilerstrip::site::Site;
use std::time::Instant;

/// The figures of one kind of page.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// `text` or `html`.
    pub name: &'static str,
    /// Pages measured.
    pub pages: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Passes made over them.
    pub passes: usize,
    /// The fastest pass, in seconds.
    pub best: f64,
    /// Bytes of clean text a pass gave.
    pub bytes_out: usize,
}

impl Figure {
    /// Input megabytes (10^6 bytes) per second of the fastest pass.
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.best
    }
}

/// Reads every file into memory; the first that cannot be read stops.
pub fn read_pages(
    files: &[InputFile],
    format: Option<Format>,
    site: Option<&Site>,
) -> Result<Vec<InputPage>, InputError> {
    files
        .iter()
        .map(|f| crate::input::read_page(&f.path, format, site))
        .collect()
}

/// Cleans the text pages, then the HTML pages, `iterations` times each (at
/// least once) and keeps each kind's fastest pass; a kind without pages has
/// no figure. With `repeated`, a pass over text dumps counts their repeated
/// lines first, as `clean` does, and that time is in the figure.
pub fn measure(
    cleaner: &Cleaner,
    pages: &[InputPage],
    iterations: usize,
    repeated: bool,
) -> Vec<Figure> {
    let passes = iterations.max(1);
    let mut figures = Vec::new();
    for (name, want_html) in [("text", false), ("html", true)] {
        let set: Vec<&InputPage> = pages
            .iter()
            .filter(|p| matches!(p.body, Body::Html(_)) == want_html)
            .collect();
        if set.is_empty() {
            continue;
        }
        let mut best = f64::MAX;
        let mut bytes_out = 0usize;
        for _ in 0..passes {
            let t = Instant::now();
            let counted = (!want_html && repeated).then(|| {
                let texts = set.iter().filter_map(|p| match &p.body {
                    Body::Text(t) => Some(t.as_str()),
                    Body::Html(_) => None,
                });
                let lines = boilerstrip::repeated::RepeatedLines::of_texts(texts);
                cleaner.with_repeated(std::sync::Arc::new(lines))
            });
            let cleaner = counted.as_ref().unwrap_or(cleaner);
            bytes_out = set
                .iter()
                .map(|p| crate::pipeline::clean_page(cleaner, p).text.len())
                .sum();
            best = best.min(t.elapsed().as_secs_f64());
        }
        figures.push(Figure {
            name,
            pages: set.len(),
            bytes: set.iter().map(|p| p.bytes).sum(),
            passes,
            best,
            bytes_out,
        });
    }
    figures
}
