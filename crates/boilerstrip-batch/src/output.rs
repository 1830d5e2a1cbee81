//! Writing results: output paths that mirror the input tree, written atomically.
//!
//! A result is written to a temporary file in the target directory and renamed
//! into place, so a reader (or a killed run) never sees half a file. (Files
//! are not fsynced: a power cut may lose recent outputs, never half-write one.) An output
//! path that would be an input file is refused: inputs are never modified.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Errors of the output stage. Each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Writing failed (full disk, permissions, …).
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The output file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output would replace an input file.
    #[error("{path}: output would overwrite the input file; choose another output directory")]
    WouldOverwriteInput {
        /// The output file.
        path: PathBuf,
    },
    /// A relative path that would leave the output directory.
    #[error("{rel}: path would escape the output directory")]
    Escapes {
        /// The offending relative path.
        rel: PathBuf,
    },
}

/// The output file for an input found at `rel` under its input: the same
/// relative path under `out_dir`, with the extension `ext`.
pub fn output_path(out_dir: &Path, rel: &Path, ext: &str) -> Result<PathBuf, OutputError> {
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(OutputError::Escapes {
            rel: rel.to_path_buf(),
        });
    }
    Ok(out_dir.join(rel).with_extension(ext))
}

/// Whether `output` exists and is the file `input` (also through links).
/// One `stat` when it does not exist, the usual case.
fn same_file(input: &Path, output: &Path) -> bool {
    let Ok(out) = std::fs::metadata(output) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(input).is_ok_and(|i| i.dev() == out.dev() && i.ino() == out.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = out;
        matches!(
            (std::fs::canonicalize(input), std::fs::canonicalize(output)),
            (Ok(a), Ok(b)) if a == b
        )
    }
}

/// The prefix and suffix of our temporary files: `.boilerstrip-XXXXXX.tmp`.
const TEMP_PREFIX: &str = ".boilerstrip-";
const TEMP_SUFFIX: &str = ".tmp";

/// A builder of our temporary files. They are created with mode 0666 less
/// the umask, as `cp` creates files (tempfile's default is 0600, which the
/// rename would carry over to every output).
pub fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}

/// Whether a file name is one of our temporary files.
fn is_our_temp(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|mid| mid.len() == 6 && mid.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes the temporary files of our naming left in an output tree by a
/// run that was killed: they are never complete outputs (an output is
/// renamed into place whole). Returns how many were removed. (A second run
/// writing into the same tree at the same time would lose its files in
/// progress: one run per output tree.)
pub fn remove_stale_temps(out_dir: &Path) -> usize {
    if !out_dir.is_dir() {
        return 0;
    }
    walkdir::WalkDir::new(out_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_str().is_some_and(is_our_temp))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Writes `bytes` to `path` atomically (temporary file, then rename), creating
/// parent directories. Refuses to replace `input`.
pub fn write_atomic(path: &Path, bytes: &[u8], input: Option<&Path>) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(input) = input
        && same_file(input, path)
    {
        return Err(OutputError::WouldOverwriteInput {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut tmp = temp_builder().tempfile_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_mirrors_the_tree_and_changes_the_extension() {
        let p = output_path(Path::new("out"), Path::new("a/b/page.html"), "txt").unwrap();
        assert_eq!(p, PathBuf::from("out/a/b/page.txt"));
        assert!(output_path(Path::new("out"), Path::new("../x.txt"), "txt").is_err());
        assert!(output_path(Path::new("out"), Path::new("/etc/passwd"), "txt").is_err());
    }

    #[test]
    fn temp_names_are_told_apart() {
        assert!(is_our_temp(".boilerstrip-a1B2c3.tmp"));
        assert!(!is_our_temp(".boilerstrip-a1B2c3.txt"));
        assert!(!is_our_temp("boilerstrip-a1B2c3.tmp"));
        assert!(!is_our_temp(".boilerstrip-notes.tmp.txt"));
        let b = temp_builder();
        let tmp = tempfile::tempdir().unwrap();
        let f = b.tempfile_in(tmp.path()).unwrap();
        assert!(is_our_temp(f.path().file_name().unwrap().to_str().unwrap()));
    }

    #[test]
    fn writes_atomically_and_never_over_an_input() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("deep/er/out.txt");
        write_atomic(&target, b"hello\n", None).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"hello\n");
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
        let err = write_atomic(&target, b"x", Some(&target)).unwrap_err();
        assert!(matches!(err, OutputError::WouldOverwriteInput { .. }));
        assert_eq!(std::fs::read(&target).unwrap(), b"hello\n");
    }
}
