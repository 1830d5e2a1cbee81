//! Any text dump: cleaning never panics and only removes lines.
#![no_main]
use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static CLEANER: LazyLock<Cleaner> = LazyLock::new(|| Cleaner::new(RuleBook::shipped().unwrap(), Config::default()));

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let cleaned = CLEANER.clean_text(text, None);
        assert!(cleaned.text.len() <= text.len() + text.lines().count() + 1);
    }
});
