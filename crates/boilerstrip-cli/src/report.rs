//! What the command prints: summaries, notes, scores, figures, explanations
//! and rule listings. Nothing here decides anything; every line's bytes are
//! part of the command's interface.

use boilerstrip::clean::Explained;
use boilerstrip::eval::{Scores, SnippetScores};
use boilerstrip::rules::{Rule, RuleBook, RulesError};
use boilerstrip_batch::bench::Figure;
use boilerstrip_batch::pipeline::{InputsSummary, SiteTestOutcome};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Each problem of a record run, to stderr: warnings, then failures.
pub fn record_problems(summary: &InputsSummary) {
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
    for f in &summary.failures {
        eprintln!("failed: {f}");
    }
}

/// The last line of a record run, `secs` its wall time.
pub fn records(summary: &InputsSummary, secs: f64) -> String {
    let skipped: usize = summary.passed_over.values().sum();
    let why: Vec<String> = summary
        .passed_over
        .iter()
        .map(|(w, n)| format!("{n} {w}"))
        .collect();
    format!(
        "{} record(s) cleaned, {} failed, {skipped} passed over{}; {} bytes of pages; {secs:.2}s, {:.1} MB/s",
        summary.records,
        summary.failures.len(),
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", why.join(", "))
        },
        summary.bytes_in,
        summary.bytes_in as f64 / 1e6 / secs.max(1e-9)
    )
}

/// Notes before a batch runs, to stderr: output trees passed over, and
/// (unless quiet) temporary files of an interrupted run removed.
pub fn batch_notes(excluded: &[PathBuf], stale: usize, out_dir: &Path, quiet: bool) {
    for dir in excluded {
        eprintln!(
            "note: {} passed over: it is an output tree (the output directory, or one holding a failures.jsonl of a run)",
            dir.display()
        );
    }
    if stale > 0 && !quiet {
        eprintln!(
            "note: removed {stale} temporary file(s) an interrupted run left in {}",
            out_dir.display()
        );
    }
}

/// The score line of a body evaluation.
pub fn eval_bodies(s: &Scores) -> String {
    format!(
        "pages {}  F1 {:.3}  precision {:.3}  recall {:.3}  accuracy {:.3}  pageF1 {:.3}  empty {}  missing {}",
        s.pages.len(),
        s.f1,
        s.precision,
        s.recall,
        s.accuracy,
        s.page_f1,
        s.empty,
        s.missing
    )
}

/// The score line of a snippet evaluation.
pub fn eval_snippets(s: &SnippetScores) -> String {
    format!(
        "pages {}  F1 {:.3}  precision {:.3}  recall {:.3}  accuracy {:.3}  tp {}  fp {}  fn {}  tn {}  empty {}  missing {}",
        s.pages.len(),
        s.f1,
        s.precision,
        s.recall,
        s.accuracy,
        s.tp,
        s.fp,
        s.fn_,
        s.tn,
        s.empty,
        s.missing
    )
}

/// One kind of page's throughput line.
pub fn bench(f: &Figure) -> String {
    format!(
        "{}: {} pages, {:.2} MB, best of {} passes {:.3}s: {:.1} MB/s single-threaded ({} bytes out)",
        f.name,
        f.pages,
        f.bytes as f64 / 1e6,
        f.passes,
        f.best,
        f.mb_per_s(),
        f.bytes_out,
    )
}

/// A page's blocks, each kept or removed with what removed it: first the
/// page's site and where it came from. As JSON lines, or as text (coloured
/// with `colour`).
pub fn explain(
    out: &mut impl Write,
    explained: &Explained,
    json: bool,
    colour: bool,
) -> std::io::Result<()> {
    let cleaned = &explained.cleaned;
    let (red, green, dim, reset) = if colour {
        ("\x1b[31m", "\x1b[32m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut removals = cleaned.removals.iter().peekable();
    let (host, source) = match &cleaned.site {
        Some(s) => (Some(s.host()), Some(s.source().name())),
        None => (None, None),
    };
    if json {
        writeln!(
            out,
            "{}",
            serde_json::json!({"site": host, "site_source": source})
        )?;
    } else {
        match (host, source) {
            (Some(h), Some(src)) => writeln!(out, "{dim}site: {h} (from {src}){reset}")?,
            _ => writeln!(out, "{dim}site: none{reset}")?,
        }
    }
    for (line, text) in &explained.blocks {
        let removal = removals.next_if(|r| r.line == *line);
        if json {
            let v = match removal {
                Some(r) => {
                    let mut v = cleaned.removal_json(r);
                    v["kept"] = false.into();
                    v["text"] = text.as_str().into();
                    v
                }
                None => serde_json::json!({"line": line, "text": text, "kept": true}),
            };
            writeln!(out, "{v}")?;
            continue;
        }
        match removal {
            Some(r) => writeln!(
                out,
                "{red}{:>5} - {:<10} {:<40}{reset} {dim}{}{reset}",
                line,
                r.category.name(),
                cleaned.describe(r),
                text
            )?,
            None => writeln!(
                out,
                "{green}{:>5} + {:<10} {:<40} {}{reset}",
                line, "", "", text
            )?,
        }
    }
    Ok(())
}

/// The outcome of `rules check`: the rule set's size, to stdout; or every
/// problem (to stdout, their count to stderr). Whether the rules are fine.
pub fn rules_check(loaded: &Result<RuleBook, RulesError>, failed: &[String]) -> bool {
    match loaded {
        Ok(_) if !failed.is_empty() => {
            for e in failed {
                println!("{e}");
            }
            eprintln!("{} site file(s) or set(s) do not compile", failed.len());
            false
        }
        Ok(book) => {
            let sites = book.site_hosts().count();
            println!(
                "ok: {} default rules, {} site(s) with rules of their own",
                book.for_site(None).rules().len(),
                sites
            );
            true
        }
        Err(RulesError::Invalid(problems)) => {
            for p in problems {
                println!("{p}");
            }
            eprintln!("{} problem(s)", problems.len());
            false
        }
        Err(e) => {
            println!("{e}");
            false
        }
    }
}

/// A rule in force, on one line: id, category, action, origin, matchers and
/// description.
pub fn rule(r: &Rule) -> String {
    let mut matchers = Vec::new();
    if !r.phrases.is_empty() {
        matchers.push(format!(
            "{} phrase(s), match {}",
            r.phrases.len(),
            r.mode.name()
        ));
    }
    if !r.regex.is_empty() {
        matchers.push(format!("{} regex", r.regex.len()));
    }
    if !r.selectors.is_empty() {
        matchers.push(format!("{} selector(s)", r.selectors.len()));
    }
    if let Some(m) = r.max_words {
        matchers.push(format!("max {m} words"));
    }
    format!(
        "{:<32} {:<11} {:<12} {:<40} {}{}",
        r.id,
        r.category.name(),
        r.action.name(),
        r.origin.to_string(),
        matchers.join(", "),
        if r.description.is_empty() {
            String::new()
        } else {
            format!(" — {}", r.description)
        }
    )
}

/// A site file's test case, passed or failed with its problems, to stdout.
pub fn site_test(outcome: &SiteTestOutcome) {
    let (case, t) = (outcome.case, &outcome.case.test);
    if outcome.problems.is_empty() {
        println!("ok    {:<24} {} ({} checks)", case.host, t.page, t.checks());
    } else {
        println!(
            "FAIL  {:<24} {} ({}:{})",
            case.host, t.page, case.file, t.line
        );
        for p in &outcome.problems {
            println!("      {p}");
        }
    }
}

/// What `rules import-ftr` did: each untranslated line as FILE:LINE, each
/// file that is no site, each merge, each file written or kept; without an
/// output directory, the translations themselves to stdout. Whether every
/// translation was written (or printed).
pub fn ftr_import(
    imported: &boilerstrip_batch::ruledir::FtrImport,
    to_dir: bool,
    inputs: usize,
) -> std::io::Result<bool> {
    for (file, why) in &imported.not_sites {
        eprintln!("{}: not translated: {why}", file.display());
    }
    for (file, u) in &imported.untranslated {
        eprintln!(
            "{}:{}: not translated: {}",
            file.display(),
            u.line,
            u.reason
        );
    }
    for (path, sources) in &imported.merged {
        let names: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
        eprintln!(
            "{path}: {} stand for the same site file: merged into it, each file's rules under ids of their own",
            names.join(" and ")
        );
    }
    if to_dir {
        for path in &imported.written {
            eprintln!("wrote {}", path.display());
        }
        for path in &imported.kept {
            eprintln!(
                "{}: exists, not overwritten (--force to write over it)",
                path.display()
            );
        }
        return Ok(imported.kept.is_empty());
    }
    let mut out = std::io::stdout().lock();
    for (path, _, toml) in &imported.outputs {
        if inputs > 1 {
            writeln!(out, "# ===== {path}")?;
        }
        out.write_all(toml.as_bytes())?;
    }
    Ok(true)
}
