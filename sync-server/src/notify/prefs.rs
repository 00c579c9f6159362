//! Per-user notification preferences: which channels each kind of notice uses, quiet hours in the
//! user's time zone, and the phone number for SMS. The in-app inbox is always on.

use rempla_core::api::ErrorCode;
use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The external channels a user chooses among (push covers every registered push target).
pub const CHANNELS: &[&str] = &["email", "push", "sms"];

/// On/off per channel; a missing channel keeps the level above.
pub type ChannelSwitches = BTreeMap<String, bool>;

/// Quiet hours: nothing but urgent notices between `start` and `end` (local time, may span midnight).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
    /// IANA zone (`Europe/Paris`, `America/Martinique`…).
    pub time_zone: String,
}

/// A user's preferences, as stored and as sent on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Defaults per channel (e-mail and push on, SMS off).
    #[serde(default = "default_channels")]
    pub channels: ChannelSwitches,
    /// Overrides per notice kind.
    #[serde(default)]
    pub kinds: BTreeMap<String, ChannelSwitches>,
    /// Quiet hours, if any.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// E.164 number SMS go to.
    #[serde(default)]
    pub sms_phone: Option<String>,
}

fn default_channels() -> ChannelSwitches {
    CHANNELS
        .iter()
        .map(|c| ((*c).to_owned(), *c != "sms"))
        .collect()
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            channels: default_channels(),
            kinds: BTreeMap::new(),
            quiet_hours: None,
            sms_phone: None,
        }
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    (s.len() == 5)
        .then(|| NaiveTime::parse_from_str(s, "%H:%M").ok())
        .flatten()
}

impl Preferences {
    /// Checks every field; the error is `(code, French message)`.
    pub fn validate(&self) -> Result<(), (ErrorCode, String)> {
        let check = |switches: &ChannelSwitches| {
            switches
                .keys()
                .find(|k| !CHANNELS.contains(&k.as_str()))
                .map_or(Ok(()), |k| {
                    Err((
                        ErrorCode::UnknownChannel,
                        format!(
                            "canal inconnu « {} » (email, push, sms)",
                            k.chars().take(30).collect::<String>()
                        ),
                    ))
                })
        };
        check(&self.channels)?;
        if self.kinds.len() > 100 {
            return Err((
                ErrorCode::TooManyKinds,
                "100 types de notification au plus".into(),
            ));
        }
        for (kind, switches) in &self.kinds {
            let ok = !kind.is_empty()
                && kind.len() <= 64
                && kind
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err((
                    ErrorCode::InvalidKind,
                    "type de notification invalide (snake_case, 64 caractères au plus)".into(),
                ));
            }
            check(switches)?;
        }
        if let Some(q) = &self.quiet_hours {
            if parse_time(&q.start).is_none() || parse_time(&q.end).is_none() {
                return Err((
                    ErrorCode::InvalidQuietHours,
                    "heures au format HH:MM".into(),
                ));
            }
            if q.start == q.end {
                return Err((
                    ErrorCode::InvalidQuietHours,
                    "début et fin des heures calmes identiques".into(),
                ));
            }
            if q.time_zone.parse::<Tz>().is_err() {
                return Err((ErrorCode::InvalidTimeZone, "fuseau horaire inconnu".into()));
            }
        }
        if let Some(p) = &self.sms_phone
            && !super::sms::valid_phone(p)
        {
            return Err((
                ErrorCode::InvalidPhone,
                "numéro au format international (+33612345678)".into(),
            ));
        }
        Ok(())
    }

    /// Whether notices of `kind` go to `channel`.
    pub fn wants(&self, kind: &str, channel: &str) -> bool {
        self.kinds
            .get(kind)
            .and_then(|s| s.get(channel))
            .or_else(|| self.channels.get(channel))
            .copied()
            .unwrap_or(channel != "sms")
    }

    /// When quiet hours hold at `now_ms`, the instant (Unix ms) they end; `None` outside them.
    pub fn quiet_until(&self, now_ms: i64) -> Option<i64> {
        let q = self.quiet_hours.as_ref()?;
        let (start, end) = (parse_time(&q.start)?, parse_time(&q.end)?);
        let tz: Tz = q.time_zone.parse().ok()?;
        let now = Utc
            .timestamp_millis_opt(now_ms)
            .single()?
            .with_timezone(&tz);
        let t = now.time();
        let quiet = if start < end {
            t >= start && t < end
        } else {
            t >= start || t < end
        };
        if !quiet {
            return None;
        }
        let mut day = now.date_naive();
        if t >= end {
            day = day.succ_opt()?;
        }
        let local = day.and_time(end);
        // A DST gap swallowing `end` moves it an hour later.
        let end_at = tz.from_local_datetime(&local).earliest().or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })?;
        Some(end_at.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<chrono::DateTime<Utc>>()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn quiet_hours_span_midnight_in_the_users_zone() {
        let p = Preferences {
            quiet_hours: Some(QuietHours {
                start: "22:00".into(),
                end: "07:00".into(),
                time_zone: "Europe/Paris".into(),
            }),
            ..Preferences::default()
        };
        // 23:30 Paris (winter, UTC+1) → until 07:00 Paris next day = 06:00 UTC.
        assert_eq!(
            p.quiet_until(ms("2026-11-23T22:30:00Z")),
            Some(ms("2026-11-24T06:00:00Z"))
        );
        // 05:00 Paris → until 07:00 the same day.
        assert_eq!(
            p.quiet_until(ms("2026-11-24T04:00:00Z")),
            Some(ms("2026-11-24T06:00:00Z"))
        );
        assert_eq!(p.quiet_until(ms("2026-11-24T12:00:00Z")), None);
        assert_eq!(p.quiet_until(ms("2026-11-24T06:00:00Z")), None);
    }

    #[test]
    fn kind_overrides_channel_defaults() {
        let mut p = Preferences::default();
        assert!(p.wants("x", "email") && p.wants("x", "push") && !p.wants("x", "sms"));
        p.kinds.insert(
            "proposal_received".into(),
            [("sms".to_owned(), true), ("email".to_owned(), false)].into(),
        );
        assert!(p.wants("proposal_received", "sms"));
        assert!(!p.wants("proposal_received", "email"));
        assert!(p.wants("proposal_received", "push"));
    }

    #[test]
    fn validation_codes() {
        let mut p = Preferences::default();
        p.channels.insert("fax".into(), true);
        assert_eq!(p.validate().unwrap_err().0, ErrorCode::UnknownChannel);
        let p = Preferences {
            sms_phone: Some("06 12".into()),
            ..Preferences::default()
        };
        assert_eq!(p.validate().unwrap_err().0, ErrorCode::InvalidPhone);
        let p = Preferences {
            quiet_hours: Some(QuietHours {
                start: "25:00".into(),
                end: "07:00".into(),
                time_zone: "Europe/Paris".into(),
            }),
            ..Preferences::default()
        };
        assert_eq!(p.validate().unwrap_err().0, ErrorCode::InvalidQuietHours);
        let p = Preferences {
            quiet_hours: Some(QuietHours {
                start: "22:00".into(),
                end: "07:00".into(),
                time_zone: "Mars/Olympus".into(),
            }),
            ..Preferences::default()
        };
        assert_eq!(p.validate().unwrap_err().0, ErrorCode::InvalidTimeZone);
        assert!(Preferences::default().validate().is_ok());
    }
}
