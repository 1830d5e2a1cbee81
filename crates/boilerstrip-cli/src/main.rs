//! The `boilerstrip` command: raw arguments ([`args`]) → a checked
//! configuration ([`settings`]) → calls into the library and the batch
//! crate, their results printed by [`report`]. Exit codes: 0 all pages
//! cleaned, 1 some pages failed, 2 usage or rule-file errors (nothing was
//! cleaned).

mod args;
mod report;
mod settings;

use anyhow::{Context, Result};
use args::{BenchArgs, Cli, Command, EvalArgs, ExplainArgs, LearnArgs, RulesCommand};
use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::{RuleBook, RuleDir};
use boilerstrip::site::Site;
use boilerstrip_batch::eval::{CleanedDir, Truth, TruthError};
use boilerstrip_batch::input;
use boilerstrip_batch::pipeline::{self, RecordOutput};
use clap::Parser;
use settings::{CleanRun, SettingsError};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Clean(a) => clean(a),
        Command::Eval(a) => eval_cmd(a),
        Command::Explain(a) => explain(a),
        Command::Learn(a) => learn(a),
        Command::Rules(RulesCommand::Check { dirs }) => rules_check(&dirs),
        Command::Rules(RulesCommand::Test { dir }) => rules_test(dir),
        Command::Rules(RulesCommand::ImportFtr { files, out, force }) => {
            import_ftr(&files, out.as_deref(), force)
        }
        Command::Rules(RulesCommand::List { rules, site }) => {
            rules_list(&rules, site.as_ref().map(Site::host))
        }
        Command::Bench(a) => bench(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("boilerstrip: {e:#}");
            if is_usage(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Usage and configuration errors (exit code 2): nothing was cleaned.
fn is_usage(e: &anyhow::Error) -> bool {
    e.downcast_ref::<SettingsError>().is_some()
        || matches!(
            e.downcast_ref::<TruthError>(),
            Some(TruthError::Parse { .. })
        )
}

/// 0, or 1 when something failed and failures are not allowed.
fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn clean(args: args::CleanArgs) -> Result<ExitCode> {
    let settings::Clean {
        cleaner,
        run,
        quiet,
        allow_failures,
    } = settings::clean(args)?;
    let failed = match run {
        CleanRun::Records {
            inputs,
            output,
            format,
            config,
            failures,
        } => {
            let (summary, secs) =
                clean_records(&cleaner, &inputs, output, &format, &config, failures)?;
            if !quiet {
                eprintln!("{}", report::records(&summary, secs));
            }
            !summary.failures.is_empty()
        }
        CleanRun::Stdin {
            output,
            format,
            site,
        } => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("reading stdin")?;
            let name = Path::new("<stdin>");
            let cleaned =
                pipeline::clean_bytes(&cleaner, name, &bytes, format, site.as_ref(), None, None)?;
            return emit(output.as_deref(), cleaner.render(&cleaned).as_bytes());
        }
        CleanRun::ToStdout {
            inputs,
            follow_links,
            format,
            site,
            max_page_bytes,
        } => {
            let walked = input::walk(&inputs, follow_links, None);
            let file = settings::single_page(&inputs, &walked)?;
            let page =
                pipeline::read_page_capped(&file.path, format, site.as_ref(), max_page_bytes)?;
            let cleaned = pipeline::clean_page(&cleaner, &page);
            drop(page);
            return emit(None, cleaner.render_owned(cleaned).as_bytes());
        }
        CleanRun::Batch {
            inputs,
            follow_links,
            config,
            learn,
        } => {
            let walked = input::walk(&inputs, follow_links, Some(&config.out_dir));
            let stale = boilerstrip_batch::output::remove_stale_temps(&config.out_dir);
            report::batch_notes(&walked.excluded, stale, &config.out_dir, quiet);
            let summary = pipeline::run_walked(&cleaner, &walked, &config, learn);
            for f in &summary.failures {
                eprintln!("failed: {}", f.reason);
            }
            pipeline::write_failures(&config.out_dir, &summary.failures)?;
            if !quiet {
                eprintln!("{}", summary.report());
            }
            !summary.failures.is_empty()
        }
    };
    Ok(exit(failed && !allow_failures))
}

/// A record run into `output` (else stdout), its failed records whole to
/// `failures` if any failed; with its wall time in seconds.
fn clean_records(
    cleaner: &Cleaner,
    inputs: &[PathBuf],
    output: Option<PathBuf>,
    format: &pipeline::RecordFormat,
    config: &boilerstrip_batch::records::JsonlConfig,
    failures: Option<PathBuf>,
) -> Result<(pipeline::InputsSummary, f64)> {
    let mut sink = RecordOutput::create(output.as_deref())?;
    let mut out = sink.writer();
    let started = Instant::now();
    let keep = failures.is_some();
    let summary = pipeline::run_inputs(cleaner, inputs, format, &mut out, config, keep)?;
    report::record_problems(&summary);
    out.flush()?;
    drop(out);
    if let Some(path) = failures.filter(|_| !summary.dead_letters.is_empty()) {
        pipeline::write_dead_letters(&path, &summary.dead_letters)?;
    }
    sink.finish()?;
    Ok((summary, started.elapsed().as_secs_f64()))
}

/// Writes one cleaned page to the output file, else to stdout.
fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<ExitCode> {
    match settings::stdin_output(output)? {
        Some(p) => boilerstrip_batch::output::write_atomic(p, bytes, None)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_cmd(args: EvalArgs) -> Result<ExitCode> {
    let truth = match (&args.truth, &args.snippets) {
        (Some(p), _) => Truth::bodies(p, &args.field)?,
        (None, Some(p)) => Truth::snippets(p)?,
        (None, None) => return Err(SettingsError::NoTruth.into()),
    };
    let clean = settings::eval(&args)?;
    let started = Instant::now();
    // A page's prediction: its input cleaned (--clean), else `<id>.txt`.
    let mut failed = 0;
    let cleaned =
        clean.map(|c| CleanedDir::new(c.cleaner, &args.dir, c.format, c.site, c.repeated));
    let mut predict = |id: &str| match &cleaned {
        Some(dir) => match dir.predict(id)? {
            Ok(text) => Some(text),
            Err(e) => {
                eprintln!("failed: {e}");
                failed += 1;
                None
            }
        },
        None => boilerstrip_batch::eval::stored_prediction(&args.dir, id),
    };
    let tsv = match &truth {
        Truth::Bodies(truth) => {
            let truth = truth.iter().map(|(a, b)| (a.as_str(), b.as_str()));
            let scores = boilerstrip::eval::score(truth, &mut predict);
            println!("{}", report::eval_bodies(&scores));
            boilerstrip_batch::eval::bodies_tsv(&scores)
        }
        Truth::Snippets(truth) => {
            let truth = truth.iter().map(|(a, b)| (a.as_str(), b));
            let scores = boilerstrip::eval::score_snippets(truth, &mut predict);
            println!("{}", report::eval_snippets(&scores));
            boilerstrip_batch::eval::snippets_tsv(&scores)
        }
    };
    if failed > 0 {
        eprintln!("{failed} page(s) failed and were scored as empty");
    }
    if args.clean {
        eprintln!("({:.2}s)", started.elapsed().as_secs_f64());
    }
    if let Some(path) = &args.per_page {
        boilerstrip_batch::output::write_atomic(path, tsv.as_bytes(), None)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn bench(args: BenchArgs) -> Result<ExitCode> {
    let cleaner = settings::cleaner(&args.rules)?;
    let (files, errors) = input::collect(&args.inputs, false);
    if let Some(e) = errors.first() {
        return Err(SettingsError::Input(e.to_string()).into());
    }
    let format = settings::format(&args.rules);
    let pages = boilerstrip_batch::bench::read_pages(&files, format, args.rules.site.as_ref())?;
    let figures =
        boilerstrip_batch::bench::measure(&cleaner, &pages, args.iterations, !args.no_repeated);
    for f in &figures {
        println!("{}", report::bench(f));
    }
    if pages.is_empty() {
        return Err(SettingsError::NoPages("no pages to measure").into());
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let cleaner = settings::cleaner(&args.rules)?;
    let format = settings::format(&args.rules);
    let page = pipeline::read_page(&args.page, format, args.rules.site.as_ref())?;
    let explained = match &page.body {
        input::Body::Text(text) => cleaner.explain_text(text, page.site.as_ref()),
        input::Body::Html(bytes) => cleaner.explain_html(bytes, page.site.as_ref()),
    };
    let colour = !args.json && std::io::stdout().is_terminal();
    report::explain(&mut std::io::stdout().lock(), &explained, args.json, colour)?;
    Ok(ExitCode::SUCCESS)
}

fn rules_check(dirs: &[PathBuf]) -> Result<ExitCode> {
    let dirs: Vec<RuleDir> = dirs.iter().cloned().map(RuleDir).collect();
    let loaded = RuleBook::load(&dirs);
    let failed = loaded
        .as_ref()
        .map(boilerstrip_batch::ruledir::check_site_files)
        .unwrap_or_default();
    Ok(exit(!report::rules_check(&loaded, &failed)))
}

fn rules_list(dirs: &[PathBuf], site: Option<&str>) -> Result<ExitCode> {
    let book = settings::load_rules(dirs)?;
    let mut out = std::io::stdout().lock();
    for r in book.for_site(site).rules() {
        writeln!(out, "{}", report::rule(r))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn rules_test(dir: Option<PathBuf>) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| PathBuf::from("rules"));
    let book = settings::load_rules(std::slice::from_ref(&dir))?;
    let cleaner = Cleaner::new(book, Config::default());
    let base = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (mut passed, mut failed) = (0usize, 0usize);
    for outcome in pipeline::run_site_tests(&cleaner, base) {
        if outcome.problems.is_empty() {
            passed += 1;
        } else {
            failed += 1;
        }
        report::site_test(&outcome);
    }
    if passed + failed == 0 {
        return Err(SettingsError::NoSiteTests(dir).into());
    }
    println!("rules test: {passed} passed, {failed} failed");
    Ok(exit(failed > 0))
}

fn learn(args: LearnArgs) -> Result<ExitCode> {
    let min_share = settings::min_share(args.min_share)?;
    let book = settings::load_rules(&args.rules)?;
    let cleaner = Cleaner::new(book, Config::default());
    let (learner, errors) =
        boilerstrip_batch::learn::Learner::from_inputs(&cleaner, &args.inputs, &args.site);
    for e in &errors {
        eprintln!("failed: {e}");
    }
    if learner.pages() == 0 {
        return Err(SettingsError::NoPages("no pages to learn from").into());
    }
    let learned = learner.repeated(min_share, args.min_pages);
    print!(
        "{}",
        boilerstrip_batch::learn::propose(args.site.host(), learner.pages(), &learned)
    );
    Ok(exit(!errors.is_empty()))
}

fn import_ftr(files: &[PathBuf], out: Option<&Path>, force: bool) -> Result<ExitCode> {
    let imported = boilerstrip_batch::ruledir::import_ftr(files, out, force)?;
    Ok(exit(!report::ftr_import(
        &imported,
        out.is_some(),
        files.len(),
    )?))
}
