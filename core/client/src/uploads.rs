//! A document about to be uploaded to the vault, checked on the device before a byte is sent: the
//! kind, a file name the server accepts, the type by the file's first bytes (PDF, JPEG or PNG — and
//! the type the picker or camera declared must agree), the size (10 MiB at most), the dates' format.
//! The desktop app and the phones (through the FFI) use the same checks, with the server's codes, so a
//! refusal reads the same offline as online; the server checks everything again.

use thiserror::Error;

/// Largest file the vault keeps (the server's `MAX_DOCUMENT_BYTES`).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// Longest file name the vault keeps.
pub const MAX_NAME_CHARS: usize = 200;
/// The vault's document kinds.
pub const KINDS: [&str; 5] = ["identity", "insurance", "diploma", "licence", "other"];

/// Why a file cannot be sent; `code` is the server's for the same case.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{message}")]
pub struct UploadRefused {
    /// `document_empty`, `document_too_large`, `unsupported_media_type`, `media_type_mismatch`,
    /// `invalid_kind`, `invalid_name`, `invalid_date`.
    pub code: &'static str,
    /// In plain French.
    pub message: String,
}

fn refused(code: &'static str, message: &str) -> UploadRefused {
    UploadRefused {
        code,
        message: message.to_owned(),
    }
}

/// A document to upload: what the vault needs to know beside its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentUpload {
    /// `identity`, `insurance`, `diploma`, `licence` or `other`.
    pub kind: String,
    /// The file's name as the doctor knows it.
    pub name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, from the bytes.
    pub media_type: String,
    /// Last valid day (`AAAA-MM-JJ`), required for `insurance` (the server says so).
    pub expires_on: Option<String>,
    /// Birth date on an `identity` document (`AAAA-MM-JJ`).
    pub birth_date: Option<String>,
}

/// The media type the bytes are, for the three the vault keeps.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

fn date(value: Option<&str>) -> Result<Option<String>, UploadRefused> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() => {
            Ok(Some(v.to_owned()))
        }
        Some(_) => Err(refused(
            "invalid_date",
            "Date invalide (attendu : AAAA-MM-JJ).",
        )),
    }
}

impl DocumentUpload {
    /// The upload of `bytes`, every field checked. `declared` is the type the picker or camera gave,
    /// if any: it must be what the bytes are.
    pub fn checked(
        kind: &str,
        name: &str,
        declared: Option<&str>,
        expires_on: Option<&str>,
        birth_date: Option<&str>,
        bytes: &[u8],
    ) -> Result<Self, UploadRefused> {
        if bytes.is_empty() {
            return Err(refused("document_empty", "Ce fichier est vide."));
        }
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(refused(
                "document_too_large",
                "Ce fichier dépasse 10 Mo : réduisez-le (scan en 150 ppp, PDF compressé).",
            ));
        }
        let media_type = sniff(bytes).ok_or_else(|| {
            refused(
                "unsupported_media_type",
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG.",
            )
        })?;
        if let Some(d) = declared.map(str::trim).filter(|d| !d.is_empty())
            && !d.eq_ignore_ascii_case(media_type)
        {
            return Err(refused(
                "media_type_mismatch",
                "Le contenu du fichier ne correspond pas à son type.",
            ));
        }
        if !KINDS.contains(&kind) {
            return Err(refused("invalid_kind", "Type de document inconnu."));
        }
        let name = name.trim();
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || name
                .chars()
                .any(|c| c.is_control() || c == '/' || c == '\\')
        {
            return Err(refused(
                "invalid_name",
                "Nom de fichier illisible (200 caractères au plus, sans / ni \\).",
            ));
        }
        Ok(Self {
            kind: kind.to_owned(),
            name: name.to_owned(),
            media_type: media_type.to_owned(),
            expires_on: date(expires_on)?,
            birth_date: date(birth_date)?,
        })
    }

    /// The query string of `POST /v1/me/documents`, each value percent-encoded.
    pub(crate) fn query(&self) -> String {
        reqwest::Url::parse("http://x/").map_or_else(
            |_| String::new(),
            |mut url| {
                {
                    let mut pairs = url.query_pairs_mut();
                    pairs.append_pair("kind", &self.kind);
                    pairs.append_pair("name", &self.name);
                    if let Some(d) = &self.expires_on {
                        pairs.append_pair("expires_on", d);
                    }
                    if let Some(d) = &self.birth_date {
                        pairs.append_pair("birth_date", d);
                    }
                }
                url.query().unwrap_or_default().to_owned()
            },
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const PDF: &[u8] = b"%PDF-1.7 ...";

    #[test]
    fn an_uploads_description_is_percent_encoded_in_its_query() {
        let upload = DocumentUpload::checked(
            "identity",
            " Carte d'identité & verso.pdf ",
            Some("application/pdf"),
            None,
            Some("1990-04-01"),
            PDF,
        )
        .unwrap();
        assert_eq!(
            upload.query(),
            "kind=identity&name=Carte+d%27identit%C3%A9+%26+verso.pdf&birth_date=1990-04-01"
        );
    }

    #[test]
    fn a_file_is_refused_with_the_servers_code_before_sending() {
        let code =
            |kind: &str, name: &str, declared: Option<&str>, date: Option<&str>, bytes: &[u8]| {
                DocumentUpload::checked(kind, name, declared, date, None, bytes)
                    .unwrap_err()
                    .code
            };
        assert_eq!(code("other", "a.pdf", None, None, b""), "document_empty");
        assert_eq!(
            code(
                "other",
                "a.pdf",
                None,
                None,
                &vec![b'%'; MAX_DOCUMENT_BYTES + 1]
            ),
            "document_too_large"
        );
        assert_eq!(
            code("other", "a.exe", None, None, b"MZ\x90\0"),
            "unsupported_media_type"
        );
        assert_eq!(
            code("other", "a.pdf", Some("image/png"), None, PDF),
            "media_type_mismatch"
        );
        assert_eq!(code("passport", "a.pdf", None, None, PDF), "invalid_kind");
        assert_eq!(
            code("other", "../etc/passwd", None, None, PDF),
            "invalid_name"
        );
        assert_eq!(code("other", "  ", None, None, PDF), "invalid_name");
        assert_eq!(
            code("insurance", "a.pdf", None, Some("31/12/2027"), PDF),
            "invalid_date"
        );
        let png = DocumentUpload::checked(
            "diploma",
            "d.png",
            Some("IMAGE/PNG"),
            None,
            None,
            b"\x89PNG\r\n\x1a\n..",
        )
        .unwrap();
        assert_eq!(png.media_type, "image/png");
    }
}
