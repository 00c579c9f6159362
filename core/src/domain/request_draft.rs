//! The facility's request form ([`RequestDraft`]) and how it becomes an open [`Request`] with the calendar
//! rules: shift templates in the site's zone (a day garde only on a Sunday or a public holiday of the
//! site's département), custom periods resolved across DST changes, weekly recurrences expanded by
//! `calendar::expand`, at most [`MAX_SHIFTS`] shifts. The twin of [`super::AvailabilityDraft`] for the
//! doctor's side: every front end that posts requests builds them here.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::facility::Site;
use super::ids::{FacilityId, RequestId};
use super::request::{Request, RequestShift, RequestStatus, Requirements};
use super::specialty::Specialty;
use crate::calendar::{
    CalendarError, Department, Interval, Recurrence, ShiftKind, expand, resolve_local,
    shift_interval,
};

/// Why a request form does not make a request. Each variant has a stable [`RequestDraftError::code`];
/// the messages are French, for the coordinator who filled the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestDraftError {
    /// The site is not one of the chosen facility's.
    #[error("Ce site n'appartient pas à l'établissement choisi.")]
    ForeignSite,
    /// The specialty is not in the catalogue.
    #[error("Choisissez une spécialité de la liste.")]
    UnknownSpecialty,
    /// No shift was given.
    #[error("Ajoutez au moins un créneau dans le calendrier.")]
    NoShifts,
    /// Doctors per shift outside 1–20.
    #[error("Le nombre de médecins par créneau doit être compris entre 1 et 20.")]
    DoctorsNeeded,
    /// A language that is not a two-letter code.
    #[error("Langue « {lang} » inconnue : utilisez un code à deux lettres (en, de, ar…).")]
    UnknownLanguage {
        /// The language as typed.
        lang: String,
    },
    /// More shifts than a request may hold, recurrences included.
    #[error("Trop de créneaux : {max} au plus par demande.")]
    TooManyShifts {
        /// The most a request holds.
        max: usize,
    },
    /// A custom shift without both bounds.
    #[error("Un créneau personnalisé a besoin d'une heure de début et de fin.")]
    CustomBoundsMissing,
    /// A calendar rule refused a shift (a day garde on a weekday, a bad rule…).
    #[error("Créneau impossible : {0}")]
    Calendar(#[from] CalendarError),
}

impl RequestDraftError {
    /// Stable machine-readable code (a calendar refusal keeps the calendar's own code).
    pub fn code(&self) -> &'static str {
        match self {
            Self::ForeignSite => "foreign_site",
            Self::UnknownSpecialty => "unknown_specialty",
            Self::NoShifts => "no_shifts",
            Self::DoctorsNeeded => "doctors_needed_out_of_range",
            Self::UnknownLanguage { .. } => "unknown_language",
            Self::TooManyShifts { .. } => "too_many_shifts",
            Self::CustomBoundsMissing => "custom_bounds_missing",
            Self::Calendar(e) => e.code(),
        }
    }
}

/// At most this many shifts in one request (recurrences included).
pub const MAX_SHIFTS: usize = 366;

/// One shift of the form: a kind on a local date, or explicit local bounds for `custom`, optionally
/// repeated by an RFC 5545 rule (`FREQ=WEEKLY;COUNT=4`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct ShiftDraft {
    /// Kind of shift (`day`, `night`, `garde_night`, `garde_day`, `custom`…).
    pub kind: ShiftKind,
    /// Local date of the shift (its start for a night).
    pub date: NaiveDate,
    /// Local start of a custom period (`2027-03-01T09:00`).
    #[serde(default)]
    pub start: Option<NaiveDateTime>,
    /// Local end of a custom period.
    #[serde(default)]
    pub end: Option<NaiveDateTime>,
    /// Recurrence rule, without the `RRULE:` prefix.
    #[serde(default)]
    pub repeat: Option<String>,
}

/// The request editor's form.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase")]
pub struct RequestDraft {
    /// Posting facility.
    pub facility_id: FacilityId,
    /// Site of the replacement (one of the facility's sites).
    pub site_id: String,
    /// Specialty code from core's catalogue.
    pub specialty: String,
    /// Shifts needed.
    pub shifts: Vec<ShiftDraft>,
    /// Doctors needed on each shift.
    pub doctors_needed: u8,
    /// Only doctors who defended their thesis.
    #[serde(default)]
    pub thesed_only: bool,
    /// Languages required beyond French (ISO 639-1).
    #[serde(default)]
    pub languages: Vec<String>,
    /// Remuneration per day in euros, if stated.
    #[serde(default)]
    pub remuneration_euros_per_day: Option<u32>,
}

/// Builds the open request posted by `draft` at `site` (the site's zone, département and position).
pub fn build_request(draft: &RequestDraft, site: &Site) -> Result<Request, RequestDraftError> {
    if site.facility_id != draft.facility_id || site.id.to_string() != draft.site_id {
        return Err(RequestDraftError::ForeignSite);
    }
    let specialty =
        Specialty::parse(&draft.specialty).map_err(|_| RequestDraftError::UnknownSpecialty)?;
    if draft.shifts.is_empty() {
        return Err(RequestDraftError::NoShifts);
    }
    if !(1..=20).contains(&draft.doctors_needed) {
        return Err(RequestDraftError::DoctorsNeeded);
    }
    if let Some(lang) = draft
        .languages
        .iter()
        .find(|l| l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(RequestDraftError::UnknownLanguage { lang: lang.clone() });
    }
    let department = Department::parse(&site.department)?;
    let mut shifts = Vec::new();
    for s in &draft.shifts {
        let first = first_interval(s, site, department)?;
        match s.repeat.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => shifts.push(RequestShift {
                kind: s.kind,
                interval: first,
            }),
            Some(rule) => {
                let recurrence = Recurrence {
                    rrule: rule.trim_start_matches("RRULE:").to_owned(),
                    exdates: vec![],
                };
                recurrence.validate(&first, site.zone)?;
                let window = Interval::new(first.start(), first.start() + Duration::days(800))?;
                for interval in expand(&first, site.zone, &recurrence, &window, MAX_SHIFTS)? {
                    shifts.push(RequestShift {
                        kind: s.kind,
                        interval,
                    });
                }
            }
        }
        if shifts.len() > MAX_SHIFTS {
            return Err(RequestDraftError::TooManyShifts { max: MAX_SHIFTS });
        }
    }
    shifts.sort_by_key(|s| (s.interval.start(), s.interval.end()));
    shifts.dedup();
    Ok(Request {
        id: RequestId::new(),
        facility_id: draft.facility_id,
        site_id: site.id,
        specialty: specialty.code().to_owned(),
        shifts,
        zone: site.zone,
        department: site.department.clone(),
        location: site.location,
        doctors_needed: draft.doctors_needed,
        requirements: Requirements {
            thesed_only: draft.thesed_only,
            languages: draft.languages.clone(),
        },
        remuneration_cents_per_day: draft.remuneration_euros_per_day.map(|e| i64::from(e) * 100),
        status: RequestStatus::Open,
        revision: 0,
    })
}

fn first_interval(
    s: &ShiftDraft,
    site: &Site,
    department: Department,
) -> Result<Interval, RequestDraftError> {
    if s.kind != ShiftKind::Custom {
        return Ok(shift_interval(s.kind, s.date, &department)?);
    }
    let (Some(start), Some(end)) = (s.start, s.end) else {
        return Err(RequestDraftError::CustomBoundsMissing);
    };
    let start = resolve_local(site.zone, start)?.to_utc();
    let end = resolve_local(site.zone, end)?.to_utc();
    Ok(Interval::new(start, end)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{GeoPoint, Postcode, SiteId};

    fn site() -> Site {
        Site {
            id: SiteId::new(),
            facility_id: FacilityId::new(),
            name: "CH de Lannion".into(),
            address: "Rue de Kergomar".into(),
            postcode: Postcode::parse("22300").unwrap(),
            commune_code: "22113".into(),
            department: "22".into(),
            location: GeoPoint::new(48.73, -3.46).unwrap(),
            zone: chrono_tz::Europe::Paris,
        }
    }

    fn draft(site: &Site, shifts: Vec<ShiftDraft>) -> RequestDraft {
        RequestDraft {
            facility_id: site.facility_id,
            site_id: site.id.to_string(),
            specialty: "medecine-generale".into(),
            shifts,
            doctors_needed: 1,
            thesed_only: false,
            languages: vec![],
            remuneration_euros_per_day: Some(700),
        }
    }

    fn shift(kind: ShiftKind, date: &str, repeat: Option<&str>) -> ShiftDraft {
        ShiftDraft {
            kind,
            date: date.parse().unwrap(),
            start: None,
            end: None,
            repeat: repeat.map(str::to_owned),
        }
    }

    #[test]
    fn a_night_across_the_spring_change_lasts_eleven_hours() {
        let s = site();
        let r = build_request(
            &draft(&s, vec![shift(ShiftKind::Night, "2027-03-27", None)]),
            &s,
        )
        .unwrap();
        let i = r.shifts[0].interval;
        assert_eq!((i.end() - i.start()).num_hours(), 11);
        assert_eq!(r.remuneration_cents_per_day, Some(70_000));
    }

    #[test]
    fn a_weekly_rule_expands_into_shifts() {
        let s = site();
        let r = build_request(
            &draft(
                &s,
                vec![shift(
                    ShiftKind::Day,
                    "2027-03-01",
                    Some("FREQ=WEEKLY;COUNT=4"),
                )],
            ),
            &s,
        )
        .unwrap();
        assert_eq!(r.shifts.len(), 4);
    }

    #[test]
    fn a_day_garde_on_a_monday_is_refused_in_french() {
        let s = site();
        let e = build_request(
            &draft(&s, vec![shift(ShiftKind::GardeDay, "2027-03-01", None)]),
            &s,
        )
        .unwrap_err();
        assert!(matches!(e, RequestDraftError::Calendar(_)), "{e}");
        assert_ne!(e.code(), "calendar");
    }

    #[test]
    fn empty_and_foreign_sites_are_refused() {
        let s = site();
        assert_eq!(
            build_request(&draft(&s, vec![]), &s).unwrap_err(),
            RequestDraftError::NoShifts
        );
        let other = site();
        assert!(build_request(&draft(&s, vec![]), &other).is_err());
    }
}
