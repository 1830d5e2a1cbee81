//! `boilerstrip._native`, the native half of the `boilerstrip` Python
//! package: a thin layer over the library. A page is cleaned exactly as the
//! command line cleans it ([`pipeline::clean_bytes`], the function behind
//! `boilerstrip clean -`), with the interpreter released while it is; a
//! panic is caught at the page and becomes an exception naming it.
//!
//! The Python side (`python/boilerstrip/`) adds the module-level `clean`,
//! the datatrove step and the type stubs.

use boilerstrip::clean::{
    Cleaned, Cleaner as Core, Config, Fallback, Favor, OutputFormat, RemovedBy,
};
use boilerstrip::rules::{RuleBook, RuleDir, RulesError};
use boilerstrip::site::{Site, SiteSource};
use boilerstrip_batch::input::Format;
use boilerstrip_batch::pipeline;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};
use rayon::prelude::*;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

create_exception!(
    boilerstrip._native,
    RuleError,
    PyValueError,
    "Rule files could not be loaded; `problems` lists every `file:line:col: message`."
);
create_exception!(
    boilerstrip._native,
    PageError,
    PyException,
    "A page could not be cleaned (not text, or an internal error); the message names the page."
);

/// How a page is read: as HTML, as a text dump, or by a look at its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Auto,
    Fixed(Format),
}

impl Choice {
    fn parse(s: &str) -> PyResult<Choice> {
        match s {
            "auto" => Ok(Choice::Auto),
            "html" => Ok(Choice::Fixed(Format::Html)),
            "text" => Ok(Choice::Fixed(Format::Text)),
            other => Err(PyValueError::new_err(format!(
                "format must be \"auto\", \"html\" or \"text\", not {other:?}"
            ))),
        }
    }

    fn of(self, bytes: &[u8]) -> Format {
        match self {
            Choice::Fixed(f) => f,
            Choice::Auto => sniff(bytes),
        }
    }
}

/// `format="auto"`: a page is HTML when its first character, past a
/// byte-order mark and white space, opens a tag, a comment, a doctype or an
/// XML declaration (`<` then a letter, `!` or `?`); else it is a text dump.
fn sniff(bytes: &[u8]) -> Format {
    let (rest, utf16) = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (rest, false),
        [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] => (rest, true),
        _ => (bytes, false),
    };
    let mut chars = rest
        .iter()
        .take(4096)
        .copied()
        .filter(|&b| !(utf16 && b == 0))
        .skip_while(|b| b.is_ascii_whitespace());
    match (chars.next(), chars.next()) {
        (Some(b'<'), Some(c)) if c.is_ascii_alphabetic() || c == b'!' || c == b'?' => Format::Html,
        _ => Format::Text,
    }
}

/// A page as handed in: its bytes, held without a copy.
enum Page {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Page {
    fn extract(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Page> {
        if obj.is_instance_of::<PyString>() {
            return Ok(Page::Str(obj.extract()?));
        }
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Ok(Page::Bytes(obj.extract()?));
        }
        Err(PyTypeError::new_err(format!(
            "{what} must be str or bytes, not {}",
            obj.get_type().name()?
        )))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Page::Str(s) => s.as_bytes(),
            Page::Bytes(b) => b,
        }
    }
}

/// `clean_many`'s pages, held: an iterable of str or bytes (not one page).
fn held_pages(pages: &Bound<'_, PyAny>) -> PyResult<Vec<Page>> {
    if pages.is_instance_of::<PyString>() || pages.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "pages must be an iterable of pages (str or bytes), not a single page",
        ));
    }
    let mut held = Vec::new();
    for (i, p) in pages.try_iter()?.enumerate() {
        held.push(Page::extract(&p?, &format!("pages[{i}]"))?);
    }
    Ok(held)
}

/// `clean_many`'s URLs: one (str or None) per page, or none given.
fn url_list(urls: Option<&Bound<'_, PyAny>>, pages: usize) -> PyResult<Vec<Option<String>>> {
    let Some(u) = urls else {
        return Ok(vec![None; pages]);
    };
    let mut v = Vec::new();
    for (i, x) in u.try_iter()?.enumerate() {
        let x = x?;
        v.push(if x.is_none() {
            None
        } else {
            Some(
                x.extract::<String>()
                    .map_err(|_| PyTypeError::new_err(format!("urls[{i}] must be str or None")))?,
            )
        });
    }
    if v.len() != pages {
        return Err(PyValueError::new_err(format!(
            "{} pages but {} urls",
            pages,
            v.len()
        )));
    }
    Ok(v)
}

/// The batch's repeated lines, counted in input order over its text dumps
/// (a page that is not UTF-8 text fails when it is cleaned).
fn repeated_lines(held: &[Page], format: Choice) -> boilerstrip::repeated::RepeatedLines {
    let mut counter = boilerstrip::repeated::Counter::default();
    for p in held {
        let bytes = p.bytes();
        if format.of(bytes) == boilerstrip_batch::input::Format::Text
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            counter.add(boilerstrip::repeated::PageLines::of_text(text));
        }
    }
    counter.finish()
}

/// A page cleaned: the library's result and the output the command line
/// would write for it.
struct Done {
    cleaned: Cleaned,
    output: String,
    url: Option<String>,
}

/// Runs `f` for the page `name`; a panic comes back as that page's error.
fn guarded<T>(name: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(format!(
                "{name}: internal error while cleaning (a bug in boilerstrip: please report it with this page): {why}"
            ))
        }
    }
}

/// The name a page goes by in errors: its URL when given, else its place.
fn page_name(index: Option<usize>, url: Option<&str>) -> String {
    match (index, url) {
        (Some(i), Some(u)) => format!("page {i} ({u})"),
        (Some(i), None) => format!("page {i}"),
        (None, Some(u)) => format!("page ({u})"),
        (None, None) => "page".into(),
    }
}

/// The shipped rules, compiled once per process.
fn shipped() -> Result<RuleBook, String> {
    static SHIPPED: OnceLock<Result<RuleBook, String>> = OnceLock::new();
    SHIPPED
        .get_or_init(|| RuleBook::shipped().map_err(|e| e.to_string()))
        .clone()
}

/// A rayon pool per worker count, made once.
fn pool(jobs: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&jobs) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("boilerstrip-{i}"))
        .build()
        .map_err(|e| PyException::new_err(format!("cannot start {jobs} worker threads: {e}")))?;
    let p = Arc::new(p);
    pools.insert(jobs, Arc::clone(&p));
    Ok(p)
}

fn rule_error(e: RulesError) -> PyErr {
    let problems: Vec<String> = match &e {
        RulesError::Invalid(ps) => ps.iter().map(|p| p.to_string()).collect(),
        other => vec![other.to_string()],
    };
    let err = RuleError::new_err(e.to_string());
    Python::attach(|py| {
        // Setting an attribute on a fresh exception object cannot fail
        // short of memory exhaustion; the message lists the problems anyway.
        let _ = err.value(py).setattr("problems", problems);
    });
    err
}

/// Cleans pages with one rule book and one set of options.
///
/// `Cleaner(rules=None, site=None, *, format="auto", output="text",
/// plain=False, title=False, links=False, images=False, tables=True,
/// comments=False, metadata=False, favor="balanced")`: `rules` are rule
/// directories added on top of the shipped rules (as `--rules`); `site` a
/// host or URL whose site rules apply to every page (as `--site`); the rest
/// are the command line's options of the same names. Safe to share
/// between threads.
#[pyclass(frozen, module = "boilerstrip._native", name = "Cleaner")]
struct PyCleaner {
    core: Core,
    site: Option<Site>,
    format: Choice,
    rules: Vec<PathBuf>,
    output: &'static str,
}

impl PyCleaner {
    fn clean_page(
        &self,
        page: &Page,
        url: Option<&str>,
        format: Choice,
        name: &str,
    ) -> Result<Done, String> {
        self.clean_page_with(&self.core, page, url, format, name)
    }

    fn clean_page_with(
        &self,
        core: &Core,
        page: &Page,
        url: Option<&str>,
        format: Choice,
        name: &str,
    ) -> Result<Done, String> {
        guarded(name, || {
            let bytes = page.bytes();
            // A str is already decoded: its UTF-8 is the page.
            let content_type = matches!(page, Page::Str(_)).then_some("utf-8");
            let cleaned = pipeline::clean_bytes(
                core,
                Path::new(name),
                bytes,
                format.of(bytes),
                self.site.as_ref(),
                url,
                content_type,
            )
            .map_err(|e| e.to_string())?;
            let output = core.render(&cleaned);
            Ok(Done {
                cleaned,
                output,
                url: url.map(str::to_string),
            })
        })
    }

    fn format_arg(&self, format: Option<&str>) -> PyResult<Choice> {
        format.map_or(Ok(self.format), Choice::parse)
    }
}

#[pymethods]
impl PyCleaner {
    #[new]
    #[pyo3(signature = (rules=None, site=None, *, format="auto", output="text", plain=false,
        title=false, links=false, images=false, tables=true, comments=false, metadata=false,
        favor="balanced"))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        rules: Option<Vec<PathBuf>>,
        site: Option<&str>,
        format: &str,
        output: &str,
        plain: bool,
        title: bool,
        links: bool,
        images: bool,
        tables: bool,
        comments: bool,
        metadata: bool,
        favor: &str,
    ) -> PyResult<PyCleaner> {
        let format = Choice::parse(format)?;
        let (output, output_name) = match output {
            "text" => (OutputFormat::Text, "text"),
            "markdown" => (OutputFormat::Markdown, "markdown"),
            "html" => (OutputFormat::Html, "html"),
            "json" => (OutputFormat::Json, "json"),
            other => {
                return Err(PyValueError::new_err(format!(
                    "output must be \"text\", \"markdown\", \"html\" or \"json\", not {other:?}"
                )));
            }
        };
        if (links || images) && !output.is_rich() {
            return Err(PyValueError::new_err(format!(
                "{} keeps links and images in Markdown and HTML output: add output=\"markdown\" or output=\"html\"",
                if links { "links" } else { "images" }
            )));
        }
        let favor = match favor {
            "balanced" => Favor::Balanced,
            "precision" => Favor::Precision,
            "recall" => Favor::Recall,
            other => {
                return Err(PyValueError::new_err(format!(
                    "favor must be \"balanced\", \"precision\" or \"recall\", not {other:?}"
                )));
            }
        };
        let site = site
            .map(|s| {
                Site::parse(s, SiteSource::Flag)
                    .map_err(|e| PyValueError::new_err(format!("site: {e}")))
            })
            .transpose()?;
        let rules = rules.unwrap_or_default();
        let book = if rules.is_empty() {
            py.detach(shipped).map_err(RuleError::new_err)?
        } else {
            let dirs: Vec<RuleDir> = rules.iter().cloned().map(RuleDir).collect();
            py.detach(|| RuleBook::load(&dirs)).map_err(rule_error)?
        };
        let config = Config::default()
            .plain(plain)
            .title_on_top(title)
            .output(output)
            .links(links)
            .images(images)
            .no_tables(!tables)
            .comments(comments)
            .metadata(metadata)
            .favor(favor);
        Ok(PyCleaner {
            core: Core::new(book, config),
            site,
            format,
            rules,
            output: output_name,
        })
    }

    /// Cleans one page (`str` or `bytes`; bytes are decoded as the command
    /// line decodes HTML). `url` is the page's URL: its host selects site
    /// rules (unless the cleaner has a `site`), relative links resolve
    /// against it. Returns a `CleanResult`; raises `PageError` for a page
    /// that cannot be read as its format says.
    #[pyo3(signature = (page, url=None, *, format=None))]
    fn clean(
        &self,
        py: Python<'_>,
        page: &Bound<'_, PyAny>,
        url: Option<String>,
        format: Option<&str>,
    ) -> PyResult<CleanResult> {
        let format = self.format_arg(format)?;
        let page = Page::extract(page, "page")?;
        let name = page_name(None, url.as_deref());
        let done = py
            .detach(|| self.clean_page(&page, url.as_deref(), format, &name))
            .map_err(PageError::new_err)?;
        Ok(CleanResult::from(done))
    }

    /// Cleans many pages in parallel (`jobs` threads, default: every core)
    /// and returns their results in input order. `urls`, when given, holds
    /// one URL (or None) per page. With `errors="raise"` the first page that
    /// fails raises `PageError`; with `errors="return"` its place holds the
    /// `PageError` instead, and every other page is still cleaned.
    /// With `repeated=True` the pages are one batch, as the command's
    /// directory batches are: the lines its text dumps repeat on 3 or more
    /// pages that are not copies of each other are counted first and
    /// removed (detector `batch-repeated`).
    #[pyo3(signature = (pages, urls=None, *, jobs=None, format=None, errors="raise", repeated=false))]
    #[allow(clippy::too_many_arguments)]
    fn clean_many<'py>(
        &self,
        py: Python<'py>,
        pages: &Bound<'py, PyAny>,
        urls: Option<&Bound<'py, PyAny>>,
        jobs: Option<usize>,
        format: Option<&str>,
        errors: &str,
        repeated: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let format = self.format_arg(format)?;
        let raise = match errors {
            "raise" => true,
            "return" => false,
            other => {
                return Err(PyValueError::new_err(format!(
                    "errors must be \"raise\" or \"return\", not {other:?}"
                )));
            }
        };
        let held = held_pages(pages)?;
        let urls = url_list(urls, held.len())?;
        let jobs = match jobs {
            Some(0) => return Err(PyValueError::new_err("jobs must be at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let counted = repeated.then(|| {
            let lines = repeated_lines(&held, format);
            self.core.with_repeated(Arc::new(lines))
        });
        let core = counted.as_ref().unwrap_or(&self.core);
        let work = |i: usize| {
            let url = urls[i].as_deref();
            self.clean_page_with(core, &held[i], url, format, &page_name(Some(i), url))
        };
        let results: Vec<Result<Done, String>> = if jobs == 1 || held.len() < 2 {
            py.detach(|| (0..held.len()).map(work).collect())
        } else {
            let pool = pool(jobs)?;
            py.detach(|| pool.install(|| (0..held.len()).into_par_iter().map(work).collect()))
        };
        drop(held);
        let out = PyList::empty(py);
        for r in results {
            match r {
                Ok(done) => out.append(CleanResult::from(done))?,
                Err(msg) if raise => return Err(PageError::new_err(msg)),
                Err(msg) => out.append(PageError::new_err(msg).into_value(py))?,
            }
        }
        Ok(out)
    }

    /// The output format: "text", "markdown", "html" or "json".
    #[getter]
    fn output(&self) -> &'static str {
        self.output
    }

    /// The site given for every page, if any.
    #[getter]
    fn site(&self) -> Option<String> {
        self.site.as_ref().map(|s| s.host().to_string())
    }

    /// The rule directories added on top of the shipped rules.
    #[getter]
    fn rules(&self) -> Vec<PathBuf> {
        self.rules.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Cleaner(rules={:?}, site={:?}, output={:?})",
            self.rules,
            self.site.as_ref().map(Site::host),
            self.output
        )
    }
}

/// One page cleaned.
///
/// `text` is what `boilerstrip clean` writes for the page with the
/// cleaner's options (for `output="json"`, its JSON line); the other
/// attributes are the page's metadata and what was removed.
#[pyclass(frozen, module = "boilerstrip._native", name = "CleanResult")]
struct CleanResult {
    done: Done,
}

impl From<Done> for CleanResult {
    fn from(done: Done) -> CleanResult {
        CleanResult { done }
    }
}

impl CleanResult {
    fn removal_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let c = &self.done.cleaned;
        let list = PyList::empty(py);
        for r in &c.removals {
            let d = PyDict::new(py);
            d.set_item("line", r.line)?;
            d.set_item("category", r.category.name())?;
            match &r.by {
                RemovedBy::Rule(rule) => {
                    let rule = rule.rule();
                    d.set_item("rule", &rule.id)?;
                    d.set_item("origin", rule.origin.to_string())?;
                    d.set_item("score", py.None())?;
                }
                RemovedBy::Detector { name, score } => {
                    d.set_item("rule", *name)?;
                    d.set_item("origin", "detector")?;
                    d.set_item("score", *score as f64)?;
                }
            }
            d.set_item("text", c.text_of(r))?;
            list.append(d)?;
        }
        Ok(list)
    }
}

/// A JSON value as Python objects.
fn to_py<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(f)) => f.into_pyobject(py)?.into_any(),
            (None, None) => n.to_string().into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(to_py(py, x)?)?;
            }
            list.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

#[pymethods]
impl CleanResult {
    /// What `boilerstrip clean` writes for the page.
    #[getter]
    fn text(&self) -> &str {
        &self.done.output
    }

    /// The page's headline, when known.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.done.cleaned.title.as_deref()
    }

    /// The URL given for the page, else the page's own canonical URL.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.done
            .url
            .as_deref()
            .or(self.done.cleaned.url.as_deref())
    }

    /// The site whose rules applied.
    #[getter]
    fn site(&self) -> Option<&str> {
        self.done.cleaned.site.as_ref().map(Site::host)
    }

    /// Where the site came from: "flag", "url", "canonical", "og:url", "base".
    #[getter]
    fn site_source(&self) -> Option<&'static str> {
        self.done.cleaned.site.as_ref().map(|s| s.source().name())
    }

    /// The page's declared language.
    #[getter]
    fn lang(&self) -> Option<&str> {
        self.done.cleaned.lang.as_deref()
    }

    /// True when the content detector did not decide the page as usual.
    #[getter]
    fn fallback(&self) -> bool {
        self.done.cleaned.fallback
    }

    /// Why `fallback` is set: "no-region" or "emptied".
    #[getter]
    fn fallback_reason(&self) -> Option<&'static str> {
        self.done.cleaned.fallback_reason.map(Fallback::name)
    }

    /// The comment section, when the cleaner keeps comments.
    #[getter]
    fn comments(&self) -> Option<&str> {
        self.done.cleaned.comments.as_deref()
    }

    /// The removed blocks in document order: dicts of `line`, `category`,
    /// `rule` (a rule id or a detector's name), `origin` (`file:line`, or
    /// "detector"), `score` (a detector's, else None) and `text`.
    #[getter]
    fn removed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.removal_dicts(py)
    }

    /// What the page says of itself (author, date, …), when the cleaner
    /// reads metadata (`metadata=True` or `output="json"`).
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.done
            .cleaned
            .metadata
            .as_deref()
            .map(|m| to_py(py, &m.to_json()))
            .transpose()
    }

    /// All of the above as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("text", self.text())?;
        d.set_item("title", self.title())?;
        d.set_item("url", self.url())?;
        d.set_item("site", self.site())?;
        d.set_item("site_source", self.site_source())?;
        d.set_item("lang", self.lang())?;
        d.set_item("fallback", self.fallback())?;
        d.set_item("fallback_reason", self.fallback_reason())?;
        d.set_item("comments", self.comments())?;
        d.set_item("metadata", self.metadata(py)?)?;
        d.set_item("removed", self.removal_dicts(py)?)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "CleanResult(site={:?}, title={:?}, {} chars, {} removed)",
            self.site(),
            self.title(),
            self.done.output.chars().count(),
            self.done.cleaned.removals.len()
        )
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyCleaner>()?;
    m.add_class::<CleanResult>()?;
    m.add("RuleError", py.get_type::<RuleError>())?;
    m.add("PageError", py.get_type::<PageError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_html_from_text() {
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff(b"\n  <html lang=en>"), Format::Html);
        assert_eq!(sniff(b"\xEF\xBB\xBF<?xml version='1.0'?>"), Format::Html);
        assert_eq!(sniff(b"\xFF\xFE<\0h\0t\0m\0l\0>\0"), Format::Html);
        assert_eq!(sniff(b"<!-- saved page -->"), Format::Html);
        assert_eq!(sniff(b"Home\nNews\n\n<b> is bold"), Format::Text);
        assert_eq!(sniff(b"< 3 reasons"), Format::Text);
        assert_eq!(sniff(b""), Format::Text);
    }

    #[test]
    fn a_panic_becomes_the_pages_error() {
        let r: Result<(), String> = guarded("page 7 (https://example.com/a)", || {
            panic!("index out of bounds")
        });
        let msg = r.unwrap_err();
        assert!(
            msg.starts_with("page 7 (https://example.com/a): internal error"),
            "{msg}"
        );
        assert!(msg.ends_with("index out of bounds"), "{msg}");
        let ok: Result<u8, String> = guarded("page", || Ok(3));
        assert_eq!(ok, Ok(3));
    }
}
