//! End-to-end tests of the `rempla` binary: real process, real store file, real exit codes.

// Helpers of this test file panic on failure by design: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn rempla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rempla"))
        .args(args)
        .env("REMPLA_LOG", "off")
        .output()
        .expect("the rempla binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn rpps_check_exit_codes_and_reasons() {
    let ok = rempla(&["rpps", "check", "10000001916"]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("valide"), "{}", stdout(&ok));

    let bad_key = rempla(&["rpps", "check", "10000001917"]);
    assert_eq!(bad_key.status.code(), Some(1));
    assert!(
        stderr(&bad_key).contains("rpps_checksum"),
        "{}",
        stderr(&bad_key)
    );

    let short = rempla(&["rpps", "check", "123"]);
    assert_eq!(short.status.code(), Some(1));
    assert!(stderr(&short).contains("11 chiffres"), "{}", stderr(&short));

    let json = rempla(&["--json", "rpps", "check", "1000000191A"]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["code"], "rpps_not_digits");

    let usage = rempla(&["rpps", "check"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn holidays_in_moselle_and_martinique() {
    let out = rempla(&["holidays", "2027", "--department", "57"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let dates: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(dates.len(), 13, "{text}");
    assert!(
        dates.contains(&"2027-03-26"),
        "Vendredi saint in Moselle: {text}"
    );
    assert!(
        dates.contains(&"2027-12-26"),
        "Saint-Étienne in Moselle: {text}"
    );
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "sorted: {text}");

    let paris = stdout(&rempla(&["holidays", "2027", "--department", "75"]));
    assert_eq!(paris.lines().count(), 11, "{paris}");
    assert!(!paris.contains("2027-03-26"));

    let martinique = stdout(&rempla(&["holidays", "2027", "-d", "972"]));
    assert!(martinique.contains("2027-05-22"), "{martinique}");

    let bad = rempla(&["holidays", "2027", "--department", "96"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).starts_with("erreur ["), "{}", stderr(&bad));
}

#[test]
fn every_department_answers_for_every_year() {
    for code in [
        "01", "2A", "2B", "57", "67", "68", "75", "95", "971", "972", "973", "974", "975", "976",
        "977", "978", "986", "987", "988",
    ] {
        for year in [2020, 2027, 2035] {
            let out = rempla(&["--json", "holidays", &year.to_string(), "-d", code]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{code} {year}: {}",
                stderr(&out)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(v.as_array().unwrap().len() >= 11, "{code} {year}");
        }
    }
}

#[test]
fn deadline_is_end_of_third_business_day_in_site_zone() {
    // Monday 23 Nov 2026, 10:00 in Paris → end of Thursday 26 = Friday 27 00:00 +01:00.
    let out = rempla(&[
        "deadline",
        "--sent",
        "2026-11-23T10:00:00+01:00",
        "--department",
        "75",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "2026-11-27T00:00:00+01:00");

    // Friday 30 April 2027 in Martinique: Sat, Sun, 1 May (Sat) skipped; Mon 3, Tue 4, Wed 5 → Thu 6 00:00.
    let out = rempla(&[
        "deadline",
        "--sent",
        "2027-04-30T16:00:00-04:00",
        "--department",
        "972",
    ]);
    assert_eq!(stdout(&out).trim(), "2027-05-06T00:00:00-04:00");

    // Sent late Monday UTC = Tuesday in Réunion: counted from Tuesday.
    let out = rempla(&[
        "deadline",
        "--sent",
        "2026-11-23T21:30:00Z",
        "-d",
        "974",
        "--business-days",
        "1",
    ]);
    assert_eq!(stdout(&out).trim(), "2026-11-26T00:00:00+04:00");

    let bad = rempla(&["deadline", "--sent", "hier", "--department", "75"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("invalid_datetime"),
        "{}",
        stderr(&bad)
    );
}

fn cal(store: &Path, args: &[&str]) -> Output {
    let mut all = vec!["calendar", "--store", store.to_str().unwrap()];
    all.extend_from_slice(args);
    rempla(&all)
}

fn listed_json(store: &Path, from: &str, to: &str) -> Vec<serde_json::Value> {
    let all = vec![
        "--json",
        "calendar",
        "--store",
        store.to_str().unwrap(),
        "list",
        "--from",
        from,
        "--to",
        to,
    ];
    let out = rempla(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn calendar_add_list_remove_export_import_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("agenda.sqlite3");

    // The night of the spring DST change in Paris lasts 11 hours.
    let out = cal(
        &store,
        &[
            "add",
            "--date",
            "2027-03-27",
            "--kind",
            "night",
            "--department",
            "22",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(11 h, Europe/Paris)"),
        "{}",
        stdout(&out)
    );

    // A weekly series on Mondays with one exception.
    let out = cal(
        &store,
        &[
            "add",
            "--date",
            "2027-03-01",
            "--kind",
            "day",
            "--repeat",
            "FREQ=WEEKLY;BYDAY=MO;COUNT=6",
            "--except",
            "2027-03-15",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let rows = listed_json(&store, "2027-03-01", "2027-05-01");
    // 6 Mondays minus one exception, plus the night.
    assert_eq!(rows.len(), 6, "{rows:?}");
    let series_id = rows[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(rows[0]["start"], "2027-03-01T07:00:00Z");
    // After the DST change, 08:00 local is 06:00 UTC.
    assert!(
        rows.iter().any(|r| r["start"] == "2027-04-05T06:00:00Z"),
        "{rows:?}"
    );

    let ics = dir.path().join("agenda.ics");
    let export = |path: &Path| {
        let out = cal(&store, &["export", "--output", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        std::fs::read_to_string(path).unwrap()
    };
    let before = export(&ics);
    assert!(before.starts_with("BEGIN:VCALENDAR\r\n"), "{before}");
    assert!(before.contains("TZID:Europe/Paris"), "{before}");

    // Remove one more occurrence, then check it is gone.
    let out = cal(
        &store,
        &["remove", &series_id, "--occurrence", "2027-03-22"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(listed_json(&store, "2027-03-01", "2027-05-01").len(), 5);

    // An occurrence that does not exist is refused and changes nothing.
    let out = cal(
        &store,
        &["remove", &series_id, "--occurrence", "2027-03-23"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(listed_json(&store, "2027-03-01", "2027-05-01").len(), 5);

    // A new export keeps the UIDs and raises the series' SEQUENCE, so calendar apps update in place.
    let after = export(&dir.path().join("agenda2.ics"));
    let uids = |text: &str| {
        let mut v: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("UID:"))
            .map(str::to_owned)
            .collect();
        v.sort();
        v
    };
    assert_eq!(uids(&before), uids(&after));
    assert!(
        uids(&after).iter().any(|u| u.contains(&series_id)),
        "{after}"
    );
    assert!(after.contains("SEQUENCE:1"), "{after}");
    let exdates = |text: &str| {
        text.lines()
            .filter(|l| l.starts_with("EXDATE"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert!(!exdates(&before).contains("20270322T080000"), "{before}");
    assert!(exdates(&after).contains("20270322T080000"), "{after}");

    // Import a Google-Calendar-like export into another store as busy periods; re-import is idempotent.
    let google = dir.path().join("google.ics");
    std::fs::write(
        &google,
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n\
         X-WR-TIMEZONE:Europe/Paris\r\n\
         BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Paris:20270310T090000\r\nDTEND;TZID=Europe/Paris:20270310T120000\r\n\
         UID:a1@google.com\r\nSUMMARY:Cabinet\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nDTSTART:20270311T130000Z\r\nDTEND:20270311T150000Z\r\nUID:a2@google.com\r\n\
         SUMMARY:Formation\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270312\r\nDTEND;VALUE=DATE:20270313\r\nUID:a3@google.com\r\n\
         SUMMARY:Congé\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nDTSTART:20270314T130000Z\r\nDTEND:20270314T150000Z\r\nUID:a4@google.com\r\n\
         TRANSP:TRANSPARENT\r\nSUMMARY:Rappel\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let other = dir.path().join("autre.sqlite3");
    let import = || {
        let out = rempla(&[
            "--json",
            "calendar",
            "--store",
            other.to_str().unwrap(),
            "import",
            google.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = import();
    assert_eq!(
        first["periods"], 3,
        "transparent events are not busy: {first}"
    );
    assert_eq!(first["upserted"], 3, "{first}");
    let again = import();
    assert_eq!(again["unchanged"], 3, "{again}");
    assert_eq!(again["upserted"], 0, "{again}");

    // Removing a whole availability.
    let out = cal(&store, &["remove", &series_id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(listed_json(&store, "2027-03-01", "2027-05-01").len(), 1);
}

#[test]
fn hostile_input_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("agenda.sqlite3");
    assert_eq!(
        cal(&store, &["add", "--date", "2027-06-01", "--kind", "day"])
            .status
            .code(),
        Some(0)
    );

    let garbage = dir.path().join("garbage.ics");
    std::fs::write(&garbage, b"\x00\xff\xfeBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n").unwrap();
    let out = cal(&store, &["import", garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("erreur ["), "{}", stderr(&out));

    // A day garde on a weekday is refused by the French rules.
    let out = cal(
        &store,
        &["add", "--date", "2027-06-02", "--kind", "garde-day"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // A custom period that ends before it starts.
    let out = cal(
        &store,
        &[
            "add",
            "--kind",
            "custom",
            "--start",
            "2027-06-03T10:00:00Z",
            "--end",
            "2027-06-03T09:00:00Z",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("empty_interval"), "{}", stderr(&out));
    // A recurrence bomb.
    let out = cal(
        &store,
        &["add", "--date", "2027-06-04", "--repeat", "FREQ=SECONDLY"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // An unknown id.
    let out = cal(&store, &["remove", "not-an-id"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    assert_eq!(listed_json(&store, "2027-06-01", "2027-07-01").len(), 1);

    // A file that is not a store is an I/O failure (exit 3), not a panic.
    let not_db = dir.path().join("not-a-db.sqlite3");
    std::fs::write(&not_db, vec![b'x'; 4096]).unwrap();
    let out = cal(&not_db, &["list"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}
