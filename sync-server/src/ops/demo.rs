//! `rempla-server --demo`: a realistic French demo dataset in the embedded SQLite store — facilities
//! with sites in real communes (Lannion, Rennes, Lyon, Fort-de-France, Saint-Denis de La Réunion),
//! 40 verified doctors with valid RPPS numbers, availabilities over the next three months (days,
//! nights, gardes, a weekly series) and open requests; a staff account (`equipe@demo.rempla.fr`) and
//! three doctors waiting for verification with their identity document, so the back office has a
//! queue. Every demo account is activated and has accepted the terms, so the desktop app signs straight
//! in. Seeding goes through the same sync rules as a device push. Running it again on the same data
//! directory changes nothing.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use rempla_core::calendar::ShiftKind;
use rempla_core::calendar::recurrence::Recurrence;
use rempla_core::calendar::shift::shift_interval_in_zone;
use rempla_core::domain::{
    Availability, AvailabilityId, AvailabilityStatus, ContactDetails, Doctor, DoctorId,
    DoctorStatus, Email, Facility, FacilityId, GeoPoint, Member, MemberId, MemberRole, PhoneNumber,
    Postcode, Qualification, Request, RequestId, RequestShift, RequestStatus, Requirements, Rpps,
    Site, SiteId, Specialty,
};
use rempla_core::sync::EntityKind;

pub use super::demo_data::{DEMO_PASSWORD, DemoError, STAFF_EMAIL};
use super::demo_data::{
    PENDING_DOCTORS, Pusher, SITES, SPECIALTIES, accept, account, demo_name, err, home_near,
    next_weekday, seed_pending_doctors, seed_tariff, siret_with_key,
};
use crate::accounts::queries::AccountKind;
use crate::http::state::AppState;

/// Loads the dataset (once) and returns the text printed at start-up: accounts and password.
pub async fn seed(state: &AppState) -> Result<String, DemoError> {
    let first_admin = format!("coordination@{}.demo.rempla.fr", SITES[0].slug);
    let mut summary = String::from("=== Jeu de démonstration Rempla ===\n");
    let _ = writeln!(
        summary,
        "Mot de passe de tous les comptes : {DEMO_PASSWORD}"
    );
    let already = state
        .storage
        .account_by_email(&first_admin)
        .await
        .map_err(err)?
        .is_some();
    let hash = if already {
        String::new()
    } else {
        crate::auth::hash_password(state, DEMO_PASSWORD.to_owned())
            .await
            .map_err(err)?
    };
    let today = Utc::now().date_naive();
    let mut facility_sites = Vec::new();
    for (i, s) in SITES.iter().enumerate() {
        let admin_email = format!("coordination@{}.demo.rempla.fr", s.slug);
        let _ = writeln!(
            summary,
            "Établissement {} : {admin_email} (admin), planning@{}.demo.rempla.fr (planification), \
             secretariat@{}.demo.rempla.fr (lecture)",
            s.facility, s.slug, s.slug
        );
        if already {
            continue;
        }
        let facility = Facility {
            id: FacilityId::new(),
            name: s.facility.to_owned(),
            siret: siret_with_key(&format!("2622{:05}0001", 10_000 + i * 137))?,
            kind: s.kind,
        };
        let site = Site {
            id: SiteId::new(),
            facility_id: facility.id,
            name: s.site.to_owned(),
            address: s.address.to_owned(),
            postcode: Postcode::parse(s.postcode).map_err(err)?,
            commune_code: s.commune.to_owned(),
            department: s.department.to_owned(),
            location: GeoPoint::new(s.lat, s.lon).map_err(err)?,
            zone: s.zone,
        };
        let mut members = Vec::new();
        for (role, local, name) in [
            (MemberRole::Admin, "coordination", "Coordination médicale"),
            (MemberRole::Planner, "planning", "Bureau du planning"),
            (MemberRole::Viewer, "secretariat", "Secrétariat"),
        ] {
            let member = Member {
                id: MemberId::new(),
                facility_id: facility.id,
                display_name: name.to_owned(),
                role,
                delegations: vec![],
            };
            let email = format!("{local}@{}.demo.rempla.fr", s.slug);
            let acc = account(state, &email, AccountKind::Facility, None, name, &hash);
            if role == MemberRole::Admin {
                state
                    .storage
                    .create_facility(acc.clone(), facility.clone(), member.clone())
                    .await
                    .map_err(err)?;
                // The demo's facilities went through staff verification already.
                state
                    .storage
                    .decide_facility(
                        facility.id.to_string(),
                        crate::accounts::facility_verification::Verdict::Approve,
                        None,
                        ("demo".into(), "demo".into()),
                        state.clock.now_ms(),
                        false,
                    )
                    .await
                    .map_err(err)?;
            } else {
                state
                    .storage
                    .seed_member(acc.clone(), member.clone())
                    .await
                    .map_err(err)?;
            }
            accept(state, &acc.id).await?;
            members.push((acc, member));
        }
        state.storage.put_site(site.clone()).await.map_err(err)?;
        // Open requests: three nights next month (five would break the 48 h in 7 days cap for anyone),
        // and a weekend of days.
        let (admin_account, _) = &members[0];
        let mut pusher = Pusher::new(
            state,
            &admin_account.id,
            None,
            members.iter().map(|(_, m)| m.clone()).collect(),
        );
        let start = today + Duration::days(21 + 7 * i64::try_from(i).unwrap_or(0));
        for (kind, days) in [(ShiftKind::Night, 3), (ShiftKind::Day, 2)] {
            let first = if kind == ShiftKind::Day {
                next_weekday(start, Weekday::Sat)
            } else {
                start
            };
            let shifts = (0..days)
                .map(|d| {
                    shift_interval_in_zone(kind, first + Duration::days(d), s.zone)
                        .map(|interval| RequestShift { kind, interval })
                        .map_err(err)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let request = Request {
                id: RequestId::new(),
                facility_id: facility.id,
                site_id: site.id,
                specialty: s.specialty.to_owned(),
                shifts,
                zone: s.zone,
                department: s.department.to_owned(),
                location: site.location,
                doctors_needed: 1,
                requirements: Requirements {
                    thesed_only: kind == ShiftKind::Night,
                    languages: vec![],
                },
                remuneration_cents_per_day: Some(if kind == ShiftKind::Night {
                    90_000
                } else {
                    70_000
                }),
                status: RequestStatus::Open,
                revision: 0,
            };
            pusher
                .upsert(
                    state,
                    EntityKind::Request,
                    *request.id.as_uuid(),
                    serde_json::to_value(&request).map_err(err)?,
                )
                .await?;
        }
        facility_sites.push(site);
    }
    seed_tariff(state).await?;
    summary.push_str("Grille tarifaire en vigueur : chaque acceptation est facturée (factures).\n");
    summary.push_str("Médecins : medecin01@demo.rempla.fr … medecin40@demo.rempla.fr (vérifiés)\n");
    let _ = writeln!(
        summary,
        "Médecins en attente de vérification : medecin41@demo.rempla.fr … medecin{:02}@demo.rempla.fr \
         (pièce d'identité déposée)",
        40 + PENDING_DOCTORS
    );
    let _ = writeln!(
        summary,
        "Équipe Rempla (back-office, file de vérification) : {STAFF_EMAIL}"
    );
    if already {
        summary.push_str("(données déjà chargées)\n");
        return Ok(summary);
    }
    let staff = account(
        state,
        STAFF_EMAIL,
        AccountKind::Staff,
        None,
        "Équipe Rempla",
        &hash,
    );
    state
        .storage
        .create_staff(staff.clone())
        .await
        .map_err(err)?;
    accept(state, &staff.id).await?;
    seed_pending_doctors(state, &hash).await?;
    for n in 0..40_usize {
        let site = &facility_sites[n % facility_sites.len()];
        let site_spec = &SITES[n % SITES.len()];
        let (first, last) = demo_name(n);
        let email = format!("medecin{:02}@demo.rempla.fr", n + 1);
        let doctor = Doctor {
            id: DoctorId::new(),
            rpps: Rpps::with_key(&format!("10{:08}", 1_234_500 + n * 17)).map_err(err)?,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            // Most doctors practise their site's specialty, so every demo request has candidates.
            specialties: vec![
                Specialty::parse(if n % 8 == 7 {
                    SPECIALTIES[n % SPECIALTIES.len()]
                } else {
                    site_spec.specialty
                })
                .map_err(err)?,
            ],
            status: DoctorStatus::Verified,
            qualification: if n % 7 == 6 {
                Qualification::Intern {
                    licence_valid_until: NaiveDate::from_ymd_opt(today.year() + 1, 11, 15)
                        .unwrap_or(today),
                }
            } else {
                Qualification::Thesed
            },
            base: Some(home_near(site.location, n)),
            travel_radius_km: 60 + u16::try_from(n % 4).unwrap_or(0) * 40,
            departments: vec![site.department.clone()],
            languages: if n % 3 == 0 {
                vec!["en".into()]
            } else {
                vec![]
            },
            contact: Some(ContactDetails {
                email: Email::parse(&email).map_err(err)?,
                phone: PhoneNumber::parse(&format!(
                    "06 12 34 {:02} {:02}",
                    n / 10 + 10,
                    n % 100 + 10
                ))
                .ok(),
            }),
        };
        let acc = account(
            state,
            &email,
            AccountKind::Doctor,
            Some(doctor.id.to_string()),
            &format!("Dr {first} {last}"),
            &hash,
        );
        let doctor_id = doctor.id;
        state
            .storage
            .create_doctor(acc.clone(), doctor)
            .await
            .map_err(err)?;
        accept(state, &acc.id).await?;
        let mut pusher = Pusher::new(state, &acc.id, Some(doctor_id.to_string()), vec![]);
        // A night, a garde and two days spread over the next three months, plus a weekly series for
        // every fourth doctor.
        let offset = i64::try_from(n).unwrap_or(0);
        let slots = [
            (ShiftKind::Night, 3 + offset % 15),
            (ShiftKind::GardeNight, 15 + offset % 30),
            (ShiftKind::Day, 30 + offset % 25),
            (ShiftKind::Day, 60 + offset % 25),
        ];
        // Shifts of the site's open requests (see above): per site, the first doctors offer all three
        // nights, the next ones the first two or the last one (a split), and some the weekend days, so
        // the demo shows complete, partial and split candidates.
        let site_index = i64::try_from(n % SITES.len()).unwrap_or(0);
        let nights_start = today + Duration::days(21 + 7 * site_index);
        let weekend = next_weekday(nights_start, Weekday::Sat);
        let (nights, weekend_days): (&[i64], &[i64]) = match n / SITES.len() {
            0 | 3 => (&[0, 1, 2], &[0, 1]),
            1 | 4 => (&[0, 1], &[]),
            2 => (&[2], &[1]),
            _ => (&[], &[]),
        };
        let slots = slots
            .iter()
            .copied()
            .chain(
                nights
                    .iter()
                    .map(|d| (ShiftKind::Night, (nights_start - today).num_days() + d)),
            )
            .chain(
                weekend_days
                    .iter()
                    .map(|d| (ShiftKind::Day, (weekend - today).num_days() + d)),
            );
        // A shift listed twice (a spread slot landing on a request's day) is offered once: the server
        // refuses a doctor's duplicate offers.
        let mut offered = std::collections::BTreeSet::new();
        for (kind, days) in slots {
            if !offered.insert((kind, days)) {
                continue;
            }
            let interval = shift_interval_in_zone(kind, today + Duration::days(days), site.zone)
                .map_err(err)?;
            let a = Availability {
                id: AvailabilityId::new(),
                doctor_id,
                interval,
                zone: site.zone,
                kind,
                recurrence: None,
                status: AvailabilityStatus::Open,
                note: None,
                revision: 0,
            };
            pusher
                .upsert(
                    state,
                    EntityKind::Availability,
                    *a.id.as_uuid(),
                    serde_json::to_value(&a).map_err(err)?,
                )
                .await?;
        }
        if n % 4 == 0 {
            let first_day = next_weekday(today + Duration::days(7), Weekday::Mon);
            let interval =
                shift_interval_in_zone(ShiftKind::Day, first_day, site.zone).map_err(err)?;
            let a = Availability {
                id: AvailabilityId::new(),
                doctor_id,
                interval,
                zone: site.zone,
                kind: ShiftKind::Day,
                recurrence: Some(Recurrence {
                    rrule: "FREQ=WEEKLY;BYDAY=MO;COUNT=12".into(),
                    exdates: vec![],
                }),
                status: AvailabilityStatus::Open,
                note: Some("Lundis de consultation".into()),
                revision: 0,
            };
            pusher
                .upsert(
                    state,
                    EntityKind::Availability,
                    *a.id.as_uuid(),
                    serde_json::to_value(&a).map_err(err)?,
                )
                .await?;
        }
    }
    Ok(summary)
}
