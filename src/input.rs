//! Finding pages: files and directory trees, and their format (their site is
//! [`crate::site`]'s to say).
//!
//! This stage reads nothing but names and bytes; it never modifies an input.

use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// How a page is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A plain-text dump of a whole page.
    Text,
    /// An HTML page.
    Html,
}

impl Format {
    /// The format a file's extension implies: `.html`/`.htm` are HTML, anything
    /// else is taken as text (and must then be valid UTF-8 text).
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
        {
            Some(e) if e == "html" || e == "htm" || e == "xhtml" => Format::Html,
            _ => Format::Text,
        }
    }
}

/// How a file is compressed, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`), single or multi-member.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// The compression a file name says.
    pub fn of(path: &Path) -> Compression {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// The name of a file without its `.gz`/`.zst` ending.
pub fn uncompressed_name(path: &Path) -> std::path::PathBuf {
    match Compression::of(path) {
        Compression::None => path.to_path_buf(),
        _ => path.with_extension(""),
    }
}

/// Largest decompressed size of one input file: a cap against compression
/// bombs. Anything larger is that file's failure.
pub const MAX_DECOMPRESSED: u64 = 1 << 30;

/// A reader over a file that decompresses `.gz` and `.zst` on the fly.
pub fn open(path: &Path) -> Result<Box<dyn std::io::BufRead + Send>, InputError> {
    use std::io::BufReader;
    let file = std::fs::File::open(path).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(match Compression::of(path) {
        Compression::None => Box::new(BufReader::new(file)),
        Compression::Gzip => Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file))),
        Compression::Zstd => Box::new(BufReader::new(zstd::Decoder::new(file).map_err(
            |source| InputError::Io {
                path: path.to_path_buf(),
                source,
            },
        )?)),
    })
}

/// Reads a whole file, decompressing it, up to [`MAX_DECOMPRESSED`] bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    read_capped(path, MAX_DECOMPRESSED)
}

/// Reads a whole file, decompressing it, up to `cap` bytes: more is that
/// file's failure (a compression bomb stops at the cap, not at memory's end).
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Decompress {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    if bytes.len() as u64 > cap {
        return Err(InputError::TooLarge {
            path: path.to_path_buf(),
            limit: cap,
        });
    }
    Ok(bytes)
}

/// One page found under the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Its path relative to the input it was found under; for a file given
    /// directly, the path as given when it is relative and stays below the
    /// current directory, else the file name. The output mirrors it.
    pub rel: PathBuf,
}

/// Errors of the input stage. Each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Walking a directory failed (a permission error, a symlink loop).
    #[error("{path}: {message}")]
    Walk {
        /// Where.
        path: PathBuf,
        /// What happened.
        message: String,
    },
    /// The file holds NUL bytes: not a text dump.
    #[error("{path}: binary file (NUL byte at offset {offset}), not a text dump")]
    Binary {
        /// The file.
        path: PathBuf,
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// A compressed file could not be read to its end (truncated, corrupt).
    #[error("{path}: cannot decompress: {message}")]
    Decompress {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// A file decompresses to more than the cap.
    #[error("{path}: decompresses to more than {limit} bytes; refused")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap.
        limit: u64,
    },
    /// The file is not valid UTF-8.
    #[error("{path}: not valid UTF-8 text (first bad byte at offset {offset})")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },
}

/// Expands inputs (files and directories, walked recursively in name order)
/// into pages. Symbolic links are followed only when `follow_links` is set;
/// loops are reported, not followed. Walk errors are returned beside the pages
/// found, so one unreadable folder does not stop a batch.
pub fn collect(inputs: &[PathBuf], follow_links: bool) -> (Vec<InputFile>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(source) => {
                errors.push(InputError::Io {
                    path: input.clone(),
                    source,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            // A relative path as given is mirrored (`a/b/page.txt` → `OUT/a/b/page.txt`),
            // so several files with one name do not collide; otherwise the file name.
            let plain = input.is_relative()
                && input
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            let rel = if plain {
                input.clone()
            } else {
                input
                    .file_name()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| input.clone())
            };
            files.push(InputFile {
                path: input.clone(),
                rel,
            });
            continue;
        }
        let walk = WalkDir::new(input)
            .follow_links(follow_links)
            .sort_by_file_name();
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let rel = e
                        .path()
                        .strip_prefix(input)
                        .unwrap_or(e.path())
                        .to_path_buf();
                    files.push(InputFile {
                        path: e.path().to_path_buf(),
                        rel,
                    });
                }
                Ok(_) => {}
                Err(e) => errors.push(InputError::Walk {
                    path: e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone()),
                    message: e.to_string(),
                }),
            }
        }
    }
    (files, errors)
}

/// Checks that bytes are a text dump and returns them as text.
pub fn text_of(path: &Path, bytes: &[u8]) -> Result<String, InputError> {
    if let Some(offset) = memchr::memchr(0, &bytes[..bytes.len().min(8192)]) {
        return Err(InputError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(InputError::NotUtf8 {
            path: path.to_path_buf(),
            offset: e.valid_up_to(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.HTML")), Format::Html);
        assert_eq!(Format::from_path(Path::new("a/b.txt")), Format::Text);
        assert_eq!(Format::from_path(Path::new("a/b")), Format::Text);
    }

    #[test]
    fn binary_and_bad_utf8_are_named() {
        let e = text_of(Path::new("x.bin"), b"ab\0cd")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "x.bin: binary file (NUL byte at offset 2), not a text dump"
        );
        let e = text_of(Path::new("y.txt"), b"caf\xe9")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "y.txt: not valid UTF-8 text (first bad byte at offset 3)"
        );
    }

    #[test]
    fn a_compression_bomb_stops_at_the_cap() {
        use std::io::Write;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("bomb.txt.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![b'a'; 8 << 20]).unwrap();
        let packed = gz.finish().unwrap();
        assert!(packed.len() < 64 << 10, "8 MiB of one byte packs small");
        std::fs::write(&path, packed).unwrap();
        let e = read_capped(&path, 1 << 20).unwrap_err().to_string();
        assert!(
            e.ends_with("bomb.txt.gz: decompresses to more than 1048576 bytes; refused"),
            "{e}"
        );
        assert_eq!(read_capped(&path, 16 << 20).unwrap().len(), 8 << 20);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("a")).unwrap();
        std::fs::write(tmp.path().join("a/page.txt"), "x").unwrap();
        std::os::unix::fs::symlink(tmp.path(), tmp.path().join("a/loop")).unwrap();
        let (files, errors) = collect(&[tmp.path().to_path_buf()], true);
        assert_eq!(files.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("loop"), "{}", errors[0]);
        let (files, errors) = collect(&[tmp.path().to_path_buf()], false);
        assert_eq!(
            (files.len(), errors.len()),
            (1, 0),
            "links are not followed by default"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_input_tree_is_not_read_by_default() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("secret.txt"),
            "not a page of this batch",
        )
        .unwrap();
        let tree = tempfile::tempdir().unwrap();
        std::fs::write(tree.path().join("page.txt"), "x").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            tree.path().join("link.txt"),
        )
        .unwrap();
        let (files, errors) = collect(&[tree.path().to_path_buf()], false);
        assert!(errors.is_empty());
        let rels: Vec<_> = files.iter().map(|f| f.rel.clone()).collect();
        assert_eq!(rels, vec![PathBuf::from("page.txt")]);
    }

    #[test]
    fn directories_are_walked_in_order_with_relative_paths() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("b/c")).unwrap();
        std::fs::write(tmp.path().join("b/c/2.txt"), "x").unwrap();
        std::fs::write(tmp.path().join("a.txt"), "x").unwrap();
        let (files, errors) = collect(&[tmp.path().to_path_buf()], false);
        assert!(errors.is_empty());
        let rels: Vec<_> = files.iter().map(|f| f.rel.clone()).collect();
        assert_eq!(
            rels,
            vec![PathBuf::from("a.txt"), PathBuf::from("b/c/2.txt")]
        );
        let (_, errors) = collect(&[tmp.path().join("missing")], false);
        assert_eq!(errors.len(), 1);
    }
}
