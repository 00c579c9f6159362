//! Public holidays (jours fériés) of every French territory, for the years 1900–2200.
//!
//! Business days and day gardes depend on them. The rules are a declarative table (`RULES`): a date
//! (fixed, or an offset from Easter Sunday), the regions that keep it, and the years it is in force.
//! There are no one-off irregular holidays in France in this range, so no table of exceptions is needed.
//!
//! Sources: the 11 national days of the Code du travail (art. L3133-1); Alsace-Moselle's Good Friday and
//! 26 December (art. L3134-13); the abolition of slavery per territory (loi n° 83-550 du 30 juin 1983,
//! décret n° 83-1003 du 23 novembre 1983 as amended by décret n° 2012-553); and, for the further local
//! days of the overseas territories, the maintained Python package `holidays` (MIT), which the
//! integration test `tests/calendar_rules.rs` checks date for date over 2020–2035 for every code. Where
//! the law and that package differ, the law wins; `core/data/holidays/README.md` lists each difference.

use std::ops::RangeInclusive;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::error::CalendarError;
use super::territory::{Department, HolidayRegion};

/// First year the rules are written for.
pub const MIN_YEAR: i32 = 1900;
/// Last year the rules are written for.
pub const MAX_YEAR: i32 = 2200;

/// One public holiday: a local date and its French name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Holiday {
    /// The local calendar date.
    pub date: NaiveDate,
    /// The French name, e.g. "Lundi de Pentecôte".
    pub name: &'static str,
}

/// When a rule falls in a given year.
#[derive(Clone, Copy, Debug)]
enum When {
    /// A fixed month and day.
    Fixed(u32, u32),
    /// Days after (or before, if negative) Easter Sunday.
    Easter(i16),
}

/// Which regions keep a rule.
#[derive(Clone, Copy, Debug)]
enum Scope {
    /// Every French territory.
    All,
    /// Only these regions.
    Only(&'static [HolidayRegion]),
}

/// One line of the holiday law.
struct Rule {
    name: &'static str,
    when: When,
    scope: Scope,
    years: RangeInclusive<i32>,
}

const fn rule(name: &'static str, when: When, scope: Scope, years: RangeInclusive<i32>) -> Rule {
    Rule {
        name,
        when,
        scope,
        years,
    }
}

use HolidayRegion as R;
use Scope::{All, Only};
use When::{Easter, Fixed};

const ALWAYS: RangeInclusive<i32> = MIN_YEAR..=MAX_YEAR;

/// The holiday law of every region, 1900–2200.
static RULES: &[Rule] = &[
    // National days (Code du travail, art. L3133-1).
    rule("Jour de l'an", Fixed(1, 1), All, ALWAYS),
    rule("Lundi de Pâques", Easter(1), All, ALWAYS),
    // A holiday since 1919 (loi du 23 avril 1919); named "Fête du Travail" by the loi du 29 avril
    // 1948; the 1941–1945 name is Vichy's.
    rule("1er mai", Fixed(5, 1), All, 1919..=1940),
    rule(
        "Fête du Travail et de la Concorde sociale",
        Fixed(5, 1),
        All,
        1941..=1945,
    ),
    rule("1er mai", Fixed(5, 1), All, 1946..=1947),
    rule("Fête du Travail", Fixed(5, 1), All, 1948..=MAX_YEAR),
    // Loi n° 53-225 (1953); dropped by décret n° 59-533; restored by loi n° 81-893 (from 1982).
    rule("Fête de la Victoire", Fixed(5, 8), All, 1953..=1959),
    rule("Fête de la Victoire", Fixed(5, 8), All, 1982..=MAX_YEAR),
    rule("Ascension", Easter(39), All, ALWAYS),
    // Stayed a fête légale in 2005–2007: loi n° 2004-626 only made it the default "journée de
    // solidarité" (worked), it did not strike it from the list. The Python package drops it in those
    // years; see core/data/holidays/README.md.
    rule("Lundi de Pentecôte", Easter(50), All, ALWAYS),
    rule("Fête nationale", Fixed(7, 14), All, ALWAYS),
    rule("Assomption", Fixed(8, 15), All, ALWAYS),
    rule("Toussaint", Fixed(11, 1), All, ALWAYS),
    // Loi du 24 octobre 1922.
    rule("Armistice", Fixed(11, 11), All, 1922..=MAX_YEAR),
    rule("Noël", Fixed(12, 25), All, ALWAYS),
    // Alsace-Moselle (art. L3134-13); Guadeloupe and French Polynesia per the Python package.
    rule(
        "Vendredi saint",
        Easter(-2),
        Only(&[R::AlsaceMoselle, R::Guadeloupe, R::PolynesieFrancaise]),
        ALWAYS,
    ),
    rule(
        "Saint-Étienne",
        Fixed(12, 26),
        Only(&[R::AlsaceMoselle]),
        ALWAYS,
    ),
    // Guadeloupe's mid-Lent Thursday, per the Python package.
    rule("Mi-Carême", Easter(-24), Only(&[R::Guadeloupe]), ALWAYS),
    // Abolition of slavery: loi n° 83-550, décret n° 83-1003 (dates from 1984; Réunion's first in 1983).
    rule(
        "Abolition de l'esclavage",
        Fixed(4, 27),
        Only(&[R::Mayotte]),
        1984..=MAX_YEAR,
    ),
    rule(
        "Abolition de l'esclavage",
        Fixed(5, 22),
        Only(&[R::Martinique]),
        1984..=MAX_YEAR,
    ),
    rule(
        "Abolition de l'esclavage",
        Fixed(5, 27),
        Only(&[R::Guadeloupe]),
        1984..=MAX_YEAR,
    ),
    rule(
        "Abolition de l'esclavage",
        Fixed(6, 10),
        Only(&[R::Guyane]),
        1984..=MAX_YEAR,
    ),
    rule(
        "Abolition de l'esclavage",
        Fixed(12, 20),
        Only(&[R::Reunion]),
        1983..=MAX_YEAR,
    ),
    // Décret n° 2012-553 (in force 26 April 2012) added Saint-Barthélemy (9 Oct) and Saint-Martin
    // (27 May); Saint-Martin moved to 28 May from 2018 (the Python package has 28 May since 2012).
    rule(
        "Abolition de l'esclavage",
        Fixed(10, 9),
        Only(&[R::SaintBarthelemy]),
        2012..=MAX_YEAR,
    ),
    rule(
        "Abolition de l'esclavage",
        Fixed(5, 27),
        Only(&[R::SaintMartin]),
        2012..=2017,
    ),
    rule(
        "Abolition de l'esclavage",
        Fixed(5, 28),
        Only(&[R::SaintMartin]),
        2018..=MAX_YEAR,
    ),
    // Local days kept per the Python package.
    rule(
        "Fête de Victor Schœlcher",
        Fixed(7, 21),
        Only(&[R::Guadeloupe, R::Martinique]),
        1984..=MAX_YEAR,
    ),
    rule(
        "Fête de Victor Schœlcher",
        Fixed(7, 21),
        Only(&[R::SaintMartin]),
        2012..=MAX_YEAR,
    ),
    rule(
        "Fête de la prise de possession",
        Fixed(9, 24),
        Only(&[R::NouvelleCaledonie]),
        1953..=2003,
    ),
    rule(
        "Fête de la Citoyenneté",
        Fixed(9, 24),
        Only(&[R::NouvelleCaledonie]),
        2004..=MAX_YEAR,
    ),
    rule(
        "Arrivée de l'Évangile",
        Fixed(3, 5),
        Only(&[R::PolynesieFrancaise]),
        1978..=MAX_YEAR,
    ),
    rule(
        "Fête de l'autonomie",
        Fixed(6, 29),
        Only(&[R::PolynesieFrancaise]),
        1985..=2024,
    ),
    rule(
        "Matāri'i",
        Fixed(11, 20),
        Only(&[R::PolynesieFrancaise]),
        2025..=MAX_YEAR,
    ),
    rule(
        "Saint Pierre Chanel",
        Fixed(4, 28),
        Only(&[R::WallisEtFutuna]),
        1962..=MAX_YEAR,
    ),
    rule(
        "Saints Pierre et Paul",
        Fixed(6, 29),
        Only(&[R::WallisEtFutuna]),
        1962..=MAX_YEAR,
    ),
    rule(
        "Fête du Territoire",
        Fixed(7, 29),
        Only(&[R::WallisEtFutuna]),
        1962..=MAX_YEAR,
    ),
];

fn check_year(year: i32) -> Result<(), CalendarError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::YearOutOfRange { year })
    }
}

/// Easter Sunday of the Gregorian calendar, which all movable holidays hang on.
///
/// Uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher, "Astronomical Algorithms", ch. 8),
/// valid for every Gregorian year.
#[expect(
    clippy::many_single_char_names,
    reason = "the letters are those of the published algorithm, so it can be checked against it"
)]
pub fn easter_sunday(year: i32) -> Result<NaiveDate, CalendarError> {
    check_year(year)?;
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction, so the conversions cannot fail.
    let month = u32::try_from(month).map_err(|_| CalendarError::YearOutOfRange { year })?;
    let day = u32::try_from(day).map_err(|_| CalendarError::YearOutOfRange { year })?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(CalendarError::YearOutOfRange { year })
}

/// The holidays a region keeps in a year, sorted by date (two may share a date, e.g. Ascension on 1 May).
pub fn region_holidays(year: i32, region: HolidayRegion) -> Result<Vec<Holiday>, CalendarError> {
    let easter = easter_sunday(year)?;
    let mut out = Vec::with_capacity(16);
    for rule in RULES {
        let applies = match rule.scope {
            All => true,
            Only(regions) => regions.contains(&region),
        };
        if !applies || !rule.years.contains(&year) {
            continue;
        }
        let date = match rule.when {
            Fixed(month, day) => NaiveDate::from_ymd_opt(year, month, day),
            Easter(offset) => {
                let days = Days::new(u64::from(offset.unsigned_abs()));
                if offset >= 0 {
                    easter.checked_add_days(days)
                } else {
                    easter.checked_sub_days(days)
                }
            }
        };
        let date = date.ok_or(CalendarError::YearOutOfRange { year })?;
        out.push(Holiday {
            date,
            name: rule.name,
        });
    }
    out.sort();
    Ok(out)
}

/// The public holidays of a département or overseas territory in a year, sorted by date.
pub fn public_holidays(year: i32, dept: &Department) -> Result<Vec<Holiday>, CalendarError> {
    region_holidays(year, dept.holiday_region())
}

/// Whether the local date is a public holiday in that territory.
pub fn is_holiday(date: NaiveDate, dept: &Department) -> Result<bool, CalendarError> {
    Ok(public_holidays(date.year(), dept)?
        .iter()
        .any(|h| h.date == date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dept(code: &str) -> Department {
        Department::parse(code).unwrap()
    }

    fn dates(year: i32, code: &str) -> Vec<NaiveDate> {
        public_holidays(year, &dept(code))
            .unwrap()
            .iter()
            .map(|h| h.date)
            .collect()
    }

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2024), Ok(ymd(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Ok(ymd(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Ok(ymd(2026, 4, 5)));
        assert_eq!(easter_sunday(2019), Ok(ymd(2019, 4, 21)));
        assert_eq!(easter_sunday(2038), Ok(ymd(2038, 4, 25))); // latest possible
        assert_eq!(easter_sunday(2008), Ok(ymd(2008, 3, 23)));
        assert_eq!(easter_sunday(2000), Ok(ymd(2000, 4, 23)));
        assert_eq!(easter_sunday(1900), Ok(ymd(1900, 4, 15)));
        assert_eq!(easter_sunday(2200), Ok(ymd(2200, 4, 6)));
        assert_eq!(easter_sunday(1899).unwrap_err().code(), "year_out_of_range");
        assert_eq!(
            easter_sunday(2201),
            Err(CalendarError::YearOutOfRange { year: 2201 })
        );
    }

    #[test]
    fn metropolitan_2026() {
        let h = public_holidays(2026, &dept("75")).unwrap();
        assert_eq!(h.len(), 11);
        let find = |name: &str| h.iter().find(|x| x.name == name).unwrap().date;
        assert_eq!(find("Lundi de Pâques"), ymd(2026, 4, 6));
        assert_eq!(find("Ascension"), ymd(2026, 5, 14));
        assert_eq!(find("Lundi de Pentecôte"), ymd(2026, 5, 25));
        assert_eq!(h.first().unwrap().date, ymd(2026, 1, 1));
        assert_eq!(h.last().unwrap().date, ymd(2026, 12, 25));
        assert!(is_holiday(ymd(2026, 11, 11), &dept("2A")).unwrap());
        assert!(!is_holiday(ymd(2026, 12, 26), &dept("54")).unwrap());
    }

    #[test]
    fn alsace_moselle_adds_two_days() {
        for code in ["57", "67", "68"] {
            let d = dates(2026, code);
            assert_eq!(d.len(), 13);
            assert!(d.contains(&ymd(2026, 4, 3)), "Good Friday in {code}");
            assert!(d.contains(&ymd(2026, 12, 26)), "Saint-Étienne in {code}");
        }
    }

    #[test]
    fn slavery_abolition_per_territory() {
        let cases = [
            ("976", 4, 27),
            ("972", 5, 22),
            ("971", 5, 27),
            ("978", 5, 28),
            ("973", 6, 10),
            ("977", 10, 9),
            ("974", 12, 20),
        ];
        for (code, m, d) in cases {
            let h = public_holidays(2026, &dept(code)).unwrap();
            let day = h
                .iter()
                .find(|x| x.name == "Abolition de l'esclavage")
                .unwrap();
            assert_eq!(day.date, ymd(2026, m, d), "{code}");
        }
        assert!(dates(2026, "975").len() == 11);
        // Saint-Martin kept the décret's 27 May until 2017.
        assert!(dates(2015, "978").contains(&ymd(2015, 5, 27)));
        assert!(!dates(2015, "978").contains(&ymd(2015, 5, 28)));
    }

    #[test]
    fn historic_changes() {
        // Pentecost Monday stayed a fête légale during the solidarity-day years.
        assert!(dates(2006, "75").contains(&ymd(2006, 6, 5)));
        // 8 May was not a holiday 1960–1981.
        assert!(!dates(1970, "75").contains(&ymd(1970, 5, 8)));
        assert!(dates(1982, "75").contains(&ymd(1982, 5, 8)));
        // French Polynesia swapped 29 June for Matāri'i (20 Nov) in 2025.
        assert!(dates(2024, "987").contains(&ymd(2024, 6, 29)));
        assert!(!dates(2025, "987").contains(&ymd(2025, 6, 29)));
        assert!(dates(2025, "987").contains(&ymd(2025, 11, 20)));
    }

    #[test]
    fn shared_dates_are_both_listed() {
        // 2008: Ascension fell on 1 May.
        let h = public_holidays(2008, &dept("75")).unwrap();
        let may_first: Vec<_> = h.iter().filter(|x| x.date == ymd(2008, 5, 1)).collect();
        assert_eq!(may_first.len(), 2);
    }

    #[test]
    fn every_region_every_year_is_computable() {
        for year in MIN_YEAR..=MAX_YEAR {
            for region in HolidayRegion::ALL {
                let h = region_holidays(year, region).unwrap();
                assert!(h.len() >= 8 && h.iter().all(|x| x.date.year() == year));
            }
        }
        assert!(region_holidays(1899, HolidayRegion::Metropolitan).is_err());
    }
}
