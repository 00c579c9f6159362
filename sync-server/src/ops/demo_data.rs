//! The demo's fixed data (sites in real communes, names, specialties, the tariff grid) and the
//! helpers that store one piece of it (an account, a pushed record, a pending doctor with an identity
//! PDF), so `demo.rs` keeps only the order of the seeding.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;
use rempla_core::domain::{
    ContactDetails, DeviceId, Doctor, DoctorId, DoctorStatus, Email, FacilityKind, GeoPoint,
    Member, OpId, Qualification, Rpps, Siret, Specialty,
};
use rempla_core::sync::{EntityKind, Hlc, OpKind, OutboxOp};
use serde_json::Value;

use crate::accounts::queries::{Account, AccountKind};
use crate::billing::TariffRules as _;
use crate::http::state::AppState;
use crate::sync::rules::PushContext;

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-rempla-2026";

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("jeu de démonstration : {0}")]
pub struct DemoError(String);

pub(crate) fn err(e: impl std::fmt::Display) -> DemoError {
    DemoError(e.to_string())
}

pub(crate) struct DemoSite {
    pub(crate) facility: &'static str,
    pub(crate) kind: FacilityKind,
    pub(crate) slug: &'static str,
    pub(crate) site: &'static str,
    pub(crate) address: &'static str,
    pub(crate) postcode: &'static str,
    pub(crate) commune: &'static str,
    pub(crate) department: &'static str,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) zone: Tz,
    pub(crate) specialty: &'static str,
}

pub(crate) const SITES: &[DemoSite] = &[
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

pub(crate) const FIRST: &[&str] = &[
    "Camille", "Louise", "Hugo", "Léa", "Gabriel", "Manon", "Arthur", "Chloé", "Jules", "Inès",
    "Lucas", "Sarah", "Nathan", "Jade", "Raphaël", "Emma", "Tom", "Alice", "Théo", "Zoé",
];
pub(crate) const LAST: &[&str] = &[
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
pub(crate) fn demo_name(n: usize) -> (&'static str, &'static str) {
    let round = n / FIRST.len();
    let first = FIRST[n % FIRST.len()];
    // Within a round the 20 first names are distinct; across rounds the same first name gets the
    // last name `round` places further on.
    let last = LAST[(n % FIRST.len() * 7 + 3 + round) % LAST.len()];
    (first, last)
}

pub(crate) const SPECIALTIES: &[&str] = &[
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
pub(crate) fn siret_with_key(payload: &str) -> Result<Siret, DemoError> {
    for key in 0..10 {
        if let Ok(s) = Siret::parse(&format!("{payload}{key}")) {
            return Ok(s);
        }
    }
    Err(err("clé SIRET introuvable"))
}

pub(crate) fn account(
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

pub(crate) async fn accept(state: &AppState, account_id: &str) -> Result<(), DemoError> {
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

pub(crate) struct Pusher {
    ctx: Arc<PushContext>,
    counter: u32,
}

impl Pusher {
    pub(crate) fn new(
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

    pub(crate) async fn upsert(
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

pub(crate) fn next_weekday(from: NaiveDate, day: Weekday) -> NaiveDate {
    let mut d = from;
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}

/// The demo staff account (back office: verification queue, tariffs).
pub const STAFF_EMAIL: &str = "equipe@demo.rempla.fr";

/// How many demo doctors wait for verification.
pub(crate) const PENDING_DOCTORS: usize = 3;

/// A one-page PDF standing for a scanned identity card (each one different: the server refuses the same
/// file for two people).
pub(crate) fn identity_pdf(first: &str, last: &str) -> Vec<u8> {
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
pub(crate) fn home_near(site: GeoPoint, n: usize) -> GeoPoint {
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
pub(crate) async fn seed_pending_doctors(state: &AppState, hash: &str) -> Result<(), DemoError> {
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
pub(crate) async fn seed_tariff(state: &AppState) -> Result<(), DemoError> {
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
