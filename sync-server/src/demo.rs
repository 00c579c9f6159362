//! `rempla-server --demo`: a realistic French demo dataset in the embedded SQLite store — facilities
//! with sites in real communes (Lannion, Rennes, Lyon, Fort-de-France, Saint-Denis de La Réunion),
//! 40 verified doctors with valid RPPS numbers, availabilities over the next three months (days,
//! nights, gardes, a weekly series) and open requests; a staff account (`equipe@demo.rempla.fr`) and
//! three doctors waiting for verification with their identity document, so the back office has a
//! queue. Every demo account is activated and has accepted the terms, so the desktop app signs straight
//! in. Seeding goes through the same sync rules as a device push. Running it again on the same data
//! directory changes nothing.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use rempla_core::calendar::ShiftKind;
use rempla_core::calendar::recurrence::Recurrence;
use rempla_core::calendar::shift::shift_interval_in_zone;
use rempla_core::domain::{
    Availability, AvailabilityId, AvailabilityStatus, ContactDetails, DeviceId, Doctor, DoctorId,
    DoctorStatus, Email, Facility, FacilityId, FacilityKind, GeoPoint, Member, MemberId,
    MemberRole, OpId, PhoneNumber, Postcode, Qualification, Request, RequestId, RequestShift,
    RequestStatus, Requirements, Rpps, Siret, Site, SiteId, Specialty,
};
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::Value;

use crate::accounts::queries::{Account, AccountKind};
use crate::http::state::AppState;
use crate::sync::rules::PushContext;

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-rempla-2026";

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("jeu de démonstration : {0}")]
pub struct DemoError(String);

fn err(e: impl std::fmt::Display) -> DemoError {
    DemoError(e.to_string())
}

struct DemoSite {
    facility: &'static str,
    kind: FacilityKind,
    slug: &'static str,
    site: &'static str,
    address: &'static str,
    postcode: &'static str,
    commune: &'static str,
    department: &'static str,
    lat: f64,
    lon: f64,
    zone: Tz,
    specialty: &'static str,
}

const SITES: &[DemoSite] = &[
    DemoSite {
        facility: "Centre hospitalier de Lannion-Trestel",
        kind: FacilityKind::PublicHospital,
        slug: "ch-lannion",
        site: "CH de Lannion – site de Kergomar",
        address: "Rue de Kergomar",
        postcode: "22300",
        commune: "22113",
        department: "22",
        lat: 48.7326,
        lon: -3.4566,
        zone: chrono_tz::Europe::Paris,
        specialty: "urgences",
    },
    DemoSite {
        facility: "CHU de Rennes",
        kind: FacilityKind::PublicHospital,
        slug: "chu-rennes",
        site: "CHU de Rennes – hôpital Pontchaillou",
        address: "2 rue Henri Le Guilloux",
        postcode: "35000",
        commune: "35238",
        department: "35",
        lat: 48.1212,
        lon: -1.6948,
        zone: chrono_tz::Europe::Paris,
        specialty: "anesthesie-reanimation",
    },
    DemoSite {
        facility: "Clinique du Parc Lyon",
        kind: FacilityKind::Clinic,
        slug: "clinique-lyon",
        site: "Clinique du Parc – Lyon 6e",
        address: "155 boulevard de Stalingrad",
        postcode: "69006",
        commune: "69386",
        department: "69",
        lat: 45.7705,
        lon: 4.8586,
        zone: chrono_tz::Europe::Paris,
        specialty: "anesthesie-reanimation",
    },
    DemoSite {
        facility: "Cabinet médical de Redoute",
        kind: FacilityKind::Practice,
        slug: "cabinet-fort-de-france",
        site: "Cabinet médical de Redoute – Fort-de-France",
        address: "Route de Redoute",
        postcode: "97200",
        commune: "97209",
        department: "972",
        lat: 14.6410,
        lon: -61.0700,
        zone: chrono_tz::America::Martinique,
        specialty: "medecine-generale",
    },
    DemoSite {
        facility: "CHU de La Réunion – site Félix Guyon",
        kind: FacilityKind::PublicHospital,
        slug: "chu-reunion",
        site: "CHU Félix Guyon – Saint-Denis",
        address: "Allée des Topazes, Bellepierre",
        postcode: "97400",
        commune: "97411",
        department: "974",
        lat: -20.8897,
        lon: 55.4432,
        zone: chrono_tz::Indian::Reunion,
        specialty: "urgences",
    },
];

const FIRST: &[&str] = &[
    "Camille", "Louise", "Hugo", "Léa", "Gabriel", "Manon", "Arthur", "Chloé", "Jules", "Inès",
    "Lucas", "Sarah", "Nathan", "Jade", "Raphaël", "Emma", "Tom", "Alice", "Théo", "Zoé",
];
const LAST: &[&str] = &[
    "Le Goff",
    "Durand",
    "Martin",
    "Kerbrat",
    "Moreau",
    "Lefèvre",
    "Fontaine",
    "Roux",
    "Bernard",
    "Petit",
    "Hoarau",
    "Payet",
    "Joseph-Angélique",
    "Rivière",
    "Garnier",
    "Faure",
    "Mercier",
    "Blanc",
    "Guérin",
    "Morvan",
];
/// The demo doctor number `n`'s first and last names: every `(first, last)` pair is distinct for
/// `n < FIRST.len() * LAST.len()` (the first name cycles fastest; the last name is shifted by the
/// round, so two doctors sharing a first name never share the last one, e.g. no two "Camille Kerbrat").
fn demo_name(n: usize) -> (&'static str, &'static str) {
    let round = n / FIRST.len();
    let first = FIRST[n % FIRST.len()];
    // Within a round the 20 first names are distinct; across rounds the same first name gets the
    // last name `round` places further on.
    let last = LAST[(n % FIRST.len() * 7 + 3 + round) % LAST.len()];
    (first, last)
}

const SPECIALTIES: &[&str] = &[
    "medecine-generale",
    "urgences",
    "anesthesie-reanimation",
    "pediatrie",
    "gynecologie-obstetrique",
    "psychiatrie",
    "geriatrie",
    "cardiologie",
];

/// A SIRET from its first 13 digits (Luhn key appended).
fn siret_with_key(payload: &str) -> Result<Siret, DemoError> {
    for key in 0..10 {
        if let Ok(s) = Siret::parse(&format!("{payload}{key}")) {
            return Ok(s);
        }
    }
    Err(err("clé SIRET introuvable"))
}

fn account(
    state: &AppState,
    email: &str,
    kind: AccountKind,
    doctor_id: Option<String>,
    name: &str,
    hash: &str,
) -> Account {
    Account {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.to_owned(),
        password_hash: Some(hash.to_owned()),
        kind,
        doctor_id,
        display_name: name.to_owned(),
        activated: true,
        created_ms: state.clock.now_ms(),
    }
}

async fn accept(state: &AppState, account_id: &str) -> Result<(), DemoError> {
    state
        .storage
        .accept_terms(
            account_id.to_owned(),
            "00000000-0000-7000-8000-00000000de50".to_owned(),
            state.terms.version.clone(),
            state.terms.sha256.clone(),
            state.clock.now_ms(),
        )
        .await
        .map_err(err)
}

struct Pusher {
    ctx: Arc<PushContext>,
    counter: u32,
}

impl Pusher {
    fn new(
        state: &AppState,
        account_id: &str,
        doctor_id: Option<String>,
        members: Vec<Member>,
    ) -> Self {
        let device = DeviceId::new();
        Self {
            ctx: Arc::new(PushContext {
                account_id: account_id.to_owned(),
                device_id: device.to_string(),
                device,
                doctor_id,
                members,
                now_ms: state.clock.now_ms(),
                max_drift_ms: state.config.max_drift_ms,
            }),
            counter: 0,
        }
    }

    async fn upsert(
        &mut self,
        state: &AppState,
        entity: EntityKind,
        id: uuid::Uuid,
        record: Value,
    ) -> Result<(), DemoError> {
        self.counter += 1;
        let Value::Object(fields) = record else {
            return Err(err("record"));
        };
        let op = OutboxOp {
            op_id: OpId::new(),
            entity,
            entity_id: id,
            kind: OpKind::Upsert,
            fields,
            hlc: Hlc::new(
                u64::try_from(self.ctx.now_ms).unwrap_or(0),
                self.counter,
                self.ctx.device,
            ),
        };
        let (result, _) = state
            .storage
            .apply_op(Arc::clone(&self.ctx), op)
            .await
            .map_err(err)?;
        match result.outcome {
            rempla_core::sync::protocol::OpOutcome::Applied => Ok(()),
            rempla_core::sync::protocol::OpOutcome::Rejected { code, reason } => {
                Err(err(format!("{code}: {reason}")))
            }
        }
    }
}

fn next_weekday(from: NaiveDate, day: Weekday) -> NaiveDate {
    let mut d = from;
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}

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
            } else {
                state
                    .storage
                    .invite_member(acc.clone(), member.clone(), None)
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

/// The demo staff account (back office: verification queue, tariffs).
pub const STAFF_EMAIL: &str = "equipe@demo.rempla.fr";

/// How many demo doctors wait for verification.
const PENDING_DOCTORS: usize = 3;

/// A one-page PDF standing for a scanned identity card (each one different: the server refuses the same
/// file for two people).
fn identity_pdf(first: &str, last: &str) -> Vec<u8> {
    let ascii = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'é' | 'è' | 'ê' => 'e',
                'É' => 'E',
                'ï' | 'î' => 'i',
                'ô' => 'o',
                'ç' => 'c',
                c if c.is_ascii_alphanumeric() || c == ' ' || c == '-' => c,
                _ => ' ',
            })
            .collect()
    };
    let text = format!(
        "BT /F1 18 Tf 40 150 Td (CARTE D'IDENTITE - DEMONSTRATION) Tj 0 -40 Td (Nom : {}) Tj \
         0 -30 Td (Prenom : {}) Tj ET",
        ascii(last).to_uppercase(),
        ascii(first)
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 260] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        let _ = writeln!(pdf, "{} 0 obj\n{o}\nendobj", i + 1);
    }
    let xref = pdf.len();
    let _ = writeln!(pdf, "xref\n0 {}\n0000000000 65535 f ", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(pdf, "{o:010} 00000 n ");
    }
    let _ = writeln!(
        pdf,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF",
        objects.len() + 1
    );
    pdf.into_bytes()
}

/// Where demo doctor `n` lives: 3 to 25 km from the site it works for, in a direction that turns by the
/// golden angle from one doctor to the next, so candidate lists show real, different distances (every
/// radius is at least 60 km, so each doctor still reaches its site).
fn home_near(site: GeoPoint, n: usize) -> GeoPoint {
    const KM_PER_DEGREE: f64 = 111.2;
    let step = u32::try_from(n % 1_000).unwrap_or(0);
    let distance_km = 3.0 + f64::from(step * 7 % 23);
    let angle = f64::from(step) * 137.508_f64.to_radians();
    let lat = site.lat + distance_km * angle.cos() / KM_PER_DEGREE;
    let lon = site.lon + distance_km * angle.sin() / (KM_PER_DEGREE * site.lat.to_radians().cos());
    GeoPoint::new(lat, lon).unwrap_or(site)
}

/// Doctors who registered and uploaded their identity document but are not verified yet, so the staff
/// verification queue has work. They have no availabilities, and pending doctors are never candidates.
async fn seed_pending_doctors(state: &AppState, hash: &str) -> Result<(), DemoError> {
    for k in 0..PENDING_DOCTORS {
        let n = 40 + k;
        let (first, last) = demo_name(n);
        let email = format!("medecin{:02}@demo.rempla.fr", n + 1);
        let doctor = Doctor {
            id: DoctorId::new(),
            rpps: Rpps::with_key(&format!("10{:08}", 1_234_500 + n * 17)).map_err(err)?,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            specialties: vec![Specialty::parse(SITES[k % SITES.len()].specialty).map_err(err)?],
            status: DoctorStatus::Pending,
            qualification: Qualification::Thesed,
            base: GeoPoint::new(SITES[k % SITES.len()].lat, SITES[k % SITES.len()].lon).ok(),
            travel_radius_km: 80,
            departments: vec![SITES[k % SITES.len()].department.to_owned()],
            languages: vec![],
            contact: Some(ContactDetails {
                email: Email::parse(&email).map_err(err)?,
                phone: None,
            }),
        };
        let acc = account(
            state,
            &email,
            AccountKind::Doctor,
            Some(doctor.id.to_string()),
            &format!("Dr {first} {last}"),
            hash,
        );
        let doctor_id = doctor.id.to_string();
        state
            .storage
            .create_doctor(acc.clone(), doctor)
            .await
            .map_err(err)?;
        accept(state, &acc.id).await?;
        let content = identity_pdf(first, last);
        let now = state.clock.now_ms();
        let meta = crate::documents::DocumentMeta {
            id: uuid::Uuid::now_v7().to_string(),
            doctor_id,
            kind: crate::documents::DocumentKind::Identity,
            name: "carte-identite.pdf".into(),
            media_type: "application/pdf".into(),
            size: i64::try_from(content.len()).unwrap_or(i64::MAX),
            sha256: crate::auth::sha256_hex(&content),
            expires_on: None,
            expires_ms: None,
            uploaded_ms: now,
        };
        let birth = NaiveDate::from_ymd_opt(1975 + i32::try_from(k).unwrap_or(0) * 4, 5, 12)
            .ok_or_else(|| err("date de naissance"))?;
        state
            .storage
            .insert_document(
                crate::documents::NewDocument {
                    meta,
                    account_id: acc.id.clone(),
                    device_id: "demo".into(),
                    content,
                    birth_date: Some(birth),
                },
                now,
            )
            .await
            .map_err(err)?
            .map_err(err)?;
    }
    Ok(())
}

/// Puts a demo tariff grid in force from today (Europe/Paris) unless one already applies, so an
/// accepted proposal in the demo is charged and gets an invoice (billing charges nothing without a
/// grid). Set by the server itself (`created_by` = `demo`), audited like a staff change.
async fn seed_tariff(state: &AppState) -> Result<(), DemoError> {
    let now = state.clock.now_ms();
    let today = crate::billing::billing_date(now);
    let in_force = state
        .storage
        .tariffs()
        .await
        .map_err(err)?
        .iter()
        .any(|t| crate::billing::parse_date(&t.valid_from).is_ok_and(|d| d <= today));
    if in_force {
        return Ok(());
    }
    let tariff = crate::billing::Tariff {
        id: uuid::Uuid::now_v7().to_string(),
        valid_from: today.format("%Y-%m-%d").to_string(),
        day_cents: 4_000,
        night_cents: 5_000,
        garde_day_cents: 6_000,
        garde_night_cents: 7_000,
        astreinte_cents: 2_500,
        vat_bps: 2_000,
        created_ms: now,
        created_by: "demo".into(),
    };
    tariff.check().map_err(err)?;
    state
        .storage
        .put_tariff(tariff, "demo".into())
        .await
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_doctor_names_are_unique() {
        let names: std::collections::HashSet<_> =
            (0..40 + PENDING_DOCTORS).map(demo_name).collect();
        assert_eq!(names.len(), 40 + PENDING_DOCTORS);
    }

    #[test]
    fn identity_pdfs_are_pdfs_and_differ() {
        let a = identity_pdf("Léa", "Le Goff");
        let b = identity_pdf("Hugo", "Rivière");
        assert_eq!(
            infer::get(&a).map(|t| t.mime_type()),
            Some("application/pdf")
        );
        assert_ne!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert!(text.contains("(Nom : LE GOFF)"), "{text}");
        assert!(text.ends_with("%%EOF\n"));
    }
}
