//! Per-user notification preferences: which channels each kind of notice uses, quiet hours in the
//! user's time zone, and the phone number for SMS. The in-app inbox is always on.

use rempla_core::api::ErrorCode;

use chrono_tz::Tz;

use rempla_core::api::notify::parse_time;
/// The preferences and their rules (which channels a kind uses, when quiet hours end) are the wire
/// types, one definition for the server and the clients; checking a `PUT` is [`validate`].
pub use rempla_core::api::notify::{CHANNELS, ChannelSwitches, Preferences, QuietHours};

/// Checks every field of preferences sent by a client; the error is `(code, French message)`.
pub fn validate(prefs: &Preferences) -> Result<(), (ErrorCode, String)> {
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
    check(&prefs.channels)?;
    if prefs.kinds.len() > 100 {
        return Err((
            ErrorCode::TooManyKinds,
            "100 types de notification au plus".into(),
        ));
    }
    for (kind, switches) in &prefs.kinds {
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
    if let Some(q) = &prefs.quiet_hours {
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
    if let Some(p) = &prefs.sms_phone
        && !super::sms::valid_phone(p)
    {
        return Err((
            ErrorCode::InvalidPhone,
            "numéro au format international (+33612345678)".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

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
        assert_eq!(validate(&p).unwrap_err().0, ErrorCode::UnknownChannel);
        let p = Preferences {
            sms_phone: Some("06 12".into()),
            ..Preferences::default()
        };
        assert_eq!(validate(&p).unwrap_err().0, ErrorCode::InvalidPhone);
        let p = Preferences {
            quiet_hours: Some(QuietHours {
                start: "25:00".into(),
                end: "07:00".into(),
                time_zone: "Europe/Paris".into(),
            }),
            ..Preferences::default()
        };
        assert_eq!(validate(&p).unwrap_err().0, ErrorCode::InvalidQuietHours);
        let p = Preferences {
            quiet_hours: Some(QuietHours {
                start: "22:00".into(),
                end: "07:00".into(),
                time_zone: "Mars/Olympus".into(),
            }),
            ..Preferences::default()
        };
        assert_eq!(validate(&p).unwrap_err().0, ErrorCode::InvalidTimeZone);
        assert!(validate(&Preferences::default()).is_ok());
    }
}
