//! WARC and ARC archives: HTML responses are cleaned into JSONL records keyed
//! by `WARC-Record-ID` and `WARC-Target-URI`.
//!
//! The reader is written here rather than taken from a crate because a crawl
//! must survive its broken parts, and the WARC-reading libraries do not
//! resynchronise:
//!
//! - a compressed archive is read gzip member by gzip member (Common Crawl
//!   writes one per record; a whole-file gzip is one member). A member that
//!   is cut off or corrupt is a failure named by its byte offset in the file
//!   (as CDX indexes name records), and reading resumes at the next gzip
//!   header found after the start of the broken member; bytes between
//!   members that are not gzip are skipped and reported;
//! - after a record whose header or length is wrong, reading resumes at the
//!   next line that starts a record (`WARC/1.`, or an ARC header line), also
//!   when that line lies inside the block the wrong length claimed;
//! - where archivers are sloppy and warcio is lenient, so is this reader,
//!   with a warning: a block followed by one line end instead of two, or a
//!   `Content-Length` a few bytes short of the next record.
//!
//! Records before a break are always kept. The HTTP messages inside
//! response records are decoded (chunked transfer-encoding, gzip, deflate,
//! br and zstd content-encodings) and their charset taken from the HTTP
//! header as [`boilerstrip::charset`] orders it; only the statuses asked for
//! (2xx by default) are cleaned, the rest counted as passed over.

use crate::records::{JsonlConfig, JsonlSummary, RecordFailure, run_ordered};
use boilerstrip::clean::Cleaner;
use serde_json::Value;
use std::io::{BufRead, Read, Write};

/// Largest record block read; a larger one is skipped and reported.
pub const MAX_RECORD: u64 = 64 << 20;

/// Largest decoded HTTP payload (after content-encodings): a compression
/// bomb in a response stops here and is that record's failure.
pub const MAX_PAYLOAD: u64 = 256 << 20;

/// How far past a block's stated end the reader looks for the next record
/// when the block is not followed by its two line ends: a `Content-Length`
/// this many bytes short is read with a warning.
const SLACK: usize = 64;

/// A header line longer than this is not one (garbage without line ends
/// is read in pieces of this size while resynchronising).
const MAX_LINE: usize = 64 << 10;

/// Raw bytes of the member being read that are kept to resynchronise from
/// after it, should it break (a whole-file gzip member past this size
/// resynchronises from where it broke instead).
const MAX_REPLAY: usize = 16 << 20;

// ---------------------------------------------------------------------------
// The raw file: counted, with bytes that can be put back.

/// A reader that counts the bytes taken from it, can have bytes put back in
/// front, and can keep a copy of what is taken (to read it again).
struct Raw<R> {
    inner: R,
    back: Vec<u8>,
    back_pos: usize,
    /// A copy of the bytes consumed since it was started.
    tee: Option<Vec<u8>>,
    /// Offset in the file of the next byte.
    offset: u64,
}

impl<R: BufRead> Raw<R> {
    fn unread(&mut self, bytes: Vec<u8>, offset: u64) {
        let mut back = bytes;
        back.extend_from_slice(&self.back[self.back_pos..]);
        self.back = back;
        self.back_pos = 0;
        self.offset = offset;
    }

    /// Consumes bytes up to the next gzip header (`1f 8b 08`) or the end;
    /// returns how many were passed over.
    fn skip_to_gzip_header(&mut self) -> std::io::Result<u64> {
        let start = self.offset;
        loop {
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                return Ok(self.offset - start);
            }
            match memchr::memchr(0x1f, buf) {
                None => {
                    let n = buf.len();
                    self.consume(n);
                }
                Some(i) => {
                    self.consume(i);
                    if plausible_gzip_header(&self.peek(10)?) {
                        return Ok(self.offset - start);
                    }
                    self.consume(1);
                }
            }
        }
    }

    /// Up to `n` next bytes, not consumed.
    fn peek(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        let at = self.offset;
        let tee = self.tee.take();
        let mut got = Vec::with_capacity(n);
        while got.len() < n {
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let k = buf.len().min(n - got.len());
            got.extend_from_slice(&buf[..k]);
            self.consume(k);
        }
        self.unread(got.clone(), at);
        self.tee = tee;
        Ok(got)
    }
}

/// Whether ten bytes can start a gzip member as archivers write them:
/// magic, deflate, no reserved flag bits, a known compression level and
/// operating system. Inside compressed data `1f 8b 08` turns up now and
/// then; all ten bytes by chance almost never.
fn plausible_gzip_header(h: &[u8]) -> bool {
    h.len() == 10
        && h[..3] == [0x1f, 0x8b, 0x08]
        && h[3] & 0xe0 == 0
        && matches!(h[8], 0 | 2 | 4)
        && (h[9] <= 13 || h[9] == 255)
}

impl<R: BufRead> Read for Raw<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Raw<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.back_pos < self.back.len() {
            return Ok(&self.back[self.back_pos..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if self.back_pos < self.back.len() {
            if let Some(tee) = &mut self.tee {
                tee.extend_from_slice(&self.back[self.back_pos..self.back_pos + n]);
            }
            self.back_pos += n;
            if self.back_pos == self.back.len() {
                self.back.clear();
                self.back_pos = 0;
            }
        } else {
            if let Some(tee) = &mut self.tee {
                if let Ok(buf) = self.inner.fill_buf() {
                    tee.extend_from_slice(&buf[..n.min(buf.len())]);
                }
                if tee.len() > MAX_REPLAY {
                    self.tee = None;
                }
            }
            self.inner.consume(n);
        }
        self.offset += n as u64;
    }
}

// ---------------------------------------------------------------------------
// The decompressed stream: gzip members one by one, or the plain file.

/// A part of the input that could not be read: a broken gzip member, or
/// bytes between members that are not one.
#[derive(Debug)]
struct Broken {
    /// Offset in the file where it starts.
    offset: u64,
    reason: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.reason)
    }
}

impl std::error::Error for Broken {}

enum State<R> {
    /// Not compressed.
    Plain(Raw<R>),
    /// Between gzip members (or before the first).
    Between(Raw<R>),
    /// Inside a member that started at `start`; `found` when it was found
    /// by skipping over broken bytes (a false header there is no news).
    Member {
        decoder: Box<flate2::bufread::GzDecoder<Raw<R>>>,
        start: u64,
        found: bool,
        produced: bool,
    },
    /// Taken while switching.
    Gone,
}

/// The decompressed bytes of an archive. A broken part is reported once,
/// as an error carrying [`Broken`], and reading goes on after it.
struct Stream<R> {
    state: State<R>,
    buf: Vec<u8>,
    pos: usize,
    /// Where the bytes in `buf` came from: their gzip member's offset, or
    /// (plain) the file offset of `buf[0]`.
    origin: u64,
    gzip: bool,
    /// Bytes put back in front, with the position of their first byte.
    back: Vec<u8>,
    back_origin: u64,
    /// The next member was reached by skipping broken bytes.
    resyncing: bool,
    /// A broken part met and not yet dealt with: every read reports it
    /// until [`Stream::take_broken`].
    pending: Option<(u64, String)>,
}

impl<R: BufRead> Stream<R> {
    fn new(mut input: R) -> std::io::Result<Stream<R>> {
        let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let raw = Raw {
            inner: input,
            back: Vec::new(),
            back_pos: 0,
            tee: None,
            offset: 0,
        };
        Ok(Stream {
            state: if gzip {
                State::Between(raw)
            } else {
                State::Plain(raw)
            },
            buf: Vec::new(),
            pos: 0,
            origin: 0,
            gzip,
            back: Vec::new(),
            back_origin: 0,
            resyncing: false,
            pending: None,
        })
    }

    /// Where the next byte comes from: for a compressed archive the offset
    /// of its gzip member, else its offset in the file.
    fn position(&mut self) -> u64 {
        if !self.back.is_empty() {
            return self.back_origin;
        }
        if self.gzip {
            self.origin
        } else {
            self.origin + self.pos as u64
        }
    }

    /// [`Stream::position`] of the next byte once it is read in (at the
    /// end of a member, the next member's offset).
    fn here(&mut self) -> u64 {
        let _ = self.fill_buf();
        self.position()
    }

    /// Puts bytes back in front; `origin` is the position of the first.
    fn unread(&mut self, mut bytes: Vec<u8>, origin: u64) {
        if bytes.is_empty() {
            return;
        }
        bytes.extend_from_slice(&self.back);
        self.back = bytes;
        self.back_origin = origin;
    }

    /// The broken part the last reads reported, now dealt with.
    /// Bytes put back before the break go with it: reading resumes at the
    /// next member (a line cut off by the break must not run on into the
    /// next record's first line).
    fn take_broken(&mut self) -> Option<(u64, String)> {
        let taken = self.pending.take();
        if taken.is_some() {
            self.back.clear();
        }
        taken
    }

    fn broken_error(&self) -> Option<std::io::Error> {
        let (offset, reason) = self.pending.clone()?;
        Some(std::io::Error::other(Broken { offset, reason }))
    }

    fn refill(&mut self) -> std::io::Result<()> {
        let result = self.refill_inner();
        if let Err(e) = &result
            && let Some(b) = broken(e)
        {
            self.pending = Some((b.offset, b.reason.clone()));
        }
        result
    }

    fn refill_inner(&mut self) -> std::io::Result<()> {
        self.buf.clear();
        self.pos = 0;
        loop {
            // Each step returns whether the buffer is ready (bytes, or the end).
            let ready = match std::mem::replace(&mut self.state, State::Gone) {
                State::Gone => true,
                State::Plain(raw) => self.read_plain(raw)?,
                State::Between(raw) => self.start_member(raw)?,
                State::Member {
                    decoder,
                    start,
                    found,
                    produced,
                } => self.read_member(decoder, start, found, produced)?,
            };
            if ready {
                return Ok(());
            }
        }
    }

    /// Refills from an uncompressed archive.
    fn read_plain(&mut self, mut raw: Raw<R>) -> std::io::Result<bool> {
        let at = raw.offset;
        self.buf.resize(64 << 10, 0);
        let n = loop {
            match raw.read(&mut self.buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                r => break r?,
            }
        };
        self.origin = at;
        self.restore_len(n);
        self.state = if n == 0 {
            State::Gone
        } else {
            State::Plain(raw)
        };
        Ok(true)
    }

    /// Between members: the end of the archive, the next member's header
    /// (a decoder is started on it), or bytes that are not a member (skipped
    /// to the next header, reported once per run of them).
    fn start_member(&mut self, mut raw: Raw<R>) -> std::io::Result<bool> {
        let head = raw.peek(2)?;
        if head.is_empty() {
            self.restore_len(0);
            return Ok(true);
        }
        if head != [0x1f, 0x8b] {
            let at = raw.offset;
            let skipped = raw.skip_to_gzip_header()?;
            self.state = State::Between(raw);
            if self.resyncing {
                return Ok(false);
            }
            self.resyncing = true;
            return Err(std::io::Error::other(Broken {
                offset: at,
                reason: format!("{skipped} bytes that are not a gzip member, skipped"),
            }));
        }
        let start = raw.offset;
        raw.tee = Some(Vec::new());
        self.state = State::Member {
            decoder: Box::new(flate2::bufread::GzDecoder::new(raw)),
            start,
            found: self.resyncing,
            produced: false,
        };
        self.resyncing = false;
        Ok(false)
    }

    /// Inside a member: its next bytes, its end (back between members), or
    /// its break (reported; reading goes on at the next header).
    fn read_member(
        &mut self,
        mut decoder: Box<flate2::bufread::GzDecoder<Raw<R>>>,
        start: u64,
        found: bool,
        produced: bool,
    ) -> std::io::Result<bool> {
        self.buf.resize(64 << 10, 0);
        let read = decoder.read(&mut self.buf);
        if !matches!(read, Ok(n) if n > 0) {
            self.buf.clear();
        }
        match read {
            Ok(0) => {
                let mut raw = decoder.into_inner();
                raw.tee = None;
                self.state = State::Between(raw);
                Ok(false)
            }
            Ok(n) => {
                self.origin = start;
                self.restore_len(n);
                self.state = State::Member {
                    decoder,
                    start,
                    found,
                    produced: true,
                };
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                self.state = State::Member {
                    decoder,
                    start,
                    found,
                    produced,
                };
                Ok(false)
            }
            Err(e) => {
                let mut raw = decoder.into_inner();
                // Read again from just after the broken member's
                // header: a good member may start inside what the
                // decoder took for its data.
                if let Some(tee) = raw.tee.take()
                    && tee.len() > 1
                {
                    raw.unread(tee[1..].to_vec(), start + 1);
                }
                raw.skip_to_gzip_header()?;
                self.state = State::Between(raw);
                self.resyncing = true;
                let reason = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    "gzip member cut off".to_string()
                } else {
                    format!("broken gzip member: {e}")
                };
                Err(std::io::Error::other(Broken {
                    offset: start,
                    reason,
                }))
            }
        }
    }

    fn restore_len(&mut self, n: usize) {
        self.buf.resize(n, 0);
        self.pos = 0;
    }
}

impl<R: BufRead> Read for Stream<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Stream<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if !self.back.is_empty() {
            return Ok(&self.back);
        }
        if let Some(e) = self.broken_error() {
            return Err(e);
        }
        if self.pos >= self.buf.len() {
            self.refill()?;
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        if !self.back.is_empty() {
            self.back.drain(..n);
            if !self.gzip {
                self.back_origin += n as u64;
            }
            return;
        }
        self.pos += n;
    }
}

fn broken(e: &std::io::Error) -> Option<&Broken> {
    e.get_ref().and_then(|e| e.downcast_ref::<Broken>())
}

// ---------------------------------------------------------------------------
// Records.

/// One record of a WARC (or ARC) archive.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based number of the record in the file.
    pub number: usize,
    /// Byte offset of the record: of its gzip member in a compressed
    /// archive, else of its first line.
    pub offset: u64,
    /// Header fields, names as written (an ARC record's are given WARC
    /// names: `WARC-Type`, `WARC-Target-URI`, `WARC-Date`, `Content-Type`).
    pub headers: Vec<(String, String)>,
    /// The record block (for a response: the HTTP message).
    pub body: Vec<u8>,
    /// What was lenient about reading it, if anything.
    pub warning: Option<String>,
}

impl Record {
    /// The record written out as a WARC/1.1 record: its header fields as
    /// read (an ARC record's under their WARC names), a `Content-Length`
    /// that matches the block, the block, and the two line ends after it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 512);
        out.extend_from_slice(b"WARC/1.1\r\n");
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("Content-Length") {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(&self.body);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    /// A header's value (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Which archive format a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Warc,
    /// ARC, with the number of fields of its record header lines (5 in
    /// version 1, 10 in version 2).
    Arc(usize),
}

/// How one read went.
enum Step {
    Record(Record),
    Failure(RecordFailure),
    End,
}

/// Reads records one after another, resynchronising after a broken one.
pub struct Reader<R> {
    stream: Stream<R>,
    kind: Option<Kind>,
    number: usize,
    done: bool,
    /// Where the last failure was (for a compressed archive, its member):
    /// the rest of a broken member is not reported again.
    failed_at: Option<u64>,
    /// The `WARC-Record-ID` of the record being read, once its header
    /// line is: a failure names it.
    current_id: Option<String>,
}

impl<R: BufRead> Reader<R> {
    /// A reader over an archive: WARC or ARC, compressed with gzip (per
    /// record or whole) or not, told apart by the bytes.
    pub fn new(input: R) -> std::io::Result<Reader<R>> {
        Ok(Reader {
            stream: Stream::new(input)?,
            kind: None,
            number: 0,
            done: false,
            failed_at: None,
            current_id: None,
        })
    }

    /// A line (with its line end), at most [`MAX_LINE`] bytes; `None` at
    /// the end of the input.
    fn line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            let buf = self.stream.fill_buf()?;
            if buf.is_empty() {
                return Ok((!line.is_empty()).then_some(line));
            }
            let room = MAX_LINE - line.len();
            match memchr::memchr(b'\n', &buf[..buf.len().min(room)]) {
                Some(i) => {
                    line.extend_from_slice(&buf[..=i]);
                    self.stream.consume(i + 1);
                    return Ok(Some(line));
                }
                None => {
                    let n = buf.len().min(room);
                    line.extend_from_slice(&buf[..n]);
                    self.stream.consume(n);
                    if line.len() >= MAX_LINE {
                        return Ok(Some(line));
                    }
                }
            }
        }
    }

    /// Up to `n` next bytes, not consumed, from one gzip member: the flag
    /// says the member ended before `n` bytes (and another follows).
    fn peek(&mut self, n: usize) -> std::io::Result<(Vec<u8>, bool)> {
        let origin = self.stream.here();
        let mut got = Vec::with_capacity(n);
        let mut boundary = false;
        while got.len() < n {
            let buf = match self.stream.fill_buf() {
                Ok(b) => b,
                Err(e) => {
                    // A broken part is reported when it is read for real.
                    self.stream.unread(got, origin);
                    return Err(e);
                }
            };
            if buf.is_empty() {
                break;
            }
            let here = self.stream.position();
            let expected = if self.stream.gzip {
                origin
            } else {
                origin + got.len() as u64
            };
            if !got.is_empty() && here != expected {
                boundary = true;
                break;
            }
            let buf = self.stream.fill_buf()?;
            let k = buf.len().min(n - got.len());
            got.extend_from_slice(&buf[..k]);
            self.stream.consume(k);
        }
        self.stream.unread(got.clone(), origin);
        Ok((got, boundary))
    }

    fn starts_record(&self, bytes: &[u8]) -> bool {
        let line = &bytes[..memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1)];
        match self.kind {
            Some(Kind::Arc(fields)) => arc_fields(line, fields).is_some(),
            // Any version: a record of a version we do not read is a
            // failure of its own, not part of the record before it.
            _ => line.starts_with(b"WARC/"),
        }
    }

    /// Skips to the next line that starts a record, and leaves it unread.
    fn resync(&mut self) -> std::io::Result<()> {
        loop {
            let origin = self.stream.here();
            let line = match self.line() {
                Ok(Some(l)) => l,
                Ok(None) => {
                    self.done = true;
                    return Ok(());
                }
                // A broken member while skipping: left to be reported as a
                // failure of its own (it may have held records).
                Err(e) if broken(&e).is_some() => return Ok(()),
                Err(e) => return Err(e),
            };
            if self.starts_record(&line) {
                self.stream.unread(line, origin);
                return Ok(());
            }
        }
    }

    fn fail(&mut self, number: usize, offset: u64, reason: String) -> Step {
        self.failed_at = Some(offset);
        Step::Failure(RecordFailure {
            line: number,
            offset,
            id: self.current_id.take(),
            reason,
            record: None,
        })
    }

    fn step(&mut self) -> std::io::Result<Step> {
        self.current_id = None;
        // The first line of a record, after any blank lines.
        let (first, offset) = loop {
            let offset = match self.stream.fill_buf() {
                Ok([]) => return Ok(Step::End),
                Ok(_) => self.stream.position(),
                Err(e) => match self.stream.take_broken().filter(|_| broken(&e).is_some()) {
                    Some((offset, reason)) => {
                        self.resync()?;
                        if self.stream.gzip && self.failed_at == Some(offset) {
                            // The member of a record already reported.
                            return self.step();
                        }
                        self.number += 1;
                        return Ok(self.fail(self.number, offset, reason));
                    }
                    None => return Err(e),
                },
            };
            match self.line() {
                Ok(None) => return Ok(Step::End),
                Ok(Some(l)) if l.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Some(l)) => break (l, offset),
                Err(e) => match self.stream.take_broken().filter(|_| broken(&e).is_some()) {
                    Some((offset, reason)) => {
                        self.resync()?;
                        if self.stream.gzip && self.failed_at == Some(offset) {
                            // The member of a record already reported.
                            return self.step();
                        }
                        self.number += 1;
                        return Ok(self.fail(self.number, offset, reason));
                    }
                    None => return Err(e),
                },
            }
        };
        self.number += 1;
        let number = self.number;
        if self.kind.is_none() {
            self.kind = Some(if first.starts_with(b"filedesc://") {
                Kind::Arc(5)
            } else {
                Kind::Warc
            });
        }
        let result = match self.kind {
            Some(Kind::Arc(fields)) => self.arc_record(first, fields, number, offset),
            _ => self.warc_record(first, number, offset),
        };
        match result {
            Ok(step) => Ok(step),
            Err(e) => match broken(&e).map(|b| b.offset) {
                Some(at) if at == offset => {
                    let (_, reason) = self.stream.take_broken().unwrap_or_default();
                    self.resync()?;
                    Ok(self.fail(number, offset, reason))
                }
                // The record ran on into a later member, which is broken:
                // both are failures, that member reported next on its own.
                Some(at) => Ok(self.fail(
                    number,
                    offset,
                    format!("block runs on into the broken gzip member at byte {at}"),
                )),
                None => Err(e),
            },
        }
    }

    fn warc_record(
        &mut self,
        version: Vec<u8>,
        number: usize,
        offset: u64,
    ) -> std::io::Result<Step> {
        if !version.starts_with(b"WARC/") {
            self.resync()?;
            return Ok(self.fail(
                number,
                offset,
                "does not start with a WARC/ version line".into(),
            ));
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let line_at = self.stream.here();
            let Some(l) = self.line()? else {
                self.done = true;
                return Ok(self.fail(number, offset, "headers end with the file".into()));
            };
            let text = String::from_utf8_lossy(&l).into_owned();
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                break;
            }
            if text.starts_with([' ', '\t'])
                && let Some(last) = headers.last_mut()
            {
                // A folded continuation line.
                last.1.push(' ');
                last.1.push_str(text.trim());
                continue;
            }
            match text.split_once(':') {
                Some((name, value)) if !name.trim().is_empty() => {
                    if name.trim().eq_ignore_ascii_case("WARC-Record-ID") {
                        self.current_id = Some(value.trim().to_string());
                    }
                    headers.push((name.trim().to_string(), value.trim().to_string()))
                }
                _ => {
                    if self.starts_record(&l) {
                        self.stream.unread(l, line_at);
                    } else {
                        self.resync()?;
                    }
                    return Ok(self.fail(number, offset, format!("bad header line {text:?}")));
                }
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.parse::<u64>().ok());
        let Some(length) = length else {
            self.resync()?;
            return Ok(self.fail(number, offset, "no valid Content-Length".into()));
        };
        self.block(headers, length, number, offset, b"\r\n\r\n")
    }

    fn arc_record(
        &mut self,
        first: Vec<u8>,
        fields: usize,
        number: usize,
        offset: u64,
    ) -> std::io::Result<Step> {
        let Some((url, ip, date, mime, length)) = arc_header(&first, fields) else {
            self.resync()?;
            return Ok(self.fail(
                number,
                offset,
                format!(
                    "bad ARC header line {:?}",
                    String::from_utf8_lossy(&first).trim_end()
                ),
            ));
        };
        let kind = if url.starts_with("filedesc:") {
            "warcinfo"
        } else {
            "response"
        };
        let headers = vec![
            ("WARC-Type".to_string(), kind.to_string()),
            ("WARC-Target-URI".to_string(), url),
            ("WARC-IP-Address".to_string(), ip),
            ("WARC-Date".to_string(), date),
            ("Content-Type".to_string(), mime),
            ("Content-Length".to_string(), length.to_string()),
        ];
        let step = self.block(headers, length, number, offset, b"\n")?;
        if let Step::Record(r) = &step
            && kind == "warcinfo"
        {
            // The version block's first line says which header lines follow.
            let version = r.body.split(|&b| b == b'\n').nth(1).unwrap_or_default();
            if version.starts_with(b"2 ") {
                self.kind = Some(Kind::Arc(10));
            }
        }
        Ok(step)
    }

    /// Reads a record's block of `length` bytes and the line ends after it.
    fn block(
        &mut self,
        headers: Vec<(String, String)>,
        length: u64,
        number: usize,
        offset: u64,
        end: &[u8],
    ) -> std::io::Result<Step> {
        if length > MAX_RECORD {
            return self.skip_oversized(length, number, offset);
        }
        let (body, origins) = self.read_body(length)?;
        let missing = length - body.len() as u64;
        if missing > SLACK as u64 {
            self.done = true;
            return Ok(self.fail(
                number,
                offset,
                format!("cut off: {} of {length} bytes", body.len()),
            ));
        }
        let mut record = Record {
            number,
            offset,
            headers,
            body,
            warning: None,
        };
        if missing > 0 {
            // The last record of a file that ends a few bytes early: its
            // length was a little off (ARC writers counted line ends).
            record.warning = Some(format!(
                "the file ends {missing} byte(s) before the {length} its length says"
            ));
            return Ok(Step::Record(record));
        }
        self.block_end(record, &origins, length, end)
    }

    /// A block over the cap for one record: skipped, and its record's failure.
    fn skip_oversized(&mut self, length: u64, number: usize, offset: u64) -> std::io::Result<Step> {
        let skipped = std::io::copy(&mut (&mut self.stream).take(length), &mut std::io::sink())?;
        if skipped < length {
            self.done = true;
        } else {
            self.resync()?;
        }
        Ok(self.fail(
            number,
            offset,
            format!("{length} bytes: over the {MAX_RECORD}-byte cap for one record"),
        ))
    }

    /// Up to `length` bytes of a block (fewer at the end of the file), with
    /// where each part of it came from (a block read past its record may
    /// run into the next gzip member): (index in the block, position).
    fn read_body(&mut self, length: u64) -> std::io::Result<(Vec<u8>, Origins)> {
        let mut origins: Vec<(usize, u64)> = Vec::new();
        let mut body = Vec::with_capacity(length as usize);
        while (body.len() as u64) < length {
            if self.stream.fill_buf()?.is_empty() {
                break;
            }
            let origin = self.stream.position();
            if origins.last().is_none_or(|&(_, o)| o != origin) {
                origins.push((body.len(), origin));
            }
            let buf = self.stream.fill_buf()?;
            let n = buf.len().min((length - body.len() as u64) as usize);
            body.extend_from_slice(&buf[..n]);
            self.stream.consume(n);
        }
        Ok((body, origins))
    }

    /// After a whole block: its line ends `end`, then the next record. A
    /// length a little off is mended with a warning; one far off fails the
    /// record (`overlong`).
    fn block_end(
        &mut self,
        mut record: Record,
        origins: &[(usize, u64)],
        length: u64,
        end: &[u8],
    ) -> std::io::Result<Step> {
        let (number, offset) = (record.number, record.offset);
        // The block is followed by its line ends, then the next record.
        let (next, boundary) = match self.peek(end.len() + SLACK + 16) {
            Ok(n) => n,
            Err(e) => match broken(&e).map(|b| b.offset) {
                // This record's own member fails at its end (a checksum):
                // the record cannot be trusted.
                Some(at) if self.stream.gzip && at == offset => {
                    let (_, reason) = self.stream.take_broken().unwrap_or_default();
                    self.resync()?;
                    return Ok(self.fail(number, offset, reason));
                }
                // The next member is broken: this record is whole.
                Some(_) => return Ok(Step::Record(record)),
                None => return Err(e),
            },
        };
        let crlf = end == b"\r\n\r\n";
        if next.starts_with(end) || (crlf && next.starts_with(b"\n\n")) {
            let n = if next.starts_with(end) { end.len() } else { 2 };
            self.stream.consume(n);
            return Ok(Step::Record(record));
        }
        if next.is_empty() {
            record.warning = Some("no line ends after the block".into());
            return Ok(Step::Record(record));
        }
        for short in [&b"\r\n"[..], b"\n"] {
            let rest = &next[short.len().min(next.len())..];
            if crlf && next.starts_with(short) && (rest.is_empty() || self.starts_record(rest)) {
                self.stream.consume(short.len());
                record.warning = Some("block followed by one line end instead of two".into());
                return Ok(Step::Record(record));
            }
        }
        // The next record a few bytes on (or in the next gzip member):
        // Content-Length is short.
        let short = if boundary && next.len() <= SLACK + end.len() {
            Some(next.len())
        } else {
            next_record_in(&next, |l| self.starts_record(l)).filter(|&at| at <= SLACK + end.len())
        };
        if let Some(at) = short {
            let extra = &next[..at];
            let trimmed = trim_line_ends(extra);
            record.body.extend_from_slice(trimmed);
            self.stream.consume(at);
            record.warning = Some(format!(
                "Content-Length {length} is {} byte(s) short of the next record",
                trimmed.len()
            ));
            return Ok(Step::Record(record));
        }
        self.overlong(record, origins, length)
    }

    /// A block that does not end where its length says: the next record
    /// may start inside what was read as this block (it is put back), else
    /// reading resynchronises. The record fails either way.
    fn overlong(
        &mut self,
        mut record: Record,
        origins: &[(usize, u64)],
        length: u64,
    ) -> std::io::Result<Step> {
        let (number, offset) = (record.number, record.offset);
        // The length is too long: the next record may start inside what
        // was read as this block.
        let reason = format!("block does not end where Content-Length ({length}) says");
        if let Some(at) = next_record_in(&record.body, |l| self.starts_record(l)) {
            let origin = origins
                .iter()
                .rev()
                .find(|(i, _)| *i <= at)
                .map_or(offset, |&(i, o)| {
                    if self.stream.gzip || i == at {
                        o
                    } else {
                        o + (at - i) as u64
                    }
                });
            let tail = record.body.split_off(at);
            self.stream.unread(tail, origin);
            return Ok(self.fail(
                number,
                offset,
                format!("{reason}: the next record starts inside it"),
            ));
        }
        self.resync()?;
        Ok(self.fail(number, offset, reason))
    }
}

/// Where the parts of a block came from: (index in the block, position).
type Origins = Vec<(usize, u64)>;

/// The offset in `bytes` of the first line (after a line end) that starts
/// a record.
fn next_record_in(bytes: &[u8], starts: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'\n', &bytes[from..]) {
        let at = from + i + 1;
        if at < bytes.len() && starts(&bytes[at..]) {
            return Some(at);
        }
        from = at;
    }
    None
}

fn trim_line_ends(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|&c| c != b'\r' && c != b'\n')
        .map_or(0, |i| i + 1);
    &b[..end]
}

/// An ARC record header line: `URL IP DATE MIME LENGTH` (version 1) or
/// with five more fields before the length (version 2). The URL may hold
/// spaces, so fields are taken from the right.
fn arc_header(line: &[u8], fields: usize) -> Option<(String, String, String, String, u64)> {
    let (url, ip, date, mime, length) = arc_fields(line, fields)?;
    Some((
        url,
        ip.into(),
        date.into(),
        mime.into(),
        length.parse().ok()?,
    ))
}

/// The fields of a line shaped like an ARC header line (a URL, an address,
/// a date of digits, a type, and a last field that should be the length),
/// whether or not the length is a number: a header with a bad length is a
/// record's failure, not a line to skip.
fn arc_fields(line: &[u8], fields: usize) -> Option<(String, &str, &str, &str, &str)> {
    let line = std::str::from_utf8(line)
        .ok()?
        .trim_end_matches(['\r', '\n']);
    let parts: Vec<&str> = line.split(' ').collect();
    if parts.len() < fields || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let tail = &parts[parts.len() - (fields - 1)..];
    let url = parts[..parts.len() - (fields - 1)].join(" ");
    let (ip, date, mime, length) = (tail[0], tail[1], tail[2], tail[fields - 2]);
    let date_ok = date.len() >= 8 && date.bytes().all(|b| b.is_ascii_digit());
    let ip_ok = ip
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':');
    if !date_ok || !ip_ok || url.is_empty() || !url.contains(':') {
        return None;
    }
    Some((url, ip, date, mime, length))
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = std::io::Result<Result<Record, RecordFailure>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Step::Record(r)) => Some(Ok(Ok(r))),
            Ok(Step::Failure(f)) => Some(Ok(Err(f))),
            Ok(Step::End) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP payloads.

/// Which HTTP statuses are cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statuses(Vec<(u16, u16)>);

impl Default for Statuses {
    /// 2xx only.
    fn default() -> Statuses {
        Statuses(vec![(200, 299)])
    }
}

impl Statuses {
    /// Parses `2xx,404,300-399` or `all`.
    pub fn parse(s: &str) -> Result<Statuses, String> {
        let mut ranges = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad =
                || format!("--status: {part:?} is not a status, a range (300-399), NXX or `all`");
            let range = if part.eq_ignore_ascii_case("all") {
                (100, 999)
            } else if let Some(d) = part.strip_suffix("xx").or_else(|| part.strip_suffix("XX")) {
                let d: u16 = d.parse().map_err(|_| bad())?;
                if !(1..=9).contains(&d) {
                    return Err(bad());
                }
                (d * 100, d * 100 + 99)
            } else if let Some((a, b)) = part.split_once('-') {
                (
                    a.trim().parse().map_err(|_| bad())?,
                    b.trim().parse().map_err(|_| bad())?,
                )
            } else {
                let c: u16 = part.parse().map_err(|_| bad())?;
                (c, c)
            };
            ranges.push(range);
        }
        if ranges.is_empty() {
            return Err("--status: no status given".into());
        }
        Ok(Statuses(ranges))
    }

    fn allows(&self, code: u16) -> bool {
        self.0.iter().any(|&(a, b)| (a..=b).contains(&code))
    }
}

/// An HTTP response's head.
struct HttpHead {
    status: u16,
    headers: Vec<(String, String)>,
    /// Where the body starts in the block.
    body_at: usize,
}

impl HttpHead {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header that may be repeated, as one list.
    fn list(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// Parses the head of an HTTP response (`httparse`; header lines it cannot
/// read are left out rather than failing the record, as archivers keep what
/// servers sent).
fn http_head(block: &[u8]) -> Result<HttpHead, String> {
    let mut storage = vec![httparse::EMPTY_HEADER; 64];
    loop {
        let mut response = httparse::Response::new(&mut storage);
        let parsed = httparse::ParserConfig::default()
            .allow_spaces_after_header_name_in_responses(true)
            .allow_obsolete_multiline_headers_in_responses(true)
            .allow_multiple_spaces_in_response_status_delimiters(true)
            .ignore_invalid_headers_in_responses(true)
            .parse_response(&mut response, block);
        match parsed {
            Ok(httparse::Status::Complete(at)) => {
                return Ok(HttpHead {
                    status: response.code.unwrap_or(0),
                    headers: response
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).trim().to_string(),
                            )
                        })
                        .collect(),
                    body_at: at,
                });
            }
            Ok(httparse::Status::Partial) => {
                return Err("HTTP response head is cut off".into());
            }
            Err(httparse::Error::TooManyHeaders) if storage.len() < 4096 => {
                storage = vec![httparse::EMPTY_HEADER; storage.len() * 4];
            }
            Err(e) => return Err(format!("not an HTTP response: {e}")),
        }
    }
}

/// Undoes chunked transfer-encoding (chunk extensions and trailers
/// allowed). A body cut off inside a chunk keeps what it has.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        match httparse::parse_chunk_size(body) {
            Ok(httparse::Status::Complete((at, 0))) => {
                let _ = at;
                return Ok(out);
            }
            Ok(httparse::Status::Complete((at, size))) => {
                let data = &body[at..];
                let size = size.min(data.len() as u64) as usize;
                out.extend_from_slice(&data[..size]);
                body = &data[size..];
                body = body
                    .strip_prefix(b"\r\n")
                    .or_else(|| body.strip_prefix(b"\n"))
                    .unwrap_or(body);
                if body.is_empty() {
                    return Ok(out);
                }
            }
            Ok(httparse::Status::Partial) => return Ok(out),
            Err(_) if !out.is_empty() && body.iter().all(u8::is_ascii_whitespace) => {
                return Ok(out);
            }
            Err(_) => return Err("chunked body with a bad chunk-size line".into()),
        }
    }
}

/// Undoes one content-encoding, up to [`MAX_PAYLOAD`] bytes.
fn decode_content(coding: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    fn all(r: impl Read) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        r.take(MAX_PAYLOAD + 1).read_to_end(&mut out)?;
        if out.len() as u64 > MAX_PAYLOAD {
            return Err(std::io::Error::other(format!(
                "decodes to more than {MAX_PAYLOAD} bytes"
            )));
        }
        Ok(out)
    }
    let result = match coding {
        "identity" | "none" => return Ok(data.to_vec()),
        "gzip" | "x-gzip" => all(flate2::read::MultiGzDecoder::new(data)),
        // `deflate` is zlib by the standard, raw deflate by many servers.
        "deflate" => all(flate2::read::ZlibDecoder::new(data))
            .or_else(|_| all(flate2::read::DeflateDecoder::new(data))),
        "br" => all(brotli::Decompressor::new(data, 64 << 10)),
        "zstd" => zstd::Decoder::new(data).and_then(all),
        other => return Err(format!("unknown content-encoding {other:?}")),
    };
    result.map_err(|e| format!("{coding} payload does not decode: {e}"))
}

/// What becomes of a response record: decided while reading (cheap: the
/// record type, the HTTP status and content type), the decoding itself done
/// by the worker that cleans the page.
enum Outcome {
    /// An HTML payload to clean.
    Html(Plan),
    /// Passed over, with the reason counted in the summary.
    Skip(String),
}

/// How to get a record's HTML payload out of its block.
struct Plan {
    /// Where the payload starts in the block (after the HTTP head).
    body_at: usize,
    /// Chunked transfer-encoding to undo.
    chunked: bool,
    /// Content-codings, in the order they were applied.
    codings: Vec<String>,
    content_type: Option<String>,
    status: Option<u16>,
}

impl Plan {
    fn whole(content_type: Option<String>) -> Plan {
        Plan {
            body_at: 0,
            chunked: false,
            codings: Vec::new(),
            content_type,
            status: None,
        }
    }

    /// The decoded payload: the block itself (no copy) when nothing was
    /// encoded.
    fn decode<'b>(&self, block: &'b [u8]) -> Result<std::borrow::Cow<'b, [u8]>, String> {
        let mut data = std::borrow::Cow::Borrowed(&block[self.body_at..]);
        if self.chunked {
            data = std::borrow::Cow::Owned(dechunk(&data)?);
        }
        // Codings are listed in the order they were applied: undone backwards.
        for coding in self.codings.iter().rev() {
            if coding != "identity" {
                data = std::borrow::Cow::Owned(decode_content(coding, &data)?);
            }
        }
        Ok(data)
    }
}

/// Whether a content type is HTML (`text/html`, `application/xhtml+xml`;
/// names compared case-insensitively).
fn is_html(content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "text/html" || mime == "application/xhtml+xml" || mime.ends_with("+html")
}

/// How to get the payload of a record, or why it is passed over.
fn payload(rec: &Record, statuses: &Statuses) -> Result<Outcome, String> {
    let kind = rec
        .header("WARC-Type")
        .unwrap_or("(no WARC-Type)")
        .to_ascii_lowercase();
    match kind.as_str() {
        "response" => {}
        "resource" => {
            let ct = rec.header("Content-Type").map(str::to_string);
            return Ok(match ct {
                Some(ct) if is_html(&ct) => Outcome::Html(Plan::whole(Some(ct))),
                _ => Outcome::Skip("not HTML".into()),
            });
        }
        other => return Ok(Outcome::Skip(other.to_string())),
    }
    // A response record holds an HTTP message unless it says otherwise
    // (an ARC record of a non-HTTP URL holds the document itself).
    let record_type = rec
        .header("Content-Type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let http = record_type.starts_with("application/http")
        || rec.body.starts_with(b"HTTP/")
        || !(record_type.is_empty() || is_html(&record_type));
    if !http {
        return Ok(match record_type.as_str() {
            t if is_html(t) => {
                Outcome::Html(Plan::whole(rec.header("Content-Type").map(str::to_string)))
            }
            _ => Outcome::Skip("not HTML".into()),
        });
    }
    if !rec.body.starts_with(b"HTTP/") {
        return Ok(Outcome::Skip(format!("not HTTP ({record_type})")));
    }
    let head = http_head(&rec.body)?;
    if !statuses.allows(head.status) {
        return Ok(Outcome::Skip(format!("status {}", head.status)));
    }
    let content_type = head.header("Content-Type").map(str::to_string);
    if !content_type.as_deref().is_none_or(is_html) {
        return Ok(Outcome::Skip("not HTML".into()));
    }
    Ok(Outcome::Html(Plan {
        body_at: head.body_at,
        chunked: head
            .list("Transfer-Encoding")
            .iter()
            .any(|t| t == "chunked"),
        codings: head.list("Content-Encoding"),
        content_type,
        status: Some(head.status),
    }))
}

// ---------------------------------------------------------------------------
// Cleaning.

/// Cleans the HTML responses of a WARC or ARC stream into JSONL records
/// `{id, url, date, status, title, text}` (`removed` too with
/// `config.stats`). Other records are passed over and counted by reason;
/// broken ones are failures. Stops only on an I/O error.
pub fn run(
    cleaner: &Cleaner,
    input: impl BufRead + Send,
    output: &mut impl Write,
    config: &JsonlConfig,
    statuses: &Statuses,
) -> std::io::Result<JsonlSummary> {
    // Filled by the thread that reads the archive.
    let skipped = std::sync::Mutex::new(std::collections::BTreeMap::<String, usize>::new());
    let warnings = std::sync::Mutex::new(Vec::new());
    let reader = Reader::new(input)?;
    let items = reader.filter_map(|item| {
        let item = match item {
            Err(e) => return Some(Err(e)),
            Ok(Err(f)) => return Some(Ok(Err(f))),
            Ok(Ok(rec)) => rec,
        };
        if let Some(w) = &item.warning {
            warnings.lock().expect("not poisoned").push(RecordFailure {
                line: item.number,
                offset: item.offset,
                id: item.header("WARC-Record-ID").map(str::to_string),
                reason: w.clone(),
                record: None,
            });
        }
        match payload(&item, statuses) {
            Ok(Outcome::Skip(why)) => {
                *skipped
                    .lock()
                    .expect("not poisoned")
                    .entry(why)
                    .or_default() += 1;
                None
            }
            Ok(Outcome::Html(plan)) => Some(Ok(Ok((item, plan)))),
            Err(reason) => Some(Ok(Err(RecordFailure {
                line: item.number,
                offset: item.offset,
                id: item.header("WARC-Record-ID").map(str::to_string),
                record: Some(item.to_bytes()),
                reason,
            }))),
        }
    });
    let mut summary = run_ordered(items, output, config, |(rec, plan): (Record, Plan)| {
        let payload = plan.decode(&rec.body).map_err(|reason| RecordFailure {
            line: rec.number,
            offset: rec.offset,
            id: rec.header("WARC-Record-ID").map(str::to_string),
            record: Some(rec.to_bytes()),
            reason,
        })?;
        Ok(clean_response(
            cleaner,
            &rec,
            &payload,
            plan.content_type.as_deref(),
            plan.status,
            config,
        ))
    })?;
    summary.passed_over = skipped.into_inner().expect("not poisoned");
    summary.skipped = summary.passed_over.values().sum();
    summary.warnings = warnings.into_inner().expect("not poisoned");
    Ok(summary)
}

fn clean_response(
    cleaner: &Cleaner,
    rec: &Record,
    payload: &[u8],
    content_type: Option<&str>,
    status: Option<u16>,
    config: &JsonlConfig,
) -> (String, u64, u64) {
    let id = rec.header("WARC-Record-ID").map(str::to_string);
    let url = rec.header("WARC-Target-URI").map(|u| {
        // Some archivers write the URI in angle brackets (WARC/0.x style).
        u.trim_start_matches('<').trim_end_matches('>').to_string()
    });
    let site = config.site.clone().or_else(|| {
        url.as_deref()
            .and_then(|u| boilerstrip::site::Site::new(u, boilerstrip::site::SiteSource::Url))
    });
    let cleaned = cleaner.clean_http(payload, site.as_ref(), url.as_deref(), content_type);
    let bytes_out = cleaned.text.len() as u64;
    let mut out = serde_json::Map::new();
    out.insert(
        config.id_field.clone(),
        id.map_or(Value::Null, Value::String),
    );
    out.insert(
        config.url_field.clone(),
        url.map_or(Value::Null, Value::String),
    );
    if let Some(d) = rec.header("WARC-Date") {
        out.insert("date".into(), Value::String(d.to_string()));
    }
    if let Some(s) = status {
        out.insert("status".into(), Value::from(s));
    }
    if let Some(t) = &cleaned.title {
        out.insert("title".into(), Value::String(t.clone()));
    }
    crate::records::insert_output(cleaner, &cleaned, &mut out, &config.text_field);
    if config.stats {
        out.insert("removed".into(), cleaned.removed_counts());
    }
    (
        Value::Object(out).to_string(),
        payload.len() as u64,
        bytes_out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use boilerstrip::clean::Config;
    use boilerstrip::rules::RuleBook;

    const PARA: &str = "The regional rail operator said on Monday that it would add forty trains a day to the coastal line from next spring.";

    fn record(kind: &str, id: &str, uri: &str, block: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Target-URI: {uri}\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        )
    }

    fn response(html: &str) -> String {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}")
    }

    fn page(n: usize) -> String {
        response(&format!(
            "<html><head><title>Trains {n}</title></head><body><nav>Home</nav><p>{PARA} Part {n}.</p></body></html>"
        ))
    }

    fn cleaner() -> Cleaner {
        Cleaner::new(RuleBook::shipped().unwrap(), Config::default())
    }

    fn clean(archive: &[u8]) -> (Vec<Value>, JsonlSummary) {
        let mut out = Vec::new();
        let summary = run(
            &cleaner(),
            archive,
            &mut out,
            &JsonlConfig::default(),
            &Statuses::default(),
        )
        .unwrap();
        let records = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (records, summary)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn ids(records: &[Value]) -> Vec<&str> {
        records.iter().map(|r| r["id"].as_str().unwrap()).collect()
    }

    #[test]
    fn responses_are_cleaned_and_a_broken_record_is_skipped() {
        let good = page(1);
        let mut warc = record("warcinfo", "0", "", "software: test\r\n");
        warc += &record(
            "request",
            "1",
            "https://example.com/a",
            "GET /a HTTP/1.1\r\n\r\n",
        );
        warc += &record("response", "2", "https://example.com/a", &good);
        // A record whose length is wrong, then one with a header that is not one.
        // (More than a few bytes: a length a few bytes short is read, with a
        // warning.)
        warc += &format!(
            "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\n{}\r\n\r\n",
            "way more than five bytes ".repeat(5)
        );
        warc += "WARC/1.0\r\nthis is not a header\r\n\r\n";
        warc += &record(
            "response",
            "3",
            "https://example.com/img.png",
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\u{1}PNG",
        );
        warc += &record("response", "4", "https://example.com/b", &good);
        let (records, summary) = clean(warc.as_bytes());
        assert_eq!(records.len(), 2, "{records:?} {:?}", summary.failures);
        assert_eq!(records[0]["id"], "<urn:uuid:2>");
        assert_eq!(records[0]["url"], "https://example.com/a");
        assert_eq!(records[0]["title"], "Trains 1");
        assert_eq!(records[0]["text"], format!("{PARA} Part 1.\n"));
        assert_eq!(records[1]["id"], "<urn:uuid:4>");
        let reasons: Vec<&str> = summary.failures.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].contains("block does not end where Content-Length"));
        assert!(reasons[1].contains("bad header line"));
        assert_eq!(summary.skipped, 3, "warcinfo, request and the image");
    }

    #[test]
    fn a_truncated_archive_ends_with_a_failure() {
        let warc = record("response", "1", "https://example.com/a", &page(1));
        // More than a few bytes: a record a few bytes short of its length at
        // the end of the file is read, with a warning.
        let cut = &warc[..warc.len() - 100];
        let items: Vec<_> = Reader::new(cut.as_bytes())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(items.len(), 1);
        assert!(items[0].as_ref().unwrap_err().reason.contains("cut off"));
    }

    /// Three records, each its own gzip member, and the offset of each.
    fn three_members() -> (Vec<u8>, Vec<usize>) {
        let mut archive = Vec::new();
        let mut offsets = Vec::new();
        for n in 1..=3 {
            offsets.push(archive.len());
            let rec = record(
                "response",
                &n.to_string(),
                &format!("https://example.com/{n}"),
                &page(n),
            );
            archive.extend(gzip(rec.as_bytes()));
        }
        (archive, offsets)
    }

    #[test]
    fn a_warc_gz_cut_off_in_its_third_record_keeps_the_first_two() {
        let (archive, offsets) = three_members();
        let cut = &archive[..offsets[2] + 40];
        let (records, summary) = clean(cut);
        assert_eq!(ids(&records), ["<urn:uuid:1>", "<urn:uuid:2>"]);
        assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
        let f = &summary.failures[0];
        assert_eq!((f.line, f.offset), (3, offsets[2] as u64));
        assert!(f.reason.contains("cut off"), "{f:?}");
    }

    #[test]
    fn garbage_between_gzip_members_loses_nothing() {
        let (archive, offsets) = three_members();
        let mut bad = archive[..offsets[1]].to_vec();
        bad.extend_from_slice(b"some bytes that are no gzip member at all\n");
        bad.extend_from_slice(&archive[offsets[1]..]);
        let (records, summary) = clean(&bad);
        assert_eq!(
            ids(&records),
            ["<urn:uuid:1>", "<urn:uuid:2>", "<urn:uuid:3>"]
        );
        assert_eq!(summary.failures.len(), 1);
        assert_eq!(summary.failures[0].offset, offsets[1] as u64);
        assert!(
            summary.failures[0]
                .reason
                .contains("42 bytes that are not a gzip member")
        );
    }

    #[test]
    fn a_corrupt_member_is_a_failure_at_its_offset_and_the_next_is_read() {
        let (archive, offsets) = three_members();
        let mut bad = archive.clone();
        // Flip bytes inside the second member's deflate data.
        for b in &mut bad[offsets[1] + 20..offsets[1] + 40] {
            *b ^= 0x55;
        }
        let (records, summary) = clean(&bad);
        assert_eq!(ids(&records), ["<urn:uuid:1>", "<urn:uuid:3>"]);
        assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
        assert_eq!(summary.failures[0].offset, offsets[1] as u64);
    }

    #[test]
    fn a_broken_member_right_after_a_broken_record_is_reported_too() {
        let (archive, offsets) = three_members();
        // Record 1 loses its Content-Length; member 2 is corrupt.
        let rec1 = record("response", "1", "https://example.com/1", &page(1)).replacen(
            "Content-Length",
            "Content-Lenght",
            1,
        );
        let mut bad = gzip(rec1.as_bytes());
        let second = bad.len();
        let mut member2 = archive[offsets[1]..offsets[2]].to_vec();
        for b in &mut member2[20..40] {
            *b ^= 0x55;
        }
        bad.extend(member2);
        bad.extend_from_slice(&archive[offsets[2]..]);
        let (records, summary) = clean(&bad);
        assert_eq!(ids(&records), ["<urn:uuid:3>"]);
        let failed: Vec<(usize, u64)> = summary
            .failures
            .iter()
            .map(|f| (f.line, f.offset))
            .collect();
        assert_eq!(
            failed,
            [(1, 0), (2, second as u64)],
            "{:?}",
            summary.failures
        );
    }

    #[test]
    fn the_http_charset_decides_over_the_detector() {
        // These bytes read as French in windows-1252, which is what the
        // detector would say; the server said windows-1251, and wins.
        let body = b"<p>Le caf\xe9 du port ouvre \xe0 six heures, a dit le patron du caf\xe9 hier soir devant les clients.</p>";
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1251\r\n\r\n".to_vec();
        block.extend_from_slice(body);
        // The block holds bytes that are not UTF-8: built by hand.
        let mut warc2 = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        warc2.extend_from_slice(&block);
        warc2.extend_from_slice(b"\r\n\r\n");
        let (records, _) = clean(&warc2);
        assert_eq!(
            records[0]["text"],
            "Le cafй du port ouvre а six heures, a dit le patron du cafй hier soir devant les clients.\n"
        );
    }

    /// A record of `n`, broken in one of four ways (0 none), each its own
    /// gzip member.
    fn member(n: usize, broken: u8) -> Vec<u8> {
        let block = page(n);
        let mut rec = record(
            "response",
            &n.to_string(),
            &format!("https://example.com/{n}"),
            &block,
        );
        let length = format!("Content-Length: {}", block.len());
        match broken {
            3 => {
                rec = rec.replacen(
                    &length,
                    &format!("Content-Length: {}", block.len() + 300),
                    1,
                )
            }
            4 => rec = rec.replacen(&length, "Content-Lenght: 12", 1),
            _ => {}
        }
        let mut m = gzip(rec.as_bytes());
        match broken {
            1 => m[30..60].iter_mut().for_each(|b| *b ^= 0x5a),
            2 => m.truncate(m.len() / 2),
            5 => {
                let crc = m.len() - 8;
                m[crc] ^= 0xff;
            }
            _ => {}
        }
        m
    }

    #[test]
    fn any_two_broken_records_side_by_side_are_two_failures_at_their_offsets() {
        // 1 corrupt member, 2 member cut in half, 3 Content-Length 300 too
        // long, 4 no Content-Length, 5 a member that decodes whole but
        // fails its checksum.
        for a in 1..=5 {
            for b in 1..=5 {
                let kinds = [0, a, b, 0];
                let mut archive = Vec::new();
                let mut offsets = Vec::new();
                for (n, &k) in kinds.iter().enumerate() {
                    offsets.push(archive.len() as u64);
                    archive.extend(member(n + 1, k));
                }
                let (records, summary) = clean(&archive);
                let failed: Vec<(usize, u64)> = summary
                    .failures
                    .iter()
                    .map(|f| (f.line, f.offset))
                    .collect();
                assert_eq!(
                    (ids(&records), failed),
                    (
                        vec!["<urn:uuid:1>", "<urn:uuid:4>"],
                        vec![(2, offsets[1]), (3, offsets[2])]
                    ),
                    "kinds {a} then {b}: {:?}",
                    summary.failures
                );
            }
        }
    }

    #[test]
    fn a_member_broken_in_the_middle_of_a_line_does_not_hide_the_next_record() {
        // A member holding a record and the start of a line after it, that
        // then fails its checksum; then a good record, whose first line
        // must not be read as the end of that broken line.
        let rec =
            record("response", "2", "https://example.com/2", &page(2)) + "WARC/1.0\r\nWARC-Ty";
        let mut bad = gzip(rec.as_bytes());
        let crc = bad.len() - 8;
        bad[crc] ^= 0xff;
        let mut archive = member(1, 0);
        let second = archive.len() as u64;
        archive.extend(bad);
        archive.extend(member(3, 0));
        let (records, summary) = clean(&archive);
        assert_eq!(ids(&records), ["<urn:uuid:1>", "<urn:uuid:3>"]);
        let failed: Vec<(usize, u64)> = summary
            .failures
            .iter()
            .map(|f| (f.line, f.offset))
            .collect();
        assert_eq!(failed, [(2, second)], "{:?}", summary.failures);
    }

    #[test]
    fn a_content_length_too_long_fails_that_record_only() {
        for compressed in [false, true] {
            let recs: Vec<String> = (1..=3)
                .map(|n| {
                    record(
                        "response",
                        &n.to_string(),
                        &format!("https://example.com/{n}"),
                        &page(n),
                    )
                })
                .collect();
            let long = recs[1].replacen(
                &format!("Content-Length: {}", page(2).len()),
                &format!("Content-Length: {}", page(2).len() + 300),
                1,
            );
            let parts = [recs[0].clone(), long, recs[2].clone()];
            let archive: Vec<u8> = if compressed {
                parts.iter().flat_map(|p| gzip(p.as_bytes())).collect()
            } else {
                parts.concat().into_bytes()
            };
            let (records, summary) = clean(&archive);
            assert_eq!(
                ids(&records),
                ["<urn:uuid:1>", "<urn:uuid:3>"],
                "gzip {compressed}"
            );
            assert_eq!(summary.failures.len(), 1);
            let f = &summary.failures[0];
            assert_eq!(f.line, 2);
            assert_eq!(
                f.offset,
                if compressed {
                    gzip(parts[0].as_bytes()).len()
                } else {
                    parts[0].len()
                } as u64
            );
            assert!(
                f.reason.contains("the next record starts inside it"),
                "{f:?}"
            );
            assert_eq!(
                f.id.as_deref(),
                Some("<urn:uuid:2>"),
                "the id read is named"
            );
        }
    }
}
