//! Any bytes as a JSONL stream and as a WARC or ARC stream (plain or gzip): every record is cleaned
//! or reported, never a panic.
#![no_main]
use boilerstrip::clean::{Cleaner, Config};
use boilerstrip_batch::jsonl::JsonlConfig;
use boilerstrip::rules::RuleBook;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static CLEANER: LazyLock<Cleaner> = LazyLock::new(|| Cleaner::new(RuleBook::shipped().unwrap(), Config::default()));

fuzz_target!(|data: &[u8]| {
    let config = JsonlConfig { window: 4, ..JsonlConfig::default() };
    let mut out = Vec::new();
    let _ = boilerstrip_batch::jsonl::run(&CLEANER, data, &mut out, &config);
    out.clear();
    let all = boilerstrip_batch::warc::Statuses::parse("all").unwrap();
    let _ = boilerstrip_batch::warc::run(&CLEANER, data, &mut out, &config, &all);
});
