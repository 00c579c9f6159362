//! The ZIP of `GET /v1/me/export`: `data.json`, `calendar.ics` and `documents/`, built from what the
//! export read returned.

use std::io::Write as _;

use chrono::{DateTime, Utc};
use rempla_core::calendar::Interval;
use rempla_core::ical::{CalendarExport, export_calendar};
use serde_json::Value;
use zip::write::SimpleFileOptions;

use super::model::ExportData;
use crate::http::error::AppError;

pub(crate) fn build_zip(
    profile: Value,
    data: ExportData,
    now_ms: i64,
) -> Result<Vec<u8>, AppError> {
    let zip_err = |e: zip::result::ZipError| AppError::Internal(e.to_string());
    let io_err = |e: std::io::Error| AppError::Internal(e.to_string());
    let mut json = data.json;
    json["profile"] = profile;
    json["exported_ms"] = now_ms.into();
    let dtstamp = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let horizon = Interval::new(
        dtstamp - chrono::Duration::days(400),
        dtstamp + chrono::Duration::days(800),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let ics = export_calendar(&CalendarExport {
        availabilities: &data.availabilities,
        missions: &data.missions,
        dtstamp,
        horizon,
    });
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("data.json", deflate).map_err(zip_err)?;
    zip.write_all(
        serde_json::to_string_pretty(&json)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .as_bytes(),
    )
    .map_err(io_err)?;
    zip.start_file("calendar.ics", deflate).map_err(zip_err)?;
    zip.write_all(ics.as_bytes()).map_err(io_err)?;
    zip.add_directory("documents/", deflate).map_err(zip_err)?;
    for (name, bytes) in &data.files {
        // PDF, JPEG and PNG are compressed already.
        zip.start_file(format!("documents/{name}"), stored)
            .map_err(zip_err)?;
        zip.write_all(bytes).map_err(io_err)?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}
