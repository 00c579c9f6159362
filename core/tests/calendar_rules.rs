//! Proves the calendar rules against an independent reference: fixtures generated from the maintained
//! Python package `holidays` and `zoneinfo` by `core/data/holidays/generate_fixture.py`.
//!
//! - Holidays: for EVERY département and overseas code and every year of the fixture (2020–2035), the
//!   set of holiday dates equals the package's, except the differences the law imposes, listed in
//!   `core/data/holidays/deviations.tsv` (each of which must be a real difference, so none goes stale).
//! - Deadlines: for every code, the 3-business-day answer deadline of proposals sent around every
//!   holiday and DST change 2020–2035 equals the one computed in Python.
//!
//! Set `REMPLA_HOLIDAY_FIXTURE=/path/to/fixture.tsv` to check another holiday fixture (e.g. one
//! generated for 1900–2200 with `generate_fixture.py --first 1900 --last 2200 --holidays-only`).

// Helpers here read fixtures: a malformed fixture should fail the test loudly, so unwrapping is right.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rempla_core::calendar::{Department, answer_deadline, public_holidays};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/holidays")
}

/// Non-comment rows of a TSV file, split on tabs.
fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

struct HolidayFixture {
    /// Département code → group.
    groups: BTreeMap<String, String>,
    /// (group, date) → sorted names.
    holidays: BTreeMap<(String, NaiveDate), Vec<String>>,
    years: (i32, i32),
}

fn holiday_fixture() -> HolidayFixture {
    let path = std::env::var_os("REMPLA_HOLIDAY_FIXTURE")
        .map_or_else(|| data_dir().join("fixture-2020-2035.tsv"), PathBuf::from);
    let mut groups = BTreeMap::new();
    let mut holidays = BTreeMap::new();
    for row in rows(&path) {
        match row[0].as_str() {
            "dept" => {
                assert!(
                    groups.insert(row[1].clone(), row[2].clone()).is_none(),
                    "{row:?}"
                );
            }
            "holiday" => {
                let mut names: Vec<String> = row[3].split("; ").map(str::to_owned).collect();
                names.sort();
                holidays.insert((row[1].clone(), date(&row[2])), names);
            }
            other => panic!("unknown row kind {other}"),
        }
    }
    let first = holidays.keys().map(|(_, d)| d.year()).min().unwrap();
    let last = holidays.keys().map(|(_, d)| d.year()).max().unwrap();
    HolidayFixture {
        groups,
        holidays,
        years: (first, last),
    }
}

/// A difference between the law (the Rust rules) and the package, from deviations.tsv.
struct Deviation {
    group: String,
    date: NaiveDate,
    /// `true`: a holiday by law the package lacks; `false`: a package holiday that is not one by law.
    added: bool,
}

fn deviations() -> Vec<Deviation> {
    rows(&data_dir().join("deviations.tsv"))
        .into_iter()
        .map(|row| Deviation {
            group: row[0].clone(),
            date: date(&row[1]),
            added: match row[2].as_str() {
                "+" => true,
                "-" => false,
                other => panic!("deviation sign must be + or -, got {other}"),
            },
        })
        .collect()
}

/// Our names where they spell a holiday differently from the package.
fn package_name(ours: &str) -> &str {
    match ours {
        "Fête de Victor Schœlcher" => "Fête de Victor Schoelcher",
        other => other,
    }
}

#[test]
fn every_code_has_the_reference_holidays() {
    let fixture = holiday_fixture();
    let ours: BTreeSet<&str> = Department::all().map(|d| d.code()).collect();
    let theirs: BTreeSet<&str> = fixture.groups.keys().map(String::as_str).collect();
    assert_eq!(
        ours, theirs,
        "the fixture must list exactly our département codes"
    );

    let deviations = deviations();
    let (first, last) = fixture.years;
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for dept in Department::all() {
        let group = &fixture.groups[dept.code()];
        for year in first..=last {
            let mut expected: BTreeMap<NaiveDate, Vec<String>> = fixture
                .holidays
                .range((group.clone(), NaiveDate::from_yo_opt(year, 1).unwrap())..)
                .take_while(|((g, d), _)| g == group && d.year() == year)
                .map(|((_, d), names)| (*d, names.clone()))
                .collect();
            for dev in deviations
                .iter()
                .filter(|d| &d.group == group && d.date.year() == year)
            {
                if dev.added {
                    expected.insert(dev.date, Vec::new());
                } else {
                    expected.remove(&dev.date);
                }
            }
            let mut actual: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
            for h in public_holidays(year, &dept).unwrap() {
                actual
                    .entry(h.date)
                    .or_default()
                    .push(package_name(h.name).to_owned());
            }
            let expected_dates: BTreeSet<_> = expected.keys().collect();
            let actual_dates: BTreeSet<_> = actual.keys().collect();
            if expected_dates != actual_dates {
                mismatches.push(format!(
                    "{} ({group}) {year}: missing {:?}, extra {:?}",
                    dept.code(),
                    expected_dates.difference(&actual_dates).collect::<Vec<_>>(),
                    actual_dates.difference(&expected_dates).collect::<Vec<_>>(),
                ));
            }
            // Names too, except in years where a deviation moves a day (names shift with it).
            let deviated = deviations
                .iter()
                .any(|d| &d.group == group && d.date.year() == year);
            for (d, names) in actual.iter_mut().filter(|_| !deviated) {
                names.sort();
                if let Some(want) = expected.get(d)
                    && want != names
                {
                    mismatches.push(format!("{} {d}: names {names:?} vs {want:?}", dept.code()));
                }
            }
            checked += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    let years = usize::try_from(last - first + 1).unwrap();
    assert_eq!(checked, 107 * years);
}

#[test]
fn deviations_are_real_differences() {
    let fixture = holiday_fixture();
    let (first, last) = fixture.years;
    let deviations = deviations();
    assert!(!deviations.is_empty());
    for dev in deviations
        .iter()
        .filter(|d| (first..=last).contains(&d.date.year()))
    {
        let in_package = fixture
            .holidays
            .contains_key(&(dev.group.clone(), dev.date));
        assert_eq!(
            in_package, !dev.added,
            "deviation {} {} no longer differs from the package",
            dev.group, dev.date
        );
    }
}

#[test]
fn every_code_has_the_reference_deadlines() {
    let fixture = holiday_fixture();
    let mut by_group: BTreeMap<String, Vec<(DateTime<Utc>, String)>> = BTreeMap::new();
    for row in rows(&data_dir().join("deadlines-2020-2035.tsv")) {
        let sent = DateTime::parse_from_rfc3339(&row[1].replace('Z', ":00Z"))
            .unwrap_or_else(|e| panic!("{row:?}: {e}"))
            .with_timezone(&Utc);
        by_group
            .entry(row[0].clone())
            .or_default()
            .push((sent, row[2].clone()));
    }
    let mut checked = 0_usize;
    let mut mismatches = Vec::new();
    for dept in Department::all() {
        let group = &fixture.groups[dept.code()];
        let cases = by_group
            .get(group)
            .unwrap_or_else(|| panic!("no deadlines for group {group}"));
        assert!(cases.len() > 1000, "{group}: too few cases");
        for (sent, want) in cases {
            let got = answer_deadline(*sent, &dept, 3).unwrap().to_rfc3339();
            if &got != want {
                mismatches.push(format!(
                    "{} sent {sent}: got {got}, want {want}",
                    dept.code()
                ));
            }
            checked += 1;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(checked > 107 * 1000);
}
