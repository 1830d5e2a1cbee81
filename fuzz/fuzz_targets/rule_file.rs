//! Any text as a rule file: parsed or rejected with located problems, and a
//! file that parses compiles into a rule set.
#![no_main]
use boilerstrip::rules::{RuleSet, parse_rule_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match parse_rule_file("fuzz.toml", text) {
            Ok(file) => {
                if let Ok(set) = RuleSet::compile(file.rules) {
                    let _ = set.match_block("Share this post", 3);
                }
            }
            Err(problems) => assert!(problems.iter().all(|p| p.line >= 1 && p.col >= 1)),
        }
    }
});
