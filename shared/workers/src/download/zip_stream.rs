//! ZIPs written as their entries arrive, handed on in parts (to S3's multipart upload in the
//! worker, to a file in the benchmark), so memory holds at most one part and the entry being
//! written, whatever the number or size of the photos.
//!
//! Entries are stored, not deflated: JPEGs don't shrink. The `zip` crate writes in streaming
//! mode (sizes in data descriptors, ZIP64 where a size or offset needs it). A download larger
//! than the configured size is split: an entry that would push the open ZIP past it starts the
//! next ZIP instead (an entry alone larger than the limit gets a ZIP of its own).

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

/// Why a ZIP could not be written: a fault on our side or the sink's, worth another try.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PackError(pub String);

impl From<zip::result::ZipError> for PackError {
    fn from(e: zip::result::ZipError) -> Self {
        Self(format!("writing the ZIP failed: {e}"))
    }
}

impl From<std::io::Error> for PackError {
    fn from(e: std::io::Error) -> Self {
        Self(format!("writing the ZIP failed: {e}"))
    }
}

/// One file of the ZIP.
pub struct Entry {
    /// Its name in the ZIP (sanitised and unique: `proofsheet_policy::archive::entry_names`).
    pub name: String,
    /// Shown as the file's date when unzipped (Unix seconds, UTC).
    pub modified: u64,
    pub content: EntryContent,
}

pub enum EntryContent {
    /// A rendered file, whole.
    Whole(Vec<u8>),
    /// A file read as it arrives (an original, copied without decoding): its length, and its
    /// bytes.
    Streamed {
        len: u64,
        chunks: BoxStream<'static, Result<Bytes, PackError>>,
    },
}

impl EntryContent {
    pub fn len(&self) -> u64 {
        match self {
            Self::Whole(bytes) => bytes.len() as u64,
            Self::Streamed { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where finished bytes of ZIPs go.
pub trait ZipSink: Send {
    /// ZIP `number` (from 1) begins.
    fn open(&mut self, number: usize) -> impl Future<Output = Result<(), PackError>> + Send;
    /// The next bytes of the open ZIP: a whole part, or the rest of it when it closes.
    fn write(&mut self, bytes: Vec<u8>) -> impl Future<Output = Result<(), PackError>> + Send;
    /// The open ZIP is complete.
    fn close(&mut self) -> impl Future<Output = Result<(), PackError>> + Send;
}

/// A sink lent to a streamer stays the caller's (to abandon its upload after a failure).
impl<S: ZipSink> ZipSink for &mut S {
    fn open(&mut self, number: usize) -> impl Future<Output = Result<(), PackError>> + Send {
        (**self).open(number)
    }
    fn write(&mut self, bytes: Vec<u8>) -> impl Future<Output = Result<(), PackError>> + Send {
        (**self).write(bytes)
    }
    fn close(&mut self) -> impl Future<Output = Result<(), PackError>> + Send {
        (**self).close()
    }
}

/// A written ZIP: how many entries and bytes it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipSummary {
    pub number: usize,
    pub entries: u32,
    pub bytes: u64,
}

/// Bytes a stored entry adds besides its content: local header, data descriptor and central
/// directory record, each with the name, plus ZIP64 extras (a generous bound).
fn entry_overhead(name: &str) -> u64 {
    30 + 24 + 46 + 2 * name.len() as u64 + 2 * 32
}

/// End of central directory with its ZIP64 variants (a generous bound).
const END_RECORDS: u64 = 22 + 56 + 20;

/// The `Write` the ZIP writer writes into; the streamer drains it in parts.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn with<T>(&self, f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        // The writer never panics while holding the lock, so a poisoned one still holds bytes.
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.with(|b| b.extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct OpenZip {
    writer: ZipWriter<StreamWriter<SharedBuffer>>,
    buffer: SharedBuffer,
    number: usize,
    entries: u32,
    /// What the ZIP will take once closed, by the bounds above.
    projected: u64,
    written: u64,
}

/// Writes entries into ZIPs of at most `max_zip_bytes`, handing `part_size`-byte parts to the
/// sink as they fill.
pub struct ZipStreamer<S> {
    sink: S,
    max_zip_bytes: u64,
    part_size: usize,
    open: Option<OpenZip>,
    done: Vec<ZipSummary>,
}

impl<S: ZipSink> ZipStreamer<S> {
    pub fn new(sink: S, max_zip_bytes: u64, part_size: usize) -> Self {
        Self {
            sink,
            max_zip_bytes,
            part_size: part_size.max(1),
            open: None,
            done: Vec::new(),
        }
    }

    /// Entries written so far, in every ZIP.
    pub fn entries(&self) -> u32 {
        self.done.iter().map(|z| z.entries).sum::<u32>()
            + self.open.as_ref().map_or(0, |z| z.entries)
    }

    /// Adds one entry, starting the next ZIP first if it would not fit in the open one.
    pub async fn add(&mut self, entry: Entry) -> Result<(), PackError> {
        let cost = entry.content.len() + entry_overhead(&entry.name);
        let full = self.open.as_ref().is_some_and(|zip| {
            zip.entries > 0 && zip.projected + cost + END_RECORDS > self.max_zip_bytes
        });
        if full {
            self.close_open().await?;
        }
        if self.open.is_none() {
            let number = self.done.len() + 1;
            self.sink.open(number).await?;
            let buffer = SharedBuffer::default();
            self.open = Some(OpenZip {
                writer: ZipWriter::new_stream(buffer.clone()),
                buffer,
                number,
                entries: 0,
                projected: 0,
                written: 0,
            });
        }
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(zip_time(entry.modified))
            .large_file(entry.content.len() >= u64::from(u32::MAX));
        let zip = self.open.as_mut().expect("opened above");
        zip.writer.start_file(entry.name, options)?;
        match entry.content {
            EntryContent::Whole(bytes) => {
                for chunk in bytes.chunks(self.part_size) {
                    self.write_to_open(chunk).await?;
                }
            }
            EntryContent::Streamed { len, mut chunks } => {
                let mut copied = 0u64;
                while let Some(chunk) = chunks.try_next().await? {
                    copied += chunk.len() as u64;
                    self.write_to_open(&chunk).await?;
                }
                if copied != len {
                    return Err(PackError(format!(
                        "a file announced {len} bytes and delivered {copied}"
                    )));
                }
            }
        }
        let zip = self.open.as_mut().expect("opened above");
        zip.entries += 1;
        zip.projected += cost;
        Ok(())
    }

    /// Closes the last ZIP and hands back the sink with what was written.
    pub async fn finish(mut self) -> Result<(S, Vec<ZipSummary>), PackError> {
        self.close_open().await?;
        Ok((self.sink, self.done))
    }

    async fn write_to_open(&mut self, bytes: &[u8]) -> Result<(), PackError> {
        let zip = self.open.as_mut().expect("an open ZIP");
        zip.writer.write_all(bytes)?;
        self.send_full_parts().await
    }

    async fn send_full_parts(&mut self) -> Result<(), PackError> {
        let zip = self.open.as_mut().expect("an open ZIP");
        while let Some(part) = zip.buffer.with(|b| {
            (b.len() >= self.part_size).then(|| b.drain(..self.part_size).collect::<Vec<u8>>())
        }) {
            zip.written += part.len() as u64;
            self.sink.write(part).await?;
        }
        Ok(())
    }

    async fn close_open(&mut self) -> Result<(), PackError> {
        let Some(mut zip) = self.open.take() else {
            return Ok(());
        };
        zip.writer.finish()?;
        let rest = zip.buffer.with(std::mem::take);
        zip.written += rest.len() as u64;
        self.sink.write(rest).await?;
        self.sink.close().await?;
        self.done.push(ZipSummary {
            number: zip.number,
            entries: zip.entries,
            bytes: zip.written,
        });
        Ok(())
    }
}

/// A ZIP entry's date: ZIP stores local time with no zone, so UTC is as good as any; dates
/// outside what ZIP can hold (before 1980) fall back to its epoch.
fn zip_time(unix_secs: u64) -> zip::DateTime {
    chrono::DateTime::from_timestamp(i64::try_from(unix_secs).unwrap_or(0), 0)
        .and_then(|t| zip::DateTime::try_from(t.naive_utc()).ok())
        .unwrap_or_default()
}

/// A stream of chunks as an entry's content.
pub fn streamed<E: std::fmt::Display + Send + 'static>(
    len: u64,
    chunks: impl futures::Stream<Item = Result<Bytes, E>> + Send + 'static,
) -> EntryContent {
    EntryContent::Streamed {
        len,
        chunks: chunks.map_err(|e| PackError(e.to_string())).boxed(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    /// Collects each ZIP whole, checking the parts arrive as promised.
    #[derive(Default)]
    struct Collected {
        zips: Vec<Vec<u8>>,
        parts: Vec<usize>,
        open: bool,
    }

    impl ZipSink for Collected {
        async fn open(&mut self, number: usize) -> Result<(), PackError> {
            assert!(!self.open);
            assert_eq!(number, self.zips.len() + 1);
            self.open = true;
            self.zips.push(Vec::new());
            Ok(())
        }
        async fn write(&mut self, bytes: Vec<u8>) -> Result<(), PackError> {
            assert!(self.open);
            self.parts.push(bytes.len());
            self.zips.last_mut().unwrap().extend_from_slice(&bytes);
            Ok(())
        }
        async fn close(&mut self) -> Result<(), PackError> {
            assert!(self.open);
            self.open = false;
            Ok(())
        }
    }

    fn whole(name: &str, bytes: Vec<u8>) -> Entry {
        Entry {
            name: name.into(),
            modified: 1_764_547_200, // 2025-12-01
            content: EntryContent::Whole(bytes),
        }
    }

    fn read_back(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).unwrap();
                assert_eq!(file.compression(), CompressionMethod::Stored);
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).unwrap();
                (file.name().unwrap().into_owned(), bytes)
            })
            .collect()
    }

    fn run<T>(f: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn entries_come_back_byte_for_byte_and_parts_have_the_promised_size() {
        let a: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let b = vec![7u8; 3_000];
        let (sink, zips) = run(async {
            let mut zip = ZipStreamer::new(Collected::default(), 1 << 30, 1024);
            zip.add(whole("a.jpg", a.clone())).await.unwrap();
            zip.add(Entry {
                name: "b.jpg".into(),
                modified: 0,
                content: streamed(
                    b.len() as u64,
                    futures::stream::iter(
                        b.chunks(700)
                            .map(|c| Ok::<_, PackError>(Bytes::copy_from_slice(c)))
                            .collect::<Vec<_>>(),
                    ),
                ),
            })
            .await
            .unwrap();
            zip.finish().await.unwrap()
        });
        assert_eq!(zips.len(), 1);
        assert_eq!(zips[0].entries, 2);
        assert_eq!(zips[0].bytes, sink.zips[0].len() as u64);
        let (last, whole_parts) = sink.parts.split_last().unwrap();
        assert!(whole_parts.iter().all(|&p| p == 1024), "{:?}", sink.parts);
        assert!(*last <= 1024 + 1024, "the rest: {last}");
        assert_eq!(
            read_back(&sink.zips[0]),
            vec![("a.jpg".to_owned(), a), ("b.jpg".to_owned(), b)]
        );
        let mut archive = zip::ZipArchive::new(Cursor::new(&sink.zips[0])).unwrap();
        let date = archive.by_index(0).unwrap().last_modified().unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (2025, 12, 1));
    }

    #[test]
    fn a_download_over_the_limit_is_split_and_no_zip_passes_it() {
        let limit = 50_000;
        let (sink, zips) = run(async {
            let mut zip = ZipStreamer::new(Collected::default(), limit, 4096);
            for i in 0..10 {
                zip.add(whole(&format!("{i}.jpg"), vec![i as u8; 12_000]))
                    .await
                    .unwrap();
            }
            zip.finish().await.unwrap()
        });
        assert!(zips.len() >= 3, "{zips:?}");
        assert_eq!(zips.iter().map(|z| z.entries).sum::<u32>(), 10);
        let mut names = Vec::new();
        for (summary, bytes) in zips.iter().zip(&sink.zips) {
            assert!(summary.bytes <= limit, "{summary:?}");
            assert_eq!(summary.bytes, bytes.len() as u64);
            names.extend(read_back(bytes).into_iter().map(|(name, _)| name));
        }
        let expected: Vec<String> = (0..10).map(|i| format!("{i}.jpg")).collect();
        assert_eq!(names, expected, "every entry once, in order");
    }

    #[test]
    fn an_entry_larger_than_the_limit_gets_a_zip_of_its_own() {
        let (sink, zips) = run(async {
            let mut zip = ZipStreamer::new(Collected::default(), 70_000, 8192);
            zip.add(whole("small.jpg", vec![1; 1_000])).await.unwrap();
            zip.add(whole("huge.jpg", vec![2; 100_000])).await.unwrap();
            zip.add(whole("after.jpg", vec![3; 1_000])).await.unwrap();
            zip.finish().await.unwrap()
        });
        assert_eq!(
            zips.iter().map(|z| z.entries).collect::<Vec<_>>(),
            vec![1, 1, 1]
        );
        assert_eq!(read_back(&sink.zips[1])[0].1.len(), 100_000);
    }

    #[test]
    fn a_stream_shorter_than_announced_fails_instead_of_writing_a_bad_zip() {
        let result = run(async {
            let mut zip = ZipStreamer::new(Collected::default(), 1 << 30, 1024);
            zip.add(Entry {
                name: "cut.jpg".into(),
                modified: 0,
                content: streamed(
                    5_000,
                    futures::stream::iter([Ok::<_, PackError>(Bytes::from_static(b"short"))]),
                ),
            })
            .await
        });
        assert!(result.is_err());
    }

    #[test]
    fn nothing_added_writes_no_zip() {
        let (sink, zips) = run(async {
            ZipStreamer::new(Collected::default(), 1 << 30, 1024)
                .finish()
                .await
                .unwrap()
        });
        assert!(zips.is_empty());
        assert!(sink.zips.is_empty());
    }
}
