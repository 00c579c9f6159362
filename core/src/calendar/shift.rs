//! Shift kinds, their local-time templates, and the exact UTC interval of a shift on a local date.
//!
//! A shift is defined on the site's wall clock ("20:00 to 08:00"); everything downstream works on UTC
//! [`Interval`]s, so this module is where DST is dealt with, once. Wall times that happen twice (autumn)
//! take the earliest instant; wall times that never happen (spring gap) move forward to the first valid
//! instant, the end of the gap. So a Paris night across the spring change lasts 11 h, across the autumn
//! change 13 h.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::error::CalendarError;
use super::holidays::is_holiday;
use super::interval::Interval;
pub use super::shift_kind::ShiftKind;
use super::territory::Department;

const fn hour(h: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, 0, 0) {
        Some(t) => t,
        None => NaiveTime::MIN,
    }
}

/// The wall-clock start and end of a shift kind; an end not after the start means "the next day".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShiftTemplate {
    start: NaiveTime,
    end: NaiveTime,
}

impl ShiftTemplate {
    const DAY: Self = Self {
        start: hour(8),
        end: hour(20),
    };
    const MORNING: Self = Self {
        start: hour(8),
        end: hour(14),
    };
    const AFTERNOON: Self = Self {
        start: hour(14),
        end: hour(20),
    };
    const NIGHT: Self = Self {
        start: hour(20),
        end: hour(8),
    };

    /// Local start time on the shift's date.
    pub const fn start(&self) -> NaiveTime {
        self.start
    }

    /// Local end time, on the shift's date or, if [`Self::ends_next_day`], the day after.
    pub const fn end(&self) -> NaiveTime {
        self.end
    }

    /// Whether the shift ends on the day after it starts (nights).
    pub fn ends_next_day(&self) -> bool {
        self.end <= self.start
    }

    /// Wall-clock start and end for a shift starting on `date` (`None` only at the end of time).
    pub fn local_bounds(&self, date: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let end_date = if self.ends_next_day() {
            date.checked_add_days(Days::new(1))?
        } else {
            date
        };
        Some((date.and_time(self.start), end_date.and_time(self.end)))
    }
}

impl ShiftKind {
    /// Every kind, for enumeration in tools and tests.
    pub const ALL: [ShiftKind; 8] = [
        Self::Day,
        Self::Morning,
        Self::Afternoon,
        Self::Night,
        Self::GardeNight,
        Self::GardeDay,
        Self::Astreinte,
        Self::Custom,
    ];

    /// Stable snake_case name, as in JSON (`garde_night`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
            Self::Night => "night",
            Self::GardeNight => "garde_night",
            Self::GardeDay => "garde_day",
            Self::Astreinte => "astreinte",
            Self::Custom => "custom",
        }
    }

    /// French name for display (« garde de nuit »).
    pub const fn label_fr(self) -> &'static str {
        match self {
            Self::Day => "journée",
            Self::Morning => "matinée",
            Self::Afternoon => "après-midi",
            Self::Night => "nuit",
            Self::GardeNight => "garde de nuit",
            Self::GardeDay => "garde de jour",
            Self::Astreinte => "astreinte",
            Self::Custom => "période libre",
        }
    }

    /// The local template of this kind; `None` for [`ShiftKind::Custom`], whose interval is explicit.
    pub const fn template(self) -> Option<ShiftTemplate> {
        match self {
            Self::Day | Self::GardeDay => Some(ShiftTemplate::DAY),
            Self::Morning => Some(ShiftTemplate::MORNING),
            Self::Afternoon => Some(ShiftTemplate::AFTERNOON),
            Self::Night | Self::GardeNight | Self::Astreinte => Some(ShiftTemplate::NIGHT),
            Self::Custom => None,
        }
    }

    /// Whether the kind exists only on some days (day gardes: Sundays and public holidays), so that a
    /// territory, not just a zone, is needed to place it.
    pub const fn depends_on_holidays(self) -> bool {
        matches!(self, Self::GardeDay)
    }

    /// How many half-days (demi-journées) the shift counts for billing and caps: a half-day shift counts
    /// one, a day or a night (including gardes and astreintes) counts two. `Custom` has no fixed count.
    pub fn half_days(self) -> Result<u8, CalendarError> {
        match self {
            Self::Morning | Self::Afternoon => Ok(1),
            Self::Day | Self::Night | Self::GardeNight | Self::GardeDay | Self::Astreinte => Ok(2),
            Self::Custom => Err(CalendarError::NoShiftTemplate { kind: self }),
        }
    }
}

/// The instant a wall-clock time of `tz` denotes: the earliest one if the time happens twice, and the
/// first valid instant after the gap (the gap's end) if it never happens.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> Result<DateTime<Tz>, CalendarError> {
    let unresolvable = || CalendarError::UnresolvableLocalTime {
        local,
        zone: tz.name(),
    };
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t),
        LocalResult::Ambiguous(a, b) => Ok(a.min(b)),
        LocalResult::None => {
            let valid = |t: NaiveDateTime| !matches!(tz.from_local_datetime(&t), LocalResult::None);
            // A gap is one contiguous run of invalid wall times. Step forward by minutes to a valid
            // time (gaps last at most a day), then bisect down to the nanosecond for the gap's end.
            let mut invalid = local;
            let mut found = None;
            for _ in 0..(26 * 60) {
                let next = invalid
                    .checked_add_signed(TimeDelta::minutes(1))
                    .ok_or_else(unresolvable)?;
                if valid(next) {
                    found = Some(next);
                    break;
                }
                invalid = next;
            }
            let mut ok = found.ok_or_else(unresolvable)?;
            while ok - invalid > TimeDelta::nanoseconds(1) {
                let mid = invalid + (ok - invalid) / 2;
                if valid(mid) {
                    ok = mid;
                } else {
                    invalid = mid;
                }
            }
            tz.from_local_datetime(&ok)
                .earliest()
                .ok_or_else(unresolvable)
        }
    }
}

/// The exact UTC interval of a shift starting on a local date in a zone, for kinds that do not depend on
/// public holidays. Day gardes need [`shift_interval`] (a territory), `Custom` has no template.
pub fn shift_interval_in_zone(
    kind: ShiftKind,
    date: NaiveDate,
    tz: Tz,
) -> Result<Interval, CalendarError> {
    if kind.depends_on_holidays() {
        return Err(CalendarError::ShiftNeedsTerritory { kind });
    }
    interval_of(kind, date, tz)
}

/// The exact UTC interval of a shift starting on a local date at a site in `dept`. A day garde exists
/// only on Sundays and public holidays of that territory: any other day is an error.
pub fn shift_interval(
    kind: ShiftKind,
    date: NaiveDate,
    dept: &Department,
) -> Result<Interval, CalendarError> {
    if kind.depends_on_holidays() && date.weekday() != Weekday::Sun && !is_holiday(date, dept)? {
        return Err(CalendarError::GardeDayNotAllowed { date });
    }
    interval_of(kind, date, dept.time_zone())
}

fn interval_of(kind: ShiftKind, date: NaiveDate, tz: Tz) -> Result<Interval, CalendarError> {
    let template = kind
        .template()
        .ok_or(CalendarError::NoShiftTemplate { kind })?;
    let (start, end) = template
        .local_bounds(date)
        .ok_or(CalendarError::UnresolvableLocalTime {
            local: date.and_time(template.end),
            zone: tz.name(),
        })?;
    let start = resolve_local(tz, start)?.with_timezone(&Utc);
    let end = resolve_local(tz, end)?.with_timezone(&Utc);
    Interval::new(start, end)
}

impl std::str::FromStr for ShiftKind {
    type Err = CalendarError;

    /// Reads the snake_case name, also accepting hyphens as typed on a command line (`garde-night`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().replace('-', "_").to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| CalendarError::UnknownShiftKind {
                input: crate::text::truncate_for_message(s),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_their_names() {
        for kind in ShiftKind::ALL {
            assert_eq!(kind.as_str().parse::<ShiftKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(
            "Garde-Night".parse::<ShiftKind>(),
            Ok(ShiftKind::GardeNight)
        );
        assert_eq!(
            "brunch".parse::<ShiftKind>().unwrap_err().code(),
            "unknown_shift_kind"
        );
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dept(code: &str) -> Department {
        Department::parse(code).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn hours(kind: ShiftKind, date: NaiveDate, tz: Tz) -> i64 {
        shift_interval_in_zone(kind, date, tz)
            .unwrap()
            .duration()
            .num_minutes()
    }

    #[test]
    fn serde_names_are_stable() {
        let names: Vec<String> = ShiftKind::ALL
            .iter()
            .map(|k| serde_json::to_string(k).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "\"day\"",
                "\"morning\"",
                "\"afternoon\"",
                "\"night\"",
                "\"garde_night\"",
                "\"garde_day\"",
                "\"astreinte\"",
                "\"custom\""
            ]
        );
    }

    #[test]
    fn templates_match_the_doc() {
        let t = |k: ShiftKind| {
            let t = k.template().unwrap();
            (
                t.start().format("%H:%M").to_string(),
                t.end().format("%H:%M").to_string(),
                t.ends_next_day(),
            )
        };
        let s = |a: &str, b: &str, n: bool| (a.to_owned(), b.to_owned(), n);
        assert_eq!(t(ShiftKind::Day), s("08:00", "20:00", false));
        assert_eq!(t(ShiftKind::Morning), s("08:00", "14:00", false));
        assert_eq!(t(ShiftKind::Afternoon), s("14:00", "20:00", false));
        assert_eq!(t(ShiftKind::GardeDay), s("08:00", "20:00", false));
        for k in [
            ShiftKind::Night,
            ShiftKind::GardeNight,
            ShiftKind::Astreinte,
        ] {
            assert_eq!(t(k), s("20:00", "08:00", true));
        }
        assert_eq!(ShiftKind::Custom.template(), None);
    }

    #[test]
    fn half_days() {
        assert_eq!(ShiftKind::Morning.half_days(), Ok(1));
        assert_eq!(ShiftKind::Afternoon.half_days(), Ok(1));
        assert_eq!(ShiftKind::Day.half_days(), Ok(2));
        assert_eq!(ShiftKind::Night.half_days(), Ok(2));
        assert_eq!(ShiftKind::GardeNight.half_days(), Ok(2));
        assert_eq!(
            ShiftKind::Custom.half_days().unwrap_err().code(),
            "no_shift_template"
        );
    }

    #[test]
    fn paris_nights_across_dst() {
        let paris = Tz::Europe__Paris;
        // Last Sunday of March 2026 is the 29th: the night from Saturday 28 loses an hour.
        let spring = shift_interval_in_zone(ShiftKind::Night, ymd(2026, 3, 28), paris).unwrap();
        assert_eq!(spring.start(), utc("2026-03-28T19:00:00Z"));
        assert_eq!(spring.end(), utc("2026-03-29T06:00:00Z"));
        assert_eq!(spring.duration().num_hours(), 11);
        assert_eq!(hours(ShiftKind::Night, ymd(2026, 3, 29), paris), 12 * 60);
        // Last Sunday of October 2026 is the 25th: the night from Saturday 24 gains one.
        let autumn =
            shift_interval_in_zone(ShiftKind::GardeNight, ymd(2026, 10, 24), paris).unwrap();
        assert_eq!(autumn.start(), utc("2026-10-24T18:00:00Z"));
        assert_eq!(autumn.end(), utc("2026-10-25T07:00:00Z"));
        assert_eq!(autumn.duration().num_hours(), 13);
        assert_eq!(
            hours(ShiftKind::Astreinte, ymd(2025, 3, 29), paris),
            11 * 60
        );
        assert_eq!(
            hours(ShiftKind::Astreinte, ymd(2025, 10, 25), paris),
            13 * 60
        );
        // Day shifts do not cross the 02:00–03:00 change.
        assert_eq!(hours(ShiftKind::Day, ymd(2026, 3, 29), paris), 12 * 60);
    }

    #[test]
    fn miquelon_follows_north_american_dst() {
        let miquelon = dept("975").time_zone();
        // 2026: second Sunday of March is the 8th, first Sunday of November the 1st.
        let spring = shift_interval_in_zone(ShiftKind::Night, ymd(2026, 3, 7), miquelon).unwrap();
        assert_eq!(spring.start(), utc("2026-03-07T23:00:00Z"));
        assert_eq!(spring.end(), utc("2026-03-08T10:00:00Z"));
        assert_eq!(
            hours(ShiftKind::Night, ymd(2026, 10, 31), miquelon),
            13 * 60
        );
        // Europe's dates change nothing there.
        assert_eq!(hours(ShiftKind::Night, ymd(2026, 3, 28), miquelon), 12 * 60);
    }

    #[test]
    fn overseas_zones_without_dst_are_always_twelve_hours() {
        for code in [
            "971", "972", "973", "974", "976", "977", "978", "986", "987", "988",
        ] {
            let tz = dept(code).time_zone();
            let mut date = ymd(2026, 1, 1);
            while date.year() == 2026 {
                assert_eq!(hours(ShiftKind::Night, date, tz), 12 * 60, "{code} {date}");
                assert_eq!(hours(ShiftKind::Day, date, tz), 12 * 60, "{code} {date}");
                date = date.succ_opt().unwrap();
            }
        }
        // Réunion is UTC+4: a night starts at 16:00Z.
        let n = shift_interval(ShiftKind::Night, ymd(2026, 7, 1), &dept("974")).unwrap();
        assert_eq!(n.start(), utc("2026-07-01T16:00:00Z"));
    }

    #[test]
    fn ambiguous_takes_earliest_and_gaps_move_forward() {
        let paris = Tz::Europe__Paris;
        let local = |d: NaiveDate, h: u32, m: u32| d.and_hms_opt(h, m, 0).unwrap();
        let twice = resolve_local(paris, local(ymd(2026, 10, 25), 2, 30)).unwrap();
        assert_eq!(twice.with_timezone(&Utc), utc("2026-10-25T00:30:00Z"));
        let never = resolve_local(paris, local(ymd(2026, 3, 29), 2, 30)).unwrap();
        assert_eq!(never.with_timezone(&Utc), utc("2026-03-29T01:00:00Z"));
        assert_eq!(never.naive_local(), local(ymd(2026, 3, 29), 3, 0));
        let gap_start = resolve_local(paris, local(ymd(2026, 3, 29), 2, 0)).unwrap();
        assert_eq!(gap_start.with_timezone(&Utc), utc("2026-03-29T01:00:00Z"));
        let miquelon = Tz::America__Miquelon;
        let m = resolve_local(miquelon, local(ymd(2026, 3, 8), 2, 15)).unwrap();
        assert_eq!(m.with_timezone(&Utc), utc("2026-03-08T05:00:00Z"));
        let m = resolve_local(miquelon, local(ymd(2026, 11, 1), 1, 15)).unwrap();
        assert_eq!(m.with_timezone(&Utc), utc("2026-11-01T03:15:00Z"));
        // Santiago moves its clocks at midnight: a shift template bound there would hit the gap.
        let santiago = Tz::America__Santiago;
        let s = resolve_local(santiago, local(ymd(2026, 9, 6), 0, 0)).unwrap();
        assert_eq!(s.naive_local(), local(ymd(2026, 9, 6), 1, 0));
    }

    #[test]
    fn garde_day_only_on_sundays_and_holidays() {
        let paris = dept("75");
        let sunday = shift_interval(ShiftKind::GardeDay, ymd(2026, 3, 29), &paris).unwrap();
        assert_eq!(sunday.start(), utc("2026-03-29T06:00:00Z"));
        assert_eq!(sunday.duration().num_hours(), 12);
        assert!(shift_interval(ShiftKind::GardeDay, ymd(2026, 5, 25), &paris).is_ok()); // Whit Monday
        let tuesday = shift_interval(ShiftKind::GardeDay, ymd(2026, 5, 26), &paris);
        assert_eq!(
            tuesday,
            Err(CalendarError::GardeDayNotAllowed {
                date: ymd(2026, 5, 26)
            })
        );
        // 26 December is a holiday only in Alsace-Moselle.
        assert!(shift_interval(ShiftKind::GardeDay, ymd(2025, 12, 26), &dept("67")).is_ok());
        assert!(shift_interval(ShiftKind::GardeDay, ymd(2025, 12, 26), &paris).is_err());
        // A bare zone cannot tell.
        let err = shift_interval_in_zone(ShiftKind::GardeDay, ymd(2026, 3, 29), Tz::Europe__Paris);
        assert_eq!(err.unwrap_err().code(), "shift_needs_territory");
    }

    #[test]
    fn custom_has_no_template() {
        let err = shift_interval(ShiftKind::Custom, ymd(2026, 1, 5), &dept("75")).unwrap_err();
        assert_eq!(
            err,
            CalendarError::NoShiftTemplate {
                kind: ShiftKind::Custom
            }
        );
        assert_eq!(err.code(), "no_shift_template");
    }

    #[test]
    fn half_day_shifts_in_winter_paris() {
        let m = shift_interval(ShiftKind::Morning, ymd(2026, 1, 5), &dept("75")).unwrap();
        assert_eq!(
            (m.start(), m.end()),
            (utc("2026-01-05T07:00:00Z"), utc("2026-01-05T13:00:00Z"))
        );
        let a = shift_interval(ShiftKind::Afternoon, ymd(2026, 7, 6), &dept("75")).unwrap();
        assert_eq!(
            (a.start(), a.end()),
            (utc("2026-07-06T12:00:00Z"), utc("2026-07-06T18:00:00Z"))
        );
    }
}
