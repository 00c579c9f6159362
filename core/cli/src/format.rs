//! French text formatting of dates, periods and labels for terminal output.

use chrono::{Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;
use rempla_core::calendar::Interval;
use rempla_core::domain::AvailabilityStatus;

use crate::failure::Failure;

/// Parses a calendar day typed as `AAAA-MM-JJ`.
pub fn parse_date(text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Failure::rejected(
            "invalid_date",
            format!("« {text} » n'est pas une date AAAA-MM-JJ"),
        )
    })
}

/// Short French weekday name; chrono's localised formatting needs a feature that pulls a whole locale
/// database, for seven words.
fn weekday_fr(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "lun.",
        Weekday::Tue => "mar.",
        Weekday::Wed => "mer.",
        Weekday::Thu => "jeu.",
        Weekday::Fri => "ven.",
        Weekday::Sat => "sam.",
        Weekday::Sun => "dim.",
    }
}

/// `sam. 2027-03-27 20:00 → dim. 2027-03-28 08:00 (11 h, Europe/Paris)` in the zone's local time.
pub fn describe_interval(interval: &Interval, zone: Tz) -> String {
    let start = interval.start().with_timezone(&zone);
    let end = interval.end().with_timezone(&zone);
    let minutes = interval.duration().num_minutes();
    let length = if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else {
        format!("{} h {:02}", minutes / 60, minutes % 60)
    };
    format!(
        "{} {} → {} {} ({length}, {})",
        weekday_fr(start.weekday()),
        start.format("%Y-%m-%d %H:%M"),
        weekday_fr(end.weekday()),
        end.format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

/// French name of a booking state.
pub fn status_label(status: AvailabilityStatus) -> &'static str {
    match status {
        AvailabilityStatus::Open => "ouverte",
        AvailabilityStatus::Held => "réservée",
        AvailabilityStatus::Booked => "pourvue",
    }
}
