//! The ZIP of `GET /v1/me/export`: `data.json`, `calendar.ics` and `documents/`, written as it is sent.
//!
//! Why streaming: a vault holds up to 50 documents of 10 MiB; building the archive in memory took about
//! 3.6 times the vault per export. Here a blocking task writes the ZIP (the `zip` crate's stream mode,
//! data descriptors instead of seeking back) into a bounded channel whose other end is the response
//! body, and reads each document 16 stored slices (3 MiB) at a time. Memory per export stays at the
//! channel's few chunks plus one read; a client that stops reading stops the writer.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rempla_core::calendar::Interval;
use rempla_core::ical::{CalendarExport, CalendarHeader, export_calendar};
use serde_json::Value;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;

use super::model::ExportData;
use super::queries::EXPORT_SLICES;
use crate::concurrency::Pass;
use crate::db::Storage;

/// Bytes gathered before one chunk goes to the response.
const SEND_CHUNK: usize = 64 * 1024;
/// Chunks in flight between the writer and the response: the memory of one export is about
/// `SEND_CHUNK × CHANNEL_CHUNKS` plus one document chunk.
pub(crate) const CHANNEL_CHUNKS: usize = 8;

/// What the response body receives: bytes, or the error that ends the download.
pub(crate) type ExportChunk = Result<Bytes, std::io::Error>;

/// `data.json` (the records plus `profile` and `exported_ms`) and `calendar.ics`, built before
/// streaming starts so a failure there is still an ordinary error answer.
pub(crate) struct ExportHead {
    json: Vec<u8>,
    ics: String,
}

/// Builds the small parts of the archive.
pub(crate) fn head(profile: Value, data: &ExportData, now_ms: i64) -> Result<ExportHead, String> {
    let mut json = data.json.clone();
    json["profile"] = profile;
    json["exported_ms"] = now_ms.into();
    let dtstamp = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let horizon = Interval::new(
        dtstamp - chrono::Duration::days(400),
        dtstamp + chrono::Duration::days(800),
    )
    .map_err(|e| e.to_string())?;
    let ics = export_calendar(&CalendarExport {
        availabilities: &data.availabilities,
        missions: &data.missions,
        dtstamp,
        horizon,
        open_shifts: &[],
        header: CalendarHeader::default(),
    });
    let json = serde_json::to_vec_pretty(&json).map_err(|e| e.to_string())?;
    Ok(ExportHead { json, ics })
}

/// Writes the whole archive into `tx`; runs on a blocking thread (the document chunks are read with
/// `handle`). Returns how many bytes were sent; an error has been sent down `tx` already. `pass` (the
/// export's place in its gate) is given back before `tx` closes, so a client that has read the whole
/// archive can start another export at once.
pub(crate) fn write_zip(
    head: &ExportHead,
    data: &ExportData,
    storage: &Storage,
    handle: &tokio::runtime::Handle,
    tx: mpsc::Sender<ExportChunk>,
    pass: Pass,
) -> u64 {
    let discard = Arc::new(AtomicBool::new(false));
    let mut sink = ChannelWriter {
        tx,
        buffer: Vec::with_capacity(SEND_CHUNK),
        sent: 0,
        discard: Arc::clone(&discard),
    };
    let result = write_entries(head, data, storage, handle, &mut sink, &discard);
    if let Err(e) = result {
        tracing::warn!(error = %e, "export interrupted");
        let _ = sink.tx.blocking_send(Err(e));
    }
    let sent = sink.sent;
    // The place first, then the channel: the client sees the end only once it may export again.
    drop(pass);
    drop(sink);
    sent
}

fn write_entries(
    head: &ExportHead,
    data: &ExportData,
    storage: &Storage,
    handle: &tokio::runtime::Handle,
    sink: &mut ChannelWriter,
    discard: &AtomicBool,
) -> std::io::Result<()> {
    let mut zip = zip::ZipWriter::new_stream(sink);
    let result = write_archive(head, data, storage, handle, &mut zip);
    if result.is_err() {
        // The archive is dropped unfinished: its closing records (written by the zip crate on drop)
        // must go nowhere, the response ends with the error instead.
        discard.store(true, Ordering::Relaxed);
        return result;
    }
    zip.finish()
        .map_err(std::io::Error::other)?
        .into_inner()
        .flush()
}

fn write_archive<W: Write>(
    head: &ExportHead,
    data: &ExportData,
    storage: &Storage,
    handle: &tokio::runtime::Handle,
    zip: &mut zip::ZipWriter<zip::write::StreamWriter<W>>,
) -> std::io::Result<()> {
    let zip_err = |e: zip::result::ZipError| std::io::Error::other(e);
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Documents (PDF, JPEG, PNG) are compressed already, but a streamed entry must be deflated all the
    // same: a stored entry followed by a data descriptor is refused by streaming readers such as
    // Java's `ZipInputStream` (Android). Level 1 costs little on incompressible data.
    let documents = deflate.compression_level(Some(1));
    zip.start_file("data.json", deflate).map_err(zip_err)?;
    zip.write_all(&head.json)?;
    zip.start_file("calendar.ics", deflate).map_err(zip_err)?;
    zip.write_all(head.ics.as_bytes())?;
    // No entry for the `documents/` folder itself: an empty entry is stored, and a stored entry with a
    // data descriptor is refused by streaming readers; the files' paths make the folder anyway.
    for file in &data.files {
        zip.start_file(format!("documents/{}", file.zip_name), documents)
            .map_err(zip_err)?;
        let mut offset = 0_i64;
        let mut written = 0_i64;
        loop {
            let chunk = handle
                .block_on(storage.document_slices(file.document_id.clone(), offset))
                .map_err(std::io::Error::other)?;
            if chunk.is_empty() {
                break;
            }
            zip.write_all(&chunk)?;
            written += i64::try_from(chunk.len()).unwrap_or(i64::MAX);
            offset += EXPORT_SLICES;
        }
        if written != file.size {
            return Err(std::io::Error::other(format!(
                "document {} : {written} octets lus, {} attendus",
                file.document_id, file.size
            )));
        }
    }
    Ok(())
}

/// A `Write` that hands the response body chunks of [`SEND_CHUNK`] bytes, waiting while the channel is
/// full (the client reads slowly) and failing once the response is gone (the client left).
struct ChannelWriter {
    tx: mpsc::Sender<ExportChunk>,
    buffer: Vec<u8>,
    sent: u64,
    /// Set once the response is gone or the archive is abandoned: later bytes are dropped.
    discard: Arc<AtomicBool>,
}

impl ChannelWriter {
    fn send_buffer(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() || self.discard.load(Ordering::Relaxed) {
            self.buffer.clear();
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(SEND_CHUNK));
        self.sent += chunk.len() as u64;
        if self.tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
            self.discard.store(true, Ordering::Relaxed);
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        }
        Ok(())
    }
}

impl Write for &mut ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.discard.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        let room = SEND_CHUNK - self.buffer.len();
        let taken = buf.len().min(room);
        self.buffer.extend_from_slice(&buf[..taken]);
        if self.buffer.len() >= SEND_CHUNK {
            self.send_buffer()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send_buffer()
    }
}
