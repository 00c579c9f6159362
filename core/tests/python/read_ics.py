#!/usr/bin/env python3
"""Reads an .ics file with the PyPI `icalendar` package and prints every VEVENT as JSON.

Used by core/tests/ical_python_interop.rs to check Rempla's export against an independent parser.
Nothing is expanded: each VEVENT's own DTSTART/DTEND (as UTC instants), RECURRENCE-ID, RRULE text and
EXDATEs are printed, so the Rust side compares exactly what the file says.

Exit status 3 means the `icalendar` package is missing (`pip install icalendar`).
"""
import json
import sys
from datetime import datetime, timezone

try:
    import icalendar
except ImportError:
    sys.stderr.write("python package 'icalendar' is missing: run `pip install icalendar`\n")
    sys.exit(3)


def utc(prop, what):
    dt = prop.dt
    if not isinstance(dt, datetime):
        raise SystemExit(f"{what}: date value {dt!r}, date-time expected")
    if dt.tzinfo is None:
        raise SystemExit(f"{what}: floating time {dt!r}, zoned time expected")
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def exdates(event):
    raw = event.get("EXDATE")
    if raw is None:
        return []
    lists = raw if isinstance(raw, list) else [raw]
    return sorted(utc(d, "EXDATE") for lst in lists for d in lst.dts)


def main(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    out = {
        "prodid": str(cal.get("PRODID")),
        "version": str(cal.get("VERSION")),
        "timezones": sorted(str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")),
        "events": [],
    }
    for ev in cal.walk("VEVENT"):
        rid = ev.get("RECURRENCE-ID")
        rrule = ev.get("RRULE")
        out["events"].append({
            "uid": str(ev.get("UID")),
            "recurrence_id": utc(rid, "RECURRENCE-ID") if rid is not None else None,
            "dtstart": utc(ev.get("DTSTART"), "DTSTART"),
            "dtend": utc(ev.get("DTEND"), "DTEND"),
            "rrule": rrule.to_ical().decode() if rrule is not None else None,
            "exdates": exdates(ev),
            "summary": str(ev.get("SUMMARY")),
            "status": str(ev.get("STATUS")),
            "transp": str(ev.get("TRANSP")),
            "sequence": int(ev.get("SEQUENCE", 0)),
        })
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: read_ics.py FILE.ics")
    main(sys.argv[1])
