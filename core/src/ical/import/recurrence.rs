//! Recurrence and exception handling: the events of one `UID` as a series (`RRULE`, `RDATE`, `EXDATE`,
//! expanded within the window and the walk budget) and its `RECURRENCE-ID` overrides, with the
//! cancellation and transparency rules between them.
//!
//! Its own file because series expansion is the costly, budgeted part of an import; the reading of one
//! event it builds on is in `event`.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::event::{ImportedBusy, Importer, is_cancelled, is_transparent, stamp, summary};
use super::values::{When, invalid, read_value};
use crate::calendar::recurrence::{DtStart, ParsedRule};
use crate::calendar::{CalendarError, Interval};
use crate::ical::error::IcalError;
use crate::ical::parse::{Component, Tree};
use crate::ical::text::ContentLine;
use crate::ical::zones::ZoneResolver;

/// Walk budget charged for each rule only the general rrule engine can expand (BY parts beyond plain
/// weekdays on DAILY/WEEKLY): such a rule can cost as much as 100 000 walked occurrences of a plain one.
const GENERAL_RULE_COST: usize = 10_000;

/// Events sharing one UID: the series (or single event) and its overrides.
#[derive(Default)]
pub(super) struct Group {
    pub(super) masters: Vec<usize>,
    pub(super) overrides: Vec<usize>,
}

impl Importer<'_> {
    /// Imports one `UID`: its overrides replace the instances they name, then its series is expanded.
    pub(super) fn group(
        &mut self,
        tree: &Tree,
        uid: &str,
        group: &Group,
        zones: &mut ZoneResolver<'_>,
    ) -> Result<(), IcalError> {
        let default_zone = self.options.default_zone;
        // Instances replaced by overrides, by original start.
        let mut overridden = HashSet::new();
        let mut override_busy = Vec::new();
        for &i in &group.overrides {
            let ev = &tree.components[i];
            let rid_line = ev
                .prop("RECURRENCE-ID")
                .ok_or_else(|| invalid(uid, "RECURRENCE-ID", ""))?;
            let rid = read_value(&rid_line.value, rid_line, zones, default_zone, uid)?
                .instant(default_zone);
            overridden.insert(rid);
            if let Some(busy) = self.single(ev, uid, zones)? {
                override_busy.push(ImportedBusy {
                    source_uid: format!("{uid}/{}", stamp(rid)),
                    ..busy
                });
            }
        }
        let mut series_cancelled = false;
        for &i in &group.masters {
            let ev = &tree.components[i];
            if is_cancelled(ev) {
                series_cancelled = true;
                continue;
            }
            if is_transparent(ev) {
                // Still read it, so a malformed event is reported the same whether or not it is busy.
                self.event_span(ev, uid, zones)?;
                continue;
            }
            self.master(ev, uid, zones, &overridden)?;
        }
        if !series_cancelled {
            for busy in override_busy {
                self.push(busy)?;
            }
        }
        Ok(())
    }
    /// Expands one series (or reads one event) and adds its instances that no override or `EXDATE`
    /// removes.
    fn master(
        &mut self,
        ev: &Component,
        uid: &str,
        zones: &mut ZoneResolver<'_>,
        overridden: &HashSet<DateTime<Utc>>,
    ) -> Result<(), IcalError> {
        let (start, span) = self.event_span(ev, uid, zones)?;
        let rules: Vec<&ContentLine> = ev.props_named("RRULE").collect();
        let Some(first) = span else {
            // Instantaneous: no busy time, but a refused rule still rejects the file like any other.
            if let Some(rule) = rules.first() {
                let probe =
                    Interval::new(start.at, start.at + Duration::seconds(1)).map_err(|e| {
                        IcalError::InvalidRecurrence {
                            uid: uid.to_owned(),
                            reason: e.code(),
                        }
                    })?;
                ParsedRule::parse(&rule.value, &probe, start.zone).map_err(|e| {
                    IcalError::InvalidRecurrence {
                        uid: uid.to_owned(),
                        reason: e.code(),
                    }
                })?;
            }
            return Ok(());
        };
        let rdates: Vec<&ContentLine> = ev.props_named("RDATE").collect();
        let summary = summary(ev);
        if rules.is_empty() && rdates.is_empty() {
            if first.overlaps(&self.options.window) {
                self.push(ImportedBusy {
                    interval: first,
                    source_uid: uid.to_owned(),
                    summary,
                })?;
            }
            return Ok(());
        }
        if rules.len() > 1 {
            return Err(IcalError::InvalidRecurrence {
                uid: uid.to_owned(),
                reason: "multiple_rrule",
            });
        }
        let default_zone = self.options.default_zone;
        let mut ex_instants = Vec::new();
        let mut ex_days = HashSet::new();
        for line in ev.props_named("EXDATE") {
            for value in line.value.split(',') {
                match read_value(value, line, zones, default_zone, uid)? {
                    When::Date(d) if !matches!(start.when, When::Date(_)) => {
                        ex_days.insert(d);
                    }
                    other => ex_instants.push(other.instant(default_zone)),
                }
            }
        }
        let budget = self.options.max_occurrences.saturating_sub(self.out.len());
        let mut instances = if let Some(rule) = rules.first() {
            let parsed = ParsedRule::parse(&rule.value, &first, start.zone).map_err(|e| {
                IcalError::InvalidRecurrence {
                    uid: uid.to_owned(),
                    reason: e.code(),
                }
            })?;
            if parsed.is_general() {
                // See `ParsedRule::is_general`: a rule rrule must expand is charged up front.
                self.walked += GENERAL_RULE_COST;
                if self.walked > self.options.max_walked_occurrences {
                    return Err(IcalError::TooManyOccurrences {
                        max: self.options.max_walked_occurrences,
                    });
                }
            }
            let walk = self
                .options
                .max_walked_occurrences
                .saturating_sub(self.walked);
            let (instances, walked) = parsed
                .expand_counted(
                    &ex_instants,
                    &self.options.window,
                    budget,
                    DtStart::AlwaysIncluded,
                    walk,
                )
                .map_err(|e| self.expansion_error(uid, &e))?;
            self.walked += walked;
            instances
        } else {
            // RDATE without RRULE: DTSTART is the first instance.
            vec![first]
                .into_iter()
                .filter(|i| i.overlaps(&self.options.window))
                .collect()
        };
        let excluded: HashSet<_> = ex_instants.iter().copied().collect();
        instances.retain(|i| !excluded.contains(&i.start()));
        let mut seen: HashSet<DateTime<Utc>> = instances.iter().map(Interval::start).collect();
        for line in rdates {
            for value in line.value.split(',') {
                // PERIOD values (`start/end`) keep their start; the series' duration applies.
                let start_part = value.split('/').next().unwrap_or(value);
                let at =
                    read_value(start_part, line, zones, default_zone, uid)?.instant(default_zone);
                let end = at
                    .checked_add_signed(first.duration())
                    .ok_or_else(|| invalid(uid, "RDATE", value))?;
                let Ok(i) = Interval::new(at, end) else {
                    continue;
                };
                if i.overlaps(&self.options.window) && !excluded.contains(&at) && seen.insert(at) {
                    if instances.len() >= budget {
                        return Err(IcalError::TooManyOccurrences {
                            max: self.options.max_occurrences,
                        });
                    }
                    instances.push(i);
                }
            }
        }
        for i in instances {
            if overridden.contains(&i.start())
                || ex_days.contains(&i.start().with_timezone(&start.zone).date_naive())
            {
                continue;
            }
            self.push(ImportedBusy {
                interval: i,
                source_uid: format!("{uid}/{}", stamp(i.start())),
                summary: summary.clone(),
            })?;
        }
        Ok(())
    }

    /// The import error for a failed expansion: a budget overrun keeps the limit the import was given.
    fn expansion_error(&self, uid: &str, e: &CalendarError) -> IcalError {
        match e {
            CalendarError::TooManyOccurrences { .. } => IcalError::TooManyOccurrences {
                max: self.options.max_occurrences,
            },
            CalendarError::RecurrenceTooExpensive { .. } => IcalError::TooManyOccurrences {
                max: self.options.max_walked_occurrences,
            },
            other => IcalError::InvalidRecurrence {
                uid: uid.to_owned(),
                reason: other.code(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::import::import_busy;
    use crate::ical::import::test_util::{cal, import, utc, window};
    use crate::ical::limits::ImportOptions;
    use chrono_tz::Europe::Paris;

    #[test]
    fn expands_series_with_exdates_overrides_and_skips_free_or_cancelled() {
        let out = import(
            "BEGIN:VEVENT\nUID:s\nDTSTART;TZID=Europe/Paris:20260105T200000\nDTEND;TZID=Europe/Paris:20260106T080000\n\
             RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;TZID=Europe/Paris:20260112T200000\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Paris:20260119T200000\nDTSTART;TZID=Europe/Paris:20260119T210000\n\
             DTEND;TZID=Europe/Paris:20260120T080000\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/Paris:20260126T200000\nDTSTART;TZID=Europe/Paris:20260126T200000\n\
             DTEND;TZID=Europe/Paris:20260127T080000\nSTATUS:CANCELLED\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:t\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\nTRANSP:TRANSPARENT\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:u\nDTSTART:20260105T080000Z\nDTEND:20260105T090000Z\nSTATUS:CANCELLED\nEND:VEVENT\n",
        )
        .unwrap();
        let got: Vec<(String, DateTime<Utc>)> = out
            .iter()
            .map(|b| (b.source_uid.clone(), b.interval.start()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("s/20260105T190000Z".to_owned(), utc(2026, 1, 5, 19, 0)),
                ("s/20260119T190000Z".to_owned(), utc(2026, 1, 19, 20, 0)),
            ]
        );
    }

    #[test]
    fn general_rules_are_budgeted() {
        let monthly = "BEGIN:VEVENT\nUID:m\nDTSTART:20260105T080000Z\nDURATION:PT1H\nRRULE:FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n";
        let mut opts = ImportOptions::new(Paris, window());
        opts.max_walked_occurrences = 3 * GENERAL_RULE_COST;
        // An empty rule still yields its DTSTART.
        assert_eq!(
            import_busy(&cal(&monthly.repeat(2)), &opts).unwrap().len(),
            2
        );
        assert_eq!(
            import_busy(&cal(&monthly.repeat(4)), &opts)
                .unwrap_err()
                .code(),
            "ical_too_many_occurrences"
        );
        // Plain weekly series are not charged.
        let weekly = "BEGIN:VEVENT\nUID:w\nDTSTART:20260105T080000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n";
        assert_eq!(
            import_busy(&cal(&weekly.repeat(10)), &opts).unwrap().len(),
            20
        );
    }
}
