//! Any bytes as an HTML page: decoding, rendering and cleaning never panic.
#![no_main]
use boilerstrip::clean::{Cleaner, Config};
use boilerstrip::rules::RuleBook;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static CLEANER: LazyLock<Cleaner> = LazyLock::new(|| Cleaner::new(RuleBook::shipped().unwrap(), Config::default()));

fuzz_target!(|data: &[u8]| {
    let _ = CLEANER.clean_html(data, None);
});
