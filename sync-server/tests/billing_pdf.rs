//! Billing PDF tests: the contract and invoice PDFs read back with a PDF text extractor (parties, dates,
//! fees, accents, hash, page breaks, totals), and their facts built from core domain records.

// Cases are generic functions called by the #[test]s below: a panic in them is a test failure, which the
// test-only unwrap allowance intends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod common;

use common::billing::{at, has, interval, pdf_text, shifts};
use rempla_core::calendar::{Interval, ShiftKind};
use rempla_server::billing::{CancellationFacts, UnlockFacts};
use rempla_server::pdf::contract::{
    self, ContractFacts, ContractShift, Fees, ReplacedParty, ReplacingParty,
};
use rempla_server::pdf::invoice::{self, Customer, InvoiceFacts, InvoiceLine, Issuer};

fn contract_facts() -> ContractFacts {
    ContractFacts {
        mission_id: "0190a000-0000-7000-8000-000000000001".into(),
        revision: 3,
        replaced: ReplacedParty {
            name: "Centre hospitalier de Lannion-Trestel".into(),
            siret: Some("26220015500019".into()),
            address: "Rue de Kergomar, 22300 Lannion".into(),
            representative: Some("Mme Hélène Le Gœrrec, directrice des affaires médicales".into()),
            ordre_department: None,
        },
        replacing: ReplacingParty {
            first_name: "Françoise".into(),
            last_name: "Lefèvre".into(),
            rpps: "10005000017".into(),
            specialty: Some("médecine d'urgence".into()),
            thesed: Some(true),
            ordre_department: Some("Côtes-d'Armor (22)".into()),
        },
        place: "Service des urgences, Rue de Kergomar, 22300 Lannion".into(),
        zone: chrono_tz::Europe::Paris,
        shifts: vec![
            ContractShift {
                kind: ShiftKind::Day,
                interval: interval("2027-03-01T07:00:00Z", "2027-03-01T19:00:00Z"),
            },
            ContractShift {
                kind: ShiftKind::GardeNight,
                interval: interval("2027-03-01T19:00:00Z", "2027-03-02T07:00:00Z"),
            },
        ],
        fees: Fees::PerDay {
            cents_per_day: 65_000,
        },
        drawn_up_at: Some(at("2026-11-23T10:00:00Z")),
    }
}

// ---------------------------------------------------------------- PDFs

#[test]
fn contract_pdf_reads_back_with_parties_dates_fees_accents_and_hash() {
    let facts = contract_facts();
    let bytes = contract::render(&facts).unwrap();
    let text = pdf_text(&bytes);
    let hash = facts.version_hash();
    assert_eq!(hash.len(), 64);
    for needle in [
        "CONTRAT DE REMPLACEMENT",
        "Centre hospitalier de Lannion-Trestel",
        "SIRET 26220015500019",
        "Mme Hélène Le Gœrrec",
        "Dr Françoise Lefèvre",
        "n° RPPS 10005000017",
        "médecine d'urgence",
        "Côtes-d'Armor (22)",
        "« le remplaçant »",
        "garde de nuit du lundi 1 mars 2027 à 20:00 au mardi 2 mars 2027 à 08:00",
        "journée du lundi 1 mars 2027 à 08:00 au lundi 1 mars 2027 à 20:00",
        "650,00 € par jour",
        "R. 4127-86",
        "conseil départemental de l'Ordre des médecins avant le début du remplacement",
        "conciliation",
        "Établi le lundi 23 novembre 2026",
        &hash,
    ] {
        assert!(has(&text, needle), "missing « {needle} » in:\n{text}");
    }
    // Same facts, same hash and same text; any change of a fact changes the hash.
    assert_eq!(contract_facts().version_hash(), hash);
    assert_eq!(
        pdf_text(&contract::render(&contract_facts()).unwrap()),
        text
    );
    let mut changed = contract_facts();
    changed.fees = Fees::PerDay {
        cents_per_day: 65_001,
    };
    assert_ne!(changed.version_hash(), hash);
    let mut changed = contract_facts();
    changed.replacing.rpps = "10005000025".into();
    assert_ne!(changed.version_hash(), hash);
}

#[test]
fn contract_fee_variants_and_bad_facts() {
    let mut facts = contract_facts();
    facts.fees = Fees::Retrocession { share_bps: 7_250 };
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(has(&text, "72,50 % des honoraires"), "{text}");
    facts.fees = Fees::Fixed {
        total_cents: 123_456_789,
    };
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(has(&text, "1 234 567,89 €"), "{text}");
    facts.replacing.thesed = Some(false);
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(has(&text, "licence de remplacement"), "{text}");

    facts.fees = Fees::Unstated;
    facts.replacing.specialty = None;
    facts.replacing.thesed = None;
    facts.replacing.ordre_department = None;
    facts.drawn_up_at = None;
    let text = pdf_text(&contract::render(&facts).unwrap());
    assert!(
        has(&text, "convenus directement entre les parties"),
        "{text}"
    );
    assert!(
        has(
            &text,
            "n° RPPS 10005000017, inscrit(e) au tableau du conseil départemental de l'Ordre des médecins, ci-après « le remplaçant »"
        ),
        "{text}"
    );
    assert!(has(&text, "Établi et signé électroniquement"), "{text}");
    assert!(has(&text, "version 3"), "{text}");
    let mut bumped = contract_facts();
    bumped.revision = 4;
    assert_ne!(bumped.version_hash(), contract_facts().version_hash());

    let mut bad = contract_facts();
    bad.shifts.clear();
    assert_eq!(contract::render(&bad).unwrap_err().code(), "pdf_facts");
    let mut bad = contract_facts();
    bad.fees = Fees::Retrocession { share_bps: 10_001 };
    assert_eq!(contract::render(&bad).unwrap_err().code(), "pdf_facts");
    let mut bad = contract_facts();
    bad.fees = Fees::Fixed { total_cents: -1 };
    assert_eq!(contract::render(&bad).unwrap_err().code(), "pdf_facts");
}

#[test]
fn a_long_contract_spans_pages_and_keeps_every_shift() {
    let mut facts = contract_facts();
    let start = at("2027-01-04T07:00:00Z");
    facts.shifts = (0..60)
        .map(|d| ContractShift {
            kind: ShiftKind::Day,
            interval: Interval::new(
                start + chrono::Duration::days(d),
                start + chrono::Duration::days(d) + chrono::Duration::hours(12),
            )
            .unwrap(),
        })
        .collect();
    let bytes = contract::render(&facts).unwrap();
    let doc = lopdf_pages(&bytes);
    assert!(doc >= 2, "{doc} pages");
    let text = pdf_text(&bytes);
    assert!(has(&text, "jeudi 4 mars 2027"), "last shift missing");
    assert!(has(&text, "page 1 / "), "{text}");
}

fn lopdf_pages(bytes: &[u8]) -> usize {
    // pdf-extract re-exports lopdf; count the pages the way a reader does.
    pdf_extract::Document::load_mem(bytes)
        .unwrap()
        .get_pages()
        .len()
}

fn invoice_facts() -> InvoiceFacts {
    InvoiceFacts {
        credit_note: false,
        number: "2026-000042".into(),
        issued_on: "lundi 23 novembre 2026".into(),
        cancels: None,
        issuer: Issuer {
            name: "Rempla SAS".into(),
            address: "1 rue de la Paix, 75002 Paris".into(),
            siret: "12345678900011".into(),
            vat_number: "FR12345678901".into(),
        },
        customer: Customer {
            name: "Clinique Sainte-Thérèse".into(),
            siret: Some("73221000010010".into()),
            address: Some("Rue de Kergomar, 22300".into()),
        },
        subject: "Mise en relation avec Dr Françoise Lefèvre".into(),
        lines: vec![
            InvoiceLine {
                label: "Mise en relation — journée".into(),
                quantity: 3,
                unit_cents: 4_005,
                total_cents: 12_015,
            },
            InvoiceLine {
                label: "Mise en relation — garde de nuit".into(),
                quantity: 1,
                unit_cents: 7_000,
                total_cents: 7_000,
            },
        ],
        ht_cents: 19_015,
        vat_bps: 2_000,
        vat_cents: 3_803,
        ttc_cents: 22_818,
    }
}

#[test]
fn invoice_pdf_reads_back_with_number_customer_lines_and_totals() {
    let text = pdf_text(&invoice::render(&invoice_facts()).unwrap());
    for needle in [
        "FACTURE n° 2026-000042",
        "Rempla SAS",
        "TVA intracommunautaire FR12345678901",
        "Clinique Sainte-Thérèse",
        "SIRET 73221000010010",
        "Mise en relation — journée — 3 × 40,05 €",
        "120,15 €",
        "Mise en relation — garde de nuit — 1 × 70,00 €",
        "Total HT 190,15 €",
        "TVA 20 % 38,03 €",
        "Total TTC 228,18 €",
        "indemnité forfaitaire pour frais de recouvrement de 40 €",
    ] {
        assert!(has(&text, needle), "missing « {needle} » in:\n{text}");
    }
    let mut credit = invoice_facts();
    credit.credit_note = true;
    credit.number = "2026-000043".into();
    credit.cancels = Some("2026-000042".into());
    let text = pdf_text(&invoice::render(&credit).unwrap());
    assert!(has(&text, "AVOIR n° 2026-000043"), "{text}");
    assert!(
        has(&text, "Avoir annulant la facture n° 2026-000042"),
        "{text}"
    );
    assert!(!has(&text, "293 B"), "VAT exemption on a taxed invoice");
    let mut exempt = invoice_facts();
    exempt.vat_bps = 0;
    exempt.vat_cents = 0;
    exempt.ttc_cents = exempt.ht_cents;
    let text = pdf_text(&invoice::render(&exempt).unwrap());
    assert!(
        has(&text, "TVA non applicable, article 293 B du CGI"),
        "{text}"
    );
    assert!(has(&text, "Total TTC 190,15 €"), "{text}");
    // Totals that do not add up are refused rather than printed.
    let mut bad = invoice_facts();
    bad.ttc_cents += 1;
    assert_eq!(invoice::render(&bad).unwrap_err().code(), "pdf_facts");
    let mut bad = invoice_facts();
    bad.ht_cents -= 1;
    assert_eq!(invoice::render(&bad).unwrap_err().code(), "pdf_facts");
}

// ---------------------------------------------------------------- facts from core domain records

#[test]
fn facts_are_built_from_core_domain_records() {
    use rempla_core::domain::{
        Doctor, Mission, MissionId, MissionStatus, ProposalId, RequestId, RequestShift,
    };
    let facility = common::fixtures::facility(7);
    let site = common::fixtures::site(facility.id);
    let doctor = Doctor {
        first_name: "Zoé".into(),
        last_name: "Œuvrard".into(),
        travel_radius_km: 50,
        ..common::fixtures::doctor(3)
    };
    let shifts = shifts();
    let mission = Mission {
        id: MissionId::new(),
        proposal_id: ProposalId::new(),
        request_id: RequestId::new(),
        doctor_id: doctor.id,
        facility_id: facility.id,
        site_id: site.id,
        title: "Remplacement".into(),
        location: None,
        zone: chrono_tz::Europe::Paris,
        // Out of order on purpose: the contract sorts them.
        shifts: shifts
            .iter()
            .rev()
            .map(|(kind, interval)| RequestShift {
                kind: *kind,
                interval: *interval,
            })
            .collect(),
        status: MissionStatus::Confirmed,
        started_at: None,
        ended_at: None,
        revision: 0,
    };

    let unlock = UnlockFacts::from_mission(&mission, 42);
    assert_eq!(unlock.mission_id, mission.id.to_string());
    assert_eq!(unlock.facility_id, facility.id.to_string());
    assert_eq!(unlock.doctor_id, doctor.id.to_string());
    assert_eq!(unlock.shifts.len(), 4);
    assert_eq!(unlock.at_ms, 42);
    let cancel = CancellationFacts::from_mission(&mission, 43);
    assert_eq!(
        cancel.mission_start_ms,
        at("2027-03-01T07:00:00Z").timestamp_millis()
    );

    let facts = ContractFacts::from_mission(
        &mission,
        ReplacedParty::from_facility(&facility, &site, Some("Dr Paul Martin".into())),
        ReplacingParty::from_doctor(&doctor, Some("Côtes-d'Armor (22)".into())),
        contract::place_of(&site),
        Fees::Retrocession { share_bps: 7_000 },
        Some(at("2026-11-23T10:00:00Z")),
    );
    assert!(
        facts
            .shifts
            .windows(2)
            .all(|w| w[0].interval < w[1].interval)
    );
    assert_eq!(facts.replaced.ordre_department.as_deref(), Some("22"));
    assert_eq!(facts.replacing.rpps, common::rpps(3));
    let text = pdf_text(&contract::render(&facts).unwrap());
    for needle in [
        "Cabinet du Dr Martin, 3 place du Général-Leclerc, 22300",
        "représenté(e) par Dr Paul Martin",
        "Dr Zoé Œuvrard",
        &format!("n° RPPS {}", common::rpps(3)),
        "70,00 % des honoraires",
        "demi-journée",
    ] {
        // "demi-journée" is a billing label, never in a contract: it proves `has` can fail.
        assert_eq!(
            has(&text, needle),
            needle != "demi-journée",
            "« {needle} » in:\n{text}"
        );
    }
}
