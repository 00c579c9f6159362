#!/usr/bin/env python3
"""Reads a calendar feed as a subscribing calendar program would, and prints its events as JSON.

Used by sync-server/tests/feeds.rs: the feed is parsed by the PyPI `icalendar` package and expanded by
`recurring-ical-events` (series, overrides and exceptions resolved) between two instants, so the Rust
side compares the events a calendar shows with the missions in the database.

Usage: read_feed.py FILE START END (ISO 8601, UTC). Exit status 3: a package is missing.
"""
import json
import sys
from datetime import datetime, timezone

try:
    import icalendar
    import recurring_ical_events
except ImportError as e:
    sys.stderr.write(f"python package missing ({e}): pip install icalendar recurring-ical-events\n")
    sys.exit(3)


def utc(value):
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise SystemExit(f"zoned date-time expected, got {value!r}")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    path, start, end = sys.argv[1:4]
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
    finish = datetime.fromisoformat(end.replace("Z", "+00:00"))
    events = []
    for e in recurring_ical_events.of(calendar).between(begin, finish):
        events.append({
            "uid": str(e.get("UID")),
            "start": utc(e.get("DTSTART").dt),
            "end": utc(e.get("DTEND").dt),
            "summary": str(e.get("SUMMARY")),
            "status": str(e.get("STATUS", "")),
            "sequence": int(e.get("SEQUENCE", 0)),
            "location": str(e.get("LOCATION", "")),
        })
    events.sort(key=lambda x: (x["start"], x["uid"]))
    print(json.dumps({
        "name": str(calendar.get("X-WR-CALNAME", "")),
        "refresh": str(calendar.get("REFRESH-INTERVAL", "")),
        "timezones": sorted(str(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")),
        "events": events,
    }))


main()
