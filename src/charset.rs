//! Which character encoding an HTML page is in: one decision for every
//! input path (files, JSONL records that carry a content type, WARC and ARC
//! responses).
//!
//! In order, the first that applies wins:
//!
//! 1. a byte-order mark (UTF-8, UTF-16LE, UTF-16BE);
//! 2. UTF-8, when the bytes are valid UTF-8 and hold non-ASCII: servers,
//!    templates and scrapers mislabel UTF-8 pages far more often than a
//!    legacy-encoded page happens to be valid UTF-8 (two or more bytes
//!    above 0x7F must fall into UTF-8's exact sequences);
//! 3. bytes that are all ASCII (no NUL, no ESC: UTF-16 and ISO-2022-JP
//!    text hold them) decode alike in every ASCII-compatible charset: UTF-8;
//! 4. the transport's charset (the HTTP `Content-Type` header, a record's
//!    content type), when it names one `encoding_rs` knows;
//! 5. a `<meta charset>` or `<meta http-equiv="Content-Type">` anywhere in
//!    the page's `<head>` (UTF-16 there means UTF-8, as browsers read it);
//! 6. a detector (`chardetng`, the one Firefox uses), told the site's
//!    top-level domain when it is known — never a blind windows-1252.
//!
//! Bytes that do not decode become U+FFFD: decoding is never an error.

use encoding_rs::Encoding;

/// Why an encoding was chosen (for tests and `explain`-style reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A byte-order mark.
    Bom,
    /// Valid UTF-8 with non-ASCII bytes.
    ValidUtf8,
    /// All ASCII: every ASCII-compatible charset reads it alike.
    Ascii,
    /// The transport's charset.
    Transport,
    /// A `<meta>` in the page's head.
    Meta,
    /// The detector's guess.
    Detected,
}

/// The encoding of an HTML page and why. `transport` is the charset the
/// transport declared (a bare label such as `windows-1251`, or a whole
/// `Content-Type` value); `tld` the site's top-level domain (`ru`, `jp`),
/// which the detector weighs.
pub fn detect(
    bytes: &[u8],
    transport: Option<&str>,
    tld: Option<&str>,
) -> (&'static Encoding, Source) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return (enc, Source::Bom);
    }
    let non_ascii = !bytes.is_ascii();
    if non_ascii && std::str::from_utf8(bytes).is_ok() {
        return (encoding_rs::UTF_8, Source::ValidUtf8);
    }
    if !non_ascii && memchr::memchr2(0, 0x1b, bytes).is_none() {
        return (encoding_rs::UTF_8, Source::Ascii);
    }
    if let Some(enc) = transport
        .map(|t| content_type_charset(t).unwrap_or(t))
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
    {
        return (enc, Source::Transport);
    }
    if let Some(enc) = meta_charset(bytes) {
        return (enc, Source::Meta);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let tld = tld.map(|t| t.rsplit('.').next().unwrap_or(t).to_ascii_lowercase());
    let enc = detector.guess(
        tld.as_deref().map(str::as_bytes),
        chardetng::Utf8Detection::Allow,
    );
    (enc, Source::Detected)
}

/// Decodes an HTML page (see [`detect`]); a byte-order mark is dropped.
pub fn decode(bytes: &[u8], transport: Option<&str>, tld: Option<&str>) -> String {
    let (enc, source) = detect(bytes, transport, tld);
    match source {
        Source::Bom => enc.decode_with_bom_removal(bytes).0.into_owned(),
        // Checked above: no copy through the decoder, and the standard
        // library's validator (the lossy one walks the page in chunks, a
        // third of the time the decode takes).
        Source::ValidUtf8 | Source::Ascii => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        },
        _ => enc.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// The `charset` parameter of a `Content-Type` value
/// (`text/html; charset="windows-1251"` → `windows-1251`).
pub fn content_type_charset(value: &str) -> Option<&str> {
    value.split(';').skip(1).find_map(|param| {
        let (name, v) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).trim())
            .filter(|v| !v.is_empty())
    })
}

/// How far into a page its `<head>` is looked through for a `<meta>`
/// charset: pages put scripts and styles before it, but a head longer than
/// this is rare.
const MAX_HEAD: usize = 256 << 10;

/// The charset a `<meta>` tag in the page's head declares: `<meta
/// charset=X>`, or `<meta http-equiv="Content-Type" content="…;
/// charset=X">`. The head ends at `</head>` or `<body`.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(MAX_HEAD)];
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'<', &head[at..]) {
        let tag = &head[at + i + 1..];
        at += i + 1;
        if tag.starts_with(b"!--") {
            // A comment: skip to its end.
            match memchr::memmem::find(tag, b"-->") {
                Some(end) => at += end + 3,
                None => break,
            }
            continue;
        }
        let name_len = tag
            .iter()
            .position(|b| !b.is_ascii_alphanumeric() && *b != b'/' && *b != b'!')
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        if name.eq_ignore_ascii_case(b"/head") || name.eq_ignore_ascii_case(b"body") {
            break;
        }
        if !name.eq_ignore_ascii_case(b"meta") {
            continue;
        }
        let end = memchr::memchr(b'>', tag).unwrap_or(tag.len());
        let attrs = Attributes(&tag[name_len..end]);
        let mut label = None;
        let mut http_equiv = false;
        let mut content = None;
        for (name, value) in attrs {
            if name.eq_ignore_ascii_case(b"charset") {
                label = label.or(Some(value));
            } else if name.eq_ignore_ascii_case(b"http-equiv") {
                http_equiv |= value.eq_ignore_ascii_case(b"content-type");
            } else if name.eq_ignore_ascii_case(b"content") {
                content = Some(value);
            }
        }
        let label = label.or_else(|| {
            let content = std::str::from_utf8(content.filter(|_| http_equiv)?).ok()?;
            let lower = content.to_ascii_lowercase();
            let i = lower.find("charset=")? + "charset=".len();
            let rest = content[i..].trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
                .unwrap_or(rest.len());
            Some(&rest.as_bytes()[..end])
        });
        if let Some(enc) = label.and_then(Encoding::for_label) {
            // A page that says UTF-16 in ASCII bytes is not UTF-16.
            return Some(
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    encoding_rs::UTF_8
                } else if enc == encoding_rs::X_USER_DEFINED {
                    encoding_rs::WINDOWS_1252
                } else {
                    enc
                },
            );
        }
    }
    None
}

/// The attributes of a tag, as `(name, value)` byte strings (values
/// unquoted; a bare attribute has an empty value).
struct Attributes<'a>(&'a [u8]);

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.0;
        let start = s
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != b'/')?;
        let s = &s[start..];
        let name_end = s
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'=' || *b == b'/')
            .unwrap_or(s.len());
        let name = &s[..name_end];
        let mut rest = &s[name_end..];
        let skip_ws = |r: &'a [u8]| -> &'a [u8] {
            let i = r
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(r.len());
            &r[i..]
        };
        rest = skip_ws(rest);
        let value: &[u8];
        if let Some(after) = rest.strip_prefix(b"=") {
            let after = skip_ws(after);
            match after.first() {
                Some(&q @ (b'"' | b'\'')) => {
                    let body = &after[1..];
                    let end = memchr::memchr(q, body).unwrap_or(body.len());
                    value = &body[..end];
                    rest = &body[(end + 1).min(body.len())..];
                }
                _ => {
                    let end = after
                        .iter()
                        .position(|b| b.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    value = &after[..end];
                    rest = &after[end..];
                }
            }
        } else {
            value = b"";
        }
        if name.is_empty() {
            // A stray character: step over it.
            self.0 = rest.get(1..).unwrap_or(b"");
            return self.next();
        }
        self.0 = rest;
        Some((name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(bytes: &[u8], transport: Option<&str>, tld: Option<&str>) -> (&'static str, Source) {
        let (e, s) = detect(bytes, transport, tld);
        (e.name(), s)
    }

    #[test]
    fn the_order_bom_utf8_ascii_transport_meta_detector() {
        let cyrillic_1251 = encoding_rs::WINDOWS_1251
            .encode("<p>Министерство транспорта объявило о новых поездах на линии.</p>")
            .0
            .into_owned();
        let latin1 = b"<p>Caf\xe9 cr\xe8me, fa\xe7ade et na\xefvet\xe9 du quartier.</p>".to_vec();
        let meta_latin1 = |body: &[u8]| {
            let mut v =
                b"<html><head><title>x</title><meta charset=\"iso-8859-1\"></head><body>".to_vec();
            v.extend_from_slice(body);
            v
        };
        let utf8_body = "<p>Café crème, façade et naïveté du quartier.</p>".as_bytes();
        type Case<'a> = (
            &'a str,
            Vec<u8>,
            Option<&'a str>,
            Option<&'a str>,
            (&'a str, Source),
        );
        let table: Vec<Case> = vec![
            ("UTF-8 BOM beats a transport label", [b"\xef\xbb\xbf".as_slice(), utf8_body].concat(), Some("windows-1252"), None, ("UTF-8", Source::Bom)),
            ("UTF-16LE BOM", b"\xff\xfe<\0p\0>\0".to_vec(), None, None, ("UTF-16LE", Source::Bom)),
            ("valid UTF-8 beats its meta", meta_latin1(utf8_body), None, None, ("UTF-8", Source::ValidUtf8)),
            ("valid UTF-8 beats the transport", utf8_body.to_vec(), Some("text/html; charset=iso-8859-1"), None, ("UTF-8", Source::ValidUtf8)),
            ("ASCII is ASCII whatever is declared", b"<p>plain</p>".to_vec(), Some("utf-16"), None, ("UTF-8", Source::Ascii)),
            ("transport charset of a Content-Type", cyrillic_1251.clone(), Some("text/html; charset=\"windows-1251\""), None, ("windows-1251", Source::Transport)),
            ("a bare transport label", latin1.clone(), Some("ISO-8859-1"), None, ("windows-1252", Source::Transport)),
            ("transport beats meta", meta_latin1(&cyrillic_1251), Some("text/html; charset=windows-1251"), None, ("windows-1251", Source::Transport)),
            ("unknown transport label: meta", meta_latin1(&latin1), Some("text/html; charset=no-such"), None, ("windows-1252", Source::Meta)),
            ("meta late in a long head", [b"<html><head>".as_slice(), &b"<script>var a = 1;</script>".repeat(200), b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1250\"></head><body>\xe8esk\xe9</body>"].concat(), None, None, ("windows-1250", Source::Meta)),
            ("a meta in the body does not count", [b"<html><head></head><body><meta charset=\"shift_jis\">".as_slice(), &cyrillic_1251].concat(), None, Some("ru"), ("windows-1251", Source::Detected)),
            ("a commented-out meta does not count", [b"<head><!-- <meta charset=\"gbk\"> --></head>".as_slice(), &cyrillic_1251].concat(), None, Some("ru"), ("windows-1251", Source::Detected)),
            ("meta utf-16 means UTF-8", [b"<head><meta charset=utf-16></head>".as_slice(), b"caf\xe9"].concat(), None, None, ("UTF-8", Source::Meta)),
            ("gbk by meta", [b"<head><meta charset=gbk></head>".as_slice(), &encoding_rs::GBK.encode("北京市交通委员会").0].concat(), None, None, ("GBK", Source::Meta)),
            ("no label: the detector, not windows-1252", cyrillic_1251.clone(), None, None, ("windows-1251", Source::Detected)),
            ("shift_jis by the detector", encoding_rs::SHIFT_JIS.encode("東京都は新しい電車の運行を発表しました。").0.into_owned(), None, Some("jp"), ("Shift_JIS", Source::Detected)),
            ("euc-kr by the detector", encoding_rs::EUC_KR.encode("서울시는 새로운 지하철 노선을 발표했습니다.").0.into_owned(), None, Some("kr"), ("EUC-KR", Source::Detected)),
        ];
        for (what, bytes, transport, tld, want) in table {
            assert_eq!(enc(&bytes, transport, tld), want, "{what}");
        }
    }

    #[test]
    fn decoding_drops_the_bom_and_never_fails() {
        assert_eq!(decode(b"\xef\xbb\xbfabc", None, None), "abc");
        assert_eq!(decode(b"\xfe\xff\0a\0b", None, None), "ab");
        let s = decode(b"caf\xe9", Some("utf-8"), None);
        assert_eq!(s, "caf\u{fffd}");
        assert_eq!(
            content_type_charset("text/html; Charset='KOI8-R' ; x=y"),
            Some("KOI8-R")
        );
        assert_eq!(content_type_charset("text/html"), None);
    }
}
