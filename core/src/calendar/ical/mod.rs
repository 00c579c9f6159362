//! iCalendar (RFC 5545) export of a doctor's calendar and import of busy times from other calendars.
