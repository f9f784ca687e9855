//! A file's bytes -> text, decoded as the tool that reads its format decodes it: pip for requirements files, conda
//! for `environment.yml`, UTF-8 for the TOML, JSON and YAML lockfiles.
//!
//! The decoded text keeps a byte order mark as `U+FEFF` (the parsers skip it, and positions count columns after
//! it), so it is the same text whatever encoding the file was saved in, and the [`SourceFile`] remembers the
//! [`Encoding`] to write text back in. A file that cannot be decoded yields its text decoded lossily (every invalid
//! sequence a `U+FFFD`) and a [`DecodeError`] at the first bad byte; a parser must not interpret it.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use nplint_diagnostics::{Encoding, Location, SourceFile, Span};

use crate::Issue;

/// How a format's tool turns bytes into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoding {
    /// UTF-8, with or without a byte order mark: `tomllib` and uv for TOML, pipenv (`utf-8-sig`) for
    /// `Pipfile.lock` and `Pipfile`, the YAML lockfiles' readers.
    Utf8,
    /// pip's `_decode_req_file` (`req_file.py`, pip 25.0 and later; `auto_decode` in `utils/encoding.py` before):
    /// a byte order mark, else a PEP 263 `coding:` comment on one of the first two lines, else UTF-8.
    ///
    /// Where nplint differs: pip falls back to the locale's encoding (`locale.getpreferredencoding`, cp1252 on
    /// many Windows machines) when UTF-8 fails, with a warning; nplint reads no environment, and a result that
    /// depends on the machine is no check of the file, so it reports the invalid byte. pip before 25.0 decoded
    /// with the locale's encoding first and tested UTF-16's byte order marks before UTF-32's, so a UTF-32-LE file
    /// (whose mark starts with UTF-16-LE's) was read as UTF-16; nplint follows the fixed order. After a
    /// UTF-16-LE or UTF-32-LE mark pip decodes the rest with Python's `utf-16`/`utf-32` codecs, which drop one
    /// more leading `U+FEFF`; nplint keeps it (it stands at the start of the first line, where pip's requirement
    /// would be read without it). Python knows many more codecs than nplint decodes; a file declaring another one
    /// is reported, not guessed at.
    Pip,
    /// conda's `load_file` (`conda/env/env.py`): UTF-8, else Python's `utf-16` codec, which reads a byte order
    /// mark and otherwise assumes little-endian.
    ///
    /// Where nplint differs: without a byte order mark, bytes that are not UTF-8 are far more often a file saved
    /// in an 8-bit encoding than UTF-16, which conda turns into unrelated characters and then fails to parse as
    /// YAML. nplint reads UTF-16 only after its byte order mark (what editors and PowerShell write) and otherwise
    /// reports the invalid UTF-8 byte.
    Conda,
}

/// Why a file's bytes could not be decoded.
#[derive(Debug, Clone)]
pub(crate) struct DecodeError {
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// The first bad byte's replacement in the lossily decoded text, or the unsupported encoding's name.
    pub span: Span,
    /// Where the file declares the encoding it was decoded with, when it does.
    pub declared_at: Option<Span>,
}

impl DecodeError {
    pub(crate) fn issue(&self, source: &Arc<SourceFile>) -> Issue {
        let mut issue = Issue::invalid(&self.message, Location::new(source.clone(), self.span))
            .with_label(&self.label);
        if let Some(help) = &self.help {
            issue = issue.with_help(help);
        }
        if let Some(declared) = self.declared_at {
            issue = issue.with_related(
                Location::new(source.clone(), declared),
                "the file declares its encoding here",
            );
        }
        issue
    }
}

/// Byte order marks in pip's order of testing: UTF-32-LE's before UTF-16-LE's, which it starts with.
const BOMS: [(&[u8], Encoding); 5] = [
    (b"\xef\xbb\xbf", Encoding::Utf8),
    (b"\xff\xfe\x00\x00", Encoding::Utf32Le),
    (b"\x00\x00\xfe\xff", Encoding::Utf32Be),
    (b"\xff\xfe", Encoding::Utf16Le),
    (b"\xfe\xff", Encoding::Utf16Be),
];

/// Decode `bytes`, read from `path`, as `decoding` says.
pub(crate) fn decode(
    path: &Path,
    bytes: Vec<u8>,
    decoding: Decoding,
) -> (Arc<SourceFile>, Option<DecodeError>) {
    // The common case, whatever the format: UTF-8, with or without its byte order mark, and no coding comment
    // that could name another encoding.
    let bytes = match String::from_utf8(bytes) {
        Ok(text) if decoding != Decoding::Pip || declaration(text.as_bytes()).is_none() => {
            return (SourceFile::new(path, text), None);
        }
        Ok(text) => text.into_bytes(),
        Err(error) => error.into_bytes(),
    };
    let (text, encoding, error) = match decoding {
        Decoding::Utf8 => with_bom(&bytes, Encoding::Utf8, &[]),
        Decoding::Conda => with_bom(&bytes, Encoding::Utf8, &BOMS[3..]),
        Decoding::Pip => pip(&bytes),
    };
    (SourceFile::decoded(path, text, encoding), error)
}

/// Decode after the first of `boms` that `bytes` start with, or as `default`.
fn with_bom(
    bytes: &[u8],
    default: Encoding,
    boms: &[(&[u8], Encoding)],
) -> (String, Encoding, Option<DecodeError>) {
    let (encoding, bom) = boms
        .iter()
        .find(|(bom, _)| bytes.starts_with(bom))
        .map_or((default, &[][..]), |&(bom, encoding)| (encoding, bom));
    let mut text = String::with_capacity(bytes.len());
    let rest = if bom.is_empty() {
        bytes
    } else {
        text.push('\u{feff}');
        &bytes[bom.len()..]
    };
    let bad = decode_into(encoding, rest, &mut text);
    let error = bad.map(|at| {
        let help = if bom.is_empty() {
            "save the file as UTF-8".to_owned()
        } else {
            format!("the file starts with the byte order mark of {encoding}")
        };
        invalid(encoding, at, Some(help), None)
    });
    (text, encoding, error)
}

/// pip's decoding: byte order mark, else PEP 263 declaration, else UTF-8.
fn pip(bytes: &[u8]) -> (String, Encoding, Option<DecodeError>) {
    if BOMS.iter().any(|(bom, _)| bytes.starts_with(bom)) {
        return with_bom(bytes, Encoding::Utf8, &BOMS);
    }
    let Some(name) = declaration(bytes) else {
        let mut text = String::with_capacity(bytes.len());
        let error = decode_into(Encoding::Utf8, bytes, &mut text).map(|at| {
            let help = "save the file as UTF-8, or declare its encoding on its first line, as in \
                        `# -*- coding: cp1252 -*-`";
            invalid(Encoding::Utf8, at, Some(help.to_owned()), None)
        });
        return (text, Encoding::Utf8, error);
    };
    // The name is ASCII and follows ASCII text, so the lossy text has it at the offset of its lossy prefix.
    let name_text = String::from_utf8_lossy(&bytes[name.clone()]).into_owned();
    let Some(encoding) = python_codec(&name_text) else {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let start = String::from_utf8_lossy(&bytes[..name.start]).len();
        let error = DecodeError {
            message: format!("unsupported encoding `{name_text}`"),
            label: "not an encoding nplint decodes".to_owned(),
            help: Some(
                "nplint decodes UTF-8, UTF-16, UTF-32, ASCII, latin-1 and cp1252; pip fails on a name Python \
                 does not know"
                    .to_owned(),
            ),
            span: Span::from_range(start..start + name_text.len()),
            declared_at: None,
        };
        return (text, Encoding::Utf8, Some(error));
    };
    let mut text = String::with_capacity(bytes.len());
    let bad = decode_into(encoding, bytes, &mut text);
    let error = bad.map(|at| {
        // In an encoding that keeps ASCII as it is, the declaration stands where its decoded prefix ends.
        let declared_at = (!matches!(
            encoding,
            Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Utf32Le | Encoding::Utf32Be
        ))
        .then(|| {
            let mut prefix = String::new();
            decode_into(encoding, &bytes[..name.start], &mut prefix);
            Span::from_range(prefix.len()..prefix.len() + name.len())
        });
        invalid(encoding, at, None, declared_at)
    });
    (text, encoding, error)
}

fn invalid(
    encoding: Encoding,
    at: usize,
    help: Option<String>,
    declared_at: Option<Span>,
) -> DecodeError {
    DecodeError {
        message: format!("file is not valid {encoding}"),
        label: "invalid byte sequence".to_owned(),
        help,
        span: Span::from_range(at..at + '\u{fffd}'.len_utf8()),
        declared_at,
    }
}

/// The byte range of the encoding name a PEP 263 comment declares, as pip finds it: on one of the first two lines
/// (split at `\n`) that starts with `#`, the first match of `coding[:=]\s*([-\w.]+)` (bytes: ASCII classes).
fn declaration(bytes: &[u8]) -> Option<Range<usize>> {
    let mut line_start = 0;
    for line in bytes.split(|&b| b == b'\n').take(2) {
        if line.first() == Some(&b'#') {
            let found = line.windows(6).enumerate().find_map(|(at, word)| {
                if word != b"coding" || !matches!(line.get(at + 6), Some(b':' | b'=')) {
                    return None;
                }
                let mut start = at + 7;
                // Python's `\s` on bytes: space, \t, \n, \r, \f, \v.
                while line
                    .get(start)
                    .is_some_and(|b| matches!(b, b' ' | b'\t'..=b'\r'))
                {
                    start += 1;
                }
                let len = line[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                    .count();
                (len > 0).then_some(start..start + len)
            });
            if let Some(range) = found {
                return Some(line_start + range.start..line_start + range.end);
            }
        }
        line_start += line.len() + 1;
    }
    None
}

/// The codec Python's `codecs.lookup` finds for `name`, among those nplint decodes.
///
/// Python lowercases the name, turns every run of characters other than letters, digits and `.` into one `_`
/// (none at the ends: `encodings.normalize_encoding`), and looks the result up among its aliases (also with `.`
/// read as `_`) and then its codec modules. The names are CPython 3.11's `encodings.aliases` for these codecs,
/// and the codecs' module names.
fn python_codec(name: &str) -> Option<Encoding> {
    let mut normalized = String::with_capacity(name.len());
    let mut punctuation = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if punctuation && !normalized.is_empty() {
                normalized.push('_');
            }
            normalized.push(c.to_ascii_lowercase());
            punctuation = false;
        } else {
            punctuation = true;
        }
    }
    let alias = |name: &str| {
        Some(match name {
            "cp65001" | "u8" | "utf" | "utf8" | "utf8_ucs2" | "utf8_ucs4" => Encoding::Utf8,
            "8859" | "cp819" | "csisolatin1" | "ibm819" | "iso8859" | "iso8859_1"
            | "iso_8859_1" | "iso_8859_1_1987" | "iso_ir_100" | "l1" | "latin" | "latin1" => {
                Encoding::Latin1
            }
            "646" | "ansi_x3.4_1968" | "ansi_x3.4_1986" | "ansi_x3_4_1968" | "cp367"
            | "csascii" | "ibm367" | "iso646_us" | "iso_646.irv_1991" | "iso_ir_6" | "us"
            | "us_ascii" => Encoding::Ascii,
            "1252" | "windows_1252" => Encoding::Cp1252,
            // Python's `utf-16` and `utf-32` read a byte order mark (there is none here: pip tested for one
            // first) and otherwise the machine's byte order, little-endian wherever pip runs on x86 or ARM.
            "u16" | "utf16" | "unicodelittleunmarked" | "utf_16le" => Encoding::Utf16Le,
            "unicodebigunmarked" | "utf_16be" => Encoding::Utf16Be,
            "u32" | "utf32" | "utf_32le" => Encoding::Utf32Le,
            "utf_32be" => Encoding::Utf32Be,
            _ => return None,
        })
    };
    let module = |name: &str| {
        Some(match name {
            // `utf_8_sig` drops a byte order mark, and there is none here.
            "utf_8" | "utf_8_sig" => Encoding::Utf8,
            "latin_1" | "iso8859_1" => Encoding::Latin1,
            "ascii" => Encoding::Ascii,
            "cp1252" => Encoding::Cp1252,
            "utf_16" | "utf_16_le" => Encoding::Utf16Le,
            "utf_16_be" => Encoding::Utf16Be,
            "utf_32" | "utf_32_le" => Encoding::Utf32Le,
            "utf_32_be" => Encoding::Utf32Be,
            _ => return None,
        })
    };
    alias(&normalized)
        .or_else(|| alias(&normalized.replace('.', "_")))
        .or_else(|| module(&normalized))
}

/// Python's cp1252 for bytes 0x80 to 0x9F (the rest is latin-1); `None` where Python leaves a byte undefined
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D), which it refuses to decode. Copied from `bytes([b]).decode("cp1252")`.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('\u{20ac}'),
    None,
    Some('\u{201a}'),
    Some('\u{0192}'),
    Some('\u{201e}'),
    Some('\u{2026}'),
    Some('\u{2020}'),
    Some('\u{2021}'),
    Some('\u{02c6}'),
    Some('\u{2030}'),
    Some('\u{0160}'),
    Some('\u{2039}'),
    Some('\u{0152}'),
    None,
    Some('\u{017d}'),
    None,
    None,
    Some('\u{2018}'),
    Some('\u{2019}'),
    Some('\u{201c}'),
    Some('\u{201d}'),
    Some('\u{2022}'),
    Some('\u{2013}'),
    Some('\u{2014}'),
    Some('\u{02dc}'),
    Some('\u{2122}'),
    Some('\u{0161}'),
    Some('\u{203a}'),
    Some('\u{0153}'),
    None,
    Some('\u{017e}'),
    Some('\u{0178}'),
];

/// Append `bytes` decoded as `encoding` to `out`, each invalid sequence as `U+FFFD`; the offset in `out` of the
/// first one.
fn decode_into(encoding: Encoding, bytes: &[u8], out: &mut String) -> Option<usize> {
    let mut first_bad = None;
    let mut push = |out: &mut String, c: Option<char>| {
        if let Some(c) = c {
            out.push(c);
        } else {
            first_bad.get_or_insert(out.len());
            out.push('\u{fffd}');
        }
    };
    match encoding {
        Encoding::Utf8 => {
            match std::str::from_utf8(bytes) {
                Ok(text) => out.push_str(text),
                Err(error) => {
                    // The lossy text is identical up to `valid_up_to`; a replacement character stands there.
                    first_bad = Some(out.len() + error.valid_up_to());
                    out.push_str(&String::from_utf8_lossy(bytes));
                }
            }
        }
        Encoding::Latin1 => out.extend(bytes.iter().map(|&b| char::from(b))),
        Encoding::Ascii => {
            for &b in bytes {
                push(out, b.is_ascii().then_some(char::from(b)));
            }
        }
        Encoding::Cp1252 => {
            for &b in bytes {
                let c = match b {
                    0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
                    _ => Some(char::from(b)),
                };
                push(out, c);
            }
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let chunks = bytes.chunks_exact(2);
            let truncated = !chunks.remainder().is_empty();
            let units = chunks.map(|pair| {
                let pair = [pair[0], pair[1]];
                if encoding == Encoding::Utf16Le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            });
            for c in char::decode_utf16(units) {
                push(out, c.ok());
            }
            if truncated {
                push(out, None);
            }
        }
        Encoding::Utf32Le | Encoding::Utf32Be => {
            let chunks = bytes.chunks_exact(4);
            let truncated = !chunks.remainder().is_empty();
            for quad in chunks {
                let quad = [quad[0], quad[1], quad[2], quad[3]];
                let code = if encoding == Encoding::Utf32Le {
                    u32::from_le_bytes(quad)
                } else {
                    u32::from_be_bytes(quad)
                };
                // Like Python, surrogates and code points past U+10FFFF are errors.
                push(out, char::from_u32(code));
            }
            if truncated {
                push(out, None);
            }
        }
    }
    first_bad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pip_text(bytes: &[u8]) -> (String, Encoding, Option<DecodeError>) {
        let (source, error) = decode(Path::new("r.txt"), bytes.to_vec(), Decoding::Pip);
        (source.text().to_owned(), source.encoding(), error)
    }

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn byte_order_marks_in_pips_order() {
        let text = "numpy==1.26.4\n";
        let marked = |mark: &[u8], encoded: Vec<u8>| [mark.to_vec(), encoded].concat();
        let utf16 = |big: bool| -> Vec<u8> {
            text.encode_utf16()
                .flat_map(|unit| {
                    if big {
                        unit.to_be_bytes()
                    } else {
                        unit.to_le_bytes()
                    }
                })
                .collect()
        };
        let utf32 = |big: bool| -> Vec<u8> {
            text.chars()
                .flat_map(|c| {
                    if big {
                        u32::from(c).to_be_bytes()
                    } else {
                        u32::from(c).to_le_bytes()
                    }
                })
                .collect()
        };
        for (bytes, encoding) in [
            (
                marked(b"\xef\xbb\xbf", text.as_bytes().to_vec()),
                Encoding::Utf8,
            ),
            (marked(b"\xff\xfe", utf16(false)), Encoding::Utf16Le),
            (marked(b"\xfe\xff", utf16(true)), Encoding::Utf16Be),
            // Its mark starts with UTF-16-LE's: pip before 25.0 read it as UTF-16.
            (marked(b"\xff\xfe\x00\x00", utf32(false)), Encoding::Utf32Le),
            (marked(b"\x00\x00\xfe\xff", utf32(true)), Encoding::Utf32Be),
        ] {
            let (decoded, found, error) = pip_text(&bytes);
            assert!(error.is_none(), "{encoding}");
            assert_eq!(found, encoding);
            assert_eq!(decoded, format!("\u{feff}{text}"), "{encoding}");
        }
    }

    #[test]
    fn coding_declarations() {
        // latin-1 is ISO-8859-1, not windows-1252: 0x80 is U+0080.
        let (text, encoding, error) =
            pip_text(b"# -*- coding: latin-1 -*-\n# caf\xe9 \x80\nnumpy\n");
        assert!(error.is_none());
        assert_eq!(encoding, Encoding::Latin1);
        assert_eq!(
            text,
            "# -*- coding: latin-1 -*-\n# caf\u{e9} \u{80}\nnumpy\n"
        );
        // On the second line, and in cp1252, whose 0x80 is the euro sign.
        let (text, encoding, _) = pip_text(b"#!/bin/true\n#coding=cp1252\n# \x80\n");
        assert_eq!(encoding, Encoding::Cp1252);
        assert!(text.ends_with("# \u{20ac}\n"));
        // Not on the third line, and not on a line that does not start with `#`.
        assert_eq!(pip_text(b"#\n#\n# coding: latin-1\n").1, Encoding::Utf8);
        assert_eq!(pip_text(b" # coding: latin-1\n").1, Encoding::Utf8);
        // `encoding:` contains `coding:`; a UTF-16 name on ASCII text decodes as Python's codec would.
        assert_eq!(
            pip_text(b"# vim: set fileencoding=ascii :\n").1,
            Encoding::Ascii
        );
        // `b"# coding: utf-16\nabc".decode("utf-16")` in CPython 3.11.7.
        let (text, encoding, error) = pip_text(b"# coding: utf-16\nabc");
        assert!(error.is_none());
        assert_eq!(encoding, Encoding::Utf16Le);
        assert_eq!(
            text,
            "\u{2023}\u{6f63}\u{6964}\u{676e}\u{203a}\u{7475}\u{2d66}\u{3631}\u{610a}\u{6362}"
        );
    }

    #[test]
    fn codec_names_as_python_looks_them_up() {
        // Each checked with `codecs.lookup(name)` in CPython 3.11.7.
        for (name, expected) in [
            ("UTF-8", Some(Encoding::Utf8)),
            ("utf--8", Some(Encoding::Utf8)),
            ("-utf-8-", Some(Encoding::Utf8)),
            ("u8", Some(Encoding::Utf8)),
            ("cp65001", Some(Encoding::Utf8)),
            ("utf-8-sig", Some(Encoding::Utf8)),
            ("utf.8", None),
            ("latin-1", Some(Encoding::Latin1)),
            ("Latin_1", Some(Encoding::Latin1)),
            ("iso-8859-1", Some(Encoding::Latin1)),
            ("ISO8859-1", Some(Encoding::Latin1)),
            ("iso.8859.1", Some(Encoding::Latin1)),
            ("l1", Some(Encoding::Latin1)),
            ("8859", Some(Encoding::Latin1)),
            ("latin.1", None),
            ("windows-1252", Some(Encoding::Cp1252)),
            ("windows.1252", Some(Encoding::Cp1252)),
            ("cp-1252", None),
            ("us-ascii", Some(Encoding::Ascii)),
            ("utf-16", Some(Encoding::Utf16Le)),
            ("utf-16le", Some(Encoding::Utf16Le)),
            ("utf16le", None),
            ("unicodelittleunmarked", Some(Encoding::Utf16Le)),
            ("UTF-32-BE", Some(Encoding::Utf32Be)),
            ("koi8-r", None),
            ("foo", None),
        ] {
            assert_eq!(python_codec(name), expected, "{name}");
        }
    }

    #[test]
    fn errors_are_located() {
        // UTF-8, as before: the bad byte's replacement.
        let (source, error) = decode(
            Path::new("r.txt"),
            b"numpy\nsci\xffpy\n".to_vec(),
            Decoding::Pip,
        );
        let error = error.expect("invalid");
        assert_eq!(error.span.start, 9);
        assert_eq!(source.position(error.span.start).line, 2);
        assert_eq!(source.position(error.span.start).column, 4);
        assert_eq!(error.message, "file is not valid UTF-8");
        // An undefined cp1252 byte, after decoded non-ASCII text, at its character.
        let (source, error) = decode(
            Path::new("r.txt"),
            b"# coding: cp1252\n\x80 \x81\n".to_vec(),
            Decoding::Pip,
        );
        let error = error.expect("invalid");
        assert_eq!(error.message, "file is not valid cp1252");
        let position = source.position(error.span.start);
        assert_eq!((position.line, position.column), (2, 3));
        assert_eq!(
            &source.text()[error.declared_at.expect("declared").range()],
            "cp1252"
        );
        // Non-ASCII in ASCII, and an unpaired surrogate in UTF-16.
        assert!(pip_text(b"# coding: ascii\n\xe9\n").2.is_some());
        let mut bytes = b"\xff\xfe".to_vec();
        bytes.extend(utf16le("a\n"));
        bytes.extend([0x00, 0xd8, b'b', 0x00]);
        let (text, _, error) = pip_text(&bytes);
        assert_eq!(text, "\u{feff}a\n\u{fffd}b");
        assert_eq!(error.expect("invalid").span.start, 5);
        // An odd byte at the end of UTF-16.
        assert!(pip_text(b"\xff\xfea\x00b").2.is_some());
    }

    #[test]
    fn unsupported_names_point_at_the_name() {
        let (source, error) = decode(
            Path::new("r.txt"),
            b"# caf\xe9\n# coding: koi8-r\n".to_vec(),
            Decoding::Pip,
        );
        let error = error.expect("unsupported");
        assert_eq!(error.message, "unsupported encoding `koi8-r`");
        assert_eq!(&source.text()[error.span.range()], "koi8-r");
        let position = source.position(error.span.start);
        assert_eq!((position.line, position.column), (2, 11));
    }

    #[test]
    fn conda_reads_utf16_after_its_mark_only() {
        let mut bytes = b"\xff\xfe".to_vec();
        bytes.extend(utf16le("name: x\n"));
        let (source, error) = decode(Path::new("environment.yml"), bytes, Decoding::Conda);
        assert!(error.is_none());
        assert_eq!(source.text(), "\u{feff}name: x\n");
        assert_eq!(source.encoding(), Encoding::Utf16Le);
        // Without the mark, and for the UTF-8-only formats, it is not UTF-8.
        let (_, error) = decode(
            Path::new("environment.yml"),
            utf16le("name: \u{e9}\n"),
            Decoding::Conda,
        );
        assert_eq!(error.expect("invalid").message, "file is not valid UTF-8");
        let mut bytes = b"\xff\xfe".to_vec();
        bytes.extend(utf16le("[project]\n"));
        let (_, error) = decode(Path::new("pyproject.toml"), bytes, Decoding::Utf8);
        assert!(error.is_some());
        // A coding comment means nothing to TOML.
        let (source, error) = decode(
            Path::new("pyproject.toml"),
            b"# coding: latin-1\n".to_vec(),
            Decoding::Utf8,
        );
        assert!(error.is_none());
        assert_eq!(source.encoding(), Encoding::Utf8);
    }
}
