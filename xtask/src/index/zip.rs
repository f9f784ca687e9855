//! Reading single members of a remote zip archive (a wheel) with range reads, as pip's and uv's lazy wheels do:
//! the end of central directory record (and its ZIP64 form), the central directory, then one member's local
//! header and data.

use std::io::Read;

use anyhow::{Context, Result, bail, ensure};

/// Bytes of a file that is read by ranges.
pub trait ByteSource {
    /// `len` bytes from `start`; fewer only at the end of the file.
    fn read_at(&self, start: u64, len: u64) -> Result<Vec<u8>>;
}

/// How much of the end of a file is read first: the end of central directory record with the longest possible
/// comment (22 + 65,535 bytes), which in practice also holds the central directory of a small wheel.
const TAIL: u64 = 22 + 65_535;
/// Members larger than this are refused: a metadata file is a few kilobytes.
const MAX_MEMBER: u64 = 32 * 1024 * 1024;

/// One central directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    uncompressed_size: u64,
    local_header_offset: u64,
}

/// A zip archive's central directory, read from its end.
#[derive(Debug)]
pub struct Archive<'a, S> {
    source: &'a S,
    size: u64,
    pub entries: Vec<Entry>,
}

impl<'a, S: ByteSource> Archive<'a, S> {
    /// Reads the central directory of a file of `size` bytes.
    pub fn open(source: &'a S, size: u64) -> Result<Self> {
        let tail_start = size.saturating_sub(TAIL);
        let tail = source.read_at(tail_start, size - tail_start)?;
        let eocd =
            find_eocd(&tail).context("no end of central directory record: not a zip file")?;
        let record = &tail[eocd..];
        let mut entries = u64::from(le16(record, 10));
        let mut cd_size = u64::from(le32(record, 12));
        let mut cd_offset = u64::from(le32(record, 16));
        if entries == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
            // ZIP64: a locator right before the record points at the ZIP64 end of central directory record.
            let locator = if eocd >= 20 {
                tail[eocd - 20..eocd].to_vec()
            } else {
                let eocd = tail_start + eocd as u64;
                read_exact(
                    source,
                    eocd.checked_sub(20).context("no ZIP64 locator")?,
                    20,
                )?
            };
            ensure!(le32(&locator, 0) == 0x0706_4b50, "no ZIP64 locator");
            let record_offset = le64(&locator, 8);
            let record = read_exact(source, record_offset, 56)?;
            ensure!(
                le32(&record, 0) == 0x0606_4b50,
                "no ZIP64 end of central directory"
            );
            entries = le64(&record, 32);
            cd_size = le64(&record, 40);
            cd_offset = le64(&record, 48);
        }
        ensure!(
            cd_offset
                .checked_add(cd_size)
                .is_some_and(|end| end <= size),
            "central directory outside the file"
        );
        let directory = if cd_offset >= tail_start {
            let start = usize::try_from(cd_offset - tail_start)?;
            tail[start..start + usize::try_from(cd_size)?].to_vec()
        } else {
            read_exact(source, cd_offset, cd_size)?
        };
        let entries = parse_central_directory(&directory, entries)?;
        Ok(Self {
            source,
            size,
            entries,
        })
    }

    /// The uncompressed bytes of one member, checked against its CRC-32.
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>> {
        ensure!(
            entry.compressed_size <= MAX_MEMBER && entry.uncompressed_size <= MAX_MEMBER,
            "`{}` is too large",
            entry.name
        );
        // The local header's name and extra field lengths may differ from the central directory's: read the
        // fixed part plus some slack, then fetch again if the data does not fit.
        let guess = 30 + entry.name.len() as u64 + 256 + entry.compressed_size;
        let len = guess.min(self.size.saturating_sub(entry.local_header_offset));
        let mut bytes = self.source.read_at(entry.local_header_offset, len)?;
        ensure!(
            bytes.len() >= 30 && le32(&bytes, 0) == 0x0403_4b50,
            "no local header for `{}`",
            entry.name
        );
        let data_start = 30 + u64::from(le16(&bytes, 26)) + u64::from(le16(&bytes, 28));
        let data_end = data_start + entry.compressed_size;
        if (bytes.len() as u64) < data_end {
            bytes = read_exact(self.source, entry.local_header_offset, data_end)?;
        }
        let data = &bytes[usize::try_from(data_start)?..usize::try_from(data_end)?];
        let content = match entry.method {
            0 => data.to_vec(),
            8 => {
                let mut content = Vec::new();
                flate2::read::DeflateDecoder::new(data)
                    .take(MAX_MEMBER + 1)
                    .read_to_end(&mut content)
                    .with_context(|| format!("inflating `{}`", entry.name))?;
                content
            }
            method => bail!("`{}` uses compression method {method}", entry.name),
        };
        ensure!(
            content.len() as u64 == entry.uncompressed_size,
            "`{}` has the wrong size",
            entry.name
        );
        let mut crc = flate2::Crc::new();
        crc.update(&content);
        ensure!(crc.sum() == entry.crc32, "`{}` fails its CRC", entry.name);
        Ok(content)
    }
}

fn read_exact<S: ByteSource>(source: &S, start: u64, len: u64) -> Result<Vec<u8>> {
    let bytes = source.read_at(start, len)?;
    ensure!(bytes.len() as u64 == len, "short read at {start}");
    Ok(bytes)
}

/// The offset of the end of central directory record in the tail of a file: the last signature whose comment
/// length reaches exactly to the end.
fn find_eocd(tail: &[u8]) -> Option<usize> {
    (0..=tail.len().checked_sub(22)?).rev().find(|&offset| {
        le32(tail, offset) == 0x0605_4b50
            && offset + 22 + usize::from(le16(tail, offset + 20)) == tail.len()
    })
}

fn parse_central_directory(directory: &[u8], count: u64) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut offset = 0;
    while entries.len() as u64 != count {
        let header = directory
            .get(offset..offset + 46)
            .context("central directory ends early")?;
        ensure!(
            le32(header, 0) == 0x0201_4b50,
            "bad central directory entry"
        );
        let name_len = usize::from(le16(header, 28));
        let extra_len = usize::from(le16(header, 30));
        let comment_len = usize::from(le16(header, 32));
        let name = directory
            .get(offset + 46..offset + 46 + name_len)
            .context("central directory ends early")?;
        let extra = directory
            .get(offset + 46 + name_len..offset + 46 + name_len + extra_len)
            .context("central directory ends early")?;
        let mut entry = Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method: le16(header, 10),
            crc32: le32(header, 16),
            compressed_size: u64::from(le32(header, 20)),
            uncompressed_size: u64::from(le32(header, 24)),
            local_header_offset: u64::from(le32(header, 42)),
        };
        apply_zip64_extra(&mut entry, extra);
        entries.push(entry);
        offset += 46 + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// Replaces saturated 32-bit fields with the ZIP64 extended information extra field's values, which appear in a
/// fixed order and only for the saturated fields.
fn apply_zip64_extra(entry: &mut Entry, mut extra: &[u8]) {
    while extra.len() >= 4 {
        let id = le16(extra, 0);
        let len = usize::from(le16(extra, 2));
        let Some(data) = extra.get(4..4 + len) else {
            return;
        };
        if id == 0x0001 {
            let mut values = data.chunks_exact(8).map(|chunk| le64(chunk, 0));
            for field in [
                &mut entry.uncompressed_size,
                &mut entry.compressed_size,
                &mut entry.local_header_offset,
            ] {
                if *field == 0xFFFF_FFFF {
                    match values.next() {
                        Some(value) => *field = value,
                        None => return,
                    }
                }
            }
            return;
        }
        extra = &extra[4 + len..];
    }
}

fn le16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

fn le64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

#[cfg(test)]
pub mod tests {
    use std::cell::RefCell;
    use std::io::Write;

    use super::*;

    /// A file in memory that counts its range reads.
    #[derive(Debug, Default)]
    pub struct Memory {
        pub bytes: Vec<u8>,
        pub reads: RefCell<Vec<(u64, u64)>>,
    }

    impl ByteSource for Memory {
        fn read_at(&self, start: u64, len: u64) -> Result<Vec<u8>> {
            self.reads.borrow_mut().push((start, len));
            let start = usize::try_from(start)?.min(self.bytes.len());
            let end = (start + usize::try_from(len)?).min(self.bytes.len());
            Ok(self.bytes[start..end].to_vec())
        }
    }

    /// Writes a zip archive by hand: each member deflated or stored, optional ZIP64 end records, and an archive
    /// comment of the given length (a long one pushes the central directory out of the first read).
    pub fn build_zip(members: &[(&str, &[u8], bool)], zip64: bool, comment: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, content, deflate) in members {
            let data = if *deflate {
                let mut encoder =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(content).unwrap();
                encoder.finish().unwrap()
            } else {
                content.to_vec()
            };
            let mut crc = flate2::Crc::new();
            crc.update(content);
            let method: u16 = if *deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            // Local header with an extra field the central directory does not have.
            let local_extra = [0xCA_u8, 0xFE, 2, 0, 0, 0];
            out.extend(0x0403_4b50_u32.to_le_bytes());
            out.extend([20, 0, 0, 0]);
            out.extend(method.to_le_bytes());
            out.extend([0, 0, 0, 0]);
            out.extend(crc.sum().to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            out.extend((content.len() as u32).to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend((local_extra.len() as u16).to_le_bytes());
            out.extend(name.as_bytes());
            out.extend(local_extra);
            out.extend(&data);

            central.extend(0x0201_4b50_u32.to_le_bytes());
            central.extend([20, 0, 20, 0, 0, 0]);
            central.extend(method.to_le_bytes());
            central.extend([0, 0, 0, 0]);
            central.extend(crc.sum().to_le_bytes());
            central.extend((data.len() as u32).to_le_bytes());
            central.extend((content.len() as u32).to_le_bytes());
            central.extend((name.len() as u16).to_le_bytes());
            central.extend([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend(offset.to_le_bytes());
            central.extend(name.as_bytes());
        }
        let cd_offset = out.len() as u64;
        out.extend(&central);
        let count = members.len() as u64;
        if zip64 {
            let record_offset = out.len() as u64;
            out.extend(0x0606_4b50_u32.to_le_bytes());
            out.extend(44_u64.to_le_bytes());
            out.extend([45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend(count.to_le_bytes());
            out.extend(count.to_le_bytes());
            out.extend((central.len() as u64).to_le_bytes());
            out.extend(cd_offset.to_le_bytes());
            out.extend(0x0706_4b50_u32.to_le_bytes());
            out.extend(0_u32.to_le_bytes());
            out.extend(record_offset.to_le_bytes());
            out.extend(1_u32.to_le_bytes());
        }
        out.extend(0x0605_4b50_u32.to_le_bytes());
        out.extend([0, 0, 0, 0]);
        if zip64 {
            out.extend([0xFF; 12]);
        } else {
            out.extend((count as u16).to_le_bytes());
            out.extend((count as u16).to_le_bytes());
            out.extend((central.len() as u32).to_le_bytes());
            out.extend((cd_offset as u32).to_le_bytes());
        }
        out.extend((comment as u16).to_le_bytes());
        out.extend(std::iter::repeat_n(b'#', comment));
        out
    }

    const METADATA: &[u8] = b"Metadata-Version: 2.1\nName: demo\nRequires-Dist: numpy\n\nbody\n";

    fn members() -> Vec<(&'static str, &'static [u8], bool)> {
        vec![
            ("demo/__init__.py", b"print('hi')\n".as_slice(), true),
            ("demo-1.0.dist-info/METADATA", METADATA, true),
            ("demo-1.0.dist-info/RECORD", b"stored".as_slice(), false),
        ]
    }

    fn read_member(source: &Memory, name: &str) -> Vec<u8> {
        let archive = Archive::open(source, source.bytes.len() as u64).unwrap();
        let entry = archive
            .entries
            .iter()
            .find(|entry| entry.name == name)
            .unwrap()
            .clone();
        archive.read(&entry).unwrap()
    }

    #[test]
    fn reads_a_small_zip_from_its_tail() {
        let source = Memory {
            bytes: build_zip(&members(), false, 5),
            ..Memory::default()
        };
        assert_eq!(
            read_member(&source, "demo-1.0.dist-info/METADATA"),
            METADATA
        );
        assert_eq!(read_member(&source, "demo-1.0.dist-info/RECORD"), b"stored");
        // Per member: one read for the tail, one for the member.
        assert_eq!(source.reads.borrow().len(), 4);
    }

    #[test]
    fn fetches_a_central_directory_outside_the_tail() {
        let source = Memory {
            bytes: build_zip(&members(), false, 65_535),
            ..Memory::default()
        };
        assert_eq!(
            read_member(&source, "demo-1.0.dist-info/METADATA"),
            METADATA
        );
        let reads = source.reads.borrow();
        assert_eq!(reads.len(), 3, "tail, central directory, member: {reads:?}");
    }

    #[test]
    fn follows_zip64_records() {
        let source = Memory {
            bytes: build_zip(&members(), true, 65_535),
            ..Memory::default()
        };
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert_eq!(archive.entries.len(), 3);
        assert_eq!(read_member(&source, "demo/__init__.py"), b"print('hi')\n");
    }

    #[test]
    fn refuses_what_is_not_a_zip() {
        let source = Memory {
            bytes: b"not a zip at all, just some bytes that go on for a while".to_vec(),
            ..Memory::default()
        };
        assert!(Archive::open(&source, source.bytes.len() as u64).is_err());
    }

    #[test]
    fn detects_corruption() {
        let mut bytes = build_zip(&[("a/METADATA", METADATA, false)], false, 5);
        // Flip a byte of the stored member's data.
        let at = 30 + "a/METADATA".len() + 6 + 3;
        bytes[at] ^= 0xFF;
        let source = Memory {
            bytes,
            ..Memory::default()
        };
        let archive = Archive::open(&source, source.bytes.len() as u64).unwrap();
        assert!(archive.read(&archive.entries[0]).is_err());
    }
}
