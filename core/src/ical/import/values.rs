//! Reading the values of an event's properties: dates and date-times (`YYYYMMDD`, `YYYYMMDDTHHMMSS`,
//! optional `Z`, with their `TZID`) and `DURATION`s, strictly, with the error every reader reports.
//!
//! Its own file because both the event mapping (`event`) and the recurrence handling (`recurrence`) read
//! these values, and neither should depend on the other for it: this is the leaf of the `import` module.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::calendar::recurrence::localize;
use crate::ical::error::IcalError;
use crate::ical::text::ContentLine;
use crate::ical::zones::ZoneResolver;

/// A date or date-time value as written.
#[derive(Clone, Copy, Debug)]
pub(super) enum When {
    Date(NaiveDate),
    Local(NaiveDateTime, Tz),
    Utc(DateTime<Utc>),
}

/// The error for a property whose value cannot be read (the value cut to 64 bytes).
pub(super) fn invalid(uid: &str, property: &str, value: &str) -> IcalError {
    let mut value = value.to_owned();
    value.truncate(value.floor_char_boundary(64));
    IcalError::InvalidValue {
        uid: uid.to_owned(),
        property: property.to_owned(),
        value,
    }
}

fn is_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads one date or date-time value (strict shapes: `YYYYMMDD`, `YYYYMMDDTHHMMSS`, optional `Z`).
pub(super) fn read_value(
    value: &str,
    line: &ContentLine,
    zones: &mut ZoneResolver<'_>,
    default_zone: Tz,
    uid: &str,
) -> Result<When, IcalError> {
    let v = value.trim();
    let bad = || invalid(uid, &line.name, v);
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y%m%d")
            .ok()
            .filter(|_| s.len() == 8 && is_digits(s))
    };
    if line
        .param("VALUE")
        .is_some_and(|p| p.eq_ignore_ascii_case("DATE"))
        || v.len() == 8
    {
        return date(v).map(When::Date).ok_or_else(bad);
    }
    let (body, zulu) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    if body.len() != 15
        || !body.is_ascii()
        || body.as_bytes()[8] != b'T'
        || !is_digits(&body[..8])
        || !is_digits(&body[9..])
    {
        return Err(bad());
    }
    let naive = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    if zulu {
        return Ok(When::Utc(naive.and_utc()));
    }
    let zone = line
        .param("TZID")
        .map_or(default_zone, |tzid| zones.resolve(tzid));
    Ok(When::Local(naive, zone))
}

/// The start of a local day.
pub(super) fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(chrono::NaiveTime::MIN)
}

impl When {
    /// The instant this value names (a date is its local midnight in `default_zone`).
    pub(super) fn instant(self, default_zone: Tz) -> DateTime<Utc> {
        match self {
            Self::Date(d) => localize(default_zone, midnight(d)),
            Self::Local(n, z) => localize(z, n),
            Self::Utc(t) => t,
        }
    }

    /// The zone its wall clock follows (a date follows `default_zone`, a UTC time UTC).
    pub(super) fn zone(self, default_zone: Tz) -> Tz {
        match self {
            Self::Date(_) => default_zone,
            Self::Local(_, z) => z,
            Self::Utc(_) => Tz::UTC,
        }
    }
}

/// A parsed `DURATION`: nominal days (weeks included) and exact seconds, possibly negative.
pub(super) fn parse_duration(v: &str) -> Option<(i64, i64)> {
    let v = v.trim();
    let (sign, rest) = match v.as_bytes().first()? {
        b'-' => (-1, &v[1..]),
        b'+' => (1, &v[1..]),
        _ => (1, v),
    };
    let rest = rest.strip_prefix('P')?;
    let (mut days, mut secs, mut in_time, mut number, mut any) =
        (0i64, 0i64, false, String::new(), false);
    for c in rest.chars() {
        if c.is_ascii_digit() {
            if number.len() >= 7 {
                return None;
            }
            number.push(c);
            continue;
        }
        if c == 'T' && number.is_empty() && !in_time {
            in_time = true;
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        any = true;
        match (c, in_time) {
            ('W', false) => days += 7 * n,
            ('D', false) => days += n,
            ('H', true) => secs += 3600 * n,
            ('M', true) => secs += 60 * n,
            ('S', true) => secs += n,
            _ => return None,
        }
    }
    (any && number.is_empty()).then_some((sign * days, sign * secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("P1W"), Some((7, 0)));
        assert_eq!(
            parse_duration("-P1DT2H3M4S"),
            Some((-1, -(2 * 3600 + 3 * 60 + 4)))
        );
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(parse_duration("P1"), None);
    }
}
