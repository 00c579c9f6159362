//! SMS: the encoding and segment count of a text (GSM 03.38 / 3GPP TS 23.038), and the generic JSON
//! gateway client (protocol in `docs/api/notifications.md`).
//!
//! The GSM-7 tables are hand-written: they are two fixed tables of the standard, and the crates that
//! carry them are unmaintained or encode rather than count.

use std::time::Duration;

use serde_json::json;

use super::channel::{SendError, SendFuture};

/// The GSM 03.38 basic character set (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: each costs two septets (escape + character).
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// How a text is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// 7-bit GSM alphabet: 160 septets alone, 153 per part when concatenated.
    Gsm7,
    /// UCS-2 (UTF-16 code units): 70 alone, 67 per part.
    Ucs2,
}

impl Encoding {
    /// Name sent to the gateway.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Gsm7 => "gsm7",
            Self::Ucs2 => "ucs2",
        }
    }
}

/// The septet cost of a character in GSM-7, `None` when it is not in the alphabet.
fn gsm_width(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Splits units into parts of at most `per_part`, never cutting a unit of width 2 (an escape pair or
/// a surrogate pair) across two parts.
fn parts(widths: impl Iterator<Item = usize>, per_part: usize) -> u32 {
    let mut count = 1_u32;
    let mut used = 0;
    for w in widths {
        if used + w > per_part {
            count += 1;
            used = 0;
        }
        used += w;
    }
    count
}

/// The encoding and the number of billed parts of `text`: a message over 160 GSM-7 septets (or 70
/// UCS-2 units) is sent, and counted, as several.
pub fn segments(text: &str) -> (Encoding, u32) {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_width).collect();
    if let Some(widths) = gsm {
        let total: usize = widths.iter().sum();
        if total <= 160 {
            (Encoding::Gsm7, 1)
        } else {
            (Encoding::Gsm7, parts(widths.into_iter(), 153))
        }
    } else {
        let total: usize = text.chars().map(char::len_utf16).sum();
        if total <= 70 {
            (Encoding::Ucs2, 1)
        } else {
            (Encoding::Ucs2, parts(text.chars().map(char::len_utf16), 67))
        }
    }
}

/// The SMS text: the sender's name first (who writes must be identifiable), then title and body.
pub fn compose(sender: &str, title: &str, body: &str) -> String {
    format!("{sender} : {title}. {body}")
}

/// A gateway that sends SMS.
pub trait SmsGateway: Send + Sync {
    /// Sends `text` to `to` (E.164); `reference` is our delivery id, for the gateway's deduplication.
    fn send<'a>(
        &'a self,
        to: &'a str,
        sender: &'a str,
        text: &'a str,
        reference: &'a str,
    ) -> SendFuture<'a>;
}

/// The generic JSON gateway over HTTPS: `POST {base}/messages` with a bearer key.
#[derive(Debug)]
pub struct HttpSmsGateway {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl HttpSmsGateway {
    /// A client for `base_url` (no trailing slash needed).
    pub fn new(base_url: &str, api_key: String) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()?,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
        })
    }
}

impl SmsGateway for HttpSmsGateway {
    fn send<'a>(
        &'a self,
        to: &'a str,
        sender: &'a str,
        text: &'a str,
        reference: &'a str,
    ) -> SendFuture<'a> {
        Box::pin(async move {
            let (encoding, parts) = segments(text);
            let response = self
                .client
                .post(format!("{}/messages", self.base_url))
                .bearer_auth(&self.api_key)
                .json(&json!({
                    "to": to,
                    "sender": sender,
                    "text": text,
                    "encoding": encoding.as_str(),
                    "segments": parts,
                    "reference": reference,
                }))
                .send()
                .await
                .map_err(SendError::network)?;
            SendError::check_status(response, "sms").map(|_| ())
        })
    }
}

/// Whether `phone` is an E.164 number (`+` then 8 to 15 digits).
pub fn valid_phone(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thresholds() {
        assert_eq!(segments(&"a".repeat(160)), (Encoding::Gsm7, 1));
        assert_eq!(segments(&"a".repeat(161)), (Encoding::Gsm7, 2));
        assert_eq!(segments(&"a".repeat(306)), (Encoding::Gsm7, 2));
        assert_eq!(segments(&"a".repeat(307)), (Encoding::Gsm7, 3));
        assert_eq!(segments("Rendez-vous à 8h, Dr Müller"), (Encoding::Gsm7, 1));
        // Extension characters count double: 80 euro signs are 160 septets.
        assert_eq!(segments(&"€".repeat(80)), (Encoding::Gsm7, 1));
        assert_eq!(segments(&"€".repeat(81)), (Encoding::Gsm7, 2));
        // An escape pair is never split across parts: 152 letters, €, 152 letters are 306 septets (two
        // full parts by arithmetic) but the € cannot start at septet 153, so three parts are sent.
        assert_eq!(
            segments(&format!("{}€{}", "a".repeat(152), "a".repeat(152))),
            (Encoding::Gsm7, 3)
        );
        assert_eq!(
            segments(&format!("{}€{}", "a".repeat(152), "a".repeat(10))),
            (Encoding::Gsm7, 2)
        );
        // ê and œ are not GSM-7: the whole text goes UCS-2.
        assert_eq!(segments("Fête"), (Encoding::Ucs2, 1));
        assert_eq!(segments(&"œ".repeat(70)), (Encoding::Ucs2, 1));
        assert_eq!(segments(&"œ".repeat(71)), (Encoding::Ucs2, 2));
        assert_eq!(segments(&"œ".repeat(134)), (Encoding::Ucs2, 2));
        assert_eq!(segments(&"œ".repeat(135)), (Encoding::Ucs2, 3));
        // Emoji are surrogate pairs: two units each.
        assert_eq!(segments(&"😀".repeat(35)), (Encoding::Ucs2, 1));
        assert_eq!(segments(&"😀".repeat(36)), (Encoding::Ucs2, 2));
    }

    #[test]
    fn phones() {
        assert!(valid_phone("+33612345678"));
        assert!(!valid_phone("0612345678"));
        assert!(!valid_phone("+33 6 12"));
        assert!(!valid_phone("+0612345678"));
    }

    proptest! {
        #[test]
        fn gsm_letters_follow_the_formula(n in 0_usize..2000) {
            let (enc, parts) = segments(&"x".repeat(n));
            prop_assert_eq!(enc, Encoding::Gsm7);
            let expected = if n <= 160 { 1 } else { n.div_ceil(153) };
            prop_assert_eq!(parts as usize, expected);
        }

        #[test]
        fn ucs2_letters_follow_the_formula(n in 1_usize..1000) {
            let (enc, parts) = segments(&format!("ê{}", "x".repeat(n - 1)));
            prop_assert_eq!(enc, Encoding::Ucs2);
            let expected = if n <= 70 { 1 } else { n.div_ceil(67) };
            prop_assert_eq!(parts as usize, expected);
        }

        #[test]
        fn any_text_has_enough_parts(text in "\\PC{0,400}") {
            let (enc, parts) = segments(&text);
            prop_assert!(parts >= 1);
            let capacity = match enc { Encoding::Gsm7 => 153, Encoding::Ucs2 => 67 };
            let units: usize = match enc {
                Encoding::Gsm7 => text.chars().map(|c| gsm_width(c).unwrap_or(0)).sum(),
                Encoding::Ucs2 => text.chars().map(char::len_utf16).sum(),
            };
            // Never fewer parts than the units need, at most one extra per boundary pair.
            prop_assert!(parts as usize * capacity >= units || parts == 1);
            prop_assert!(parts as usize <= units.div_ceil(capacity - 1).max(1));
        }

        #[test]
        fn appending_never_lowers_the_count(a in "\\PC{0,200}", b in "\\PC{0,50}") {
            let (ea, pa) = segments(&a);
            let (eb, pb) = segments(&format!("{a}{b}"));
            if ea == eb {
                prop_assert!(pb >= pa);
            }
        }
    }
}
