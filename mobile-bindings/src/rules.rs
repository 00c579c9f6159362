//! French rules as free functions: pure calls into core's `domain::validate` and `calendar`.

use rempla_core::calendar::{self, ShiftKind};
use rempla_core::domain::Rpps;

use crate::convert;
use crate::error::RemplaError;
use crate::records::{HolidayRecord, ShiftKindInfo};

/// Checks an RPPS number (11 digits, Luhn key) and returns its canonical form; the error code says what
/// is wrong (`rpps_not_digits`, `rpps_length`, `rpps_checksum`).
#[uniffi::export]
pub fn check_rpps(rpps: String) -> Result<String, RemplaError> {
    Ok(Rpps::parse(&rpps)?.as_str().to_owned())
}

/// The public holidays of `year` in a département (Alsace-Moselle and overseas included), by date.
#[uniffi::export]
pub fn public_holidays(year: i32, department: String) -> Result<Vec<HolidayRecord>, RemplaError> {
    let dept = convert::department(&department)?;
    Ok(calendar::public_holidays(year, &dept)?
        .into_iter()
        .map(|h| HolidayRecord {
            date: h.date.to_string(),
            name: h.name.to_owned(),
        })
        .collect())
}

/// The answer deadline of a proposal sent at `sent_rfc3339` to a site in `department`: the end of the
/// `business_days`-th business day after, in the site's local time, as RFC 3339 with the local offset.
#[uniffi::export]
pub fn answer_deadline(
    sent_rfc3339: String,
    department: String,
    business_days: u32,
) -> Result<String, RemplaError> {
    let sent = convert::instant(&sent_rfc3339)?;
    let dept = convert::department(&department)?;
    let deadline = calendar::answer_deadline(sent, &dept, business_days)?;
    Ok(deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Every shift kind with its French label and local hours, for the add-availability picker.
#[uniffi::export]
pub fn shift_kinds() -> Vec<ShiftKindInfo> {
    ShiftKind::ALL
        .into_iter()
        .map(|k| {
            let template = k.template();
            ShiftKindInfo {
                kind: k,
                code: k.as_str().to_owned(),
                label: k.label_fr().to_owned(),
                local_start: template.map(|t| t.start().format("%H:%M").to_string()),
                local_end: template.map(|t| t.end().format("%H:%M").to_string()),
                sundays_and_holidays_only: k.depends_on_holidays(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpps_codes_cross_as_invalid() {
        assert_eq!(check_rpps(" 10000001916 ".into()).unwrap(), "10000001916");
        let e = check_rpps("10000001917".into()).unwrap_err();
        assert!(matches!(e, RemplaError::Invalid { .. }));
        assert_eq!(e.code(), "rpps_checksum");
        assert_eq!(check_rpps("1234".into()).unwrap_err().code(), "rpps_length");
    }

    #[test]
    fn holidays_and_deadlines_follow_the_territory() {
        let moselle = public_holidays(2027, "57".into()).unwrap();
        assert!(moselle.iter().any(|h| h.date == "2027-12-26"));
        assert_eq!(public_holidays(2027, "75".into()).unwrap().len(), 11);
        assert_eq!(
            public_holidays(2027, "99".into()).unwrap_err().code(),
            "unknown_department"
        );
        // Friday 30 April 2027, 16:00 in Martinique; 1 May and 8 May are holidays there too.
        let d = answer_deadline("2027-04-30T16:00:00-04:00".into(), "972".into(), 3).unwrap();
        assert!(d.ends_with("-04:00"), "{d}");
        assert_eq!(
            answer_deadline("hier".into(), "75".into(), 3)
                .unwrap_err()
                .code(),
            "invalid_datetime"
        );
        assert_eq!(
            answer_deadline("2027-04-30T16:00:00Z".into(), "75".into(), 0)
                .unwrap_err()
                .code(),
            "business_days_out_of_range"
        );
    }

    #[test]
    fn shift_kinds_list_every_kind_with_hours() {
        let kinds = shift_kinds();
        assert_eq!(kinds.len(), 8);
        let night = kinds.iter().find(|k| k.code == "night").unwrap();
        assert_eq!(night.local_start.as_deref(), Some("20:00"));
        assert_eq!(night.local_end.as_deref(), Some("08:00"));
        assert!(
            kinds
                .iter()
                .find(|k| k.code == "garde_day")
                .unwrap()
                .sundays_and_holidays_only
        );
        assert_eq!(
            kinds
                .iter()
                .find(|k| k.code == "custom")
                .unwrap()
                .local_start,
            None
        );
    }
}
