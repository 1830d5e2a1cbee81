//! Running the `boilerstrip` command from the integration tests, as a user
//! runs it. Each test crate uses the part it needs.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The command built for the tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_boilerstrip"))
}

/// Runs the command with `args`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// Runs the command with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

/// Runs the command with `args`, `input` on its standard input.
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fails unless the command's standard error holds `needle`.
pub fn assert_stderr_has(o: &Output, needle: &str) {
    let err = stderr(o);
    assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
}
