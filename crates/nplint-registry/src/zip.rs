//! Reading single members of a remote zip archive (a wheel) with range reads, as pip's and uv's lazy wheels do:
//! the end of central directory record (and its ZIP64 form), the central directory, then one member's local
//! header and data. The extension-module and Python-code scans (the index sync's) read larger members with a
//! cap of their own ([`Archive::reader`]) and many small ones with few requests ([`Archive::read_runs`]).

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
/// Members larger than this are refused by [`Archive::read`]: a metadata file is a few kilobytes.
pub const MAX_MEMBER: u64 = 32 * 1024 * 1024;
/// Bytes of local header assumed beyond the fixed part and the name, before a member is fetched again.
const LOCAL_SLACK: u64 = 256;

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
    /// Where the central directory starts: the end of the last member's data.
    directory_offset: u64,
    pub entries: Vec<Entry>,
}

impl Entry {
    /// The member's size in the archive.
    pub fn compressed_size(&self) -> u64 {
        self.compressed_size
    }
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
            directory_offset: cd_offset,
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
        let compressed = self.compressed(entry)?;
        inflate(entry, &compressed, MAX_MEMBER)
    }

    /// A reader of one member's uncompressed bytes, for members too large to hold inflated: the compressed bytes
    /// (at most `max_compressed`) are fetched at once, and inflated as the reader is read. The CRC-32 is checked
    /// when the reader reaches the end ([`Checked`]).
    pub fn reader(&self, entry: &Entry, max_compressed: u64) -> Result<Checked> {
        ensure!(
            entry.compressed_size <= max_compressed,
            "`{}` is larger than {max_compressed} bytes",
            entry.name
        );
        let compressed = self.compressed(entry)?;
        let inner: Box<dyn Read + Send> = match entry.method {
            0 => Box::new(std::io::Cursor::new(compressed)),
            8 => Box::new(flate2::read::DeflateDecoder::new(std::io::Cursor::new(
                compressed,
            ))),
            method => bail!("`{}` uses compression method {method}", entry.name),
        };
        Ok(Checked {
            inner: flate2::CrcReader::new(inner.take(entry.uncompressed_size + 1)),
            name: entry.name.clone(),
            crc32: entry.crc32,
            size: entry.uncompressed_size,
        })
    }

    /// The uncompressed bytes of several members, each at most `max_member` bytes (compressed and uncompressed),
    /// read with few requests: members that lie next to each other in the archive (a wheel's files of one
    /// directory usually do) are fetched as one range of at most `max_run` bytes. `each` gets every member in
    /// archive order, with its bytes or the reason they could not be read; an error of the source (the network)
    /// ends the read.
    pub fn read_runs<'e>(
        &self,
        entries: &[&'e Entry],
        max_member: u64,
        max_run: u64,
        mut each: impl FnMut(&'e Entry, Result<Vec<u8>>),
    ) -> Result<()> {
        // A member ends where the next one (of the whole archive) starts, or at the central directory.
        let mut starts: Vec<u64> = self
            .entries
            .iter()
            .map(|entry| entry.local_header_offset)
            .collect();
        starts.push(self.directory_offset);
        starts.sort_unstable();
        let end_of = |entry: &Entry| {
            let next = starts.partition_point(|&start| start <= entry.local_header_offset);
            starts
                .get(next)
                .copied()
                .unwrap_or(self.directory_offset)
                .min(self.size)
        };
        let mut wanted: Vec<&Entry> = entries
            .iter()
            .copied()
            .filter(|entry| {
                let fits =
                    entry.compressed_size <= max_member && entry.uncompressed_size <= max_member;
                if !fits {
                    each(entry, Err(anyhow::anyhow!("`{}` is too large", entry.name)));
                }
                fits
            })
            .collect();
        wanted.sort_by_key(|entry| entry.local_header_offset);
        let mut index = 0;
        while index < wanted.len() {
            let start = wanted[index].local_header_offset;
            let mut end = end_of(wanted[index]);
            let mut last = index + 1;
            // Extend the run while the next wanted member starts where this one ends (nothing unwanted between).
            while last < wanted.len()
                && wanted[last].local_header_offset == end
                && end_of(wanted[last]) - start <= max_run
            {
                end = end_of(wanted[last]);
                last += 1;
            }
            let bytes = self.source.read_at(start, end.saturating_sub(start))?;
            for entry in &wanted[index..last] {
                let offset = usize::try_from(entry.local_header_offset - start)?;
                let content = local_data(entry, bytes.get(offset..).unwrap_or_default())
                    .and_then(|data| inflate(entry, data, max_member));
                each(entry, content);
            }
            index = last;
        }
        Ok(())
    }

    /// The compressed bytes of one member.
    fn compressed(&self, entry: &Entry) -> Result<Vec<u8>> {
        // The local header's name and extra field lengths may differ from the central directory's: read the
        // fixed part plus some slack, then fetch again if the data does not fit.
        let guess = 30 + entry.name.len() as u64 + LOCAL_SLACK + entry.compressed_size;
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
        bytes.truncate(usize::try_from(data_end)?);
        bytes.drain(..usize::try_from(data_start)?);
        Ok(bytes)
    }
}

/// A member's data within bytes that start at its local header.
fn local_data<'b>(entry: &Entry, bytes: &'b [u8]) -> Result<&'b [u8]> {
    ensure!(
        bytes.len() >= 30 && le32(bytes, 0) == 0x0403_4b50,
        "no local header for `{}`",
        entry.name
    );
    let data_start = 30 + usize::from(le16(bytes, 26)) + usize::from(le16(bytes, 28));
    let data_end = data_start + usize::try_from(entry.compressed_size)?;
    bytes
        .get(data_start..data_end)
        .with_context(|| format!("`{}` extends past its range", entry.name))
}

/// Inflates (or copies) a member's data, checking its size and CRC-32.
fn inflate(entry: &Entry, data: &[u8], max: u64) -> Result<Vec<u8>> {
    let content = match entry.method {
        0 => data.to_vec(),
        8 => {
            let mut content = Vec::new();
            flate2::read::DeflateDecoder::new(data)
                .take(max + 1)
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

/// A member's uncompressed bytes as a reader: at the end, a size or CRC-32 mismatch is an `InvalidData` error.
pub struct Checked {
    inner: flate2::CrcReader<std::io::Take<Box<dyn Read + Send>>>,
    name: String,
    crc32: u32,
    size: u64,
}

impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Read for Checked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && !buf.is_empty() {
            let crc = self.inner.crc();
            if u64::from(crc.amount()) != self.size & 0xFFFF_FFFF || crc.sum() != self.crc32 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("`{}` fails its size or CRC check", self.name),
                ));
            }
        }
        Ok(read)
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

/// Archives built in memory, for tests here and in the crates that scan wheels (the `test-support` feature).
#[cfg(any(test, feature = "test-support"))]
#[allow(
    clippy::missing_panics_doc,
    reason = "test helpers: a failure to build an archive in memory is a broken test"
)]
pub mod testing {
    use std::cell::RefCell;
    use std::io::Write;

    use super::{ByteSource, Result};

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
}

#[cfg(test)]
mod tests {
    use super::testing::{Memory, build_zip};
    use super::*;

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
