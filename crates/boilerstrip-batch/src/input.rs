//! Finding pages: files and directory trees, and their format (their site is
//! [`boilerstrip::site`]'s to say).
//!
//! This stage reads nothing but names and bytes; it never modifies an input.

use boilerstrip::site::Site;
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

/// Largest size of one page, decompressed, unless `--max-page-bytes` says
/// otherwise: a cap against compression bombs and runaway files, read as a
/// stream (a bomb stops at the cap), so a batch holds at most jobs × cap.
pub const MAX_PAGE_BYTES: u64 = 256 << 20;

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

/// Reads a whole file, decompressing it, up to [`MAX_PAGE_BYTES`] bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    read_capped(path, MAX_PAGE_BYTES)
}

/// Reads a whole file, decompressing it, up to `cap` bytes: more is that
/// file's failure (a compression bomb stops at the cap, not at memory's end).
/// An uncompressed file is read into a buffer of its size (no doubling).
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    if Compression::of(path) == Compression::None
        && let Ok(meta) = std::fs::metadata(path)
    {
        if meta.len() > cap {
            return Err(InputError::TooLarge {
                path: path.to_path_buf(),
                limit: cap,
            });
        }
        bytes.reserve_exact(meta.len() as usize + 1);
    }
    // One byte over the cap tells a page at the cap from a larger one; the
    // cap u64::MAX (no cap) must not wrap to 0.
    open(path)?
        .take(cap.saturating_add(1))
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
    /// A page is larger than the cap (decompressed).
    #[error("{path}: more than {limit} bytes (--max-page-bytes); refused")]
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
    /// The file starts with a UTF-16 byte-order mark but is not UTF-16.
    #[error("{path}: not valid UTF-16 text (it starts with a UTF-16 byte-order mark)")]
    NotUtf16 {
        /// The file.
        path: PathBuf,
    },
}

impl InputError {
    /// The file or directory the error is about.
    pub fn path(&self) -> &Path {
        match self {
            InputError::Io { path, .. }
            | InputError::Walk { path, .. }
            | InputError::Binary { path, .. }
            | InputError::Decompress { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::NotUtf8 { path, .. }
            | InputError::NotUtf16 { path } => path,
        }
    }
}

/// What a walk of the inputs found besides pages.
#[derive(Debug, Default)]
pub struct Walked {
    /// The pages, in walk order.
    pub files: Vec<InputFile>,
    /// Directories and files that could not be read.
    pub errors: Vec<InputError>,
    /// Symbolic links passed over (links are followed only when asked).
    pub links_skipped: usize,
    /// Directories passed over: the output directory, or one holding a
    /// `failures.jsonl` written by a run of ours (an output tree).
    pub excluded: Vec<PathBuf>,
}

/// Expands inputs (files and directories, walked recursively in name order)
/// into pages. Symbolic links are followed only when `follow_links` is set;
/// loops are reported, not followed. Walk errors are returned beside the pages
/// found, so one unreadable folder does not stop a batch.
pub fn collect(inputs: &[PathBuf], follow_links: bool) -> (Vec<InputFile>, Vec<InputError>) {
    let w = walk(inputs, follow_links, None);
    (w.files, w.errors)
}

/// Whether a directory holds a `failures.jsonl` that a run of ours wrote
/// (its first line a `{"path", "reason"}` object): an output tree.
fn holds_our_failures(dir: &Path) -> bool {
    use std::io::{BufRead, Read};
    let Ok(f) = std::fs::File::open(dir.join("failures.jsonl")) else {
        return false;
    };
    let mut first = String::new();
    if std::io::BufReader::new(f.take(64 << 10))
        .read_line(&mut first)
        .is_err()
    {
        return false;
    }
    matches!(
        serde_json::from_str::<serde_json::Value>(&first),
        Ok(serde_json::Value::Object(o)) if o.len() == 2 && o.contains_key("path") && o.contains_key("reason")
    )
}

/// Like [`collect`], and also: passes over `out_dir` (when it lies inside
/// an input) and any directory holding a `failures.jsonl` of ours, so a
/// second run never cleans the first run's outputs; counts the symbolic
/// links it does not follow.
pub fn walk(inputs: &[PathBuf], follow_links: bool, out_dir: Option<&Path>) -> Walked {
    let mut w = Walked::default();
    let out_id = out_dir.and_then(file_id);
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(source) => {
                w.errors.push(InputError::Io {
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
            w.files.push(InputFile {
                path: input.clone(),
                rel,
            });
            continue;
        }
        let mut excluded = Vec::new();
        let walk = WalkDir::new(input)
            .follow_links(follow_links)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                // An input named on the command line is walked whatever it is.
                if !e.file_type().is_dir() || e.depth() == 0 {
                    return true;
                }
                let ours = out_id.is_some() && file_id(e.path()) == out_id;
                if ours || holds_our_failures(e.path()) {
                    excluded.push(e.path().to_path_buf());
                    return false;
                }
                true
            });
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let rel = e
                        .path()
                        .strip_prefix(input)
                        .unwrap_or(e.path())
                        .to_path_buf();
                    w.files.push(InputFile {
                        path: e.path().to_path_buf(),
                        rel,
                    });
                }
                Ok(e) if e.path_is_symlink() && !follow_links => w.links_skipped += 1,
                Ok(_) => {}
                Err(e) => w.errors.push(InputError::Walk {
                    path: e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone()),
                    message: e.to_string(),
                }),
            }
        }
        w.excluded.extend(excluded);
    }
    w
}

/// A file's identity (device and inode), to know a directory again under
/// another name.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        let c = std::fs::canonicalize(path).ok()?;
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        c.hash(&mut h);
        Some((0, h.finish()))
    }
}

/// Checks that bytes are a text dump and returns them as text. A UTF-16
/// dump with a byte-order mark is decoded (a UTF-8 one loses its mark);
/// anything else must be UTF-8 without NUL bytes.
pub fn text_of(path: &Path, bytes: &[u8]) -> Result<String, InputError> {
    text_of_owned(path, bytes.to_vec())
}

/// [`text_of`] without a copy of a UTF-8 page.
pub fn text_of_owned(path: &Path, mut bytes: Vec<u8>) -> Result<String, InputError> {
    match encoding_rs::Encoding::for_bom(&bytes) {
        Some((enc, len)) if enc != encoding_rs::UTF_8 => {
            return enc
                .decode_without_bom_handling_and_without_replacement(&bytes[len..])
                .map(|s| s.into_owned())
                .ok_or_else(|| InputError::NotUtf16 {
                    path: path.to_path_buf(),
                });
        }
        Some((_, len)) => {
            bytes.drain(..len);
        }
        None => {}
    }
    if let Some(offset) = memchr::memchr(0, &bytes[..bytes.len().min(8192)]) {
        return Err(InputError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// A page's content, by format.
pub enum Body {
    /// A text dump, checked to be UTF-8 text.
    Text(String),
    /// An HTML page's bytes (decoded by the HTML stage: never an error).
    Html(Vec<u8>),
}

/// A page read for cleaning.
pub struct InputPage {
    /// Its content.
    pub body: Body,
    /// Its site when given, else the guess from its path (an HTML page's
    /// own URL wins over that guess when it is cleaned: [`Site::choose`]).
    pub site: Option<Site>,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads one page and settles its format and its site as far as the path
/// tells (`site` given, else the guess from the path).
pub fn read_page(
    path: &Path,
    format: Option<Format>,
    site: Option<&Site>,
) -> Result<InputPage, InputError> {
    read_page_capped(path, format, site, MAX_PAGE_BYTES)
}

/// [`read_page`] with a cap on the page's size.
pub fn read_page_capped(
    path: &Path,
    format: Option<Format>,
    site: Option<&Site>,
    cap: u64,
) -> Result<InputPage, InputError> {
    let bytes = read_capped(path, cap)?;
    let len = bytes.len() as u64;
    let body = match format.unwrap_or_else(|| Format::from_path(path)) {
        Format::Html => Body::Html(bytes),
        Format::Text => Body::Text(text_of_owned(path, bytes)?),
    };
    Ok(InputPage {
        body,
        site: site.cloned().or_else(|| Site::from_path(path)),
        bytes: len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cap_reads_the_whole_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.txt");
        let text = "The ferry runs hourly from May to September.\n";
        std::fs::write(&path, text).unwrap();
        assert_eq!(read_capped(&path, u64::MAX).unwrap(), text.as_bytes());
        let page = read_page_capped(&path, None, None, u64::MAX).unwrap();
        assert!(matches!(&page.body, Body::Text(t) if t == text));
        assert_eq!(page.bytes, text.len() as u64);
    }

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
    fn utf16_dumps_with_a_bom_are_decoded() {
        let text = "Die Fähre fährt ab Mai stündlich.\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(text_of(Path::new("a.txt"), &le).unwrap(), text);
        let mut be = vec![0xfe, 0xff];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(text_of(Path::new("b.txt"), &be).unwrap(), text);
        let mut utf8 = b"\xef\xbb\xbf".to_vec();
        utf8.extend_from_slice(text.as_bytes());
        assert_eq!(text_of(Path::new("c.txt"), &utf8).unwrap(), text);
        // A lone surrogate is not UTF-16.
        let e = text_of(Path::new("d.txt"), &[0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]).unwrap_err();
        assert!(e.to_string().contains("not valid UTF-16"), "{e}");
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
            e.ends_with("bomb.txt.gz: more than 1048576 bytes (--max-page-bytes); refused"),
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
