//! Files the app saves for the user (a waiting doctor's identity document for staff): named by what
//! they contain, written whole or not at all, in the folder the user already looks in for downloads.

use std::io::Write;
use std::path::{Path, PathBuf};

use tauri::{AppHandle, Manager};

use crate::error::DesktopError;

/// The file extension for the formats the server's document vault accepts (PDF, JPEG, PNG), read from
/// the first bytes. The vault already sniffs uploads with `infer`; three magic numbers do not justify a
/// dependency here, and anything else is saved as `.bin` rather than mislabelled.
#[must_use]
pub fn extension_for(bytes: &[u8]) -> &'static str {
    match rempla_client::uploads::sniff(bytes) {
        Some("application/pdf") => "pdf",
        Some("image/jpeg") => "jpg",
        Some("image/png") => "png",
        _ => "bin",
    }
}

/// The folder the user looks in for downloads: the XDG downloads folder, or `~/Downloads` on a
/// machine without XDG user folders.
pub fn folder(app: &AppHandle) -> Result<PathBuf, DesktopError> {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir().map(|home| home.join("Downloads")))
        .map_err(|e| {
            DesktopError::new(
                "file_write",
                format!("Dossier de téléchargements introuvable : {e}"),
            )
        })
}

/// A file name stem made of portable characters only (an invoice number, an id).
#[must_use]
pub fn safe_stem(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

/// Writes `bytes` to `dir/stem.<ext>` through a temporary file renamed into place, so an interrupted
/// save never leaves a truncated document that looks complete. Returns the final path.
pub fn save(dir: &Path, stem: &str, bytes: &[u8]) -> Result<PathBuf, DesktopError> {
    let failed = |e: std::io::Error| {
        tracing::warn!(error = %e, dir = %dir.display(), "saving a download failed");
        DesktopError::new(
            "file_write",
            format!(
                "Le fichier n'a pas pu être enregistré dans {} : {e}",
                dir.display()
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let path = dir.join(format!("{stem}.{}", extension_for(bytes)));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    tmp.write_all(bytes).map_err(failed)?;
    tmp.as_file().sync_all().map_err(failed)?;
    tmp.persist(&path).map_err(|e| failed(e.error))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn extension_follows_the_content_not_a_claim() {
        assert_eq!(extension_for(b"%PDF-1.7\n..."), "pdf");
        assert_eq!(extension_for(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), "jpg");
        assert_eq!(extension_for(b"\x89PNG\r\n\x1a\n...."), "png");
        assert_eq!(extension_for(b"<html>"), "bin");
        assert_eq!(extension_for(b""), "bin");
    }

    #[test]
    fn saves_whole_files_and_replaces_an_older_copy() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("nested");
        let first = save(&target, "piece", b"%PDF-1.7 old").unwrap();
        let second = save(&target, "piece", b"%PDF-1.7 new").unwrap();
        assert_eq!(first, second);
        assert_eq!(first, target.join("piece.pdf"));
        assert_eq!(std::fs::read(&second).unwrap(), b"%PDF-1.7 new");
        // No temporary file left beside it.
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);
    }

    #[test]
    fn an_unwritable_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let err = save(&file, "piece", b"%PDF-").unwrap_err();
        assert_eq!(err.code, "file_write");
    }
}
